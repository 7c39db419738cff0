"""Result objects turned into parts of a page: the same rows and sentences as the terminal.

Every part reuses the text renderers' formatting (the row strings of
:mod:`proxymetric.report.experiment` and :mod:`proxymetric.report.plan`, the sections of the
capabilities' renderers), adds the charts of :mod:`proxymetric.report.charts` and annotates the
numbers with the JSON field they come from. ``base`` is the JSON pointer of the result inside a
larger document (the whole-chain report), empty for a result on its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from proxymetric.report import charts
from proxymetric.report.html._blocks import (
    Block,
    Cell,
    Decision,
    Definition,
    Definitions,
    Figure,
    Glossary,
    Para,
    Part,
    Table,
    annotate,
    plain,
    pointer,
)
from proxymetric.report.sections import Section

if TYPE_CHECKING:
    from proxymetric.analysis.result import ExperimentResult
    from proxymetric.analysis.sequential import SequentialAnalysis
    from proxymetric.check.results import Scorecard
    from proxymetric.design.plan import PlanResult
    from proxymetric.design.power import PowerResult
    from proxymetric.interleaving.analysis import InterleavingResult
    from proxymetric.offline.evaluation import OfflineResult
    from proxymetric.pairwise.blind_test import BlindTestResult
    from proxymetric.proxies.impact import ProgramImpact
    from proxymetric.proxies.validation import ProxyReport
    from proxymetric.registry.store import Record
    from proxymetric.spec import Spec
    from proxymetric.value import ValueResult

__all__ = [
    "GLOSSARY",
    "blind_test_part",
    "definitions",
    "experiment_part",
    "glossary",
    "impact_part",
    "interleaving_part",
    "offline_part",
    "plan_part",
    "power_part",
    "proxies_part",
    "record_part",
    "records_part",
    "scorecard_part",
    "sections_part",
    "sequential_part",
    "value_part",
]

GLOSSARY = {
    "relative effect": (
        "the treatment's mean over the control's, minus one: +2% means the treatment's "
        "average is 2% higher than the control's; pp are percentage points, the difference "
        "of two shares"
    ),
    "95% interval": (
        "the effects compatible with the data: built this way, such intervals hold the true "
        "effect 95 times in 100; one that excludes zero is a significant difference"
    ),
    "non-inferior at margin": (
        "a guardrail shown to be no worse than the control by more than its margin (at most "
        "2% worse, say): its interval stays inside the margin; it may still be a little worse"
    ),
    "CUPED": (
        "a variance reduction with each unit's data from before the test (Deng, Xu, Kohavi "
        "and Walker, 2013): narrower intervals for the same effect; means marked "
        "CUPED-adjusted are adjusted, raw means are not"
    ),
    "p-value": (
        "how surprising the data would be if there were no effect; below alpha (0.05) the "
        "difference is called significant"
    ),
    "MDE": (
        "minimum detectable effect: the smallest true effect the test finds 8 times in 10 "
        "(its power); a smaller one will most often be missed"
    ),
    "confidence sequence": (
        "an interval valid at every look at once, so a running test can be watched daily "
        "without inflating false alarms"
    ),
    "P(loss)": "the share of the simulated futures in which the alternative loses money",
    "noise-corrected correlation": (
        "the correlation of the true effects of two metrics across past experiments, once the "
        "noise they share is removed (Bibaut et al., 2024)"
    ),
}
"""Plain-language definitions of the terms the pages use."""


def glossary(*terms: str) -> Glossary:
    """The glossary block of ``terms`` (all terms when none is given)."""
    names = terms or tuple(GLOSSARY)
    return Glossary(tuple((t, GLOSSARY[t]) for t in names))


def _tone(mark: str) -> str:
    return {"better": "better", "worse": "worse", "ok": "ok", "?": "unsure"}.get(mark, "")


def _figure(chart: charts.Chart | None) -> list[Block]:
    return [] if chart is None else [Figure(chart)]


# --- metric definitions ------------------------------------------------------------------------

_TYPES = {
    "proportion": "a proportion: the share of units with the event; effects in percentage "
    "points (pp)",
    "mean": "a mean per unit",
    "ratio": "a ratio of sums over units (numerator / denominator)",
    "quantile": "a quantile of the values in each arm (p50, p95, ...): of units, rows or events",
}


def definitions(spec: Spec | None, metrics: Sequence[tuple[str, str, str]]) -> Definitions:
    """Definitions of ``metrics`` (name, type, direction), from the spec when it is given."""
    items = []
    for name, metric_type, direction in metrics:
        m = spec.metrics.get(name) if spec is not None else None
        facts: list[tuple[str, str]] = [("type", _TYPES.get(metric_type, metric_type))]
        if m is not None:
            source = spec.sources.get(m.source) if spec is not None else None
            if source is not None and source.unit:
                facts.append(("unit", f"per {source.unit}"))
        facts.append(
            ("direction", "lower is better" if direction == "decrease" else "higher is better")
        )
        if m is not None:
            facts.append(("computed by", m.computed_by or "not declared (`computed_by`)"))
            facts.append(("owner", m.owner or "not declared (`owner`)"))
            if m.value_per_unit is not None:
                facts.append(("money", f"{m.value_per_unit:g} per unit of the metric"))
            description = m.description or "no description in the spec (`description`)"
        else:
            description = "the spec is not at hand: its description is not shown"
        items.append(Definition(name, tuple(facts), description))
    return Definitions(tuple(items))


# --- A/B analysis ------------------------------------------------------------------------------


def _shown(p: Callable[[str], str], m: Any, q: str) -> list[str | None]:
    """The pointers of the numbers shown for quantity ``q`` and its interval: an infinite end
    (a one-sided bound) is printed as ``inf``, a word, so it carries no pointer."""
    out: list[str | None] = [p(q)]
    low, high = getattr(m, f"{q}_ci_lower"), getattr(m, f"{q}_ci_upper")
    if not (math.isnan(low) or math.isnan(high)):
        ends = (("lower", low), ("upper", high))
        out += [p(f"{q}_ci_{end}") for end, v in ends if math.isfinite(v)]
    return out


def _experiment_table(r: ExperimentResult, base: str) -> Table:
    from proxymetric.report.experiment import _result_text, _rows

    ci = f"{r.confidence_level:.0%} CI"
    several = len(r.variants) > 2
    treatments = [v for v in r.variants if v != r.control]
    columns = ["metric", "role", *(["variant"] if several else []), r.control]
    columns += ["treatment" if several else treatments[0], f"effect [{ci}]", f"relative [{ci}]"]
    columns += ["p-value", "adj. p", "result"]
    rows = []
    for i, (row, m) in enumerate(zip(_rows(r), r.results, strict=True)):

        def p(field: str, i: int = i) -> str:
            return pointer("results", i, field) if not base else base + pointer("results", i, field)

        pp = 100.0 if m.metric_type == "proportion" else 1.0
        guard = [p("margin"), p("noninferiority_pvalue")] if m.margin is not None else []
        cells = [Cell(plain(row.metric)), Cell(plain(row.role))]
        if several:
            cells.append(Cell(plain(row.variant)))
        cells += [
            Cell(annotate(row.control, [p("control_mean")])),
            Cell(annotate(row.treatment, [p("treatment_mean")])),
            Cell(annotate(row.effect, _shown(p, m, "effect"), pp)),
            Cell(annotate(row.rel_effect, _shown(p, m, "rel_effect"))),
            Cell(annotate(row.pvalue, [p("pvalue")])),
            Cell(annotate(row.pvalue_adjusted, [p("pvalue_adjusted")])),
            Cell(annotate(_result_text(row), guard), _tone(row.mark)),
        ]
        rows.append(tuple(cells))
    return Table(tuple(columns), tuple(rows), left=3 if several else 2, trailing=1)


def _bayes_table(r: ExperimentResult, base: str) -> Table | None:
    """The Bayesian view of every result that has one, or ``None``."""
    from proxymetric.report.experiment import _BAYES_COLUMNS, _bayes_rows

    shown = [(i, m) for i, m in enumerate(r.results) if m.bayesian is not None]
    if not shown:
        return None
    rows = []
    for (i, m), row in zip(shown, _bayes_rows(r), strict=True):

        def p(field: str, i: int = i) -> str:
            return base + pointer("results", i, "bayesian", field)

        pp = 100.0 if m.metric_type == "proportion" else 1.0
        rows.append(
            (
                Cell(plain(row.metric)),
                Cell(plain(row.variant)),
                Cell(annotate(row.prob_better, [p("prob_better")])),
                Cell(
                    annotate(
                        row.effect, [p("effect"), p("effect_ci_lower"), p("effect_ci_upper")], pp
                    )
                ),
                Cell(
                    annotate(
                        row.rel_effect,
                        [p("rel_effect"), p("rel_effect_ci_lower"), p("rel_effect_ci_upper")],
                    )
                ),
                Cell(annotate(row.loss, [p("rel_expected_loss")])),
            )
        )
    return Table(_BAYES_COLUMNS, tuple(rows), left=2)


def decision_blocks(r: ExperimentResult, *, with_chart: bool = True) -> list[Block]:
    """The decision of an analysis, loud, and its forest plot."""
    from proxymetric.report.decision import reasons_text

    verdict = r.decision.verdict
    blocks: list[Block] = [
        Decision(
            verdict,
            verdict.upper().replace("_", " "),
            r.decision.variant,
            tuple(plain(reason) for reason in reasons_text(r)),
        )
    ]
    if with_chart:
        blocks.append(Figure(charts.forest_plot(r)))
    return blocks


def experiment_part(
    r: ExperimentResult,
    *,
    base: str = "",
    spec: Spec | None = None,
    compact: bool = False,
    with_definitions: bool = True,
    with_chart: bool = True,
) -> Part:
    """The analysis: the decision, the forest plot, the table, notes and definitions."""
    from proxymetric.report.decision import levels_text
    from proxymetric.report.experiment import _bayes_caption, _footnote, _rows, _srm_text, _units

    treatments = [v for v in r.variants if v != r.control]
    blocks: list[Block] = decision_blocks(r, with_chart=with_chart)
    blocks.insert(
        1,
        Para(
            annotate(
                _srm_text(r),
                [base + pointer("srm", "pvalue")]
                + ([base + pointer("srm", "threshold")] if r.srm.mismatch else []),
            ),
            "alarm" if r.srm.mismatch else "",
        ),
    )
    blocks += [
        _experiment_table(r, base),
        Para(plain(_footnote(r)), "note"),
    ]
    blocks += [Para(plain(n), "note") for n in levels_text(r)]
    bayes = _bayes_table(r, base)
    if bayes is not None:
        blocks += [Para(plain(_bayes_caption(r)), "note"), bayes]
    for row in _rows(r):
        if row.note:
            blocks.append(Para(plain(f"{row.metric} ({row.variant}): {row.note}"), "note"))
    blocks += [Para(plain(f"warning: {w}"), "warning") for w in r.warnings]
    if r.segments:
        from proxymetric.report.html._segments import segment_blocks

        blocks += segment_blocks(r, base)
    if not compact and with_definitions:
        seen = dict.fromkeys((m.metric, m.metric_type, m.direction) for m in r.results)
        blocks.append(definitions(spec, list(seen)))
    lead = f"{', '.join(treatments)} against control {r.control}; {_units(r)}."
    return Part(f"Experiment {r.experiment}", f"experiment-{r.experiment}", tuple(blocks), lead)


def sequential_part(a: SequentialAnalysis, *, base: str = "", compact: bool = False) -> Part:
    """The sequential analysis: the chart, the last look of each metric, every look."""
    from proxymetric.report.plan import _LOOK_COLUMNS, _look_cells, _sequential_title

    by = "day" if a.look_by == "day" else "snapshot"
    blocks: list[Block] = [Figure(charts.sequential_chart(a))]
    for i, r in enumerate(a.results):
        rows = []
        cells = _look_cells(r)
        shown = range(len(cells)) if not compact else range(len(cells) - 1, len(cells))
        for k in shown:
            c = cells[k]

            def p(field: str, i: int = i, k: int = k) -> str:
                return base + pointer("results", i, "looks", k, field)

            rows.append(
                (
                    Cell(plain(c[0])),
                    Cell(annotate(c[1], [p("control_units"), p("treatment_units")])),
                    Cell(annotate(c[2], [p("effect")])),
                    Cell(annotate(c[3], [p("pvalue")])),
                    Cell(annotate(c[4], [p("effect_ci_lower"), p("effect_ci_upper")])),
                    Cell(annotate(c[5], [p("fixed_pvalue")])),
                    Cell(plain(c[6])),
                    Cell(plain(c[7]), "better" if c[7] == "yes" else ""),
                )
            )
        blocks.append(Table(_LOOK_COLUMNS, tuple(rows), caption=_sequential_title(a, r), left=1))
    blocks += [Para(plain(f"warning: {w}"), "warning") for w in a.warnings]
    lead = (
        f"One look per {by} at alpha {a.alpha:g}; the primary metric {a.primary} is the "
        "stopping rule. The fixed-horizon p-value is shown for contrast only: it is not valid "
        "when the test is watched."
    )
    return Part(
        f"Sequential looks at {a.experiment}", f"sequential-{a.experiment}", tuple(blocks), lead
    )


# --- Plan and power ----------------------------------------------------------------------------


def plan_part(
    p: PlanResult, *, base: str = "", compact: bool = False, spec: Spec | None = None
) -> Part:
    """The plan: MDE by duration (chart and table) and each metric's verdict."""
    from proxymetric.report.plan import _days, _effect, _traffic, verdict_lines

    days = [d.days for d in p.metrics[0].durations] if p.metrics else []
    columns = ("metric", "role", "baseline", "CUPED", "target", *(f"MDE {d} days" for d in days))
    rows = []
    for i, m in enumerate(p.metrics):

        def q(*path: object, i: int = i) -> str:
            return base + pointer("metrics", i, *path)

        from proxymetric.report import format_number

        cells = [
            Cell(plain(m.metric)),
            Cell(plain(m.role)),
            Cell(annotate(format_number(m.baseline), [q("baseline")])),
            Cell(annotate(f"{m.variance_reduction:.0%}", [q("variance_reduction")])),
            Cell(
                annotate(
                    _effect(m.target_mde, m.target_rel_mde), [q("target_mde"), q("target_rel_mde")]
                )
            ),
        ]
        cells += [
            Cell(
                annotate(
                    _effect(d.mde_with_cuped, d.rel_mde_with_cuped),
                    [q("durations", j, "mde_with_cuped"), q("durations", j, "rel_mde_with_cuped")],
                )
            )
            for j, d in enumerate(m.durations)
        ]
        cells.append(Cell(annotate(_days(m.days_needed_with_cuped), [q("days_needed_with_cuped")])))
        rows.append(tuple(cells))
    blocks: list[Block] = []
    if p.metrics:
        blocks.append(Figure(charts.plan_chart(p)))
    blocks.append(
        Table(
            (*columns, "days for target"),
            tuple(rows),
            caption="Minimum detectable effect, with CUPED when the metric has a covariate",
            left=2,
        )
    )
    if not compact:
        for m in p.metrics:
            lines = verdict_lines(m)
            blocks.append(Para(plain(lines[0]), "verdict-" + m.verdict.replace("_", "-")))
            blocks += [Para(plain(line.strip()), "note") for line in lines[1:]]
    blocks += [Para(plain(f"warning: {w}"), "warning") for w in p.warnings]
    if spec is not None and not compact:
        blocks.append(
            definitions(
                spec,
                [
                    (m.metric, m.metric_type, spec.metrics[m.metric].direction)
                    for m in p.metrics
                    if m.metric in spec.metrics
                ],
            )
        )
    return Part(f"Plan of {p.experiment}", f"plan-{p.experiment}", tuple(blocks), _traffic(p))


