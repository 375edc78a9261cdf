"""The Midjourney-proxy task: ``/mj/submit/*`` tagged with ``state``, polled in batches of
``list-by-condition``, pushed by ``notifyHook``; its buttons make child tasks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ... import records
from ...api.mj import change_of
from ...errors import InvalidArgument, JobError, Unsupported, WjnbError
from ...mask import Mask, data_url
from ...models import MjButton, MjStatus, MjSubmitCode, MjSubmitReply, MjTaskInfo
from .. import lineage
from ..job import Job
from ..kind import FollowUp, Json, Kind, Media, Reading, Submitted, phases_of
from .mj_buttons import PANS, VARIES, label_for, zoom_intent
from .mj_submits import ROUTES, prompts, result_text, text_of, wire_body

if TYPE_CHECKING:
    from ...client import AsyncClient

MJ_IMAGINE = "/mj/submit/imagine"
MJ_ACTION = "/mj/submit/action"

_PHASES = phases_of(MjStatus)


class MjTask(Job):
    """A tracked Midjourney-proxy task: a ``Job`` with the proxy's buttons and seed."""

    def __repr__(self) -> str:
        return f"<MjTask {self.id} {self.action} {self.status_name}>"

    @property
    def id(self) -> str:
        """The proxy's task id (the job's key)."""
        return self.key

    @property
    def action(self) -> str:
        """What made the task: ``IMAGINE``, ``UPSCALE``, ``DESCRIBE``, ``BLEND``..."""
        return action_of(self)

    @property
    def text(self) -> str | None:
        """A finished describe's or shorten's text (its numbered prompts); else None."""
        return text_of(self)

    @property
    def prompts(self) -> list[str]:
        """The prompts a finished describe or shorten offers, without their numbers."""
        return prompts(self.text)

    def imagine(self, choice: int = 1) -> MjTask:
        """Imagine prompt number ``choice`` of a describe (1-4) or shorten (1-5), as a child
        task (the same on every flavour: the proxies' own pick buttons need their modal)."""
        child = self.act("imagine", choice=choice)
        assert isinstance(child, MjTask)
        return child

    @property
    def task(self) -> MjTaskInfo | None:
        """The proxy's last report of the task."""
        reading = self.final or self.latest
        return reading.wire if reading and isinstance(reading.wire, MjTaskInfo) else None

    @property
    def buttons(self) -> list[MjButton]:
        """Buttons of the finished task (U1..U4, V1..V4, reroll)."""
        task = self.task
        return list(task.buttons or []) if task else []

    def press(self, label: str) -> MjTask:
        """Press a button (``"U2"``, ``"V1"``, ``"reroll"``); returns the child task."""
        child = self.act("press", label=label)
        assert isinstance(child, MjTask)
        return child

    def upscale(self, kind: str | None = None, *, index: int | None = None) -> MjTask:
        """``index`` 1-4 upscales one image of a grid; ``kind`` ``"subtle"``/``"creative"``
        upscales an upscaled image again."""
        if (index is None) == (kind is None):
            raise InvalidArgument("index", "give a grid image's index, or an upscale's kind")
        return self.press(label_for(self.task, f"upscale {kind}", index))

    def vary(
        self,
        kind: str = "strong",
        *,
        index: int | None = None,
        mask: Mask | None = None,
        prompt: str | None = None,
    ) -> MjTask:
        """Vary a grid image (``index``) or an upscale: ``"strong"``, ``"subtle"``, or
        ``"region"`` with a ``mask`` (PIL image, numpy array or rectangle; white = redraw)."""
        if kind not in VARIES:
            raise InvalidArgument("kind", f"expected one of {', '.join(VARIES)}, not {kind!r}")
        if (kind == "region") != (mask is not None):
            raise InvalidArgument("mask", "a mask goes with vary('region') and only there")
        if kind != "region":
            return self.press(label_for(self.task, f"vary {kind}", index))
        size = self.image().size
        child = self.press(label_for(self.task, "vary region"))
        child.act("modal", mask_base64=data_url(mask, size), prompt=prompt)
        return child

    def region_picker(
        self, region: tuple[float, float, float, float] = (0.25, 0.25, 0.75, 0.75)
    ) -> Any:
        """A widget to choose the region of ``vary("region")`` with sliders, then confirm."""
        from ...widgets.region import region_picker

        return region_picker(self, region)

    def zoom(self, factor: float = 2, *, prompt: str | None = None) -> MjTask:
        """Zoom out ``factor`` times (2 and 1.5 are buttons; others are Custom Zoom)."""
        intent = zoom_intent(factor)
        child = self.press(label_for(self.task, intent))
        if intent == "zoom custom":
            base = prompt or (self.task.prompt if self.task else None) or ""
            child.act("modal", prompt=f"{base} --zoom {factor:g}".strip())
        return child

    def pan(self, direction: str) -> MjTask:
        """Extend the picture ``"left"``, ``"right"``, ``"up"`` or ``"down"``."""
        if direction not in PANS:
            raise InvalidArgument("direction", f"expected one of {', '.join(PANS)}")
        return self.press(label_for(self.task, f"pan {direction}"))

    def reroll(self) -> MjTask:
        """Press 🔄: the same prompt again, as a child task."""
        return self.press("reroll")

    def seed(self) -> str:
        """The task's Midjourney seed (asked once, then remembered)."""
        return str(self.act("seed"))

    def tree(self, size: int = 96) -> lineage.Tree:
        """The task's family (oldest known ancestor down) as a tree of thumbnails."""
        return lineage.Tree(self, size)


