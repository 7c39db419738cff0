"""What importing proxymetric and starting its command line load (``sys.modules``, not timings).

Each check runs a fresh interpreter, so that nothing this test session imported counts. The
command line is started as ``python -m proxymetric ...`` starts it.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

# Libraries that cost a large part of a second each and that only some features need.
HEAVY = (
    "ibis",
    "duckdb",
    "scipy.stats",
    "pandas",
    "polars",
    "pyarrow",
    "sqlalchemy",
    "matplotlib",
    "jinja2",
)


def _env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "COLUMNS": "100"}


def _modules_after(code: str) -> set[str]:
    """Return the modules in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=_env()
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def _cli_modules(*args: str) -> set[str]:
    """Return ``sys.modules`` at the exit of ``python -m proxymetric ARGS``.

    The interpreter runs the package as ``-m`` does (``runpy``) and reports ``sys.modules`` from
    an exit handler, after the command has run.
    """
    script = (
        "import atexit, json, runpy, sys\n"
        "atexit.register(lambda: print('MODULES', json.dumps(sorted(sys.modules)), file=sys.stderr))\n"
        f"sys.argv = ['proxymetric', *{list(args)!r}]\n"
        "runpy.run_module('proxymetric', run_name='__main__', alter_sys=True)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, env=_env()
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Usage" in out.stdout
    report = [line for line in out.stderr.splitlines() if line.startswith("MODULES ")]
    return set(json.loads(report[-1].removeprefix("MODULES ")))


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return [n for n in names if n in modules]


def test_import_proxymetric_loads_no_heavy_library() -> None:
    modules = _modules_after("import proxymetric")
    assert "proxymetric" in modules
    assert _loaded(modules, HEAVY) == []
    assert _loaded(modules, ("scipy", "numpy", "typer", "rich")) == []


def test_a_public_name_imports_what_it_needs() -> None:
    # The check above can fail: reading a name imports its module and that module's libraries.
    modules = _modules_after("import proxymetric\nproxymetric.analyze")
    assert "proxymetric.analysis.analyze" in modules
    assert "ibis" in modules


def test_help_lists_the_commands_without_importing_them() -> None:
    modules = _cli_modules("--help")
    assert _loaded(modules, HEAVY) == []
    assert _loaded(modules, ("scipy", "numpy", "pydantic", "yaml")) == []
    # The shared options and the root group's error handling only: no command module.
    assert {m for m in modules if m.startswith("proxymetric.cli.")} <= {"proxymetric.cli._common"}


# A command's help imports its own module and what that module uses, and none of the libraries
# of the other commands.
COMMAND_HELP = {
    ("power",): ("ibis", "duckdb", "scipy.stats", "pandas", "pyarrow", "sqlalchemy"),
    ("value",): ("ibis", "duckdb", "scipy.stats", "pandas", "pyarrow", "sqlalchemy"),
    ("init",): ("ibis", "duckdb", "scipy.stats", "pandas", "pyarrow", "sqlalchemy"),
    ("offline",): ("ibis", "duckdb", "scipy", "pandas", "pyarrow", "sqlalchemy"),
    ("pairwise", "analyze"): ("ibis", "duckdb", "scipy.stats", "pandas", "pyarrow", "sqlalchemy"),
    ("interleave",): ("ibis", "duckdb", "scipy.stats", "pandas", "pyarrow", "sqlalchemy"),
    ("registry", "list"): ("ibis", "duckdb", "scipy.stats", "pandas", "pyarrow"),
    ("analyze",): ("duckdb", "scipy.stats", "pandas", "sqlalchemy", "matplotlib"),
}


@pytest.mark.parametrize("command", sorted(COMMAND_HELP), ids=" ".join)
def test_a_command_imports_only_what_it_uses(command: tuple[str, ...]) -> None:
    modules = _cli_modules(*command, "--help")
    assert _loaded(modules, COMMAND_HELP[command]) == []
    command_modules = {m for m in modules if m.startswith("proxymetric.cli.")}
    assert command_modules <= {f"proxymetric.cli.{command[0]}", "proxymetric.cli._common"}
    assert f"proxymetric.cli.{command[0]}" in command_modules


def _lazy_packages() -> list[Path]:
    return sorted(
        p for p in (SRC / "proxymetric").rglob("__init__.py") if "lazy_exports(" in p.read_text()
    )


def _type_checking_imports(tree: ast.Module) -> dict[str, str]:
    """Return {name: module} of the imports in the ``if TYPE_CHECKING:`` block."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom)
                assert stmt.module
                found.update({a.name: stmt.module for a in stmt.names})
    return found


@pytest.mark.parametrize(
    "init", _lazy_packages(), ids=lambda p: ".".join(p.parent.relative_to(SRC).parts)
)
def test_lazy_names_match_the_typed_imports(init: Path) -> None:
    package = ".".join(init.parent.relative_to(SRC).parts)
    module = importlib.import_module(package)
    typed = _type_checking_imports(ast.parse(init.read_text()))
    lazy: dict[str, str] = module.__dict__["_lazy_names"]
    # The same names come from the same modules for the type checker and at run time ...
    assert {n: m.removeprefix(f"{package}.") for n, m in lazy.items()} == {
        n: m.removeprefix(f"{package}.") for n, m in typed.items()
    }
    # ... every one is public, and resolves to the object its submodule defines.
    assert set(lazy) <= set(module.__all__)
    for name in module.__all__:
        value = getattr(module, name)
        if name in lazy:
            assert value is getattr(importlib.import_module(lazy[name]), name), name
        assert name in dir(module)


def test_lazy_packages_exist() -> None:
    names = {".".join(p.parent.relative_to(SRC).parts) for p in _lazy_packages()}
    assert {
        "proxymetric",
        "proxymetric.analysis",
        "proxymetric.design",
        "proxymetric.data",
    } <= names


def test_unknown_name_is_an_attribute_error() -> None:
    import proxymetric

    with pytest.raises(AttributeError, match="has no attribute 'analyse'"):
        _ = proxymetric.analyse  # type: ignore[attr-defined]


def test_a_submodule_imported_first_does_not_hide_the_function() -> None:
    # `proxymetric.analysis.analyze` is both a submodule and the function the package exports;
    # importing the submodule first must leave the package's name bound to the function.
    modules = _modules_after(
        "import proxymetric.analysis.analyze\n"
        "import proxymetric.design.plan\n"
        "from proxymetric.analysis import analyze\n"
        "from proxymetric.design import plan\n"
        "assert callable(analyze) and analyze.__module__ == 'proxymetric.analysis.analyze'\n"
        "assert callable(plan) and plan.__module__ == 'proxymetric.design.plan'\n"
        "import proxymetric\n"
        "assert proxymetric.analyze is analyze"
    )
    assert "proxymetric.analysis.analyze" in modules
