"""``proxymetric analyze``: analyse an A/B/n experiment from a spec."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from proxymetric._validation import check_number
from proxymetric.analysis import analyze as run_analysis
from proxymetric.cli._common import (
    FormatOption,
    LaunchOption,
    OutputFormat,
    OutputOption,
    RegistryOption,
    alpha_option,
    emit,
    existing_registry,
    note,
    registry_location,
    user_errors,
)
from proxymetric.errors import ProxymetricError
from proxymetric.report.experiment import experiment_markdown, print_experiment
from proxymetric.spec import Spec, load_spec

__all__ = ["register", "with_levels"]


class Correction(enum.StrEnum):
    """Multiple-testing corrections of an experiment's success metrics."""

    holm = "holm"
    bh = "bh"
    none = "none"


class Family(enum.StrEnum):
    """The multiple-testing family of an experiment's success metrics."""

    both = "both"
    metrics = "metrics"
    treatments = "treatments"
    none = "none"


def with_levels(
    spec: Spec,
    experiment: str | None,
    alpha: float | None,
    correction: str | None,
    family: str | None = None,
    bayesian: bool = False,
) -> Spec:
    """Return ``spec`` with the experiment's ``alpha``, ``correction`` and ``family`` replaced
    by the ones given (None keeps the spec's), and with the Bayesian view (the spec's settings,
    or the defaults) when ``bayesian``; the spec's file, folder and line map are kept.

    An experiment that cannot be told (several and none named, or an unknown name) is left to
    the analysis to report.
    """
    update: dict[str, object] = {}
    if alpha is not None:
        update["alpha"] = check_number("alpha", alpha, low=0, high=0.5)
    if correction is not None:
        update["correction"] = str(correction)
    if family is not None:
        update["family"] = str(family)
    if not update and not bayesian:
        return spec
    name = experiment
    if name is None and len(spec.experiments) == 1:
        name = next(iter(spec.experiments))
    if name is None or name not in spec.experiments:
        return spec
    if bayesian and spec.experiments[name].bayesian is None:
        from proxymetric.spec.model import BayesianSpec

        update["bayesian"] = BayesianSpec()
    changed = spec.experiments[name].model_copy(update=update)
    return spec.model_copy(update={"experiments": {**spec.experiments, name: changed}})


@user_errors
def analyze(
    spec: Annotated[Path, typer.Argument(help="The spec file (proxymetric.yaml).")],
    experiment: Annotated[
        str | None,
        typer.Option(
            "--experiment", "-e", help="Experiment to analyse (needed if the spec has several)."
        ),
    ] = None,
    alpha: Annotated[
        float | None,
        alpha_option("Significance level for this run \\[default: the experiment's alpha]."),
    ] = None,
    correction: Annotated[
        Correction | None,
        typer.Option(
            "--correction",
            help="Multiple-testing correction of the success metrics for this run: holm, bh "
            "or none \\[default: the experiment's].",
        ),
    ] = None,
    family: Annotated[
        Family | None,
        typer.Option(
            "--family",
            help="Multiple-testing family of the success metrics for this run: both (every "
            "metric of every treatment), metrics (per treatment), treatments (per metric) or "
            "none \\[default: the experiment's].",
        ),
    ] = None,
    bayesian: Annotated[
        bool,
        typer.Option(
            "--bayesian",
            help="Add the Bayesian view (posterior, probability better, expected loss) beside "
            "the frequentist results, with the spec's `bayesian` settings or the defaults.",
        ),
    ] = False,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    record: Annotated[
        bool, typer.Option("--record", help="Record the analysis in the registry.")
    ] = False,
    registry: RegistryOption = None,
    launch: LaunchOption = None,
    sequential: Annotated[
        bool,
        typer.Option(
            "--sequential",
            help="Every look (day or snapshot): always-valid p-values, confidence sequences, "
            "group-sequential boundaries, and whether the test could stop.",
        ),
    ] = False,
    segment: Annotated[
        list[str] | None,
        typer.Option(
            "--segment",
            help="A column of the unit table or assignment log, or the `name` of a dimension "
            "the experiment's `segments` declare, to break every effect down by "
            "(repeatable; replaces the experiment's `segments` columns). Exploratory: "
            "corrected across segments, never part of the decision.",
        ),
    ] = None,
) -> None:
    """Analyse an experiment: effects with intervals, guardrails, SRM check and a decision.

    With --record the analysis is added to the registry; without it, an existing registry's
    plan of the experiment is compared with the analysis (plan deviations are warnings).
    With --launch NAME it is recorded too, and its effects are results of that launch.
    """
    if sequential and segment:
        raise ProxymetricError(
            "`--segment` does not apply to `--sequential`: segments are read at the end of "
            "a test; drop `--segment` or `--sequential`"
        )
    if sequential and (record or registry is not None or launch is not None):
        option = "--record" if record else "--launch" if launch is not None else "--registry"
        raise ProxymetricError(
            f"`{option}` does not apply to `--sequential`: the registry holds fixed-horizon "
            "analyses; once the test stops, run `proxymetric analyze SPEC --record`"
        )
    record = record or launch is not None
    loaded = with_levels(load_spec(spec), experiment, alpha, correction, family, bayesian)
    if sequential:
        _sequential(loaded, experiment, fmt, output)
        return
    # A recorded analysis keeps what proxy validation needs: the noise covariance between
    # metrics and the effects in two random halves of the units (for the cross-fold estimator).
    result = run_analysis(
        loaded, experiment, effect_covariance=record, folds=record, segments=segment or None
    )
    location = registry_location(registry) if record else existing_registry(registry)
    if location is not None:
        from proxymetric.registry import Registry, plan_deviations

        try:
            reg = Registry(location, create=record)
            plan = reg.latest(result.experiment, "plan")
        except ProxymetricError as exc:
            if record or registry is not None:
                raise  # the registry was asked for: it must work
            # Only the registry found in the default place, read for plan deviations: the
            # analysis stands without it, but says that the plan could not be checked.
            reason = f"plan deviations not checked: {exc}"
            result = dataclasses.replace(result, warnings=[*result.warnings, reason])
        else:
            if plan is not None:
                deviations = plan_deviations(plan, result)
                result = dataclasses.replace(result, warnings=[*result.warnings, *deviations])
            if record:
                rid = reg.record_analysis(result, loaded, launch=launch)
                note(f"recorded the analysis of {result.experiment} as record {rid} in {reg.url}")
                if launch is not None:
                    note(f"its effects are results of launch {launch}")
    emit(result, fmt, experiment_markdown, print_experiment, output, html=_page(loaded))


def _page(loaded: Spec) -> Callable[[object], str]:
    """The HTML page of a result of this spec: the metrics' definitions come from the spec."""

    def page(result: object) -> str:
        from proxymetric.report.html import to_html

        return to_html(result, spec=loaded)

    return page


def _sequential(
    loaded: Spec, experiment: str | None, fmt: OutputFormat, output: Path | None
) -> None:
    from proxymetric.analysis.sequential import analyze_sequential
    from proxymetric.report.plan import print_sequential, sequential_markdown

    result = analyze_sequential(loaded, experiment)
    emit(result, fmt, sequential_markdown, print_sequential, output)


def register(app: typer.Typer) -> None:
    """Add the ``analyze`` command to ``app``."""
    app.command("analyze")(analyze)
