"""Wujie envelopes and create replies, shared by every Wujie route namespace."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import AmbiguousCreate, MalformedResponse, api_error
from ..http import Requester
from ..models import CreateResult, ErrorCode
from . import readable_id


def envelope_data(body: Any, route: str) -> Any:
    """``data`` of a Wujie envelope; raises the named ``ApiError`` for any code but "200"."""
    if not isinstance(body, Mapping) or "code" not in body:
        raise MalformedResponse(f"{route}: the reply is not a Wujie envelope", route=route)
    code = str(body["code"])
    if code != ErrorCode.OK.value:
        message = body.get("message")
        raise api_error(code, str(message or ""), route=route, data=body.get("data"))
    return body.get("data")


def paid_data(body: Any, route: str, request: Any) -> Any:
    """``data`` of the reply to a request that creates paid work: a reply that is no
    envelope may still mean the work exists, so it is ambiguous, never just malformed."""
    try:
        return envelope_data(body, route)
    except MalformedResponse as exc:
        raise AmbiguousCreate(
            f"{route}: the reply is not a Wujie envelope; it may have been processed",
            route=route,
            request=request,
        ) from exc


def created(data: Any, route: str, request: Any) -> CreateResult:
    """The result of an accepted create; ``AmbiguousCreate`` unless it names its keys.

    The service said yes, so work may exist and be charged: a reply whose keys cannot be
    read (missing, not text, mangled) is as ambiguous as no reply at all, never an empty
    success or a made-up key. Read from the raw reply: the lenient model would drop bad
    entries and turn numbers into text.
    """
    raw: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
    keys = raw.get("keys")
    if keys is None and isinstance(raw.get("results"), list):
        keys = [r.get("key") if isinstance(r, Mapping) else None for r in raw["results"]]
    if not isinstance(keys, list) or not keys or not all(readable_id(k) for k in keys):
        raise AmbiguousCreate(
            f"{route}: the create was accepted but its reply names no readable key;"
            " it may have been processed",
            route=route,
            request=request,
        )
    return CreateResult.from_dict(data)


def items(data: Any, route: str, field: str | None = None) -> list[Any]:
    """The list in ``data`` (or in ``data[field]``); null reads as empty."""
    if field is not None and isinstance(data, Mapping):
        data = data.get(field)
    if data is None:
        return []
    if not isinstance(data, list):
        raise MalformedResponse(f"{route}: expected a list in the reply", route=route)
    return data


def one_key(data: Any, route: str, request: Any) -> str:
    """The ``key`` of an accepted single-job create; ``AmbiguousCreate`` when unreadable."""
    key = data.get("key") if isinstance(data, Mapping) else None
    if not readable_id(key):
        raise AmbiguousCreate(
            f"{route}: the create was accepted but its reply names no readable key;"
            " it may have been processed",
            route=route,
            request=request,
        )
    return str(key)


class Routes:
    """Base of the route namespaces: one ``Requester`` and envelope unwrapping."""

    def __init__(self, http: Requester) -> None:
        self._http = http

    async def _data(
        self,
        method: str,
        route: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        idempotent: bool = True,
        shape: Callable[[Any], object] | None = None,
    ) -> Any:
        """``data`` of the reply. An idempotent read whose envelope (or, with ``shape``,
        whose data) cannot be read is retried by the transport; a create's reply that is
        no envelope is ambiguous (``paid_data``)."""

        def accept(body: Any) -> None:
            data = envelope_data(body, route)
            if shape is not None:
                shape(data)

        body = await self._http.request(
            method,
            route,
            params=params,
            json_body=json_body,
            idempotent=idempotent,
            accept=accept if idempotent else None,
        )
        return envelope_data(body, route) if idempotent else paid_data(body, route, json_body)
