"""The sandbox's static resources: models, samplers, sizes, styles and avatar templates."""

from __future__ import annotations

import hashlib
from typing import Any

MODELS: dict[int, dict[str, Any]] = {
    1: {
        "model_code": 1,
        "model_version": "v5.0",
        "model_desc": "通用模型",
        "controlnet_support": True,
    },
    3: {
        "model_code": 3,
        "model_version": "v3.0",
        "model_desc": "漫画模型",
        "controlnet_support": True,
    },
    4: {
        "model_code": 4,
        "model_version": "v2.1",
        "model_desc": "风格模型",
        "controlnet_support": False,
    },
    7: {
        "model_code": 7,
        "model_version": "v6.1",
        "model_desc": "MJ模型",
        "controlnet_support": False,
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


def model_base_infos() -> list[dict[str, Any]]:
    """``/ai/model_base_infos``."""
    return [{"type": t, **info} for t, info in MODELS.items()]


def default_resource(model: int, cdn: str) -> dict[str, Any]:
    """``/ai/default_resource?model=N``: the option menu for one model."""
    return {
        "create_option_menu": {
            "image_type": [
                {"name": n, "url": "", "category": "通用"} for n in ("插画", "超现实照片")
            ],
            "prompt_tips": [{"name": n} for n in ("a lighthouse at dusk", "夜幕下的赛博朋克城市")],
            "resolution": [
                {
                    "width": w,
                    "height": h,
                    "size_ratio": ratio,
                    "super_size_multiple": 1,
                    "super_size_multiples": [1, 2, 4],
                    "prefine_multiples": [1, 2],
                    "url": "",
                }
                for w, h, ratio in RESOLUTIONS
            ],
            "style": [{"name": n, "url": sample_url(cdn, n), "category": "风格"} for n in STYLES],
            "artist": [{"name": n, "url": "", "category": "艺术家"} for n in ARTISTS],
            "element_magic": [
                {"key": _key("magic", n), "name": n, "choice_key": ""} for n in ("星空法",)
            ],
            "style_decoration": [],
            "character": [],
            "model_fusion": [
                {"key": _key("fusion", n), "name": n, "category": "融合", "recommended_weight": 60}
                for n in ("晨辉", "暮色")
            ],
            "patterns": [{"name": n} for n in PATTERNS],
            "sampler_models": [
                {"sampler_model_name": name, "sampler_index": i} for i, name in enumerate(SAMPLERS)
            ],
        },
        "model": model,
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
