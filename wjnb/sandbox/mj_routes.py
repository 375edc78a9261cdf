"""Routes of the Midjourney-proxy protocol (paths start with ``/mj/``)."""

from __future__ import annotations

import email.parser
import email.policy
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .mj import MjTask
from .protocol import MJ_VALIDATION_ERROR, MjFailure, mj_accepted, mj_reply
from .state import SandboxState

Submit = Callable[[object, str], tuple[MjTask, "int | None"]]


async def _json(request: Request) -> object:
    raw = await request.body()
    try:
        return json.loads(raw) if raw.strip() else None
    except ValueError:
        raise MjFailure(MJ_VALIDATION_ERROR, "the request body is not valid JSON") from None


def form_ids(content_type: str, body: bytes) -> list[str]:
    """``ids`` fields of a multipart or urlencoded form (seed 002's image-seed request)."""
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        ids = []
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") == "ids":
                ids.append(str(part.get_payload(decode=True).decode()).strip())  # type: ignore[union-attr]
        return ids
    if content_type.startswith("application/x-www-form-urlencoded"):
        return parse_qs(body.decode("utf-8", "replace")).get("ids", [])
    return []


def routes(state: SandboxState) -> list[Route]:
    """Every route of ``reference/mj-proxy-api.md``."""
    engine = state.mj

    def submit_route(name: str, submit: Submit) -> Route:
        async def handler(request: Request) -> Response:
            try:
                task, ahead = submit(await _json(request), request.scope["wjnb.mode"])
            except MjFailure as failure:
                return mj_reply(
                    failure.code, failure.description, failure.result, failure.properties
                )
            state.counters.creates[f"POST /mj/submit/{name}"] += 1
            return mj_accepted(task.id, ahead)

        return Route(f"/mj/submit/{name}", handler, methods=["POST"])

    async def fetch(request: Request) -> Response:
        task = engine.tasks.get(request.path_params["id"])
        if task is None:  # novicezk returns null, which Spring sends as an empty 200 body
            return Response(b"", media_type="application/json")
        return JSONResponse(engine.view(task))

    async def list_by_condition(request: Request) -> Response:
        try:
            return JSONResponse(engine.list_by_ids(await _json(request)))
        except MjFailure as failure:
            return mj_reply(failure.code, failure.description)

    async def image_seed(request: Request) -> Response:
        try:
            return mj_reply(1, "success", engine.seed(request.path_params["id"]))
        except MjFailure as failure:
            return mj_reply(failure.code, failure.description)

    async def image_seed_form(request: Request) -> Response:
        """Seed 002's shape: the id missing from the path, ids as form fields."""
        ids = request.query_params.getlist("ids")
        body = await request.body()
        ids += form_ids(request.headers.get("content-type", ""), body)
        if not ids and body.strip():
            try:
                parsed: Any = json.loads(body)
                ids = [str(i) for i in parsed.get("ids", [])] if isinstance(parsed, dict) else []
            except ValueError:
                ids = []
        if not ids:
            return mj_reply(MJ_VALIDATION_ERROR, "ids are required")
        try:
            seeds = {i: engine.seed(i) for i in ids}
        except MjFailure as failure:
            return mj_reply(failure.code, failure.description)
        return mj_reply(1, "success", seeds[ids[0]], {"seeds": seeds})

    async def cancel(request: Request) -> Response:
        try:
            engine.cancel(request.path_params["id"])
        except MjFailure as failure:
            return mj_reply(failure.code, failure.description)
        return mj_reply(1, "success", request.path_params["id"])

    async def queue(request: Request) -> Response:
        return JSONResponse(engine.queue())

    async def task_list(request: Request) -> Response:
        return JSONResponse([engine.view(t) for t in engine.tasks.values()])

    return [
        submit_route("imagine", engine.imagine),
        submit_route("action", engine.action),
        submit_route("blend", engine.blend),
        submit_route("describe", engine.describe),
        submit_route("modal", engine.modal),
        Route("/mj/task/list-by-condition", list_by_condition, methods=["POST"]),
        Route("/mj/task/queue", queue, methods=["GET"]),
        Route("/mj/task/list", task_list, methods=["GET"]),
        Route("/mj/task//image-seed", image_seed_form, methods=["GET", "POST"]),
        Route("/mj/task/{id}/fetch", fetch, methods=["GET"]),
        Route("/mj/task/{id}/image-seed", image_seed, methods=["GET"]),
        Route("/mj/task/{id}/cancel", cancel, methods=["POST"]),
    ]
