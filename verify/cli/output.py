"""Writing a command's result: JSON or a table on stdout, PNG figures to a folder (atomically)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

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
