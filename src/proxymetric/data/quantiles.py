"""Quantiles of metric columns per variant, in the engine: the inputs of a quantile metric.

For each quantile metric, one aggregate query grouped by variant returns three quantiles of
the column over each variant's units: the ``q``-quantile itself and the two order statistics
at ranks ``n q -/+ z sqrt(n q (1 - q))`` that give its standard error (Deng, Knoblich and Lu,
"Applying the Delta Method in Metric Analytics", KDD 2018, section on quantile metrics). ``n``
is the variant's number of values, known from the moments read first; only the quantiles
reach Python, never the rows. For large arms the same exact quantiles come from a sort of a
narrow band of the values around them (placed by a block sample before the moments, whose query
counts the values below and in it: :func:`place_bands`, :func:`band_tallies`; or, without
them, by a sample and a counting query of their own: ``_banded``), instead of a sort of every
arm's values.

Definition: every quantile is DuckDB's ``quantile_cont`` (what ibis ``quantile`` compiles to),
the linear interpolation between order statistics at position ``p (n - 1)`` (0-based), the
same as ``numpy.quantile(..., method="linear")`` (its default). An order statistic at
1-based rank ``r`` is therefore the quantile at ``p = (r - 1) / (n - 1)`` (clipped to [0, 1]),
interpolated between neighbouring ranks when ``r`` is not whole. PostgreSQL's
``percentile_cont`` is the same definition; Spark's ``percentile_approx`` approximates it.

Clustered rows (:func:`clustered_quantiles`): when the rows are not independent (page views
of users randomized by user, the events of an event log), the ``n q (1 - q)`` above does not
hold. Deng, Knoblich and Lu (section on quantile metrics) replace ``sqrt(q (1 - q) / n)`` by
the delta-method standard error ``sigma`` of the share of rows at most the arm's quantile
``Q``, a ratio over randomization units (rows <= Q of each unit, over its rows); the order
statistics are then at ranks ``n (q -/+ z sigma)``. Three aggregate queries for all metrics:
the quantile and row count per arm, the sums, squares and cross-products of each unit's
(rows <= Q, rows) per arm, and the order statistics at the adjusted ranks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass

import ibis
import ibis.expr.types as ir

from proxymetric.data._engine import engine_errors
from proxymetric.data.moments import _numeric

__all__ = [
    "ArmQuantile",
    "ClusterSums",
    "QuantileRequest",
    "clustered_level",
    "clustered_quantiles",
    "order_statistic_level",
    "variant_quantiles",
]


@dataclass(frozen=True)
class QuantileRequest:
    """The ``q``-quantile of ``column``; ``z`` sets the ranks of the two order statistics."""

    column: str
    q: float
    z: float


@dataclass(frozen=True)
class ClusterSums:
    """Per arm, over its randomization units: the sums of each unit's rows at most the arm's
    quantile (``s``) and rows (``n``), of their squares and of their products (``units``
    counts every unit of the arm, those without rows too: they add 0 to every sum)."""

    units: int
    s: float
    n: float
    ss: float
    nn: float
    sn: float


@dataclass(frozen=True)
class ArmQuantile:
    """The ``q``-quantile of one arm's ``count`` values, and the order statistics at ranks
    ``n q -/+ z sqrt(n q (1 - q))`` (``lower``, ``upper``): ``se = (upper - lower) / (2 z)``.

    For clustered rows, ``count`` is the arm's number of rows, ``sums`` the aggregates of its
    randomization units and ``share_se`` the delta-method standard error of the share of rows
    at most the quantile, which sets the ranks ``n (q -/+ z share_se)`` of the order statistics.
    """

    count: int
    q: float
    z: float
    value: float
    lower: float
    upper: float
    _: KW_ONLY
    sums: ClusterSums | None = None
    share_se: float | None = None

    @property
    def se(self) -> float:
        """The standard error of the sample quantile (Deng, Knoblich and Lu 2018)."""
        return (self.upper - self.lower) / (2 * self.z)


def order_statistic_level(n: int, q: float, z: float, side: int) -> float:
    """The ``quantile_cont`` level of the order statistic at rank ``n q + side z sqrt(n q (1-q))``
    (``side`` -1 or +1) among ``n`` values: ``(rank - 1) / (n - 1)``, clipped to [0, 1]."""
    if n < 2:
        return q
    rank = n * q + side * z * math.sqrt(n * q * (1 - q))
    return min(max((rank - 1) / (n - 1), 0.0), 1.0)


def clustered_level(n: int, q: float, z: float, sigma: float, side: int) -> float:
    """The ``quantile_cont`` level of the order statistic at rank ``n (q + side z sigma)``
    among ``n`` clustered rows (``sigma``: the standard error of the share of rows at most the
    quantile; ``sqrt(q (1 - q) / n)`` gives :func:`order_statistic_level`), clipped to [0, 1]."""
    if n < 2 or not math.isfinite(sigma):
        return q
    rank = n * (q + side * z * sigma)
    return min(max((rank - 1) / (n - 1), 0.0), 1.0)


def variant_quantiles(
    table: ir.Table,
    variant: str,
    counts: Mapping[str, Mapping[str, int]],
    requests: Mapping[str, QuantileRequest],
    *,
    fill: Mapping[str, float] | None = None,
    source: str = "data",
    placed: PlacedBands | None = None,
) -> dict[str, dict[str, ArmQuantile]]:
    """Return, by request key (a metric) and variant, its :class:`ArmQuantile`, in ONE query.

    ``counts`` holds, by request key, each variant's number of values (the moments' count
    less its missing values); a variant with fewer than 2 gets NaN quantiles. ``fill``
    replaces missing values first, as in the moments; missing values left are ignored.
    ``placed`` holds bands placed before the moments (:func:`place_bands`) with their counts
    from the moments' query (:func:`band_tallies`): only the band is then sorted.
    """
    fill = fill or {}
    if not requests:
        return {}
    # One aggregate per metric, grouped by variant: the engine sorts each variant's values
    # once, and the list holds the q-quantile then the two levels of every variant (each
    # variant's own n sets its levels; a variant reads its own pair).
    arms = _with_arm(table, variant)
    aggs: dict[str, ir.Value] = {}
    slots: dict[tuple[str, str], int] = {}
    for i, (key, r) in enumerate(requests.items()):
        v = _numeric(arms, r.column, source)
        if r.column in fill:
            v = v.fill_null(float(fill[r.column]))
        levels = [r.q]
        for name, n in counts[key].items():
            if n >= 2:
                slots[key, name] = len(levels)
                levels += [
                    order_statistic_level(n, r.q, r.z, -1),
                    order_statistic_level(n, r.q, r.z, +1),
                ]
        if len(levels) > 1:
            aggs[f"_q{i}"] = v.quantile(levels)
    banded = _banded(arms, table, variant, requests, counts, fill, source, placed)
    if banded is not None:
        return banded
    rows: list[dict[str, object]] = []
    if aggs:
        with engine_errors(f"the query of the quantiles on source {source!r} failed"):
            rows = arms.group_by("_arm").aggregate(**aggs).to_pyarrow().to_pylist()
    by_arm = {str(row["_arm"]): row for row in rows}

    def numbers(key: str, i: int, name: str) -> list[float]:
        got = by_arm.get(name, {}).get(f"_q{i}")
        slot = slots.get((key, name))
        if slot is None or not isinstance(got, list | tuple) or len(got) < slot + 2:
            return [math.nan] * 3
        picked = [got[0], got[slot], got[slot + 1]]
        return [float(x) if isinstance(x, int | float) else math.nan for x in picked]

    out: dict[str, dict[str, ArmQuantile]] = {}
    for i, (key, r) in enumerate(requests.items()):
        per: dict[str, ArmQuantile] = {}
        for name, n in counts[key].items():
            per[name] = ArmQuantile(n, r.q, r.z, *numbers(key, i, name))
        out[key] = per
    return out


# The banded path (below) is taken when an arm has at least this many values; under it one
# query over all the values costs about what its three queries cost.
BAND_MIN_VALUES = 200_000

# The share of the table's blocks a band placed before the moments samples, and the distances
# from q (in levels) among which each side of the band is chosen.
SAMPLE_FRACTION = 0.01
BAND_GRID = (0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32)


@dataclass(frozen=True)
class PlacedBands:
    """Bands placed before the moments (``bands``: by request, ``(lo, hi)``) and, by arm then
    request, the arm's counts of values below ``lo`` and up to ``hi`` from the moments' query
    (``None`` where the engine gave none)."""

    bands: Mapping[str, tuple[float, float]]
    tallies: Mapping[str, Mapping[str, tuple[int | None, int | None]]]


def place_bands(
    table: ir.Table,
    variant: str,
    requests: Mapping[str, QuantileRequest],
    *,
    fill: Mapping[str, float] | None = None,
    source: str = "data",
) -> dict[str, tuple[float, float]]:
    """Bands ``(lo, hi)`` around each request's quantile, from a block sample of ``SAMPLE_FRACTION``
    of the stored table, before the moments (whose query then counts the values below and in
    each band: :func:`band_tallies`); ``{}`` when the arms look smaller than
    ``BAND_MIN_VALUES`` or the engine has no seeded block sample.

    Each side of a band is the arms' widest sample quantile at the nearest level of ``q -/+ d``
    (``d`` in ``BAND_GRID``) that is at least 8 sampling standard deviations of a sample
    quantile, 0.1% and the order statistics' own distance from ``q`` away from ``q``.
    """
    fill = fill or {}
    if not requests:
        return {}
    grids: dict[int, list[float]] = {}
    try:  # no seeded TABLESAMPLE (Spark through Ibis, a view): no band
        sampled_rows = table.sample(SAMPLE_FRACTION, method="block", seed=0)
        sample = _with_arm(sampled_rows, variant)
        aggs: dict[str, ir.Scalar] = {"_rows": sample.count()}
        for i, r in enumerate(requests.values()):
            v = _numeric(sample, r.column, source)
            if r.column in fill:
                v = v.fill_null(float(fill[r.column]))
            grids[i] = [max(r.q - d, 0.0) for d in BAND_GRID] + [
                min(r.q + d, 1.0) for d in BAND_GRID
            ]
            aggs[f"_g{i}"] = v.quantile(grids[i])
        rows = sample.group_by("_arm").aggregate(**aggs).to_pyarrow().to_pylist()
    except Exception:  # noqa: BLE001 - every engine has its own exception types
        return {}
    m = min((_whole(row["_rows"]) or 0 for row in rows), default=0)
    if len(rows) < 2 or m / SAMPLE_FRACTION < BAND_MIN_VALUES:
        return {}
    bands: dict[str, tuple[float, float]] = {}
    g = len(BAND_GRID)
    for i, (key, r) in enumerate(requests.items()):
        spread = r.z * math.sqrt(r.q * (1 - r.q) / (m / SAMPLE_FRACTION / 2))
        sides: list[float] = []
        for side in (-1, 1):
            wide = [
                j
                for j, d in enumerate(BAND_GRID)
                if d >= _pad(min(max(r.q + side * d, 0.0), 1.0), m) + spread
            ]
            if not wide:
                return {}
            at = wide[0] if side < 0 else g + wide[0]
            picked = [row[f"_g{i}"][at] for row in rows if isinstance(row[f"_g{i}"], list)]
            if len(picked) < len(rows) or not all(
                isinstance(x, int | float) and math.isfinite(x) for x in picked
            ):
                return {}
            sides.append(min(picked) if side < 0 else max(picked))
        bands[key] = (sides[0], sides[1])
    return bands


def _pad(p: float, m: float) -> float:
    """How far (in levels) a band's edge stays from a level ``p`` placed from ``m`` sampled
    values: 8 sampling standard deviations of a sample quantile, ``sqrt(p (1 - p) / m)``, and
    0.1%."""
    return 8 * math.sqrt(max(p * (1 - p), 1 / m) / m) + 0.001


def band_tallies(
    table: ir.Table,
    requests: Mapping[str, QuantileRequest],
    bands: Mapping[str, tuple[float, float]],
    *,
    fill: Mapping[str, float] | None = None,
    source: str = "data",
) -> dict[str, ir.Scalar]:
    """The aggregates that count, grouped by arm (in the moments' query, or a query of their
    own), each arm's values below and up to the top of each band (named ``_xb{i}`` and
    ``_xc{i}``; read back by :func:`read_tallies`)."""
    fill = fill or {}
    out: dict[str, ir.Scalar] = {}
    for i, (key, r) in enumerate(requests.items()):
        if key not in bands:
            continue
        lo, hi = bands[key]
        v = _numeric(table, r.column, source)
        if r.column in fill:
            v = v.fill_null(float(fill[r.column]))
        out[f"_xb{i}"] = (v < lo).cast("int32").sum()
        out[f"_xc{i}"] = (v <= hi).cast("int32").sum()
    return out


def read_tallies(
    requests: Mapping[str, QuantileRequest],
    bands: Mapping[str, tuple[float, float]],
    sums: Mapping[str, Mapping[str, object]],
) -> PlacedBands:
    """The :class:`PlacedBands` from the per-variant sums of :func:`band_tallies`' aggregates."""
    tallies = {
        arm: {
            key: (_whole(row.get(f"_xb{i}")), _whole(row.get(f"_xc{i}")))
            for i, key in enumerate(requests)
            if key in bands
        }
        for arm, row in sums.items()
    }
    return PlacedBands(bands, tallies)


