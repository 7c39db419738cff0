"""The good-metric checklist: one row per metric, one column per property, and project checks.

:func:`check_spec` reads a spec (no data) and holds every metric of its tree to the properties
of a good metric:

- **tied to money**: a ``value_per_unit``, a reviewed ``link`` to the north star, or (for the
  north star) a value model;
- **external oracle**: computed by the tool from logged data, or by a declared pipeline that is
  not the model's owner; who owns the definition is declared; a blind test judged by a machine
  (``computed_by`` names an LLM, a model, a classifier...) warns: the judge is a proxy of
  people with an oracle question of its own (:mod:`proxymetric.judges` answers it);
- **attributable**: an experiment with a randomization unit measures it (an offline evaluation
  for a model objective; a blind test or interleaving compares both systems on the same inputs);
- **cheap and fast**: the units and days a test needs to detect the expected effect (a
  guardrail: its non-inferiority margin) at the declared traffic, and its cost;
- **sensitive**: the minimum detectable effect (MDE) at the planned duration against the
  expected effect, with what to do instead when it is too large;
- **balanced**: every primary metric has a boundary (guardrail) metric;
- **validated**: the noise-corrected correlation of its past effects with the north star's in
  a registry of experiments, else "unvalidated".

Test sizes follow the normal approximation of :func:`proxymetric.design.power_analysis` and
:func:`proxymetric.design.feasibility`; blind tests follow the one-sample proportion test of
:func:`proxymetric.pairwise.judgments_needed` (Fleiss, Levin and Paik, 2003, eq. 2.5). Proxy
validation is :func:`proxymetric.proxies.validate_proxies` (Tripuraneni et al., KDD 2024).
"""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scipy import optimize

from proxymetric._validation import did_you_mean
from proxymetric.check.results import PROPERTIES, Cell, MetricRow, ProjectCheck, Scorecard
from proxymetric.design import (
    AccrualModel,
    DesignSettings,
    cost_of_testing,
    feasibility,
    power_analysis,
)
from proxymetric.design.power import MetricType
from proxymetric.errors import ProxymetricError
from proxymetric.experiment import Duration, ResolvedExperiment, ResolvedMetric, resolve
from proxymetric.pairwise import judgments_needed
from proxymetric.spec import ExperimentSpec, MetricSpec, Spec, load_spec
from proxymetric.spec.model import EvaluationSpec
from proxymetric.spec.value import EffectInput
from proxymetric.value import format_money, model_from_spec

if TYPE_CHECKING:
    from proxymetric.proxies import EffectTable
    from proxymetric.registry import Registry

__all__ = ["check_spec"]

NAN = math.nan


def _cell(
    prop: str,
    status: str,
    reason: str,
    value: float = NAN,
    value_name: str = "",
    advice: str = "",
) -> Cell:
    return Cell(
        prop, status, reason, float(value), value_name if math.isfinite(value) else "", advice
    )


def _pct(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:.1%}"


def _count(x: float) -> str:
    return f"{x:,.0f}"


@dataclasses.dataclass(frozen=True)
class _Item:
    """A metric of the tree: a spec metric or an evaluation."""

    name: str
    role: str
    metric: MetricSpec | None
    evaluation: EvaluationSpec | None
    experiment: str | None
    exp_role: str | None  # primary, guardrail or secondary in that experiment

    @property
    def spec_obj(self) -> MetricSpec | EvaluationSpec:
        obj = self.metric if self.metric is not None else self.evaluation
        assert obj is not None
        return obj

    @property
    def measured_by(self) -> str:
        if self.evaluation is not None:
            return self.evaluation.kind
        return f"experiment:{self.experiment}" if self.experiment else "none"


def _experiment_of(spec: Spec, name: str) -> tuple[str | None, str | None]:
    """The experiment that measures ``name``: where it is primary, else guardrail, else any."""
    found: dict[str, tuple[str, str]] = {}
    for exp_name, exp in spec.experiments.items():
        for metric, role in exp.metric_roles():
            if metric == name and role not in found:
                found[role] = (exp_name, role)
    for role in ("primary", "guardrail", "secondary"):
        if role in found:
            return found[role]
    return None, None


