"""ONE query per experiment: every moment all metrics need, grouped by variant, in the engine.

For unit-level tables (one row per randomization unit) the query groups by the variant column
and returns, per variant, the unit count, and for each needed column its non-missing count,
the sum of its values and the sums of the products of values (from which Python forms means,
variances and covariances). Plain sums are the cheapest aggregates of every engine; a column
far from 0 relative to its spread, whose raw sums would lose digits, is summed again shifted by
its mean, which keeps it numerically stable. Python receives one row per variant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import ibis.expr.types as ir
import numpy as np

from proxymetric.data._engine import engine_errors
from proxymetric.data.segments import (
    Segment,
    distinct,
    segment_label,
    segment_name,
    segment_value,
)
from proxymetric.errors import DataError
from proxymetric.stats.moments import Moments

__all__ = [
    "MAX_SEGMENT_GROUPS",
    "MISSING_SEGMENT",
    "MULTIPLE",
    "NO_TIMESTAMP",
    "VariantMoments",
    "variant_moments",
]

# The variant of a unit assigned to more than one variant (event-level experiments).
MULTIPLE = "__proxymetric_multiple_variants__"
# The variant of a unit whose assignments have no timestamp (event-level experiments).
NO_TIMESTAMP = "__proxymetric_no_timestamp__"
# The segment value of a unit whose segment column is missing.
MISSING_SEGMENT = "(missing)"
# The most groups (variant x segment values) the segmented query may return.
MAX_SEGMENT_GROUPS = 100_000


@dataclass(frozen=True)
class VariantMoments:
    """Moments per variant, with what the data layer noticed.

    Attributes:
        moments: the :class:`Moments` of each variant (columns with missing values have a NaN
            mean in the variants where values are missing).
        missing: per variant, the number of missing values of each column that has any.
        unassigned: rows whose variant is missing (excluded).
        multiple: units assigned to more than one variant (excluded).
        no_timestamp: units whose assignment has no timestamp (excluded: without a time of
            assignment a unit has no analysis window).
        folds: per variant, the moments of two random halves of its units (split by a hash of
            the unit), when they were asked for; ``moments`` is their merge.
        segments: per segment column, per value (:data:`MISSING_SEGMENT` for a missing one),
            the moments of each variant's units with that value, when segments were asked for.
        extra: per variant, the sums of the ``extra`` aggregates asked for (by name).
    """

    moments: dict[str, Moments]
    missing: dict[str, dict[str, int]] = field(default_factory=dict)
    unassigned: int = 0
    multiple: int = 0
    folds: dict[str, tuple[Moments, Moments]] = field(default_factory=dict)
    no_timestamp: int = 0
    segments: dict[str, dict[str, dict[str, Moments]]] = field(default_factory=dict)
    extra: dict[str, dict[str, object]] = field(default_factory=dict)


def _numeric(table: ir.Table, column: str, source: str) -> ir.FloatingValue:
    col = table[column]
    dtype = col.type()
    if dtype.is_boolean():
        # A CASE with integer literals, then a cast: a direct CAST(boolean AS DOUBLE) of a CSV
        # column is pushed into DuckDB's CSV reader, which then fails to parse TRUE/FALSE;
        # 1.0/0.0 literals are DECIMAL on Spark, whose average is rounded; and PostgreSQL
        # cannot cast a boolean to a small integer. NULL stays NULL.
        return col.cases((True, 1), (False, 0)).cast("float64")
    if dtype.is_numeric():
        return col.cast("float64")
    raise DataError(
        f"column {column!r} of source {source!r} has type {dtype}; metrics need numeric or "
        "boolean columns"
    )


def variant_moments(
    table: ir.Table,
    variant: str,
    columns: Sequence[str],
    *,
    source: str = "data",
    fill: Mapping[str, float] | None = None,
    groups: Sequence[Sequence[str]] | None = None,
    fold_unit: str | None = None,
    binary: Sequence[str] = (),
    unit: str | None = None,
    shift: Mapping[str, float] | None = None,
    segments: Sequence[Segment] = (),
    extra: Mapping[str, ir.Scalar] | None = None,
) -> VariantMoments:
    """Return the moments of ``columns`` per value of the ``variant`` column, in one query.

    ``fill`` maps a column to the value that replaces its missing values. ``groups`` lists
    the sets of columns whose covariances are needed (each metric's columns); covariances
    between columns that share no group are not computed and are NaN, which keeps the query
    close to the cost of a bare scan. ``None`` computes the full covariance matrix.
    ``fold_unit`` names the unit column by whose hash the units of each variant are split into
    two halves (``folds``), in the same query: split-half estimates, whose errors are
    independent, are what the cross-fold estimator of proxy quality needs.

    The moments are one-pass sums of the values, each shifted by a constant ``K`` per column
    (``shift``): sums of ``x - K`` and of ``(x - K)(y - L)``, which with ``K`` near the mean keep
    the digits that raw sums lose for data with a large mean (the "shifted data" algorithm,
    Chan, Golub and LeVeque, 1983). By default the query first sums the raw values (``K = 0``,
    no subtraction per value); a column whose raw sums lost digits in some variant (far from 0
    for its spread: more than about 12 standard deviations at 10 million values, see
    ``_far_from_zero``) is then summed again, shifted by its mean, in a second pass of the
    same query. ``shift`` given (``{}`` for raw sums) is used as it is, in one pass. Every sum
    is of doubles, so no engine's integer sum can overflow (Spark's does so silently).

    The query checks the data: ``binary`` lists the columns that must hold only 0 and 1
    (proportions; after ``fill``), and ``unit`` names the unit column of a table that must have
    one row per unit (the rows against the distinct units; the units in more than one variant
    are then counted for the message). Either problem raises a :class:`DataError` with the
    counts (and the range of the values that are not 0/1); rows without a variant are not
    checked, since they are left out. Counting distinct units costs several scans of a large
    table (a hash of every id), so it is a second query, and ``unit=None`` (a source declared
    ``unique``) skips it.

    ``segments`` names columns by whose values the moments are also wanted (``segments``): the
    same query groups by the variant and every segment column, and the overall moments are the
    sums of its rows, added exactly as the engine adds them (the same shift, the same sums), so
    they are those of the query without segments, to the rounding of a sum. Several columns
    come from the same rows: each column's moments are the sums over the others' values. A
    segment is a column name or a declared :class:`~proxymetric.spec.model.SegmentDimension`
    (labels derived from a column by a ``CASE`` in the same query); ``segments`` is keyed by
    the dimension's name.

    ``extra`` adds aggregates of the caller's, sums over the rows (counts, for example), to the
    same query; ``extra`` of the result holds their totals per variant.
    """
    fill = fill or {}
    cols = list(dict.fromkeys(columns))
    values = []
    for c in cols:
        v = _numeric(table, c, source)
        if c in fill:
            v = v.fill_null(float(fill[c]))
        values.append(v)
    # 0/1 columns need no shift (their spread is of the order of their mean), and their sum
    # of squares is their sum.
    zero_one = [table[c].type().is_boolean() and fill.get(c, 0) in (0, 1) for c in cols]
    numeric = [i for i, b in enumerate(zero_one) if not b]
    pairs = _pairs(cols, groups)
    checks = list(dict.fromkeys(binary))  # columns of ``columns``
    keys = [table[variant].cast("string").name("_variant")]
    if fold_unit is not None:
        keys.append((table[fold_unit].hash() % 2).abs().name("_fold"))
    segments = distinct(segments)
    keys += [segment_value(table, s, source).name(f"_g{i}") for i, s in enumerate(segments)]

    def query(shifts: list[float]) -> list[dict[str, object]]:
        shifted = [v - k if k else v for v, k in zip(values, shifts, strict=True)]
        aggs: dict[str, ir.Scalar] = {"_n": table.count()}
        for i, (c, d) in enumerate(zip(cols, shifted, strict=True)):
            if c not in fill:  # a filled column has no missing value: its count is the rows'
                aggs[f"_c{i}"] = table[c].count()
            aggs[f"_s{i}"] = d.sum()
            for j in range(i, len(shifted)):
                if (i, j) in pairs and not (i == j and zero_one[i]):
                    aggs[f"_q{i}_{j}"] = (d * shifted[j]).sum()
        for k, c in enumerate(checks):
            if table[c].type().is_boolean() and c not in fill:
                continue  # 0, 1 or missing by its type
            v = values[cols.index(c)]
            bad = (v != 0) & (v != 1)
            aggs[f"_b{k}"] = v.count(where=bad)
            aggs[f"_blo{k}"] = v.min(where=bad)
            aggs[f"_bhi{k}"] = v.max(where=bad)
        aggs.update(extra or {})
        expr = table.group_by(keys).aggregate(**aggs)
        if segments:
            expr = expr.limit(MAX_SEGMENT_GROUPS + 1)
        with engine_errors(f"the query on source {source!r} failed"):
            return expr.to_pyarrow().to_pylist()  # type: ignore[no-any-return]

    shifts = [float((shift or {}).get(c, 0.0)) for c in cols]
    rows = query(shifts)
    per_variant = _sum_rows(rows, ["_variant"])
    if shift is None:
        far = _far_from_zero(per_variant, numeric)
        if far and len(rows) <= MAX_SEGMENT_GROUPS:
            for i, k in far.items():
                shifts[i] = k
            rows = query(shifts)
            per_variant = _sum_rows(rows, ["_variant"])
    if len(rows) > MAX_SEGMENT_GROUPS:
        raise DataError(
            f"segment column(s) {', '.join(repr(segment_name(s)) for s in segments)} of source "
            f"{source!r} have more than {MAX_SEGMENT_GROUPS:,} combinations of values with the "
            "variants; a segment needs a column with a few values (a country, a platform), "
            "not an id"
        )
    _check_binary(rows, checks, source)
    sums = {str(r["_variant"]): {k: r.get(k) for k in extra} for r in per_variant} if extra else {}
    if unit is not None:
        _check_units(table, variant, unit, source)
    by_segment: dict[str, dict[str, dict[str, Moments]]] = {}
    if segments:
        base = ["_variant"] + (["_fold"] if fold_unit is not None else [])
        for i, seg in enumerate(segments):
            per_value: dict[str, list[dict[str, object]]] = {}
            for r in _sum_rows(rows, [*base, f"_g{i}"]):
                g = r[f"_g{i}"]
                label = MISSING_SEGMENT if g is None else segment_label(seg, g)
                per_value.setdefault(label, []).append(r)
            by_segment[segment_name(seg)] = {
                value: _collect(part, cols, shifts).moments for value, part in per_value.items()
            }
        rows = _sum_rows(rows, base)
    if fold_unit is None:
        return replace(_collect(rows, cols, shifts), segments=by_segment, extra=sums)
    halves = [_collect([r for r in rows if r["_fold"] == f], cols, shifts) for f in (0, 1)]
    return replace(_merge_folds(halves[0], halves[1], cols), segments=by_segment, extra=sums)


def _sum_rows(rows: list[dict[str, object]], keys: list[str]) -> list[dict[str, object]]:
    """The rows of the query grouped by ``keys`` only: counts and sums added, a missing sum
    (every value missing) left out as SQL's SUM does, minima and maxima kept."""
    out: dict[tuple[object, ...], dict[str, object]] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        into = out.get(key)
        if into is None:
            out[key] = {k: v for k, v in row.items() if k in keys or not k.startswith("_g")}
            continue
        for k, v in row.items():
            if k in keys or k.startswith("_g") or v is None:
                continue
            old = into.get(k)
            if old is None:
                into[k] = v
            elif k.startswith("_blo"):
                into[k] = min(_f(old), _f(v))
            elif k.startswith("_bhi"):
                into[k] = max(_f(old), _f(v))
            else:
                into[k] = old + v  # type: ignore[operator]
    return list(out.values())


