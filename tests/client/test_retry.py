"""Retries, backoff and Retry-After against the sandbox's fault plan, over real HTTP.

Delays are read from the injected sleep (``random() == 1``, so each is the backoff ceiling
0.5, 1, 2 s); request counts from the sandbox's own counters. Creates are never re-sent
once they may have been processed.
"""

from __future__ import annotations

import email.utils
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from wjnb.client import Client
from wjnb.errors import (
    AmbiguousCreate,
    LockRace,
    MalformedResponse,
    RateLimited,
    TransportError,
)
from wjnb.http import RetryPolicy, parse_retry_after
from wjnb.models import Balance, CreateResult

BALANCE = "GET /account/availableIntegralBalance"
CREATE = "POST /ai/create"


def fault(kind: str, route: str, times: int | None = None, **options: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {"kind": kind, "rate": 1.0, "routes": [route], **options}
    if times is not None:
        rule["times"] = times
    return {"seed": 1, "rules": [rule]}


def requests(srv: Any, name: str) -> int:
    return int(srv.counters()["requests"].get(name, 0))


def creates(srv: Any) -> int:
    return int(srv.counters()["creates_by_route"].get(CREATE, 0))


# --------------------------------------------------------------------------- policy


def test_backoff_is_exponential_with_full_jitter_and_a_cap() -> None:
    policy = RetryPolicy(base=0.5, factor=2.0, cap=3.0, random=lambda: 1.0)
    assert [policy.backoff(n) for n in range(4)] == [0.5, 1.0, 2.0, 3.0]
    half = RetryPolicy(random=lambda: 0.5)
    assert [half.backoff(n) for n in range(3)] == [0.25, 0.5, 1.0]


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("2", now=now, cap=30) == 2.0
    assert parse_retry_after("120", now=now, cap=30) == 30.0
    assert parse_retry_after("-5", now=now, cap=30) == 0.0
    date = email.utils.formatdate(now + 7, usegmt=True)
    assert parse_retry_after(date, now=now, cap=30) == pytest.approx(7.0)
    assert parse_retry_after(email.utils.formatdate(now - 60, usegmt=True), now=now, cap=30) == 0
    for junk in (None, "", "soon", "nan"):
        assert parse_retry_after(junk, now=now, cap=30) is None


# --------------------------------------------------------------------------- reads


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (fault("5xx", "/account/*", 2, status=500), [0.5, 1.0]),
        (fault("5xx", "/account/*", 2, status=503), [0.5, 1.0]),
        (fault("reset", "/account/*", 2), [0.5, 1.0]),
        (fault("429", "/account/*", 2, retry_after=1), [1.0, 1.0]),
        (fault("429", "/account/*", 1, retry_after=100), [30.0]),  # capped
    ],
    ids=["500", "503", "reset", "429-retry-after", "429-capped"],
)
def test_reads_are_retried_with_the_advertised_delays(
    fresh_client: Client,
    fresh_sandbox: Any,
    delays: list[float],
    plan: Any,
    expected: list[float],
) -> None:
    fresh_sandbox.set_faults(plan)
    assert isinstance(fresh_client.wujie.balance(), Balance)
    assert delays == expected
    assert requests(fresh_sandbox, BALANCE) == len(expected) + 1


@pytest.mark.parametrize(
    ("plan", "error", "status"),
    [
        (fault("5xx", "/account/*", status=502), TransportError, 502),
        (fault("429", "/account/*", retry_after=0), RateLimited, 429),
        (fault("reset", "/account/*"), TransportError, None),
    ],
    ids=["502", "429", "reset"],
)
def test_retries_end_with_a_transport_error(
    fresh_client: Client,
    fresh_sandbox: Any,
    delays: list[float],
    plan: Any,
    error: type[Exception],
    status: int | None,
) -> None:
    fresh_sandbox.set_faults(plan)
    with pytest.raises(error) as caught:
        fresh_client.wujie.balance()
    assert isinstance(caught.value, TransportError) and caught.value.status == status
    assert caught.value.route == "/account/availableIntegralBalance"
    assert len(delays) == 3
    assert requests(fresh_sandbox, BALANCE) == 4


@pytest.mark.parametrize("kind", ["malformed", "html"])
def test_an_unreadable_read_is_retried_then_malformed(
    fresh_client: Client, fresh_sandbox: Any, kind: str
) -> None:
    fresh_sandbox.set_faults(fault(kind, "/account/*", 2))
    assert fresh_client.wujie.balance().balance is not None  # read on the third try
    assert requests(fresh_sandbox, BALANCE) == 3
    fresh_sandbox.set_faults(fault(kind, "/account/*"))
    with pytest.raises(MalformedResponse, match="not JSON"):
        fresh_client.wujie.balance()
    assert requests(fresh_sandbox, BALANCE) == 3 + 4  # max_retries (3) + 1


