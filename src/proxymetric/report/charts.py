"""Charts of result objects, drawn by matplotlib as inline SVG with text kept as text.

Every chart function reads result objects (never data) and returns a :class:`Chart`: a title,
the SVG and a one-sentence reading in words. matplotlib is imported lazily (the ``html`` extra),
figures are built without pyplot (no global state), fonts are not embedded
(``svg.fonttype: none``: numbers and names stay searchable, selectable text) and mathtext is off
(``text.parse_math: false``: a ``$`` in a name is a dollar). The SVG is then checked against an
allowlist of elements and attributes, its ids made unique per chart, and its size attributes
dropped so that it scales with the page. Colours are the Okabe-Ito palette, readable with the
common colour-vision deficiencies, and every colour has a marker shape or a label beside it.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
import io
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast
from xml.etree import ElementTree as ET

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from proxymetric.analysis.result import ExperimentResult, MetricResult
    from proxymetric.analysis.sequential import SequentialAnalysis
    from proxymetric.design.curve import PowerCurve
    from proxymetric.design.plan import PlanResult
    from proxymetric.design.power import PowerResult
    from proxymetric.interleaving.analysis import InterleavingResult
    from proxymetric.offline.evaluation import OfflineResult
    from proxymetric.pairwise.blind_test import BlindTestResult
    from proxymetric.proxies.holdout import HoldoutRollup
    from proxymetric.proxies.impact import ProgramImpact
    from proxymetric.proxies.table import EffectTable
    from proxymetric.proxies.validation import ProxyReport
    from proxymetric.value import ValueResult

__all__ = [
    "COLOURS",
    "Chart",
    "break_even_chart",
    "correlation_chart",
    "effects_by_metric",
    "forest_plot",
    "holdout_chart",
    "impact_chart",
    "interleaving_chart",
    "offline_chart",
    "offline_differences_chart",
    "plan_chart",
    "power_curve_chart",
    "proxy_scatter",
    "score_chart",
    "sequential_chart",
    "tornado_chart",
    "value_distribution_chart",
    "win_rate_heatmap",
]

COLOURS = {
    "better": "#0072B2",  # blue
    "worse": "#D55E00",  # vermillion
    "ok": "#009E73",  # bluish green: a guardrail shown non-inferior
    "inconclusive": "#6E6E6E",  # grey
    "accent": "#E69F00",  # orange
    "light": "#DDDDDD",
}
"""Colours by verdict (Okabe and Ito, "Color Universal Design", 2008)."""

_MARKERS = {"better": "^", "worse": "v", "ok": "s", "inconclusive": "o"}
_LABELS = {
    "better": "better",
    "worse": "worse",
    "ok": "non-inferior",
    "inconclusive": "inconclusive",
}
_ALLOWED_TAGS = {
    "svg",
    "g",
    "path",
    "defs",
    "use",
    "clipPath",
    "text",
    "tspan",
    "rect",
    "line",
    "polyline",
    "polygon",
    "circle",
    "ellipse",
}
_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "text.parse_math": False,
    "text.usetex": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10.0,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "x",
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.8,
    "legend.frameon": False,
    "legend.fontsize": 9.0,
    "path.simplify": True,
}
WIDTH = 7.0  # inches; the SVG scales to the page width
NARROW = 4.3  # inches: the version a phone shows, with the same font sizes
_WIDTH: contextvars.ContextVar[float] = contextvars.ContextVar("chart_width", default=WIDTH)


@dataclasses.dataclass(frozen=True)
class Chart:
    """A chart: ``title``, inline ``svg`` (checked, no size attributes) and a ``reading``.

    ``narrow_svg`` is the same chart drawn for a phone's width (the page shows one of the two).
    """

    slug: str
    title: str
    svg: str
    reading: str
    narrow_svg: str = ""


P = ParamSpec("P")
C = TypeVar("C", bound="Chart | None")


def _responsive(fn: Callable[P, C]) -> Callable[P, C]:
    """Draw a chart twice: at the page's width and at a phone's, with the same font sizes."""

    @functools.wraps(fn)
    def both(*args: P.args, **kwargs: P.kwargs) -> C:
        wide = fn(*args, **kwargs)
        if wide is None:
            return wide
        token = _WIDTH.set(NARROW)
        try:
            narrow = fn(*args, **kwargs)
        finally:
            _WIDTH.reset(token)
        assert narrow is not None
        return cast("C", dataclasses.replace(wide, narrow_svg=narrow.svg))

    return both


def _pct(x: float, digits: int = 1) -> str:
    return "—" if not math.isfinite(x) else f"{x * 100:+.{digits}f}%"


def _finite(*values: float | None) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def _rc(slug: str) -> Any:
    """The chart settings; the hash salt makes the ids of a chart's SVG its own."""
    return {**_RC, "svg.hashsalt": slug}


@contextmanager
def _figure(slug: str, height: float, width: float | None = None) -> Iterator[Figure]:
    import matplotlib as mpl
    from matplotlib.figure import Figure

    w = _WIDTH.get() if width is None else min(width, _WIDTH.get())
    h = height if _WIDTH.get() == WIDTH else height * 1.2 + 0.3  # room for wrapped labels
    with mpl.rc_context(_rc(slug)):
        yield Figure(figsize=(w, h), layout="constrained")


