"""What a task's intent (``upscale("subtle")``, ``vary("region")``, ``zoom(2)``, ``pan``)
means on the proxy: the button whose ``customId`` says so (reference §6 grammar), or the
``U``/``V`` label ``/submit/change`` knows on proxies without buttons."""

from __future__ import annotations

import re

from ...errors import InvalidArgument
from ...models import MjTaskInfo

#: customId patterns of the buttons an upscaled image offers.
_PATTERNS = {
    "upscale subtle": r"::upsample_[^:]*_subtle::",
    "upscale creative": r"::upsample_[^:]*_creative::",
    "vary strong": r"::high_variation::",
    "vary subtle": r"::low_variation::",
    "vary region": r"^MJ::Inpaint::",
    "zoom 2": r"^MJ::Outpaint::50::",
    "zoom 1.5": r"^MJ::Outpaint::75::",
    "zoom custom": r"^MJ::CustomZoom::",
    "pan left": r"::pan_left::",
    "pan right": r"::pan_right::",
    "pan up": r"::pan_up::",
    "pan down": r"::pan_down::",
}
PANS = ("left", "right", "up", "down")
VARIES = ("strong", "subtle", "region")


def label_for(task: MjTaskInfo | None, intent: str, index: int | None = None) -> str:
    """The label (or emoji) to press for ``intent``; a grid's ``U``/``V`` with ``index``.

    Returns the intent itself when the task has no such button, so ``press`` raises the
    usual error (``Unsupported`` naming the flavour, or the buttons it does have).
    """
    if index is not None:
        if index not in (1, 2, 3, 4):
            raise InvalidArgument("index", f"a grid has images 1-4, not {index!r}")
        return ("U" if intent.startswith("upscale") else "V") + str(index)
    pattern = _PATTERNS.get(intent)
    if pattern is None:
        raise InvalidArgument("button", f"no such button: {intent!r}")
    for button in (task.buttons if task else None) or []:
        if button.custom_id and re.search(pattern, button.custom_id):
            return button.label or button.emoji or intent
    return intent


def zoom_intent(factor: float) -> str:
    """``zoom 2``, ``zoom 1.5`` (their own buttons) or ``zoom custom`` (a modal prompt)."""
    if not isinstance(factor, (int, float)) or isinstance(factor, bool) or not 1 <= factor <= 2:
        raise InvalidArgument("factor", f"Midjourney zooms out 1 to 2 times, not {factor!r}")
    return {2: "zoom 2", 1.5: "zoom 1.5"}.get(float(factor), "zoom custom")
