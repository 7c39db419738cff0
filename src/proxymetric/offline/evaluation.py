"""Offline evaluation of one or several models against ground truth.

:func:`evaluate` computes rating metrics (RMSE, MAE), ranking metrics at ``k`` (precision,
recall, hit rate, MRR, MAP, NDCG), list metrics (catalogue coverage, popularity, novelty and,
with item features, intra-list diversity), per-unit bootstrap intervals, and paired comparisons
of every model with a baseline on the same units.

Definitions (``rel`` is the relevance of an item for a unit; an item is *relevant* when
``rel >= relevance_threshold``, or ``rel > 0`` without a threshold; ``R`` is the number of
relevant items of the unit in the truth; ranks start at 1; lists are cut at ``k`` and a list
shorter than ``k`` is not padded):

- ``precision@k`` = relevant items in the top k / k;
- ``recall@k`` = relevant items in the top k / R;
- ``hit_rate@k`` = 1 if any relevant item is in the top k;
- ``mrr@k`` = 1 / rank of the first relevant item in the top k (0 if none);
- ``map@k`` = sum over relevant ranks r <= k of precision@r, / min(k, R);
- ``ndcg@k`` = DCG@k / ideal DCG@k with DCG = sum of gain(rel) / log2(rank + 1); gain is
  ``rel`` (linear, as in scikit-learn's ``ndcg_score``) or ``2**rel - 1`` (exponential, Burges
  et al., "Learning to rank using gradient descent", ICML 2005); items below the threshold have
  gain 0; the ideal list is the unit's truth sorted by gain (Jarvelin and Kekalainen,
  "Cumulated gain-based evaluation of IR techniques", TOIS 2002);
- ``coverage@k`` = share of the catalogue that appears in at least one top-k list;
- ``popularity@k`` = mean over units of the mean popularity of the listed items, popularity
  being the share of units of the interaction table that interacted with the item (average
  recommendation popularity, Abdollahpouri, Burke and Mobasher, FLAIRS 2019);
- ``novelty@k`` = mean over units of the mean self-information ``-log2((n_i + 1) / (N + 1))``
  of the listed items, ``n_i`` units of ``N`` having interacted with item i (Zhou et al.,
  "Solving the apparent diversity-accuracy dilemma of recommender systems", PNAS 2010; the
  ``+1`` keeps items never seen finite);
- ``diversity@k`` = mean over units of the intra-list diversity, 1 - mean cosine similarity of
  the item feature vectors over the pairs of the list (Ziegler et al., "Improving recommendation
  lists through topic diversification", WWW 2005);
- ``rmse``, ``mae`` over the truth pairs that have a predicted rating, pooled over pairs.

The population is the units of the truth table. Ranking metrics are averaged over units with at
least one relevant item; the others are left out and counted in
``n_units_without_relevant``. A unit of the truth with no list from a model scores 0 on that
model's ranking metrics. Ties in score are broken by item identifier, ascending.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from proxymetric._result import Result
from proxymetric._validation import check_choice, check_name, check_number
from proxymetric.errors import DataError, ProxymetricError
from proxymetric.offline import _bootstrap as boot
from proxymetric.offline import _ranking as rk
from proxymetric.offline._io import Columns, as_columns

__all__ = [
    "GAINS",
    "MetricValue",
    "OfflineResult",
    "PairedComparison",
    "evaluate",
    "metric_direction",
    "metric_order",
]

GAINS = ("linear", "exponential")
_RANKING = ("precision", "recall", "hit_rate", "mrr", "map", "ndcg")
_LIST = ("coverage", "popularity", "novelty", "diversity")


@dataclass(frozen=True)
class MetricValue(Result):
    """One metric of one model: the estimate and its percentile bootstrap interval."""

    value: float
    value_ci_lower: float
    value_ci_upper: float
    n_units: int


@dataclass(frozen=True)
class PairedComparison(Result):
    """A model against the baseline on the same units: ``difference = model - baseline``.

    ``direction`` is the metric's good direction (``increase``, or ``decrease`` for RMSE, MAE
    and popularity); ``better`` is true or false when the difference is significant
    (``pvalue < 1 - confidence_level``, exactly when the interval excludes 0) and says whether
    the model is better than the baseline; it is None otherwise.
    """

    baseline: str
    model: str
    metric: str
    difference: float
    difference_ci_lower: float
    difference_ci_upper: float
    pvalue: float
    n_units: int
    direction: str = "increase"
    better: bool | None = None


@dataclass(frozen=True)
class OfflineResult(Result):
    """Metrics of every model (``models[model][metric]``) and comparisons with the baseline."""

    models: dict[str, dict[str, MetricValue]]
    comparisons: tuple[PairedComparison, ...]
    k: int
    baseline: str
    n_units: int
    n_units_without_relevant: int
    missing_rating_predictions: dict[str, int]
    n_bootstrap: int
    confidence_level: float
    relevance_threshold: float | None
    gain: str
    seed: int

    def metric(self, model: str, metric: str) -> MetricValue:
        """Return the :class:`MetricValue` of ``metric`` for ``model``."""
        check_name("model", model, self.models, "models")
        check_name("metric", metric, self.models[model], "metrics")
        return self.models[model][metric]

    def comparison(self, model: str, metric: str) -> PairedComparison:
        """Return the comparison of ``model`` with the baseline on ``metric``."""
        found = {(c.model, c.metric): c for c in self.comparisons}
        if (model, metric) not in found:
            listed = ", ".join(f"{m}/{n}" for m, n in found) or "(none)"
            raise ProxymetricError(
                f"no comparison for `model` {model!r} and `metric` {metric!r}; available: {listed}"
            )
        return found[(model, metric)]


_LOWER_IS_BETTER = ("rmse", "mae", "popularity")


def metric_direction(metric: str) -> str:
    """Return ``"decrease"`` for metrics where lower is better, else ``"increase"``.

    Rating errors are better low; so is popularity (the average popularity of the listed
    items, a measure of popularity bias); every ranking metric, coverage, novelty and
    diversity are better high.

    >>> metric_direction("rmse"), metric_direction("ndcg@10"), metric_direction("popularity@5")
    ('decrease', 'increase', 'decrease')
    """
    return "decrease" if metric.split("@", maxsplit=1)[0] in _LOWER_IS_BETTER else "increase"


def metric_order(k: int) -> list[str]:
    """Return the names of all metrics at ``k``, in the order results list them.

    >>> metric_order(5)[:4]
    ['rmse', 'mae', 'precision@5', 'recall@5']
    """
    return ["rmse", "mae", *(f"{name}@{k}" for name in (*_RANKING, *_LIST))]


# ----------------------------------------------------------------------------- input handling


def _require(cols: Columns, param: str, names: Iterable[str]) -> None:
    for name in names:
        if name not in cols:
            existing = ", ".join(sorted(cols)) or "(none)"
            raise DataError(f"`{param}` has no column '{name}'; columns: {existing}")


def _require_one(cols: Columns, param: str, names: tuple[str, str]) -> str:
    for name in names:
        if name in cols:
            return name
    existing = ", ".join(sorted(cols)) or "(none)"
    raise DataError(f"`{param}` needs a column '{names[0]}' or '{names[1]}'; columns: {existing}")


def _numeric(cols: Columns, param: str, name: str) -> np.ndarray:
    values = cols[name]
    if values.dtype.kind not in "iufb":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError):
            raise DataError(
                f"`{param}` column '{name}' must be numeric; got values such as '{values[0]}'"
            ) from None
    return values.astype(np.float64, copy=False)


def _split_models(predictions: Any) -> dict[str, Columns]:
    if isinstance(predictions, Mapping) and "unit" not in predictions:
        if not predictions:
            raise DataError("`predictions` holds no model")
        return {str(m): as_columns(t, param=f"predictions[{m!r}]") for m, t in predictions.items()}
    cols = as_columns(predictions, param="predictions")
    if "model" not in cols:
        return {"model": cols}
    names = cols["model"].astype(str)
    # runs of equal model names; usually one run per model, so rows are sliced, not masked
    starts = np.flatnonzero(np.r_[True, names[1:] != names[:-1]])
    ends = np.r_[starts[1:], names.size]
    out: dict[str, Columns] = {}
    for name in dict.fromkeys(names[starts].tolist()):  # models in order of first appearance
        runs = [(a, b) for a, b, n in zip(starts, ends, names[starts], strict=True) if n == name]
        if len(runs) == 1:
            a, b = runs[0]
            out[name] = {c: v[a:b] for c, v in cols.items() if c != "model"}
        else:
            rows = names == name
            out[name] = {c: v[rows] for c, v in cols.items() if c != "model"}
    return out


def _harmonise(arrays: list[np.ndarray]) -> list[np.ndarray]:
    """Return identifier arrays of one comparable dtype (all numeric, or all strings)."""
    if all(a.dtype.kind in "iu" for a in arrays):
        return [a.astype(np.int64, copy=False) for a in arrays]
    if all(a.dtype.kind in "iuf" for a in arrays):
        return [a.astype(np.float64, copy=False) for a in arrays]
    return [a.astype(str) for a in arrays]


def _encode(labels: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return the position of each value in the sorted ``labels``, -1 where absent."""
    if labels.size == 0:
        return np.full(values.size, -1, dtype=np.int64)
    if labels.dtype.kind == "i" and values.dtype.kind == "i":
        lo, hi = int(labels[0]), int(labels[-1])
        if lo >= 0 and hi < 50_000_000:  # a direct lookup table beats a binary search
            # int32 codes halve the memory of 100-million-row inputs (codes are widened to
            # int64 wherever they are combined into pair keys)
            dtype = np.int32 if labels.size < 2**31 else np.int64
            table = np.full(hi + 1, -1, dtype=dtype)
            table[labels] = np.arange(labels.size)
            if values.size == 0 or (values.min() >= 0 and values.max() <= hi):
                codes: np.ndarray = table[values]
                return codes
            inside = (values >= 0) & (values <= hi)
            out = np.full(values.size, -1, dtype=dtype)
            out[inside] = table[values[inside]]
            return out
    pos = np.minimum(np.searchsorted(labels, values), labels.size - 1)
    return np.where(labels[pos] == values, pos, -1)


