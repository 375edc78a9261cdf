"""The kinds of asynchronous work wjnb tracks: one module per kind, one contract
(``wjnb.jobs.kind``)."""

from __future__ import annotations

from ..kind import Kind
from .artwork import ArtworkKind
from .describe import DescribeKind
from .mj import MjTask, MjTaskKind
from .optimize import OptimizeKind
from .pro import ProArtworkKind
from .upscale import UpscaleKind

__all__ = [
    "ArtworkKind",
    "DescribeKind",
    "MjTask",
    "MjTaskKind",
    "OptimizeKind",
    "ProArtworkKind",
    "UpscaleKind",
    "default_kinds",
]


def default_kinds() -> list[Kind]:
    """A fresh instance of every built-in kind (a runner registers more with ``register``)."""
    return [
        ArtworkKind(),
        MjTaskKind(),
        ProArtworkKind(),
        UpscaleKind(),
        DescribeKind(),
        OptimizeKind(),
    ]
