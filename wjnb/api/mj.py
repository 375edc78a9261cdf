"""The Midjourney-proxy protocol of every flavour: routes in, typed models out.

Submit replies ``{code, description, result, properties}`` succeed with codes 1, 21 and
22; any other code, and trueai's second envelope ``{success, code: -1, message}``, raises
``mj_error``. Routes live under ``<base>/mj`` (``<base>/mj-fast/mj`` ... with a speed mode
on trueai); a route the proxy's flavour (``mj_flavor``) lacks raises ``Unsupported``.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from .. import validate as check
from ..auth import MjAuth
from ..errors import AmbiguousCreate, InvalidArgument, MalformedResponse, Unsupported, mj_error
from ..http import Requester
from ..models import (
    MjAccount,
    MjBotType,
    MjDimensions,
    MjSubmitCode,
    MjSubmitReply,
    MjTaskInfo,
)
from . import readable_id
from .mj_flavor import ROUTES, TRUEAI, Flavor

SUCCESS_CODES = frozenset({MjSubmitCode.ACCEPTED, MjSubmitCode.EXISTS, MjSubmitCode.QUEUED})
NOT_FOUND = "3"
"""The proxy's own code for an unknown task (novicezk ``ReturnCode.NOT_FOUND``)."""

BLEND_IMAGES = range(2, 6)


def submit_reply(body: Any, route: str) -> MjSubmitReply:
    """A submit-style reply; raises ``mj_error`` unless its code is 1, 21 or 22."""
    if isinstance(body, Mapping) and body.get("success") is False and "message" in body:
        raise mj_error(str(body.get("code")), str(body["message"]), route=route, data=dict(body))
    if not isinstance(body, Mapping) or "code" not in body:
        raise MalformedResponse(f"{route}: the reply is not a submit reply", route=route)
    reply = MjSubmitReply.from_dict(body)
    if reply.code not in SUCCESS_CODES:
        raise mj_error(str(body["code"]), reply.description or "", route=route, data=dict(body))
    return reply


def _task(body: Any, route: str) -> MjTaskInfo:
    """One task; an empty reply or an error reply in its place raises."""
    if body is None:
        raise mj_error(NOT_FOUND, "no such task", route=route)
    if not isinstance(body, Mapping):
        raise MalformedResponse(f"{route}: the reply is not a task", route=route)
    if "id" not in body and "code" in body:
        submit_reply(body, route)  # an error reply where a task was expected: raises
    return MjTaskInfo.from_dict(body)


def _tasks(body: Any, route: str) -> builtins.list[MjTaskInfo]:
    if body is None:
        return []
    if not isinstance(body, builtins.list):
        raise MalformedResponse(f"{route}: expected a list of tasks", route=route)
    return [MjTaskInfo.from_dict(x) for x in body]


#: Keys of an account object that hold credentials: never read, stored or shown.
_ACCOUNT_SECRETS = frozenset({"userToken", "token", "password", "botToken"})


def _accounts(body: Any, route: str) -> builtins.list[MjAccount]:
    """A list of accounts, each read without its credentials."""
    if not isinstance(body, builtins.list) or not all(isinstance(a, Mapping) for a in body):
        raise MalformedResponse(f"{route}: expected a list of accounts", route=route)
    return [
        MjAccount.from_dict({k: v for k, v in a.items() if k not in _ACCOUNT_SECRETS}) for a in body
    ]


def _account_page(body: Any, route: str) -> builtins.list[MjAccount]:
    """One page ``{content: [...], last}`` of plus's account query."""
    if not isinstance(body, Mapping):
        raise MalformedResponse(f"{route}: expected a page of accounts", route=route)
    return _accounts(body.get("content"), route)


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


def _hook(extra: dict[str, Any]) -> dict[str, Any]:
    """``extra`` with the base fields ``notify_hook`` and ``state`` under their wire names."""
    hook = extra.pop("notify_hook", None)
    state = extra.pop("state", None)
    return {
        **extra,
        **({"notifyHook": check.text("notify_hook", hook)} if hook is not None else {}),
        **({"state": check.text("state", state)} if state is not None else {}),
    }


