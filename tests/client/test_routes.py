"""Every route method against the sandbox returns its model types; API errors are named."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from wjnb.client import Client
from wjnb.errors import ApiError, InsufficientBalance, NotCancellable, SensitivePrompt
from wjnb.models import (
    ArtworkInfo,
    ArtworkStatus,
    AvatarResource,
    AvatarTemplateOption,
    Balance,
    CreateOptionMenu,
    CreateResult,
    DefaultResource,
    GeneratingInfo,
    ModelBaseInfo,
    ModelQueueInfo,
    PriceInfo,
    Resolution,
    StyleModel,
)


def wait_until(probe: Callable[[], Any], *, timeout: float = 10.0) -> Any:
    """Poll ``probe`` until it returns something truthy, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def finished(client: Client, keys: list[str]) -> list[GeneratingInfo]:
    """The poll entries of ``keys`` once every one is terminal."""

    def probe() -> list[GeneratingInfo] | None:
        infos = client.wujie.generating_info(keys)
        done = all(i.status_enum and i.status_enum.terminal for i in infos)
        return infos if done and len(infos) == len(keys) else None

    return wait_until(probe)  # type: ignore[no-any-return]


def test_catalog_routes(client: Client) -> None:
    models = client.wujie.model_base_infos()
    assert models and all(isinstance(m, ModelBaseInfo) for m in models)
    assert {m.type for m in models} >= {1}

    resource = client.wujie.default_resource(1)
    assert isinstance(resource, DefaultResource)
    menu = resource.create_option_menu
    assert isinstance(menu, CreateOptionMenu)
    assert menu.resolution and all(isinstance(r, Resolution) for r in menu.resolution)
    assert menu.sampler_models and menu.sampler_models[0].sampler_index is not None

    styles = client.wujie.default_resource_style_model()
    assert styles and all(isinstance(s, StyleModel) and s.key for s in styles)

    queue = client.wujie.model_info(1)
    assert isinstance(queue, ModelQueueInfo) and queue.queue_num is not None

    assert isinstance(client.wujie.balance(), Balance)
    assert client.wujie.balance().balance is not None


def test_create_poll_info_and_params(client: Client) -> None:
    price = client.wujie.price_info("a lighthouse at dusk", steps=30, cfg=7, num=2)
    assert isinstance(price, PriceInfo) and price.total > 0

    created = client.wujie.create(
        "a lighthouse at dusk", steps=30, cfg=7, num=2, width=512, height=512, seed=42
    )
    assert isinstance(created, CreateResult)
    assert created.keys is not None and len(created.keys) == 2
    assert created.expected_integral_cost == price.total

    infos = finished(client, created.keys)
    assert all(isinstance(i, GeneratingInfo) for i in infos)
    assert {i.key for i in infos} == set(created.keys)
    assert all(i.status_enum is ArtworkStatus.SUCCESS for i in infos)

    info = client.wujie.info(created.keys[0])
    assert isinstance(info, ArtworkInfo)
    assert info.key == created.keys[0]
    assert (info.prompt, info.steps, info.cfg, info.width) == ("a lighthouse at dusk", 30, 7.0, 512)
    assert info.seed == "42" and info.problems == []
    assert info.audit_info is not None and info.audit_info.verdict is not None

    params = client.wujie.create_params(created.keys)
    assert len(params) == 2 and all(isinstance(p, dict) for p in params)
    assert params[0]["prompt"] == "a lighthouse at dusk"


def test_midjourney_and_flux_creates(client: Client) -> None:
    mj = client.wujie.create_midjourney(
        "a pig in a field", mj_param={"chaos": 10, "stylize": 100}, width=1024, height=1024
    )
    flux = client.wujie.create_flux("a pig in a field", width=1024, height=1024, steps=20)
    for result in (mj, flux):
        assert isinstance(result, CreateResult) and result.keys
    finished(client, [*(mj.keys or []), *(flux.keys or [])])


def test_cancel_and_accelerate(sandbox_factory: Any) -> None:
    srv = sandbox_factory(gpus=1, speed=50)
    with Client(sandbox=srv) as client:
        running = client.wujie.create("[slow] a long render").keys or []
        queued = client.wujie.create("waits its turn").keys or []

        def generating() -> bool:
            [info] = client.wujie.generating_info(running)
            return info.status_enum is ArtworkStatus.GENERATING

        wait_until(generating)
        assert client.wujie.accelerate(running[0], step_num=1) == "success"
        assert client.wujie.cancel(queued[0]) == "success"
        [cancelled] = client.wujie.generating_info(queued)
        assert cancelled.status_enum is ArtworkStatus.CANCELLED
        with pytest.raises(NotCancellable) as caught:
            client.wujie.cancel(running[0])
        assert caught.value.code == "20110011" and caught.value.route == "/ai/cancel"


def test_avatar_routes(client: Client) -> None:
    resource = client.avatar.default_resource()
    assert isinstance(resource, AvatarResource) and resource.avatar_key
    options = resource.template_options or []
    assert options and all(isinstance(o, AvatarTemplateOption) for o in options)
    template = options[0].template_key
    assert template is not None
    created = client.avatar.create(
        resource.avatar_key, "夜幕下的赛博朋克城市", templates=[(template, 2)]
    )
    assert isinstance(created, CreateResult) and len(created.keys or []) == 2
    assert {r.template_key for r in created.results or []} == {template}


def test_api_errors_carry_code_and_route(fresh_client: Client, fresh_sandbox: Any) -> None:
    with pytest.raises(SensitivePrompt) as caught:
        fresh_client.wujie.create("a [sensitive] word")
    assert caught.value.code == "20110001" and caught.value.route == "/ai/create"

    with pytest.raises(ApiError) as unknown:
        fresh_client.wujie.info("NO-SUCH-KEY")
    assert unknown.value.code == "20010001"

    fresh_sandbox.set_balance(0)
    with pytest.raises(InsufficientBalance):
        fresh_client.wujie.create("a lighthouse")
