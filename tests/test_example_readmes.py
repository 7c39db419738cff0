"""Every command a README of ``examples/`` shows works in a fresh clone, from the root.

A command's file arguments must exist in the repository, or be written by the command itself or
an earlier one of the same README (``--out``, ``-o``, ``--registry``); the slow test runs them
all, the scripts and the ``proxymetric`` commands, with outputs redirected to a temporary folder.
"""

from __future__ import annotations

import re
import runpy
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proxymetric.cli import app

ROOT = Path(__file__).resolve().parents[1]
READMES = sorted((ROOT / "examples").glob("*/README.md"))
_OUTPUT_OPTIONS = ("--out", "-o", "--registry")
_FENCE = re.compile(r"```[a-z]*\n(.*?)```", flags=re.DOTALL)


def _commands(readme: Path) -> list[list[str]]:
    """Return the ``python ...`` and ``proxymetric ...`` commands of a README, as argv lists.

    Commands are read from fenced blocks and from blocks indented by four spaces; a leading
    ``$ `` prompt, a trailing ``# comment`` and backslash continuations are handled.
    """
    text = readme.read_text(encoding="utf-8")
    lines = [line for block in _FENCE.findall(text) for line in block.splitlines()]
    lines += [line[4:] for line in _FENCE.sub("", text).splitlines() if line.startswith("    ")]
    commands: list[list[str]] = []
    pending = ""
    for raw in lines:
        line = pending + raw.strip().removeprefix("$ ")
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        args = shlex.split(line, comments=True)
        if args and (args[0] == "proxymetric" or args[0].endswith("python")):
            commands.append(args)
    return commands


def _paths(args: list[str]) -> list[tuple[int, str, bool]]:
    """Return (position, argument, is an output) for the arguments that name a file."""
    out = []
    for i, arg in enumerate(args[1:], start=1):
        if arg.startswith("-"):
            continue
        if "/" in arg or re.search(r"\.(csv|gz|parquet|yaml|yml|db|py)$", arg):
            out.append((i, arg, args[i - 1] in _OUTPUT_OPTIONS))
    return out


def _made_earlier(path: str, outputs: list[str]) -> bool:
    return any(path == o or path.startswith(o.rstrip("/") + "/") for o in outputs)


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.parent.name)
def test_readme_commands_name_files_that_exist(readme: Path) -> None:
    outputs: list[str] = []
    for args in _commands(readme):
        for _, arg, is_output in _paths(args):
            if is_output:
                outputs.append(arg)
            elif not (ROOT / arg).exists() and not _made_earlier(arg, outputs):
                pytest.fail(f"{readme.relative_to(ROOT)}: `{shlex.join(args)}` names {arg!r}")


def test_the_readmes_show_commands() -> None:
    # The parser finds the commands (a check that cannot pass on an empty list).
    movielens = _commands(ROOT / "examples" / "movielens" / "README.md")
    assert len(movielens) == 5
    assert movielens[3] == [
        "python", "examples/movielens/run.py", "--data-dir", "examples/data/movielens"
    ]  # fmt: skip
    assert movielens[4][:2] == ["proxymetric", "offline"]
    assert "--interactions" in movielens[4]


def _localised(args: list[str], tmp: Path) -> list[str]:
    """Return ``args`` with repository files made absolute and every other file under ``tmp``."""
    out = list(args)
    for i, arg, _ in _paths(args):
        if (ROOT / arg).exists():
            out[i] = str(ROOT / arg)
        else:
            out[i] = str(tmp / Path(arg).relative_to(Path(arg).anchor))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.parent.name)
def test_readme_commands_run(
    readme: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Scripts run in-process through their `main(argv)`; bootstrap replicates are cut to 50 to
    # keep the test short (the numbers themselves are checked by each example's own test).
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for args in _commands(readme):
        local = _localised(args, tmp_path)
        if args[0] == "proxymetric":
            result = runner.invoke(app, local[1:])
            # `check` exits 1 when a check fails: a finding, not a broken command
            assert result.exit_code in (0, 1), (args, result.output)
            assert "Traceback" not in result.output
            continue
        script = local[1]
        argv = local[2:]
        namespace = runpy.run_path(script)
        if Path(script).parent.name == "movielens":
            argv = [*argv, "--n-bootstrap", "50"]
        for out in (a for i, a in enumerate(argv) if i and argv[i - 1] == "--out"):
            Path(out).parent.mkdir(parents=True, exist_ok=True)
        namespace["main"](argv)
        assert capsys.readouterr().out


def test_movielens_counts_are_those_of_the_bundled_data() -> None:
    # Reference: the bundled files themselves, counted with pandas.
    import pandas as pd

    data = ROOT / "examples" / "data" / "movielens"
    ratings = pd.read_csv(data / "ratings.csv.gz")
    movies = pd.read_csv(data / "movies.csv.gz")
    counts = (len(ratings), ratings["movieId"].nunique(), ratings["userId"].nunique())
    quoted = re.compile(r"([\d,]+) ratings(?: \([^)]*\))? of ([\d,]+) movies by ([\d,]+)")
    found = 0
    for readme in (*READMES, ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))):
        for match in quoted.finditer(readme.read_text(encoding="utf-8")):
            found += 1
            assert tuple(int(g.replace(",", "")) for g in match.groups()) == counts, readme
    assert found >= 2
    catalogue = f"titles and genres of {len(movies):,} movies"
    assert catalogue in (data.parent / "README.md").read_text(encoding="utf-8")
