"""The sandbox's static resources: models, samplers, sizes, styles and avatar templates."""

from __future__ import annotations

import hashlib
import math
from typing import Any

MODELS: dict[int, dict[str, Any]] = {
    1: {
        "model_code": 1,
        "model_version": "v5.0",
        "model_desc": "通用模型",
        "controlnet_support": "SUPPORT",
    },
    3: {
        "model_code": 3,
        "model_version": "v3.0",
        "model_desc": "漫画模型",
        "controlnet_support": "SUPPORT",
    },
    4: {
        "model_code": 4,
        "model_version": "v2.1",
        "model_desc": "风格模型",
        "controlnet_support": "NOT_SUPPORT",
    },
    7: {
        "model_code": 7,
        "model_version": "v6.1",
        "model_desc": "MJ模型",
        "controlnet_support": "NOT_SUPPORT",
    },
}

SAMPLERS = (
    "Euler a",
    "Euler",
    "DPM++ 2M Karras",
    "DPM++ SDE Karras",
    "DDIM",
    "UniPC",
    "LMS",
    "Heun",
)

RESOLUTIONS = (
    (512, 512, "1:1"),
    (1024, 1024, "1:1"),
    (768, 1024, "3:4"),
    (1024, 768, "4:3"),
    (576, 1024, "9:16"),
    (1024, 576, "16:9"),
    (2048, 2048, "1:1"),
)

STYLES = ("赛博朋克", "水彩", "油画", "素描", "像素风", "浮世绘")
ARTISTS = ("鸟山明", "宫崎骏", "莫奈", "梵高")
PATTERNS = ("CANNY", "DEPTH", "POSE", "SCRIBBLE")

_STYLE_MODELS = (("肤若凝脂", 1), ("国风水墨", 1), ("赛博霓虹", 4), ("童话绘本", 3))
_AVATAR_TEMPLATES = (
    ("赛博战士", "科幻"),
    ("古风侠客", "国风"),
    ("油画肖像", "艺术"),
    ("宇航员", "科幻"),
    ("水彩少女", "艺术"),
    ("像素英雄", "游戏"),
)


def _key(*parts: object) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:32].upper()


_LAYER_METHODS = [{"method_code": 1, "name": "前景"}, {"method_code": 2, "name": "背景"}]


def model_base_infos() -> list[dict[str, Any]]:
    """``/ai/model_base_infos`` (§10.1: ``controlnet_support`` is a string enum, and Apifox's
    ``support_patterns`` and ``support_cutdiffusion`` are there too)."""
    return [
        {
            "type": t,
            **info,
            "support_patterns": [
                {"pattern_code": code, "layer_diffusion_pattern_methods": _LAYER_METHODS}
                for code in ((1, 2) if info["controlnet_support"] == "SUPPORT" else ())
            ],
            "support_cutdiffusion": t == 1,
        }
        for t, info in MODELS.items()
    ]


def default_resource(model: int, cdn: str) -> dict[str, Any]:
    """``/ai/default_resource?model=N``: the option menu for one model."""
    return {
        "create_option_menu": {
            "image_type": [
                {"name": n, "url": "", "category": "通用"} for n in ("插画", "超现实照片")
            ],
            "prompt_tips": [{"name": n} for n in ("a lighthouse at dusk", "夜幕下的赛博朋克城市")],
            "resolution": [_resolution(w, h, ratio) for w, h, ratio in RESOLUTIONS],
            "resolution_new": {
                "resolution_key": "default",
                "resolution_list": [
                    {
                        "width": w,
                        "height": h,
                        "super_size_multiple": 1.0,
                        "prefine_multiples": 1.0,
                        "display_resolution": f"{w}x{h}",
                        "url": "",
                        "size_ratio": ratio,
                    }
                    for w, h, ratio in RESOLUTIONS
                ],
            },
            "style": [{"name": n, "url": sample_url(cdn, n), "category": "风格"} for n in STYLES],
            "artist": [{"name": n, "url": "", "category": "艺术家"} for n in ARTISTS],
            "element_magic": [
                {"key": _key("magic", n), "name": n, "choice_key": ""} for n in ("星空法",)
            ],
            "style_decoration": [],
            "character": [_lora("character", n, "角色") for n in ("少女", "骑士")],
            "model_fusion": [_lora("fusion", n, "融合") for n in ("晨辉", "暮色")],
            "patterns": [{"name": n} for n in PATTERNS],
            "sampler_models": [
                {"sampler_model_name": name, "sampler_index": i} for i, name in enumerate(SAMPLERS)
            ],
        },
        "model": model,
    }


SUPER_SIZES = (1.0, 1.5, 2.0, 4.0)
PREFINE_SIZES = (1.0, 2.0)


def _resolution(width: int, height: int, ratio: str) -> dict[str, Any]:
    """One ``resolution[]`` entry with §10.8's fields (integral price per multiple)."""
    return {
        "width": width,
        "height": height,
        "size_ratio": ratio,
        "super_size_multiple": 1.0,
        "super_size_multiples": list(SUPER_SIZES),
        "prefine_multiples": list(PREFINE_SIZES),
        "super_size_details": [
            {"multiple": m, "integral_price": math.ceil(2 * (m - 1))} for m in SUPER_SIZES
        ],
        "prefine_details": [
            {"multiple": m, "integral_price": math.ceil(2 * (m - 1))} for m in PREFINE_SIZES
        ],
        "url": "",
    }


def _lora(kind: str, name: str, category: str) -> dict[str, Any]:
    """A ``character[]`` or ``model_fusion[]`` entry."""
    return {
        "key": _key(kind, name),
        "name": name,
        "category": category,
        "recommended_weight": 0.6,
        "support_model_versions": ["v5.0", "v3.0"],
    }


def sample_url(cdn: str, name: str) -> str:
    """A CDN picture illustrating a named resource (rendered on demand)."""
    return f"{cdn}/ai/sample-{_key('sample', name)}.png"


def sample_names() -> dict[str, str]:
    """Sample picture id -> the resource name it illustrates."""
    names = [*STYLES, *(n for n, _ in _STYLE_MODELS), *(n for n, _ in _AVATAR_TEMPLATES)]
    return {_key("sample", n): n for n in names}


def style_models(cdn: str) -> dict[str, Any]:
    """``/ai/default_resource_style_model``."""
    return {
        "style_model": [
            {
                "key": _key("style-model", n),
                "name": n,
                "model_code": m,
                "sample_image_url": sample_url(cdn, n),
            }
            for n, m in _STYLE_MODELS
        ]
    }


def avatar_key(seed: int) -> str:
    """The demo account's avatar (it would come from uploading face photos)."""
    return _key("avatar", seed)


def avatar_templates(cdn: str) -> list[dict[str, Any]]:
    """The avatar camera's template options."""
    return [
        {
            "template_key": _key("template", name),
            "template_name": name,
            "theme_key": _key("theme", theme),
            "theme_name": theme,
            "sample_image_url": sample_url(cdn, name),
        }
        for name, theme in _AVATAR_TEMPLATES
    ]
