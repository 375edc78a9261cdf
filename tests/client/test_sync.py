"""The sync facade works inside a running event loop (as in Jupyter) and from any thread."""

from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Any

import pytest

import wjnb
from wjnb.api.wujie import WujieApi
from wjnb.client import AsyncClient, Client
from wjnb.models import Balance, CreateResult


def test_sync_calls_from_inside_a_running_loop(client: Client) -> None:
    async def cell() -> tuple[Balance, CreateResult]:
        asyncio.get_running_loop()  # the calling thread runs a loop, like a Jupyter kernel
        return client.wujie.balance(), client.wujie.create("a lighthouse at dusk")

    balance, created = asyncio.run(cell())
    assert isinstance(balance, Balance) and isinstance(created, CreateResult)
    assert created.keys


def test_sync_calls_from_plain_threads(client: Client) -> None:
    results: list[object] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(client.wujie.balance())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert errors == []
    assert len(results) == 8 and all(isinstance(r, Balance) for r in results)


def test_a_sync_call_on_the_client_loop_raises_instead_of_deadlocking(
    client: Client,
) -> None:
    async def on_the_loop() -> Balance:
        return client.wujie.balance()

    with pytest.raises(RuntimeError, match="deadlock"):
        client.loop.run(on_the_loop())
    assert isinstance(client.wujie.balance(), Balance)  # the loop is still fine


def test_background_work_runs_while_the_caller_is_busy(client: Client) -> None:
    """What the tracker relies on: the loop thread works while the caller's thread blocks."""
    started = threading.Event()

    async def tracker() -> Balance:
        started.set()
        return await client.aio.wujie.balance()

    future = client.loop.submit(tracker())
    assert started.wait(5)
    assert isinstance(future.result(timeout=5), Balance)


def test_async_client_on_the_callers_loop(sandbox: Any) -> None:
    async def main() -> Balance:
        async with AsyncClient(sandbox=sandbox) as aio:
            return await aio.wujie.balance()

    assert isinstance(asyncio.run(main()), Balance)


def test_close_is_idempotent_and_final(sandbox: Any) -> None:
    client = Client(sandbox=sandbox)
    thread_count = threading.active_count()
    client.close()
    client.close()
    assert threading.active_count() == thread_count - 1
    with pytest.raises(RuntimeError, match="closed"):
        client.wujie.balance()


def test_sync_methods_keep_the_async_signature_and_docs(client: Client) -> None:
    signature = inspect.signature(client.wujie.info)
    assert list(signature.parameters) == ["key"]
    assert signature.return_annotation in ("ArtworkInfo", wjnb.models.ArtworkInfo)
    assert client.wujie.info.__doc__ == WujieApi.info.__doc__
    assert not inspect.iscoroutinefunction(client.wujie.info)
