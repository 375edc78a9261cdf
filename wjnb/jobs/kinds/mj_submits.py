"""The Midjourney tasks made by a submit route other than imagine or a button (describe,
blend, shorten, edits, retexture, video, face swap): their routes, the ``MjApi`` method
that sends each, the action the proxy records, and the text some of them return."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image

from ...errors import InvalidArgument
from ...models import MjAction, MjSubmitReply, MjTaskInfo

if TYPE_CHECKING:
    from ...api.mj import MjApi
    from ..job import Job

MJ_DESCRIBE = "/mj/submit/describe"
MJ_BLEND = "/mj/submit/blend"
MJ_SHORTEN = "/mj/submit/shorten"
MJ_EDITS = "/mj/submit/edits"
MJ_RETEXTURE = "/mj/submit/retexture"
MJ_VIDEO = "/mj/submit/video"
MJ_SWAP_FACE = "/mj/insight-face/swap"

#: An image argument: a data URL, an http(s) URL, PNG/JPEG bytes or a PIL image.
ImageLike = str | bytes | Image.Image


@dataclass(frozen=True)
class TaskRoute:
    """One submit route that makes a tracked task: what it is called and how it is sent."""

    action: MjAction
    send: Callable[[MjApi], Callable[..., Awaitable[MjSubmitReply]]]


ROUTES: dict[str, TaskRoute] = {
    MJ_DESCRIBE: TaskRoute(MjAction.DESCRIBE, lambda api: api.describe),
    MJ_BLEND: TaskRoute(MjAction.BLEND, lambda api: api.blend),
    MJ_SHORTEN: TaskRoute(MjAction.SHORTEN, lambda api: api.shorten),
    MJ_EDITS: TaskRoute(MjAction.EDIT, lambda api: api.edits),
    MJ_RETEXTURE: TaskRoute(MjAction.RETEXTURE, lambda api: api.retexture),
    MJ_VIDEO: TaskRoute(MjAction.VIDEO, lambda api: api.video),
    MJ_SWAP_FACE: TaskRoute(MjAction.SWAP_FACE, lambda api: api.swap_face),
}

#: Actions whose result is text: describe's four prompts, shorten's shorter prompts.
TEXT_ACTIONS = frozenset({MjAction.DESCRIBE.value, MjAction.SHORTEN.value})

_NUMBERED = re.compile(r"^\s*(?:[1-9]\ufe0f?\u20e3|\d+[.)])\s*")


def result_text(task: MjTaskInfo) -> str | None:
    """The text a finished describe or shorten produced (``properties.finalPrompt``; N
    also writes describe's result into ``prompt``); None for other tasks."""
    if task.action not in TEXT_ACTIONS or task.status != "SUCCESS":
        return None
    final = (task.properties or {}).get("finalPrompt")
    text = final if isinstance(final, str) and final.strip() else task.prompt
    return text.strip() if isinstance(text, str) and text.strip() else None


def text_of(job: Job) -> str | None:
    """A job's text result, if it has one."""
    return next((m.text for m in job.media if m.type == "text"), None)


def prompts(text: str | None) -> list[str]:
    """The numbered prompts of a describe or shorten result, without their numbers."""
    lines = (_NUMBERED.sub("", line).strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


def data_url(name: str, image: ImageLike) -> str:
    """An image argument as the proxies take it (URLs and data URLs pass unchanged)."""
    if isinstance(image, str):
        if not image.strip():
            raise InvalidArgument(name, "expected an image, a data URL or a URL")
        return image
    if isinstance(image, Image.Image):
        buf = io.BytesIO()
        image.save(buf, "PNG")
        image = buf.getvalue()
    if not isinstance(image, (bytes, bytearray)) or not image:
        raise InvalidArgument(name, f"expected an image, got {type(image).__name__}")
    mime = "image/jpeg" if bytes(image[:3]) == b"\xff\xd8\xff" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(bytes(image)).decode()}"


def wire_body(fields: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of a route's ``MjApi`` method, pictures as data URLs."""
    body = dict(fields)
    for name in ("base64", "image", "endImage", "source", "target"):
        if name in body and body[name] is not None:
            body[name] = data_url(name, body[name])
    if "base64_array" in body:
        items = body["base64_array"]
        if isinstance(items, (str, bytes, Image.Image)) or not hasattr(items, "__iter__"):
            raise InvalidArgument("base64_array", "expected a list of images")
        body["base64_array"] = [data_url("base64_array", i) for i in items]
    return body
