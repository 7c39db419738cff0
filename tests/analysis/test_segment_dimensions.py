"""Declared segment dimensions: labels derived from a column in the engine (a mapping, bins).

Reference: the breakdown by an explicit column that holds the same labels, computed by pandas
and numpy (a dict map for ``values``; ``np.digitize`` and ``pd.cut(..., right=False)`` for
``bins``), which the segment tests of ``test_segments.py`` check against each segment analysed
alone, Welch's test of scipy, a direct Cochran's Q and statsmodels' corrections. Every number
of a derived breakdown equals that reference to 1e-9.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import proxymetric
from proxymetric.errors import DataError, SpecError

from .test_segments import FIELDS as SEGMENT_FIELDS

COUNTRIES = ["de", "fr", "uk", "us", "br", "ca", "jp", "is", "lu"]
SHARES = [0.2, 0.15, 0.1, 0.25, 0.08, 0.1, 0.1, 0.01, 0.01]
REGIONS = {"emea": ["de", "fr", "uk", "is"], "americas": ["us", "br", "ca"], "tiny": ["lu"]}
BINS = [0.0, 30.0, 365.0]
TENURE = ["< 0", "[0, 30)", "[30, 365)", ">= 365"]


def _frame(n: int = 8000, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = np.where(rng.random(n) < 0.5, "a", "b")
    country = rng.choice(COUNTRIES, n, p=SHARES).astype(object)
    country[rng.random(n) < 0.03] = None
    days = rng.integers(-20, 900, n).astype(float)
    on_edge = rng.random(n) < 0.06  # values exactly on an edge: they start the upper bin
    days[on_edge] = rng.choice(BINS, int(on_edge.sum()))
    days[rng.random(n) < 0.02] = np.nan
    lift = np.select([days < 30, days >= 365], [1.0, 0.0], 0.4)
    x = rng.normal(10, 3, n)
    y = 0.7 * x + rng.normal(0, 2, n) + (arm == "b") * np.nan_to_num(lift)
    converted = rng.random(n) < 0.3 + 0.03 * (arm == "b")
    return pd.DataFrame(
        {"id": np.arange(n), "arm": arm, "country": country, "days": days, "y": y, "x": x}
        | {"converted": converted}
    )


def _spec(columns: list[Any], min_units: int = 100, correction: str = "holm") -> dict[str, Any]:
    return {
        "sources": {"u": {"table": "u", "unit": "id", "variant": "arm", "unique": True}},
        "metrics": {
            "y": {"type": "mean", "source": "u", "column": "y", "covariate": "x"},
            "conversion": {"type": "proportion", "source": "u", "column": "converted"},
        },
        "experiments": {
            "e": {
                "control": "a",
                "primary": "y",
                "secondary": ["conversion"],
                "segments": {"columns": columns, "min_units": min_units, "correction": correction},
            }
        },
    }


REGION = {"name": "region", "column": "country", "values": REGIONS}
TENURE_DIM = {"name": "tenure", "column": "days", "bins": BINS}


def _region_by_pandas(country: pd.Series) -> pd.Series:
    lookup = {v: label for label, listed in REGIONS.items() for v in listed}
    return country.map(lambda c: None if pd.isna(c) else lookup.get(c, "other"))


def _tenure_by_numpy(days: pd.Series) -> pd.Series:
    x = days.to_numpy()
    labels = np.array(TENURE, dtype=object)[np.digitize(np.nan_to_num(x), BINS)]
    by_cut = pd.cut(x, [-np.inf, *BINS, np.inf], right=False, labels=TENURE)
    ok = ~np.isnan(x)
    assert list(by_cut[ok]) == list(labels[ok])  # two references, one answer
    return pd.Series(np.where(ok, labels, None), index=days.index, dtype=object)


# The numbers of a segment result, and its corrected p-value.
FIELDS = [*SEGMENT_FIELDS, "pvalue_adjusted"]


def _close(x: Any, y: Any) -> bool:
    if isinstance(x, float) and math.isnan(x):
        return isinstance(y, float) and math.isnan(y)
    return bool(x == pytest.approx(y, rel=1e-9, abs=1e-12))


def _same_breakdown(got: Any, ref: Any) -> None:
    assert set(got.values) == set(ref.values)
    assert got.units == ref.units
    assert got.pooled == ref.pooled
    assert len(got.results) == len(ref.results)
    expected = {(r.segment, r.metric, r.variant): r for r in ref.results}
    for r in got.results:
        e = expected[(r.segment, r.metric, r.variant)]
        for f in FIELDS:
            assert _close(getattr(r, f), getattr(e, f)), (r.segment, r.metric, f)
        assert (r.significant, r.better, r.reason is None) == (
            e.significant,
            e.better,
            e.reason is None,
        )
        assert r.exploratory
    for h, e in zip(got.heterogeneity, ref.heterogeneity, strict=True):
        assert (h.metric, h.variant, h.df, h.segments) == (e.metric, e.variant, e.df, e.segments)
        assert _close(h.statistic, e.statistic)
        assert _close(h.pvalue, e.pvalue)


@pytest.mark.parametrize("correction", ["holm", "bh"])
def test_a_mapping_equals_an_explicit_column_mapped_by_pandas(correction: str) -> None:
    data = _frame()
    data["region_ref"] = _region_by_pandas(data.country)
    result = proxymetric.analyze(_spec([REGION], 150, correction), data={"u": data})
    reference = proxymetric.analyze(_spec(["region_ref"], 150, correction), data={"u": data})
    got, ref = result.segments[0], reference.segments[0]
    assert got.dimension == "region"
    _same_breakdown(got, ref)
    # lu (1%) is pooled with the unlisted jp into "other"; the declared order is kept
    assert got.pooled == ["tiny"]
    assert got.values == ["emea", "americas", "(missing)", "other"]
    assert got.units["other"] == int(data.country.isin(["jp", "lu"]).sum())


def test_bins_equal_an_explicit_column_binned_by_numpy() -> None:
    data = _frame()
    data["tenure_ref"] = _tenure_by_numpy(data.days)
    for edge in BINS:  # the edges are in the data: a `<=` for `<` would move them
        assert (data.days == edge).sum() > 50
    result = proxymetric.analyze(_spec([TENURE_DIM], 100), data={"u": data})
    reference = proxymetric.analyze(_spec(["tenure_ref"], 100), data={"u": data})
    got = result.segments[0]
    _same_breakdown(got, reference.segments[0])
    assert got.values == [*TENURE, "(missing)"]
    on_or_above = (data.days >= 30) & (data.days < 365)
    assert got.units["[30, 365)"] == int(on_or_above.sum())
    assert got.units["< 0"] == int((data.days < 0).sum())
    assert got.units["(missing)"] == int(data.days.isna().sum())


def test_declared_order_not_size_or_name() -> None:
    # americas is the largest label and sorts first by name: the breakdown keeps emea first
    data = _frame()
    values = {"emea": ["de", "fr"], "americas": ["us", "br", "ca"]}
    dim = {"name": "region", "column": "country", "values": values}
    b = proxymetric.analyze(_spec([dim, "country"], 50), data={"u": data}).segments
    assert b[0].units["americas"] > b[0].units["emea"]
    assert b[0].values[:2] == ["emea", "americas"]
    # a plain column keeps its order by size
    assert b[1].values[0] == "us"
    plain = b[1].values[:-1]
    assert [b[1].units[v] for v in plain] == sorted((b[1].units[v] for v in plain), reverse=True)


def test_several_dimensions_of_one_query_and_the_overall_result_unchanged() -> None:
    data = _frame()
    plain = proxymetric.analyze(_spec(["country"]), data={"u": data}, segments=[])
    both = proxymetric.analyze(_spec([REGION, TENURE_DIM, "country"]), data={"u": data})
    assert [b.dimension for b in both.segments] == ["region", "tenure", "country"]
    for r, s in zip(plain.results, both.results, strict=True):
        assert _close(s.effect, r.effect)
        assert _close(s.pvalue, r.pvalue)
    assert both.decision.verdict == plain.decision.verdict
    # `segments=` names a declared dimension like a column
    only = proxymetric.analyze(_spec([REGION, TENURE_DIM]), data={"u": data}, segments=["tenure"])
    assert [b.dimension for b in only.segments] == ["tenure"]
    assert only.segments[0].values[0] == "< 0"


def test_an_integer_column_maps_by_its_values() -> None:
    data = _frame(n=3000)
    data["tier"] = (data.id % 5).astype("int64")
    dim = {"name": "tiers", "column": "tier", "values": {"low": [0, 1], "high": [3, 4]}}
    b = proxymetric.analyze(_spec([dim], 50), data={"u": data}).segments[0]
    assert b.values == ["low", "high", "other"]
    assert b.units == {"low": 1200, "high": 1200, "other": 600}


def test_a_clustered_source_bins_its_units() -> None:
    from tests.analysis.test_clusters import _orders
    from tests.analysis.test_clusters import _spec as clustered

    df = _orders(8)
    df["size"] = (df.store % 7).astype(float)  # constant within a store
    df["size_ref"] = np.array(["< 2", "[2, 4)", ">= 4"], dtype=object)[
        np.digitize(df["size"], [2, 4])
    ]
    spec, ref = clustered(), clustered()
    spec["experiments"]["e"]["segments"] = {
        "columns": [{"name": "size", "column": "size", "bins": [2, 4]}],
        "min_units": 10,
    }
    ref["experiments"]["e"]["segments"] = {"columns": ["size_ref"], "min_units": 10}
    got = proxymetric.analyze(spec, data={"orders": df}).segments[0]
    _same_breakdown(got, proxymetric.analyze(ref, data={"orders": df}).segments[0])
    assert got.values == ["< 2", "[2, 4)", ">= 4"]


def test_an_assignment_log_derives_the_label_of_the_first_assignment() -> None:
    from tests.data.test_events import EVENT_SPEC, make_logs

    assignments, events = make_logs(800, seed=9)
    rng = np.random.default_rng(9)
    assignments["age"] = rng.integers(15, 70, len(assignments)).astype(float)
    assignments["plan"] = rng.choice(["free", "pro", "team", "edu"], len(assignments))
    later = assignments.sample(100, random_state=1).copy()  # a later row, other values
    later["assigned_at"] += pd.Timedelta(days=1)
    later["age"] += 40
    later["plan"] = "team"
    log = pd.concat([assignments, later], ignore_index=True)
    first = assignments.set_index("user")
    age = {"name": "age_band", "column": "age", "bins": [25, 45]}
    plan = {"name": "paid", "column": "plan", "values": {"paying": ["pro", "team"]}}
    labels = np.array(["< 25", "[25, 45)", ">= 45"], dtype=object)
    log["age_ref"] = log.user.map(pd.Series(labels[np.digitize(first.age, [25, 45])], first.index))
    log["paid_ref"] = log.user.map(
        first.plan.map(lambda p: "paying" if p in ("pro", "team") else "other")
    )
    spec: dict[str, Any] = {**EVENT_SPEC, "experiments": {**EVENT_SPEC["experiments"]}}
    exp = spec["experiments"]["checkout"]
    data = {"assignments": log, "events": events}

    def breakdowns(columns: list[Any]) -> list[Any]:
        e = {**exp, "segments": {"columns": columns, "min_units": 50}}
        return proxymetric.analyze({**spec, "experiments": {"checkout": e}}, data=data).segments

    got = breakdowns([age, plan])
    ref = breakdowns(["age_ref", "paid_ref"])
    for g, r in zip(got, ref, strict=True):
        _same_breakdown(g, r)
    assert got[0].values == list(labels)
    assert got[1].values == ["paying", "other"]


@pytest.mark.parametrize(
    ("dimension", "message"),
    [
        ({"name": "r", "column": "country"}, r"segment 'r' needs exactly one of `values`.*neither"),
        (
            {"name": "r", "column": "days", "values": {"a": ["x"]}, "bins": [1]},
            r"segment 'r' needs exactly one of `values`.*both",
        ),
        ({"name": "r", "values": {"a": ["x"]}}, r"`column` is required in .*columns\.0"),
        ({"column": "country", "values": {"a": ["x"]}}, r"`name` is required"),
        (
            {"name": "r", "column": "country", "values": {"a": ["de"], "b": ["fr", "de"]}},
            r"value 'de' of `values` of segment 'r' is listed under two labels, 'a' and 'b'",
        ),
        (
            {"name": "r", "column": "country", "values": {"a": []}},
            r"label 'a' of `values` of segment 'r' lists no value",
        ),
        ({"name": "r", "column": "country", "values": {}}, r"`values` of segment 'r' is empty"),
        ({"name": "r", "column": "days", "bins": []}, r"`bins` of segment 'r' is empty"),
        (
            {"name": "r", "column": "days", "bins": [0, 30, 30]},
            r"`bins` of segment 'r' must be strictly increasing; got \[0, 30, 30\]",
        ),
        (
            {"name": "r", "column": "days", "bins": [5, 1.5]},
            r"strictly increasing; got \[5, 1\.5\] \(5 then 1\.5\)",
        ),
        (
            {"name": "r", "column": "days", "bins": [0, math.inf]},
            r"bins\.1` must be a finite number; got inf",
        ),
        (
            {"name": "r", "column": "country", "values": {"other": ["jp"]}},
            r"label 'other' of `values` of segment 'r' is reserved for the unlisted",
        ),
        (
            {"name": "r", "column": "country", "values": {"(missing)": ["jp"]}},
            r"label '\(missing\)' of `values` of segment 'r' is reserved for the missing",
        ),
        (
            {"name": "r", "column": "country", "values": {"nordics": [False, "se"]}},
            r"value of 'nordics' .* got False \(YAML reads no/yes/on/off as booleans",
        ),
        (
            {"name": "r", "column": "country", "values": {"a": [""]}},
            r"value of 'a' .* must be a non-empty text or an integer; got ''",
        ),
        (
            {"name": "r", "column": "country", "values": {"a": ["x"]}, "edges": [1]},
            r"unknown key 'edges' in `experiments\.e\.segments\.columns\.0`",
        ),
        (3, r"an entry of `columns` is a column name or a mapping .*; got 3"),
    ],
)
def test_every_bad_dimension_is_a_spec_error(dimension: Any, message: str) -> None:
    with pytest.raises(SpecError, match=message) as info:
        proxymetric.load_spec(_spec([dimension]))
    assert "\n" not in str(info.value)
    assert "more error" not in str(info.value)  # one problem, one message


@pytest.mark.parametrize(
    "columns",
    [
        ["country", {"name": "country", "column": "country", "values": REGIONS}],
        [REGION, {"name": "region", "column": "days", "bins": BINS}],
    ],
)
def test_a_name_taken_by_another_dimension_is_a_spec_error(columns: list[Any]) -> None:
    name = columns[1]["name"]
    with pytest.raises(SpecError, match=rf"segment name '{name}' is taken by another dimension"):
        proxymetric.load_spec(_spec(columns))


@pytest.mark.parametrize(
    ("dimension", "message"),
    [
        (
            {"name": "r", "column": "nope", "values": {"a": ["x"]}},
            r"column 'nope' not found in .*'u'",
        ),
        (
            {"name": "r", "column": "x", "values": {"a": ["1"]}},
            (
                r"`values` of segment 'r' map text or integer values, but column 'x' of source "
                r"'u' has type float64; give it `bins` instead"
            ),
        ),
        (
            {"name": "r", "column": "country", "bins": [1]},
            (
                r"`bins` of segment 'r' need a numeric column, but column 'country' of source "
                r"'u' has type string; give it `values` instead"
            ),
        ),
        (
            {"name": "r", "column": "converted", "bins": [1]},
            r"`bins` of segment 'r' need a numeric column, .* has type boolean",
        ),
    ],
)
def test_a_dimension_the_data_cannot_give_is_a_data_error(dimension: Any, message: str) -> None:
    with pytest.raises(DataError, match=message):
        proxymetric.analyze(_spec([dimension]), data={"u": _frame(n=400)})


def test_the_reserved_labels_are_those_of_the_analysis() -> None:
    from proxymetric.analysis.segments import OTHER
    from proxymetric.data.moments import MISSING_SEGMENT
    from proxymetric.data.segments import UNLISTED_SEGMENT
    from proxymetric.spec.model import _RESERVED_LABELS

    assert _RESERVED_LABELS == (OTHER, MISSING_SEGMENT)
    assert UNLISTED_SEGMENT == OTHER


def test_the_labels_are_computed_by_a_case_in_the_query() -> None:
    import ibis

    from proxymetric.data.segments import segment_value
    from proxymetric.spec.model import SegmentDimension

    t = ibis.table({"days": "float64", "country": "string"}, name="u")
    tenure = SegmentDimension.model_validate(TENURE_DIM)
    region = SegmentDimension.model_validate(REGION)
    expr = t.group_by(
        [segment_value(t, tenure, "u").name("g0"), segment_value(t, region, "u").name("g1")]
    ).aggregate(n=t.count())
    for dialect in ("duckdb", "postgres"):
        sql = " ".join(ibis.to_sql(expr, dialect=dialect).split())
        assert sql.count("CASE") == 2  # one per dimension, grouped by in the query
        assert "GROUP BY" in sql
        for edge in ("< 0.0", "< 30.0", "< 365.0"):
            assert f'"days" {edge}' in sql
        assert "IN ('de', 'fr', 'uk', 'is')" in sql


def engine_case(n: int, seed: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A unit table with a text and a numeric segment column (with missing values and values
    on the edges) and a spec segmenting it by both, for the tests on other engines."""
    from tests.data.test_sources import SPEC, make_units

    frame = make_units(n, seed=seed)
    rng = np.random.default_rng(seed)
    country = rng.choice(COUNTRIES, n, p=SHARES).astype(object)
    country[rng.random(n) < 0.03] = None
    days = rng.integers(-20, 900, n).astype(float)
    on_edge = rng.random(n) < 0.1
    days[on_edge] = rng.choice(BINS, int(on_edge.sum()))
    days[rng.random(n) < 0.03] = np.nan
    frame["country"], frame["days"] = country, days
    experiment = {
        **SPEC["experiments"]["test"],
        "segments": {"columns": [REGION, TENURE_DIM, "country"], "min_units": 30},
    }
    source = {"units": {"table": "units", "unit": "user", "variant": "arm"}}
    return frame, {**SPEC, "sources": source, "experiments": {"test": experiment}}


