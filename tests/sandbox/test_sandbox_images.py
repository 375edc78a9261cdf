"""The CDN: deterministic images, content types, caching headers, HEAD, mini pictures."""

from __future__ import annotations

import io

import httpx
from conftest import Wire
from PIL import Image, ImageStat


def test_same_request_gives_identical_bytes(wire: Wire) -> None:
    body = {
        "prompt": "a lighthouse at dusk",
        "seed": "1234",
        "steps": 20,
        "cfg": 6.5,
        "sampler_index": 2,
        "width": 512,
        "height": 768,
    }
    first, second = (wire.create(**body)["keys"][0] for _ in range(2))
    urls = [wire.wait(k)["picture_url"] for k in (first, second)]
    assert urls[0] != urls[1]
    images = [httpx.get(u) for u in urls]
    assert images[0].content == images[1].content
    assert images[0].headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(images[0].content)).size == (512, 768)
    other = wire.create(**{**body, "cfg": 9.0})["keys"][0]
    assert httpx.get(wire.wait(other)["picture_url"]).content != images[0].content


def test_the_negative_prompt_shapes_the_picture(wire: Wire) -> None:
    body = {"prompt": "a lighthouse at night", "seed": "77", "width": 256, "height": 256}

    def picture(**extra: str) -> Image.Image:
        key = wire.create(**body, **extra)["keys"][0]
        data = httpx.get(wire.wait(key)["picture_url"]).content
        return Image.open(io.BytesIO(data)).convert("L")

    plain, unknown, no_night = (
        picture(),
        picture(uc_prompt="blurry, lowres"),
        picture(uc_prompt="night"),
    )
    assert unknown.tobytes() == plain.tobytes()  # words the renderer does not know change nothing
    mean = [ImageStat.Stat(img).mean[0] for img in (plain, no_night)]
    assert mean[1] > mean[0] + 20  # "night" left out: a lighter sky


def test_empty_seed_gets_a_random_one(wire: Wire) -> None:
    seeds = []
    for seed in ("", None):
        body = {"prompt": "seedless"} | ({} if seed is None else {"seed": seed})
        key = wire.create(**body)["keys"][0]
        info = wire.ok("GET", "/ai/info", params={"key": key})
        assert isinstance(info["seed"], str) and info["seed"].isdigit()
        seeds.append(info["seed"])
    assert seeds[0] != seeds[1]


def test_batch_seeds_count_up(wire: Wire) -> None:
    keys = wire.create(prompt="batch", seed="100", num=3)["keys"]
    assert [wire.ok("GET", "/ai/info", params={"key": k})["seed"] for k in keys] == [
        "100",
        "101",
        "102",
    ]


def test_cdn_headers_head_304_and_404(wire: Wire) -> None:
    pending = wire.create(prompt="[slow] pending")["keys"][0]
    assert wire.http.get(f"{wire.srv.url}/cdn/ai/{pending}-01.png").status_code == 404
    key = wire.create(prompt="headers", width=256, height=256)["keys"][0]
    url = wire.wait(key)["picture_url"]
    got = httpx.get(url)
    assert (
        got.status_code == 200 and got.headers["etag"] and "max-age" in got.headers["cache-control"]
    )
    head = httpx.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(got.content))
    assert httpx.get(url, headers={"If-None-Match": got.headers["etag"]}).status_code == 304
    assert httpx.get(f"{wire.srv.url}/cdn/ai/{'0' * 32}-01.png").status_code == 404
    assert httpx.get(f"{wire.srv.url}/cdn/mj/123.png").status_code == 404
    audit_url = __import__("json").loads(wire.poll(key)["audit_info"])["url"]
    thumb = httpx.get(audit_url)
    assert thumb.headers["content-type"] == "image/jpeg"


def test_big_images_get_a_mini_jpeg(wire: Wire) -> None:
    key = wire.create(prompt="huge", width=2304, height=2048, steps=10)["keys"][0]
    wire.wait(key)
    info = wire.ok("GET", "/ai/info", params={"key": key})
    assert info["mini_picture_url"].endswith(f"{key}-01.jpg")
    mini = httpx.get(info["mini_picture_url"])
    assert mini.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(mini.content)).size == (2304, 2048)


def test_resource_samples_are_served(wire: Wire) -> None:
    styles = wire.ok("GET", "/ai/default_resource_style_model")["style_model"]
    sample = httpx.get(styles[0]["sample_image_url"])
    assert sample.status_code == 200 and sample.headers["content-type"] == "image/png"
