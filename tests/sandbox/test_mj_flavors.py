"""Contract tests: the sandbox in each Midjourney-proxy flavour, by raw HTTP.

Request bodies are written from ``reference/mj-proxy-api.md`` §3 and every reply is checked
against §4-§10 with plain httpx (never wjnb's client). N = novicezk, P = plus, T = trueai,
R = a new-api style relay.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import pytest
from PIL import Image, ImageChops, ImageStat

import wjnb.sandbox

FLAVORS = ("novicezk", "plus", "trueai", "relay")
SPEED = 400.0
DEADLINE = 20.0
COMMON_KEYS = {
    "id",
    "action",
    "status",
    "prompt",
    "promptEn",
    "description",
    "state",
    "submitTime",
    "startTime",
    "finishTime",
    "imageUrl",
    "progress",
    "failReason",
    "properties",
}
RELAY_KEYS = [
    "id",
    "action",
    "customId",
    "botType",
    "prompt",
    "promptEn",
    "description",
    "state",
    "submitTime",
    "startTime",
    "finishTime",
    "imageUrl",
    "status",
    "progress",
    "failReason",
    "buttons",
    "maskBase64",
    "properties",
]
# (method, path, flavours that serve it) — reference §2.
ROUTES = [
    ("POST", "/mj/submit/imagine", "NPTR"),
    ("POST", "/mj/submit/change", "NPR"),
    ("POST", "/mj/submit/simple-change", "NPR"),
    ("POST", "/mj/submit/describe", "NPTR"),
    ("POST", "/mj/submit/blend", "NPTR"),
    ("POST", "/mj/submit/action", "PTR"),
    ("POST", "/mj/submit/modal", "PTR"),
    ("POST", "/mj/submit/shorten", "PTR"),
    ("POST", "/mj/submit/upload-discord-images", "TR"),
    ("POST", "/mj/submit/edits", "T"),
    ("POST", "/mj/submit/retexture", "T"),
    ("POST", "/mj/submit/video", "T"),
    ("POST", "/mj/insight-face/swap", "PTR"),
    ("GET", "/mj/task/1/fetch", "NPTR"),
    ("POST", "/mj/task/list-by-condition", "NPTR"),
    ("POST", "/mj/task/list-by-ids", "T"),
    ("GET", "/mj/task/queue", "NP"),
    ("GET", "/mj/task/list", "NPT"),
    ("POST", "/mj/task/1/cancel", "PT"),
    ("GET", "/mj/task/1/image-seed", "PTR"),
    ("GET", "/mj/account/list", "NP"),
    ("GET", "/mj/account/1/fetch", "NP"),
    ("POST", "/mj/account/query", "P"),
    ("POST", "/mj/submit/show", ""),
]


class Proxy:
    """Raw requests to a sandbox playing one flavour, with that flavour's credential."""

    def __init__(self, srv: wjnb.sandbox.Sandbox, flavor: str) -> None:
        self.srv = srv
        self.flavor = flavor
        self.letter = {"novicezk": "N", "plus": "P", "trueai": "T", "relay": "R"}[flavor]
        token = srv.mj_token
        self.headers = {
            "novicezk": {"mj-api-secret": token},
            "plus": {"mj-api-secret": token},
            "trueai": {"Authorization": token},
            "relay": {"Authorization": f"Bearer {token}"},
        }[flavor]
        self.http = httpx.Client(base_url=srv.url, timeout=10, trust_env=False)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = kwargs.pop("headers", self.headers)
        return self.http.request(method, path, headers=headers, **kwargs)

    def submit(self, route: str, body: dict[str, Any]) -> dict[str, Any]:
        reply = self.call("POST", f"/mj/submit/{route}", json=body)
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def fetch(self, task_id: str) -> dict[str, Any]:
        reply = self.call("GET", f"/mj/task/{task_id}/fetch")
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def wait(self, task_id: str, until: Callable[[dict[str, Any]], bool] | None = None) -> Any:
        """Poll until ``until(task)`` (default: terminal); returns the task."""
        done = until or (lambda t: t["status"] in ("SUCCESS", "FAILURE", "CANCEL"))
        deadline = time.monotonic() + DEADLINE
        while True:
            task = self.fetch(task_id)
            if done(task):
                return task
            assert time.monotonic() < deadline, task
            time.sleep(0.005)

    def imagine(self, prompt: str, **extra: Any) -> dict[str, Any]:
        reply = self.submit("imagine", {"prompt": prompt, **extra})
        assert reply["code"] == 1, reply
        return dict(self.wait(reply["result"]))

    def image(self, url: str) -> Image.Image:
        reply = self.http.get(url)
        assert reply.status_code == 200
        return Image.open(io.BytesIO(reply.content)).convert("RGB")

    def press(self, task: dict[str, Any], label: str) -> dict[str, Any]:
        """Submit the button with ``label`` (or emoji) of ``task``: the reply."""
        button = next(b for b in task["buttons"] if label in (b["label"], b["emoji"]))
        return self.submit("action", {"taskId": task["id"], "customId": button["customId"]})


