"""The callback receiver: loopback only, a per-request secret, capped bodies (413), and
unknown, malformed or replayed posts ignored and counted (``Receiver.counts``).

First the receiver on its own (a recording handler), then inside a client whose jobs the
sandbox really finishes through callbacks.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hardening_support import SMALL, wait_until

from wjnb._loop import LoopThread
from wjnb.jobs.receiver import MAX_BODY, Receiver

SECRET = "s3cret-token"


class Harness:
    """A receiver on its own loop thread, answering for one request id ``R1``."""

    def __init__(self, home: Path) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.answer: Any = True
        self.loop = LoopThread()
        self.receiver = Receiver(self._handle, self._secret, home / "receiver.port")
        self.loop.run(self.receiver.start())
        self.http = httpx.Client(timeout=5, trust_env=False)

    async def _handle(self, kind: str, rid: str, body: dict[str, Any]) -> bool:
        self.calls.append((kind, rid, body))
        if isinstance(self.answer, Exception):
            raise self.answer
        return bool(self.answer)

    @staticmethod
    def _secret(rid: str) -> str | None:
        return SECRET if rid == "R1" else None

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(self.receiver.base_url + path, **kwargs)

    def close(self) -> None:
        self.http.close()
        self.loop.run(self.receiver.stop())
        self.loop.close()


@pytest.fixture
def rx(tmp_path: Path) -> Iterator[Harness]:
    h = Harness(tmp_path)
    yield h
    h.close()


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a LISTEN socket on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port and state == "0A":
                found.add(address)
    return found


def test_binds_loopback_only(rx: Harness) -> None:
    assert rx.receiver.base_url.startswith("http://127.0.0.1:")
    addresses = _listening_addresses(rx.receiver.port)
    assert Path("/proc/net/tcp").exists(), "no /proc/net/tcp to read the listening address from"
    assert addresses == {"0100007F"}  # 127.0.0.1, nothing on 0.0.0.0 or ::


def test_a_good_post_is_used(rx: Harness) -> None:
    reply = rx.post(f"/cb/wujie/R1/{SECRET}", json={"key": "K"})
    assert reply.status_code == 200 and reply.text == "success"
    wait_until(lambda: rx.receiver.counts["used"] == 1, 5, "the post to be handled")
    assert rx.calls == [("wujie", "R1", {"key": "K"})]


@pytest.mark.parametrize(
    "path",
    [
        "/cb/wujie/R1/wrong",
        f"/cb/wujie/R2/{SECRET}",  # a request this receiver does not know
        f"/cb/other/R1/{SECRET}",  # an unknown kind
        "/cb/wujie/R1/" + SECRET[:-1],
        "/cb/wujie/R1/" + SECRET + "x",
    ],
)
def test_a_wrong_secret_is_refused_and_counted(rx: Harness, path: str) -> None:
    reply = rx.post(path, json={"key": "K"})
    assert reply.status_code == 404
    assert rx.calls == [] and rx.receiver.counts["refused"] == 1


def test_other_paths_and_methods_touch_nothing(rx: Harness) -> None:
    assert rx.http.get(rx.receiver.base_url + f"/cb/wujie/R1/{SECRET}").status_code == 405
    assert rx.post("/cb/wujie/R1").status_code == 404
    assert rx.post(f"/../cb/wujie/R1/{SECRET}/x").status_code == 404
    assert rx.calls == []


def test_bodies_over_the_cap_are_413(rx: Harness) -> None:
    big = b'{"key": "' + b"x" * MAX_BODY + b'"}'
    assert rx.post(f"/cb/wujie/R1/{SECRET}", content=big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap applies while reading
        yield b'{"key": "'
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    assert rx.post(f"/cb/wujie/R1/{SECRET}", content=chunks()).status_code == 413
    assert rx.receiver.counts["too_large"] == 2 and rx.calls == []
    just_under = b'{"k": "' + b"x" * (MAX_BODY - 16) + b'"}'
    assert rx.post(f"/cb/wujie/R1/{SECRET}", content=just_under).status_code == 200


@pytest.mark.parametrize("body", [b"", b"{", b"[1, 2]", b'"text"', b"\xff\xfe", b"null"])
def test_malformed_bodies_are_400(rx: Harness, body: bytes) -> None:
    assert rx.post(f"/cb/wujie/R1/{SECRET}", content=body).status_code == 400
    assert rx.receiver.counts["malformed"] == 1 and rx.calls == []


def test_replays_are_ignored_and_handler_errors_contained(rx: Harness) -> None:
    """Posts are acknowledged at once and handled after (the sender never waits on us)."""
    counts = rx.receiver.counts
    rx.answer = False  # what the runner answers for a replay or an unknown key
    assert rx.post(f"/cb/wujie/R1/{SECRET}", json={"key": "K"}).status_code == 200
    wait_until(lambda: counts["ignored"] == 1, 5, "the replay to be counted")
    rx.answer = RuntimeError("boom")
    assert rx.post(f"/cb/wujie/R1/{SECRET}", json={"key": "K"}).status_code == 200
    wait_until(lambda: counts["failed"] == 1, 5, "the failure to be counted")
    rx.answer = True
    assert rx.post(f"/cb/wujie/R1/{SECRET}", json={"key": "K"}).status_code == 200
    wait_until(lambda: counts["used"] == 1, 5, "the receiver to go on after a failure")


def test_a_flood_of_bad_posts_leaves_it_serving(rx: Harness) -> None:
    async def flood() -> list[int]:
        async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
            base = rx.receiver.base_url
            posts = [http.post(f"{base}/cb/wujie/R1/bad{i}", json={}) for i in range(100)]
            posts += [http.post(f"{base}/cb/wujie/R1/{SECRET}", content=b"{") for _ in range(50)]
            return [r.status_code for r in await asyncio.gather(*posts)]

    codes = asyncio.run(flood())
    assert codes.count(404) == 100 and codes.count(400) == 50
    assert rx.post(f"/cb/wujie/R1/{SECRET}", json={"key": "K"}).status_code == 200
    wait_until(lambda: rx.receiver.counts["used"] == 1, 5, "the good post")


# --------------------------------------------------------------------------- in a client


def test_the_client_s_receiver_refuses_forgeries_and_ignores_replays(
    fresh_sandbox: Any, make_jclient: Any
) -> None:
    client = make_jclient(fresh_sandbox, callbacks=True)
    jobs = client.generate("a boat", num=2, **SMALL).wait(timeout=30)
    receiver = client.runner.receiver
    assert receiver is not None
    wait_until(lambda: receiver.counts["used"] >= 2, 10, "both callbacks")
    (request,) = client.runner.ledger.requests()
    notify = request.body["notify_url"]
    assert notify.startswith("http://127.0.0.1:") and request.secret in notify
    records = [dict(j.record) for j in jobs]
    with httpx.Client(timeout=5, trust_env=False) as http:
        for job in jobs:  # the sandbox's own callback, posted again
            assert http.post(notify, json={"key": job.key, "success": True}).status_code == 200
        forged = notify.replace(request.secret, "not-the-secret")
        assert http.post(forged, json={"key": jobs[0].key}).status_code == 404
        other = notify.replace(request.id, "0" * 32)
        assert http.post(other, json={"key": jobs[0].key}).status_code == 404
        assert http.post(notify, content=b"<html>").status_code == 400
    wait_until(lambda: receiver.counts["ignored"] == 2, 5, "two ignored replays")
    assert receiver.counts["refused"] == 2
    assert receiver.counts["malformed"] == 1
    assert [dict(j.record) for j in jobs] == records  # nothing about the jobs changed


def test_a_callback_naming_a_key_its_request_never_had_is_ignored(
    fresh_sandbox: Any, make_jclient: Any
) -> None:
    """The create's reply listed its keys; a (correctly signed) post naming another key
    must not add a phantom job to the request, the experiment and the ledger."""
    client = make_jclient(fresh_sandbox, callbacks=True)
    jobs = client.generate("a boat", experiment="phantom", **SMALL).wait(timeout=30)
    (request,) = client.runner.ledger.requests()
    receiver = client.runner.receiver
    assert receiver is not None
    wait_until(lambda: receiver.counts["used"] >= 1, 10, "the callback")
    seen = receiver.counts["used"] + receiver.counts["ignored"]
    with httpx.Client(timeout=5, trust_env=False) as http:
        assert http.post(request.body["notify_url"], json={"key": "NO-SUCH-KEY"}).status_code == 200
    ledger = client.runner.ledger

    def settled() -> bool:  # ignored, or (the bug) a phantom row already written
        counted = receiver.counts["used"] + receiver.counts["ignored"] > seen
        return counted or len(ledger.jobs("phantom")) > 1

    wait_until(settled, 5, "the post to be handled")
    assert [r.key for r in ledger.jobs("phantom")] == [jobs[0].key]
    assert receiver.counts["ignored"] == 1


def test_an_mj_callback_cannot_finish_another_request_s_task(
    fresh_sandbox: Any, make_jclient: Any
) -> None:
    """A request's secret vouches for that request only: a post signed for task A that
    names task B must not change B."""
    client = make_jclient(fresh_sandbox, callbacks=True)
    a = client.mj.imagine("a pig").wait(timeout=30)
    b = client.mj.imagine("a hen [slow]")
    request_a = client.runner.ledger.request(a.request_id)
    assert request_a is not None
    receiver = client.runner.receiver
    assert receiver is not None
    forged = {"id": b.id, "status": "SUCCESS", "progress": "100%", "imageUrl": "http://evil/x.png"}
    url = receiver.url("mj", request_a.id, request_a.secret)
    seen = receiver.counts["used"] + receiver.counts["ignored"]
    with httpx.Client(timeout=5, trust_env=False) as http:
        assert http.post(url, content=json.dumps(forged)).status_code == 200
    handled = lambda: receiver.counts["used"] + receiver.counts["ignored"] > seen  # noqa: E731
    wait_until(handled, 5, "the forged post to be handled")
    assert b.picture_url != "http://evil/x.png"
    b.wait(timeout=30)
    assert b.picture_url != "http://evil/x.png"