def _render(fig: Figure, slug: str, title: str, reading: str) -> Chart:
    import matplotlib as mpl
    from matplotlib.text import Text

    for ax in fig.axes:  # labels and titles wrap on a phone (not legends, not annotations)
        texts = [ax.xaxis.label, ax.yaxis.label, *ax.get_yticklabels()]
        texts += [c for c in ax.get_children() if isinstance(c, Text) and c not in ax.texts]
        for text in texts:
            text.set_wrap(True)
    prefix = slug if _WIDTH.get() == WIDTH else f"{slug}-narrow"
    buffer = io.StringIO()
    with mpl.rc_context(_rc(prefix)):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return Chart(slug, title, clean_svg(buffer.getvalue(), prefix, title), reading)


def clean_svg(text: str, prefix: str, label: str) -> str:
    """Return matplotlib's SVG ready to inline in a page, or raise if it holds anything else.

    The XML declaration, doctype, metadata and style elements go; ids become
    ``prefix-<id>`` when something refers to them and are dropped otherwise; width and height go
    (the viewBox stays). Only drawing elements are allowed, no event attribute and no link out of
    the SVG: a name that reached the SVG unescaped would break this check, not the page.
    """
    start = text.find("<svg")
    if start < 0:
        raise ValueError("not an SVG document")
    root = ET.fromstring(text[start:])  # noqa: S314 (our own matplotlib output, no DTD left)
    for parent in list(root.iter()):
        for child in list(parent):
            if _local(child.tag) in ("metadata", "style"):
                parent.remove(child)
    referenced: set[str] = set()
    for el in root.iter():
        tag = _local(el.tag)
        if tag not in _ALLOWED_TAGS:
            raise ValueError(f"unexpected SVG element {tag!r}")
        for name, value in el.attrib.items():
            local = _local(name).lower()
            if local.startswith("on"):
                raise ValueError(f"unexpected SVG attribute {local!r}")
            if local == "href":
                if not value.startswith("#"):
                    raise ValueError(f"SVG link out of the document: {value!r}")
                referenced.add(value[1:])
            referenced.update(re.findall(r"url\(#([^)]+)\)", value))
            if "url(" in value and not re.fullmatch(r"[^()]*(url\(#[^)]+\)[^()]*)+", value):
                raise ValueError(f"SVG reference out of the document: {value!r}")
    safe_prefix = re.sub(r"[^a-z0-9-]", "-", prefix.lower())
    for el in root.iter():
        ident = el.attrib.get("id")
        if ident is not None:
            if ident in referenced:
                el.set("id", f"{safe_prefix}-{ident}")
            else:
                del el.attrib["id"]
        el.tag = _local(el.tag)  # inline SVG in HTML needs no namespace
        for name, value in list(el.attrib.items()):
            if _local(name) == "href":
                del el.attrib[name]
                el.set("href", f"#{safe_prefix}-{value[1:]}")  # SVG 2 href, no xlink
            elif "url(#" in value:
                el.set(name, re.sub(r"url\(#([^)]+)\)", rf"url(#{safe_prefix}-\1)", value))
            elif name == "d":
                el.set(name, " ".join(value.split()))
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.set("role", "img")
    root.set("aria-label", label)
    root.set("class", "chart-svg")
    root.set("preserveAspectRatio", "xMidYMid meet")
    return ET.tostring(root, encoding="unicode")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# --- A/B analysis ------------------------------------------------------------------------------


def _verdict(r: MetricResult, alpha: float, rule: str = "deterioration") -> str:
    from proxymetric.report.experiment import _mark

    mark = _mark(r, alpha, rule)
    return {"better": "better", "worse": "worse", "ok": "ok"}.get(mark, "inconclusive")


def _margin_relative(r: MetricResult) -> float | None:
    """The guardrail's margin on the relative scale (an absolute one over the control mean)."""
    if r.margin is None:
        return None
    if r.margin_type == "relative":
        return r.margin
    if _finite(r.control_mean) and r.control_mean != 0:
        return r.margin / abs(r.control_mean)
    return None


def _means_label(r: MetricResult) -> str:
    if r.variance_reduction is not None and math.isfinite(r.variance_reduction):
        return f"CUPED-adjusted (variance -{r.variance_reduction:.0%})"
    return "raw means"


