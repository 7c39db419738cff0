"""Sections of a :class:`~proxymetric.classifier.policy.PolicyResult` (terminal, markdown, HTML).

The sentences about a review-band policy are written here, from the numbers of the result.
"""

from __future__ import annotations

import math

from proxymetric.classifier.policy import PolicyOutcome, PolicyResult
from proxymetric.report._format import format_number
from proxymetric.report.sections import Section
from proxymetric.value import format_money

__all__ = ["POLICY_NAMES", "policy_sections"]

POLICY_NAMES = {
    "best": "model + review band",
    "model_only": "model only",
    "humans_only": "humans only",
    "do_nothing": "do nothing",
}


def _threshold(value: float) -> str:
    if math.isnan(value):
        return "—"
    return "none" if math.isinf(value) else f"{value:.6g}"


def _money_interval(low: float, high: float, currency: str) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return "—"
    return f"[{format_money(low, currency)}, {format_money(high, currency)}]"


def _row(p: PolicyOutcome, currency: str) -> tuple[str, ...]:
    return (
        POLICY_NAMES.get(p.policy, p.policy),
        _threshold(p.t_low),
        _threshold(p.t_high),
        format_number(p.reviews_per_day, digits=3),
        f"{p.recall:.1%}",
        "—" if math.isnan(p.precision) else f"{p.precision:.1%}",
        format_number(p.false_blocks_per_day, digits=3),
        format_number(p.missed_per_day, digits=3),
        format_money(p.profit, currency),
        _money_interval(p.profit_ci_lower, p.profit_ci_upper, currency),
        _money_interval(p.apparent_profit_ci_lower, p.apparent_profit_ci_upper, currency),
    )


def policy_sections(result: PolicyResult, currency: str = "") -> list[Section]:
    """Return the policies table, the verdict, the prevalence note and the cost curve."""
    level = f"{result.confidence_level:.0%}"
    best = result.policy("best")
    intervals = (
        f"{level} intervals from {result.n_bootstrap:,} bootstrap rounds of the examples with "
        "the thresholds re-chosen in each and the costs drawn afresh; the naive interval keeps "
        "the chosen thresholds fixed (optimistic)."
        if result.n_bootstrap
        else "No bootstrap: no intervals."
    )
    header = (
        f"{result.n_examples:,} labelled examples ({result.n_bad:,} bad); "
        f"{format_number(result.volume, digits=3)} items a day, review capacity "
        f"{format_number(result.review_capacity, digits=3)} a day; "
        f"{result.n_thresholds:,} candidate thresholds. Profit per day against doing nothing. "
        + intervals
    )
    columns = (
        "policy", "t_low", "t_high", "reviews/day", "recall", "precision", "false blocks/day",
        "missed/day", "profit/day", f"{level} interval", "naive interval",
    )  # fmt: skip
    rows = tuple(_row(p, currency) for p in result.policies)
    vs_model = _money_interval(
        result.gain_over_model_only_ci_lower, result.gain_over_model_only_ci_upper, currency
    )
    vs_humans = _money_interval(
        result.gain_over_humans_only_ci_lower, result.gain_over_humans_only_ci_upper, currency
    )
    verdict = (
        f"The best review band sends scores from {_threshold(best.t_low)} to "
        f"{_threshold(best.t_high)} to reviewers ({format_number(best.reviews_per_day, digits=3)}"
        f" a day) and blocks above {_threshold(best.t_high)}: "
        f"{format_money(best.profit, currency)} a day, "
        f"{format_money(result.gain_over_model_only, currency)} {vs_model} more than the model "
        f"alone and {format_money(result.gain_over_humans_only, currency)} {vs_humans} more "
        "than reviewers alone. Choosing the thresholds on this sample flatters them by "
        f"{format_money(best.optimism, currency)} a day (the bootstrap's optimism), already "
        "taken off."
    )
    source = "declared" if result.prevalence_declared else "the sample's, none declared"
    prevalence = (
        f"Production prevalence {result.prevalence:.2%} ({source}); the labelled sample's is "
        f"{result.sample_prevalence:.2%}. Precision, false blocks and money are at production "
        "prevalence: the sample's precision is not production's."
    )
    curve_rows = tuple(
        (
            format_number(c.reviews_per_day, digits=3),
            f"{c.review_share:.2%}",
            f"{c.review_share_used:.2%}",
            _threshold(c.t_low),
            _threshold(c.t_high),
            format_money(c.apparent_profit, currency),
        )
        for c in result.curve
    )
    return [
        Section("Policies", header, columns, rows),
        Section("Decision", verdict),
        Section("Prevalence", prevalence),
        Section(
            "Cost curve: the best policy at each review capacity",
            "In-sample expected profit per day at the mean costs (see the interval above for "
            "its uncertainty).",
            ("capacity/day", "capacity share", "share used", "t_low", "t_high", "profit/day"),
            curve_rows,
        ),
    ]
