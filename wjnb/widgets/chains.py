"""The chain buttons of a finished picture's card: Upscale ×2, Upscale ×4 and Describe
make tracked child jobs (``job.upscale``, ``job.describe``) without blocking the kernel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from .style import act, button

if TYPE_CHECKING:
    from ..surface import JobLike as Job

#: (label, tooltip, action, arguments) of each chain button.
CHAINS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("Upscale ×2", "Upscale this picture twice (a new tracked job)", "upscale", {"multiple": 2}),
    ("Upscale ×4", "Upscale this picture 4 times (a new tracked job)", "upscale", {"multiple": 4}),
    ("Describe", "Read tags from this picture (a new tracked job)", "describe", {}),
)


def chain_buttons(job: Job, done: Callable[[str], None]) -> list[widgets.Button]:
    """One button per chained action; each submits its child job on a worker thread."""
    made = []
    for label, tip, action, args in CHAINS:
        chain = button(label, tip)

        def run(action: str = action, args: dict[str, Any] = args) -> None:
            perform = getattr(job, "act", None)  # views see jobs through ``JobLike``
            if perform is not None:
                perform(action, **args)

        chain.on_click(lambda _, b=chain, fn=run: act(b, fn, done))
        made.append(chain)
    return made
