"""The sandbox's ASGI application: prefix dispatch, counters, faults, then auth, then routes.

``/wj-open/v1/...`` goes to the Wujie routes; ``/mj/...``, ``/mj-fast/mj/...``,
``/mj-relax/mj/...`` and ``/mj-turbo/mj/...`` to the Midjourney-proxy routes (the prefix
picks the speed mode); ``/_sandbox/...`` (admin) and ``/cdn/...`` (images) need no auth and
never see faults. Faults act before auth, as a flaky gateway in front of the service would.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.routing import Router
from starlette.types import Message, Receive, Scope, Send

from . import (
    admin_routes,
    avatar_routes,
    cdn,
    lab_routes,
    mj_flavor_routes,
    mj_routes,
    pro_routes,
    tools_routes,
    video_routes,
    wujie_routes,
)
from .auth import check_mj_token
from .counters import route_name
from .faults import BEFORE, Fault, garble
from .state import SandboxState

WUJIE_PREFIX = "/wj-open/v1"
MJ_MODES = {"/mj-fast": "fast", "/mj-relax": "relax", "/mj-turbo": "turbo", "": "fast"}
WUJIE, MJ = "wujie", "mj"

#: The ``junk`` fault's body: well-formed JSON that no route of either protocol sends.
_JUNK = b'{"status": "ok", "message": "maintenance window", "retry": true}'
_HTML_ERROR = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>"
    b"<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


class ConnectionDropped(Exception):
    """Raised after a response has started, so uvicorn aborts the connection."""


class _QuietDrops(logging.Filter):
    """Hide uvicorn's traceback for the connections the fault plan drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


_uvicorn_error = logging.getLogger("uvicorn.error")
if not any(isinstance(f, _QuietDrops) for f in _uvicorn_error.filters):
    _uvicorn_error.addFilter(_QuietDrops())


def split_path(path: str) -> tuple[str, str, str] | None:
    """(protocol, API path, MJ mode) for API paths, None for admin/CDN/unknown paths."""
    if path.startswith(WUJIE_PREFIX + "/"):
        return WUJIE, path[len(WUJIE_PREFIX) :], ""
    for prefix, mode in MJ_MODES.items():
        if path.startswith(prefix + "/mj/"):
            return MJ, path[len(prefix) :], mode
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _json_message(
    status: int, payload: Any, extra: list[tuple[bytes, bytes]] | None = None
) -> list[Message]:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return _messages(status, body, b"application/json", extra)


def _messages(
    status: int, body: bytes, media: bytes, extra: list[tuple[bytes, bytes]] | None = None
) -> list[Message]:
    headers = [(b"content-type", media), (b"content-length", str(len(body)).encode())]
    return [
        {"type": "http.response.start", "status": status, "headers": headers + (extra or [])},
        {"type": "http.response.body", "body": body},
    ]


def _error_payload(protocol: str, status: int, message: str) -> dict[str, Any]:
    if protocol == WUJIE:
        return {"code": str(status), "message": message, "data": None, "success": False}
    return {"code": status, "description": message, "result": None, "properties": {}}


async def _drop(send: Send) -> None:
    """Start a response that promises a body, then abort: the client sees a broken reply."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
        }
    )
    raise ConnectionDropped


async def _capture(
    app: Callable[[Scope, Receive, Send], Awaitable[None]], scope: Scope, receive: Receive
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Run ``app`` and collect its response instead of sending it."""
    start: MutableMapping[str, Any] = {}
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return int(start.get("status", 500)), list(start.get("headers", [])), b"".join(chunks)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole request body; returns it and a ``receive`` that replays it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return body, replay


