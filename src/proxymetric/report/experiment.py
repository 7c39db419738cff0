"""Renderers of an :class:`~proxymetric.analysis.ExperimentResult`: terminal table and markdown.

Both read the same fields: one row per metric and treatment, effects with intervals,
significance marked, the verdict and its reasons below, and a loud line when SRM fails. Names
and messages are shown literally (:mod:`proxymetric.report._text`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from proxymetric.analysis.result import ExperimentResult, MetricResult
from proxymetric.report._format import format_number, format_p, format_pvalue, terminal_text
from proxymetric.report._text import literal, markdown_code, markdown_text, visible
from proxymetric.report.decision import levels_text, margin_text, reasons_text

__all__ = ["experiment_markdown", "experiment_renderable", "print_experiment"]

_VERDICT_STYLE = {
    "ship": "bold white on green",
    "rollback": "bold white on red",
    "keep_testing": "bold black on yellow",
    "inconclusive": "bold white on blue",
}


@dataclass(frozen=True)
class _Row:
    metric: str
    role: str
    variant: str
    control: str
    treatment: str
    effect: str
    rel_effect: str
    pvalue: str
    pvalue_adjusted: str
    guardrail: str
    mark: str
    note: str
    mature: bool = True


def _mean(r: MetricResult, value: float) -> str:
    if not math.isfinite(value):
        return "—"
    if r.metric_type == "proportion":
        return f"{value:.2%}"
    if math.isfinite(r.effect_se):  # as many decimals as the effect's precision warrants
        return f"{value:,.{_decimals(r.effect_se) + 1}f}"
    return format_number(value)


def _decimals(se: float) -> int:
    """Decimals that show a standard error with about two significant digits."""
    if not math.isfinite(se) or se <= 0:
        return 3
    return max(0, 1 - math.floor(math.log10(se)))


def _effect(r: MetricResult) -> str:
    scale, unit = (100.0, " pp") if r.metric_type == "proportion" else (1.0, "")
    if not math.isfinite(r.effect):
        return "—"
    d = _decimals(r.effect_se * scale)

    def f(x: float) -> str:
        return f"{x * scale:+,.{d}f}" if math.isfinite(x) else ("+inf" if x > 0 else "-inf")

    shown = not (math.isnan(r.effect_ci_lower) or math.isnan(r.effect_ci_upper))
    interval = f" [{f(r.effect_ci_lower)}, {f(r.effect_ci_upper)}]" if shown else ""
    return f"{f(r.effect)}{unit}{interval}"


def _relative(r: MetricResult) -> str:
    if not math.isfinite(r.rel_effect):
        return "—"
    text = f"{r.rel_effect:+.1%}"
    low, high = r.rel_effect_ci_lower, r.rel_effect_ci_upper
    if not (math.isnan(low) or math.isnan(high)):
        text += f" [{_percent(low)}, {_percent(high)}]"
    return text


def _percent(x: float) -> str:
    return f"{x:+.1%}" if math.isfinite(x) else ("+inf" if x > 0 else "-inf")


def _mark(r: MetricResult, alpha: float, rule: str) -> str:
    alpha = r.alpha if r.alpha is not None else alpha
    if r.role == "guardrail":
        ni = r.noninferiority_pvalue
        noninferior = ni is not None and math.isfinite(ni) and ni < alpha
        if rule == "margin":
            if ni is not None and math.isfinite(ni) and 1 - ni < alpha:
                return "worse"
            return "ok" if noninferior else "?"
        if r.better is False and math.isfinite(r.pvalue) and r.pvalue < alpha:
            return "worse"
        return "ok" if noninferior else "?"
    if not r.significant:
        return ""
    return "better" if r.better else "worse"


def _cuped_note(reduction: float | None) -> str:
    """Return ``CUPED: variance -17%.`` (the change of the variance, signed once), or nothing
    when CUPED did not run or changed the variance by less than half a percent."""
    if reduction is None or not math.isfinite(reduction):
        return ""
    change = f"{-reduction:+.0%}"
    return "" if change in ("+0%", "-0%") else f"CUPED: variance {change}."


def _cap_note(r: MetricResult) -> str:
    """Return ``capped at 120 (1.0% of control units, 1.2% of treatment units).``, or nothing
    for a metric without a cap."""
    if r.cap is None:
        return ""

    def share(x: float | None) -> str:
        return f"{x:.1%}" if x is not None and math.isfinite(x) else "n/a"

    return (
        f"capped at {format_number(r.cap)} ({share(r.control_share_capped)} of control units, "
        f"{share(r.treatment_share_capped)} of treatment units)."
    )


def _quantile_note(r: MetricResult) -> str:
    """Return ``p95 of each arm.`` for a quantile metric, or nothing."""
    if r.quantile is None:
        return ""
    return f"p{100 * r.quantile:g} of each arm."


def _rows(result: ExperimentResult) -> list[_Row]:
    rows = []
    for r in result.results:
        guard = ""
        if r.margin is not None:
            guard = f"{margin_text(r)} ({format_p(r.noninferiority_pvalue)})"
        note = " ".join(
            t
            for t in (
                _quantile_note(r),
                _cap_note(r),
                _cuped_note(r.variance_reduction),
                r.reason or "",
            )
            if t
        )
        rows.append(
            _Row(
                metric=r.metric,
                role=r.role,
                variant=r.variant,
                control=_mean(r, r.control_mean),
                treatment=_mean(r, r.treatment_mean),
                effect=_effect(r),
                rel_effect=_relative(r),
                pvalue=format_pvalue(r.pvalue),
                pvalue_adjusted=(
                    format_pvalue(r.pvalue_adjusted) if r.pvalue_adjusted is not None else "n/a"
                ),
                guardrail=guard,
                mark=_mark(r, result.alpha, result.decision.guardrail_rule),
                note=note,
                mature=r.status != "immature",
            )
        )
    return rows


def _units(result: ExperimentResult) -> str:
    parts = ", ".join(f"{v} {n:,}" for v, n in result.units.items())
    return f"{sum(result.units.values()):,} units ({parts})"


def _srm_text(result: ExperimentResult) -> str:
    s = result.srm
    if s.mismatch:
        return (
            f"SAMPLE RATIO MISMATCH: {format_p(s.pvalue)} < {s.threshold}. "
            "The split is not what was configured; these results cannot be trusted."
        )
    return f"SRM check passed ({format_p(s.pvalue)})"


_LABELS = {
    "better": "▲ better",
    "worse": "▼ worse",
    "ok": "✓ non-inferior",
    "?": "? not yet non-inferior",
}
_STYLES = {"better": "bold green", "worse": "bold red", "ok": "green", "?": "yellow"}


def _result_text(row: _Row) -> str:
    if not row.mature:
        return "not yet mature"
    label = _LABELS.get(row.mark, "")
    if not row.guardrail:
        return label
    if row.mark == "worse":
        return f"{label}; non-inferiority at {row.guardrail}"
    return f"{label} at {row.guardrail}"


def _footnote(result: ExperimentResult) -> str:
    names = {"holm": "Holm", "bh": "Benjamini-Hochberg", "none": "no"}
    rule = (
        "any significant deterioration (p-value < alpha) rolls back"
        if result.decision.guardrail_rule == "deterioration"
        else "only a deterioration significantly beyond the margin rolls back"
    )
    sided = (
        "two-sided test"
        if all(r.alternative == "two-sided" for r in result.results)
        else "test (two-sided unless a note says one-sided)"
    )
    return (
        f"p-value: {sided} of no difference, unadjusted. adj. p: "
        f"{names[result.correction]} correction over the primary and secondary metrics, which "
        "decides for them. Guardrails are not adjusted: each must be shown non-inferior at its "
        f"margin (one-sided p-value in the result column) to ship, and {rule}."
    )


@dataclass(frozen=True)
class _BayesRow:
    metric: str
    variant: str
    prob_better: str
    rel_effect: str
    effect: str
    loss: str


def _bayes_rows(result: ExperimentResult) -> list[_BayesRow]:
    rows = []
    for r in result.results:
        b = r.bayesian
        if b is None:
            continue
        scale, unit = (100.0, " pp") if r.metric_type == "proportion" else (1.0, "")
        d = _decimals(b.effect_se * scale)
        absolute = (
            f"{b.effect * scale:+,.{d}f}{unit} [{b.effect_ci_lower * scale:+,.{d}f}, "
            f"{b.effect_ci_upper * scale:+,.{d}f}]"
            if math.isfinite(b.effect) and math.isfinite(b.effect_ci_lower)
            else "—"
        )
        relative = (
            f"{b.rel_effect:+.1%} [{b.rel_effect_ci_lower:+.1%}, {b.rel_effect_ci_upper:+.1%}]"
            if math.isfinite(b.rel_effect) and math.isfinite(b.rel_effect_ci_lower)
            else "—"
        )
        rows.append(
            _BayesRow(
                metric=r.metric,
                variant=r.variant,
                prob_better=f"{b.prob_better:.1%}" if math.isfinite(b.prob_better) else "—",
                rel_effect=relative,
                effect=absolute,
                loss=f"{b.rel_expected_loss:.3%}" if math.isfinite(b.rel_expected_loss) else "—",
            )
        )
    return rows


def _bayes_caption(result: ExperimentResult) -> str:
    first = next(r.bayesian for r in result.results if r.bayesian is not None)
    assert first is not None
    prior = (
        "a flat prior"
        if first.prior == "flat"
        else f"a normal prior on the relative effect (mean 0, sd {first.prior_sd:g})"
    )
    return (
        f"Bayesian view (Gaussian approximation, {prior}; {first.confidence_level:.0%} credible "
        "intervals): the probability that the treatment is better, the posterior effects, and "
        "the expected loss of shipping as a share of the control mean. It stands beside the "
        "test above"
        + (
            ", and the decision below rests on it"
            if result.decision.rule == "bayesian"
            else ", not instead of it"
        )
        + "."
    )


_BAYES_COLUMNS = ("metric", "variant", "P(better)", "posterior", "relative", "expected loss")


def experiment_renderable(result: ExperimentResult) -> RenderableType:
    """Return a rich renderable of the result for the terminal."""
    ci = f"{result.confidence_level:.0%} CI"
    several = len(result.variants) > 2
    treatments = [v for v in result.variants if v != result.control]
    header = Text.assemble(
        ("Experiment ", "bold"),
        (visible(result.experiment), "bold cyan"),
        visible(f" · {', '.join(treatments)} vs {result.control} · {_units(result)}"),
    )
    srm_style = "bold white on red" if result.srm.mismatch else "green"
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    columns = ["metric", "role", *(["variant"] if several else []), result.control]
    columns += [
        "treatment" if several else treatments[0],
        f"effect [{ci}]",
        f"relative [{ci}]",
        "p-value",
        "adj. p",
        "result",
    ]
    for col in columns:
        table.add_column(
            literal(col), justify="left" if col in ("metric", "role", "result") else "right"
        )
    notes: list[str] = []
    for row in _rows(result):
        cells: list[RenderableType] = [literal(row.metric), literal(row.role)]
        if several:
            cells.append(literal(row.variant))
        cells += map(literal, (row.control, row.treatment, row.effect, row.rel_effect, row.pvalue))
        cells.append(literal(row.pvalue_adjusted))
        cells.append(literal(_result_text(row), _STYLES.get(row.mark, "")))
        table.add_row(*cells)
        if row.note:
            notes.append(f"{row.metric} ({row.variant}): {row.note}")
    verdict = result.decision.verdict
    verdict_line = Text.assemble(
        ("Decision: ", "bold"),
        (f" {verdict.upper().replace('_', ' ')} ", _VERDICT_STYLE[verdict]),
        (f"  {visible(result.decision.variant)}" if result.decision.variant else ""),
    )
    parts: list[RenderableType] = [header, Text(_srm_text(result), style=srm_style), table]
    parts.append(Text(_footnote(result), style="dim"))
    parts += [literal(f"note: {n}", "dim") for n in levels_text(result)]
    bayes = _bayes_rows(result)
    if bayes:
        parts.append(Text(""))
        parts.append(Text(_bayes_caption(result), style="bold"))
        btable = Table(show_edge=False, header_style="bold", pad_edge=False)
        for col in _BAYES_COLUMNS:
            btable.add_column(col, justify="left" if col in ("metric", "variant") else "right")
        for b in bayes:
            btable.add_row(
                *map(literal, (b.metric, b.variant, b.prob_better, b.effect, b.rel_effect, b.loss))
            )
        parts.append(btable)
    parts += [literal(f"note: {n}", "dim") for n in notes]
    parts += [terminal_text(f"warning: {w}", style="yellow") for w in result.warnings]
    parts.append(Text(""))
    parts.append(verdict_line)
    parts += [terminal_text(f"  • {reason}") for reason in reasons_text(result)]
    if result.segments:
        from proxymetric.report.segments import segments_renderable

        parts.append(segments_renderable(result))
    body = Group(*parts)
    if result.srm.mismatch:
        return Panel(body, border_style="red", title="SAMPLE RATIO MISMATCH")
    return body


def print_experiment(result: ExperimentResult, console: Console) -> None:
    """Print the result as a table to ``console``."""
    console.print(experiment_renderable(result))


def experiment_markdown(result: ExperimentResult) -> str:
    """Return the result as a markdown report (names and messages escaped for markdown)."""
    ci = f"{result.confidence_level:.0%} CI"
    treatments = [v for v in result.variants if v != result.control]
    lines = [
        f"## Experiment {markdown_code(result.experiment)}",
        "",
        markdown_text(f"{', '.join(treatments)} vs control {result.control}; {_units(result)}."),
        "",
        f"**{_srm_text(result)}**" if result.srm.mismatch else _srm_text(result) + ".",
        "",
        (
            f"| metric | role | variant | control | treatment | effect [{ci}] | relative [{ci}] "
            "| p-value | adj. p | result |"
        ),
        "|---|---|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    notes = []
    for row in _rows(result):
        lines.append(
            f"| {markdown_text(row.metric)} | {row.role} | {markdown_text(row.variant)} | "
            f"{row.control} | {row.treatment} | {row.effect} | {row.rel_effect} | {row.pvalue} | "
            f"{row.pvalue_adjusted} | "
            f"{_result_text(row)} |"
        )
        if row.note:
            note = f"{row.metric} ({row.variant}): {row.note}"
            notes.append(f"- {markdown_text(note, code=True)}")
    lines += [
        "",
        f"_{_footnote(result)}_",
        "",
        *(f"- {markdown_text(n, code=True)}" for n in levels_text(result)),
        *notes,
        *(f"- warning: {markdown_text(w, code=True)}" for w in result.warnings),
    ]
    if notes or result.warnings or levels_text(result):
        lines.append("")
    bayes = _bayes_rows(result)
    if bayes:
        lines += [
            f"_{_bayes_caption(result)}_",
            "",
            "| " + " | ".join(_BAYES_COLUMNS) + " |",
            "|---|---|--:|--:|--:|--:|",
        ]
        lines += [
            f"| {markdown_text(b.metric)} | {markdown_text(b.variant)} | {b.prob_better} | "
            f"{b.effect} | {b.rel_effect} | {b.loss} |"
            for b in bayes
        ]
        lines.append("")
    verdict = result.decision.verdict.upper().replace("_", " ")
    chosen = f" {markdown_code(result.decision.variant)}" if result.decision.variant else ""
    lines += [f"**Decision: {verdict}**{chosen}", ""]
    lines += [f"- {markdown_text(reason, code=True)}" for reason in reasons_text(result)]
    if result.segments:
        from proxymetric.report.segments import segments_markdown

        lines += ["", segments_markdown(result).rstrip("\n")]
    return "\n".join(lines) + "\n"
