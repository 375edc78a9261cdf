"""The sandbox's asynchronous jobs beyond plain artworks: one engine for every other kind.

Pro artworks, upscales, spell analyses, prompt optimisations, videos, SVD clips, avatar
trainings, camera artworks and lab jobs all share one lifecycle: admitted for
``ADMIT_SECONDS``, queued for a simulated GPU, running (``complete_percent`` rising), then
success or failure (``[fail]`` anywhere in the request; charge refunded). Each kind maps
those phases onto its own wire status values (``Phases``). Charges come from the credit
(积分) balance or from the pro time balance. Results are files the CDN serves under
``/cdn/x/<name>`` once the job succeeded. Everything here runs on the server's event loop.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wjnb.models import ErrorCode

from .callbacks import CallbackSender
from .clock import VirtualClock
from .engine import Ledger
from .ids import Ids
from .images import Encoded
from .protocol import ApiFailure
from .scheduler import DONE, RUNNING, WAITING, GpuPool, Job
from .triggers import SLOW_FACTOR, Triggers
from .validate import invalid

ADMIT_SECONDS = 0.5
INTEGRAL, DURATION = "integral", "duration"
FAIL_CODE = 3001


@dataclass(frozen=True)
class Phases:
    """A kind's wire status for each phase (``admitted`` defaults to ``waiting``)."""

    waiting: Any
    running: Any
    success: Any
    failed: Any
    admitted: Any = None


@dataclass(eq=False)
class Task:
    """One job of any kind: its request, GPU job, charge and result files."""

    key: str
    kind: str
    phases: Phases
    params: dict[str, Any]
    job: Job
    created: float
    cost: int
    unit: str
    notify_url: str | None
    triggers: Triggers
    outcome: str = ""  # "", "success" or "failed"
    refunded: int = 0
    started: float = 0.0
    completed: float = 0.0
    result: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Callable[[], Encoded]] = field(default_factory=dict)
    callback: Callable[[Task], dict[str, Any]] | None = None
    gate: asyncio.Future[Any] | None = None  # work that must end before the job can

    @property
    def failed(self) -> bool:
        """True once the job failed."""
        return self.outcome == "failed"


