"""The kinds of asynchronous work wjnb tracks: one module per kind, one contract
(``wjnb.jobs.kind``)."""

from __future__ import annotations

from ..kind import Kind
from .artwork import ArtworkKind
from .mj import MjTask, MjTaskKind

__all__ = ["ArtworkKind", "MjTask", "MjTaskKind", "default_kinds"]


def default_kinds() -> list[Kind]:
    """A fresh instance of every built-in kind (a runner registers more with ``register``)."""
    return [ArtworkKind(), MjTaskKind()]
