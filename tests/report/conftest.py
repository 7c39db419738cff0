"""Pages shared by the HTML tests and the browser tests (built once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._examples import Page, build_pages


@pytest.fixture(scope="session")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Page]:
    """Every example's page, the ASOS proxies, and the hostile spec's report."""
    return build_pages(tmp_path_factory.mktemp("pages"))


@pytest.fixture(scope="session")
def page_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder to write pages to."""
    return tmp_path_factory.mktemp("html")
