"""``--output FILE``: the file holds exactly what stdout would show, written atomically."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proxymetric.cli import app
from proxymetric.cli._common import write_output
from proxymetric.errors import ProxymetricError

RUNNER = CliRunner()

RANKINGS = "unit,ranker,item,rank\nu1,a,m1,1\nu1,a,m2,2\nu1,b,m2,1\nu1,b,m3,2\nu2,a,m4,1\n"
PAST = (
    "experiment,metric,effect,effect_se,control_units,treatment_units\n"
    "a,revenue,0.05,0.02,1000,1000\nb,revenue,-0.01,0.02,1000,1000\n"
)


@pytest.fixture
def files(tmp_path: Path, cookie_cats_spec: Path) -> dict[str, str]:
    (tmp_path / "rankings.csv").write_text(RANKINGS, encoding="utf-8")
    (tmp_path / "past.csv").write_text(PAST, encoding="utf-8")
    return {
        "rankings": str(tmp_path / "rankings.csv"),
        "past": str(tmp_path / "past.csv"),
        "spec": str(cookie_cats_spec),
        "db": str(tmp_path / "r.db"),
    }


# One command per way a result reaches the screen: emit with a custom table (power), sections
# (pairwise plan, registry list), plain text (interleave lists, registry import), an analysis.
CASES = [
    (["power", "--baseline", "10", "--sd", "10", "--mde", "1"], ("table", "json", "markdown")),
    (["pairwise", "plan", "--win-rate", "0.55"], ("table", "json", "markdown")),
    (["interleave", "lists", "{rankings}", "--seed", "3"], ("csv", "json")),
    (["registry", "list", "-r", "{db}"], ("table", "json", "markdown")),
    (["analyze", "{spec}"], ("table",)),
]


@pytest.mark.parametrize(
    ("args", "fmt"), [(args, fmt) for args, formats in CASES for fmt in formats]
)
def test_the_file_equals_what_stdout_prints(
    files: dict[str, str], tmp_path: Path, args: list[str], fmt: str
) -> None:
    RUNNER.invoke(app, ["registry", "import", files["past"], "-r", files["db"]])
    command = [a.format(**files) for a in args] + ["--format", fmt]
    printed = RUNNER.invoke(app, command)
    assert printed.exit_code == 0, printed.output
    assert printed.stdout.strip()
    out = tmp_path / f"result.{fmt}"
    out.write_text("an older result\n", encoding="utf-8")  # replaced, not appended to
    written = RUNNER.invoke(app, [*command, "-o", str(out)])
    assert written.exit_code == 0, written.output
    assert out.read_text(encoding="utf-8") == printed.stdout
    assert written.stdout == ""
    assert written.stderr == f"wrote {out}\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_registry_import_writes_its_summary(files: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "summary.json"
    args = ["registry", "import", files["past"], "-r", files["db"], "-f", "json", "-o", str(out)]
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert '"experiments_added": 2' in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["missing folder", "a folder"])
def test_an_unwritable_path_is_one_error_line(tmp_path: Path, where: str) -> None:
    target = tmp_path / "nowhere" / "out.json" if where == "missing folder" else tmp_path
    args = ["power", "--baseline", "10", "--sd", "10", "--mde", "1", "-f", "json"]
    result = RUNNER.invoke(app, [*args, "-o", str(target)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: `--output` {str(target)!r} cannot be written: ")
    assert "Traceback" not in result.output
    assert [p.name for p in tmp_path.iterdir()] == []  # no temporary file left behind


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report.md"
    out.write_text("old\n", encoding="utf-8")

    def fail(self: Path, target: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises(ProxymetricError, match="cannot be written: No space left on device"):
        write_output(out, "new\n")
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_a_new_file_gets_the_umask_and_an_old_one_keeps_its_mode(tmp_path: Path) -> None:
    umask = os.umask(0o027)
    try:
        write_output(tmp_path / "new.txt", "x\n", announce=False)
        old = tmp_path / "old.txt"
        old.write_text("", encoding="utf-8")
        old.chmod(0o600)
        write_output(old, "y\n", announce=False)
    finally:
        os.umask(umask)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o640
    assert old.stat().st_mode & 0o777 == 0o600
    assert old.read_text(encoding="utf-8") == "y\n"