def _unique(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "i" and values.size and values.min() >= 0 and values.max() < 5e7:
        return np.flatnonzero(np.bincount(values)).astype(np.int64)
    return rk.distinct(values)


def _feature_matrix(item_features: Any, item_labels: np.ndarray) -> np.ndarray:
    """Return a binary (n_items, n_labels) matrix from a mapping or an item/features table."""
    if isinstance(item_features, Mapping) and "item" not in item_features:
        items = np.asarray(list(item_features.keys()))
        sets = [[str(f) for f in v] for v in item_features.values()]
    else:
        items = np.asarray(item_features["item"])
        sets = [s.split("|") if isinstance(s, str) else [] for s in item_features["features"]]
    items = _harmonise([items, item_labels])[0]
    vocab = sorted({f for s in sets for f in s if f})
    index = {f: j for j, f in enumerate(vocab)}
    codes = _encode(item_labels, items)
    pairs = [(c, index[f]) for c, s in zip(codes, sets, strict=True) if c >= 0 for f in s if f]
    matrix = np.zeros((item_labels.size, len(vocab)))
    if pairs:
        rows, cols = np.asarray(pairs, dtype=np.int64).T
        matrix[rows, cols] = 1.0
    return matrix


# ----------------------------------------------------------------------------- evaluation


@dataclass
class _Stat:
    model: str
    metric: str
    num: np.ndarray
    den: np.ndarray
    sqrt: bool = False


def evaluate(
    predictions: Any,
    truth: Any,
    *,
    k: int = 10,
    relevance_threshold: float | None = None,
    gain: str = "linear",
    baseline: str | None = None,
    n_bootstrap: int = 1000,
    confidence_level: float = 0.95,
    seed: int = 0,
    item_features: Any = None,
    interactions: Any = None,
) -> OfflineResult:
    """Evaluate models offline; return an :class:`OfflineResult`.

    ``predictions`` is a table with columns ``model`` (optional), ``unit``, ``item`` and
    ``score`` and/or ``predicted_rating`` (a CSV or Parquet path, a mapping of columns, a pandas
    or polars data frame, a pyarrow or Ibis table), or a mapping of model name to such a table.
    Lists are ranked by ``score`` (by ``predicted_rating`` when there is no score). ``truth``
    has ``unit``, ``item`` and ``relevance`` and/or ``rating``; ranking uses ``relevance``
    (``rating`` when absent), RMSE and MAE use ``rating``. ``item_features`` (a mapping of item
    to labels, or a table with ``item`` and pipe-separated ``features``) enables
    ``diversity@k`` and adds its items to the catalogue; ``interactions`` (``unit``, ``item``,
    for example the training data, default the truth) defines item popularity.

    Intervals are percentile intervals of a per-unit bootstrap (units resampled with
    replacement, ``n_bootstrap`` replicates, seeded); each model other than ``baseline`` (default:
    the first model) is compared with it on the same resampled units, with a two-sided p-value
    from the same replicates. See the module docstring for the metric definitions.

    >>> truth = {"unit": [1, 1, 2], "item": ["a", "b", "a"], "rating": [5.0, 1.0, 4.0]}
    >>> preds = {"unit": [1, 1, 2], "item": ["a", "b", "a"], "predicted_rating": [4.0, 2.0, 4.0]}
    >>> result = evaluate(preds, truth, k=1, relevance_threshold=4, n_bootstrap=0)
    >>> result.models["model"]["rmse"].value == (2 / 3) ** 0.5
    True
    >>> result.models["model"]["precision@1"].value
    1.0
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ProxymetricError(f"`k` must be an integer >= 1; got {k!r}")
    k = int(k)
    if relevance_threshold is not None:
        check_number("relevance_threshold", relevance_threshold)
    check_choice("gain", gain, GAINS)
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, int) or n_bootstrap < 0:
        raise ProxymetricError(f"`n_bootstrap` must be an integer >= 0; got {n_bootstrap!r}")
    check_number("confidence_level", confidence_level, low=0, high=1)

    tcols = as_columns(truth, param="truth")
    _require(tcols, "truth", ("unit", "item"))
    rel_col = _require_one(tcols, "truth", ("relevance", "rating"))
    relevance = _numeric(tcols, "truth", rel_col)
    if np.isnan(relevance).any() or (relevance < 0).any():
        bad = relevance[np.isnan(relevance) | (relevance < 0)][0]
        raise DataError(f"`truth` column '{rel_col}' must be non-negative; got {float(bad)!r}")
    rating = _numeric(tcols, "truth", "rating") if "rating" in tcols else None
    if rating is not None and not np.isfinite(rating).all():
        bad = float(rating[~np.isfinite(rating)][0])
        raise DataError(f"`truth` column 'rating' must be finite; got {bad!r}")

    models = _split_models(predictions)
    for name, cols in models.items():
        _require(cols, f"predictions (model {name!r})", ("unit", "item"))
        _require_one(cols, f"predictions (model {name!r})", ("score", "predicted_rating"))
        if cols["unit"].size == 0:
            raise DataError(
                f"`predictions` has no rows for model {name!r}; a model needs at least one "
                "scored (unit, item) pair"
            )
    if baseline is None:
        baseline = next(iter(models))
    check_name("baseline", baseline, models, "models")

    # identifiers: units are the truth's units; items are the union of every source
    unit_arrays = _harmonise([tcols["unit"], *(c["unit"] for c in models.values())])
    feature_items: list[np.ndarray] = []
    inter_cols: Columns | None = None
    if interactions is not None:
        inter_cols = as_columns(interactions, param="interactions")
        _require(inter_cols, "interactions", ("unit", "item"))
        feature_items.append(inter_cols["item"])
    if item_features is not None and not (
        isinstance(item_features, Mapping) and "item" not in item_features
    ):
        item_features = as_columns(item_features, param="item_features")
        _require(item_features, "item_features", ("item", "features"))
        feature_items.append(item_features["item"])
    elif item_features is not None:
        feature_items.append(np.asarray(list(item_features.keys())))
    item_arrays = _harmonise([tcols["item"], *(c["item"] for c in models.values()), *feature_items])
    unit_labels = _unique(unit_arrays[0])
    # the union of each source's distinct items (no concatenation of all the rows)
    item_labels = _unique(np.concatenate([_unique(a) for a in item_arrays]))
    n_units, n_items = unit_labels.size, item_labels.size
    if n_units == 0:
        raise DataError("`truth` has no rows")
    t_unit = _encode(unit_labels, unit_arrays[0])
    t_item = _encode(item_labels, item_arrays[0])
    truth_index = rk.build_truth(
        t_unit,
        t_item,
        relevance,
        rating,
        n_units=n_units,
        n_items=n_items,
        k=k,
        threshold=relevance_threshold,
        gain=gain,  # type: ignore[arg-type]
    )
    if np.any(truth_index.key[1:] == truth_index.key[:-1]):  # keys are sorted: one pass
        raise DataError("`truth` has duplicate (unit, item) pairs; keep one row per pair")

    # popularity of each item: share of units of the interaction table
    if inter_cols is None:
        pop_unit, pop_item = t_unit, t_item
    else:
        ia = _harmonise([inter_cols["unit"]])[0]
        pop_unit = np.unique(ia, return_inverse=True)[1].ravel()
        pop_item = _encode(item_labels, item_arrays[1 + len(models)])
    pairs = rk.distinct(pop_unit.astype(np.int64) * n_items + pop_item)
    n_pop_units = max(int(rk.distinct(pop_unit).size), 1)
    item_users = np.bincount(pairs % n_items, minlength=n_items).astype(np.float64)
    popularity = item_users / n_pop_units
    self_information = -np.log2((item_users + 1.0) / (n_pop_units + 1.0))
    features = None
    if item_features is not None:
        features = _feature_matrix(item_features, item_labels)

    valid = (truth_index.n_relevant > 0).astype(np.float64)
    n_rel = truth_index.n_relevant.astype(np.float64)
    stats: list[_Stat] = []
    coverage: dict[str, float] = {}
    missing: dict[str, int] = {}
    for m_index, (name, cols) in enumerate(models.items()):
        u = _encode(unit_labels, unit_arrays[1 + m_index])
        it = _encode(item_labels, item_arrays[1 + m_index])
        every = bool(u.size == 0 or u.min() >= 0)  # no mask of every row unless needed
        keep = np.ones(0, dtype=bool) if every else u >= 0
        if not every:
            u, it = u[keep], it[keep]
        score_col = "score" if "score" in cols else "predicted_rating"
        score = _numeric(cols, "predictions", score_col)
        lists = rk.rank_lists(u, it, score if every else score[keep], k)
        del score
        if lists.duplicates:
            raise DataError(
                f"`predictions` model {name!r} has duplicate (unit, item) pairs; "
                "keep one row per pair"
            )
        r = rk.unit_ranking_stats(
            lists,
            truth_index,
            item_values={"popularity": popularity, "novelty": self_information},
            features=features,
        )
        per_unit = {
            "precision": r["hits"] / k,
            "recall": boot.safe_ratio(r["hits"], n_rel),
            "hit_rate": (r["hits"] > 0).astype(np.float64),
            "mrr": r["rr"],
            "map": boot.safe_ratio(r["ap_sum"], np.minimum(k, n_rel)),
            "ndcg": boot.safe_ratio(r["dcg"], truth_index.idcg),
        }
        for metric, values in per_unit.items():
            ok = valid * np.isfinite(values)
            stats.append(_Stat(name, f"{metric}@{k}", np.where(ok > 0, values, 0.0), ok))
        has_list = (r["length"] > 0).astype(np.float64)
        length = np.maximum(r["length"], 1.0)
        stats.append(_Stat(name, f"popularity@{k}", r["popularity"] / length, has_list))
        stats.append(_Stat(name, f"novelty@{k}", r["novelty"] / length, has_list))
        if features is not None:
            has_pairs = (r["pairs"] > 0).astype(np.float64)
            similarity = boot.safe_ratio(r["similarity"], r["pairs"])
            ild = np.where(r["pairs"] > 0, 1.0 - similarity, 0.0)
            stats.append(_Stat(name, f"diversity@{k}", ild, has_pairs))
        # items in some list, marked chunk by chunk: a bincount of all rows would first copy
        # the int32 codes to int64 (0.8 GB for 100 million rows)
        listed = np.zeros(n_items, dtype=bool)
        for a in range(0, lists.item.size, 1_000_000):  # a loop over chunks of rows
            listed[lists.item[a : a + 1_000_000]] = True
        coverage[name] = float(np.count_nonzero(listed) / n_items)
        predicted = np.zeros(0)
        if "predicted_rating" in cols:
            predicted = _numeric(cols, "predictions", "predicted_rating")
            predicted = predicted if every else predicted[keep]
        if rating is not None and np.isfinite(predicted).any():
            errors, missing[name] = rk.rating_errors(u, it, predicted, truth_index)
            stats.append(_Stat(name, "rmse", errors["sq"], errors["count"], sqrt=True))
            stats.append(_Stat(name, "mae", errors["abs"], errors["count"]))

    return _summarise(
        stats,
        coverage,
        missing,
        truth_index,
        models=list(models),
        baseline=baseline,
        k=k,
        n_bootstrap=n_bootstrap,
        confidence_level=confidence_level,
        seed=seed,
        relevance_threshold=relevance_threshold,
        gain=gain,
    )


def _values(sums: np.ndarray, stats: list[_Stat]) -> np.ndarray:
    """Return statistic values from column sums laid out as num_0, den_0, num_1, den_1, ..."""
    values = boot.safe_ratio(sums[..., 0::2], sums[..., 1::2])
    roots = np.array([s.sqrt for s in stats])
    return np.where(roots, np.sqrt(np.abs(values)), values)


def _summarise(
    stats: list[_Stat],
    coverage: dict[str, float],
    missing: dict[str, int],
    truth_index: rk.TruthIndex,
    *,
    models: list[str],
    baseline: str,
    k: int,
    n_bootstrap: int,
    confidence_level: float,
    seed: int,
    relevance_threshold: float | None,
    gain: str,
) -> OfflineResult:
    n_units = truth_index.n_units
    per_unit = np.empty((n_units, 2 * len(stats)))
    for j, s in enumerate(stats):
        per_unit[:, 2 * j] = s.num
        per_unit[:, 2 * j + 1] = s.den
    point = _values(per_unit.sum(axis=0), stats)
    counts = [int(np.count_nonzero(s.den)) for s in stats]
    nan = np.full(len(stats), math.nan)
    if n_bootstrap > 0:
        reps = _values(boot.bootstrap_sums(per_unit, n_bootstrap, seed), stats)
        lo, hi = boot.percentile_interval(reps, confidence_level)
    else:
        reps, lo, hi = np.zeros((0, len(stats))), nan, nan

    out: dict[str, dict[str, MetricValue]] = {m: {} for m in models}
    where: dict[tuple[str, str], int] = {}
    for j, s in enumerate(stats):
        where[(s.model, s.metric)] = j
        out[s.model][s.metric] = MetricValue(float(point[j]), float(lo[j]), float(hi[j]), counts[j])
    for m in models:
        n_lists = counts[where[(m, f"popularity@{k}")]]
        out[m][f"coverage@{k}"] = MetricValue(coverage[m], math.nan, math.nan, n_lists)
        out[m] = {name: out[m][name] for name in metric_order(k) if name in out[m]}

    comparisons: list[PairedComparison] = []
    for m in models:
        if m == baseline:
            continue
        for metric in out[m]:
            if (baseline, metric) not in where or (m, metric) not in where:
                continue
            jm, jb = where[(m, metric)], where[(baseline, metric)]
            diff = float(boot.paired_differences(point[jm], point[jb], n_units))
            if n_bootstrap > 0:
                d = boot.paired_differences(reps[:, jm], reps[:, jb], n_units)[:, None]
                dlo, dhi = boot.percentile_interval(d, confidence_level)
                p = float(boot.percentile_pvalue(d)[0])
                ci = (float(dlo[0]), float(dhi[0]))
            else:
                ci, p = (math.nan, math.nan), math.nan
            n_both = int(np.count_nonzero((stats[jm].den > 0) & (stats[jb].den > 0)))
            direction = metric_direction(metric)
            better = None
            if ci[0] > 0 or ci[1] < 0:
                # significant: the interval excludes 0 (exactly when p < 1 - confidence_level)
                better = (ci[0] > 0) == (direction == "increase")
            comparisons.append(
                PairedComparison(
                    baseline, m, metric, diff, ci[0], ci[1], p, n_both, direction, better
                )
            )

    return OfflineResult(
        models=out,
        comparisons=tuple(comparisons),
        k=k,
        baseline=baseline,
        n_units=n_units,
        n_units_without_relevant=int(np.count_nonzero(truth_index.n_relevant == 0)),
        missing_rating_predictions=missing,
        n_bootstrap=n_bootstrap,
        confidence_level=confidence_level,
        relevance_threshold=relevance_threshold,
        gain=gain,
        seed=seed,
    )
