"""The chain buttons of a finished picture's card: Upscale ×2, Upscale ×4 and Describe make
tracked child jobs of the card's job (Animate is offered too); they stay hidden until there
is a picture."""

from __future__ import annotations

from collections.abc import Callable

import wjnb
from wjnb.widgets import JobCard
from wjnb.widgets.style import shown


def test_chain_buttons_make_child_jobs(
    fresh_client: wjnb.Client, until: Callable[..., None]
) -> None:
    job = fresh_client.generate("a red kite over the dunes", width=256, height=256)[0]
    card = JobCard(job)
    labels = [b.description for b in card.chain_buttons]
    assert labels == ["Upscale ×2", "Upscale ×4", "Describe", "Animate"]
    assert not any(shown(b) for b in card.chain_buttons)  # nothing to chain from yet
    job.wait(30)
    until(lambda: all(shown(b) for b in card.chain_buttons), card, job)
    pictures = card.chain_buttons[:3]  # Animate's child is tested with the media kinds
    for chain in pictures:
        chain.click()
    until(lambda: len(job.children) == 3, job)
    until(lambda: not any(b.disabled for b in pictures), card)
    kinds = sorted((c.kind, c.request.get("multiple")) for c in job.children)
    assert kinds == [("describe", None), ("upscale", 2.0), ("upscale", 4.0)]
    for child in job.children:
        assert child.parent is job and child.wait(30).status_name in ("success", "done")
    assert "#b91c1c" not in card.details.value  # no error shown
    card.close()
