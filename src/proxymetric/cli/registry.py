"""``proxymetric registry``: register a plan, list, show and import records; program impact and
the holdout roll-up."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from proxymetric._validation import check_choice
from proxymetric.cli._common import (
    FormatOption,
    OutputFormat,
    OutputOption,
    RegistryOption,
    bootstrap_option,
    confidence_level_option,
    echo,
    emit_text,
    mde_option,
    registry_location,
    seed_option,
    show_sections,
    user_errors,
)
from proxymetric.errors import ProxymetricError
from proxymetric.proxies import holdout_rollup_from_registry, program_impact, table_from_registry
from proxymetric.registry import Registry, import_asos, import_csv, import_launches
from proxymetric.report import to_json
from proxymetric.report.proxies import holdout_sections, impact_sections
from proxymetric.report.registry import (
    import_text,
    record_sections,
    records_sections,
)
from proxymetric.spec import load_spec

__all__ = ["register"]

registry_app = typer.Typer(
    name="registry",
    help="The registry of past experiments: register plans, list, show and import records; "
    "program impact.",
    no_args_is_help=True,
)


@registry_app.command("register")
@user_errors
def register_plan(
    spec: Annotated[Path, typer.Argument(help="The spec file (proxymetric.yaml).")],
    experiment: Annotated[str, typer.Option("--experiment", "-e", help="Experiment to plan.")],
    registry: RegistryOption = None,
    mde: Annotated[
        float | None,
        mde_option("Absolute minimum detectable effect of the primary metric (its unit)."),
    ] = None,
    duration_days: Annotated[
        float | None, typer.Option("--duration-days", help="Planned duration in days.")
    ] = None,
    planned_units: Annotated[
        int | None,
        typer.Option("--planned-units", help="Planned units in all \\[default: the spec's]."),
    ] = None,
) -> None:
    """Register the analysis plan of an experiment before results exist."""
    loaded = load_spec(spec)
    reg = Registry(registry_location(registry))
    rid = reg.register_plan(
        loaded, experiment, mde=mde, duration_days=duration_days, planned_units=planned_units
    )
    primary = loaded.experiments[experiment].primary
    echo(f"registered the plan of {experiment} (primary {primary}) as record {rid} in {reg.url}")


@registry_app.command("list")
@user_errors
def list_records(
    registry: RegistryOption = None,
    experiment: Annotated[
        str | None, typer.Option("--experiment", "-e", help="Only this experiment.")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Only records of this kind: analysis, plan, import."),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """List the records of the registry, oldest first."""
    reg = Registry(registry_location(registry), create=False)
    records = reg.records(experiment, kind)
    show_sections(records, records_sections(records, reg.url), fmt, output, url=reg.url)


@registry_app.command("show")
@user_errors
def show(
    record: Annotated[int, typer.Argument(help="The record id (see `registry list`).")],
    registry: RegistryOption = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Show one record: what was recorded, and every effect with its standard error."""
    rec = Registry(registry_location(registry), create=False).get(record)
    show_sections(rec, record_sections(rec), fmt, output)