@pytest.fixture(scope="module", params=FLAVORS)
def proxy(request: pytest.FixtureRequest) -> Iterator[Proxy]:
    srv = wjnb.sandbox.start(speed=SPEED, seed=3, faults="", mj_flavor=request.param)
    p = Proxy(srv, request.param)
    yield p
    p.http.close()
    srv.stop()


def _png(colour: tuple[int, int, int] = (200, 40, 40), size: int = 64) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_only_the_flavours_routes_exist(proxy: Proxy) -> None:
    for method, path, where in ROUTES:
        reply = proxy.call(method, path, json={})
        if proxy.letter in where:
            assert reply.status_code not in (401, 405), (path, reply.status_code)
            if reply.status_code == 404:  # only T's "parent task not found" (§4.2, code 3)
                assert proxy.flavor == "trueai" and reply.json()["code"] == 3, (path, reply.text)
        else:
            assert reply.status_code == 404, (path, reply.status_code, reply.text)
            if proxy.flavor in ("novicezk", "plus"):
                assert set(reply.json()) == {"timestamp", "status", "error", "path"}
            if proxy.flavor == "trueai":
                assert reply.content == b""
    prefixed = proxy.call("POST", "/mj-relax/mj/submit/imagine", json={"prompt": "a fox"})
    if proxy.flavor == "trueai":
        assert prefixed.json()["code"] == 1
    else:
        assert prefixed.status_code == 404


def test_auth_and_fingerprint_probes(proxy: Proxy) -> None:
    token = proxy.srv.mj_token
    bare = proxy.call("POST", "/mj/task/list-by-condition", json={"ids": []}, headers={})
    assert bare.status_code == 401
    if proxy.flavor in ("novicezk", "plus"):
        assert bare.content == b""
    if proxy.flavor == "trueai":
        assert bare.text == "Authorization header missing."
        # T compares the raw Authorization value: a Bearer prefix is refused, even with the
        # right mj-api-secret beside it (§10 pitfall).
        both = {"Authorization": f"Bearer {token}", "mj-api-secret": token}
        assert proxy.call("GET", "/mj/task/list", headers=both).status_code == 401
        assert proxy.call("GET", "/mj/task/list", headers={"mj-api-secret": token}).is_success
        home = proxy.call("GET", "/mj/home", headers={}).json()
        assert home["success"] is True and home["data"]["version"].startswith("v11.")
        assert proxy.http.get("/health").status_code == 200
    else:
        assert proxy.call("GET", "/mj/home", headers={}).status_code in (401, 404)
    if proxy.flavor == "relay":
        secret = proxy.call("POST", "/mj/submit/imagine", json={"prompt": "x"}, headers={})
        assert secret.status_code == 401
        refused = {"mj-api-secret": token}
        assert (
            proxy.call("POST", "/mj/task/list-by-condition", json={}, headers=refused).status_code
            == 401
        )
    if proxy.flavor == "novicezk":
        docs = proxy.call("GET", "/mj/v2/api-docs", headers={}).json()
        assert docs["info"]["title"] == "Midjourney Proxy API文档"
        assert (
            proxy.call(
                "GET", "/mj/task/list", headers={"Authorization": f"Bearer {token}"}
            ).status_code
            == 401
        )
    action = proxy.call("POST", "/mj/submit/action", json={})
    if proxy.flavor == "novicezk":
        assert action.status_code == 404
    else:
        assert action.status_code == 200 and action.json()["code"] == 4
    if proxy.flavor == "trueai":
        assert action.json()["description"] == "参数错误"


