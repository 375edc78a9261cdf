"""The callback receiver: a tiny loopback HTTP server on the client's loop.

The service POSTs to ``notify_url`` / ``notifyHook`` when work finishes; each URL carries
the request's id and a per-request secret, so only the service we told can finish a job.
It binds 127.0.0.1 only, caps bodies, and counts what it ignores. It prefers the port the
home used last time, so a restarted kernel still receives callbacks addressed to the one
that died (that is how creates in flight during a crash are reconciled).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hmac
import json
import logging
import socket
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

log = logging.getLogger("wjnb.receiver")

#: Largest callback body accepted.
MAX_BODY = 256 * 1024

#: ``handler(backend, request_id, body)`` (``"wujie"``, ``"mj"``...). Returns True when
#: the callback was used, False when it was unknown or a replay.
Handler = Callable[[str, str, dict[str, Any]], Awaitable[bool]]
SecretLookup = Callable[[str], str | None]


class Receiver:
    """Serve ``POST /cb/{kind}/{request_id}/{secret}`` on loopback."""

    def __init__(
        self,
        handler: Handler,
        secret_for: SecretLookup,
        port_file: Path,
        accepts: Callable[[str], bool] = lambda backend: backend in ("wujie", "mj"),
    ) -> None:
        self._handler = handler
        self._accepts = accepts
        self._secret_for = secret_for
        self._port_file = port_file
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = 0
        self.counts: Counter[str] = Counter()
        self._pending: set[asyncio.Task[None]] = set()

    @property
    def base_url(self) -> str:
        """Where the service should post, e.g. ``http://127.0.0.1:40123``."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, kind: str, request_id: str, secret: str) -> str:
        """The notify URL of one request."""
        return f"{self.base_url}/cb/{kind}/{request_id}/{secret}"

    async def start(self) -> None:
        """Bind (the remembered port if free) and serve on the running loop."""
        sock = self._bind()
        self.port = sock.getsockname()[1]
        with contextlib.suppress(OSError):
            self._port_file.write_text(str(self.port))
        app = Starlette(routes=[Route("/cb/{kind}/{rid}/{secret}", self._post, methods=["POST"])])
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        """Stop serving."""
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 5)
            self._server = None

    def _bind(self) -> socket.socket:
        wanted = 0
        with contextlib.suppress(OSError, ValueError):
            wanted = int(self._port_file.read_text().strip())
        for port in (wanted, 0) if wanted else (0,):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError as exc:
                sock.close()
                if exc.errno != errno.EADDRINUSE or port == 0:
                    raise
                continue
            sock.listen(128)
            return sock
        raise OSError("no port for the callback receiver")  # pragma: no cover

    async def _post(self, request: Request) -> Response:
        kind = request.path_params["kind"]
        rid = request.path_params["rid"]
        expected = self._secret_for(rid) if self._accepts(kind) else None
        if expected is None or not hmac.compare_digest(expected, request.path_params["secret"]):
            self.counts["refused"] += 1
            return JSONResponse({"ok": False}, status_code=404)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            self.counts["too_large"] += 1
            return JSONResponse({"ok": False}, status_code=413)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                self.counts["too_large"] += 1
                return JSONResponse({"ok": False}, status_code=413)
        try:
            data = json.loads(body)
        except ValueError:
            self.counts["malformed"] += 1
            return JSONResponse({"ok": False}, status_code=400)
        if not isinstance(data, dict):
            self.counts["malformed"] += 1
            return JSONResponse({"ok": False}, status_code=400)
        # Acknowledge at once and handle after: a sender that waits for each answer (and
        # retries slow ones) must never queue behind our reads of the artwork's detail.
        task = asyncio.get_running_loop().create_task(self._handle(kind, rid, data))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return PlainTextResponse("success")  # the text that stops Wujie's retries

    async def _handle(self, kind: str, rid: str, data: dict[str, Any]) -> None:
        try:
            used = await self._handler(kind, rid, data)
        except Exception:
            log.exception("callback handler failed")
            self.counts["failed"] += 1
            return
        self.counts["used" if used else "ignored"] += 1
