"""Text renderings of a proxy report: the ranking table a team can act on."""

from __future__ import annotations

import math

from proxymetric.proxies.chain import ChainReport
from proxymetric.proxies.holdout import HoldoutRollup
from proxymetric.proxies.impact import ProgramImpact
from proxymetric.proxies.validation import ProxyReport
from proxymetric.report import format_number, format_pvalue
from proxymetric.report._count import counted
from proxymetric.report._text import visible
from proxymetric.report.sections import Section

__all__ = [
    "chain_sections",
    "chain_text",
    "holdout_sections",
    "holdout_text",
    "impact_sections",
    "proxy_sections",
]


def _r(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:+.2f}"


def _pct(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:.0%}"


def _interval(lo: float, hi: float) -> str:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "—"
    return f"[{lo:+.2f}, {hi:+.2f}]"


def _money(x: float | None) -> str:
    return "—" if x is None else format_number(x)


def chain_text(rep: ChainReport) -> str:
    """Return the recommendation of a :class:`ChainReport` as one sentence."""
    limits = []
    if rep.budget is not None:
        limits.append(f"a budget of {format_number(rep.budget)} per decision")
    if rep.max_days is not None:
        limits.append(f"at most {rep.max_days:g} days")
    within = f" within {' and '.join(limits)}" if limits else ""
    if rep.recommendation == "no_information":
        return (
            f"no step's relation to {rep.target} can be estimated from these launches (too few "
            "launches with both, or no detectable true-effect variance)"
        )
    if rep.recommendation == "nothing_affordable":
        return (
            f"no step fits{within}: declare the cost and duration of each level "
            "(--cost, --duration) or raise the limits"
        )
    best = next(r for r in rep.rows if r.step == rep.recommended_step)
    if best.step == rep.target:
        return (
            f"decide at {best.step} itself{within}: its estimate correlates "
            f"{best.correlation_with_target:.2f} with its true effect; no cheaper step predicts "
            f"it better (wrong-sign probability {best.wrong_sign_probability:.1%})"
        )
    return (
        f"decide at {best.step}{within}: its estimate correlates "
        f"{best.correlation_with_target:.2f} with the true effect on {rep.target}; "
        f"wrong-sign probability {best.wrong_sign_probability:.1%}"
    )


def chain_sections(rep: ChainReport) -> list[Section]:
    """Return the sections of a :class:`ChainReport`: the links, the decision points, the
    recommendation, then the caveats."""
    level = f"{rep.confidence_level:.0%}"
    links = Section(
        "How each level predicted the next",
        f"{rep.n_launches:,} launches; true = noise-corrected (total covariance); "
        f"{level} BCa bootstrap intervals over launches ({rep.n_bootstrap:,} rounds); "
        f"noise covariance between metrics of one A/B analysis {rep.noise_covariance}",
        (
            "lower",
            "upper",
            "launches",
            "true slope",
            f"{level} interval",
            "naive slope",
            "true corr",
            f"{level} interval",
            "naive corr",
            "reliability",
            "wrong sign",
        ),
        tuple(
            (
                lk.lower_step,
                lk.upper_step,
                f"{lk.n_launches:,}",
                _r(lk.true_slope),
                _interval(lk.true_slope_ci_lower, lk.true_slope_ci_upper),
                _r(lk.naive_slope),
                _r(lk.true_correlation),
                _interval(lk.true_correlation_ci_lower, lk.true_correlation_ci_upper),
                _r(lk.naive_correlation),
                _pct(lk.reliability),
                _pct(lk.wrong_sign_probability),
            )
            for lk in rep.links
        ),
    )
    steps = Section(
        f"Where to decide for {rep.target}",
        "correlation of each step's estimate (at its usual noise) with the true effect on "
        "the target, and the chance a decision on its sign is wrong there",
        ("step", "launches", "corr with target", "wrong sign", "cost", "days", "fits"),
        tuple(
            (
                r.step,
                f"{r.n_launches:,}",
                _r(r.correlation_with_target),
                _pct(r.wrong_sign_probability),
                _money(r.cost),
                "—" if r.duration_days is None else f"{r.duration_days:g}",
                "—" if r.affordable is None else ("yes" if r.affordable else "no"),
            )
            for r in rep.rows
        ),
    )
    sections = [links, steps, Section("Recommendation", chain_text(rep))]
    if rep.warnings:
        sections.append(Section("Warnings", "\n".join(f"- {visible(w)}" for w in rep.warnings)))
    return sections


