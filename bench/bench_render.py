"""Benchmark the sandbox renderer: render_artwork + encode_png at 1024 and 2048 px.

Prints median wall-clock milliseconds over N runs (render, encode, total), the CPU time
(process, all threads), PNG sizes, the host's load average, and two
baselines measured in the same run at the same size so the encode cost can be read in
context: Pillow's ``save(PNG, compress_level=1)`` of the same rendered picture, and of pure
noise (``Image.effect_noise`` and a random numpy array), the worst case for PNG.
No pass/fail: the targets are printed next to the figures.

Run from the repository root:  PYTHONPATH=. .venv/bin/python bench/bench_render.py [-n 10]
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image

from wjnb.sandbox.render import encode_png, render_artwork

TARGETS_MS = {1024: 150.0, 2048: 600.0}
# (label, model, sampler_index, steps, cfg): the default look plus the slowest styles
CASES: tuple[tuple[str, int, int, int, float], ...] = (
    ("general/smooth, steps 30", 1, 0, 30, 7.0),
    ("general/mosaic, steps 50", 1, 4, 50, 7.0),
    ("comic/crosshatch, steps 30", 3, 3, 30, 7.0),
    ("painterly/brush, steps 10", 4, 2, 10, 12.0),
)


def _median_ms(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time of ``fn`` in ms over ``runs`` calls (after one warm-up) and its result."""
    result = fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times), result


def _cpu_ms(fn: Callable[[], Any], runs: int) -> float:
    """Median CPU time (all threads of this process) of ``fn`` in ms: robust on a busy host."""
    times = []
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        times.append((time.process_time() - t0) * 1000.0)
    return statistics.median(times)


def _pillow_png(img: Image.Image) -> bytes:
    """Pillow's own PNG encoder at compress_level=1 (the baseline for encode_png)."""
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def bench_size(side: int, runs: int) -> None:
    """Print the figures for one square size."""
    target = TARGETS_MS.get(side)
    goal = f"target <= {target:.0f} ms" if target else "no target"
    print(f"\n{side}x{side}  (render_artwork + encode_png; {goal}; median of {runs})")
    print(
        f"  {'case':<28} {'render':>8} {'encode':>8} {'total':>8} {'PNG size':>10}"
        f"   {'CPU ms (render+encode)':>22}"
    )
    for label, model, sampler, steps, cfg in CASES:

        def render(m: int = model, s: int = sampler, st: int = steps, c: float = cfg) -> Any:
            return render_artwork("a lighthouse at dusk", 7, m, s, st, c, side, side)

        t_render, img = _median_ms(render, runs)
        t_encode, data = _median_ms(functools.partial(encode_png, img), runs)
        total = t_render + t_encode
        cpu = _cpu_ms(render, runs) + _cpu_ms(functools.partial(encode_png, img), runs)
        flag = "" if target is None else ("ok  " if total <= target else "OVER")
        print(
            f"  {label:<28} {t_render:8.1f} {t_encode:8.1f} {total:8.1f} "
            f"{len(data) / 1e6:7.2f} MB {flag} {cpu:16.1f}"
        )
    img = render_artwork("a lighthouse at dusk", 7, 1, 0, 30, 7.0, side, side)
    t_pil, data = _median_ms(lambda: _pillow_png(img), runs)
    print(
        f"  baseline: Pillow PNG level 1 of the same picture   {t_pil:8.1f} ms "
        f"{len(data) / 1e6:8.2f} MB"
    )
    noise = Image.effect_noise((side, side), 64).convert("RGB")
    t_noise, data = _median_ms(lambda: _pillow_png(noise), runs)
    t_noise2, data2 = _median_ms(lambda: encode_png(noise), runs)
    print(
        f"  baseline: effect_noise PNG (Pillow / encode_png)  {t_noise:8.1f} / {t_noise2:.1f} ms "
        f"{len(data) / 1e6:6.2f} / {len(data2) / 1e6:.2f} MB"
    )
    rnd = Image.fromarray(
        np.random.default_rng(0).integers(0, 256, (side, side, 3), dtype=np.uint8)
    )
    t_rnd, data = _median_ms(lambda: _pillow_png(rnd), runs)
    t_rnd2, data2 = _median_ms(lambda: encode_png(rnd), runs)
    print(
        f"  baseline: random array PNG (Pillow / encode_png)  {t_rnd:8.1f} / {t_rnd2:.1f} ms "
        f"{len(data) / 1e6:6.2f} / {len(data2) / 1e6:.2f} MB"
    )


def main() -> None:
    """Parse ``-n`` and run both sizes."""
    ap = argparse.ArgumentParser(description="sandbox renderer benchmark")
    ap.add_argument("-n", "--runs", type=int, default=10)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1024, 2048])
    args = ap.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"wjnb sandbox renderer benchmark  (cpus: {os.cpu_count()}, load average: {load})")
    print("wall-clock medians in ms; a busy host inflates them, the CPU column much less")
    for side in args.sizes:
        bench_size(side, args.runs)


if __name__ == "__main__":
    main()
