"""Reading the request of the newer Wujie routes: JSON objects, query values, numbers, URLs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from .validate import as_float, as_str, invalid
from .wujie_routes import read_json

MAX_TEXT = 2000
MAX_URL = 2048


async def json_object(request: Request) -> dict[str, Any]:
    """The body, which must be a JSON object (the SDK sends ``{}`` for an empty POST)."""
    body = await read_json(request)
    if not isinstance(body, Mapping):
        raise invalid("the request body must be a JSON object")
    return dict(body)


def query(request: Request, name: str) -> str:
    """A required query value."""
    value = request.query_params.get(name, "").strip()
    if not value:
        raise invalid(f"{name} is required")
    return value


def text(body: Mapping[str, Any], name: str, *, required: bool = False) -> str:
    """A string field (null reads as empty)."""
    value = as_str(body, name, MAX_TEXT) or ""
    if required and not value.strip():
        raise invalid(f"{name} is required")
    return value


def url(body: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    """An http(s) URL field."""
    value = as_str(body, name, MAX_URL) or ""
    if not value:
        if required:
            raise invalid(f"{name} is required")
        return ""
    if not value.startswith(("http://", "https://")):
        raise invalid(f"{name} must be an http:// or https:// URL")
    return value


def number(body: Mapping[str, Any], name: str, default: float, lo: float, hi: float) -> float:
    """A numeric field in ``[lo, hi]``; null or 0 (Go's zero value) reads as ``default``."""
    if body.get(name) in (None, 0):
        return default
    return as_float(body, name, default, lo, hi)


def request_text(body: object) -> str:
    """The whole request as text, where trigger words are looked for."""
    return json.dumps(body, ensure_ascii=False)
