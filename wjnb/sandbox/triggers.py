"""Prompt trigger words that make the sandbox misbehave in documented ways.

Put any of these words (brackets included, case-insensitive) in a prompt:

=============  ================================================================
``[nsfw]``     success with ``involve_yellow = 1`` and the placeholder picture
``[review]``   success whose audit says REVIEW (the ``sexy`` scene in review)
``[block]``    success whose audit says BLOCK (the ``porn`` scene blocked, ``hit``)
``[sensitive]`` create refused with 20110001, nothing charged; MJ imagine: code 24
               with ``properties.bannedWord``
``[fail]``     generation fails half-way: status 3 (MJ: FAILURE), credits refunded
``[drawfail]`` drawing fails half-way: status 12 (MJ: FAILURE), credits refunded
``[slow]``     the job takes ten times as long
``[freeze]``   MJ only: progress stops at 31 % and the task never ends by itself
               (a proxy flavour fails it after its run timeout)
=============  ================================================================

Triggers are removed from ``model_prompt`` (what "the model" receives) but kept in
``prompt``; they combine freely.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

_WORDS = ("nsfw", "review", "block", "sensitive", "fail", "drawfail", "slow", "freeze")
_PATTERN = re.compile(r"\[(" + "|".join(_WORDS) + r")\]", re.IGNORECASE)
SLOW_FACTOR = 10.0


@dataclass(frozen=True)
class Triggers:
    """Which trigger words a prompt contains."""

    nsfw: bool = False
    review: bool = False
    block: bool = False
    sensitive: bool = False
    fail: bool = False
    drawfail: bool = False
    slow: bool = False
    freeze: bool = False

    @classmethod
    def of(cls, *texts: str | None) -> Triggers:
        """The triggers found in any of ``texts``."""
        found = {m.lower() for t in texts if t for m in _PATTERN.findall(t)}
        return cls(**{w: w in found for w in _WORDS})

    @property
    def fails(self) -> bool:
        """True when the job is going to fail."""
        return self.fail or self.drawfail


def strip_triggers(text: str) -> str:
    """``text`` without trigger words and the spaces they leave."""
    return re.sub(r"\s{2,}", " ", _PATTERN.sub("", text)).strip()


# (label, label_desc, scene) in the order the service lists them (seed 000).
_SCENES = (
    ("politics", "涉政", "TERRORISM"),
    ("terrorism", "暴恐", "TERRORISM"),
    ("porn", "色情", "PORN"),
    ("prohibition", "违禁", "TERRORISM"),
    ("sexy", "性感", "PORN"),
)


def audit_info(triggers: Triggers, token: str, data_id: str, url: str) -> dict[str, Any]:
    """The content-audit object for a finished artwork; rates derive from ``token``."""
    digest = hashlib.sha256(token.encode()).digest()
    scenes = []
    for i, (label, desc, scene) in enumerate(_SCENES):
        suggestion = "pass"
        rate = 0.99 + digest[i] / 25500  # 0.99 .. 1.0: confidence in the verdict
        if label == "sexy" and triggers.review:
            suggestion, rate = "review", 0.6 + digest[i] / 1275
        if label == "porn" and triggers.block:
            suggestion, rate = "block", 0.9 + digest[i] / 2550
        scenes.append(
            {
                "rate": round(rate, 4),
                "suggestion": suggestion,
                "label": label,
                "label_desc": desc,
                "scene": scene,
            }
        )
    verdicts = {s["suggestion"] for s in scenes}
    total = "BLOCK" if "block" in verdicts else "REVIEW" if "review" in verdicts else "PASS"
    return {
        "check_fail": False,
        "hit": total != "PASS",
        "data_id": data_id,
        "total_suggestion": total,
        "scan_scene_d_t_o_s": scenes,
        "url": url,
    }
