"""Midjourney-proxy tasks: submit, the button flow, progress, callbacks, and their JSON.

Timeline of a task (virtual seconds, scaled by the ``/mj-turbo`` 0.5, ``/mj-fast`` 1 and
``/mj-relax`` 3 speed prefixes): ``NOT_START`` while waiting for a GPU -> ``SUBMITTED`` when
one takes it -> ``IN_PROGRESS`` with progress 0%, 15%, 31%, 46%, 62%, 78%, 93% (``imageUrl``
a preview) -> ``SUCCESS`` 100%. IMAGINE, VARIATION, REROLL, ZOOM and BLEND take ~30 s,
UPSCALE ~8 s, DESCRIBE ~5 s. Every change is POSTed to the task's ``notifyHook``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

from wjnb.models import MjAction, MjBotType, MjDimensions, MjStatus, MjSubmitCode

from .callbacks import CallbackSender
from .clock import VirtualClock
from .ids import Ids
from .images import MjPicture, draw_mj
from .mj_flavors import (
    BAD_PARAMS,
    BANNED,
    CANCELLED_T,
    CHANGE_PARENTS,
    SUBMIT_TIMED_OUT_T,
    TIMED_OUT,
    TIMED_OUT_T,
    Flavor,
)
from .mj_flavors import view as flavored_view
from .protocol import MJ_FAILURE, MJ_NOT_FOUND, MJ_VALIDATION_ERROR, MjFailure
from .scheduler import WAITING, GpuPool, Job
from .triggers import SLOW_FACTOR, Triggers, strip_triggers

DURATIONS = {
    MjAction.IMAGINE: 30.0,
    MjAction.VARIATION: 30.0,
    MjAction.REROLL: 30.0,
    MjAction.ZOOM: 30.0,
    MjAction.BLEND: 30.0,
    MjAction.PAN: 30.0,
    MjAction.EDIT: 30.0,
    MjAction.RETEXTURE: 30.0,
    MjAction.VIDEO: 30.0,
    MjAction.UPSCALE: 8.0,
    MjAction.UPSCALE_HD: 8.0,
    MjAction.SWAP_FACE: 8.0,
    MjAction.DESCRIBE: 5.0,
    MjAction.SHORTEN: 5.0,
}
ZOOMS = {"50": "2", "75": "1.5", "100": "1"}
"""``MJ::Outpaint::<n>`` custom ids: the share of the picture kept -> the zoom factor."""
_ZOOM = re.compile(r"--zoom\s+([0-9.]+)")
_PANS = (("left", "⬅️"), ("right", "➡️"), ("up", "⬆️"), ("down", "⬇️"))
_BAD_STATE = "关联任务状态错误"
MODE_FACTOR = {"turbo": 0.5, "fast": 1.0, "relax": 3.0}
MILESTONES = (0, 15, 31, 46, 62, 78, 93)
#: A ``[freeze]`` task's progress stops here, and it runs for a month (virtual seconds).
FROZEN_AT, FROZEN_SECONDS = 31, 30 * 86400.0
ACK_SECONDS = 2.0
NO_ACCOUNT = "无可用的账号实例"
"""Code 3's text: no account can take the task (all disabled, or busy elsewhere)."""
DAY_LIMIT_T = "用户今日绘图次数已达上限"
"""trueai's refusal once a user's day limit is reached (imagine: code 4)."""
#: N's ``Constants.DEFAULT_DISCORD_USER_AGENT`` as the account routes show it.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/112.0.0.0 Safari/537.36"
)
MAX_PROMPT = 4000
MAX_IMAGE_BYTES = 10 * 1024 * 1024
BLEND_SIZES = {
    MjDimensions.PORTRAIT.value: (832, 1248),
    MjDimensions.SQUARE.value: (1024, 1024),
    MjDimensions.LANDSCAPE.value: (1248, 832),
}
_ASPECT = re.compile(r"--(?:ar|aspect)\s+(\d+)\s*:\s*(\d+)")
_SEED = re.compile(r"--seed\s+(\d{1,10})\b")
_SIDE = 1024


def grid_size(prompt: str) -> tuple[int, int]:
    """Output size for a prompt: ~1 megapixel in the ``--ar`` aspect, multiples of 8."""
    match = _ASPECT.search(prompt)
    if not match or not all(int(g) for g in match.groups()):
        return _SIDE, _SIDE
    ratio = int(match.group(1)) / int(match.group(2))
    ratio = min(max(ratio, 1 / 4), 4)
    width = round(_SIDE * ratio**0.5 / 8) * 8
    height = round(_SIDE / ratio**0.5 / 8) * 8
    return width, height


def prompt_seed(prompt: str) -> int | None:
    """The ``--seed N`` a prompt asks for (0..4294967295), as Midjourney honours it."""
    match = _SEED.search(prompt)
    if match and int(match.group(1)) <= 0xFFFFFFFF:
        return int(match.group(1))
    return None


