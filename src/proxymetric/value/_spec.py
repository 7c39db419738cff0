"""Build a :class:`ValueModel` from the ``value:`` section of a spec file, with file:line errors."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from proxymetric.errors import ProxymetricError, SpecError
from proxymetric.spec import Spec, load_spec
from proxymetric.spec.value import (
    AlternativeSpec,
    BetaInput,
    ClassifierInput,
    ConstantInput,
    EffectInput,
    InputSpec,
    LogNormalInput,
    NormalInput,
    PertInput,
    TriangularInput,
    UniformInput,
    ValueSpec,
)
from proxymetric.value._distributions import (
    Beta,
    Constant,
    Distribution,
    LogNormal,
    Normal,
    Pert,
    Triangular,
    Uniform,
    measured_effect,
)
from proxymetric.value._model import Alternative, BreakEvenQuery, Input, Tradeoff, ValueModel
from proxymetric.value._results import EffectSource

__all__ = [
    "MeasuredEffect",
    "classifier_rate",
    "distribution_from_spec",
    "effects_from_analysis",
    "load_value_model",
    "model_from_spec",
    "read_value_spec",
]

Loc = tuple[str | int, ...]


@dataclasses.dataclass(frozen=True)
class MeasuredEffect:
    """An effect measured by an experiment: its estimate, standard error and source.

    It unpacks as ``(estimate, standard_error)``.
    """

    estimate: float
    standard_error: float
    source: EffectSource | None = None

    def __iter__(self) -> Iterator[float]:
        """Yield the estimate and the standard error."""
        yield self.estimate
        yield self.standard_error


EffectLookup = Callable[[EffectInput], "tuple[float, float] | MeasuredEffect"]


def read_value_spec(path: str | Path) -> ValueSpec:
    """Return the validated ``value:`` section of the spec file at ``path``.

    Errors are :class:`~proxymetric.errors.SpecError` with the file and the line of the key.
    """
    return _read_value_spec(path)[0]


def _read_value_spec(path: str | Path) -> tuple[ValueSpec, Spec]:
    if not isinstance(path, str | os.PathLike):
        raise SpecError(
            f"`path` must be the path of a spec file (a str or a Path); got {path!r:.60} "
            f"({type(path).__name__})"
        )
    spec = load_spec(Path(path))
    if spec.value is None:
        raise spec.error("the spec has no `value:` section (the value model)")
    return spec.value, spec


def _need(spec: InputSpec, *names: str) -> bool:
    return all(getattr(spec, n) is not None for n in names)


def classifier_rate(spec: ClassifierInput, base: Path | None = None) -> Beta:
    """Return the distribution of a rate measured on a classifier's scored examples.

    The share ``k / n`` of the positives (``recall``) or negatives (``false_positive_rate``)
    scored at or above ``threshold`` (and below ``threshold_high``, if given) has the Jeffreys
    posterior ``Beta(k + 1/2, n - k + 1/2)`` (Brown, Cai and DasGupta, Stat. Sci. 2001). With
    weights, ``n`` is Kish's effective size ``(sum w)^2 / sum w^2`` of the class and ``k`` its
    weighted share of it. ``scores`` is relative to ``base`` (the spec file's folder).
    """
    from proxymetric.classifier import read_examples

    path = Path(spec.scores)
    if base is not None and not path.is_absolute():
        path = base / path
    examples = read_examples(str(path), param="scores")
    if spec.model is None and len(examples.models) > 1:
        listed = ", ".join(repr(m) for m in examples.models)
        raise ProxymetricError(f"`model` is needed: {spec.scores} scores several ({listed})")
    score = examples.score(spec.model if spec.model is not None else examples.models[0])
    if spec.threshold_high is not None and not spec.threshold_high > spec.threshold:
        raise ProxymetricError(
            f"`threshold_high` == {spec.threshold_high!r}, must be > `threshold` "
            f"({spec.threshold!r})"
        )
    members = examples.labels if spec.rate == "recall" else ~examples.labels
    if not members.any():
        kind = "positive" if spec.rate == "recall" else "negative"
        raise ProxymetricError(f"{spec.scores} has no {kind} example to measure `{spec.rate}`")
    hit = score >= spec.threshold
    if spec.threshold_high is not None:
        hit &= score < spec.threshold_high
    w = examples.weights[members]
    n = float(w.sum() ** 2 / (w**2).sum())
    k = n * float(w[hit[members]].sum() / w.sum())
    return Beta(k + 0.5, n - k + 0.5)


def _distribution(
    spec: InputSpec, lookup: EffectLookup | None, base: Path | None = None
) -> tuple[Distribution, EffectSource | None]:
    """Return the distribution of an input and, for a measured effect, where it comes from."""
    if isinstance(spec, ClassifierInput):
        return classifier_rate(spec, base), None
    if (
        lookup is not None
        and isinstance(spec, EffectInput)
        and not _need(spec, "estimate", "standard_error")
        and _need(spec, "experiment", "metric")
    ):
        found = lookup(spec)
        estimate, standard_error = found
        source = found.source if isinstance(found, MeasuredEffect) else None
        return measured_effect(estimate, standard_error), source
    return _plain_distribution(spec), None


def distribution_from_spec(spec: InputSpec) -> Distribution:
    """Return the distribution an input declaration of the spec describes (``dist: ...``).

    A measured ``effect`` needs its ``estimate`` and ``standard_error`` here. Raises
    :class:`~proxymetric.errors.ProxymetricError` naming the missing parameters.
    """
    return _plain_distribution(spec)


def _plain_distribution(spec: InputSpec) -> Distribution:
    if isinstance(spec, ClassifierInput):
        return classifier_rate(spec)
    if isinstance(spec, ConstantInput):
        return Constant(spec.value)
    if isinstance(spec, NormalInput):
        if _need(spec, "mean", "sd"):
            return Normal(spec.mean, spec.sd)  # type: ignore[arg-type]
        if _need(spec, "p05", "p95"):
            return Normal.from_interval(spec.p05, spec.p95)  # type: ignore[arg-type]
        raise ProxymetricError("a normal needs `mean` and `sd`, or `p05` and `p95`")
    if isinstance(spec, LogNormalInput):
        if _need(spec, "median", "p90"):
            return LogNormal.from_median_p90(spec.median, spec.p90)  # type: ignore[arg-type]
        if _need(spec, "mean", "sd"):
            return LogNormal.from_mean_sd(spec.mean, spec.sd)  # type: ignore[arg-type]
        raise ProxymetricError("a lognormal needs `median` and `p90`, or `mean` and `sd`")
    if isinstance(spec, UniformInput):
        return Uniform(spec.low, spec.high)
    if isinstance(spec, TriangularInput):
        return Triangular(spec.low, spec.mode, spec.high)
    if isinstance(spec, PertInput):
        return Pert(spec.low, spec.mode, spec.high, spec.lamb)
    if isinstance(spec, BetaInput):
        if _need(spec, "alpha", "beta"):
            return Beta(spec.alpha, spec.beta)  # type: ignore[arg-type]
        if _need(spec, "mean", "sd"):
            return Beta.from_mean_sd(spec.mean, spec.sd)  # type: ignore[arg-type]
        raise ProxymetricError("a beta needs `alpha` and `beta`, or `mean` and `sd`")
    if _need(spec, "estimate", "standard_error"):
        return measured_effect(spec.estimate, spec.standard_error)  # type: ignore[arg-type]
    raise ProxymetricError(
        "an effect needs `estimate` and `standard_error` (`effect` and `effect_se` from "
        "`proxymetric analyze`), or `experiment` and `metric` of this spec to analyse"
    )


def _inputs(
    specs: Mapping[str, float | InputSpec], base: Loc, lines: Spec, lookup: EffectLookup | None
) -> dict[str, Input | float]:
    out: dict[str, Input | float] = {}
    for name, spec in specs.items():
        if isinstance(spec, int | float):
            out[name] = float(spec)
            continue
        try:
            dist, source = _distribution(spec, lookup, _folder(lines))
        except ProxymetricError as exc:
            raise lines.error(f"input `{name}`: {exc}", (*base, name)) from None
        out[name] = Input(dist, ideal=spec.ideal, about=spec.about or "", source=source)
    return out


def _folder(lines: Spec) -> Path | None:
    return None if lines.file is None else Path(lines.file).parent


def _formulas(outcomes: Mapping[str, str | float]) -> dict[str, str]:
    return {
        name: repr(float(f)) if isinstance(f, int | float) else f for name, f in outcomes.items()
    }


def _locate(message: str, spec: ValueSpec) -> Loc:
    """Return the spec key a model error is most likely about (for its line)."""
    for alt_name, alt in spec.alternatives.items():
        for outcome in alt.outcomes:
            if f"outcome `{outcome}`" in message and f"alternative `{alt_name}`" in message:
                return ("value", "alternatives", alt_name, "outcomes", outcome)
    for outcome in spec.outcomes:
        if message.startswith(f"outcome `{outcome}`"):
            return ("value", "outcomes", outcome)
    for key in ("break_even", "tradeoff", "objective", "risk_limit"):
        if f"`{key}" in message:
            return ("value", key)
    return ("value",)


def model_from_spec(
    spec: ValueSpec, effects: EffectLookup | None = None, *, source: Spec | None = None
) -> ValueModel:
    """Return the :class:`ValueModel` a ``value:`` section declares.

    ``effects`` resolves an ``effect`` input given by ``experiment``/``metric`` (and no
    ``estimate``) to ``(estimate, standard_error)``, for example
    :func:`effects_from_analysis`. ``source``, the loaded spec the section belongs to, locates
    errors by line and the files of ``classifier`` inputs relative to the spec file.
    """
    return _model_from_spec(spec, Spec() if source is None else source, effects)


def _model_from_spec(
    spec: ValueSpec, lines: Spec, effects: EffectLookup | None = None
) -> ValueModel:
    inputs = _inputs(spec.inputs, ("value", "inputs"), lines, effects)
    alternatives = {
        name: _alternative(name, alt, lines, effects) for name, alt in spec.alternatives.items()
    }
    tradeoff = None
    if spec.tradeoff is not None:
        t = spec.tradeoff
        tradeoff = Tradeoff(
            candidates=t.candidates,
            x=t.x,
            y=t.y,
            x_goal=t.x_goal,
            y_goal=t.y_goal,
            alternative=t.alternative,
            exchange_rate=t.exchange_rate,
        )
    try:
        return ValueModel(
            inputs,
            _formulas(spec.outcomes),
            alternatives=alternatives or None,
            objective=spec.objective,
            break_even=[
                BreakEvenQuery(b.input, b.alternative, b.low, b.high) for b in spec.break_even
            ],
            risk_limit=spec.risk_limit,
            tradeoff=tradeoff,
            currency=spec.currency,
            title=spec.title or "",
        )
    except SpecError:
        raise
    except ProxymetricError as exc:
        raise lines.error(str(exc), _locate(str(exc), spec)) from None


def _alternative(
    name: str, alt: AlternativeSpec, lines: Spec, effects: EffectLookup | None
) -> Alternative:
    base = ("value", "alternatives", name, "inputs")
    return Alternative(
        outcomes=_formulas(alt.outcomes),
        inputs=_inputs(alt.inputs, base, lines, effects),
        about=alt.about or "",
    )


def effects_from_analysis(path: str | Path) -> EffectLookup:
    """Return a lookup of measured effects that analyses the experiments of the spec at ``path``.

    The lookup runs :func:`proxymetric.analysis.analyze` once per experiment (lazily, so a value
    model without linked effects never touches the data) and returns a :class:`MeasuredEffect`
    (which unpacks as ``(effect, effect_se)``) of the metric and variant named by the input,
    with the experiment's decision and sample ratio check as its ``source``. On the
    ``relative`` scale it returns ``rel_effect`` with the standard error read off its
    interval, ``(upper - lower) / (2 z)`` with ``z`` the normal quantile of the experiment's
    confidence level (the interval is computed on the log scale, so this is a large-sample
    approximation).
    """
    cache: dict[str, Any] = {}

    def lookup(effect: EffectInput) -> MeasuredEffect:
        from proxymetric.analysis import analyze

        assert effect.experiment is not None
        assert effect.metric is not None
        if effect.experiment not in cache:
            cache[effect.experiment] = analyze(path, effect.experiment)
        result = cache[effect.experiment]
        rows = [r for r in result.results if r.metric == effect.metric]
        if not rows:
            metrics = sorted({r.metric for r in result.results})
            raise ProxymetricError(
                f"`metric` {effect.metric!r} is not analysed in experiment "
                f"{effect.experiment!r}; its metrics: {', '.join(metrics)}"
            )
        variants = [r.variant for r in rows]
        if effect.variant is None and len(rows) > 1:
            raise ProxymetricError(
                f"experiment {effect.experiment!r} has several treatments "
                f"({', '.join(variants)}); name one with `variant`"
            )
        row = rows[0]
        if effect.variant is not None:
            if effect.variant not in variants:
                raise ProxymetricError(
                    f"`variant` {effect.variant!r} is not a treatment of experiment "
                    f"{effect.experiment!r}; treatments: {', '.join(variants)}"
                )
            row = rows[variants.index(effect.variant)]
        source = EffectSource(
            experiment=effect.experiment,
            decision=str(result.decision.verdict),
            srm_mismatch=bool(result.srm.mismatch),
            reasons=tuple(
                f"{r.code}: {r.metric}" if r.metric else r.code for r in result.decision.reasons
            ),
        )
        if effect.scale == "absolute":
            return MeasuredEffect(float(row.effect), float(row.effect_se), source)
        # The delta-method standard error of the relative effect, as the analysis reports it.
        return MeasuredEffect(float(row.rel_effect), float(row.rel_effect_se), source)

    return lookup


def load_value_model(path: str | Path) -> tuple[ValueModel, ValueSpec]:
    """Return the value model of the spec file at ``path`` and its ``value:`` section.

    ``effect`` inputs that name an ``experiment`` and a ``metric`` without an ``estimate`` take
    the measured effect from :func:`proxymetric.analysis.analyze` on the same spec. Errors are
    :class:`~proxymetric.errors.SpecError` with the file and the line of the key.
    """
    spec, lines = _read_value_spec(path)
    return _model_from_spec(spec, lines, effects_from_analysis(path)), spec
