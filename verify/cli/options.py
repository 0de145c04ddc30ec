"""Options shared by the checking commands, validated into a ``CheckConfig``."""
from __future__ import annotations

import argparse

from ..config import DEFAULT_DPS, DEFAULT_INSTANCES, DEFAULT_SEED, CheckConfig, check_dps
from ..errors import InputError


def add_check_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument(
        "--dps",
        type=int,
        default=DEFAULT_DPS,
        help=f"decimal digits of working precision (default {DEFAULT_DPS})",
    )
    p.add_argument("--instances", type=int, default=DEFAULT_INSTANCES,
                   help=f"concrete instances per claim (default {DEFAULT_INSTANCES})")
    p.add_argument(
        "--time-limit",
        type=float,
        default=60.0,
        help="seconds per claim before the search stops (default 60)",
    )
    p.add_argument("--jobs", type=int, default=1, help="worker processes for claims (default 1)")
    p.add_argument("--quiet", action="store_true", help="no progress display on stderr")
    p.add_argument("--progress", action="store_true", help="show progress on stderr even with --json")


def config_from(args: argparse.Namespace) -> CheckConfig:
    from . import progress_printer

    check_dps(args.dps)
    if not 1 <= args.instances <= 1000:
        raise InputError(f"--instances must be between 1 and 1000, got {args.instances}")
    if not 0 <= args.seed < 2**63:
        raise InputError(f"--seed must be a non-negative integer, got {args.seed}")
    if not 1 <= args.jobs <= 64:
        raise InputError(f"--jobs must be between 1 and 64, got {args.jobs}")
    if not 0 < args.time_limit <= 86400:
        raise InputError(f"--time-limit must be positive (seconds), got {args.time_limit}")
    return CheckConfig(seed=args.seed, dps=args.dps, instances=args.instances, time_limit=args.time_limit,
                       progress=progress_printer(not args.quiet and (not args.json or args.progress)))
