"""The pages in a real browser: Debian's headless Chromium driven by Playwright.

Every page must load with no console error, no request beyond the file itself and no dialog;
every chart must be drawn (an SVG with a size and marks); every number the browser shows must
be the JSON of the same result; the hostile names must show as text and run nothing; the demo
report must fit a phone's width and print. Chromium is a requirement of the test suite, not an
option: without it these tests fail and say how to install it (``make test`` does, as root).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._examples import Page
from ._pages import HOSTILE, number_errors

CHROMIUM = os.environ.get("PROXYMETRIC_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = 390  # CSS pixels: the width of a common phone
DESKTOP = 1280


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium, or a failure that says how to get one."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"the browser tests need Chromium at {CHROMIUM}: install Debian's package "
            "(`apt-get install chromium`; `make test` does it when run as root) or set "
            "PROXYMETRIC_CHROMIUM to its path"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright: `pip install -e '.[dev]'`")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Visit:
    """A page opened in a fresh context, with everything it tried to do recorded."""

    def __init__(self, browser: Any, path: Path, width: int = DESKTOP) -> None:
        self.console: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        url = path.resolve().as_uri()

        def route(r: Any) -> None:
            if r.request.url == url:
                r.continue_()
            else:
                self.requests.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()

        def console(m: Any) -> None:
            if m.type in ("error", "warning"):
                self.console.append(m.text)

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("console", console)
        self.page.on("pageerror", lambda e: self.console.append(str(e)))
        self.page.on("dialog", dialog)
        self.page.goto(url, wait_until="load")

    def close(self) -> None:
        self.context.close()


def _visit(browser: Any, pages: dict[str, Page], page_dir: Path, name: str) -> Visit:
    return Visit(browser, pages[name].write(page_dir / f"{name}.html"))


_CHARTS = """() => [...document.querySelectorAll('figure.chart')].map(f => {
  const svg = [...f.querySelectorAll('svg')].find(s => s.getBoundingClientRect().width > 0);
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  return {
    slug: f.dataset.chart,
    title: f.querySelector('figcaption').innerText.trim(),
    reading: f.querySelector('.reading').innerText.trim(),
    width: box.width, height: box.height,
    marks: svg ? svg.querySelectorAll('path, use, rect, text').length : 0,
    texts: svg ? svg.querySelectorAll('text').length : 0,
  };
})"""

_NUMBERS = """() => [...document.querySelectorAll('[data-json]')].map(
  e => [e.dataset.json, e.innerText, parseFloat(e.dataset.scale || '1')])"""


def test_every_page_loads_alone_and_shows_its_charts_and_numbers(
    browser: Any, pages: dict[str, Page], page_dir: Path
) -> None:
    for name, page in pages.items():
        v = _visit(browser, pages, page_dir, name)
        try:
            assert v.console == [], (name, v.console)
            assert v.requests == [], (name, v.requests)
            assert v.dialogs == [], (name, v.dialogs)
            found = v.page.evaluate(_CHARTS)
            assert len(found) == page.charts, name
            for chart in found:
                assert chart["title"], (name, chart)
                assert len(chart["reading"]) > 20, (name, chart)
                assert chart["width"] > 200, (name, chart)
                assert chart["height"] > 60, (name, chart)
                assert chart["marks"] > 10, (name, chart)
                assert chart["texts"] > 3, (name, chart)  # titles, labels and ticks are text
            spans = [(p, t, s) for p, t, s in v.page.evaluate(_NUMBERS)]
            assert number_errors(spans, page.doc) == [], name
        finally:
            v.close()


def test_hostile_names_show_as_text_and_run_nothing(
    browser: Any, pages: dict[str, Page], page_dir: Path
) -> None:
    v = _visit(browser, pages, page_dir, "report-hostile")
    try:
        text = v.page.inner_text("body")
        for name in HOSTILE:
            assert name in text, name
        assert v.page.evaluate("document.querySelectorAll('script, img, iframe').length") == 0
        assert v.page.evaluate("document.querySelectorAll('svg').length") == (
            2 * pages["report-hostile"].charts  # one for wide screens, one for phones
        )
        assert v.dialogs == []
        assert v.console == []
        assert v.requests == []
    finally:
        v.close()


def test_the_page_forbids_a_script_even_if_one_got_in(browser: Any, page_dir: Path) -> None:
    # The policy is the second line of defence: a script smuggled into a page must not run.
    from proxymetric.report.html import CSP

    path = page_dir / "smuggled.html"
    path.write_text(
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="{CSP}">'
        "</head><body><p>x</p><script>alert(1)</script><img src=x onerror=alert(2)></body></html>"
    )
    v = Visit(browser, path)
    try:
        assert v.dialogs == []
        assert any("Content Security Policy" in c for c in v.console)
    finally:
        v.close()


def test_the_demo_report_fits_a_phone_and_prints(
    browser: Any, pages: dict[str, Page], page_dir: Path
) -> None:
    path = pages["report-cookie-cats"].write(page_dir / "phone.html")
    v = Visit(browser, path, width=PHONE)
    try:
        overflow = v.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1  # wide tables and charts scroll inside their own boxes
        for chart in v.page.evaluate(_CHARTS):  # the phone's version of each chart, whole
            assert 200 < chart["width"] <= PHONE, chart
            assert chart["marks"] > 10, chart
        assert v.page.is_visible("text=Decision: ROLLBACK")
        v.page.emulate_media(media="print")
        pdf = v.page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
        assert len(pdf) > 10_000
    finally:
        v.close()