# A sum of squares minus the square of a sum, relative to the sum of squares, is rounding noise
# below this times the number of rows (the error bound of a sum of n terms is n times the
# precision of doubles, 2.2e-16, times the sum of their magnitudes).
_EPS = float(np.finfo(np.float64).eps)
_ROUNDING = 4 * _EPS

# The relative error a variance from one-pass sums may carry (a tenth of the 1e-9 the moments
# keep against a two-pass computation). The error of a sum of n doubles is about sqrt(n) times
# the precision of a double times the sum of magnitudes (rounding errors add as a random walk),
# and the variance from raw sums multiplies the error of the sum of squares by
# ``sum x^2 / sum (x - mean)^2``, about ``1 + (mean / sd)^2``.
_DIGITS = 1e-10


def _far_from_zero(rows: list[dict[str, object]], numeric: list[int]) -> dict[int, float]:
    """The columns whose raw sums lose digits in some variant (``rows``, one per variant), with
    the shift to sum them again: their mean over every row.

    A column is far from 0 in a variant of ``c`` values when ``sum x^2 sqrt(c) eps`` exceeds
    ``_DIGITS`` times its sum of squared deviations ``sum x^2 - (sum x)^2 / c``: beyond about 12
    standard deviations from 0 at 10 million values, 120 at 1,000. A column constant in a variant
    (no deviation left within the rounding) cannot be told from one far from 0 with a small
    spread, and is summed again too (a column of zeros has nothing to lose and is not).
    Segments and folds are checked through their variant, so that a small segment whose few
    values are equal does not cost a second pass.
    """
    out: dict[int, float] = {}
    for i in numeric:
        total = count = 0.0
        far = False
        for row in rows:
            n = _int(row["_n"])
            c = _int(row.get(f"_c{i}", n))
            s1, s2 = _f(row[f"_s{i}"]), _f(row.get(f"_q{i}_{i}"))
            if c < 1 or not (np.isfinite(s1) and np.isfinite(s2)):
                continue
            total += s1
            count += c
            if c >= 2 and s2 > 0:
                spread = s2 - s1 * s1 / c
                far = far or spread * _DIGITS <= s2 * math.sqrt(c) * _EPS
        if far and count > 0:
            out[i] = total / count
    return out


