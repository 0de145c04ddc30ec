"""verify experiment NAME ...: measurements that are not proof steps (sweeps, width studies)."""
from __future__ import annotations

import argparse
import importlib
import pkgutil

NAME = "experiment"
HELP = "run a measurement experiment (see 'verify experiment --help' for the list)"


def _experiment_modules():
    from .. import experiments

    for info in sorted(pkgutil.iter_modules(experiments.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{experiments.__name__}.{info.name}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="experiment", metavar="NAME", parser_class=type(parser))
    sub.required = True
    for mod in _experiment_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_experiment_run=mod.run)


def run(args: argparse.Namespace) -> int:
    return args._experiment_run(args)
