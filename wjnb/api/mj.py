"""The Midjourney-proxy protocol (novicezk and resellers): routes in, typed models out.

Submit replies ``{code, description, result, properties}`` succeed with codes 1, 21 and
22; any other code raises ``mj_error``. Routes live under ``<base>/mj`` whatever the base
path (``/mj-fast``, ``/mj-relax`` ...).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from .. import validate as check
from ..errors import AmbiguousCreate, MalformedResponse, mj_error
from ..http import Requester
from ..models import MjBotType, MjDimensions, MjSubmitCode, MjSubmitReply, MjTask
from . import readable_id

SUCCESS_CODES = frozenset({MjSubmitCode.ACCEPTED, MjSubmitCode.EXISTS, MjSubmitCode.QUEUED})
NOT_FOUND = "3"
"""The proxy's own code for an unknown task (novicezk ``ReturnCode.NOT_FOUND``)."""

BLEND_IMAGES = range(2, 6)


def submit_reply(body: Any, route: str) -> MjSubmitReply:
    """A submit-style reply; raises ``mj_error`` unless its code is 1, 21 or 22."""
    if not isinstance(body, Mapping) or "code" not in body:
        raise MalformedResponse(f"{route}: the reply is not a submit reply", route=route)
    reply = MjSubmitReply.from_dict(body)
    if reply.code not in SUCCESS_CODES:
        raise mj_error(str(body["code"]), reply.description or "", route=route, data=dict(body))
    return reply


def _task(body: Any, route: str) -> MjTask:
    """One task; an empty reply or an error reply in its place raises."""
    if body is None:
        raise mj_error(NOT_FOUND, "no such task", route=route)
    if not isinstance(body, Mapping):
        raise MalformedResponse(f"{route}: the reply is not a task", route=route)
    if "id" not in body and "code" in body:
        submit_reply(body, route)  # an error reply where a task was expected: raises
    return MjTask.from_dict(body)


def _tasks(body: Any, route: str) -> builtins.list[MjTask]:
    if body is None:
        return []
    if not isinstance(body, builtins.list):
        raise MalformedResponse(f"{route}: expected a list of tasks", route=route)
    return [MjTask.from_dict(x) for x in body]


def seed_from_reply(body: Any, route: str) -> str:
    """The seed from ``{code, description, result}`` or from a whole task (seed 002)."""
    if isinstance(body, Mapping) and "code" in body and "id" not in body:
        reply = submit_reply(body, route)
        if reply.result:
            return reply.result
    elif isinstance(body, Mapping):
        properties = body.get("properties")
        for source in (body, properties if isinstance(properties, Mapping) else {}):
            value = source.get("seed")
            if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
                return str(value)
    raise MalformedResponse(f"{route}: the reply carries no seed", route=route)


def _body(extra: Mapping[str, Any], **fields: Any) -> dict[str, Any]:
    """A request body from checked wire fields (None omitted) plus pass-through ``extra``."""
    body = {k: v for k, v in fields.items() if v is not None}
    body.update((k, check.json_value(k, v)) for k, v in extra.items())
    return body


def _opt(checker: Any, name: str, value: object, *args: Any) -> Any:
    """``checker(name, value)`` unless the optional ``value`` is None."""
    return None if value is None else checker(name, value, *args)


