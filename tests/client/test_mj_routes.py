"""Every Midjourney-proxy route method against the sandbox returns its model types."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from wjnb.client import Client
from wjnb.errors import MjBannedPrompt, MjError
from wjnb.models import MjStatus, MjSubmitCode, MjSubmitReply, MjTask


def png(color: str) -> str:
    """A tiny PNG as a data URL, as the proxy takes images."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def settled(client: Client, task_id: str, *, timeout: float = 10.0) -> MjTask:
    """The task once it is terminal (or waiting in MODAL), polled with a deadline."""
    deadline = time.monotonic() + timeout
    while True:
        task = client.mj.fetch(task_id)
        status = task.status_enum
        if status is not None and (status.terminal or status is MjStatus.MODAL):
            return task
        assert time.monotonic() < deadline, f"task {task_id} still {task.status}"
        time.sleep(0.02)


def accepted(reply: MjSubmitReply) -> str:
    assert isinstance(reply, MjSubmitReply)
    assert reply.code in (MjSubmitCode.ACCEPTED, MjSubmitCode.QUEUED, MjSubmitCode.EXISTS)
    assert reply.result
    return reply.result


@pytest.fixture(scope="module")
def mj_client(sandbox: Any) -> Iterator[Client]:
    with Client(sandbox=sandbox) as client:
        yield client


@pytest.fixture(scope="module")
def grid(mj_client: Client) -> MjTask:
    """A finished IMAGINE task."""
    task_id = accepted(mj_client.mj.imagine("pig --v 6.1", bot_type="MID_JOURNEY"))
    task = settled(mj_client, task_id)
    assert task.status_enum is MjStatus.SUCCESS
    return task


def test_imagine_fetch_and_seed(mj_client: Client, grid: MjTask) -> None:
    assert isinstance(grid, MjTask) and grid.problems == []
    assert grid.action == "IMAGINE" and grid.prompt == "pig --v 6.1"
    assert grid.image_url and grid.percent == 100.0
    assert [b.label for b in grid.buttons or [] if b.label] == [
        *(f"U{i}" for i in range(1, 5)),
        *(f"V{i}" for i in range(1, 5)),
    ]
    assert grid.id is not None
    seed = mj_client.mj.image_seed(grid.id)
    assert isinstance(seed, str) and seed


def test_action_modal_and_the_batch_poll(mj_client: Client, grid: MjTask) -> None:
    assert grid.id is not None
    u1 = grid.button("U1")
    assert u1 is not None and u1.custom_id
    upscale_id = accepted(mj_client.mj.action(grid.id, u1.custom_id))
    upscaled = settled(mj_client, upscale_id)
    assert upscaled.action == "UPSCALE" and upscaled.status_enum is MjStatus.SUCCESS

    again = mj_client.mj.action(grid.id, u1.custom_id)  # the same button twice: code 21
    assert again.code == MjSubmitCode.EXISTS and again.result == upscale_id

    zoom = next(b for b in upscaled.buttons or [] if "CustomZoom" in (b.custom_id or ""))
    assert zoom.custom_id is not None
    modal_id = accepted(mj_client.mj.action(upscale_id, zoom.custom_id))
    assert settled(mj_client, modal_id).status_enum is MjStatus.MODAL
    accepted(mj_client.mj.modal(modal_id, prompt="pig --zoom 2"))
    assert settled(mj_client, modal_id).status_enum is MjStatus.SUCCESS

    tasks = mj_client.mj.list_by_ids([grid.id, upscale_id, modal_id])
    assert all(isinstance(t, MjTask) for t in tasks)
    assert {t.id for t in tasks} == {grid.id, upscale_id, modal_id}


def test_blend_and_describe(mj_client: Client) -> None:
    blend_id = accepted(mj_client.mj.blend([png("red"), png("blue")], dimensions="SQUARE"))
    describe_id = accepted(mj_client.mj.describe(png("green")))
    assert settled(mj_client, blend_id).action == "BLEND"
    described = settled(mj_client, describe_id)
    assert described.action == "DESCRIBE"
    assert described.properties and described.properties.get("finalPrompt")


def test_queue_list_and_cancel(sandbox_factory: Any) -> None:
    srv = sandbox_factory(gpus=1, speed=20)
    with Client(sandbox=srv) as client:
        first = accepted(client.mj.imagine("[slow] a long one"))
        second = accepted(client.mj.imagine("waits its turn"))
        queue = client.mj.queue()
        assert all(isinstance(t, MjTask) for t in queue)
        assert {first, second} <= {t.id for t in queue}
        cancelled = client.mj.cancel(second)
        assert isinstance(cancelled, MjSubmitReply) and cancelled.code == MjSubmitCode.ACCEPTED
        assert client.mj.fetch(second).status_enum is MjStatus.CANCEL
        everything = client.mj.list()
        assert {first, second} <= {t.id for t in everything}


def test_proxy_refusals_are_named(mj_client: Client) -> None:
    with pytest.raises(MjBannedPrompt) as banned:
        mj_client.mj.imagine("a [sensitive] pig")
    assert banned.value.code == "24" and banned.value.banned_word
    with pytest.raises(MjError) as missing:
        mj_client.mj.fetch("no-such-task")
    assert missing.value.code == "3" and missing.value.route == "/mj/task/no-such-task/fetch"


@pytest.mark.parametrize("scheme", ["bearer", "mj-api-secret"])
def test_both_token_schemes_and_a_free_form_prefix(sandbox: Any, scheme: str) -> None:
    base = sandbox.mj_base_url.rsplit("/", 1)[0] + "/mj-relax"
    with Client(
        mj_base_url=base,
        mj_token=sandbox.mj_token,
        mj_auth=scheme,  # type: ignore[arg-type]
    ) as client:
        assert isinstance(client.mj.list(), list)
