"""Render two Midjourney lineage trees to ``test-artifacts/mj-tree.png``: imagine -> U1 ->
zoom, pan, Vary (Region); and describe -> imagine of its second prompt -> U1, as the
static HTML of ``task.tree()`` shows them. For looking at, not for asserting. Needs
Chromium (scripts/ensure-chromium).

Run from the repository root:  PYTHONPATH=. .venv/bin/python scripts/mj_tree.py [flavour]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import wjnb
import wjnb.sandbox

sys.path.insert(0, str(Path(__file__).parent))
from media_cards import shoot

OUT = Path("test-artifacts/mj-tree.png")
WAIT = 60.0


def trees(flavor: str) -> str:
    """A page with the two trees."""
    srv = wjnb.sandbox.start(speed=200, seed=3, faults="", mj_flavor=flavor)
    home = tempfile.mkdtemp()
    with wjnb.Client(home=home, mj_base_url=srv.mj_base_url, mj_token=srv.mj_token) as client:
        grid = client.mj.imagine("a lighthouse on a cliff at dusk --seed 7").wait(WAIT)
        up = grid.press("U1").wait(WAIT)
        for child in (up.zoom(2), up.pan("left"), up.vary("region", mask=(0, 0, 0.5, 1))):
            child.wait(WAIT)
        described = client.mj.describe(up.image()).wait(WAIT)
        described.imagine(2).wait(WAIT).press("U1").wait(WAIT)
        page = grid.tree()._repr_html_() + "<hr>" + described.tree()._repr_html_()
    srv.stop()
    style = "background:#fff;padding:12px;font-family:sans-serif"
    return f"<html><body style='{style}'>{page}</body></html>"


def main() -> None:
    shoot(trees(sys.argv[1] if len(sys.argv) > 1 else "plus"), OUT, "1000,1250")
    print(OUT)


if __name__ == "__main__":
    main()
