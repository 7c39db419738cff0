"""Text renderings (rich tables or markdown) of blind-test and interleaving results.

Each result becomes a list of sections (a heading, optional text, a table), so the terminal
and the markdown say the same thing.
"""

from __future__ import annotations

import math

from proxymetric.report import format_interval, format_number, format_p, format_pvalue
from proxymetric.report.sections import Section

__all__ = ["blind_test_sections", "interleaving_sections"]

_MAX_TAG_ROWS = 20


def _pct(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:.1%}"


def _score(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:.0f}"


def blind_test_sections(r: object) -> list[Section]:
    """Return the sections of a :class:`~proxymetric.pairwise.BlindTestResult`."""
    from proxymetric.pairwise.blind_test import BlindTestResult

    assert isinstance(r, BlindTestResult)
    level = f"{r.confidence_level:.0%}"
    sections = [
        Section(
            "Systems",
            f"{r.judgments:,} judgments on {r.items:,} items; Bradley-Terry scores (Elo-like "
            f"scale, mean 1000), {level} bootstrap intervals over items ({r.n_bootstrap} rounds)",
            ("rank", "system", "score", f"{level} CI", "± SE", "rank range", "win rate", "n"),
            tuple(
                (
                    str(s.rank),
                    s.system,
                    _score(s.score),
                    f"[{_score(s.score_ci_lower)}, {_score(s.score_ci_upper)}]",
                    format_number(s.score_se, digits=2),
                    f"{s.rank_ci_lower}-{s.rank_ci_upper}",
                    _pct(s.win_rate),
                    f"{s.judgments:,}",
                )
                for s in r.systems
            ),
        )
    ]
    sections.append(
        Section(
            "Pairs",
            "observed win rate of system a (ties as half wins) and the model's prediction",
            ("system a", "system b", "n", "a wins", "b wins", "ties", "win rate a", "model"),
            tuple(
                (
                    p.system_a,
                    p.system_b,
                    f"{p.judgments:,}",
                    str(p.wins_a),
                    str(p.wins_b),
                    str(p.ties),
                    _pct(p.win_rate_a),
                    _pct(p.expected_win_rate_a),
                )
                for p in r.pairs
            ),
        )
    )
    checks: list[tuple[str, ...]] = []
    if r.agreement is not None:
        a = r.agreement
        checks.append(
            (
                "rater agreement",
                f"{a.units} units judged more than once",
                (
                    f"Cohen kappa {format_number(a.cohen_kappa, digits=3)}, "
                    f"Fleiss kappa {format_number(a.fleiss_kappa, digits=3)}, "
                    f"Krippendorff alpha {format_number(a.krippendorff_alpha, digits=3)}"
                ),
            )
        )
    if r.position_bias is not None:
        b = r.position_bias
        checks.append(
            (
                "position bias",
                f"first shown wins {_pct(b.share_first_wins)} of {b.judgments} decided",
                (
                    f"[{_pct(b.share_first_wins_ci_lower)}, "
                    f"{_pct(b.share_first_wins_ci_upper)}], {format_p(b.pvalue)}"
                ),
            )
        )
    checks.extend(
        (
            f"rater {c.rater}",
            f"agrees with the others {_pct(c.agreement)} vs {_pct(c.expected)}",
            f"FLAGGED, {format_p(c.pvalue_adjusted, 'Holm-adjusted p')}",
        )
        for c in r.raters
        if c.flagged
    )
    if r.raters and not any(c.judgments for c in r.raters):
        checks.append(
            ("raters", f"{len(r.raters)} raters", "not checked: needs units judged twice")
        )
    elif r.raters and not any(c.flagged for c in r.raters):
        checks.append(("raters", f"{len(r.raters)} raters", "none disagrees beyond chance"))
    if checks:
        sections.append(Section("Trust checks", "", ("check", "observed", "result"), tuple(checks)))
    if r.tags:
        sections.append(
            Section(
                "Tags",
                "how often each tag was given when the system won, lost or tied",
                ("system", "outcome", "tag", "count", "share"),
                tuple(
                    (t.system, t.outcome, t.tag, str(t.count), _pct(t.share))
                    for t in r.tags[:_MAX_TAG_ROWS]
                ),
            )
        )
    if r.notes:
        sections.append(
            Section(
                "Notes",
                "",
                ("system", "outcome", "item", "note"),
                tuple((n.system, n.outcome, n.item, n.note) for n in r.notes),
            )
        )
    return sections


def interleaving_sections(r: object) -> list[Section]:
    """Return the sections of an :class:`~proxymetric.interleaving.InterleavingResult`."""
    from proxymetric.interleaving.analysis import InterleavingResult

    assert isinstance(r, InterleavingResult)
    level = f"{r.confidence_level:.0%}"
    verdict = {"a": "ranker a is preferred", "b": "ranker b is preferred"}.get(
        r.winner, "no significant preference"
    )
    return [
        Section(
            "Interleaving",
            f"{verdict} (sign test at alpha {r.alpha:g}); {r.units:,} units with clicks, "
            f"{r.units_without_clicks:,} without, {r.lists:,} lists, {r.clicks:,} clicks",
            ("measure", "value", f"{level} CI", "p-value"),
            (
                ("units preferring a / b / tie", f"{r.wins_a} / {r.wins_b} / {r.ties}", "", ""),
                (
                    "preference for a",
                    _pct(r.preference_a),
                    f"[{_pct(r.preference_a_ci_lower)}, {_pct(r.preference_a_ci_upper)}]",
                    format_pvalue(r.pvalue),
                ),
                (
                    "delta (a - b)",
                    format_number(r.delta, digits=3),
                    format_interval(r.delta_ci_lower, r.delta_ci_upper, digits=3),
                    "",
                ),
            ),
        )
    ]
