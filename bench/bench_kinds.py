"""Requests per finished job for the newer Wujie kinds: pro artwork, upscale, describe and
prompt optimisation, each run three ways against one in-process sandbox (real loopback
HTTP): wjnb with callbacks, wjnb polling only, and the naive loop a user would write (one
read per pending key, every second). Prints figures next to that baseline; asserts nothing.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from typing import Any

import wjnb
import wjnb.sandbox

JOBS = 40
SPEED = 4.0
GPUS = 50
PRO = {"model_code": 101, "width": 1024, "height": 1024, "advanced_param": {"sampler_steps": 30}}

#: The read routes of each kind (what a finished job cost in requests besides its create).
READS = {
    "pro": ("POST /ai/pro/generating_info", "GET /ai/pro/info"),
    "upscale": ("GET /ai/supersize",),
    "describe": ("GET /ai/spell_analysis/info",),
    "optimize": ("GET /ai/optimize/prompt/result",),
}


def _bodies(kind: str, picture: str) -> list[dict[str, Any]]:
    if kind == "pro":
        return [{"prompt": f"a lighthouse, study {i}", **PRO} for i in range(JOBS)]
    if kind == "upscale":
        return [{"url": picture, "multiple": 2} for _ in range(JOBS)]
    if kind == "describe":
        return [{"image_url": picture} for _ in range(JOBS)]
    return [{"original": f"a cat, take {i}", "type": 1, "language": 1} for i in range(JOBS)]


def _reads(srv: Any, kind: str) -> int:
    requests = srv.counters()["requests"]
    return sum(int(requests.get(route, 0)) for route in READS[kind])


def _source(srv: Any) -> str:
    """A finished picture to upscale and describe."""
    with wjnb.Client(sandbox=srv, home=tempfile.mkdtemp(), prefetch=False) as client:
        url = client.generate("a red lighthouse", width=512, height=512)[0].wait(120).picture_url
    assert url
    return url


def run_wjnb(kind: str, callbacks: bool) -> tuple[float, float]:
    """``JOBS`` jobs of ``kind`` through wjnb; (reads per finished job, seconds)."""
    srv = wjnb.sandbox.start(speed=SPEED, gpus=GPUS, seed=3)
    picture = _source(srv)
    before = _reads(srv, kind)
    with tempfile.TemporaryDirectory() as home:
        client = wjnb.Client(sandbox=srv, home=home, callbacks=callbacks, prefetch=False)
        start = time.monotonic()
        jobs = [client.create(kind, body)[0] for body in _bodies(kind, picture)]
        for job in jobs:
            job.wait(600)
        elapsed = time.monotonic() - start
        finished = sum(j.done and not j.failed for j in jobs)
        client.close()
    reads = _reads(srv, kind) - before
    srv.stop()
    return reads / max(finished, 1), elapsed


def _naive_reader(client: Any, kind: str) -> Callable[[str], bool]:
    """One read of one key: True once the job is finished."""
    tools = client.wujie.tools
    if kind == "pro":
        return lambda key: client.wujie.pro.generating_info([key])[0].status in (3, 4, -1, 5)
    if kind == "upscale":
        return lambda key: tools.supersize_info([key])[0].status in (2, 3)
    if kind == "describe":
        return lambda key: tools.spell_analysis_info(key).status in (1, -1)
    return lambda key: tools.optimize_result(key).code in (1, -1)


def _naive_submit(client: Any, kind: str, body: dict[str, Any]) -> str:
    fields = dict(body)
    if kind == "pro":
        return str(client.wujie.pro.create(fields.pop("prompt"), **fields).keys[0])
    if kind == "upscale":
        return str(client.wujie.tools.supersize(fields.pop("url"), **fields))
    if kind == "describe":
        return str(client.wujie.tools.spell_analysis(fields["image_url"]))
    return str(client.wujie.tools.optimize_prompt(fields.pop("original"), **fields))


def run_naive(kind: str) -> tuple[float, float]:
    """The loop a user would write: submit each job, then one read per pending key a second."""
    srv = wjnb.sandbox.start(speed=SPEED, gpus=GPUS, seed=3)
    picture = _source(srv)
    before = _reads(srv, kind)
    client = wjnb.client.Client(sandbox=srv)
    start = time.monotonic()
    pending = {_naive_submit(client, kind, body) for body in _bodies(kind, picture)}
    read = _naive_reader(client, kind)
    while pending:
        pending = {key for key in sorted(pending) if not read(key)}
        if pending:
            time.sleep(1.0)
    elapsed = time.monotonic() - start
    client.close()
    reads = _reads(srv, kind) - before
    srv.stop()
    return reads / JOBS, elapsed


def main() -> None:
    print(f"{JOBS} jobs per kind, sandbox speed {SPEED}; reads per finished job (lower is better)")
    head = f"{'kind':<10} {'callbacks':>10} {'polling':>10} {'naive 1/s':>10}"
    print(head + "   seconds (cb/poll/naive)")
    for kind in READS:
        cb, cb_s = run_wjnb(kind, callbacks=True)
        poll, poll_s = run_wjnb(kind, callbacks=False)
        naive, naive_s = run_naive(kind)
        print(
            f"{kind:<10} {cb:>10.2f} {poll:>10.2f} {naive:>10.2f}"
            f"   {cb_s:.1f} / {poll_s:.1f} / {naive_s:.1f}"
        )


if __name__ == "__main__":
    main()
