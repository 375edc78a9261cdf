"""Routes, auth and failure bodies of one Midjourney-proxy flavour (``mj_flavors``).

Each flavour serves exactly its routes of ``reference/mj-proxy-api.md`` §2, answers
unknown paths, bad JSON and missing credentials the way that proxy does (§4.3, §10), and
shapes tasks through ``mj_flavors.view``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from wjnb.models import MjAction

from . import mj_video
from .images import MjPicture
from .mj import MjTask, decode_image, grid_size
from .mj_flavors import BAD_PARAMS, NOVICEZK, PLUS, RELAY, TRUEAI, Flavor, failure
from .protocol import MJ_NOT_FOUND, MJ_VALIDATION_ERROR, MjFailure
from .state import SandboxState

Submit = Callable[[object, str], tuple[MjTask, "int | None"]]
T_VERSION = "v11.10.3"
N_VERSION = "v2.6.3"
_NEEDS_PARENT = ("action", "modal", "video")
_OPEN_PATHS = ("/mj/home", "/mj/v2/api-docs", "/mj/doc.html")
T_LIMITS = {"state": 255, "notifyHook": 2000}
"""T refuses longer base fields (§3.1) with a business error (§4.3)."""


class BadJson(Exception):
    """The request body is not JSON."""


def _spring_error(status: int, error: str, path: str) -> JSONResponse:
    """Spring Boot's error JSON (N, P)."""
    body = {"timestamp": _iso_now(), "status": status, "error": error, "path": path}
    return JSONResponse(body, status_code=status)


def _second_envelope(message: str, status: int = 200) -> JSONResponse:
    """T's second envelope ``{success, code: -1, message, timestamp}``."""
    body = {"success": False, "code": -1, "message": message, "timestamp": int(time.time() * 1000)}
    return JSONResponse(body, status_code=status)


def _iso_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime())


def not_found(flavor: Flavor, path: str) -> Response:
    """An unknown route: Spring's 404 JSON (N, P), an empty 404 (T), gin's text (relay)."""
    if flavor.name in (NOVICEZK, PLUS):
        return _spring_error(404, "Not Found", path)
    if flavor.name == TRUEAI:
        return Response(b"", status_code=404)
    return PlainTextResponse("404 page not found", status_code=404)


def auth_refusal(flavor: Flavor, token: str, path: str, headers: dict[str, str]) -> Response | None:
    """None when the request may pass, else the flavour's refusal (§10)."""
    if path in _OPEN_PATHS:
        return None
    authorization = headers.get("authorization")
    secret = headers.get("mj-api-secret")
    if flavor.name == RELAY:
        offered = authorization[7:] if authorization and authorization[:7] == "Bearer " else None
        if offered is not None and _same(offered, token):
            return None
        body = {"error": {"message": "无效的令牌", "type": "new_api_error"}}
        return JSONResponse(body, status_code=401)
    if flavor.name == TRUEAI:
        offered = authorization if authorization is not None else secret
        if offered is not None and _same(offered, token):
            return None
        return PlainTextResponse("Authorization header missing.", status_code=401)
    if secret is not None and _same(secret, token):
        return None
    return Response(b"", status_code=401)


def _same(offered: str, token: str) -> bool:
    return hmac.compare_digest(offered.encode(), token.encode())


