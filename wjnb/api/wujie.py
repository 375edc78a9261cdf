"""The Wujie open API (``/ai/*``, ``/account/*``): routes in, typed models out.

Every reply is an envelope ``{code, message, data}`` with a string ``code``; anything but
``"200"`` raises the named ``ApiError``. Arguments are checked before a request is built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .. import validate as check
from ..errors import InvalidArgument, MalformedResponse
from ..http import Requester
from ..models import (
    ArtworkInfo,
    Balance,
    CreateResult,
    DefaultResource,
    ErrorCode,
    GeneratingInfo,
    ModelBaseInfo,
    ModelQueueInfo,
    ModelType,
    PretreatmentMethod,
    PriceInfo,
    StyleModel,
)
from .envelope import Routes, created, items
from .lab import LabApi
from .pro import ProApi
from .tools import ToolsApi
from .video import VideoApi

Fusion = Sequence[Mapping[str, Any] | tuple[str, float]]


def is_lock_race(body: Any) -> bool:
    """True for the envelope that asks to submit again (code 20010018)."""
    return isinstance(body, Mapping) and str(body.get("code")) == ErrorCode.LOCK_RACE.value


def _fusion(name: str, value: object) -> list[dict[str, Any]]:
    """Model fusion as ``[{key, weight}]`` from mappings or ``(key, weight)`` pairs."""
    if isinstance(value, (str, Mapping)) or not isinstance(value, Iterable):
        raise InvalidArgument(name, f"expected a list of (key, weight), got {type(value).__name__}")
    out = []
    for i, item in enumerate(value):
        where = f"{name}[{i}]"
        if isinstance(item, Mapping):
            out.append(check.mapping(where, item))
        elif isinstance(item, tuple) and len(item) == 2:
            out.append(
                {"key": check.nonblank(where, item[0]), "weight": check.number(where, item[1])}
            )
        else:
            raise InvalidArgument(where, "expected a mapping or a (key, weight) pair")
    return out


def _pretreatment(name: str, value: object) -> Any:
    return check.choice(name, value, PretreatmentMethod)


def _model(name: str, value: object) -> Any:
    return check.choice(name, value, ModelType)


# How each create-request field is checked; the order is the order on the wire.
_CREATE_FIELDS: dict[str, Callable[[str, Any], Any]] = {
    "model": _model,
    "prompt": check.nonblank,
    "uc_prompt": check.text,
    "num": check.positive,
    "width": check.positive,
    "height": check.positive,
    "init_image_url": check.text,
    "init_width": check.positive,
    "init_height": check.positive,
    "creativity_degree": check.non_negative_number,
    "init_image_similarity": check.non_negative_number,
    "super_size_multiple": check.non_negative_number,
    "prefine_multiple": check.non_negative_number,
    "image_type": check.strings,
    "style": check.strings,
    "artist": check.text,
    "artists": check.strings,
    "element_magic": check.strings,
    "style_decoration": check.strings,
    "character": check.strings,
    "model_fusion": _fusion,
    "style_model": check.text,
    "pattern": check.text,
    "pretreatment_method": _pretreatment,
    "steps": check.positive,
    "cfg": check.non_negative_number,
    "sampler_index": check.non_negative,
    "seed": check.seed,
    "accelerate_times": check.non_negative,
    "clip_skip": check.non_negative,
    "control_weight": check.non_negative_number,
    "control_mode": check.non_negative,
    "notify_url": check.text,
    "multi_diffusion": check.mapping,
    "hr_second_pass_strength": check.non_negative_number,
    "layer_diffusion": check.mapping,
    "mj_param": check.mapping,
}


def create_body(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The checked JSON body of a create-style call, from the method's ``locals()``.

    Fields left as None are omitted; ``extra`` passes through untouched (it only has to
    be JSON).
    """
    given = {k: v for k, v in arguments.items() if k not in ("self", "extra") and v is not None}
    body = {name: _CREATE_FIELDS[name](name, value) for name, value in given.items()}
    for name, value in arguments["extra"].items():
        body[name] = check.json_value(name, value)
    return body


def check_create(body: Mapping[str, Any]) -> dict[str, Any]:
    """A create body checked field by field (unknown fields pass through as JSON)."""
    known = {k: v for k, v in body.items() if k in _CREATE_FIELDS}
    extra = {k: v for k, v in body.items() if k not in _CREATE_FIELDS}
    if known.get("prompt") is None:
        raise InvalidArgument("prompt", "a prompt is required")
    return create_body({**known, "extra": extra})


