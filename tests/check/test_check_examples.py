"""The five worked examples pass the checklist or fail it for the reason their README states."""

from __future__ import annotations

from pathlib import Path

import pytest
from statsmodels.stats.power import NormalIndPower

from proxymetric.check import check_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# The failures each README documents (an empty tuple: the example passes).
EXPECTED = {
    "recommender": (),
    "nsfw-moderation": (),
    "support-automation": (),
    "rag-headquarters": (
        "search_hours.cheap_and_fast",
        "search_hours.sensitive",
        "helpdesk_tickets.cheap_and_fast",
        "helpdesk_tickets.sensitive",
    ),
    "ads-load": ("retention_7.cheap_and_fast", "retention_7.sensitive"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_passes_or_fails_for_the_documented_reason(name: str) -> None:
    card = check_spec(EXAMPLES / name / "proxymetric.yaml")
    assert card.failures() == EXPECTED[name]
    assert card.passed == (not EXPECTED[name])
    readme = (EXAMPLES / name / "README.md").read_text(encoding="utf-8")
    assert "## The good-metric checklist" in readme
    for failure in EXPECTED[name]:
        metric, prop = failure.split(".")
        assert f"`{metric}`" in readme
        assert prop.replace("_", " ").replace("cheap and fast", "cheap and fast") in readme


def test_rag_ab_plan_is_not_sensitive_and_the_blind_test_is() -> None:
    card = check_spec(EXAMPLES / "rag-headquarters" / "proxymetric.yaml")
    ab = card.row("search_hours").cell("sensitive")
    # Reference: statsmodels' two-sided 5% z-test with 80% power at 150 employees per arm, the
    # standardized effect times sd / mean (1.47 / 1.83).
    d = NormalIndPower().solve_power(effect_size=None, nobs1=150, alpha=0.05, power=0.8)
    assert ab.value == pytest.approx(d * 1.47 / 1.83, rel=1e-4)
    assert ab.reason == (
        "not sensitive enough: MDE 26.0% at 14 days (300 units) > the expected effect 8.7%"
    )
    assert "blind test" in ab.advice
    blind = card.row("answer_preference")
    assert blind.cell("sensitive").status == "pass"
    assert blind.cell("cheap_and_fast").value == 194  # the README's 194 pairs
    readme = (EXAMPLES / "rag-headquarters" / "README.md").read_text(encoding="utf-8")
    assert ab.reason in readme
    assert blind.cell("sensitive").reason in readme


def test_ads_retention_margin_needs_more_users_than_the_test_had() -> None:
    card = check_spec(EXAMPLES / "ads-load" / "proxymetric.yaml")
    cheap = card.row("retention_7").cell("cheap_and_fast")
    sensitive = card.row("retention_7").cell("sensitive")
    readme = (EXAMPLES / "ads-load" / "README.md").read_text(encoding="utf-8")
    assert cheap.reason in readme
    assert sensitive.reason in readme
