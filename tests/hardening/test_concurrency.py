"""Two processes share one ``WJNB_HOME`` and run sweeps at the same time against one
standalone sandbox (``python -m wjnb.sandbox --port 0 --speed 100``, its environment taken
from the lines it prints), with 5xx faults on the poll routes. Afterwards the ledger passes
SQLite's ``integrity_check``, every experiment has all its rows, all terminal, and every
artwork the sandbox made has its row.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hardening_support import REPORT

from wjnb.ledger import Ledger
from wjnb.models import ArtworkStatus

HERE = Path(__file__).resolve().parent
WORKER = HERE / "concurrent_worker.py"
ROWS_PER_SWEEP = 3 * 2 * 2  # concurrent_worker.GRID x SEEDS
FAULTS = {
    "seed": 3,
    "rules": [
        # two creates are processed and then their connection drops: reconciled, not re-paid
        {"kind": "reset_after", "routes": ["/ai/create"], "times": 2},
        {
            "kind": "429",
            "rate": 0.1,
            "routes": ["/ai/create", "/ai/price_info"],
            "retry_after": 0.05,
        },
        {"kind": "5xx", "rate": 0.1, "routes": ["/ai/generating_info", "/ai/info"]},
    ],
}
VARS = ("WJNB_BASE_URL", "WJNB_APP_ID", "WJNB_PRIVATE_KEY", "WJNB_MJ_BASE_URL", "WJNB_MJ_TOKEN")


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("WJNB_")}


@pytest.fixture
def standalone() -> Iterator[dict[str, str]]:
    """A sandbox process; yields the ``WJNB_*`` variables it printed."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wjnb.sandbox",
            "--port",
            "0",
            "--speed",
            "100",
            "--seed",
            "9",
            "--faults",
            json.dumps(FAULTS),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_clean_env(),
    )
    env: dict[str, str] = {}
    deadline = time.monotonic() + 60
    try:
        assert proc.stdout is not None
        while set(VARS) - set(env):
            assert time.monotonic() < deadline, "the sandbox did not print its environment"
            line = proc.stdout.readline()
            assert line, f"the sandbox exited: {proc.stderr.read() if proc.stderr else ''}"
            name, _, value = line.strip().partition("=")
            env[name] = value
        yield env
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.mark.slow
def test_two_processes_sharing_a_home_lose_nothing(
    standalone: dict[str, str], tmp_path: Path
) -> None:
    home = tmp_path / "shared-home"
    go = tmp_path / "go"
    env = {**_clean_env(), **standalone, "WJNB_HOME": str(home)}
    names = {0: ["alpha", "beta"], 1: ["gamma", "delta"]}
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(go), *names[i]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for i in (0, 1)
    ]
    for proc in procs:  # both clients up (ledger open, receiver bound) before either sends
        assert proc.stdout is not None and proc.stderr is not None
        if proc.stdout.readline().strip() != "ready":  # it ended before its client was up
            proc.wait(timeout=30)
            pytest.fail(f"a worker exited {proc.returncode}: {proc.stderr.read()[-4000:]}")
    go.touch()
    results = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=150)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        assert proc.returncode == 0, f"worker failed:\n{err[-3000:]}"
        results.append(json.loads(out.strip().splitlines()[-1]))

    ledger = Ledger(home)
    try:
        assert ledger.integrity() == "ok"
        rows = ledger.jobs()
        assert len({r.key for r in rows}) == len(rows)  # no key twice
        experiments = [n for pair in names.values() for n in pair]
        for name in experiments:
            mine = [r for r in rows if r.experiment == name]
            assert len(mine) == ROWS_PER_SWEEP, (name, len(mine))
            assert all(r.done for r in mine), name
            statuses = {r.record.get("status") for r in mine}
            assert statuses == {int(ArtworkStatus.SUCCESS)}, (name, statuses)
            combos = {(r.record["cfg"], r.record["steps"], r.record["seed"]) for r in mine}
            assert len(combos) == ROWS_PER_SWEEP, name  # every combination, once
            requests = ledger.requests(name)
            assert {r.state for r in requests} == {"accepted"}, name
        assert {e["name"] for e in ledger.experiments()} == set(experiments)
    finally:
        ledger.close()

    base = standalone["WJNB_BASE_URL"].split("/wj-open/")[0]
    made = httpx.get(base + "/_sandbox/artworks", timeout=10, trust_env=False).json()
    server = {a["key"] for a in made["artworks"]}
    counters = httpx.get(base + "/_sandbox/counters", timeout=10, trust_env=False).json()
    assert counters["faults"].get("reset_after") == 2  # the creates really were disturbed
    lost = server - {r.key for r in rows}
    REPORT.update(
        jobs=len(server),
        jobs_lost=len(lost),
        rows_expected=ROWS_PER_SWEEP * 4,
        rows_lost=ROWS_PER_SWEEP * 4 - sum(r.done for r in rows),
        hostile_replies=sum(counters["faults"].values()),
    )
    assert lost == set()
    assert len(server) == ROWS_PER_SWEEP * 4  # nothing paid twice
    for result in results:
        for summary in result["summary"].values():
            assert summary == {
                "jobs": ROWS_PER_SWEEP,
                "done": ROWS_PER_SWEEP,
                "statuses": ["success"],
            }
