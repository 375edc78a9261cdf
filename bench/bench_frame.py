"""Time ``wjnb.frame.to_dataframe`` on 10,000 stored artwork records against json_normalize.

The records are what the ledger holds: rows made by ``wjnb.records`` from synthetic
service replies (about half finished Wujie artworks, most of the rest Wujie jobs still
queued or generating, a few hundred Midjourney tasks; a third carry sweep-axis keys), put
through a JSON round trip. Prints the median of several runs of each, their ratio, and
the targets (under 0.5 s, at least 3x faster than ``pandas.json_normalize``). Runs are
interleaved so that load from other processes hits every contender alike.

``to_dataframe`` reads such rows with pyarrow in one pass when pyarrow is installed (the
``plot``/``demo`` extras); its numpy route, used without pyarrow or for rows whose values
are not of their column's type, is timed too.

    .venv/bin/python bench/bench_frame.py [--records 10000] [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
from pandas.api.types import pandas_dtype

from wjnb import columns
from wjnb.frame import SCHEMA, to_dataframe
from wjnb.models import ArtworkInfo, GeneratingInfo, MjTask
from wjnb.records import mj_record, wujie_record

PROMPTS = [
    "a lighthouse at dusk, oil painting",
    "空山新雨后，天气晚来秋",
    "a cyberpunk street market in the rain, neon, 35mm",
    "portrait of an old fisherman, dramatic light",
    "isometric tiny island with a castle, pastel colours",
]
GPUS = ["NVIDIA Tesla V100-16GB", "NVIDIA A100-40GB", "NVIDIA RTX 4090"]
COST_MESSAGES = ["积分已扣除", "积分已退还", "不需要积分"]
SIZES = [(512, 512), (768, 768), (1024, 1024), (1024, 768)]


def _request(rng: random.Random) -> dict[str, Any]:
    width, height = rng.choice(SIZES)
    return {
        "model": rng.choice([1, 3, 4]),
        "prompt": rng.choice(PROMPTS),
        "uc_prompt": "blurry, lowres",
        "width": width,
        "height": height,
        "steps": rng.choice([20, 30, 40]),
        "cfg": rng.choice([4.0, 7.0, 10.0]),
        "sampler_index": rng.choice([0, 1, 2]),
        "seed": str(rng.randrange(1, 10**6)),
        "num": rng.choice([1, 2, 4]),
    }


def _audit(rng: random.Random) -> str:
    verdict = rng.choices(["PASS", "REVIEW", "BLOCK"], weights=[90, 7, 3])[0]
    scene = {"rate": 0.99, "suggestion": verdict.lower(), "label": "porn", "scene": "PORN"}
    body = {"check_fail": False, "total_suggestion": verdict, "scan_scene_d_t_o_s": [scene]}
    return json.dumps(body)


def _finished(rng: random.Random, key: str, req: dict[str, Any], t0: int) -> dict[str, Any]:
    failed = rng.random() < 0.05
    start = t0 + rng.randint(0, 30)
    info = ArtworkInfo.from_dict(
        {
            **req,
            "status": 3 if failed else 4,
            "picture_url": "" if failed else f"https://cdn.example/ai/{key}-01.png",
            "generate_time": t0,
            "start_gen_time": start,
            "complete_time": start + rng.randint(5, 40),
            "involve_yellow": int(rng.random() < 0.02),
            "audit_info": _audit(rng),
            "technology_info": None
            if failed
            else {
                "machine_no": f"m{rng.randrange(100):03d}",
                "gpu_type": rng.choice(GPUS),
                "power_consumption": rng.random() / 1000,
            },
            "fail_message": {
                "fail_code": 1 if failed else 0,
                "fail_message": "x" if failed else "success",
            },
            "model_prompt": req["prompt"] + "; sketch",
            "integral_cost": rng.choice([2, 4, 6]),
            "integral_cost_message": rng.choice(COST_MESSAGES),
        }
    )
    return wujie_record(key, req, info=info, experiment=rng.choice(["cfg-vs-steps", "styles"]))


def _pending(rng: random.Random, key: str, req: dict[str, Any], t0: int) -> dict[str, Any]:
    generating = rng.random() < 0.5
    info = GeneratingInfo.from_dict(
        {
            "key": key,
            "status": 2 if generating else 1,
            "start_gen_time": t0 + 5 if generating else 0,
            "complete_time": 0,
            "complete_percent": 0.4 if generating else 0.0,
            "queue_before_num": 0 if generating else rng.randint(1, 40),
        }
    )
    return wujie_record(key, req, generating=info, submitted_at=t0 + rng.random())


def _mj(rng: random.Random, n: int, t0: int) -> dict[str, Any]:
    status = rng.choice(["SUCCESS", "SUCCESS", "IN_PROGRESS", "FAILURE"])
    task = MjTask.from_dict(
        {
            "id": str(1730621826053455 + n),
            "action": "IMAGINE",
            "prompt": rng.choice(PROMPTS) + " --v 6.1",
            "status": status,
            "submitTime": t0 * 1000,
            "startTime": t0 * 1000 + 1971,
            "finishTime": t0 * 1000 + 29764 if status != "IN_PROGRESS" else 0,
            "imageUrl": f"https://cdn.example/mj/{n}.png",
            "failReason": "banned" if status == "FAILURE" else "",
            "progress": "100%",
            "properties": {"finalPrompt": "pig --v 6.1"},
        }
    )
    return mj_record(task, {}, experiment="mj")


def make_records(count: int, seed: int = 6) -> list[dict[str, Any]]:
    """``count`` ledger-like records (JSON round-tripped), deterministic for a seed."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        t0 = 1_730_000_000 + n * 3
        req = _request(rng)
        key = f"{n:032X}"
        roll = rng.random()
        if roll < 0.05:
            record = _mj(rng, n, t0)
        elif roll < 0.55:
            record = _finished(rng, key, req, t0)
        else:
            record = _pending(rng, key, req, t0)
        if rng.random() < 1 / 3:
            record |= {"style_model": rng.choice(["晨辉", "肤若凝脂"]), "lora_weight": 0.6}
        out.append(record)
    stored: list[dict[str, Any]] = json.loads(json.dumps(out))  # as the ledger hands them back
    return stored


