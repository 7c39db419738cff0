"""Text renderings of a proxy report: the ranking table a team can act on."""

from __future__ import annotations

import math

from proxymetric.proxies.impact import ProgramImpact
from proxymetric.proxies.validation import ProxyReport
from proxymetric.report import format_number
from proxymetric.report._count import counted
from proxymetric.report._text import visible
from proxymetric.report.sections import Section

__all__ = ["impact_sections", "proxy_sections"]


def _r(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{x:+.2f}"


def _pct(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:.0%}"


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
