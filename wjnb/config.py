"""Which backend to talk to, from arguments and the ``WJNB_*`` environment.

Explicit arguments win over the environment. When neither names any Wujie or MJ
credential, wjnb runs against the embedded sandbox (one per process, started lazily), so
a notebook works out of the box; ``backend="sandbox"`` or ``sandbox=server`` force it.
"""

from __future__ import annotations

import hmac
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import ConfigError

DEFAULT_BASE_URL = "https://gate.wujieai.net/wj-open/v1"

MjAuthScheme = Literal["bearer", "mj-api-secret", "authorization"]
Backend = Literal["auto", "remote", "sandbox"]
MJ_FLAVORS = ("auto", "novicezk", "plus", "trueai", "relay")
MJ_MODES = ("fast", "relax", "turbo")

_SCHEMES: dict[str, MjAuthScheme] = {
    "bearer": "bearer",
    "mj-api-secret": "mj-api-secret",
    "authorization": "authorization",
}
_CREDENTIAL_VARS = ("WJNB_APP_ID", "WJNB_PRIVATE_KEY", "WJNB_MJ_BASE_URL", "WJNB_MJ_TOKEN")


class Secret:
    """A credential whose ``repr``/``str`` never reveal it; ``reveal()`` is the only way in."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret text, for the one place that must use it (signing, a header)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(
            other._value.encode(), self._value.encode()
        )

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class Config:
    """Resolved settings: where each protocol lives and with which credentials.

    ``backend`` is ``"sandbox"`` when the embedded emulator serves both protocols,
    ``"remote"`` otherwise. A protocol whose settings are incomplete is unusable; its
    ``*_missing`` list names the variables to set.
    """

    backend: Literal["remote", "sandbox"]
    base_url: str
    app_id: str | None = None
    private_key: Secret | None = None
    mj_base_url: str | None = None
    mj_token: Secret | None = None
    mj_auth: MjAuthScheme | None = None
    mj_flavor: str = "auto"
    mj_mode: str | None = None
    sandbox: Any = field(default=None, repr=False, compare=False)

    @property
    def wujie_missing(self) -> list[str]:
        """Variables still needed to use the Wujie API (empty when usable)."""
        return _missing(WJNB_APP_ID=self.app_id, WJNB_PRIVATE_KEY=self.private_key)

    @property
    def mj_missing(self) -> list[str]:
        """Variables still needed to use the Midjourney proxy (empty when usable)."""
        return _missing(WJNB_MJ_BASE_URL=self.mj_base_url, WJNB_MJ_TOKEN=self.mj_token)

    @classmethod
    def resolve(
        cls,
        *,
        app_id: str | None = None,
        private_key: str | Secret | None = None,
        base_url: str | None = None,
        mj_base_url: str | None = None,
        mj_token: str | Secret | None = None,
        mj_auth: MjAuthScheme | None = None,
        mj_flavor: str | None = None,
        mj_mode: str | None = None,
        backend: Backend = "auto",
        sandbox: Any = None,
        env: Mapping[str, str] | None = None,
    ) -> Config:
        """Settings from explicit arguments, then ``env`` (default ``os.environ``)."""
        if backend not in ("auto", "remote", "sandbox"):
            raise ConfigError(f"backend must be 'auto', 'remote' or 'sandbox', not {backend!r}")
        env = os.environ if env is None else env
        explicit = (app_id, private_key, mj_base_url, mj_token)
        no_credentials = not any(explicit) and not any(env.get(n) for n in _CREDENTIAL_VARS)
        if sandbox is None and backend == "sandbox":
            sandbox = default_sandbox("backend='sandbox' was asked for")
        elif sandbox is None and backend == "auto" and no_credentials:
            sandbox = default_sandbox(
                "no WJNB_* credentials are set; set WJNB_APP_ID + WJNB_PRIVATE_KEY or "
                "WJNB_MJ_BASE_URL + WJNB_MJ_TOKEN to use the real services"
            )
        if sandbox is not None:
            # The embedded default answers as the "plus" proxy does (buttons, action, modal).
            flavor = getattr(sandbox, "mj_flavor", None) or "plus"
            env = {**sandbox.env(), "WJNB_MJ_FLAVOR": flavor}
            return cls._from(env=env, backend="sandbox", sandbox=sandbox)
        return cls._from(
            env=env,
            backend="remote",
            app_id=app_id,
            private_key=private_key,
            base_url=base_url,
            mj_base_url=mj_base_url,
            mj_token=mj_token,
            mj_auth=mj_auth,
            mj_flavor=mj_flavor,
            mj_mode=mj_mode,
        )

    @classmethod
    def _from(
        cls,
        *,
        env: Mapping[str, str],
        backend: Literal["remote", "sandbox"],
        sandbox: Any = None,
        app_id: str | None = None,
        private_key: str | Secret | None = None,
        base_url: str | None = None,
        mj_base_url: str | None = None,
        mj_token: str | Secret | None = None,
        mj_auth: str | None = None,
        mj_flavor: str | None = None,
        mj_mode: str | None = None,
    ) -> Config:
        scheme = mj_auth or env.get("WJNB_MJ_AUTH") or None
        if scheme is not None and scheme not in _SCHEMES:
            raise ConfigError(
                f"WJNB_MJ_AUTH must be 'bearer', 'mj-api-secret' or 'authorization', not {scheme!r}"
            )
        flavor = mj_flavor or env.get("WJNB_MJ_FLAVOR") or "auto"
        if flavor not in MJ_FLAVORS:
            raise ConfigError(
                f"WJNB_MJ_FLAVOR must be one of {', '.join(MJ_FLAVORS)}, not {flavor!r}"
            )
        mode = mj_mode or env.get("WJNB_MJ_MODE") or None
        if mode is not None and mode not in MJ_MODES:
            raise ConfigError(f"WJNB_MJ_MODE must be one of {', '.join(MJ_MODES)}, not {mode!r}")
        return cls(
            backend=backend,
            base_url=_url("WJNB_BASE_URL", base_url or env.get("WJNB_BASE_URL") or "")
            or DEFAULT_BASE_URL,
            app_id=app_id or env.get("WJNB_APP_ID") or None,
            private_key=_secret(private_key or env.get("WJNB_PRIVATE_KEY")),
            mj_base_url=_url("WJNB_MJ_BASE_URL", mj_base_url or env.get("WJNB_MJ_BASE_URL") or ""),
            mj_token=_secret(mj_token or env.get("WJNB_MJ_TOKEN")),
            mj_auth=_SCHEMES[scheme] if scheme else None,
            mj_flavor=flavor,
            mj_mode=mode,
            sandbox=sandbox,
        )


def _missing(**values: object) -> list[str]:
    return [name for name, value in values.items() if not value]


def _secret(value: str | Secret | None) -> Secret | None:
    if isinstance(value, Secret):
        return value if value.reveal() else None
    return Secret(value) if value else None


def _url(name: str, value: str) -> str | None:
    """A base URL without its trailing slash (routes are appended with one), or None."""
    value = value.strip().rstrip("/")
    if not value:
        return None
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{name} must be an http:// or https:// URL, not {value!r}")
    return value


# --------------------------------------------------------------------------- sandbox

_sandbox_lock = threading.Lock()
_sandbox: Any = None


def default_sandbox(reason: str) -> Any:
    """The process-wide embedded sandbox, started on first use (announced once).

    The notice is an info line (``wjnb.notice``): a grey line in a notebook, where stderr
    would show as a red error box, and an INFO record of the ``wjnb`` logger elsewhere.
    """
    global _sandbox
    with _sandbox_lock:
        if _sandbox is None:
            raw = os.environ.get("WJNB_SANDBOX_SPEED", "1")
            try:
                speed = float(raw)
            except ValueError:
                raise ConfigError(f"WJNB_SANDBOX_SPEED must be a number, not {raw!r}") from None
            from . import sandbox as sandbox_module

            _sandbox = sandbox_module.start(speed=speed)
            from .notice import announce

            announce(f"wjnb: using the embedded sandbox at {_sandbox.url} ({reason})")
        return _sandbox