def proxy_sections(rep: ProxyReport) -> list[Section]:
    """Return the sections of a :class:`ProxyReport`: the ranking, then the caveats."""
    weights = ", ".join(f"{p} {w:.2f}" for p, w in rep.composite_weights.items() if w > 0)
    text = (
        f"{counted(rep.n_experiments, 'comparison')} ({rep.n_dropped:,} dropped for missing "
        f"numbers); tests of {counted(rep.units, 'unit')}; noise covariance between metrics "
        f"{rep.noise_covariance}"
        + (
            f" (correlation {rep.assumed_noise_correlation:g})"
            if rep.noise_covariance != "measured"
            else ""
        )
        + f"; composite: {weights or 'empty'}"
    )
    rows = tuple(
        (
            str(r.rank),
            r.metric + (" (north star)" if r.kind == "north_star" else ""),
            _r(r.cv_correlation_at_size),
            _r(r.correlation_at_size),
            _pct(r.wrong_sign_probability),
            _r(r.true_correlation),
            _r(r.crossfold_correlation),
            _r(r.naive_correlation),
            _pct(r.movement_probability),
            f"{_pct(r.sign_agreement)} of {r.n_both_significant}",
        )
        for r in rep.rows
    )
    sections = [
        Section(
            f"Proxies for {rep.north_star}",
            text,
            (
                "rank",
                "decision metric",
                "corr at size (CV)",
                "in sample",
                "wrong sign",
                "true corr",
                "cross-fold",
                "naive corr",
                "moves",
                "sign agrees",
            ),
            rows,
        ),
        Section("Recommendation", rep.recommendation),
    ]
    if rep.warnings:
        # one line per warning: a newline inside a warning is shown, not followed
        sections.append(Section("Warnings", "\n".join(f"- {visible(w)}" for w in rep.warnings)))
    return sections


def impact_sections(imp: ProgramImpact) -> list[Section]:
    """Return the sections of a :class:`ProgramImpact`: totals, then each shipped change.

    With nothing shipped there is no total to value: one line says so instead of a table of
    zeros.
    """
    level = f"{imp.confidence_level:.0%}"
    if imp.n_shipped == 0:
        return [
            Section(
                f"Program impact on {imp.metric}",
                f"no experiment shipped: none of the {counted(imp.n_experiments, 'comparison')} "
                f"with {imp.metric} is marked shipped (by the shipped column of an import, or a "
                "recorded ship decision), so the program has no impact to value",
            )
        ]
    text = (
        f"{imp.n_shipped:,} shipped of {counted(imp.n_experiments, 'comparison')}; value of one "
        f"unit of {imp.metric} per unit reached {imp.value_per_unit:g}, "
        f"{counted(imp.units, 'unit')} reached; prior of true effects "
        f"N({imp.prior_mean:.4g}, {imp.prior_sd:.4g}^2) fitted over all comparisons"
    )
    totals = Section(
        f"Program impact on {imp.metric}",
        text,
        ("claimed (naive sum)", "earned (shrunk sum)", f"{level} interval", "overstatement"),
        (
            (
                format_number(imp.naive_money),
                format_number(imp.shrunk_money),
                (
                    f"[{format_number(imp.shrunk_money_ci_lower)}, "
                    f"{format_number(imp.shrunk_money_ci_upper)}]"
                ),
                format_number(imp.overstatement),
            ),
        ),
    )
    rows = Section(
        "Shipped changes",
        "shrinkage: share of the distance to the prior mean removed (the winner's curse)",
        ("comparison", "effect", "se", "shrunk effect", "shrinkage", "money", "shrunk money"),
        tuple(
            (
                s.comparison,
                format_number(s.effect),
                format_number(s.effect_se),
                format_number(s.shrunk_effect),
                _pct(s.shrinkage),
                format_number(s.money),
                format_number(s.shrunk_money),
            )
            for s in imp.shipped
        ),
    )
    return [totals, rows]


def _span(lo: float, hi: float, *, percent: bool = False) -> str:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "—"
    return f"[{format_number(lo, percent=percent)}, {format_number(hi, percent=percent)}]"


def _share_span(lo: float, hi: float, kind: str) -> str:
    if kind == "bounded":
        return f"[{lo:.0%}, {hi:.0%}]"
    return "unbounded" if kind == "whole_line" else "unbounded (excludes an interval)"


def holdout_text(r: HoldoutRollup) -> str:
    """Return what the roll-up says, as sentences: the shares and the two tests."""
    level = f"{r.confidence_level:.0%}"
    parts = []
    for name, share, kind, z, p in (
        ("claimed (naive) sum", r.naive_share, r.naive_share_interval, r.naive_z, r.naive_pvalue),
        (
            "winner's-curse-corrected (shrunk) sum",
            r.shrunk_share,
            r.shrunk_share_interval,
            r.shrunk_z,
            r.shrunk_pvalue,
        ),
    ):
        shown = "—" if not math.isfinite(share) else f"{share:.0%}"
        line = f"{shown} of the {name} (z = {z:+.2f}, p = {format_pvalue(p)})"
        if kind != "bounded":
            line += (
                f"; the share has no finite {level} interval: the sum is not distinguishable "
                f"from zero at that level"
            )
        parts.append(line)
    return (
        "the holdout measured "
        + "; and ".join(parts)
        + ". The test against the naive sum rejects too often by construction: the shipped "
        "estimates were selected for being large (the winner's curse); the shrunk sum is the "
        "fair comparison"
    )


