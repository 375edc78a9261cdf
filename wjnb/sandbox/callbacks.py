"""Delivery of Wujie ``notify_url`` and MJ ``notifyHook`` callbacks, loopback targets only.

One shared ``httpx.AsyncClient`` on the server loop POSTs JSON. Wujie callbacks follow the
service's published schedule: retries 5, 10, 30, 60 and 120 virtual seconds after the first
try (scaled by the sandbox speed), stopping once the receiver answers with the text
``success``. MJ hooks get up to six tries 0.5, 1, 2, 4 and 8 real seconds apart, stopping at
any 2xx.
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

from .clock import VirtualClock
from .counters import Counters

TRIES = 6
BACKOFF_SECONDS = 0.5
WUJIE_RETRIES = (5.0, 10.0, 30.0, 60.0, 120.0)  # virtual seconds (Apifox api-110972239)
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

    def __init__(self, counters: Counters, clock: VirtualClock) -> None:
        self._counters = counters
        self._clock = clock
        self._client = httpx.AsyncClient(timeout=TIMEOUT_SECONDS, trust_env=False)
        self._tasks: set[asyncio.Task[None]] = set()
        self._streams: dict[str, asyncio.Task[None]] = {}

    def send(
        self,
        url: str,
        payload: dict[str, Any],
        stream: str | None = None,
        *,
        retry_on_text: bool = False,
        tries: int | None = None,
    ) -> None:
        """Schedule delivery of ``payload`` to ``url`` (call on the server loop).

        ``retry_on_text``: the Wujie schedule, done only when the reply's text is ``success``.
        ``tries``: how many MJ tries at most (1 for the proxy flavours, which never retry).
        """
        if not is_loopback(url):
            self._counters.callbacks["dropped"] += 1
            return
        previous = self._streams.get(stream) if stream else None
        delays = self._wujie_delays() if retry_on_text else self._mj_delays(tries or TRIES)
        deliver = self._deliver(url, payload, previous, delays, retry_on_text)
        task = asyncio.get_running_loop().create_task(deliver)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if stream:
            self._streams[stream] = task
            task.add_done_callback(lambda t: self._forget(stream, t))

    def _forget(self, stream: str, task: asyncio.Task[None]) -> None:
        if self._streams.get(stream) is task:
            del self._streams[stream]

    def _wujie_delays(self) -> list[float]:
        return [self._clock.real_delay(d) for d in WUJIE_RETRIES]

    def _mj_delays(self, tries: int) -> list[float]:
        return [BACKOFF_SECONDS * 2**attempt for attempt in range(tries - 1)]

    async def _deliver(
        self,
        url: str,
        payload: dict[str, Any],
        previous: asyncio.Task[None] | None,
        delays: list[float],
        want_text: bool,
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        for delay in [*delays, None]:
            self._counters.callbacks["attempts"] += 1
            try:
                response = await self._client.post(url, json=payload)
                if response.is_success and (not want_text or response.text.strip() == "success"):
                    self._counters.callbacks["sent"] += 1
                    return
            except httpx.HTTPError:
                pass
            if delay is not None:
                await asyncio.sleep(delay)
        self._counters.callbacks["failed"] += 1

    async def aclose(self) -> None:
        """Cancel pending deliveries and close the HTTP client."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks))
        await self._client.aclose()
