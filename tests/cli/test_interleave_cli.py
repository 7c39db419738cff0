"""`proxymetric interleave`: lists, analysis and plan through the CLI, and one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proxymetric.cli import app
from proxymetric.interleaving import team_draft

RUNNER = CliRunner()

RANKINGS = """\
unit,ranker,item,rank
u1,a,m1,1
u1,a,m2,2
u1,a,m3,3
u1,b,m3,1
u1,b,m4,2
u2,a,m5,1
u2,b,m6,1
"""


def test_lists_csv_and_json(tmp_path: Path) -> None:
    path = tmp_path / "rankings.csv"
    path.write_text(RANKINGS, encoding="utf-8")
    res = RUNNER.invoke(app, ["interleave", "lists", str(path), "--seed", "7"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    u1 = [r for r in rows if r["unit"] == "u1"]
    expected = team_draft(["m1", "m2", "m3"], ["m3", "m4"], seed="7:u1")
    assert tuple(r["item"] for r in u1) == expected.items
    assert tuple(r["team"] for r in u1) == expected.teams
    js = RUNNER.invoke(app, ["interleave", "lists", str(path), "--seed", "7", "--format", "json"])
    assert [r["item"] for r in json.loads(js.stdout)] == [r["item"] for r in rows]
    out = tmp_path / "lists.csv"
    res = RUNNER.invoke(app, ["interleave", "lists", str(path), "-o", str(out), "--length", "1"])
    assert res.exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3  # header + one per unit


def test_analyze_and_plan(tmp_path: Path) -> None:
    path = tmp_path / "clicks.csv"
    lines = ["unit,list,item,team,clicked"]
    for u in range(60):
        lines.append(f"u{u},1,x{u},a,{int(u % 3 != 0)}")
        lines.append(f"u{u},1,y{u},b,{int(u % 3 == 0)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = RUNNER.invoke(app, ["interleave", "analyze", str(path), "-f", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert (doc["wins_a"], doc["wins_b"], doc["ties"]) == (40, 20, 0)
    assert doc["winner"] == "a"
    table = RUNNER.invoke(app, ["interleave", "analyze", str(path)])
    assert "ranker a is preferred" in table.stdout
    plan = RUNNER.invoke(
        app, ["interleave", "plan", "--preference", "0.6", "--tie-rate", "0.5", "-f", "json"]
    )
    assert json.loads(plan.stdout)["units"] == 388


def test_bad_input_is_one_line_with_status_2(tmp_path: Path) -> None:
    path = tmp_path / "clicks.csv"
    path.write_text("unit,list,item,team,clicked\nu1,1,x,c,1\n", encoding="utf-8")
    res = RUNNER.invoke(app, ["interleave", "analyze", str(path)])
    assert res.exit_code == 2
    assert "column `team` must hold 'a' or 'b'; got 'c' in 1 rows" in res.output
    assert "Traceback" not in res.output
    rankings = tmp_path / "rankings.csv"
    rankings.write_text("unit,ranker,item,rank\nu1,a,m1,1\nu1,a,m1,2\n", encoding="utf-8")
    res = RUNNER.invoke(app, ["interleave", "lists", str(rankings)])
    assert res.exit_code == 2
    assert "unit 'u1': `ranking_a` lists item 'm1' twice" in res.output


def test_every_command_of_the_guide_runs(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shell examples of docs/interleaving.md, run through the CLI runner from the root
    (the output file goes to a temporary folder)."""
    import shlex

    monkeypatch.chdir(root)
    lines = (root / "docs" / "interleaving.md").read_text(encoding="utf-8").splitlines()
    commands = [
        shlex.split(x[len("$ proxymetric ") :]) for x in lines if x.startswith("$ proxymetric ")
    ]
    assert len(commands) == 4
    for command in commands:
        args = [str(tmp_path / a) if a == "lists.csv" else a for a in command]
        res = RUNNER.invoke(app, args)
        assert res.exit_code == 0, (args, res.output)
    assert len((tmp_path / "lists.csv").read_text(encoding="utf-8").splitlines()) == 1 + 50 * 10


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "q7,a,m1,0\nq7,a,m2,1\n",
            (
                "error: column `rank` must hold whole numbers >= 1 (1 = top); got 0 for unit 'q7', "
                "ranker 'a' (1 bad row(s))"
            ),
        ),
        (
            "q7,b,m1,1.5\nq7,a,m2,1\n",
            (
                "error: column `rank` must hold whole numbers >= 1 (1 = top); got 1.5 for unit 'q7', "
                "ranker 'b' (1 bad row(s))"
            ),
        ),
        (
            "q7,a,m1,1\nq7,a,m2,1\nq7,b,m1,1\n",
            (
                "error: column `rank` repeats rank 1 for unit 'q7', ranker 'a' (items 'm1' and 'm2'); "
                "the ranks of one list must be distinct (1 repeat(s))"
            ),
        ),
    ],
)
def test_bad_ranks_are_one_line(tmp_path: Path, rows: str, message: str) -> None:
    rankings = tmp_path / "rankings.csv"
    rankings.write_text("unit,ranker,item,rank\n" + rows, encoding="utf-8")
    res = RUNNER.invoke(app, ["interleave", "lists", str(rankings)])
    assert res.exit_code == 2
    assert res.stderr.strip() == message
