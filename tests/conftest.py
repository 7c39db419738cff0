"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def cookie_cats_spec() -> Path:
    """The bundled Cookie Cats example spec."""
    return ROOT / "examples" / "cookie-cats" / "proxymetric.yaml"
