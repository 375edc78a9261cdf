"""``python -m wjnb.ledger``: the ledger's schema version, and copying a home's SQLite
ledger into a team's PostgreSQL (``migrate --to postgresql://...``)."""

from __future__ import annotations

import argparse
import sys

from ..errors import WjnbError
from .copy import copy_ledger
from .core import Ledger


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m wjnb.ledger", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    mig = sub.add_parser("migrate", help="copy a home's SQLite ledger into another ledger")
    mig.add_argument("--to", required=True, help="target ledger URL (postgresql://...)")
    mig.add_argument("--home", default=None, help="the home to copy (default: WJNB_HOME)")
    info = sub.add_parser("version", help="the schema version of a ledger (migrating it)")
    info.add_argument("--url", default=None, help="ledger URL (default: WJNB_LEDGER_URL)")
    info.add_argument("--home", default=None)
    args = parser.parse_args(argv)
    try:
        if args.command == "version":
            ledger = Ledger(args.home, url=args.url)
            print(f"{ledger.where}: schema version {ledger.schema_version()}")
            ledger.close()
            return 0
        source = Ledger(args.home, url="")
        target = Ledger(args.home, url=args.to)
        try:
            added = copy_ledger(source, target)
        finally:
            source.close()
            target.close()
    except WjnbError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    summary = ", ".join(f"{n} {table}" for table, n in added.items())
    print(f"copied {source.where} into {target.where}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
