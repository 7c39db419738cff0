"""The registry: records round-trip, reproduce, never half-written, and survive concurrent writers."""

from __future__ import annotations

import dataclasses
import math
import multiprocessing
import runpy
import signal
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import proxymetric
from proxymetric.analysis.result import ExperimentResult
from proxymetric.errors import ProxymetricError
from proxymetric.proxies import table_from_registry
from proxymetric.registry import EffectRecord, Registry, plan_deviations, registry_url, spec_hash
from proxymetric.registry._schema import SCHEMA_VERSION


@pytest.fixture(scope="module")
def cookie_result(cookie_cats_spec: Path) -> ExperimentResult:
    return proxymetric.analyze(cookie_cats_spec, effect_covariance=True)


def _effects(n: int, tag: str) -> list[EffectRecord]:
    return [
        EffectRecord(
            variant="treatment",
            metric=f"m{j}",
            role=None,
            effect=float(j),
            effect_se=1.0,
            control_units=100,
            treatment_units=100,
            control_mean=float(len(tag)),
        )
        for j in range(n)
    ]


def test_record_round_trip(
    tmp_path: Path, cookie_cats_spec: Path, cookie_result: ExperimentResult
) -> None:
    reg = Registry(tmp_path / "r.db")
    spec = proxymetric.load_spec(cookie_cats_spec)
    rid = reg.record_analysis(cookie_result, spec)
    rec = reg.get(rid)
    assert rec.kind == "analysis"
    assert rec.experiment == "gate-40"
    assert rec.fingerprint == cookie_result.fingerprint
    assert rec.spec_hash == spec_hash(spec)
    assert rec.tool_version == proxymetric.__version__
    assert rec.decision == "rollback"
    assert rec.shipped is False
    assert rec.noise_covariance == "measured"
    assert rec.covariances == cookie_result.effect_covariance
    assert rec.details["units"] == {"gate_30": 44700, "gate_40": 45489}
    assert [(e.metric, e.effect, e.effect_se) for e in rec.effects] == [
        (r.metric, r.effect, r.effect_se) for r in cookie_result.results
    ]


def test_reproducing_a_recorded_analysis_gives_the_same_numbers(
    tmp_path: Path, cookie_cats_spec: Path, cookie_result: ExperimentResult
) -> None:
    reg = Registry(tmp_path / "r.db")
    spec = proxymetric.load_spec(cookie_cats_spec)
    rid = reg.record_analysis(cookie_result, spec)
    rec = reg.get(rid)
    again = proxymetric.analyze(proxymetric.load_spec(cookie_cats_spec), effect_covariance=True)
    assert again.fingerprint == rec.fingerprint
    assert spec_hash(proxymetric.load_spec(cookie_cats_spec)) == rec.spec_hash
    for e in rec.effects:
        r = again.result(e.metric, e.variant)
        assert (r.effect, r.effect_se, r.pvalue, r.control_units, r.treatment_units) == (
            e.effect,
            e.effect_se,
            e.pvalue,
            e.control_units,
            e.treatment_units,
        )


def test_spec_hash_ignores_formatting(tmp_path: Path, cookie_cats_spec: Path) -> None:
    text = cookie_cats_spec.read_text()
    (tmp_path / "cookie_cats.csv.gz").write_bytes(
        (cookie_cats_spec.parent / "cookie_cats.csv.gz").read_bytes()
    )
    other = tmp_path / "proxymetric.yaml"
    other.write_text("# a new comment\n" + text.replace("    split:", "    split:   "))
    assert spec_hash(proxymetric.load_spec(other)) == spec_hash(
        proxymetric.load_spec(cookie_cats_spec)
    )
    other.write_text(text.replace("margin: 0.02", "margin: 0.03"))
    assert spec_hash(proxymetric.load_spec(other)) != spec_hash(
        proxymetric.load_spec(cookie_cats_spec)
    )


def test_records_are_appended_never_replaced(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "r.db")
    a = reg.add_summary("exp", _effects(2, "a"))
    b = reg.add_summary("exp", _effects(3, "b"))
    assert [r.id for r in reg.records("exp")] == [a, b]
    # Learning uses the latest result of an experiment; the earlier one stays in the record.
    rows = reg.effect_rows()
    assert set(rows["record_id"]) == {b}
    assert len(reg.records(with_effects=True)[0].effects) == 2