def power_part(r: PowerResult, *, base: str = "") -> Part:
    """The power calculation: its quantities, the sentence and the power curve."""
    from proxymetric.design.curve import power_curve
    from proxymetric.report.power import power_rows, summary

    fields = {
        "metric": [],
        "baseline": ["baseline"],
        "units per variant": ["units_per_variant"],
        "control units": ["control_units"],
        "treatment units": ["treatment_units"],
        "units per treatment arm": ["treatment_units"],
        "treatment / control ratio": ["treatment_ratio"],
        "total units": ["total_units"],
        "MDE (absolute)": ["mde"],
        "MDE (relative)": ["rel_mde"],
        "power": ["power"],
        "alpha": ["alpha"],
        "alpha per comparison": ["alpha_per_comparison"],
        "variance reduction (CUPED)": ["variance_reduction"],
    }
    rows = tuple(
        (Cell(plain(name)), Cell(annotate(value, [base + pointer(f) for f in fields[name]])))
        for name, value in power_rows(r)
    )
    blocks: list[Block] = [
        Para(plain(summary(r))),
        Table(("quantity", "value"), rows, caption=f"Solved for {r.solved_for}"),
        Figure(charts.power_curve_chart(r, power_curve(r))),
    ]
    return Part("Power", "power", tuple(blocks))


