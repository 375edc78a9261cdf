"""The shared lenient models read every sandbox reply without a single problem field."""

from __future__ import annotations

from conftest import Wire

from wjnb.models import (
    ArtworkInfo,
    AuditInfo,
    AuditSuggestion,
    AvatarResource,
    Balance,
    CreateResult,
    DefaultResource,
    GeneratingInfo,
    MjSubmitReply,
    MjTask,
    ModelBaseInfo,
    ModelQueueInfo,
    PriceInfo,
)


def test_wujie_replies_fit_the_models(wire: Wire) -> None:
    body = {"model": 1, "prompt": "[review] a fox", "num": 2, "steps": 40, "seed": "7"}
    price = PriceInfo.from_dict(wire.ok("POST", "/ai/price_info", json=body))
    created = CreateResult.from_dict(wire.ok("POST", "/ai/create", json=body))
    assert not price.problems and not created.problems
    assert created.expected_integral_cost == price.total == 6
    assert created.results is not None and created.results[0].expected_second
    key = (created.keys or [""])[0]
    wire.wait(key)
    (raw,) = wire.ok("POST", "/ai/generating_info", json=[key])["list"]
    polled = GeneratingInfo.from_dict(raw)
    assert not polled.problems and polled.status_enum is not None and polled.status_enum.terminal
    assert polled.audit_info is not None and polled.audit_info.verdict is AuditSuggestion.REVIEW
    info = ArtworkInfo.from_dict(wire.ok("GET", "/ai/info", params={"key": key}))
    assert not info.problems and info.seed == "7" and info.cfg == 7.0
    assert info.technology_info is not None and info.technology_info.power_consumption
    for route, model in (
        ("/account/availableIntegralBalance", Balance),
        ("/ai/default_resource", DefaultResource),
        ("/ai/model_info", ModelQueueInfo),
        ("/avatar/artwork/default_resource", AvatarResource),
    ):
        assert not model.from_dict(wire.ok("GET", route)).problems, route
    for item in wire.ok("GET", "/ai/model_base_infos"):
        assert not ModelBaseInfo.from_dict(item).problems
    audit = AuditInfo.from_dict(raw["audit_info"])
    assert audit.total_suggestion == "REVIEW"


def test_mj_replies_fit_the_models(wire: Wire) -> None:
    reply = MjSubmitReply.from_dict(wire.submit("imagine", prompt="a fox"))
    assert not reply.problems and reply.code in (1, 22) and reply.result
    task_json, _ = wire.wait_task(reply.result)
    task = MjTask.from_dict(task_json)
    assert not task.problems and task.percent == 100.0
    assert task.button("U2") is not None and task.button("reroll") is not None
