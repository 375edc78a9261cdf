"""Pro artworks (专业版作画, ``/ai/pro/*``): routes in, typed models out.

Every field of the pro create request is always sent, as the Go SDK does (unused arrays as
``null``); ``advanced_param`` and the other nested objects are given as mappings and pass
through untouched beyond a JSON check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import validate as check
from ..models_more import (
    ControlNetOption,
    ProArtworkInfo,
    ProBalance,
    ProCreateResult,
    ProGeneratingInfo,
    ProModelInfo,
)
from .envelope import Routes, created, items

MAX_POLL_KEYS = 200


def _optional(name: str, value: object) -> Any:
    return None if value is None else check.json_value(name, value)


class ProApi(Routes):
    """``client.wujie.pro``: models, ControlNet options, create, batch poll, detail, balance."""

    async def model_base_infos(self) -> list[ProModelInfo]:
        """``GET /ai/pro/model_base_infos``: the pro models (``controlnet_support`` a string)."""
        route = "/ai/pro/model_base_infos"
        return [ProModelInfo.from_dict(x) for x in items(await self._data("GET", route), route)]

    async def controlnet_options(self) -> list[ControlNetOption]:
        """``GET /ai/pro/controlNetOption``: ControlNet types, their models and preprocessors."""
        route = "/ai/pro/controlNetOption"
        data = await self._data("GET", route)
        return [ControlNetOption.from_dict(x) for x in items(data, route)]

    async def create(
        self,
        /,
        prompt: str,
        *,
        model_code: int,
        width: int = 1024,
        height: int = 1024,
        batch_count: int = 1,
        supersize_multiple: float = 1.0,
        prefine_multiple: float = 1.0,
        advanced_param: Mapping[str, Any] | None = None,
        option_param: Mapping[str, Any] | None = None,
        img_to_img_param: Mapping[str, Any] | None = None,
        control_net_params: Sequence[Mapping[str, Any]] | None = None,
        inpainting_plugin_d_t_o: Mapping[str, Any] | None = None,
        tiled_diffusion_d_t_o: Mapping[str, Any] | None = None,
        face_editor_d_t_o: Mapping[str, Any] | None = None,
        ultimate_upscale_d_t_o: Mapping[str, Any] | None = None,
        adetailer_d_t_o_s: Sequence[Mapping[str, Any]] | None = None,
        **extra: Any,
    ) -> ProCreateResult:
        """``POST /ai/pro/create``: ``batch_count`` pro artworks, charged in pro time.

        Never re-sent once it may have reached the server (see ``AmbiguousCreate``).
        """
        body: dict[str, Any] = {
            "model_code": check.non_negative("model_code", model_code),
            "prompt": check.nonblank("prompt", prompt),
            "width": check.positive("width", width),
            "height": check.positive("height", height),
            "supersize_multiple": float(
                check.non_negative_number("supersize_multiple", supersize_multiple)
            ),
            "prefine_multiple": float(
                check.non_negative_number("prefine_multiple", prefine_multiple)
            ),
            "batch_count": check.positive("batch_count", batch_count),
        }
        nested = {
            "option_param": option_param,
            "advanced_param": advanced_param,
            "img_to_img_param": img_to_img_param,
            "control_net_params": control_net_params,
            "inpainting_plugin_d_t_o": inpainting_plugin_d_t_o,
            "tiled_diffusion_d_t_o": tiled_diffusion_d_t_o,
            "face_editor_d_t_o": face_editor_d_t_o,
            "ultimate_upscale_d_t_o": ultimate_upscale_d_t_o,
            "adetailer_d_t_o_s": adetailer_d_t_o_s,
        }
        body.update((k, _optional(k, v)) for k, v in nested.items())
        body.update((k, check.json_value(k, v)) for k, v in extra.items())
        route = "/ai/pro/create"
        data = await self._data("POST", route, json_body=body, idempotent=False)
        results = data.get("results") if isinstance(data, Mapping) else None
        created(
            {"keys": [r.get("key") if isinstance(r, Mapping) else None for r in results or []]},
            route,
            body,
        )
        return ProCreateResult.from_dict(data)

    async def generating_info(self, keys: str | Iterable[str]) -> list[ProGeneratingInfo]:
        """``POST /ai/pro/generating_info``: the batch poll (a bare array in, ``infos`` out)."""
        body = check.keys("keys", keys, max_count=MAX_POLL_KEYS)
        route = "/ai/pro/generating_info"
        data = await self._data("POST", route, json_body=body)
        return [ProGeneratingInfo.from_dict(x) for x in items(data, route, "infos")]

    async def info(self, key: str) -> ProArtworkInfo:
        """``GET /ai/pro/info``: the parameters a pro artwork ran with and its time cost."""
        params = {"key": check.nonblank("key", key)}
        return ProArtworkInfo.from_dict(await self._data("GET", "/ai/pro/info", params=params))

    async def balance(self) -> ProBalance:
        """``POST /ai/pro/account/balance``: the pro time balance."""
        body = {"resourceType": "AI_PRO_ACCOUNT"}
        return ProBalance.from_dict(
            await self._data("POST", "/ai/pro/account/balance", json_body=body)
        )
