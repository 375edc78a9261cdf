"""Lineage of Midjourney tasks: which task and which button made each one, as columns
and as a family tree of thumbnails (static HTML, so it shows with or without widgets)."""

from __future__ import annotations

import base64
import html
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .job import Job


def columns(job: Job) -> dict[str, Any]:
    """``parent_id``, ``action``, ``button`` and ``depth`` of a job (the request names the
    parent task, so a job loaded from the ledger keeps its parent too)."""
    button = job.request.get("label")
    return {
        "parent_id": parent_id(job),
        "action": str(getattr(job, "action", None) or job.label or "IMAGINE"),
        "button": str(button) if button else None,
        "depth": depth(job),
    }


def parent_id(job: Job) -> str | None:
    """The task a job was made from (None for an imagine), from the job or its request."""
    found = job.parent.key if job.parent is not None else job.request.get("task_id")
    return str(found) if found else None


def depth(job: Job) -> int:
    """Generations above the job (0 for an imagine; 1 for a child whose parent is unknown)."""
    if job.parent is not None:
        return depth(job.parent) + 1
    return 1 if job.request.get("task_id") else 0


def root(job: Job) -> Job:
    """The oldest known ancestor."""
    while job.parent is not None:
        job = job.parent
    return job


def tree_html(job: Job, *, size: int = 96) -> str:
    """The family of ``job`` (from its oldest known ancestor) as nested lists of cards."""
    return f'<div class="wjnb-tree">{_node(root(job), job, size)}</div>'


def _node(job: Job, marked: Job, size: int) -> str:
    thumb = job.thumbnail(size) if job.done else None
    picture = (
        f'<img src="data:image/jpeg;base64,{base64.b64encode(thumb).decode()}" width="{size}">'
        if thumb
        else f'<div style="width:{size}px;height:{size}px;background:#eee"></div>'
    )
    made_by = columns(job)["button"] or columns(job)["action"]
    border = "2px solid #d33" if job is marked else "1px solid #ccc"
    card = (
        f'<div style="display:inline-block;border:{border};padding:2px;margin:2px">'
        f"{picture}<br><small>{html.escape(str(made_by))} · {html.escape(job.key)}"
        f" · {html.escape(str(job.status_name))}</small>{_text(job, size)}</div>"
    )
    kids = "".join(f"<li>{_node(child, marked, size)}</li>" for child in job.children)
    return card + (f'<ul style="list-style:none">{kids}</ul>' if kids else "")


def _text(job: Job, size: int) -> str:
    """A text result (describe's prompts, shorten's options) under the node, escaped."""
    text = next((m.text for m in job.media if m.type == "text" and m.text), None)
    if text is None:
        return ""
    lines = "<br>".join(html.escape(line) for line in text.splitlines() if line.strip())
    return f'<div style="max-width:{3 * size}px;font-size:11px;color:#444">{lines}</div>'


class Tree:
    """A task's family tree: shows as HTML in a notebook, ``widget()`` for ipywidgets."""

    def __init__(self, job: Job, size: int = 96) -> None:
        self.job = job
        self.size = size

    def __repr__(self) -> str:
        return f"<Tree of {root(self.job).key}>"

    def _repr_html_(self) -> str:
        return tree_html(self.job, size=self.size)

    def widget(self) -> Any:
        """An ``ipywidgets.HTML`` of the tree (the same markup as the static view)."""
        import ipywidgets

        return ipywidgets.HTML(self._repr_html_())
