"""Static HTML views of jobs, job sets and Midjourney tasks, for where widgets are not live.

GitHub, nbviewer and a saved notebook's ``text/html`` output show these. Styles are inline
(static viewers drop ``<style>`` blocks), pictures are small thumbnails as ``data:`` URIs,
and every piece of user or server text goes through ``esc`` — prompts and failure
messages are never trusted as markup. The widgets build their labels from the same pieces
so a card looks the same live and saved.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from . import thumbs
from .errors import WjnbError
from .kindview import PHASE_TONES, kind_line, result_text, text_picture_html, text_result_html
from .models import ArtworkStatus, AuditSuggestion, IntegralCostMessage, MjStatus, ModelType

if TYPE_CHECKING:
    from .surface import JobLike as Job
    from .surface import JobSetLike as JobSet
    from .surface import MjTaskLike as MjTask

FONT = "system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif"

#: Model families by their English name (the service's own names are Chinese).
MODEL_NAMES = {
    ModelType.GENERAL: "General",
    ModelType.COMIC: "Comic",
    ModelType.STYLE: "Style",
    ModelType.MIDJOURNEY: "Midjourney",
}

#: Badge colours: (text, background).
TONES: dict[str, tuple[str, str]] = {
    "slate": ("#334155", "#e2e8f0"),
    "blue": ("#1d4ed8", "#dbeafe"),
    "green": ("#15803d", "#dcfce7"),
    "red": ("#b91c1c", "#fee2e2"),
    "amber": ("#b45309", "#fef3c7"),
    "pink": ("#be185d", "#fce7f3"),
    "teal": ("#0f766e", "#ccfbf1"),
    "gray": ("#4b5563", "#f3f4f6"),
}
#: Progress-bar colours by tone.
BAR = {"slate": "#94a3b8", "blue": "#3b82f6", "green": "#22c55e", "red": "#ef4444"}

_WUJIE_STATUS: dict[ArtworkStatus, tuple[str, str]] = {
    ArtworkStatus.SUBMITTED: ("Submitted", "slate"),
    ArtworkStatus.SUBMITTED_ALT: ("Submitted", "slate"),
    ArtworkStatus.QUEUED: ("Queued", "slate"),
    ArtworkStatus.GENERATING: ("Generating", "blue"),
    ArtworkStatus.SUCCESS: ("Done", "green"),
    ArtworkStatus.FAILED: ("Failed", "red"),
    ArtworkStatus.DRAW_FAILED: ("Drawing failed", "red"),
    ArtworkStatus.CANCELLED: ("Cancelled", "gray"),
}
_MJ_STATUS: dict[MjStatus, tuple[str, str]] = {
    MjStatus.NOT_START: ("Submitted", "slate"),
    MjStatus.SUBMITTED: ("Submitted", "slate"),
    MjStatus.MODAL: ("Needs input", "amber"),
    MjStatus.IN_PROGRESS: ("In progress", "blue"),
    MjStatus.SUCCESS: ("Done", "green"),
    MjStatus.FAILURE: ("Failed", "red"),
    MjStatus.CANCEL: ("Cancelled", "gray"),
}
#: The media kinds' titles and the record columns their cards show, by ``job.kind``.
MEDIA_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "video": ("Video to video", ("model_name", "video_duration", "width", "height")),
    "svd": ("Image to video", ("duration", "camera_move_type", "motion_amplitude", "seed")),
    "avatar": ("Avatar training", ("photos",)),
    "camera": ("Avatar camera", ("duration_cost", "seed")),
    "lab": ("AI lab", ("tool", "quantize", "video_second", "prompt")),
    "youthify": ("Youthify", ("super_size_multiple", "width", "height")),
}
#: How a card names a result file it links to, by ``Media.type``.
_FILE_NAMES = {"video": "clip", "svg": "SVG"}
_WAITING = (
    ArtworkStatus.SUBMITTED,
    ArtworkStatus.SUBMITTED_ALT,
    ArtworkStatus.QUEUED,
    MjStatus.NOT_START,
    MjStatus.SUBMITTED,
)
_CREDITS = {
    IntegralCostMessage.DEDUCTED.value: "credits deducted",
    IntegralCostMessage.REFUNDED.value: "credits refunded",
    IntegralCostMessage.INSUFFICIENT.value: "insufficient credits, partly charged",
    IntegralCostMessage.PENDING.value: "credits being charged",
    IntegralCostMessage.FREE.value: "free",
}


def esc(value: object) -> str:
    """Text made safe for HTML content and attribute values."""
    return html.escape("" if value is None else str(value), quote=True)


def plural(count: int, noun: str) -> str:
    """``1 job``, ``2 jobs``, ``1,200 credits``: a count with its noun in the right number."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def badge(text: str, tone: str) -> str:
    """A rounded status pill."""
    ink, bg = TONES.get(tone, TONES["gray"])
    return (
        f'<span style="display:inline-block;padding:0 8px;margin:0 4px 2px 0;border-radius:999px;'
        f"font:600 11px/19px {FONT};letter-spacing:.02em;color:{ink};background:{bg};"
        f'white-space:nowrap">{esc(text)}</span>'
    )


