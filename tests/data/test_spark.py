"""Spark: the same analyses on a local PySpark session through Ibis equal DuckDB's numbers.

The session is local (``local[2]``), started once for the module; Java is on the machine and
``make test`` installs pyspark.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

import proxymetric

from .test_events import EVENT_SPEC, make_logs, numbers
from .test_sources import SPEC as UNIT_SPEC
from .test_sources import make_units

pytestmark = [
    # pyspark 4.0 uses pandas 3 options and keywords that pandas deprecates when it converts
    # results: warnings inside pyspark that do not affect the numbers.
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:The 'future.infer_string' option is deprecated"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

MASTER = "pyspark://local[2]"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    os.environ.setdefault("PYSPARK_PYTHON", "python3")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("proxymetric-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _on_spark(spec: dict[str, Any]) -> dict[str, Any]:
    sources = {k: {**v, "connection": MASTER} for k, v in spec["sources"].items()}
    return {**spec, "sources": sources}


def test_unit_level_analysis_equals_duckdb(spark: Any) -> None:
    frame = make_units(2000, seed=3)
    spark.createDataFrame(frame).createOrReplaceTempView("units")
    spec = {**UNIT_SPEC, "sources": {"units": {"table": "units", "unit": "user", "variant": "arm"}}}
    duck = proxymetric.analyze(spec, data={"units": frame})
    on_spark = proxymetric.analyze(_on_spark(spec))
    assert on_spark.units == duck.units
    np.testing.assert_allclose(numbers(on_spark), numbers(duck), rtol=1e-9)


def test_event_level_analysis_equals_duckdb(spark: Any) -> None:
    assignments, events = make_logs(600, seed=4)
    spark.createDataFrame(assignments).createOrReplaceTempView("assignments")
    spark.createDataFrame(events).createOrReplaceTempView("events")
    duck = proxymetric.analyze(EVENT_SPEC, data={"assignments": assignments, "events": events})
    on_spark = proxymetric.analyze(_on_spark(EVENT_SPEC))
    assert on_spark.units == duck.units
    np.testing.assert_allclose(numbers(on_spark), numbers(duck), rtol=1e-9)
    assert pd.notna(on_spark.result("revenue").pvalue)


def test_hashed_assignment_on_spark_equals_python(spark: Any) -> None:
    from proxymetric.assignment import assign
    from proxymetric.data.assignment import assignment_query, assignment_sql

    weights = {"control": 0.5, "t1": 0.3, "t'2": 0.2}
    salt = "exp:42 it's"
    words = ["", " ", "ü-名前", "it's", 'a"b', "🙂", *(f"user-{i}" for i in range(20_000))]
    spark.createDataFrame([(w,) for w in words], "user string").createOrReplaceTempView("ids")
    expression = assignment_sql("user", weights, salt, "spark")
    got = dict(spark.sql(f"SELECT user, {expression} AS variant FROM ids").collect())
    assert [got[w] for w in words] == assign(words, weights, salt)
    numbers_ = [0, -1, 2**31, -(2**63), 2**63 - 1, *range(10_000, 20_000)]
    spark.createDataFrame([(n,) for n in numbers_], "id bigint").createOrReplaceTempView("nums")
    query = assignment_query("nums", "id", weights, salt, "spark")
    by_id = dict(spark.sql(query).collect())
    assert [by_id[n] for n in numbers_] == assign(numbers_, weights, salt)


def test_large_means_agree_with_a_two_pass_computation(spark: Any) -> None:
    # Sums of doubles shifted near the mean: no bigint sum that Spark could overflow silently.
    import ibis

    from .test_moment_precision import assert_matches_numpy, large_mean_frame, moments_of

    frame = large_mean_frame(n=6000)
    spark.createDataFrame(frame).createOrReplaceTempView("large_means")
    table = ibis.pyspark.connect(spark).table("large_means")
    assert_matches_numpy(moments_of(table), frame)


def test_declared_segment_dimensions_equal_duckdb(spark: Any) -> None:
    from tests.analysis.test_segment_dimensions import engine_case, same_breakdowns

    frame, spec = engine_case(2000, seed=13)
    from pyspark.sql import functions

    # pyspark turns the None of a text column of pandas into the text 'NaN': make it NULL
    # again; the NaN of the numeric column stays NaN, which the bins count as missing
    table = spark.createDataFrame(frame)
    country = functions.when(functions.col("country") != "NaN", functions.col("country"))
    table.withColumn("country", country).createOrReplaceTempView("units")
    duck = proxymetric.analyze(spec, data={"units": frame})
    same_breakdowns(proxymetric.analyze(_on_spark(spec)), duck)


def test_quantiles_on_spark_take_the_one_query(spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Ibis has no seeded block sample on Spark, so the band (which must be reproducible) is not
    # used there, even for large arms: the one query over all values runs. Spark's quantile
    # approximates (a value of the data, not interpolated), so the reference, numpy's linear
    # quantile, is met to within the spacing of neighbouring values (2e-3 relative here).
    import ibis

    from proxymetric.data import quantiles as qd

    from .test_quantile_band import assert_latency_quantiles, latency_case

    monkeypatch.setattr(qd, "BAND_MIN_VALUES", 2_000)
    monkeypatch.setattr(qd, "SAMPLE_FRACTION", 0.2)
    frame, requests, counts = latency_case()
    spark.createDataFrame(frame).createOrReplaceTempView("latency")
    table = ibis.pyspark.connect(spark).table("latency")
    arms = table.filter(table.arm.notnull()).mutate(_arm=table.arm.cast("string"))
    assert qd._banded(arms, table, "arm", requests, counts, {}, "data") is None
    assert_latency_quantiles(qd.variant_quantiles(table, "arm", counts, requests), frame, 2e-3)