# --- Value model -------------------------------------------------------------------------------


def value_part(r: ValueResult, *, base: str = "", compact: bool = False) -> Part:
    """The business case: recommendation, charts, then the tables of the text renderers."""
    from proxymetric.report.value import _sections, _title

    sections = _sections(r)
    objective = [k for k, s in enumerate(r.summaries) if s.outcome == r.objective]

    def ptr(heading: str, column: str, row: int) -> Sequence[str | None] | None:
        if heading.startswith("Alternatives"):
            k = objective[row]
            return {
                "expected": [pointer("summaries", k, "mean")],
                "90% interval": [pointer("summaries", k, "p05"), pointer("summaries", k, "p95")],
                "P(loss)": [pointer("summaries", k, "prob_loss")],
            }.get(column)
        if heading == "Every outcome":
            return {
                "mean ± MC s.e.": [
                    pointer("summaries", row, "mean"),
                    pointer("summaries", row, "mean_se"),
                ],
                "median": [pointer("summaries", row, "median")],
                "5%": [pointer("summaries", row, "p05")],
                "95%": [pointer("summaries", row, "p95")],
                "P(<0)": [pointer("summaries", row, "prob_loss")],
            }.get(column)
        if heading.startswith("Break-even"):
            b = r.break_even[row]
            return {
                "break-even": [pointer("break_even", row, "value")]
                if b.found
                else [
                    pointer("break_even", row, "search_low"),
                    pointer("break_even", row, "search_high"),
                ],
                "input median": [pointer("break_even", row, "input_median")],
                "P(profitable)": [pointer("break_even", row, "prob_profitable")],
            }.get(column)
        return None

    blocks: list[Block] = [Para(plain(r.recommendation.text), "lead")]
    blocks.append(Figure(charts.value_distribution_chart(r)))
    if not compact:
        blocks += _figure(charts.tornado_chart(r))
        blocks += _figure(charts.break_even_chart(r))
    tables = [s for s in sections if s.columns]
    if compact:
        tables = tables[:1]
    for s in tables:
        blocks.append(_section_table(s, base, ptr, left=s.left))
        if s.text:
            blocks.append(Para(plain(s.text), "note"))
    return Part(_title(r), "value", tuple(blocks))


