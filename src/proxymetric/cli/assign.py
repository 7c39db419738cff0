"""``proxymetric assign`` (hashed assignment of unit ids to an experiment's variants)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proxymetric.cli._common import (
    FormatOption,
    OutputFormat,
    OutputOption,
    emit,
    emit_text,
    user_errors,
)

__all__ = ["register"]


@user_errors
def assign_command(
    spec: Annotated[str, typer.Argument(help="The spec file (proxymetric.yaml).")],
    experiment: Annotated[
        str | None,
        typer.Option("--experiment", "-e", help="Experiment to assign (needed if several)."),
    ] = None,
    ids: Annotated[
        Path | None,
        typer.Option(
            "--ids",
            metavar="FILE",
            help="CSV or Parquet file of unit ids \\[default: the experiment's unit source].",
        ),
    ] = None,
    column: Annotated[
        str | None,
        typer.Option(
            "--column", help="Column of the ids \\[default: the unit column of the source]."
        ),
    ] = None,
    write: Annotated[
        Path | None,
        typer.Option(
            "--write",
            metavar="FILE",
            help="Write the assignment (id, variant) to FILE: Parquet for .parquet, else CSV.",
        ),
    ] = None,
    sql: Annotated[
        str | None,
        typer.Option(
            "--sql",
            metavar="DIALECT",
            help="Print the assignment as an SQL expression of `--column` (duckdb, postgres or "
            "spark) instead of assigning.",
        ),
    ] = None,
    table: Annotated[
        str | None,
        typer.Option(
            "--table",
            help="With --sql: print a whole query of this table (each id hashed once per "
            "variant) instead of one expression.",
        ),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Assign unit ids to an experiment's variants by salted hashing, and check the split.

    The experiment's split (equal shares without one) gives the weights, its salt (its name by
    default) the hash. The summary shows the units per variant and the SRM check.
    """
    from proxymetric.assignment.run import assign_experiment, experiment_sql
    from proxymetric.errors import ProxymetricError

    if sql is not None:
        if ids is not None or write is not None:
            raise ProxymetricError("`--sql` prints the expression only; drop `--ids` and `--write`")
        text = experiment_sql(spec, experiment, column=column, dialect=sql, table=table)
        emit_text(text, output)
        return
    if table is not None:
        raise ProxymetricError("`--table` names the table of the query `--sql` prints; add `--sql`")
    from proxymetric.report.assignment import assignment_markdown, print_assignment

    result = assign_experiment(spec, experiment, ids=ids, column=column, write=write)
    emit(result, fmt, assignment_markdown, print_assignment, output, html=_no_html)


def _no_html(result: object) -> str:  # noqa: ARG001 (the renderer's signature)
    from proxymetric.errors import ProxymetricError

    raise ProxymetricError(
        "`--format` html is not available for assign; use table, json or markdown"
    )


def register(app: typer.Typer) -> None:
    """Add the ``assign`` command to ``app``."""
    app.command("assign")(assign_command)