@_responsive
def forest_plot(result: ExperimentResult) -> Chart:
    """Relative effect with its interval per metric and treatment, coloured by verdict.

    A guardrail's non-inferiority margin is drawn on its row (the side beyond it shaded);
    each row says whether its means are CUPED-adjusted or raw.
    """
    rows = list(result.results)
    several = len(result.variants) > 2
    treatments = [v for v in result.variants if v != result.control]
    level = f"{result.confidence_level:.0%}"
    rule = result.decision.guardrail_rule
    slug = f"forest-{result.experiment}"
    n = len(rows)
    with _figure(slug, 0.62 * n + 1.35) as fig:
        ax = fig.subplots()
        xs: list[float] = [0.0]
        for i, r in enumerate(rows):
            y = n - i
            kind = _verdict(r, result.alpha, rule)
            colour = COLOURS[kind]
            if _finite(r.rel_effect_ci_lower, r.rel_effect_ci_upper):
                ax.plot(
                    [r.rel_effect_ci_lower * 100, r.rel_effect_ci_upper * 100],
                    [y, y],
                    color=colour,
                    linewidth=2.4,
                    solid_capstyle="butt",
                )
                xs += [r.rel_effect_ci_lower * 100, r.rel_effect_ci_upper * 100]
            if _finite(r.rel_effect):
                ax.plot(
                    [r.rel_effect * 100],
                    [y],
                    marker=_MARKERS[kind],
                    markersize=8,
                    color=colour,
                    linestyle="none",
                )
                xs.append(r.rel_effect * 100)
            else:
                ax.text(0, y, "  undefined (see the table)", va="center", fontsize=9)
            m = _margin_relative(r)
            if m is not None:
                bad = -m * 100 if r.direction != "decrease" else m * 100
                xs.append(bad)
                ax.plot([bad, bad], [y - 0.38, y + 0.38], color=COLOURS["worse"], linestyle="--")
                ax.text(
                    bad,
                    y + 0.42,
                    f"margin {'-' if bad < 0 else '+'}{m:.1%}",
                    ha="center",
                    va="bottom",
                    fontsize=8.5,
                    color=COLOURS["worse"],
                )
        lo, hi = min(xs), max(xs)
        pad = 0.12 * (hi - lo or 1.0)
        ax.set_xlim(lo - pad, hi + pad)
        for i, r in enumerate(rows):
            m = _margin_relative(r)
            if m is None:
                continue
            y = n - i
            bad = -m * 100 if r.direction != "decrease" else m * 100
            edge = lo - pad if bad < 0 else hi + pad
            ax.fill_betweenx([y - 0.38, y + 0.38], bad, edge, color=COLOURS["worse"], alpha=0.1)
        ax.axvline(0, color="#333333", linewidth=1)
        ax.set_yticks(
            [n - i for i in range(n)],
            [f"{r.metric} ({r.role})" + (f" · {r.variant}" if several else "") for r in rows],
        )
        ax.set_ylim(0.3, n + 0.9)
        for i, r in enumerate(rows):
            kind = _verdict(r, result.alpha, rule)
            ax.text(
                1.01,
                n - i,
                f"{_LABELS[kind]}\n{_means_label(r)}",
                transform=ax.get_yaxis_transform(),
                va="center",
                fontsize=8.5,
                color=COLOURS[kind],
            )
        ax.set_xlabel(
            f"relative effect of {', '.join(treatments)} vs {result.control} "
            f"(%, point and {level} interval)"
        )
        ax.tick_params(axis="y", length=0)
    parts = []
    for r in rows:
        kind = _verdict(r, result.alpha, rule)
        what = {
            "better": "significantly better",
            "worse": "significantly worse",
            "ok": f"non-inferior at its {r.margin:.1%} margin" if r.margin is not None else "",
            "inconclusive": (
                f"not yet shown non-inferior at its {r.margin:.1%} margin"
                if r.margin is not None
                else "no significant difference"
            ),
        }[kind]
        interval = (
            f" [{_pct(r.rel_effect_ci_lower)}, {_pct(r.rel_effect_ci_upper)}]"
            if _finite(r.rel_effect_ci_lower)
            else ""
        )
        who = f" ({r.variant})" if several else ""
        parts.append(f"{r.metric}{who} {_pct(r.rel_effect)}{interval}, {what}")
    reading = (
        f"{', '.join(treatments)} against {result.control}: " + "; ".join(parts) + ". "
        "A point right of zero is an increase; the shaded side of a dashed line is beyond a "
        "guardrail's margin."
    )
    return _render(fig, slug, f"Relative effects of {result.experiment}", reading)


# --- Sequential ------------------------------------------------------------------------------


@_responsive
def sequential_chart(a: SequentialAnalysis) -> Chart:
    """The effect and its confidence sequence over the looks, with the stopping boundary."""
    n = len(a.results)
    slug = f"sequential-{a.experiment}"
    with _figure(slug, 2.3 * n + 0.6) as fig:
        axes = fig.subplots(n, 1, squeeze=False)[:, 0]
        for ax, r in zip(axes, a.results, strict=True):
            scale, unit = (100.0, "pp") if r.metric_type == "proportion" else (1.0, "")
            x = [look.look for look in r.looks]
            eff = [look.effect * scale for look in r.looks]
            lo = [look.effect_ci_lower * scale for look in r.looks]
            hi = [look.effect_ci_upper * scale for look in r.looks]
            ax.fill_between(
                x, lo, hi, color=COLOURS["better"], alpha=0.18, label="confidence sequence"
            )
            ax.plot(x, eff, color=COLOURS["better"], marker="o", markersize=3, label="effect")
            bound = [
                (look.gs_z_boundary * look.effect_se * scale)
                if _finite(look.gs_z_boundary, look.effect_se)
                else math.nan
                for look in r.looks
            ]
            if any(math.isfinite(b) for b in bound):
                ax.plot(
                    x,
                    bound,
                    color=COLOURS["worse"],
                    linestyle="--",
                    linewidth=1,
                    label="group-sequential boundary",
                )
                ax.plot(x, [-b for b in bound], color=COLOURS["worse"], linestyle="--", lw=1)
            ax.axhline(0, color="#333333", linewidth=0.8)
            if r.stop_look > 0:
                ax.axvline(r.stop_look, color=COLOURS["ok"], linestyle=":", label="could stop")
            ax.set_title(f"{r.metric} ({r.role}), {r.variant} vs {a.control}", loc="left")
            ax.set_ylabel(f"effect{f' ({unit})' if unit else ''}")
            ax.grid(axis="y")
            ticks = list(range(1, len(x) + 1, max(1, math.ceil(len(x) / 6))))
            ax.set_xticks(
                ticks, [r.look_labels[t - 1] for t in ticks], fontsize=8, rotation=20, ha="right"
            )
        axes[0].legend(loc="upper right", ncols=2)
        axes[-1].set_xlabel(f"look (one per {'day' if a.look_by == 'day' else 'snapshot'})")
    primary = [r for r in a.results if r.metric == a.primary] or list(a.results)
    from proxymetric.report.plan import sequential_message

    reading = "; ".join(f"{r.metric} ({r.variant}): {sequential_message(r)}" for r in primary) + (
        ". The band is valid at every look at once; the test may stop when it excludes zero."
    )
    return _render(fig, slug, f"Effect over the looks of {a.experiment}", reading)


