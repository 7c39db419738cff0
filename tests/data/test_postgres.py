"""PostgreSQL through an Ibis connection URL: the same analyses equal DuckDB's numbers.

A throwaway PostgreSQL server is started for the module from the `pgserver` package (its
binaries ship in the wheel, so nothing is installed or started outside the test); tables are
loaded with COPY, then analysed through `connection: postgresql://...`, as a team would.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import proxymetric

from .test_events import EVENT_SPEC, make_logs, numbers
from .test_sources import SPEC as UNIT_SPEC
from .test_sources import make_units

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

SQL_TYPES = {"int64": "BIGINT", "float64": "DOUBLE PRECISION", "bool": "BOOLEAN"}


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    runtime = tmp_path_factory.mktemp("runtime")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    pgserver = pytest.importorskip(
        "pgserver", reason="PostgreSQL tests need the `pgserver` package (a dev dependency)"
    )

    server = pgserver.get_server(tmp_path_factory.mktemp("pgdata"), cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


def _load(uri: str, name: str, frame: pd.DataFrame) -> None:
    import psycopg

    def sql_type(dtype: object) -> str:
        text = str(dtype)
        return "TIMESTAMP" if text.startswith("datetime64") else SQL_TYPES.get(text, "TEXT")

    columns = ", ".join(f'"{c}" {sql_type(t)}' for c, t in frame.dtypes.items())
    names = ", ".join(f'"{c}"' for c in frame.columns)
    with psycopg.connect(uri) as con:
        con.execute(f'DROP TABLE IF EXISTS "{name}"')
        con.execute(f'CREATE TABLE "{name}" ({columns})')
        with con.cursor().copy(f'COPY "{name}" ({names}) FROM STDIN') as copy:
            for row in frame.itertuples(index=False):
                copy.write_row(tuple(None if pd.isna(v) else v for v in row))


def _on(uri: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "sources": {k: {**v, "connection": uri} for k, v in spec["sources"].items()}}


def test_unit_level_analysis_equals_duckdb(postgres: str) -> None:
    frame = make_units(2000, seed=5)
    _load(postgres, "units", frame)
    spec = {**UNIT_SPEC, "sources": {"units": {"table": "units", "unit": "user", "variant": "arm"}}}
    duck = proxymetric.analyze(spec, data={"units": frame})
    pg = proxymetric.analyze(_on(postgres, spec))
    assert pg.units == duck.units
    np.testing.assert_allclose(numbers(pg), numbers(duck), rtol=1e-9)


def test_event_level_analysis_equals_duckdb(postgres: str) -> None:
    assignments, events = make_logs(500, seed=6)
    _load(postgres, "assignments", assignments)
    _load(postgres, "events", events)
    duck = proxymetric.analyze(EVENT_SPEC, data={"assignments": assignments, "events": events})
    pg = proxymetric.analyze(_on(postgres, EVENT_SPEC))
    assert pg.units == duck.units
    np.testing.assert_allclose(numbers(pg), numbers(duck), rtol=1e-9)


def test_unknown_table_lists_the_tables(postgres: str) -> None:
    spec = {
        **UNIT_SPEC,
        "sources": {
            "units": {"table": "unitz", "connection": postgres, "unit": "user", "variant": "arm"}
        },
    }
    _load(postgres, "units", make_units(50, seed=1))
    with pytest.raises(
        proxymetric.DataError, match=r"table 'unitz' not found at .*did you mean 'units'"
    ):
        proxymetric.analyze(spec)


def test_spec_file_with_a_postgres_source(postgres: str, tmp_path: Path) -> None:
    import yaml

    frame = make_units(300, seed=2)
    _load(postgres, "units", frame)
    spec = _on(
        postgres,
        {**UNIT_SPEC, "sources": {"units": {"table": "units", "unit": "user", "variant": "arm"}}},
    )
    (tmp_path / "proxymetric.yaml").write_text(yaml.safe_dump(spec))
    assert sum(proxymetric.analyze(tmp_path / "proxymetric.yaml").units.values()) == 300


def test_hashed_assignment_on_postgres_equals_python(postgres: str) -> None:
    import psycopg

    from proxymetric.assignment import assign
    from proxymetric.data.assignment import assignment_query, assignment_sql

    weights = {"control": 0.5, "t1": 0.3, "t'2": 0.2}
    salt = "exp:42 it's"
    words = ["", " ", "ü-名前", "it's", 'a"b', "🙂", *(f"user-{i}" for i in range(20_000))]
    numbers_ = [0, -1, 2**31, -(2**63), 2**63 - 1, *range(10_000, 20_000)]
    _load(postgres, "ids", pd.DataFrame({"user": words}))
    _load(postgres, "nums", pd.DataFrame({"id": np.array(numbers_, dtype=np.int64)}))
    expression = assignment_sql("user", weights, salt, "postgres")
    with psycopg.connect(postgres) as con:
        got: dict[str, str] = dict(con.execute(f'SELECT "user", {expression} FROM ids').fetchall())
        by_id: dict[int, str] = dict(
            con.execute(assignment_query("nums", "id", weights, salt, "postgres")).fetchall()
        )
    assert [got[w] for w in words] == assign(words, weights, salt)
    assert [by_id[n] for n in numbers_] == assign(numbers_, weights, salt)


def test_large_means_agree_with_a_two_pass_computation(postgres: str) -> None:
    import ibis

    from .test_moment_precision import assert_matches_numpy, large_mean_frame, moments_of

    frame = large_mean_frame(n=6000)
    _load(postgres, "large_means", frame)
    assert_matches_numpy(moments_of(ibis.connect(postgres).table("large_means")), frame)


def test_a_percentile_cap_equals_duckdb_and_numpy(postgres: str) -> None:
    # PostgreSQL's percentile_cont and DuckDB's quantile_cont are numpy's linear quantile.
    frame = make_units(2000, seed=8)
    _load(postgres, "units", frame)
    metrics = {**UNIT_SPEC["metrics"], "revenue": {**UNIT_SPEC["metrics"]["revenue"], "cap": "p95"}}
    source = {"units": {"table": "units", "unit": "user", "variant": "arm"}}
    spec = {**UNIT_SPEC, "sources": source, "metrics": metrics}
    duck_all = proxymetric.analyze(spec, data={"units": frame}).results
    pg_all = proxymetric.analyze(_on(postgres, spec)).results
    pairs = [(d, p) for d, p in zip(duck_all, pg_all, strict=True) if d.metric == "revenue"]
    assert len(pairs) >= 1
    for duck, pg in pairs:
        assert pg.variant == duck.variant
        assert pg.cap == pytest.approx(float(np.quantile(frame["revenue"], 0.95)), rel=1e-12)
        assert duck.cap == pytest.approx(pg.cap, rel=1e-12)
        assert (pg.control_share_capped, pg.treatment_share_capped) == (
            duck.control_share_capped,
            duck.treatment_share_capped,
        )
        assert pg.effect == pytest.approx(duck.effect, rel=1e-9)
        assert pg.effect_se == pytest.approx(duck.effect_se, rel=1e-9)


def test_declared_segment_dimensions_equal_duckdb(postgres: str) -> None:
    from tests.analysis.test_segment_dimensions import engine_case, same_breakdowns

    frame, spec = engine_case(2000, seed=12)
    _load(postgres, "units", frame)
    same_breakdowns(
        proxymetric.analyze(_on(postgres, spec)), proxymetric.analyze(spec, data={"units": frame})
    )


def test_banded_quantiles_equal_numpy(postgres: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The band (a block sample, exact counts, a sort of the band) at the size of a test, on
    # PostgreSQL's TABLESAMPLE SYSTEM and percentile_cont: numpy's linear quantile, to 1e-12.
    import ibis

    from proxymetric.data import quantiles as qd

    from .test_quantile_band import assert_latency_quantiles, latency_case

    monkeypatch.setattr(qd, "BAND_MIN_VALUES", 2_000)
    monkeypatch.setattr(qd, "SAMPLE_FRACTION", 0.2)
    frame, requests, counts = latency_case()
    _load(postgres, "latency", frame)
    table = ibis.connect(postgres).table("latency")
    arms = table.filter(table.arm.notnull()).mutate(_arm=table.arm.cast("string"))
    banded = qd._banded(arms, table, "arm", requests, counts, {}, "data")
    assert banded is not None  # the band was used
    assert_latency_quantiles(banded, frame, rtol=1e-12)
