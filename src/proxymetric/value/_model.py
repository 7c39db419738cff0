"""The value model: uncertain inputs, outcome formulas, alternatives, and their analysis.

The analysis is a plain Monte Carlo simulation (Metropolis and Ulam, *JASA* 44(247), 1949)
of independent inputs, with common random numbers across alternatives and candidates so that
their differences are not blurred by simulation noise (Law, *Simulation Modeling and Analysis*,
5th ed., 2015, sec. 11.2). The tornado is the one-at-a-time sensitivity of decision analysis
(Howard, "Decision analysis: practice and promise", *Management Science* 34(6), 1988): each
input over its 5-95% range with the others at their medians.
"""

from __future__ import annotations

import dataclasses
import math
import re
import zlib
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt
from scipy import optimize

from proxymetric._progress import task
from proxymetric._validation import check_choice, check_name, check_number, did_you_mean
from proxymetric.errors import ProxymetricError
from proxymetric.value._distributions import Constant, Distribution
from proxymetric.value._formula import FUNCTIONS, Formula, parse_formula
from proxymetric.value._results import (
    BreakEven,
    Candidate,
    EffectSource,
    Headroom,
    LinkedExperiment,
    OutcomeSummary,
    Recommendation,
    TornadoBar,
    TradeoffResult,
    ValueResult,
)

__all__ = [
    "Alternative",
    "BreakEvenQuery",
    "Input",
    "Tradeoff",
    "ValueModel",
    "format_money",
    "pareto_frontier",
]

FloatArray = npt.NDArray[np.float64]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_BREAK_EVEN_DRAWS = 20_000
MAX_DRAWS = 10_000_000
"""Most Monte Carlo draws accepted (each input and outcome holds one float per draw)."""
_GOALS = ("maximize", "minimize")


@dataclasses.dataclass(frozen=True)
class Input:
    """An input of the model: its distribution, its ideal value (if a model-quality input).

    ``source`` is the experiment a measured effect comes from (with its decision), if any.
    """

    distribution: Distribution
    ideal: float | None = None
    about: str = ""
    source: EffectSource | None = None


@dataclasses.dataclass(frozen=True)
class Alternative:
    """One way to reach the goal: its own inputs and outcome formulas."""

    outcomes: Mapping[str, str] = dataclasses.field(default_factory=dict)
    inputs: Mapping[str, Input | Distribution | float] = dataclasses.field(default_factory=dict)
    about: str = ""


@dataclasses.dataclass(frozen=True)
class BreakEvenQuery:
    """Ask for the value of ``input`` at which the expected objective is zero.

    ``alternative`` None means every alternative whose objective depends on ``input``;
    ``low``/``high`` bound the search (default: the input's 0.1-99.9% range, widened).
    """

    input: str
    alternative: str | None = None
    low: float | None = None
    high: float | None = None


@dataclasses.dataclass(frozen=True)
class Tradeoff:
    """Candidate configurations (input values) of one alternative, compared on two outcomes."""

    candidates: Mapping[str, Mapping[str, float]]
    x: str
    y: str
    x_goal: str = "maximize"
    y_goal: str = "minimize"
    alternative: str | None = None
    exchange_rate: float | None = None


def pareto_frontier(
    x: Iterable[float], y: Iterable[float], *, x_goal: str = "maximize", y_goal: str = "minimize"
) -> npt.NDArray[np.bool_]:
    """Return a boolean mask of the points no other point dominates.

    A point is dominated when another is at least as good on both coordinates and strictly
    better on one (Pareto optimality; Deb, *Multi-Objective Optimization Using Evolutionary
    Algorithms*, 2001, sec. 2.4).

    >>> pareto_frontier([1, 2, 3, 2], [1, 2, 3, 3]).tolist()
    [True, True, True, False]
    """
    check_choice("x_goal", x_goal, _GOALS)
    check_choice("y_goal", y_goal, _GOALS)
    xs = np.asarray(list(x), dtype=np.float64) * (1 if x_goal == "maximize" else -1)
    ys = np.asarray(list(y), dtype=np.float64) * (1 if y_goal == "maximize" else -1)
    # Pairwise comparison: fine for the dozens of candidates a trade-off has.
    ge = (xs[:, None] >= xs[None, :]) & (ys[:, None] >= ys[None, :])
    gt = (xs[:, None] > xs[None, :]) | (ys[:, None] > ys[None, :])
    dominated = (ge & gt).any(axis=0)
    return np.asarray(~dominated)


