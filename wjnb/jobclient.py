"""The public ``wjnb.Client``: the route client plus the job layer.

``client.py`` knows routes; this adds what notebooks use: ``generate``, ``sweep``, ``load``,
tracked Midjourney tasks (``client.mj.imagine`` returns a task you can ``wait()`` on and
``press()``), avatar jobs, and ``submit`` for views that must not block the kernel.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import math
import os
import threading
import weakref
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from . import client as _routes
from .api.avatar import Template
from .api.mj import change_of
from .errors import BudgetExceeded, InvalidArgument
from .jobs import JobSet, Kind, MjTask, PollPolicy
from .jobs.followup import follow
from .jobs.kinds import mj_submits as tasks
from .jobs.kinds.mj_submits import ImageLike
from .jobs.queue import ProxyQueue
from .jobs.runner import Runner
from .jobs.stuck import StuckPolicy

T = TypeVar("T")


class MjJobs(_routes.SyncMjApi):
    """The Midjourney routes, with ``imagine`` returning a tracked ``MjTask``."""

    def __init__(self, owner: Client) -> None:
        super().__init__(owner.aio.mj, owner.loop.run)
        self._owner = owner

    @property
    def scheduler(self) -> ProxyQueue:
        """The account-aware scheduler's queue now: submits waiting here, tasks queued and
        running at the proxy, its capacity and any day limit left (``str()`` reads well)."""
        runner = self._owner.runner
        return self._owner.loop.run(runner.proxy_queue())

    def imagine(self, prompt: str, /, **params: Any) -> MjTask:  # type: ignore[override]
        """Submit an IMAGINE task; returns it tracked (``wait()``, ``press("U2")``, ``seed()``)."""
        runner = self._owner.runner
        task = runner.call(runner.imagine(prompt, **params))
        assert isinstance(task, MjTask)
        return task

    def _task(self, route: str, body: dict[str, Any], experiment: str | None) -> MjTask:
        runner = self._owner.runner
        task = runner.call(runner.submit("mj", route, body, experiment=experiment))[0]
        assert isinstance(task, MjTask)
        return task

    def describe(  # type: ignore[override]
        self, image: ImageLike, /, *, experiment: str | None = None, **fields: Any
    ) -> MjTask:
        """Four prompts for a picture, as a tracked task (``task.prompts``, ``task.text``;
        ``task.imagine(2)`` imagines the second as its child). An http(s) URL is sent as
        trueai's ``link``; other flavours need the picture itself."""
        linked = isinstance(image, str) and image.startswith(("http://", "https://"))
        body = {"link" if linked else "base64": image, **fields}
        return self._task(tasks.MJ_DESCRIBE, body, experiment)

    def blend(  # type: ignore[override]
        self, images: Sequence[ImageLike], /, *, experiment: str | None = None, **fields: Any
    ) -> MjTask:
        """Blend 2 to 5 pictures into a grid, as a tracked task (it has U/V buttons)."""
        return self._task(tasks.MJ_BLEND, {"base64_array": images, **fields}, experiment)

    def shorten(  # type: ignore[override]
        self, prompt: str, /, *, experiment: str | None = None, **fields: Any
    ) -> MjTask:
        """Shorter versions of a prompt, as a tracked task (``task.prompts``)."""
        return self._task(tasks.MJ_SHORTEN, {"prompt": prompt, **fields}, experiment)

    def edits(  # type: ignore[override]
        self, prompt: str, image: ImageLike, /, *, experiment: str | None = None, **fields: Any
    ) -> MjTask:
        """Redraw a picture to a prompt, as a tracked task (trueai)."""
        body = {"prompt": prompt, "image": image, **fields}
        return self._task(tasks.MJ_EDITS, body, experiment)

    def retexture(  # type: ignore[override]
        self, prompt: str, image: ImageLike, /, *, experiment: str | None = None, **fields: Any
    ) -> MjTask:
        """New surfaces for a picture, as a tracked task (trueai)."""
        body = {"prompt": prompt, "image": image, **fields}
        return self._task(tasks.MJ_RETEXTURE, body, experiment)

    def video(  # type: ignore[override]
        self, prompt: str, /, *, experiment: str | None = None, **fields: Any
    ) -> MjTask:
        """A short video from a prompt (and ``image=``), as a tracked task (trueai)."""
        return self._task(tasks.MJ_VIDEO, {"prompt": prompt, **fields}, experiment)

    def upload(self, images: Sequence[ImageLike], /) -> list[str]:  # type: ignore[override]
        """Upload pictures to the proxy's Discord channel (trueai, relays): their URLs."""
        urls = [tasks.data_url("images", image) for image in images]
        return self._owner.loop.run(self._owner.aio.mj.upload(urls))

    def swap_face(  # type: ignore[override]
        self,
        source: ImageLike,
        target: ImageLike,
        /,
        *,
        experiment: str | None = None,
        **fields: Any,
    ) -> MjTask:
        """``source``'s face onto ``target``, as a tracked task (plus, trueai, relays)."""
        body = {"source": source, "target": target, **fields}
        return self._task(tasks.MJ_SWAP_FACE, body, experiment)

    def sweep(
        self,
        prompt: str | None,
        /,
        *,
        grid: Mapping[str, Sequence[Any]],
        experiment: str,
        max_tasks: int | None = None,
        then: str | None = None,
        **params: Any,
    ) -> JobSet:
        """One IMAGINE per combination of ``grid`` (``prompt``, any submit field or any
        ``--`` parameter such as ``"--stylize": [50, 250]``), at most ``max_tasks`` tasks
        (follow-ups counted), each pressed ``then`` (``"U1"``) once it succeeds. Returns at
        once: tasks wait on our side for the proxy's free slots."""
        runner = self._owner.runner
        per_combo = 2 if then else 1
        budget = None if max_tasks is None else max_tasks // per_combo
        if then is not None and change_of(then) is None:
            raise InvalidArgument("then", f"expected a button like 'U1', got {then!r}")

        combos = math.prod(len(v) for v in grid.values()) if isinstance(grid, Mapping) else 0

        async def start() -> JobSet:
            try:
                jobs = await runner.sweep(
                    prompt, grid=grid, experiment=experiment, kind="mj", budget=budget, **params
                )
            except BudgetExceeded:
                raise BudgetExceeded(
                    f"sweep {experiment!r} needs {combos * per_combo} tasks, over"
                    f" max_tasks={max_tasks}; nothing was submitted"
                ) from None
            if then is not None:
                follow(runner, jobs, then, combos)
            return jobs

        return runner.call(start())


