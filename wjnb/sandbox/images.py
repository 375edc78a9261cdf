"""The sandbox CDN's image store: lazy rendering, encoding, and a bounded LRU of encodes.

Nothing is rendered when a job is created: the first GET/HEAD of a CDN URL renders and
encodes the picture in a worker thread (so polls keep flowing meanwhile), later requests
hit the cache. Concurrent requests for one picture share a single render.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from . import mj_transforms, render

CACHE_BYTES = 256 * 1024 * 1024
THUMB_SIDE = 800


@dataclass(frozen=True)
class Encoded:
    """An encoded picture ready to serve."""

    body: bytes
    media_type: str
    etag: str


def encode(img: Image.Image, fmt: str) -> Encoded:
    """``fmt`` is ``png``, ``jpg`` (compressed full size) or ``thumb`` (JPEG, 800 px max)."""
    if fmt == "png":
        body, media = render.encode_png(img), "image/png"
    elif fmt == "jpg":
        body, media = render.encode_jpeg(img, quality=80), "image/jpeg"
    elif fmt == "thumb":
        small = img.copy()
        small.thumbnail((THUMB_SIDE, THUMB_SIDE))
        body, media = render.encode_jpeg(small), "image/jpeg"
    else:
        raise ValueError(f"unknown image format {fmt!r}")
    return encoded(body, media)


def encoded(body: bytes, media_type: str) -> Encoded:
    """Bytes ready to serve, with an ETag from their content."""
    return Encoded(body, media_type, '"' + hashlib.sha1(body).hexdigest() + '"')


class ImageCache:
    """Encoded pictures by CDN name, least recently used evicted past ``max_bytes``."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self._max = max_bytes
        self._size = 0
        self._entries: OrderedDict[str, Encoded] = OrderedDict()
        self._pending: dict[str, asyncio.Future[Encoded]] = {}

    async def get(self, name: str, produce: Callable[[], Encoded]) -> Encoded:
        """The cached encode of ``name``, else ``produce()`` run once in a worker thread."""
        hit = self._entries.get(name)
        if hit is not None:
            self._entries.move_to_end(name)
            return hit
        pending = self._pending.get(name)
        if pending is None:
            pending = asyncio.get_running_loop().run_in_executor(None, produce)
            self._pending[name] = pending
            pending.add_done_callback(lambda f: self._store(name, f))
        return await asyncio.shield(pending)

    def _store(self, name: str, future: asyncio.Future[Encoded]) -> None:
        self._pending.pop(name, None)
        if future.cancelled() or future.exception() is not None:
            return
        encoded = future.result()
        self._entries[name] = encoded
        self._size += len(encoded.body)
        while self._size > self._max and len(self._entries) > 1:
            _, old = self._entries.popitem(last=False)
            self._size -= len(old.body)


@dataclass(frozen=True)
class MjPicture:
    """How to draw a Midjourney task's image, as plain values (safe to use in a thread).

    ``grid``: ``render_mj_grid``; ``upscale``: one candidate of a grid; ``variation``: a grid
    of variations; ``crop``: a quadrant of ``parent`` scaled up (upscales of variation grids);
    ``input``: the uploaded image itself (describe); ``zoom``, ``pan``, ``region``: a grid
    of ``mj_transforms`` applied to ``parent`` (``prompt`` holds the zoom factor or pan
    direction, ``data`` the region mask, ``variant_seed`` the seed of the new content).
    """

    kind: str
    prompt: str = ""
    seed: int = 0
    index: int = 1
    variant_seed: int = 0
    width: int = 1024
    height: int = 1024
    parent: MjPicture | None = None
    data: bytes = b""


def draw_mj(picture: MjPicture) -> Image.Image:
    """Render ``picture``."""
    p = picture
    if p.kind == "grid":
        return render.render_mj_grid(p.prompt, p.seed, p.width, p.height)
    if p.kind == "upscale":
        return render.render_mj_upscale(p.prompt, p.seed, p.index, p.width, p.height)
    if p.kind == "variation":
        return render.render_mj_variation(
            p.prompt, p.seed, p.index, p.variant_seed, p.width, p.height
        )
    if p.kind == "crop" and p.parent is not None:
        grid = draw_mj(p.parent)
        w, h = grid.width // 2, grid.height // 2
        x, y = ((p.index - 1) % 2) * w, ((p.index - 1) // 2) * h
        return grid.crop((x, y, x + w, y + h)).resize((p.width, p.height), Image.Resampling.LANCZOS)
    if p.kind in mj_transforms.KINDS and p.parent is not None:
        source = draw_mj(p.parent)
        return mj_transforms.transformed(p.kind, source, p.prompt, p.data, p.variant_seed)
    if p.kind == "input":
        with Image.open(io.BytesIO(p.data)) as img:
            return img.convert("RGB")
    raise ValueError(f"cannot draw {p.kind!r}")
