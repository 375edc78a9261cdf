"""The ``wjnb`` command: ``wjnb mlflow EXPERIMENT`` exports an experiment from the ledger."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand (only ``mlflow`` so far); prints usage otherwise."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["mlflow"]:
        from .export.mlflow import main as mlflow_main

        return mlflow_main(args[1:])
    print("usage: wjnb mlflow EXPERIMENT [--tracking-uri URI] [--home DIR]", file=sys.stderr)
    return 0 if args[:1] in (["-h"], ["--help"]) else 2