class Hooks(BaseHTTPRequestHandler):
    """Collects callback bodies; answers 500 on ``/refuse`` (a proxy must not retry)."""

    received: ClassVar[list[dict[str, Any]]] = []
    changed = threading.Condition()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.changed:
            self.received.append(body)
            self.changed.notify_all()
        self.send_response(500 if self.path == "/refuse" else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hooks() -> Iterator[tuple[str, type[Hooks]]]:
    Hooks.received.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", Hooks
    server.shutdown()
    server.server_close()


def test_imagine_task_shape_nulls_and_callbacks(
    proxy: Proxy, hooks: tuple[str, type[Hooks]]
) -> None:
    url, sink = hooks
    refused = proxy.submit("imagine", {"prompt": "a refused hook", "notifyHook": url + "/refuse"})
    reply = proxy.submit("imagine", {"prompt": "a lighthouse at dusk", "notifyHook": url + "/ok"})
    assert reply["code"] == 1
    task_id = reply["result"]
    assert len(task_id) == 16 and task_id.isdigit()
    if proxy.flavor == "relay":
        assert reply["description"] == "提交成功" and reply["properties"] == {}
    else:
        assert reply["description"] == "提交成功"
        assert reply["properties"]["discordInstanceId"]
        if proxy.flavor == "trueai":
            props = reply["properties"]
            assert props["discordChannelId"] == props["discordInstanceId"]
        else:
            assert "discordChannelId" not in reply["properties"]
    first = proxy.fetch(task_id)
    assert abs(int(task_id[:13]) - first["submitTime"]) < 1000  # ms id, ms timestamps
    done = proxy.wait(task_id)
    assert done["status"] == "SUCCESS" and done["progress"] == "100%"
    assert done["description"] == "/imagine a lighthouse at dusk"
    assert done["finishTime"] >= done["startTime"] >= done["submitTime"] > 1.7e12
    if proxy.flavor == "relay":
        assert list(done) == RELAY_KEYS
        assert done["failReason"] == "" and done["maskBase64"] == "" and done["botType"] == ""
        assert set(done["properties"]) == {"finalPrompt", "finalZhPrompt"}
    elif proxy.flavor == "novicezk":
        assert set(done) == COMMON_KEYS
        assert done["failReason"] is None and done["state"] is None
    elif proxy.flavor == "plus":
        assert set(done) == COMMON_KEYS | {"buttons"}
        assert done["properties"]["botType"] == "MID_JOURNEY" and done["failReason"] is None
    else:
        assert set(done) > COMMON_KEYS | {"buttons", "botType", "parentId", "seed", "mode"}
        assert done["failReason"] == "" and done["state"] == "" and done["isCompleted"] is True
        labels = [b["label"] for b in done["buttons"]]
        assert labels[:4] == ["U1", "U2", "U3", "U4"]
    for one in (task_id, refused["result"]):
        with sink.changed:
            assert sink.changed.wait_for(
                lambda one=one: any(
                    b["status"] == "SUCCESS" for b in sink.received if b["id"] == one
                ),
                timeout=DEADLINE,
            )
            posted = [(b["status"], b["progress"]) for b in sink.received if b["id"] == one]
        assert "NOT_START" not in {s for s, _ in posted}
        assert len(posted) == len(set(posted))  # once per change, a refused one included
        assert posted[0][0] == "SUBMITTED" and posted[-1] == ("SUCCESS", "100%")


def test_null_fields_while_waiting(proxy: Proxy) -> None:
    srv = wjnb.sandbox.start(speed=SPEED, faults="", mj_flavor=proxy.flavor, mj_core_size=1)
    try:
        other = Proxy(srv, proxy.flavor)
        other.submit("imagine", {"prompt": "[slow] a busy worker"})
        waiting = other.submit("imagine", {"prompt": "a patient fox"})
        assert waiting["code"] == 1  # the queue was empty, even though no worker is free
        task = other.fetch(waiting["result"])
        assert task["status"] == "NOT_START"
        if proxy.flavor == "relay":
            assert (task["progress"], task["imageUrl"], task["startTime"]) == ("0%", "", 0)
        else:
            assert task["progress"] is None and task["imageUrl"] is None
            assert task["startTime"] is None and task["finishTime"] is None
            assert task["failReason"] is None
        other.http.close()
    finally:
        srv.stop()


def test_queue_codes_per_flavour(proxy: Proxy) -> None:
    srv = wjnb.sandbox.start(
        speed=SPEED, faults="", mj_flavor=proxy.flavor, mj_core_size=1, mj_queue_size=2
    )
    try:
        other = Proxy(srv, proxy.flavor)
        codes = [other.submit("imagine", {"prompt": f"[slow] job {i}"}) for i in range(4)]
        assert [c["code"] for c in codes[:2]] == [1, 1]
        if proxy.flavor == "relay":
            assert codes[2]["code"] == 1  # a relay rewrites 22 to 1
        else:
            assert codes[2]["code"] == 22
            assert codes[2]["description"] == "排队中，前面还有1个任务"
            assert codes[2]["properties"]["numberOfQueues"] == 1
        full = codes[3]
        if proxy.flavor == "trueai":
            assert (full["code"], full["description"]) == (9, "提交失败，队列已满，请稍后重试")
        else:
            assert (full["code"], full["description"]) == (23, "队列已满，请稍后尝试")
        assert full["result"] is None
        other.http.close()
    finally:
        srv.stop()


@pytest.mark.parametrize("flavor", ["novicezk", "trueai"])
def test_run_and_queue_timeouts(flavor: str) -> None:
    srv = wjnb.sandbox.start(
        speed=SPEED, faults="", mj_flavor=flavor, mj_core_size=1, mj_timeout_minutes=0.25
    )
    try:
        p = Proxy(srv, flavor)
        running = p.submit("imagine", {"prompt": "[slow] longer than the timeout"})["result"]
        waiting = p.submit("imagine", {"prompt": "waits behind it"})["result"]
        ended = p.wait(running)
        assert ended["status"] == "FAILURE" and ended["progress"] == ""
        if flavor == "trueai":
            assert ended["failReason"] == "执行超时 0.25 分钟"
            # T: a task that waited more than 12 x the timeout fails when it is dequeued
            assert p.wait(waiting)["failReason"] == "任务提交超时"
        else:
            assert ended["failReason"] == "任务超时"
            assert p.wait(waiting)["status"] == "FAILURE"  # 30 s > 15 s: timed out too
        p.http.close()
    finally:
        srv.stop()


ACCOUNT_KEYS = {
    "id",
    "properties",
    "guildId",
    "channelId",
    "userToken",
    "userAgent",
    "enable",
    "coreSize",
    "queueSize",
    "timeoutMinutes",
}


@pytest.mark.parametrize("flavor", ["novicezk", "plus"])
def test_account_routes_show_each_accounts_limits(flavor: str) -> None:
    srv = wjnb.sandbox.start(
        speed=SPEED,
        faults="",
        mj_flavor=flavor,
        mj_core_size=2,
        mj_queue_size=4,
        mj_timeout_minutes=7,
    )
    try:
        p = Proxy(srv, flavor)
        listed = p.call("GET", "/mj/account/list")
        assert listed.status_code == 200
        [account] = listed.json()
        assert set(account) == ACCOUNT_KEYS  # N's DiscordAccount, its Discord token included
        assert (account["coreSize"], account["queueSize"], account["timeoutMinutes"]) == (2, 4, 7)
        assert account["enable"] is True and account["userToken"]
        task = p.submit("imagine", {"prompt": "a fox"})
        assert task["properties"]["discordInstanceId"] == account["id"] == account["channelId"]
        assert p.call("GET", f"/mj/account/{account['id']}/fetch").json() == account
        unknown = p.call("GET", "/mj/account/404/fetch")
        assert (unknown.status_code, unknown.content) == (200, b"")
        assert p.call("GET", "/mj/account/list", headers={}).status_code == 401
        query = p.call("POST", "/mj/account/query", json={"pageSize": 1, "pageNumber": 0})
        if flavor == "plus":  # P's paged admin query (0-based pages)
            assert query.json() == {"content": [account], "last": True}
            after = p.call("POST", "/mj/account/query", json={"pageSize": 1, "pageNumber": 1})
            assert after.json() == {"content": [], "last": True}
        else:
            assert query.status_code == 404
        p.http.close()
    finally:
        srv.stop()


def test_banned_prompt_at_submit_or_at_run_time(proxy: Proxy) -> None:
    reply = proxy.submit("imagine", {"prompt": "a [sensitive] scene"})
    if proxy.flavor == "trueai":
        assert reply["code"] == 1
        failed = proxy.wait(reply["result"])
        assert failed["status"] == "FAILURE" and failed["failReason"] == "可能包含敏感词"
        assert failed["progress"] == ""
    else:
        assert (reply["code"], reply["description"]) == (24, "可能包含敏感词")
        assert reply["properties"]["bannedWord"] and reply["result"] is None


def test_unknown_task_and_bad_json(proxy: Proxy) -> None:
    unknown = proxy.call("GET", "/mj/task/1234567890123456/fetch")
    assert unknown.content == b""
    assert unknown.status_code == (204 if proxy.flavor == "trueai" else 200)
    bad = proxy.call(
        "POST",
        "/mj/submit/imagine",
        content=b"{not json",
        headers={**proxy.headers, "Content-Type": "application/json"},
    )
    if proxy.flavor == "trueai":
        body = bad.json()
        assert bad.status_code == 200 and body["success"] is False and body["code"] == -1
        assert set(body) == {"success", "code", "message", "timestamp"}
    elif proxy.flavor == "relay":
        assert bad.json()["code"] == 4
    else:
        assert bad.status_code == 400 and bad.json()["status"] == 400
    empty = proxy.call("POST", "/mj/task/list-by-condition", json={"ids": None})
    assert empty.json() == []


def test_lists_newest_first(proxy: Proxy) -> None:
    ids = [proxy.submit("imagine", {"prompt": f"an owl {i}"})["result"] for i in range(2)]
    listed = proxy.call("POST", "/mj/task/list-by-condition", json={"ids": ids})
    assert sorted(t["id"] for t in listed.json()) == sorted(ids)
    if proxy.letter in "NT":
        everything = [t["id"] for t in proxy.call("GET", "/mj/task/list").json()]
        assert everything.index(ids[1]) < everything.index(ids[0])
    if proxy.flavor == "trueai":
        by_ids = proxy.call("POST", "/mj/task/list-by-ids", json={"ids": [f" {ids[0]} ", ids[0]]})
        assert [t["id"] for t in by_ids.json()] == [ids[0]]
    for task_id in ids:
        proxy.wait(task_id)


def test_change_and_simple_change(proxy: Proxy) -> None:
    if proxy.flavor == "trueai":
        assert proxy.call("POST", "/mj/submit/change", json={}).status_code == 404
        return
    grid = proxy.imagine("a castle on a hill")
    up = proxy.submit("change", {"taskId": grid["id"], "action": "UPSCALE", "index": 2})
    assert up["code"] == 1
    upscale = proxy.wait(up["result"])
    assert upscale["action"] == "UPSCALE" and upscale["status"] == "SUCCESS"
    assert upscale["description"] == f"/up {grid['id']} U2"
    simple = proxy.submit("simple-change", {"content": f"{grid['id']} v3"})
    varied = proxy.wait(simple["result"])
    assert varied["action"] == "VARIATION" and varied["description"] == f"/up {grid['id']} V3"
    reroll = proxy.submit("change", {"taskId": grid["id"], "action": "REROLL"})
    assert proxy.wait(reroll["result"])["action"] == "REROLL"
    bad = proxy.submit("change", {"taskId": grid["id"], "action": "ZOOM", "index": 1})
    assert (bad["code"], bad["description"]) == (4, "action参数错误")
    bad = proxy.submit("simple-change", {"content": f"{grid['id']} X9"})
    assert (bad["code"], bad["description"]) == (4, "content参数错误")
    on_upscale = proxy.submit("change", {"taskId": upscale["id"], "action": "UPSCALE", "index": 1})
    assert on_upscale["code"] == 4  # N: only a grid (IMAGINE, VARIATION, REROLL, BLEND)


def test_buttons_modal_seed_and_cancel(proxy: Proxy) -> None:
    if proxy.flavor == "novicezk":
        assert proxy.call("POST", "/mj/submit/modal", json={}).status_code == 404
        return
    grid = proxy.imagine("a red sailboat --seed 42")
    up = proxy.wait(proxy.press(grid, "U1")["result"])
    labels = {b["label"] or b["emoji"] for b in up["buttons"]}
    assert {"Vary (Region)", "Zoom Out 2x", "Custom Zoom", "⬅️"} <= labels
    assert {"Upscale (Subtle)", "Upscale (Creative)"} <= labels
    region = proxy.press(up, "Vary (Region)")
    assert region["code"] == 21
    if proxy.flavor == "trueai":
        assert region["description"] == "Waiting for window confirm"
        assert region["properties"]["finalPrompt"] == "" and region["properties"]["remix"] is True
    elif proxy.flavor == "plus":
        assert region["description"] == "窗口等待"
    modal_task = proxy.fetch(region["result"])
    assert modal_task["status"] == "MODAL"
    if proxy.flavor == "trueai":
        assert modal_task["progress"] is None and modal_task["parentId"] == up["id"]
        unfinished = proxy.call("GET", f"/mj/task/{region['result']}/image-seed")
        assert unfinished.status_code == 400 and unfinished.json()["code"] == 4
    mask = _png((255, 255, 255), 32)
    confirmed = proxy.submit("modal", {"taskId": region["result"], "maskBase64": mask})
    assert confirmed["code"] == 1 and confirmed["result"] == region["result"]
    assert proxy.wait(region["result"])["status"] == "SUCCESS"
    seed = proxy.call("GET", f"/mj/task/{grid['id']}/image-seed").json()
    assert (seed["code"], seed["result"]) == (1, "42")
    if proxy.flavor == "trueai":
        missing = proxy.call("POST", "/mj/submit/action", json={"taskId": "1", "customId": "x"})
        assert missing.status_code == 404 and missing.json()["code"] == 3
        gone = proxy.call("GET", "/mj/task/1/image-seed")
        assert gone.status_code == 404 and gone.json()["code"] == 3
    if proxy.flavor == "relay":
        assert proxy.call("POST", f"/mj/task/{grid['id']}/cancel").status_code == 404
        return
    slow = proxy.submit("imagine", {"prompt": "[slow] a long night"})["result"]
    cancel = proxy.call("POST", f"/mj/task/{slow}/cancel")
    assert cancel.status_code == 200
    ended = proxy.wait(slow)
    if proxy.flavor == "trueai":
        assert cancel.content == b""
        assert (ended["status"], ended["failReason"]) == ("FAILURE", "取消任务")
        assert proxy.call("POST", "/mj/task/1/cancel").content == b""
    else:
        assert cancel.json()["code"] == 1 and ended["status"] == "CANCEL"


def test_trueai_extra_routes() -> None:
    srv = wjnb.sandbox.start(speed=SPEED, faults="", mj_flavor="trueai")
    try:
        t = Proxy(srv, "trueai")
        urls = t.submit("upload-discord-images", {"base64Array": [_png()]})
        assert urls["code"] == 1 and t.http.get(urls["result"][0]).status_code == 200
        edit = t.submit("edits", {"prompt": "a blue door", "image": _png()})
        assert t.wait(edit["result"])["description"] == "/edit a blue door"
        retexture = t.submit("retexture", {"prompt": "marble", "image": _png()})
        assert t.wait(retexture["result"])["action"] == "RETEXTURE"
        shorten = t.submit("shorten", {"prompt": "a very long and winding prompt"})
        assert t.wait(shorten["result"])["action"] == "SHORTEN"
        swap = t.call("POST", "/mj/insight-face/swap", json={"sourceBase64": _png()}).json()
        assert (swap["code"], swap["description"]) == (4, "服务不支持")
        t.http.close()
    finally:
        srv.stop()


def _diff(a: Image.Image, b: Image.Image) -> float:
    return float(sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3)


def test_zoom_pan_and_region_change_the_picture_as_expected() -> None:
    srv = wjnb.sandbox.start(speed=SPEED, faults="", mj_flavor="plus")
    try:
        p = Proxy(srv, "plus")
        grid = p.imagine("a lighthouse on a cliff --seed 7")
        up = p.wait(p.press(grid, "U1")["result"])
        parent = p.image(up["imageUrl"]).resize((256, 256))
        zoom = p.image(p.wait(p.press(up, "Zoom Out 2x")["result"])["imageUrl"])
        cell = zoom.crop((0, 0, zoom.width // 2, zoom.height // 2)).resize((256, 256))
        centre = cell.crop((64, 64, 192, 192)).resize((256, 256))
        assert _diff(centre, parent) < 12  # the parent, shrunk by 2, in the middle
        assert _diff(cell, parent) > 2 * _diff(centre, parent)
        pan = p.image(p.wait(p.press(up, "⬅️")["result"])["imageUrl"])
        cell = pan.crop((0, 0, pan.width // 2, pan.height // 2)).resize((256, 256))
        shift = round(256 / 3)
        moved = cell.crop((shift, 0, 256, 256))
        assert _diff(moved, parent.crop((0, 0, 256 - shift, 256))) < 12  # slid right
        assert _diff(cell, parent) > 12
        left = Image.new("L", (64, 64), 0)
        left.paste(255, (0, 0, 32, 64))  # white: the left half is redrawn
        buf = io.BytesIO()
        left.save(buf, "PNG")
        region = p.press(up, "Vary (Region)")["result"]
        mask = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
        p.submit("modal", {"taskId": region, "maskBase64": mask})
        redrawn = p.image(p.wait(region)["imageUrl"])
        cell = redrawn.crop((0, 0, redrawn.width // 2, redrawn.height // 2)).resize((256, 256))
        redrawn_half, kept_half = (0, 0, 128, 256), (128, 0, 256, 256)
        assert _diff(cell.crop(kept_half), parent.crop(kept_half)) < 6
        assert _diff(cell.crop(redrawn_half), parent.crop(redrawn_half)) > 20
        again = p.imagine("a lighthouse on a cliff --seed 7")
        assert p.http.get(again["imageUrl"]).content == p.http.get(grid["imageUrl"]).content
        p.http.close()
    finally:
        srv.stop()


def test_describe_blend_shorten_and_swap_make_tasks(proxy: Proxy) -> None:
    described = proxy.wait(proxy.submit("describe", {"base64": _png((60, 150, 200))})["result"])
    assert (described["action"], described["status"]) == ("DESCRIBE", "SUCCESS")
    prompts = described["properties"]["finalPrompt"].split("\n\n")
    assert len(prompts) == 4 and prompts[0].startswith("1️⃣ a bright azure")
    if proxy.flavor == "novicezk":  # N also writes the result into prompt (§5.1)
        assert described["prompt"] == described["properties"]["finalPrompt"]
    blend = proxy.submit("blend", {"base64Array": [_png(), _png((20, 20, 200))]})
    blended = proxy.wait(blend["result"])
    assert (blended["action"], blended["status"]) == ("BLEND", "SUCCESS")
    assert proxy.submit("blend", {"base64Array": [_png()]})["code"] == 4  # 2-5 images
    linked = proxy.submit("describe", {"link": blended["imageUrl"]})  # T reads links only
    if proxy.flavor == "trueai":
        assert proxy.wait(linked["result"])["properties"]["finalPrompt"].count("️⃣") == 4
        assert proxy.submit("describe", {"link": "http://127.0.0.1:9/x.png"})["code"] == 4
    else:
        assert linked["code"] == 4
    if proxy.flavor == "novicezk":
        return
    shortened = proxy.wait(
        proxy.submit("shorten", {"prompt": "a lighthouse at dusk in fog"})["result"]
    )
    assert (
        shortened["action"] == "SHORTEN" and shortened["properties"]["finalPrompt"].count("️⃣") == 5
    )
    if proxy.flavor in ("plus", "relay"):  # T needs Replicate for it (test_trueai_extra_routes)
        swap = proxy.call(
            "POST", "/mj/insight-face/swap", json={"sourceBase64": _png(), "targetBase64": _png()}
        ).json()
        assert swap["code"] == 1 and proxy.wait(swap["result"])["action"] == "SWAP_FACE"


def test_bot_type_per_flavour(proxy: Proxy) -> None:
    niji = proxy.imagine("a fox", botType="NIJI_JOURNEY")
    short = proxy.imagine("a fox", botType="niji")
    other = proxy.imagine("a fox", botType="Niji")  # case-sensitive: anything else is MJ
    if proxy.flavor == "novicezk":  # N ignores the field and shows no bot at all
        assert all("botType" not in t and "botType" not in t["properties"] for t in (niji, other))
    elif proxy.flavor == "plus":
        assert niji["properties"]["botType"] == short["properties"]["botType"] == "NIJI_JOURNEY"
        assert other["properties"]["botType"] == "MID_JOURNEY"
    elif proxy.flavor == "trueai":
        assert (niji["botType"], short["botType"], other["botType"]) == (
            "NIJI_JOURNEY",
            "NIJI_JOURNEY",
            "MID_JOURNEY",
        )
    else:  # the relay's DTO always says ""
        assert niji["botType"] == other["botType"] == ""


def test_trueai_speed_modes_and_second_envelope() -> None:
    srv = wjnb.sandbox.start(speed=SPEED, faults="", mj_flavor="trueai")
    try:
        t = Proxy(srv, "trueai")
        for mode in ("fast", "relax", "turbo"):
            reply = t.call("POST", f"/mj-{mode}/mj/submit/imagine", json={"prompt": "a fox"})
            task = t.wait(reply.json()["result"])
            assert (task["mode"], task["requestMode"]) == (mode.upper(), mode.upper())
        long_state = {"base64Array": [_png(), _png()], "state": "s" * 256}
        envelope = t.call("POST", "/mj/submit/blend", json=long_state)
        body = envelope.json()
        assert envelope.status_code == 200 and set(body) == {
            "success",
            "code",
            "message",
            "timestamp",
        }
        assert (body["success"], body["code"]) == (False, -1)
        hook = {"prompt": "x", "notifyHook": "http://127.0.0.1/" + "h" * 2000}
        assert t.submit("shorten", hook)["code"] == -1
        assert t.submit("imagine", {"prompt": "a fox", "state": "s" * 256})["code"] == 4
        assert t.submit("imagine", {"prompt": "a fox", "state": "s" * 255})["code"] == 1
        t.http.close()
    finally:
        srv.stop()


def test_trueai_video_when_enabled() -> None:
    srv = wjnb.sandbox.start(speed=SPEED, faults="", mj_flavor="trueai", mj_video=True)
    try:
        t = Proxy(srv, "trueai")
        assert t.submit("video", {"prompt": "a wave", "motion": "wild"})["code"] == 4
        assert t.submit("video", {"prompt": "a wave", "batchSize": 3})["code"] == 4
        ramp = Image.linear_gradient("L")  # a flat picture would make one frame
        ramp = Image.merge("RGB", (ramp, ramp.transpose(Image.Transpose.ROTATE_90), ramp))
        buf = io.BytesIO()
        ramp.save(buf, "PNG")
        image = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
        reply = t.submit("video", {"prompt": "a wave", "image": image, "motion": "high"})
        task = t.wait(reply["result"])
        assert (task["action"], task["status"], task["description"]) == (
            "VIDEO",
            "SUCCESS",
            "/video a wave",
        )
        assert task["videoUrls"] == [{"url": task["videoUrl"], "thumbnail": task["imageUrl"]}]
        clip = Image.open(io.BytesIO(t.http.get(task["videoUrl"]).content))
        assert clip.format == "WEBP" and getattr(clip, "n_frames", 1) > 1
        extend = {"prompt": "more", "action": "extend", "taskId": task["id"]}
        longer = t.wait(t.submit("video", extend)["result"])
        assert (longer["parentId"], longer["description"]) == (task["id"], "/video extend")
        missing = t.call("POST", "/mj/submit/video", json={**extend, "taskId": "1" * 16})
        assert missing.status_code == 404 and missing.json()["code"] == 3
        t.http.close()
    finally:
        srv.stop()
