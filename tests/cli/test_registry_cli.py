"""``proxymetric registry`` (``register`` a plan too) and ``analyze --record`` through typer's
CLI runner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proxymetric.cli import app

runner = CliRunner()


@pytest.fixture
def spec(tmp_path: Path, cookie_cats_spec: Path) -> Path:
    for name in ("proxymetric.yaml", "cookie_cats.csv.gz"):
        shutil.copy(cookie_cats_spec.parent / name, tmp_path / name)
    return tmp_path / "proxymetric.yaml"


def test_record_list_show(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(spec.parent)  # the default registry is proxymetric.db in the current folder
    db = spec.parent / "proxymetric.db"
    result = runner.invoke(app, ["analyze", str(spec), "--record", "-f", "json"])
    assert result.exit_code == 0, result.output
    analysed = json.loads(result.stdout)
    assert db.exists()
    assert (
        result.stderr
        == f"recorded the analysis of gate-40 as record 1 in sqlite:///{db.resolve()}\n"
    )
    listed = runner.invoke(app, ["registry", "list", "-r", str(db), "-f", "json"])
    assert listed.exit_code == 0, listed.output
    records = json.loads(listed.output)
    assert [(r["kind"], r["experiment"]) for r in records] == [("analysis", "gate-40")]
    assert records[0]["noise_covariance"] == "measured"
    assert records[0]["fingerprint"] == analysed["fingerprint"]
    shown = runner.invoke(app, ["registry", "show", "1", "-r", str(db), "-f", "json"])
    rec = json.loads(shown.output)
    assert [e["effect"] for e in rec["effects"]] == [r["effect"] for r in analysed["results"]]
    table = runner.invoke(app, ["registry", "show", "1", "-r", str(db)])
    assert "Record 1: gate-40" in table.output
    assert "retention_7" in table.output
    md = runner.invoke(app, ["registry", "list", "-r", str(db), "-f", "markdown"])
    assert md.output.startswith("## Registry")


def test_plan_deviation_in_every_format(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(spec.parent)
    args = ["-e", "gate-40", "--planned-units", "120000", "--mde", "0.01"]
    reg = runner.invoke(app, ["registry", "register", str(spec), *args])
    assert reg.exit_code == 0, reg.output
    assert reg.output.startswith("registered the plan of gate-40 (primary retention_7) as record 1")
    spec.write_text(
        spec.read_text()
        .replace("primary: retention_7", "primary: rounds")
        .replace("secondary: [rounds]", "secondary: [retention_7]")
    )
    expected = "90,189 units analysed, fewer than the 120,000 planned"
    as_json = json.loads(runner.invoke(app, ["analyze", str(spec), "-f", "json"]).output)
    assert any("the primary metric is rounds" in w for w in as_json["warnings"])
    assert any(expected in w for w in as_json["warnings"])
    assert expected in runner.invoke(app, ["analyze", str(spec), "-f", "markdown"]).output
    table = runner.invoke(app, ["analyze", str(spec)]).output
    assert "plan deviation" in table
    # Nothing was recorded by analysing without --record.
    listed = runner.invoke(app, ["registry", "list", "-r", str(spec.parent / "proxymetric.db")])
    assert "1 record in" in listed.output


def test_every_command_uses_the_same_default_registry(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # not the spec's folder
    db = (work / "proxymetric.db").resolve()
    args = ["-e", "gate-40", "--planned-units", "120000", "--mde", "0.01"]
    reg = runner.invoke(app, ["registry", "register", str(spec), *args])
    assert reg.exit_code == 0, reg.output
    assert reg.stdout == (
        f"registered the plan of gate-40 (primary retention_7) as record 1 in sqlite:///{db}\n"
    )
    listed = json.loads(runner.invoke(app, ["registry", "list", "-f", "json"]).stdout)
    assert [(r["kind"], r["experiment"]) for r in listed] == [("plan", "gate-40")]
    analysed = runner.invoke(app, ["analyze", str(spec), "-f", "json", "--record"])
    assert analysed.exit_code == 0, analysed.output
    warnings = json.loads(analysed.stdout)["warnings"]
    assert any("fewer than the 120,000 planned (record 1)" in w for w in warnings)
    assert analysed.stderr == f"recorded the analysis of gate-40 as record 2 in sqlite:///{db}\n"
    shown = runner.invoke(app, ["registry", "show", "2", "-f", "json"])
    assert json.loads(shown.stdout)["kind"] == "analysis"
    assert not (spec.parent / "proxymetric.db").exists()


def test_import_asos_twice(tmp_path: Path, root: Path) -> None:
    db = str(tmp_path / "r.db")
    path = str(root / "examples" / "data" / "asos" / "asos_digital_experiments.csv.gz")
    first = runner.invoke(app, ["registry", "import", path, "--source", "asos", "-r", db])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("imported 78 experiments (396 effects)")
    second = runner.invoke(
        app, ["registry", "import", path, "--source", "asos", "-r", db, "-f", "json"]
    )
    assert json.loads(second.output)["experiments_skipped"] == 78


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["registry", "list", "-r", "{tmp}/none.db"], "none.db' does not exist; record an"),
        (["registry", "show", "3", "-r", "{db}"], "`record` 3 does not exist"),
        (["registry", "list", "-r", "{db}", "--kind", "x"], "`kind` must be one of"),
        (
            ["registry", "import", "{tmp}/x.csv", "-r", "{db}", "--source", "tsv"],
            "`source` must be one",
        ),
        (["registry", "import", "{tmp}/x.csv", "-r", "{db}"], "x.csv' does not exist"),
        (
            ["registry", "register", "{spec}", "-e", "gate-4"],
            "`experiment` 'gate-4' is not defined",
        ),
    ],
)
def test_errors_are_one_line(spec: Path, args: list[str], message: str) -> None:
    tmp = spec.parent
    db = tmp / "r.db"
    (tmp / "one.csv").write_text(
        "experiment,metric,effect,effect_se,control_units,treatment_units\ne,m,1,1,10,10\n"
    )
    made = runner.invoke(app, ["registry", "import", str(tmp / "one.csv"), "-r", str(db)])
    assert made.exit_code == 0, made.output
    filled = [a.format(tmp=tmp, db=db, spec=spec) for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_every_command_of_the_guide_runs(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shell examples of docs/registry.md, from the root, with a temporary registry."""
    import shlex

    monkeypatch.chdir(root)
    db = str(tmp_path / "r.db")
    lines = (root / "docs" / "registry.md").read_text(encoding="utf-8").splitlines()
    commands = [
        [db if a == "REGISTRY" else a for a in shlex.split(x[len("$ proxymetric ") :])]
        for x in lines
        if x.startswith("$ proxymetric ")
    ]
    assert len(commands) == 4
    outputs = []
    for command in commands:
        res = runner.invoke(app, command)
        assert res.exit_code == 0, (command, res.output)
        outputs.append(res.output)
    assert outputs[0].startswith("registered the plan of gate-40 (primary retention_7) as record 1")
    assert outputs[1].startswith("imported 78 experiments (396 effects) from examples/data/asos")
    assert "gate-40" in outputs[2]
    assert outputs[3].startswith("## Record 2: ")


