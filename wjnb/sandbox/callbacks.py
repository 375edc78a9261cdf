"""Delivery of Wujie ``notify_url`` and MJ ``notifyHook`` callbacks, loopback targets only.

One shared ``httpx.AsyncClient`` on the server loop POSTs JSON with up to six tries,
0.5, 1, 2, 4 and 8 s apart (the service's own retry rules are unpublished; a window of
~15 s lets a kernel restarted after a crash still receive callbacks meant for the old one).
Targets outside 127.0.0.0/8, ``localhost`` and ``::1`` are never called:
they are dropped and counted, so a sandbox cannot be used to reach other hosts. Deliveries
on one ``stream`` (an MJ task) are sent in order. ``tries=1`` (the MJ proxy flavours) sends
once and never retries, as the real proxies do.
"""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any
from urllib.parse import urlsplit

import httpx

from .counters import Counters

TRIES = 6
BACKOFF_SECONDS = 0.5
TIMEOUT_SECONDS = 5.0


def is_loopback(url: str) -> bool:
    """True for http(s) URLs whose host is a loopback address or ``localhost``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class CallbackSender:
    """Fire-and-forget POSTs with retries; results land in ``counters.callbacks``."""

    def __init__(self, counters: Counters) -> None:
        self._counters = counters
        self._client = httpx.AsyncClient(timeout=TIMEOUT_SECONDS, trust_env=False)
        self._tasks: set[asyncio.Task[None]] = set()
        self._streams: dict[str, asyncio.Task[None]] = {}

    def send(
        self,
        url: str,
        payload: dict[str, Any],
        stream: str | None = None,
        tries: int | None = None,
    ) -> None:
        """Schedule delivery of ``payload`` to ``url`` (call on the server loop)."""
        if not is_loopback(url):
            self._counters.callbacks["dropped"] += 1
            return
        previous = self._streams.get(stream) if stream else None
        task = asyncio.get_running_loop().create_task(
            self._deliver(url, payload, previous, tries or TRIES)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if stream:
            self._streams[stream] = task
            task.add_done_callback(lambda t: self._forget(stream, t))

    def _forget(self, stream: str, task: asyncio.Task[None]) -> None:
        if self._streams.get(stream) is task:
            del self._streams[stream]

    async def _deliver(
        self, url: str, payload: dict[str, Any], previous: asyncio.Task[None] | None, tries: int
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        for attempt in range(tries):
            self._counters.callbacks["attempts"] += 1
            try:
                response = await self._client.post(url, json=payload)
                if response.is_success:
                    self._counters.callbacks["sent"] += 1
                    return
            except httpx.HTTPError:
                pass
            if attempt + 1 < tries:
                await asyncio.sleep(BACKOFF_SECONDS * 2**attempt)
        self._counters.callbacks["failed"] += 1

    async def aclose(self) -> None:
        """Cancel pending deliveries and close the HTTP client."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks))
        await self._client.aclose()
