"""Hardening report: how many bad inputs were tried, how many hostile replies served, and
how many jobs and ledger rows were lost (must be zero).

1. Arguments: seeded hostile values (wrong types, blanks, huge and non-finite numbers,
   containers, objects) into one argument at a time of every route method, the job layer
   (generate, sweep, mj.imagine, avatar.create, load, compare, experiments, JobSet.grid),
   the frame helpers and ``images.check_url``. Each call must work or raise a ``WjnbError``;
   an ``InvalidArgument`` must name the argument and come before any request.
2. Hostile replies: sweeps, MJ tasks and avatars under a fault plan of every kind (5xx,
   429, resets before and after processing, slow, truncated JSON, HTML with 200, garbage of
   every variant), callbacks on. Then the sandbox's artworks are compared with the ledger.
3. Two processes sharing one ``WJNB_HOME`` against a standalone sandbox
   (``tests/hardening/concurrent_worker.py``), then ``PRAGMA integrity_check`` and the rows.
4. For the record, the same hostile creates without callbacks: artworks the service made
   that no client can find without a callback (runner re-sends them; see
   .notes/hardening-needs.md B6). Reported apart; not counted as lost.

    .venv/bin/python bench/bench_hardening.py [--tries 40] [--seed 1]

Exits 1 when anything was lost, a bare exception escaped, or a request preceded an
``InvalidArgument``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

import wjnb
import wjnb.sandbox
from wjnb import frame
from wjnb.client import Client as RouteClient
from wjnb.errors import InvalidArgument, WjnbError
from wjnb.http import RetryPolicy
from wjnb.images import check_url
from wjnb.jobs.tracker import PollPolicy
from wjnb.ledger import Ledger

ROOT = Path(__file__).resolve().parents[1]
POLL = PollPolicy(
    first_poll=0.05,
    min_interval=0.05,
    max_interval=0.5,
    callback_min_interval=0.3,
    callback_max_interval=1.0,
    error_backoff_max=1.0,
)
RETRY = RetryPolicy(max_retries=4, base=0.02, cap=0.2, retry_after_cap=0.5)
SMALL = {"width": 64, "height": 64}
TINY = "data:image/png;base64,iVBORw0KGgo="

STATS: Counter[str] = Counter()
PROBLEMS: list[str] = []


def hostile(rng: random.Random) -> Any:
    """One value no argument should take without a clear error."""
    pick = rng.randrange(14)
    return [
        None,
        rng.choice([True, False]),
        rng.randint(-(2**70), 2**70),
        rng.choice([float("nan"), float("inf"), -1.5, 1e308, 0.0]),
        rng.choice(["", " ", "\t\n", "x" * 5000, "../../etc/passwd", "\x00", "<b>x</b>"]),
        "".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randrange(12))),
        bytes(rng.randrange(256) for _ in range(4)),
        [rng.randint(-5, 5), "a", None][: rng.randrange(4)],
        ("k", rng.randint(-3, 3)),
        {"a": rng.randint(0, 3)},
        frozenset({1, 2}),
        object(),
        rng.randint(-3, 3),
        rng.choice(["ok", "cfg", "p"]),
    ][pick]


def requests(srv: Any) -> int:
    return sum(srv.counters()["requests"].values())


def attempt(srv: Any | None, what: str, param: str, call: Callable[[], Any]) -> None:
    """One hostile call: classify it, check the rules, wait out jobs it started."""
    STATS["bad_inputs"] += 1
    before = requests(srv) if srv is not None else 0
    try:
        result = call()
    except InvalidArgument as exc:
        STATS["invalid"] += 1
        root = exc.argument.split("[")[0].split(".")[0]
        if exc.argument not in str(exc) or root not in (param, *EXTRA_NAMES.get(what, ())):
            PROBLEMS.append(f"{what}({param}=...): InvalidArgument names {exc.argument!r}")
        if srv is not None and requests(srv) != before:
            STATS["leaked_requests"] += 1
            PROBLEMS.append(f"{what}({param}=...): a request was sent before {exc}")
        return
    except WjnbError:
        STATS["wjnb_errors"] += 1
        return
    except Exception as exc:  # the failure this bench exists to find
        STATS["bare"] += 1
        PROBLEMS.append(f"{what}({param}=...): bare {type(exc).__name__}: {str(exc)[:100]}")
        return
    STATS["accepted"] += 1
    if hasattr(result, "wait"):
        result.wait(timeout=60)


EXTRA_NAMES = {
    "sweep": ("cfg", "steps", "seed", "prompt", "experiment"),
    "compare_frames": ("frames_or_named",),
}
#: Parameters that are positional-only in the public signature.
POSITIONAL = {"generate": "prompt", "sweep": "prompt", "mj.imagine": "prompt"}


def call_with(fn: Callable[..., Any], name: str, args: dict[str, Any]) -> Callable[[], Any]:
    """``fn(**args)``, with a positional-only first parameter passed by position."""
    args = dict(args)
    first = POSITIONAL.get(name)
    if first is None:
        return lambda: fn(**args)
    value = args.pop(first)
    return lambda: fn(value, **args)


def fuzz_arguments(tries: int, seed: int) -> None:
    rng = random.Random(seed)
    srv = wjnb.sandbox.start(speed=1000, seed=seed, faults="")
    home = Path(tempfile.mkdtemp(prefix="wjnb-bench-args-"))
    try:
        with RouteClient(sandbox=srv, retry=RETRY) as rc:
            key, task = "0" * 32, "1"
            routes: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
                "wujie.create": (rc.wujie.create, {"prompt": "p", **SMALL, "steps": 5, "cfg": 7}),
                "wujie.price_info": (rc.wujie.price_info, {"prompt": "p", "num": 1, "seed": 1}),
                "wujie.create_flux": (rc.wujie.create_flux, {"prompt": "p", **SMALL}),
                "wujie.create_midjourney": (
                    rc.wujie.create_midjourney,
                    {"prompt": "p", "mj_param": {}},
                ),
                "wujie.generating_info": (rc.wujie.generating_info, {"keys": [key]}),
                "wujie.info": (rc.wujie.info, {"key": key}),
                "wujie.model_info": (rc.wujie.model_info, {"model": 1}),
                "wujie.cancel": (rc.wujie.cancel, {"key": key}),
                "wujie.accelerate": (rc.wujie.accelerate, {"key": key, "step_num": 1}),
                "wujie.create_params": (rc.wujie.create_params, {"keys": [key]}),
                "wujie.default_resource": (rc.wujie.default_resource, {"model": 1}),
                "avatar.create": (
                    rc.avatar.create,
                    {"avatar_key": key, "prompt": "me", "templates": []},
                ),
                "mj.imagine": (rc.mj.imagine, {"prompt": "pig", "base64_array": [], "state": "s"}),
                "mj.action": (rc.mj.action, {"task_id": task, "custom_id": "MJ::JOB::x"}),
                "mj.blend": (rc.mj.blend, {"base64_array": [TINY, TINY], "dimensions": "SQUARE"}),
                "mj.describe": (rc.mj.describe, {"base64": TINY}),
                "mj.modal": (rc.mj.modal, {"task_id": task, "prompt": "p"}),
                "mj.fetch": (rc.mj.fetch, {"task_id": task}),
                "mj.list_by_ids": (rc.mj.list_by_ids, {"ids": [task]}),
                "mj.image_seed": (rc.mj.image_seed, {"task_id": task}),
                "mj.cancel": (rc.mj.cancel, {"task_id": task}),
            }
            for name, (fn, valid) in routes.items():
                for _ in range(tries):
                    param = rng.choice(sorted(valid))
                    args = {**valid, param: hostile(rng)}
                    attempt(srv, name, param, lambda fn=fn, args=args: fn(**args))

        client = wjnb.Client(sandbox=srv, home=home, poll=POLL, retry=RETRY)
        client.runner.prefetch = False
        try:
            res = client.avatar.default_resource()
            template = res.template_options[0].template_key
            jobs_calls: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
                "generate": (
                    client.generate,
                    {"prompt": "p", **SMALL, "steps": 5, "experiment": None},
                ),
                "sweep": (
                    client.sweep,
                    {"prompt": "p", "grid": {"cfg": [4]}, "seeds": None, "budget": None, **SMALL},
                ),
                "mj.imagine": (client.mj.imagine, {"prompt": "pig", "experiment": None}),
                "avatar.create": (
                    client.avatar.create,
                    {"avatar_key": res.avatar_key, "prompt": "me", "templates": [(template, 1)]},
                ),
                "load": (client.load, {"experiment": "x"}),
                "experiments": (lambda home: wjnb.experiments(home), {"home": str(home)}),
            }
            counter = iter(range(10**9))
            for name, (fn, valid) in jobs_calls.items():
                for _ in range(tries):
                    param = rng.choice(sorted(valid))
                    value = hostile(rng)
                    if name == "experiments" and isinstance(value, str) and value.strip():
                        value = str(home / "sub" / f"h{abs(hash(value))}")
                    args = {**valid, param: value}
                    if name == "sweep" and param != "experiment":
                        args["experiment"] = f"bench-{next(counter)}"
                    if name == "sweep" and param == "experiment" and isinstance(value, str):
                        args["experiment"] = value + f"-{next(counter)}"
                    attempt(srv, name, param, call_with(fn, name, args))
            done = client.sweep(
                "g", grid={"cfg": [4, 7], "steps": [5, 8]}, experiment="grid", **SMALL
            )
            done.wait(timeout=60)
            for _ in range(tries):
                x = hostile(rng)
                attempt(srv, "JobSet.grid", "x", lambda x=x: done.grid(x, "steps"))
            for _ in range(tries):
                items = [hostile(rng) for _ in range(rng.randrange(1, 3))]
                attempt(
                    srv,
                    "compare",
                    "experiments_or_jobsets",
                    lambda items=items: wjnb.compare(*items, home=client.runner.ledger.home),
                )
        finally:
            client.close()
    finally:
        srv.stop()

    records = [{"key": f"K{i}", "cfg": i % 3, "steps": 5 + i % 2, "gen_s": 1.0} for i in range(6)]
    df = frame.to_dataframe(records, axes=["cfg", "steps"])
    helpers: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
        "to_dataframe": (frame.to_dataframe, {"records": records, "axes": ["cfg"]}),
        "summarize": (frame.summarize, {"df": df, "by": "cfg"}),
        "pivot": (
            frame.pivot,
            {"df": df, "x": "cfg", "y": "steps", "value": "gen_s", "agg": "mean"},
        ),
        "thumbnail_table": (frame.thumbnail_table, {"df": df, "thumbnails": {}, "max_rows": 3}),
        "export": (frame.export, {"df": df, "path": home / "out.csv"}),
        "compare_frames": (lambda item: frame.compare(item, df), {"item": ("name", df)}),
    }
    for name, (fn, valid) in helpers.items():
        for _ in range(tries):
            param = rng.choice(sorted(valid))
            args = {**valid, param: hostile(rng)}
            attempt(None, name, param, lambda fn=fn, args=args: fn(**args))
    for _ in range(tries * 3):
        url = rng.choice(
            [
                hostile(rng),
                "file:///etc/passwd",
                "javascript:x",
                "http://[::1",
                "ftp://h/x",
                f"http://h:{rng.randint(-5, 99999)}/x",
                "http://h/x\n",
                "/rel/x.png",
            ]
        )
        attempt(None, "check_url", "url", lambda url=url: check_url(url))
    assert isinstance(pd.DataFrame(), pd.DataFrame)


HOSTILE_PLAN = {
    "seed": 5,
    "rules": [
        {"kind": "reset_after", "routes": ["/ai/create", "/avatar/artwork/create"], "times": 2},
        {"kind": "garbage", "routes": ["/ai/create"], "times": 2},
        {"kind": "html", "routes": ["/ai/create", "/mj/submit/*"], "times": 2},
        {"kind": "malformed", "routes": ["/ai/create"], "times": 1},
        {"kind": "garbage", "routes": ["/mj/submit/imagine"], "times": 1},
        {"kind": "429", "rate": 0.1, "retry_after": 0.05},
        {"kind": "5xx", "rate": 0.1, "routes": ["/ai/generating_info", "/ai/info", "/mj/task/*"]},
        {"kind": "reset", "rate": 0.05, "routes": ["/ai/generating_info", "/mj/task/*"]},
        {"kind": "malformed", "rate": 0.05, "routes": ["/ai/generating_info", "/mj/task/*"]},
        {"kind": "html", "rate": 0.05, "routes": ["/ai/info"]},
        {"kind": "garbage", "variant": "audit", "rate": 0.1, "routes": ["/ai/*info"]},
        {"kind": "garbage", "variant": "huge", "rate": 0.05, "routes": ["/ai/info"]},
        {"kind": "slow", "rate": 0.05, "delay": 0.2, "routes": ["/ai/*"]},
    ],
}


def hostile_replies(callbacks: bool) -> dict[str, int]:
    srv = wjnb.sandbox.start(speed=200, seed=2, faults="")
    home = Path(tempfile.mkdtemp(prefix="wjnb-bench-replies-"))
    out: Counter[str] = Counter()
    try:
        with wjnb.Client(
            sandbox=srv, home=home, poll=POLL, retry=RETRY, callbacks=callbacks, reconcile_after=2.0
        ) as client:
            client.runner.prefetch = False
            res = client.avatar.default_resource()
            srv.set_faults(HOSTILE_PLAN)
            sweeps = [
                client.sweep(
                    f"storm {i}",
                    grid={"cfg": [3, 5, 7], "steps": [5, 8]},
                    seeds=[1, 2],
                    experiment=f"storm-{i}",
                    **SMALL,
                )
                for i in range(2)
            ]
            tasks = []
            for i in range(4):
                try:
                    tasks.append(client.mj.imagine(f"pig {i}"))
                except WjnbError as exc:
                    where = "with callbacks" if callbacks else "without callbacks"
                    PROBLEMS.append(f"mj.imagine under faults ({where}; see D1): {exc}")
            portraits = client.avatar.create(
                res.avatar_key,
                "me",
                templates=[(res.template_options[0].template_key, 2)],
                experiment="storm-avatar",
            )
            for jobs in [*sweeps, portraits]:
                jobs.wait(timeout=120)
            for task in tasks:
                task.wait(timeout=120)
            srv.set_faults(None)
            out["hostile_replies"] = sum(srv.counters()["faults"].values())
            made = srv.artworks()
            server = {a["key"] for a in made["artworks"]} | {t["id"] for t in made["tasks"]}
            rows = client.runner.ledger.jobs()
            out["jobs"] = len(server)
            out["jobs_lost"] = len(server - {r.key for r in rows})
            expected = {"storm-0": 12, "storm-1": 12, "storm-avatar": 2}
            for name, count in expected.items():
                done = [r for r in rows if r.experiment == name and r.done]
                out["rows_expected"] += count
                out["rows_lost"] += max(0, count - len(done))
            unfinished = [j for j in [*sweeps[0], *sweeps[1], *portraits, *tasks] if not j.done]
            if unfinished:
                PROBLEMS.append(f"{len(unfinished)} jobs not finished under faults")
    finally:
        srv.stop()
    return dict(out)


def two_processes() -> dict[str, int]:
    worker = ROOT / "tests" / "hardening" / "concurrent_worker.py"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WJNB_")}
    plan = json.dumps(
        {
            "seed": 3,
            "rules": [
                {"kind": "reset_after", "routes": ["/ai/create"], "times": 2},
                {"kind": "5xx", "rate": 0.1, "routes": ["/ai/generating_info", "/ai/info"]},
            ],
        }
    )
    sandbox = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "wjnb.sandbox",
            "--port",
            "0",
            "--speed",
            "100",
            "--seed",
            "4",
            "--faults",
            plan,
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    out: Counter[str] = Counter()
    try:
        assert sandbox.stdout is not None
        for _ in range(5):
            name, _, value = sandbox.stdout.readline().strip().partition("=")
            env[name] = value
        with tempfile.TemporaryDirectory(prefix="wjnb-bench-shared-") as tmp:
            env["WJNB_HOME"] = str(Path(tmp) / "home")
            go = Path(tmp) / "go"
            names = [["p1a", "p1b"], ["p2a", "p2b"]]
            procs = [
                subprocess.Popen(
                    [sys.executable, str(worker), str(go), *n],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=env,
                    cwd=tmp,
                )
                for n in names
            ]
            for proc in procs:
                assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
            go.touch()
            for proc in procs:
                _, err = proc.communicate(timeout=300)
                if proc.returncode != 0:
                    PROBLEMS.append(f"worker failed: {err[-500:]}")
            ledger = Ledger(env["WJNB_HOME"])
            if ledger.integrity() != "ok":
                PROBLEMS.append("ledger integrity check failed")
            rows = ledger.jobs()
            ledger.close()
            import httpx

            base = env["WJNB_BASE_URL"].split("/wj-open/")[0]
            made = httpx.get(base + "/_sandbox/artworks", timeout=10, trust_env=False).json()
            server = {a["key"] for a in made["artworks"]}
            out["jobs"] = len(server)
            out["jobs_lost"] = len(server - {r.key for r in rows})
            out["rows_expected"] = 4 * 12
            out["rows_lost"] = max(0, 4 * 12 - sum(r.done for r in rows))
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=20)
    return dict(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=40, help="hostile values per entry point")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.monotonic()

    fuzz_arguments(args.tries, args.seed)
    print(
        f"arguments:   {STATS['bad_inputs']} bad inputs tried -> "
        f"{STATS['invalid']} InvalidArgument, {STATS['wjnb_errors']} other wjnb errors, "
        f"{STATS['accepted']} accepted; bare exceptions {STATS['bare']}, "
        f"requests before InvalidArgument {STATS['leaked_requests']}"
    )
    replies = hostile_replies(callbacks=True)
    print(
        f"replies:     {replies['hostile_replies']} hostile replies served; jobs made "
        f"{replies['jobs']}, lost {replies['jobs_lost']}; rows expected "
        f"{replies['rows_expected']}, lost {replies['rows_lost']}"
    )
    shared = two_processes()
    print(
        f"two kernels: jobs made {shared['jobs']}, lost {shared['jobs_lost']}; rows expected "
        f"{shared['rows_expected']}, lost {shared['rows_lost']}"
    )
    quiet = hostile_replies(callbacks=False)
    print(
        f"no callbacks (for the record): jobs made {quiet['jobs']}, untracked "
        f"{quiet['jobs_lost']} (ambiguous creates re-sent, see B6); rows expected "
        f"{quiet['rows_expected']}, lost {quiet['rows_lost']}"
    )

    lost_jobs = replies["jobs_lost"] + shared["jobs_lost"]
    lost_rows = replies["rows_lost"] + shared["rows_lost"] + quiet["rows_lost"]
    print(
        f"\nTOTAL: {STATS['bad_inputs']} bad inputs tried, "
        f"{replies['hostile_replies']} hostile replies; jobs lost {lost_jobs}, "
        f"rows lost {lost_rows} ({time.monotonic() - started:.0f} s)"
    )
    for problem in PROBLEMS:
        print("PROBLEM:", problem)
    bad = lost_jobs or lost_rows or STATS["bare"] or STATS["leaked_requests"] or PROBLEMS
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
