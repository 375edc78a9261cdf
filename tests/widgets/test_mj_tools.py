"""Vary (Region) and Custom Zoom from a Midjourney card, headless against the sandbox: the
buttons where the task offers them, the picker inside the card, the modal confirm."""

from __future__ import annotations

import html
from collections.abc import Callable

import wjnb
import wjnb.sandbox
from wjnb.widgets import MjCard
from wjnb.widgets.region import RegionPicker, ZoomPicker
from wjnb.widgets.style import shown as visible


def modals(sandbox: wjnb.sandbox.Sandbox) -> int:
    return int(sandbox.counters()["requests"].get("POST /mj/submit/modal", 0))


def test_region_and_zoom_open_their_pickers_and_confirm_through_the_modal(
    sandbox: wjnb.sandbox.Sandbox, client: wjnb.Client, until: Callable[..., None]
) -> None:
    grid = client.mj.imagine("a lighthouse at dusk --v 6.1").wait(60)
    grid_card = MjCard(grid)
    until(lambda: bool(grid_card.picture.value), grid_card)
    # A grid offers no Vary (Region) nor Custom Zoom: no buttons.
    assert not any(visible(b) for b in grid_card.tools.buttons.values())
    grid_card.close()

    up = grid.upscale(index=1).wait(60)
    card = MjCard(up)
    until(lambda: bool(card.picture.value), card)
    region, zoom = card.tools.buttons["region"], card.tools.buttons["zoom"]
    assert visible(region) and visible(zoom) and not visible(card.tools.panel)

    region.click()
    until(lambda: isinstance(card.tools.picker, RegionPicker), card)
    picker = card.tools.picker
    assert isinstance(picker, RegionPicker) and visible(card.tools.panel)
    first = bytes(picker.preview.value)
    picker.x.value, picker.y.value = (0.1, 0.5), (0.2, 0.6)
    assert bytes(picker.preview.value) != first  # the outline follows the sliders
    assert html.escape(picker.call()) in card.static_html()
    assert picker.call() == 'task.vary("region", mask=(0.1, 0.2, 0.5, 0.6))'
    before = modals(sandbox)
    picker.go.click()
    until(lambda: picker.child is not None and "submitted" in picker.status.value, picker)
    assert picker.child is not None
    child = picker.child.wait(60)
    assert modals(sandbox) == before + 1
    assert (child.status_name, child.record["parent_id"]) == ("success", up.key)
    until(lambda: len(card.children_box.children) == 1, card)  # its card grows beneath

    zoom.click()  # the zoom picker replaces the region picker
    until(lambda: isinstance(card.tools.picker, ZoomPicker), card)
    zoomer = card.tools.picker
    assert isinstance(zoomer, ZoomPicker) and picker.comm is None  # the region picker closed
    zoomer.factor.value = 1.3
    zoomer.go.click()
    until(lambda: zoomer.child is not None and "submitted" in zoomer.status.value, zoomer)
    assert zoomer.child is not None
    zoomed = zoomer.child.wait(60)
    assert modals(sandbox) == before + 2 and zoomed.status_name == "success"
    assert "--zoom 1.3" in str(zoomed.task.prompt if zoomed.task else "")
    assert "task.zoom(1.3)" in card.static_html()
    zoom.click()  # pressed again: the picker closes
    assert card.tools.picker is None and not visible(card.tools.panel)
    card.close()