def _items(spec: Spec) -> list[_Item]:
    items = []
    for name, m in spec.metrics.items():
        exp, exp_role = _experiment_of(spec, name)
        role = m.role
        if role is None:
            if name == spec.north_star:
                role = "north_star"
            elif exp_role == "guardrail":
                role = "guardrail"
            else:
                role = "proxy"
        items.append(_Item(name, role, m, None, exp, exp_role))
    for name, e in spec.evaluations.items():
        if name in spec.metrics:
            raise spec.error(
                f"evaluation {name!r} has the name of a metric; give it its own name",
                ("evaluations", name),
            )
        role = e.role
        if role is None:
            role = (
                "north_star"
                if name == spec.north_star
                else ("model_objective" if e.kind == "offline" else "proxy")
            )
        items.append(_Item(name, role, None, e, None, None))
    return items


# ---------------------------------------------------------------------------- tied to money


def _tied_to_money(spec: Spec, item: _Item) -> Cell:
    prop = "tied_to_money"
    obj = item.spec_obj
    currency = spec.value.currency if spec.value is not None else ""
    if obj.value_per_unit is not None:
        money = format_money(obj.value_per_unit, currency)
        return _cell(prop, "pass", f"worth {money} per unit", obj.value_per_unit, "money_per_unit")
    if item.role == "north_star":
        if spec.value is not None:
            return _cell(
                prop, "pass", f"the north star, valued by the value model ({spec.value.objective})"
            )
        return _cell(
            prop,
            "fail",
            "the north star has no money value",
            advice="add `value_per_unit` or a `value:` model that prices it",
        )
    if obj.link is not None:
        target = (obj.link.to or spec.north_star or "the north star").rstrip(".")
        if obj.link.reviewed_by:
            return _cell(prop, "pass", f"linked to {target}, reviewed by {obj.link.reviewed_by}")
        return _cell(
            prop,
            "warn",
            f"linked to {target}, but the link is not reviewed",
            advice="have someone check the link and record `link.reviewed_by`",
        )
    return _cell(
        prop,
        "fail",
        "no money value and no reviewed link to the north star",
        advice="add `value_per_unit`, or `link: {reviewed_by: ..., note: ...}`",
    )


# --------------------------------------------------------------------------- external oracle