def _as_input(value: Input | Distribution | float, where: str) -> Input:
    if isinstance(value, Input):
        return value
    if isinstance(value, bool):
        raise ProxymetricError(f"{where} must be a number or a distribution; got {value!r}")
    if isinstance(value, int | float):
        return Input(Constant(float(value)))
    if hasattr(value, "sample") and hasattr(value, "ppf"):
        return Input(value)
    raise ProxymetricError(f"{where} must be a number or a distribution; got {value!r}")


def _check_identifier(kind: str, name: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ProxymetricError(
            f"{kind} name {name!r} is not valid; use letters, digits and _ (not first a digit)"
        )
    if name in FUNCTIONS:
        raise ProxymetricError(f"{kind} name {name!r} is the name of a function; rename it")


def _stream(seed: int, key: str) -> np.random.Generator:
    """Return the random stream of one input: fixed by the seed and the input's name alone."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(key.encode())]))


@dataclasses.dataclass(frozen=True)
class _Scope:
    """Everything one alternative evaluates: its inputs and its outcomes in dependency order."""

    name: str
    inputs: dict[str, tuple[str, Input]]  # name -> (stream key, input)
    formulas: dict[str, Formula]  # in evaluation order
    closure: dict[str, frozenset[str]]  # outcome -> inputs it depends on


class ValueModel:
    """A value model: uncertain inputs, outcomes as formulas, alternatives, and what to report.

    ``inputs`` are numbers, distributions or :class:`Input` (with an ``ideal`` value for the
    model-quality inputs); ``outcomes`` are formulas shared by every alternative (they may use
    names each alternative defines); ``alternatives`` add their own inputs and outcomes (without
    alternatives there is one, named ``model``). ``objective`` names the outcome that decides
    (usually the profit). ``risk_limit`` is the largest acceptable probability of a loss.

    >>> from proxymetric.value import Normal
    >>> m = ValueModel(
    ...     inputs={"users": 1000, "lift": Normal(0.02, 0.01), "value": 50, "cost": 600},
    ...     outcomes={"profit": "users * lift * value - cost"},
    ... )
    >>> r = m.analyze(draws=200_000, seed=1)
    >>> round(r.summary("model").mean, -1)  # closed form: 1000 * 0.02 * 50 - 600 = 400
    400.0
    >>> round(r.break_even[0].value, 4)  # 600 / (1000 * 50)
    0.012
    """

    def __init__(
        self,
        inputs: Mapping[str, Input | Distribution | float],
        outcomes: Mapping[str, str],
        *,
        alternatives: Mapping[str, Alternative] | None = None,
        objective: str = "profit",
        break_even: Iterable[BreakEvenQuery] | None = None,
        risk_limit: float | None = None,
        tradeoff: Tradeoff | None = None,
        currency: str = "",
        title: str = "",
    ) -> None:
        self.title = title
        self.currency = currency
        self.objective = objective
        self.risk_limit = (
            None
            if risk_limit is None
            else check_number(
                "risk_limit", risk_limit, low=0, high=1, low_inclusive=True, high_inclusive=True
            )
        )
        shared_inputs: dict[str, tuple[str, Input]] = {}
        for name, value in inputs.items():
            _check_identifier("input", name)
            shared_inputs[name] = (name, _as_input(value, f"input `{name}`"))
        shared_formulas = self._parse_outcomes(outcomes, None)
        alts = dict(alternatives) if alternatives else {"model": Alternative()}
        self.scopes: dict[str, _Scope] = {}
        for alt_name, alt in alts.items():
            _check_identifier("alternative", alt_name)
            self.scopes[alt_name] = self._scope(alt_name, alt, shared_inputs, shared_formulas)
        self.alternatives = tuple(self.scopes)
        self.break_even = tuple(break_even or ())
        for query in self.break_even:
            self._check_break_even(query)
        if not self.break_even:
            self.break_even = self._default_break_even()
        self.tradeoff = tradeoff
        if tradeoff is not None:
            self._check_tradeoff(tradeoff)

    # -- construction ---------------------------------------------------------------------

    @staticmethod
    def _parse_outcomes(outcomes: Mapping[str, str], alt: str | None) -> dict[str, Formula]:
        parsed: dict[str, Formula] = {}
        for name, text in outcomes.items():
            _check_identifier("outcome", name)
            try:
                parsed[name] = parse_formula(text)
            except ProxymetricError as exc:
                owner = f" of alternative `{alt}`" if alt else ""
                raise ProxymetricError(f"outcome `{name}`{owner}: {exc}") from None
        return parsed

    def _scope(
        self,
        alt_name: str,
        alt: Alternative,
        shared_inputs: Mapping[str, tuple[str, Input]],
        shared_formulas: Mapping[str, Formula],
    ) -> _Scope:
        inputs = dict(shared_inputs)
        for name, value in alt.inputs.items():
            _check_identifier("input", name)
            if name in inputs:
                raise ProxymetricError(
                    f"input `{name}` of alternative `{alt_name}` is already a shared input"
                )
            inputs[name] = (f"{alt_name}.{name}", _as_input(value, f"input `{name}`"))
        own = self._parse_outcomes(alt.outcomes, alt_name)
        formulas = dict(shared_formulas)
        for name, formula in own.items():
            if name in formulas:
                raise ProxymetricError(
                    f"outcome `{name}` of alternative `{alt_name}` is already a shared outcome"
                )
            formulas[name] = formula
        for name in formulas:
            if name in inputs:
                raise ProxymetricError(f"`{name}` is both an input and an outcome")
        known = set(inputs) | set(formulas)
        for name, formula in formulas.items():
            for used in sorted(formula.names - known):
                raise ProxymetricError(
                    f"outcome `{name}` uses unknown name `{used}` in alternative `{alt_name}`; "
                    f"known names: {', '.join(sorted(known))}{did_you_mean(used, known)}"
                )
        check_name("objective", self.objective, formulas, f"outcomes of alternative `{alt_name}`")
        order = _topological_order(formulas, alt_name)
        closure: dict[str, frozenset[str]] = {}
        for name in order:
            deps: set[str] = set()
            for used in formulas[name].names:
                deps |= closure.get(used, {used})
            closure[name] = frozenset(deps)
        return _Scope(alt_name, inputs, {n: formulas[n] for n in order}, closure)

    def _check_break_even(self, query: BreakEvenQuery) -> None:
        alts = self.alternatives if query.alternative is None else (query.alternative,)
        if query.alternative is not None:
            check_name("break_even.alternative", query.alternative, self.scopes, "alternatives")
        known = {n for a in alts for n in self.scopes[a].inputs}
        check_name("break_even.input", query.input, known, "inputs")
        if not any(query.input in self.scopes[a].closure[self.objective] for a in alts):
            raise ProxymetricError(
                f"`break_even.input` `{query.input}` does not affect the objective "
                f"`{self.objective}`"
            )
        for bound in ("low", "high"):
            value = getattr(query, bound)
            if value is not None:
                check_number(f"break_even.{bound}", value)
        if query.low is not None and query.high is not None and not query.high > query.low:
            raise ProxymetricError(
                f"`break_even.high` == {query.high!r}, must be > `break_even.low` ({query.low!r})"
            )

    def _default_break_even(self) -> tuple[BreakEvenQuery, ...]:
        """Without queries: the break-even of every uncertain input with an ideal value."""
        names: dict[str, None] = {}
        for scope in self.scopes.values():
            for name in scope.closure[self.objective]:
                key_input = scope.inputs[name][1]
                if key_input.ideal is not None:
                    names[name] = None
        if not names:
            # Fall back on the input that drives the objective most is done at analysis time.
            return ()
        return tuple(BreakEvenQuery(n) for n in sorted(names))

    def _check_tradeoff(self, t: Tradeoff) -> None:
        alt = t.alternative if t.alternative is not None else self.alternatives[0]
        check_name("tradeoff.alternative", alt, self.scopes, "alternatives")
        scope = self.scopes[alt]
        check_name("tradeoff.x", t.x, scope.formulas, "outcomes")
        check_name("tradeoff.y", t.y, scope.formulas, "outcomes")
        check_choice("tradeoff.x_goal", t.x_goal, _GOALS)
        check_choice("tradeoff.y_goal", t.y_goal, _GOALS)
        if t.exchange_rate is not None:
            check_number("tradeoff.exchange_rate", t.exchange_rate, low=0, low_inclusive=True)
        if len(t.candidates) < 2:
            raise ProxymetricError(
                f"`tradeoff.candidates` must list at least 2 candidates; got {len(t.candidates)}"
            )
        for cand, overrides in t.candidates.items():
            for name, value in overrides.items():
                check_name(f"tradeoff.candidates.{cand}", name, scope.inputs, "inputs")
                check_number(f"tradeoff.candidates.{cand}.{name}", value)

    # -- simulation -----------------------------------------------------------------------

    def sample(self, draws: int, seed: int) -> dict[str, dict[str, FloatArray]]:
        """Return the input draws of every alternative (shared inputs are the same arrays)."""
        cache: dict[str, FloatArray] = {}
        out: dict[str, dict[str, FloatArray]] = {}
        for alt, scope in self.scopes.items():
            env: dict[str, FloatArray] = {}
            for name, (key, inp) in scope.inputs.items():
                if key not in cache:
                    cache[key] = np.asarray(
                        inp.distribution.sample(_stream(seed, key), draws), dtype=np.float64
                    )
                env[name] = cache[key]
            out[alt] = env
        return out

    def evaluate(
        self, alternative: str, env: Mapping[str, FloatArray], size: int
    ) -> dict[str, FloatArray]:
        """Return every outcome of ``alternative`` evaluated over the input arrays in ``env``.

        Raises a :class:`ProxymetricError` when an outcome is not finite in some draws (a log of
        a non-positive number, a division by zero), naming the outcome.
        """
        scope = self.scopes[alternative]
        values: dict[str, FloatArray] = dict(env)
        with np.errstate(all="ignore"):
            for name, formula in scope.formulas.items():
                result = np.broadcast_to(np.asarray(formula.evaluate(values), np.float64), size)
                bad = int(np.count_nonzero(~np.isfinite(result)))
                if bad:
                    raise ProxymetricError(
                        f"outcome `{name}` of alternative `{alternative}` is not a finite number "
                        f"in {bad} of {size} evaluations (a log or sqrt of a negative number, a "
                        f"division by zero or an overflow); bound its inputs or use max()/where()"
                    )
                values[name] = result
        return {name: values[name] for name in scope.formulas}

    def simulate(self, draws: int = 100_000, seed: int = 0) -> dict[str, dict[str, FloatArray]]:
        """Return the draws of every outcome of every alternative (inputs included)."""
        draws = int(check_number("draws", draws, low=1, high=MAX_DRAWS, high_inclusive=True))
        env = self.sample(draws, seed)
        return {alt: env[alt] | self.evaluate(alt, env[alt], draws) for alt in self.scopes}

    # -- analysis -------------------------------------------------------------------------

    def analyze(self, draws: int = 100_000, seed: int = 0) -> ValueResult:
        """Return the full analysis: summaries, tornado, break-even, headroom, trade-off, advice.

        Results are reproducible: the same ``seed`` gives the same numbers, and each input's
        draws depend only on the seed and the input's name.
        """
        check_number(
            "draws", draws, low=100, high=MAX_DRAWS, low_inclusive=True, high_inclusive=True
        )
        check_number("seed", seed, low=0, low_inclusive=True)
        draws, seed = int(draws), int(seed)
        # stages: sampling, each alternative's outcomes, then sensitivity and break-even
        with task("value model Monte Carlo", 3 + len(self.scopes)) as step:
            env = self.sample(draws, seed)
            step.advance()
            outcomes = {}
            for alt in self.scopes:  # a loop over alternatives; draws are vectorised
                outcomes[alt] = self.evaluate(alt, env[alt], draws)
                step.advance()
            tornado = tuple(bar for alt in self.scopes for bar in self._tornado(alt))
            step.advance()
            break_even = tuple(
                be
                for query in self.break_even or self._fallback_break_even(tornado)
                for be in self._break_even(query, env)
            )
            step.advance()
        summaries = tuple(
            _summarize(alt, name, values)
            for alt, outs in outcomes.items()
            for name, values in outs.items()
        )
        headroom = tuple(h for alt in self.scopes if (h := self._headroom(alt, env, outcomes)))
        tradeoff = None if self.tradeoff is None else self._tradeoff(self.tradeoff, env, draws)
        experiments = self._linked_experiments()
        recommendation = self._recommend(summaries, headroom, tornado, experiments)
        return ValueResult(
            title=self.title,
            objective=self.objective,
            currency=self.currency,
            draws=draws,
            seed=seed,
            alternatives=self.alternatives,
            summaries=summaries,
            tornado=tornado,
            break_even=break_even,
            headroom=headroom,
            tradeoff=tradeoff,
            recommendation=recommendation,
            experiments=experiments,
        )

    def _linked_experiments(self) -> tuple[LinkedExperiment, ...]:
        """Return the experiments behind measured inputs, warning about rolled-back ones."""
        inputs: dict[str, dict[str, None]] = {}
        sources: dict[str, EffectSource] = {}
        for scope in self.scopes.values():
            for key, inp in scope.inputs.values():
                if inp.source is not None:
                    sources.setdefault(inp.source.experiment, inp.source)
                    inputs.setdefault(inp.source.experiment, {})[key] = None
        out = []
        for name, source in sources.items():
            names = tuple(inputs[name])
            listed = " and ".join(f"`{n}`" for n in names)
            subject = f"{'inputs' if len(names) > 1 else 'input'} {listed}"
            verb = "are effects" if len(names) > 1 else "is an effect"
            why = "; ".join(source.reasons)
            warning = ""
            if source.srm_mismatch:
                warning = (
                    f"Caution: {subject} {verb} measured by experiment `{name}`, whose sample "
                    f"ratio mismatch means its effects cannot be trusted ({why})."
                )
            elif source.decision == "rollback":
                warning = (
                    f"Caution: {subject} {verb} measured by experiment `{name}`, which "
                    f"`proxymetric analyze` rolls back ({why})."
                )
            out.append(
                LinkedExperiment(
                    experiment=name,
                    inputs=names,
                    decision=source.decision,
                    srm_mismatch=source.srm_mismatch,
                    reasons=source.reasons,
                    warning=warning,
                )
            )
        return tuple(out)

    def _tornado(self, alt: str) -> list[TornadoBar]:
        scope = self.scopes[alt]
        q = np.array([0.05, 0.5, 0.95])
        quantiles = {n: inp.distribution.ppf(q) for n, (_, inp) in scope.inputs.items()}
        varying = sorted(
            n
            for n in scope.closure[self.objective]
            if not isinstance(scope.inputs[n][1].distribution, Constant)
        )
        size = 1 + 2 * len(varying)
        env = {n: np.full(size, qs[1]) for n, qs in quantiles.items()}
        for i, name in enumerate(varying):
            env[name][1 + 2 * i] = quantiles[name][0]
            env[name][2 + 2 * i] = quantiles[name][2]
        values = self.evaluate(alt, env, size)[self.objective]
        bars = [
            TornadoBar(
                alternative=alt,
                outcome=self.objective,
                input=name,
                input_p05=float(quantiles[name][0]),
                input_p95=float(quantiles[name][2]),
                outcome_at_p05=float(values[1 + 2 * i]),
                outcome_at_p95=float(values[2 + 2 * i]),
                baseline=float(values[0]),
                swing=float(abs(values[2 + 2 * i] - values[1 + 2 * i])),
            )
            for i, name in enumerate(varying)
        ]
        return sorted((b for b in bars if b.swing > 0), key=lambda b: -b.swing)

    def _fallback_break_even(self, tornado: tuple[TornadoBar, ...]) -> tuple[BreakEvenQuery, ...]:
        """Without queries or ideal inputs: the input that drives the objective most.

        The largest swing of the tornado over every alternative, for the alternative it
        drives (an alternative such as ``do_nothing`` has no driver at all).
        """
        if not tornado:
            return ()
        top = max(tornado, key=lambda b: b.swing)
        return (BreakEvenQuery(top.input, top.alternative),)

    def _expected_objective(
        self, alt: str, env: Mapping[str, FloatArray], name: str, xs: FloatArray, m: int
    ) -> tuple[FloatArray, str]:
        """Return the mean objective over ``m`` draws with input ``name`` set to each ``xs``.

        Where the objective is undefined (not finite) the mean is NaN; the second value says
        why at the first such point (empty when it is defined everywhere).
        """
        sub = {n: v[:m] for n, v in env.items()}
        means = np.empty(len(xs))
        why = ""
        for i, x in enumerate(xs):
            sub[name] = np.full(m, x)
            try:
                with np.errstate(all="ignore"):
                    means[i] = float(np.mean(self.evaluate(alt, sub, m)[self.objective]))
            except ProxymetricError as exc:
                means[i] = math.nan
                why = why or f"at {name} = {float(x):.6g}, {exc}"
            if not math.isfinite(means[i]):
                means[i] = math.nan
                why = why or f"at {name} = {float(x):.6g} the expected {self.objective} overflows"
        return means, why

    def _break_even(
        self, query: BreakEvenQuery, env: Mapping[str, Mapping[str, FloatArray]]
    ) -> list[BreakEven]:
        found: list[BreakEven] = []
        alts = self.alternatives if query.alternative is None else (query.alternative,)
        for alt in alts:
            scope = self.scopes[alt]
            if query.input not in scope.closure[self.objective]:
                continue
            inp = scope.inputs[query.input][1]
            low, median, high = (
                float(v) for v in inp.distribution.ppf(np.array([0.001, 0.5, 0.999]))
            )
            # The default search never leaves the input's support: a formula such as sqrt(x)
            # or log(x) need not be defined where the input cannot be.
            floor, ceiling = _support(inp.distribution)
            width = high - low if high > low else max(abs(median), 1.0)
            lo = query.low if query.low is not None else max(low - width, floor)
            hi = query.high if query.high is not None else min(high + width, ceiling)
            if inp.ideal is not None and query.low is None and query.high is None:
                lo, hi = min(lo, inp.ideal), max(hi, inp.ideal)
            alt_env = env[alt]
            m = min(_BREAK_EVEN_DRAWS, len(next(iter(alt_env.values()))))
            user_bracket = query.low is not None or query.high is not None
            for attempt in range(1 if user_bracket else 3):
                if attempt:
                    # No root yet: look ten times wider on each side, within the support.
                    span = hi - lo
                    wider = (max(lo - 10 * span, floor), min(hi + 10 * span, ceiling))
                    if wider == (lo, hi):
                        break
                    lo, hi = wider
                grid = np.linspace(lo, hi, 41)
                g, why = self._expected_objective(alt, alt_env, query.input, grid, m)
                defined = np.isfinite(g)
                change = _sign_changes(g)
                if change.size or (defined.all() and np.ptp(g) == 0):
                    break
            if defined.all() and np.ptp(g) == 0:
                continue  # the input does not move this alternative's expected objective
            value = math.nan
            side, prob = "above", math.nan
            if defined.any():
                ends = g[defined]
                side = "above" if ends[-1] > ends[0] else "below"
                prob = float(ends[0] > 0)
            reason = ""
            if change.size:
                i = int(change[0])

                def f(
                    x: float, alt: str = alt, env: Mapping[str, FloatArray] = alt_env, m: int = m
                ) -> float:
                    y, why = self._expected_objective(alt, env, query.input, np.array([x]), m)
                    if why:
                        raise ProxymetricError(why)
                    return float(y[0])

                a = float(grid[i])
                try:
                    if g[i] == 0:
                        value = a
                    else:
                        b = float(grid[i + 1])
                        value = optimize.brentq(f, a, b, xtol=1e-12 * (1 + abs(a)))
                except ProxymetricError as exc:
                    reason = f"the expected {self.objective} is undefined {exc}"
                else:
                    side = "above" if g[i + 1] > g[i] else "below"
                    draws = alt_env[query.input]
                    prob = float(np.mean(draws > value if side == "above" else draws < value))
            elif not defined.any():
                reason = f"the expected {self.objective} is undefined over the search range: {why}"
            else:
                reason = (
                    f"the expected {self.objective} does not reach zero for `{query.input}` in "
                    f"[{lo:.6g}, {hi:.6g}]"
                )
                if why:
                    reason += f"; it is undefined {why}"
            found.append(
                BreakEven(
                    alternative=alt,
                    outcome=self.objective,
                    input=query.input,
                    found=not reason,
                    value=float(value) if not reason else math.nan,
                    input_median=median,
                    profitable_side=side,
                    prob_profitable=prob,
                    search_low=float(lo),
                    search_high=float(hi),
                    reason=reason,
                )
            )
        return found

    def _headroom(
        self,
        alt: str,
        env: Mapping[str, Mapping[str, FloatArray]],
        outcomes: Mapping[str, Mapping[str, FloatArray]],
    ) -> Headroom | None:
        scope = self.scopes[alt]
        ideal = {
            n: inp.ideal
            for n, (_, inp) in scope.inputs.items()
            if inp.ideal is not None and n in scope.closure[self.objective]
        }
        if not ideal:
            return None
        alt_env = dict(env[alt])
        size = len(next(iter(alt_env.values())))
        for name, value in ideal.items():
            alt_env[name] = np.full(size, value)
        values = self.evaluate(alt, alt_env, size)[self.objective]
        s = _summarize(alt, self.objective, values)
        current = float(np.mean(outcomes[alt][self.objective]))
        return Headroom(
            alternative=alt,
            outcome=self.objective,
            ideal_inputs=tuple(sorted(ideal)),
            mean=s.mean,
            p05=s.p05,
            p95=s.p95,
            prob_loss=s.prob_loss,
            current_mean=current,
            gain=s.mean - current,
        )

    def _tradeoff(
        self, t: Tradeoff, env: Mapping[str, Mapping[str, FloatArray]], draws: int
    ) -> TradeoffResult:
        alt = t.alternative if t.alternative is not None else self.alternatives[0]
        sx = 1.0 if t.x_goal == "maximize" else -1.0
        sy = 1.0 if t.y_goal == "maximize" else -1.0
        rows = []
        for name, overrides in t.candidates.items():
            cand_env = dict(env[alt])
            for inp, value in overrides.items():
                cand_env[inp] = np.full(draws, float(value))
            outs = self.evaluate(alt, cand_env, draws)
            x, y, obj = (_summarize(alt, n, outs[n]) for n in (t.x, t.y, self.objective))
            rows.append((name, x, y, obj))
        frontier = pareto_frontier(
            [r[1].mean for r in rows], [r[2].mean for r in rows], x_goal=t.x_goal, y_goal=t.y_goal
        )
        rate = t.exchange_rate
        candidates = tuple(
            Candidate(
                name=name,
                x_mean=x.mean,
                x_p05=x.p05,
                x_p95=x.p95,
                y_mean=y.mean,
                y_p05=y.p05,
                y_p95=y.p95,
                objective_mean=obj.mean,
                objective_p05=obj.p05,
                objective_p95=obj.p95,
                prob_loss=obj.prob_loss,
                on_frontier=bool(on),
                exchange_value=math.nan if rate is None else sx * x.mean + rate * sy * y.mean,
            )
            for (name, x, y, obj), on in zip(rows, frontier, strict=True)
        )
        by_objective = max(candidates, key=lambda c: c.objective_mean).name
        by_rate = None if rate is None else max(candidates, key=lambda c: c.exchange_value).name
        by_risk = None
        if self.risk_limit is not None:
            allowed = [c for c in candidates if c.prob_loss <= self.risk_limit]
            by_risk = max(allowed, key=lambda c: c.objective_mean).name if allowed else None
        return TradeoffResult(
            alternative=alt,
            x=t.x,
            x_goal=t.x_goal,
            y=t.y,
            y_goal=t.y_goal,
            objective=self.objective,
            exchange_rate=rate,
            risk_limit=self.risk_limit,
            candidates=candidates,
            frontier=tuple(c.name for c in candidates if c.on_frontier),
            choice_by_expected_objective=by_objective,
            choice_by_exchange_rate=by_rate,
            choice_by_risk_limit=by_risk,
        )

    def _recommend(
        self,
        summaries: tuple[OutcomeSummary, ...],
        headroom: tuple[Headroom, ...],
        tornado: tuple[TornadoBar, ...],
        experiments: tuple[LinkedExperiment, ...] = (),
    ) -> Recommendation:
        obj = {s.alternative: s for s in summaries if s.outcome == self.objective}
        best = max(obj.values(), key=lambda s: s.mean)
        safest = min(obj.values(), key=lambda s: (s.prob_loss, -s.p05))
        money = self._money
        sentences = [e.warning for e in experiments if e.warning]
        sentences.append(
            f"`{best.alternative}` has the best expected {self.objective}: "
            f"{money(best.mean)} (90% interval {money(best.p05)} to {money(best.p95)}, "
            f"probability of a loss {best.prob_loss:.1%})."
        )
        if safest.alternative != best.alternative:
            sentences.append(
                f"The safest is `{safest.alternative}`: probability of a loss "
                f"{safest.prob_loss:.1%}, expected {money(safest.mean)}."
            )
        else:
            sentences.append("It is also the safest.")
        drivers = [b for b in tornado if b.alternative == best.alternative]
        if drivers:
            driver = drivers[0]
            sentences.append(
                f"The {self.objective} of `{best.alternative}` depends most on `{driver.input}`: "
                f"{money(driver.outcome_at_p05)} to {money(driver.outcome_at_p95)} as it moves "
                f"over its 5-95% range."
            )
        within = None
        if self.risk_limit is not None:
            allowed = [s for s in obj.values() if s.prob_loss <= self.risk_limit]
            if allowed:
                within = max(allowed, key=lambda s: s.mean).alternative
                sentences.append(
                    f"With at most {self.risk_limit:.0%} probability of a loss, choose `{within}`."
                )
            else:
                sentences.append(
                    f"No alternative keeps the probability of a loss within {self.risk_limit:.0%}."
                )
        worth: bool | None = None
        if headroom:
            top = max(headroom, key=lambda h: h.mean)
            others = [s.mean for a, s in obj.items() if a not in {h.alternative for h in headroom}]
            bar = max([0.0, *others])
            worth = top.mean > bar
            ideal = (
                f"{top.ideal_inputs[0]} at its ideal value"
                if len(top.ideal_inputs) == 1
                else f"{', '.join(top.ideal_inputs)} at their ideal values"
            )
            rival = "zero" if bar == 0.0 else f"the best alternative without a model ({money(bar)})"
            if worth:
                sentences.append(
                    f"An ideal model ({ideal}) would bring "
                    f"{money(top.mean)} with `{top.alternative}`, more than {rival}: "
                    f"the headroom is worth pursuing."
                )
            else:
                sentences.append(
                    f"Even an ideal model ({ideal}) would bring only "
                    f"{money(top.mean)} with `{top.alternative}`, no more than {rival}: "
                    f"it is not worth building."
                )
        return Recommendation(
            best_expected=best.alternative,
            safest=safest.alternative,
            risk_limit=self.risk_limit,
            best_within_risk_limit=within,
            ideal_worth_building=worth,
            text=" ".join(sentences),
        )

    def _money(self, value: float) -> str:
        return format_money(value, self.currency)


def format_money(value: float, currency: str = "") -> str:
    """Return ``value`` with 3 significant digits, a k/M/B suffix and the currency.

    >>> format_money(1234567.0, "$"), format_money(-2500.0, "EUR"), format_money(12.345)
    ('$1.23M', '-2.5k EUR', '12.3')
    >>> format_money(999_950.0, "$"), format_money(999.7)
    ('$1M', '1k')
    """
    if not math.isfinite(value):
        return "—"
    sign = "-" if value < 0 else ""
    size = float(f"{abs(value):.3g}")  # rounded first, so 999,950 is 1M, not 1e+03k
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= threshold:
            number = f"{size / threshold:.3g}{suffix}"
            break
    else:
        number = f"{size:.3g}"
    if not currency:
        return sign + number
    if len(currency) == 1:
        return f"{sign}{currency}{number}"
    return f"{sign}{number} {currency}"


def _support(distribution: Distribution) -> tuple[float, float]:
    """Return the smallest and largest values an input can take (its 0% and 100% quantiles).

    A constant, or a distribution whose extreme quantiles are not numbers, is unbounded: the
    break-even of a known number asks what it would have to be.
    """
    with np.errstate(all="ignore"):
        floor, ceiling = (float(v) for v in distribution.ppf(np.array([0.0, 1.0])))
    if math.isnan(floor) or math.isnan(ceiling) or not ceiling > floor:
        return -math.inf, math.inf
    return floor, ceiling


def _sign_changes(g: FloatArray) -> npt.NDArray[np.intp]:
    """Return the grid steps ``i`` where ``g`` is zero at ``i`` or changes sign to ``i + 1``.

    Only steps with both ends defined count: a root is never bracketed across a NaN.
    """
    both = np.isfinite(g[:-1]) & np.isfinite(g[1:])
    with np.errstate(invalid="ignore"):
        crossing = (g[:-1] == 0) | (g[:-1] * g[1:] < 0)
    return np.flatnonzero(both & crossing)


def _summarize(alt: str, name: str, values: FloatArray) -> OutcomeSummary:
    n = values.size
    p05, median, p95 = (float(v) for v in np.percentile(values, [5, 50, 95]))
    constant = bool(values.min() == values.max())
    sd = float(np.std(values, ddof=1)) if n > 1 and not constant else 0.0
    return OutcomeSummary(
        alternative=alt,
        outcome=name,
        mean=float(np.mean(values)),
        mean_se=sd / math.sqrt(n),
        sd=sd,
        median=median,
        p05=p05,
        p95=p95,
        prob_loss=float(np.mean(values < 0)),
    )


def _topological_order(formulas: Mapping[str, Formula], alt: str) -> list[str]:
    """Return outcome names so that each comes after the outcomes it uses; reject cycles."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in formulas:
        if state.get(root) == 2:
            continue
        path: list[str] = [root]
        stack: list[tuple[str, list[str]]] = [
            (root, sorted(formulas[root].names & formulas.keys()))
        ]
        state[root] = 1
        while stack:
            node, pending = stack[-1]
            if pending:
                nxt = pending.pop()
                if state.get(nxt) == 1:
                    cycle = [*path[path.index(nxt) :], nxt]
                    raise ProxymetricError(
                        f"outcomes of alternative `{alt}` form a cycle: {' -> '.join(cycle)}"
                    )
                if state.get(nxt) != 2:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append((nxt, sorted(formulas[nxt].names & formulas.keys())))
            else:
                stack.pop()
                path.pop()
                state[node] = 2
                order.append(node)
    return order
