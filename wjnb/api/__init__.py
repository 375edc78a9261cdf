"""One module per protocol: routes in, typed models out; nothing about jobs."""

from __future__ import annotations


def readable_id(value: object) -> bool:
    """True for a key or task id as services write them: short printable text, no spaces."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= 128
        and value.isprintable()
        and not any(c.isspace() for c in value)
    )
