"""Admin routes under ``/_sandbox`` (loopback only, no auth): counters, ledger, faults, balance."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .faults import FaultPlan
from .state import SandboxState


def routes(state: SandboxState) -> list[Route]:
    """``GET counters``, ``GET artworks``, ``GET/POST faults``, ``GET/POST balance``."""

    async def counters(request: Request) -> Response:
        return JSONResponse(state.counters_snapshot())

    async def artworks(request: Request) -> Response:
        return JSONResponse(state.artworks_snapshot())

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            raw = (await request.body()).decode("utf-8", "replace")
            try:
                state.faults = FaultPlan.parse(raw)
            except ValueError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(state.faults.to_dict())

    async def balance(request: Request) -> Response:
        if request.method == "POST":
            try:
                value = json.loads(await request.body())["balance"]
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError
            except (ValueError, KeyError, TypeError):
                return JSONResponse(
                    {"error": 'expected {"balance": n} with n a non-negative integer'},
                    status_code=400,
                )
            state.ledger.balance = value
        return JSONResponse({"balance": state.ledger.balance})

    return [
        Route("/_sandbox/counters", counters, methods=["GET"]),
        Route("/_sandbox/artworks", artworks, methods=["GET"]),
        Route("/_sandbox/faults", faults, methods=["GET", "POST"]),
        Route("/_sandbox/balance", balance, methods=["GET", "POST"]),
    ]