def progress_bar(percent: float | None, tone: str = "blue") -> str:
    """A thin bar; an empty track when the percentage is unknown."""
    width = 0.0 if percent is None else max(0.0, min(100.0, percent))
    return (
        '<div style="height:6px;border-radius:3px;background:#e5e7eb;overflow:hidden">'
        f'<div style="height:6px;width:{width:.1f}%;background:{BAR.get(tone, BAR["blue"])};'
        'transition:width .4s"></div></div>'
    )


def duration(seconds: float | None) -> str:
    """``~12 s`` / ``~3 min`` for an ETA; empty when unknown."""
    if seconds is None or seconds <= 0:
        return ""
    if seconds < 90:
        return f"~{round(seconds)} s"
    return f"~{round(seconds / 60)} min"


def status(job: Job | MjTask) -> tuple[str, str]:
    """(label, tone) of a job's or task's status."""
    if job.done and job.error is not None and job.status_name == "error":
        return "Error", "red"
    st = job.status
    if isinstance(st, ArtworkStatus):
        return _WUJIE_STATUS[st]
    if isinstance(st, MjStatus):
        return _MJ_STATUS[st]
    phase = getattr(getattr(job, "phase", None), "value", "")  # the newer kinds: by phase
    label = "Done" if phase == "succeeded" else job.status_name.replace("_", " ").capitalize()
    return label, PHASE_TONES.get(phase, "gray")


def flags(job: Job | MjTask) -> list[tuple[str, str]]:
    """Warnings worth a badge of their own: NSFW, audit REVIEW/BLOCK, refunded credits."""
    out: list[tuple[str, str]] = []
    if job.nsfw:
        out.append(("NSFW", "pink"))
    if job.audit == AuditSuggestion.BLOCK:
        out.append(("Blocked", "red"))
    elif job.audit == AuditSuggestion.REVIEW:
        out.append(("Review", "amber"))
    if job.refunded:
        out.append(("Refunded", "teal"))
    return out


def veiled(job: Job | MjTask) -> bool:
    """True when the picture must stay blurred until the user reveals it (NSFW or BLOCK)."""
    return bool(job.nsfw or job.audit == AuditSuggestion.BLOCK)


def badges(job: Job | MjTask) -> str:
    """The status pill followed by the warning pills."""
    return "".join(badge(text, tone) for text, tone in [status(job), *flags(job)])


def params_lines(record: Mapping[str, Any]) -> list[str]:
    """Key parameters in two short lines: ``General · 512×512 · 30 steps`` and
    ``cfg 7 · sampler 1 · seed 42`` (cards stay one height whatever the values).
    """
    model = record.get("model")
    try:
        family = MODEL_NAMES[ModelType(model)] if model is not None else None
    except (ValueError, TypeError):
        family = f"model {model}"
    size = (
        f"{record['width']}×{record['height']}"
        if record.get("width") and record.get("height")
        else None
    )
    steps = f"{record['steps']} steps" if record.get("steps") is not None else None
    cfg = record.get("cfg")
    sampler = record.get("sampler_index")
    seed = record.get("seed")
    first = [family, size, steps]
    second = [
        f"cfg {cfg:g}" if isinstance(cfg, (int, float)) else None,
        f"sampler {sampler}" if sampler is not None else None,
        f"seed {seed}" if seed not in (None, "") else None,
    ]
    return [" · ".join(p for p in line if p) for line in (first, second)]


