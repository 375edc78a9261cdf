"""The route clients: ``AsyncClient`` (the core) and ``RoutesClient`` (the sync facade).

Both expose the same route namespaces: ``wujie`` (``/ai/*``, ``/account/*``), ``avatar``
(``/avatar/artwork/*``) and ``mj`` (``/mj/*``). ``RoutesClient`` owns a ``LoopThread``: its
``AsyncClient`` lives on that loop and every sync call hands the coroutine over and waits,
which works the same in a script, a thread, or inside Jupyter's running loop.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

import httpx

from ._loop import LoopThread
from .api.avatar import AvatarApi
from .api.lab import LabApi
from .api.mj import MjApi
from .api.pro import ProApi
from .api.tools import ToolsApi
from .api.video import VideoApi
from .api.wujie import WujieApi, is_lock_race
from .auth import MjAuth, WujieAuth
from .config import Backend, Config, MjAuthScheme, Secret
from .errors import ConfigError
from .http import DEFAULT_TIMEOUT, Endpoint, Requester, RetryPolicy

A = TypeVar("A")
P = ParamSpec("P")
T = TypeVar("T")


class _Unconfigured:
    """Stands in for a protocol whose settings are missing: any request says which."""

    def __init__(self, protocol: str, missing: list[str]) -> None:
        self._message = f"{protocol} is not configured: set {' and '.join(missing)}"

    async def request(self, method: str, route: str, **_: Any) -> Any:
        raise ConfigError(f"{self._message} (needed for {method} {route})")

    async def aclose(self) -> None:
        """Nothing to close."""


class AsyncClient:
    """The async core: typed route namespaces over one resolved ``Config``.

    Arguments override the ``WJNB_*`` environment; with no credentials anywhere the
    embedded sandbox is used (see ``wjnb.config``). ``retry`` and ``timeout`` apply to
    every request.
    """

    def __init__(
        self,
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
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        config = Config.resolve(
            app_id=app_id,
            private_key=private_key,
            base_url=base_url,
            mj_base_url=mj_base_url,
            mj_token=mj_token,
            mj_auth=mj_auth,
            mj_flavor=mj_flavor,
            mj_mode=mj_mode,
            backend=backend,
            sandbox=sandbox,
        )
        self.config = config
        wujie: Requester = _Unconfigured("the Wujie API", config.wujie_missing)
        if config.app_id and config.private_key:
            wujie = Endpoint(
                config.base_url,
                WujieAuth(config.app_id, config.private_key),
                timeout=timeout,
                retry=retry,
                resend_reply=is_lock_race,
            )
        mj: Requester = _Unconfigured("the Midjourney proxy", config.mj_missing)
        mj_auth_flow: MjAuth | None = None
        if config.mj_base_url and config.mj_token:
            mj_auth_flow = MjAuth(config.mj_token, config.mj_auth)
            mj = Endpoint(config.mj_base_url, mj_auth_flow, timeout=timeout, retry=retry)
        self._endpoints = (wujie, mj)
        self.wujie = WujieApi(wujie)
        self.avatar = AvatarApi(wujie)
        self.mj = MjApi(mj, flavor=config.mj_flavor, mode=config.mj_mode, auth=mj_auth_flow)

    @property
    def backend(self) -> str:
        """``"sandbox"`` or ``"remote"``."""
        return self.config.backend

    @property
    def sandbox(self) -> Any:
        """The sandbox server in use (``counters()``, ``set_faults()``...), or None."""
        return self.config.sandbox

    async def aclose(self) -> None:
        """Close the connection pools."""
        for endpoint in self._endpoints:
            await endpoint.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return _describe(self)


# --------------------------------------------------------------------------- sync facade


class _Runner(Protocol):
    def __call__(self, coro: Coroutine[Any, Any, T], /) -> T: ...


class _SyncApi(Generic[A]):
    """A namespace of blocking twins of one async API object's methods."""

    def __init__(self, api: A, run: _Runner) -> None:
        self._api = api
        self._run = run


