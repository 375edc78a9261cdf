"""The sandbox's image CDN: ``/cdn/ai/<KEY>-01.png`` and friends, GET and HEAD, no auth.

MJ names: ``/cdn/mj/<ID>.png`` (the result), ``<ID>-p<N>.png`` (the preview at N %),
``<ID>-in.png`` (a describe task's uploaded image) and ``<ID>.webp`` (a video task's clip).

Wujie names: ``<KEY>-01.png`` (the picture), ``<KEY>-01.jpg`` (the compressed copy that
``mini_picture_url`` points at for images above 2048x2048 pixels — the service makes one
for images over 20 MB; ours are smaller, so the pixel count decides), ``<KEY>-01.jpg-v800``
(an 800 px JPEG, the audit's ``url``) and ``sample-<ID>.png`` (resource samples).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PIL import Image
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from wjnb.models import ArtworkStatus, MjStatus

from . import catalog, mj_video, render
from .engine import Artwork
from .images import Encoded, ImageCache, MjPicture, draw_mj, encode
from .state import SandboxState

_AI_NAME = re.compile(r"^([0-9A-F]{32})-01\.(png|jpg|jpg-v800)$")
_SAMPLE_NAME = re.compile(r"^sample-([0-9A-F]{32})\.png$")
_MJ_NAME = re.compile(r"^(\d+)(?:-p(\d{1,2})|-(in))?\.png$")
_MJ_CLIP = re.compile(r"^(\d+)\.webp$")
_FORMATS = {"png": "png", "jpg": "jpg", "jpg-v800": "thumb"}
SAMPLE_SIDE = 512


def artwork_image(art: Artwork) -> Callable[[], Image.Image]:
    """Draw an artwork (the placeholder when flagged NSFW; a derived picture such as a
    youthify's when it has one) from plain values, in any thread."""
    spec, seed, prompt, nsfw = art.spec, art.render_seed, art.model_prompt, art.triggers.nsfw
    derived = art.derived

    def draw() -> Image.Image:
        if nsfw:
            return render.render_placeholder(spec.width, spec.height)
        if derived is not None:
            return derived()
        return render.render_artwork(
            prompt,
            seed,
            spec.model,
            spec.sampler_index,
            spec.steps,
            spec.cfg,
            spec.width,
            spec.height,
            spec.uc_prompt,
        )

    return draw


def artwork_producer(art: Artwork, fmt: str) -> Callable[[], Encoded]:
    """Render and encode an artwork as ``fmt``."""
    draw = artwork_image(art)
    return lambda: encode(draw(), fmt)


def mj_producer(picture: MjPicture, preview: int | None) -> Callable[[], Encoded]:
    """Render an MJ task's image, or its in-progress preview at ``preview`` percent."""

    def produce() -> Encoded:
        img = draw_mj(picture)
        if preview is not None:
            img = render.render_preview(img, float(preview))
        return encode(img, "png")

    return produce


def _sample_producer(name: str) -> Callable[[], Encoded]:
    def produce() -> Encoded:
        img = render.render_artwork(name, 1, 1, 0, 30, 7.0, SAMPLE_SIDE, SAMPLE_SIDE)
        return encode(img, "png")

    return produce


async def respond(
    images: ImageCache, request: Request, name: str, produce: Callable[[], Encoded] | None
) -> Response:
    """Serve one picture with ETag and caching headers (304 on a matching If-None-Match)."""
    if produce is None:
        return Response("not found", status_code=404, media_type="text/plain")
    encoded = await images.get(name, produce)
    headers = {"ETag": encoded.etag, "Cache-Control": "public, max-age=31536000, immutable"}
    if request.headers.get("if-none-match") == encoded.etag:
        return Response(status_code=304, headers=headers)
    return Response(encoded.body, media_type=encoded.media_type, headers=headers)


def routes(state: SandboxState) -> list[Route]:
    """``/cdn/ai/{name}``, ``/cdn/mj/{name}`` and ``/cdn/x/{name}`` (other jobs' results)."""
    samples = catalog.sample_names()

    async def ai(request: Request) -> Response:
        name = request.path_params["name"]
        produce = None
        match = _AI_NAME.match(name)
        if match:
            art = state.wujie.artworks.get(match.group(1))
            if art is not None and art.status == ArtworkStatus.SUCCESS:
                produce = artwork_producer(art, _FORMATS[match.group(2)])
        else:
            sample = _SAMPLE_NAME.match(name)
            if sample and sample.group(1) in samples:
                produce = _sample_producer(samples[sample.group(1)])
        return await respond(state.images, request, name, produce)

    async def mj(request: Request) -> Response:
        name = request.path_params["name"]
        produce = None
        match = _MJ_NAME.match(name)
        task = state.mj.tasks.get(match.group(1)) if match else None
        if match and task is not None:
            if match.group(3):
                if task.picture.kind == "input":
                    produce = mj_producer(task.picture, None)
            elif match.group(2):
                if task.status in (MjStatus.IN_PROGRESS.value, MjStatus.SUCCESS.value):
                    produce = mj_producer(task.picture, int(match.group(2)))
            elif task.status == MjStatus.SUCCESS.value:
                produce = mj_producer(task.picture, None)
        elif match and match.group(3) and match.group(1) in state.mj.uploads:
            produce = mj_producer(state.mj.uploads[match.group(1)], None)
        clip = _MJ_CLIP.match(name)
        task = state.mj.tasks.get(clip.group(1)) if clip else None
        if task is not None and state.mj.video_url(task):
            produce = mj_video.clip(task)
        return await respond(state.images, request, name, produce)

    async def files(request: Request) -> Response:
        name = request.path_params["name"]
        task = state.tasks.files.get(name)
        produce = task.files[name] if task is not None and task.outcome == "success" else None
        return await respond(state.images, request, name, produce)

    return [
        Route("/cdn/ai/{name}", ai, methods=["GET", "HEAD"]),
        Route("/cdn/x/{name}", files, methods=["GET", "HEAD"]),
        Route("/cdn/mj/{name}", mj, methods=["GET", "HEAD"]),
    ]
