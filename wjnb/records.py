"""Flat records: one JSON-ready dict per artwork, the same shape for Wujie and Midjourney.

The job layer stores these rows in the ledger and ``wjnb.frame`` turns them into typed
DataFrames. Values are plain ``str``/``int``/``float``/``None`` so a row survives a JSON
round trip unchanged; times are unix seconds; the service's own reports win over the
request that was sent, and anything nobody reported is ``None`` rather than an error.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

from wjnb.models import (
    ArtworkInfo,
    ArtworkStatus,
    AuditInfo,
    FailMessage,
    GeneratingInfo,
    MjStatus,
    MjTaskInfo,
    ModelType,
    TechnologyInfo,
    WujieCallback,
)

#: The columns that say how an artwork was asked for (its parameters, e.g. in MLflow).
PARAMETER_COLUMNS: tuple[str, ...] = (
    "backend",
    "model",
    "prompt",
    "uc_prompt",
    "width",
    "height",
    "steps",
    "cfg",
    "sampler_index",
    "seed",
    "num",
)
COLUMNS: tuple[str, ...] = (
    "key",
    "experiment",
    *PARAMETER_COLUMNS,
    "status",
    "status_name",
    "submitted_at",
    "started_at",
    "completed_at",
    "queue_s",
    "gen_s",
    "integral_cost",
    "integral_cost_message",
    "gpu_type",
    "machine_no",
    "power_consumption",
    "audit_suggestion",
    "involve_yellow",
    "fail_code",
    "fail_message",
    "picture_url",
    "model_prompt",
)

# MJ states on the Wujie status scale, so one status column serves both backends.
MJ_STATUS_CODES: Mapping[MjStatus, ArtworkStatus] = {
    MjStatus.SUCCESS: ArtworkStatus.SUCCESS,
    MjStatus.FAILURE: ArtworkStatus.FAILED,
    MjStatus.CANCEL: ArtworkStatus.CANCELLED,
    MjStatus.IN_PROGRESS: ArtworkStatus.GENERATING,
    MjStatus.SUBMITTED: ArtworkStatus.QUEUED,
    MjStatus.NOT_START: ArtworkStatus.QUEUED,
    MjStatus.MODAL: ArtworkStatus.QUEUED,
}


def wujie_record(
    key: str,
    request: Mapping[str, Any],
    *,
    info: ArtworkInfo | None = None,
    generating: GeneratingInfo | None = None,
    experiment: str | None = None,
    backend: str = "wujie",
    submitted_at: float | None = None,
    callback: WujieCallback | None = None,
) -> dict[str, Any]:
    """The row of one Wujie artwork: ``info`` wins, then ``generating``, then ``callback``,
    then the create ``request``; ``submitted_at`` (client clock) stands in for a missing
    ``generate_time``."""
    i = info or ArtworkInfo()
    g = generating or GeneratingInfo()
    cb = callback or WujieCallback()
    tech = i.technology_info or TechnologyInfo()
    fail = i.fail_message or g.fail_message or cb.fail_message or FailMessage()
    status = _int(_first(i.status, g.status, _callback_status(cb)))
    submitted = _first(_seconds(i.generate_time), _seconds(submitted_at))
    started = _first(_seconds(i.start_gen_time), _seconds(g.start_gen_time))
    completed = _first(
        _seconds(i.complete_time), _seconds(g.complete_time), _seconds(cb.complete_time)
    )
    return {
        "key": key,
        "experiment": experiment,
        "backend": backend,
        "model": _int(_first(i.model, i.type, request.get("model"))),
        "prompt": _str(_first(i.prompt, request.get("prompt"))),
        "uc_prompt": _str(_first(i.uc_prompt, request.get("uc_prompt"))),
        "width": _int(_first(i.width, request.get("width"))),
        "height": _int(_first(i.height, request.get("height"))),
        "steps": _int(_first(i.steps, request.get("steps"))),
        "cfg": _float(_first(i.cfg, request.get("cfg"))),
        "sampler_index": _int(_first(i.sampler_index, request.get("sampler_index"))),
        "seed": _str(_first(i.seed, request.get("seed"))),
        "num": _int(request.get("num")),
        "status": status,
        "status_name": status_name(status),
        "submitted_at": submitted,
        "started_at": started,
        "completed_at": completed,
        "queue_s": _elapsed(submitted, started),
        "gen_s": _elapsed(started, completed),
        "integral_cost": _int(_first(i.integral_cost, g.integral_cost, cb.integral_cost)),
        "integral_cost_message": _str(
            _first(i.integral_cost_message, g.integral_cost_message, cb.integral_cost_message)
        ),
        "gpu_type": _text(tech.gpu_type),
        "machine_no": _text(tech.machine_no),
        "power_consumption": _float(tech.power_consumption),
        "audit_suggestion": _verdict(i.audit_info, g.audit_info, cb.audit_info),
        "involve_yellow": _int(_first(i.involve_yellow, g.involve_yellow, cb.involve_yellow)),
        "fail_code": _int(fail.fail_code),
        "fail_message": _text(fail.fail_message),
        "picture_url": _first_text(i.picture_url, g.picture_url, cb.artwork_url),
        "model_prompt": _first_text(i.model_prompt, g.model_prompt),
    }


def mj_record(
    task: MjTaskInfo,
    request: Mapping[str, Any],
    *,
    experiment: str | None = None,
    backend: str = "mj",
) -> dict[str, Any]:
    """The row of one Midjourney-proxy task, on the same columns as a Wujie artwork.

    The status is mapped onto the Wujie scale and ``status_name`` keeps the MJ state
    (lowercased); milliseconds become seconds; the request only fills what MJ never reports.
    """
    mj_status = task.status_enum
    status = int(MJ_STATUS_CODES[mj_status]) if mj_status else None
    submitted = _seconds(task.submit_time, scale=1000)
    started = _seconds(task.start_time, scale=1000)
    completed = _seconds(task.finish_time, scale=1000)
    props = task.properties or {}
    return {
        "key": _str(task.id),
        "experiment": experiment,
        "backend": backend,
        "model": int(ModelType.MIDJOURNEY),
        "prompt": _str(_first(task.prompt, request.get("prompt"))),
        "uc_prompt": _str(request.get("uc_prompt")),
        "width": _int(request.get("width")),
        "height": _int(request.get("height")),
        "steps": _int(request.get("steps")),
        "cfg": _float(request.get("cfg")),
        "sampler_index": _int(request.get("sampler_index")),
        "seed": _str(request.get("seed")),
        "num": _int(request.get("num")),
        "status": status,
        "status_name": mj_status.value.lower() if mj_status else _unknown(task.status),
        "submitted_at": submitted,
        "started_at": started,
        "completed_at": completed,
        "queue_s": _elapsed(submitted, started),
        "gen_s": _elapsed(started, completed),
        "integral_cost": None,
        "integral_cost_message": None,
        "gpu_type": None,
        "machine_no": None,
        "power_consumption": None,
        "audit_suggestion": None,
        "involve_yellow": None,
        "fail_code": None,
        "fail_message": _text(task.fail_reason),
        "picture_url": _text(task.image_url),
        "model_prompt": _first_text(props.get("finalPrompt"), task.prompt_en),
    }


def status_name(status: int | None) -> str | None:
    """Lowercase ``ArtworkStatus`` name of a code, ``"unknown"`` for other codes."""
    if status is None:
        return None
    code = ArtworkStatus.parse(status)
    return code.name.lower() if code is not None else "unknown"


# --------------------------------------------------------------------------- helpers


def _first(*values: Any) -> Any:
    """The first value that is not None."""
    for value in values:
        if value is not None:
            return value
    return None


def _first_text(*values: object) -> str | None:
    """The first value with non-empty text."""
    for value in values:
        text = _text(value)
        if text is not None:
            return text
    return None


def _callback_status(cb: WujieCallback) -> int | None:
    """A callback only says success or not: map that to 4 or 3."""
    if cb.success is None and cb.code is None:
        return None
    ok = cb.success if cb.success is not None else cb.code == 0
    return int(ArtworkStatus.SUCCESS if ok else ArtworkStatus.FAILED)


def _verdict(*audits: AuditInfo | None) -> str | None:
    """PASS/REVIEW/BLOCK from the first audit that has a verdict."""
    for audit in audits:
        verdict = audit.verdict if audit is not None else None
        if verdict is not None:
            return verdict.value
    return None


def _unknown(value: object) -> str | None:
    """Status name of an MJ state this version does not know (None when absent)."""
    return None if value in (None, "") else "unknown"


def _seconds(value: object, *, scale: float = 1.0) -> float | None:
    """Unix seconds from a wire time; the services report 0 for "not yet"."""
    t = _float(value)
    return t / scale if t is not None and t > 0 else None


def _elapsed(start: float | None, end: float | None) -> float | None:
    """Seconds between two times, rounded to the microsecond to drop float noise."""
    return round(end - start, 6) if start is not None and end is not None else None


def _int(value: object) -> int | None:
    """A plain int (numpy and numeric text accepted), None when it is not one."""
    if isinstance(value, numbers.Integral):
        return int(value)
    f = _float(value)
    return int(f) if f is not None and f.is_integer() else None


def _float(value: object) -> float | None:
    """A plain finite float, None when the value is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (numbers.Real, str)):
        try:
            f = float(value)
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def _str(value: object) -> str | None:
    """Text for a text column; numbers (a seed given as 42) become their text."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return str(int(value))
    return value if isinstance(value, str) else str(value)


def _text(value: object) -> str | None:
    """Like ``_str`` but an empty string means "not reported" (MJ's ``failReason: ""``)."""
    text = _str(value)
    return text or None
