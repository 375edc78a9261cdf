"""Wire envelopes of both protocols and the failure type that route handlers raise.

Wujie replies ``{"code": "200", "message": "success", "data": ..., "success": true}`` with a
string ``code``; errors carry ``success: false``. Midjourney-proxy submit routes reply
``{code, description, result, properties}`` with an integer ``code``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from wjnb.models import ErrorCode, MjSubmitCode

# novicezk's ReturnCode values beyond the documented submit codes.
MJ_NOT_FOUND = 3
MJ_VALIDATION_ERROR = 4
MJ_FAILURE = 9


class ApiFailure(Exception):
    """A Wujie error reply: envelope ``code`` and ``message`` (HTTP 200 unless given)."""

    def __init__(self, code: ErrorCode | str, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code = code.value if isinstance(code, ErrorCode) else code
        self.message = message
        self.status = status


class MjFailure(Exception):
    """A Midjourney-proxy reply other than "accepted" (``result`` may name a task)."""

    def __init__(
        self,
        code: int,
        description: str,
        properties: dict[str, Any] | None = None,
        result: str | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.properties = properties or {}
        self.result = result


def wujie_ok(data: Any) -> JSONResponse:
    """The success envelope around ``data``."""
    return JSONResponse({"code": "200", "message": "success", "data": data, "success": True})


def wujie_error(code: str, message: str, status: int = 200) -> JSONResponse:
    """An error envelope (``data`` null, ``success`` false)."""
    body = {"code": code, "message": message, "data": None, "success": False}
    return JSONResponse(body, status_code=status)


def mj_reply(
    code: int, description: str, result: Any = None, properties: dict[str, Any] | None = None
) -> JSONResponse:
    """A submit-style reply."""
    return JSONResponse(
        {"code": code, "description": description, "result": result, "properties": properties or {}}
    )


def mj_accepted(task_id: str, waiting_ahead: int | None) -> JSONResponse:
    """Code 1 when a GPU took the task at once (``None``), else 22 with the queue ahead."""
    if waiting_ahead is None:
        return mj_reply(MjSubmitCode.ACCEPTED, "Submit success", task_id, {})
    return mj_reply(
        MjSubmitCode.QUEUED,
        f"In queue, there are {waiting_ahead} tasks ahead",
        task_id,
        {"numberOfQueues": waiting_ahead},
    )
