"""Wujie prompt optimisation: ``/ai/optimize/prompt/submit`` under a task id the caller
chooses, read with ``/ai/optimize/prompt/result``, pushed to ``callback_url`` when done.

wjnb chooses the task id itself (the ledger's request id), so a submit whose reply was
lost is found again by reading that id instead of being sent twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import InvalidArgument, WjnbError
from ...models_more import OptimizeCode, OptimizeResult
from ..kind import Json, Media, Phase, Reading, Submitted, phases_of
from .rows import StatusKind, media_text, reading_of, status_of, wire_of

if TYPE_CHECKING:
    from ...client import AsyncClient
    from ..job import Job

OPTIMIZE = "/ai/optimize/prompt/submit"

_PHASES = phases_of(OptimizeCode)


class OptimizeKind(StatusKind):
    """A rewritten prompt (``type``: common, colour or anime; ``language``: 0 zh, 1 en)."""

    name: ClassVar[str] = "optimize"
    phases: ClassVar[Mapping[Any, Phase]] = _PHASES
    columns: ClassVar[Mapping[str, str]] = {
        "prompt": "original",
        "optimize_type": "type",
        "language": "language",
    }
    silent: ClassVar[bool] = True
    routes: ClassVar[tuple[str, ...]] = (OPTIMIZE,)
    initial_status = OptimizeCode.RUNNING
    batch_size: ClassVar[int] = 1
    private_fields: ClassVar[tuple[str, ...]] = ("task_id", "callback_url")

    def check(self, route: str, body: Json) -> Json:
        """An optimisation needs the ``original`` prompt; wjnb picks the task id."""
        if not isinstance(body.get("original"), str) or not body["original"].strip():
            raise InvalidArgument("original", "give the prompt to optimise")
        for own in self.private_fields:
            if own in body:
                raise InvalidArgument(own, f"wjnb sets {own} itself (it finds lost submits)")
        return body

    def notify_fields(self, url: str | None, request_id: str) -> Json:
        """The task id is the request's id; the result is pushed to ``callback_url``."""
        return {"task_id": request_id, "callback_url": url or ""}

    async def submit(self, api: AsyncClient, route: str, body: Json) -> Submitted:
        """Submit; a refusal of a task id already used means an earlier send arrived."""
        task = str(body["task_id"])
        try:
            await api.wujie.tools.optimize_prompt(
                body["original"],
                type=body.get("type", 1),
                language=body.get("language", 1),
                task_id=task,
                callback_url=body.get("callback_url") or "",
            )
        except WjnbError:
            found = await self.find(api, task)
            if found is None:
                raise
            return found
        return Submitted([task], {"task_id": task})

    async def find(self, api: AsyncClient, request_id: str) -> Submitted | None:
        """The task exists when its result can be read."""
        try:
            await api.wujie.tools.optimize_result(request_id)
        except WjnbError:
            return None
        return Submitted([request_id], {"task_id": request_id, "reconciled": True})

    async def poll(self, api: AsyncClient, keys: list[str]) -> list[Reading]:
        """One ``/ai/optimize/prompt/result`` (the batch is a single key)."""
        return [self.read(key, await api.wujie.tools.optimize_result(key)) for key in keys]

    def read(self, key: str, wire: object) -> Reading:
        """A result or a callback body: ``code`` and, once done, the new prompt."""
        result = wire_of(OptimizeResult, wire, "a prompt optimisation")
        return reading_of(
            key,
            result,
            *status_of(OptimizeCode, _PHASES, result.code),
            media=(Media("text", text=result.result),) if result.result else (),
            failed="the optimisation failed",
        )

    def callback(self, body: Json) -> Reading | None:
        """The push carries the whole result."""
        result = OptimizeResult.from_dict(body)
        return self.read(result.task_id, result) if result.task_id else None

    def results(self, job: Job) -> Json:
        """The optimised prompt."""
        return {"optimized_prompt": media_text(job)}