def timed(fn: Callable[[], object]) -> float:
    """Wall time of one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def race(contenders: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Interleaved timings (one warm-up each), so load spikes hit every contender alike."""
    for fn in contenders.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, fn in contenders.items():
            times[name].append(timed(fn))
    return times


def normalize_then_type(records: list[dict[str, Any]]) -> pd.DataFrame:
    """What a user would write by hand for the same typed frame: json_normalize + casts."""
    df = pd.json_normalize(records)
    for col, dtype in SCHEMA.items():
        if dtype.startswith("datetime64"):
            df[col] = pd.to_datetime(df[col], unit="s", utc=True)
        else:
            df[col] = df[col].astype(pandas_dtype(dtype))
    return df


def numpy_route(records: list[dict[str, Any]]) -> pd.DataFrame:
    """``to_dataframe`` as it runs without pyarrow."""
    saved, columns.arrow = columns.arrow, None
    try:
        return to_dataframe(records)
    finally:
        columns.arrow = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    records = make_records(args.records)
    contenders: dict[str, Callable[[], object]] = {
        "wjnb.frame.to_dataframe (typed)": lambda: to_dataframe(records),
        "pandas.json_normalize (untyped)": lambda: pd.json_normalize(records),
        "json_normalize + casts (typed)": lambda: normalize_then_type(records),
        "pandas.DataFrame(records) (untyped)": lambda: pd.DataFrame(records),
        "to_dataframe, numpy route (no pyarrow)": lambda: numpy_route(records),
    }
    if columns.arrow is None:
        print("pyarrow is not installed: the first line is the numpy route")
    medians = {name: statistics.median(t) for name, t in race(contenders, args.runs).items()}
    ours, normalize = list(medians.values())[:2]
    ratio = normalize / ours
    print(f"{len(records)} records, {args.runs} interleaved runs, medians, pandas {pd.__version__}")
    for name, seconds in medians.items():
        print(f"  {name:40s} {seconds * 1000:8.1f} ms  ({seconds / ours:.1f}x ours)")
    print(f"speed-up vs json_normalize: {ratio:.1f}x")
    print(f"target: < 500 ms ............... {'met' if ours < 0.5 else 'MISSED'}")
    print(f"target: >= 3x json_normalize ... {'met' if ratio >= 3 else 'MISSED'}")
    slow = medians["to_dataframe, numpy route (no pyarrow)"]
    print(f"numpy route: {normalize / slow:.1f}x json_normalize")


if __name__ == "__main__":
    main()
