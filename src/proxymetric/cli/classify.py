"""``proxymetric classify``: a classifier's scores, from metrics with intervals to money."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from proxymetric.cli._common import (
    FormatOption,
    OutputFormat,
    OutputOption,
    bootstrap_option,
    confidence_level_option,
    seed_option,
    show_sections,
    user_errors,
)

__all__ = ["classify_app", "register"]

classify_app = typer.Typer(
    name="classify",
    help="A classifier's scores: metrics with intervals, production prevalence, comparisons; "
    "thresholds and a review band in money.",
    no_args_is_help=True,
)


@classify_app.command("evaluate")
@user_errors
def evaluate(
    data: Annotated[
        Path,
        typer.Argument(
            help="CSV or Parquet with score and label, and optional model, id, weight, group "
            "and stratum."
        ),
    ],
    threshold: Annotated[
        list[float] | None,
        typer.Option("--threshold", help="Operating threshold (score >= it flags); repeatable."),
    ] = None,
    target_recall: Annotated[
        list[float] | None,
        typer.Option("--target-recall", help="Operating point at this recall; repeatable."),
    ] = None,
    target_precision: Annotated[
        list[float] | None,
        typer.Option("--target-precision", help="Operating point at this precision; repeatable."),
    ] = None,
    prevalence: Annotated[
        float | None,
        typer.Option("--prevalence", help="Share of positives in production (0 to 1)."),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="Model the others are compared with (default: first)."),
    ] = None,
    positive: Annotated[
        str | None,
        typer.Option("--positive", help="Label value of a positive, when not 0/1 or true/false."),
    ] = None,
    bins: Annotated[int, typer.Option("--bins", help="Bins of the reliability curve.")] = 10,
    bootstrap: Annotated[int, bootstrap_option("Paired bootstrap rounds (0: none).")] = 1000,
    confidence_level: Annotated[float, confidence_level_option()] = 0.95,
    seed: Annotated[int, seed_option("Random seed of the bootstrap.")] = 0,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
) -> None:
    """Evaluate scored, labelled examples: AUC, precision, recall, calibration, by group."""
    from proxymetric.classifier import evaluate_classifier
    from proxymetric.report.classifier import classifier_sections

    result = evaluate_classifier(
        str(data),
        thresholds=[0.5] if threshold is None else threshold,
        target_recall=target_recall or [],
        target_precision=target_precision or [],
        prevalence=prevalence,
        baseline=baseline,
        calibration_bins=bins,
        confidence_level=confidence_level,
        bootstrap=bootstrap,
        seed=seed,
        positive=positive,
    )
    show_sections(result, classifier_sections(result), fmt, output)


_COST_KEYS = ("missed", "false_block", "review", "reviewer_miss_rate", "reviewer_false_block_rate")


def read_policy_file(path: Path) -> dict[str, Any]:
    """Return the keyword arguments of :func:`~proxymetric.classifier.find_policy` in ``path``.

    The YAML file declares ``volume`` (items a day), ``review_capacity`` (reviews a day,
    optional), ``prevalence`` (production share of bad items, optional) and ``costs``
    (``missed``, ``false_block``, ``review``, ``reviewer_miss_rate``,
    ``reviewer_false_block_rate``), each a number or a distribution declared as in the value
    model (``{dist: lognormal, median: 2, p90: 8}``), and ``currency``.
    """
    import yaml
    from pydantic import BaseModel, ConfigDict, Field, ValidationError

    from proxymetric.classifier import PolicyCosts
    from proxymetric.errors import ProxymetricError, SpecError
    from proxymetric.spec.value import InputSpec
    from proxymetric.value import distribution_from_spec

    class _Costs(BaseModel):
        model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
        missed: float | InputSpec
        false_block: float | InputSpec
        review: float | InputSpec = 0.0
        reviewer_miss_rate: float | InputSpec = 0.0
        reviewer_false_block_rate: float | InputSpec = 0.0

    class _PolicyFile(BaseModel):
        model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
        volume: float = Field(gt=0)
        review_capacity: float | None = Field(default=None, ge=0)
        prevalence: float | InputSpec | None = None
        currency: str = ""
        costs: _Costs

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"`--costs` file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    try:
        spec = _PolicyFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(
            str(p) for p in first["loc"] if not str(p).startswith(("float", "function"))
        )
        raise SpecError(
            f"{path}: `{where}`: {first['msg'].lower()}; see `proxymetric classify policy --help`"
        ) from None

    def dist(param: str, value: Any) -> Any:
        if value is None or isinstance(value, int | float):
            return value
        try:
            return distribution_from_spec(value)
        except ProxymetricError as exc:
            raise SpecError(f"{path}: `{param}`: {exc}") from None

    costs = PolicyCosts(**{k: dist(f"costs.{k}", getattr(spec.costs, k)) for k in _COST_KEYS})
    return {
        "costs": costs,
        "volume": spec.volume,
        "review_capacity": spec.review_capacity,
        "prevalence": dist("prevalence", spec.prevalence),
        "currency": spec.currency,
    }


@classify_app.command("policy")
@user_errors
def policy(
    scores: Annotated[
        Path,
        typer.Argument(help="CSV/Parquet of scored, labelled examples: score, label (1: bad)."),
    ],
    costs: Annotated[
        Path,
        typer.Option(
            "--costs",
            help="YAML: volume, review_capacity, prevalence and the costs (numbers or "
            "distributions).",
        ),
    ],
    model: Annotated[
        str | None,
        typer.Option("--model", help="The model to use when the file scores several."),
    ] = None,
    fmt: FormatOption = OutputFormat.table,
    output: OutputOption = None,
    bootstrap: Annotated[
        int, bootstrap_option("Bootstrap rounds over examples, thresholds re-chosen (0: none).")
    ] = 1000,
    confidence_level: Annotated[float, confidence_level_option()] = 0.95,
    seed: Annotated[int, seed_option("Random seed of the bootstrap and the cost draws.")] = 0,
) -> None:
    """Thresholds and a human review band in money: the best policy under the review capacity.

    Above t_high the model blocks, from t_low to t_high reviewers decide, below the item
    passes. The policy that maximises the expected profit a day under the capacity is compared
    with the model alone, reviewers alone and doing nothing, with intervals from a bootstrap
    that re-chooses the thresholds in each round and draws the costs.
    """
    from proxymetric.classifier import find_policy, read_examples
    from proxymetric.report.classifier_policy import policy_sections

    declared = read_policy_file(costs)
    currency = declared.pop("currency")
    examples = read_examples(str(scores), param="scores")
    name = model if model is not None else examples.models[0]
    if model is None and len(examples.models) > 1:
        from proxymetric.errors import DataError

        listed = ", ".join(repr(m) for m in examples.models)
        raise DataError(f"`--model` is needed: the file scores several models ({listed})")
    result = find_policy(
        examples.score(name),
        examples.labels,
        weight=examples.weights if examples.weighted else None,
        n_bootstrap=bootstrap,
        confidence_level=confidence_level,
        seed=seed,
        **declared,
    )
    show_sections(result, policy_sections(result, currency), fmt, output)


def register(app: typer.Typer) -> None:
    """Add the ``classify`` command group to ``app``."""
    app.add_typer(classify_app)
