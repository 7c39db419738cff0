"""Results of a launch at each level of the chain, from the results that measure them.

A launch (a change on its way to production) is measured several times: an offline metric delta,
a blind pairwise test or an interleaving test, the A/B effects on a feature metric and on the
north star, later the long-term outcome. Each function here turns one result into the rows
:meth:`~proxymetric.registry.Registry.record_launches` writes: the effect of the candidate over
the baseline with its standard error. :func:`import_launches` reads them from a CSV file (for
results measured elsewhere, such as the long-term outcome).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scipy.special import ndtri

from proxymetric.errors import DataError, ProxymetricError
from proxymetric.registry.imports import _number, _rows
from proxymetric.registry.store import DIRECTIONS, LEVELS, Registry

if TYPE_CHECKING:
    from proxymetric.interleaving.analysis import InterleavingResult
    from proxymetric.offline.evaluation import OfflineResult
    from proxymetric.pairwise.blind_test import BlindTestResult

__all__ = [
    "LAUNCH_COLUMNS",
    "blind_test_launch",
    "import_launches",
    "interleaving_launch",
    "offline_launch",
]

LAUNCH_COLUMNS = ("launch", "level", "metric", "effect", "effect_se")
LAUNCH_OPTIONAL = ("direction", "units", "comparison")

Row = dict[str, Any]


def _se_from_interval(lower: float, upper: float, confidence_level: float) -> float:
    """The standard error a normal interval of this width at this level implies."""
    z = float(ndtri(0.5 + confidence_level / 2.0))
    return (upper - lower) / (2.0 * z)


def offline_launch(result: OfflineResult, launch: str) -> list[Row]:
    """Return the launch rows of an offline evaluation: one per metric, level ``offline``.

    The evaluation must compare exactly one model with the baseline (the launch's candidate);
    the effect is the paired difference ``model - baseline`` and its standard error is the one
    a normal interval of the bootstrap interval's width implies, so it needs bootstrap rounds.
    """
    models = sorted({c.model for c in result.comparisons})
    if len(models) != 1:
        raise ProxymetricError(
            f"`--launch` records one candidate against the baseline {result.baseline!r}; the "
            f"evaluation compares {len(models)} models with it"
            + (f" ({', '.join(models)})" if models else "")
            + ": evaluate the launch's model and the baseline only"
        )
    if result.n_bootstrap <= 0:
        raise ProxymetricError(
            "`--launch` needs the standard errors of the differences: run with `--bootstrap` > 0"
        )
    rows = []
    for c in result.comparisons:
        lower, upper = c.difference_ci_lower, c.difference_ci_upper
        rows.append(
            {
                "launch": launch,
                "level": "offline",
                "metric": c.metric,
                "effect": c.difference,
                "effect_se": _se_from_interval(lower, upper, result.confidence_level),
                "direction": c.direction,
                "units": c.n_units,
                "comparison": f"{c.model} vs {c.baseline}",
                "command": "offline",
                "details": {"k": result.k, "n_bootstrap": result.n_bootstrap},
            }
        )
    return rows


def blind_test_launch(result: BlindTestResult, launch: str, baseline: str | None) -> list[Row]:
    """Return the launch row of a blind pairwise test of two systems, level ``blind``.

    The effect is the Bradley-Terry score of the candidate minus the baseline's; with two
    systems the centred scores are perfectly anti-correlated, so its standard error is the sum
    of the two sandwich standard errors.
    """
    names = [s.system for s in result.systems]
    if len(names) != 2:
        raise ProxymetricError(
            f"`--launch` records a candidate against a baseline; the blind test has "
            f"{len(names)} systems ({', '.join(names)}): judge the launch's system against the "
            "baseline only"
        )
    if baseline is None or baseline not in names:
        raise ProxymetricError(
            f"`--baseline` must name the system the launch is compared with, one of "
            f"{', '.join(repr(n) for n in names)}; got {baseline!r}"
        )
    base = next(s for s in result.systems if s.system == baseline)
    cand = next(s for s in result.systems if s.system != baseline)
    return [
        {
            "launch": launch,
            "level": "blind",
            "metric": "score",
            "effect": cand.score - base.score,
            "effect_se": cand.score_se + base.score_se,
            "direction": "increase",
            "units": result.items,
            "comparison": f"{cand.system} vs {base.system}",
            "command": "pairwise",
            "details": {"judgments": result.judgments, "win_rate": cand.win_rate},
        }
    ]


def interleaving_launch(result: InterleavingResult, launch: str, baseline: str) -> list[Row]:
    """Return the launch row of an interleaving test, level ``interleaving``.

    The effect is the preference ``delta`` of the candidate ranker (``b`` when the baseline is
    ``a``, and the reverse), with the standard error its bootstrap interval's width implies.
    """
    if baseline not in ("a", "b"):
        raise ProxymetricError(f"`--baseline` must be 'a' or 'b' (a ranker); got {baseline!r}")
    if result.n_bootstrap <= 0:
        raise ProxymetricError(
            "`--launch` needs the standard error of the preference: run with `--bootstrap` > 0"
        )
    sign = -1.0 if baseline == "a" else 1.0
    se = _se_from_interval(result.delta_ci_lower, result.delta_ci_upper, result.confidence_level)
    candidate = "b" if baseline == "a" else "a"
    return [
        {
            "launch": launch,
            "level": "interleaving",
            "metric": "preference",
            "effect": sign * result.delta,
            "effect_se": se,
            "direction": "increase",
            "units": result.units,
            "comparison": f"{candidate} vs {baseline}",
            "command": "interleave",
            "details": {"wins_a": result.wins_a, "wins_b": result.wins_b, "ties": result.ties},
        }
    ]


def import_launches(registry: Registry, path: str | Path) -> list[int]:
    """Import launch results from a CSV file in one transaction; return the new row ids.

    Required columns: ``launch, level, metric, effect, effect_se``; optional: ``direction``
    (``increase``, the default, or ``decrease``), ``units`` and ``comparison``. ``level`` is one
    of :data:`~proxymetric.registry.store.LEVELS`. One bad row imports nothing and names its
    line.
    """
    p = Path(path)
    rows = []
    for line, row in _rows(p, LAUNCH_COLUMNS):
        for column in ("launch", "metric"):
            if not (row.get(column) or "").strip():
                raise DataError(f"{p.name}:{line}: column `{column}` is empty")
        level = (row.get("level") or "").strip()
        if level not in LEVELS:
            raise DataError(
                f"{p.name}:{line}: column `level` must be one of {', '.join(LEVELS)}; got {level!r}"
            )
        direction = (row.get("direction") or "").strip() or "increase"
        if direction not in DIRECTIONS:
            raise DataError(
                f"{p.name}:{line}: column `direction` must be increase or decrease; "
                f"got {direction!r}"
            )
        effect = _number(p, line, row, "effect", required=True)
        se = _number(p, line, row, "effect_se", required=True)
        if se < 0:
            raise DataError(f"{p.name}:{line}: column `effect_se` must be >= 0; got {se!r}")
        units = _number(p, line, row, "units")
        if not math.isnan(units) and (units < 0 or units != int(units)):
            raise DataError(
                f"{p.name}:{line}: column `units` must be a whole number >= 0; got {units!r}"
            )
        rows.append(
            {
                "launch": row["launch"].strip(),
                "level": level,
                "metric": row["metric"].strip(),
                "effect": effect,
                "effect_se": se,
                "direction": direction,
                "units": None if math.isnan(units) else int(units),
                "comparison": (row.get("comparison") or "").strip() or None,
                "command": "import",
                "details": {"source": p.name, "line": line},
            }
        )
    if not rows:
        raise DataError(f"{p.name}: no launch results (the file has a header and no rows)")
    return registry.record_launches(rows)
