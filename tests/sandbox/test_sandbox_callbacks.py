"""Callbacks reach a loopback receiver: Wujie ``notify_url`` and MJ ``notifyHook``."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from conftest import DEADLINE, Wire

from wjnb.sandbox import callbacks


class Receiver:
    """A tiny loopback HTTP server recording JSON POSTs; can fail the first ``failures``."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.hits = 0
        self.failures = 0
        self.answer = "success"
        self._cond = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with outer._cond:
                    outer.hits += 1
                    failing = outer.hits <= outer.failures
                    if not failing:
                        outer.bodies.append(json.loads(body))
                    outer._cond.notify_all()
                answer = outer.answer.encode()
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def wait_for(self, done: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
        deadline = time.monotonic() + DEADLINE
        with self._cond:
            while not done(self.bodies):
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"callbacks so far: {self.bodies}"
                self._cond.wait(remaining)
            return list(self.bodies)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def wait_callbacks(wire: Wire, done: Callable[[dict[str, int]], bool]) -> dict[str, int]:
    """Poll the sandbox's callback counters until ``done`` holds."""
    deadline = time.monotonic() + DEADLINE
    while True:
        counters: dict[str, int] = wire.srv.counters()["callbacks"]
        if done(counters):
            return counters
        assert time.monotonic() < deadline, counters
        time.sleep(0.01)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_wujie_success_and_failure_callbacks(fresh_wire: Wire, receiver: Receiver) -> None:
    ok = fresh_wire.create(prompt="a quiet harbour", notify_url=receiver.url)["keys"][0]
    bad = fresh_wire.create(prompt="[fail] a harbour", notify_url=receiver.url)["keys"][0]
    bodies = {b["key"]: b for b in receiver.wait_for(lambda b: len(b) == 2)}
    good = bodies[ok]
    assert good["success"] is True and good["code"] == 0
    assert good["artwork_url"] == fresh_wire.poll(ok)["picture_url"]
    assert isinstance(good["audit_info"], dict)  # an object in callbacks, text when polled
    assert good["audit_info"]["total_suggestion"] == "PASS"
    assert good["integral_cost_message"] == "积分已扣除" and good["integral_cost"] == 2
    assert good["involve_yellow"] == 0 and good["complete_time"] > 1_600_000_000
    assert good["batch_task_key"]
    failed = bodies[bad]
    assert failed["success"] is False and failed["code"] == 1 and "artwork_url" not in failed
    assert isinstance(failed["fail_message"], str) and failed["fail_message"]
    assert set(failed) == {
        "key",
        "batch_task_key",
        "success",
        "code",
        "fail_message",
        "integral_cost",
        "integral_cost_message",
    }
    assert failed["integral_cost_message"] == "积分已退还"
    wait_callbacks(fresh_wire, lambda c: c["sent"] == 2)


def test_retries_on_the_published_schedule(fresh_wire: Wire, receiver: Receiver) -> None:
    receiver.failures = 2
    key = fresh_wire.create(notify_url=receiver.url)["keys"][0]
    (body,) = receiver.wait_for(lambda b: len(b) == 1)
    assert body["key"] == key and receiver.hits == 3
    counters = wait_callbacks(fresh_wire, lambda c: c["sent"] == 1)
    assert counters["attempts"] == 3 and counters["failed"] == 0


def test_an_answer_other_than_success_is_retried(fresh_wire: Wire, receiver: Receiver) -> None:
    receiver.answer = '{"ok": true}'
    key = fresh_wire.create(notify_url=receiver.url)["keys"][0]
    counters = wait_callbacks(fresh_wire, lambda c: c["failed"] == 1)
    tries = 1 + len(callbacks.WUJIE_RETRIES)
    assert counters["attempts"] == receiver.hits == tries == 6
    assert {b["key"] for b in receiver.bodies} == {key} and len(receiver.bodies) == tries


def test_gives_up_after_the_last_try(fresh_wire: Wire, receiver: Receiver) -> None:
    receiver.failures = 100
    fresh_wire.create(notify_url=receiver.url)
    counters = wait_callbacks(fresh_wire, lambda c: c["failed"] == 1)
    assert receiver.hits == counters["attempts"] == 1 + len(callbacks.WUJIE_RETRIES)


def test_non_loopback_targets_are_dropped(fresh_wire: Wire) -> None:
    key = fresh_wire.create(notify_url="http://example.com/hook")["keys"][0]
    fresh_wire.wait(key)
    assert wait_callbacks(fresh_wire, lambda c: c["dropped"] == 1)["attempts"] == 0


def test_mj_hook_gets_every_change_in_order(wire: Wire, receiver: Receiver) -> None:
    reply = wire.mj(
        "POST", "/mj/submit/imagine", json={"prompt": "owl", "notifyHook": receiver.url}
    )
    task_id = reply.json()["result"]
    bodies = receiver.wait_for(lambda b: any(x["status"] == "SUCCESS" for x in b))
    assert all(b["id"] == task_id for b in bodies)
    statuses = [b["status"] for b in bodies]
    assert statuses[0] == "SUBMITTED" and statuses[-1] == "SUCCESS"
    assert "IN_PROGRESS" in statuses
    progress = [int(b["progress"].rstrip("%")) for b in bodies]
    assert progress == sorted(progress) and progress[-1] == 100
    assert len(bodies[-1]["buttons"]) == 9


def test_avatar_notify_url(fresh_wire: Wire, receiver: Receiver) -> None:
    resource = fresh_wire.ok("GET", "/avatar/artwork/default_resource")
    template = resource["template_options"][0]["template_key"]
    created = fresh_wire.ok(
        "POST",
        "/avatar/artwork/create",
        json={
            "avatar_key": resource["avatar_key"],
            "prompt": "夜幕下的赛博朋克城市",
            "artwork_templates": [{"template_key": template, "number": 2}],
            "notify_url": receiver.url,
        },
    )
    bodies = receiver.wait_for(lambda b: len(b) == 2)
    assert {b["key"] for b in bodies} == set(created["keys"])
    assert all(b["integral_cost"] == 1 for b in bodies)