def holdout_sections(r: HoldoutRollup) -> list[Section]:
    """Return the sections of a :class:`HoldoutRollup`: the three effects, the realized shares
    and tests, then each shipped change it covers."""
    level = f"{r.confidence_level:.0%}"
    money = math.isfinite(r.value_per_unit)
    text = (
        f"{r.holdout} ({r.variant} against the held-out control) against "
        f"{counted(r.n_shipped, 'shipped comparison')} with {r.metric}; each effect times its "
        f"reach, absolute effects assumed additive; relative to the holdout's control mean "
        f"{format_number(r.control_mean)}; prior of true effects N({r.prior_mean:.4g}, "
        f"{r.prior_sd:.4g}^2) fitted over {counted(r.n_experiments, 'comparison')}"
        + (
            f"; money at {r.value_per_unit:g} per unit of {r.metric}, {counted(r.units, 'unit')}"
            if money
            else ""
        )
    )
    columns: tuple[str, ...] = ("", "effect", f"{level} interval", "relative")
    if money:
        columns += ("money", f"{level} interval (money)")
    rows = []
    for name, eff, lo, hi, rel, m, mlo, mhi in (
        (
            "holdout (measured)",
            r.holdout_effect,
            r.holdout_effect_ci_lower,
            r.holdout_effect_ci_upper,
            r.rel_holdout_effect,
            r.holdout_money,
            r.holdout_money_ci_lower,
            r.holdout_money_ci_upper,
        ),
        (
            "claimed (naive sum)",
            r.naive_sum,
            r.naive_sum_ci_lower,
            r.naive_sum_ci_upper,
            r.rel_naive_sum,
            r.naive_money,
            r.naive_money_ci_lower,
            r.naive_money_ci_upper,
        ),
        (
            "earned (shrunk sum)",
            r.shrunk_sum,
            r.shrunk_sum_ci_lower,
            r.shrunk_sum_ci_upper,
            r.rel_shrunk_sum,
            r.shrunk_money,
            r.shrunk_money_ci_lower,
            r.shrunk_money_ci_upper,
        ),
    ):
        row: tuple[str, ...] = (
            name,
            format_number(eff),
            _span(lo, hi),
            format_number(rel, percent=True),
        )
        if money:
            row += (format_number(m), _span(mlo, mhi))
        rows.append(row)
    shares = Section(
        "Realized share",
        f"holdout effect / sum, with Fieller's {level} interval and the delta-method se; "
        "z-test of holdout = sum (two-sided)",
        ("against", "share", f"{level} interval (Fieller)", "se (delta)", "z", "p-value"),
        tuple(
            (
                name,
                "—" if not math.isfinite(share) else f"{share:.0%}",
                _share_span(lo, hi, kind),
                "—" if not math.isfinite(se) else f"{se:.0%}",
                f"{z:+.2f}" if math.isfinite(z) else "—",
                format_pvalue(p),
            )
            for name, share, lo, hi, kind, se, z, p in (
                (
                    "naive sum",
                    r.naive_share,
                    r.naive_share_ci_lower,
                    r.naive_share_ci_upper,
                    r.naive_share_interval,
                    r.naive_share_se,
                    r.naive_z,
                    r.naive_pvalue,
                ),
                (
                    "shrunk sum",
                    r.shrunk_share,
                    r.shrunk_share_ci_lower,
                    r.shrunk_share_ci_upper,
                    r.shrunk_share_interval,
                    r.shrunk_share_se,
                    r.shrunk_z,
                    r.shrunk_pvalue,
                ),
            )
        ),
    )
    launches = Section(
        "Shipped changes covered",
        "ended: the date of the experiment's latest result record; reach: the share of the "
        "holdout's population the change reaches",
        ("comparison", "ended", "reach", "effect", "se", "shrunk effect"),
        tuple(
            (
                x.comparison,
                x.ended or "—",
                f"{x.reach:.0%}",
                format_number(x.effect),
                format_number(x.effect_se),
                format_number(x.shrunk_effect),
            )
            for x in r.launches
        ),
    )
    return [
        Section(f"Program against holdout {r.holdout} on {r.metric}", text, columns, tuple(rows)),
        shares,
        Section("Reading", holdout_text(r)),
        launches,
    ]
