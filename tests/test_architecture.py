"""The import direction of DESIGN.md, checked on the source files' imports (AST)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "proxymetric"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _files(package: str | None = None) -> list[Path]:
    base = SRC / package if package else SRC
    return sorted(base.rglob("*.py"))


def _top(name: str) -> str:
    return name.split(".", maxsplit=1)[0]


def test_only_the_data_layer_imports_ibis() -> None:
    offenders = [
        str(p.relative_to(SRC))
        for p in _files()
        if "ibis" in {_top(n) for n in _imports(p)} and p.relative_to(SRC).parts[0] != "data"
    ]
    assert offenders == []


@pytest.mark.parametrize("banned", ["ibis", "pandas", "polars", "pyarrow", "duckdb"])
def test_stats_is_pure(banned: str) -> None:
    offenders = [str(p) for p in _files("stats") if banned in {_top(n) for n in _imports(p)}]
    assert offenders == []


def test_stats_imports_no_other_layer() -> None:
    allowed = {
        "proxymetric.stats",
        "proxymetric.errors",
        "proxymetric._validation",
        "proxymetric._result",
    }
    for p in _files("stats"):
        for name in _imports(p):
            if name.startswith("proxymetric"):
                assert any(name == a or name.startswith(a + ".") for a in allowed), (p, name)


def test_report_does_not_compute_or_read_data() -> None:
    for p in _files("report"):
        for name in _imports(p):
            assert not name.startswith(("proxymetric.data", "proxymetric.stats.compare", "ibis")), (
                p,
                name,
            )


def test_heavy_optional_imports_are_lazy() -> None:
    # pandas and polars may only be imported inside functions, never at module top level.
    for p in _files():
        tree = ast.parse(p.read_text())
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                mods = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                assert not any(
                    _top(m) in {"pandas", "polars", "pyspark", "matplotlib"} for m in mods
                ), p