def _banded(
    arms: ir.Table,
    table: ir.Table,
    variant: str,
    requests: Mapping[str, QuantileRequest],
    counts: Mapping[str, Mapping[str, int]],
    fill: Mapping[str, float],
    source: str,
    placed: PlacedBands | None = None,
) -> dict[str, dict[str, ArmQuantile]] | None:
    """The same quantiles as the one query over all values, from a sort of a narrow band of
    them; None when the band cannot be used (small arms, an engine or source without sampling,
    a band that misses an order statistic), and the caller then runs the one query.

    An exact quantile needs only the values around its rank. The bands are placed by a block
    sample (:func:`place_bands`); one query counts each arm's values below ``lo`` (``b``) and up
    to ``hi`` (``b + m``: ``m`` in the band); :func:`_sort_band` then sorts only the band's
    values, where the value at 0-based position ``h`` of the arm is the one at position
    ``h - b``. Whether every position falls inside the band is known exactly from the counts,
    so a misplaced band (an unlucky or clustered sample) is detected and never used. With
    ``placed`` (the bands placed before the moments and counted by the moments' query, or none
    placed there), the sample and the counting query are not run again.
    """
    largest = max((n for per in counts.values() for n in per.values()), default=0)
    if largest < BAND_MIN_VALUES:
        return None
    if placed is not None:
        if not placed.bands:
            return None
        return _sort_band(arms, requests, counts, placed.bands, placed.tallies, fill, source)
    bands = place_bands(table, variant, requests, fill=fill, source=source)
    if not bands:
        return None
    tally = band_tallies(arms, requests, bands, fill=fill, source=source)
    with engine_errors(f"the query of the quantiles on source {source!r} failed"):
        rows = arms.group_by("_arm").aggregate(**tally).to_pyarrow().to_pylist()
    counted = read_tallies(requests, bands, {str(row["_arm"]): row for row in rows})
    return _sort_band(arms, requests, counts, bands, counted.tallies, fill, source)