# --- Plan and power ----------------------------------------------------------------------------


@_responsive
def plan_chart(p: PlanResult) -> Chart:
    """Relative MDE against test duration per metric, with and without CUPED, and the target."""
    n = len(p.metrics)
    cols = 2 if n > 1 else 1
    rows = math.ceil(n / cols)
    slug = f"plan-{p.experiment}"
    with _figure(slug, 2.5 * rows + 0.5) as fig:
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax, m in zip(axes, p.metrics, strict=False):
            days = [d.days for d in m.durations]
            ax.plot(
                days,
                [d.rel_mde * 100 for d in m.durations],
                color=COLOURS["inconclusive"],
                linestyle="--",
                marker="o",
                markersize=3,
                label="without CUPED",
            )
            if m.variance_reduction > 0:
                ax.plot(
                    days,
                    [d.rel_mde_with_cuped * 100 for d in m.durations],
                    color=COLOURS["better"],
                    marker="o",
                    markersize=3,
                    label=f"with CUPED (variance -{m.variance_reduction:.0%})",
                )
            if _finite(m.target_rel_mde):
                what = "margin" if m.test == "non-inferiority" else "expected effect"
                ax.axhline(
                    abs(m.target_rel_mde) * 100,
                    color=COLOURS["accent"],
                    linewidth=1.5,
                    label=f"{what} {abs(m.target_rel_mde):.1%}",
                )
            ax.axvline(p.planned_days, color="#999999", linestyle=":", linewidth=1)
            ax.set_title(f"{m.metric} ({m.role})", loc="left")
            ax.set_xlabel("test duration (days)")
            ax.set_ylabel("MDE (relative, %)")
            ax.set_ylim(bottom=0)
            ax.grid(axis="y")
            ax.legend(loc="upper right")
        for ax in axes[n:]:
            ax.set_visible(False)
    parts = []
    for m in p.metrics:
        d = m.days_needed_with_cuped
        parts.append(
            f"{m.metric} reaches {abs(m.target_rel_mde):.1%} after {d:.0f} days"
            if math.isfinite(d)
            else f"{m.metric} never reaches {abs(m.target_rel_mde):.1%} at this traffic"
        )
    reading = (
        "The MDE falls as the test runs longer; "
        + "; ".join(parts)
        + f" (dotted line: the planned {p.planned_days} days)."
    )
    return _render(fig, slug, f"Minimum detectable effect by duration: {p.experiment}", reading)


@_responsive
def power_curve_chart(r: PowerResult, curve: PowerCurve) -> Chart:
    """Power against the true relative effect at the result's units, the MDE marked."""
    slug = "power-curve"
    with _figure(slug, 3.2) as fig:
        ax = fig.subplots()
        ax.plot(
            [x * 100 for x in curve.rel_effects],
            [y * 100 for y in curve.powers],
            color=COLOURS["better"],
            linewidth=2,
        )
        ax.axhline(r.power * 100, color=COLOURS["accent"], linewidth=1, linestyle="--")
        ax.axvline(r.rel_mde * 100, color=COLOURS["accent"], linewidth=1, linestyle="--")
        ax.plot([r.rel_mde * 100], [r.power * 100], "o", color=COLOURS["accent"])
        ax.annotate(
            f"MDE {r.rel_mde:+.2%} at power {r.power:.0%}",
            (r.rel_mde * 100, r.power * 100),
            xytext=(8, -14),
            textcoords="offset points",
            fontsize=9,
        )
        ax.set_ylim(0, 100)
        ax.set_xlabel(f"true relative effect (%) on a baseline of {r.baseline:g}")
        ax.set_ylabel("power (%)")
        ax.grid(axis="y")
    units = f"{r.units_per_variant:,} units per variant"
    reading = (
        f"With {units} at alpha {r.alpha:g} ({r.alternative}), an effect of "
        f"{r.rel_mde:+.1%} is detected {r.power:.0%} of the time; smaller effects are missed "
        "more often."
    )
    return _render(fig, slug, "Power curve", reading)


# --- Value model -------------------------------------------------------------------------------


def _money_axis(ax: Axes, currency: str, axis: str = "x") -> None:
    from matplotlib.ticker import FuncFormatter

    from proxymetric.value import format_money

    fmt = FuncFormatter(lambda v, _pos: format_money(float(v), currency))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