class WujieApi(Routes):
    """The ``/ai/*`` and ``/account/*`` routes as typed methods.

    The newer areas are namespaces: ``pro``, ``tools`` (upscale, youthify, prompt tools),
    ``video`` (video to video and SVD) and ``lab``.
    """

    def __init__(self, http: Requester) -> None:
        super().__init__(http)
        self.pro = ProApi(http)
        self.tools = ToolsApi(http)
        self.video = VideoApi(http)
        self.lab = LabApi(http)

    async def _create(self, route: str, body: dict[str, Any]) -> CreateResult:
        data = await self._data("POST", route, json_body=body, idempotent=False)
        return created(data, route, body)

    async def create(
        self,
        /,
        prompt: str,
        *,
        model: int = ModelType.GENERAL,
        uc_prompt: str | None = None,
        num: int | None = None,
        width: int | None = None,
        height: int | None = None,
        init_image_url: str | None = None,
        init_width: int | None = None,
        init_height: int | None = None,
        creativity_degree: float | None = None,
        init_image_similarity: float | None = None,
        super_size_multiple: float | None = None,
        prefine_multiple: float | None = None,
        image_type: Sequence[str] | None = None,
        style: Sequence[str] | None = None,
        artist: str | None = None,
        artists: Sequence[str] | None = None,
        element_magic: Sequence[str] | None = None,
        style_decoration: Sequence[str] | None = None,
        character: Sequence[str] | None = None,
        model_fusion: Fusion | None = None,
        style_model: str | None = None,
        pattern: str | None = None,
        pretreatment_method: PretreatmentMethod | str | None = None,
        steps: int | None = None,
        cfg: float | None = None,
        sampler_index: int | None = None,
        seed: int | str | None = None,
        accelerate_times: int | None = None,
        clip_skip: int | None = None,
        control_weight: float | None = None,
        control_mode: int | None = None,
        notify_url: str | None = None,
        multi_diffusion: Mapping[str, Any] | None = None,
        hr_second_pass_strength: float | None = None,
        layer_diffusion: Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> CreateResult:
        """``POST /ai/create``: submit artworks; returns their keys and expected cost.

        Never re-sent once it may have reached the server (see ``AmbiguousCreate``).
        """
        return await self._create("/ai/create", create_body(locals()))

    async def price_info(
        self,
        /,
        prompt: str,
        *,
        model: int = ModelType.GENERAL,
        uc_prompt: str | None = None,
        num: int | None = None,
        width: int | None = None,
        height: int | None = None,
        init_image_url: str | None = None,
        init_width: int | None = None,
        init_height: int | None = None,
        creativity_degree: float | None = None,
        init_image_similarity: float | None = None,
        super_size_multiple: float | None = None,
        prefine_multiple: float | None = None,
        image_type: Sequence[str] | None = None,
        style: Sequence[str] | None = None,
        artist: str | None = None,
        artists: Sequence[str] | None = None,
        element_magic: Sequence[str] | None = None,
        style_decoration: Sequence[str] | None = None,
        character: Sequence[str] | None = None,
        model_fusion: Fusion | None = None,
        style_model: str | None = None,
        pattern: str | None = None,
        pretreatment_method: PretreatmentMethod | str | None = None,
        steps: int | None = None,
        cfg: float | None = None,
        sampler_index: int | None = None,
        seed: int | str | None = None,
        accelerate_times: int | None = None,
        clip_skip: int | None = None,
        control_weight: float | None = None,
        control_mode: int | None = None,
        notify_url: str | None = None,
        multi_diffusion: Mapping[str, Any] | None = None,
        hr_second_pass_strength: float | None = None,
        layer_diffusion: Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> PriceInfo:
        """``POST /ai/price_info``: what the same ``create`` call would cost (nothing made)."""
        data = await self._data("POST", "/ai/price_info", json_body=create_body(locals()))
        return PriceInfo.from_dict(data)

    async def create_midjourney(
        self,
        /,
        prompt: str,
        *,
        model: int = ModelType.MIDJOURNEY,
        mj_param: Mapping[str, Any] | None = None,
        uc_prompt: str | None = None,
        num: int | None = None,
        width: int | None = None,
        height: int | None = None,
        init_image_url: str | None = None,
        init_width: int | None = None,
        init_height: int | None = None,
        creativity_degree: float | None = None,
        init_image_similarity: float | None = None,
        super_size_multiple: float | None = None,
        prefine_multiple: float | None = None,
        image_type: Sequence[str] | None = None,
        style: Sequence[str] | None = None,
        artist: str | None = None,
        artists: Sequence[str] | None = None,
        element_magic: Sequence[str] | None = None,
        style_decoration: Sequence[str] | None = None,
        character: Sequence[str] | None = None,
        model_fusion: Fusion | None = None,
        style_model: str | None = None,
        pattern: str | None = None,
        pretreatment_method: PretreatmentMethod | str | None = None,
        steps: int | None = None,
        cfg: float | None = None,
        sampler_index: int | None = None,
        seed: int | str | None = None,
        accelerate_times: int | None = None,
        clip_skip: int | None = None,
        control_weight: float | None = None,
        control_mode: int | None = None,
        notify_url: str | None = None,
        multi_diffusion: Mapping[str, Any] | None = None,
        hr_second_pass_strength: float | None = None,
        layer_diffusion: Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> CreateResult:
        """``POST /ai/create/midjourney``: a create with ``mj_param`` (chaos, stylize, sref...)."""
        return await self._create("/ai/create/midjourney", create_body(locals()))

    async def create_flux(
        self,
        /,
        prompt: str,
        *,
        uc_prompt: str | None = None,
        num: int | None = None,
        width: int | None = None,
        height: int | None = None,
        init_image_url: str | None = None,
        creativity_degree: float | None = None,
        steps: int | None = None,
        cfg: float | None = None,
        seed: int | str | None = None,
        notify_url: str | None = None,
        **extra: Any,
    ) -> CreateResult:
        """``POST /ai/create/flux``: a create on the Flux model (a subset of the fields)."""
        return await self._create("/ai/create/flux", create_body(locals()))

    async def generating_info(self, keys: str | Iterable[str]) -> list[GeneratingInfo]:
        """``POST /ai/generating_info``: the batch poll, one entry per key the service knows."""
        body = check.keys("keys", keys)
        route = "/ai/generating_info"
        data = await self._data(
            "POST", route, json_body=body, shape=lambda d: items(d, route, "list")
        )
        return [GeneratingInfo.from_dict(x) for x in items(data, route, "list")]

    async def info(self, key: str) -> ArtworkInfo:
        """``GET /ai/info``: one artwork's full detail, with ``key`` filled in."""
        key = check.nonblank("key", key)
        data = await self._data("GET", "/ai/info", params={"key": key}, shape=_artwork)
        result = ArtworkInfo.from_dict(data)
        result.key = key
        return result

    async def model_info(self, model: int = ModelType.GENERAL) -> ModelQueueInfo:
        """``GET /ai/model_info``: the model's queue (length, expected seconds)."""
        params = {"model": _model("model", model)}
        return ModelQueueInfo.from_dict(await self._data("GET", "/ai/model_info", params=params))

    async def cancel(self, key: str) -> str:
        """``POST /ai/cancel``: withdraw a queued artwork; returns the service's text."""
        body = {"key": check.nonblank("key", key)}
        return _text(await self._data("POST", "/ai/cancel", json_body=body))

    async def accelerate(self, key: str, step_num: int = 1) -> str:
        """``POST /ai/accelerate``: pay to move an artwork up the queue.

        It spends credits, so like a create it is never re-sent once it may have arrived.
        """
        body = {"key": check.nonblank("key", key), "step_num": check.positive("step_num", step_num)}
        data = await self._data("POST", "/ai/accelerate", json_body=body, idempotent=False)
        return _text(data)

    async def create_params(self, keys: str | Iterable[str]) -> list[dict[str, Any]]:
        """``POST /ai/create_params``: the parameters up to 6 artworks were created with."""
        body = check.keys("keys", keys, max_count=6)
        route = "/ai/create_params"
        data = await self._data("POST", route, json_body=body, shape=lambda d: items(d, route))
        return [dict(x) for x in items(data, "/ai/create_params") if isinstance(x, Mapping)]

    async def balance(self) -> Balance:
        """``GET /account/availableIntegralBalance``: the credits left."""
        return Balance.from_dict(await self._data("GET", "/account/availableIntegralBalance"))

    async def exchange_integral(self, mobile: str, amount: int) -> None:
        """``POST /account/integral/exchange``: give ``amount`` credits to another account.

        It moves credits, so it is never re-sent once it may have arrived.
        """
        body = {
            "exchange_target_mobile": check.nonblank("mobile", mobile),
            "amount": check.positive("amount", amount),
        }
        await self._data("POST", "/account/integral/exchange", json_body=body, idempotent=False)

    async def default_resource(self, model: int = ModelType.GENERAL) -> DefaultResource:
        """``GET /ai/default_resource``: the options (sizes, samplers, styles) a model offers."""
        params = {"model": _model("model", model)}
        data = await self._data("GET", "/ai/default_resource", params=params)
        return DefaultResource.from_dict(data)

    async def model_base_infos(self) -> list[ModelBaseInfo]:
        """``GET /ai/model_base_infos``: the models the account can use."""
        route = "/ai/model_base_infos"
        data = await self._data("GET", route, shape=lambda d: items(d, route))
        return [ModelBaseInfo.from_dict(x) for x in items(data, "/ai/model_base_infos")]

    async def default_resource_style_model(self) -> list[StyleModel]:
        """``GET /ai/default_resource_style_model``: the style models on offer."""
        route = "/ai/default_resource_style_model"
        data = await self._data("GET", route, shape=lambda d: items(d, route, "style_model"))
        return [StyleModel.from_dict(x) for x in items(data, route, "style_model")]


def _artwork(data: Any) -> Mapping[str, Any]:
    """``/ai/info``'s data: one artwork (``MalformedResponse`` for anything else)."""
    if not isinstance(data, Mapping):
        raise MalformedResponse("/ai/info: the reply has no artwork", route="/ai/info")
    return data


def _text(data: Any) -> str:
    """A route's string ``data`` (null reads as empty)."""
    return "" if data is None else str(data)
