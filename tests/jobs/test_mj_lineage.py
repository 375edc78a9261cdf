"""Lineage: every task knows its parent and the button that made it, as DataFrame columns
and as a family tree of thumbnails."""

from __future__ import annotations

from pathlib import Path

import wjnb
import wjnb.sandbox
from wjnb.frame import to_dataframe

WAIT = 60.0


def test_children_record_parent_button_and_depth(tmp_path: Path) -> None:
    srv = wjnb.sandbox.start(speed=400, seed=4, faults="", mj_flavor="plus")
    try:
        client = wjnb.Client(
            home=tmp_path, mj_base_url=srv.mj_base_url, mj_token=srv.mj_token, callbacks=False
        )
        with client:
            grid = client.mj.imagine("a lighthouse", experiment="family").wait(WAIT)
            variant = grid.press("V2").wait(WAIT)
            upscale = variant.press("U1").wait(WAIT)
            again = grid.reroll().wait(WAIT)
            rows = {r["key"]: r for r in (t.record for t in (grid, variant, upscale, again))}
            assert (rows[grid.key]["parent_id"], rows[grid.key]["depth"]) == (None, 0)
            assert rows[grid.key]["action"] == "IMAGINE" and rows[grid.key]["button"] is None
            assert (rows[variant.key]["parent_id"], rows[variant.key]["button"]) == (grid.key, "V2")
            assert rows[variant.key]["action"] == "VARIATION" and rows[variant.key]["depth"] == 1
            assert (rows[upscale.key]["parent_id"], rows[upscale.key]["depth"]) == (variant.key, 2)
            assert rows[upscale.key]["action"] == "UPSCALE"
            assert rows[again.key]["action"] == "REROLL" and rows[again.key]["depth"] == 1
            frame = to_dataframe(rows.values())
            assert list(frame["depth"]) == [0, 1, 2, 1]

            page = upscale.tree()._repr_html_()
            assert page.count("<img") == 4  # the whole family, from the grid down
            assert page.index(grid.key) < page.index(variant.key) < page.index(upscale.key)
            assert page.count("2px solid") == 1  # the task asked about is marked
    finally:
        srv.stop()
