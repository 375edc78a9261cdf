"""The pictures in ``docs/``, taken from a real JupyterLab: the Studio with cards in most
states (failures are left out: the sandbox's failure texts are Chinese and this Chromium has
no CJK font), a sweep grid and a Midjourney card. Each view is checked for what it must show, then
saved under ``test-artifacts/docs-*.png`` (copy them to ``docs/`` to refresh the docs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

STUDIO = """\
import wjnb, wjnb.sandbox
srv = wjnb.sandbox.start(speed=10, gpus=2, seed=5)
client = wjnb.Client(sandbox=srv)
studio = wjnb.Studio(client)

def send(prompt, *, wait=True, **params):
    studio.prompt.value = prompt
    for name, value in params.items():
        getattr(studio, name).value = value
    studio.submit()
    studio.sending.result()
    if wait:
        studio.jobs[0].wait(60)

send("[block] a busy night market")
send("[nsfw] a portrait on the beach")
send("a red fox in fresh snow", cfg=9.0)
send("a field of sunflowers under a blue sky", steps=40)
send("a lighthouse at dusk, stormy sea")
for prompt in ("a mountain cabin at dawn", "a quiet harbour at night", "a paper lantern festival"):
    send("[slow] " + prompt, wait=False)
studio.prompt.value = "a lighthouse at dusk, stormy sea"
studio
"""

GRID = """\
sweep = client.sweep("a lighthouse at dusk", grid={"cfg": [3, 7, 12], "steps": [10, 30]},
                     seeds=[1, 2], experiment="cfg-vs-steps")
sweep.wait(120)
sweep.grid(x="cfg", y="steps")
"""

MJ = """\
import wjnb.widgets
task = client.mj.imagine("a lighthouse on a cliff at dusk --v 6.1").wait(60)
task.press("V1").wait(60)
task.press("U2").wait(60)
wjnb.widgets.card(task)
"""

#: Loaded pictures inside the elements matching a selector.
LOADED = """([sel, n]) => [...document.querySelectorAll(sel + ' img.widget-image')]
    .filter(img => img.naturalWidth > 0 && !img.closest('.wjnb-hidden')).length >= n"""


def test_docs_screenshots(start_lab: Callable[..., Any], open_notebook: Callable[..., Any]) -> None:
    lab = start_lab({})
    name = lab.write_notebook("docs.ipynb", [STUDIO, GRID, MJ])
    nb = open_notebook(lab, name)
    page = nb.page
    page.set_viewport_size({"width": 1240, "height": 2000})

    nb.run(0)
    studio = nb.output(0).locator(".jp-OutputArea-output").first
    page.wait_for_function(LOADED, arg=[".wjnb-gallery", 4], timeout=60_000)
    page.wait_for_function(
        "() => /Generating/.test(document.body.innerText)"
        " && /in queue/.test(document.body.innerText)",
        timeout=60_000,
    )
    text = studio.inner_text()
    for seen in ("Done", "NSFW", "Blocked", "Generating", "Queued", "in queue", "Reveal"):
        assert seen in text, seen
    nb.screenshot("docs-studio.png", studio)

    nb.run(1, timeout=180)
    sheet = nb.output(1).locator(".jp-OutputArea-output").first
    page.wait_for_function(LOADED, arg=[".wjnb-grid", 12], timeout=60_000)
    for label in ("cfg", "steps", "12", "30"):
        assert label in sheet.inner_text()
    nb.screenshot("docs-sweep-grid.png", sheet)

    nb.run(2, timeout=180)
    card = nb.output(2).locator(".jp-OutputArea-output").first
    page.wait_for_function(LOADED, arg=[".wjnb-mj", 3], timeout=60_000)
    card.get_by_role("button", name="Seed", exact=True).first.click()
    page.wait_for_function("() => /seed \\d+/.test(document.body.innerText)")
    text = card.inner_text()
    for seen in ("U1", "V4", "Reroll", "Variation", "Upscale"):
        assert seen in text, seen
    nb.screenshot("docs-mj-card.png", card)