def progress_text(job: Job | MjTask) -> str:
    """What a pending job is waiting on: queue position (Wujie), percent, ETA (Wujie)."""
    parts: list[str] = []
    position = getattr(job, "queue_position", None)
    if job.status in _WAITING:
        if position is not None:
            parts.append(f"{position} ahead in queue" if position else "next in queue")
    elif job.progress is not None:
        parts.append(f"{job.progress:.0f}%")
    eta = duration(getattr(job, "eta_s", None))
    if eta:
        parts.append(f"{eta} left")
    return " · ".join(parts)


def outcome_text(job: Job | MjTask) -> str:
    """Why a job failed and what happened to its credits; empty when there is nothing to say."""
    parts: list[str] = []
    if job.failed and job.fail_message:
        parts.append(job.fail_message)
    elif job.error:
        parts.append(job.error)
    message = job.record.get("integral_cost_message") if job.failed else None
    if job.failed and job.refunded:
        parts.append("credits refunded")
    elif isinstance(message, str) and message:
        parts.append(_CREDITS.get(message, message))
    return " · ".join(parts)


def line_html(text: str, color: str = "#6b7280", size: int = 11) -> str:
    """One escaped line of small text; nothing when ``text`` is empty."""
    if not text:
        return ""
    return f'<div style="font:{size}px/1.45 {FONT};color:{color};margin-top:3px">{esc(text)}</div>'


def prompt_html(text: str) -> str:
    """The prompt, clamped to two lines, whole in the tooltip."""
    short = text if len(text) <= 140 else text[:139] + "…"
    return (
        f'<div title="{esc(text)}" style="font:500 12px/1.4 {FONT};color:#111827;margin-top:4px;'
        f'overflow:hidden;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical">'
        f"{esc(short)}</div>"
    )


def pending_html(job: Job | MjTask, height: int) -> str:
    """What stands in for a picture not shown (yet) in an area ``height`` px tall: a text
    result filling it, else the status, progress bar and what it waits on."""
    text = result_text(job.record) if job.done else None
    if text:
        return text_picture_html(text, height)
    label, tone = status(job)
    inner = esc(label)
    if not job.done:
        inner += f'<div style="margin:8px 0 2px">{progress_bar(job.progress or 0.0, tone)}</div>'
        inner += line_html(progress_text(job))
    return (
        f'<div style="width:75%;margin:auto;text-align:center;font:12px {FONT};color:#6b7280">'
        f"{inner}</div>"
    )


def job_details_html(job: Job) -> str:
    """Prompt, key parameters and outcome of an artwork (the text part of its card); a
    media kind's title, parameters and results."""
    if job.kind in MEDIA_KINDS:
        return media_details_html(job)
    record = job.record
    line = kind_line(job.kind, record)
    return (
        (line_html(line, "#4338ca") if line else "")
        + prompt_html(str(record.get("prompt") or ""))
        + "".join(line_html(line) for line in params_lines(record))
        + line_html(outcome_text(job), "#b91c1c")
    )


def media_details_html(job: Job) -> str:
    """A media job's text: what made it, its own parameters, its text results and links."""
    title, names = MEDIA_KINDS[job.kind]
    record = job.record
    params = [
        f"{name.replace('_', ' ')} {record[name]}"
        for name in names
        if record.get(name) not in (None, "")
    ]
    texts = [m.text for m in job.media if m.type == "text" and m.text]
    if any(m.type == "video" for m in job.media):
        title += " ▶"
    links = " · ".join(
        f'<a href="{esc(m.url)}" target="_blank" rel="noopener" style="color:#2563eb">'
        f"{esc(_FILE_NAMES[m.type])}</a>"
        for m in job.media
        if m.type in _FILE_NAMES and m.url and m.url.startswith(("http://", "https://"))
    )
    link_line = f'<div style="font:11px {FONT};margin-top:3px">{links}</div>' if links else ""
    return (
        f'<div style="font:600 12px/1.4 {FONT};color:#111827;margin-top:4px">{esc(title)}</div>'
        + line_html(" · ".join(params))
        + "".join(line_html(t, "#111827", 12) for t in texts)
        + link_line
        + line_html(outcome_text(job), "#b91c1c")
    )