@registry_app.command("import")
@user_errors
def import_file(
    file: Annotated[Path, typer.Argument(help="The file to import (CSV, optionally .gz).")],
    registry: RegistryOption = None,
    source: Annotated[
        str,
        typer.Option(
            "--source",
            help="asos: the ASOS Digital Experiments Dataset (final snapshots); csv: one row per "
            "experiment, variant and metric with effect and effect_se; launches: one row per "
            "launch, level and metric with effect and effect_se.",
        ),
    ] = "csv",
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Import past experiments from summary statistics (append-only; re-imports are skipped)."""
    check_choice("source", source, ["asos", "csv", "launches"])
    reg = Registry(registry_location(registry))
    if source == "launches":
        ids = import_launches(reg, file)
        line = f"imported {len(ids):,} launch results from {file.name}"
        data = {"launch_results": len(ids), "source": file.name}
        emit_text(to_json(data) if fmt is OutputFormat.json else line, output)
        return
    summary = import_asos(reg, file) if source == "asos" else import_csv(reg, file)
    emit_text(to_json(summary) if fmt is OutputFormat.json else import_text(summary), output)


@registry_app.command("impact")
@user_errors
def impact(
    metric: Annotated[str, typer.Option("--metric", "-m", help="The metric valued in money.")],
    value_per_unit: Annotated[
        float,
        typer.Option("--value-per-unit", help="Money per unit of the metric, per unit reached."),
    ],
    units: Annotated[
        float, typer.Option("--units", help="Units the shipped changes reach over the period.")
    ],
    registry: RegistryOption = None,
    confidence_level: Annotated[float, confidence_level_option()] = 0.95,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Cumulative impact of the shipped experiments in money, winner's curse corrected."""
    table = table_from_registry(Registry(registry_location(registry), create=False))
    result = program_impact(
        table, metric, value_per_unit=value_per_unit, units=units, confidence_level=confidence_level
    )
    show_sections(result, impact_sections(result), fmt, output)


def _reaches(values: list[str] | None) -> dict[str, float]:
    """Parse repeated ``EXPERIMENT=SHARE`` values of ``--reach``."""
    out: dict[str, float] = {}
    for text in values or []:
        key, sep, number = text.rpartition("=")
        try:
            value = float(number)
        except ValueError:
            value = math.nan
        if not sep or not key.strip() or math.isnan(value):
            raise ProxymetricError(
                f"`reach` must be EXPERIMENT=SHARE (such as new-ranker=0.4); got {text!r}"
            )
        out[key.strip()] = value
    return out


@registry_app.command("holdout")
@user_errors
def holdout(
    holdout_name: Annotated[
        str,
        typer.Option("--holdout", help="The holdout experiment (recorded, `holdout: true`)."),
    ],
    metric: Annotated[str, typer.Option("--metric", "-m", help="The metric to roll up.")],
    registry: RegistryOption = None,
    experiment: Annotated[
        list[str] | None,
        typer.Option(
            "--experiment",
            "-e",
            help="A shipped experiment it covers (repeat) \\[default: every shipped one].",
        ),
    ] = None,
    ended_from: Annotated[
        str | None,
        typer.Option("--ended-from", help="Only experiments that ended on or after this date."),
    ] = None,
    ended_to: Annotated[
        str | None,
        typer.Option("--ended-to", help="Only experiments that ended on or before this date."),
    ] = None,
    since_holdout_start: Annotated[
        bool,
        typer.Option(
            "--since-holdout-start",
            help="Only experiments that ended after the holdout's first record.",
        ),
    ] = False,
    reach: Annotated[
        list[str] | None,
        typer.Option(
            "--reach",
            help="EXPERIMENT=SHARE: the share of the holdout's population a change reaches "
            "(repeat) \\[default: 1].",
        ),
    ] = None,
    variant: Annotated[
        str | None,
        typer.Option("--variant", help="The holdout's treatment arm, when it has several."),
    ] = None,
    spec: Annotated[
        Path | None,
        typer.Option("--spec", help="The spec whose metric has the value per unit."),
    ] = None,
    value_per_unit: Annotated[
        float | None,
        typer.Option("--value-per-unit", help="Money per unit of the metric \\[default: spec]."),
    ] = None,
    units: Annotated[
        float, typer.Option("--units", help="Units the program reaches (1: money per unit).")
    ] = 1.0,
    confidence_level: Annotated[float, confidence_level_option()] = 0.95,
    bootstrap: Annotated[int, bootstrap_option("Bootstrap refits of the prior.")] = 1000,
    seed: Annotated[int, seed_option()] = 0,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """The program against its holdout: the holdout's effect, the sum the shipped experiments
    claimed and its winner's-curse-corrected version, the realized share and a z-test."""
    if value_per_unit is None and spec is not None:
        loaded = load_spec(spec)
        found = loaded.metrics.get(metric)
        value_per_unit = None if found is None else found.value_per_unit
    result = holdout_rollup_from_registry(
        Registry(registry_location(registry), create=False),
        holdout_name,
        metric,
        variant=variant,
        experiments=experiment,
        ended_from=ended_from,
        ended_to=ended_to,
        since_holdout_start=since_holdout_start,
        reach=_reaches(reach),
        value_per_unit=value_per_unit,
        units=units,
        confidence_level=confidence_level,
        bootstrap=bootstrap,
        seed=seed,
    )
    show_sections(result, holdout_sections(result), fmt, output)


def register(app: typer.Typer) -> None:
    """Add the ``registry`` command group to ``app``."""
    app.add_typer(registry_app, name="registry")
