"""The worked examples run, and their READMEs quote the numbers proxymetric computes."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy import special, stats
from statsmodels.stats.power import NormalIndPower

from proxymetric.spec import load_spec
from proxymetric.value import Normal, ValueResult, format_money, load_value_model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = ["nsfw-moderation", "rag-headquarters", "support-automation", "ads-load", "recommender"]


def _run(name: str) -> tuple[ValueResult, str]:
    model, spec = load_value_model(EXAMPLES / name / "proxymetric.yaml")
    result = model.analyze(draws=spec.draws, seed=spec.seed)
    readme = (EXAMPLES / name / "README.md").read_text(encoding="utf-8")
    return result, readme


@pytest.mark.parametrize("name", NAMES)
def test_example_is_a_valid_spec(name: str) -> None:
    # The whole file (metric tree, sources, experiments) passes the spec loader's checks.
    spec = load_spec(EXAMPLES / name / "proxymetric.yaml")
    assert spec.value is not None
    assert spec.goal
    assert spec.request


@pytest.mark.parametrize("name", NAMES)
def test_readme_quotes_the_computed_decision(name: str) -> None:
    result, readme = _run(name)
    rec = result.recommendation
    best = result.summary(rec.best_expected)
    money = format_money(best.mean, result.currency).removesuffix(" EUR")
    for text in (f"`{rec.best_expected}`", f"**{money}", f"**{best.prob_loss:.1%}**"):
        assert text in readme, text
    if rec.best_within_risk_limit is not None:
        assert f"`{rec.best_within_risk_limit}`" in readme
    for h in result.headroom:
        assert format_money(h.mean, result.currency).removesuffix(" EUR") in readme


def test_rag_power_numbers_in_the_readme() -> None:
    # Closed forms for a two-sided 5% z-test with 80% power, checked against statsmodels'
    # NormalIndPower. Mean search time per employee-week: PERT mean of searches (4 + 4*8 + 15)/6
    # times the lognormal mean of minutes, median 10 and p90 25: 10 exp(sigma^2 / 2).
    sigma = math.log(2.5) / special.ndtri(0.9)
    hours = (4 + 4 * 8 + 15) / 6 * 10 * math.exp(sigma**2 / 2) / 60
    sd = 0.8 * hours  # stated assumption: between-employee sd = 0.8 x mean
    z, zb = stats.norm.ppf(0.975), stats.norm.ppf(0.8)
    se = sd * math.sqrt(2 / 150)
    mde = (z + zb) * se
    # Expected share of search time saved, at the means of the inputs.
    quality = 75 / 122
    saved = 0.5 * 0.6 * (quality * (0.3 + 2.4 + 0.8) / 6 - (1 - quality) * (0.05 + 0.6 + 0.4) / 6)
    effect = saved * hours
    power = stats.norm.cdf(effect / se - z) + stats.norm.cdf(-effect / se - z)
    per_arm = 2 * ((z + zb) * sd / effect) ** 2
    reference = NormalIndPower()
    assert power == pytest.approx(reference.power(effect / sd, nobs1=150, alpha=0.05), rel=1e-6)
    assert per_arm == pytest.approx(
        reference.solve_power(effect / sd, power=0.8, alpha=0.05), rel=1e-4
    )
    # Blind test: pairs for 80% power at a 60% win rate against 50% (one-sample proportion).
    pairs = ((z * 0.5 + zb * math.sqrt(0.6 * 0.4)) / 0.1) ** 2
    wins = stats.binomtest(74, 120, 0.5)
    readme = (EXAMPLES / "rag-headquarters" / "README.md").read_text(encoding="utf-8")
    quoted = [
        f"{hours:.2f} hours per week",
        f"**{mde:.2f} hours per week, {mde / hours:.0%} of all search time**",
        f"**{saved:.1%}**",
        f"**{power:.0%} power**",
        f"**{math.ceil(per_arm):,} employees per arm**",
        f"**{math.ceil(pairs)} pairs**",
        f"p = {wins.pvalue:.3f}",
    ]
    for text in quoted:
        assert text in readme, text


def test_ads_effects_come_from_the_analysed_experiment() -> None:
    from proxymetric.analysis import analyze

    model, _ = load_value_model(EXAMPLES / "ads-load" / "proxymetric.yaml")
    result = analyze(EXAMPLES / "ads-load" / "proxymetric.yaml", "ads-4")
    rows = {r.metric: r for r in result.results}
    inputs = model.scopes["four_ads"].inputs
    retention = rows["retention_7"]
    assert inputs["retention_effect"][1].distribution == Normal(
        retention.effect, retention.effect_se
    )
    # Relative scale: the analysis' delta-method standard error of the relative effect,
    # (1 + rel) * s with s the log-ratio standard error; the log-scale 95% interval is
    # exp(log(1 + rel) +- t s) - 1, so s is read back from it (reference: the interval).
    revenue = rows["ad_revenue"]
    dist = inputs["revenue_lift"][1].distribution
    assert isinstance(dist, Normal)
    assert dist.mean == revenue.rel_effect
    assert dist.sd == revenue.rel_effect_se
    q = stats.t.ppf(0.975, revenue.df)
    log_se = (math.log1p(revenue.rel_effect_ci_upper) - math.log1p(revenue.rel_effect_ci_lower)) / (
        2 * q
    )
    assert dist.sd == pytest.approx((1 + revenue.rel_effect) * log_se, rel=1e-3)


CHECKED = [n for n in NAMES if "proxymetric check" in (EXAMPLES / n / "README.md").read_text()]


@pytest.mark.parametrize("name", CHECKED)
def test_readme_quotes_the_checklist_verdict(name: str) -> None:
    # Reference: `check_spec` on the example's spec, the scorecard `proxymetric check` prints.
    import re

    from proxymetric.check import check_spec

    card = check_spec(EXAMPLES / name / "proxymetric.yaml")
    readme = (EXAMPLES / name / "README.md").read_text(encoding="utf-8")
    says_pass = "**It passes**" in readme
    says_fail = "**`check` fails it" in readme
    assert says_pass != says_fail
    assert says_pass is card.passed
    summary = f"{'PASS' if card.passed else 'FAIL'}: {card.n_pass} pass, {card.n_warn} warn"
    for quoted in re.findall(r"(?:PASS|FAIL): \d+ pass, \d+ warn", readme):
        assert quoted == summary


def test_ads_business_case_says_the_experiment_is_rolled_back() -> None:
    # Reference: the decision of `analyze` on ads-4 (its retention guardrail is worse).
    from proxymetric.analysis import analyze

    decision = analyze(EXAMPLES / "ads-load" / "proxymetric.yaml", "ads-4").decision
    assert decision.verdict == "rollback"
    result, readme = _run("ads-load")
    (linked,) = result.experiments
    assert (linked.experiment, linked.decision) == ("ads-4", decision.verdict)
    assert set(linked.inputs) == {"revenue_lift", "retention_effect"}
    assert result.recommendation.text.startswith(linked.warning)
    assert "`proxymetric analyze` rolls back" in readme
