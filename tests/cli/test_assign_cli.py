"""``proxymetric assign`` end to end through the CLI runner, on the bundled Cookie Cats spec.

The JSON output is checked against the library and scipy's chi-square; the printed SQL is run
by DuckDB and compared with the Python function.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv
import pyarrow.parquet
import pytest
from scipy import stats
from typer.testing import CliRunner

from proxymetric.assignment import assign
from proxymetric.cli import app

ROOT = Path(__file__).resolve().parents[2]
COOKIE = str(ROOT / "examples" / "cookie-cats" / "proxymetric.yaml")
WEIGHTS = {"gate_30": 0.5, "gate_40": 0.5}
runner = CliRunner()


def test_json_counts_every_unit_and_tests_the_split_like_scipy() -> None:
    out = runner.invoke(app, ["assign", COOKIE, "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    counts = data["variant_units"]
    assert sum(counts.values()) == data["units"] == 90_189
    reference = stats.chisquare([counts["gate_30"], counts["gate_40"]])
    assert data["srm"]["pvalue"] == pytest.approx(reference.pvalue, rel=1e-9)
    assert data["salt"] == "gate-40"


def test_table_and_markdown_show_the_counts_and_the_srm_check() -> None:
    table = runner.invoke(app, ["assign", COOKIE])
    assert table.exit_code == 0, table.output
    assert "SRM check passed" in table.output
    assert "gate_40" in table.output
    markdown = runner.invoke(app, ["assign", COOKIE, "-f", "markdown"])
    assert "| variant | weight | units | share |" in markdown.output


def test_ids_from_a_file_are_written_as_parquet(tmp_path: Path) -> None:
    ids = tmp_path / "ids.csv"
    pyarrow.csv.write_csv(pa.table({"player": [f"p{i}" for i in range(1000)]}), ids)
    out = tmp_path / "assigned.parquet"
    args = ["assign", COOKIE, "--ids", str(ids), "--column", "player", "--write", str(out)]
    result = runner.invoke(app, [*args, "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = pyarrow.parquet.read_table(out).to_pylist()
    players = [r["player"] for r in rows]
    assert [r["variant"] for r in rows] == assign(players, WEIGHTS, "gate-40")
    assert json.loads(result.output)["units"] == 1000


def test_the_printed_sql_runs_in_duckdb_as_python_assigns() -> None:
    out = runner.invoke(app, ["assign", COOKIE, "--sql", "duckdb", "--column", "player"])
    assert out.exit_code == 0, out.output
    players = [f"p{i}" for i in range(2000)]
    con = duckdb.connect()
    con.register("t", pa.table({"player": players}))
    got = dict(con.sql(f"SELECT player, {out.output.strip()} FROM t").fetchall())
    assert [got[p] for p in players] == assign(players, WEIGHTS, "gate-40")
    query = runner.invoke(app, ["assign", COOKIE, "--sql", "postgres", "--table", "players"])
    assert 'FROM "players"' in query.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ids", "nope.csv"], "error: file of ids not found: nope.csv"),
        (["--sql", "oracle"], "error: `dialect` must be one of 'duckdb', 'postgres', 'spark'"),
        (["--table", "t"], "error: `--table` names the table of the query `--sql` prints"),
        (["-e", "gate-50"], "error: `experiment` 'gate-50' is not defined"),
        (["-f", "html"], "error: `--format` html is not available for assign"),
    ],
)
def test_bad_input_is_one_line_and_status_2(args: list[str], message: str) -> None:
    out = runner.invoke(app, ["assign", COOKIE, *args])
    assert out.exit_code == 2
    lines = out.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(message), lines[0]


def test_a_missing_id_column_lists_the_columns(tmp_path: Path) -> None:
    ids = tmp_path / "ids.csv"
    pyarrow.csv.write_csv(pa.table({"player": ["a"], "country": ["fr"]}), ids)
    out = runner.invoke(app, ["assign", COOKIE, "--ids", str(ids)])
    assert out.exit_code == 2
    assert "error: id column 'userid' not found in file" in out.output
    assert "columns: player, country" in out.output


def test_the_guide_s_example_is_what_the_command_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    guide = (ROOT / "docs" / "assignment.md").read_text()
    block = re.search(r"```console\n\$ (.*?)\n(.*?)```", guide, flags=re.DOTALL)
    assert block is not None
    command, expected = block.group(1), block.group(2)
    monkeypatch.chdir(ROOT)
    out = runner.invoke(app, shlex.split(command)[1:])
    assert out.exit_code == 0, out.output
    assert out.output == expected