# --- Sections of the capabilities' renderers ----------------------------------------------------

Pointers = Callable[[str, str, int], "Sequence[str | None] | None"]


def _section_table(s: Any, base: str, ptr: Pointers | None, left: int = 1) -> Table:
    rows = []
    for i, row in enumerate(s.rows):
        cells = []
        for column, text in zip(s.columns, row, strict=True):
            found = ptr(s.heading, column, i) if ptr is not None else None
            cells.append(
                Cell(annotate(text, [base + q if q else None for q in found]))
                if found is not None
                else Cell(plain(text))
            )
        rows.append(tuple(cells))
    return Table(tuple(s.columns), tuple(rows), caption=s.heading, left=left)


def _section_blocks(
    sections: Sequence[Section], base: str = "", ptr: Pointers | None = None
) -> list[Block]:
    blocks: list[Block] = []
    for s in sections:
        if s.columns:
            blocks.append(_section_table(s, base, ptr))
            if s.text:
                blocks.append(Para(plain(s.text), "note"))
        else:
            blocks.append(Para(plain(s.heading), "subhead"))
            blocks += [Para(plain(line)) for line in s.text.splitlines() if line]
    return blocks


def sections_part(sections: Sequence[Section], title: str, anchor: str = "result") -> Part:
    """Any result rendered as the sections the terminal and markdown print."""
    return Part(title, anchor, tuple(_section_blocks(sections)))


