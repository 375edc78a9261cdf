"""Job-layer figures: reads per artwork, detection latency, tracker CPU at 10,000 pending.

Runs the same 200-artwork workload three ways against one in-process sandbox (real loopback
HTTP): wjnb with callbacks, wjnb polling only, and the naive loop a user would write
(``/ai/info`` per pending key, every second). Targets (issue 4): at most 1.3 poll-or-info
requests per artwork; median detection latency under 50 ms with callbacks; under 50 ms of
tracker CPU per poll cycle with 10,000 pending jobs. Prints figures, asserts nothing.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from typing import Any

import wjnb
import wjnb.sandbox
from wjnb.jobs import Job, PollPolicy
from wjnb.jobs.kind import Reading
from wjnb.jobs.kinds import ArtworkKind
from wjnb.jobs.tracker import Tracker
from wjnb.models import ArtworkStatus, GeneratingInfo

ARTWORKS = 200
SPEED = 4.0
GPUS = 50
PARAMS = {"width": 1024, "height": 1024, "steps": 30}
GRID = {"cfg": list(range(2, 12)), "steps": [20, 22, 24, 26, 28, 30, 32, 34, 36, 38]}


def _hook_completions(srv: Any) -> dict[str, float]:
    """Record when the sandbox really completes each artwork (bench-only instrumentation)."""
    finished: dict[str, float] = {}
    engine = srv._state.wujie
    original = engine._finished

    def finished_hook(job: Any) -> None:
        key = engine._jobs[job].key
        original(job)
        finished[key] = time.monotonic()

    engine._finished = finished_hook
    return finished


def _reads(srv: Any) -> int:
    requests = srv.counters()["requests"]
    return int(requests.get("POST /ai/generating_info", 0) + requests.get("GET /ai/info", 0))


def run_wjnb(callbacks: bool) -> dict[str, Any]:
    """A 200-artwork sweep through wjnb; returns reads per artwork and detection latencies."""
    srv = wjnb.sandbox.start(speed=SPEED, gpus=GPUS, seed=3)
    finished = _hook_completions(srv)
    with tempfile.TemporaryDirectory() as home:
        client = wjnb.Client(sandbox=srv, home=home, callbacks=callbacks, prefetch=False)
        start = time.monotonic()
        sweep = client.sweep(
            "a lighthouse at dusk", grid=GRID, seeds=[1, 2], experiment="bench", **PARAMS
        )
        sweep.wait(timeout=600)
        done_at = {j.key: j.done_at for j in sweep if j.done_at is not None}
        elapsed = time.monotonic() - start
        reads = _reads(srv)
        cycles = client.runner.tracker.cycles
        client.close()
    srv.stop()
    latencies = [done_at[k] - finished[k] for k in done_at if k in finished]
    return {
        "reads": reads / len(sweep),
        "latency": latencies,
        "elapsed": elapsed,
        "cycles": cycles,
        "n": len(sweep),
    }


def run_naive() -> dict[str, Any]:
    """The loop a user would write: create each combination, then /ai/info per key per second."""
    srv = wjnb.sandbox.start(speed=SPEED, gpus=GPUS, seed=3)
    finished = _hook_completions(srv)
    client = wjnb.client.Client(sandbox=srv)
    start = time.monotonic()
    keys: list[str] = []
    for cfg in GRID["cfg"]:
        for steps in GRID["steps"]:
            for seed in (1, 2):
                result = client.wujie.create(
                    "a lighthouse at dusk", cfg=cfg, seed=seed, **{**PARAMS, "steps": steps}
                )
                keys.extend(result.keys or [])
    pending = set(keys)
    done_at: dict[str, float] = {}
    while pending:
        for key in sorted(pending):
            info = client.wujie.info(key)
            status = info.status_enum
            if status is not None and status.terminal:
                done_at[key] = time.monotonic()
                pending.discard(key)
        time.sleep(1.0)
    elapsed = time.monotonic() - start
    reads = _reads(srv)
    client.close()
    srv.stop()
    latencies = [done_at[k] - finished[k] for k in done_at if k in finished]
    return {"reads": reads / len(keys), "latency": latencies, "elapsed": elapsed, "n": len(keys)}


class _FakeArtworks(ArtworkKind):
    """Artworks whose polls are answered from memory (queued), so only the tracker's own
    CPU is timed."""

    def __init__(self) -> None:
        self.rows = {}

    def row(self, key: str) -> dict[str, Any]:
        return {
            "key": key,
            "status": int(ArtworkStatus.QUEUED),
            "expected_seconds": 60,
            "queue_before_num": 500,
            "complete_percent": 0,
            "audit_info": "",
            "fail_message": {"fail_code": 0, "fail_message": ""},
            "integral_cost": 2,
            "integral_cost_message": "积分扣除中,请稍后查询",
        }

    async def poll(self, api: Any, keys: list[str]) -> list[Reading]:
        return [self.read(k, GeneratingInfo.from_dict(self.row(k))) for k in keys]


def tracker_cpu(pending: int = 10_000, cycles: int = 10) -> dict[str, float]:
    """CPU seconds per poll cycle of a tracker holding ``pending`` queued jobs."""
    policy = PollPolicy()
    kind = _FakeArtworks()
    tracker = Tracker(None, lambda jobs: None, _no_finish, policy=policy)  # type: ignore[arg-type]
    jobs = [Job(None, kind, f"{i:032X}", {}, request_id="r") for i in range(pending)]  # type: ignore[arg-type]

    async def measure() -> dict[str, float]:
        tracker.add(list(jobs))
        await tracker.stop()  # drive cycles by hand
        per_cycle = []
        for _ in range(cycles):
            for entry in tracker.entries():
                entry.due = 0.0
            t0 = time.process_time()
            await tracker._cycle(time.monotonic())
            per_cycle.append(time.process_time() - t0)
        raw = [kind.row(f"{i:032X}") for i in range(pending)]
        t0 = time.process_time()
        for row in raw:
            GeneratingInfo.from_dict(row)
        parse_all = time.process_time() - t0
        return {"cycle": statistics.median(per_cycle), "parse_all": parse_all}

    return asyncio.run(measure())


async def _no_finish(job: Any, raw: Any) -> None:
    return None


def _ms(values: list[float]) -> str:
    if not values:
        return "n/a"
    q = statistics.quantiles(values, n=20) if len(values) >= 20 else [max(values)] * 19
    return f"median {statistics.median(values) * 1000:7.1f} ms   p95 {q[18] * 1000:7.1f} ms"


def main() -> None:
    print(
        f"workload: {ARTWORKS} artworks, sandbox speed {SPEED}, {GPUS} GPUs, "
        f"{PARAMS['width']}x{PARAMS['height']}"
    )
    runs = {
        "wjnb, callbacks": run_wjnb(callbacks=True),
        "wjnb, polling only": run_wjnb(callbacks=False),
        "naive /ai/info loop (baseline)": run_naive(),
    }
    print(f"\n{'':32} {'reads/artwork':>14} {'wall s':>8}   detection latency")
    for name, r in runs.items():
        print(f"{name:32} {r['reads']:14.2f} {r['elapsed']:8.1f}   {_ms(r['latency'])}")
    print("targets: reads/artwork <= 1.3; median detection latency < 50 ms with callbacks")
    cpu = tracker_cpu()
    print(
        f"\ntracker CPU per poll cycle, 10,000 pending ({PollPolicy().max_keys_per_cycle} polled"
        f" per cycle): {cpu['cycle'] * 1000:.1f} ms (target < 50 ms)"
    )
    print(f"baseline: parsing all 10,000 poll entries once: {cpu['parse_all'] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
