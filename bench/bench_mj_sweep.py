"""Midjourney sweep figures: makespan and requests per task on one proxy account.

A 40-task sweep against the sandbox playing novicezk with one account (3 running, 10
queued), three ways: wjnb polling only, wjnb with callbacks, and the naive loop public web
clients use (submit everything, retry a full queue, fetch each task every 5 s). The ideal
makespan is ceil(40 / 3) x the task time. Goals (issue 13): makespan <= 1.1 x ideal, <= 1.1
requests (submits included) per task polling only. Also the median delay between a task's
end at the proxy and the moment wjnb knows it (the proxy's virtual clock mapped back to
real time from the first submit). Prints figures, asserts nothing.
"""

from __future__ import annotations

import math
import statistics
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


def _figures(
    srv: wjnb.sandbox.Sandbox, elapsed: float, latency: float = math.nan
) -> dict[str, float]:
    requests = srv.counters()["requests"]
    return {
        "makespan": elapsed,
        "latency": latency,
        "polls": sum(requests.get(r, 0) for r in POLLS) / TASKS,
        "requests": sum(requests.values()) / TASKS,
        "full": srv.mj_full_replies(),
    }


def run_wjnb(callbacks: bool, capacity: int | None = None) -> dict[str, float]:
    """The sweep through wjnb's account-aware scheduler (``capacity`` None: read from the
    proxy's account route, one request more)."""
    srv = _proxy()
    with tempfile.TemporaryDirectory() as home:
        client = wjnb.Client(
            home=home,
            mj_base_url=srv.mj_base_url,
            mj_token=srv.mj_token,
            mj_flavor="novicezk",
            callbacks=callbacks,
            prefetch=False,
            mj_capacity=capacity,
        )
        seen: dict[str, float] = {}
        start, wall = time.monotonic(), time.time()
        sweep = client.mj.sweep(None, grid={"prompt": PROMPTS}, experiment="bench")
        sweep.observe(lambda jobs: _watch(jobs, seen))
        sweep.wait(timeout=600)
        elapsed = time.monotonic() - start
        figures = _figures(srv, elapsed, _median_delay(sweep, seen, wall))
        client.close()
    srv.stop()
    return figures


def _watch(jobs: Any, seen: dict[str, float]) -> None:
    """Note when each job is first known to be done (observers run on wjnb's loop)."""
    for job in jobs:
        if job.key not in seen:
            seen[job.key] = math.inf
            job.observe(lambda j: j.done and seen.__setitem__(j.key, min(seen[j.key], time.time())))


def _median_delay(sweep: Any, seen: dict[str, float], wall: float) -> float:
    """Median seconds from a task's end at the proxy to wjnb knowing it."""
    tasks = [job.task for job in sweep if job.task and job.task.finish_time]
    first = min(t.submit_time or 0 for t in tasks) / 1000  # the proxy's clock at ~``wall``
    delays = [
        seen[t.id] - (wall + ((t.finish_time or 0) / 1000 - first) / SPEED)
        for t in tasks
        if t.id and seen.get(t.id, math.inf) < math.inf
    ]
    return statistics.median(delays) if delays else math.nan


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
    print(header + f"{'requests/task':>15}{'full replies':>14}{'median delay s':>16}")
    for name, run in (
        ("wjnb polling only", lambda: run_wjnb(False, capacity=13)),
        ("  capacity read", lambda: run_wjnb(False)),
        ("wjnb with callbacks", lambda: run_wjnb(True, capacity=13)),
        ("naive 5 s loop", run_naive),
    ):
        f: dict[str, Any] = run()
        print(
            f"{name:<22}{f['makespan']:>11.1f}{f['makespan'] / ideal:>9.2f}{f['polls']:>11.2f}"
            f"{f['requests']:>15.2f}{f['full']:>14}{f['latency']:>16.2f}"
        )
    print("goals: makespan <= 1.1 x ideal; <= 1.1 requests per task polling only")
    print("(capacity given: Client(mj_capacity=13); 'capacity read' asks /mj/account/list once)")


if __name__ == "__main__":
    main()