def mj_prompt(task: MjTask) -> str:
    """The prompt of a Midjourney task as the proxy reports it, else as it was submitted."""
    return (task.task.prompt if task.task else None) or str(task.request.get("prompt") or "")


def mj_prompt_html(task: MjTask) -> str:
    """The task's prompt, or its text result (describe's prompts, shorten's options)."""
    text = task.text
    return text_result_html(text) if text else prompt_html(mj_prompt(task))


def _img(data: bytes, alt: str, side: int) -> str:
    return (
        f'<img src="{thumbs.data_uri(data)}" alt="{esc(alt)}" '
        f'style="max-width:{side}px;max-height:{side}px;display:block;margin:auto">'
    )


def _key_line(key: str) -> str:
    return f'<div style="font:10px {FONT};color:#9ca3af;margin-top:3px">{esc(key)}</div>'


def _frame(picture: str, body: str, width: int) -> str:
    return (
        f'<div style="display:inline-block;vertical-align:top;width:{width}px;margin:0 8px 8px 0;'
        f"border:1px solid #e5e7eb;border-radius:10px;overflow:hidden;background:#fff;"
        f'box-shadow:0 1px 2px rgba(0,0,0,.05);font-family:{FONT}">'
        f'<div style="height:{width - 20}px;background:#f3f4f6;display:flex;align-items:center;'
        f'justify-content:center;overflow:hidden">{picture}</div>'
        f'<div style="padding:8px 10px 10px">{body}</div></div>'
    )


def static_thumbnail(job: Job | MjTask, size: int = 256) -> bytes | None:
    """The job's thumbnail for static HTML, only if cached (never downloads), veiled if needed."""
    if not job.done or not job.thumbnail_ready:
        return None
    data = job.thumbnail(size)
    return None if data is None else shareable(job, data, size)


def photo_urls(job: Job | MjTask) -> list[str]:
    """The photos a card shows for a job with no picture of its own: an avatar training's
    first four training photos (none for other kinds)."""
    photos = job.request.get("image_urls") if job.kind == "avatar" else None
    return [u for u in photos if isinstance(u, str) and u][:4] if isinstance(photos, list) else []


def photos_thumbnail(job: Job | MjTask, size: int = 256) -> bytes | None:
    """A sheet of ``photo_urls`` once the job succeeded (each downloaded once, then read from
    the disk cache); None without any, or when one cannot be had (the status shows then)."""
    urls = photo_urls(job)
    if not urls or not job.done or job.failed:
        return None
    try:
        return thumbs.photo_sheet([job.download(u) for u in urls], size)
    except (WjnbError, OSError, RuntimeError):  # RuntimeError: on the loop, it cannot wait
        return None


def shareable(job: Job | MjTask, data: bytes, size: int = 256) -> bytes:
    """A thumbnail fit to leave the kernel: bounded in size, blurred when the job is veiled."""
    return thumbs.blurred(data, size) if veiled(job) else thumbs.bounded(data, size)


def job_html(job: Job, thumb: bytes | None = None, *, width: int = 220, extra: str = "") -> str:
    """One artwork as a static card: picture (or status), badges, prompt, key parameters.

    ``thumb`` is the picture to embed (a widget passes what it shows); by default the
    cached thumbnail when there is one. ``extra`` (HTML) goes under the text.
    """
    if thumb is None:
        thumb = static_thumbnail(job)
    if thumb is None:
        thumb = photos_thumbnail(job)
    if thumb is not None:
        picture = _img(thumb, str(job.record.get("prompt") or ""), width - 20)
    else:
        picture = pending_html(job, width - 20)
    body = badges(job) + job_details_html(job) + extra + _key_line(job.key)
    return _frame(picture, body, width)


