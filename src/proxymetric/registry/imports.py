"""Bulk import of past experiments known from summary statistics.

- :func:`import_asos`: the ASOS Digital Experiments Dataset (Liu, Cardoso, Couturier, McCoy,
  "Datasets for Online Controlled Experiments", NeurIPS 2021 Datasets and Benchmarks): per
  experiment, treatment variant, metric and time, the count, mean and variance of each arm. Each
  experiment's final snapshot (its largest ``time_since_start``) is imported.
- :func:`import_csv`: a generic CSV export of another tool, one row per experiment, variant and
  metric, with the effect and its standard error.

Imports are append-only and idempotent: an experiment whose rows were already imported (same
data fingerprint) is skipped. A file is imported in one transaction, all or nothing: every row is
read and checked before anything is written, and a bad row refuses the file with its line.
Summary statistics carry no covariance between metrics: the noise covariance of these records is
``unknown`` and proxy validation states the value it assumes.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scipy.special import ndtr

from proxymetric._result import Result
from proxymetric.errors import DataError
from proxymetric.registry.store import EffectRecord, Registry

__all__ = ["ASOS_COLUMNS", "CSV_COLUMNS", "ImportSummary", "import_asos", "import_csv"]

ASOS_COLUMNS = (
    "experiment_id",
    "variant_id",
    "metric_id",
    "time_since_start",
    "count_c",
    "count_t",
    "mean_c",
    "mean_t",
    "variance_c",
    "variance_t",
)
CSV_COLUMNS = ("experiment", "metric", "effect", "effect_se", "control_units", "treatment_units")
CSV_OPTIONAL = (
    "variant",
    "role",
    "rel_effect",
    "pvalue",
    "control_mean",
    "treatment_mean",
    "effect_fold1",
    "effect_fold2",
    "decision",
    "shipped",
)


@dataclass(frozen=True)
class ImportSummary(Result):
    """What an import added: ``experiments_added`` new records (ids in ``record_ids``), with
    ``effects`` effect rows; ``experiments_skipped`` were already in the registry."""

    source: str
    format: str
    experiments_added: int
    experiments_skipped: int
    effects: int
    record_ids: list[int]


def _open_text(path: Path) -> io.TextIOBase:
    if not path.is_file():
        raise DataError(f"`file` {str(path)!r} does not exist")
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8", newline="")


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    with _open_text(path) as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise DataError(
                f"{path.name}: missing column(s) {', '.join(missing)}; "
                f"the file has: {', '.join(header) or '(no header)'}"
            )
        yield from enumerate(reader, start=2)


def _number(
    path: Path, line: int, row: dict[str, str], column: str, *, required: bool = False
) -> float:
    """Return the number in ``column``: NaN when empty or NA, refused when not finite.

    A ``required`` number must be there (an empty or NA cell is refused).
    """
    text = (row.get(column) or "").strip()
    missing = text == "" or text.upper() in {"NA", "NAN", "NULL"}
    try:
        value = math.nan if missing else float(text)
    except ValueError:
        raise DataError(
            f"{path.name}:{line}: column `{column}` must be a number; got {text!r}"
        ) from None
    if (required and missing) or (not missing and not math.isfinite(value)):
        what = "a finite number" if required else "a finite number or empty"
        raise DataError(f"{path.name}:{line}: column `{column}` must be {what}; got {text!r}")
    return value


def _count(path: Path, line: int, row: dict[str, str], column: str, *, low: int) -> int:
    """Return the whole number of units in ``column`` (at least ``low``), else refuse the row."""
    value = _number(path, line, row, column, required=True)
    if not (value.is_integer() and value >= low):
        what = "a positive whole number" if low > 0 else "a whole number >= 0"
        raise DataError(
            f"{path.name}:{line}: column `{column}` must be {what} of units; "
            f"got {row[column].strip()!r}"
        )
    return int(value)


def _relative(m_t: float, m_c: float) -> float:
    """``(m_t - m_c) / |m_c|`` (docs/architecture.md): a positive value is a higher treatment
    mean, also when the control mean is a loss; undefined for a control of 0 or means of
    opposite signs."""
    if m_c == 0 or m_t * m_c < 0:
        return math.nan
    return (m_t - m_c) / abs(m_c)


def _fingerprint(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()[:16]


def import_asos(registry: Registry, path: str | Path) -> ImportSummary:
    """Import the final snapshot of every ASOS experiment; return an :class:`ImportSummary`.

    Per variant and metric: ``effect = mean_t - mean_c``, ``effect_se = sqrt(variance_t /
    count_t + variance_c / count_c)`` (NaN where a variance is missing), ``rel_effect =
    (mean_t - mean_c) / |mean_c|`` (undefined for means of opposite signs) and the two-sided
    normal p-value of ``effect / effect_se`` (the counts are in the tens of thousands and more,
    where Welch's t is normal). Metrics are named
    ``metric_1`` .. ``metric_4`` and variants ``variant_<id>``.

    The file is imported in one transaction: a row that cannot be read (a count that is not a
    whole number, a mean that is missing or not finite) imports nothing and names its line.
    """
    p = Path(path)
    final: dict[tuple[str, str, str], tuple[float, dict[str, str], int]] = {}
    for line, row in _rows(p, ASOS_COLUMNS):
        t = _number(p, line, row, "time_since_start", required=True)
        key = (row["experiment_id"], row["variant_id"], row["metric_id"])
        if key not in final or t > final[key][0]:
            final[key] = (t, row, line)
    by_experiment: dict[str, list[tuple[str, str, float, dict[str, str], int]]] = {}
    for (exp, variant, metric), (t, row, line) in sorted(final.items()):
        by_experiment.setdefault(exp, []).append((variant, metric, t, row, line))
    summaries: list[dict[str, Any]] = []
    for exp, items in by_experiment.items():
        effects = []
        for variant, metric, _t, row, line in items:
            n_c = _count(p, line, row, "count_c", low=0)
            n_t = _count(p, line, row, "count_t", low=0)
            m_c = _number(p, line, row, "mean_c", required=True)
            m_t = _number(p, line, row, "mean_t", required=True)
            v_c = _number(p, line, row, "variance_c")
            v_t = _number(p, line, row, "variance_t")
            for column, v in (("variance_c", v_c), ("variance_t", v_t)):
                if v < 0:
                    raise DataError(
                        f"{p.name}:{line}: column `{column}` must be >= 0 or empty; got {v!r}"
                    )
            effect = m_t - m_c
            se = math.sqrt(v_t / n_t + v_c / n_c) if n_c > 0 and n_t > 0 else math.nan
            pvalue = 2 * float(ndtr(-abs(effect) / se)) if se > 0 else math.nan
            effects.append(
                EffectRecord(
                    variant=f"variant_{variant}",
                    metric=f"metric_{metric}",
                    role=None,
                    effect=effect,
                    effect_se=se,
                    rel_effect=_relative(m_t, m_c),
                    pvalue=pvalue,
                    control_units=n_c,
                    treatment_units=n_t,
                    control_mean=m_c,
                    treatment_mean=m_t,
                )
            )
        summaries.append(
            {
                "experiment": exp,
                "effects": effects,
                "source": str(p),
                "fingerprint": _fingerprint(
                    [",".join(r[c] for c in ASOS_COLUMNS) for *_, r, _ in items]
                ),
                "details": {
                    "data_set": "ASOS Digital Experiments Dataset (final snapshot)",
                    "days": max(t for _, _, t, _, _ in items),
                },
            }
        )
    return _import(registry, p, "asos", summaries)


def _import(
    registry: Registry, path: Path, fmt: str, summaries: list[dict[str, Any]]
) -> ImportSummary:
    """Write every summary in one transaction; return what was added and skipped."""
    ids = registry.add_summaries(summaries)
    added = [i for i in ids if i is not None]
    n_effects = sum(len(s["effects"]) for s, i in zip(summaries, ids, strict=True) if i is not None)
    return ImportSummary(str(path), fmt, len(added), len(ids) - len(added), n_effects, added)


def _bool(path: Path, line: int, text: str) -> bool | None:
    value = text.strip().lower()
    if value == "":
        return None
    if value in {"true", "1", "yes", "shipped"}:
        return True
    if value in {"false", "0", "no"}:
        return False
    raise DataError(
        f"{path.name}:{line}: column `shipped` must be true/false, 1/0 or yes/no; got {text!r}"
    )


def import_csv(registry: Registry, path: str | Path) -> ImportSummary:
    """Import a generic CSV export; return an :class:`ImportSummary`.

    Required columns: ``experiment, metric, effect, effect_se, control_units,
    treatment_units``; optional: ``variant`` (default ``treatment``), ``role``, ``rel_effect``,
    ``pvalue``, ``control_mean``, ``treatment_mean``, ``effect_fold1``/``effect_fold2`` (split-half
    estimates, for the cross-fold estimator), ``decision`` and ``shipped`` (true/false).

    ``effect`` and ``effect_se`` must be finite numbers (``effect_se >= 0``), the unit counts
    positive whole numbers, the optional numbers finite or empty and ``pvalue`` in [0, 1]. The
    file is imported in one transaction: one bad row imports nothing and names its line.
    """
    p = Path(path)
    grouped: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in _rows(p, CSV_COLUMNS):
        name = (row.get("experiment") or "").strip()
        if not name:
            raise DataError(f"{p.name}:{line}: column `experiment` is empty")
        grouped.setdefault(name, []).append((line, row))
    summaries: list[dict[str, Any]] = []
    for exp, rows in grouped.items():
        cols = [c for c in (*CSV_COLUMNS, *CSV_OPTIONAL) if c in rows[0][1]]
        effects = []
        shipped: bool | None = None
        decision: str | None = None
        seen: dict[tuple[str, str], int] = {}
        for line, row in rows:
            key = ((row.get("variant") or "treatment").strip(), row["metric"].strip())
            if key in seen:
                raise DataError(
                    f"{p.name}:{line}: experiment {exp!r}, variant {key[0]!r}, metric {key[1]!r} "
                    f"is already on line {seen[key]}; give one row per variant and metric"
                )
            seen[key] = line
            effect = _number(p, line, row, "effect", required=True)
            se = _number(p, line, row, "effect_se", required=True)
            if se < 0:
                raise DataError(f"{p.name}:{line}: column `effect_se` must be >= 0; got {se!r}")
            pvalue = _number(p, line, row, "pvalue")
            if not (math.isnan(pvalue) or 0 <= pvalue <= 1):
                raise DataError(
                    f"{p.name}:{line}: column `pvalue` must be in [0, 1] or empty; got {pvalue!r}"
                )
            effects.append(
                EffectRecord(
                    variant=key[0],
                    metric=key[1],
                    role=(row.get("role") or "").strip() or None,
                    effect=effect,
                    effect_se=se,
                    rel_effect=_number(p, line, row, "rel_effect"),
                    pvalue=pvalue,
                    control_units=_count(p, line, row, "control_units", low=1),
                    treatment_units=_count(p, line, row, "treatment_units", low=1),
                    control_mean=_number(p, line, row, "control_mean"),
                    treatment_mean=_number(p, line, row, "treatment_mean"),
                    effect_fold1=_number(p, line, row, "effect_fold1"),
                    effect_fold2=_number(p, line, row, "effect_fold2"),
                )
            )
            shipped = _bool(p, line, row.get("shipped") or "") if shipped is None else shipped
            decision = decision or (row.get("decision") or "").strip() or None
        summaries.append(
            {
                "experiment": exp,
                "effects": effects,
                "source": str(p),
                "fingerprint": _fingerprint(
                    [",".join(r.get(c) or "" for c in cols) for _, r in rows]
                ),
                "decision": decision,
                "shipped": shipped,
            }
        )
    return _import(registry, p, "csv", summaries)
