"""Kill a kernel mid-sweep with SIGKILL; a new process resumes it with nothing sent twice."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

GRID = {"cfg": list(range(2, 12)), "steps": list(range(10, 30, 2))}

SWEEP = f"""
import wjnb
client = wjnb.Client(reconcile_after=5)
client.sweep("a harbour at night", grid={GRID!r}, seeds=[1, 2], experiment="crash",
             width=256, height=256).wait()
"""

RESUME = """
import json, wjnb
client = wjnb.Client(reconcile_after=5)
jobs = wjnb.load("crash", client=client).wait(timeout=120)
df = jobs.to_dataframe()
print(json.dumps({"rows": len(df), "done": int(sum(j.done for j in jobs)),
                  "status": sorted(set(df["status_name"].astype(str)))}))
"""


def _env(sandbox: Any, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WJNB_")}
    return {**env, **sandbox.env(), "WJNB_HOME": str(home)}


def _ledger_jobs(home: Path) -> int:
    path = home / "ledger.sqlite3"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_sigkill_mid_sweep_then_load_resumes_without_duplicates(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    srv = sandbox_factory(speed=50)
    home = tmp_path / "home"
    env = _env(srv, home)
    child = subprocess.Popen([sys.executable, "-c", SWEEP], env=env, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while _ledger_jobs(home) < 60:  # kill it once a good part of the sweep is in
        assert child.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline, "the sweep never got going"
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    at_kill = _ledger_jobs(home)
    assert 60 <= at_kill < 200

    out = subprocess.run(
        [sys.executable, "-c", RESUME],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"rows": 200, "done": 200, "status": ["success"]}

    artworks = srv.artworks()["artworks"]
    assert len(artworks) == 200 and srv.counters()["creates"] == 200
    with sqlite3.connect(home / "ledger.sqlite3") as db:
        records = [json.loads(r) for (r,) in db.execute("SELECT record FROM jobs")]
    combos = Counter((r["cfg"], r["steps"], r["seed"]) for r in records)
    assert len(combos) == 200 and set(combos.values()) == {1}
    assert {r["key"] for r in records} == {a["key"] for a in artworks}
    per_key = Counter(a["key"] for a in artworks)
    assert set(per_key.values()) == {1}
    assert all(a["cost_charged"] > 0 and a["cost_refunded"] == 0 for a in artworks)
    charged = sum(a["cost_charged"] for a in artworks)
    assert charged == sum(r["integral_cost"] for r in records)  # nothing charged twice