class AvatarJobs(_routes.SyncAvatarApi):
    """The avatar-camera routes, with ``create`` returning a tracked ``JobSet``."""

    def __init__(self, owner: Client) -> None:
        super().__init__(owner.aio.avatar, owner.loop.run)
        self._owner = owner

    def create(  # type: ignore[override]
        self,
        avatar_key: str,
        prompt: str | None = None,
        *,
        templates: Iterable[Template] = (),
        experiment: str | None = None,
    ) -> JobSet:
        """Render an avatar into up to 5 templates (``[(template_key, number)]``)."""
        runner = self._owner.runner
        return runner.call(
            runner.avatar_create(avatar_key, prompt, templates=templates, experiment=experiment)
        )


class Client(_routes.RoutesClient):
    """Generate, sweep, track and resume image jobs; every route as a typed method too.

    ``home`` is where the ledger and image cache live (``WJNB_HOME``, default ``./.wjnb``).
    ``callbacks`` serves ``notify_url`` on loopback (default: when the backend is the
    sandbox or another loopback service). ``reconcile_after`` is how long a create with an
    unknown outcome waits for its callback before it is declared never created.
    ``prefetch`` downloads each finished picture (and its thumbnail) into the cache at once.
    ``lease_ttl`` is how long this client's claim to poll a job lasts unrenewed: kernels on
    one ledger poll each job once between them, and take over a dead kernel's jobs after it.
    ``mj_capacity`` is how many unfinished tasks the Midjourney proxy holds (its accounts'
    core + queue sizes; default: read from the proxy's account settings where a route shows
    them, else 13 for one default account): further submits wait on our side.
    ``mj_stuck`` says how long a task's progress may stand still before it is given up
    (default: the proxy flavour's own timeouts, see ``wjnb.jobs.stuck``).
    """

    def __init__(
        self,
        *,
        home: str | os.PathLike[str] | None = None,
        callbacks: bool | None = None,
        reconcile_after: float = 120.0,
        concurrency: int = 4,
        rate: float = 20.0,
        prefetch: bool = True,
        poll: PollPolicy | None = None,
        lease_ttl: float = 30.0,
        mj_capacity: int | None = None,
        mj_stuck: StuckPolicy | None = None,
        **route_options: Any,
    ) -> None:
        super().__init__(**route_options)
        self._runner_options: dict[str, Any] = {
            "home": _home(home),
            "callbacks": _loopback(self.config.base_url) if callbacks is None else callbacks,
            "reconcile_after": reconcile_after,
            "concurrency": concurrency,
            "rate": rate,
            "prefetch": prefetch,
            "policy": poll,
            "lease_ttl": lease_ttl,
            "capacity": mj_capacity,
            "stuck": mj_stuck,
        }
        self._runner: Runner | None = None
        self._runner_lock = threading.Lock()
        # Registered after any sandbox this client started, so it closes first at exit.
        atexit.register(_close_at_exit, weakref.ref(self))
        self.mj = MjJobs(self)
        self.avatar = AvatarJobs(self)

    @property
    def runner(self) -> Runner:
        """The job layer (created on first use, so a route-only client writes nothing)."""
        with self._runner_lock:
            if self._runner is None:
                self._runner = Runner(self.aio, self.loop, owner=self, **self._runner_options)
            return self._runner

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run a coroutine on the client's loop without blocking (for views and callbacks)."""
        return self.loop.submit(coro)

    def generate_nowait(
        self, prompt: str, /, *, kind: str = "artwork", experiment: str | None = None, **params: Any
    ) -> concurrent.futures.Future[JobSet]:
        """``generate`` without blocking: a future of the JobSet (for views and callbacks).

        ``kind="pro"`` makes pro artworks (``params`` are the pro create's fields) and
        ``kind="mj"`` a Midjourney imagine, as ``client.mj.imagine`` does.
        """
        if kind == "artwork":
            runner = self.runner
            return self.loop.submit(runner.generate(prompt, experiment=experiment, **params))
        return self.create_nowait(kind, {**params, "prompt": prompt}, experiment=experiment)

    def create_nowait(
        self,
        kind: str,
        body: dict[str, Any],
        /,
        *,
        route: str | None = None,
        experiment: str | None = None,
    ) -> concurrent.futures.Future[JobSet]:
        """``create`` without blocking: a future of the JobSet (for views and callbacks)."""
        runner = self.runner
        spec = runner.kinds.get(kind)
        if spec is None:
            raise InvalidArgument("kind", f"expected one of {sorted(runner.kinds)}, got {kind!r}")
        coro = runner.submit(spec, route or spec.routes[0], body, experiment=experiment)
        return self.loop.submit(coro)

    def register(self, kind: Kind) -> Kind:
        """Teach this client a new kind of work (see ``wjnb.jobs.kind``); returns it."""
        return self.runner.register(kind)

    def create(
        self,
        kind: Kind | str,
        body: dict[str, Any],
        /,
        *,
        route: str | None = None,
        experiment: str | None = None,
    ) -> JobSet:
        """Submit one create of any kind (to its first route unless ``route`` says) and
        return its jobs, already tracked, with the same ledger guarantees as ``generate``."""
        runner = self.runner
        spec = kind if isinstance(kind, Kind) else runner.kinds[kind]
        return runner.call(
            runner.submit(spec, route or spec.routes[0], body, experiment=experiment)
        )

    def experiment(self, name: str) -> JobSet:
        """The live JobSet of an experiment: its jobs so far (from the ledger, resumed) and
        every job submitted under its name from now on."""
        return self.runner.call(self.runner.experiment(name))

    def generate(self, prompt: str, /, *, experiment: str | None = None, **params: Any) -> JobSet:
        """Submit one create (``num`` images) and return its jobs, already being tracked."""
        return self.runner.call(self.runner.generate(prompt, experiment=experiment, **params))

    def sweep(
        self,
        prompt: str | None,
        /,
        *,
        grid: Mapping[str, Sequence[Any]],
        experiment: str,
        seeds: Sequence[int | str] | None = None,
        budget: int | None = None,
        budget_name: str | None = None,
        kind: str = "artwork",
        **params: Any,
    ) -> JobSet:
        """One create per combination of ``grid`` x ``seeds``, priced against ``budget`` first.

        ``grid`` may vary any create field, ``prompt`` and ``model`` included (then pass
        ``None`` as the prompt), or a nested one (``kind="pro"``, ``"advanced_param.cfg"``,
        ``"control_net_params[0].control_weight"``). ``budget_name`` makes ``budget`` a named
        budget shared by every process on the same ledger (credits reserved in the ledger
        before each create is sent)."""
        return self.runner.call(
            self.runner.sweep(
                prompt,
                grid=grid,
                seeds=seeds,
                experiment=experiment,
                budget=budget,
                budget_name=budget_name,
                kind=kind,
                **params,
            )
        )

    def load(self, experiment: str) -> JobSet:
        """An experiment's jobs from the ledger; unfinished ones resume, nothing is re-sent."""
        return self.runner.call(self.runner.load(experiment))

    def close(self) -> None:
        """Stop tracking (the ledger keeps everything) and close connections."""
        if self._runner is not None and not self.loop.in_loop_thread:
            with contextlib.suppress(RuntimeError):
                self.loop.run(self._runner.close())
        super().close()


def _close_at_exit(ref: weakref.ref[Client]) -> None:
    """Stop tracking quietly at interpreter exit (the ledger keeps everything)."""
    client = ref()
    if client is not None:
        client.close()


def _home(home: object) -> Path | None:
    """The ledger home as a path (``InvalidArgument`` for anything that is not one)."""
    if home is None:
        return None
    if not isinstance(home, (str, os.PathLike)) or not str(home).strip():
        raise InvalidArgument("home", f"expected a folder path, got {type(home).__name__}")
    return Path(home)


def _loopback(url: str | None) -> bool:
    """True when ``url`` points at this machine (a service there can reach our receiver)."""
    from urllib.parse import urlsplit

    host = (urlsplit(url or "").hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")
