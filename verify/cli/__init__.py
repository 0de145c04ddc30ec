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
    parser = _Parser(prog="verify", description="Check proofs about training dynamics step by step.")
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
        return int(args._run(args) or 0)
    except VerifyError as exc:
        sys.stderr.write(f"verify: error: {exc}\n")
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


def progress_printer(enabled: bool = True):
    """A progress callback writing to stderr (stdout stays clean for JSON)."""
    if not enabled:
        return None

    def report(message: str) -> None:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()

    return report
