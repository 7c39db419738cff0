"""Text renderings (rich tables or markdown) of an automatic judge's validation and estimates.

Each report becomes a list of sections (a heading, a line of text, a table), so the terminal,
the markdown and the HTML page say the same thing.
"""

from __future__ import annotations

import math

from proxymetric.report import format_interval, format_number
from proxymetric.report.sections import Section

__all__ = ["judge_sections"]


def _n(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:,.0f}"


def _num(x: float) -> str:
    return format_number(x, digits=3)


def _score(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:.0f}"


def _agreement(r: object, heading: str) -> list[Section]:
    from proxymetric.judges.validation import JudgeAgreement

    assert isinstance(r, JudgeAgreement)
    text = (
        f"{r.human_labels:,} people's labels against the judge's on the same units: "
        f"{r.observed_agreement:.1%} agree, Cohen's kappa {_num(r.cohen_kappa)}; rows: people, "
        "columns: the judge"
    )
    rows = tuple(
        (c, *(f"{x:,}" for x in row)) for c, row in zip(r.categories, r.confusion, strict=True)
    )
    return [Section(heading, text, ("people / judge", *r.categories), rows)]


def _bias_rows(bias: tuple[object, ...], what: str) -> tuple[tuple[str, ...], ...]:
    from proxymetric.judges.validation import JudgeBias

    rows = []
    for b in bias:
        assert isinstance(b, JudgeBias)
        rows.append(
            (
                b.system or what,
                f"{b.human_labels:,}",
                _num(b.bias),
                format_interval(b.bias_ci_lower, b.bias_ci_upper),
            )
        )
    return tuple(rows)


def _self_preference(r: object, text: str) -> Section:
    from proxymetric.judges.validation import SelfPreference

    assert isinstance(r, SelfPreference)
    return Section(
        "Self-preference",
        text,
        ("judge family", "own systems", "units", "self-preference", "CI"),
        (
            (
                r.judge_family,
                ", ".join(r.own_systems),
                f"{r.human_labels:,}",
                _num(r.self_preference),
                format_interval(r.self_preference_ci_lower, r.self_preference_ci_upper),
            ),
        ),
    )


def _labels_sections(r: object) -> list[Section]:
    from proxymetric.judges.validation import JudgeLabelsReport

    assert isinstance(r, JudgeLabelsReport)
    level = f"{r.confidence_level:.0%}"
    what = f"share labelled {r.positive!r}" if r.positive else "mean label"
    columns = (
        "system",
        "corrected",
        f"{level} CI",
        "people only",
        f"{level} CI",
        "judge only",
        f"{level} CI",
        "people",
        "judge",
        "worth",
    )

    def row(e: object, name: str) -> tuple[str, ...]:
        from proxymetric.judges.inference import CorrectedMean

        assert isinstance(e, CorrectedMean)
        return (
            name,
            _num(e.estimate),
            format_interval(e.estimate_ci_lower, e.estimate_ci_upper),
            _num(e.human_estimate),
            format_interval(e.human_estimate_ci_lower, e.human_estimate_ci_upper),
            _num(e.judge_estimate),
            format_interval(e.judge_estimate_ci_lower, e.judge_estimate_ci_upper),
            f"{e.human_labels:,}",
            f"{e.judge_labels:,}",
            _n(e.effective_human_labels),
        )

    sections = [
        Section(
            "Corrected estimates",
            f"{what} over every unit, from {r.judge!r} corrected by people's labels (PPI++); "
            "'worth': the people's labels alone that would give the corrected interval; the "
            "judge-only interval ignores the judge's bias",
            columns,
            tuple(row(e, e.system or "all") for e in r.estimates),
        )
    ]
    if r.differences:
        sections.append(
            Section(
                "Paired differences",
                "each system minus the baseline on the same items",
                columns,
                tuple(row(d, f"{d.system} - {d.baseline}") for d in r.differences),
            )
        )
    if r.recall is not None and r.precision is not None:
        sections.append(
            Section(
                "Recall and precision of the judge",
                "recall: share of people's positives the judge calls positive; precision: share "
                "of the judge's positives people call positive; over every unit",
                columns,
                (row(r.recall, "recall"), row(r.precision, "precision")),
            )
        )
    if r.agreement is not None:
        sections += _agreement(r.agreement, "Agreement with people")
    sections.append(
        Section(
            "Bias of the judge",
            f"the judge's {what} minus people's on the units both labelled",
            ("system", "units", "bias", f"{level} CI"),
            _bias_rows(r.bias, "all"),
        )
    )
    if r.self_preference is not None:
        sections.append(
            _self_preference(
                r.self_preference,
                "the judge's bias on its own family's systems minus its bias on the others",
            )
        )
    if r.plan is not None:
        p = r.plan
        sections.append(
            Section(
                "Human labels needed",
                f"for a {level} interval of width {_num(p.target_width)} on the mean over every "
                f"unit, at the measured correlation {_num(p.correlation)} of judge and people",
                ("with the judge", "judge labels", "people alone"),
                ((f"{p.human_labels:,}", f"{p.judge_labels:,}", f"{p.human_only_labels:,}"),),
            )
        )
    if r.mix is not None:
        m = r.mix
        sections.append(
            Section(
                "Cheapest mix",
                f"a human label costs {_num(m.cost_per_human_label)}, a judge label "
                f"{_num(m.cost_per_judge_label)}",
                ("human labels", "judge-only labels", "cost", "width", "people alone", "cost"),
                (
                    (
                        f"{m.human_labels:,}",
                        f"{m.judge_labels:,}",
                        _num(m.cost),
                        _num(m.width),
                        f"{m.human_only_labels:,}",
                        _num(m.human_only_cost),
                    ),
                ),
            )
        )
    return sections