def blind_test_part(r: BlindTestResult, *, base: str = "", compact: bool = False) -> Part:
    """A blind pairwise test: scores with intervals, the win-rate matrix, the trust checks."""
    from proxymetric.report.pairwise import blind_test_sections

    def ptr(heading: str, column: str, row: int) -> Sequence[str | None] | None:
        if heading == "Systems":
            s = pointer("systems", row)
            if column.endswith("CI"):
                return [s + "/score_ci_lower", s + "/score_ci_upper"]
            return {
                "score": [s + "/score"],
                "± SE": [s + "/score_se"],
                "win rate": [s + "/win_rate"],
                "n": [s + "/judgments"],
            }.get(column)
        if heading == "Pairs":
            q = pointer("pairs", row)
            return {
                "n": [q + "/judgments"],
                "a wins": [q + "/wins_a"],
                "b wins": [q + "/wins_b"],
                "ties": [q + "/ties"],
                "win rate a": [q + "/win_rate_a"],
                "model": [q + "/expected_win_rate_a"],
            }.get(column)
        return None

    sections = blind_test_sections(r)
    blocks: list[Block] = [Figure(charts.score_chart(r))]
    if not compact and len(r.systems) > 1:
        blocks.append(Figure(charts.win_rate_heatmap(r)))
    blocks += _section_blocks(sections[:1] if compact else sections, base, ptr)
    return Part("Blind pairwise test", "pairwise", tuple(blocks), sections[0].text)


