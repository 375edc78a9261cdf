"""wjnb's client against the sandbox in each Midjourney-proxy flavour.

The same flow for every flavour: imagine -> U/V/reroll -> upscale -> zoom/pan -> Vary
(Region) and Custom Zoom through the modal -> seed -> cancel, then describe, blend, shorten
and the other task-making routes as tracked tasks, each step either working or raising
``Unsupported`` naming the flavour where the reference says the route does not exist.
``WJNB_MJ_FLAVOR=auto`` (the default) must find the flavour by itself.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import wjnb
import wjnb.sandbox
from wjnb.errors import AuthError, MjBannedPrompt, MjQueueFull, Unsupported

FLAVORS = ("novicezk", "plus", "trueai", "relay")
WAIT = 30.0


@pytest.fixture(scope="module", params=FLAVORS)
def proxy(request: pytest.FixtureRequest) -> Iterator[wjnb.sandbox.Sandbox]:
    srv = wjnb.sandbox.start(speed=400, seed=5, faults="", mj_flavor=request.param)
    yield srv
    srv.stop()


def _client(srv: wjnb.sandbox.Sandbox, home: Path, **options: Any) -> wjnb.Client:
    return wjnb.Client(
        home=home, mj_base_url=srv.mj_base_url, mj_token=srv.mj_token, callbacks=True, **options
    )


def _mask() -> str:
    img = Image.new("L", (64, 64), 0)
    img.paste(255, (16, 16, 48, 48))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_auto_finds_the_flavour_and_its_auth(proxy: wjnb.sandbox.Sandbox, tmp_path: Path) -> None:
    with _client(proxy, tmp_path) as client:
        assert client.mj.flavor == proxy.mj_flavor
        assert client.mj.list_by_condition(["1"]) == []  # the header it chose works
        counted = proxy.counters()["requests"]
        assert client.mj.flavor == proxy.mj_flavor  # asked once, then kept
        assert proxy.counters()["requests"] == counted


def test_one_flow_on_every_flavour(proxy: wjnb.sandbox.Sandbox, tmp_path: Path) -> None:
    flavor = proxy.mj_flavor
    with _client(proxy, tmp_path) as client:
        grid = client.mj.imagine("a lighthouse at dusk --seed 11").wait(WAIT)
        assert grid.status_name == "success"
        assert bool(grid.buttons) is (flavor != "novicezk")  # N has no buttons
        up = grid.press("U2").wait(WAIT)
        assert (up.action, up.status_name, up.parent) == ("UPSCALE", "success", grid)
        assert grid.press("V1").wait(WAIT).status_name == "success"
        assert grid.press("reroll").wait(WAIT).status_name == "success"
        if flavor == "novicezk":
            with pytest.raises(Unsupported, match="novicezk"):
                up.press("Zoom Out 2x")
            with pytest.raises(Unsupported, match="novicezk"):
                grid.seed()
            with pytest.raises(Unsupported, match="novicezk"):
                client.mj.modal("1", mask_base64=_mask())
            return
        zoom = up.zoom(2).wait(WAIT)
        pan = up.pan("left").wait(WAIT)
        assert (zoom.action, pan.action) == ("ZOOM", "PAN")
        assert (zoom.record["button"], pan.record["button"]) == ("Zoom Out 2x", "⬅️")
        assert zoom.status_name == pan.status_name == "success"
        subtle = up.upscale("subtle").wait(WAIT)
        assert (subtle.action, subtle.status_name) == ("UPSCALE_HD", "success")
        region = up.press("Vary (Region)")
        assert region.status_name == "modal"
        client.mj.modal(region.id, mask_base64=_mask())
        assert region.wait(WAIT).status_name == "success"
        assert region.image().size == up.image().size
        boxed = up.vary("region", mask=(0.0, 0.0, 0.5, 1.0)).wait(WAIT)  # press + modal in one
        custom = up.zoom(1.25).wait(WAIT)  # Custom Zoom: press, then the modal with --zoom
        assert boxed.status_name == custom.status_name == "success"
        assert custom.task is not None and "--zoom 1.25" in (custom.task.prompt or "")
        assert boxed.image().tobytes() != region.image().tobytes()  # another mask, redrawn
        assert grid.seed() == "11"
        slow = client.mj.imagine("[slow] a very long night")
        if flavor == "relay":
            with pytest.raises(Unsupported, match="relay"):
                slow.cancel()
            return
        slow.cancel()
        slow.wait(WAIT)
        assert slow.status_name == ("failure" if flavor == "trueai" else "cancel")


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (96, 64)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def test_tracked_describe_blend_shorten_on_every_flavour(
    proxy: wjnb.sandbox.Sandbox, tmp_path: Path
) -> None:
    flavor = proxy.mj_flavor
    with _client(proxy, tmp_path) as client:
        described = client.mj.describe(_png((60, 150, 200)), experiment="picks").wait(WAIT)
        assert (described.action, described.status_name) == ("DESCRIBE", "success")
        assert len(described.prompts) == 4 and described.prompts[1].startswith("a bright azure")
        assert described.text is not None and described.text.startswith("1️⃣")
        assert html.escape(described.prompts[3]) in described._repr_html_()  # on its card
        child = described.imagine(2).wait(WAIT)  # the second prompt, as the describe's child
        assert (child.action, child.parent, child.status_name) == ("IMAGINE", described, "success")
        blend = client.mj.blend(
            [Image.new("RGB", (64, 64), (200, 40, 40)), _png((20, 20, 200))], experiment="picks"
        ).wait(WAIT)
        assert (blend.action, blend.status_name) == ("BLEND", "success")
        assert blend.press("U1").wait(WAIT).parent is blend  # a blend is a grid (N: change)
        assert blend.picture_url is not None
        if flavor == "trueai":  # a URL goes as trueai's link
            assert len(client.mj.describe(blend.picture_url).wait(WAIT).prompts) == 4
        else:
            with pytest.raises(Unsupported, match=f"{flavor} .*describe by link"):
                client.mj.describe(blend.picture_url)
        if flavor == "novicezk":
            with pytest.raises(Unsupported, match=r"novicezk .*shorten"):
                client.mj.shorten("a lighthouse at dusk in fog", experiment="picks")
        else:
            shortened = client.mj.shorten("a lighthouse at dusk in fog", experiment="picks")
            assert shortened.wait(WAIT).prompts[-1] == "a lighthouse"
            wire = shortened.task
            assert wire is not None and wire.state == shortened.request_id  # found again by it
            if flavor != "relay":  # sent as notifyHook (a relay's DTO drops it)
                assert str(wire.properties and wire.properties["notifyHook"]).startswith("http")
        for name, call in {
            "edits": lambda: client.mj.edits("a blue door", _png((1, 2, 3))),
            "retexture": lambda: client.mj.retexture("marble", _png((1, 2, 3))),
        }.items():
            if flavor == "trueai":
                assert call().wait(WAIT).action == {"edits": "EDIT"}.get(name, "RETEXTURE")
            else:
                with pytest.raises(Unsupported, match=flavor):
                    call()
        face = _png((220, 180, 150))
        if flavor in ("plus", "relay"):
            swapped = client.mj.swap_face(face, _png((90, 90, 90))).wait(WAIT)
            assert (swapped.action, swapped.status_name) == ("SWAP_FACE", "success")
        elif flavor == "trueai":  # off unless Replicate is configured; video unless enabled
            with pytest.raises(wjnb.errors.MjError, match="服务不支持"):
                client.mj.swap_face(face, face)
            with pytest.raises(wjnb.errors.MjError, match="未启用视频功能"):
                client.mj.video("a wave", image=face)
        else:
            with pytest.raises(Unsupported, match="novicezk"):
                client.mj.swap_face(face, face)
        if flavor in ("trueai", "relay"):
            assert client.mj.upload([face])[0].startswith("http")
        else:
            with pytest.raises(Unsupported, match=flavor):
                client.mj.upload([face])
        if flavor != "trueai":
            with pytest.raises(Unsupported, match=flavor):
                client.mj.video("a wave")
        family = described.tree()._repr_html_()
        assert "DESCRIBE" in family and "2️⃣" in family and child.key in family
    with _client(proxy, tmp_path) as again:  # a new kernel: the ledger has the family
        loaded = again.load("picks")
        by_key = {t.key: t for t in loaded}
        assert by_key[child.key].parent is by_key[described.key]
        assert by_key[described.key].prompts == described.prompts
        frame = loaded.to_dataframe().set_index("key")
        row = frame.loc[child.key]
        assert (row["kind"], row["action"], row["parent_id"], row["button"], row["depth"]) == (
            "mj",
            "IMAGINE",
            described.key,
            "2️⃣",
            1,
        )
        assert frame.loc[described.key, "text"] == described.text
        assert frame.loc[blend.key, "action"] == "BLEND"


def test_refusals_read_per_flavour(proxy: wjnb.sandbox.Sandbox, tmp_path: Path) -> None:
    flavor = proxy.mj_flavor
    with _client(proxy, tmp_path) as client:
        if flavor == "trueai":  # banned words fail the task at run time
            banned = client.mj.imagine("a [sensitive] scene").wait(WAIT)
            assert banned.failed and banned.fail_message == "可能包含敏感词"
        else:
            with pytest.raises(MjBannedPrompt):
                client.mj.imagine("a [sensitive] scene")
        with pytest.raises(wjnb.errors.MjError) as unknown:
            client.mj.fetch("1234567890123456")  # empty 200 (N, P, relay) or 204 (T)
        assert unknown.value.code == "3"
    wrong = wjnb.Client(
        home=tmp_path / "other", mj_base_url=proxy.mj_base_url, mj_token="nope", mj_flavor=flavor
    )
    with wrong, pytest.raises(AuthError):
        wrong.mj.list_by_condition(["1"])


def test_queue_full_is_named_on_every_flavour(tmp_path: Path) -> None:
    for flavor in ("novicezk", "trueai"):
        srv = wjnb.sandbox.start(
            speed=400, faults="", mj_flavor=flavor, mj_core_size=1, mj_queue_size=1
        )
        try:
            with _client(srv, tmp_path / flavor, mj_flavor=flavor) as client:
                client.mj.imagine("[slow] one")
                client.mj.imagine("[slow] two")
                with pytest.raises(MjQueueFull):  # the route names it (sweeps wait instead)
                    client.loop.run(client.aio.mj.imagine("[slow] three"))
        finally:
            srv.stop()


def test_speed_mode_prefix_only_where_it_exists(tmp_path: Path) -> None:
    srv = wjnb.sandbox.start(speed=400, faults="", mj_flavor="trueai")
    try:
        with _client(srv, tmp_path / "t", mj_mode="relax") as client:
            client.mj.imagine("a relaxed cat").wait(WAIT)
        assert srv.counters()["requests"]["POST /mj/submit/imagine"] == 1
    finally:
        srv.stop()
    srv = wjnb.sandbox.start(speed=400, faults="", mj_flavor="plus")
    try:
        client = _client(srv, tmp_path / "p", mj_mode="turbo")
        with client, pytest.raises(Unsupported, match=r"plus .*/mj-turbo"):
            client.mj.imagine("a hurried cat")
    finally:
        srv.stop()


def test_tracked_video_where_trueai_has_it_on(tmp_path: Path) -> None:
    srv = wjnb.sandbox.start(speed=400, faults="", mj_flavor="trueai", mj_video=True)
    ramp = Image.linear_gradient("L")
    picture = Image.merge("RGB", (ramp, ramp.transpose(Image.Transpose.ROTATE_90), ramp))
    try:
        with _client(srv, tmp_path) as client:
            clip = client.mj.video("a wave", image=picture, motion="high", experiment="clips")
            assert clip.wait(WAIT).status_name == "success" and clip.action == "VIDEO"
            kinds = {m.type: m.url for m in clip.media}
            assert set(kinds) == {"image", "video"} and kinds["video"].endswith(".webp")
            with pytest.raises(wjnb.errors.MjError, match="参数错误"):
                client.mj.video("a wave", motion="wild")
        with _client(srv, tmp_path) as again:
            (loaded,) = again.load("clips")
            assert loaded.media == clip.media and loaded.record["action"] == "VIDEO"
    finally:
        srv.stop()
