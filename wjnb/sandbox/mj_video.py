"""trueai's ``/mj/submit/video`` (reference §3.10), when its video feature is on: a short
clip animating the given ``image`` (or the prompt's picture), or extending a video task.

The task's ``imageUrl`` is its first frame; its ``videoUrl`` (``/cdn/mj/<ID>.webp``) an
animated WebP whose camera move follows ``motion``; deterministic like every picture.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from wjnb.models import MjAction, MjStatus

from . import media
from .images import Encoded, MjPicture, draw_mj, encoded
from .mj import MjEngine, MjTask, decode_image, grid_size
from .mj_flavors import BAD_PARAMS
from .protocol import MJ_VALIDATION_ERROR, MjFailure

CLIP_SECONDS = 2.0
MOTIONS = {"low": ("MOVE_ZOOMIN", 1.0), "high": ("MOVE_RIGHT", 2.5)}
BATCH_SIZES = (1, 2, 4)
VIDEO_TYPES = ("vid_1.1_i2v_480", "vid_1.1_i2v_720")


def submit(engine: MjEngine, body: Mapping[str, Any], mode: str) -> tuple[MjTask, int | None]:
    """A VIDEO task from a checked body (code 4 on a bad field, 3 on an unknown parent)."""
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise MjFailure(MJ_VALIDATION_ERROR, "prompt不能为空")
    motion = body.get("motion") or "low"
    batch = body.get("batchSize", 4)
    kind = body.get("videoType") or VIDEO_TYPES[0]
    if motion not in MOTIONS or batch not in BATCH_SIZES or kind not in VIDEO_TYPES:
        raise MjFailure(MJ_VALIDATION_ERROR, BAD_PARAMS)
    parent_id = body.get("taskId")
    if parent_id is not None and body.get("action") != "extend":
        raise MjFailure(MJ_VALIDATION_ERROR, BAD_PARAMS)
    if parent_id is not None:
        parent = engine.get(parent_id)
        if parent.action != MjAction.VIDEO.value or parent.status != MjStatus.SUCCESS.value:
            raise MjFailure(MJ_VALIDATION_ERROR, "关联任务状态错误")
        picture = parent.picture
    elif body.get("image"):
        picture = MjPicture("input", data=decode_image(body["image"], "image"))
    else:
        width, height = grid_size(prompt)
        digest = hashlib.sha256(prompt.encode()).hexdigest()
        picture = MjPicture("grid", f"{prompt} {digest}", 0, width=width, height=height)
    task, ahead = engine.create(MjAction.VIDEO, prompt.strip(), picture, body, mode)
    task.properties["motion"] = motion
    task.parent_id = parent_id
    task.description = "/video extend" if parent_id else f"/video {prompt.strip()}"
    return task, ahead


def clip(task: MjTask) -> Callable[[], Encoded]:
    """The producer of a finished video task's clip."""
    move, amplitude = MOTIONS[str(task.properties.get("motion", "low"))]
    picture = task.picture

    def produce() -> Encoded:
        frames = media.clip_frames(draw_mj(picture), CLIP_SECONDS, move, amplitude)
        return encoded(media.encode_clip(frames), "image/webp")

    return produce
