"""Widget weight and speed: what a displayed picture costs in a saved notebook, and how fast
a 1,000-job gallery opens. Prints figures; no pass/fail.

* bytes per displayed image as saved in a notebook (base64, as nbformat stores both widget
  buffers and ``image/png`` outputs): wjnb's card thumbnail (widget state), the same card's
  ``text/html`` fallback, and ``IPython.display.Image`` of the full PNG, for each size;
* the time to build a gallery over 1,000 jobs (first page of cards), and until that page's
  thumbnails are in its widgets.

Runs against a private sandbox at high speed: ``python bench/bench_widgets.py``.
"""

from __future__ import annotations

import base64
import os
import statistics
import sys
import tempfile
import threading
import time

os.environ.setdefault("WJNB_HOME", tempfile.mkdtemp(prefix="wjnb-bench-"))

from IPython.display import Image as IPyImage

import wjnb
import wjnb.sandbox
from wjnb.widgets import Gallery, JobCard

SIZES = ((512, 512), (1024, 1024), (2048, 2048))
GALLERY_JOBS = 1000


def saved(data: bytes) -> int:
    """Bytes a binary payload takes in a saved ``.ipynb`` (base64 text)."""
    return len(base64.b64encode(data))


def loaded(card: JobCard, timeout: float = 60) -> None:
    """Wait until ``card`` shows its thumbnail."""
    ready = threading.Event()
    card.picture.observe(lambda _: ready.set(), "value")
    if not card.picture.value and not ready.wait(timeout):
        raise TimeoutError("the card's thumbnail never arrived")


def bench_weight(client: wjnb.Client) -> None:
    head = ("size", "wjnb widget", "wjnb html", "IPython Image(PNG)", "ratio")
    print(f"{head[0]:>11} | {head[1]:>12} | {head[2]:>10} | {head[3]:>18} | {head[4]}")
    for width, height in SIZES:
        jobs = client.generate(
            "a lighthouse at dusk, stormy sea", width=width, height=height, seed="7"
        )
        job = jobs[0].wait(120)
        card = JobCard(job)
        loaded(card)
        widget = saved(card.picture.value)
        fallback = len(card.static_html().encode())
        full = saved(IPyImage(data=_png(job)).data)
        print(
            f"{width:>5}×{height:<5} | {widget:>10,} B | {fallback:>8,} B | {full:>16,} B |"
            f" {full / widget:5.0f}×"
        )
        card.close()


def _png(job: wjnb.jobs.Job) -> bytes:
    """The full picture as PNG bytes, as a user would display it."""
    import io

    buf = io.BytesIO()
    job.image().save(buf, "PNG")
    return buf.getvalue()


def bench_gallery(client: wjnb.Client) -> None:
    t0 = time.perf_counter()
    # Small pictures so the sandbox renders a thousand quickly; the gallery shows them the same.
    sets = [
        client.generate("a field of sunflowers", num=10, width=64, height=64)
        for _ in range(GALLERY_JOBS // 10)
    ]
    everything = [j for s in sets for j in s]
    for job in everything:
        job.wait(300)
    print(f"\n{len(everything)} jobs generated in {time.perf_counter() - t0:.1f} s (sandbox)")

    timings = []
    for _ in range(5):
        t = time.perf_counter()
        gallery = Gallery(everything, page_size=12)
        built = time.perf_counter() - t
        for card in gallery.cards:
            loaded(card)
        timings.append((built, time.perf_counter() - t))
        pictures = sum(bool(c.picture.value) for c in gallery.cards)
        gallery.close()
    print(
        f"gallery of {len(everything):,} jobs, first page ({pictures} cards):"
        f" built in {statistics.median(b for b, _ in timings) * 1000:.1f} ms,"
        f" thumbnails in {statistics.median(f for _, f in timings) * 1000:.1f} ms (median of 5)"
    )


def main() -> int:
    srv = wjnb.sandbox.start(speed=200, seed=3, faults="", balance=10_000_000)
    client = wjnb.Client(sandbox=srv)
    try:
        bench_weight(client)
        bench_gallery(client)
    finally:
        client.close()
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