class TaskEngine:
    """Every non-artwork job of one sandbox, the two balances they charge, their files."""

    def __init__(
        self,
        *,
        clock: VirtualClock,
        ids: Ids,
        pool: GpuPool,
        integral: Ledger,
        duration: Ledger,
        callbacks: CallbackSender,
        cdn_url: str,
    ) -> None:
        self.tasks: dict[str, Task] = {}
        self.files: dict[str, Task] = {}
        self.clock = clock
        self.ids = ids
        self.cdn = cdn_url
        self._pool = pool
        self._ledgers = {INTEGRAL: integral, DURATION: duration}
        self._callbacks = callbacks
        self._jobs: dict[Job, Task] = {}

    def balance(self, unit: str) -> int:
        """The balance of ``unit`` (credits or pro time)."""
        return self._ledgers[unit].balance

    def require(self, unit: str, amount: int) -> None:
        """Refuse with 20110010 unless the balance covers ``amount`` (nothing taken)."""
        ledger = self._ledgers[unit]
        if amount > ledger.balance:
            what = "credit" if unit == INTEGRAL else "pro time"
            raise ApiFailure(
                ErrorCode.INSUFFICIENT_BALANCE,
                f"insufficient {what} balance: the request costs {amount}, "
                f"the balance is {ledger.balance}",
            )

    def charge(self, unit: str, amount: int) -> None:
        """Take ``amount`` from a balance, or refuse with 20110010 (nothing taken)."""
        self.require(unit, amount)
        self._ledgers[unit].charge(amount)

    def admissible(self, *texts: str) -> Triggers:
        """The trigger words of a request; ``[sensitive]`` refuses it (20110001)."""
        triggers = Triggers.of(*texts)
        if triggers.sensitive:
            raise ApiFailure(
                ErrorCode.SENSITIVE_PROMPT, "the request contains sensitive words: [sensitive]"
            )
        return triggers

    def submit(
        self,
        kind: str,
        phases: Phases,
        params: dict[str, Any],
        *,
        seconds: float,
        cost: int,
        unit: str,
        triggers: Triggers,
        notify_url: str | None = None,
        key: str | None = None,
    ) -> Task:
        """Charge ``cost`` and queue a job of ``seconds`` virtual GPU time.

        ``key`` is the caller's own id (prompt optimisation), else a new key.
        """
        self.charge(unit, cost)
        if triggers.slow:
            seconds *= SLOW_FACTOR
        if triggers.fails:
            seconds *= 0.5
        now = self.clock.now()
        job = Job(seconds, self._started, self._finished, ready_at=now + ADMIT_SECONDS)
        task = Task(
            key=key or self.ids.key(),
            kind=kind,
            phases=phases,
            params=params,
            job=job,
            created=now,
            cost=cost,
            unit=unit,
            notify_url=notify_url,
            triggers=triggers,
        )
        self.tasks[task.key] = task
        self._jobs[job] = task
        self._pool.submit(job)
        return task

    def add_file(self, task: Task, name: str, produce: Callable[[], Encoded]) -> str:
        """Register a result file of ``task``; returns its CDN URL (served after success)."""
        task.files[name] = produce
        self.files[name] = task
        return f"{self.cdn}/x/{name}"

    def get(self, key: object, *kinds: str) -> Task:
        """The job of ``key`` if it is one of ``kinds``, else a 20010001 failure."""
        if not isinstance(key, str) or not key:
            raise invalid("key is required")
        task = self.tasks.get(key)
        if task is None or task.kind not in kinds:
            raise invalid(f"no {kinds[0]} job with key {key[:64]!r}")
        return task

    # ------------------------------------------------------------------ lifecycle

    def _started(self, job: Job) -> None:
        self._jobs[job].started = job.started

    def wait_for(self, task: Task, work: Callable[[], Any]) -> None:
        """Run ``work`` in a worker thread; the job ends no earlier (``task.result["work"]``)."""
        task.gate = asyncio.get_running_loop().run_in_executor(None, work)

    def _finished(self, job: Job) -> None:
        task = self._jobs.pop(job)
        task.completed = job.finish_at
        gate = task.gate
        if gate is not None and not gate.done():
            gate.add_done_callback(lambda _: self._settle(task))
        else:
            self._settle(task)

    def _settle(self, task: Task) -> None:
        gate = task.gate
        if gate is not None:
            if gate.cancelled() or gate.exception() is not None:
                task.triggers = Triggers(fail=True)
            else:
                task.result["work"] = gate.result()
        if task.triggers.fails:
            task.outcome = "failed"
            self._refund(task)
        else:
            task.outcome = "success"
        if task.notify_url and task.callback is not None:
            self._callbacks.send(task.notify_url, task.callback(task), retry_on_text=True)

    def _refund(self, task: Task) -> None:
        task.refunded = task.cost
        self._ledgers[task.unit].refund(task.cost)

    # ------------------------------------------------------------------ views

    def status(self, task: Task) -> Any:
        """The kind's wire status now."""
        p = task.phases
        state = task.job.state
        if state == WAITING:
            admitted = p.admitted if p.admitted is not None else p.waiting
            return admitted if self.clock.now() < task.job.ready_at else p.waiting
        if state == RUNNING or (state == DONE and not task.outcome):
            return p.running
        return p.failed if task.failed else p.success

    def done(self, task: Task) -> bool:
        """True once the job can no longer change."""
        return bool(task.outcome)

    def succeeded(self, task: Task) -> bool:
        """True once the job finished well."""
        return task.outcome == "success"

    def percent(self, task: Task) -> float:
        """``complete_percent`` (0-100)."""
        job = task.job
        if job.state == RUNNING and job.duration > 0:
            elapsed = self.clock.now() - job.started
            return round(min(99.0, 100.0 * elapsed / job.duration), 2)
        if job.state == DONE and not task.outcome:
            return 99.0
        return 100.0 if self.succeeded(task) else 0.0

    def eta(self, task: Task) -> int:
        """Expected seconds until the job ends (0 once it ended)."""
        if task.job.state not in (WAITING, RUNNING):
            return 0
        _, finish = self._pool.estimate(task.job)
        return max(0, math.ceil(finish - self.clock.now()))

    def estimate_new(self, seconds: float) -> int:
        """Expected seconds a new job of ``seconds`` GPU time would take from now."""
        return max(0, math.ceil(self._pool.estimate_new(seconds) - self.clock.now()))

    @property
    def waiting(self) -> int:
        """Jobs waiting for a GPU."""
        return self._pool.waiting

    def fail_message(self, task: Task) -> dict[str, Any]:
        """``{fail_code, fail_message}``: the failure, or ``{0, ""}``."""
        if task.failed:
            return {"fail_code": FAIL_CODE, "fail_message": "生成失败: sandbox trigger [fail]"}
        return {"fail_code": 0, "fail_message": ""}

    def ledger_rows(self) -> list[dict[str, Any]]:
        """Every job with its charge, for ``/_sandbox/artworks``."""
        return [
            {
                "key": t.key,
                "kind": t.kind,
                "status": self.status(t),
                "unit": t.unit,
                "cost_charged": t.cost,
                "cost_refunded": t.refunded,
            }
            for t in self.tasks.values()
        ]