class SandboxApp:
    """The ASGI entry point."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        flavor = state.mj.flavor
        mj = (
            Router(mj_flavor_routes.routes(state, flavor), default=mj_flavor_routes.default(flavor))
            if flavor
            else Router(mj_routes.routes(state), default=self._not_found(MJ))
        )
        self._routers = {
            WUJIE: Router(
                [
                    *wujie_routes.routes(state),
                    *pro_routes.routes(state),
                    *tools_routes.routes(state),
                    *video_routes.routes(state),
                    *avatar_routes.routes(state),
                    *lab_routes.routes(state),
                ],
                default=self._not_found(WUJIE),
            ),
            MJ: mj,
        }
        root = admin_routes.routes(state) + cdn.routes(state)
        self._root = Router(root + mj_flavor_routes.root_routes(flavor))

    def _not_found(self, protocol: str) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
            message = f"no route {scope['method']} {scope['path']}"
            for m in _json_message(404, _error_payload(protocol, 404, message)):
                await send(m)

        return not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        api = split_path(scope["path"])
        if api is None:
            await self._root(scope, receive, send)
            return
        protocol, path, mode = api
        state = self.state
        if protocol == WUJIE:
            send = self._traced(send)
        state.counters.requests[route_name(scope["method"], path)] += 1
        request = ""
        if state.faults.needs_request:  # a rule looks for a key or id in the request
            body, receive = await _buffered(receive)
            request = scope.get("query_string", b"").decode("latin-1") + "\n"
            request += body.decode("utf-8", "replace")
        fault = state.faults.decide(path, request)
        if fault is not None:
            state.counters.faults[fault.kind] += 1
            if fault.kind in BEFORE:
                await self._fault_before(fault, protocol, send)
                return
        flavor = state.mj.flavor
        if protocol == MJ and flavor is not None:
            stop = mj_flavor_routes.gate(flavor, state.credentials.mj_token, scope, path)
            if stop is not None:
                state.counters.auth_refused += stop.status_code in (401, 403)
                await stop(scope, receive, send)
                return
        problem = None if protocol == MJ and flavor else self._auth_problem(protocol, scope)
        if problem is not None:
            state.counters.auth_refused += 1
            for m in _json_message(401, _error_payload(protocol, 401, problem)):
                await send(m)
            return
        child = dict(scope, path=path, root_path="", raw_path=path.encode())
        child["wjnb.mode"] = mode
        router = self._routers[protocol]
        if fault is None:
            await router(child, receive, send)
            return
        status, headers, body = await _capture(router, child, receive)
        await self._fault_after(fault, protocol, status, headers, body, send)

    def _traced(self, send: Send) -> Send:
        """``send`` adding a ``TRACE_ID`` header to the reply, as the service does (§10.7)."""
        trace = self.state.ids.key().lower().encode()

        async def traced(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"TRACE_ID", trace)]
                message = {**message, "headers": headers}
            await send(message)

        return traced

    def _auth_problem(self, protocol: str, scope: Scope) -> str | None:
        if protocol == WUJIE:
            return self.state.verifier.check(_header(scope, b"authorization"))
        return check_mj_token(
            self.state.credentials.mj_token,
            _header(scope, b"authorization"),
            _header(scope, b"mj-api-secret"),
        )

    async def _fault_before(self, fault: Fault, protocol: str, send: Send) -> None:
        if fault.kind == "reset":
            await _drop(send)
        if fault.kind == "429":
            messages = _json_message(
                429,
                _error_payload(protocol, 429, "sandbox fault: too many requests"),
                [(b"retry-after", f"{fault.retry_after:g}".encode())],
            )
        else:
            messages = _json_message(
                fault.status,
                _error_payload(protocol, fault.status, "sandbox fault: service unavailable"),
            )
        for m in messages:
            await send(m)

    async def _fault_after(
        self,
        fault: Fault,
        protocol: str,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        send: Send,
    ) -> None:
        if fault.kind == "reset_after":
            await _drop(send)
        if fault.kind == "slow":
            await asyncio.sleep(fault.delay)
            kept = [(k, v) for k, v in headers if k not in (b"content-length", b"content-type")]
            media = dict(headers).get(b"content-type", b"application/json")
            messages = _messages(status, body, media, kept)
        elif fault.kind == "malformed":
            messages = _messages(200, body[: max(1, len(body) // 2)], b"application/json")
        elif fault.kind == "html":
            messages = _messages(200, _HTML_ERROR, b"text/html; charset=utf-8")
        elif fault.kind == "junk":
            messages = _messages(200, _JUNK, b"application/json")
        else:  # garbage
            garbage = self._garbage(protocol, body, fault.variant)
            messages = _messages(200, garbage, b"application/json")
        for m in messages:
            await send(m)

    def _garbage(self, protocol: str, body: bytes, variant: str) -> bytes:
        rng = self.state.faults.rng
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {}
        if protocol == WUJIE and isinstance(payload, dict) and "data" in payload:
            payload = {**payload, "data": garble(payload["data"], rng, variant=variant)}
        elif isinstance(payload, dict) and "code" in payload:
            payload = {**garble(payload, rng, variant=variant), "code": payload["code"]}
        else:
            payload = garble(payload, rng, variant=variant)
        return json.dumps(payload, ensure_ascii=False).encode()