def routes(state: SandboxState, flavor: Flavor) -> list[Route]:
    """Exactly the routes ``flavor`` serves."""
    engine = state.mj

    async def body_of(request: Request) -> object:
        raw = await request.body()
        try:
            return json.loads(raw) if raw.strip() else None
        except ValueError:
            raise BadJson from None

    def bad_json(path: str) -> Response:
        if flavor.name == TRUEAI:
            return _second_envelope("请求参数格式错误")
        if flavor.name == RELAY:
            return JSONResponse(failure(MJ_VALIDATION_ERROR, "bind_request_body_failed"))
        return _spring_error(400, "Bad Request", path)

    def refused(exc: MjFailure, name: str) -> Response:
        if exc.code == 21 and exc.result:  # a MODAL task was made
            return JSONResponse(
                flavor.modal(exc.result, exc.properties.get("finalPrompt", ""), engine.instance)
            )
        parent_missing = exc.code == MJ_NOT_FOUND and name in _NEEDS_PARENT
        status = 404 if flavor.name == TRUEAI and parent_missing else 200
        return JSONResponse(failure(exc.code, exc.description, exc.properties), status_code=status)

    def over_limit(body: object) -> str | None:
        """T's refusal of an oversize ``state`` or ``notifyHook`` (None: within limits)."""
        if flavor.name != TRUEAI or not isinstance(body, dict):
            return None
        for field, most in T_LIMITS.items():
            value = body.get(field)
            if isinstance(value, str) and len(value) > most:
                return f"{field} 长度不能超过 {most}"
        return None

    def submit_route(name: str, submit: Submit, path: str = "") -> Route:
        async def handler(request: Request) -> Response:
            try:
                body = await body_of(request)
            except BadJson:
                return bad_json(request.url.path)
            limit = over_limit(body)
            if limit is not None:  # imagine maps every exception to code 4 (§4.3)
                if name == "imagine":
                    return JSONResponse(failure(MJ_VALIDATION_ERROR, limit))
                return _second_envelope(limit)
            try:
                task, ahead = submit(body, request.scope["wjnb.mode"])
            except MjFailure as exc:
                return refused(exc, name)
            state.counters.creates[f"POST /mj/submit/{name}"] += 1
            return JSONResponse(flavor.accepted(task.id, ahead, engine.instance))

        return Route(path or f"/mj/submit/{name}", handler, methods=["POST"])

    def shorten(body: object, mode: str) -> tuple[MjTask, int | None]:
        prompt = _text(body, "prompt")
        task, ahead = engine.create(
            MjAction.SHORTEN, prompt, MjPicture("grid", prompt, 0), _dict(body), mode
        )
        words = prompt.split()
        task.properties["finalPrompt"] = "\n\n".join(
            f"{i + 1}️⃣ {' '.join(words[: max(1, len(words) - i)])}" for i in range(5)
        )
        task.description = f"/shorten {prompt}"
        return task, ahead

    def edits(action: MjAction) -> Submit:
        def submit(body: object, mode: str) -> tuple[MjTask, int | None]:
            prompt = _text(body, "prompt")
            data = decode_image(_dict(body).get("image"), "image")
            digest = hashlib.sha256(data).hexdigest()
            width, height = grid_size(prompt)
            picture = MjPicture("grid", f"{prompt} {digest}", 0, width=width, height=height)
            task, ahead = engine.create(action, prompt, picture, _dict(body), mode)
            task.description = f"/{'edit' if action == MjAction.EDIT else 'retexture'} {prompt}"
            return task, ahead

        return submit

    def swap_face(body: object, mode: str) -> tuple[MjTask, int | None]:
        if flavor.name == TRUEAI:  # Replicate is off unless configured
            raise MjFailure(MJ_VALIDATION_ERROR, "服务不支持")
        data = decode_image(_dict(body).get("targetBase64"), "targetBase64")
        decode_image(_dict(body).get("sourceBase64"), "sourceBase64")
        picture = MjPicture("input", data=data)
        return engine.create(MjAction.SWAP_FACE, "", picture, _dict(body), mode)

    def video(body: object, mode: str) -> tuple[MjTask, int | None]:
        if not state.mj_video:
            raise MjFailure(MJ_VALIDATION_ERROR, "未启用视频功能")
        return mj_video.submit(engine, _dict(body), mode)

    async def upload(request: Request) -> Response:
        try:
            images = _dict(await body_of(request)).get("base64Array")
            if not isinstance(images, list) or not images:
                raise MjFailure(MJ_VALIDATION_ERROR, BAD_PARAMS)
            urls = [engine.upload(decode_image(i, "base64Array item")) for i in images]
        except BadJson:
            return bad_json(request.url.path)
        except MjFailure as exc:
            return refused(exc, "upload-discord-images")
        return JSONResponse(
            {"code": 1, "description": "提交成功", "result": urls, "properties": {}}
        )

    async def fetch(request: Request) -> Response:
        task = engine.tasks.get(request.path_params["id"])
        if task is None:
            return Response(b"", status_code=204 if flavor.name == TRUEAI else 200)
        return JSONResponse(engine.view(task))

    async def list_by_ids(request: Request) -> Response:
        try:
            body = await body_of(request)
        except BadJson:
            return bad_json(request.url.path)
        ids = body.get("ids") if isinstance(body, dict) else None
        wanted = [i.strip() for i in ids if isinstance(i, str)] if isinstance(ids, list) else []
        found = [engine.tasks[i] for i in dict.fromkeys(wanted) if i in engine.tasks]
        return JSONResponse([engine.view(t) for t in found])

    async def image_seed(request: Request) -> Response:
        task = engine.tasks.get(request.path_params["id"])
        if task is None:
            status = 404 if flavor.name == TRUEAI else 200
            return JSONResponse(failure(MJ_NOT_FOUND, "任务不存在"), status_code=status)
        try:
            seed = engine.seed(task.id)
        except MjFailure as exc:
            status = 400 if flavor.name == TRUEAI else 200
            return JSONResponse(failure(exc.code, exc.description), status_code=status)
        return JSONResponse({"code": 1, "description": "成功", "result": seed, "properties": {}})

    async def cancel(request: Request) -> Response:
        task_id = request.path_params["id"]
        if flavor.name == TRUEAI:
            engine.cancel(task_id)
            return Response(b"", status_code=200)
        try:
            engine.cancel(task_id)
        except MjFailure as exc:
            return JSONResponse(failure(exc.code, exc.description))
        return JSONResponse({"code": 1, "description": "成功", "result": task_id, "properties": {}})

    async def queue(request: Request) -> Response:
        return JSONResponse(engine.queue())

    async def account_list(request: Request) -> Response:
        return JSONResponse([engine.account()])

    async def account_fetch(request: Request) -> Response:
        found = request.path_params["id"] == engine.instance
        return JSONResponse(engine.account()) if found else Response(b"", status_code=200)

    async def account_query(request: Request) -> Response:
        """P's admin page: ``{pageSize, pageNumber}`` -> ``{content, last}`` (0-based)."""
        try:
            body = await body_of(request)
        except BadJson:
            return bad_json(request.url.path)
        size, number = _page(body)
        rows = [engine.account()]
        content = rows[number * size : (number + 1) * size]
        return JSONResponse({"content": content, "last": (number + 1) * size >= len(rows)})

    async def task_list(request: Request) -> Response:
        return JSONResponse(engine.newest_first()[: 100 if flavor.name == TRUEAI else None])

    async def home(request: Request) -> Response:
        data = {"isRegister": False, "isGuest": False, "isDemoMode": False, "version": T_VERSION}
        data["notify"] = ""
        return JSONResponse(
            {
                "success": True,
                "code": 0,
                "message": "",
                "timestamp": int(time.time() * 1000),
                "data": data,
            }
        )

    async def api_docs(request: Request) -> Response:
        info = {"title": "Midjourney Proxy API文档", "version": N_VERSION}
        return JSONResponse({"swagger": "2.0", "info": info, "basePath": "/mj", "paths": {}})

    submits: dict[str, Submit] = {
        "imagine": engine.imagine,
        "change": engine.change,
        "simple-change": engine.simple_change,
        "describe": engine.describe,
        "blend": engine.blend,
        "action": engine.action,
        "modal": engine.modal,
        "shorten": shorten,
        "edits": edits(MjAction.EDIT),
        "edit": edits(MjAction.EDIT),
        "retexture": edits(MjAction.RETEXTURE),
        "video": video,
    }
    table: list[Route] = [
        submit_route(name, fn) for name, fn in submits.items() if flavor.has(name)
    ]
    others: list[tuple[str, Route]] = [
        ("swap_face", submit_route("swap_face", swap_face, "/mj/insight-face/swap")),
        (
            "upload-discord-images",
            Route("/mj/submit/upload-discord-images", upload, methods=["POST"]),
        ),
        ("fetch", Route("/mj/task/{id}/fetch", fetch, methods=["GET"])),
        ("list-by-condition", Route("/mj/task/list-by-condition", list_by_ids, methods=["POST"])),
        ("list-by-ids", Route("/mj/task/list-by-ids", list_by_ids, methods=["POST"])),
        ("queue", Route("/mj/task/queue", queue, methods=["GET"])),
        ("list", Route("/mj/task/list", task_list, methods=["GET"])),
        ("image-seed", Route("/mj/task/{id}/image-seed", image_seed, methods=["GET"])),
        ("cancel", Route("/mj/task/{id}/cancel", cancel, methods=["POST"])),
        ("account-list", Route("/mj/account/list", account_list, methods=["GET"])),
        ("account-fetch", Route("/mj/account/{id}/fetch", account_fetch, methods=["GET"])),
        ("account-query", Route("/mj/account/query", account_query, methods=["POST"])),
    ]
    table += [route for name, route in others if flavor.has(name)]
    if flavor.name == TRUEAI:
        table.append(Route("/mj/home", home, methods=["GET"]))
    if flavor.name == NOVICEZK:
        table.append(Route("/mj/v2/api-docs", api_docs, methods=["GET"]))
    return table


