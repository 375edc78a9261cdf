"""Experiments leave the notebook: MLflow runs (``mlflow``) and Hugging Face image
datasets (``dataset``), both read from the same finished jobs (``items``)."""

from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, extra: str) -> ModuleType:
    """Import an optional dependency, or raise ImportError naming the extra that brings it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"this export needs {module.split('.')[0]}: pip install 'wjnb[{extra}]'"
        ) from exc