_CHANGES = {"U": "UPSCALE", "V": "VARIATION"}


def change_of(label: str) -> tuple[str, int | None] | None:
    """``/submit/change``'s ``(action, index)`` for a button label: U1-U4, V1-V4, reroll."""
    if label.lower() in ("reroll", "r") or label == "🔄":
        return "REROLL", None
    if len(label) == 2 and label[0].upper() in _CHANGES and label[1] in "1234":
        return _CHANGES[label[0].upper()], int(label[1])
    return None


class MjApi:
    """The ``/mj/*`` routes as typed methods, mapped onto the proxy's flavour."""

    def __init__(
        self,
        http: Requester,
        *,
        flavor: str = "auto",
        mode: str | None = None,
        auth: MjAuth | None = None,
    ) -> None:
        self._http = http
        self._flavor = Flavor(http, auth, flavor, mode)

    async def flavor(self) -> str:
        """``novicezk``, ``plus``, ``trueai`` or ``relay`` (fingerprinted once when ``auto``)."""
        return await self._flavor.name()

    async def has(self, route: str) -> bool:
        """True when the proxy's flavour serves ``route`` (``"action"``, ``"cancel"``...)."""
        return route in ROUTES[await self._flavor.name()]

    async def _post(self, name: str, body: dict[str, Any], group: str = "submit") -> MjSubmitReply:
        return await self._submit(await self._flavor.route(name, f"/mj/{group}/{name}"), body)

    async def _read(
        self, method: str, route: str, shape: Callable[[Any, str], object], body: Any = None
    ) -> Any:
        """An idempotent read; a reply ``shape`` cannot read is retried by the transport."""
        return await self._http.request(
            method, route, json_body=body, accept=lambda reply: shape(reply, route)
        )

    async def _submit(self, route: str, body: dict[str, Any]) -> MjSubmitReply:
        answer = await self._http.request("POST", route, json_body=body, idempotent=False)
        try:
            reply = submit_reply(answer, route)
        except MalformedResponse as exc:  # the task may exist all the same
            raise AmbiguousCreate(
                f"{route}: the reply is not a submit reply; it may have been processed",
                route=route,
                request=body,
            ) from exc
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
        return await self._post("imagine", body)

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
        return await self._post("action", body)

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
        return await self._post("blend", body)

    async def describe(
        self,
        /,
        base64: str | None = None,
        *,
        link: str | None = None,
        bot_type: MjBotType | str | None = None,
        notify_hook: str | None = None,
        state: str | None = None,
        **extra: Any,
    ) -> MjSubmitReply:
        """``POST /mj/submit/describe``: prompts for an image (in ``properties.finalPrompt``),
        given as a data URL (``base64``) or, on trueai, as an http(s) ``link``."""
        if (base64 is None) == (link is None):
            raise InvalidArgument("base64", "give the picture as base64 or as a link")
        if link is not None and await self.flavor() != TRUEAI:
            raise Unsupported(await self.flavor(), "describe by link")
        body = _body(
            extra,
            base64=_opt(check.nonblank, "base64", base64),
            link=_opt(check.nonblank, "link", link),
            botType=_opt(check.choice, "bot_type", bot_type, MjBotType),
            notifyHook=_opt(check.text, "notify_hook", notify_hook),
            state=_opt(check.text, "state", state),
        )
        return await self._post("describe", body)

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
        return await self._post("modal", body)

    async def press(
        self,
        /,
        task_id: str,
        *,
        custom_id: str | None = None,
        label: str | None = None,
        notify_hook: str | None = None,
        state: str | None = None,
    ) -> MjSubmitReply:
        """Press a button: ``/submit/action`` with its ``custom_id`` where the flavour has
        that route (plus, trueai, relay), else ``/submit/change`` from its ``label`` (novicezk:
        U1-U4, V1-V4, reroll)."""
        hook = {"notify_hook": notify_hook, "state": state}
        if custom_id and await self.has("action"):
            return await self.action(task_id, custom_id, **hook)
        change = change_of(label) if label else None
        if change is None or not await self.has("change"):
            flavor = await self.flavor()
            if not await self.has("change"):
                raise Unsupported(flavor, f"button {label or custom_id!r}")
            raise Unsupported(flavor, f"button {label!r} (change knows U1-U4, V1-V4, reroll)")
        return await self.change(task_id, change[0], change[1], **hook)

    async def change(
        self,
        /,
        task_id: str,
        action: str,
        index: int | None = None,
        *,
        notify_hook: str | None = None,
        state: str | None = None,
        **extra: Any,
    ) -> MjSubmitReply:
        """``POST /mj/submit/change``: ``UPSCALE``/``VARIATION`` ``index`` (1-4) or ``REROLL``."""
        if action not in ("UPSCALE", "VARIATION", "REROLL"):
            raise InvalidArgument("action", "expected UPSCALE, VARIATION or REROLL")
        if action != "REROLL" and index not in (1, 2, 3, 4):
            raise InvalidArgument("index", f"{action} needs an index from 1 to 4")
        body = _body(
            extra,
            taskId=check.nonblank("task_id", task_id),
            action=action,
            index=index,
            notifyHook=_opt(check.text, "notify_hook", notify_hook),
            state=_opt(check.text, "state", state),
        )
        return await self._post("change", body)

    async def simple_change(
        self, /, content: str, *, notify_hook: str | None = None, state: str | None = None
    ) -> MjSubmitReply:
        """``POST /mj/submit/simple-change``: ``content`` is ``"<task id> U2"`` (V1, R...)."""
        body = _body(
            {},
            content=check.nonblank("content", content),
            notifyHook=_opt(check.text, "notify_hook", notify_hook),
            state=_opt(check.text, "state", state),
        )
        return await self._post("simple-change", body)

    async def shorten(self, /, prompt: str, **extra: Any) -> MjSubmitReply:
        """``POST /mj/submit/shorten`` (plus, trueai): shorter versions of a prompt."""
        body = _body(_hook(extra), prompt=check.nonblank("prompt", prompt))
        return await self._post("shorten", body)

    async def edits(self, /, prompt: str, image: str, **extra: Any) -> MjSubmitReply:
        """``POST /mj/submit/edits`` (trueai): redraw ``image`` (URL or base64) to ``prompt``."""
        body = _body(
            _hook(extra),
            prompt=check.nonblank("prompt", prompt),
            image=check.nonblank("image", image),
        )
        return await self._post("edits", body)

    async def retexture(self, /, prompt: str, image: str, **extra: Any) -> MjSubmitReply:
        """``POST /mj/submit/retexture`` (trueai): new surfaces for ``image``."""
        body = _body(
            _hook(extra),
            prompt=check.nonblank("prompt", prompt),
            image=check.nonblank("image", image),
        )
        return await self._post("retexture", body)

    async def video(self, /, prompt: str, **extra: Any) -> MjSubmitReply:
        """``POST /mj/submit/video`` (trueai, when its video feature is on)."""
        body = _body(_hook(extra), prompt=check.nonblank("prompt", prompt))
        return await self._post("video", body)

    async def swap_face(self, /, source: str, target: str, **extra: Any) -> MjSubmitReply:
        """``POST /mj/insight-face/swap`` (plus, trueai): ``source``'s face onto ``target``."""
        body = _body(
            _hook(extra),
            sourceBase64=check.nonblank("source", source),
            targetBase64=check.nonblank("target", target),
        )
        route = await self._flavor.route("swap_face", "/mj/insight-face/swap")
        return await self._submit(route, body)

    async def upload(self, /, base64_array: Sequence[str]) -> builtins.list[str]:
        """``POST /mj/submit/upload-discord-images`` (trueai, relays): URLs of the images."""
        body = {"base64Array": check.strings("base64_array", base64_array)}
        route = await self._flavor.route(
            "upload-discord-images", "/mj/submit/upload-discord-images"
        )
        reply = await self._http.request("POST", route, json_body=body, idempotent=False)
        submit_reply(reply, route)
        urls = reply.get("result")
        if not isinstance(urls, builtins.list) or not all(isinstance(u, str) for u in urls):
            raise MalformedResponse(f"{route}: the reply carries no list of URLs", route=route)
        return urls

    async def fetch(self, task_id: str) -> MjTaskInfo:
        """``GET /mj/task/{id}/fetch``: one task (an empty 200 or a 204 means unknown)."""
        route = await self._flavor.route("fetch", f"/mj/task/{_path(task_id)}/fetch")
        return _task(await self._read("GET", route, _task), route)

    async def list_by_ids(self, ids: str | Iterable[str]) -> builtins.list[MjTaskInfo]:
        """The batch poll: ``/list-by-ids`` on trueai, ``/list-by-condition`` elsewhere."""
        body = {"ids": check.keys("ids", ids)}
        name = "list-by-ids" if await self.flavor() == TRUEAI else "list-by-condition"
        route = await self._flavor.route(name, f"/mj/task/{name}")
        return _tasks(await self._read("POST", route, _tasks, body), route)

    async def list_by_condition(self, ids: str | Iterable[str]) -> builtins.list[MjTaskInfo]:
        """``POST /mj/task/list-by-condition``: tasks by id (every flavour)."""
        body = {"ids": check.keys("ids", ids)}
        route = await self._flavor.route("list-by-condition", "/mj/task/list-by-condition")
        return _tasks(await self._read("POST", route, _tasks, body), route)

    async def image_seed(self, task_id: str) -> str:
        """``GET /mj/task/{id}/image-seed``: the seed a finished task was drawn with."""
        route = await self._flavor.route("image-seed", f"/mj/task/{_path(task_id)}/image-seed")
        return seed_from_reply(await self._read("GET", route, seed_from_reply), route)

    async def cancel(self, task_id: str) -> MjSubmitReply:
        """``POST /mj/task/{id}/cancel``: cancel a task that has not finished.

        trueai answers with an empty 200 (for unknown ids too): read as accepted."""
        route = await self._flavor.route("cancel", f"/mj/task/{_path(task_id)}/cancel")
        body = await self._http.request("POST", route)
        if body is None:
            return MjSubmitReply(code=MjSubmitCode.ACCEPTED, description="", result=task_id)
        return submit_reply(body, route)

    async def accounts(self) -> builtins.list[MjAccount]:
        """The proxy's Discord accounts and their limits: ``GET /mj/account/list``
        (novicezk), or ``POST /mj/account/query`` page by page (plus). Their Discord
        tokens, which these routes return, are dropped unread."""
        if await self.has("account-query"):
            route = await self._flavor.route("account-query", "/mj/account/query")
            found: builtins.list[MjAccount] = []
            for number in range(100):
                body = {"pageSize": 50, "pageNumber": number}
                page = await self._read("POST", route, _account_page, body)
                found += _account_page(page, route)
                if page.get("last") is not False:
                    break
            return found
        route = await self._flavor.route("account-list", "/mj/account/list")
        return _accounts(await self._read("GET", route, _accounts), route)

    async def queue(self) -> builtins.list[MjTaskInfo]:
        """``GET /mj/task/queue``: the tasks waiting or running."""
        route = await self._flavor.route("queue", "/mj/task/queue")
        return _tasks(await self._read("GET", route, _tasks), route)

    async def list(self) -> builtins.list[MjTaskInfo]:
        """``GET /mj/task/list``: every task the proxy keeps (newest first)."""
        route = await self._flavor.route("list", "/mj/task/list")
        return _tasks(await self._read("GET", route, _tasks), route)


def _path(task_id: str) -> str:
    """A task id checked and escaped for use as one path segment."""
    return quote(check.nonblank("task_id", task_id), safe="")