def root_routes(flavor: Flavor | None) -> list[Route]:
    """Routes outside ``/mj``: T's anonymous ``GET /health``."""

    async def health(request: Request) -> Response:
        return PlainTextResponse("Healthy")

    return [Route("/health", health, methods=["GET"])] if flavor and flavor.name == TRUEAI else []


def gate(flavor: Flavor, token: str, scope: Scope, path: str) -> Response | None:
    """The reply that stops a request before routing: a speed prefix N, P or a relay lacks,
    or missing credentials; None lets it through."""
    if scope["path"] != path and not flavor.speed_prefixes:
        return not_found(flavor, scope["path"])
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    return auth_refusal(flavor, token, path, headers)


def default(flavor: Flavor) -> Callable[[Scope, Receive, Send], Any]:
    """The router's fallback: the flavour's unknown-route reply."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await not_found(flavor, scope["path"])(scope, receive, send)

    return app


def _page(body: object) -> tuple[int, int]:
    """``pageSize`` (default 10) and ``pageNumber`` (default 0) of a paged query."""
    fields = body if isinstance(body, dict) else {}
    size, number = fields.get("pageSize", 10), fields.get("pageNumber", 0)
    size = size if isinstance(size, int) and size > 0 else 10
    return size, number if isinstance(number, int) and number >= 0 else 0


def _dict(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise MjFailure(MJ_VALIDATION_ERROR, BAD_PARAMS)
    return body


def _text(body: object, name: str) -> str:
    value = _dict(body).get(name)
    if not isinstance(value, str) or not value.strip():
        raise MjFailure(MJ_VALIDATION_ERROR, f"{name}不能为空")
    return value.strip()
