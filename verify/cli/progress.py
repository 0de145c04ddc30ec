"""One progress display for every command: a tqdm bar with an ETA on stderr when stderr is a
terminal, plain lines otherwise (logs, pipes); stdout stays clean for tables and JSON.

Engines report progress as one-line messages (``CheckConfig.progress``); a message containing
``i/n`` ("step 3/12", "[4/76]") moves the bar to item i of n, any other message is printed above
the bar.
"""
from __future__ import annotations

import re
import sys
from typing import IO, Callable

_FRACTION = re.compile(r"(\d+)\s*/\s*(\d+)")


class BarProgress:
    """A callable progress sink driving one tqdm bar (restarted when the total changes)."""

    def __init__(self, file: IO[str] | None = None, width: int | None = None) -> None:
        self.file = file if file is not None else sys.stderr
        self.width = width
        self.bar = None
        self.lines: list[str] = []

    def __call__(self, message: str) -> None:
        from tqdm import tqdm

        m = _FRACTION.search(message)
        if m is None or int(m.group(2)) <= 0:
            (tqdm.write if self.bar is not None else self._print)(message, file=self.file)
            return
        i, n = int(m.group(1)), int(m.group(2))
        if self.bar is None or self.bar.total != n or i - 1 < self.bar.n:
            self.close()
            self.bar = tqdm(total=n, file=self.file, leave=False, dynamic_ncols=self.width is None,
                            ncols=self.width, unit="item", mininterval=0.2)
        prefix = message[: m.start()].strip(" [:") or message
        self.bar.set_description_str(prefix[:40], refresh=False)
        self.bar.update(max(0, i - 1 - self.bar.n))

    def _print(self, message: str, file: IO[str]) -> None:
        file.write(message + "\n")
        file.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class LineProgress:
    """Progress as plain lines (logs, pipes): an ``i/n`` message is printed for the first and last
    item and each time another tenth of the work is done, so a 50-step loop prints ~11 lines, not 50;
    other messages are printed as they come."""

    def __init__(self, file: IO[str] | None = None) -> None:
        self.file = file
        self.last: tuple[str, int, int] | None = None

    def __call__(self, message: str) -> None:
        m = _FRACTION.search(message)
        if m is not None and int(m.group(2)) > 0:
            i, n = int(m.group(1)), int(m.group(2))
            key = message[: m.start()]
            last = self.last if self.last and self.last[0] == key and self.last[2] == n else None
            quiet = last is not None and 1 < i < n and (10 * i) // n <= (10 * last[1]) // n
            self.last = (key, i if not quiet else last[1], n)
            if quiet:
                return
        out = self.file if self.file is not None else sys.stderr
        out.write(message + "\n")
        out.flush()


def line_progress(message: str) -> None:
    """Every message as one line on stderr (no thinning)."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def progress_sink(enabled: bool = True, stream: IO[str] | None = None) -> Callable[[str], None] | None:
    """The progress callback for a command: None when disabled, a bar on a terminal, else thinned lines."""
    if not enabled:
        return None
    stream = stream if stream is not None else sys.stderr
    if getattr(stream, "isatty", lambda: False)():
        return BarProgress(stream)
    return LineProgress(None if stream is sys.stderr else stream)
