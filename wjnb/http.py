"""HTTP transport: one keep-alive ``httpx.AsyncClient`` per base URL, with retries.

Retries use exponential backoff with full jitter and honour ``Retry-After``. A request
that is not idempotent (it creates paid work) is only re-sent when it provably was not
processed: it never left (connect errors), or the server said so (429, 503, or a reply
the protocol marks as "submit again"). Otherwise ``AmbiguousCreate`` is raised with the
body that was sent. Nothing here logs or formats headers or bodies.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import json
import logging
import math
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from .errors import (
    AmbiguousCreate,
    AuthError,
    ImageError,
    MalformedResponse,
    RateLimited,
    TransportError,
)
from .models import repair_json

log = logging.getLogger("wjnb.http")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

# Errors raised before any byte of the request reached the server.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Statuses that say "not processed, try again" even for a create.
_NOT_PROCESSED = frozenset({429, 503})


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one costs ~20 ms per client."""
    return httpx.create_ssl_context()


class Requester(Protocol):
    """What the ``api`` modules need from a transport: one JSON request, one JSON reply."""

    async def request(
        self,
        method: str,
        route: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        idempotent: bool = True,
        accept: Callable[[Any], object] | None = None,
    ) -> Any: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry.

    The n-th retry (n = 0, 1, ...) waits ``random() * min(cap, base * factor**n)`` seconds
    (full jitter), or the server's ``Retry-After`` capped at ``retry_after_cap``.
    ``sleep`` and ``random`` are injectable so tests can read the delays requested.
    """

    max_retries: int = 3
    base: float = 0.5
    factor: float = 2.0
    cap: float = 8.0
    retry_after_cap: float = 30.0
    sleep: Callable[[float], Awaitable[Any]] = field(
        default=asyncio.sleep, compare=False, repr=False
    )
    random: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def backoff(self, retry: int) -> float:
        """Delay before retry number ``retry`` (0-based), with full jitter."""
        return self.random() * min(self.cap, self.base * self.factor**retry)


@dataclass(frozen=True)
class Rounds:
    """A bounded number of tries of one step above the transport, with doubling pauses."""

    tries: int
    first_pause: float
    max_pause: float

    def pause(self, attempt: int) -> float:
        """Seconds to wait after try number ``attempt`` (0-based) failed."""
        return float(min(self.max_pause, self.first_pause * 2**attempt))


# Every retry and back-off of wjnb, in one place. The transport's own retries (resets,
# 5xx, 429, unreadable replies of idempotent reads) follow ``RetryPolicy``; these rounds
# sit above it, each for one situation the transport cannot judge alone.

#: A sweep's create that the service provably never processed (429, 503, a connect
#: error: the transport's retries are spent) is sent again up to this many times.
CREATE_ROUNDS = Rounds(tries=4, first_pause=0.5, max_pause=4.0)
#: Reads of the Midjourney proxy's task list looking for a submit whose reply was lost.
AMBIGUOUS_FIND_ROUNDS = Rounds(tries=4, first_pause=0.25, max_pause=2.0)
#: Reads of a finished job's detail (``/ai/info``) that lags its poll or fails.
DETAIL_LAG_ROUNDS = Rounds(tries=6, first_pause=0.2, max_pause=5.0)
#: A Midjourney submit refused with code 3 ("no account available": every account busy,
#: disabled or at its day limit), or with a full queue none of our tasks fill: it waits
#: and is sent again (the proxy provably took nothing), about nine minutes in all.
NO_ACCOUNT_ROUNDS = Rounds(tries=20, first_pause=0.5, max_pause=30.0)
#: Image downloads (idempotent GETs of the CDN): resets, 5xx and 429 are retried.
DOWNLOAD_RETRY = RetryPolicy(max_retries=2, base=0.25, cap=2.0)


def parse_retry_after(value: str | None, *, now: float, cap: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date), capped."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - now
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), cap)


def _service_message(response: httpx.Response) -> str:
    """``": <message>"`` from a JSON error reply (Wujie ``message``, MJ ``description``)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    message = body.get("message") or body.get("description")
    return f": {str(message)[:200]}" if message else ""


