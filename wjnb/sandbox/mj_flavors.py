"""The four Midjourney-proxy flavours the sandbox can play (``reference/mj-proxy-api.md``).

``novicezk`` (N, the open-source proxy), ``plus`` (P, the closed proxy's documented API),
``trueai`` (T, trueai-org's proxy) and ``relay`` (a new-api style gateway in front of any
of them). A ``Flavor`` says which routes exist, how a submit is answered, and how a task
looks on the wire; the embedded default (no flavour) keeps the sandbox's original shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wjnb.models import MjAction, MjBotType, MjStatus

NOVICEZK, PLUS, TRUEAI, RELAY = "novicezk", "plus", "trueai", "relay"
NAMES = (NOVICEZK, PLUS, TRUEAI, RELAY)

SUBMITTED = "提交成功"
QUEUED = "排队中，前面还有{n}个任务"
QUEUE_REJECTED = "队列已满，请稍后尝试"
QUEUE_FULL_T = "提交失败，队列已满，请稍后重试"
BANNED = "可能包含敏感词"
MODAL_P = "窗口等待"
MODAL_T = "Waiting for window confirm"
CANCELLED_T = "取消任务"
BAD_PARAMS = "参数错误"
TIMED_OUT = "任务超时"
TIMED_OUT_T = "执行超时 {n:g} 分钟"
SUBMIT_TIMED_OUT_T = "任务提交超时"

_N_ROUTES = {
    "imagine",
    "change",
    "simple-change",
    "describe",
    "blend",
    "fetch",
    "list-by-condition",
    "queue",
    "list",
    "account-list",
    "account-fetch",
}
_ROUTES = {
    NOVICEZK: frozenset(_N_ROUTES),
    PLUS: frozenset(
        _N_ROUTES
        | {"action", "modal", "shorten", "swap_face", "image-seed", "cancel", "account-query"}
    ),
    TRUEAI: frozenset(
        {
            "imagine",
            "describe",
            "blend",
            "action",
            "modal",
            "shorten",
            "upload-discord-images",
            "edits",
            "edit",
            "retexture",
            "video",
            "swap_face",
            "fetch",
            "list-by-condition",
            "list-by-ids",
            "list",
            "image-seed",
            "cancel",
        }
    ),
    RELAY: frozenset(
        {
            "imagine",
            "change",
            "simple-change",
            "describe",
            "blend",
            "action",
            "modal",
            "shorten",
            "upload-discord-images",
            "swap_face",
            "fetch",
            "list-by-condition",
            "image-seed",
        }
    ),
}
_BOTS = {
    "MID_JOURNEY": MjBotType.MID_JOURNEY.value,
    "NIJI_JOURNEY": MjBotType.NIJI_JOURNEY.value,
    "mj": MjBotType.MID_JOURNEY.value,
    "niji": MjBotType.NIJI_JOURNEY.value,
}
"""The exact, case-sensitive botType strings T reads (§3.2)."""
CHANGE_PARENTS = {
    MjAction.IMAGINE.value,
    MjAction.VARIATION.value,
    MjAction.REROLL.value,
    MjAction.BLEND.value,
    MjAction.ZOOM.value,
    MjAction.PAN.value,
}
"""Actions whose grid the change routes act on (N: IMAGINE, VARIATION, REROLL, BLEND)."""


@dataclass(frozen=True)
class Flavor:
    """What one proxy flavour serves and how it answers."""

    name: str

    @property
    def routes(self) -> frozenset[str]:
        """Route names this flavour serves."""
        return _ROUTES[self.name]

    def has(self, route: str) -> bool:
        """True when this flavour serves ``route``."""
        return route in self.routes

    def bot_type(self, asked: object) -> str:
        """The bot a submit's ``botType`` picks: N ignores the field; the others take
        ``MID_JOURNEY``/``NIJI_JOURNEY`` (and T's ``mj``/``niji``), anything else is MJ."""
        if self.name != NOVICEZK and asked in _BOTS:
            return _BOTS[str(asked)]
        return MjBotType.MID_JOURNEY.value

    @property
    def speed_prefixes(self) -> bool:
        """T serves every route under ``/mj-fast``, ``/mj-relax`` and ``/mj-turbo`` too."""
        return self.name == TRUEAI

    @property
    def queue_full(self) -> tuple[int, str]:
        """Code and text of a queue-full reply: 23 everywhere but T, which uses 9."""
        return (9, QUEUE_FULL_T) if self.name == TRUEAI else (23, QUEUE_REJECTED)

    @property
    def bans_at_submit(self) -> bool:
        """T never replies 24: a banned prompt fails the task at run time instead."""
        return self.name != TRUEAI

    @property
    def callback_tries(self) -> int:
        """Proxies post each change once and never retry."""
        return 1

    def accepted(self, task_id: str, ahead: int | None, instance: str) -> dict[str, Any]:
        """Code 1, or 22 when the queue already held tasks (a relay rewrites 22 to 1)."""
        properties = self.instance(instance)
        if ahead and self.name != RELAY:
            properties["numberOfQueues"] = ahead
            return _reply(22, QUEUED.format(n=ahead), task_id, properties)
        return _reply(1, SUBMITTED, task_id, properties if self.name != RELAY else {})

    def modal(self, task_id: str, final_prompt: str, instance: str) -> dict[str, Any]:
        """Code 21: the new task waits in MODAL for ``/submit/modal``."""
        properties = self.instance(instance)
        if self.name == TRUEAI:
            properties.update(finalPrompt=final_prompt, remix=True)
            return _reply(21, MODAL_T, task_id, properties)
        return _reply(21, MODAL_P, task_id, properties)

    def instance(self, instance: str) -> dict[str, Any]:
        """``discordInstanceId`` (T adds the same value as ``discordChannelId``)."""
        if self.name == RELAY:
            return {}
        if self.name == TRUEAI:
            return {"discordInstanceId": instance, "discordChannelId": instance}
        return {"discordInstanceId": instance}

    def description(self, action: str, task_id: str, prompt: str, extra: str = "") -> str | None:
        """The task's ``description`` at submit (§5.5); T leaves action tasks null."""
        if action == MjAction.IMAGINE.value:
            return f"/imagine {prompt}"
        if action == MjAction.DESCRIBE.value:
            return "/describe" if self.name == TRUEAI else f"/describe {task_id}.png"
        if action == MjAction.BLEND.value:
            return f"/blend {task_id} {extra}"
        if action == MjAction.SHORTEN.value:
            return f"/shorten {prompt}"
        if extra.startswith("/up "):
            return extra
        return None if self.name == TRUEAI else "Submit success"


def _reply(code: int, description: str, result: Any, properties: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "description": description, "result": result, "properties": properties}


def failure(
    code: int, description: str, properties: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A submit-style refusal (``result`` null)."""
    return _reply(code, description, None, properties or {})


def view(flavor: Flavor, task: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The wire task of ``flavor`` from the engine's neutral ``task`` and ``extra`` fields.

    ``task`` holds the 14 keys every flavour shares (nulls where unset); ``extra`` the
    flavour-only ones (``buttons``, ``botType``, ``parentId``, ``seed``, ``mode`` ...).
    """
    if flavor.name == RELAY:
        return _flattened(task, extra)
    out = dict(task)
    properties = dict(task["properties"])
    if flavor.name == NOVICEZK:
        properties.pop("botType", None)
        out["properties"] = properties
        return out
    out["buttons"] = extra["buttons"]
    if flavor.name == PLUS:
        out["properties"] = properties
        return out
    status = task["status"]
    done = status in (MjStatus.SUCCESS.value, MjStatus.FAILURE.value, MjStatus.CANCEL.value)
    if status == MjStatus.SUCCESS.value:
        out["state"] = out["state"] or ""
        out["failReason"] = out["failReason"] or ""
    properties["discordChannelId"] = properties.get("discordInstanceId")
    out["properties"] = properties
    mode = extra["mode"].upper()
    out.update(
        botType=extra["botType"],
        realBotType=extra["botType"],
        customId=extra["customId"] or None,
        parentId=extra["parentId"],
        mode=mode if done or status != MjStatus.NOT_START.value else None,
        requestMode=mode,
        seed=extra["seed"] if status == MjStatus.SUCCESS.value else None,
        jobId=extra["jobId"],
        nonce=properties.get("nonce"),
        instanceId=properties.get("discordInstanceId"),
        imageUrls=None,
        videoUrl=extra["videoUrl"],
        videoUrls=[{"url": extra["videoUrl"], "thumbnail": task["imageUrl"]}]
        if extra["videoUrl"]
        else None,
        isCompleted=done,
        promptFull=task["promptEn"],
        version=extra["version"],
        width=extra["width"] if status == MjStatus.SUCCESS.value else None,
        height=extra["height"] if status == MjStatus.SUCCESS.value else None,
        useTime=extra["useTime"],
        accountFilter=None,
        remixAutoSubmit=False,
        isPartner=False,
        isOfficial=False,
        isDiscord=True,
    )
    return out


def _flattened(task: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """new-api's ``MidjourneyDto``: every key present, strings never null (seed 002)."""
    properties = task["properties"]
    return {
        "id": task["id"],
        "action": task["action"],
        "customId": extra["customId"] or "",
        "botType": "",
        "prompt": task["prompt"] or "",
        "promptEn": task["promptEn"] or "",
        "description": task["description"] or "",
        "state": task["state"] or "",
        "submitTime": task["submitTime"],
        "startTime": task["startTime"] or 0,
        "finishTime": task["finishTime"] or 0,
        "imageUrl": task["imageUrl"] or "",
        "status": task["status"],
        "progress": task["progress"] or "0%",
        "failReason": task["failReason"] or "",
        "buttons": extra["buttons"],
        "maskBase64": "",
        "properties": {
            "finalPrompt": properties.get("finalPrompt") or "",
            "finalZhPrompt": properties.get("finalZhPrompt") or "",
        },
    }
