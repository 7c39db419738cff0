"""``proxymetric init``: write a commented ``proxymetric.yaml`` from a template and answers.

In a terminal it asks each question the flags did not answer (the template's default in
brackets); in a script every answer is a flag and nothing is asked. The spec is written through
a new file in the target's folder renamed over the target: a symbolic link at the target is
replaced (with ``--force``), never followed, and no half-written file is left.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Annotated

import typer
import yaml

from proxymetric.check.templates import TEMPLATES, Answers, render_spec
from proxymetric.cli._common import note, output_option, user_errors, write_output
from proxymetric.errors import ProxymetricError
from proxymetric.spec import parse_spec

__all__ = ["register"]

_QUESTIONS = (
    ("request", "The request as it arrived"),
    ("goal", "The goal behind it (grow revenue / save money / grow active users), one sentence"),
    ("north_star", "The north-star metric (a name)"),
    ("proxy", "The proxy metric a test decides on"),
    ("guardrail", "The boundary (guardrail) metric that balances it"),
    ("objective", "The model objective, measured offline"),
    ("source", "The data source (a table of one row per unit)"),
)


def _ask(template: str | None, given: Answers) -> Answers:
    """Ask, in a terminal, every question the flags left open; return the completed answers."""
    if template is None:
        template = typer.prompt(f"Project kind ({', '.join(TEMPLATES)})", default="recommender")
    if template not in TEMPLATES:
        raise ProxymetricError(
            f"`--template` must be one of {', '.join(map(repr, TEMPLATES))}; got {template!r}"
        )
    t = TEMPLATES[template]
    defaults = {
        "request": t.request,
        "goal": t.goal,
        "north_star": t.north_star.name,
        "proxy": t.proxy.name,
        "guardrail": t.guardrail.name,
        "objective": t.objective,
        "source": t.source,
    }
    questions = dict(_QUESTIONS)

    def ask(key: str) -> str:
        current = getattr(given, key)
        if current is not None:
            return str(current)
        return str(typer.prompt(questions[key], default=defaults[key]))

    # Keyword arguments are evaluated in order: the questions come in the order listed.
    answers = dataclasses.replace(
        given,
        template=template,
        request=ask("request"),
        goal=ask("goal"),
        north_star=ask("north_star"),
        proxy=ask("proxy"),
        guardrail=ask("guardrail"),
        objective=ask("objective"),
        source=ask("source"),
    )
    if answers.traffic is None and answers.population is None:
        if t.population is not None:
            population = typer.prompt(
                "Traffic: the fixed number of units (users, employees)",
                default=t.population,
                type=int,
            )
            answers = dataclasses.replace(answers, population=population)
        else:
            traffic = typer.prompt(
                "Traffic: new units reaching the change per day",
                default=t.units_per_day,
                type=float,
            )
            answers = dataclasses.replace(answers, traffic=traffic)
    if answers.value is None:
        value = typer.prompt(
            "Money value of one unit of the north star", default=t.value, type=float
        )
        answers = dataclasses.replace(answers, value=value)
    return answers


def _check_output(output: Path, force: bool) -> None:
    """Refuse a target that is a folder, a symbolic link (without ``force``) or in no folder."""
    shown = repr(str(output))
    if output.is_symlink():
        if not force:
            raise ProxymetricError(
                f"`--output` {shown} is a symbolic link; pass --force to replace the link "
                "itself with the spec (its target is never written)"
            )
    elif output.is_dir():
        raise ProxymetricError(
            f"`--output` {shown} is a directory; give the spec file to write, such as "
            f"{str(output / 'proxymetric.yaml')!r}"
        )
    elif output.exists() and not force:
        raise ProxymetricError(f"`--output` {shown} already exists; pass --force to overwrite it")
    if not output.parent.is_dir():
        raise ProxymetricError(
            f"`--output` {shown}: the folder {str(output.parent)!r} does not exist"
        )


@user_errors
def init(
    template: Annotated[
        str | None,
        typer.Option(help=f"Project kind: {', '.join(TEMPLATES)} \\[default: recommender]."),
    ] = None,
    request: Annotated[str | None, typer.Option(help="The request as it arrived.")] = None,
    goal: Annotated[str | None, typer.Option(help="The goal behind it, one sentence.")] = None,
    north_star: Annotated[
        str | None, typer.Option("--north-star", "-n", help="Name of the north-star metric.")
    ] = None,
    proxy: Annotated[
        str | None, typer.Option("--proxy", "-p", help="Name of the proxy metric.")
    ] = None,
    guardrail: Annotated[
        str | None, typer.Option(help="Name of the boundary metric that balances the proxy.")
    ] = None,
    objective: Annotated[
        str | None, typer.Option(help="Name of the model objective (measured offline).")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Name of the data source table.")] = None,
    traffic: Annotated[
        float | None, typer.Option(help="New units reaching the change per day.")
    ] = None,
    population: Annotated[
        int | None, typer.Option(help="A fixed number of units instead of a daily traffic.")
    ] = None,
    value: Annotated[
        float | None, typer.Option(help="Money value of one unit of the north star.")
    ] = None,
    output: Annotated[Path, output_option("The spec file to write.")] = Path("proxymetric.yaml"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
    interactive: Annotated[
        bool | None,
        typer.Option(
            "--interactive/--no-interactive",
            help="Ask the questions the flags leave open \\[default: when stdin is a terminal].",
        ),
    ] = None,
) -> None:
    """Start a project: a commented proxymetric.yaml from the request, the goal and a template."""
    _check_output(output, force)
    answers = Answers(
        template=template or "recommender",
        request=request,
        goal=goal,
        north_star=north_star,
        proxy=proxy,
        guardrail=guardrail,
        objective=objective,
        source=source,
        traffic=traffic,
        population=population,
        value=value,
    )
    if interactive if interactive is not None else sys.stdin.isatty():
        answers = _ask(template, answers)
    text = render_spec(answers)
    parse_spec(yaml.safe_load(text))  # the written spec must load
    write_output(output, text, announce=False)
    note(f"wrote {output}; next: fill in the TODOs and run `proxymetric check {output}`")


def register(app: typer.Typer) -> None:
    """Add the ``init`` command to ``app``."""
    app.command("init")(init)
