"""A team on one PostgreSQL ledger: four processes on two "machines" (two WJNB_HOMEs)
sweep against one 300-credit budget; one is SIGKILLed mid-sweep and resumed by another
process; the database server is restarted mid-sweep. Nothing is lost, nothing is sent
twice, and the credits charged stay within the budget.

The killed process has a home of its own and is resumed on it at once: a create it sent
but never saw answered is reconciled through its callback, which the service sends (and
retries for ~15 s) to that home's receiver port.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from wjnb.ledger import Ledger
from wjnb.ledger.localpg import LocalPostgres

WORKER = str(Path(__file__).with_name("team_worker.py"))
BUDGET, BUDGET_NAME = 300, "team-oct"


@pytest.fixture
def own_pg() -> Iterator[LocalPostgres]:
    """A server of this test's own, since the test restarts it."""
    server = LocalPostgres()
    yield server
    server.stop()


def _jobs_in(ledger: Ledger, experiment: str | None = None) -> int:
    sql, args = "SELECT COUNT(*) FROM jobs", []
    if experiment:
        sql, args = sql + " WHERE experiment = ?", [experiment]
    return int(ledger.store.read(lambda c: c.query(sql, args))[0][0])


def _wait_for(what: str, ok: Callable[[], bool], procs: list[subprocess.Popen[str]]) -> None:
    deadline = time.monotonic() + 120
    while not ok():
        assert time.monotonic() < deadline, f"never reached: {what}"
        dead = [p.args for p in procs if p.poll() not in (None, 0)]
        assert not dead, f"a worker failed while waiting for {what}: {dead}"
        time.sleep(0.05)


def test_four_processes_one_budget_a_sigkill_and_a_database_restart(
    sandbox_factory: Callable[..., Any], own_pg: LocalPostgres, tmp_path: Path
) -> None:
    srv = sandbox_factory(speed=20, balance=100_000)
    url = own_pg.url
    base = {k: v for k, v in os.environ.items() if not k.startswith("WJNB_")}
    base.update(srv.env(), WJNB_LEDGER_URL=url)
    machines = {"a": tmp_path / "machine-a", "b": tmp_path / "machine-b"}
    plan = [("a", "e1"), ("b", "e2"), ("b", "e3"), ("b", "e4")]

    def spawn(machine: str, mode: str, experiment: str) -> subprocess.Popen[str]:
        env = {**base, "WJNB_HOME": str(machines[machine])}
        return subprocess.Popen(
            [sys.executable, WORKER, mode, experiment],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    procs = [spawn(m, "sweep", e) for m, e in plan]
    ledger = Ledger(tmp_path / "observer", url=url)
    try:
        _wait_for("e1 part-way", lambda: _jobs_in(ledger, "e1") >= 6, procs)
        os.kill(procs[0].pid, signal.SIGKILL)  # e1's kernel dies mid-sweep
        procs[0].wait(10)
        at_kill = _jobs_in(ledger, "e1")
        resumer = spawn("a", "resume", "e1")  # another process on e1's machine
        _wait_for("the others part-way", lambda: _jobs_in(ledger) >= at_kill + 20, procs[1:])
        assert all(p.poll() is None for p in procs[1:])  # mid-sweep for all three
        own_pg.restart()  # every open connection is cut; the sweeps wait it out
        outs = [p.communicate(timeout=300) for p in [*procs[1:], resumer]]
        for p, (out, err) in zip([*procs[1:], resumer], outs, strict=True):
            assert p.returncode == 0, err[-3000:]
            summary = json.loads(out.strip().splitlines()[-1])
            assert summary["done"] == summary["jobs"] > 0
        assert at_kill < _jobs_in(ledger, "e1")  # killed mid-sweep, then taken further

        artworks = srv.artworks()["artworks"]
        records = ledger.jobs()
        # No job lost: every artwork the service made is in the ledger, all finished.
        assert {a["key"] for a in artworks} == {r.key for r in records}
        assert all(r.done for r in records)
        # No create duplicated: one accepted request per combination, one artwork per key.
        accepted = [r for r in ledger.requests() if r.state == "accepted"]
        combos = Counter((r.experiment, json.dumps(r.axes, sort_keys=True)) for r in accepted)
        assert set(combos.values()) == {1}
        assert len(accepted) == len(artworks) == srv.counters()["creates"]
        # The budget: the service charged at most 300, and the ledger settled exactly that.
        charged = sum(a["cost_charged"] - a["cost_refunded"] for a in artworks)
        assert charged == BUDGET  # 4 sweeps wanted 640 credits: the cap binds, exactly
        status = ledger.budgets.status(BUDGET_NAME)
        assert status is not None and status["held"] == 0 and status["settled"] == charged
        assert {r.experiment for r in records} == {"e1", "e2", "e3", "e4"}
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        ledger.close()
