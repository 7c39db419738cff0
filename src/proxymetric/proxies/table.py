"""Effects of past experiments as matrices: the input of proxy validation.

One row per comparison (an experiment's treatment variant against its control), one column per
metric. The noise covariance of a comparison is *measured* when the analysis had unit-level data
(``ExperimentResult.effect_covariance``); for summary-statistics imports only the standard errors
are known and the correlation of the noise between metrics is *assumed* (zero unless stated).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from proxymetric._validation import check_number
from proxymetric.errors import ProxymetricError

if TYPE_CHECKING:
    from proxymetric.registry.store import Registry

__all__ = ["EffectTable", "effect_table", "table_from_registry"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class EffectTable:
    """Effects of ``K`` comparisons on ``M`` metrics, with their noise covariances.

    ``effects`` is ``(K, M)`` (NaN where a comparison lacks the metric), ``noise_cov`` is
    ``(K, M, M)``, ``units`` the units in each comparison (control plus treatment),
    ``measured[k]`` says whether the off-diagonal noise covariances of row ``k`` come from
    unit-level data (else they are assumed from ``assumed_noise_correlation``). ``fold1`` and
    ``fold2`` are split-half estimates when every comparison has them, else ``None``.
    ``shipped[k]`` marks comparisons whose variant was shipped.
    """

    labels: list[str]
    metrics: list[str]
    effects: FloatArray
    noise_cov: FloatArray
    units: FloatArray
    measured: NDArray[np.bool_]
    shipped: NDArray[np.bool_]
    assumed_noise_correlation: float
    fold1: FloatArray | None = None
    fold2: FloatArray | None = None


def _positions(sorted_names: NDArray[np.str_], names: NDArray[np.str_]) -> NDArray[np.intp]:
    """Return the index of each of ``names`` in ``sorted_names`` (-1 where absent)."""
    pos = np.searchsorted(sorted_names, names)
    pos = np.minimum(pos, len(sorted_names) - 1)
    found = sorted_names[pos] == names
    return np.where(found, pos, -1).astype(np.intp)


def effect_table(
    label: Sequence[str] | NDArray[np.str_],
    metric: Sequence[str] | NDArray[np.str_],
    effect: ArrayLike,
    effect_se: ArrayLike,
    units: ArrayLike,
    *,
    covariances: tuple[ArrayLike, ArrayLike, ArrayLike, ArrayLike] | None = None,
    covariance_blocks: Sequence[tuple[Sequence[str], Sequence[str], ArrayLike]] = (),
    shipped: Sequence[str] = (),
    fold1: ArrayLike | None = None,
    fold2: ArrayLike | None = None,
    assumed_noise_correlation: float = 0.0,
) -> EffectTable:
    """Return an :class:`EffectTable` from long-format rows (one per comparison and metric).

    ``covariances`` are measured noise covariances, column by column: ``(labels, metrics_a,
    metrics_b, values)``; ``covariance_blocks`` give them as whole matrices, ``(labels,
    metrics, matrices)`` with ``matrices`` of shape ``(len(labels), len(metrics),
    len(metrics))`` (NaN where unknown). Pairs without a measured covariance get
    ``assumed_noise_correlation * se_a * se_b``.
    ``shipped`` lists the labels of shipped comparisons.

    >>> t = effect_table(["a", "a", "b", "b"], ["x", "y", "x", "y"], [1, 2, 3, 4],
    ...                  [1, 1, 2, 2], [100, 100, 200, 200], assumed_noise_correlation=0.5)
    >>> t.noise_cov[1].tolist()
    [[4.0, 2.0], [2.0, 4.0]]
    """
    rho = check_number(
        "assumed_noise_correlation",
        assumed_noise_correlation,
        low=-1,
        high=1,
        low_inclusive=True,
        high_inclusive=True,
    )
    labels_arr = np.asarray(label, dtype=object)
    metrics_arr = np.asarray(metric, dtype=object)
    y = np.asarray(effect, dtype=np.float64)
    se = np.asarray(effect_se, dtype=np.float64)
    n = np.asarray(units, dtype=np.float64)
    size = labels_arr.shape[0]
    if not (metrics_arr.shape[0] == y.shape[0] == se.shape[0] == n.shape[0] == size):
        raise ProxymetricError("`label`, `metric`, `effect`, `effect_se` and `units` must align")
    labels, row = np.unique(labels_arr.astype(str), return_inverse=True)
    metrics, col = np.unique(metrics_arr.astype(str), return_inverse=True)
    k, m = len(labels), len(metrics)
    eff = np.full((k, m), np.nan)
    sd = np.full((k, m), np.nan)
    eff[row, col] = y
    sd[row, col] = se
    n_units = np.zeros(k)
    np.maximum.at(n_units, row, n)
    cov = rho * sd[:, :, None] * sd[:, None, :]
    diag = np.arange(m)
    cov[:, diag, diag] = sd**2
    measured = np.zeros(k, dtype=bool)
    if covariances is not None and len(np.asarray(covariances[0])) > 0:
        lab_c, a_c, b_c, v_c = (np.asarray(x) for x in covariances)
        i = _positions(labels, lab_c.astype(str))
        a = _positions(metrics, a_c.astype(str))
        b = _positions(metrics, b_c.astype(str))
        keep = (i >= 0) & (a >= 0) & (b >= 0)
        i, a, b, v = i[keep], a[keep], b[keep], v_c[keep].astype(np.float64)
        cov[i, a, b] = v
        cov[i, b, a] = v
        measured[i[a != b]] = True  # the diagonal (the variances) is known anyway
    for block_labels, block_metrics, block in covariance_blocks:
        i = _positions(labels, np.asarray(block_labels, dtype=str))
        idx = _positions(metrics, np.asarray(block_metrics, dtype=str))
        mats = np.asarray(block, dtype=np.float64)[i >= 0][:, idx >= 0][:, :, idx >= 0]
        i, idx = i[i >= 0], idx[idx >= 0]
        where = (i[:, None, None], idx[None, :, None], idx[None, None, :])
        cov[where] = np.where(np.isfinite(mats), mats, cov[where])
        off = ~np.eye(len(idx), dtype=bool)
        measured[i[np.any(np.isfinite(mats[:, off]), axis=1)]] = True
    folds: list[FloatArray | None] = [None, None]
    if fold1 is not None and fold2 is not None:
        f1 = np.asarray(fold1, dtype=np.float64)
        f2 = np.asarray(fold2, dtype=np.float64)
        fold_mats = []
        for f in (f1, f2):
            mat = np.full((k, m), np.nan)
            mat[row, col] = f
            fold_mats.append(mat)
        if np.all(np.isfinite(fold_mats[0][np.isfinite(eff)])) and np.all(
            np.isfinite(fold_mats[1][np.isfinite(eff)])
        ):
            folds = [fold_mats[0], fold_mats[1]]
    shipped_set = set(shipped)
    return EffectTable(
        labels=[str(v) for v in labels],
        metrics=[str(v) for v in metrics],
        effects=eff,
        noise_cov=cov,
        units=n_units,
        measured=measured,
        shipped=np.array([str(v) in shipped_set for v in labels], dtype=bool),
        assumed_noise_correlation=rho,
        fold1=folds[0],
        fold2=folds[1],
    )


def table_from_registry(
    registry: Registry, *, assumed_noise_correlation: float = 0.0
) -> EffectTable:
    """Return the :class:`EffectTable` of the latest result record of every experiment.

    Each treatment variant of an experiment is one comparison, labelled ``experiment/variant``.
    Measured noise covariances (analyses of unit-level data) are used where recorded; elsewhere
    the correlation between metrics' noise is ``assumed_noise_correlation``. Split-half
    estimates feed the cross-fold estimator only when every effect has them.
    """
    rows = registry.effect_rows()
    if not rows["metric"]:
        raise ProxymetricError(
            f"the registry {registry.url!r} holds no experiment results; record analyses with "
            "`proxymetric analyze --record` or import past experiments"
        )
    label = [f"{e}/{v}" for e, v in zip(rows["experiment"], rows["variant"], strict=True)]

    def col(name: str) -> NDArray[np.float64]:
        return np.array(rows[name], dtype=np.float64)  # None becomes NaN

    units = np.nan_to_num(col("control_units")) + np.nan_to_num(col("treatment_units"))
    c = registry.covariance_rows()
    by_metrics: dict[str, list[int]] = {}
    for i, names_json in enumerate(c["metrics"]):
        by_metrics.setdefault(names_json, []).append(i)
    blocks = [
        (
            [f"{c['experiment'][i]}/{c['variant'][i]}" for i in idx],
            json.loads(names_json),
            np.frombuffer(b"".join(c["covariance"][i] for i in idx), dtype="<f8")
            .reshape(len(idx), len(json.loads(names_json)), len(json.loads(names_json)))
            .astype(np.float64),
        )
        for names_json, idx in by_metrics.items()
    ]
    shipped = sorted(
        {
            label[i]
            for i, s in enumerate(rows["shipped"])
            if s and rows["decision_variant"][i] in (None, rows["variant"][i])
        }
    )
    return effect_table(
        label,
        rows["metric"],
        col("effect"),
        col("effect_se"),
        units,
        covariance_blocks=blocks,
        shipped=shipped,
        fold1=col("effect_fold1"),
        fold2=col("effect_fold2"),
        assumed_noise_correlation=assumed_noise_correlation,
    )
