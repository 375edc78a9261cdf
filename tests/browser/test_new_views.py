"""The views of the Studio's kinds, text results, upscale before/after and the Midjourney
modal pickers, rendered by a real JupyterLab in Chromium: each shows what it must, and is
saved under ``test-artifacts/views-*.png`` to be looked at."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

SETUP = """\
import time, wjnb, wjnb.sandbox, wjnb.widgets
srv = wjnb.sandbox.start(speed=20, seed=5)
client = wjnb.Client(sandbox=srv)

def settle(check, timeout=60):
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "the view did not settle"
        time.sleep(0.05)

pro = wjnb.Studio(client)
pro.kind.value = "pro"
settle(lambda: len(pro.pro.control.options) > 1 and pro.pro.model.options)
pro.prompt.value = "a quiet harbour at night"
pro.pro.control.value = 1
pro.pro.image_url.value = "https://example.org/pose.png"
pro
"""

MJ = """\
mj = wjnb.Studio(client)
mj.kind.value = "mj"
mj.prompt.value = "a lighthouse on a cliff at dusk --v 6.1"
mj.submit(); mj.sending.result(); mj.jobs[0].wait(60)
mj
"""

TEXTS = """\
studio = wjnb.Studio(client)
studio.prompt.value = "a red fox in fresh snow"
studio.submit(); studio.sending.result()
studio.jobs[0].wait(60).describe().wait(60)
studio.optimize(); settle(lambda: len(studio.jobs) == 3); studio.jobs[0].wait(60)
studio
"""

UPSCALE = """\
source = client.generate("a lighthouse at dusk, stormy sea", width=512, height=512, seed="4")
wjnb.widgets.card_view(source[0].wait(60).upscale(2).wait(60))
"""

REGION = """\
up = client.mj.imagine("a red bicycle on a blue wall --v 6.1").wait(60).upscale(index=2).wait(60)
card = wjnb.widgets.card_view(up)
card.tools.toggle("region"); settle(lambda: card.tools.picker is not None)
card
"""

#: Loaded pictures inside the elements matching a selector.
LOADED = """([sel, n]) => [...document.querySelectorAll(sel + ' img.widget-image')]
    .filter(img => img.naturalWidth > 0 && !img.closest('.wjnb-hidden')).length >= n"""


def test_new_views_render_in_jupyterlab(
    start_lab: Callable[..., Any], open_notebook: Callable[..., Any]
) -> None:
    lab = start_lab({})
    name = lab.write_notebook("views.ipynb", [SETUP, MJ, TEXTS, UPSCALE, REGION])
    nb = open_notebook(lab, name)
    nb.page.set_viewport_size({"width": 1240, "height": 1800})

    def shown(index: int, selector: str, pictures: int, texts: tuple[str, ...], png: str) -> None:
        nb.run(index, timeout=180)
        view = nb.output(index).locator(".jp-OutputArea-output").first
        if pictures:
            nb.page.wait_for_function(LOADED, arg=[selector, pictures], timeout=60_000)
        text = view.inner_text()
        for seen in texts:
            assert seen in text, (png, seen)
        nb.screenshot(png, view)

    shown(
        0,
        ".wjnb-studio",
        0,
        ("Normal", "Pro", "Midjourney", "Pro model", "Control"),
        "views-studio-pro.png",
    )
    shown(1, ".wjnb-mj", 1, ("Midjourney task", "U1", "V4"), "views-studio-mj.png")
    shown(
        2, ".wjnb-gallery", 1, ("Use as prompt", "Describe", "Optimised prompt"), "views-texts.png"
    )
    shown(3, ".wjnb-card", 2, ("before 512×512 → after 1024×1024",), "views-upscale.png")
    shown(4, ".wjnb-mj", 2, ("Vary (Region)", "Custom Zoom", "across", "down"), "views-region.png")
