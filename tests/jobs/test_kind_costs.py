"""Costs of the kinds whose replies never state them (video, SVD, lab): measured on the
credit balance around each create, shown in the ``integral_cost`` column, kept across a
restart, and equal to what the sandbox charged (refunded when the job failed), as its admin
side reports over raw HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

SMALL = {"width": 256, "height": 256}
TIMEOUT = 60.0
SEGMENT = "/ai/pro/lab/create/segmentation"


def test_video_svd_and_lab_costs_are_measured_charged_and_refunded(
    sandbox_factory: Callable[..., Any], make_client: Any
) -> None:
    srv = sandbox_factory(speed=100)
    client = make_client(srv)
    picture = client.generate("a lighthouse", **SMALL)[0].wait(TIMEOUT).picture_url
    assert picture
    creates: list[tuple[str, dict[str, Any], str | None]] = [
        ("video", {"origin_video_url": picture, "model_code": 1, "video_duration": 7}, None),
        (
            "video",
            {"origin_video_url": picture, "model_code": 1, "video_duration": 3, "queue_type": 1},
            None,
        ),
        ("svd", {"init_image_url": picture, "duration": 3}, None),
        ("svd", {"init_image_url": picture, "duration": 2, "random_seed": "[fail]"}, None),
        ("lab", {"image_url": picture, "positive_points": [(10, 10)]}, SEGMENT),
    ]
    balance = httpx.get(f"{srv.url}/_sandbox/balance").json()["balance"]
    jobs = [
        client.create(kind, body, route=route, experiment="costs")[0]
        for kind, body, route in creates
    ]
    for job in jobs:
        job.wait(TIMEOUT)
    made = {j["key"]: j for j in httpx.get(f"{srv.url}/_sandbox/artworks").json()["jobs"]}
    for job in jobs:
        row = made[job.key]
        assert row["unit"] == "integral" and row["cost_charged"] > 0
        assert job.record["integral_cost"] == row["cost_charged"], job.kind
    failed = [j for j in jobs if j.failed]
    assert [j.kind for j in failed] == ["svd"]
    assert made[failed[0].key]["cost_refunded"] == made[failed[0].key]["cost_charged"]
    kept = sum(made[j.key]["cost_charged"] for j in jobs if not j.failed)
    assert httpx.get(f"{srv.url}/_sandbox/balance").json()["balance"] == balance - kept
    client.close()

    # after a restart (a new client on the same ledger) the costs are still there
    resumed = make_client(srv).load("costs")
    df = resumed.to_dataframe().set_index("key")
    for job in jobs:
        assert df.loc[job.key, "integral_cost"] == made[job.key]["cost_charged"], job.kind
