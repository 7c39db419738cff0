"""The value model's Monte Carlo, tornado, break-even, headroom, trade-off and recommendation.

Every expected number is a closed form; Monte Carlo tolerances are 4 standard errors of the
estimate at the number of draws used (a false alarm about 6 times in 100,000 runs per check).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from proxymetric.errors import ProxymetricError
from proxymetric.value import (
    Alternative,
    BreakEvenQuery,
    Constant,
    Distribution,
    Input,
    LogNormal,
    Normal,
    Tradeoff,
    Uniform,
    ValueModel,
    pareto_frontier,
)

Z95 = stats.norm.ppf(0.95)


def _linear_model() -> ValueModel:
    # profit = 3 X - 2 Y + 5 with X ~ N(10, 2), Y ~ N(12, 4) independent:
    # mean 3*10 - 2*12 + 5 = 11, variance 9*4 + 4*16 = 100.
    return ValueModel(
        inputs={"x": Normal(10.0, 2.0), "y": Normal(12.0, 4.0)},
        outcomes={"profit": "3 * x - 2 * y + 5"},
    )


def test_linear_normal_model_matches_closed_form() -> None:
    n = 400_000
    r = _linear_model().analyze(draws=n, seed=3)
    s = r.summary("model")
    mu, sigma = 11.0, 10.0
    # Mean: s.e. sigma / sqrt(n). SD: s.e. ~ sigma / sqrt(2 n) for a normal sample.
    assert s.mean == pytest.approx(mu, abs=4 * sigma / math.sqrt(n))
    assert s.sd == pytest.approx(sigma, abs=4 * sigma / math.sqrt(2 * n))
    assert s.mean_se == pytest.approx(sigma / math.sqrt(n), rel=0.01)
    # P(loss) = Phi(-mu / sigma); binomial s.e. sqrt(p (1 - p) / n).
    p = stats.norm.cdf(-mu / sigma)
    assert s.prob_loss == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / n))
    # Quantiles: s.e. of a sample quantile is sqrt(q (1 - q) / n) / density at the quantile.
    for got, q in ((s.p05, 0.05), (s.median, 0.5), (s.p95, 0.95)):
        true = stats.norm.ppf(q, mu, sigma)
        se = math.sqrt(q * (1 - q) / n) / stats.norm.pdf(true, mu, sigma)
        assert got == pytest.approx(true, abs=4 * se)


def test_results_are_reproducible_under_a_seed() -> None:
    m = _linear_model()
    assert m.analyze(draws=1000, seed=9) == m.analyze(draws=1000, seed=9)
    assert m.analyze(draws=1000, seed=9).summary("model") != m.analyze(draws=1000, seed=10).summary(
        "model"
    )


def test_adding_an_input_leaves_the_other_draws_unchanged() -> None:
    # Each input's stream depends on the seed and its name only.
    a = ValueModel({"x": Normal(0, 1)}, {"profit": "x"}).simulate(500, seed=4)
    b = ValueModel({"w": Uniform(0, 1), "x": Normal(0, 1)}, {"profit": "x + 0 * w"}).simulate(
        500, seed=4
    )
    np.testing.assert_array_equal(a["model"]["x"], b["model"]["x"])


def test_alternatives_share_draws_so_differences_are_exact() -> None:
    # Common random numbers: B - A = 5 in every draw, so their summaries differ by exactly 5.
    m = ValueModel(
        inputs={"demand": LogNormal.from_median_p90(100, 300)},
        outcomes={"profit": "revenue - 50"},
        alternatives={
            "a": Alternative(outcomes={"revenue": "demand"}),
            "b": Alternative(outcomes={"revenue": "demand + 5"}),
        },
    )
    sims = m.simulate(2000, seed=1)
    np.testing.assert_allclose(sims["b"]["profit"] - sims["a"]["profit"], 5.0)
    r = m.analyze(draws=2000, seed=1)
    assert r.summary("b").mean - r.summary("a").mean == pytest.approx(5.0)
    assert r.summary("b").p95 - r.summary("a").p95 == pytest.approx(5.0)


def test_tornado_of_a_linear_model_is_coefficient_times_range() -> None:
    # Closed form: swing = |coefficient| * (p95 - p05) = |c| * 2 * 1.645 * sd.
    r = _linear_model().analyze(draws=1000, seed=0)
    bars = {b.input: b for b in r.tornado}
    assert bars["x"].swing == pytest.approx(3 * 2 * Z95 * 2.0, rel=1e-9)
    assert bars["y"].swing == pytest.approx(2 * 2 * Z95 * 4.0, rel=1e-9)
    assert [b.input for b in r.tornado] == ["y", "x"]  # 16 z > 12 z
    assert bars["x"].baseline == pytest.approx(11.0)
    assert bars["y"].outcome_at_p95 == pytest.approx(11.0 - 2 * Z95 * 4.0, rel=1e-9)


def test_tornado_ranks_inputs_and_skips_constants() -> None:
    m = ValueModel(
        inputs={"big": Normal(0, 10), "small": Normal(0, 1), "k": 7.0},
        outcomes={"profit": "big + small * k"},
    )
    bars = m.analyze(draws=500, seed=0).tornado
    assert [b.input for b in bars] == ["big", "small"]
    assert bars[1].swing == pytest.approx(7 * 2 * Z95, rel=1e-9)


def test_break_even_of_a_linear_profit_is_exact() -> None:
    # profit = users * lift * value - cost = 0 at lift = cost / (users * value) = 0.012.
    m = ValueModel(
        inputs={"users": 1000, "lift": Normal(0.02, 0.01), "value": 50, "cost": 600},
        outcomes={"profit": "users * lift * value - cost"},
        break_even=[BreakEvenQuery("lift")],
    )
    (be,) = m.analyze(draws=20_000, seed=0).break_even
    assert be.found
    assert be.value == pytest.approx(0.012, rel=1e-9)
    assert be.profitable_side == "above"
    # P(lift > 0.012) = 1 - Phi((0.012 - 0.02) / 0.01) = 0.788; binomial s.e. at 20,000 draws.
    p = 1 - stats.norm.cdf(-0.8)
    assert be.prob_profitable == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / 20_000))


def test_break_even_with_uncertain_inputs_uses_expected_profit() -> None:
    # E[profit | lift = x] = x * 1000 * E[value] - E[cost]; root E[cost] / (1000 E[value])
    # = 600 / 50000 = 0.012. Estimated on 20,000 draws: the root is mean(cost)/(1000 mean(value))
    # over them; its s.e. by the delta method is about
    # 0.012 * sqrt((60/600)^2 + (10/50)^2) / sqrt(20000) = 1.9e-5.
    m = ValueModel(
        inputs={"lift": Normal(0.02, 0.01), "value": Normal(50, 10), "cost": Normal(600, 60)},
        outcomes={"profit": "1000 * lift * value - cost"},
        break_even=[BreakEvenQuery("lift")],
    )
    (be,) = m.analyze(draws=50_000, seed=2).break_even
    se = 0.012 * math.sqrt(0.1**2 + 0.2**2) / math.sqrt(20_000)
    assert be.value == pytest.approx(0.012, abs=4 * se)


def test_break_even_of_a_cost_lies_below() -> None:
    # profit = 100 - cost: profitable below cost = 100.
    m = ValueModel(
        inputs={"cost": Uniform(50, 250)},
        outcomes={"profit": "100 - cost"},
        break_even=[BreakEvenQuery("cost")],
    )
    (be,) = m.analyze(draws=10_000, seed=0).break_even
    assert be.value == pytest.approx(100.0)
    assert be.profitable_side == "below"
    # P(cost < 100) = 50 / 200 = 0.25 under the uniform; binomial s.e. at 10,000 draws.
    assert be.prob_profitable == pytest.approx(0.25, abs=4 * math.sqrt(0.25 * 0.75 / 10_000))


def test_break_even_far_outside_the_input_range_is_found_by_widening() -> None:
    # profit = 1000 * recall - 30, recall ~ around 0.85: root 0.03, far below its range.
    m = ValueModel(
        inputs={"recall": Input(Normal(0.85, 0.02), ideal=1.0)},
        outcomes={"profit": "1000 * recall - 30"},
    )
    (be,) = m.analyze(draws=1000, seed=0).break_even  # default query: inputs with an ideal
    assert be.value == pytest.approx(0.03, rel=1e-9)


def test_break_even_without_a_root_says_so() -> None:
    m = ValueModel(
        inputs={"x": Uniform(0, 1)},
        outcomes={"profit": "exp(x)"},
        break_even=[BreakEvenQuery("x", low=0, high=1)],
    )
    (be,) = m.analyze(draws=1000, seed=0).break_even
    assert not be.found
    assert math.isnan(be.value)
    assert (be.search_low, be.search_high) == (0.0, 1.0)


def test_default_break_even_stays_inside_a_uniforms_support() -> None:
    # profit = 10 sqrt(x) - cost, x ~ U(0, 4): sqrt is undefined below 0, where the search used
    # to go. Closed form: E[profit | x] = 10 sqrt(x) - mean(cost) = 0 at x = (mean(cost)/10)^2,
    # mean(cost) over the 20,000 break-even draws has s.e. 1 / sqrt(20,000), so the root has
    # s.e. 2 * 1.2 / 10 * 0.0071 = 0.0017. P(x > 1.44) = (4 - 1.44) / 4 = 0.64.
    m = ValueModel(
        inputs={"x": Uniform(0, 4), "k": 10.0, "cost": Normal(12, 1)},
        outcomes={"profit": "k * sqrt(x) - cost"},
    )
    (be,) = m.analyze(draws=20_000, seed=0).break_even  # default: the top input of the tornado
    assert be.input == "x"
    assert be.found
    assert be.reason == ""
    assert (be.search_low, be.search_high) == (0.0, 4.0)
    assert be.value == pytest.approx(1.44, abs=4 * 0.0017)
    assert be.prob_profitable == pytest.approx(0.64, abs=4 * math.sqrt(0.64 * 0.36 / 20_000))


def test_default_break_even_of_a_log_of_a_lognormal() -> None:
    # profit = 100 log(x) - 30 with log(x) ~ N(0, 0.5): log is undefined at 0, the support's
    # edge, and below it. Closed form: root exp(0.3); P(x > e^0.3) = 1 - Phi(0.3 / 0.5).
    m = ValueModel(inputs={"x": LogNormal(0.0, 0.5)}, outcomes={"profit": "100 * log(x) - 30"})
    (be,) = m.analyze(draws=20_000, seed=0).break_even
    assert be.found
    assert be.search_low == 0.0
    assert be.value == pytest.approx(math.exp(0.3), rel=1e-9)
    p = 1 - stats.norm.cdf(0.6)
    assert be.prob_profitable == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / 20_000))


def test_an_undefined_break_even_is_a_reason_not_a_failed_analysis() -> None:
    # A search range the user chose that lies where sqrt(x) is undefined: the rest of the
    # analysis stands, the break-even says why it has no value.
    inputs: dict[str, Distribution] = {"x": Uniform(0, 4), "cost": Normal(12, 1)}
    outcomes = {"profit": "10 * sqrt(x) - cost"}
    nowhere = ValueModel(inputs, outcomes, break_even=[BreakEvenQuery("x", low=-5, high=-1)])
    r = nowhere.analyze(draws=2000, seed=0)
    (be,) = r.break_even
    assert not be.found
    assert math.isnan(be.value)
    assert be.reason.startswith("the expected profit is undefined over the search range: at x = -5")
    assert r.summary("model").mean == pytest.approx(10 * 4 / 3 - 12, abs=0.2)  # E[sqrt x] = 4/3
    # Part of the range defined: the root is found there, (12 / 10)^2 up to Monte Carlo noise.
    partly = ValueModel(inputs, outcomes, break_even=[BreakEvenQuery("x", low=-5, high=4)])
    (be,) = partly.analyze(draws=2000, seed=0).break_even
    assert be.found
    assert be.value == pytest.approx(1.44, abs=4 * 2 * 1.2 / 10 / math.sqrt(2000))


def test_fallback_break_even_skips_an_alternative_without_drivers() -> None:
    # `do_nothing` comes first and has a constant objective; the fallback must still find the
    # input that drives `ship` most: lift, with root 600 / (1000 * 50) = 0.012.
    m = ValueModel(
        inputs={"lift": Normal(0.02, 0.01), "cost": Uniform(500, 700)},
        outcomes={"profit": "on * (1000 * lift * 50 - cost)"},
        alternatives={
            "do_nothing": Alternative(outcomes={"on": "0"}),
            "ship": Alternative(outcomes={"on": "1"}),
        },
    )
    (be,) = m.analyze(draws=20_000, seed=0).break_even
    assert (be.alternative, be.input) == ("ship", "lift")
    # mean(cost) over 20,000 draws: s.e. (200 / sqrt(12)) / sqrt(20,000); root / 50,000.
    assert be.value == pytest.approx(0.012, abs=4 * 57.7 / math.sqrt(20_000) / 50_000)


def test_headroom_sets_quality_inputs_to_their_ideal() -> None:
    # profit = 1000 * recall * 2 - 500 with recall ~ N(0.8, 0.05) (mean 1100) and
    # ideal recall 1: profit 1500 exactly in every draw, gain 1500 - mean.
    m = ValueModel(
        inputs={"recall": Input(Normal(0.8, 0.05), ideal=1.0), "v": 2.0},
        outcomes={"profit": "1000 * recall * v - 500"},
    )
    r = m.analyze(draws=100_000, seed=5)
    (h,) = r.headroom
    assert h.mean == pytest.approx(1500.0)
    assert (h.p05, h.p95, h.prob_loss) == (1500.0, 1500.0, 0.0)
    assert h.ideal_inputs == ("recall",)
    # current mean 1100 with s.e. 100 / sqrt(n).
    assert h.current_mean == pytest.approx(1100.0, abs=4 * 100 / math.sqrt(100_000))
    assert h.gain == pytest.approx(1500.0 - h.current_mean)


def _choice_model(
    risk_limit: float | None = 0.1, ideal: float = 1.0, steady_sd: float = 10.0
) -> ValueModel:
    # risky: N(100, 200), P(loss) = Phi(-0.5) = 0.31; steady: N(50, 10), P(loss) ~ 3e-7;
    # model: 200 * quality - 120 with quality ~ N(0.5, 0.05): mean -20; ideal quality 1 -> 80.
    return ValueModel(
        inputs={"u": Normal(0, 1), "quality": Input(Normal(0.5, 0.05), ideal=ideal)},
        outcomes={},
        alternatives={
            "risky": Alternative(outcomes={"profit": "100 + 200 * u"}),
            "steady": Alternative(outcomes={"profit": f"50 + {steady_sd} * u"}),
            "model": Alternative(outcomes={"profit": "200 * quality - 120"}),
        },
        risk_limit=risk_limit,
    )


def test_recommendation_on_a_constructed_case() -> None:
    rec = _choice_model().analyze(draws=20_000, seed=0).recommendation
    assert rec.best_expected == "risky"
    assert rec.safest == "steady"
    assert rec.best_within_risk_limit == "steady"
    # The ideal model brings 200 * 1 - 120 = 80, less than risky (100): not worth building.
    assert rec.ideal_worth_building is False
    assert "`risky` has the best expected profit" in rec.text
    assert "not worth building" in rec.text


def test_ideal_model_worth_building_when_it_beats_every_other_alternative() -> None:
    rec = _choice_model(risk_limit=None, ideal=2.0).analyze(draws=20_000, seed=0).recommendation
    # ideal: 200 * 2 - 120 = 280 > 100.
    assert rec.ideal_worth_building is True
    assert rec.best_within_risk_limit is None
    assert "worth pursuing" in rec.text


def test_no_alternative_within_the_risk_limit() -> None:
    # steady N(50, 40): P(loss) = Phi(-1.25) = 0.11 > 0.05; risky 0.31, model ~ 1.
    rec = _choice_model(risk_limit=0.05, steady_sd=40).analyze(draws=20_000, seed=0).recommendation
    assert rec.best_within_risk_limit is None
    assert "No alternative keeps the probability of a loss within 5%" in rec.text


def _naive_frontier(x: list[float], y: list[float]) -> list[bool]:
    out = []
    for i in range(len(x)):
        dominated = any(
            x[j] >= x[i] and y[j] <= y[i] and (x[j] > x[i] or y[j] < y[i]) for j in range(len(x))
        )
        out.append(not dominated)
    return out


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(-5, 5), st.integers(-5, 5)), min_size=1, max_size=12))
def test_pareto_frontier_equals_brute_force(points: list[tuple[int, int]]) -> None:
    # Reference: the definition of dominance checked pair by pair (maximise x, minimise y).
    x = [float(p[0]) for p in points]
    y = [float(p[1]) for p in points]
    assert pareto_frontier(x, y).tolist() == _naive_frontier(x, y)
    # Invariant: flipping both goals and signs gives the same frontier.
    flipped = pareto_frontier(
        [-v for v in x], [-v for v in y], x_goal="minimize", y_goal="maximize"
    )
    assert flipped.tolist() == _naive_frontier(x, y)


def test_tradeoff_frontier_and_choices() -> None:
    # ads shown k: revenue 10 k, churn cost k^2 (+ noise), profit = revenue - churn cost.
    # k = 1..5: revenue 10..50, churn 1, 4, 9, 16, 25, profit 9, 16, 21, 24, 25 (+ noise).
    m = ValueModel(
        inputs={"k": 1.0, "noise": Normal(0, 10)},
        outcomes={
            "revenue": "10 * k",
            "churn_cost": "k ** 2 + noise",
            "profit": "revenue - churn_cost",
        },
        risk_limit=0.05,
        tradeoff=Tradeoff(
            candidates={f"k{k}": {"k": float(k)} for k in range(1, 6)} | {"bad": {"k": 0.5}},
            x="revenue",
            y="churn_cost",
            exchange_rate=2.0,
        ),
    )
    t = m.analyze(draws=100_000, seed=1).tradeoff
    assert t is not None
    # Every k is on the frontier (more revenue costs more churn), and so is k = 0.5.
    assert t.frontier == ("k1", "k2", "k3", "k4", "k5", "bad")
    assert t.choice_by_expected_objective == "k5"
    # exchange value 10 k - 2 k^2 is largest at k = 2.5: k2 and k3 both give 12; k2 first? No:
    # 10*2-8 = 12, 10*3-18 = 12; the noise mean (s.e. 0.03) decides. Either is right.
    assert t.choice_by_exchange_rate in {"k2", "k3"}
    # P(loss) = Phi(-(10 k - k^2) / 10): k1 .18, k2 .055, k3 .018, k4 .0082, k5 .0062:
    # the best expected profit with P(loss) <= 5% is k5.
    assert t.choice_by_risk_limit == "k5"
    probs = {c.name: c.prob_loss for c in t.candidates}
    n = 100_000
    for k in range(1, 6):
        p = stats.norm.cdf(-(10 * k - k * k) / 10)
        assert probs[f"k{k}"] == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / n))


def test_dominated_candidates_are_off_the_frontier() -> None:
    m = ValueModel(
        inputs={"a": 1.0, "b": 1.0},
        outcomes={"x": "a", "y": "b", "profit": "a - b"},
        tradeoff=Tradeoff(
            candidates={
                "good": {"a": 2, "b": 1},
                "worse": {"a": 1, "b": 2},
                "same_x": {"a": 2, "b": 3},
            },
            x="x",
            y="y",
        ),
    )
    t = m.analyze(draws=100, seed=0).tradeoff
    assert t is not None
    assert t.frontier == ("good",)
    assert t.choice_by_exchange_rate is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"outcomes": {"profit": "a + b"}},
            "outcome `profit` uses unknown name `b` in alternative",
        ),
        ({"outcomes": {"profit": "a + ab"}}, "did you mean 'a'?"),
        (
            {"outcomes": {"profit": "q", "q": "r", "r": "profit"}},
            "form a cycle: profit -> q -> r -> profit",
        ),
        ({"outcomes": {"profit": "profit + 1"}}, "form a cycle: profit -> profit"),
        (
            {"outcomes": {"gain": "a"}},
            "`objective` 'profit' is not defined; defined outcomes of alternative `model`: gain",
        ),
        ({"outcomes": {"a": "1", "profit": "a"}}, "`a` is both an input and an outcome"),
        ({"outcomes": {"profit": "a.b"}}, "outcome `profit`: formula 'a.b': attribute access"),
        ({"outcomes": {"profit": "a", "2x": "a"}}, "outcome name '2x' is not valid"),
        ({"outcomes": {"profit": "a", "log": "a"}}, "outcome name 'log' is the name of a function"),
        ({"outcomes": {"profit": "a"}, "risk_limit": 1.5}, "`risk_limit` == 1.5, must be <= 1"),
        (
            {"outcomes": {"profit": "a"}, "break_even": [BreakEvenQuery("z")]},
            "`break_even.input` 'z' is not defined",
        ),
        (
            {
                "outcomes": {"profit": "a"},
                "tradeoff": Tradeoff({"one": {"a": 1}}, x="profit", y="profit"),
            },
            "at least 2 candidates",
        ),
        (
            {
                "outcomes": {"profit": "a"},
                "tradeoff": Tradeoff({"p": {"a": 1}, "q": {"zz": 2}}, x="profit", y="profit"),
            },
            "`tradeoff.candidates.q` 'zz' is not defined; defined inputs: a",
        ),
        (
            {
                "outcomes": {"profit": "a"},
                "tradeoff": Tradeoff({"p": {}, "q": {}}, x="nope", y="profit"),
            },
            "`tradeoff.x` 'nope' is not defined",
        ),
        (
            {
                "outcomes": {"profit": "a"},
                "tradeoff": Tradeoff({"p": {}, "q": {}}, x="profit", y="profit", x_goal="max"),
            },
            "`tradeoff.x_goal` must be one of 'maximize', 'minimize'; got 'max'",
        ),
    ],
)
def test_bad_models_are_rejected_with_clear_messages(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ProxymetricError) as info:
        ValueModel({"a": Normal(1, 1)}, **kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)


def test_alternative_cannot_redefine_shared_names() -> None:
    with pytest.raises(ProxymetricError, match="input `a` of alternative `x` is already a shared"):
        ValueModel({"a": 1.0}, {"profit": "a"}, alternatives={"x": Alternative(inputs={"a": 2.0})})
    with pytest.raises(ProxymetricError, match="outcome `profit` of alternative `x` is already"):
        ValueModel({"a": 1.0}, {"profit": "a"}, alternatives={"x": Alternative({"profit": "1"})})


def test_non_finite_outcome_names_the_outcome() -> None:
    m = ValueModel({"a": Normal(0, 1)}, {"profit": "log(a)"})
    with pytest.raises(
        ProxymetricError,
        match=r"outcome `profit` of alternative `model` is not a finite number in \d+ of 1000",
    ):
        m.analyze(draws=1000, seed=0)


def test_where_guards_against_non_finite_values() -> None:
    m = ValueModel({"a": Normal(0, 1)}, {"profit": "where(a > 0, log(a), 0)"})
    assert m.analyze(draws=1000, seed=0).summary("model").prob_loss > 0


def test_draws_and_seed_are_checked() -> None:
    with pytest.raises(ProxymetricError, match="`draws` == 10, must be >= 100"):
        _linear_model().analyze(draws=10)
    with pytest.raises(ProxymetricError, match="`seed` == -1, must be >= 0"):
        _linear_model().analyze(seed=-1)


def test_inputs_accept_numbers_distributions_and_inputs() -> None:
    m = ValueModel(
        {"a": 2, "b": Constant(3.0), "c": Input(Uniform(0, 1))}, {"profit": "a * b + 0 * c"}
    )
    assert m.analyze(draws=100, seed=0).summary("model").mean == 6.0
    with pytest.raises(ProxymetricError, match="input `a` must be a number or a distribution"):
        ValueModel({"a": "x"}, {"profit": "1"})  # type: ignore[dict-item]


def test_json_contract_is_flat_and_complete() -> None:
    d = _choice_model().analyze(draws=1000, seed=0).to_dict()
    assert set(d) == {
        "title",
        "objective",
        "currency",
        "draws",
        "seed",
        "alternatives",
        "summaries",
        "tornado",
        "break_even",
        "headroom",
        "tradeoff",
        "recommendation",
        "experiments",
    }
    assert set(d["summaries"][0]) == {
        "alternative",
        "outcome",
        "mean",
        "mean_se",
        "sd",
        "median",
        "p05",
        "p95",
        "prob_loss",
    }


def test_summary_lookup_names_what_exists() -> None:
    r = _linear_model().analyze(draws=100, seed=0)
    with pytest.raises(ProxymetricError, match="`alternative` 'other' is not defined"):
        r.summary("other")
    with pytest.raises(ProxymetricError, match="its outcomes: profit"):
        r.summary("model", "revenue")


def test_draws_have_an_upper_bound() -> None:
    with pytest.raises(ProxymetricError, match="`draws` == 20000000, must be <= 10000000"):
        _linear_model().analyze(draws=20_000_000)


@settings(max_examples=25, deadline=None)
@given(
    coefs=st.lists(st.floats(-50, 50).filter(lambda c: abs(c) > 1e-3), min_size=3, max_size=3),
    sds=st.lists(st.floats(0.1, 10), min_size=3, max_size=3),
    const=st.floats(-100, 100),
)
def test_linear_models_match_their_closed_form(
    coefs: list[float], sds: list[float], const: float
) -> None:
    # Invariant over random linear models of independent normals N(i, sd_i):
    # mean sum c_i * i + const within 5 Monte Carlo standard errors (s.e. sigma / sqrt(n)),
    # and every tornado swing equals |c_i| * 2 * z_0.95 * sd_i exactly.
    n = 20_000
    inputs = {f"x{i}": Normal(float(i), sd) for i, sd in enumerate(sds)}
    formula = " + ".join(f"({c!r}) * x{i}" for i, c in enumerate(coefs)) + f" + ({const!r})"
    r = ValueModel(inputs, {"profit": formula}).analyze(draws=n, seed=0)
    mu = sum(c * i for i, c in enumerate(coefs)) + const
    sigma = math.sqrt(sum((c * sd) ** 2 for c, sd in zip(coefs, sds, strict=True)))
    assert r.summary("model").mean == pytest.approx(mu, abs=5 * sigma / math.sqrt(n))
    swings = {b.input: b.swing for b in r.tornado}
    for i, (c, sd) in enumerate(zip(coefs, sds, strict=True)):
        assert swings[f"x{i}"] == pytest.approx(abs(c) * 2 * Z95 * sd, rel=1e-9)


@settings(max_examples=15, deadline=None)
@given(st.permutations(["a", "b", "c", "d"]))
def test_results_do_not_depend_on_the_order_of_declaration(order: list[str]) -> None:
    # Invariant: each input's draws depend on the seed and its name only.
    dists: dict[str, Distribution] = {
        "a": Normal(1, 2),
        "b": Uniform(0, 3),
        "c": LogNormal(0, 0.5),
        "d": Normal(-1, 1),
    }
    reference = ValueModel(dists, {"profit": "a * b - c + d"}).analyze(draws=500, seed=8)
    shuffled = ValueModel({k: dists[k] for k in order}, {"profit": "a * b - c + d"})
    assert shuffled.analyze(draws=500, seed=8).summaries == reference.summaries


def test_product_of_lognormals_matches_closed_form() -> None:
    # profit = A * B - 100 with A, B lognormal: log(A B) ~ N(mu_a + mu_b, sa^2 + sb^2), so
    # P(loss) = Phi((log 100 - mu) / s) and the mean is exp(mu + s^2 / 2) - 100 (closed forms).
    a, b = LogNormal.from_median_p90(8.0, 12.0), LogNormal.from_median_p90(15.0, 30.0)
    n = 200_000
    r = ValueModel({"a": a, "b": b}, {"profit": "a * b - 100"}).analyze(draws=n, seed=4)
    s = r.summary("model")
    mu, sd = a.mu + b.mu, math.hypot(a.sigma, b.sigma)
    p = stats.norm.cdf((math.log(100) - mu) / sd)
    assert s.prob_loss == pytest.approx(p, abs=4 * math.sqrt(p * (1 - p) / n))
    mean = math.exp(mu + sd**2 / 2) - 100
    true_sd = math.exp(mu + sd**2 / 2) * math.sqrt(math.expm1(sd**2))
    assert s.mean == pytest.approx(mean, abs=4 * true_sd / math.sqrt(n))
    # Sample median: s.e. sqrt(0.25 / n) / density of A B at its median exp(mu).
    density = 1 / (math.exp(mu) * sd * math.sqrt(2 * math.pi))
    assert s.median == pytest.approx(math.exp(mu) - 100, abs=4 * math.sqrt(0.25 / n) / density)


def test_a_model_without_uncertainty() -> None:
    r = ValueModel({"a": 2.0, "b": 3.0}, {"profit": "a * b"}).analyze(draws=100, seed=0)
    s = r.summary("model")
    assert (s.mean, s.sd, s.mean_se, s.p05, s.p95, s.prob_loss) == (6.0, 0.0, 0.0, 6.0, 6.0, 0.0)
    assert r.tornado == ()
    assert r.break_even == ()
    assert r.headroom == ()
    assert r.recommendation.best_expected == "model"