class MjApi:
    """The ``/mj/*`` routes as typed methods."""

    def __init__(self, http: Requester) -> None:
        self._http = http

    async def _submit(self, route: str, body: dict[str, Any]) -> MjSubmitReply:
        reply = submit_reply(
            await self._http.request("POST", route, json_body=body, idempotent=False), route
        )
        if not readable_id(reply.raw.get("result")):  # accepted, but which task? (it exists)
            raise AmbiguousCreate(
                f"{route}: the task was accepted but its reply names no readable task id;"
                " it may have been processed",
                route=route,
                request=body,
            )
        return reply

    async def imagine(
        self,
        /,
        prompt: str,
        *,
        base64_array: Sequence[str] | None = None,
        bot_type: MjBotType | str | None = None,
        notify_hook: str | None = None,
        state: str | None = None,
        **extra: Any,
    ) -> MjSubmitReply:
        """``POST /mj/submit/imagine``: start a 2x2 grid; ``result`` is the task id."""
        body = _body(
            extra,
            prompt=check.nonblank("prompt", prompt),
            base64Array=_opt(check.strings, "base64_array", base64_array),
            botType=_opt(check.choice, "bot_type", bot_type, MjBotType),
            notifyHook=_opt(check.text, "notify_hook", notify_hook),
            state=_opt(check.text, "state", state),
        )
        return await self._submit("/mj/submit/imagine", body)

    async def action(
        self,
        /,
        task_id: str,
        custom_id: str,
        *,
        notify_hook: str | None = None,
        state: str | None = None,
        **extra: Any,
    ) -> MjSubmitReply:
        """``POST /mj/submit/action``: press a task's button (its ``customId``)."""
        body = _body(
            extra,
            taskId=check.nonblank("task_id", task_id),
            customId=check.nonblank("custom_id", custom_id),
            notifyHook=_opt(check.text, "notify_hook", notify_hook),
            state=_opt(check.text, "state", state),
        )
        return await self._submit("/mj/submit/action", body)

    async def blend(
        self,
        /,
        base64_array: Sequence[str],
        *,
        dimensions: MjDimensions | str | None = None,
        bot_type: MjBotType | str | None = None,
        notify_hook: str | None = None,
        state: str | None = None,
        **extra: Any,
    ) -> MjSubmitReply:
        """``POST /mj/submit/blend``: blend 2 to 5 images (base64 data URLs)."""
        body = _body(
            extra,
            base64Array=check.strings("base64_array", base64_array, count=BLEND_IMAGES),
            dimensions=_opt(check.choice, "dimensions", dimensions, MjDimensions),
            botType=_opt(check.choice, "bot_type", bot_type, MjBotType),
            notifyHook=_opt(check.text, "notify_hook", notify_hook),
            state=_opt(check.text, "state", state),
        )
        return await self._submit("/mj/submit/blend", body)

    async def describe(
        self,
        /,
        base64: str,
        *,
        bot_type: MjBotType | str | None = None,
        notify_hook: str | None = None,
        state: str | None = None,
        **extra: Any,
    ) -> MjSubmitReply:
        """``POST /mj/submit/describe``: prompts for an image (in ``properties.finalPrompt``)."""
        body = _body(
            extra,
            base64=check.nonblank("base64", base64),
            botType=_opt(check.choice, "bot_type", bot_type, MjBotType),
            notifyHook=_opt(check.text, "notify_hook", notify_hook),
            state=_opt(check.text, "state", state),
        )
        return await self._submit("/mj/submit/describe", body)

    async def modal(
        self,
        /,
        task_id: str,
        *,
        prompt: str | None = None,
        mask_base64: str | None = None,
        **extra: Any,
    ) -> MjSubmitReply:
        """``POST /mj/submit/modal``: confirm a task left in ``MODAL`` (zoom, region...)."""
        body = _body(
            extra,
            taskId=check.nonblank("task_id", task_id),
            prompt=_opt(check.nonblank, "prompt", prompt),
            maskBase64=_opt(check.text, "mask_base64", mask_base64),
        )
        return await self._submit("/mj/submit/modal", body)

    async def fetch(self, task_id: str) -> MjTask:
        """``GET /mj/task/{id}/fetch``: one task."""
        route = f"/mj/task/{_path(task_id)}/fetch"
        return _task(await self._http.request("GET", route), route)

    async def list_by_ids(self, ids: str | Iterable[str]) -> builtins.list[MjTask]:
        """``POST /mj/task/list-by-condition``: the batch poll."""
        body = {"ids": check.keys("ids", ids)}
        route = "/mj/task/list-by-condition"
        return _tasks(await self._http.request("POST", route, json_body=body), route)

    async def image_seed(self, task_id: str) -> str:
        """``GET /mj/task/{id}/image-seed``: the seed a finished task was drawn with."""
        route = f"/mj/task/{_path(task_id)}/image-seed"
        return seed_from_reply(await self._http.request("GET", route), route)

    async def cancel(self, task_id: str) -> MjSubmitReply:
        """``POST /mj/task/{id}/cancel``: cancel a task that has not finished."""
        route = f"/mj/task/{_path(task_id)}/cancel"
        return submit_reply(await self._http.request("POST", route), route)

    async def queue(self) -> builtins.list[MjTask]:
        """``GET /mj/task/queue``: the tasks waiting or running."""
        return _tasks(await self._http.request("GET", "/mj/task/queue"), "/mj/task/queue")

    async def list(self) -> builtins.list[MjTask]:
        """``GET /mj/task/list``: every task the proxy keeps."""
        return _tasks(await self._http.request("GET", "/mj/task/list"), "/mj/task/list")


def _path(task_id: str) -> str:
    """A task id checked and escaped for use as one path segment."""
    return quote(check.nonblank("task_id", task_id), safe="")
