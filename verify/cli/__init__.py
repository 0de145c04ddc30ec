"""The ``verify`` command.

Sub-commands live in ``verify.cli.commands``: each module defines ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; they are discovered, not listed by hand.
User mistakes raise ``verify.errors.VerifyError`` and reach the user as one line on stderr
with the error's exit status; anything else is an internal error (exit 3, one line; set
``VERIFY_DEBUG=1`` for the traceback).
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from typing import Sequence

from ..errors import VerifyError

EXIT_INTERNAL = 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        sys.stderr.write(f"verify: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def _command_modules():
    from . import commands

    mods = []
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            mods.append(importlib.import_module(f"{commands.__name__}.{info.name}"))
    return mods


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = _Parser(prog="verify", description="Check proofs about training dynamics step by step.")
    parser.add_argument("--version", action="version", version=f"verify {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _hypothesis_home()
        return int(args._run(args) or 0)
    except VerifyError as exc:
        sys.stderr.write(f"verify: error: {flag_names(str(exc), parser)}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("verify: interrupted\n")
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:
        if os.environ.get("VERIFY_DEBUG"):
            raise
        sys.stderr.write(
            f"verify: internal error: {type(exc).__name__}: {exc} (set VERIFY_DEBUG=1 for the traceback)\n"
        )
        return EXIT_INTERNAL


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    out: set[str] = set()
    for action in parser._actions:
        out.update(o for o in action.option_strings if o.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                out |= _option_strings(sub)
    return out


def flag_names(message: str, parser: argparse.ArgumentParser) -> str:
    """Name options as the user typed them: ``mlp_layers must ...`` -> ``--mlp-layers must ...`` when that
    option exists.  Library errors name Python parameters at the start of the message (or of a clause
    after ": "); any other occurrence (claim names, variables, file text) is left alone."""
    import re

    flags = _option_strings(parser)

    def swap(m: re.Match) -> str:
        flag = "--" + m.group(0).replace("_", "-")
        return flag if flag in flags else m.group(0)

    return re.sub(r"(?:(?<=^)|(?<=: ))[a-z][a-z0-9_]*(?= must )", swap, message)


def progress_printer(enabled: bool = True):
    """A progress callback on stderr (stdout stays clean for JSON): a tqdm bar with an ETA on a
    terminal, plain lines otherwise (see ``verify.cli.progress``)."""
    from .progress import progress_sink

    return progress_sink(enabled)


def wants_progress(args: argparse.Namespace) -> bool:
    """Progress on stderr unless ``--no-progress``/``--quiet``; off under ``--json`` unless ``--progress``."""
    if getattr(args, "no_progress", False) or getattr(args, "quiet", False):
        return False
    return not getattr(args, "json", False) or bool(getattr(args, "progress", False))


def _hypothesis_home() -> None:
    """Keep hypothesis's cache out of the user's working directory (no ``.hypothesis/`` there)."""
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        return
    from pathlib import Path

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "verify" / "hypothesis"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        import tempfile

        uid = os.getuid() if hasattr(os, "getuid") else 0
        base = Path(tempfile.gettempdir()) / f"verify-hypothesis-{uid}"
        base.mkdir(parents=True, exist_ok=True)
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(base)