@_responsive
def value_distribution_chart(r: ValueResult) -> Chart:
    """The profit distribution per alternative: its 90% interval, median and mean, P(loss)."""
    rows = [s for s in r.summaries if s.outcome == r.objective]
    n = len(rows)
    slug = "value-distribution"
    with _figure(slug, 0.6 * n + 1.3) as fig:
        ax = fig.subplots()
        for i, s in enumerate(rows):
            y = n - i
            ax.plot([s.p05, s.p95], [y, y], color=COLOURS["better"], linewidth=9, alpha=0.35)
            if s.p05 < 0:
                ax.plot(
                    [s.p05, min(0.0, s.p95)],
                    [y, y],
                    color=COLOURS["worse"],
                    linewidth=9,
                    alpha=0.55,
                )
            ax.plot([s.median, s.median], [y - 0.22, y + 0.22], color="#222222", linewidth=1.5)
            ax.plot([s.mean], [y], marker="D", color="#222222", markersize=5)
            ax.text(
                1.01,
                y,
                f"P(loss) {s.prob_loss:.1%}",
                transform=ax.get_yaxis_transform(),
                va="center",
                fontsize=9,
                color=COLOURS["worse"] if s.prob_loss > 0 else "#333333",
            )
        ax.axvline(0, color="#333333", linewidth=1)
        ax.set_yticks([n - i for i in range(n)], [s.alternative for s in rows])
        ax.set_ylim(0.4, n + 0.6)
        _money_axis(ax, r.currency)
        ax.set_xlabel(
            f"{r.objective} ({r.currency or 'money'}): 90% of the draws inside the bar, loss "
            "side shaded; | median, ◆ mean"
        )
        ax.tick_params(axis="y", length=0)
    best = max(rows, key=lambda s: s.mean) if rows else None
    reading = (
        f"{best.alternative} has the best expected {r.objective} with a {best.prob_loss:.1%} "
        f"probability of a loss; {r.recommendation.text}"
        if best is not None
        else r.recommendation.text
    )
    return _render(fig, slug, f"Distribution of {r.objective} per alternative", reading)


@_responsive
def tornado_chart(r: ValueResult, top: int = 5) -> Chart | None:
    """What moves the objective most: each input over its 5-95% range, the others at medians."""
    alts = [a for a in r.alternatives if any(b.alternative == a for b in r.tornado)]
    if not alts:
        return None
    slug = "value-tornado"
    groups = [[b for b in r.tornado if b.alternative == a][:top] for a in alts]
    heights = [len(g) for g in groups]
    with _figure(slug, 0.42 * sum(heights) + 0.9 * len(alts) + 0.4) as fig:
        axes = fig.subplots(len(alts), 1, squeeze=False, height_ratios=heights)[:, 0]
        for ax, alt, bars in zip(axes, alts, groups, strict=True):
            k = len(bars)
            for i, b in enumerate(bars):
                y = k - i
                ax.barh(
                    y,
                    b.outcome_at_p05 - b.baseline,
                    left=b.baseline,
                    color=COLOURS["accent"],
                    height=0.6,
                    label="input at its 5%" if i == 0 else None,
                )
                ax.barh(
                    y,
                    b.outcome_at_p95 - b.baseline,
                    left=b.baseline,
                    color=COLOURS["better"],
                    height=0.6,
                    label="input at its 95%" if i == 0 else None,
                )
            ax.axvline(bars[0].baseline, color="#333333", linewidth=1)
            ax.set_yticks([k - i for i in range(k)], [b.input for b in bars])
            ax.set_title(f"{alt}", loc="left")
            _money_axis(ax, r.currency)
            ax.tick_params(axis="y", length=0)
        axes[0].legend(loc="lower right", ncols=2)
        axes[-1].set_xlabel(f"{r.objective} ({r.currency or 'money'}) with one input moved")
    first = groups[0][0]
    from proxymetric.value import format_money

    reading = (
        f"For {first.alternative}, {first.input} moves {r.objective} the most: a swing of "
        f"{format_money(first.swing, r.currency)} over its 5-95% range."
    )
    return _render(fig, slug, f"What drives {r.objective}", reading)


@_responsive
def break_even_chart(r: ValueResult) -> Chart | None:
    """Each break-even value on its input's search range, the profitable side shaded."""
    rows = [b for b in r.break_even if b.found]
    if not rows:
        return None
    slug = "value-break-even"
    with _figure(slug, 0.85 * len(rows) + 0.5) as fig:
        axes = fig.subplots(len(rows), 1, squeeze=False)[:, 0]
        for ax, b in zip(axes, rows, strict=True):
            low, high = b.search_low, b.search_high
            if b.profitable_side == "above":
                ax.axvspan(b.value, high, color=COLOURS["ok"], alpha=0.2)
            else:
                ax.axvspan(low, b.value, color=COLOURS["ok"], alpha=0.2)
            ax.axvline(b.value, color=COLOURS["worse"], linewidth=2)
            ax.plot([b.input_median], [0.5], marker="D", color="#222222")
            ax.set_xlim(low, high)
            ax.set_ylim(0, 1)
            ax.set_yticks([])
            ax.spines["left"].set_visible(False)
            ax.set_title(
                f"{b.alternative}: {b.input} (break-even {b.value:.4g}, profitable "
                f"{b.profitable_side}, P = {b.prob_profitable:.1%}; ◆ median)",
                loc="left",
                fontsize=9,
            )
            ax.grid(visible=False)
    b = rows[0]
    reading = (
        f"{b.alternative} pays while {b.input} is {b.profitable_side} {b.value:.4g} "
        f"(probability {b.prob_profitable:.1%} under its distribution); shaded: the profitable "
        "side."
    )
    return _render(fig, slug, f"Break-even of {r.objective}", reading)


# --- Pairwise, interleaving, offline ------------------------------------------------------------