class MjTaskKind(Kind):
    """A task of any Midjourney proxy (imagine or a pressed button)."""

    name: ClassVar[str] = "mj"
    backend: ClassVar[str] = "mj"
    routes: ClassVar[tuple[str, ...]] = (MJ_IMAGINE, MJ_ACTION, *ROUTES)
    initial_status = MjStatus.SUBMITTED
    batch_size: ClassVar[int] = 50
    previews: ClassVar[bool] = True
    bounded: ClassVar[bool] = True
    private_fields: ClassVar[tuple[str, ...]] = ("state", "notify_hook")
    job_class: ClassVar[type[Job]] = MjTask

    def check(self, route: str, body: Json) -> Json:
        """wjnb tags the task itself (that is how a lost reply is found again); ``--``
        parameters are plain values."""
        for own in self.private_fields:
            if own in body:
                raise InvalidArgument(own, f"wjnb sets {own} itself (it reconciles the task)")
        if route in ROUTES:
            return wire_body(body)
        with_parameters(body)
        return body

    def notify_fields(self, url: str | None, request_id: str) -> Json:
        """``state`` tags the task with its request; ``notifyHook`` asks for pushes."""
        return {"state": request_id, **({"notify_hook": url} if url else {})}

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """``imagine``, ``action`` or a task route (describe, blend...); a reply saying the
        task exists carries its state."""
        if route == MJ_IMAGINE:
            fields = {k: v for k, v in body.items() if k != "label"}  # a pick's lineage only
            reply = await api.mj.imagine(**with_parameters(fields))
        elif route in ROUTES:
            reply = await ROUTES[route].send(api.mj)(**body)
        else:
            reply = await api.mj.press(**body)
        task_id = reply.result if isinstance(reply.result, str) else None
        if not task_id:
            raise JobError(f"the proxy accepted the task but gave no id (code {reply.code})")
        readings = []
        if reply.code == MjSubmitCode.EXISTS:  # waiting for a modal's answer
            task = {"id": task_id, "status": "MODAL", **(reply.properties or {})}
            readings.append(self.read(task_id, MjTaskInfo.from_dict(task)))
        elif route in ROUTES:  # what the task is, before its first poll says so
            task = {"id": task_id, "status": "SUBMITTED", "action": ROUTES[route].action.value}
            readings.append(self.read(task_id, MjTaskInfo.from_dict(task)))
        return Submitted([task_id], reply.to_dict(), readings)

    async def price(self, api: AsyncClient, route: str, body: Json) -> int:
        """The proxies publish no prices: a sweep's budget counts tasks (one each)."""
        return 1

    async def find(self, api: AsyncClient, request_id: str) -> Submitted | None:
        """The proxy echoes ``state`` on its tasks: find the one this request made."""
        try:
            tasks = await api.mj.list()
        except WjnbError:
            return None
        for task in tasks:
            if task.state == request_id and task.id:
                reply = MjSubmitReply(code=1, description="reconciled", result=task.id)
                return Submitted([task.id], reply.to_dict())
        return None

    async def poll(self, api: AsyncClient, keys: list[str]) -> list[Reading]:
        """One ``list-by-condition`` for the whole batch."""
        tasks = await api.mj.list_by_ids(keys)
        return [self.read(t.id, t) for t in tasks if t.id]

    def read(self, key: str, wire: object) -> Reading:
        """A task as the proxy reports it (poll, callback or submit reply)."""
        if not isinstance(wire, MjTaskInfo):
            raise TypeError(f"not a Midjourney task: {type(wire).__name__}")
        wire.id = wire.id or key
        status = wire.status_enum
        text = result_text(wire)
        media: tuple[Media, ...] = (Media("image", wire.image_url),) if wire.image_url else ()
        video = wire.raw.get("videoUrl")  # trueai's video tasks
        if isinstance(video, str) and video:
            media += (Media("video", video),)
        return Reading(
            key,
            status,
            _PHASES[status] if status is not None else None,
            progress=wire.percent,
            media=media + ((Media("text", text=text),) if text else ()),
            fail_message=wire.fail_reason,
            submitted_at=wire.submit_time / 1000 if wire.submit_time else None,
            started_at=wire.start_time / 1000 if wire.start_time else None,
            ended_at=wire.finish_time / 1000 if wire.finish_time else None,
            wire=wire,
            raw=wire.raw,
        )

    def callback(self, body: Json) -> Reading | None:
        """A ``notifyHook`` push carries the whole task."""
        task = MjTaskInfo.from_dict(body)
        if not task.id or task.status_enum is None:
            return None
        return self.read(task.id, task)

    def restore(self, key: str, record: Mapping[str, Any], raw: Json | None) -> Reading | None:
        """The stored task (as last reported)."""
        return self.read(key, MjTaskInfo.from_dict(raw)) if raw else None

    def record(self, job: Job) -> Json:
        """The same columns as an artwork's, the status on the Wujie scale."""
        wire = job.latest.wire if job.latest else None
        task = wire if isinstance(wire, MjTaskInfo) else MjTaskInfo(id=job.key, action=job.label)
        row = records.mj_record(task, job.request, experiment=job.experiment)
        text = text_of(job)
        return {**row, **lineage.columns(job), **({"text": text} if text else {})}

    def actions(self, job: Job) -> tuple[str, ...]:
        """The finished task's buttons, its seed, and cancel while it runs."""
        if not job.done:
            return ("cancel",)
        wire = job.final.wire if job.final else None
        labels = [b.label or b.emoji or "" for b in getattr(wire, "buttons", None) or []]
        return (*[label for label in labels if label], "seed")

    async def act(self, api: AsyncClient, job: Job, action: str, **args: Any) -> object:
        """``press`` a button (a child task), ask the ``seed``, or ``cancel``."""
        if action == "cancel":
            return await api.mj.cancel(job.key)
        if action == "seed":
            return await api.mj.image_seed(job.key)
        if action == "modal":  # confirm a task waiting in MODAL (region mask, zoom prompt)
            return await api.mj.modal(job.key, **args)
        if action == "imagine":
            return _pick(job, args.get("choice", 1))
        if action == "press" or action in self.actions(job):
            return await self._press(api, job, args.get("label", action))
        return await super().act(api, job, action, **args)

    @staticmethod
    async def _press(api: AsyncClient, job: Job, label: object) -> FollowUp:
        """The child task's submit: the button's ``customId`` (``/submit/action``), or
        ``/submit/change`` on proxies without buttons (U1-U4, V1-V4, reroll)."""
        if not job.done:
            raise JobError(f"task {job.key} is not finished; wait() before pressing {label}")
        wire = job.final.wire if job.final else None
        label_text = label if isinstance(label, str) else ""
        button = wire.button(label_text) if isinstance(wire, MjTaskInfo) else None
        if button is not None and button.custom_id:
            body = {"task_id": job.key, "custom_id": button.custom_id, "label": label}
            return FollowUp(MJ_ACTION, body, _action_of(button.custom_id))
        if await api.mj.has("action"):
            buttons = wire.buttons if isinstance(wire, MjTaskInfo) else None
            have = ", ".join(b.label or b.emoji or "?" for b in buttons or []) or "none"
            raise InvalidArgument("label", f"task {job.key} has no button {label!r} (has: {have})")
        change = change_of(label_text) if label_text else None
        if change is None:
            what = f"button {label!r} (its /submit/change knows U1-U4, V1-V4 and reroll)"
            raise Unsupported(await api.mj.flavor(), what)
        return FollowUp(MJ_ACTION, {"task_id": job.key, "label": label}, change[0])