def same_breakdowns(got: Any, duck: Any) -> None:
    """The breakdowns of another engine equal DuckDB's, in the same order."""
    assert [b.dimension for b in got.segments] == ["region", "tenure", "country"]
    for g, d in zip(got.segments, duck.segments, strict=True):
        assert g.values == d.values
        _same_breakdown(g, d)
    assert duck.segments[1].values == [*TENURE, "(missing)"]


def test_a_dimension_named_twice_is_read_once_in_its_first_place() -> None:
    from proxymetric.data.segments import distinct
    from proxymetric.spec.model import SegmentDimension

    tenure = SegmentDimension.model_validate(TENURE_DIM)
    assert distinct(["country", tenure, "device", "country", tenure]) == [
        "country",
        tenure,
        "device",
    ]
    data = _frame(n=2000)
    spec = _spec([REGION, TENURE_DIM])
    got = proxymetric.analyze(spec, data={"u": data}, segments=["tenure", "region", "tenure"])
    assert [b.dimension for b in got.segments] == ["tenure", "region"]


def test_the_norway_problem_of_a_yaml_file_is_explained(tmp_path: Path) -> None:
    # YAML 1.1 reads a bare `no` as false: the message says to quote it
    text = """\
sources:
  u: {table: u, unit: id, variant: arm, unique: true}
metrics:
  y: {type: mean, source: u, column: y}
experiments:
  e:
    control: a
    primary: y
    segments:
      columns:
        - name: nordics
          column: country
          values: {nordic: [no, se, dk]}
"""
    path = tmp_path / "proxymetric.yaml"
    path.write_text(text)
    with pytest.raises(SpecError, match=r"proxymetric\.yaml:\d+: .*got False .*quote it") as info:
        proxymetric.load_spec(path)
    assert "\n" not in str(info.value)
    path.write_text(text.replace("[no, se, dk]", "['no', se, dk]"))
    dim = proxymetric.load_spec(path).experiments["e"].segments
    assert dim is not None
    assert dim.dimension("nordics") is not None
    assert dim.names() == ["nordics"]
