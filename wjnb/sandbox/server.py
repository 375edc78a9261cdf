"""Start and stop a sandbox: uvicorn in a daemon thread with its own event loop, loopback only."""

from __future__ import annotations

import asyncio
import atexit
import ipaddress
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import uvicorn

from .app import SandboxApp
from .auth import demo_credentials
from .faults import FaultPlan
from .mj_flavors import NAMES as MJ_FLAVORS
from .state import SandboxState

T = TypeVar("T")
FAULTS_ENV = "WJNB_SANDBOX_FAULTS"
START_TIMEOUT = 30.0


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Sandbox:
    """A running sandbox. Use ``start()``; ``stop()`` (idempotent) ends it."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        speed: float,
        faults: FaultPlan,
        seed: int,
        balance: int,
        gpus: int,
        mj_queue_size: int,
        mj_core_size: int | None = None,
        mj_flavor: str | None = None,
        mj_timeout_minutes: float = 5.0,
        mj_video: bool = False,
    ) -> None:
        if not is_loopback_host(host):
            raise ValueError(f"the sandbox only binds loopback addresses, not {host!r}")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # proto must say TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto
        # is IPPROTO_TCP, and without it every reply waits ~40 ms for a delayed ACK.
        self._sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1" if host == "localhost" else host, port))
        bound = self._sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{bound}"
        self.port = bound
        self.wujie_base_url = f"{self.url}/wj-open/v1"
        self.mj_flavor = mj_flavor
        self.mj_base_url = self.url if mj_flavor else f"{self.url}/mj-fast"
        credentials = demo_credentials(seed)
        self.app_id = credentials.app_id
        self.private_key = credentials.private_key
        self.mj_token = credentials.mj_token
        self.speed = speed
        self._options: dict[str, Any] = dict(
            speed=speed,
            seed=seed,
            balance=balance,
            gpus=gpus,
            faults=faults,
            mj_queue_size=mj_queue_size,
            mj_core_size=mj_core_size,
            mj_flavor=mj_flavor,
            mj_timeout_minutes=mj_timeout_minutes,
            mj_video=mj_video,
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._state: SandboxState | None = None
        self._server: uvicorn.Server | None = None
        self._error: BaseException | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=f"wjnb-sandbox-{bound}", daemon=True)

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "running"
        return f"<wjnb Sandbox {self.url} speed={self.speed:g} {state}>"

    # ------------------------------------------------------------------ lifecycle

    def _start(self) -> None:
        self._thread.start()
        atexit.register(self.stop)  # end renders and callbacks before the interpreter does
        deadline = time.monotonic() + START_TIMEOUT
        while not (self._server is not None and self._server.started):
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._sock.close()
                raise RuntimeError(f"the sandbox did not start: {self._error!r}")
            time.sleep(0.005)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        state: SandboxState | None = None
        try:
            state = SandboxState(loop=loop, public_url=self.url, **self._options)
            config = uvicorn.Config(
                SandboxApp(state),
                log_level="warning",
                access_log=False,
                log_config=None,
                lifespan="off",
                timeout_graceful_shutdown=2,
            )
            server = uvicorn.Server(config)
            self._loop, self._state, self._server = loop, state, server
            loop.run_until_complete(server.serve(sockets=[self._sock]))
        except BaseException as exc:  # reported by _start
            self._error = exc
        finally:
            if state is not None:
                loop.run_until_complete(state.aclose())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    def stop(self) -> None:
        """Stop serving and join the server thread (safe to call twice)."""
        if self._stopped:
            return
        self._stopped = True
        if self._server is not None:
            self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=15)
        self._sock.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ inspection

    def env(self) -> dict[str, str]:
        """The ``WJNB_*`` variables that point a client at this sandbox."""
        return {
            "WJNB_BASE_URL": self.wujie_base_url,
            "WJNB_APP_ID": self.app_id,
            "WJNB_PRIVATE_KEY": self.private_key,
            "WJNB_MJ_BASE_URL": self.mj_base_url,
            "WJNB_MJ_TOKEN": self.mj_token,
        }

    def _call(self, fn: Callable[[SandboxState], T]) -> T:
        """Run ``fn(state)`` on the server loop and return its result."""
        if self._loop is None or self._state is None or self._stopped:
            raise RuntimeError("the sandbox is not running")
        state = self._state

        async def run() -> T:
            return fn(state)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=10)

    def counters(self) -> dict[str, Any]:
        """What ``GET /_sandbox/counters`` returns."""
        return self._call(lambda s: s.counters_snapshot())

    def mj_restart(self) -> int:
        """Restart the Midjourney proxy: its queued tasks are lost; returns how many."""
        return self._call(lambda s: s.mj.restart())

    def mj_full_replies(self) -> int:
        """How many Midjourney submits were refused with a full queue so far."""
        return self._call(lambda s: s.mj.full_replies)

    def set_mj_account(self, *, enable: bool = True, day_limit: int | None = None) -> None:
        """Disable the proxy's one account (submits get code 3, "no account available"),
        or give trueai's user a day limit (``DayDrawLimit``; None: unlimited)."""

        def apply(state: SandboxState) -> None:
            state.mj.enabled, state.mj.day_limit = enable, day_limit

        self._call(apply)

    def artworks(self) -> dict[str, Any]:
        """What ``GET /_sandbox/artworks`` returns."""
        return self._call(lambda s: s.artworks_snapshot())

    def set_faults(self, plan: str | Mapping[str, Any] | FaultPlan | None) -> None:
        """Replace the fault plan (JSON text, short form, mapping, or None for no faults)."""
        parsed = FaultPlan.parse(plan)

        def apply(state: SandboxState) -> None:
            state.faults = parsed

        self._call(apply)

    def set_balance(self, balance: int) -> None:
        """Set the account's credit balance."""
        if isinstance(balance, bool) or not isinstance(balance, int) or balance < 0:
            raise ValueError("balance must be a non-negative integer")

        def apply(state: SandboxState) -> None:
            state.ledger.balance = balance

        self._call(apply)


