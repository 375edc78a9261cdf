"""A 200-job mixed sweep (100 artworks + 100 pro artworks, then upscales of the winners)
under 10% 5xx, 5% 429 and 2% connection resets on every route: nothing lost, nothing twice.

Artwork creates whose reply was lost are reconciled through their callback; pro and
upscale creates (no callback, no lookup) through the balance they charge (``jobs.fence``):
a lost reply with an unmoved balance was never processed and is sent again. The sandbox's
own records, read over raw HTTP from its admin side, must equal the ledger's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

from wjnb.jobs import Job

SMALL = {"width": 256, "height": 256}
FAULTS = {
    "seed": 12,
    "rules": [
        # the first pro creates and the first upscale are surely reset before processing
        {"kind": "reset", "routes": ["/ai/pro/create"], "times": 3},
        {"kind": "reset", "routes": ["/ai/supersize"], "times": 1},
        {"kind": "5xx", "rate": 0.10},
        {"kind": "429", "rate": 0.05, "retry_after": 0.1},
        {"kind": "reset", "rate": 0.02},
    ],
}
ADV = {"sampler_steps": 8}


def test_mixed_sweep_with_upscales_under_faults(
    sandbox_factory: Callable[..., Any], make_client: Any
) -> None:
    srv = sandbox_factory(speed=400)
    client = make_client(srv, reconcile_after=2.0)
    srv.set_faults(FAULTS)
    normal = client.sweep(
        "a stormy sea",
        grid={"cfg": list(range(2, 12)), "steps": [8, 10, 12, 14, 16]},
        seeds=[1, 2],
        experiment="mixed",
        **SMALL,
    )
    pro = client.sweep(
        "a stormy sea, oil painting",
        grid={
            "advanced_param.cfg": [float(c) for c in range(2, 12)],
            "advanced_param.sampler_steps": [8, 10, 12, 14, 16],
            "advanced_param.seed": ["1", "2"],
        },
        experiment="mixed-pro",
        kind="pro",
        model_code=101,
        advanced_param=ADV,
        **SMALL,
    )
    normal.wait(timeout=180)
    pro.wait(timeout=180)
    winners = [j for j in [*normal[:3], *pro[:3]] if j.status_name == "success"]
    upscales: list[Job] = [job.upscale(2) for job in winners]
    for up in upscales:
        up.wait(timeout=60)
    fired = httpx.get(f"{srv.url}/_sandbox/counters").json()["faults"]
    srv.set_faults(None)
    made = httpx.get(f"{srv.url}/_sandbox/artworks").json()

    assert all(fired.get(k, 0) > 0 for k in ("5xx", "429", "reset")), fired
    ledger = client.runner.ledger
    states = Counter(r.state for r in ledger.requests())
    assert states["unknown"] == 0, states
    # every combination of both sweeps, exactly once, finished
    for sweep in (normal, pro):
        assert sweep.stopped_reason is None and len(sweep) == 100
        combos = Counter(tuple(sorted(j.axes.items())) for j in sweep)
        assert len(combos) == 100 and max(combos.values()) == 1
        assert {j.status_name for j in sweep} == {"success"}
    # the sandbox made exactly what the ledger tracks: no orphan, no twin
    art = {a["key"]: a for a in made["artworks"]}
    jobs = {j["key"]: j for j in made["jobs"]}
    assert {j.key for j in normal} == set(art)
    assert {j.key for j in pro} == {k for k, j in jobs.items() if j["kind"] == "pro"}
    assert {u.key for u in upscales} == {k for k, j in jobs.items() if j["kind"] == "supersize"}
    assert len(upscales) == len(winners) > 0
    for job in [*pro, *upscales]:
        assert job.done and job.record["status"] == jobs[job.key]["status"]
    assert {u.parent.key for u in upscales if u.parent} == {w.key for w in winners}
    rows = {r.key: r for r in ledger.jobs()}
    assert set(rows) == set(art) | set(jobs) and all(r.done for r in rows.values())
    # a create the fence found unprocessed was sent again under the same request
    assert {r.state for r in ledger.requests("mixed-pro")} == {"accepted"}


def test_a_lost_reply_that_was_charged_is_reported_not_sent_again(
    sandbox_factory: Callable[..., Any], make_client: Any
) -> None:
    srv = sandbox_factory(speed=400)
    client = make_client(srv)
    srv.set_faults({"rules": [{"kind": "reset_after", "routes": ["/ai/pro/create"], "times": 1}]})
    pro = client.sweep(
        "a lighthouse",
        grid={"advanced_param.cfg": [4.0, 7.0]},
        experiment="charged",
        kind="pro",
        model_code=101,
        advanced_param=ADV,
        **SMALL,
    )
    pro.wait(timeout=60)
    made = httpx.get(f"{srv.url}/_sandbox/artworks").json()["jobs"]
    states = Counter(r.state for r in client.runner.ledger.requests("charged"))
    # the service made both; one reply was lost after it charged: reported, never re-sent
    assert len(made) == 2 and len(pro) == 1 and states == {"accepted": 1, "unknown": 1}
    assert pro.stopped_reason == "1 create(s) may be charged but cannot be tracked"
