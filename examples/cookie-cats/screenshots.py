"""Screenshots of the Cookie Cats report at a desktop and a phone width, for the docs.

    python examples/cookie-cats/screenshots.py           # writes docs/img/report-*.png

Renders the report of this folder's spec (``proxymetric report``), opens it in Debian's
headless Chromium (``PROXYMETRIC_CHROMIUM``, default ``/usr/bin/chromium``) through Playwright
and captures the top of the page: the decision, the forest plot and the guardrail's margin.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from proxymetric.chain import build_dossier
from proxymetric.report.html import to_html
from proxymetric.spec import load_spec

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = {"desktop": (1280, 1100), "phone": (390, 1500)}  # CSS pixels: width, height captured


def main(argv: Sequence[str] | None = None) -> list[Path]:
    """Write the screenshots; return their paths."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args(argv)
    spec = HERE / "proxymetric.yaml"
    html = to_html(build_dossier(spec), spec=load_spec(spec))
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        page_file = Path(tmp) / "report.html"
        page_file.write_text(html, encoding="utf-8")
        chromium = os.environ.get("PROXYMETRIC_CHROMIUM", "/usr/bin/chromium")
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        for name, (width, height) in SHOTS.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(page_file.as_uri())
            path = args.out / f"report-{name}.png"
            page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": width, "height": height})
            written.append(path)
            print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1000:.0f} kB)")
        browser.close()
    return written


if __name__ == "__main__":
    main()