@_responsive
def score_chart(r: BlindTestResult) -> Chart:
    """Bradley-Terry scores with their intervals and rank ranges, best first."""
    systems = sorted(r.systems, key=lambda s: s.rank)
    n = len(systems)
    level = f"{r.confidence_level:.0%}"
    slug = "pairwise-scores"
    with _figure(slug, 0.5 * n + 1.2) as fig:
        ax = fig.subplots()
        for i, s in enumerate(systems):
            y = n - i
            if _finite(s.score_ci_lower, s.score_ci_upper):
                ax.plot(
                    [s.score_ci_lower, s.score_ci_upper],
                    [y, y],
                    color=COLOURS["better"],
                    linewidth=2.4,
                )
            ax.plot([s.score], [y], "o", color=COLOURS["better"])
            ax.text(
                1.01,
                y,
                f"rank {s.rank_ci_lower}-{s.rank_ci_upper}",
                transform=ax.get_yaxis_transform(),
                va="center",
                fontsize=9,
            )
        ax.axvline(1000, color="#999999", linewidth=1, linestyle=":")
        ax.set_yticks([n - i for i in range(n)], [s.system for s in systems])
        ax.set_ylim(0.4, n + 0.6)
        ax.set_xlabel(f"Bradley-Terry score (mean 1000; point and {level} bootstrap interval)")
        ax.tick_params(axis="y", length=0)
    top = systems[0]
    reading = (
        f"{top.system} ranks first with a score of {top.score:.0f} "
        f"[{top.score_ci_lower:.0f}, {top.score_ci_upper:.0f}]; its rank could be "
        f"{top.rank_ci_lower} to {top.rank_ci_upper} given the judgments' noise."
    )
    return _render(fig, slug, "Scores of the systems", reading)


@_responsive
def win_rate_heatmap(r: BlindTestResult) -> Chart:
    """Observed win rate of each row system over each column system (ties as half wins)."""
    import numpy as np

    names = [s.system for s in sorted(r.systems, key=lambda s: s.rank)]
    index = {name: i for i, name in enumerate(names)}
    k = len(names)
    rate = np.full((k, k), np.nan)
    count = np.zeros((k, k), dtype=int)
    for p in r.pairs:
        i, j = index[p.system_a], index[p.system_b]
        rate[i, j], rate[j, i] = p.win_rate_a, 1 - p.win_rate_a
        count[i, j] = count[j, i] = p.judgments
    slug = "pairwise-heatmap"
    size = min(0.75 * k + 2.2, WIDTH)
    with _figure(slug, 0.6 * k + 1.6, width=size) as fig:
        ax = fig.subplots()
        ax.pcolormesh(np.ma.masked_invalid(rate), cmap="RdBu", vmin=0, vmax=1, edgecolors="white")
        for i in range(k):
            for j in range(k):
                if math.isfinite(rate[i, j]):
                    ax.text(
                        j + 0.5,
                        i + 0.5,
                        f"{rate[i, j]:.0%}",
                        ha="center",
                        va="center",
                        fontsize=9,
                        color="white" if abs(rate[i, j] - 0.5) > 0.3 else "black",
                    )
        ax.set_xticks([j + 0.5 for j in range(k)], names, rotation=30, ha="right")
        ax.set_yticks([i + 0.5 for i in range(k)], names)
        ax.invert_yaxis()
        ax.set_xlabel("against (column)")
        ax.set_ylabel("system (row)")
        ax.grid(visible=False)
    reading = (
        "Each cell is how often the row system beat the column system in direct comparisons "
        "(ties as half wins); blue above 50%, red below, blank where the pair was never judged."
    )
    return _render(fig, slug, "Win rates, pair by pair", reading)


@_responsive
def interleaving_chart(r: InterleavingResult) -> Chart:
    """The preference for ranker a with its interval, against 50% (no preference)."""
    slug = "interleaving"
    level = f"{r.confidence_level:.0%}"
    with _figure(slug, 1.5) as fig:
        ax = fig.subplots()
        if _finite(r.preference_a_ci_lower, r.preference_a_ci_upper):
            ax.plot(
                [r.preference_a_ci_lower * 100, r.preference_a_ci_upper * 100],
                [1, 1],
                color=COLOURS["better"],
                linewidth=2.4,
            )
        ax.plot([r.preference_a * 100], [1], "o", color=COLOURS["better"])
        ax.axvline(50, color="#333333", linewidth=1)
        ax.set_yticks([1], ["ranker a"])
        ax.set_xlabel(f"share of units preferring ranker a (%, point and {level} interval)")
        ax.tick_params(axis="y", length=0)
    verdict = {"a": "ranker a is preferred", "b": "ranker b is preferred"}.get(
        r.winner, "no significant preference"
    )
    reading = (
        f"{r.preference_a:.1%} of the units with a preference chose ranker a: {verdict} "
        f"(sign test p = {r.pvalue:.3g})."
    )
    return _render(fig, slug, "Preference between the rankers", reading)


def _small_multiples(
    slug: str,
    panels: Sequence[tuple[str, Sequence[tuple[str, float, float, float]]]],
    xlabel: str,
    *,
    zero: bool,
) -> Figure:
    cols = 3 if len(panels) > 4 else 2 if len(panels) > 1 else 1
    rows = math.ceil(len(panels) / cols)
    k = max(len(p[1]) for p in panels)
    with _figure(slug, rows * (0.32 * k + 1.0) + 0.4) as fig:
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax, (title, points) in zip(axes, panels, strict=False):
            m = len(points)
            for i, (_label, value, low, high) in enumerate(points):
                y = m - i
                colour = COLOURS["better"]
                if zero and _finite(low, high):
                    colour = (
                        COLOURS["worse"]
                        if high < 0
                        else COLOURS["better"]
                        if low > 0
                        else COLOURS["inconclusive"]
                    )
                if _finite(low, high):
                    ax.plot([low, high], [y, y], color=colour, linewidth=2)
                if _finite(value):
                    ax.plot([value], [y], "o", color=colour, markersize=4)
            if zero:
                ax.axvline(0, color="#333333", linewidth=0.8)
            ax.set_yticks([m - i for i in range(m)], [p[0] for p in points], fontsize=8)
            ax.set_ylim(0.4, m + 0.6)
            ax.set_title(title, loc="left", fontsize=9.5)
            ax.tick_params(axis="x", labelsize=8)
            ax.tick_params(axis="y", length=0)
        for ax in axes[len(panels) :]:
            ax.set_visible(False)
        fig.supxlabel(xlabel, fontsize=9)
    return fig


