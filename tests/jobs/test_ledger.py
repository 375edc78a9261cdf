"""The ledger's write order and multi-process safety, on real SQLite files."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from wjnb.errors import LedgerError
from wjnb.ledger import Ledger


def test_intent_then_accepted_then_updates(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
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
    jobs = {j.key: j for j in Ledger(tmp_path).jobs("exp")}  # a second connection sees it
    assert jobs["A"].done and jobs["A"].record["status"] == 4 and jobs["A"].raw == {"status": 4}
    assert not jobs["B"].done


def test_add_job_is_idempotent_and_marks_accepted(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    row = ledger.record_intent(backend="wujie", route="/ai/create", body={})
    ledger.record_request_state(row.id, "ambiguous", "reset after send")
    assert ledger.add_job(row.id, "K", 0, {"key": "K"}) is True
    assert ledger.add_job(row.id, "K", 0, {"key": "K"}) is False
    assert ledger.request(row.id).state == "accepted"  # type: ignore[union-attr]
    with pytest.raises(LedgerError):
        ledger.add_job("nope", "K2", 0, {})
    with pytest.raises(LedgerError):
        ledger.record_request_state(row.id, "bogus")


def test_wal_mode(tmp_path: Path) -> None:
    Ledger(tmp_path)
    mode = sqlite3.connect(tmp_path / "ledger.sqlite3").execute("PRAGMA journal_mode").fetchone()
    assert mode[0] == "wal"


def _writer(home: str, name: str, count: int) -> None:
    ledger = Ledger(home)
    ledger.ensure_experiment(name)
    for i in range(count):
        row = ledger.record_intent(
            backend="wujie", route="/ai/create", body={"i": i}, experiment=name
        )
        ledger.record_accepted(row.id, {}, [(f"{name}-{i}", {"i": i})])


def test_two_processes_share_one_home(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), f"e{n}", 150)) for n in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    ledger = Ledger(tmp_path)
    assert len(ledger.jobs("e0")) == 150 and len(ledger.jobs("e1")) == 150
    assert ledger.integrity() == "ok"
