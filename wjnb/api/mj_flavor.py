"""Which Midjourney proxy is on the other end, and which routes and auth it has.

``auto`` fingerprints the client's base URL once, on first use, with the cheap probes of
the reference (§1), and keeps the answer:

1. ``GET /mj/home``: only trueai answers 200 with ``data.version``.
2. ``POST /mj/submit/action`` with ``{}`` and ``mj-api-secret``: novicezk has no such route
   (404); a relay refuses that header (401) but answers with ``Authorization: Bearer``; the
   "plus" proxy answers with a submit reply.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from ..auth import MjAuth
from ..config import MjAuthScheme
from ..errors import AuthError, TransportError, Unsupported, WjnbError
from ..http import Requester

NOVICEZK, PLUS, TRUEAI, RELAY = "novicezk", "plus", "trueai", "relay"

_N = frozenset(
    {"imagine", "change", "simple-change", "describe", "blend", "fetch", "list-by-condition"}
    | {"queue", "list", "account-list"}
)
ROUTES: dict[str, frozenset[str]] = {
    NOVICEZK: _N,
    PLUS: _N | {"action", "modal", "shorten", "swap_face", "image-seed", "cancel", "account-query"},
    TRUEAI: frozenset(
        {"imagine", "describe", "blend", "action", "modal", "shorten", "upload-discord-images"}
        | {"edits", "retexture", "video", "swap_face", "fetch", "list-by-condition"}
        | {"list-by-ids", "list", "image-seed", "cancel"}
    ),
    RELAY: frozenset(
        {"imagine", "change", "simple-change", "describe", "blend", "action", "modal"}
        | {"shorten", "upload-discord-images", "swap_face", "fetch", "list-by-condition"}
        | {"image-seed"}
    ),
}
"""The routes of reference §2 per flavour (P: the documented ones and N's inherited ones)."""

AUTH: dict[str, MjAuthScheme] = {
    NOVICEZK: "mj-api-secret",
    PLUS: "mj-api-secret",
    TRUEAI: "authorization",
    RELAY: "bearer",
}
"""The header each flavour reads (§10)."""


class Flavor:
    """One base URL's flavour: asked for once (``auto``) or given, then fixed."""

    def __init__(self, http: Requester, auth: MjAuth | None, name: str, mode: str | None) -> None:
        self._http = http
        self._auth = auth
        self._mode = mode
        self._name: str | None = None if name == "auto" else name
        self._lock = asyncio.Lock()
        if self._name is not None:
            self._use(self._name)

    @property
    def known(self) -> str | None:
        """The flavour once known (None before ``auto`` has probed)."""
        return self._name

    async def name(self) -> str:
        """The flavour, fingerprinting the proxy on first use (then kept)."""
        if self._name is None:
            async with self._lock:
                if self._name is None:
                    self._use(await self._probe())
        assert self._name is not None
        return self._name

    def _use(self, name: str) -> None:
        self._name = name
        if self._auth is not None and not self._auth.explicit:
            self._auth.scheme = AUTH[name]

    async def route(self, name: str, path: str) -> str:
        """``path`` under the speed-mode prefix, or ``Unsupported`` naming the flavour."""
        flavor = await self.name()
        if name not in ROUTES[flavor]:
            raise Unsupported(flavor, f"{path} route")
        if self._mode is None:
            return path
        if flavor != TRUEAI:
            raise Unsupported(flavor, f"speed-mode prefix /mj-{self._mode}")
        return f"/mj-{self._mode}{path}"

    async def _probe(self) -> str:
        try:
            home = await self._http.request("GET", "/mj/home")
        except WjnbError:
            home = None
        data = home.get("data") if isinstance(home, Mapping) else None
        if isinstance(data, Mapping) and "version" in data:
            return TRUEAI
        try:
            return self._action_probe(await self._post_empty_action())
        except AuthError:
            if self._auth is None or self._auth.explicit:
                raise
            self._auth.scheme = "bearer"
            try:
                await self._post_empty_action()
            except AuthError:
                self._auth.scheme = "mj-api-secret"
                raise
            return RELAY
        except TransportError as exc:
            if exc.status == 404:
                return NOVICEZK
            raise

    async def _post_empty_action(self) -> Any:
        return await self._http.request("POST", "/mj/submit/action", json_body={})

    @staticmethod
    def _action_probe(body: Any) -> str:
        return PLUS if isinstance(body, Mapping) and "code" in body else NOVICEZK