@_responsive
def offline_chart(r: OfflineResult) -> Chart | None:
    """Each offline metric per model with its bootstrap interval, one panel per metric."""
    from proxymetric.offline.evaluation import metric_order

    present = {name for metrics in r.models.values() for name in metrics}
    panels = []
    for name in metric_order(r.k):
        if name not in present:
            continue
        points = [
            (model, v.value, v.value_ci_lower, v.value_ci_upper)
            for model, metrics in r.models.items()
            if (v := metrics.get(name)) is not None
        ]
        if any(math.isfinite(p[1]) for p in points):
            panels.append((name, points))
    if not panels:
        return None
    slug = "offline-metrics"
    level = f"{r.confidence_level:.0%}"
    fig = _small_multiples(
        slug, panels, f"value (point and {level} bootstrap interval)", zero=False
    )
    best = [name for name, _ in panels][:1]
    reading = (
        f"{len(panels)} metrics of {len(r.models)} models; compare the models within a panel "
        f"(each has its own scale){f', starting with {best[0]}' if best else ''}."
    )
    return _render(fig, slug, "Offline metrics per model", reading)


@_responsive
def offline_differences_chart(r: OfflineResult) -> Chart | None:
    """Paired differences with the baseline model, with intervals, one panel per metric."""
    by_metric: dict[str, list[tuple[str, float, float, float]]] = {}
    for c in r.comparisons:
        by_metric.setdefault(c.metric, []).append(
            (c.model, c.difference, c.difference_ci_lower, c.difference_ci_upper)
        )
    panels = [(name, pts) for name, pts in by_metric.items() if any(_finite(p[1]) for p in pts)]
    if not panels:
        return None
    slug = "offline-differences"
    level = f"{r.confidence_level:.0%}"
    fig = _small_multiples(
        slug, panels, f"model minus {r.baseline} (point and {level} paired interval)", zero=True
    )
    reading = (
        f"Each point is a model's difference with {r.baseline} on the same units: blue above "
        "zero, vermillion below, grey when the interval holds zero (whether higher is better "
        "depends on the metric)."
    )
    return _render(fig, slug, f"Paired differences with {r.baseline}", reading)


# --- Proxies -------------------------------------------------------------------------------------


@_responsive
def correlation_chart(rep: ProxyReport) -> Chart:
    """Naive, noise-corrected and out-of-sample correlations with the north star per candidate."""
    import numpy as np

    rows = [row for row in rep.rows if row.kind != "north_star"]
    n = len(rows)
    slug = f"proxy-correlations-{rep.north_star}"
    series: list[tuple[str, Callable[[Any], float | None], str]] = [
        ("naive (estimated effects)", lambda x: x.naive_correlation, COLOURS["inconclusive"]),
        ("true effects (noise-corrected)", lambda x: x.true_correlation, COLOURS["better"]),
        ("at test size, out of sample", lambda x: x.cv_correlation_at_size, COLOURS["accent"]),
    ]
    with _figure(slug, 0.75 * n + 1.4) as fig:
        ax = fig.subplots()
        for k, (label, get, colour) in enumerate(series):
            ys = np.arange(n, 0, -1) + (1 - k) * 0.25
            values = [get(row) for row in rows]
            vals = [
                float(np.clip(v, -1, 1)) if v is not None and math.isfinite(v) else 0.0
                for v in values
            ]
            ax.barh(ys, vals, height=0.24, color=colour, label=label)
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_xlim(-1, 1)
        ax.set_yticks(list(range(n, 0, -1)), [row.metric for row in rows])
        ax.set_xlabel(f"correlation with the effect on {rep.north_star} (clipped to [-1, 1])")
        ax.legend(loc="lower left", fontsize=8)
        ax.tick_params(axis="y", length=0)
    reading = (
        "Grey bars are what a naive correlation of past estimated effects says; blue removes "
        "the noise both metrics share; orange is what a test of "
        f"{rep.units:,.0f} units can rely on. {rep.recommendation}"
    )
    return _render(fig, slug, f"Which metric tracks {rep.north_star}", reading)


def effects_by_metric(table: EffectTable) -> dict[str, list[float]]:
    """The estimated effects of each metric across the comparisons of ``table`` (NaN: none)."""
    return {m: [float(x) for x in table.effects[:, j]] for j, m in enumerate(table.metrics)}