SHIPPED = """experiment,metric,effect,effect_se,control_units,treatment_units,shipped
a,revenue,0.05,0.02,1000,1000,true
b,revenue,-0.01,0.02,1000,1000,false
c,revenue,0.01,0.02,1000,1000,false
d,revenue,0.045,0.02,1000,1000,true
e,revenue,0.0,0.02,1000,1000,false
f,revenue,-0.03,0.02,1000,1000,false
"""


def test_impact(tmp_path: Path) -> None:
    # Reference: the normal-normal posterior mean in closed form, recomputed with numpy:
    # mu = mean(y), tau^2 = var(y) - mean(se^2), B = tau^2 / (tau^2 + se^2).
    import numpy as np

    (tmp_path / "e.csv").write_text(SHIPPED)
    db = str(tmp_path / "r.db")
    runner.invoke(app, ["registry", "import", str(tmp_path / "e.csv"), "-r", db])
    args = ["registry", "impact", "-r", db, "-m", "revenue", "--value-per-unit", "2"]
    res = runner.invoke(app, [*args, "--units", "1000000", "-f", "json"])
    assert res.exit_code == 0, res.output
    imp = json.loads(res.output)
    y = np.array([0.05, -0.01, 0.01, 0.045, 0.0, -0.03])
    tau2 = y.var(ddof=1) - 0.02**2
    b = tau2 / (tau2 + 0.02**2)
    post = y.mean() + b * (y - y.mean())
    assert imp["naive_money"] == pytest.approx((0.05 + 0.045) * 2e6)
    assert imp["shrunk_money"] == pytest.approx((post[0] + post[3]) * 2e6)
    assert [s["comparison"] for s in imp["shipped"]] == ["a/treatment", "d/treatment"]
    table = runner.invoke(app, [*args, "--units", "1000000"])
    assert "Program impact on revenue" in table.output
    bad = runner.invoke(app, [*args, "--units", "-1"])
    assert bad.exit_code == 2
    assert "`units` == -1.0, must be > 0" in bad.output