class Endpoint:
    """One base URL: its ``httpx.AsyncClient`` (keep-alive, auth flow) and the retry loop.

    ``resend_reply`` marks a successfully received reply as "not processed, submit again"
    (Wujie's lock-race code); the protocol decides, this class only obeys.
    """

    def __init__(
        self,
        base_url: str,
        auth: httpx.Auth,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        resend_reply: Callable[[Any], bool] = lambda body: False,
    ) -> None:
        self.base_url = base_url
        self.retry = retry or RetryPolicy()
        self._resend_reply = resend_reply
        self._client = httpx.AsyncClient(
            base_url=base_url + "/",
            auth=auth,
            timeout=timeout,
            verify=_ssl_context(),
            headers={"Accept": "application/json"},
        )

    async def request(
        self,
        method: str,
        route: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        idempotent: bool = True,
        accept: Callable[[Any], object] | None = None,
    ) -> Any:
        """Send ``method route`` and return the decoded JSON reply.

        An idempotent read whose reply cannot be read (truncated JSON, an HTML page, or a
        body ``accept`` rejects with ``MalformedResponse``) is retried like a 5xx.
        Raises ``AuthError`` (401/403), ``RateLimited`` / ``TransportError`` once retries
        are spent, ``MalformedResponse`` for a reply that stays unreadable, and, when
        ``idempotent`` is false, ``AmbiguousCreate`` whenever the request may have been
        processed without its reply being read.
        """
        content = None if json_body is None else json.dumps(json_body, ensure_ascii=False)
        request = self._client.build_request(
            method,
            route.lstrip("/"),
            params=params,
            content=content,
            headers={"Content-Type": "application/json"} if content is not None else None,
        )
        policy = self.retry
        what = f"{method} {route}"
        attempt = 0
        while True:
            attempt += 1
            last = attempt > policy.max_retries
            started = time.monotonic()
            try:
                response = await self._client.send(request)
            except httpx.RequestError as exc:
                cause = type(exc).__name__
                log.debug(
                    "%s -> %s after %.3fs (attempt %d)",
                    what,
                    cause,
                    time.monotonic() - started,
                    attempt,
                )
                if not idempotent and not isinstance(exc, _NEVER_SENT):
                    raise AmbiguousCreate(
                        f"{what}: {cause} after sending; it may have been processed",
                        route=route,
                        request=json_body,
                    ) from exc
                if last:
                    raise TransportError(
                        f"{what}: {cause} on {attempt} attempts", route=route
                    ) from exc
                await self._pause(what, policy.backoff(attempt - 1), cause)
                continue

            status = response.status_code
            log.debug(
                "%s -> %d in %.3fs (attempt %d)", what, status, time.monotonic() - started, attempt
            )
            if status in (401, 403):
                raise AuthError(
                    f"{what}: HTTP {status}, the service refused the credentials"
                    + _service_message(response)
                )
            if status == 429 or status >= 500:
                if not idempotent and status not in _NOT_PROCESSED:
                    raise AmbiguousCreate(
                        f"{what}: HTTP {status}; it may have been processed",
                        route=route,
                        request=json_body,
                    )
                if last:
                    error = RateLimited if status == 429 else TransportError
                    raise error(
                        f"{what}: HTTP {status} on {attempt} attempts", route=route, status=status
                    )
                delay = parse_retry_after(
                    response.headers.get("Retry-After"), now=time.time(), cap=policy.retry_after_cap
                )
                if delay is None:
                    delay = policy.backoff(attempt - 1)
                await self._pause(what, delay, f"HTTP {status}")
                continue

            try:
                body = self._decode(response, what, route, json_body, idempotent)
                if idempotent and accept is not None:
                    accept(body)
            except MalformedResponse:
                if not idempotent or last:
                    raise
                await self._pause(what, policy.backoff(attempt - 1), "an unreadable reply")
                continue
            if last or not self._resend_reply(body):
                return body
            await self._pause(what, policy.backoff(attempt - 1), "a submit-again reply")

    async def _pause(self, what: str, delay: float, cause: str) -> None:
        log.debug("%s: retrying in %.3fs after %s", what, delay, cause)
        await self.retry.sleep(delay)

    @staticmethod
    def _decode(
        response: httpx.Response, what: str, route: str, sent: Any, idempotent: bool
    ) -> Any:
        """The JSON reply (an empty body reads as None).

        An error status passes only when it carries a protocol reply (a ``code``); a
        non-idempotent request whose success reply is not a JSON object is ambiguous.
        """
        status = response.status_code
        try:
            body = repair_json(response.text) if response.content.strip() else None
        except ValueError:
            problem = (
                f"{what}: HTTP {status} with a reply that is not JSON "
                f"({response.headers.get('Content-Type', 'no content type')}, "
                f"{len(response.content)} bytes)"
            )
            if status >= 400:
                raise TransportError(problem, route=route, status=status) from None
            if not idempotent:
                raise AmbiguousCreate(
                    problem + "; it may have been processed", route=route, request=sent
                ) from MalformedResponse(problem, route=route, status=status)
            raise MalformedResponse(problem, route=route, status=status) from None
        if status >= 400 and not (isinstance(body, dict) and "code" in body):
            raise TransportError(f"{what}: HTTP {status}", route=route, status=status)
        if not idempotent and not isinstance(body, dict):
            raise AmbiguousCreate(
                f"{what}: HTTP {status} without a readable reply; it may have been processed",
                route=route,
                request=sent,
            )
        return body

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    def __repr__(self) -> str:
        return f"Endpoint({self.base_url!r})"


async def download(
    http: httpx.AsyncClient,
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    retry: RetryPolicy = DOWNLOAD_RETRY,
) -> bytes:
    """GET ``url`` within ``max_bytes``; a reset, a 5xx or a 429 is retried (``retry``).

    Raises ``ImageError`` for anything else, or once the retries are spent.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return await _stream(http, url, timeout, max_bytes)
        except _Transient as exc:
            if attempt > retry.max_retries:
                raise ImageError(f"image download failed: {exc}") from None
            await retry.sleep(exc.delay if exc.delay is not None else retry.backoff(attempt - 1))
        except httpx.TimeoutException:
            raise ImageError(f"image download timed out after {timeout:g} s") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise ImageError(f"image download failed: {type(exc).__name__}") from None


class _Transient(Exception):
    """A download worth trying again (after ``delay`` seconds when the server said so)."""

    def __init__(self, cause: str, delay: float | None = None) -> None:
        super().__init__(cause)
        self.delay = delay


async def _stream(http: httpx.AsyncClient, url: str, timeout: float, max_bytes: int) -> bytes:
    try:
        async with http.stream("GET", url, timeout=timeout) as resp:
            status = resp.status_code
            if status == 429 or status >= 500:
                delay = parse_retry_after(
                    resp.headers.get("Retry-After"), now=time.time(), cap=DOWNLOAD_RETRY.cap
                )
                raise _Transient(f"HTTP {status}", delay)
            if status != 200:
                raise ImageError(f"image download failed with HTTP {status}")
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ImageError(f"image of {declared} bytes exceeds the {max_bytes} cap")
            chunks: list[bytes] = []
            total = 0
            async for chunk in resp.aiter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise ImageError(f"image exceeds the {max_bytes} byte cap")
                chunks.append(chunk)
    except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError) as exc:
        raise _Transient(type(exc).__name__) from None
    return b"".join(chunks)
