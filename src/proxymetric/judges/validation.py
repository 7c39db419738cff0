"""Is the judge a good proxy of people? Agreement, biases, self-preference; corrected estimates.

Two tables are read, both with a ``judge`` column naming who judged each row: the automatic
judge (named by ``judge=``) or a person (every other name):

* labels: ``item``, ``judge``, ``label`` and optionally ``system`` (whose output was labelled);
  one label per (item, system) and judge. The corrected estimates are the share (or mean) of
  the label over every unit, per system, and the paired differences between systems on the
  same items (:func:`~proxymetric.judges.ppi_mean`, :func:`~proxymetric.judges.ppi_difference`).
* pairwise judgments: the columns of :class:`proxymetric.pairwise.Judgments` (``item``,
  ``system_a``, ``system_b``, ``winner``, optionally ``position``) plus ``judge``; the corrected
  estimates are Bradley-Terry scores (:func:`~proxymetric.judges.ppi_bradley_terry`).

The automatic judge must judge every unit people judged (and, ideally, every unit); several
people on one unit are averaged. The units people judged must be a uniformly random subset of
the units, or the correction is not unbiased.

Validation on the units both judged: Cohen's kappa (Cohen 1960) and the confusion of people's
labels (rows) with the judge's (columns); the judge's bias (judge minus people) overall and by
system; for pairwise judgments the position bias (share of decided judgments won by the output
shown first, the judge's against people's); and, when ``families`` says which family of systems
the judge belongs to, its self-preference (its bias on its own family's systems minus its bias
on the others', or, pairwise, how much more often than people it prefers its own family when
one of its family meets another system). Intervals are normal (Wald) at ``confidence_level``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from proxymetric._result import Result
from proxymetric._table import read_columns, require_columns
from proxymetric._validation import check_name
from proxymetric.errors import DataError
from proxymetric.judges.inference import (
    CorrectedBradleyTerry,
    CorrectedMean,
    ppi_bradley_terry,
    ppi_difference,
    ppi_mean,
    ppi_ratio,
    z_value,
)
from proxymetric.judges.planning import LabelMix, LabelPlan, cheapest_mix, human_labels_needed
from proxymetric.pairwise import Judgments, cohen_kappa

__all__ = [
    "JudgeAgreement",
    "JudgeBias",
    "JudgeLabelsReport",
    "JudgePairwiseReport",
    "PositionCheck",
    "SelfPreference",
    "evaluate_judge",
    "evaluate_labels",
    "evaluate_pairwise",
]

FloatArray = npt.NDArray[np.float64]
_MAX_CATEGORIES = 20


@dataclasses.dataclass(frozen=True)
class JudgeAgreement(Result):
    """How often the judge says what people say, on the units both judged.

    ``human_labels`` counts the people's labels compared (each against the judge's label of
    the same unit); ``observed_agreement`` the share equal; ``cohen_kappa`` the chance-corrected
    agreement; ``confusion[i][j]`` the labels people gave as ``categories[i]`` and the judge as
    ``categories[j]``. For pairwise judgments the categories are ``a`` (the system first in
    alphabetical order won), ``b`` and ``tie``.
    """

    human_labels: int
    observed_agreement: float
    cohen_kappa: float
    categories: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]


@dataclasses.dataclass(frozen=True)
class JudgeBias(Result):
    """The judge's mean minus people's on the same units (labels, or a system's wins).

    ``system`` is empty for all units; ``human_labels`` the units compared.
    """

    system: str
    human_labels: int
    bias: float
    bias_se: float
    bias_ci_lower: float
    bias_ci_upper: float


@dataclasses.dataclass(frozen=True)
class SelfPreference(Result):
    """Does the judge favour the systems of its own family more than people do?

    ``judge_family`` is the judge's declared family and ``own_systems`` the judged systems of
    that family. ``self_preference`` is positive when the judge favours them: for labels its
    bias on them minus its bias on the other systems; for pairwise judgments the mean, over the
    comparisons of one of them with another system, of the judge's win for its family minus
    people's. ``human_labels`` counts the units it rests on.
    """

    judge_family: str
    own_systems: tuple[str, ...]
    human_labels: int
    self_preference: float
    self_preference_se: float
    self_preference_ci_lower: float
    self_preference_ci_upper: float


@dataclasses.dataclass(frozen=True)
class PositionCheck(Result):
    """Share of decided judgments won by the output shown first: the judge's and people's.

    ``bias`` is the judge's share minus people's (independent samples); ties and judgments of
    unknown position are left out.
    """

    judge_judgments: int
    judge_share_first_wins: float
    judge_share_first_wins_ci_lower: float
    judge_share_first_wins_ci_upper: float
    human_judgments: int
    human_share_first_wins: float
    human_share_first_wins_ci_lower: float
    human_share_first_wins_ci_upper: float
    bias: float
    bias_se: float
    bias_ci_lower: float
    bias_ci_upper: float


@dataclasses.dataclass(frozen=True)
class JudgeLabelsReport(Result):
    """The judge of labels, validated, and the estimates corrected by people.

    ``estimates`` holds the mean over every unit first (``system`` empty), then one per system
    when there are several; ``differences`` the paired difference of each system with
    ``baseline`` on the items where both were labelled. With labels of 0 and 1 (or ``positive``)
    ``recall`` is the judge's recall (the share of people's positives the judge calls positive)
    and ``precision`` the share of the judge's positives people call positive, over every unit
    and corrected by people (:func:`~proxymetric.judges.ppi_ratio`); else None.
    ``bias`` holds the overall bias first,
    then one per system. ``plan`` and ``mix`` answer ``target_width`` (and the costs) for the
    overall mean, with the judge labels of this data (``plan``) or the cheapest mix (``mix``).
    """

    judge: str
    judge_family: str
    positive: str
    units: int
    estimates: tuple[CorrectedMean, ...]
    differences: tuple[CorrectedMean, ...]
    recall: CorrectedMean | None
    precision: CorrectedMean | None
    agreement: JudgeAgreement | None
    bias: tuple[JudgeBias, ...]
    self_preference: SelfPreference | None
    plan: LabelPlan | None
    mix: LabelMix | None
    confidence_level: float


@dataclasses.dataclass(frozen=True)
class JudgePairwiseReport(Result):
    """The judge of pairwise preferences, validated, and Bradley-Terry scores corrected by people.

    ``comparisons`` counts the (item, pair) units the judge judged, ``human_judgments`` people's
    rows; ``bias`` holds each system's bias in wins (the judge's win for it minus people's).
    """

    judge: str
    judge_family: str
    comparisons: int
    human_judgments: int
    scores: CorrectedBradleyTerry
    agreement: JudgeAgreement
    position: PositionCheck | None
    bias: tuple[JudgeBias, ...]
    self_preference: SelfPreference | None
    confidence_level: float


# ----------------------------------------------------------------------------- helpers


def _mean_ci(d: FloatArray, z: float, system: str = "") -> JudgeBias:
    n = d.size
    mean = float(d.mean()) if n else math.nan
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return JudgeBias(system, n, mean, se, mean - z * se, mean + z * se)


def _agreement(
    human: npt.NDArray[Any], judge: npt.NDArray[Any], cats: tuple[str, ...]
) -> JudgeAgreement:
    index = {c: k for k, c in enumerate(cats)}
    h = np.array([index[str(v)] for v in human], dtype=np.int64)
    j = np.array([index[str(v)] for v in judge], dtype=np.int64)
    k = len(cats)
    table = np.bincount(h * k + j, minlength=k * k).reshape(k, k)
    return JudgeAgreement(
        human_labels=int(h.size),
        observed_agreement=float(np.mean(h == j)) if h.size else math.nan,
        cohen_kappa=cohen_kappa(h, j, k),
        categories=cats,
        confusion=tuple(tuple(int(x) for x in row) for row in table),
    )


def _family(judge: str, families: Mapping[str, str] | None) -> str:
    return str(families.get(judge, "")) if families else ""


def _names(values: npt.NDArray[Any], column: str) -> npt.NDArray[np.str_]:
    obj = values.astype(object)
    missing = np.asarray((obj == None) | (obj != obj), dtype=np.bool_)  # noqa: E711, PLR0124
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise DataError(
            f"column `{column}` has {int(missing.sum())} missing values (first at row {row})"
        )
    return np.char.strip(obj.astype(str))


def _check_judge(judge: str, names: npt.NDArray[np.str_]) -> npt.NDArray[np.bool_]:
    known = {str(n) for n in np.unique(names)}
    check_name("judge", judge, known, "judges in column `judge`")
    machine = names == judge
    if machine.all():
        raise DataError(
            f"every row was judged by {judge!r}; people's rows (another name in column "
            "`judge`) are needed to correct it"
        )
    return np.asarray(machine, dtype=np.bool_)


# ----------------------------------------------------------------------------- labels


def _label_values(raw: npt.NDArray[np.str_], positive: str | None) -> FloatArray:
    if positive is not None:
        if not (raw == positive).any():
            shown = ", ".join(repr(str(v)) for v in np.unique(raw)[:10])
            raise DataError(f"`positive` {positive!r} is not a value of column `label`: {shown}")
        return np.asarray(raw == positive, dtype=np.float64)
    try:
        return np.asarray(raw.astype(np.float64), dtype=np.float64)
    except ValueError:
        shown = ", ".join(repr(str(v)) for v in np.unique(raw)[:5])
        raise DataError(
            f"column `label` holds values that are not numbers ({shown}); pass `positive` "
            "(`--positive`) to say which value counts as 1"
        ) from None


def evaluate_labels(
    source: Any,
    *,
    judge: str,
    positive: str | None = None,
    families: Mapping[str, str] | None = None,
    baseline: str | None = None,
    target_width: float | None = None,
    cost_per_human_label: float | None = None,
    cost_per_judge_label: float | None = None,
    confidence_level: float = 0.95,
    power_tuning: bool = True,
) -> JudgeLabelsReport:
    """Return the validation of ``judge`` and the estimates corrected by people's labels.

    ``source`` is a table with ``item``, ``judge``, ``label`` and optionally ``system`` (a path,
    a data frame or a mapping of columns). ``positive`` is the label value that counts as 1
    (labels must be numbers otherwise). ``families`` maps judges and systems to their family
    (for self-preference); ``baseline`` the system the differences subtract (default: the first
    in alphabetical order). With ``target_width`` the report plans the human labels for an
    interval of that width on the overall mean; with both costs, the cheapest mix too.
    """
    z = z_value(confidence_level)
    cols = read_columns(source)
    require_columns(cols, ("item", "judge", "label"), "judge labels")
    if len(cols["item"]) == 0:
        raise DataError("the judge labels table has no rows")
    who = _names(cols["judge"], "judge")
    machine = _check_judge(judge, who)
    item = _names(cols["item"], "item")
    system = _names(cols["system"], "system") if "system" in cols else np.full(item.size, "")
    raw = _names(cols["label"], "label")
    value = _label_values(raw, positive)
    units, unit = np.unique(np.char.add(np.char.add(system, "\x1f"), item), return_inverse=True)
    m_units = unit[machine]
    if np.unique(m_units).size != m_units.size:
        dup = units[int(np.flatnonzero(np.bincount(m_units) > 1)[0])].split("\x1f")
        raise DataError(
            f"{judge!r} labelled item {dup[1]!r}{' of system ' + repr(dup[0]) if dup[0] else ''} "
            "more than once; the judge needs one label per unit"
        )
    n_units = units.size
    judged = np.zeros(n_units, dtype=bool)
    judged[m_units] = True
    h_units = unit[~machine]
    if not judged[h_units].all():
        bad = units[h_units[~judged[h_units]][0]].split("\x1f")
        raise DataError(
            f"people labelled item {bad[1]!r} that {judge!r} did not; the judge must label every "
            "unit people labelled"
        )
    judge_value = np.full(n_units, math.nan)
    judge_value[m_units] = value[machine]
    judge_raw = np.empty(n_units, dtype=object)
    judge_raw[m_units] = raw[machine]
    sums = np.bincount(h_units, weights=value[~machine], minlength=n_units)
    counts = np.bincount(h_units, minlength=n_units)
    human_value = np.where(counts > 0, sums / np.maximum(counts, 1), math.nan)
    # only the units the judge labelled count (people's other units were rejected above)
    keep = judged
    unit_system = np.array([u.split("\x1f")[0] for u in units])
    unit_item = np.array([u.split("\x1f")[1] for u in units])
    f, y, sys_u, item_u = judge_value[keep], human_value[keep], unit_system[keep], unit_item[keep]
    systems = tuple(str(s) for s in np.unique(sys_u))
    estimates = [ppi_mean(y, f, confidence_level=confidence_level, power_tuning=power_tuning)]
    differences: list[CorrectedMean] = []
    if len(systems) > 1:
        for s in systems:
            sel = sys_u == s
            if int((~np.isnan(y[sel])).sum()) >= 2:
                estimates.append(
                    ppi_mean(
                        y[sel],
                        f[sel],
                        confidence_level=confidence_level,
                        power_tuning=power_tuning,
                        system=s,
                    )
                )
        base = check_name("baseline", baseline, systems, "systems") if baseline else systems[0]
        for s in systems:
            if s == base:
                continue
            common, ia, ib = np.intersect1d(
                item_u[sys_u == s], item_u[sys_u == base], return_indices=True
            )
            ya, fa = y[sys_u == s][ia], f[sys_u == s][ia]
            yb, fb = y[sys_u == base][ib], f[sys_u == base][ib]
            if common.size and int((~np.isnan(ya - yb)).sum()) >= 2:
                differences.append(
                    ppi_difference(
                        ya,
                        yb,
                        fa,
                        fb,
                        confidence_level=confidence_level,
                        power_tuning=power_tuning,
                        system=s,
                        baseline=base,
                    )
                )
    recall = precision = None
    lab = ~np.isnan(y)
    binary = bool(np.isin(f, (0.0, 1.0)).all() and np.isin(y[lab], (0.0, 1.0)).all())
    if binary and y[lab].any() and f[lab].any():
        recall = ppi_ratio(
            y * f, f, y, f, confidence_level=confidence_level, power_tuning=power_tuning
        )
        precision = ppi_ratio(
            y * f,
            f,
            np.where(lab, f, np.nan),
            f,
            confidence_level=confidence_level,
            power_tuning=power_tuning,
        )
    # validation on people's rows against the judge's label of the same unit
    h_raw, j_raw = raw[~machine], judge_raw[h_units]
    cats = tuple(str(c) for c in np.unique(np.concatenate([h_raw, raw[machine]])))
    agreement = _agreement(h_raw, j_raw, cats) if len(cats) <= _MAX_CATEGORIES else None
    gap = f - y
    bias = [_mean_ci(gap[lab], z)]
    if len(systems) > 1:
        bias += [_mean_ci(gap[lab & (sys_u == s)], z, s) for s in systems]
    family = _family(judge, families)
    self_pref = None
    if family and families is not None and len(systems) > 1:
        own = tuple(s for s in systems if families.get(s) == family)
        is_own = np.isin(sys_u, own)
        a, b = gap[lab & is_own], gap[lab & ~is_own]
        if own and a.size > 1 and b.size > 1:
            diff = float(a.mean() - b.mean())
            se = math.sqrt(float(a.var(ddof=1)) / a.size + float(b.var(ddof=1)) / b.size)
            self_pref = SelfPreference(
                family, own, int(a.size + b.size), diff, se, diff - z * se, diff + z * se
            )
    plan = mix = None
    overall = estimates[0]
    if target_width is not None:
        sd = float(np.std(y[lab]))
        rho = overall.correlation if math.isfinite(overall.correlation) else 0.0
        plan = human_labels_needed(
            target_width,
            human_sd=sd,
            correlation=rho,
            judge_labels=overall.judge_labels - overall.human_labels,
            confidence_level=confidence_level,
        )
        if cost_per_human_label is not None and cost_per_judge_label is not None:
            mix = cheapest_mix(
                target_width,
                human_sd=sd,
                correlation=rho,
                cost_per_human_label=cost_per_human_label,
                cost_per_judge_label=cost_per_judge_label,
                confidence_level=confidence_level,
            )
    return JudgeLabelsReport(
        judge=judge,
        judge_family=family,
        positive=positive or "",
        units=int(keep.sum()),
        estimates=tuple(estimates),
        differences=tuple(differences),
        recall=recall,
        precision=precision,
        agreement=agreement,
        bias=tuple(bias),
        self_preference=self_pref,
        plan=plan,
        mix=mix,
        confidence_level=confidence_level,
    )


# ----------------------------------------------------------------------------- pairwise


def _share(k: int, n: int, z: float) -> tuple[float, float, float, float]:
    p = k / n if n else math.nan
    se = math.sqrt(p * (1 - p) / n) if n else math.nan
    return p, se, p - z * se, p + z * se


def evaluate_pairwise(
    source: Any,
    *,
    judge: str,
    families: Mapping[str, str] | None = None,
    reference: str | None = None,
    confidence_level: float = 0.95,
    power_tuning: bool = True,
) -> JudgePairwiseReport:
    """Return the validation of a pairwise ``judge`` and Bradley-Terry scores corrected by people.

    ``source`` has the columns of :meth:`proxymetric.pairwise.Judgments.from_table` and
    ``judge``; ``reference`` fixes one system's score at 1000 (default: centred scores).
    """
    z = z_value(confidence_level)
    j = Judgments.from_table(source)
    if j.judge is None:
        raise DataError(
            "the judgments need a column `judge` (who judged each row: a person, or the "
            "automatic judge)"
        )
    who = np.asarray(j.judges)[j.judge]
    machine = _check_judge(judge, who)
    lo = np.minimum(j.system_a, j.system_b)
    hi = np.maximum(j.system_a, j.system_b)
    lo_win = np.where(j.system_a == lo, j.outcome, 1.0 - j.outcome)
    s = len(j.systems)
    key = (j.item * s + lo) * s + hi
    keys, comp = np.unique(key[machine], return_inverse=True)
    if keys.size != int(machine.sum()):
        raise DataError(
            f"{judge!r} judged the same pair on the same item more than once; the judge needs "
            "one judgment per comparison"
        )
    pos = np.searchsorted(keys, key[~machine])
    pos = np.minimum(pos, keys.size - 1)
    found = keys[pos] == key[~machine]
    if not found.all():
        row = int(np.flatnonzero(~machine)[int(np.flatnonzero(~found)[0])])
        raise DataError(
            f"people judged a comparison that {judge!r} did not (row {row}); the judge must "
            "judge every comparison people judged"
        )
    n_comp = keys.size
    f = np.empty(n_comp)
    f[comp] = lo_win[machine]
    sums = np.bincount(pos, weights=lo_win[~machine], minlength=n_comp)
    counts = np.bincount(pos, minlength=n_comp)
    y = np.where(counts > 0, sums / np.maximum(counts, 1), math.nan)
    c_lo = (keys // s) % s
    c_hi = keys % s
    names = np.asarray(j.systems)
    scores = ppi_bradley_terry(
        names[c_lo],
        names[c_hi],
        f,
        y,
        confidence_level=confidence_level,
        power_tuning=power_tuning,
        reference=reference,
    )

    def cat(outcome: FloatArray) -> npt.NDArray[np.str_]:
        return np.where(outcome == 1.0, "a", np.where(outcome == 0.0, "b", "tie"))

    agreement = _agreement(cat(lo_win[~machine]), cat(f[pos]), ("a", "b", "tie"))
    position = None
    if j.shown_first is not None:
        first_won = (j.shown_first == 1) == (j.outcome == 1.0)
        decided = (j.shown_first >= 0) & (j.outcome != 0.5)
        jm, hm = decided & machine, decided & ~machine
        jn, hn = int(jm.sum()), int(hm.sum())
        if jn and hn:
            jp, jse, jlo, jhi = _share(int(first_won[jm].sum()), jn, z)
            hp, hse, hlo, hhi = _share(int(first_won[hm].sum()), hn, z)
            se = math.sqrt(jse**2 + hse**2)
            d = jp - hp
            position = PositionCheck(
                jn, jp, jlo, jhi, hn, hp, hlo, hhi, d, se, d - z * se, d + z * se
            )
    lab = ~np.isnan(y)
    bias = []
    for k, name in enumerate(j.systems):
        as_lo, as_hi = lab & (c_lo == k), lab & (c_hi == k)
        gap = np.concatenate([f[as_lo] - y[as_lo], y[as_hi] - f[as_hi]])
        bias.append(_mean_ci(gap, z, name))
    family = _family(judge, families)
    self_pref = None
    if family and families is not None:
        own = tuple(n for n in j.systems if families.get(n) == family)
        own_code = np.isin(np.arange(s), [j.systems.index(o) for o in own])
        lo_own, hi_own = own_code[c_lo], own_code[c_hi]
        gap = np.concatenate([(f - y)[lab & lo_own & ~hi_own], (y - f)[lab & hi_own & ~lo_own]])
        if own and gap.size > 1:
            b = _mean_ci(gap, z)
            self_pref = SelfPreference(
                family, own, b.human_labels, b.bias, b.bias_se, b.bias_ci_lower, b.bias_ci_upper
            )
    return JudgePairwiseReport(
        judge=judge,
        judge_family=family,
        comparisons=n_comp,
        human_judgments=int((~machine).sum()),
        scores=scores,
        agreement=agreement,
        position=position,
        bias=tuple(bias),
        self_preference=self_pref,
        confidence_level=confidence_level,
    )


def evaluate_judge(
    source: Any, *, judge: str, **options: Any
) -> JudgeLabelsReport | JudgePairwiseReport:
    """Return :func:`evaluate_pairwise` for a table with ``winner``, else :func:`evaluate_labels`.

    ``options`` are those of the function chosen.
    """
    cols = read_columns(source)
    if "winner" in cols:
        return evaluate_pairwise(cols, judge=judge, **options)
    return evaluate_labels(cols, judge=judge, **options)
