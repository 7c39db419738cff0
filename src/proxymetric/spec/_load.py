"""Load and cross-check a spec; every error names the file, the line and what is allowed."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from proxymetric._validation import did_you_mean
from proxymetric.errors import SpecError
from proxymetric.spec._yaml import LineMap, read_yaml
from proxymetric.spec.model import PRE_PERIOD, ExperimentSpec, MetricSpec, SourceSpec, Spec

__all__ = ["load_spec", "parse_spec", "spec_error"]


def _describe(loc: tuple[str | int, ...]) -> str:
    return "`" + ".".join(str(p) for p in loc) + "`" if loc else "the spec"


def _show(value: Any) -> str:
    """Return ``repr(value)`` shortened to 60 characters for a message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_BRANCHES = frozenset({"float", "str", "int"})


def _union_place(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Cut an error location at its first union branch: where the value that failed sits."""
    for i, part in enumerate(loc):
        if isinstance(part, str) and (
            part in _BRANCHES or part.startswith(("tagged-union[", "function-"))
        ):
            return loc[:i]
    return loc


def _clean(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's internal parts of an error location (validator and union tags)."""
    out: list[str | int] = []
    skip = False
    for part in loc:
        if skip:
            skip = False
            continue
        if isinstance(part, str) and part.startswith("tagged-union["):
            skip = True  # the next part is the tag's value (such as a `dist`)
            continue
        if isinstance(part, str) and part.startswith("function-"):
            continue
        out.append(part)
    return tuple(out)


def spec_error(exc: ValidationError, lines: LineMap, base: tuple[str | int, ...] = ()) -> SpecError:
    """Return the :class:`SpecError` of a pydantic error, located at its key's line.

    ``base`` is the location of the validated section inside the file.
    """
    errors = exc.errors(include_url=False)
    # A value that fits no branch of a union fails every branch; the deepest error is the one
    # that says what is wrong (for a number, the error of the number branch).
    err = max(
        errors,
        key=lambda e: (
            len(e["loc"]),
            e["type"] not in {"float_type", "string_type"},
            e["type"] == "float_type" and isinstance(e.get("input"), int | float),
        ),
    )
    loc = _clean(err["loc"])
    kind = err["type"]
    if kind in {"float_type", "string_type", "finite_number"} and loc and loc[-1] in _BRANCHES:
        loc = loc[:-1]
    full = (*base, *loc)
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        msg = f"unknown key {full[-1]!r} in {_describe(full[:-1])}"
    elif kind == "missing":
        msg = f"`{full[-1]}` is required in {_describe(full[:-1])}"
    elif kind == "literal_error":
        msg = f"{_describe(full)}: {msg}; got {_show(err.get('input'))}"
    elif kind == "finite_number":
        msg = f"{_describe(full)} must be a finite number; got {_show(err.get('input'))}"
    elif kind == "union_tag_not_found":
        msg = f"{_describe(full)} must be a number or a mapping with `dist:`"
    elif kind in {"float_type", "string_type"}:
        msg = f"{_describe(full)}: {msg.lower()}; got {_show(err.get('input'))}"
    else:
        msg = f"{_describe(full)}: {msg}"
    # The branches of one union failing are one error, not several.
    count = len({_union_place(e["loc"]) for e in errors} - {_union_place(err["loc"])})
    if count and kind not in {"float_type", "string_type", "union_tag_not_found"}:
        msg += f" (and {count} more error{'s' if count > 1 else ''})"
    return lines.error(msg, full)


def _check_metric(name: str, metric: MetricSpec, source: SourceSpec, lines: LineMap) -> None:
    where = ("metrics", name)
    if source.kind == "assignments":
        raise lines.error(
            f"metric {name!r} reads the assignment log {metric.source!r}; metrics read unit "
            "tables (with `variant`) or event logs (with `timestamp`, without `variant`)",
            (*where, "source"),
        )
    strings = [k for k in ("numerator", "denominator") if isinstance(getattr(metric, k), str)]
    if source.kind == "summary":
        _check_summary_metric(name, metric, source, lines)
        return
    if metric.summary_metric is not None:
        raise lines.error(
            f"`summary_metric` of metric {name!r} applies to summary sources; "
            f"{metric.source!r} has no `summary`",
            (*where, "summary_metric"),
        )
    if source.kind == "units":
        if metric.aggregate is not None or metric.filter is not None:
            key = "aggregate" if metric.aggregate is not None else "filter"
            raise lines.error(
                f"metric {name!r} sets `{key}`, but source {metric.source!r} is a unit table "
                "(one row per unit); `aggregate` and `filter` apply to event logs (sources with "
                "`timestamp` and no `variant`)",
                (*where, key),
            )
        if metric.type != "ratio" and metric.column is None:
            raise lines.error(f"a {metric.type} metric needs `column`", where)
        if metric.type == "ratio" and len(strings) < 2:
            raise lines.error(
                f"ratio metric {name!r} on the unit table {metric.source!r} needs column names "
                "as `numerator` and `denominator`",
                where,
            )
        if metric.type == "ratio" and metric.covariate is not None:
            raise lines.error(
                f"ratio metric {name!r} on the unit table {metric.source!r} takes its CUPED "
                "covariate as `numerator_covariate` and `denominator_covariate`, not "
                f"`covariate`; got {metric.covariate!r}",
                (*where, "covariate"),
            )
        if metric.covariate == PRE_PERIOD:
            raise lines.error(
                f"`covariate: pre_period` of metric {name!r} needs an event log with timestamps; "
                f"on the unit table {metric.source!r}, name a covariate column",
                (*where, "covariate"),
            )
        return
    # an event log
    if strings:
        raise lines.error(
            f"ratio metric {name!r} on the event log {metric.source!r} needs aggregates as "
            f"`{strings[0]}`, such as {{aggregate: sum, column: revenue}}",
            (*where, strings[0]),
        )
    if metric.covariate not in (None, PRE_PERIOD, "none"):
        raise lines.error(
            f"`covariate` of event metric {name!r} must be 'pre_period' (the default) or "
            f"'none'; got {metric.covariate!r}",
            (*where, "covariate"),
        )
    if metric.numerator_covariate is not None:
        raise lines.error(
            f"event metric {name!r} takes its covariate from the pre-period; remove "
            "`numerator_covariate` and `denominator_covariate`",
            (*where, "numerator_covariate"),
        )
    if metric.type == "mean" and metric.aggregate is None:
        raise lines.error(
            f"metric {name!r} on the event log {metric.source!r} needs `aggregate` (sum, count, "
            "count_distinct, max or any)",
            where,
        )
    if metric.type != "ratio":
        try:
            metric.event_values()
        except ValueError as exc:
            raise lines.error(f"metric {name!r}: {exc}", where) from None


def _check_summary_metric(
    name: str, metric: MetricSpec, source: SourceSpec, lines: LineMap
) -> None:
    where = ("metrics", name)
    assert source.summary is not None
    if metric.type == "ratio":
        raise lines.error(
            f"ratio metric {name!r} needs unit-level data; summary statistics ({metric.source!r}) "
            "carry only means and variances, so only mean and proportion metrics work on them",
            (*where, "type"),
        )
    extra = [
        k
        for k in ("column", "covariate", "aggregate", "filter", "fill_missing")
        if getattr(metric, k) is not None
    ]
    if extra:
        raise lines.error(
            f"metric {name!r} on the summary source {metric.source!r} cannot use `{extra[0]}`; "
            "it takes `summary_metric` (the value of the source's metric column)",
            (*where, extra[0]),
        )
    if (source.summary.metric is None) != (metric.summary_metric is None):
        need = "needs" if source.summary.metric is not None else "cannot use"
        raise lines.error(
            f"metric {name!r} {need} `summary_metric`: the summary source {metric.source!r} "
            + (
                f"holds several metrics in column {source.summary.metric!r}"
                if source.summary.metric is not None
                else "holds one metric"
            ),
            where,
        )


def _check_references(spec: Spec, lines: LineMap) -> None:
    sources, metrics = spec.sources, spec.metrics
    for name, metric in metrics.items():
        if metric.source not in sources:
            raise lines.error(
                f"source {metric.source!r} of metric {name!r} is not defined; defined sources: "
                f"{', '.join(sorted(sources)) or '(none)'}{did_you_mean(metric.source, sources)}",
                ("metrics", name, "source"),
            )
        _check_metric(name, metric, sources[metric.source], lines)
    for exp_name, exp in spec.experiments.items():
        seen: dict[str, str] = {}
        paths: list[tuple[str, tuple[str | int, ...]]] = [(exp.primary, ("primary",))]
        paths += [(g.metric, ("guardrails", i, "metric")) for i, g in enumerate(exp.guardrails)]
        paths += [(m, ("secondary", i)) for i, m in enumerate(exp.secondary)]
        for (metric_name, role), (_, sub) in zip(exp.metric_roles(), paths, strict=True):
            where = ("experiments", exp_name, *sub)
            if metric_name not in metrics:
                raise lines.error(
                    f"metric {metric_name!r} in experiment {exp_name!r} is not defined; defined "
                    f"metrics: {', '.join(sorted(metrics)) or '(none)'}"
                    f"{did_you_mean(metric_name, metrics)}",
                    where,
                )
            if metric_name in seen:
                raise lines.error(
                    f"metric {metric_name!r} appears twice in experiment {exp_name!r} "
                    f"(as {seen[metric_name]} and as {role}); give each metric one role",
                    where,
                )
            seen[metric_name] = role
        _check_sources(spec, exp_name, exp, list(seen), lines)
        if exp.variants is not None:
            if exp.control not in exp.variants:
                raise lines.error(
                    f"control {exp.control!r} of experiment {exp_name!r} is not among its "
                    f"variants: {', '.join(exp.variants)}",
                    ("experiments", exp_name, "control"),
                )
            if len(set(exp.variants)) != len(exp.variants) or len(exp.variants) < 2:
                raise lines.error(
                    f"`variants` of experiment {exp_name!r} must list at least 2 distinct "
                    f"variants; got {exp.variants}",
                    ("experiments", exp_name, "variants"),
                )
        if exp.split is not None:
            if exp.control not in exp.split:
                raise lines.error(
                    f"`split` of experiment {exp_name!r} must give the control {exp.control!r} "
                    f"a share; got {', '.join(exp.split)}",
                    ("experiments", exp_name, "split"),
                )
            if exp.variants is not None and set(exp.split) != set(exp.variants):
                raise lines.error(
                    f"`split` of experiment {exp_name!r} must name exactly its variants "
                    f"({', '.join(exp.variants)}); got {', '.join(exp.split)}",
                    ("experiments", exp_name, "split"),
                )
            bad = {k: v for k, v in exp.split.items() if not v > 0}
            if bad:
                raise lines.error(
                    f"`split` shares must be > 0; got {bad}", ("experiments", exp_name, "split")
                )


def _check_sources(
    spec: Spec, exp_name: str, exp: ExperimentSpec, names: list[str], lines: LineMap
) -> None:
    where = ("experiments", exp_name)
    kinds = {spec.metrics[m].source: spec.sources[spec.metrics[m].source].kind for m in names}
    if exp.assignment is not None:
        if exp.assignment not in spec.sources:
            raise lines.error(
                f"assignment source {exp.assignment!r} of experiment {exp_name!r} is not "
                f"defined; defined sources: {', '.join(sorted(spec.sources))}"
                f"{did_you_mean(exp.assignment, spec.sources)}",
                (*where, "assignment"),
            )
        if spec.sources[exp.assignment].kind != "assignments":
            raise lines.error(
                f"assignment source {exp.assignment!r} of experiment {exp_name!r} needs `unit`, "
                "`variant` and `timestamp` (the assignment time)",
                (*where, "assignment"),
            )
        units = sorted(s for s, k in kinds.items() if k != "events")
        if units:
            raise lines.error(
                f"experiment {exp_name!r} has an assignment log, so its metrics must read event "
                f"logs; {', '.join(units)} is a unit table",
                where,
            )
        return
    if "summary" in kinds.values():
        if len(kinds) > 1:
            raise lines.error(
                f"experiment {exp_name!r} mixes summary statistics with other sources "
                f"({', '.join(sorted(kinds))}); analyse summary statistics on their own",
                where,
            )
        return
    if "events" in kinds.values():
        raise lines.error(
            f"experiment {exp_name!r} has metrics on event logs; name its assignment log with "
            "`assignment: SOURCE` (a source with `unit`, `variant` and `timestamp`)",
            where,
        )
    if exp.exposure_filter is not None or exp.window_days is not None:
        raise lines.error(
            f"`exposure_filter` and `window_days` of experiment {exp_name!r} need an "
            "`assignment` log",
            where,
        )
    if len(kinds) > 1:
        raise lines.error(
            f"experiment {exp_name!r} reads metrics from several unit tables "
            f"({', '.join(sorted(kinds))}); put its metrics in one table with one row per unit, "
            "or use an assignment log and event logs",
            where,
        )


def parse_spec(data: Any, lines: LineMap | None = None, base_dir: Path | None = None) -> Spec:
    """Return a validated :class:`Spec` from parsed YAML ``data`` (a mapping)."""
    lines = lines or LineMap(None, {})
    if not isinstance(data, Mapping):
        raise lines.error("a spec must be a mapping with `sources`, `metrics` and `experiments`")
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        raise spec_error(exc, lines) from None
    _check_references(spec, lines)
    spec._base_dir = base_dir or Path.cwd()
    spec._file = lines.file
    spec._lines = lines
    return spec


def load_spec(spec: str | Path | Mapping[str, Any] | Spec) -> Spec:
    """Return a validated :class:`Spec` from a file path, a mapping or a :class:`Spec`.

    Relative data paths are resolved against the spec file's folder (the working directory
    for a mapping).
    """
    if isinstance(spec, Spec):
        return spec
    if isinstance(spec, Mapping):
        return parse_spec(spec)
    if not isinstance(spec, str | os.PathLike):
        raise SpecError(
            f"`spec` must be a path to a spec file, a mapping of its content or a Spec; got "
            f"{_show(spec)} ({type(spec).__name__})"
        )
    path = Path(spec)
    data, lines = read_yaml(path)
    return parse_spec(data, lines, path.resolve().parent)
