"""A 200-job mixed sweep (100 artworks + 100 pro artworks, then upscales of the winners)
under 10% 5xx, 5% 429 and 2% connection resets on every route: nothing lost, nothing twice.

Artwork creates whose reply was lost are reconciled through their callback. Pro and
upscale creates have no callback and no lookup in the API: one whose reply was lost is
never re-sent (that could pay twice); it is recorded ``abandoned`` and reported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from wjnb.errors import AmbiguousCreate
from wjnb.jobs import Job

SMALL = {"width": 256, "height": 256}
FAULTS = {
    "seed": 12,
    "rules": [
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
    upscales: list[Job] = []
    lost_upscales = 0
    for job in winners:
        try:
            upscales.append(job.upscale(2))
        except AmbiguousCreate:
            lost_upscales += 1
    for up in upscales:
        up.wait(timeout=60)
    srv.set_faults(None)

    fired = srv.counters()["faults"]
    assert all(fired.get(k, 0) > 0 for k in ("5xx", "429", "reset")), fired
    # artworks: every combination, exactly once (lost replies reconciled by callback)
    assert normal.stopped_reason is None and len(normal) == 100
    art = {a["key"]: a for a in srv.artworks()["artworks"]}
    assert {j.key for j in normal} == set(art) and {j.status_name for j in normal} == {"success"}
    # pro: a combination at most once; the missing ones are exactly the abandoned creates
    ledger = client.runner.ledger
    abandoned = [r for r in ledger.requests("mixed-pro") if r.state == "abandoned"]
    combos = Counter(tuple(sorted(j.axes.items())) for j in pro)
    assert max(combos.values()) == 1 and len(pro) + len(abandoned) >= 100
    assert {j.status_name for j in pro} == {"success"}
    if len(pro) < 100:
        assert pro.stopped_reason is not None and "unreachable" in pro.stopped_reason
    # every job the sandbox made is tracked once, finished, with the sandbox's status
    made = {j["key"]: j for j in srv.artworks()["jobs"]}
    tracked = {j.key: j for j in [*pro, *upscales]}
    assert set(made) == set(tracked)
    assert len(upscales) + lost_upscales == len(winners) and len(upscales) > 0
    for key, job in tracked.items():
        assert job.done and job.record["status"] == made[key]["status"]
        assert job.record["kind"] in ("pro", "upscale")
    assert {u.parent.key for u in upscales if u.parent} <= {w.key for w in winners}
    rows = {r.key: r for r in ledger.jobs()}
    assert set(rows) == set(art) | set(made) and all(r.done for r in rows.values())
