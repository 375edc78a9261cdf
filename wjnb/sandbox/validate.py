"""Validation of Wujie create requests, as the service would: bad input -> 20010001/20010015.

``parse_create`` turns a request body into a normalized ``CreateSpec`` (defaults filled in)
or raises ``ApiFailure`` with a message that names the field. Unknown fields are not
checked: they pass through untouched and come back in ``/ai/create_params``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wjnb.models import ErrorCode, PretreatmentMethod

from .catalog import MODELS, SAMPLERS
from .protocol import ApiFailure

MIN_SIDE, MAX_SIDE, SIDE_STEP = 64, 4096, 8
MAX_PROMPT = 2000
MAX_NUM = 10
MAX_STEPS = 150
MAX_CFG = 30.0
MAX_ACCELERATE = 10
MAX_SUPER_SIZE = 4.0


@dataclass(frozen=True)
class CreateSpec:
    """A validated create request; ``seed`` is None when the caller left it empty."""

    route: str
    model: int
    prompt: str
    uc_prompt: str
    num: int
    width: int
    height: int
    steps: int
    cfg: float
    sampler_index: int
    seed: str | None
    accelerate_times: int
    super_size_multiple: float
    style_model: str | None
    notify_url: str | None


def invalid(message: str) -> ApiFailure:
    """A 20010001 failure."""
    return ApiFailure(ErrorCode.INVALID_PARAMETER, message)


def as_int(body: Mapping[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    """An integer field in ``[lo, hi]`` (integral floats and digit strings accepted)."""
    value = body.get(name)
    if value is None:
        return default
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and value.strip().lstrip("-").isdigit()
    ):
        number = int(value)
    if number is None:
        raise invalid(f"{name} must be an integer, got {value!r}")
    if not lo <= number <= hi:
        raise invalid(f"{name} must be between {lo} and {hi}, got {number}")
    return number


def as_float(body: Mapping[str, Any], name: str, default: float, lo: float, hi: float) -> float:
    """A number field in ``[lo, hi]`` (a float on the wire since SDK commit 421fe06)."""
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise invalid(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except ValueError:
        raise invalid(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number) or not lo <= number <= hi:
        raise invalid(f"{name} must be between {lo:g} and {hi:g}, got {value!r}")
    return number


def as_str(body: Mapping[str, Any], name: str, limit: int) -> str | None:
    """An optional string field of at most ``limit`` characters."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"{name} must be a string")
    if len(value) > limit:
        raise invalid(f"{name} is {len(value)} characters long, at most {limit} allowed")
    return value


def notify_url(body: Mapping[str, Any]) -> str | None:
    """``notify_url``: empty means none; otherwise an http(s) URL."""
    url = as_str(body, "notify_url", 2048)
    if not url:
        return None
    if not url.startswith(("http://", "https://")):
        raise invalid("notify_url must be an http:// or https:// URL")
    return url


def parse_create(body: object, route: str) -> CreateSpec:
    """Validate a ``/ai/create``, ``/ai/create/midjourney``, ``/ai/create/flux`` or price body."""
    if not isinstance(body, Mapping):
        raise invalid("the request body must be a JSON object")
    default_model = 7 if route.endswith("/midjourney") else 1
    if "model" not in body and route == "/ai/create":
        raise invalid("model is required (1 general, 3 comic, 4 style, 7 Midjourney)")
    model = as_int(body, "model", default_model, -(2**31), 2**31)
    if model not in MODELS:
        raise invalid(f"model {model} is not available; use one of {sorted(MODELS)}")
    if route.endswith("/midjourney") and model != 7:
        raise invalid("/ai/create/midjourney only accepts model 7")
    prompt = as_str(body, "prompt", MAX_PROMPT)
    if not prompt or not prompt.strip():
        raise invalid("prompt is required and must not be empty")
    width = as_int(body, "width", 1024, -(2**31), 2**31)
    height = as_int(body, "height", 1024, -(2**31), 2**31)
    for side in (width, height):
        if not MIN_SIDE <= side <= MAX_SIDE or side % SIDE_STEP:
            raise ApiFailure(
                ErrorCode.UNSUPPORTED_SIZE,
                f"unsupported size {width}x{height}: each side must be {MIN_SIDE}-{MAX_SIDE} px "
                f"and a multiple of {SIDE_STEP}",
            )
    cfg_raw = body.get("cfg", 7.0)
    if isinstance(cfg_raw, bool) or not isinstance(cfg_raw, (int, float, str)):
        raise invalid("cfg must be a number")
    try:
        cfg = float(cfg_raw)
    except ValueError:
        raise invalid(f"cfg must be a number, got {cfg_raw!r}") from None
    if not math.isfinite(cfg) or not 0 <= cfg <= MAX_CFG:
        raise invalid(f"cfg must be between 0 and {MAX_CFG:g} (non-negative), got {cfg_raw!r}")
    seed = body.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, (str, int, type(None))):
        raise invalid("seed must be a string")
    seed_text = str(seed).strip() if seed is not None else ""
    if len(seed_text) > 64:
        raise invalid("seed must be at most 64 characters")
    method = body.get("pretreatment_method")
    if method is not None and method not in {m.value for m in PretreatmentMethod}:
        raise invalid(
            "pretreatment_method must be INVERT_SCRIBBLE, FAKE_SCRIBBLE, SCRIBBLE or NONE"
        )
    super_size = as_float(body, "super_size_multiple", 1.0, 0.0, MAX_SUPER_SIZE) or 1.0
    uc_prompt = as_str(body, "uc_prompt", MAX_PROMPT) or ""
    for name in ("style", "image_type", "artists", "element_magic", "character", "model_fusion"):
        if body.get(name) is not None and not isinstance(body[name], list):
            raise invalid(f"{name} must be a list")
    return CreateSpec(
        route=route,
        model=model,
        prompt=prompt,
        uc_prompt=uc_prompt,
        num=as_int(body, "num", 1, 1, MAX_NUM),
        width=width,
        height=height,
        steps=as_int(body, "steps", 30, 1, MAX_STEPS),
        cfg=cfg,
        sampler_index=as_int(body, "sampler_index", 0, 0, len(SAMPLERS) - 1),
        seed=seed_text or None,
        accelerate_times=as_int(body, "accelerate_times", 0, 0, MAX_ACCELERATE),
        super_size_multiple=super_size,
        style_model=as_str(body, "style_model", 200) or None,
        notify_url=notify_url(body),
    )


def parse_keys(body: object, limit: int) -> list[str]:
    """A JSON array of keys (the Go SDK's ``{"key": [...]}`` / ``{"keys": [...]}`` too)."""
    if isinstance(body, Mapping):
        body = body.get("key", body.get("keys"))
    if not isinstance(body, list) or not all(isinstance(k, str) for k in body):
        raise invalid("the request body must be a JSON array of artwork keys")
    if len(body) > limit:
        raise invalid(f"at most {limit} keys per request, got {len(body)}")
    return body
