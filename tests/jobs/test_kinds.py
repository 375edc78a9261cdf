"""A new kind of work defined entirely here: submit, batch polls, a restart, a row, a card.

``Echo`` is a made-up service (in memory: it answers creates and batch polls, each job
finishing after a few polls of it) described to wjnb by one ``Kind`` subclass. Nothing in
the package knows about it; the test checks that the job layer gives it everything an
artwork gets: the ledger's intent -> accept discipline, batched polling, resume after a
restart, a DataFrame row and an HTML card.
"""

from __future__ import annotations

import asyncio
import enum
import threading
from collections.abc import Mapping
from typing import Any, ClassVar

import wjnb
from wjnb.jobs import Job, Kind, Phase, Reading
from wjnb.jobs.kind import Json, Media, Submitted

ROUTE = "/echo/create"


class EchoStatus(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class EchoService:
    """The fake service: a job advances one step per poll that asks about it."""

    def __init__(self, steps: int = 3) -> None:
        self.steps = steps
        self.jobs: dict[str, dict[str, Any]] = {}
        self.polls: list[list[str]] = []
        self.creates = 0
        self.lock = threading.Lock()

    def create(self, body: Mapping[str, Any]) -> str:
        with self.lock:
            self.creates += 1
            key = f"E{self.creates:04d}"
            self.jobs[key] = {"key": key, "text": str(body["text"])[::-1], "step": 0}
            return key

    def poll(self, keys: list[str]) -> list[dict[str, Any]]:
        with self.lock:
            self.polls.append(list(keys))
            out = []
            for key in keys:
                job = self.jobs[key]
                job["step"] = min(self.steps, job["step"] + 1)
                out.append(dict(job))
            return out


class Echo(Kind):
    """Echo jobs: reversed text, polled three keys at a time."""

    name: ClassVar[str] = "echo"
    backend: ClassVar[str] = "echo"
    routes: ClassVar[tuple[str, ...]] = (ROUTE,)
    initial_status = EchoStatus.QUEUED
    batch_size: ClassVar[int] = 3

    def __init__(self, service: EchoService) -> None:
        self.service = service

    async def submit(self, api: Any, route: str, body: Json) -> Submitted:
        key = self.service.create(body)
        return Submitted([key], {"key": key})

    async def poll(self, api: Any, keys: list[str]) -> list[Reading]:
        return [self.read(row["key"], row) for row in self.service.poll(keys)]

    def read(self, key: str, wire: object) -> Reading:
        assert isinstance(wire, dict)
        step, steps = wire["step"], self.service.steps
        status = EchoStatus.DONE if step >= steps else EchoStatus.RUNNING
        phase = Phase.SUCCEEDED if status is EchoStatus.DONE else Phase.RUNNING
        media = (Media("text", text=wire["text"]),) if status is EchoStatus.DONE else ()
        return Reading(key, status, phase, progress=100 * step / steps, media=media, raw=wire)

    def restore(self, key: str, record: Mapping[str, Any], raw: Json | None) -> Reading | None:
        return self.read(key, raw) if raw is not None else None

    def record(self, job: Job) -> Json:
        text = next((m.text for m in job.media if m.type == "text"), None)
        return {
            "key": job.key,
            "experiment": job.experiment,
            "backend": self.backend,
            "prompt": job.request.get("text"),
            "status_name": job.status_name,
            "model_prompt": text,
        }


def test_a_kind_defined_in_a_test_gets_the_whole_job_layer(sandbox: Any, make_client: Any) -> None:
    service = EchoService()
    client: wjnb.Client = make_client(sandbox, callbacks=False)
    echo = client.register(Echo(service))
    made = [client.create(echo, {"text": f"hello {i}"}, experiment="echoes") for i in range(4)]
    first = made[0][0]
    assert first.kind == "echo" and first.status is EchoStatus.QUEUED
    rows = client.runner.ledger.requests("echoes")
    assert sorted(r.state for r in rows) == ["accepted"] * 4  # intent -> send -> accept
    assert all(r.backend == "echo" and r.route == ROUTE for r in rows)

    # Poll the first job to its end; the others share its batches and advance too.
    first.wait(timeout=20)
    assert first.status is EchoStatus.DONE and first.phase is Phase.SUCCEEDED
    assert first.media == (Media("text", text="0 olleh"),)
    assert max(len(batch) for batch in service.polls) > 1  # batched, not one read per key
    assert all(len(batch) <= Echo.batch_size for batch in service.polls)
    assert {r.key: r.done for r in client.runner.ledger.jobs("echoes")}[first.key]

    # A restart: a new client on the same home knows nothing until the kind is registered,
    # then resumes every unfinished echo from the ledger without creating anything again.
    client.close()
    creates = service.creates
    again: wjnb.Client = make_client(sandbox, callbacks=False)
    again.register(Echo(service))
    jobs = again.load("echoes")
    assert sorted(j.key for j in jobs) == sorted(j[0].key for j in made)
    jobs.wait(timeout=20)
    assert service.creates == creates
    assert [j.status_name for j in jobs] == ["done"] * 4

    frame = jobs.to_dataframe()
    row = frame.set_index("key").loc[first.key]
    assert row["prompt"] == "hello 0" and row["model_prompt"] == "0 olleh"
    assert str(row["backend"]) == "echo" and str(row["status_name"]) == "done"

    # reload() reads a job now; async_wait() awaits it from a coroutine
    late = again.create("echo", {"text": "late"})[0]
    steps = service.jobs[late.key]["step"]
    late.reload()
    assert service.jobs[late.key]["step"] > steps
    assert asyncio.run(late.async_wait()) is late and late.status is EchoStatus.DONE

    card = jobs[0]._repr_html_()
    assert jobs[0].key in card and "Done" in card
    assert "hello" in jobs._repr_html_()
