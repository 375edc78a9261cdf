"""One team member's process for the acceptance test: sweep (or resume) against the shared
budget, then print one JSON line. Configured by the environment (WJNB_HOME,
WJNB_LEDGER_URL, the sandbox's WJNB_* variables) and ``argv``: mode and experiment."""

from __future__ import annotations

import json
import sys

import wjnb

#: 40 combinations of 4 credits each (256 x 256, 41-48 steps): 160 per sweep, 640 for four.
GRID = {"cfg": [3, 4, 5, 6, 7], "steps": [41, 42, 43, 44, 45, 46, 47, 48]}
BUDGET, BUDGET_NAME = 300, "team-oct"


def main() -> None:
    mode, experiment = sys.argv[1], sys.argv[2]
    client = wjnb.Client(reconcile_after=10, rate=5, lease_ttl=3)
    if mode == "sweep":
        jobs = client.sweep(
            f"a harbour for {experiment}",
            grid=GRID,
            experiment=experiment,
            budget=BUDGET,
            budget_name=BUDGET_NAME,
            width=256,
            height=256,
        )
    else:
        jobs = wjnb.load(experiment, client=client)
    jobs.wait(timeout=240)
    print(json.dumps({"jobs": len(jobs), "done": sum(j.done for j in jobs)}))
    client.close()


if __name__ == "__main__":
    main()
