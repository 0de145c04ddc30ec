"""Experiments run by ``verify experiment NAME``.

Each module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``;
they are discovered by ``verify.cli.commands.experiment``.
"""
