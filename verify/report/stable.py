"""What makes a committed report byte-identical from run to run: timings and machine details leave
the report and go to a run log; paths are shown relative to the package or the working directory.

``split_timings(obj)`` returns ``(obj without timing keys, the removed timings by JSON path)``: a key
is a timing when it is ``seconds``, ``elapsed``, ``wall`` or ends in ``_seconds``.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

_TIMING_KEYS = {"seconds", "elapsed", "wall", "time_s", "wall_s"}


def is_timing_key(key: str) -> bool:
    return key in _TIMING_KEYS or key.endswith("_seconds")


def split_timings(obj: Any, path: str = "") -> tuple[Any, dict[str, Any]]:
    """``obj`` (nested dicts and lists) without its timing entries, and those entries by path."""
    timings: dict[str, Any] = {}
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            where = f"{path}.{k}" if path else str(k)
            if isinstance(k, str) and is_timing_key(k) and isinstance(v, (int, float)):
                timings[where] = v
                continue
            out[k], sub = split_timings(v, where)
            timings.update(sub)
        return out, timings
    if isinstance(obj, list):
        items = []
        for i, v in enumerate(obj):
            item, sub = split_timings(v, f"{path}[{i}]")
            items.append(item)
            timings.update(sub)
        return items, timings
    return obj, timings


def display_path(path: str | Path) -> str:
    """A path as a report shows it: relative to the installed package's parent (``verify/...``) or to
    the working directory; the absolute path only when it is under neither."""
    p = Path(path).resolve()
    for base in (Path(__file__).resolve().parents[2], Path.cwd().resolve()):
        try:
            return p.relative_to(base).as_posix()
        except ValueError:
            continue
    return p.as_posix()


def machine() -> dict[str, str]:
    """Versions and machine details (for the run log, never for committed reports)."""
    import mpmath
    import numpy
    import sympy

    from .. import __version__

    return {
        "verify": __version__,
        "python": platform.python_version(),
        "sympy": sympy.__version__,
        "mpmath": mpmath.__version__,
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "cpus": str(os.cpu_count()),
    }