def test_a_reply_that_is_not_the_protocols_is_retried(
    fresh_client: Client, fresh_sandbox: Any
) -> None:
    fresh_sandbox.set_faults(fault("junk", "/account/*", 2))
    assert fresh_client.wujie.balance().balance is not None
    assert requests(fresh_sandbox, BALANCE) == 3
    fresh_sandbox.set_faults(fault("junk", "/mj/task/list", 1))
    assert isinstance(fresh_client.mj.list(), list)
    assert requests(fresh_sandbox, "GET /mj/task/list") == 2


# --------------------------------------------------------------------------- creates


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (fault("5xx", "/ai/create", 2, status=503), [0.5, 1.0]),
        (fault("429", "/ai/create", 1, retry_after=1), [1.0]),
    ],
    ids=["503", "429"],
)
def test_a_create_is_resent_only_after_a_not_processed_answer(
    fresh_client: Client,
    fresh_sandbox: Any,
    delays: list[float],
    plan: Any,
    expected: list[float],
) -> None:
    fresh_sandbox.set_faults(plan)
    result = fresh_client.wujie.create("a lighthouse at dusk")
    assert isinstance(result, CreateResult) and len(result.keys or []) == 1
    assert delays == expected
    assert requests(fresh_sandbox, CREATE) == len(expected) + 1
    assert creates(fresh_sandbox) == 1


@pytest.mark.parametrize(
    ("plan", "processed"),
    [
        (fault("reset_after", "/ai/create"), 1),
        (fault("slow", "/ai/create", delay=1.0), 1),
        (fault("malformed", "/ai/create"), 1),
        (fault("html", "/ai/create"), 1),
        (fault("5xx", "/ai/create", status=500), 0),
        (fault("reset", "/ai/create"), 0),
    ],
    ids=["reset_after", "read-timeout", "malformed", "html", "500", "reset"],
)
def test_a_create_that_may_have_been_processed_is_never_resent(
    sandbox_factory: Any, policy: RetryPolicy, delays: list[float], plan: Any, processed: int
) -> None:
    srv = sandbox_factory()
    srv.set_faults(plan)
    with (
        Client(sandbox=srv, retry=policy, timeout=0.3) as client,
        pytest.raises(AmbiguousCreate) as caught,
    ):
        client.wujie.create("a lighthouse at dusk", steps=20, seed=7, trace_id="t-1")
    error = caught.value
    assert error.route == "/ai/create"
    assert error.request == {
        "model": 1,
        "prompt": "a lighthouse at dusk",
        "steps": 20,
        "seed": "7",
        "trace_id": "t-1",
    }
    assert delays == []
    assert requests(srv, CREATE) == 1
    assert creates(srv) == processed  # the sandbox did (or did not) make it: we cannot tell


def test_avatar_create_is_never_resent(fresh_client: Client, fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(fault("reset_after", "/avatar/artwork/create"))
    with pytest.raises(AmbiguousCreate) as caught:
        fresh_client.avatar.create("AVATAR", "夜幕下的赛博朋克城市", templates=[("T1", 2)])
    assert caught.value.request["artwork_templates"] == [{"template_key": "T1", "number": 2}]
    assert requests(fresh_sandbox, "POST /avatar/artwork/create") == 1


# --------------------------------------------------------------------------- lock race


class LockRaceServer(ThreadingHTTPServer):
    """A loopback server answering the Wujie lock-race envelope ``races`` times, then 200.

    The sandbox has no fault that produces this envelope code, so this stands in.
    """

    def __init__(self, races: int) -> None:
        super().__init__(("127.0.0.1", 0), _LockRaceHandler)
        self.races = races
        self.posts = 0


class _LockRaceHandler(BaseHTTPRequestHandler):
    server: LockRaceServer

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posts += 1
        body: dict[str, Any]
        if self.server.posts <= self.server.races:
            body = {"code": "20010018", "message": "lock race", "data": None}
        else:
            body = {"code": "200", "message": "success", "data": {"keys": ["K1"]}}
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def lock_race_server() -> Iterator[LockRaceServer]:
    server = LockRaceServer(races=2)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def lock_race_client(server: LockRaceServer, sandbox: Any, policy: RetryPolicy) -> Client:
    return Client(
        app_id=sandbox.app_id,
        private_key=sandbox.private_key,
        base_url=f"http://127.0.0.1:{server.server_address[1]}/wj-open/v1",
        retry=policy,
    )


def test_a_lock_race_reply_is_submitted_again(
    lock_race_server: LockRaceServer, sandbox: Any, policy: RetryPolicy, delays: list[float]
) -> None:
    with lock_race_client(lock_race_server, sandbox, policy) as client:
        assert client.wujie.create("a lighthouse").keys == ["K1"]
    assert lock_race_server.posts == 3
    assert delays == [0.5, 1.0]


def test_a_lasting_lock_race_raises_lock_race(
    lock_race_server: LockRaceServer, sandbox: Any, policy: RetryPolicy, delays: list[float]
) -> None:
    lock_race_server.races = 10
    with lock_race_client(lock_race_server, sandbox, policy) as client, pytest.raises(LockRace):
        client.wujie.create("a lighthouse")
    assert lock_race_server.posts == 4
    assert delays == [0.5, 1.0, 2.0]
