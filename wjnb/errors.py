"""The exception hierarchy: every error wjnb raises derives from ``WjnbError``.

API failures carry the service's code and message; argument errors are raised before any
request is sent. No exception text ever includes a credential: messages are built from
codes, routes and service messages only, never from headers.
"""

from __future__ import annotations

from typing import Any


class WjnbError(Exception):
    """Root of every wjnb error."""


class ConfigError(WjnbError):
    """The configuration (arguments or ``WJNB_*`` environment) cannot be used."""


class InvalidArgument(WjnbError, ValueError):
    """An argument that cannot be right; raised before any request is sent.

    ``argument`` names the offending parameter so callers (and forms) can point at it.
    """

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument


class TransportError(WjnbError):
    """The request could not be completed (network, timeout, 5xx after retries)."""

    def __init__(self, message: str, *, route: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.route = route
        self.status = status


class RateLimited(TransportError):
    """The service kept answering 429 after every retry."""


class AmbiguousCreate(TransportError):
    """A work-creating request may have reached the server but no reply was read.

    It is never re-sent automatically (that could pay twice). ``request`` is the body that
    was sent, so the job layer can reconcile it against the service's records.
    """

    def __init__(self, message: str, *, route: str, request: Any) -> None:
        super().__init__(message, route=route)
        self.request = request


class MalformedResponse(TransportError):
    """The service answered, but not with the JSON the protocol promises."""


class AuthError(WjnbError):
    """The service refused the credentials (HTTP 401/403 or an auth envelope code)."""


class ApiError(WjnbError):
    """The service answered with an error code; ``code`` and ``message`` are its own."""

    code: str
    retryable = False

    def __init__(self, code: str, message: str, *, route: str = "", data: Any = None) -> None:
        super().__init__(f"[{code}] {message}" + (f" ({route})" if route else ""))
        self.code = code
        self.message = message
        self.route = route
        self.data = data


class InvalidParameter(ApiError):
    """20010001: the service rejected a parameter."""


class UnsupportedSize(ApiError):
    """20010015: the size or resolution is not supported."""


class LockRace(ApiError):
    """20010018: a lock race on the server; safe to submit again."""

    retryable = True


class TranslationFailed(ApiError):
    """20110000: the prompt could not be translated."""


class SensitivePrompt(ApiError):
    """20110001: the prompt contains sensitive words."""


class BadInitImage(ApiError):
    """20110002 / 20110003: the init image link is wrong or its content is sensitive."""


class StatusChanged(ApiError):
    """20110009: the artwork changed state meanwhile; re-read it."""


class InsufficientBalance(ApiError):
    """20110010: not enough credits."""


class NotCancellable(ApiError):
    """20110011: the artwork is no longer queued and cannot be cancelled."""


class ResourceCheckFailed(ApiError):
    """20110017: a resource check failed."""


class ImageRecognitionError(ApiError):
    """20110018 - 20110021: the avatar photo could not be used (no face, several, side)."""


class MjError(ApiError):
    """The Midjourney proxy refused a submission (any code but 1/21/22)."""


class MjQueueFull(MjError):
    """Code 23 (trueai: 9 "队列已满"): the proxy's queue is full; try later."""

    retryable = True


class MjDayLimit(MjError):
    """The proxy's day limit is reached (trueai: "用户今日绘图次数已达上限", code 4 on
    imagine, the ``code: -1`` envelope elsewhere; or the day limit its accounts show):
    nothing more is sent today."""


#: How the proxies word a reached day limit (trueai, and its English-speaking forks).
DAY_LIMIT_MARKS = ("今日绘图次数已达上限", "drawing limit has been reached")


class MjBannedPrompt(MjError):
    """Code 24: the prompt has a banned word (``banned_word``)."""

    def __init__(self, code: str, message: str, *, route: str = "", data: Any = None) -> None:
        super().__init__(code, message, route=route, data=data)
        props = data.get("properties") if isinstance(data, dict) else None
        self.banned_word: str | None = props.get("bannedWord") if isinstance(props, dict) else None


class Unsupported(WjnbError):
    """The Midjourney proxy's flavour has no such route (``/submit/action`` on novicezk...)."""

    def __init__(self, flavor: str, what: str) -> None:
        super().__init__(f"the {flavor} Midjourney proxy has no {what}")
        self.flavor = flavor
        self.what = what


class JobError(WjnbError):
    """A job ended in a state that has no result (failed, cancelled, unreadable)."""


class BudgetExceeded(WjnbError):
    """A sweep's estimated or charged credits would pass its ``budget``."""


class LedgerError(WjnbError):
    """The on-disk ledger cannot be read or has no such experiment."""


class ImageError(WjnbError):
    """An image could not be fetched or decoded safely."""


_BY_CODE: dict[str, type[ApiError]] = {
    "20010001": InvalidParameter,
    "20010015": UnsupportedSize,
    "20010018": LockRace,
    "20110000": TranslationFailed,
    "20110001": SensitivePrompt,
    "20110002": BadInitImage,
    "20110003": BadInitImage,
    "20110009": StatusChanged,
    "20110010": InsufficientBalance,
    "20110011": NotCancellable,
    "20110017": ResourceCheckFailed,
    "20110018": ImageRecognitionError,
    "20110019": ImageRecognitionError,
    "20110020": ImageRecognitionError,
    "20110021": ImageRecognitionError,
}

_MJ_BY_CODE: dict[str, type[ApiError]] = {"23": MjQueueFull, "24": MjBannedPrompt}


def api_error(code: str, message: str, *, route: str = "", data: Any = None) -> ApiError:
    """The named exception for a Wujie envelope code (``ApiError`` when unknown)."""
    return _BY_CODE.get(code, ApiError)(code, message, route=route, data=data)


def mj_error(code: str, message: str, *, route: str = "", data: Any = None) -> ApiError:
    """The named exception for a Midjourney-proxy reply code."""
    if code == "9" and "队列已满" in message:  # trueai's queue-full reply
        return MjQueueFull(code, message, route=route, data=data)
    if any(mark in message for mark in DAY_LIMIT_MARKS):
        return MjDayLimit(code, message, route=route, data=data)
    return _MJ_BY_CODE.get(code, MjError)(code, message, route=route, data=data)