def action_of(job: Job) -> str:
    """What made a task: the button's action, else what the proxy reports, else IMAGINE."""
    reading = job.final or job.latest
    wire = reading.wire if reading is not None else None
    reported = wire.action if isinstance(wire, MjTaskInfo) else None
    return job.label or reported or "IMAGINE"


def _pick(job: Job, choice: object) -> FollowUp:
    """An imagine of prompt ``choice`` of a finished describe or shorten (its child)."""
    options = prompts(text_of(job))
    if not options:
        raise JobError(f"task {job.key} offers no prompts (only a finished describe or shorten)")
    if not isinstance(choice, int) or isinstance(choice, bool) or not 1 <= choice <= len(options):
        raise InvalidArgument("choice", f"expected a prompt number from 1 to {len(options)}")
    pick = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣")[choice - 1] if choice <= 5 else str(choice)
    return FollowUp(MJ_IMAGINE, {"prompt": options[choice - 1], "label": pick}, "IMAGINE")


def with_parameters(body: Json) -> Json:
    """``{"prompt": "a cat", "--ar": "3:2", "--tile": True}`` -> ``{"prompt": "a cat --ar 3:2
    --tile"}``: a sweep may vary any Midjourney ``--`` parameter as its own axis."""
    params = {k: v for k, v in body.items() if k.startswith("--")}
    if not params:
        return body
    words = [str(body.get("prompt") or "")]
    for name, value in params.items():
        if not name[2:].replace("-", "").isalnum():
            raise InvalidArgument("grid", f"{name!r} is not a Midjourney parameter")
        if value is None or value is False:
            continue
        if not isinstance(value, (str, int, float)) or (isinstance(value, str) and "--" in value):
            raise InvalidArgument(name, f"expected a number or a word, got {value!r}")
        words.append(name if value is True else f"{name} {value}")
    rest = {k: v for k, v in body.items() if k not in params}
    return {**rest, "prompt": " ".join(w for w in words if w)}


_ACTIONS = {
    "upsample": "UPSCALE",
    "variation": "VARIATION",
    "high_variation": "VARIATION",
    "low_variation": "VARIATION",
    "Inpaint": "VARIATION",
    "reroll": "REROLL",
    "Outpaint": "ZOOM",
    "CustomZoom": "ZOOM",
}


def _action_of(custom_id: str) -> str:
    """``MJ::JOB::upsample::2::...`` -> ``UPSCALE`` (the proxies' customId -> action table)."""
    parts = custom_id.split("::")
    kind = (parts[2] if parts[1:2] == ["JOB"] else parts[1]) if len(parts) > 2 else ""
    if kind.startswith("upsample_"):
        return "UPSCALE_HD"
    if kind.startswith("pan_"):
        return "PAN"
    return _ACTIONS.get(kind, kind.upper() or "ACTION")