def _foreign(path: Path) -> Path:
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("create table users (id integer primary key, name text)")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["registry", "list"],
        ["registry", "show", "1"],
        ["registry", "import", "{csv}"],
        ["registry", "impact", "-m", "revenue", "--value-per-unit", "1", "--units", "1"],
        ["proxies", "-n", "revenue"],
        ["registry", "register", "{spec}", "-e", "gate-40"],
        ["analyze", "{spec}"],
        ["analyze", "{spec}", "--record"],
        ["check", "{spec}"],
    ],
)
def test_every_command_refuses_a_foreign_database_and_leaves_it(
    spec: Path, args: list[str]
) -> None:
    # Someone's own SQLite file: reads and writes are refused with one line, and no table is
    # added to it.
    db = _foreign(spec.parent / "own.db")
    before = db.read_bytes()
    (spec.parent / "e.csv").write_text(SHIPPED)
    filled = [a.format(spec=spec, csv=spec.parent / "e.csv") for a in args]
    result = runner.invoke(app, [*filled, "--registry", str(db)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: `registry` {str(db)!r} is not a proxymetric registry")
    assert len(result.output.strip().splitlines()) == 1
    assert db.read_bytes() == before


def test_a_corrupted_registry_in_the_default_place(
    spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Plain `analyze` reads the registry in the default place (proxymetric.db in the current
    # folder) only for plan deviations: it still analyses, and says the plan was not checked.
    # Asked for (--record, --registry, check --registry), the registry must work: one error line.
    monkeypatch.chdir(spec.parent)
    db = spec.parent / "proxymetric.db"
    db.write_bytes(b"\x00\x01 not a database " * 300)
    before = db.read_bytes()
    plain = runner.invoke(app, ["analyze", str(spec), "-f", "json"])
    assert plain.exit_code == 0, plain.output
    out = json.loads(plain.output)
    assert out["decision"]["verdict"] == "rollback"
    assert out["warnings"][-1] == (
        "plan deviations not checked: `registry` 'proxymetric.db' cannot be read: "
        "file is not a database"
    )
    table = runner.invoke(app, ["analyze", str(spec)])
    assert table.exit_code == 0
    assert "plan deviations not checked" in table.output
    for args, name in (
        (["analyze", str(spec), "--record"], "proxymetric.db"),
        (["analyze", str(spec), "--registry", str(db)], str(db)),
        (["check", str(spec), "--registry", str(db)], str(db)),
    ):
        res = runner.invoke(app, args)
        assert res.exit_code == 2, (args, res.output)
        assert res.output == f"error: `registry` {name!r} cannot be read: file is not a database\n"
    assert db.read_bytes() == before


def test_a_registry_url_that_cannot_connect_shows_no_password(tmp_path: Path) -> None:
    url = "postgresql://analyst:Tr0ub4dor-3@127.0.0.1:1/experiments"
    for args in (["registry", "list"], ["registry", "import", str(tmp_path / "e.csv")]):
        (tmp_path / "e.csv").write_text(SHIPPED)
        res = runner.invoke(app, [*args, "-r", url])
        assert res.exit_code == 2, res.output
        assert "Tr0ub4dor" not in res.output
        assert res.output.startswith(
            "error: `registry` 'postgresql://analyst:***@127.0.0.1:1/experiments' cannot be read"
        )
        assert len(res.output.strip().splitlines()) == 1


CHECKOUT = Path(__file__).resolve().parents[2] / "examples" / "checkout-events" / "proxymetric.yaml"


@pytest.mark.parametrize("option", ["--record", "--registry"])
def test_sequential_analysis_is_not_recorded_silently(tmp_path: Path, option: str) -> None:
    # `--sequential` analyses every look; the registry holds fixed-horizon analyses, so a
    # request to record (or to check against) the registry is refused rather than ignored.
    db = tmp_path / "r.db"
    args = ["analyze", str(CHECKOUT), "--sequential", option]
    res = runner.invoke(app, [*args, str(db)] if option == "--registry" else [*args])
    assert res.exit_code == 2, res.output
    assert res.output == (
        f"error: `{option}` does not apply to `--sequential`: the registry holds fixed-horizon "
        "analyses; once the test stops, run `proxymetric analyze SPEC --record`\n"
    )
    assert not db.exists()
    assert not (CHECKOUT.parent / "proxymetric.db").exists()


def test_counts_in_words(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    (tmp_path / "one.csv").write_text(SHIPPED.splitlines()[0] + "\n" + SHIPPED.splitlines()[1])
    imported = runner.invoke(app, ["registry", "import", str(tmp_path / "one.csv"), "-r", db])
    assert imported.output.startswith("imported 1 experiment (1 effect) from ")
    again = runner.invoke(app, ["registry", "import", str(tmp_path / "one.csv"), "-r", db])
    assert again.output.startswith("imported 0 experiments (0 effects) from ")
    listed = runner.invoke(app, ["registry", "list", "-r", db, "-f", "markdown"])
    assert f"1 record in sqlite:///{tmp_path / 'r.db'}" in listed.output


def test_impact_with_nothing_shipped_says_so(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text(SHIPPED.replace(",true", ",false"))
    db = str(tmp_path / "r.db")
    runner.invoke(app, ["registry", "import", str(tmp_path / "e.csv"), "-r", db])
    args = ["registry", "impact", "-r", db, "-m", "revenue", "--value-per-unit", "2"]
    for fmt in ("table", "markdown"):
        res = runner.invoke(app, [*args, "--units", "1000", "-f", fmt])
        assert res.exit_code == 0, res.output
        assert "no experiment shipped: none of the 6 comparisons with revenue is marked" in (
            " ".join(res.output.split())
        )
        assert "claimed (naive sum)" not in res.output
        assert "0.00" not in res.output
    as_json = json.loads(runner.invoke(app, [*args, "--units", "1000", "-f", "json"]).output)
    assert (as_json["n_shipped"], as_json["shipped"]) == (0, [])
