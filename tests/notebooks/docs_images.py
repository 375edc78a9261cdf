"""Make the docs images of notebook 03 from its saved outputs.

    .venv/bin/python tests/notebooks/docs_images.py

* ``docs/plot-cfg-gen-time.png`` is the figure of the cell tagged ``docs-plot-cfg-gen-time``,
  byte for byte as the notebook shows it;
* ``docs/table-thumbnails.png`` is the HTML of the cell tagged ``docs-table-thumbnails``
  (``frame.thumbnail_table``), rendered by headless Chromium and trimmed.

Run it after re-executing ``notebooks/03-compare-experiments.ipynb`` so the README shows what
the notebook shows. The notebook itself never writes into ``docs/``: running the demos (or the
test suite) leaves the working tree clean.
"""

from __future__ import annotations

import base64
import html
import io
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "03-compare-experiments.ipynb"
DOCS = ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"

PLOT_TAG = "docs-plot-cfg-gen-time"
TABLE_TAG = "docs-table-thumbnails"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title><style>
  body {{ margin: 16px; background: #fff; color: #111827;
         font: 13px system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif; }}
  table {{ border-collapse: collapse; }}
  th {{ text-align: left; font-weight: 600; background: #f3f4f6; }}
  th, td {{ padding: 4px 12px; border-bottom: 1px solid #e5e7eb; vertical-align: middle; }}
  td img {{ display: block; border-radius: 4px; }}
</style></head><body>{body}</body></html>
"""


def tagged_output(nb: nbformat.NotebookNode, tag: str, mime: str) -> str:
    """The ``mime`` data of the one cell tagged ``tag`` (it must have exactly one)."""
    cells = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise SystemExit(f"{NOTEBOOK.name}: expected one cell tagged {tag!r}, found {len(cells)}")
    found = [o["data"][mime] for o in cells[0].get("outputs", []) if mime in o.get("data", {})]
    if len(found) != 1:
        raise SystemExit(f"{NOTEBOOK.name}: the cell tagged {tag!r} has no single {mime} output")
    value = found[0]
    return "".join(value) if isinstance(value, list) else str(value)


def trim(png: bytes, pad: int = 12) -> bytes:
    """Crop the white margin Chromium leaves around the page, keeping ``pad`` pixels."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    box = ImageChops.difference(img, Image.new("RGB", img.size, "white")).getbbox()
    if box is None:
        raise SystemExit("the rendered table is blank")
    left, top, right, bottom = box
    img = img.crop(
        (
            max(0, left - pad),
            max(0, top - pad),
            min(img.width, right + pad),
            min(img.height, bottom + pad),
        )
    )
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def screenshot(page: str, width: int = 900, height: int = 1400) -> bytes:
    """A PNG of ``page`` as headless Chromium draws it."""
    with tempfile.TemporaryDirectory() as tmp:
        source, shot = Path(tmp) / "table.html", Path(tmp) / "table.png"
        source.write_text(page, encoding="utf-8")
        subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={tmp}/profile",
                f"--screenshot={shot}",
                f"--window-size={width},{height}",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return shot.read_bytes()


def main() -> int:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    DOCS.mkdir(exist_ok=True)

    plot = base64.b64decode(tagged_output(nb, PLOT_TAG, "image/png"))
    (DOCS / "plot-cfg-gen-time.png").write_bytes(plot)

    table = tagged_output(nb, TABLE_TAG, "text/html")
    page = PAGE.format(title=html.escape("wjnb thumbnail table"), body=table)
    (DOCS / "table-thumbnails.png").write_bytes(trim(screenshot(page)))

    for name in ("plot-cfg-gen-time.png", "table-thumbnails.png"):
        with Image.open(DOCS / name) as img:
            print(f"docs/{name}: {img.width}x{img.height}, {(DOCS / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