def _sort_band(
    arms: ir.Table,
    requests: Mapping[str, QuantileRequest],
    counts: Mapping[str, Mapping[str, int]],
    bands: Mapping[str, tuple[float, float]],
    tallies: Mapping[str, Mapping[str, tuple[int | None, int | None]]],
    fill: Mapping[str, float],
    source: str,
) -> dict[str, dict[str, ArmQuantile]] | None:
    """The quantiles from one query sorting the values in each request's band ``[lo, hi]``,
    given each arm's counts of values below ``lo`` and up to ``hi`` (``tallies``, by arm then
    request); None when an arm's order statistics are not all inside its band."""
    values: dict[str, ir.FloatingValue] = {}
    for key in bands:
        r = requests[key]
        v = _numeric(arms, r.column, source)
        values[key] = v.fill_null(float(fill[r.column])) if r.column in fill else v
    inside = {key: (values[key] >= lo) & (values[key] <= hi) for key, (lo, hi) in bands.items()}
    slot = {key: i for i, key in enumerate(bands)}
    first: dict[tuple[str, str], int] = {}  # (key, arm) -> its first level in the band's list
    aggs: dict[str, ir.Value] = {}
    for key, r in requests.items():
        per = {name: n for name, n in counts[key].items() if n >= 2}
        if not per:
            continue
        if key not in bands:
            return None
        band_levels: list[float] = []
        for name, n in per.items():
            below, upto = tallies.get(name, {}).get(key, (None, None))
            if below is None or upto is None or upto - below < 2:
                return None
            b, m = below, upto - below
            hs = [
                p * (n - 1)
                for p in (
                    r.q,
                    order_statistic_level(n, r.q, r.z, -1),
                    order_statistic_level(n, r.q, r.z, +1),
                )
            ]
            if not in_band(hs, b, m):
                return None  # an order statistic outside the band
            first[key, name] = len(band_levels)
            band_levels += [(h - b) / (m - 1) for h in hs]
        aggs[f"_q{slot[key]}"] = values[key].quantile(band_levels, where=inside[key])
    if not aggs:
        return None
    where = None
    for key in bands:
        where = inside[key] if where is None else where | inside[key]
    with engine_errors(f"the query of the quantiles on source {source!r} failed"):
        got = arms.filter(where).group_by("_arm").aggregate(**aggs).to_pyarrow().to_pylist()
    lists = {str(row["_arm"]): row for row in got}
    out: dict[str, dict[str, ArmQuantile]] = {}
    for key, r in requests.items():
        per_arm: dict[str, ArmQuantile] = {}
        for name, n in counts[key].items():
            numbers = [math.nan] * 3
            if (key, name) in first:
                at = first[key, name]
                listed = lists.get(name, {}).get(f"_q{slot[key]}")
                if not isinstance(listed, list | tuple) or len(listed) < at + 3:
                    return None
                numbers = [
                    float(x) if isinstance(x, int | float) else math.nan
                    for x in listed[at : at + 3]
                ]
            per_arm[name] = ArmQuantile(n, r.q, r.z, *numbers)
        out[key] = per_arm
    return out


