"""Shared budgets: credits reserved in the ledger before a create is sent.

A named budget has a cap. Reserving takes the budget's row lock (PostgreSQL ``FOR
UPDATE``; SQLite's writer lock), adds up what is held and settled, and records the new
reservation only when it fits — so any number of processes on any number of machines
never commit more than the cap together. A reservation is *settled* at the credits the
service really charged once every artwork of its request has ended (refunds count as
nothing), or *released* when the create was rejected or never happened.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from typing import Any

from .store import Conn, Store

#: What Wujie writes in ``integral_cost_message`` when it gave the credits back.
REFUNDED = "积分已退还"


def charged_cost(record: Mapping[str, Any]) -> int:
    """Credits a finished record cost (0 when refunded or unknown)."""
    cost = record.get("integral_cost")
    if isinstance(cost, int) and record.get("integral_cost_message") != REFUNDED:
        return cost
    return 0


def reserve(conn: Conn, name: str, cap: int | None, amount: int, request_id: str) -> str | None:
    """Hold ``amount`` of budget ``name`` for a request; None, or why it does not fit.

    ``cap`` creates the budget when it does not exist yet (the first cap wins, so every
    process agrees on one); with ``cap=None`` the budget must already be in the ledger.
    """
    if cap is not None:
        conn.execute(
            "INSERT INTO budgets(name, cap, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (name, cap, time.time()),
        )
    rows = conn.query("SELECT cap FROM budgets WHERE name = ?" + conn.for_update, (name,))
    if not rows:
        return f"no budget named {name!r} in the ledger (give a cap to create it)"
    limit = int(rows[0][0])
    used = _used(conn, name)
    if used + amount > limit:
        return f"shared budget {name!r} reached: {used} of {limit} credits committed"
    conn.execute(
        "INSERT INTO reservations(request_id, budget, amount, state, updated)"
        " VALUES (?, ?, ?, 'held', ?) ON CONFLICT DO NOTHING",
        (request_id, name, amount, time.time()),
    )
    return None


def release(conn: Conn, request_id: str) -> None:
    """Give a held reservation back (the create was rejected or never happened)."""
    conn.execute(
        "UPDATE reservations SET state = 'released', amount = 0, updated = ?"
        " WHERE request_id = ? AND state = 'held'",
        (time.time(), request_id),
    )


def settle_finished(conn: Conn, request_ids: Iterable[str]) -> None:
    """Settle the held reservations whose requests have no unfinished artwork left."""
    for rid in sorted(set(request_ids)):
        held = conn.query(
            "SELECT 1 FROM reservations WHERE request_id = ? AND state = 'held'", (rid,)
        )
        if not held:
            continue
        rows = conn.query("SELECT done, record FROM jobs WHERE request_id = ?", (rid,))
        if not rows or not all(done for done, _ in rows):
            continue
        spent = sum(charged_cost(json.loads(rec)) for _, rec in rows)
        conn.execute(
            "UPDATE reservations SET state = 'settled', amount = ?, updated = ?"
            " WHERE request_id = ?",
            (spent, time.time(), rid),
        )


def _used(conn: Conn, name: str) -> int:
    rows = conn.query(
        "SELECT COALESCE(SUM(amount), 0) FROM reservations"
        " WHERE budget = ? AND state IN ('held', 'settled')",
        (name,),
    )
    return int(rows[0][0])


class Budgets:
    """Read and set named budgets (reservations are made with the request's intent)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def set_cap(self, name: str, cap: int) -> None:
        """Create a team-wide budget or change its cap."""
        self._store.write(
            lambda c: c.execute(
                "INSERT INTO budgets(name, cap, created) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET cap = excluded.cap",
                (name, cap, time.time()),
            )
        )

    def status(self, name: str) -> dict[str, int] | None:
        """``cap``, ``held``, ``settled`` and ``free`` credits of a budget (None if unknown)."""

        def read(c: Conn) -> dict[str, int] | None:
            cap = c.query("SELECT cap FROM budgets WHERE name = ?", (name,))
            if not cap:
                return None
            sums = dict(
                c.query(
                    "SELECT state, COALESCE(SUM(amount), 0) FROM reservations"
                    " WHERE budget = ? GROUP BY state",
                    (name,),
                )
            )
            held, settled = int(sums.get("held", 0)), int(sums.get("settled", 0))
            limit = int(cap[0][0])
            return {"cap": limit, "held": held, "settled": settled, "free": limit - held - settled}

        return self._store.read(read)