def test_schema_is_versioned(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    reg = Registry(path)
    assert reg.schema_version == SCHEMA_VERSION == 2
    reg.add_summary("e", _effects(1, "a"))  # the first write creates the tables
    with sqlite3.connect(path) as conn:
        assert conn.execute("select value from proxymetric_meta").fetchall() == [("2",)]
        conn.execute("update proxymetric_meta set value = '99'")
    with pytest.raises(ProxymetricError, match="schema version 99, newer than this"):
        Registry(path)


def test_plan_and_deviations(
    tmp_path: Path, cookie_cats_spec: Path, cookie_result: ExperimentResult
) -> None:
    reg = Registry(tmp_path / "r.db")
    spec = proxymetric.load_spec(cookie_cats_spec)
    rid = reg.register_plan(spec, "gate-40", mde=0.01, duration_days=14, planned_units=100_000)
    plan = reg.latest("gate-40", "plan")
    assert plan is not None
    assert plan.id == rid
    assert plan.details["primary"] == "retention_7"
    assert plan.details["mde"] == 0.01
    assert plan.details["duration_days"] == 14
    found = plan_deviations(plan, cookie_result)
    expected = (
        f"plan deviation: 90,189 units analysed, fewer than the 100,000 planned (record {rid}): "
        "the run was shorter or smaller than planned"
    )
    assert found == [expected]
    # Another primary metric and another guardrail margin.
    results = [
        dataclasses.replace(
            r,
            role="primary"
            if r.metric == "rounds"
            else "secondary"
            if r.role == "primary"
            else r.role,
            margin=0.05 if r.role == "guardrail" else r.margin,
        )
        for r in cookie_result.results
    ]
    changed = dataclasses.replace(cookie_result, results=results, units={"a": 60_000, "b": 60_000})
    found = plan_deviations(plan, changed)
    assert len(found) == 2
    assert found[0].startswith("plan deviation: the primary metric is rounds; the plan registered")
    assert "said retention_7" in found[0]
    assert "guardrails differ" in found[1]
    assert "retention_1" in found[1]


def test_plan_errors(tmp_path: Path, cookie_cats_spec: Path) -> None:
    reg = Registry(tmp_path / "r.db")
    spec = proxymetric.load_spec(cookie_cats_spec)
    with pytest.raises(ProxymetricError, match="`experiment` 'gate-41' is not defined"):
        reg.register_plan(spec, "gate-41")
    with pytest.raises(ProxymetricError, match=r"`mde` == -1.0, must be > 0"):
        reg.register_plan(spec, "gate-40", mde=-1.0)


def test_location_errors(tmp_path: Path) -> None:
    with pytest.raises(ProxymetricError, match="does not exist; record an analysis"):
        Registry(tmp_path / "missing.db", create=False)
    with pytest.raises(ProxymetricError, match=r"folder .* does not exist"):
        Registry(tmp_path / "no" / "such" / "r.db")
    with pytest.raises(ProxymetricError, match="cannot be opened"):
        Registry("nosuchdialect://x/y")
    with pytest.raises(ProxymetricError, match="`kind` must be one of 'analysis'"):
        Registry(tmp_path / "r.db").records(kind="plans")
    with pytest.raises(ProxymetricError, match="`record` 7 does not exist"):
        Registry(tmp_path / "r.db").get(7)
    assert registry_url("sqlite://") == "sqlite://"


WRITERS = str(Path(__file__).with_name("_writers.py"))


def _spawn(
    db: str, mode: str, worker: int = 0, files: list[str] | None = None, barrier: str = ""
) -> multiprocessing.process.BaseProcess:
    # Spawned interpreters (not forks): safe whatever threads the test process has started.
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(
        target=runpy.run_path,
        args=(WRITERS,),
        kwargs={
            "init_globals": {
                "DB": db,
                "MODE": mode,
                "WORKER": worker,
                "FILES": files or [],
                "BARRIER": barrier,
            },
            "run_name": "__main__",
        },
    )
    proc.start()
    return proc


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    # Four processes append 30 records of 5 effects each at the same time, on a fresh file (so
    # they also race to create the schema).
    path = str(tmp_path / "r.db")
    procs = [_spawn(path, "append", w) for w in range(4)]
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * 4
    reg = Registry(path)
    records = reg.records(with_effects=True)
    assert len(records) == 120
    assert {r.experiment for r in records} == {f"w{w}-{i}" for w in range(4) for i in range(30)}
    assert all(len(r.effects) == 5 for r in records)
    assert len({r.id for r in records}) == 120


def test_concurrent_imports_of_the_same_files_add_each_once(tmp_path: Path) -> None:
    # Three processes import the same 10 files in the same order: for each file they race
    # between the fingerprint check and the write. The check and the write are one transaction
    # holding the write lock from its start, so none fails and each experiment is added once.
    files = []
    for i in range(10):
        path = tmp_path / f"export{i}.csv"
        path.write_text(
            "experiment,metric,effect,effect_se,control_units,treatment_units\n"
            f"e{i},revenue,0.{i},0.1,100,100\ne{i},clicks,0.{i},0.1,100,100\n"
        )
        files.append(str(path))
    db = str(tmp_path / "r.db")
    procs = [_spawn(db, "import", w, files, barrier=db) for w in range(3)]
    deadline = time.monotonic() + 120
    while not all(Path(f"{db}.ready{w}").exists() for w in range(3)):
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.05)
    Path(f"{db}.go").touch()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * 3
    records = Registry(db).records(with_effects=True)
    assert sorted(r.experiment for r in records) == sorted(f"e{i}" for i in range(10))
    assert all(len(r.effects) == 2 for r in records)