def interleaving_part(r: InterleavingResult, *, base: str = "") -> Part:
    """An interleaving test: the preference with its interval, and the table."""
    from proxymetric.report.pairwise import interleaving_sections

    def ptr(_heading: str, column: str, row: int) -> Sequence[str | None] | None:
        table: dict[tuple[int, str], list[str | None]] = {
            (0, "value"): [pointer("wins_a"), pointer("wins_b"), pointer("ties")],
            (1, "value"): [pointer("preference_a")],
            (2, "value"): [pointer("delta")],
            (2, f"{r.confidence_level:.0%} CI"): [
                pointer("delta_ci_lower"),
                pointer("delta_ci_upper"),
            ],
            (1, f"{r.confidence_level:.0%} CI"): [
                pointer("preference_a_ci_lower"),
                pointer("preference_a_ci_upper"),
            ],
            (1, "p-value"): [pointer("pvalue")],
        }
        return table.get((row, column))

    sections = interleaving_sections(r)
    blocks: list[Block] = [Figure(charts.interleaving_chart(r))]
    blocks += _section_blocks(sections, base, ptr)
    return Part("Interleaving", "interleaving", tuple(blocks))


def offline_part(r: OfflineResult, *, base: str = "", compact: bool = False) -> Part:
    """Offline evaluation: metrics per model and paired differences, charts and tables."""
    from proxymetric.report import format_interval
    from proxymetric.report.offline import _cell, _comparison_rows, _header, _metric_names

    names = _metric_names(r)
    models = list(r.models)
    rows = []
    for name in names:
        cells = [Cell(plain(name))]
        for model in models:
            v = r.models[model].get(name)
            if v is None:
                cells.append(Cell(plain("—")))
                continue
            q = base + pointer("models", model, name)
            ptrs = [q + "/value"]
            if format_interval(v.value_ci_lower, v.value_ci_upper) != "—":
                ptrs += [q + "/value_ci_lower", q + "/value_ci_upper"]
            cells.append(Cell(annotate(_cell(v), ptrs)))
        rows.append(tuple(cells))
    blocks: list[Block] = _figure(charts.offline_chart(r))
    if not compact:
        blocks += _figure(charts.offline_differences_chart(r))
    blocks.append(
        Table(
            ("metric", *models),
            tuple(rows),
            caption="Offline metrics: value and percentile bootstrap interval",
        )
    )
    comparisons = []
    for i, row in enumerate(_comparison_rows(r)):
        q = base + pointer("comparisons", i)
        comparisons.append(
            (
                Cell(plain(row[0])),
                Cell(plain(row[1])),
                Cell(annotate(row[2], [q + "/difference"])),
                Cell(annotate(row[3], [q + "/difference_ci_lower", q + "/difference_ci_upper"])),
                Cell(annotate(row[4], [q + "/pvalue"])),
            )
        )
    if comparisons and not compact:
        blocks.append(
            Table(
                ("model", "metric", "difference", "interval", "p-value"),
                tuple(comparisons),
                caption=f"Paired comparisons with baseline {r.baseline!r}",
                left=2,
            )
        )
    return Part("Offline evaluation", "offline", tuple(blocks), _header(r))


