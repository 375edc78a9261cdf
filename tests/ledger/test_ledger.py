"""The ledger's write order and multi-process safety, on SQLite and on PostgreSQL."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from wjnb.errors import LedgerError
from wjnb.ledger import SCHEMA_VERSION, Ledger

OpenLedger = Callable[..., Ledger]


def test_intent_then_accepted_then_updates(open_ledger: OpenLedger, tmp_path: Path) -> None:
    ledger = open_ledger()
    ledger.ensure_experiment("exp", {"kind": "sweep"})
    row = ledger.record_intent(
        backend="wujie",
        route="/ai/create",
        body={"prompt": "p", "num": 2},
        experiment="exp",
        axes={"cfg": 7},
    )
    assert [r.state for r in ledger.requests("exp")] == ["intent"]
    assert row.secret and len(row.secret) >= 20
    ledger.record_accepted(row.id, {"keys": ["A", "B"]}, [("A", {"key": "A"}), ("B", {"key": "B"})])
    assert [r.state for r in ledger.requests("exp")] == ["accepted"]
    assert [j.key for j in ledger.jobs("exp")] == ["A", "B"]
    ledger.update_jobs([("A", {"key": "A", "status": 4}, True, {"status": 4})])
    jobs = {j.key: j for j in open_ledger().jobs("exp")}  # a second connection sees it
    assert jobs["A"].done and jobs["A"].record["status"] == 4 and jobs["A"].raw == {"status": 4}
    assert not jobs["B"].done
    assert [e["name"] for e in ledger.experiments()] == ["exp"]
    assert ledger.request(row.id).axes == {"cfg": 7}  # type: ignore[union-attr]
    assert [j.key for j in ledger.jobs_by_key(["B", "nope"])] == ["B"]


def test_add_job_is_idempotent_and_marks_accepted(open_ledger: OpenLedger) -> None:
    ledger = open_ledger()
    row = ledger.record_intent(backend="wujie", route="/ai/create", body={})
    ledger.record_request_state(row.id, "ambiguous", "reset after send")
    assert ledger.add_job(row.id, "K", 0, {"key": "K"}) is True
    assert ledger.add_job(row.id, "K", 0, {"key": "K"}) is False
    assert ledger.request(row.id).state == "accepted"  # type: ignore[union-attr]
    with pytest.raises(LedgerError):
        ledger.add_job("nope", "K2", 0, {})
    with pytest.raises(LedgerError):
        ledger.record_request_state(row.id, "bogus")


def test_charged_counts_what_was_not_refunded(open_ledger: OpenLedger) -> None:
    ledger = open_ledger()
    row = ledger.record_intent(backend="wujie", route="/ai/create", body={}, experiment="e")
    ledger.record_accepted(row.id, {}, [("A", {}), ("B", {}), ("C", {})])
    ledger.update_jobs(
        [
            ("A", {"integral_cost": 7}, True, None),
            ("B", {"integral_cost": 7, "integral_cost_message": "积分已退还"}, True, None),
            ("C", {"integral_cost": None}, False, None),
        ]
    )
    assert ledger.charged("e") == 7


def test_schema_is_at_the_latest_version_and_reopening_changes_nothing(
    open_ledger: OpenLedger, tmp_path: Path
) -> None:
    first = open_ledger()
    assert first.schema_version() == SCHEMA_VERSION
    assert open_ledger().schema_version() == SCHEMA_VERSION
    assert first.integrity() == "ok"


def test_wal_mode(tmp_path: Path) -> None:
    Ledger(tmp_path, url="")
    mode = sqlite3.connect(tmp_path / "ledger.sqlite3").execute("PRAGMA journal_mode").fetchone()
    assert mode[0] == "wal"


def test_a_ledger_written_before_versioning_is_adopted(tmp_path: Path) -> None:
    """A home from before migrations existed: its rows stay, the new tables appear."""
    db = sqlite3.connect(tmp_path / "ledger.sqlite3")
    db.executescript(
        """
        CREATE TABLE experiments (name TEXT PRIMARY KEY, created REAL NOT NULL,
                                  meta TEXT NOT NULL DEFAULT '{}');
        CREATE TABLE requests (id TEXT PRIMARY KEY, experiment TEXT, backend TEXT NOT NULL,
            route TEXT NOT NULL, body TEXT NOT NULL, axes TEXT NOT NULL DEFAULT '{}',
            secret TEXT NOT NULL, state TEXT NOT NULL, created REAL NOT NULL,
            updated REAL NOT NULL, reply TEXT, error TEXT, expected_cost INTEGER);
        CREATE TABLE jobs (key TEXT PRIMARY KEY, request_id TEXT NOT NULL REFERENCES requests(id),
            experiment TEXT, backend TEXT NOT NULL, idx INTEGER NOT NULL,
            done INTEGER NOT NULL DEFAULT 0, record TEXT NOT NULL, raw TEXT, updated REAL NOT NULL);
        INSERT INTO experiments VALUES ('old', 1.0, '{"kind": "generate"}');
        INSERT INTO requests VALUES ('r1', 'old', 'wujie', '/ai/create', '{}', '{}', 's',
                                     'accepted', 1.0, 1.0, '{}', NULL, 5);
        INSERT INTO jobs VALUES ('K', 'r1', 'old', 'wujie', 0, 1, '{"integral_cost": 5}',
                                 NULL, 1.0);
        """
    )
    db.close()
    ledger = Ledger(tmp_path, url="")
    assert ledger.schema_version() == SCHEMA_VERSION
    assert [j.key for j in ledger.jobs("old")] == ["K"] and ledger.charged("old") == 5
    assert ledger.budgets.status("nope") is None  # the budget tables exist now


def _writer(home: str, url: str, name: str, count: int) -> None:
    ledger = Ledger(home, url=url)
    ledger.ensure_experiment(name)
    for i in range(count):
        row = ledger.record_intent(
            backend="wujie", route="/ai/create", body={"i": i}, experiment=name
        )
        ledger.record_accepted(row.id, {}, [(f"{name}-{i}", {"i": i})])


def test_two_processes_share_one_ledger(ledger_url: str, tmp_path: Path) -> None:
    """Two processes (on PostgreSQL: two homes, as two machines would have) write at once."""
    ctx = multiprocessing.get_context("spawn")
    homes = [tmp_path / "home", tmp_path / ("home" if not ledger_url else "other")]
    procs = [
        ctx.Process(target=_writer, args=(str(homes[n]), ledger_url, f"e{n}", 150))
        for n in range(2)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    ledger = Ledger(homes[0], url=ledger_url)
    assert len(ledger.jobs("e0")) == 150 and len(ledger.jobs("e1")) == 150
    assert ledger.integrity() == "ok"
    ledger.close()
