"""One surface on tracked tasks for every flavour: upscale, vary (region with a mask from a
PIL image, numpy array or rectangle), zoom (custom through the modal), pan."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import wjnb
import wjnb.sandbox
from wjnb.errors import InvalidArgument, Unsupported
from wjnb.mask import data_url, mask_image

WAIT = 60.0


def _client(srv: wjnb.sandbox.Sandbox, home: Path) -> wjnb.Client:
    return wjnb.Client(home=home, mj_base_url=srv.mj_base_url, mj_token=srv.mj_token)


def test_masks_from_images_arrays_and_rectangles() -> None:
    size = (64, 32)
    by_fraction = mask_image((0.25, 0.5, 0.75, 1.0), size)
    by_pixels = mask_image((16, 16, 48, 32), size)
    array = np.zeros((8, 16), dtype=bool)
    array[4:, 4:12] = True  # the same region, at a quarter of the size
    by_array = mask_image(array, size)
    by_image = mask_image(Image.fromarray(array.astype(np.uint8) * 255), size)
    for mask in (by_pixels, by_array, by_image):
        assert mask.size == size and mask.tobytes() == by_fraction.tobytes()
    assert by_fraction.getpixel((20, 20)) == 255 and by_fraction.getpixel((5, 5)) == 0
    assert data_url((0, 0, 10, 10), size).startswith("data:image/png;base64,")
    for bad in ((0, 0, 100, 10), (10, 10, 5, 5), np.zeros((4, 4)), np.zeros(4), "all"):
        with pytest.raises(InvalidArgument):
            mask_image(bad, size)


def test_every_intent_on_a_proxy_with_buttons(tmp_path: Path) -> None:
    srv = wjnb.sandbox.start(speed=400, seed=6, faults="", mj_flavor="trueai")
    try:
        with _client(srv, tmp_path) as client:
            grid = client.mj.imagine("a lighthouse at dusk").wait(WAIT)
            up = grid.upscale(index=2).wait(WAIT)
            assert (up.action, up.record["button"]) == ("UPSCALE", "U2")
            region = up.vary("region", mask=(0.25, 0.25, 0.75, 0.75)).wait(WAIT)
            assert (region.status_name, region.action) == ("success", "VARIATION")
            assert region.image().size == up.image().size
            assert region.image().tobytes() != up.image().tobytes()
            custom = up.zoom(1.25).wait(WAIT)
            assert (custom.status_name, custom.action) == ("success", "ZOOM")
            assert "--zoom 1.25" in (custom.task.prompt if custom.task else "")
            made = [
                up.zoom(2),
                up.pan("left"),
                up.vary("subtle"),
                up.upscale("creative"),
                grid.vary(index=3),
            ]
            actions = [t.wait(WAIT).action for t in made]
            assert actions == ["ZOOM", "PAN", "VARIATION", "UPSCALE_HD", "VARIATION"]
            assert all(t.status_name == "success" for t in made)
            assert {t.record["parent_id"] for t in made[:4]} == {up.key}
            with pytest.raises(InvalidArgument):
                up.vary("region")  # no mask
            with pytest.raises(InvalidArgument):
                up.zoom(3)
    finally:
        srv.stop()


def test_novicezk_names_itself_where_it_has_no_route(tmp_path: Path) -> None:
    srv = wjnb.sandbox.start(speed=400, seed=6, faults="", mj_flavor="novicezk")
    try:
        with _client(srv, tmp_path) as client:
            grid = client.mj.imagine("a lighthouse at dusk").wait(WAIT)
            up = grid.upscale(index=1).wait(WAIT)
            assert up.status_name == "success"
            assert grid.vary(index=4).wait(WAIT).status_name == "success"
            for intent in (lambda: up.pan("up"), lambda: up.zoom(2), lambda: up.vary("strong")):
                with pytest.raises(Unsupported, match="novicezk"):
                    intent()
    finally:
        srv.stop()


def test_the_region_picker_outlines_and_confirms(tmp_path: Path) -> None:
    srv = wjnb.sandbox.start(speed=400, seed=6, faults="", mj_flavor="plus")
    try:
        with _client(srv, tmp_path) as client:
            up = client.mj.imagine("a lighthouse at dusk").wait(WAIT).upscale(index=1).wait(WAIT)
            picker = up.region_picker((0.1, 0.2, 0.5, 0.6))
            first = picker.preview.value
            picker.x.value = (0.3, 0.9)
            assert picker.region == (0.3, 0.2, 0.9, 0.6)
            assert picker.preview.value != first  # the outline follows the sliders
            assert "mask=(0.3, 0.2, 0.9, 0.6)" in picker.static_html()
            picker._confirm()  # what the button runs (on a worker thread)
            assert picker.child is not None
            child = picker.child.wait(WAIT)
            assert (child.status_name, child.record["parent_id"]) == ("success", up.key)
            picker.close()
    finally:
        srv.stop()
