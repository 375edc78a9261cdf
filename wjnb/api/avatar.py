"""The Wujie avatar camera (``/avatar/artwork/*``, seed 001): routes in, models out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .. import validate as check
from ..errors import InvalidArgument
from ..http import Requester
from ..models import AvatarResource, CreateResult
from .wujie import created, envelope_data

MAX_PROMPT = 500
MAX_TEMPLATES = 5

Template = str | tuple[str, int] | Mapping[str, Any]
"""A template as its key, ``(key, number)``, or ``{"template_key", "number"}``."""


def _template(name: str, value: object) -> dict[str, Any]:
    """One ``{template_key, number}`` entry; ``number`` is at least 1 when given."""
    if isinstance(value, str):
        value = {"template_key": value}
    elif isinstance(value, tuple) and len(value) == 2:
        value = {"template_key": value[0], "number": value[1]}
    elif not isinstance(value, Mapping):
        raise InvalidArgument(name, "expected a key, a (key, number) pair or a mapping")
    out = check.mapping(name, value)
    out["template_key"] = check.nonblank(f"{name}.template_key", out.get("template_key"))
    if out.get("number") is not None:
        out["number"] = check.positive(f"{name}.number", out["number"])
    return out


def _templates(value: object) -> list[dict[str, Any]]:
    if isinstance(value, (str, Mapping)) or not isinstance(value, Iterable):
        value = [value]
    out = [_template(f"templates[{i}]", item) for i, item in enumerate(value)]
    if len(out) > MAX_TEMPLATES:
        raise InvalidArgument("templates", f"at most {MAX_TEMPLATES} templates, got {len(out)}")
    return out


def check_create(
    avatar_key: object, prompt: object = None, templates: object = ()
) -> dict[str, Any]:
    """The checked body of an avatar create: key, prompt (≤ 500 characters), ≤ 5 templates."""
    body: dict[str, Any] = {"avatar_key": check.nonblank("avatar_key", avatar_key)}
    if prompt is not None:
        body["prompt"] = check.nonblank("prompt", prompt, max_len=MAX_PROMPT)
    artwork_templates = _templates(templates)
    if artwork_templates:
        body["artwork_templates"] = artwork_templates
    return body


class AvatarApi:
    """The avatar-camera routes as typed methods."""

    def __init__(self, http: Requester) -> None:
        self._http = http

    async def create(
        self,
        /,
        avatar_key: str,
        prompt: str | None = None,
        *,
        templates: Iterable[Template] = (),
        notify_url: str | None = None,
        **extra: Any,
    ) -> CreateResult:
        """``POST /avatar/artwork/create``: render an avatar into up to 5 templates.

        Never re-sent once it may have reached the server (see ``AmbiguousCreate``).
        """
        body = check_create(avatar_key, prompt, templates)
        if notify_url is not None:
            body["notify_url"] = check.text("notify_url", notify_url)
        body.update((k, check.json_value(k, v)) for k, v in extra.items())
        route = "/avatar/artwork/create"
        reply = await self._http.request("POST", route, json_body=body, idempotent=False)
        return created(envelope_data(reply, route), route, body)

    async def default_resource(self) -> AvatarResource:
        """``GET /avatar/artwork/default_resource``: the avatar key and its template options."""
        route = "/avatar/artwork/default_resource"
        return AvatarResource.from_dict(
            envelope_data(await self._http.request("GET", route), route)
        )
