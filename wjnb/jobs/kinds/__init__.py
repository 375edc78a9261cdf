"""The kinds of asynchronous work wjnb tracks: one module per kind, one contract
(``wjnb.jobs.kind``)."""

from __future__ import annotations

from ..kind import Kind
from .artwork import ArtworkKind
from .avatar import AvatarTrainingKind
from .camera import CameraKind
from .describe import DescribeKind
from .lab import LabKind
from .mj import MjTask, MjTaskKind
from .optimize import OptimizeKind
from .pro import ProArtworkKind
from .svd import SvdKind
from .upscale import UpscaleKind
from .video import VideoKind
from .youthify import YouthifyKind

__all__ = [
    "ArtworkKind",
    "AvatarTrainingKind",
    "CameraKind",
    "DescribeKind",
    "LabKind",
    "MjTask",
    "MjTaskKind",
    "OptimizeKind",
    "ProArtworkKind",
    "SvdKind",
    "UpscaleKind",
    "VideoKind",
    "YouthifyKind",
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
        YouthifyKind(),
        VideoKind(),
        SvdKind(),
        AvatarTrainingKind(),
        CameraKind(),
        LabKind(),
    ]
