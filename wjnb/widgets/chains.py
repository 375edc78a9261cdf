"""The chain buttons of a finished job's card, one per button of each registered chain
(Upscale ×2, Upscale ×4, Describe, Animate...): each makes a tracked child job
(``job.upscale``, ``job.describe``, ``job.animate``) without blocking the kernel. The
buttons come from the job itself (``job.chain_buttons``): views never import the chains."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets as widgets

from .style import act, button

if TYPE_CHECKING:
    from ..surface import JobLike as Job


def chain_buttons(job: Job, done: Callable[[str], None]) -> list[tuple[str, widgets.Button]]:
    """(action, button) for every chain button; each submits its child job on a worker thread."""
    made = []
    for action, label, tip, args in job.chain_buttons:
        pressed = button(label, tip)

        def run(action: str = action, args: dict[str, object] = args) -> None:
            job.act(action, **args)

        pressed.on_click(lambda _, b=pressed, fn=run: act(b, fn, done))
        made.append((action, pressed))
    return made
