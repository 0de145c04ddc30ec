"""Hard time limits per claim and per stage, and a quiet stdout while engines run.

``hard_limit(seconds)`` arms ``SIGALRM`` (an interval timer) so that a stage stuck inside SymPy,
mpmath or hypothesis is interrupted by ``StageTimeout`` even between our own deadline checks.
Limits nest: an inner limit never outlives the outer one, and leaving it re-arms the outer timer.
``StageTimeout`` derives from ``BaseException`` so that broad ``except Exception`` handlers inside
libraries cannot swallow it.  Outside the main thread (no signals) the limits are cooperative only:
every stage also checks its deadline.

``quiet_stdout()`` points file descriptor 1 at stderr while a claim is checked: LAPACK's ``DLASCL``
warnings and anything a library prints must never reach stdout, which carries only the report.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

SYMBOLIC_SHARE = 0.25  # the exact (SymPy/z3) stage gets at most this share of a claim's limit
GRACE = 5.0  # every claim answers within its limit + GRACE seconds


class StageTimeout(BaseException):
    """A hard time limit passed inside a stage."""


_deadlines: list[float] = []


def _signals_usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _on_alarm(signum, frame):
    # a stale alarm (its limit already left) is ignored; an early one re-arms the innermost limit
    if not _deadlines:
        return
    left = _deadlines[-1] - time.monotonic()
    if left > 0.02:
        signal.setitimer(signal.ITIMER_REAL, left)
        return
    # keep firing every 0.2 s until the limit's exit disarms the timer: an exception raised inside
    # a weakref callback or __del__ is swallowed by Python, and must not end the limit
    signal.setitimer(signal.ITIMER_REAL, 0.2, 0.2)
    raise StageTimeout()


@contextlib.contextmanager
def hard_limit(seconds: float) -> Iterator[float]:
    """Run the body for at most ``seconds`` (raises ``StageTimeout`` when they pass); yields the
    absolute deadline (``time.monotonic()`` clock)."""
    now = time.monotonic()
    deadline = now + max(0.0, seconds)
    if _deadlines:
        deadline = min(deadline, _deadlines[-1])
    if deadline <= now:
        raise StageTimeout()
    if not _signals_usable():
        _deadlines.append(deadline)
        try:
            yield deadline
        finally:
            _deadlines.pop()
        return
    old_handler = signal.signal(signal.SIGALRM, _on_alarm) if not _deadlines else None
    _deadlines.append(deadline)
    signal.setitimer(signal.ITIMER_REAL, max(deadline - now, 1e-3))
    try:
        yield deadline
    finally:
        try:
            signal.setitimer(
                signal.ITIMER_REAL, 0
            )  # the alarm may still fire here: the pop below runs anyway
        finally:
            _deadlines.pop()
            if _deadlines:
                signal.setitimer(signal.ITIMER_REAL, max(_deadlines[-1] - time.monotonic(), 1e-3))
            elif old_handler is not None:
                signal.signal(signal.SIGALRM, old_handler)


def remaining() -> float:
    """Seconds left under the innermost active limit (inf when none)."""
    return _deadlines[-1] - time.monotonic() if _deadlines else float("inf")


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Send everything written to stdout (Python objects and file descriptor 1) to stderr."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        with contextlib.redirect_stdout(sys.stderr):
            yield
        return
    try:
        os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os.dup2(saved, 1)
        os.close(saved)
