"""The good-metric checklist: each property with a passing and a failing spec, and its reason."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.power import NormalIndPower

from proxymetric.check import PROPERTIES, STATUSES, Scorecard, check_spec
from proxymetric.errors import ProxymetricError, SpecError
from proxymetric.registry import Registry, import_csv


def base() -> dict[str, Any]:
    """A spec whose every check passes (no registry: `validated` warns)."""
    return {
        "request": "Recommend products.",
        "goal": "More sales through personalised offers.",
        "north_star": "margin",
        "baseline": "best_sellers",
        "model_owner": "reco team",
        "ethics_review": {"reviewer": "board", "date": "2026-01-05", "outcome": "approved"},
        "duration": {"days": 14, "max_days": 56},
        "value": {
            "currency": "$",
            "draws": 2000,
            "inputs": {"users": 1000},
            "outcomes": {"profit": "users * lift * 50 - cost"},
            "alternatives": {
                "model": {
                    "inputs": {"lift": {"dist": "normal", "mean": 0.02, "sd": 0.005, "ideal": 0.1}},
                    "outcomes": {"cost": 500},
                },
                "best_sellers": {"outcomes": {"lift": 0, "cost": 0}},
            },
        },
        "sources": {"users": {"table": "users", "unit": "user_id", "variant": "arm"}},
        "metrics": {
            "margin": {
                "type": "mean",
                "source": "users",
                "column": "margin",
                "role": "north_star",
                "value_per_unit": 1.0,
                "owner": "finance",
                "computed_by": "order pipeline",
            },
            "revenue": {
                "type": "mean",
                "source": "users",
                "column": "revenue",
                "value_per_unit": 0.3,
                "owner": "finance",
                "computed_by": "order pipeline",
                "baseline_mean": 10.0,
                "baseline_sd": 20.0,
                "expected_effect": 0.05,
            },
            "retention": {
                "type": "proportion",
                "source": "users",
                "column": "retained",
                "owner": "growth",
                "computed_by": "activity logs",
                "baseline_mean": 0.4,
                "link": {"reviewed_by": "growth", "note": "lost users lose their margin"},
            },
        },
        "experiments": {
            "reco": {
                "control": "control",
                "primary": "revenue",
                "guardrails": [{"metric": "retention", "margin": 0.02}],
                "secondary": ["margin"],
                "units_per_day": 10000,
            }
        },
    }


def card(spec: dict[str, Any], **kwargs: Any) -> Scorecard:
    return check_spec(spec, **kwargs)


def cell(spec: dict[str, Any], metric: str, prop: str) -> tuple[str, str]:
    c = card(spec).row(metric).cell(prop)
    return c.status, c.reason


def test_base_spec_passes_every_check() -> None:
    result = card(base())
    assert result.passed
    assert result.failures() == ()
    assert result.properties == PROPERTIES
    statuses = [c.status for r in result.rows for c in r.cells] + [p.status for p in result.project]
    assert set(statuses) <= set(STATUSES)
    assert (result.n_pass, result.n_warn, result.n_fail) == (
        statuses.count("pass"),
        statuses.count("warn"),
        statuses.count("fail"),
    )
    # Without a registry nothing is validated: a warning, not a failure.
    assert result.row("revenue").cell("validated").reason == "unvalidated: no registry"


# ----------------------------------------------------------------------------- tied to money


def test_tied_to_money() -> None:
    spec = base()
    assert cell(spec, "revenue", "tied_to_money") == ("pass", "worth $0.3 per unit")
    assert cell(spec, "retention", "tied_to_money") == (
        "pass",
        "linked to margin, reviewed by growth",
    )
    del spec["metrics"]["retention"]["link"]["reviewed_by"]
    assert cell(spec, "retention", "tied_to_money") == (
        "warn",
        "linked to margin, but the link is not reviewed",
    )
    del spec["metrics"]["retention"]["link"]
    assert cell(spec, "retention", "tied_to_money") == (
        "fail",
        "no money value and no reviewed link to the north star",
    )
    # The north star is valued by the value model even without a value per unit.
    del spec["metrics"]["margin"]["value_per_unit"]
    assert cell(spec, "margin", "tied_to_money")[0] == "pass"
    del spec["value"]
    assert cell(spec, "margin", "tied_to_money") == ("fail", "the north star has no money value")


# --------------------------------------------------------------------------- external oracle


def test_external_oracle() -> None:
    spec = base()
    assert cell(spec, "revenue", "external_oracle") == (
        "pass",
        "reads revenue of 'users', produced by order pipeline; definition owned by finance",
    )
    spec["metrics"]["revenue"]["computed_by"] = "Reco Team"  # the model's owner, any case
    status, reason = cell(spec, "revenue", "external_oracle")
    assert status == "fail"
    assert reason == "computed by the model's owner (Reco Team), who is graded by it"
    del spec["metrics"]["revenue"]["computed_by"]
    del spec["metrics"]["revenue"]["owner"]
    assert cell(spec, "revenue", "external_oracle") == (
        "warn",
        (
            "reads revenue of 'users'; who produces it is not declared (`computed_by`); "
            "nobody owns the definition (`owner`)"
        ),
    )


def test_external_oracle_of_an_event_log_metric() -> None:
    spec = base()
    spec["sources"]["events"] = {"table": "events", "unit": "user_id", "timestamp": "ts"}
    spec["sources"]["assign"] = {"table": "a", "unit": "user_id", "variant": "v", "timestamp": "t"}
    spec["metrics"]["orders"] = {
        "type": "mean",
        "source": "events",
        "aggregate": "count",
        "owner": "finance",
        "value_per_unit": 3.0,
    }
    status, reason = cell(spec, "orders", "external_oracle")
    assert (status, reason) == (
        "pass",
        "computed by the tool from the event log 'events'; definition owned by finance",
    )


# ----------------------------------------------------------------------------- attributable


def test_attributable() -> None:
    spec = base()
    assert cell(spec, "revenue", "attributable") == (
        "pass",
        "experiment 'reco', randomized by `user_id`",
    )
    spec["metrics"]["clicks"] = {
        "type": "mean",
        "source": "users",
        "column": "clicks",
        "value_per_unit": 0.1,
    }
    assert cell(spec, "clicks", "attributable") == (
        "fail",
        "no experiment measures it, so no randomization attributes a change to the model",
    )
    spec["metrics"]["clicks"]["role"] = "model_objective"
    assert cell(spec, "clicks", "attributable") == (
        "fail",
        "a model objective with no offline evaluation",
    )
    spec["evaluations"] = {"ndcg": {"kind": "offline", "role": "model_objective"}}
    assert cell(spec, "ndcg", "attributable")[0] == "pass"


# ------------------------------------------------------------------- cheap, fast, sensitive


# The base spec has two success metrics (revenue, margin), which the analysis corrects as one
# family (Holm): each is sized at the first step of Holm, 0.05 / 2, the level `plan` uses too.
SUCCESS_ALPHA = 0.05 / 2


def _mde_reference(
    units_per_arm: float, sd: float, mean: float, one_sided: bool = False, alpha: float = 0.05
) -> float:
    # statsmodels' two-sample z-test power solved for the standardized effect size.
    alternative = "larger" if one_sided else "two-sided"
    d = NormalIndPower().solve_power(
        effect_size=None,
        nobs1=units_per_arm,
        alpha=alpha,
        power=0.8,
        ratio=1.0,
        alternative=alternative,
    )
    return float(d) * sd / mean


def test_sensitive_passes_and_its_mde_matches_statsmodels() -> None:
    # 14 days x 10,000 units a day = 70,000 per arm; sd 20, mean 10.
    c = card(base()).row("revenue").cell("sensitive")
    assert c.status == "pass"
    assert c.value_name == "rel_mde"
    mde = _mde_reference(70_000, 20.0, 10.0, alpha=SUCCESS_ALPHA)
    assert c.value == pytest.approx(mde, rel=1e-4)
    assert c.reason == f"MDE {mde:.1%} at 14 days (140,000 units) <= the expected effect 5.0%"


def test_sensitive_fails_with_what_to_do_instead() -> None:
    spec = base()
    spec["experiments"]["reco"]["units_per_day"] = 200  # 1,400 per arm in 14 days
    c = card(spec).row("revenue").cell("sensitive")
    assert c.status == "fail"
    mde = _mde_reference(1_400, 20.0, 10.0, alpha=SUCCESS_ALPHA)
    assert c.reason.startswith(f"not sensitive enough: MDE {mde:.1%} at 14 days (2,800 units)")
    assert c.value == pytest.approx(mde, rel=1e-4)
    for remedy in ("blind test", "interleaving", "CUPED", "more sensitive proxy"):
        assert remedy in c.advice
    # A test that only a longer run makes sensitive is a warning that says so.
    spec["experiments"]["reco"]["units_per_day"] = 2000
    c = card(spec).row("revenue").cell("sensitive")
    assert c.status == "warn"
    assert "a longer test reaches it" in c.reason


def test_sensitive_of_a_guardrail_is_against_its_margin_one_sided() -> None:
    # Reference: one-sided statsmodels power for a proportion with variance p(1-p) in both arms
    # (the MDE of a non-inferiority test is the margin it can verify).
    c = card(base()).row("retention").cell("sensitive")
    assert c.status == "pass"
    assert "its non-inferiority margin 2.0%" in c.reason
    sd = math.sqrt(0.4 * 0.6)
    # The planned proportion MDE uses the treatment's own variance; at this size the two agree
    # to within 1%.
    assert c.value == pytest.approx(_mde_reference(70_000, sd, 0.4, one_sided=True), rel=0.01)


def test_cheap_and_fast_days_and_cost() -> None:
    spec = base()
    c = card(spec).row("revenue").cell("cheap_and_fast")
    # Units for a 5% effect: statsmodels nobs1 per arm for d = 0.05 * 10 / 20 at the success
    # level; 10,000 a day. The test runs whole weeks, at least one.
    per_arm = NormalIndPower().solve_power(effect_size=0.025, alpha=SUCCESS_ALPHA, power=0.8)
    assert c.status == "pass"
    assert c.value_name == "days"
    assert 2 * per_arm / 10_000 < 7
    assert c.value == 7
    # The cost: the control arm forgoes 5% of 10 per unit at $0.3 a unit (closed form).
    cost = math.ceil(per_arm) * 0.05 * 10.0 * 0.3
    assert f"costs ${cost / 1000:.3g}k" in c.reason
    spec["experiments"]["reco"]["units_per_day"] = 1200  # 51 days (8 weeks): longer than planned
    assert card(spec).row("revenue").cell("cheap_and_fast").status == "warn"
    spec["experiments"]["reco"]["units_per_day"] = 500  # 100 days: more than the longest
    c = card(spec).row("revenue").cell("cheap_and_fast")
    assert c.status == "fail"
    assert "more than the 56 days the team would run" in c.reason


def test_a_fixed_population_that_cannot_provide_the_units_fails() -> None:
    spec = base()
    del spec["experiments"]["reco"]["units_per_day"]
    spec["experiments"]["reco"]["population"] = 300
    c = card(spec).row("revenue").cell("cheap_and_fast")
    # Reference: statsmodels' units per arm for d = 0.05 * 10 / 20 at the success level,
    # rounded up, two arms.
    per_arm = math.ceil(
        NormalIndPower().solve_power(effect_size=0.025, alpha=SUCCESS_ALPHA, power=0.8)
    )
    assert c.status == "fail"
    assert c.value == 2 * per_arm
    assert c.reason == f"needs {2 * per_arm:,} units; a population of 300 cannot provide them"


def test_undeclared_traffic_or_effect_is_a_warning_naming_the_keys() -> None:
    spec = base()
    del spec["experiments"]["reco"]["units_per_day"]
    del spec["metrics"]["revenue"]["baseline_sd"]
    status, reason = cell(spec, "revenue", "sensitive")
    assert status == "warn"
    assert reason == (
        "cannot size the test: declare the experiment's `units_per_day` or `population`, "
        "`baseline_sd`"
    )


def test_an_impossible_baseline_is_a_spec_error_naming_the_metric() -> None:
    spec = base()
    spec["metrics"]["retention"]["baseline_mean"] = 1.5
    with pytest.raises(ProxymetricError, match=r"metric 'retention': .*baseline"):
        card(spec)
    spec["metrics"]["retention"]["baseline_mean"] = 0
    with pytest.raises(SpecError, match="`baseline_mean` of metric 'retention' is 0"):
        card(spec)


def test_a_zero_margin_or_expected_effect_cannot_be_shown() -> None:
    spec = base()
    spec["experiments"]["reco"]["guardrails"][0]["margin"] = 0
    spec["metrics"]["revenue"]["expected_effect"] = 0
    result = card(spec)
    assert result.row("retention").cell("sensitive").reason == (
        "its non-inferiority margin is 0: no test can show it"
    )
    assert result.row("revenue").cell("cheap_and_fast").status == "fail"


def _blind(spec: dict[str, Any], sample_size: int) -> dict[str, Any]:
    spec = copy.deepcopy(spec)
    spec["evaluations"] = {
        "preference": {
            "kind": "blind_test",
            "role": "proxy",
            "owner": "analytics",
            "computed_by": "raters",
            "expected_win_rate": 0.6,
            "sample_size": sample_size,
            "cost_per_judgment": 2.0,
            "guardrails": ["retention"],
            "link": {"reviewed_by": "analytics"},
        }
    }
    return spec


def _exact_power(n: int, p: float) -> float:
    # Exact binomial power of the two-sided 5% z-test of a proportion against 1/2 (scipy).
    half_width = stats.norm.ppf(0.975) * 0.5 / math.sqrt(n)
    low, high = n * (0.5 - half_width), n * (0.5 + half_width)
    return float(stats.binom.sf(math.floor(high), n, p) + stats.binom.cdf(math.ceil(low) - 1, n, p))


def test_blind_test_sensitivity_against_the_exact_binomial_power() -> None:
    c = card(_blind(base(), 300)).row("preference").cell("sensitive")
    assert c.status == "pass"
    assert c.value_name == "win_rate"
    # At the detectable win rate the exact binomial power is about 80%; the normal
    # approximation (Fleiss et al. eq. 2.5) is off by the discreteness, a few points at n = 300.
    assert _exact_power(300, c.value) == pytest.approx(0.8, abs=0.03)
    cheap = card(_blind(base(), 300)).row("preference").cell("cheap_and_fast")
    assert cheap.value == 194  # the published 194 pairs for 60% vs 50% (pairwise planning)
    assert cheap.reason == ("needs 194 judgments to see a 60% win rate; costs $388 (planned 300)")
    c = card(_blind(base(), 100)).row("preference").cell("sensitive")
    assert c.status == "fail"
    assert c.reason.startswith("not sensitive enough: detectable win rate")
    assert c.advice == "plan 194 judgments"


# --------------------------------------------------------------------------------- balanced


def test_balanced() -> None:
    spec = base()
    assert cell(spec, "revenue", "balanced") == (
        "pass",
        "balanced by retention (margin 2%)",
    )
    assert cell(spec, "retention", "balanced")[0] == "n/a"
    spec["experiments"]["reco"]["guardrails"] = []
    spec["experiments"]["reco"]["secondary"] = ["margin", "retention"]
    assert cell(spec, "revenue", "balanced") == ("fail", "primary of 'reco' with no guardrail")
    blind = _blind(base(), 300)
    assert cell(blind, "preference", "balanced") == ("pass", "balanced by retention")
    blind["evaluations"]["preference"]["guardrails"] = []
    assert cell(blind, "preference", "balanced") == ("fail", "a proxy with no guardrail")


def test_an_unknown_guardrail_of_an_evaluation_is_a_spec_error() -> None:
    spec = _blind(base(), 300)
    spec["evaluations"]["preference"]["guardrails"] = ["retention_7"]
    with pytest.raises(
        SpecError,
        match=r"guardrail 'retention_7' of evaluation 'preference' is not "
        r"defined; .*did you mean 'retention'",
    ):
        card(spec)


# -------------------------------------------------------------------------------- validated


def _registry(tmp_path: Path, rho: float, seed: int) -> Registry:
    """A registry of 40 past experiments whose true effects on the proxy and the north star
    have correlation ``rho``, measured with small noise (effect_se 0.001 against effects of
    sd 1)."""
    rng = np.random.default_rng(seed)
    cov = [[1.0, rho], [rho, 1.0]]
    true = rng.multivariate_normal([0.0, 0.0], cov, size=40)
    lines = ["experiment,metric,effect,effect_se,control_units,treatment_units"]
    for k, (ns, proxy) in enumerate(true):
        lines.append(f"e{k},margin,{ns + rng.normal(0, 0.001)},0.001,1000,1000")
        lines.append(f"e{k},revenue,{proxy + rng.normal(0, 0.001)},0.001,1000,1000")
    path = tmp_path / "past.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reg = Registry(tmp_path / f"reg{seed}.db")
    import_csv(reg, path)
    return reg


@pytest.mark.parametrize(("rho", "status"), [(0.9, "pass"), (-0.8, "fail"), (0.25, "warn")])
def test_validated_against_the_correlation_of_the_simulated_effects(
    tmp_path: Path, rho: float, status: str
) -> None:
    reg = _registry(tmp_path, rho, seed=3)
    c = card(base(), registry=reg).row("revenue").cell("validated")
    assert c.status == status
    # Reference: the sample correlation of the effects (noise is 1/1000 of their spread, so
    # the noise correction changes it by ~1e-6).
    rows = reg.effect_rows()
    eff = {
        (e, m): v
        for e, m, v in zip(rows["experiment"], rows["metric"], rows["effect"], strict=True)
    }
    ns = [eff[(f"e{k}", "margin")] for k in range(40)]
    px = [eff[(f"e{k}", "revenue")] for k in range(40)]
    assert c.value == pytest.approx(np.corrcoef(ns, px)[0, 1], abs=1e-3)


def test_validated_says_unvalidated_when_the_registry_lacks_the_metric(tmp_path: Path) -> None:
    reg = _registry(tmp_path, 0.9, seed=4)
    status, reason = (
        card(base(), registry=reg).row("retention").cell("validated").status,
        (card(base(), registry=reg).row("retention").cell("validated").reason),
    )
    assert (status, reason) == (
        "warn",
        "unvalidated: the registry has no past effects on 'retention'",
    )
    with pytest.raises(ProxymetricError, match="does not exist"):
        card(base(), registry=tmp_path / "missing.db")


# ---------------------------------------------------------------------------------- project


def test_project_goal_and_north_star() -> None:
    spec = base()
    assert card(spec).project_check("goal").status == "pass"
    del spec["request"]
    assert card(spec).project_check("goal").reason == (
        "goal 'More sales through personalised offers.', but the request it answers is not recorded"
    )
    del spec["goal"]
    assert card(spec).project_check("goal").status == "fail"
    del spec["north_star"]
    assert card(spec).project_check("north_star").status == "fail"
    bare = {"north_star": "Yearly margin.", "goal": "More sales."}
    assert card(bare).project_check("north_star").reason == (
        "Yearly margin., but no metric tree to check: declare `metrics` or `evaluations`"
    )


def test_project_value_model_ideal_must_pay_for_itself() -> None:
    spec = base()
    p = card(spec).project_check("value_model")
    # Closed form: an ideal lift of 0.1 brings 1000 * 0.1 * 50 - 500 = 4,500 > 0 (the rule).
    assert p.status == "pass"
    assert p.value == pytest.approx(4500.0)
    spec["value"]["alternatives"]["model"]["inputs"]["lift"]["ideal"] = (
        0.005  # 1000 * 0.005 * 50 - 500 = -250
    )
    p = card(spec).project_check("value_model")
    assert p.status == "fail"
    assert p.reason.startswith("Even an ideal model (lift at its ideal value) would bring only")
    del spec["value"]["alternatives"]["model"]["inputs"]["lift"]["ideal"]
    assert card(spec).project_check("value_model").status == "warn"
    del spec["value"]
    assert card(spec).project_check("value_model").reason == (
        "no value model: add a `value:` section (see docs/value.md)"
    )


def test_project_baseline_and_ethics_review() -> None:
    spec = base()
    assert card(spec).project_check("baseline").reason == (
        "best_sellers, priced in the value model"
    )
    assert card(spec).project_check("ethics_review").reason == (
        "reviewed by board on 2026-01-05: approved"
    )
    del spec["baseline"]
    del spec["ethics_review"]["outcome"]
    result = card(spec)
    assert result.project_check("baseline").status == "fail"
    assert result.project_check("ethics_review").reason == "the ethics review lacks `outcome`"
    assert result.failures() == ("project.baseline", "project.ethics_review")
    del spec["ethics_review"]
    assert card(spec).project_check("ethics_review").status == "fail"


# ------------------------------------------------------------------------------- invariants


@settings(max_examples=25, deadline=None)
@given(
    per_day=st.floats(min_value=50, max_value=1e6),
    more=st.floats(min_value=1.0, max_value=50.0),
    effect=st.floats(min_value=0.005, max_value=0.5),
)
def test_more_traffic_never_makes_a_metric_less_sensitive(
    per_day: float, more: float, effect: float
) -> None:
    rank = {"pass": 0, "warn": 1, "fail": 2}
    cells = []
    for traffic in (per_day, per_day * more):
        spec = base()
        spec["experiments"]["reco"]["units_per_day"] = traffic
        spec["metrics"]["revenue"]["expected_effect"] = effect
        del spec["value"]  # the invariant is about the metric rows
        cells.append(card(spec).row("revenue").cell("sensitive"))
    low, high = cells
    assert rank[high.status] <= rank[low.status]
    assert high.value <= low.value * (1 + 1e-9)
    # The status follows the MDE: pass exactly when the MDE is within the expected effect.
    for c in cells:
        assert (c.status == "pass") == (c.value <= effect * (1 + 1e-12))


def test_interleaving_is_sized_on_queries_with_a_preference() -> None:
    spec = _blind(base(), 1000)
    spec["evaluations"]["preference"]["kind"] = "interleaving"
    spec["evaluations"]["preference"]["expected_win_rate"] = 0.45  # the new ranker loses
    row = card(spec).row("preference")
    assert row.measured_by == "interleaving"
    cheap = row.cell("cheap_and_fast")
    # A 45% win rate is as far from 1/2 as 55%: the published 783 decided votes.
    assert cheap.value == 783
    assert cheap.reason.startswith("needs 783 queries with a preference to see a 55% win rate")
    assert row.cell("sensitive").status == "pass"
    assert row.cell("external_oracle").reason.startswith("computed by the tool from logged clicks")
    del spec["evaluations"]["preference"]["expected_win_rate"]
    assert card(spec).row("preference").cell("sensitive").reason == (
        "cannot size it: declare `expected_win_rate` (not 0.5)"
    )
