"""Ledger throughput on SQLite and PostgreSQL, each against a naive baseline in the same run.

* **write**: 10,000 job updates as the tracker writes them (``update_jobs``, one
  transaction per poll batch of 500) against one transaction per row;
* **read**: the 10,000 rows back (``Ledger.jobs``, one query) against one query per key;
* **experiments**: ``wjnb.experiments()`` on 100,000 stored rows against
  ``pandas.read_sql`` of the whole table, records decoded and aggregated with pandas.

PostgreSQL is a throwaway local server (``wjnb.ledger.localpg``, Debian's binaries) with
its default durability; SQLite runs in WAL mode with ``synchronous=NORMAL``, as wjnb opens
it. Prints rows per second (and seconds for the table) with the speed-up over the baseline.

    .venv/bin/python bench/bench_ledger.py [--jobs 10000] [--rows 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from bench_frame import make_records

import wjnb
from wjnb.ledger import Ledger
from wjnb.ledger.localpg import LocalPostgres

BATCH = 500


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def fill(ledger: Ledger, records: list[dict[str, Any]], per_request: int = 100) -> list[str]:
    """Store the records as accepted jobs (``per_request`` keys per create); returns keys."""
    keys = []
    for i in range(0, len(records), per_request):
        chunk = records[i : i + per_request]
        exp = chunk[0].get("experiment") or "bench"
        row = ledger.record_intent(backend="wujie", route="/ai/create", body={}, experiment=exp)
        ledger.ensure_experiment(exp)
        pairs = [(f"{rec['key']}-{i + n}", rec) for n, rec in enumerate(chunk)]
        ledger.record_accepted(row.id, {}, pairs)
        keys += [k for k, _ in pairs]
    return keys


def write_read(ledger: Ledger, records: list[dict[str, Any]]) -> dict[str, float]:
    """Rows per second for batched vs per-row writes and one-query vs per-key reads."""
    keys = fill(ledger, records)
    updates = [(k, {**rec, "status": 4}, True, None) for k, rec in zip(keys, records, strict=True)]
    batched = timed(
        lambda: [ledger.update_jobs(updates[i : i + BATCH]) for i in range(0, len(keys), BATCH)]
    )
    per_row = timed(lambda: [ledger.update_jobs([u]) for u in updates])
    one_query = timed(ledger.jobs)
    per_key = timed(lambda: [ledger.jobs_by_key([k]) for k in keys])
    n = len(keys)
    return {
        "write": n / batched,
        "write_naive": n / per_row,
        "read": n / one_query,
        "read_naive": n / per_key,
    }


def naive_experiments(ledger: Ledger) -> pd.DataFrame:
    """The afternoon version: read the whole table, decode every record, group with pandas."""
    if ledger.dialect == "sqlite":
        con: Any = sqlite3.connect(ledger.path)
    else:
        import psycopg

        con = psycopg.connect(ledger.where)
    with warnings.catch_warnings():  # pandas prefers SQLAlchemy for non-SQLite connections
        warnings.simplefilter("ignore", UserWarning)
        table = pd.read_sql("SELECT * FROM jobs", con)
    con.close()
    rec = pd.DataFrame([json.loads(r) for r in table["record"]])
    return rec.groupby("experiment").agg(
        artworks=("key", "size"), credits=("integral_cost", "sum"), created=("submitted_at", "min")
    )


def table_seconds(url: str, records: list[dict[str, Any]]) -> tuple[float, float]:
    """Seconds for ``wjnb.experiments()`` and for the naive table on the same stored rows."""
    with tempfile.TemporaryDirectory() as home:
        ledger = Ledger(home, url=url)
        fill(ledger, records, per_request=1000)
        ours = timed(lambda: _experiments(url, home))
        naive = timed(lambda: naive_experiments(ledger))
        ledger.close()
    return ours, naive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    records = make_records(args.jobs)
    many = make_records(args.rows, seed=7)
    server = LocalPostgres()
    try:
        urls = {"sqlite": "", "postgresql": server.create_database("bench_rw")}
        for engine, url in urls.items():
            with tempfile.TemporaryDirectory() as home:
                ledger = Ledger(home, url=url)
                r = write_read(ledger, records)
                ledger.close()
            write_x, read_x = r["write"] / r["write_naive"], r["read"] / r["read_naive"]
            print(
                f"{engine:10s} {args.jobs} jobs  write {r['write']:7.0f} rows/s"
                f" (one transaction per row: {r['write_naive']:6.0f}, x{write_x:.1f})"
                f"  read {r['read']:7.0f} rows/s"
                f" (one query per key: {r['read_naive']:6.0f}, x{read_x:.1f})"
            )
        urls = {"sqlite": "", "postgresql": server.create_database("bench_table")}
        for engine, url in urls.items():
            ours, naive = table_seconds(url, many)
            print(
                f"{engine:10s} wjnb.experiments() on {args.rows} rows {ours:6.2f} s"
                f" (read_sql + decode + groupby: {naive:6.2f} s, x{naive / ours:.1f})"
            )
    finally:
        server.stop()


def _experiments(url: str, home: str) -> pd.DataFrame:
    """``wjnb.experiments()`` as a user on this ledger calls it (``WJNB_LEDGER_URL``)."""
    os.environ["WJNB_LEDGER_URL"] = url
    try:
        return wjnb.experiments(home=home)
    finally:
        del os.environ["WJNB_LEDGER_URL"]


if __name__ == "__main__":
    main()
