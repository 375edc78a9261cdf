"""Wire-level helpers for the sandbox tests: plain httpx plus our own request signing.

Deliberately independent of the client package (``wjnb.auth``, ``wjnb.http``...): a bug
there must not hide a bug in the sandbox, so the tests sign and parse by hand.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import wjnb.sandbox

DEADLINE = 15.0


def sign_header(app_id: str, private_key_b64: str, timestamp: float | None = None) -> str:
    """A Wujie ``Authorization`` value, signed with the given key."""
    key = serialization.load_der_private_key(base64.b64decode(private_key_b64), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    stamp = int(time.time() if timestamp is None else timestamp)
    original = json.dumps({"appId": app_id, "timestamp": stamp}, separators=(",", ":"))
    sign = key.sign(original.encode(), padding.PKCS1v15(), hashes.SHA256())
    return json.dumps(
        {
            "sign": base64.b64encode(sign).decode(),
            "secretKeyVersion": "1",
            "appId": app_id,
            "original": original,
        }
    )


class Wire:
    """Signed requests to one sandbox, and waiting on states by polling with a deadline."""

    def __init__(self, srv: wjnb.sandbox.Sandbox) -> None:
        self.srv = srv
        self.http = httpx.Client(timeout=10, trust_env=False)
        self.auth = sign_header(srv.app_id, srv.private_key)

    def wj(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A signed Wujie request; ``path`` is relative to the base URL."""
        headers = {"Authorization": self.auth, **kwargs.pop("headers", {})}
        return self.http.request(method, self.srv.wujie_base_url + path, headers=headers, **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        """``data`` of a successful Wujie reply (asserting the envelope)."""
        reply = self.wj(method, path, **kwargs)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["code"] == "200" and body["success"] is True, body
        assert body["message"] == "success"
        return body["data"]

    def error(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """The envelope of a Wujie reply that must be an error."""
        body = self.wj(method, path, **kwargs).json()
        assert body["success"] is False and body["data"] is None, body
        assert isinstance(body["code"], str)
        return dict(body)

    def create(self, **fields: Any) -> dict[str, Any]:
        """``/ai/create`` with defaults (model 1, a prompt)."""
        body = {"model": 1, "prompt": "a lighthouse at dusk", **fields}
        return dict(self.ok("POST", "/ai/create", json=body))

    def poll(self, key: str) -> dict[str, Any]:
        """One ``/ai/generating_info`` entry."""
        (entry,) = self.ok("POST", "/ai/generating_info", json=[key])["list"]
        return dict(entry)

    def wait(
        self,
        key: str,
        until: Callable[[dict[str, Any]], bool] = lambda e: e["status"] in (-1, 3, 4, 12),
    ) -> dict[str, Any]:
        """Poll ``key`` until ``until(entry)`` holds (default: a terminal status)."""
        deadline = time.monotonic() + DEADLINE
        while True:
            entry = self.poll(key)
            if until(entry):
                return entry
            assert time.monotonic() < deadline, f"timed out waiting on {key}: {entry}"
            time.sleep(0.005)

    def mj(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """An MJ request with the bearer token; ``path`` starts with ``/mj/``."""
        headers = {"Authorization": f"Bearer {self.srv.mj_token}", **kwargs.pop("headers", {})}
        return self.http.request(method, self.srv.mj_base_url + path, headers=headers, **kwargs)

    def submit(self, route: str, **body: Any) -> dict[str, Any]:
        """An MJ ``/mj/submit/<route>`` reply."""
        reply = self.mj("POST", f"/mj/submit/{route}", json=body)
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def fetch(self, task_id: str) -> dict[str, Any]:
        """One MJ task."""
        reply = self.mj("GET", f"/mj/task/{task_id}/fetch")
        assert reply.status_code == 200, reply.text
        return dict(reply.json())

    def wait_task(self, task_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Poll an MJ task until terminal; returns it and every distinct state seen."""
        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + DEADLINE
        while True:
            task = self.fetch(task_id)
            if not seen or (seen[-1]["status"], seen[-1]["progress"]) != (
                task["status"],
                task["progress"],
            ):
                seen.append(task)
            if task["status"] in ("SUCCESS", "FAILURE", "CANCEL"):
                return task, seen
            assert time.monotonic() < deadline, task
            time.sleep(0.003)

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        """An admin route's JSON."""
        reply = self.http.request(method, self.srv.url + "/_sandbox" + path, **kwargs)
        assert reply.status_code == 200, reply.text
        return reply.json()


@pytest.fixture
def wire(sandbox: wjnb.sandbox.Sandbox) -> Iterator[Wire]:
    """Requests to the shared sandbox."""
    w = Wire(sandbox)
    yield w
    w.http.close()


@pytest.fixture
def fresh_wire(fresh_sandbox: wjnb.sandbox.Sandbox) -> Iterator[Wire]:
    """Requests to a private sandbox."""
    w = Wire(fresh_sandbox)
    yield w
    w.http.close()


@pytest.fixture
def wire_for() -> Iterator[Callable[[wjnb.sandbox.Sandbox], Wire]]:
    """``wire_for(srv)``: requests to a sandbox the test started itself."""
    made: list[Wire] = []

    def make(srv: wjnb.sandbox.Sandbox) -> Wire:
        made.append(Wire(srv))
        return made[-1]

    yield make
    for w in made:
        w.http.close()
