"""The route-level methods of each flavour: extra routes, reply shapes, ``Unsupported``."""

from __future__ import annotations

import base64
import io
import time

import pytest
from PIL import Image

import wjnb.sandbox
from wjnb.api.mj import submit_reply
from wjnb.client import Client
from wjnb.errors import MjError, Unsupported
from wjnb.models import MjStatus


def png() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "teal").save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_trueai_extra_routes_through_the_client() -> None:
    srv = wjnb.sandbox.start(speed=400, faults="", mj_flavor="trueai")
    try:
        with Client(mj_base_url=srv.mj_base_url, mj_token=srv.mj_token) as client:
            (url,) = client.mj.upload([png()])
            assert url.startswith(srv.url + "/cdn/mj/")
            ids = [
                client.mj.shorten("a long and winding prompt about a lighthouse").result,
                client.mj.edits("a blue door", png()).result,
                client.mj.retexture("marble", png()).result,
            ]
            assert all(ids)
            tasks = client.mj.list_by_ids([i for i in ids if i])  # T: /list-by-ids
            assert sorted(t.action or "" for t in tasks) == ["EDIT", "RETEXTURE", "SHORTEN"]
            with pytest.raises(MjError, match="服务不支持"):
                client.mj.swap_face(png(), png())
            with pytest.raises(MjError) as video:
                client.mj.video("a wave")
            assert video.value.code == "4"
            with pytest.raises(Unsupported, match="trueai"):
                client.mj.change("1", "UPSCALE", 1)
        assert srv.counters()["requests"]["POST /mj/task/list-by-ids"] == 1
    finally:
        srv.stop()


def test_novicezk_change_routes_and_nulls() -> None:
    srv = wjnb.sandbox.start(speed=400, faults="", mj_flavor="novicezk")
    try:
        with Client(mj_base_url=srv.mj_base_url, mj_token=srv.mj_token) as client:
            task_id = client.mj.imagine("a quiet harbour").result
            assert task_id
            task = client.mj.fetch(task_id)
            assert task.buttons is None and task.state is None  # null, not ""
            deadline = time.monotonic() + 20
            while task.status_enum is not MjStatus.SUCCESS:
                assert time.monotonic() < deadline, task
                time.sleep(0.01)
                task = client.mj.list_by_ids([task_id])[0]
            child = client.mj.simple_change(f"{task_id} U3").result
            assert child and client.mj.fetch(child).action == "UPSCALE"
            for call in (
                lambda: client.mj.shorten("x"),
                lambda: client.mj.upload([png()]),
                lambda: client.mj.cancel(task_id),
                lambda: client.mj.image_seed(task_id),
            ):
                with pytest.raises(Unsupported, match="novicezk"):
                    call()
    finally:
        srv.stop()


def test_the_second_envelope_is_an_error() -> None:
    body = {"success": False, "code": -1, "message": "今日绘图次数已用完", "timestamp": 1}
    with pytest.raises(MjError) as error:
        submit_reply(body, "/mj/submit/action")
    assert (error.value.code, str(error.value.message)) == ("-1", "今日绘图次数已用完")
