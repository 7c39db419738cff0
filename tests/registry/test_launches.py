"""Launch results in the registry: the migration from schema version 1, recording, importing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from scipy import stats

from proxymetric.analysis import analyze
from proxymetric.errors import DataError, ProxymetricError
from proxymetric.offline import evaluate
from proxymetric.pairwise import Judgments, analyze_judgments
from proxymetric.proxies.chain import launch_table_from_registry
from proxymetric.registry import (
    Registry,
    blind_test_launch,
    import_launches,
    offline_launch,
)
from proxymetric.registry import store as store_module
from proxymetric.spec import load_spec

V1_DUMP = Path(__file__).parent / "data" / "registry_v1.sql"
OLD_TABLES = ("records", "effects", "noise_covariances")


def _v1_file(tmp_path: Path) -> Path:
    """A registry file exactly as proxymetric wrote it at schema version 1 (a SQL dump of one:
    a plan, an analysis of Cookie Cats with measured covariances, and an import)."""
    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(V1_DUMP.read_text())
    return path


def _dump(path: Path, tables: tuple[str, ...] = OLD_TABLES) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"select * from {t} order by 1").fetchall() for t in tables}


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}


def _version(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(
            conn.execute(
                "select value from proxymetric_meta where key = 'schema_version'"
            ).fetchone()[0]
        )


def test_a_version_1_file_opens_keeps_every_record_and_gains_the_new_table(
    tmp_path: Path,
) -> None:
    path = _v1_file(tmp_path)
    before = _dump(path)
    assert [len(before[t]) for t in OLD_TABLES] == [3, 5, 1]
    reg = Registry(path)
    assert reg.schema_version == 1
    records = reg.records(with_effects=True)
    assert [r.kind for r in records] == ["plan", "analysis", "import"]
    assert sum(len(r.effects) for r in records) == len(before["effects"])
    assert records[1].covariances  # the measured noise covariance is read back
    # Reading never writes: the old file gets no table and keeps its version.
    assert reg.launch_results() == []
    assert "launch_results" not in _tables(path)
    assert _version(path) == "1"
    reg.record_launch("l1", "offline", "ndcg@10", 0.01, 0.004)
    assert reg.schema_version == 2
    assert _version(path) == "2"
    assert "launch_results" in _tables(path)
    assert _dump(path) == before  # every old row, byte for byte
    assert [r.launch for r in reg.launch_results()] == ["l1"]
    # The old records still feed the proxy validation after the migration.
    assert len(Registry(path).records(with_effects=True)) == 3


def test_a_failed_migration_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _v1_file(tmp_path)
    before = _dump(path, (*OLD_TABLES, "proxymetric_meta"))

    def fail(conn: object) -> None:
        raise sa.exc.OperationalError("update", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(store_module, "_set_schema_version", fail)
    reg = Registry(path)
    with pytest.raises(ProxymetricError, match="cannot be written: disk I/O error"):
        reg.record_launch("l1", "offline", "rmse", -0.1, 0.02, direction="decrease")
    # create_all ran inside the failed transaction: the new table was rolled back with it.
    assert "launch_results" not in _tables(path)
    assert _dump(path, (*OLD_TABLES, "proxymetric_meta")) == before
    monkeypatch.undo()
    Registry(path).record_launch("l1", "offline", "rmse", -0.1, 0.02, direction="decrease")
    assert _version(path) == "2"


def test_a_write_failing_half_way_adds_no_row(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "r.db")
    reg.record_launch("l0", "ab", "clicks", 0.1, 0.05)
    good = {"launch": "l1", "level": "ab", "metric": "clicks", "effect": 1.0, "effect_se": 0.1}
    # The second row breaks a NOT NULL constraint inside the transaction, after the first row.
    with pytest.raises(ProxymetricError, match="cannot be written"):
        reg.record_launches([good, {**good, "command": None}])
    assert [r.launch for r in reg.launch_results()] == ["l0"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"level": "online"}, "`level` must be one of 'offline', 'blind'"),
        ({"launch": " "}, "`launch` must be a non-empty name; got ' '"),
        ({"direction": "up"}, "`direction` must be 'increase' or 'decrease'; got 'up'"),
        ({"effect_se": -1.0}, "`effect_se` must be >= 0; got -1.0"),
    ],
)
def test_bad_launch_results_are_refused(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    reg = Registry(tmp_path / "r.db")
    row = {"launch": "l", "level": "ab", "metric": "m", "effect": 1.0, "effect_se": 0.1}
    with pytest.raises(ProxymetricError, match=message.replace("(", r"\(")):
        reg.record_launches([{**row, **change}])
    assert reg.launch_results() == []


def test_an_analysis_recorded_under_a_launch(tmp_path: Path, cookie_cats_spec: Path) -> None:
    spec = load_spec(cookie_cats_spec)
    result = analyze(spec, effect_covariance=True, folds=True)
    reg = Registry(tmp_path / "r.db")
    rid = reg.record_analysis(result, spec, launch="gate_40")
    rows = reg.launch_results("gate_40")
    assert {r.metric: r.level for r in rows} == {
        "retention_7": "north_star",  # the spec's north star
        "retention_1": "ab",
        "rounds": "ab",
    }
    for r in rows:
        m = next(x for x in result.results if x.metric == r.metric)
        assert (r.effect, r.effect_se, r.record_id) == (m.effect, m.effect_se, rid)
        assert r.units == m.control_units + m.treatment_units
    table = launch_table_from_registry(reg)
    assert table.n_measured == 3  # three pairs of one analysis
    assert table.n_assumed == 0
    i, j = table.steps.index("ab:retention_1"), table.steps.index("north_star:retention_7")
    measured = reg.get(rid).covariances["gate_40"]["retention_1"]["retention_7"]
    assert table.noise_cov[0, i, j] == pytest.approx(measured)


def test_offline_rows_carry_the_interval_width_as_standard_error(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n_units, n_items = 60, 10
    u, i = np.meshgrid(np.arange(n_units), np.arange(n_items), indexing="ij")
    rating = rng.integers(1, 6, u.size).astype(float)
    truth = tmp_path / "truth.csv"
    truth.write_text(
        "unit,item,rating\n"
        + "".join(f"{a},{b},{c}\n" for a, b, c in zip(u.ravel(), i.ravel(), rating, strict=True))
    )

    def predictions(names: tuple[str, ...]) -> Path:
        path = tmp_path / f"pred_{len(names)}.csv"
        lines = ["model,unit,item,score,predicted_rating"]
        for name, sd in zip(names, (2.0, 1.0, 0.5), strict=False):
            guess = rating + rng.normal(0, sd, u.size)
            lines += [
                f"{name},{a},{b},{g},{g}"
                for a, b, g in zip(u.ravel(), i.ravel(), guess, strict=True)
            ]
        path.write_text("\n".join(lines) + "\n")
        return path

    res = evaluate(
        str(predictions(("old", "new"))), str(truth), k=5, baseline="old", n_bootstrap=200
    )
    rows = offline_launch(res, "l1")
    assert {r["metric"] for r in rows} == {c.metric for c in res.comparisons}
    z = stats.norm.ppf(0.975)  # reference: scipy's normal quantile
    for r, c in zip(rows, res.comparisons, strict=True):
        lo = c.difference_ci_lower
        hi = c.difference_ci_upper
        assert r["effect_se"] == pytest.approx((hi - lo) / (2 * z))
        assert r["direction"] == c.direction
        assert r["comparison"] == "new vs old"
    three = evaluate(str(predictions(("a", "b", "c"))), str(truth), k=5, n_bootstrap=50)
    with pytest.raises(ProxymetricError, match="compares 2 models with it"):
        offline_launch(three, "l1")
    no_boot = evaluate(str(predictions(("old", "new"))), str(truth), k=5, n_bootstrap=0)
    with pytest.raises(ProxymetricError, match="run with `--bootstrap` > 0"):
        offline_launch(no_boot, "l1")


def test_blind_rows_oppose_the_two_systems(root: Path, tmp_path: Path) -> None:
    judgments = root / "examples" / "interleaving-movielens" / "judgments.csv"
    lines = judgments.read_text().splitlines()
    two = tmp_path / "two.csv"
    two.write_text("\n".join([lines[0], *(x for x in lines[1:] if "popularity" not in x)]) + "\n")
    res = analyze_judgments(Judgments.from_table(two), n_bootstrap=20)
    a, b = res.systems
    (row,) = blind_test_launch(res, "l1", "EASE")
    cand, base = (a, b) if a.system == "item-kNN" else (b, a)
    assert a.score + b.score == pytest.approx(2000)  # centred strengths: perfectly opposed
    assert row["effect"] == pytest.approx(cand.score - base.score)
    assert row["effect_se"] == pytest.approx(2 * cand.score_se)
    assert row["comparison"] == "item-kNN vs EASE"
    with pytest.raises(ProxymetricError, match="`--baseline` must name the system"):
        blind_test_launch(res, "l1", None)
    three = analyze_judgments(Judgments.from_table(judgments), n_bootstrap=20)
    with pytest.raises(ProxymetricError, match="has 3 systems"):
        blind_test_launch(three, "l1", "EASE")


def test_import_launches_from_a_csv(tmp_path: Path) -> None:
    good = tmp_path / "launches.csv"
    good.write_text(
        "launch,level,metric,effect,effect_se,direction,units\n"
        "l1,offline,rmse,-0.02,0.01,decrease,5000\n"
        "l1,long_term,revenue_90d,1.5,0.9,,\n"
    )
    reg = Registry(tmp_path / "r.db")
    assert len(import_launches(reg, good)) == 2
    rows = reg.launch_results()
    assert [(r.level, r.direction, r.units, r.command) for r in rows] == [
        ("offline", "decrease", 5000, "import"),
        ("long_term", "increase", None, "import"),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "launch,level,metric,effect,effect_se\nl2,offline,rmse,0.1,0.1\nl2,online,x,1,1\n"
    )
    with pytest.raises(DataError, match=r"bad\.csv:3: column `level` must be one of offline"):
        import_launches(reg, bad)
    assert len(reg.launch_results()) == 2  # the good line of the bad file is not imported
    missing = tmp_path / "missing.csv"
    missing.write_text("launch,level,effect\nl,ab,1\n")
    with pytest.raises(DataError, match="missing column"):
        import_launches(reg, missing)
