"""The job layer, kind-agnostic: kinds of work (``kinds``), the jobs users hold (``job``),
submitting and resuming (``runner``, ``plan``), polling (``tracker``, ``schedule``) and
callbacks (``receiver``)."""

from __future__ import annotations

from .job import Job, JobSet
from .kind import Kind, Phase, Reading
from .kinds import MjTask
from .schedule import PollPolicy

__all__ = ["Job", "JobSet", "Kind", "MjTask", "Phase", "PollPolicy", "Reading"]
