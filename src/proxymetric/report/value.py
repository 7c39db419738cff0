"""Text renderings of a :class:`ValueResult`: a one-page business case (rich or markdown).

Both renderings come from the same sections, so the terminal and the markdown say the same.
Titles, names and currencies come from the spec: they are shown literally
(:mod:`proxymetric.report._text`).
"""

from __future__ import annotations

import dataclasses
import math

from rich.console import Console
from rich.table import Table

from proxymetric.report import format_number, terminal_text
from proxymetric.report._text import literal, markdown_text
from proxymetric.value import ValueResult, format_money

__all__ = ["print_business_case", "to_markdown"]

_TOP_DRIVERS = 5


@dataclasses.dataclass(frozen=True)
class _Section:
    heading: str
    text: str = ""
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    left: int = 2  # leading columns of names, left-aligned; numbers are right-aligned


def _pct(p: float) -> str:
    return "—" if not math.isfinite(p) else f"{p:.1%}"


def _sections(r: ValueResult) -> list[_Section]:
    def money(x: float) -> str:
        return format_money(x, r.currency)

    obj = r.objective
    sections = [_Section("Recommendation", r.recommendation.text)]
    rows: tuple[tuple[str, ...], ...] = tuple(
        (s.alternative, money(s.mean), f"{money(s.p05)} to {money(s.p95)}", _pct(s.prob_loss))
        for s in r.summaries
        if s.outcome == obj
    )
    sections.append(
        _Section(
            f"Alternatives: {obj}",
            columns=("alternative", "expected", "90% interval", "P(loss)"),
            rows=rows,
            left=1,
        )
    )
    rows = tuple(
        (
            s.alternative,
            s.outcome,
            f"{format_number(s.mean)} ± {format_number(s.mean_se, digits=2)}",
            format_number(s.median),
            format_number(s.p05),
            format_number(s.p95),
            _pct(s.prob_loss),
        )
        for s in r.summaries
    )
    sections.append(
        _Section(
            "Every outcome",
            columns=("alternative", "outcome", "mean ± MC s.e.", "median", "5%", "95%", "P(<0)"),
            rows=rows,
        )
    )
    bars = []
    for alt in r.alternatives:
        bars += [b for b in r.tornado if b.alternative == alt][:_TOP_DRIVERS]
    if bars:
        sections.append(
            _Section(
                f"What drives {obj} (each input over its 5-95% range, others at medians)",
                columns=("alternative", "input", "input 5% → 95%", f"{obj} at 5% → 95%", "swing"),
                rows=tuple(
                    (
                        b.alternative,
                        b.input,
                        f"{format_number(b.input_p05)} → {format_number(b.input_p95)}",
                        f"{money(b.outcome_at_p05)} → {money(b.outcome_at_p95)}",
                        money(b.swing),
                    )
                    for b in bars
                ),
            )
        )
    if r.break_even:
        sections.append(
            _Section(
                f"Break-even (expected {obj} = 0)",
                columns=("alternative", "input", "break-even", "input median", "P(profitable)"),
                rows=tuple(
                    (
                        b.alternative,
                        b.input,
                        (
                            f"{b.profitable_side} {format_number(b.value)}"
                            if b.found
                            else "none in "
                            f"[{format_number(b.search_low)}, {format_number(b.search_high)}]"
                        ),
                        format_number(b.input_median),
                        _pct(b.prob_profitable),
                    )
                    for b in r.break_even
                ),
                text=" ".join(
                    f"`{b.alternative}`, `{b.input}`: {b.reason}." for b in r.break_even if b.reason
                ),
            )
        )
    if r.headroom:
        sections.append(
            _Section(
                f"Headroom: {obj} of an ideal model",
                columns=("alternative", "ideal inputs", "ideal", "90% interval", "now", "gain"),
                rows=tuple(
                    (
                        h.alternative,
                        ", ".join(h.ideal_inputs),
                        money(h.mean),
                        f"{money(h.p05)} to {money(h.p95)}",
                        money(h.current_mean),
                        money(h.gain),
                    )
                    for h in r.headroom
                ),
            )
        )
    if r.experiments:
        sections.append(
            _Section(
                "Measured effects (inputs from experiments of the spec)",
                columns=("experiment", "inputs", "decision of analyze"),
                rows=tuple(
                    (
                        e.experiment,
                        ", ".join(e.inputs),
                        e.decision.replace("_", " ")
                        + (" (sample ratio mismatch)" if e.srm_mismatch else ""),
                    )
                    for e in r.experiments
                ),
                left=3,
            )
        )
    t = r.tradeoff
    if t is not None:
        choices = [f"best expected {t.objective}: `{t.choice_by_expected_objective}`"]
        if t.exchange_rate is not None:
            choices.append(
                f"valuing one unit of {t.y} at {format_number(t.exchange_rate)} of {t.x}: "
                f"`{t.choice_by_exchange_rate}`"
            )
        if t.risk_limit is not None:
            pick = f"`{t.choice_by_risk_limit}`" if t.choice_by_risk_limit else "none qualifies"
            choices.append(f"with P(loss) ≤ {t.risk_limit:.0%}: {pick}")
        sections.append(
            _Section(
                f"Trade-off ({t.alternative}): {t.x} ({t.x_goal}) vs {t.y} ({t.y_goal})",
                text="Pareto frontier: "
                + ", ".join(t.frontier)
                + ". Choice "
                + "; ".join(choices)
                + ".",
                columns=("candidate", t.x, t.y, t.objective, "P(loss)", "frontier"),
                left=1,
                rows=tuple(
                    (
                        c.name,
                        format_number(c.x_mean),
                        format_number(c.y_mean),
                        money(c.objective_mean),
                        _pct(c.prob_loss),
                        "yes" if c.on_frontier else "",
                    )
                    for c in t.candidates
                ),
            )
        )
    return sections


def _title(r: ValueResult) -> str:
    name = r.title or "value model"
    return f"{name} — {r.draws:,} Monte Carlo draws, seed {r.seed}"


def to_markdown(r: ValueResult) -> str:
    """Return the business case as markdown."""
    lines = [f"# {markdown_text(_title(r))}", ""]
    for s in _sections(r):
        lines += [f"## {markdown_text(s.heading)}", ""]
        if s.text:
            lines += [markdown_text(s.text, code=True), ""]
        if s.columns:
            lines.append("| " + " | ".join(map(markdown_text, s.columns)) + " |")
            lines.append("|" + "|".join("---" for _ in s.columns) + "|")
            lines += ["| " + " | ".join(map(markdown_text, row)) + " |" for row in s.rows]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def print_business_case(r: ValueResult, console: Console) -> None:
    """Print the business case as rich tables on ``console``."""
    console.print(literal(_title(r), "bold"))
    for s in _sections(r):
        console.print()
        if not s.columns:
            console.print(literal(s.heading, "bold"))
            console.print(terminal_text(s.text), soft_wrap=True)
            continue
        table = Table(title=literal(s.heading), title_justify="left", title_style="bold")
        for i, col in enumerate(s.columns):
            table.add_column(literal(col), justify="left" if i < s.left else "right")
        for row in s.rows:
            table.add_row(*map(literal, row))
        console.print(table)
        if s.text:
            console.print(terminal_text(s.text), soft_wrap=True)
