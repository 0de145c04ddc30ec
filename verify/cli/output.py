"""Writing a command's result: JSON or a table on stdout, PNG figures to a folder (atomically)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

from ..errors import InputError
from ..io import write_all
from ..result import jsonable


def emit(res: dict[str, Any], *, as_json: bool, table: Callable[[dict], str], plot_dir: str | None = None,
         figures: Callable[[dict], dict[str, bytes]] | None = None) -> int:
    """Write the figures (if a folder is given), record their paths in ``res``, then print ``res``.

    Every figure is rendered before the first file is written.
    """
    if plot_dir and figures is not None:
        figs = figures(res)
        write_all({Path(plot_dir) / k: v for k, v in figs.items()})
        res["figures"] = sorted(str(Path(plot_dir) / k) for k in figs)
    if as_json:
        sys.stdout.write(json.dumps(jsonable(res), indent=1) + "\n")
    else:
        sys.stdout.write(table(res) + "\n")
    return 0


def check_folder(path: str | Path | None, flag: str) -> None:
    """Before any computation: ``path`` is an existing writable folder or can be created as one
    (its nearest existing ancestor is a writable folder); otherwise one-line ``InputError``."""
    if path is None:
        return
    p = Path(path)
    for parent in [p, *p.parents]:
        if parent.exists():
            if not parent.is_dir():
                what = ("exists and is not a folder" if parent == p
                        else f"cannot be created: {parent} is a file")
                raise InputError(f"{flag} {path} {what}")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise InputError(f"{flag} {path}: {parent} is not writable")
            return


def check_file(path: str | Path | None, flag: str) -> None:
    """Before any computation: ``path`` can be written as a file (not a folder; its folder exists
    and is writable, or can be created)."""
    if path is None:
        return
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{flag} {path} is a folder, not a file")
    check_folder(p.parent if str(p.parent) else ".", flag)
