"""Finished jobs as a Hugging Face ``imagefolder``: the pictures plus one metadata row each.

The folder holds ``<key>.<ext>`` per picture and ``metadata.jsonl`` (or
``metadata.parquet``) with ``file_name``, the canonical columns, the sweep axes and the
lineage (``request_id``, ``parent_key``). ``datasets.load_dataset("imagefolder",
data_dir=path)`` reads it back with the images; pushing it to the Hub is the user's call
(``to_dataset(...).push_to_hub(repo)``). Jobs without a picture (failed, cancelled) are
left out: every row of an imagefolder names an image.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import InvalidArgument
from . import require
from .items import collect

if TYPE_CHECKING:
    from ..jobs import JobSet

FORMATS = ("jsonl", "parquet")


def to_dataset(jobs: JobSet, path: str | os.PathLike[str], *, metadata: str = "jsonl") -> Any:
    """Write the set's pictures and metadata to ``path``; returns the ``datasets.Dataset``."""
    datasets = require("datasets", "datasets")
    if metadata not in FORMATS:
        raise InvalidArgument("metadata", f"expected one of {FORMATS}, got {metadata!r:.40}")
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgument("path", f"expected a folder path, got {type(path).__name__}")
    folder = write(jobs, Path(path), metadata)
    return datasets.load_dataset("imagefolder", data_dir=str(folder), split="train")


def write(jobs: JobSet, folder: Path, metadata: str = "jsonl") -> Path:
    """The imagefolder on disk (no ``datasets`` needed); an older metadata file is replaced."""
    from ..frame import to_dataframe

    pictures = [(i, i.picture) for i in collect(jobs) if i.picture is not None]
    folder.mkdir(parents=True, exist_ok=True)
    for item, data in pictures:
        (folder / f"{item.key}{item.suffix}").write_bytes(data)
    items = [item for item, _ in pictures]
    df = to_dataframe([i.record for i in items], axes=list(jobs.axes))
    lineage = pd.DataFrame([dict(i.lineage) for i in items], columns=["request_id", "parent_key"])
    df = df.drop(columns=[c for c in lineage.columns if c in df.columns])  # lineage's are whole
    df = pd.concat([pd.DataFrame({"file_name": [i.file_name for i in items]}), df, lineage], axis=1)
    for name in FORMATS:
        (folder / f"metadata.{name}").unlink(missing_ok=True)
    if metadata == "jsonl":
        df.to_json(folder / "metadata.jsonl", orient="records", lines=True, date_format="iso")
    else:
        text = df.select_dtypes(include="category").columns  # plain strings for the Hub
        df.astype(dict.fromkeys(text, "string")).to_parquet(folder / "metadata.parquet")
    return folder
