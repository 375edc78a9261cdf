"""The Midjourney-proxy protocol over real HTTP: submit codes, the button flow, queries."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
from conftest import Wire
from PIL import Image

import wjnb.sandbox


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> str:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def test_imagine_upscale_variation_reroll(wire: Wire) -> None:
    reply = wire.submit("imagine", prompt="pig --v 6.1", state="my-state", botType="NIJI_JOURNEY")
    assert reply["code"] in (1, 22) and reply["result"]
    task, seen = wire.wait_task(reply["result"])
    assert task["status"] == "SUCCESS" and task["progress"] == "100%"
    assert task["action"] == "IMAGINE" and task["state"] == "my-state"
    assert task["botType"] == "NIJI_JOURNEY" and task["properties"]["finalPrompt"] == "pig --v 6.1"
    assert 25_000 <= task["finishTime"] - task["startTime"] <= 35_000  # ~30 virtual seconds
    assert task["submitTime"] <= task["startTime"] and task["submitTime"] > 1_600_000_000_000
    progress = [int(s["progress"].rstrip("%")) for s in seen if s["status"] == "IN_PROGRESS"]
    assert progress == sorted(progress) and len(progress) >= 2
    previews = [
        s["imageUrl"] for s in seen if s["status"] == "IN_PROGRESS" and s["progress"] != "0%"
    ]
    assert previews and all("-p" in url for url in previews)
    preview = httpx.get(previews[-1])
    assert preview.status_code == 200 and preview.headers["content-type"] == "image/png"
    labels = [b["label"] or b["emoji"] for b in task["buttons"]]
    assert labels == ["U1", "U2", "U3", "U4", "🔄", "V1", "V2", "V3", "V4"]
    job_hash = task["buttons"][0]["customId"].split("::")[-1]
    assert task["buttons"][4]["customId"] == f"MJ::JOB::reroll::0::{job_hash}::SOLO"
    assert task["buttons"][1]["customId"] == f"MJ::JOB::upsample::2::{job_hash}"
    assert task["buttons"][5]["customId"] == f"MJ::JOB::variation::1::{job_hash}"
    grid = Image.open(io.BytesIO(httpx.get(task["imageUrl"]).content))
    assert grid.size == (1024, 1024)

    up = wire.submit("action", taskId=task["id"], customId=task["buttons"][1]["customId"])
    assert up["code"] in (1, 22)
    upscaled, _ = wire.wait_task(up["result"])
    assert upscaled["action"] == "UPSCALE" and upscaled["status"] == "SUCCESS"
    assert upscaled["customId"] == task["buttons"][1]["customId"]
    assert "upsample" not in str(upscaled["buttons"])
    again = wire.submit("action", taskId=task["id"], customId=task["buttons"][1]["customId"])
    assert again["code"] == 21 and again["result"] == up["result"]
    assert again["properties"]["status"] == "SUCCESS"

    var = wire.submit("action", taskId=task["id"], customId=task["buttons"][5]["customId"])
    variation, _ = wire.wait_task(var["result"])
    assert variation["action"] == "VARIATION" and len(variation["buttons"]) == 9
    up_of_var = wire.submit(
        "action", taskId=variation["id"], customId=variation["buttons"][0]["customId"]
    )
    assert wire.wait_task(up_of_var["result"])[0]["status"] == "SUCCESS"
    reroll = wire.submit("action", taskId=task["id"], customId=task["buttons"][4]["customId"])
    rerolled, _ = wire.wait_task(reroll["result"])
    assert rerolled["action"] == "REROLL"

    seeds = {}
    for t in (task, upscaled, rerolled):
        r = wire.mj("GET", f"/mj/task/{t['id']}/image-seed").json()
        assert r["code"] == 1 and r["description"] == "success" and r["result"].isdigit()
        seeds[t["action"]] = r["result"]
    assert seeds["IMAGINE"] == seeds["UPSCALE"] != seeds["REROLL"]
    form = wire.http.request(
        "GET",
        wire.srv.mj_base_url + "/mj/task//image-seed",
        headers={"Authorization": f"Bearer {wire.srv.mj_token}"},
        files=[("ids", (None, task["id"])), ("ids", (None, rerolled["id"]))],
    ).json()
    assert form["code"] == 1 and form["result"] == seeds["IMAGINE"]
    assert form["properties"]["seeds"][rerolled["id"]] == seeds["REROLL"]

    listed = wire.mj(
        "POST", "/mj/task/list-by-condition", json={"ids": [task["id"], "nope", up["result"]]}
    )
    assert [t["id"] for t in listed.json()] == [task["id"], up["result"]]
    everything = wire.mj("GET", "/mj/task/list").json()
    assert {task["id"], up["result"], var["result"]} <= {t["id"] for t in everything}


def test_action_validation(wire: Wire) -> None:
    task, _ = wire.wait_task(wire.submit("imagine", prompt="a cat")["result"])
    assert wire.submit("action", taskId="123", customId="x")["code"] == 3
    assert (
        wire.submit("action", taskId=task["id"], customId="MJ::JOB::upsample::9::zz")["code"] == 4
    )
    assert wire.submit("action", taskId=task["id"])["code"] == 4
    assert wire.submit("imagine", prompt="")["code"] == 4
    assert wire.submit("imagine", prompt="x", botType="OTHER")["code"] == 4
    assert wire.submit("imagine", prompt="x", base64Array=["!!"])["code"] == 4
    unknown = wire.mj("GET", "/mj/task/999/fetch")
    assert unknown.status_code == 200 and unknown.content == b""  # novicezk's null
    assert wire.mj("GET", "/mj/task/999/image-seed").json()["code"] == 3


def test_banned_word_code_24(wire: Wire) -> None:
    reply = wire.submit("imagine", prompt="a [sensitive] thing")
    assert reply["code"] == 24 and reply["properties"]["bannedWord"] == "sensitive"


def test_fail_trigger(wire: Wire) -> None:
    task, _ = wire.wait_task(wire.submit("imagine", prompt="[fail] pig")["result"])
    assert task["status"] == "FAILURE" and task["failReason"] and task["buttons"] == []


def test_queue_codes_22_and_23_and_cancel(sandbox_factory: Any, wire_for: Any) -> None:
    srv: wjnb.sandbox.Sandbox = sandbox_factory(gpus=1, mj_queue_size=2)
    wire: Wire = wire_for(srv)
    first = wire.submit("imagine", prompt="[slow] one")
    assert first["code"] == 1
    second = wire.submit("imagine", prompt="[slow] two")
    assert second["code"] == 22 and second["properties"]["numberOfQueues"] == 0
    third = wire.submit("imagine", prompt="three")
    assert third["code"] == 22 and third["properties"]["numberOfQueues"] == 1
    full = wire.submit("imagine", prompt="four")
    assert full["code"] == 23
    queue = {t["id"]: t["status"] for t in wire.mj("GET", "/mj/task/queue").json()}
    assert queue[second["result"]] == "NOT_START" and len(queue) == 3
    cancelled = wire.mj("POST", f"/mj/task/{third['result']}/cancel").json()
    assert cancelled["code"] == 1
    assert wire.fetch(third["result"])["status"] == "CANCEL"
    refused = wire.mj("POST", f"/mj/task/{first['result']}/cancel").json()
    assert refused["code"] not in (1, 22)


def test_blend_describe_and_modal(wire: Wire) -> None:
    images = [_png((200, 30, 30)), _png((30, 30, 200))]
    assert wire.submit("blend", base64Array=images[:1])["code"] == 4
    blend = wire.submit("blend", base64Array=images, dimensions="PORTRAIT")
    blended, _ = wire.wait_task(blend["result"])
    assert blended["action"] == "BLEND" and blended["status"] == "SUCCESS"
    assert Image.open(io.BytesIO(httpx.get(blended["imageUrl"]).content)).size == (832, 1248)

    described, _ = wire.wait_task(
        wire.submit("describe", base64="data:image/png;base64," + images[0])["result"]
    )
    prompts = described["properties"]["finalPrompt"].split("\n\n")
    assert described["action"] == "DESCRIBE" and len(prompts) == 4
    assert all("crimson" in p and "--ar 4:3" in p for p in prompts)

    imagine, _ = wire.wait_task(wire.submit("imagine", prompt="a castle")["result"])
    up, _ = wire.wait_task(
        wire.submit("action", taskId=imagine["id"], customId=imagine["buttons"][0]["customId"])[
            "result"
        ],
    )
    region = next(b for b in up["buttons"] if b["label"] == "Vary (Region)")
    modal = wire.submit("action", taskId=up["id"], customId=region["customId"])
    assert modal["code"] == 21 and modal["properties"]["status"] == "MODAL"
    assert wire.fetch(modal["result"])["status"] == "MODAL"
    assert wire.submit("modal", taskId=modal["result"])["code"] == 4  # mask required
    confirmed = wire.submit(
        "modal", taskId=modal["result"], maskBase64=images[1], prompt="a castle, red"
    )
    assert confirmed["code"] in (1, 22)
    done, _ = wire.wait_task(modal["result"])
    assert done["status"] == "SUCCESS" and done["prompt"] == "a castle, red"
    zoom = next(b for b in up["buttons"] if b["label"] == "Zoom Out 2x")
    zoomed, _ = wire.wait_task(
        wire.submit("action", taskId=up["id"], customId=zoom["customId"])["result"]
    )
    assert zoomed["action"] == "ZOOM"


def test_speed_prefixes_and_plain_mj_path(sandbox: wjnb.sandbox.Sandbox, wire: Wire) -> None:
    headers = {"mj-api-secret": sandbox.mj_token}
    durations = {}
    for prefix in ("/mj-turbo", "/mj-relax", ""):
        reply = httpx.post(
            f"{sandbox.url}{prefix}/mj/submit/imagine", json={"prompt": "x"}, headers=headers
        )
        task, _ = wire.wait_task(reply.json()["result"])
        durations[prefix] = task["finishTime"] - task["startTime"]
    assert durations["/mj-turbo"] < durations[""] < durations["/mj-relax"]


def test_mj_token(wire: Wire, sandbox: wjnb.sandbox.Sandbox) -> None:
    url = sandbox.mj_base_url + "/mj/task/list"
    assert wire.http.get(url).status_code == 401
    assert wire.http.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert wire.http.get(url, headers={"mj-api-secret": "wrong"}).status_code == 401
    assert wire.http.get(url, headers={"mj-api-secret": sandbox.mj_token}).status_code == 200
    assert wire.mj("GET", "/mj/task/list").status_code == 200