def test_a_killed_writer_leaves_no_half_record(tmp_path: Path) -> None:
    path = str(tmp_path / "r.db")
    reg = Registry(path)
    reg.add_summary("before", _effects(3, "b"))
    proc = _spawn(path, "die")
    proc.join(60)
    assert proc.exitcode == -signal.SIGKILL
    reg = Registry(path)
    assert [r.experiment for r in reg.records()] == ["before"]
    with sqlite3.connect(path) as conn:
        assert conn.execute("select count(*) from effects").fetchone() == (3,)
    # The file is usable afterwards.
    reg.add_summary("after", _effects(1, "a"))
    assert [r.experiment for r in reg.records()] == ["before", "after"]


def test_nan_numbers_are_stored_as_null(tmp_path: Path) -> None:
    reg = Registry(tmp_path / "r.db")
    eff = dataclasses.replace(_effects(1, "a")[0], effect_se=math.nan)
    rid = reg.add_summary("e", [eff])
    assert reg.get(rid).effects[0].effect_se is None


def test_measured_noise_covariance_reaches_proxy_validation(
    tmp_path: Path, cookie_cats_spec: Path, cookie_result: ExperimentResult
) -> None:
    reg = Registry(tmp_path / "r.db")
    reg.record_analysis(cookie_result)
    reg.record_analysis(dataclasses.replace(cookie_result, experiment="other-test"))
    plain = proxymetric.analyze(cookie_cats_spec)  # without the cross-metric covariances
    rid = reg.record_analysis(dataclasses.replace(plain, experiment="third"))
    assert reg.get(rid).noise_covariance == "unknown"
    table = table_from_registry(reg, assumed_noise_correlation=0.25)
    assert table.labels == ["gate-40/gate_40", "other-test/gate_40", "third/gate_40"]
    assert table.measured.tolist() == [True, True, False]
    i, j = table.metrics.index("retention_1"), table.metrics.index("retention_7")
    cov = cookie_result.effect_covariance["gate_40"]
    assert table.noise_cov[0, i, j] == pytest.approx(cov["retention_1"]["retention_7"])
    se = np.sqrt(table.noise_cov[2, [i, j], [i, j]])
    assert table.noise_cov[2, i, j] == pytest.approx(0.25 * se[0] * se[1])


finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=8), finite, st.floats(0, 1e3), st.integers(1, 10**9)
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_effects_round_trip(tmp_path: Path, rows: list[tuple[str, float, float, int]]) -> None:
    # Whatever the names and numbers, a record reads back exactly as written.
    reg = Registry(f"sqlite:///{tmp_path / 'h.db'}")
    effects = [
        EffectRecord(variant="v", metric=m, role=None, effect=e, effect_se=s, control_units=n)
        for m, e, s, n in rows
    ]
    rid = reg.add_summary("exp", effects)
    assert reg.get(rid).effects == effects
    reg.close()


def test_recorded_analyses_carry_split_half_effects(tmp_path: Path) -> None:
    # `analyze --record` asks for folds; the registry stores them and the proxy table built from
    # it has split-half estimates for the cross-fold estimator.
    from proxymetric.proxies import table_from_registry

    spec_path = (
        Path(__file__).resolve().parents[2] / "examples" / "cookie-cats" / "proxymetric.yaml"
    )
    reg = Registry(tmp_path / "r.db")
    result = proxymetric.analyze(spec_path, effect_covariance=True, folds=True)
    reg.record_analysis(result, proxymetric.load_spec(spec_path))
    table = table_from_registry(reg)
    assert table.fold1 is not None
    assert table.fold2 is not None
    r7 = result.result("retention_7")
    assert r7.effect_fold1 is not None
    assert r7.effect_fold1 in table.fold1.ravel()