def _pairwise_sections(r: object) -> list[Section]:
    from proxymetric.judges.validation import JudgePairwiseReport

    assert isinstance(r, JudgePairwiseReport)
    level = f"{r.confidence_level:.0%}"
    s = r.scores
    anchor = f"{s.reference!r} fixed at 1000" if s.reference else "mean 1000"
    sections = [
        Section(
            "Corrected scores",
            f"Bradley-Terry scores ({anchor}) of what people would prefer, from {r.judge!r}'s "
            f"{s.judge_labels:,} comparisons corrected by people's {s.human_labels:,} (PPI++, "
            f"lam {s.lam:.2f}); worth {_n(s.effective_human_labels)} people's judgments alone",
            (
                "system",
                "corrected",
                f"{level} CI",
                "people only",
                f"{level} CI",
                "judge only",
                f"{level} CI",
            ),
            tuple(
                (
                    c.system,
                    _score(c.score),
                    f"[{_score(c.score_ci_lower)}, {_score(c.score_ci_upper)}]",
                    _score(c.human_score),
                    f"[{_score(c.human_score_ci_lower)}, {_score(c.human_score_ci_upper)}]",
                    _score(c.judge_score),
                    f"[{_score(c.judge_score_ci_lower)}, {_score(c.judge_score_ci_upper)}]",
                )
                for c in s.systems
            ),
        )
    ]
    sections += _agreement(r.agreement, "Agreement with people")
    if r.position is not None:
        p = r.position
        sections.append(
            Section(
                "Position bias",
                "share of decided judgments won by the output shown first",
                ("who", "judgments", "share first wins", f"{level} CI"),
                (
                    (
                        "judge",
                        f"{p.judge_judgments:,}",
                        f"{p.judge_share_first_wins:.1%}",
                        format_interval(
                            p.judge_share_first_wins_ci_lower, p.judge_share_first_wins_ci_upper
                        ),
                    ),
                    (
                        "people",
                        f"{p.human_judgments:,}",
                        f"{p.human_share_first_wins:.1%}",
                        format_interval(
                            p.human_share_first_wins_ci_lower, p.human_share_first_wins_ci_upper
                        ),
                    ),
                    (
                        "judge - people",
                        "",
                        _num(p.bias),
                        format_interval(p.bias_ci_lower, p.bias_ci_upper),
                    ),
                ),
            )
        )
    sections.append(
        Section(
            "Bias by system",
            "the judge's wins for each system minus people's, on the comparisons both judged",
            ("system", "comparisons", "bias", f"{level} CI"),
            _bias_rows(r.bias, "all"),
        )
    )
    if r.self_preference is not None:
        sections.append(
            _self_preference(
                r.self_preference,
                "how much more often than people the judge prefers its own family's system "
                "when it meets another",
            )
        )
    return sections


def judge_sections(r: object) -> list[Section]:
    """Return the sections of a judge report (labels or pairwise judgments)."""
    from proxymetric.judges.validation import JudgeLabelsReport

    return _labels_sections(r) if isinstance(r, JudgeLabelsReport) else _pairwise_sections(r)
