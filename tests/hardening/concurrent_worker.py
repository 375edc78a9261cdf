"""One of the processes of ``test_concurrency``: sweeps against the sandbox named by the
``WJNB_*`` environment, in the shared ``WJNB_HOME``, then prints a JSON summary.

``python concurrent_worker.py GO_FILE NAME [NAME ...]`` prints ``ready`` once its client
is up, waits for ``GO_FILE`` to exist (so both processes submit at the same moment), runs
one sweep per experiment name (each 3 cfg x 2 steps x 2 seeds = 12 creates), all at once,
and waits for every job.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import wjnb
from wjnb.http import RetryPolicy
from wjnb.jobs.tracker import PollPolicy

GRID = {"cfg": [3, 5, 7], "steps": [5, 8]}
SEEDS = [11, 12]


def main(go: Path, names: list[str]) -> int:
    poll = PollPolicy(first_poll=0.05, min_interval=0.05, max_interval=0.5, error_backoff_max=1.0)
    retry = RetryPolicy(max_retries=6, base=0.02, cap=0.3, retry_after_cap=0.5)
    with wjnb.Client(poll=poll, retry=retry, reconcile_after=5.0) as client:
        client.runner.prefetch = False
        client.runner.ensure_tracking()  # receiver up before the starting gun
        print("ready", flush=True)
        deadline = time.monotonic() + 60
        while not go.exists():
            if time.monotonic() > deadline:
                return 3
            time.sleep(0.01)
        started = time.monotonic()
        sets = [
            client.sweep(
                "two kernels, one home",
                grid=GRID,
                seeds=SEEDS,
                experiment=name,
                width=64,
                height=64,
            )
            for name in names
        ]
        for jobs in sets:
            jobs.wait(timeout=90)
        summary = {
            jobs.experiment: {
                "jobs": len(jobs),
                "done": sum(j.done for j in jobs),
                "statuses": sorted({j.status_name for j in jobs}),
            }
            for jobs in sets
        }
    print(json.dumps({"summary": summary, "seconds": round(time.monotonic() - started, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2:]))