def decode_image(value: object, what: str) -> bytes:
    """Bytes of a base64 (or ``data:`` URL) image, or a code-4 failure."""
    if not isinstance(value, str) or not value:
        raise MjFailure(MJ_VALIDATION_ERROR, f"{what} must be a base64 image")
    text = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MjFailure(MJ_VALIDATION_ERROR, f"{what} is not valid base64") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise MjFailure(MJ_VALIDATION_ERROR, f"{what} is larger than {MAX_IMAGE_BYTES} bytes")
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise MjFailure(MJ_VALIDATION_ERROR, f"{what} is not an image") from None
    return data


def _button(custom_id: str, label: str = "", emoji: str = "") -> dict[str, Any]:
    return {"customId": custom_id, "emoji": emoji, "label": label, "type": 2, "style": 2}


def grid_buttons(job_hash: str) -> list[dict[str, Any]]:
    """U1-U4, reroll, V1-V4 — the order and custom ids of seed 002."""
    ups = [_button(f"MJ::JOB::upsample::{i}::{job_hash}", f"U{i}") for i in range(1, 5)]
    reroll = _button(f"MJ::JOB::reroll::0::{job_hash}::SOLO", emoji="🔄")
    vs = [_button(f"MJ::JOB::variation::{i}::{job_hash}", f"V{i}") for i in range(1, 5)]
    return [*ups, reroll, *vs]


def upscale_buttons(job_hash: str) -> list[dict[str, Any]]:
    """Vary (Strong/Subtle/Region) and Zoom Out — what an upscaled image offers."""
    return [
        _button(f"MJ::JOB::high_variation::1::{job_hash}::SOLO", "Vary (Strong)", "🪄"),
        _button(f"MJ::JOB::low_variation::1::{job_hash}::SOLO", "Vary (Subtle)", "🪄"),
        _button(f"MJ::Inpaint::1::{job_hash}::SOLO", "Vary (Region)", "🖌️"),
        _button(f"MJ::Outpaint::50::1::{job_hash}::SOLO", "Zoom Out 2x", "🔍"),
        _button(f"MJ::Outpaint::75::1::{job_hash}::SOLO", "Zoom Out 1.5x", "🔍"),
        _button(f"MJ::CustomZoom::{job_hash}", "Custom Zoom", "🔍"),
    ]


def full_upscale_buttons(job_hash: str, version: str = "v6r1") -> list[dict[str, Any]]:
    """Everything a v6.1 upscale offers on P and T: upscale subtle/creative, vary, zoom, pan."""
    ups = [
        _button(f"MJ::JOB::upsample_{version}_2x_{kind}::1::{job_hash}::SOLO", f"Upscale ({label})")
        for kind, label in (("subtle", "Subtle"), ("creative", "Creative"))
    ]
    pans = [_button(f"MJ::JOB::pan_{d}::1::{job_hash}::SOLO", emoji=e) for d, e in _PANS]
    return [*ups, *upscale_buttons(job_hash), *pans]


@dataclass(eq=False)
class MjTask:
    """One task and its progress (times are virtual seconds; the JSON uses milliseconds)."""

    id: str
    action: str
    prompt: str
    submit_time: float
    seed: int
    job_hash: str
    picture: MjPicture
    triggers: Triggers
    request_id: int
    mode: str = "fast"
    custom_id: str = ""
    bot_type: str = MjBotType.MID_JOURNEY.value
    state: str | None = ""
    description: str | None = "Submit success"
    notify_hook: str | None = None
    status: str = MjStatus.NOT_START.value
    progress: int = 0
    start_time: float = 0.0
    finish_time: float = 0.0
    fail_reason: str = ""
    buttons: list[dict[str, Any]] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    mask_base64: str = ""
    parent_id: str | None = None
    banned: bool = False
    nonce: str = ""
    children: dict[str, str] = field(default_factory=dict)
    job: Job | None = None
    #: Virtual seconds the task runs (a frozen one's job runs far longer).
    nominal: float = 0.0
    timers: list[asyncio.TimerHandle] = field(default_factory=list)


