"""Benchmark the sandbox renderer: render_artwork + encode_png at 1024 and 2048 px.

Prints median wall-clock milliseconds over N runs (render, encode, total), the CPU time
(process, all threads), PNG sizes, the host's load average, and two
baselines measured in the same run at the same size so the encode cost can be read in
context: Pillow's ``save(PNG, compress_level=1)`` of the same rendered picture, and of pure
noise (``Image.effect_noise`` and a random numpy array), the worst case for PNG.
It then compares, per size, the renderer before prompts drew their nouns (the module as of
commit ``OLD_COMMIT``, loaded from git history into a temporary module) with today's, on
prompts that name subjects, colours and styles.
No pass/fail: the targets are printed next to the figures.

Run from the repository root:  PYTHONPATH=. .venv/bin/python bench/bench_render.py [-n 10]
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from wjnb.sandbox.render import encode_png, render_artwork

TARGETS_MS = {1024: 150.0, 2048: 600.0}
#: The last commit whose renderer drew a handful of procedural subjects only.
OLD_COMMIT = "71d4466"
PROMPTS = (
    "a lighthouse at dusk",
    "a red bicycle leaning on a blue wall, watercolour",
    "bowl of ramen, studio photo",
    "two black cats on a pink sofa, pixel art",
)
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


def _old_renderer() -> Any:
    """The renderer module as of ``OLD_COMMIT``, imported from a temporary file."""
    root = Path(__file__).resolve().parents[1]
    src = subprocess.run(
        ["git", "show", f"{OLD_COMMIT}:wjnb/sandbox/render.py"],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_render.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("old_render", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_render"] = module
    spec.loader.exec_module(module)
    return module


def bench_old_vs_new(sizes: list[int], runs: int) -> None:
    """render_artwork + encode_png per size and prompt: old renderer vs new, same run."""
    old = _old_renderer()
    print(f"\nold renderer ({OLD_COMMIT}) vs new, render_artwork + encode_png, median of {runs}")
    print(f"  {'size':>5} {'prompt':<52} {'old ms':>8} {'new ms':>8} {'old CPU':>8} {'new CPU':>8}")
    for side in sizes:
        for prompt in PROMPTS:
            row = []
            for mod in (old, sys.modules[render_artwork.__module__]):

                def run(m: Any = mod, p: str = prompt, s: int = side) -> Any:
                    return m.encode_png(m.render_artwork(p, 7, 1, 0, 30, 7.0, s, s))

                row.append((_median_ms(run, runs)[0], _cpu_ms(run, runs)))
            (t_old, c_old), (t_new, c_new) = row
            print(f"  {side:>5} {prompt:<52} {t_old:8.1f} {t_new:8.1f} {c_old:8.1f} {c_new:8.1f}")


def main() -> None:
    """Parse ``-n`` and run both sizes."""
    ap = argparse.ArgumentParser(description="sandbox renderer benchmark")
    ap.add_argument("-n", "--runs", type=int, default=10)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1024, 2048])
    ap.add_argument("--old-sizes", type=int, nargs="+", default=[256, 512, 1024])
    args = ap.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"wjnb sandbox renderer benchmark  (cpus: {os.cpu_count()}, load average: {load})")
    print("wall-clock medians in ms; a busy host inflates them, the CPU column much less")
    for side in args.sizes:
        bench_size(side, args.runs)
    bench_old_vs_new(args.old_sizes, args.runs)


if __name__ == "__main__":
    main()
