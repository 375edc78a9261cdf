"""The Wujie avatar routes: artworks (``/avatar/artwork/*``, seed 001), training
(``/avatar/create``...) and the personal camera (``/avatar/camera/*``): routes in, models out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .. import validate as check
from ..errors import InvalidArgument
from ..http import Requester
from ..models import AvatarResource, CreateResult
from ..models_more import (
    AvatarInfo,
    AvatarTraining,
    CameraCreateResult,
    CameraGeneratingInfo,
    CameraInfo,
    CameraTemplate,
    ImageCheckResult,
)
from .envelope import Routes, created, items, one_key, paid_data

MAX_PROMPT = 500
MAX_POLL_KEYS = 200
CAMERA_PREFIXES = ("/avatar", "/ai")
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


class AvatarApi(Routes):
    """The avatar routes as typed methods: artworks, training, and the personal camera.

    Camera reads go to ``/avatar/camera/...`` (the SDK's paths) unless ``camera_prefix`` is
    ``"/ai"`` (Apifox's); the sandbox serves both.
    """

    def __init__(self, http: Requester, camera_prefix: str = "/avatar") -> None:
        super().__init__(http)
        if camera_prefix not in CAMERA_PREFIXES:
            raise InvalidArgument("camera_prefix", f"must be one of {CAMERA_PREFIXES}")
        self.camera_prefix = camera_prefix

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
        return created(paid_data(reply, route, body), route, body)

    async def default_resource(self) -> AvatarResource:
        """``GET /avatar/artwork/default_resource``: the avatar key and its template options."""
        route = "/avatar/artwork/default_resource"
        return AvatarResource.from_dict(await self._data("GET", route))

    async def image_check(self, image_urls: Iterable[str]) -> ImageCheckResult:
        """``POST /avatar/image_check_batch``: whether each face photo can train an avatar."""
        body = {"image_url_list": check.strings("image_urls", image_urls, count=range(1, 101))}
        route = "/avatar/image_check_batch"
        return ImageCheckResult.from_dict(await self._data("POST", route, json_body=body))

    async def train(self, image_urls: Iterable[str], *, notify_url: str = "") -> AvatarTraining:
        """``POST /avatar/create``: train an avatar (a LoRA) from face photos.

        Never re-sent once it may have reached the server (see ``AmbiguousCreate``).
        """
        body = {
            "train_image_url_list": check.strings("image_urls", image_urls, count=range(1, 101)),
            "notify_url": check.text("notify_url", notify_url),
        }
        data = await self._data("POST", "/avatar/create", json_body=body, idempotent=False)
        one_key(data, "/avatar/create", body)
        return AvatarTraining.from_dict(data)

    async def info(self, key: str) -> AvatarInfo:
        """``GET /avatar/info``: training status and the LoRA name once trained."""
        params = {"key": check.nonblank("key", key)}
        return AvatarInfo.from_dict(await self._data("GET", "/avatar/info", params=params))

    async def delete(self, avatar_key: str) -> None:
        """``POST /avatar/delete``: delete a trained avatar."""
        body = {"avatar_key": check.nonblank("avatar_key", avatar_key)}
        await self._data("POST", "/avatar/delete", json_body=body)

    async def camera_templates(self) -> list[CameraTemplate]:
        """``GET /avatar/camera/template_options``: the personal camera's templates."""
        route = "/avatar/camera/template_options"
        return [CameraTemplate.from_dict(x) for x in items(await self._data("GET", route), route)]

    async def camera_create(
        self,
        avatar_key: str,
        *,
        template_key: str | None = None,
        template_url: str = "",
        count: int = 1,
        advanced: Mapping[str, Any] | None = None,
    ) -> CameraCreateResult:
        """``POST /avatar/camera/create``: render an avatar into a template (pro time).

        The wire field is ``avtar_key``, misspelt as the SDK sends it. Never re-sent once it
        may have reached the server (see ``AmbiguousCreate``).
        """
        template = None
        if template_key is not None:
            template = {
                "template_key": check.nonblank("template_key", template_key),
                "template_url": check.text("template_url", template_url),
                "count": check.positive("count", count),
            }
        body = {
            "avtar_key": check.nonblank("avatar_key", avatar_key),
            "camera_artwork_advanced": None
            if advanced is None
            else check.mapping("advanced", advanced),
            "template_create_param": template,
        }
        route = "/avatar/camera/create"
        data = await self._data("POST", route, json_body=body, idempotent=False)
        created(data, route, body)
        return CameraCreateResult.from_dict(data)

    async def camera_generating_info(self, keys: str | Iterable[str]) -> list[CameraGeneratingInfo]:
        """``POST {camera_prefix}/camera/generating_info``: the camera's batch poll."""
        body = check.keys("keys", keys, max_count=MAX_POLL_KEYS)
        route = f"{self.camera_prefix}/camera/generating_info"
        data = await self._data("POST", route, json_body=body)
        return [CameraGeneratingInfo.from_dict(x) for x in items(data, route, "infos")]

    async def camera_info(self, key: str) -> CameraInfo:
        """``GET {camera_prefix}/camera/info``: one camera artwork."""
        params = {"key": check.nonblank("key", key)}
        route = f"{self.camera_prefix}/camera/info"
        return CameraInfo.from_dict(await self._data("GET", route, params=params))