def proxies_part(
    rep: ProxyReport,
    *,
    effects: Mapping[str, Sequence[float | None]] | None = None,
    base: str = "",
    compact: bool = False,
) -> Part:
    """Proxy validation: the correlations, the past effects with both fits, the ranking."""
    from proxymetric.report.proxies import proxy_sections

    def ptr(heading: str, column: str, row: int) -> Sequence[str | None] | None:
        if not heading.startswith("Proxies for"):
            return None
        q = pointer("rows", row)
        fields = {
            "corr at size (CV)": "cv_correlation_at_size",
            "in sample": "correlation_at_size",
            "wrong sign": "wrong_sign_probability",
            "true corr": "true_correlation",
            "cross-fold": "crossfold_correlation",
            "naive corr": "naive_correlation",
            "moves": "movement_probability",
        }
        if column == "sign agrees":
            return [q + "/sign_agreement", q + "/n_both_significant"]
        if column in fields:
            return [q + "/" + fields[column]]
        return None

    sections = proxy_sections(rep)
    blocks: list[Block] = [Figure(charts.correlation_chart(rep))]
    if effects is not None and not compact:
        blocks += _figure(charts.proxy_scatter(rep, effects))
    blocks += _section_blocks(sections, base, ptr)
    return Part(f"Proxies for {rep.north_star}", f"proxies-{rep.north_star}", tuple(blocks))


