"""Requests per finished job for every kind beyond the plain artwork, three ways.

The same workload (``JOBS`` jobs of one kind) against one in-process sandbox per run (real
loopback HTTP): wjnb with callbacks, wjnb polling only, and the naive loop a user would
write (one read per pending key, every second), measured in the same run. Reads are the
kind's poll and detail routes as the sandbox counted them, plus the balance reads that
reconcile and measure its creates (``jobs.fence``). Prints figures, asserts nothing.
Run one kind with ``python bench/bench_kinds.py svd``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import wjnb
import wjnb.sandbox
from wjnb.client import AsyncClient
from wjnb.models import TERMINAL_STATUSES
from wjnb.models_more import (
    AvatarStatus,
    CameraStatus,
    LabStatus,
    OptimizeCode,
    SpellAnalysisStatus,
    SupersizeStatus,
    VideoStatus,
    is_terminal,
)

JOBS = 20
SPEED = 1.0
GPUS = 50
TIMEOUT = 300.0
PRO: dict[str, Any] = {
    "model_code": 101,
    "width": 512,
    "height": 512,
    "advanced_param": {"sampler_steps": 30},
}

Read = Callable[[AsyncClient], Awaitable[bool]]
#: The balance reads around fenced creates (pro time; credits).
PRO_TIME = "POST /ai/pro/account/balance"
CREDITS = "GET /account/availableIntegralBalance"


@dataclass(frozen=True)
class Case:
    """One kind: its wjnb create, its naive create and read, and the routes that are reads."""

    kind: str
    body: Callable[[str, str], dict[str, Any]]
    route: str | None
    naive: Callable[[AsyncClient, str, str], Awaitable[list[Read]]]
    reads: tuple[str, ...]


def _done(enum_type: Any, value: object) -> bool:
    return is_terminal(enum_type, value)


async def _pro(api: AsyncClient, picture: str, avatar: str) -> list[Read]:
    keys = (await api.wujie.pro.create("a lighthouse, study", **PRO)).keys

    def reader(key: str) -> Read:
        async def read(a: AsyncClient) -> bool:
            infos = await a.wujie.pro.generating_info([key])
            return bool(infos) and infos[0].status in TERMINAL_STATUSES

        return read

    return [reader(k) for k in keys]


async def _upscale(api: AsyncClient, picture: str, avatar: str) -> list[Read]:
    key = await api.wujie.tools.supersize(picture, 2)

    async def read(a: AsyncClient) -> bool:
        infos = await a.wujie.tools.supersize_info([key])
        return bool(infos) and _done(SupersizeStatus, infos[0].status)

    return [read]


async def _describe(api: AsyncClient, picture: str, avatar: str) -> list[Read]:
    key = await api.wujie.tools.spell_analysis(picture)

    async def read(a: AsyncClient) -> bool:
        return _done(SpellAnalysisStatus, (await a.wujie.tools.spell_analysis_info(key)).status)

    return [read]


async def _optimize(api: AsyncClient, picture: str, avatar: str) -> list[Read]:
    task = await api.wujie.tools.optimize_prompt("a cat on a roof")

    async def read(a: AsyncClient) -> bool:
        return _done(OptimizeCode, (await a.wujie.tools.optimize_result(task)).code)

    return [read]


async def _svd(api: AsyncClient, picture: str, avatar: str) -> list[Read]:
    key = await api.wujie.video.svd_create(picture, duration=1)

    async def read(a: AsyncClient) -> bool:
        return _done(VideoStatus, (await a.wujie.video.svd_info(key)).status)

    return [read]


async def _video(api: AsyncClient, picture: str, avatar: str) -> list[Read]:
    key = await api.wujie.video.create(picture, model_code=1, video_duration=1)

    async def read(a: AsyncClient) -> bool:
        return _done(VideoStatus, (await a.wujie.video.info(key)).status)

    return [read]


async def _avatar(api: AsyncClient, picture: str, avatar: str) -> list[Read]:
    key = (await api.avatar.train([picture])).key or ""

    async def read(a: AsyncClient) -> bool:
        return _done(AvatarStatus, (await a.avatar.info(key)).status)

    return [read]


async def _camera(api: AsyncClient, picture: str, avatar: str) -> list[Read]:
    keys = (await api.avatar.camera_create(avatar)).keys or []

    def reader(key: str) -> Read:
        async def read(a: AsyncClient) -> bool:
            return _done(CameraStatus, (await a.avatar.camera_info(key)).status)

        return read

    return [reader(k) for k in keys]


async def _lab(api: AsyncClient, picture: str, avatar: str) -> list[Read]:
    made = await api.wujie.lab.segment(picture, positive_points=[(10, 10)])

    async def read(a: AsyncClient) -> bool:
        return _done(LabStatus, (await a.wujie.lab.info(made.key or "", made.ai_type or "")).status)

    return [read]


async def _youthify(api: AsyncClient, picture: str, avatar: str) -> list[Read]:
    keys = (await api.wujie.tools.youthify(picture)).key_list

    def reader(key: str) -> Read:
        async def read(a: AsyncClient) -> bool:
            return (await a.wujie.info(key)).status in TERMINAL_STATUSES

        return read

    return [reader(k) for k in keys]


CASES = [
    Case(
        "pro",
        lambda p, a: {"prompt": "a lighthouse, study", **PRO},
        None,
        _pro,
        ("POST /ai/pro/generating_info", "GET /ai/pro/info", PRO_TIME),
    ),
    Case(
        "upscale",
        lambda p, a: {"url": p, "multiple": 2},
        None,
        _upscale,
        ("GET /ai/supersize", CREDITS),
    ),
    Case(
        "describe",
        lambda p, a: {"image_url": p},
        None,
        _describe,
        ("GET /ai/spell_analysis/info",),
    ),
    Case(
        "optimize",
        lambda p, a: {"original": "a cat on a roof", "type": 1, "language": 1},
        None,
        _optimize,
        ("GET /ai/optimize/prompt/result",),
    ),
    Case(
        "svd",
        lambda p, a: {"init_image_url": p, "duration": 1},
        None,
        _svd,
        ("GET /ai/pro/svd/info", CREDITS),
    ),
    Case(
        "video",
        lambda p, a: {"origin_video_url": p, "model_code": 1, "video_duration": 1},
        None,
        _video,
        ("POST /ai/video/generating_info", "GET /ai/video/info", CREDITS),
    ),
    Case("avatar", lambda p, a: {"image_urls": [p]}, None, _avatar, ("GET /avatar/info",)),
    Case(
        "camera",
        lambda p, a: {"avatar_key": a},
        None,
        _camera,
        ("POST /avatar/camera/generating_info", "GET /avatar/camera/info"),
    ),
    Case(
        "lab",
        lambda p, a: {"image_url": p, "positive_points": [(10, 10)]},
        "/ai/pro/lab/create/segmentation",
        _lab,
        ("POST /ai/pro/lab/info", CREDITS),
    ),
    Case(
        "youthify",
        lambda p, a: {"image_url": p},
        None,
        _youthify,
        ("POST /ai/generating_info", "GET /ai/info"),
    ),
]


def _sources(srv: Any) -> tuple[str, str]:
    """A finished picture's URL and the account's avatar key (made before counting)."""
    with wjnb.Client(sandbox=srv, home=tempfile.mkdtemp(), prefetch=False) as client:
        picture = client.generate("a lighthouse", width=256, height=256)[0].wait(TIMEOUT)
        avatar = client.avatar.default_resource().avatar_key or ""
        return picture.picture_url or "", avatar


def _reads(srv: Any, case: Case) -> int:
    requests = srv.counters()["requests"]
    return sum(int(requests.get(route, 0)) for route in case.reads)


def run_wjnb(case: Case, callbacks: bool) -> tuple[float, float]:
    """Reads per finished job and seconds, through wjnb's job layer."""
    srv = wjnb.sandbox.start(speed=SPEED, gpus=GPUS, seed=3, faults="")
    picture, avatar = _sources(srv)
    before = _reads(srv, case)
    with tempfile.TemporaryDirectory() as home:
        client = wjnb.Client(sandbox=srv, home=home, callbacks=callbacks, prefetch=False)
        start = time.monotonic()
        jobs = [
            job
            for _ in range(JOBS)
            for job in client.create(case.kind, case.body(picture, avatar), route=case.route)
        ]
        for job in jobs:
            job.wait(TIMEOUT)
        elapsed = time.monotonic() - start
        client.close()
    reads = _reads(srv, case) - before
    srv.stop()
    return reads / len(jobs), elapsed