def form_html(title: str, badges: str, fields: Sequence[tuple[str, str]]) -> str:
    """A form as filled in now, for static viewers: title and badges (HTML), then each
    field's label over its value (both escaped here)."""
    cells = "".join(
        f'<div style="display:inline-block;vertical-align:top;margin:0 18px 8px 0">'
        f'<div style="font:600 12px {FONT};color:#374151">{esc(label)}</div>'
        f'<div style="font:13px {FONT};color:#111827;white-space:pre-wrap">{esc(value)}</div>'
        "</div>"
        for label, value in fields
    )
    return (
        f'<div style="max-width:980px;box-sizing:border-box;padding:14px 18px 8px;'
        f"margin-bottom:12px;background:#fbfbfc;border:1px solid #e5e7eb;border-radius:12px;"
        f'font-family:{FONT}">'
        f'<div style="margin-bottom:8px"><span style="font:700 16px {FONT};color:#111827;'
        f'margin-right:8px">{esc(title)}</span>{badges}</div>{cells}</div>'
    )


def jobset_html(
    jobs: JobSet | Sequence[Job | MjTask], *, limit: int = 24, cards: Sequence[str] | None = None
) -> str:
    """A job set as a header line and a wrap of static cards (the first ``limit`` of them).

    ``cards`` replaces those with cards already drawn (a gallery passes its visible page).
    """
    items = list(jobs)
    done = sum(j.done for j in items)
    failed = sum(j.failed for j in items)
    title = getattr(jobs, "experiment", None)
    head = (
        f'<div style="font:600 13px {FONT};color:#111827;margin:2px 0 8px">'
        + (f"{esc(title)} · " if title else "")
        + f"{plural(len(items), 'job')} · {done:,} done"
        + (f" · {failed} failed" if failed else "")
        + "</div>"
    )
    if cards is None:
        cards = [card_html(j) for j in items[:limit]]
    more = (
        f'<div style="font:12px {FONT};color:#6b7280">… and {len(items) - len(cards)} more</div>'
        if len(items) > len(cards)
        else ""
    )
    return f"<div>{head}<div>{''.join(cards)}</div>{more}</div>"


def card_html(job: Job) -> str:
    """The static card of a job: a Midjourney task's own card, the artwork card otherwise."""
    return mj_html(cast("MjTask", job)) if job.kind == "mj" else job_html(job)


def mj_html(task: MjTask, thumb: bytes | None = None, *, width: int = 280) -> str:
    """A Midjourney task as a static card: grid image, badges, prompt, its buttons as chips."""
    if thumb is None:
        thumb = static_thumbnail(task, 384)
    prompt = mj_prompt(task)
    picture = (
        _img(thumb, prompt, width - 20) if thumb is not None else pending_html(task, width - 20)
    )
    chips = "".join(
        f'<span style="display:inline-block;min-width:26px;text-align:center;margin:4px 4px 0 0;'
        f"padding:1px 5px;border:1px solid #d1d5db;border-radius:6px;font:11px/18px {FONT};"
        f'color:#374151">{esc(name)}</span>'
        for name in button_names(task)
    )
    body = (
        mj_badges(task)
        + mj_prompt_html(task)
        + line_html(outcome_text(task), "#b91c1c")
        + (f"<div>{chips}</div>" if chips else "")
        + _key_line(task.id)
    )
    return _frame(picture, body, width)


def mj_badges(task: MjTask) -> str:
    """Status pill, then the task's action (Imagine, Upscale, Variation...)."""
    return badges(task) + badge(task.action.capitalize(), "gray")


def button_names(task: MjTask) -> Iterable[str]:
    """The labels to show for a task's buttons: ``U1``…, ``V1``…, ``Reroll`` for the emoji."""
    for b in task.buttons:
        if b.label:
            yield b.label
        elif b.custom_id and "::reroll::" in b.custom_id:
            yield "Reroll"
        elif b.emoji:
            yield b.emoji