class _Sync(Generic[A, P, T]):
    """Descriptor: the blocking twin of an async method, with its signature and docstring.

    Type checkers see the async method's parameters and its plain return type.
    """

    def __init__(self, method: Callable[Concatenate[A, P], Coroutine[Any, Any, T]]) -> None:
        self.__doc__ = method.__doc__
        self._name = method.__name__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _Sync[A, P, T]: ...

    @overload
    def __get__(self, obj: _SyncApi[A], owner: type | None = None) -> Callable[P, T]: ...

    def __get__(
        self, obj: _SyncApi[A] | None, owner: type | None = None
    ) -> _Sync[A, P, T] | Callable[P, T]:
        if obj is None:
            return self
        method = getattr(obj._api, self._name)
        run = obj._run

        @functools.wraps(method)
        def call(*args: P.args, **kwargs: P.kwargs) -> T:
            return run(method(*args, **kwargs))  # type: ignore[no-any-return]

        obj.__dict__[self._name] = call  # later lookups skip the descriptor
        return call


class SyncProApi(_SyncApi[ProApi]):
    """The pro-artwork routes of ``ProApi``, blocking."""

    model_base_infos = _Sync(ProApi.model_base_infos)
    controlnet_options = _Sync(ProApi.controlnet_options)
    create = _Sync(ProApi.create)
    generating_info = _Sync(ProApi.generating_info)
    info = _Sync(ProApi.info)
    balance = _Sync(ProApi.balance)


class SyncToolsApi(_SyncApi[ToolsApi]):
    """The upscale, youthify and prompt-tool routes of ``ToolsApi``, blocking."""

    supersize = _Sync(ToolsApi.supersize)
    supersize_info = _Sync(ToolsApi.supersize_info)
    youthify = _Sync(ToolsApi.youthify)
    optimize_prompt = _Sync(ToolsApi.optimize_prompt)
    optimize_result = _Sync(ToolsApi.optimize_result)
    spells = _Sync(ToolsApi.spells)
    spell_analysis = _Sync(ToolsApi.spell_analysis)
    spell_analysis_info = _Sync(ToolsApi.spell_analysis_info)
    magic_dice_themes = _Sync(ToolsApi.magic_dice_themes)
    magic_dice = _Sync(ToolsApi.magic_dice)


class SyncVideoApi(_SyncApi[VideoApi]):
    """The video and SVD routes of ``VideoApi``, blocking."""

    option_menu = _Sync(VideoApi.option_menu)
    wait_time = _Sync(VideoApi.wait_time)
    create = _Sync(VideoApi.create)
    generating_info = _Sync(VideoApi.generating_info)
    info = _Sync(VideoApi.info)
    svd_create = _Sync(VideoApi.svd_create)
    svd_info = _Sync(VideoApi.svd_info)


class SyncLabApi(_SyncApi[LabApi]):
    """The lab routes of ``LabApi``, blocking."""

    options = _Sync(LabApi.options)
    info = _Sync(LabApi.info)
    segment = _Sync(LabApi.segment)
    infinite_zoom = _Sync(LabApi.infinite_zoom)
    vectorize = _Sync(LabApi.vectorize)


class SyncWujieApi(_SyncApi[WujieApi]):
    """The Wujie routes of ``WujieApi``, blocking and returning plain values."""

    def __init__(self, api: WujieApi, run: _Runner) -> None:
        super().__init__(api, run)
        self.pro = SyncProApi(api.pro, run)
        self.tools = SyncToolsApi(api.tools, run)
        self.video = SyncVideoApi(api.video, run)
        self.lab = SyncLabApi(api.lab, run)

    create = _Sync(WujieApi.create)
    price_info = _Sync(WujieApi.price_info)
    create_midjourney = _Sync(WujieApi.create_midjourney)
    create_flux = _Sync(WujieApi.create_flux)
    generating_info = _Sync(WujieApi.generating_info)
    info = _Sync(WujieApi.info)
    model_info = _Sync(WujieApi.model_info)
    cancel = _Sync(WujieApi.cancel)
    accelerate = _Sync(WujieApi.accelerate)
    create_params = _Sync(WujieApi.create_params)
    balance = _Sync(WujieApi.balance)
    exchange_integral = _Sync(WujieApi.exchange_integral)
    default_resource = _Sync(WujieApi.default_resource)
    model_base_infos = _Sync(WujieApi.model_base_infos)
    default_resource_style_model = _Sync(WujieApi.default_resource_style_model)


class SyncAvatarApi(_SyncApi[AvatarApi]):
    """The avatar-camera routes of ``AvatarApi``, blocking."""

    create = _Sync(AvatarApi.create)
    default_resource = _Sync(AvatarApi.default_resource)
    image_check = _Sync(AvatarApi.image_check)
    train = _Sync(AvatarApi.train)
    info = _Sync(AvatarApi.info)
    delete = _Sync(AvatarApi.delete)
    camera_templates = _Sync(AvatarApi.camera_templates)
    camera_create = _Sync(AvatarApi.camera_create)
    camera_generating_info = _Sync(AvatarApi.camera_generating_info)
    camera_info = _Sync(AvatarApi.camera_info)


