"""Reply shapes the sandbox does not produce but real services do."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from wjnb.api.mj import MjApi, seed_from_reply
from wjnb.errors import AmbiguousCreate, MalformedResponse, MjError
from wjnb.http import Endpoint

TASK = json.loads((Path(__file__).parent / "data" / "seed_002_task.json").read_text("utf-8"))


class Replies:
    """A ``Requester`` that answers every request with one fixed decoded reply."""

    def __init__(self, body: Any) -> None:
        self.body = body

    async def request(self, method: str, route: str, **_: Any) -> Any:
        return self.body

    async def aclose(self) -> None:
        pass


def test_an_empty_reply_reads_as_null_but_leaves_a_create_ambiguous() -> None:
    empty = httpx.Response(200, content=b" ")
    assert Endpoint._decode(empty, "GET /mj/task/x/fetch", "/x", None, True) is None
    with pytest.raises(AmbiguousCreate, match="without a readable reply") as caught:
        Endpoint._decode(empty, "POST /ai/create", "/ai/create", {"prompt": "p"}, False)
    assert caught.value.request == {"prompt": "p"}


def test_a_null_task_is_the_proxys_not_found() -> None:
    """novicezk answers an unknown id with an empty 200 body."""
    with pytest.raises(MjError) as caught:
        asyncio.run(MjApi(Replies(None)).fetch("T404"))
    assert caught.value.code == "3"


def test_image_seed_reads_both_reply_shapes() -> None:
    route = "/mj/task/1/image-seed"
    assert seed_from_reply({"code": 1, "description": "成功", "result": "1234"}, route) == "1234"
    assert seed_from_reply({**TASK, "seed": "987"}, route) == "987"
    assert (
        seed_from_reply({**TASK, "properties": {**TASK["properties"], "seed": 55}}, route) == "55"
    )
    with pytest.raises(MalformedResponse, match="no seed"):
        seed_from_reply(TASK, route)  # the seed page's own sample shows no seed at all
    with pytest.raises(MjError):
        seed_from_reply({"code": 4, "description": "task is not finished"}, route)