class MjEngine:
    """All MJ tasks of one sandbox; runs on the server loop."""

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop,
        clock: VirtualClock,
        ids: Ids,
        pool: GpuPool,
        callbacks: CallbackSender,
        cdn_url: str,
        queue_size: int,
        flavor: Flavor | None = None,
        timeout_minutes: float = 5.0,
    ) -> None:
        self.flavor = flavor
        self._timeout = timeout_minutes * 60
        self.instance = "1" + ids.number(18)
        """The one simulated Discord account's channel id (``discordInstanceId``)."""
        self.guild = "1" + ids.number(18)
        #: The account's Discord token (made up): the account routes show it, as N's do.
        self.user_token = "MTE" + ids.number(21) + ".sandbox." + ids.number(12)
        self.tasks: dict[str, MjTask] = {}
        self.uploads: dict[str, MjPicture] = {}
        self._loop = loop
        self._clock = clock
        self._ids = ids
        self._pool = pool
        self._callbacks = callbacks
        self._cdn = cdn_url
        self._queue_size = queue_size
        self._requests = 0
        self._jobs: dict[Job, MjTask] = {}
        #: Submits refused because the account's queue was full (codes 23 / 9).
        self.full_replies = 0
        #: False: the account is disabled, every submit gets code 3 (no account available).
        self.enabled = True
        #: trueai's per-user ``DayDrawLimit`` (None: unlimited).
        self.day_limit: int | None = None

    # ------------------------------------------------------------------ submit

    def imagine(self, body: object, mode: str) -> tuple[MjTask, int | None]:
        """``/mj/submit/imagine``: returns the task and how many wait ahead (None: started)."""
        body = _object(body)
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise MjFailure(MJ_VALIDATION_ERROR, "prompt is required")
        if len(prompt) > MAX_PROMPT:
            raise MjFailure(MJ_VALIDATION_ERROR, f"prompt is longer than {MAX_PROMPT} characters")
        images = body.get("base64Array") or []
        if not isinstance(images, list):
            raise MjFailure(MJ_VALIDATION_ERROR, "base64Array must be a list")
        digests = [hashlib.sha256(decode_image(b, "base64Array item")).hexdigest() for b in images]
        triggers = Triggers.of(prompt)
        banned = triggers.sensitive and self.flavor is not None and not self.flavor.bans_at_submit
        if triggers.sensitive and not banned:
            raise MjFailure(
                MjSubmitCode.BANNED_PROMPT,
                BANNED if self.flavor else "Banned prompt: the prompt may contain sensitive words",
                {"promptEn": prompt, "bannedWord": "sensitive"},
            )
        self._check_capacity()
        self._check_day_limit()
        asked = prompt_seed(prompt)
        seed = self._ids.seed() if asked is None else asked
        clean = strip_triggers(prompt)
        width, height = grid_size(clean)
        drawn = " ".join(_SEED.sub(" ", clean).split())  # --seed picks the seed, not the picture
        picture = MjPicture("grid", " ".join([drawn, *digests]), seed, width=width, height=height)
        task = self._new(MjAction.IMAGINE, prompt, picture, seed, triggers, body, mode)
        task.banned = banned
        return task, self._submit(task)

    def action(self, body: object, mode: str) -> tuple[MjTask, int | None]:
        """``/mj/submit/action``: press one of a finished task's buttons."""
        body = _object(body)
        parent = self.get(body.get("taskId"))
        custom_id = body.get("customId")
        if not isinstance(custom_id, str) or not custom_id:
            raise MjFailure(MJ_VALIDATION_ERROR, "customId is required")
        return self.press(parent, custom_id, body, mode)

    def press(
        self, parent: MjTask, custom_id: str, body: Mapping[str, Any], mode: str, label: str = ""
    ) -> tuple[MjTask, int | None]:
        """Press ``custom_id`` on ``parent`` (``/submit/action`` and the change routes)."""
        if parent.status != MjStatus.SUCCESS.value:
            text = _BAD_STATE if self.flavor else f"task {parent.id} is not finished"
            raise MjFailure(MJ_VALIDATION_ERROR, text)
        if custom_id not in {b["customId"] for b in parent.buttons}:
            raise MjFailure(MJ_VALIDATION_ERROR, f"task {parent.id} has no button {custom_id!r}")
        existing = self.tasks.get(parent.children.get(custom_id, ""))
        if existing is not None and self.flavor is None:
            raise MjFailure(
                MjSubmitCode.EXISTS,
                "Task already exists",
                {"status": existing.status, "imageUrl": self.image_url(existing)},
                result=existing.id,
            )
        task, modal = self._child(parent, custom_id, body, mode)
        if self.flavor is not None:
            task.description = self.flavor.description(task.action, task.id, task.prompt, label)
        if task.action == MjAction.UPSCALE.value:
            parent.children[custom_id] = task.id
        if modal:
            task.status = MjStatus.MODAL.value
            task.description = "Waiting for window confirm"
            raise MjFailure(
                MjSubmitCode.EXISTS,
                "Waiting for window confirm",
                {
                    "status": task.status,
                    "finalPrompt": "" if "Inpaint" in custom_id else task.prompt,
                    "remix": True,
                },
                result=task.id,
            )
        return task, self._submit(task)

    def _child(
        self, parent: MjTask, custom_id: str, body: Mapping[str, Any], mode: str
    ) -> tuple[MjTask, bool]:
        parts = custom_id.split("::")
        kind = parts[2] if parts[1] == "JOB" else parts[1]
        base = parent.picture
        index = int(parts[3]) if kind in ("upsample", "variation") else 1
        seed = self._ids.seed()
        modal = kind in ("Inpaint", "CustomZoom")
        w, h = base.width, base.height
        if kind == "upsample":
            action, seed = MjAction.UPSCALE, parent.seed
            if base.kind == "grid":
                picture = MjPicture("upscale", base.prompt, base.seed, index, width=w, height=h)
            else:
                picture = MjPicture("crop", index=index, parent=base, width=w, height=h)
        elif kind.startswith("upsample_"):
            action, seed, picture = MjAction.UPSCALE_HD, parent.seed, base
        elif kind == "reroll":
            action = MjAction.REROLL
            picture = MjPicture("grid", base.prompt, seed, width=w, height=h)
        elif kind in ("Outpaint", "CustomZoom"):
            action = MjAction.ZOOM
            factor = ZOOMS.get(parts[2], "2") if kind == "Outpaint" else "2"
            picture = MjPicture("zoom", factor, variant_seed=seed, parent=base, width=w, height=h)
        elif kind.startswith("pan_"):
            action = MjAction.PAN
            picture = MjPicture("pan", kind[4:], variant_seed=seed, parent=base, width=w, height=h)
        else:  # variation, high_variation, low_variation, Inpaint (redrawn at /submit/modal)
            action = MjAction.VARIATION
            picture = MjPicture("variation", base.prompt, base.seed, index, seed, width=w, height=h)
        task = self._new(action, parent.prompt, picture, seed, parent.triggers, body, mode)
        task.custom_id = custom_id
        task.parent_id = parent.id
        task.bot_type = parent.bot_type
        return task, modal

    def modal(self, body: object, mode: str) -> tuple[MjTask, int | None]:
        """``/mj/submit/modal``: confirm a task left in MODAL (optionally a new prompt)."""
        body = _object(body)
        task = self.get(body.get("taskId"))
        if task.status != MjStatus.MODAL.value:
            raise MjFailure(MJ_VALIDATION_ERROR, f"task {task.id} is not waiting in MODAL")
        prompt = body.get("prompt")
        if prompt is not None:
            if not isinstance(prompt, str):
                raise MjFailure(MJ_VALIDATION_ERROR, "prompt must be a string")
            task.prompt = prompt or task.prompt
            task.properties["finalPrompt"] = task.prompt
        mask = body.get("maskBase64")
        parent = self.tasks.get(task.parent_id or "")
        if "Inpaint" in task.custom_id and parent is not None:
            task.mask_base64 = "mask"  # the mask is validated, not echoed back (it is large)
            data = decode_image(mask, "maskBase64")
            task.picture = MjPicture(
                "region",
                data=data,
                variant_seed=task.seed,
                parent=parent.picture,
                width=task.picture.width,
                height=task.picture.height,
            )
        elif "CustomZoom" in task.custom_id and parent is not None:
            zoom = _ZOOM.search(task.prompt)
            task.picture = MjPicture(
                "zoom",
                zoom.group(1) if zoom else "2",
                variant_seed=task.seed,
                parent=parent.picture,
                width=task.picture.width,
                height=task.picture.height,
            )
        self._check_capacity()
        task.status = MjStatus.NOT_START.value
        task.description = "Submit success" if self.flavor is None else None
        task.mode = mode
        return task, self._submit(task)

    def change(self, body: object, mode: str) -> tuple[MjTask, int | None]:
        """``/mj/submit/change`` (N): U<index>, V<index> or reroll of a finished grid."""
        body = _object(body)
        task_id = body.get("taskId")
        if not isinstance(task_id, str) or not task_id.strip():
            raise MjFailure(MJ_VALIDATION_ERROR, "taskId不能为空")
        action, index = body.get("action"), body.get("index")
        if action not in ("UPSCALE", "VARIATION", "REROLL"):
            raise MjFailure(MJ_VALIDATION_ERROR, "action参数错误")
        if action != "REROLL" and (isinstance(index, bool) or not isinstance(index, int)):
            raise MjFailure(MJ_VALIDATION_ERROR, "index参数错误")
        return self._change(
            task_id, str(action), index if isinstance(index, int) else 0, body, mode
        )

    def simple_change(self, body: object, mode: str) -> tuple[MjTask, int | None]:
        """``/mj/submit/simple-change`` (N): ``content`` is ``"<taskId> U2"`` (or V1..V4, R)."""
        body = _object(body)
        content = body.get("content")
        parts = content.split(" ") if isinstance(content, str) else []
        op = parts[1].upper() if len(parts) == 2 else ""
        if not (op == "R" or (len(op) >= 2 and op[0] in "UV" and op[1] in "1234")):
            raise MjFailure(MJ_VALIDATION_ERROR, "content参数错误")
        action = {"U": "UPSCALE", "V": "VARIATION", "R": "REROLL"}[op[0]]
        return self._change(parts[0], action, int(op[1]) if op != "R" else 0, body, mode)

    def _change(
        self, task_id: str, action: str, index: int, body: Mapping[str, Any], mode: str
    ) -> tuple[MjTask, int | None]:
        parent = self.tasks.get(task_id)
        if parent is None:
            raise MjFailure(MJ_NOT_FOUND, "关联任务不存在或已失效")
        if parent.status != MjStatus.SUCCESS.value or parent.action not in CHANGE_PARENTS:
            raise MjFailure(MJ_VALIDATION_ERROR, _BAD_STATE)
        if action == "REROLL":
            custom_id, label = f"MJ::JOB::reroll::0::{parent.job_hash}::SOLO", "R"
        else:
            kind = "upsample" if action == "UPSCALE" else "variation"
            custom_id, label = f"MJ::JOB::{kind}::{index}::{parent.job_hash}", f"{action[0]}{index}"
        if not 1 <= index <= 4 and action != "REROLL":
            raise MjFailure(MJ_VALIDATION_ERROR, "index参数错误")
        return self.press(parent, custom_id, body, mode, f"/up {parent.id} {label}")

    def create(
        self,
        action: MjAction,
        prompt: str,
        picture: MjPicture,
        body: Mapping[str, Any],
        mode: str,
    ) -> tuple[MjTask, int | None]:
        """A new task with its own picture, checked against the queue and submitted."""
        self._check_capacity()
        task = self._new(action, prompt, picture, self._ids.seed(), Triggers.of(prompt), body, mode)
        return task, self._submit(task)

    def blend(self, body: object, mode: str) -> tuple[MjTask, int | None]:
        """``/mj/submit/blend``: 2-5 images into one grid."""
        body = _object(body)
        images = body.get("base64Array")
        if not isinstance(images, list) or not 2 <= len(images) <= 5:
            raise MjFailure(MJ_VALIDATION_ERROR, "base64Array must hold 2 to 5 images")
        dimensions = body.get("dimensions") or MjDimensions.SQUARE.value
        if dimensions not in BLEND_SIZES:
            raise MjFailure(MJ_VALIDATION_ERROR, "dimensions must be PORTRAIT, SQUARE or LANDSCAPE")
        digest = hashlib.sha256()
        for item in images:
            digest.update(decode_image(item, "base64Array item"))
        self._check_capacity()
        seed = self._ids.seed()
        width, height = BLEND_SIZES[dimensions]
        picture = MjPicture("grid", f"blend {digest.hexdigest()}", seed, width=width, height=height)
        task = self._new(MjAction.BLEND, "", picture, seed, Triggers(), body, mode)
        task.description = "/blend"
        if self.flavor is not None:
            task.description = self.flavor.description(task.action, task.id, "", str(len(images)))
        return task, self._submit(task)

    def describe(self, body: object, mode: str) -> tuple[MjTask, int | None]:
        """``/mj/submit/describe``: four prompts for an image."""
        body = _object(body)
        link = body.get("link") if self.flavor and self.flavor.name == "trueai" else None
        if link and not body.get("base64"):  # T reads a link instead
            data = self._linked(link)
        else:
            data = decode_image(body.get("base64"), "base64")
        self._check_capacity()
        picture = MjPicture("input", data=data)
        task = self._new(MjAction.DESCRIBE, "", picture, self._ids.seed(), Triggers(), body, mode)
        task.description = "/describe"
        if self.flavor is not None:
            task.description = self.flavor.description(task.action, task.id, "")
        task.properties["finalPrompt"] = ""
        return task, self._submit(task)

    def _linked(self, link: object) -> bytes:
        """The picture behind a ``link`` to this sandbox's CDN (the only host it can reach)."""
        found = re.fullmatch(re.escape(self._cdn) + r"/mj/(\d+)(-in)?\.png", str(link))
        task = self.tasks.get(found.group(1)) if found else None
        if task is not None and task.status == MjStatus.SUCCESS.value:
            buf = io.BytesIO()
            draw_mj(task.picture).save(buf, "PNG")
            return buf.getvalue()
        upload = self.uploads.get(found.group(1)) if found else None
        if upload is None:
            raise MjFailure(MJ_VALIDATION_ERROR, "link 无法读取")
        return upload.data

    def _check_capacity(self) -> None:
        if not self.enabled:
            raise MjFailure(MJ_NOT_FOUND, NO_ACCOUNT)
        full = self._pool.busy >= self._pool.gpus and self._pool.waiting >= self._queue_size
        self.full_replies += full
        if full and self.flavor is not None:
            code, text = self.flavor.queue_full
            raise MjFailure(code, text, self.flavor.instance(self.instance))
        if full:
            raise MjFailure(
                MjSubmitCode.QUEUE_FULL,
                f"Queue full ({self._pool.waiting} waiting), please try again later",
                {"numberOfQueues": self._pool.waiting},
            )

    def _check_day_limit(self) -> None:
        """trueai refuses an imagine (code 4) once the user drew *more* than its day limit
        today: it counts the day's tasks before adding the new one, so limit + 1 pass."""
        if self.day_limit is None or self.flavor is None or self.flavor.name != "trueai":
            return
        midnight = self._clock.now() // 86400 * 86400
        today = sum(1 for t in self.tasks.values() if t.submit_time >= midnight)
        if today > self.day_limit:
            raise MjFailure(MJ_VALIDATION_ERROR, DAY_LIMIT_T)

    def _new(
        self,
        action: MjAction,
        prompt: str,
        picture: MjPicture,
        seed: int,
        triggers: Triggers,
        body: Mapping[str, Any],
        mode: str,
    ) -> MjTask:
        bot = body.get("botType") or MjBotType.MID_JOURNEY.value
        if self.flavor is not None:
            bot = self.flavor.bot_type(bot)
        elif bot not in {b.value for b in MjBotType}:
            raise MjFailure(MJ_VALIDATION_ERROR, "botType must be MID_JOURNEY or NIJI_JOURNEY")
        hook = body.get("notifyHook") or None
        if hook is not None and (
            not isinstance(hook, str) or not hook.startswith(("http://", "https://"))
        ):
            raise MjFailure(MJ_VALIDATION_ERROR, "notifyHook must be an http(s) URL")
        state = body.get("state")
        self._requests += 1
        now = self._clock.now()
        task_id = self._ids.task_id() if self.flavor is None else self._ids.task_id_ms(now)
        while task_id in self.tasks:
            task_id = self._ids.task_id_ms(now)
        task = MjTask(
            id=task_id,
            action=action.value,
            prompt=prompt,
            submit_time=now,
            seed=seed,
            job_hash=self._ids.job_hash(),
            picture=picture,
            triggers=triggers,
            request_id=self._requests,
            mode=mode,
            bot_type=bot,
            state=state if isinstance(state, str) else "",
            notify_hook=hook,
            properties={"finalPrompt": strip_triggers(prompt), "finalZhPrompt": ""},
            nonce=self._ids.number(19),
        )
        if self.flavor is not None:
            task.state = state if isinstance(state, str) else None
            task.description = self.flavor.description(action.value, task.id, prompt)
        self.tasks[task.id] = task
        return task

    def _submit(self, task: MjTask) -> int | None:
        duration = DURATIONS[MjAction(task.action)] * MODE_FACTOR.get(task.mode, 1.0)
        if task.triggers.slow:
            duration *= SLOW_FACTOR
        if task.triggers.fails or task.banned:
            duration *= 0.5
        task.nominal = duration
        if task.triggers.freeze:
            duration = FROZEN_SECONDS
        job = Job(duration, self._started, self._finished)
        task.job = job
        self._jobs[job] = task
        self._pool.submit(job)
        if job.state == WAITING:
            ahead, _ = self._pool.estimate(job)
            return ahead
        return None

    # ------------------------------------------------------------------ lifecycle

    def _started(self, job: Job) -> None:
        task = self._jobs[job]
        task.status = MjStatus.SUBMITTED.value
        task.start_time = job.started
        trueai = self.flavor is not None and self.flavor.name == "trueai"
        if trueai and job.started - task.submit_time > self._timeout * 12:  # waited too long
            self._end(task, MjStatus.FAILURE, SUBMIT_TIMED_OUT_T)
            return
        self._notify(task)
        if self.flavor is not None:
            timeout = self._clock.real_delay(self._timeout)
            task.timers.append(self._loop.call_later(timeout, self._timed_out, task))
        span = task.nominal  # a frozen task shows the first milestones, then nothing
        ack = min(ACK_SECONDS, span * 0.1)
        steps = len(MILESTONES)
        for i, percent in enumerate(MILESTONES):
            if task.triggers.freeze and percent > FROZEN_AT:
                break
            at = ack + (span - ack) * i / steps
            task.timers.append(
                self._loop.call_later(self._clock.real_delay(at), self._progress, task, percent)
            )

    def _timed_out(self, task: MjTask) -> None:
        """A flavour's run timeout (``timeout-minutes`` after the start) has passed."""
        if task.status in (MjStatus.SUBMITTED.value, MjStatus.IN_PROGRESS.value):
            trueai = self.flavor is not None and self.flavor.name == "trueai"
            reason = TIMED_OUT_T.format(n=self._timeout / 60) if trueai else TIMED_OUT
            self._end(task, MjStatus.FAILURE, reason)

    def _end(self, task: MjTask, status: MjStatus, reason: str = "") -> None:
        """Stop a task before its job finishes (timeout, cancel): it ends now."""
        if task.job is not None and self._pool.cancel(task.job):
            self._jobs.pop(task.job, None)  # never started; a running job ends on its own
        for timer in task.timers:
            timer.cancel()
        task.timers.clear()
        task.status, task.fail_reason = status.value, reason
        task.finish_time = self._clock.now()
        self._notify(task)

    def _progress(self, task: MjTask, percent: int) -> None:
        if task.status not in (MjStatus.SUBMITTED.value, MjStatus.IN_PROGRESS.value):
            return
        task.status = MjStatus.IN_PROGRESS.value
        task.progress = percent
        self._notify(task)

    def _finished(self, job: Job) -> None:
        task = self._jobs.pop(job)
        for timer in task.timers:
            timer.cancel()
        task.timers.clear()
        if task.status in (MjStatus.FAILURE.value, MjStatus.CANCEL.value):
            return  # cancelled while running (T)
        task.finish_time = job.finish_at
        if task.banned:
            task.status = MjStatus.FAILURE.value
            task.fail_reason = BANNED
        elif task.triggers.fails:
            task.status = MjStatus.FAILURE.value
            task.fail_reason = "[Job failed] generation failed (sandbox trigger [fail])"
        else:
            if task.description is None:
                task.description = "Submit success"
            task.status = MjStatus.SUCCESS.value
            task.progress = 100
            task.buttons = self._buttons(task)
            if task.action == MjAction.DESCRIBE.value:
                task.prompt = describe_prompts(task.picture.data, task.seed)
                task.properties["finalPrompt"] = task.prompt
        self._notify(task)

    def _buttons(self, task: MjTask) -> list[dict[str, Any]]:
        if task.action == MjAction.DESCRIBE.value:
            return []
        if task.action in (MjAction.UPSCALE.value, MjAction.UPSCALE_HD.value):
            if self.flavor is None:
                return upscale_buttons(task.job_hash)
            return full_upscale_buttons(task.job_hash)
        if task.action in (MjAction.SHORTEN.value, MjAction.SWAP_FACE.value):
            return []
        return grid_buttons(task.job_hash)

    def _notify(self, task: MjTask) -> None:
        if task.notify_hook:
            tries = self.flavor.callback_tries if self.flavor else None
            self._callbacks.send(task.notify_hook, self.view(task), stream=task.id, tries=tries)

    def cancel(self, task_id: str) -> None:
        """``/mj/task/{id}/cancel``: only a task that has not started can be cancelled.

        The flavours stop running tasks too: P sets CANCEL; T fails the task with ``取消任务``
        (it never sets CANCEL) and its route answers unknown ids with an empty 200 as well.
        """
        if self.flavor is not None:
            found = self.tasks.get(task_id) if self.flavor.name == "trueai" else self.get(task_id)
            if found is None or MjStatus(found.status).terminal:
                if found is not None and self.flavor.name != "trueai":
                    raise MjFailure(MJ_FAILURE, f"task {found.id} already ended ({found.status})")
                return
            if self.flavor.name == "trueai":
                self._end(found, MjStatus.FAILURE, CANCELLED_T)
            else:
                self._end(found, MjStatus.CANCEL)
            return
        task = self.get(task_id)
        if task.status == MjStatus.MODAL.value or (
            task.job is not None and self._pool.cancel(task.job)
        ):
            if task.job is not None:
                self._jobs.pop(task.job, None)
            task.status = MjStatus.CANCEL.value
            task.finish_time = self._clock.now()
            self._notify(task)
            return
        raise MjFailure(MJ_FAILURE, f"task {task.id} cannot be cancelled (status {task.status})")

    def restart(self) -> int:
        """The proxy restarts: tasks still waiting for the account are gone (novicezk keeps
        its queue in memory); running and finished tasks stay. Returns how many were lost."""
        lost = [t for t in self.tasks.values() if t.job is not None and self._pool.cancel(t.job)]
        for task in lost:
            assert task.job is not None
            self._jobs.pop(task.job, None)
            for timer in task.timers:
                timer.cancel()
            del self.tasks[task.id]
        return len(lost)

    # ------------------------------------------------------------------ views

    def get(self, task_id: object) -> MjTask:
        """The task with this id, or a code-3 failure."""
        if not isinstance(task_id, str) or not task_id:
            raise MjFailure(
                MJ_VALIDATION_ERROR, BAD_PARAMS if self.flavor else "taskId is required"
            )
        task = self.tasks.get(task_id)
        if task is None:
            raise MjFailure(MJ_NOT_FOUND, f"task {task_id[:40]!r} not found")
        return task

    def image_url(self, task: MjTask) -> str:
        """Final image on success, a preview while in progress, else empty."""
        if task.status == MjStatus.SUCCESS.value:
            return f"{self._cdn}/mj/{task.id}.png"
        if task.status == MjStatus.IN_PROGRESS.value and task.progress > 0:
            return f"{self._cdn}/mj/{task.id}-p{task.progress}.png"
        if task.action == MjAction.DESCRIBE.value:
            return f"{self._cdn}/mj/{task.id}-in.png"
        return ""

    def video_url(self, task: MjTask) -> str | None:
        """A finished video task's clip (None for every other task)."""
        done = task.status == MjStatus.SUCCESS.value and task.action == MjAction.VIDEO.value
        return f"{self._cdn}/mj/{task.id}.webp" if done else None

    def view(self, task: MjTask) -> dict[str, Any]:
        """The task JSON of the proxy (of its flavour, when it plays one)."""
        if self.flavor is not None:
            return flavored_view(self.flavor, self.neutral(task), self._extra(task))
        return {
            "id": task.id,
            "action": task.action,
            "customId": task.custom_id,
            "botType": task.bot_type,
            "prompt": task.prompt,
            "promptEn": strip_triggers(task.prompt),
            "description": task.description,
            "state": task.state,
            "submitTime": int(task.submit_time * 1000),
            "startTime": int(task.start_time * 1000) if task.start_time else None,
            "finishTime": int(task.finish_time * 1000) if task.finish_time else None,
            "imageUrl": self.image_url(task),
            "status": task.status,
            "progress": f"{task.progress}%",
            "failReason": task.fail_reason,
            "buttons": list(task.buttons),
            "maskBase64": task.mask_base64,
            "properties": dict(task.properties),
        }

    def upload(self, data: bytes) -> str:
        """Keep an uploaded image (``upload-discord-images``) and return its CDN URL."""
        name = self._ids.task_id_ms()
        self.uploads[name] = MjPicture("input", data=data)
        return f"{self._cdn}/mj/{name}-in.png"

    def neutral(self, task: MjTask) -> dict[str, Any]:
        """The 14 keys every flavour shares, null where the proxies leave them unset."""
        status = task.status
        waiting = status in (MjStatus.NOT_START.value, MjStatus.MODAL.value)
        if status == MjStatus.FAILURE.value:
            progress: str | None = ""
        else:
            progress = None if waiting else f"{task.progress}%"
        started = bool(task.start_time)
        properties: dict[str, Any] = {
            "notifyHook": task.notify_hook,
            "nonce": task.nonce,
            "discordInstanceId": self.instance,
            "finalPrompt": task.properties.get("finalPrompt"),
            "botType": task.bot_type,
        }
        if started:
            properties["messageHash"] = task.job_hash
        return {
            "id": task.id,
            "action": task.action,
            "status": status,
            "prompt": task.prompt,
            "promptEn": strip_triggers(task.prompt),
            "description": task.description,
            "state": task.state,
            "submitTime": int(task.submit_time * 1000),
            "startTime": int(task.start_time * 1000) if started else None,
            "finishTime": int(task.finish_time * 1000) if task.finish_time else None,
            "imageUrl": self.image_url(task) or None,
            "progress": progress,
            "failReason": task.fail_reason or None,
            "properties": properties,
        }

    def _extra(self, task: MjTask) -> dict[str, Any]:
        used = task.finish_time - task.start_time if task.finish_time and task.start_time else 0
        return {
            "buttons": list(task.buttons),
            "botType": task.bot_type,
            "customId": task.custom_id,
            "parentId": task.parent_id,
            "mode": task.mode,
            "seed": str(task.seed),
            "jobId": task.job_hash if task.start_time else None,
            "version": "v 6.1",
            "width": task.picture.width,
            "height": task.picture.height,
            "useTime": f"{used:.2f} s" if used else "-",
            "videoUrl": self.video_url(task),
        }

    def account(self) -> dict[str, Any]:
        """The one simulated Discord account as N's ``DiscordAccount`` (``userToken`` and
        all: N's account routes really return it)."""
        return {
            "id": self.instance,
            "properties": {},
            "guildId": self.guild,
            "channelId": self.instance,
            "userToken": self.user_token,
            "userAgent": USER_AGENT,
            "enable": self.enabled,
            "coreSize": self._pool.gpus,
            "queueSize": self._queue_size,
            "timeoutMinutes": round(self._timeout / 60),
        }

    def newest_first(self) -> list[dict[str, Any]]:
        """``/mj/task/list``: every task, newest first."""
        ordered = sorted(self.tasks.values(), key=lambda t: t.submit_time, reverse=True)
        return [self.view(t) for t in ordered]

    def list_by_ids(self, body: object) -> list[dict[str, Any]]:
        """``/mj/task/list-by-condition``: unknown ids are absent."""
        ids = body.get("ids") if isinstance(body, Mapping) else body
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise MjFailure(MJ_VALIDATION_ERROR, 'body must be {"ids": [task ids]}')
        return [self.view(self.tasks[i]) for i in ids if i in self.tasks]

    def queue(self) -> list[dict[str, Any]]:
        """``/mj/task/queue``: tasks not finished yet."""
        done = {MjStatus.SUCCESS.value, MjStatus.FAILURE.value, MjStatus.CANCEL.value}
        return [self.view(t) for t in self.tasks.values() if t.status not in done]

    def seed(self, task_id: object) -> str:
        """The seed of a finished task."""
        task = self.get(task_id)
        if task.status != MjStatus.SUCCESS.value:
            raise MjFailure(MJ_VALIDATION_ERROR, f"task {task.id} is not finished ({task.status})")
        return str(task.seed)

    def ledger_rows(self) -> list[dict[str, Any]]:
        """Every task, for ``/_sandbox/artworks`` (MJ tasks cost no sandbox credits)."""
        return [
            {
                "id": t.id,
                "action": t.action,
                "status": t.status,
                "parent_id": t.parent_id,
                "request_id": t.request_id,
                "cost_charged": 0,
                "cost_refunded": 0,
            }
            for t in self.tasks.values()
        ]