def _assigned(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [r for r in rows if r["_variant"] not in (None, MULTIPLE, NO_TIMESTAMP)]


def _check_binary(rows: list[dict[str, object]], columns: list[str], source: str) -> None:
    """Raise naming the first column of ``columns`` with values other than 0 and 1."""
    assigned = _assigned(rows)
    for k, c in enumerate(columns):
        if assigned and f"_b{k}" not in assigned[0]:
            continue
        bad = sum(_int(r[f"_b{k}"]) for r in assigned)
        if bad:
            low = min(_f(r[f"_blo{k}"]) for r in assigned if r[f"_b{k}"])
            high = max(_f(r[f"_bhi{k}"]) for r in assigned if r[f"_b{k}"])
            raise DataError(
                f"column {c!r} of source {source!r} is read by a proportion metric but has "
                f"{bad:,} value(s) other than 0 and 1 (from {low:g} to {high:g}); a proportion "
                "needs 0/1 or boolean values: fix the column, or declare the metric `type: mean`"
            )


def _assigned_units(table: ir.Table, variant: str, unit: str) -> ir.Table:
    return table.filter(table[variant].notnull() & table[unit].notnull())


def _check_units(table: ir.Table, variant: str, unit: str, source: str) -> None:
    """Raise when a unit id appears on more than one row (of one variant, or of two).

    A query counts the rows with a variant and a unit id and their distinct units; only when
    they differ does a second query count the units in more than one variant, for the message.
    """
    assigned = _assigned_units(table, variant, unit)
    counts = assigned.aggregate(_urows=assigned.count(), _udistinct=assigned[unit].nunique())
    with engine_errors(f"the query on source {source!r} failed"):
        row = counts.to_pyarrow().to_pylist()[0]
    extra = _int(row["_urows"]) - _int(row["_udistinct"])
    if extra <= 0:
        return
    per_unit = assigned.group_by(assigned[unit]).aggregate(_k=assigned[variant].nunique())
    with engine_errors(f"the query on source {source!r} failed"):
        multi = int(per_unit.filter(per_unit._k > 1).count().to_pyarrow().as_py())
    raise DataError(
        f"unit column {unit!r} of source {source!r} repeats units: {extra:,} row(s) beyond the "
        f"first of a unit, and {multi:,} unit(s) in more than one variant; a unit table needs "
        "one row per unit: remove the duplicates (an assignment log instead leaves units in "
        "several variants out and counts them)"
    )


def _pairs(cols: list[str], groups: Sequence[Sequence[str]] | None) -> set[tuple[int, int]]:
    k = len(cols)
    if groups is None:
        return {(i, j) for i in range(k) for j in range(i, k)}
    index = {c: i for i, c in enumerate(cols)}
    pairs = {(i, i) for i in range(k)}
    for group in groups:
        idx = sorted(index[c] for c in group)
        pairs |= {(a, b) for n, a in enumerate(idx) for b in idx[n:]}
    return pairs


def _f(x: object) -> float:
    return float(x) if isinstance(x, int | float) else np.nan


def _int(x: object) -> int:
    return int(x) if isinstance(x, int | float) else 0


def _merge_folds(a: VariantMoments, b: VariantMoments, cols: list[str]) -> VariantMoments:
    empty = Moments.empty(cols)
    folds = {
        v: (a.moments.get(v, empty), b.moments.get(v, empty))
        for v in sorted(set(a.moments) | set(b.moments))
    }
    missing: dict[str, dict[str, int]] = {}
    for part in (a.missing, b.missing):
        for v, gaps in part.items():
            for c, n in gaps.items():
                missing.setdefault(v, {})[c] = missing.get(v, {}).get(c, 0) + n
    return VariantMoments(
        {v: f0.merge(f1) for v, (f0, f1) in folds.items()},
        missing,
        a.unassigned + b.unassigned,
        a.multiple + b.multiple,
        folds,
        a.no_timestamp + b.no_timestamp,
    )


def _collect(
    rows: list[dict[str, object]], cols: list[str], shifts: Sequence[float]
) -> VariantMoments:
    k = len(cols)
    moments: dict[str, Moments] = {}
    missing: dict[str, dict[str, int]] = {}
    unassigned = multiple = no_timestamp = 0
    for row in rows:
        n = int(row["_n"])  # type: ignore[call-overload]
        name = row["_variant"]
        if name is None:
            unassigned += n
            continue
        if name == MULTIPLE:
            multiple += n
            continue
        if name == NO_TIMESTAMP:
            no_timestamp += n
            continue
        count = np.array([_int(row.get(f"_c{i}", n)) for i in range(k)])
        total = np.array([_f(row[f"_s{i}"]) for i in range(k)])
        for i in range(k):  # a 0/1 column: its sum of squares is its sum
            row.setdefault(f"_q{i}_{i}", row[f"_s{i}"])
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.asarray(shifts, float) + total / count
        cov = np.full((k, k), np.nan)
        if n >= 2:
            for i in range(k):
                for j in range(i, k):
                    if f"_q{i}_{j}" not in row or count[i] != n or count[j] != n:
                        continue
                    # sum of (x - K)(y - L) minus n times the product of the shifted means
                    products = _f(row[f"_q{i}_{j}"])
                    comoment = products - total[i] * total[j] / n
                    if i == j and comoment <= _ROUNDING * n * products:
                        # within the rounding of the sums (a column constant in this arm): 0
                        comoment = 0.0
                    cov[i, j] = cov[j, i] = comoment / (n - 1)
            for i in range(k):  # a column with gaps: its variance over the values present
                if 1 < count[i] < n:
                    cov[i, i] = (_f(row[f"_q{i}_{i}"]) - total[i] ** 2 / count[i]) / (count[i] - 1)
        gaps = {c: n - int(count[i]) for i, c in enumerate(cols)}
        gaps = {c: g for c, g in gaps.items() if g > 0}
        if gaps:
            missing[str(name)] = gaps
            for c in gaps:
                mean[cols.index(c)] = np.nan
        if n < 2:
            cov = np.zeros((k, k))
        moments[str(name)] = Moments.from_covariance(cols, n, mean, cov)
    return VariantMoments(moments, missing, unassigned, multiple, no_timestamp=no_timestamp)