def in_band(positions: list[float], below: int, within: int) -> bool:
    """Whether the values at 0-based ``positions`` of an arm (interpolated between the values at
    the floor and the ceiling of each) all lie in a band of ``within`` values above the
    ``below`` smallest: the band holds the positions ``below`` to ``below + within - 1``."""
    return all(math.floor(h) >= below and math.ceil(h) <= below + within - 1 for h in positions)


def _with_arm(table: ir.Table, variant: str) -> ir.Table:
    """The rows of ``table`` with a variant, with ``_arm``, the variant as text."""
    return table.filter(table[variant].notnull()).mutate(_arm=table[variant].cast("string"))


def _whole(x: object) -> int | None:
    """A count from the engine (an int, or a Decimal from PostgreSQL's SUM), else None."""
    if x is None or isinstance(x, bool):
        return None
    try:
        return int(x)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return None


def clustered_quantiles(
    rows: ir.Table,
    unit: str,
    variant: str,
    units: Mapping[str, Mapping[str, int]],
    requests: Mapping[str, QuantileRequest],
    *,
    fill: Mapping[str, float] | None = None,
    source: str = "data",
) -> dict[str, dict[str, ArmQuantile]]:
    """Return, by request key and variant, the :class:`ArmQuantile` of clustered ``rows``.

    ``rows`` has one row per analysis unit (a page view, an event), with the randomization
    ``unit`` and its ``variant``; ``units`` holds, by request key, each variant's number of
    randomization units (from the moments, units without rows included). Three queries for all
    requests, each grouped by variant: the quantile and the number of values; the sums over
    randomization units of (values <= the arm's quantile, values), their squares and product;
    the order statistics at ranks ``n (q -/+ z sigma)``. ``fill`` replaces missing values
    first; missing values left are ignored. A variant with fewer than 2 values or 2 units gets
    NaN quantiles.
    """
    from proxymetric.stats.quantile import clustered_share_se

    fill = fill or {}
    if not requests:
        return {}
    names = sorted({v for per in units.values() for v in per})
    kept = rows.filter(rows[variant].cast("string").isin(names) & rows[unit].notnull())
    arms = kept.mutate(_arm=kept[variant].cast("string"))
    values: dict[str, ir.Value] = {}
    for i, r in enumerate(requests.values()):
        v = _numeric(arms, r.column, source)
        values[f"_v{i}"] = v.fill_null(float(fill[r.column])) if r.column in fill else v
    arms = arms.select("_arm", _unit=arms[unit], **values)
    keys = list(requests)

    def run(table: ir.Table, aggs: Mapping[str, ir.Value], what: str) -> dict[str, Row]:
        with engine_errors(f"the query of the {what} on source {source!r} failed"):
            got = table.group_by("_arm").aggregate(**aggs).to_pyarrow().to_pylist()
        return {str(row["_arm"]): row for row in got}

    def number(x: object) -> float:
        return float(x) if isinstance(x, int | float) else math.nan

    # (a) the quantile and the number of values of each arm
    first = run(
        arms,
        {
            **{f"_q{i}": arms[f"_v{i}"].quantile(requests[k].q) for i, k in enumerate(keys)},
            **{f"_n{i}": arms[f"_v{i}"].count() for i in range(len(keys))},
        },
        "quantiles",
    )
    value: dict[tuple[str, str], float] = {}
    count: dict[tuple[str, str], int] = {}
    for i, k in enumerate(keys):
        for a in names:
            value[k, a] = number(first.get(a, {}).get(f"_q{i}"))
            n = number(first.get(a, {}).get(f"_n{i}"))
            count[k, a] = int(n) if math.isfinite(n) else 0
    # (b) per randomization unit, its values at most its arm's quantile and its values; then
    # per arm the sums, squares and cross-products the delta method needs
    per_unit: dict[str, ir.Value] = {}
    for i, k in enumerate(keys):
        finite = [(a, value[k, a]) for a in names if math.isfinite(value[k, a])]
        if not finite:
            continue
        threshold = ibis.cases(*((arms._arm == a, ibis.literal(q)) for a, q in finite))
        below = (arms[f"_v{i}"] <= threshold).cast("int64")
        per_unit[f"_s{i}"] = below.sum().fill_null(0).cast("float64")
        per_unit[f"_c{i}"] = arms[f"_v{i}"].count().cast("float64")
    sums: dict[tuple[str, str], ClusterSums] = {}
    if per_unit:
        grouped = arms.group_by(["_arm", "_unit"]).aggregate(**per_unit)
        aggs: dict[str, ir.Value] = {}
        for i in range(len(keys)):
            if f"_s{i}" not in per_unit:
                continue
            s, c = grouped[f"_s{i}"], grouped[f"_c{i}"]
            aggs |= {
                f"_s{i}": s.sum(),
                f"_c{i}": c.sum(),
                f"_ss{i}": (s * s).sum(),
                f"_cc{i}": (c * c).sum(),
                f"_sc{i}": (s * c).sum(),
            }
        second = run(grouped, aggs, "cluster sums of the quantiles")
        for i, k in enumerate(keys):
            for a in names:
                row = second.get(a)
                if row is None or f"_s{i}" not in row:
                    continue
                sums[k, a] = ClusterSums(
                    units[k].get(a, 0),
                    *(number(row[f"_{p}{i}"]) for p in ("s", "c", "ss", "cc", "sc")),
                )
    # (c) the order statistics at ranks n (q -/+ z sigma), each arm's own pair in one list
    sigma: dict[tuple[str, str], float] = {}
    for k, a in sums:
        sigma[k, a] = clustered_share_se(*_fields(sums[k, a]))[0]
    aggs = {}
    slots: dict[tuple[str, str], int] = {}
    for i, (k, r) in enumerate(requests.items()):
        levels: list[float] = []
        for a in names:
            n, se = count[k, a], sigma.get((k, a), math.nan)
            if n >= 2 and units[k].get(a, 0) >= 2 and math.isfinite(se):
                slots[k, a] = len(levels)
                levels += [clustered_level(n, r.q, r.z, se, side) for side in (-1, 1)]
        if levels:
            aggs[f"_o{i}"] = arms[f"_v{i}"].quantile(levels)
    third = run(arms, aggs, "order statistics of the quantiles") if aggs else {}
    out: dict[str, dict[str, ArmQuantile]] = {}
    for i, (k, r) in enumerate(requests.items()):
        per: dict[str, ArmQuantile] = {}
        for a in units[k]:
            got = third.get(a, {}).get(f"_o{i}")
            slot = slots.get((k, a))
            if slot is None or not isinstance(got, list | tuple) or len(got) < slot + 2:
                low, high = math.nan, math.nan
            else:
                low, high = number(got[slot]), number(got[slot + 1])
            q_value = value.get((k, a), math.nan) if count.get((k, a), 0) >= 2 else math.nan
            per[a] = ArmQuantile(
                count.get((k, a), 0),
                r.q,
                r.z,
                q_value,
                low,
                high,
                sums=sums.get((k, a)),
                share_se=sigma.get((k, a)),
            )
        out[k] = per
    return out


Row = dict[str, object]


def _fields(s: ClusterSums) -> tuple[int, float, float, float, float, float]:
    return s.units, s.s, s.n, s.ss, s.nn, s.sn
