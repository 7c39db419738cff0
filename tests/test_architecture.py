"""The layers of docs/architecture.md, checked on the source files' imports (AST)."""

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


# The layers of docs/architecture.md, lowest first: a package imports only from its own layer
# or the layers below it.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "_validation", "_result", "_table", "_redact", "_lazy", "_progress"}),
    frozenset({"stats", "spec"}),
    frozenset({"data"}),
    frozenset({"experiment"}),
    frozenset(
        {"design", "pairwise", "interleaving", "offline", "assignment", "classifier", "judges"}
    ),
    frozenset({"analysis"}),
    frozenset({"registry", "value"}),
    frozenset({"proxies"}),
    frozenset({"check", "chain"}),
    frozenset({"report"}),
    frozenset({"cli"}),
    frozenset({"__init__", "__main__"}),
)


def _package(path: Path) -> str:
    rel = path.relative_to(SRC).parts
    return rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")


def _layer(package: str) -> int:
    for i, members in enumerate(LAYERS):
        if package in members:
            return i
    raise AssertionError(f"package {package!r} is in no layer of docs/architecture.md")


# The one documented exception (docs/architecture.md): the display hooks of the result base
# class (``_repr_html_``, ``to_pandas``, ``to_polars``), which notebooks look up on the object
# itself, import the renderers inside those methods.
DISPLAY_HOOKS = {
    ("_result.py", "proxymetric.report.html"),
    ("_result.py", "proxymetric.report.tables"),
}


def _internal_imports(path: Path) -> set[str]:
    """Every proxymetric module imported by ``path``, also inside functions (lazy imports)."""
    rel = str(path.relative_to(SRC))
    return {
        n for n in _imports(path) if n.startswith("proxymetric.") and (rel, n) not in DISPLAY_HOOKS
    }


def test_every_package_has_a_layer() -> None:
    for p in _files():
        _layer(_package(p))


def test_no_import_from_a_higher_layer() -> None:
    offenders = []
    for p in _files():
        own = _layer(_package(p))
        for name in _internal_imports(p):
            target = name.split(".")[1]
            if _layer(target) > own:
                offenders.append(f"{p.relative_to(SRC)} imports {name}")
    assert offenders == []


def test_no_capability_imports_the_renderers() -> None:
    offenders = [
        f"{p.relative_to(SRC)} imports {name}"
        for p in _files()
        if _layer(_package(p)) < _layer("report")
        for name in _internal_imports(p)
        if name.split(".")[1] == "report"
    ]
    assert offenders == []


def test_no_import_of_another_package_s_private_module() -> None:
    offenders = []
    for p in _files():
        own = _package(p)
        for name in _internal_imports(p):
            parts = name.split(".")
            if len(parts) > 2 and parts[1] != own and any(x.startswith("_") for x in parts[2:]):
                offenders.append(f"{p.relative_to(SRC)} imports {name}")
    assert offenders == []