def _object(body: object) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise MjFailure(MJ_VALIDATION_ERROR, "the request body must be a JSON object")
    return body


_COLOURS = (
    ((200, 60, 60), "crimson"),
    ((230, 150, 50), "amber"),
    ((220, 210, 80), "golden"),
    ((70, 160, 80), "verdant"),
    ((60, 150, 200), "azure"),
    ((90, 70, 170), "violet"),
    ((235, 235, 235), "pale"),
    ((30, 30, 35), "shadowy"),
    ((128, 128, 128), "muted grey"),
)
_NUMBERS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣")
_SUBJECTS = ("landscape", "portrait", "still life", "cityscape")
_STYLES = ("cinematic lighting", "watercolor texture", "digital painting", "film photograph")


def describe_prompts(data: bytes, seed: int) -> str:
    """Four numbered prompts derived from the image's colour, brightness and aspect."""
    with Image.open(io.BytesIO(data)) as img:
        rgb = img.convert("RGB")
        width, height = rgb.size
        mean = rgb.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert isinstance(mean, tuple)
    colour = min(
        _COLOURS, key=lambda c: sum((a - b) ** 2 for a, b in zip(c[0], mean, strict=True))
    )[1]
    light = "bright" if sum(mean) > 384 else "moody"
    divisor = math.gcd(width, height) or 1
    aspect = f"--ar {width // divisor}:{height // divisor}"
    lines = []
    for i in range(4):
        subject = _SUBJECTS[(seed + i) % len(_SUBJECTS)]
        style = _STYLES[(seed // 7 + i) % len(_STYLES)]
        lines.append(f"{_NUMBERS[i]} a {light} {colour} {subject}, {style} {aspect}")
    return "\n\n".join(lines)