def start(
    host: str = "127.0.0.1",
    port: int = 0,
    speed: float = 1.0,
    faults: str | Mapping[str, Any] | FaultPlan | None = None,
    seed: int = 0,
    balance: int = 100000,
    gpus: int = 4,
    mj_queue_size: int | None = None,
    mj_flavor: str | None = None,
    mj_core_size: int | None = None,
    mj_timeout_minutes: float = 5.0,
    mj_video: bool = False,
) -> Sandbox:
    """Start a sandbox in a background thread and return once it accepts connections.

    ``port=0`` picks a free port; ``faults=None`` reads ``WJNB_SANDBOX_FAULTS``; ``gpus`` is
    the size of each of the two GPU pools (Wujie, MJ); ``mj_queue_size`` is how many MJ
    tasks may wait before submits get code 23 (50 by default). ``mj_flavor`` plays one
    Midjourney proxy exactly (``novicezk``, ``plus``, ``trueai`` or ``relay``), with one
    account of ``mj_core_size`` running and ``mj_queue_size`` waiting tasks (3 and 10, the
    proxies' defaults), whose running tasks fail after ``mj_timeout_minutes`` (virtual);
    its MJ base URL is then the server root. ``mj_video`` turns trueai's video feature on
    (its ``EnableVideo`` setting; off by default, as on a fresh proxy).
    """
    if mj_flavor is not None and mj_flavor not in MJ_FLAVORS:
        raise ValueError(f"mj_flavor must be one of {', '.join(MJ_FLAVORS)}, not {mj_flavor!r}")
    if mj_queue_size is None:
        mj_queue_size = 10 if mj_flavor else 50
    if mj_core_size is None:
        mj_core_size = 3 if mj_flavor else gpus
    if faults is None:
        faults = os.environ.get(FAULTS_ENV) or None
    if not speed > 0:
        raise ValueError("speed must be positive")
    if gpus < 1 or mj_core_size < 1 or balance < 0 or mj_queue_size < 0:
        raise ValueError("gpus must be at least 1; balance and mj_queue_size not negative")
    if not mj_timeout_minutes > 0:
        raise ValueError("mj_timeout_minutes must be positive")
    sandbox = Sandbox(
        host=host,
        port=port,
        speed=speed,
        faults=FaultPlan.parse(faults),
        seed=seed,
        balance=balance,
        gpus=gpus,
        mj_queue_size=mj_queue_size,
        mj_core_size=mj_core_size,
        mj_flavor=mj_flavor,
        mj_timeout_minutes=mj_timeout_minutes,
        mj_video=mj_video,
    )
    sandbox._start()
    return sandbox
