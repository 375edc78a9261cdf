"""wjnb: AI image generation from Jupyter against the Wujie open API and Midjourney proxies.

``wjnb.Client()`` submits and tracks jobs (the embedded sandbox when no credentials are
set); ``wjnb.Studio()`` is the interactive form; ``wjnb.experiments()``, ``wjnb.load()``
and ``wjnb.compare()`` work on the ledger in ``WJNB_HOME``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from . import errors as errors
from .client import AsyncClient as AsyncClient
from .client import RoutesClient as RoutesClient
from .config import Config as Config
from .config import Secret as Secret
from .errors import WjnbError as WjnbError
from .http import RetryPolicy as RetryPolicy
from .jobclient import Client as Client
from .jobs import Job as Job
from .jobs import JobSet as JobSet
from .jobs import Kind as Kind
from .jobs import MjTask as MjTask
from .jobs import PollPolicy as PollPolicy

if TYPE_CHECKING:
    import pandas as pd

    from .widgets import Studio as Studio

__version__ = "0.1.0"
__all__ = [
    "AsyncClient",
    "Client",
    "Config",
    "Job",
    "JobSet",
    "Kind",
    "MjTask",
    "PollPolicy",
    "RetryPolicy",
    "RoutesClient",
    "Secret",
    "Studio",
    "WjnbError",
    "allow_nested_loops",
    "compare",
    "default_client",
    "errors",
    "experiments",
    "load",
]

_default: Client | None = None
_default_lock = threading.Lock()


def default_client() -> Client:
    """The process-wide client that ``load``, ``Studio()`` and friends use by default."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Client()
        return _default


def load(experiment: str, client: Client | None = None) -> JobSet:
    """An experiment's jobs from the ledger, resuming every unfinished one (nothing re-sent)."""
    return (client or default_client()).load(experiment)


def experiments(home: str | None = None) -> pd.DataFrame:
    """One row per experiment in the ledger: created, artworks, done, failed, credits, timing."""
    from .frame import experiments_from_records
    from .ledger import Ledger

    ledger = Ledger(home)
    try:
        records = ledger.records()
    finally:
        ledger.close()
    return experiments_from_records(records)


def compare(*experiments_or_jobsets: str | JobSet, home: str | None = None) -> pd.DataFrame:
    """One long DataFrame across experiments (names from the ledger, or JobSets)."""
    from .frame import compare as compare_frames
    from .frame import to_dataframe
    from .ledger import Ledger

    for i, item in enumerate(experiments_or_jobsets):
        if not isinstance(item, (str, JobSet)):
            raise errors.InvalidArgument(
                f"experiments_or_jobsets[{i}]",
                f"expected an experiment name or a JobSet, got {type(item).__name__}",
            )
    named: list[tuple[str, pd.DataFrame]] = []
    ledger = Ledger(home)
    try:
        for item in experiments_or_jobsets:
            if isinstance(item, JobSet):
                named.append((item.experiment or f"set{len(named) + 1}", item.to_dataframe()))
            else:
                if not ledger.has_experiment(item):
                    raise errors.LedgerError(f"no experiment {item!r} in {ledger.home}")
                named.append((item, to_dataframe([r.record for r in ledger.jobs(item)])))
    finally:
        ledger.close()
    return compare_frames(*named)


def allow_nested_loops() -> None:
    """Let ``loop.run_until_complete`` re-enter a running loop (for ``AsyncClient`` in a cell).

    Only needed for that one case: the sync ``Client`` runs its own loop thread and never
    re-enters Jupyter's. Applies nest-asyncio to the current loop on request, never at import.
    """
    import asyncio

    import nest_asyncio

    nest_asyncio.apply(asyncio.get_event_loop())


def __getattr__(name: str) -> Any:
    if name == "Studio":  # ipywidgets is imported only when the form is wanted
        from .widgets import Studio

        return Studio
    raise AttributeError(f"module 'wjnb' has no attribute {name!r}")