@_responsive
def proxy_scatter(rep: ProxyReport, effects: Mapping[str, Sequence[float | None]]) -> Chart | None:
    """Estimated effects on each proxy against the north star, with the naive and corrected fit.

    ``effects[metric]`` are the metric's estimated effects across the past comparisons (in the
    same order for every metric). The naive line has the slope of the covariance of the
    estimated effects, the corrected one the slope of the noise-corrected covariance of the true
    effects (both from the report); both pass through the mean effects.
    """
    import numpy as np

    proxies = [p for p in rep.proxies if p in effects]
    if rep.north_star not in effects or not proxies:
        return None

    def column(metric: str) -> Any:
        return np.array([np.nan if v is None else v for v in effects[metric]], dtype=float)

    ns = column(rep.north_star)
    n = len(proxies)
    cols = min(n, 2)
    rows = math.ceil(n / cols)
    slug = f"proxy-scatter-{rep.north_star}"
    with _figure(slug, 2.8 * rows + 0.5) as fig:
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax, p in zip(axes, proxies, strict=False):
            x, y = column(p), ns
            ok = np.isfinite(x) & np.isfinite(y)
            x, y = x[ok], y[ok]
            ax.plot(x, y, "o", color="#555555", markersize=3, alpha=0.6)
            if x.size:
                xs = np.array([x.min(), x.max()])
                mx, my = float(x.mean()), float(y.mean())
                for cov, colour, style, label in (
                    (rep.naive_covariance, COLOURS["inconclusive"], "--", "naive fit"),
                    (rep.true_covariance, COLOURS["better"], "-", "noise-corrected fit"),
                ):
                    var = cov[p][p]
                    if math.isfinite(var) and var > 0:
                        slope = cov[p][rep.north_star] / var
                        ax.plot(
                            xs,
                            my + slope * (xs - mx),
                            color=colour,
                            linestyle=style,
                            linewidth=1.8,
                            label=label,
                        )
            ax.axhline(0, color="#999999", linewidth=0.6)
            ax.axvline(0, color="#999999", linewidth=0.6)
            ax.set_xlabel(f"estimated effect on {p}", fontsize=9)
            ax.set_ylabel(f"effect on {rep.north_star}", fontsize=9)
            ax.tick_params(labelsize=8)
            ax.grid(visible=False)
            ax.legend(loc="best", fontsize=8)
        for ax in axes[n:]:
            ax.set_visible(False)
    reading = (
        f"Each point is one past comparison. The dashed line fits the estimated effects as they "
        f"are; the solid line fits the true effects once the noise that {rep.north_star} and "
        "each proxy share is removed: where they differ, the naive correlation misleads."
    )
    return _render(fig, slug, f"Past effects: proxies against {rep.north_star}", reading)


@_responsive
def impact_chart(imp: ProgramImpact) -> Chart:
    """The claimed (naive) total against the earned (winner's curse corrected) total."""
    slug = "program-impact"
    level = f"{imp.confidence_level:.0%}"
    with _figure(slug, 1.8) as fig:
        ax = fig.subplots()
        ax.barh([2], [imp.naive_money], color=COLOURS["inconclusive"], height=0.5)
        ax.barh([1], [imp.shrunk_money], color=COLOURS["better"], height=0.5)
        if _finite(imp.shrunk_money_ci_lower, imp.shrunk_money_ci_upper):
            ax.plot(
                [imp.shrunk_money_ci_lower, imp.shrunk_money_ci_upper],
                [1, 1],
                color="#222222",
                linewidth=1.5,
            )
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_yticks([2, 1], ["claimed (naive sum)", f"earned (shrunk, {level} interval)"])
        ax.set_xlabel(f"money from {imp.n_shipped} shipped changes to {imp.metric}")
        ax.tick_params(axis="y", length=0)
    reading = (
        f"Summing the shipped winners' estimates claims {imp.naive_money:,.0f}; corrected for "
        f"the winner's curse they earned {imp.shrunk_money:,.0f}."
    )
    return _render(fig, slug, f"Program impact on {imp.metric}", reading)


@_responsive
def holdout_chart(r: HoldoutRollup) -> Chart:
    """The holdout's measured effect against the claimed (naive) and earned (shrunk) sums."""
    slug = "holdout-rollup"
    level = f"{r.confidence_level:.0%}"
    rows = (
        (3, "holdout (measured)", r.holdout_effect, r.holdout_effect_ci_lower,
         r.holdout_effect_ci_upper, COLOURS["better"], "o"),
        (2, "claimed (naive sum)", r.naive_sum, r.naive_sum_ci_lower, r.naive_sum_ci_upper,
         COLOURS["inconclusive"], "s"),
        (1, "earned (shrunk sum)", r.shrunk_sum, r.shrunk_sum_ci_lower, r.shrunk_sum_ci_upper,
         COLOURS["ok"], "D"),
    )  # fmt: skip
    with _figure(slug, 2.0) as fig:
        ax = fig.subplots()
        for y, _, value, lo, hi, colour, marker in rows:
            if _finite(lo, hi):
                ax.plot([lo, hi], [y, y], color=colour, linewidth=2)
            if _finite(value):
                ax.plot([value], [y], marker=marker, color=colour, markersize=7)
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_yticks([y for y, *_ in rows], [label for _, label, *_ in rows])
        ax.set_ylim(0.5, 3.5)
        ax.set_xlabel(f"effect on {r.metric} ({level} intervals)")
        ax.tick_params(axis="y", length=0)
    share = "—" if not math.isfinite(r.shrunk_share) else f"{r.shrunk_share:.0%}"
    naive = "—" if not math.isfinite(r.naive_share) else f"{r.naive_share:.0%}"
    reading = (
        f"The holdout measured {naive} of what the {r.n_shipped} shipped experiments claimed "
        f"and {share} of their sum corrected for the winner's curse."
    )
    return _render(fig, slug, f"Program against holdout {r.holdout}", reading)
