"""Render one finished static card of every kind to ``test-artifacts/media-cards.png``.

An artwork, a pro artwork, the artwork's Upscale, Describe and Animate, a prompt
optimisation, a video-to-video job, an avatar training, a camera shot, the three lab tools
and a youthify, from the sandbox, as a saved notebook shows them (poster frames for clips).
For looking at, not for asserting. Needs Chromium (scripts/ensure-chromium).

Run from the repository root:  PYTHONPATH=. .venv/bin/python scripts/media_cards.py
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import wjnb
import wjnb.sandbox
from wjnb import html

OUT = Path("test-artifacts/media-cards.png")
TIMEOUT = 60.0


def cards() -> str:
    """A page with the finished card of each kind."""
    srv = wjnb.sandbox.start(speed=200, seed=3, faults="")
    with wjnb.Client(sandbox=srv, home=tempfile.mkdtemp()) as client:
        src = client.generate("a lighthouse at dusk, stormy sea", width=512, height=512)[0]
        url = src.wait(TIMEOUT).picture_url
        avatar = client.create("avatar", {"image_urls": [url]})[0].wait(TIMEOUT)
        video = {"origin_video_url": url, "model_code": 1, "video_duration": 2}
        segment = {"image_url": url, "positive_points": [(100, 100)], "threshold": 10}
        lab = "/ai/pro/lab/"
        pro = {"prompt": "a lighthouse, oil painting", "model_code": 101, "width": 512,
               "height": 512}  # fmt: skip
        optimize = {"original": "a lighthouse", "type": 1, "language": 1}
        jobs = [
            src,
            client.create("pro", pro)[0],
            src.upscale(2),
            src.describe(),
            client.create("optimize", optimize)[0],
            src.animate(duration=2, motion_amplitude=5),
            client.create("video", video)[0],
            avatar,
            client.create("camera", {"avatar_key": avatar.key})[0],
            client.create("lab", segment)[0],
            client.create("lab", {"init_image_url": url}, route=lab + "createInfiniteZoom")[0],
            client.create("lab", {"init_image": url}, route=lab + "createVectorsStudio")[0],
            client.create("youthify", {"image_url": url})[0],
        ]
        page = "".join(html.card_html(job.wait(TIMEOUT)) for job in jobs)
    srv.stop()
    return f"<html><body style='background:#fafafa;padding:12px'>{page}</body></html>"


def shoot(page_html: str, out: Path, size: str = "1200,700") -> None:
    """Screenshot ``page_html`` with headless Chromium into ``out`` (a PNG)."""
    out.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(page_html, encoding="utf-8")
        subprocess.run(
            [
                "/usr/bin/chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--window-size={size}",
                f"--screenshot={out.resolve()}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> None:
    shoot(cards(), OUT, "1200,1000")
    print(OUT)


if __name__ == "__main__":
    main()
