"""The progress bar of ``JobSet.wait(progress=True)``: a live bar in a notebook kernel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..surface import JobSetLike


def progress_bar(jobs: JobSetLike) -> Callable[[], None] | None:
    """Show a progress bar in a live notebook; returns a function that closes it.

    The bar's static text (``wjnb: 18/18 done``) is refreshed in place when it closes, so
    a saved notebook shows the final count where widgets do not render. While jobs are
    unfinished the label also says where they are (running, queued at the service, waiting
    on our side for a Midjourney proxy's slot).
    """
    try:
        from IPython import get_ipython

        shell = get_ipython()  # type: ignore[no-untyped-call]
    except ImportError:
        return None
    if shell is None or not hasattr(shell, "kernel"):
        return None
    import ipywidgets as w
    from IPython.display import display

    bar = w.IntProgress(min=0, max=max(1, len(jobs)), description="wjnb")
    label = w.Label()

    def summary() -> str:
        return f"wjnb: {sum(j.done for j in jobs)}/{len(jobs)} done"

    class Progress(w.HBox):  # type: ignore[misc]
        def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
            data: dict[str, Any] = super()._repr_mimebundle_(**kwargs) or {}
            data["text/plain"] = summary()
            data["text/html"] = f"<code>{summary()}</code>"
            return data

    box = Progress([bar, label])

    def refresh(_: object = None) -> None:
        bar.max = max(1, len(jobs) + jobs.pending_requests)
        bar.value = sum(j.done for j in jobs)
        where = str(jobs.progress)  # "3 running · 10 queued · 27 waiting": a proxy's queue
        label.value = summary().removeprefix("wjnb: ") + (f" · {where}" if where else "")

    subs: list[Callable[[], None]] = []
    watched: set[int] = set()

    def follow(_: object = None) -> None:
        """Observe jobs as they join the set (a proxy's sweep adds them as slots free)."""
        for job in list(jobs):
            if id(job) not in watched:
                watched.add(id(job))
                subs.append(job.observe(refresh))
        refresh()

    subs.append(jobs.observe(follow))
    follow()
    handle = display(box, display_id=True)  # type: ignore[no-untyped-call]

    def close() -> None:
        refresh()
        for unsubscribe in subs:
            unsubscribe()
        if handle is not None:
            handle.update(box)

    return close
