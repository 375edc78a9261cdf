"""What the cards show of the newer Wujie kinds: a line naming the kind and its own
parameters, the text result of a describe or a prompt optimisation, and status tones
for kinds whose status enum has no entry of its own. Every text is escaped."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

#: Record columns that hold a job's text result (tags, an optimised prompt).
TEXT_RESULTS = ("tags", "optimized_prompt")
#: The status pill tone of a kind's status by its phase name.
PHASE_TONES = {
    "waiting": "slate",
    "running": "blue",
    "succeeded": "green",
    "failed": "red",
    "cancelled": "gray",
}


def result_text(record: Mapping[str, Any]) -> str | None:
    """The job's text result (tags or an optimised prompt), if it has one."""
    for column in TEXT_RESULTS:
        value = record.get(column)
        if isinstance(value, str) and value:
            return value
    return None


def text_result_html(text: str) -> str:
    """A text result in the picture's place: quoted, scrollable, selectable."""
    style = (
        "max-height:150px;overflow:auto;padding:6px 8px;border-left:3px solid #6366f1;"
        "background:#f5f3ff;font-size:12px;line-height:1.45;color:#1f2937;text-align:left;"
        "user-select:text"
    )
    return f'<div style="{style}">{html.escape(text)}</div>'


def text_picture_html(text: str, height: int) -> str:
    """A text result filling the picture's place (``height`` px tall): larger, centred
    top to bottom, scrollable when long, selectable."""
    area = (
        f"box-sizing:border-box;width:100%;height:{height}px;display:flex;flex-direction:column;"
        "overflow:auto;padding:14px 16px;border-left:3px solid #6366f1;background:#f5f3ff;"
        "user-select:text"
    )
    words = "margin:auto 0;font-size:14px;line-height:1.5;color:#1f2937;white-space:normal"
    return f'<div style="{area}"><div style="{words}">{html.escape(text)}</div></div>'


def kind_line(kind: str, record: Mapping[str, Any]) -> str | None:
    """One short line naming a non-artwork kind and its own parameters (None for artworks)."""
    if kind == "pro":
        parts = [f"Pro · model {record.get('model_code')}"]
        if record.get("control_net") is not None:
            parts.append(f"ControlNet {record['control_net']} w {record.get('control_weight')}")
        if record.get("pro_seconds") is not None:
            parts.append(f"{record['pro_seconds']} s pro time")
        return " · ".join(parts)
    if kind == "upscale":
        multiple = record.get("multiple")
        times = f" ×{multiple:g}" if isinstance(multiple, (int, float)) else ""
        return f"Upscale{times} · {record.get('super_size_type') or 'GENERAL'}"
    if kind == "describe":
        return "Describe · tags read from the picture"
    if kind == "optimize":
        return "Optimised prompt"
    return None


def sizes_line(before: tuple[int, int], after: tuple[int, int]) -> str:
    """``before 512×512 → after 1024×1024``: an upscale's two sizes."""
    return f"before {before[0]}×{before[1]} → after {after[0]}×{after[1]}"


def before_after_html(strip_uri: str, before: tuple[int, int], after: tuple[int, int]) -> str:
    """An upscale's before/after strip (centre at 100 %) with both sizes, for static cards."""
    label = html.escape(sizes_line(before, after))
    return (
        f'<div style="margin-top:6px"><img src="{html.escape(strip_uri)}" alt="{label}" '
        f'style="width:100%;display:block;border-radius:4px">'
        f'<div style="font-size:11px;color:#374151;margin-top:2px">{label} · centre at 100%'
        "</div></div>"
    )