def run_naive(case: Case) -> tuple[float, float]:
    """Reads per finished job and seconds, reading every pending key once a second."""
    srv = wjnb.sandbox.start(speed=SPEED, gpus=GPUS, seed=3, faults="")
    picture, avatar = _sources(srv)
    before = _reads(srv, case)

    async def run() -> int:
        async with AsyncClient(sandbox=srv) as api:
            pending = [r for _ in range(JOBS) for r in await case.naive(api, picture, avatar)]
            total = len(pending)
            while pending:
                await asyncio.sleep(1.0)
                done = await asyncio.gather(*(read(api) for read in pending))
                pending = [r for r, d in zip(pending, done, strict=True) if not d]
            return total

    start = time.monotonic()
    total = asyncio.run(run())
    elapsed = time.monotonic() - start
    reads = _reads(srv, case) - before
    srv.stop()
    return reads / total, elapsed


def main() -> None:
    only = set(sys.argv[1:])
    print(f"{JOBS} jobs per kind, sandbox speed {SPEED:g}; read requests per finished job")
    print(
        f"{'kind':<10}{'callbacks':>12}{'polling':>12}{'naive 1/s':>12}   seconds (cb/poll/naive)"
    )
    for case in CASES:
        if only and case.kind not in only:
            continue
        cb, cb_s = run_wjnb(case, callbacks=True)
        poll, poll_s = run_wjnb(case, callbacks=False)
        naive, naive_s = run_naive(case)
        print(
            f"{case.kind:<10}{cb:>12.2f}{poll:>12.2f}{naive:>12.2f}"
            f"   {cb_s:.1f} / {poll_s:.1f} / {naive_s:.1f}"
        )


if __name__ == "__main__":
    main()