def impact_part(imp: ProgramImpact, *, base: str = "") -> Part:
    """The program's impact: claimed against earned, and each shipped change."""
    from proxymetric.report.proxies import impact_sections

    def ptr(heading: str, column: str, row: int) -> Sequence[str | None] | None:
        if heading.startswith("Program impact"):
            return {
                "claimed (naive sum)": [pointer("naive_money")],
                "earned (shrunk sum)": [pointer("shrunk_money")],
                "overstatement": [pointer("overstatement")],
            }.get(column, [pointer("shrunk_money_ci_lower"), pointer("shrunk_money_ci_upper")])
        q = pointer("shipped", row)
        return {
            "effect": [q + "/effect"],
            "se": [q + "/effect_se"],
            "shrunk effect": [q + "/shrunk_effect"],
            "shrinkage": [q + "/shrinkage"],
            "money": [q + "/money"],
            "shrunk money": [q + "/shrunk_money"],
        }.get(column)

    blocks: list[Block] = [Figure(charts.impact_chart(imp))]
    blocks += _section_blocks(impact_sections(imp), base, ptr)
    return Part(f"Program impact on {imp.metric}", "impact", tuple(blocks))


# --- Scorecard and registry --------------------------------------------------------------------

_STATUS_TONE = {"pass": "pass", "warn": "warn", "fail": "fail", "n/a": "na"}


def scorecard_part(card: Scorecard, *, base: str = "", compact: bool = False) -> Part:
    """The good-metric scorecard: a coloured grid, every reason, the project checks."""
    from proxymetric.report.check import _TITLE, _number, _summary

    rows = []
    for i, row in enumerate(card.rows):
        cells = [Cell(plain(row.metric)), Cell(plain(row.role.replace("_", " ")))]
        for j, c in enumerate(row.cells):
            number = _number(c)
            text = c.status + (f" {number}" if number else "")
            q = base + pointer("rows", i, "cells", j, "value")
            cells.append(Cell(annotate(text, [q] if number else []), _STATUS_TONE[c.status]))
        rows.append(tuple(cells))
    blocks: list[Block] = [
        Para(plain(_summary(card)), "pass" if card.passed else "fail"),
        Table(
            ("metric", "role", *(_TITLE[p] for p in card.properties)),
            tuple(rows),
            caption="Good-metric checklist",
            left=2,
        ),
    ]
    if not compact:
        reasons = tuple(
            (
                Cell(plain(row.metric)),
                Cell(plain(_TITLE[c.property])),
                Cell(plain(c.status), _STATUS_TONE[c.status]),
                Cell(plain(c.reason + (f" → {c.advice}" if c.advice else ""))),
            )
            for row in card.rows
            for c in row.cells
            if c.status in ("warn", "fail")
        )
        if reasons:
            blocks.append(
                Table(
                    ("metric", "property", "status", "reason → what to do"),
                    reasons,
                    caption="What to fix",
                    left=4,
                )
            )
    blocks.append(
        Table(
            ("check", "status", "reason"),
            tuple(
                (
                    Cell(plain(p.check.replace("_", " "))),
                    Cell(plain(p.status), _STATUS_TONE[p.status]),
                    Cell(plain(p.reason)),
                )
                for p in card.project
            ),
            caption="Project",
            left=3,
        )
    )
    return Part("Good-metric scorecard", "scorecard", tuple(blocks))


def records_part(records: Sequence[Record], url: str) -> Part:
    """The listing of registry records."""
    from proxymetric.report.registry import records_sections

    return Part("Registry", "registry", tuple(_section_blocks(records_sections(records, url))))


def record_part(rec: Record, *, base: str = "") -> Part:
    """One registry record: what it says and its effects."""
    from proxymetric.report.registry import record_sections

    def ptr(heading: str, column: str, row: int) -> Sequence[str | None] | None:
        if heading != "Effects":
            return None
        q = pointer("effects", row)
        return {
            "effect": [q + "/effect"],
            "se": [q + "/effect_se"],
            "p-value": [q + "/pvalue"],
            "control n": [q + "/control_units"],
            "treatment n": [q + "/treatment_units"],
        }.get(column)

    sections = record_sections(rec)
    return Part(
        sections[0].heading, f"record-{rec.id}", tuple(_section_blocks(sections, base, ptr))
    )
