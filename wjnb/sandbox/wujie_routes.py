"""Routes of the Wujie open API (paths relative to ``/wj-open/v1``)."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import catalog
from .protocol import ApiFailure, wujie_error, wujie_ok
from .state import SandboxState
from .validate import as_int, invalid, parse_keys

MAX_POLL_KEYS = 200
MAX_PARAMS_KEYS = 6

Handler = Callable[[Request], Awaitable[Any]]


def envelope(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler's data in the success envelope, and ``ApiFailure`` in an error one."""

    @functools.wraps(fn)
    async def wrapped(request: Request) -> Response:
        try:
            return wujie_ok(await fn(request))
        except ApiFailure as failure:
            return wujie_error(failure.code, failure.message, failure.status)

    return wrapped


async def read_json(request: Request) -> object:
    """The JSON body, or a 20010001 failure naming the problem."""
    raw = await request.body()
    if not raw.strip():
        raise invalid("the request body is empty; JSON expected")
    try:
        return json.loads(raw)
    except ValueError:
        raise invalid("the request body is not valid JSON") from None


def _model(request: Request) -> int:
    """The ``?model=N`` query parameter (default 1), which must name an available model."""
    value = request.query_params.get("model")
    model = as_int({"model": value} if value else {}, "model", 1, -(2**31), 2**31)
    if model not in catalog.MODELS:
        raise invalid(f"model {model} is not available; use one of {sorted(catalog.MODELS)}")
    return model


def routes(state: SandboxState) -> list[Route]:
    """Every route of ``reference/wujie-api.md``."""
    engine = state.wujie

    def create_route(path: str) -> Route:
        @envelope
        async def create(request: Request) -> Any:
            data = engine.create(path, await read_json(request))
            state.counters.creates[f"POST {path}"] += 1
            return data

        return Route(path, create, methods=["POST"])

    @envelope
    async def model_base_infos(request: Request) -> Any:
        return catalog.model_base_infos()

    @envelope
    async def default_resource(request: Request) -> Any:
        return catalog.default_resource(_model(request), state.cdn_url)

    @envelope
    async def style_models(request: Request) -> Any:
        return catalog.style_models(state.cdn_url)

    @envelope
    async def generating_info(request: Request) -> Any:
        keys = parse_keys(await read_json(request), MAX_POLL_KEYS)
        return {"list": engine.generating_info(keys)}

    @envelope
    async def info(request: Request) -> Any:
        return engine.info(request.query_params.get("key"))

    @envelope
    async def price_info(request: Request) -> Any:
        return engine.price(await read_json(request))

    @envelope
    async def model_info(request: Request) -> Any:
        return engine.model_info(_model(request))

    @envelope
    async def cancel(request: Request) -> Any:
        return engine.cancel(await read_json(request))

    @envelope
    async def accelerate(request: Request) -> Any:
        return engine.accelerate(await read_json(request))

    @envelope
    async def create_params(request: Request) -> Any:
        return engine.create_params(parse_keys(await read_json(request), MAX_PARAMS_KEYS))

    @envelope
    async def balance(request: Request) -> Any:
        return {"balance": state.ledger.balance}

    @envelope
    async def avatar_create(request: Request) -> Any:
        data = engine.create_avatar(await read_json(request))
        state.counters.creates["POST /avatar/artwork/create"] += 1
        return data

    @envelope
    async def avatar_resource(request: Request) -> Any:
        return engine.avatar_resource()

    return [
        Route("/ai/model_base_infos", model_base_infos, methods=["GET"]),
        Route("/ai/default_resource", default_resource, methods=["GET"]),
        Route("/ai/default_resource_style_model", style_models, methods=["GET"]),
        create_route("/ai/create"),
        create_route("/ai/create/midjourney"),
        create_route("/ai/create/flux"),
        Route("/ai/generating_info", generating_info, methods=["POST"]),
        Route("/ai/info", info, methods=["GET"]),
        Route("/ai/price_info", price_info, methods=["POST"]),
        Route("/ai/model_info", model_info, methods=["GET"]),
        Route("/ai/cancel", cancel, methods=["POST"]),
        Route("/ai/accelerate", accelerate, methods=["POST"]),
        Route("/ai/create_params", create_params, methods=["POST"]),
        Route("/account/availableIntegralBalance", balance, methods=["GET"]),
        Route("/avatar/artwork/create", avatar_create, methods=["POST"]),
        Route("/avatar/artwork/default_resource", avatar_resource, methods=["GET"]),
    ]
