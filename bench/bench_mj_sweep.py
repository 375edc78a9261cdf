"""Midjourney sweep figures: makespan and requests per task on one proxy account.

A 40-task sweep against the sandbox playing novicezk with one account (3 running, 10
queued), three ways: wjnb polling only, wjnb with callbacks, and the naive loop public web
clients use (submit everything, retry a full queue, fetch each task every 5 s). The ideal
makespan is ceil(40 / 3) x the task time. Goals (issue 13): makespan <= 1.1 x ideal, <= 1.1
poll requests per task polling only. Prints figures, asserts nothing.
"""

from __future__ import annotations

import math
import tempfile
import time
from typing import Any

import httpx

import wjnb
import wjnb.sandbox

TASKS = 40
CORE = 3
SPEED = 30.0  # an IMAGINE takes 30 virtual seconds: 1 s here
TASK_S = 30.0 / SPEED
PROMPTS = [f"a lighthouse at dusk, study {i}" for i in range(TASKS)]
POLLS = ("POST /mj/task/list-by-condition", "GET /mj/task/{id}/fetch")


def _proxy() -> wjnb.sandbox.Sandbox:
    return wjnb.sandbox.start(
        speed=SPEED, seed=1, faults="", mj_flavor="novicezk", mj_core_size=CORE, mj_queue_size=10
    )


def _figures(srv: wjnb.sandbox.Sandbox, elapsed: float) -> dict[str, float]:
    requests = srv.counters()["requests"]
    return {
        "makespan": elapsed,
        "polls": sum(requests.get(r, 0) for r in POLLS) / TASKS,
        "requests": sum(requests.values()) / TASKS,
        "full": srv.mj_full_replies(),
    }


def run_wjnb(callbacks: bool) -> dict[str, float]:
    """The sweep through wjnb's account-aware scheduler."""
    srv = _proxy()
    with tempfile.TemporaryDirectory() as home:
        client = wjnb.Client(
            home=home,
            mj_base_url=srv.mj_base_url,
            mj_token=srv.mj_token,
            mj_flavor="novicezk",
            callbacks=callbacks,
            prefetch=False,
        )
        start = time.monotonic()
        sweep = client.mj.sweep(None, grid={"prompt": PROMPTS}, experiment="bench")
        sweep.wait(timeout=600)
        elapsed = time.monotonic() - start
        figures = _figures(srv, elapsed)
        client.close()
    srv.stop()
    return figures


def run_naive() -> dict[str, float]:
    """Submit all (a full queue retried every 5 s), then fetch each pending task every 5 s."""
    srv = _proxy()
    headers = {"mj-api-secret": srv.mj_token}
    pending: dict[str, None] = {}
    start = time.monotonic()
    with httpx.Client(base_url=srv.mj_base_url, headers=headers, timeout=30) as http:
        todo = list(PROMPTS)
        while todo or pending:
            left = []
            for prompt in todo:
                reply = http.post("/mj/submit/imagine", json={"prompt": prompt}).json()
                if reply["code"] in (1, 22):
                    pending[reply["result"]] = None
                else:
                    left.append(prompt)
            todo = left
            time.sleep(5)
            for task_id in list(pending):
                task = http.get(f"/mj/task/{task_id}/fetch").json()
                if task["status"] in ("SUCCESS", "FAILURE", "CANCEL"):
                    del pending[task_id]
    figures = _figures(srv, time.monotonic() - start)
    srv.stop()
    return figures


def main() -> None:
    ideal = math.ceil(TASKS / CORE) * TASK_S
    print(f"{TASKS} tasks, one account (core {CORE}, queue 10), {TASK_S:.1f} s per task")
    print(f"ideal makespan: {ideal:.1f} s")
    header = f"{'run':<22}{'makespan s':>11}{'x ideal':>9}{'polls/task':>11}"
    print(header + f"{'requests/task':>15}{'full replies':>14}")
    for name, run in (
        ("wjnb polling only", lambda: run_wjnb(False)),
        ("wjnb with callbacks", lambda: run_wjnb(True)),
        ("naive 5 s loop", run_naive),
    ):
        f: dict[str, Any] = run()
        print(
            f"{name:<22}{f['makespan']:>11.1f}{f['makespan'] / ideal:>9.2f}{f['polls']:>11.2f}"
            f"{f['requests']:>15.2f}{f['full']:>14}"
        )
    print("goals: makespan <= 1.1 x ideal; <= 1.1 polls per task polling only")


if __name__ == "__main__":
    main()