class SyncMjApi(_SyncApi[MjApi]):
    """The Midjourney-proxy routes of ``MjApi``, blocking."""

    @property
    def flavor(self) -> str:
        """The proxy's flavour: ``novicezk``, ``plus``, ``trueai`` or ``relay``
        (``WJNB_MJ_FLAVOR``; with ``auto`` the proxy is fingerprinted once, on first use)."""
        return self._run(self._api.flavor())

    imagine = _Sync(MjApi.imagine)
    action = _Sync(MjApi.action)
    press = _Sync(MjApi.press)
    change = _Sync(MjApi.change)
    simple_change = _Sync(MjApi.simple_change)
    shorten = _Sync(MjApi.shorten)
    edits = _Sync(MjApi.edits)
    retexture = _Sync(MjApi.retexture)
    video = _Sync(MjApi.video)
    swap_face = _Sync(MjApi.swap_face)
    upload = _Sync(MjApi.upload)
    list_by_condition = _Sync(MjApi.list_by_condition)
    blend = _Sync(MjApi.blend)
    describe = _Sync(MjApi.describe)
    modal = _Sync(MjApi.modal)
    fetch = _Sync(MjApi.fetch)
    list_by_ids = _Sync(MjApi.list_by_ids)
    image_seed = _Sync(MjApi.image_seed)
    cancel = _Sync(MjApi.cancel)
    queue = _Sync(MjApi.queue)
    list = _Sync(MjApi.list)
    accounts = _Sync(MjApi.accounts)


class RoutesClient:
    """The sync facade over an ``AsyncClient`` running on a private loop thread: every
    route as a blocking method, no job layer (``wjnb.Client`` adds that).

    Usable from a script, any thread, or a notebook cell while Jupyter's loop runs.
    ``aio`` is the underlying ``AsyncClient`` and ``loop`` its ``LoopThread`` (the job
    tracker runs there). Takes the same arguments as ``AsyncClient``.
    """

    def __init__(
        self,
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
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.aio = AsyncClient(
            app_id=app_id,
            private_key=private_key,
            base_url=base_url,
            mj_base_url=mj_base_url,
            mj_token=mj_token,
            mj_auth=mj_auth,
            mj_flavor=mj_flavor,
            mj_mode=mj_mode,
            backend=backend,
            sandbox=sandbox,
            timeout=timeout,
            retry=retry,
        )
        self.loop = LoopThread()
        self._finalizer = weakref.finalize(self, _shutdown, self.loop, self.aio)
        self.wujie = SyncWujieApi(self.aio.wujie, self.loop.run)
        self.avatar = SyncAvatarApi(self.aio.avatar, self.loop.run)
        self.mj = SyncMjApi(self.aio.mj, self.loop.run)

    @property
    def config(self) -> Config:
        """The resolved settings (secrets stay wrapped)."""
        return self.aio.config

    @property
    def backend(self) -> str:
        """``"sandbox"`` or ``"remote"``."""
        return self.aio.backend

    @property
    def sandbox(self) -> Any:
        """The sandbox server in use, or None."""
        return self.aio.sandbox

    def close(self) -> None:
        """Close the connection pools and stop the loop thread (idempotent)."""
        self._finalizer()

    def __enter__(self) -> RoutesClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return _describe(self.aio, type(self).__name__)


#: The former name of ``RoutesClient`` (kept for one release; ``wjnb.Client`` is the one
#: with ``generate``).
Client = RoutesClient


def _shutdown(loop: LoopThread, aio: AsyncClient) -> None:
    """Close ``aio`` on its loop, then the loop (also run when a ``Client`` is collected)."""
    if not loop.in_loop_thread:
        loop.run(aio.aclose())
    loop.close()


def _describe(aio: AsyncClient, name: str = "AsyncClient") -> str:
    """A repr naming the backend and base URLs, never a credential."""
    config = aio.config
    parts = [f"backend={config.backend!r}"]
    if not config.wujie_missing:
        parts.append(f"wujie={config.base_url!r}")
    if not config.mj_missing:
        parts.append(f"mj={config.mj_base_url!r}")
    return f"{name}({', '.join(parts)})"