def _same_team(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


# Words of a `computed_by` that name an automatic judge rather than people.
_MACHINE_WORDS = frozenset(
    {"llm", "llms", "gpt", "claude", "gemini", "llama", "model", "classifier", "automatic",
     "autorater", "machine", "ai", "bot"}
)  # fmt: skip


def _machine_judge(who: str) -> bool:
    return any(w in _MACHINE_WORDS for w in re.findall(r"[a-z0-9]+", who.casefold()))


def _external_oracle(spec: Spec, item: _Item) -> Cell:
    prop = "external_oracle"
    obj = item.spec_obj
    who = obj.computed_by
    if who is not None and spec.model_owner is not None and _same_team(who, spec.model_owner):
        return _cell(
            prop,
            "fail",
            f"computed by the model's owner ({who}), who is graded by it",
            advice="have a neutral pipeline compute it from logged data",
        )
    problems: list[str] = []
    if item.metric is not None:
        m = item.metric
        source = spec.sources[m.source]
        if source.kind == "events":
            how = f"computed by the tool from the event log {m.source!r}"
        else:
            cols = ", ".join(m.columns) if source.kind == "units" else ""
            what = f"{cols} of {m.source!r}" if cols else f"summary statistics {m.source!r}"
            if who is not None:
                how = f"reads {what}, produced by {who}"
            else:
                how = f"reads {what}"
                problems.append("who produces it is not declared (`computed_by`)")
    else:
        assert item.evaluation is not None
        kind = item.evaluation.kind
        if kind == "blind_test":
            if who is not None and _machine_judge(who):
                # an automatic judge is itself a proxy of people's judgment (docs/judges.md)
                how = f"judged blind by {who}, an automatic judge"
                problems.append(
                    "a machine's judgment is a proxy of people's, with an oracle question of "
                    "its own"
                )
            elif who is not None:
                how = f"judged blind by {who}"
            else:
                how = "judged blind"
                problems.append("who judges is not declared (`computed_by`)")
        else:
            how = "computed by the tool from logged " + (
                "clicks" if kind == "interleaving" else "data"
            )
            if who is not None:
                how += f" ({who})"
    if obj.owner is None:
        problems.append("nobody owns the definition (`owner`)")
    else:
        how += f"; definition owned by {obj.owner}"
    if problems:
        machine = item.evaluation is not None and who is not None and _machine_judge(who)
        advice = (
            "have people judge a random sample too and correct it (`proxymetric judges`)"
            if machine
            else "declare them"
        )
        return _cell(prop, "warn", f"{how}; {'; '.join(problems)}", advice=advice)
    return _cell(prop, "pass", how)


# ----------------------------------------------------------------------------- attributable


def _randomization_unit(spec: Spec, exp: ExperimentSpec, metric: MetricSpec) -> str | None:
    if exp.assignment is not None:
        return spec.sources[exp.assignment].unit
    return spec.sources[metric.source].unit


def _attributable(spec: Spec, item: _Item) -> Cell:
    prop = "attributable"
    if item.evaluation is not None:
        kind = item.evaluation.kind
        text = {
            "offline": "offline evaluation: both models score the same logged examples",
            "blind_test": "blind test: raters judge both systems on the same inputs, unlabelled",
            "interleaving": "interleaving: both rankers serve the same queries in one list",
        }[kind]
        return _cell(prop, "pass", text)
    assert item.metric is not None
    if item.experiment is not None:
        exp = spec.experiments[item.experiment]
        unit = _randomization_unit(spec, exp, item.metric)
        by = f"randomized by `{unit}`" if unit else "randomized (summary statistics)"
        return _cell(prop, "pass", f"experiment {item.experiment!r}, {by}")
    if item.role == "model_objective":
        return _cell(
            prop,
            "fail",
            "a model objective with no offline evaluation",
            advice="declare it under `evaluations:` with `kind: offline`",
        )
    if item.role == "north_star":
        return _cell(
            prop,
            "warn",
            "no experiment measures the north star; its proxies carry the attribution",
            advice="validate the proxies against it (`--registry`)",
        )
    return _cell(
        prop,
        "fail",
        "no experiment measures it, so no randomization attributes a change to the model",
        advice="add it to an experiment, or measure it by a blind test or offline",
    )


# -------------------------------------------------------------------- cheap, fast, sensitive


@dataclasses.dataclass(frozen=True)
class _Plan:
    """What the test of one metric needs, from the declared traffic."""

    accrual: AccrualModel
    traffic_text: str
    duration: Duration

    @property
    def days(self) -> int:
        return self.duration.days

    @property
    def max_days(self) -> int:
        return self.duration.max_days


def _plan(exp: ResolvedExperiment) -> _Plan | None:
    t, d = exp.traffic, exp.duration
    if t.population is not None:
        return _Plan(AccrualModel.fixed(t.population), f"a population of {t.population:,}", d)
    if t.units_per_day is not None:
        accrual = AccrualModel("power", t.units_per_day, 1.0, 0, 0.0)
        return _Plan(accrual, f"{_count(t.units_per_day)} units a day", d)
    if t.planned_units is not None:
        accrual = AccrualModel.fixed(t.planned_units)
        return _Plan(accrual, f"{t.planned_units:,} planned units", d)
    return None


def _target(spec: Spec, item: _Item) -> tuple[float, str, str] | None:
    """``(size, 'relative'|'absolute', label)`` of the effect the test must see, if declared."""
    assert item.metric is not None
    assert item.experiment is not None
    if item.exp_role == "guardrail":
        exp = spec.experiments[item.experiment]
        g = next(g for g in exp.guardrails if g.metric == item.name)
        return g.margin, g.margin_type, "its non-inferiority margin"
    if item.metric.expected_effect is None:
        return None
    return abs(item.metric.expected_effect), "relative", "the expected effect"


def _missing_design(spec: Spec, item: _Item) -> str | None:
    m = item.metric
    assert m is not None
    assert item.experiment is not None
    missing = []
    if _plan(resolve(spec, item.experiment)) is None:
        missing.append("the experiment's `units_per_day` or `population`")
    if _target(spec, item) is None:
        missing.append("`expected_effect`")
    if m.baseline_mean is None:
        missing.append("`baseline_mean`")
    if m.type != "proportion" and m.baseline_sd is None:
        missing.append("`baseline_sd`")
    return ", ".join(missing) if missing else None


def _ab_cells(spec: Spec, item: _Item) -> tuple[Cell, Cell]:
    m = item.metric
    assert m is not None
    assert item.experiment is not None
    missing = _missing_design(spec, item)
    if missing is not None and item.exp_role == "secondary" and m.expected_effect is None:
        text = "a secondary metric: not sized (declare `expected_effect` to size it)"
        return _cell("cheap_and_fast", "n/a", text), _cell("sensitive", "n/a", text)
    if missing is not None:
        text = f"cannot size the test: declare {missing}"
        return _cell("cheap_and_fast", "warn", text), _cell("sensitive", "warn", text)
    exp = resolve(spec, item.experiment)
    metric = exp.metric(item.name)
    plan = _plan(exp)
    target = _target(spec, item)
    assert plan is not None
    assert target is not None
    assert m.baseline_mean is not None
    size, scale, label = target
    kind: MetricType = "proportion" if m.type == "proportion" else "mean"
    # The level, the arms and the split of the analysis (the same as `plan`'s).
    settings = DesignSettings.for_metric(exp, metric, power=0.8)
    sd = None if kind == "proportion" else m.baseline_sd
    where = ("metrics", item.name)
    if m.baseline_mean == 0:
        raise spec.error(
            f"`baseline_mean` of metric {item.name!r} is 0; effects and margins are relative to "
            "it, so give today's non-zero mean",
            (*where, "baseline_mean"),
        )
    if size == 0:
        text = f"{label} is 0: no test can show it"
        return (
            _cell("cheap_and_fast", "fail", text, advice=f"declare a non-zero {label}"),
            _cell("sensitive", "fail", text, advice=f"declare a non-zero {label}"),
        )
    try:
        rel = size if scale == "relative" else size / abs(m.baseline_mean)
        feas = feasibility(
            plan.accrual,
            kind,
            m.baseline_mean,
            target_rel_mde=rel,
            sd=sd,
            planned_days=plan.days,
            max_days=plan.max_days,
            metric_name=item.name,
            settings=settings,
            min_days=plan.duration.min_days,
            whole_weeks=plan.duration.whole_weeks,
        )
        needed = power_analysis(
            kind,
            m.baseline_mean,
            sd=sd,
            rel_mde=rel,
            power=settings.power,
            **settings.test_arguments(),
        )
    except ProxymetricError as exc:
        raise spec.error(f"metric {item.name!r}: {exc}", where) from None
    cheap = _cheap(spec, item, metric, plan, needed.total_units, needed.control_units, rel)
    return cheap, _sensitive(
        metric,
        plan,
        feas.rel_mde_at_planned_days,
        feas.units_at_planned_days,
        rel,
        label,
        feas.verdict,
    )


def _cuped_advice(metric: ResolvedMetric, text: str) -> str:
    """``text`` when the metric has no CUPED covariate yet, else nothing."""
    return text if metric.covariate is None else ""


def _cheap(
    spec: Spec,
    item: _Item,
    metric: ResolvedMetric,
    plan: _Plan,
    units: int,
    control_units: float,
    rel: float,
) -> Cell:
    m = item.metric
    assert m is not None
    assert m.baseline_mean is not None
    # The duration a test would run: the days the units take, at least a week in whole weeks.
    days = plan.duration.proposed(plan.accrual.days_for(units))
    cost = ""
    if m.value_per_unit is not None and item.exp_role != "guardrail" and math.isfinite(days):
        currency = spec.value.currency if spec.value is not None else ""
        c = cost_of_testing(
            effect=abs(rel * m.baseline_mean),
            value_per_unit=abs(m.value_per_unit),
            control_units=control_units,
            treatment_units=units - control_units,
        )
        cost = f"; costs {format_money(c.total_cost, currency)} (the control forgoes the effect)"
    if plan.accrual.model == "fixed":
        need = f"needs {_count(units)} units; {plan.traffic_text}"
        if math.isfinite(days):
            return _cell("cheap_and_fast", "pass", f"{need} suffices{cost}", units, "units")
        return _cell(
            "cheap_and_fast",
            "fail",
            f"{need} cannot provide them{cost}",
            units,
            "units",
            advice="measure it by a blind test or offline, or on a larger audience",
        )
    need = f"needs {days:.0f} days ({_count(units)} units) at {plan.traffic_text}{cost}"
    if days <= plan.days:
        return _cell("cheap_and_fast", "pass", need, days, "days")
    if days <= plan.max_days:
        return _cell(
            "cheap_and_fast",
            "warn",
            f"{need}: longer than the planned {plan.days}",
            days,
            "days",
            advice="run longer" + _cuped_advice(metric, ", or use CUPED") + ", or a more "
            "sensitive proxy",
        )
    return _cell(
        "cheap_and_fast",
        "fail",
        f"{need}: more than the {plan.max_days} days the team would run",
        days,
        "days",
        advice="a blind test, interleaving"
        + _cuped_advice(metric, ", CUPED")
        + " or a more sensitive proxy",
    )


def _sensitive(
    metric: ResolvedMetric,
    plan: _Plan,
    rel_mde: float,
    units: int,
    rel: float,
    label: str,
    verdict: str,
) -> Cell:
    at = f"MDE {_pct(rel_mde)} at {plan.days} days ({_count(units)} units)"
    against = f"{label} {_pct(rel)}"
    if verdict == "feasible":
        return _cell("sensitive", "pass", f"{at} <= {against}", rel_mde, "rel_mde")
    if verdict == "feasible_if_longer":
        return _cell(
            "sensitive",
            "warn",
            f"{at} > {against}; a longer test reaches it",
            rel_mde,
            "rel_mde",
            advice=f"run up to {plan.max_days} days" + _cuped_advice(metric, ", or add CUPED"),
        )
    advice = [
        "a blind test or interleaving (the same users or queries judge both variants)",
        _cuped_advice(metric, "CUPED with a pre-period covariate"),
        "a more sensitive proxy (closer to the change)",
    ]
    advice_text = "; ".join(a for a in advice if a)
    return _cell(
        "sensitive",
        "fail",
        f"not sensitive enough: {at} > {against}",
        rel_mde,
        "rel_mde",
        advice=advice_text,
    )


def _mde_win_rate(n: int, alpha: float = 0.05, power: float = 0.8) -> float:
    """The smallest win rate a two-sided test against 1/2 detects with ``n`` decided judgments.

    Inverts the sample size of :func:`judgments_needed`; ``nan`` when even a win rate near 1
    is not detectable.
    """

    def excess(p: float) -> float:
        return judgments_needed(p, alpha=alpha, power=power).non_tie_judgments - n + 0.5

    hi = 1.0 - 1e-9
    if excess(hi) > 0:
        return NAN
    return float(optimize.brentq(excess, 0.5 + 1e-9, hi, xtol=1e-6))


def _classifier_cells(e: EvaluationSpec) -> tuple[Cell, Cell]:
    """Labels needed to measure a classifier's rate, against the planned ``sample_size``."""
    from proxymetric.classifier import half_width, labels_needed

    c = e.classifier
    assert c is not None
    need = labels_needed(
        c.rate, c.half_width, expected=c.expected, prevalence=c.prevalence, recall=c.recall
    )
    what = f"{c.rate.replace('_', ' ')} {c.expected:g} to +-{c.half_width:g}"
    text = (
        f"needs {need.labels:,} labelled examples ({need.subset_needed:,} {need.subset}) to "
        f"measure {what} at prevalence {c.prevalence:g}"
    )
    if e.sample_size is None:
        return _cell("cheap_and_fast", "pass", text, need.labels, "labels"), _cell(
            "sensitive", "warn", "cannot size it: declare `sample_size` (the labelled examples)"
        )
    if need.labels <= e.sample_size:
        cheap = _cell(
            "cheap_and_fast", "pass", f"{text} (planned {e.sample_size:,})", need.labels, "labels"
        )
    else:
        cheap = _cell(
            "cheap_and_fast",
            "warn",
            f"{text}, more than the planned {e.sample_size:,}",
            need.labels,
            "labels",
            advice=f"label {need.labels:,} examples",
        )
    hw = half_width(
        c.rate, e.sample_size, expected=c.expected, prevalence=c.prevalence, recall=c.recall
    )
    at = f"{e.sample_size:,} labels measure {c.rate.replace('_', ' ')} to +-{hw:.3g}"
    if hw <= c.half_width:
        return cheap, _cell("sensitive", "pass", f"{at} <= {c.half_width:g}", hw, "half_width")
    return cheap, _cell(
        "sensitive",
        "fail",
        f"not sensitive enough: {at} > {c.half_width:g}",
        hw,
        "half_width",
        advice=f"label {need.labels:,} examples",
    )


def _paired_cells(spec: Spec, item: _Item) -> tuple[Cell, Cell]:
    e = item.evaluation
    assert e is not None
    if e.kind == "offline" and e.classifier is not None:
        return _classifier_cells(e)
    if e.kind == "offline":
        return (
            _cell("cheap_and_fast", "pass", "offline: scored on logged data, no live traffic"),
            _cell(
                "sensitive",
                "n/a",
                "offline: both models score the same examples; `proxymetric offline` gives "
                "the paired interval",
            ),
        )
    what = "judgments" if e.kind == "blind_test" else "queries with a preference"
    if e.expected_win_rate is None or e.expected_win_rate == 0.5:
        text = "cannot size it: declare `expected_win_rate` (not 0.5)"
        return _cell("cheap_and_fast", "warn", text), _cell("sensitive", "warn", text)
    p1 = e.expected_win_rate
    p_eff = p1 if p1 > 0.5 else 1.0 - p1
    needed = judgments_needed(p_eff).judgments
    cost = ""
    if e.cost_per_judgment is not None:
        currency = spec.value.currency if spec.value is not None else ""
        cost = f"; costs {format_money(needed * e.cost_per_judgment, currency)}"
    need = f"needs {needed:,} {what} to see a {p_eff:.0%} win rate{cost}"
    if e.sample_size is None or needed <= e.sample_size:
        planned = "" if e.sample_size is None else f" (planned {e.sample_size:,})"
        cheap = _cell("cheap_and_fast", "pass", need + planned, needed, "judgments")
    else:
        cheap = _cell(
            "cheap_and_fast",
            "warn",
            f"{need}, more than the planned {e.sample_size:,}",
            needed,
            "judgments",
            advice=f"plan {needed:,} {what}",
        )
    if e.sample_size is None:
        return cheap, _cell(
            "sensitive",
            "warn",
            "cannot size it: declare `sample_size` (the planned judgments)",
        )
    mde = _mde_win_rate(e.sample_size)
    at = f"detectable win rate {_pct(mde)} with {e.sample_size:,} {what}"
    if math.isfinite(mde) and mde <= p_eff + 1e-9:
        sens = _cell("sensitive", "pass", f"{at} <= expected {p_eff:.1%}", mde, "win_rate")
    else:
        sens = _cell(
            "sensitive",
            "fail",
            f"not sensitive enough: {at} > expected {p_eff:.1%}",
            mde,
            "win_rate",
            advice=f"plan {needed:,} {what}",
        )
    return cheap, sens


def _design_cells(spec: Spec, item: _Item) -> tuple[Cell, Cell]:
    if item.evaluation is not None:
        return _paired_cells(spec, item)
    if item.experiment is None:
        text = "no experiment measures it"
        return _cell("cheap_and_fast", "n/a", text), _cell("sensitive", "n/a", text)
    return _ab_cells(spec, item)


# --------------------------------------------------------------------------------- balanced


def _margin(margin: float, kind: str) -> str:
    return f"{margin * 100:g}%" if kind == "relative" else f"{margin:g}, absolute"


def _balanced(spec: Spec, item: _Item, names: set[str]) -> Cell:
    prop = "balanced"
    advice = "add a guardrail pulling the other way (quality vs cost, revenue vs retention)"
    if item.metric is not None:
        if item.exp_role != "primary":
            return _cell(prop, "n/a", f"a {item.role.replace('_', ' ')}, not a primary metric")
        assert item.experiment is not None
        exp = spec.experiments[item.experiment]
        if not exp.guardrails:
            return _cell(
                prop, "fail", f"primary of {item.experiment!r} with no guardrail", advice=advice
            )
        listed = ", ".join(
            f"{g.metric} (margin {_margin(g.margin, g.margin_type)})" for g in exp.guardrails
        )
        return _cell(prop, "pass", f"balanced by {listed}")
    e = item.evaluation
    assert e is not None
    for i, g in enumerate(e.guardrails):
        if g not in names:
            raise spec.error(
                f"guardrail {g!r} of evaluation {item.name!r} is not defined; defined metrics and "
                f"evaluations: {', '.join(sorted(names))}{did_you_mean(g, names)}",
                ("evaluations", item.name, "guardrails", i),
            )
    if item.role != "proxy":
        return _cell(prop, "n/a", f"a {item.role.replace('_', ' ')}, not a decision proxy")
    if not e.guardrails:
        return _cell(prop, "fail", "a proxy with no guardrail", advice=advice)
    return _cell(prop, "pass", f"balanced by {', '.join(e.guardrails)}")


# -------------------------------------------------------------------------------- validated


def _direction(spec: Spec, name: str) -> int:
    obj: MetricSpec | EvaluationSpec | None = spec.metrics.get(name) or spec.evaluations.get(name)
    return -1 if obj is not None and obj.direction == "decrease" else 1


def _validated(spec: Spec, item: _Item, table: EffectTable | None, registry_note: str) -> Cell:
    prop = "validated"
    if item.role == "north_star":
        return _cell(prop, "n/a", "the north star itself")
    advice = "record past experiments in a registry and pass `--registry`"
    if table is None:
        return _cell(prop, "warn", f"unvalidated: {registry_note}", advice=advice)
    ns = spec.north_star
    if ns is None or ns not in table.metrics:
        return _cell(
            prop,
            "warn",
            f"unvalidated: the north star {ns!r} is not a metric of the registry",
            advice="name the north star by its metric name in the registry",
        )
    if item.name not in table.metrics:
        return _cell(
            prop,
            "warn",
            f"unvalidated: the registry has no past effects on {item.name!r}",
            advice=advice,
        )
    from proxymetric.proxies import validate_proxies

    try:
        report = validate_proxies(table, ns, [item.name])
    except ProxymetricError as exc:
        return _cell(prop, "warn", f"unvalidated: {exc}", advice=advice)
    row = next(r for r in report.rows if r.metric == item.name)
    rho = row.true_correlation * _direction(spec, item.name) * _direction(spec, ns)
    text = (
        f"correlation with the north star's effects {rho:+.2f} (noise-corrected, "
        f"{report.n_experiments} past comparisons)"
    )
    if not math.isfinite(rho):
        return _cell(prop, "warn", f"unvalidated: {text}", advice=advice)
    if rho >= 0.5:
        return _cell(prop, "pass", text, rho, "correlation")
    if rho >= 0:
        return _cell(
            prop,
            "warn",
            f"{text}: weak",
            rho,
            "correlation",
            advice="look for a better proxy (`proxymetric proxies`)",
        )
    return _cell(
        prop,
        "fail",
        f"{text}: it moves against the north star",
        rho,
        "correlation",
        advice="do not decide on it; find a proxy that moves with the north star",
    )


def _registry_table(registry: str | Path | Registry | None) -> tuple[EffectTable | None, str]:
    if registry is None:
        return None, "no registry"
    from proxymetric.registry import Registry

    if isinstance(registry, Registry):
        return _table(registry)
    reg = Registry(registry, create=False)
    try:
        return _table(reg)
    finally:
        reg.close()


def _table(reg: Registry) -> tuple[EffectTable | None, str]:
    from proxymetric.proxies import table_from_registry

    try:
        return table_from_registry(reg), ""
    except ProxymetricError as exc:
        return None, str(exc)


# ---------------------------------------------------------------------------------- project


def _goal(spec: Spec) -> ProjectCheck:
    if not spec.goal:
        return ProjectCheck("goal", "fail", "no goal: state the goal behind the request", NAN)
    if not spec.request:
        return ProjectCheck(
            "goal", "warn", f"goal {spec.goal!r}, but the request it answers is not recorded", NAN
        )
    return ProjectCheck("goal", "pass", f"{spec.request!r} -> {spec.goal!r}", NAN)


def _north_star(spec: Spec) -> ProjectCheck:
    if not spec.north_star:
        return ProjectCheck("north_star", "fail", "no north star: name the metric the goal is", NAN)
    if not spec.metrics and not spec.evaluations:
        return ProjectCheck(
            "north_star",
            "warn",
            f"{spec.north_star}, but no metric tree to check: declare `metrics` or `evaluations`",
            NAN,
        )
    known = spec.north_star in spec.metrics or spec.north_star in spec.evaluations
    where = "a metric of the tree" if known else "described, not defined as a metric"
    return ProjectCheck("north_star", "pass", f"{spec.north_star} ({where})", NAN)


def _value_model(spec: Spec) -> ProjectCheck:
    name = "value_model"
    section = spec.value
    if section is None:
        return ProjectCheck(
            name, "fail", "no value model: add a `value:` section (see docs/value.md)", NAN
        )
    linked = sorted(
        {
            inp.experiment
            for inputs in [section.inputs, *(a.inputs for a in section.alternatives.values())]
            for inp in inputs.values()
            if isinstance(inp, EffectInput) and inp.estimate is None and inp.experiment
        }
    )
    if linked:
        return ProjectCheck(
            name,
            "warn",
            f"the value model uses effects measured by {', '.join(map(repr, linked))}; "
            "`proxymetric value` analyses the data and gives the business case",
            NAN,
        )
    try:
        result = model_from_spec(section, source=spec).analyze(
            draws=section.draws, seed=section.seed
        )
    except ProxymetricError as exc:
        raise spec.error(str(exc), ("value",)) from None
    rec = result.recommendation
    sentence = ""
    for start in ("Even an ideal model", "An ideal model"):
        if start in rec.text:
            sentence = rec.text[rec.text.index(start) :].rstrip(".")
            break
    top = max((h.mean for h in result.headroom), default=NAN)
    if rec.ideal_worth_building is None:
        return ProjectCheck(
            name,
            "warn",
            "no input has an `ideal` value, so what an ideal model is worth is unknown",
            NAN,
        )
    status = "pass" if rec.ideal_worth_building else "fail"
    return ProjectCheck(name, status, sentence, top)


def _baseline(spec: Spec) -> ProjectCheck:
    if not spec.baseline:
        return ProjectCheck(
            "baseline",
            "fail",
            "no non-ML baseline: name one in `baseline:` (a rule, people, or doing nothing)",
            NAN,
        )
    priced = spec.value is not None and spec.baseline in spec.value.alternatives
    note = ", priced in the value model" if priced else ""
    return ProjectCheck("baseline", "pass", f"{spec.baseline}{note}", NAN)


def _ethics(spec: Spec) -> ProjectCheck:
    review = spec.ethics_review
    if review is None:
        return ProjectCheck(
            "ethics_review",
            "fail",
            "no ethics review recorded: add `ethics_review: {reviewer, date, outcome}`",
            NAN,
        )
    missing = [k for k in ("reviewer", "date", "outcome") if getattr(review, k) in (None, "")]
    if missing:
        return ProjectCheck(
            "ethics_review",
            "fail",
            f"the ethics review lacks {', '.join(f'`{k}`' for k in missing)}",
            NAN,
        )
    return ProjectCheck(
        "ethics_review",
        "pass",
        f"reviewed by {review.reviewer} on {review.date}: {review.outcome}",
        NAN,
    )


# ---------------------------------------------------------------------------------- the API


def check_spec(
    spec: str | Path | Spec | dict[str, Any],
    *,
    registry: str | Path | Registry | None = None,
) -> Scorecard:
    """Hold every metric of a spec to the good-metric checklist; return the :class:`Scorecard`.

    ``spec`` is a file, a mapping or a loaded :class:`~proxymetric.spec.Spec`; ``registry`` a
    registry of past experiments (a file, a SQLAlchemy URL or a
    :class:`~proxymetric.registry.Registry`) for proxy validation. No data is read: test sizes
    come from the declared ``traffic``, ``baseline_mean``/``baseline_sd`` and expected effects.

    >>> card = check_spec({
    ...     "goal": "Grow revenue.", "north_star": "revenue",
    ...     "sources": {"users": {"table": "users", "unit": "user_id", "variant": "arm"}},
    ...     "metrics": {"revenue": {"type": "mean", "source": "users", "column": "revenue"}},
    ... })
    >>> card.row("revenue").cell("balanced").status, card.project_check("goal").status
    ('n/a', 'warn')
    >>> card.passed
    False
    """
    loaded = load_spec(spec)
    items = _items(loaded)
    names = {i.name for i in items}
    table, note = _registry_table(registry)
    rows = []
    for item in items:
        cheap, sensitive = _design_cells(loaded, item)
        cells = (
            _tied_to_money(loaded, item),
            _external_oracle(loaded, item),
            _attributable(loaded, item),
            cheap,
            sensitive,
            _balanced(loaded, item, names),
            _validated(loaded, item, table, note),
        )
        assert tuple(c.property for c in cells) == PROPERTIES
        rows.append(MetricRow(item.name, item.role, item.measured_by, cells))
    project = (
        _goal(loaded),
        _north_star(loaded),
        _value_model(loaded),
        _baseline(loaded),
        _ethics(loaded),
    )
    statuses = [c.status for r in rows for c in r.cells] + [p.status for p in project]
    n_fail = statuses.count("fail")
    return Scorecard(
        spec=str(loaded.file or ""),
        properties=PROPERTIES,
        rows=tuple(rows),
        project=project,
        n_pass=statuses.count("pass"),
        n_warn=statuses.count("warn"),
        n_fail=n_fail,
        passed=n_fail == 0,
    )
