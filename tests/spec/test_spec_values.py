"""Values of the spec that mean nothing are refused with the key's line and what is valid.

Infinity and NaN (``.inf``, ``.nan`` in YAML) are no setting of any key; a relative guardrail
margin is a share of the control mean below 1; ``covariate`` on a ratio metric may only turn
the pre-period covariate of an event log on or off.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import proxymetric
from proxymetric.errors import ProxymetricError, SpecError
from proxymetric.spec import load_spec

from .test_spec import GOOD

EVENTS = """\
sources:
  assignments: {table: assignments, unit: user, variant: arm, timestamp: assigned_at}
  events: {table: events, unit: user, timestamp: ts}
metrics:
  revenue: {type: mean, source: events, aggregate: sum, column: amount}
  rate:
    type: ratio
    source: events
    numerator: {aggregate: count, filter: "event = 'purchase'"}
    denominator: {aggregate: count}
experiments:
  checkout:
    assignment: assignments
    control: control
    window_days: 7
    primary: revenue
    secondary: [rate]
evaluations:
  judged: {kind: blind_test, sample_size: 100, cost_per_judgment: 2}
value:
  inputs:
    users: 1000
    lift: {dist: normal, mean: 0.01, sd: 0.01}
  outcomes:
    profit: users * lift
  break_even:
    - {input: lift, low: -1, high: 1}
  tradeoff:
    x: profit
    y: profit
    exchange_rate: 1
    candidates:
      small: {users: 10}
"""

# (spec, text to replace, replacement with {v}, key path in the message, line)
NON_FINITE = [
    (
        GOOD,
        "column: sum_gamerounds}",
        "column: sum_gamerounds, value_per_unit: {v}}",
        "metrics.rounds.value_per_unit",
        6,
    ),
    (
        GOOD,
        "column: sum_gamerounds}",
        "column: sum_gamerounds, fill_missing: {v}}",
        "metrics.rounds.fill_missing",
        6,
    ),
    (
        GOOD,
        "column: sum_gamerounds}",
        "column: sum_gamerounds, expected_effect: {v}}",
        "metrics.rounds.expected_effect",
        6,
    ),
    (
        GOOD,
        "column: sum_gamerounds}",
        "column: sum_gamerounds, baseline_mean: {v}}",
        "metrics.rounds.baseline_mean",
        6,
    ),
    (
        GOOD,
        "column: sum_gamerounds}",
        "column: sum_gamerounds, baseline_sd: {v}}",
        "metrics.rounds.baseline_sd",
        6,
    ),
    (GOOD, "margin: 0.02}", "margin: {v}}", "experiments.gate-40.guardrails.0.margin", 12),
    (
        GOOD,
        "margin: 0.02}",
        "margin: {v}, margin_type: absolute}",
        "experiments.gate-40.guardrails.0.margin",
        12,
    ),
    (
        GOOD,
        "    control: gate_30\n",
        "    control: gate_30\n    units_per_day: {v}\n",
        "experiments.gate-40.units_per_day",
        10,
    ),
    (
        GOOD,
        "    control: gate_30\n",
        "    control: gate_30\n    split: {gate_30: {v}, gate_40: 1}\n",
        "experiments.gate-40.split.gate_30",
        10,
    ),
    (EVENTS, "window_days: 7", "window_days: {v}", "experiments.checkout.window_days", 15),
    (
        EVENTS,
        "window_days: 7",
        "window_days: 7\n    pre_period_days: {v}",
        "experiments.checkout.pre_period_days",
        16,
    ),
    (
        EVENTS,
        "cost_per_judgment: 2}",
        "cost_per_judgment: 2, value_per_unit: {v}}",
        "evaluations.judged.value_per_unit",
        19,
    ),
    (EVENTS, "users: 1000", "users: {v}", "value.inputs.users", 22),
    (EVENTS, "sd: 0.01}", "sd: {v}}", "value.inputs.lift.sd", 23),
    (EVENTS, "low: -1,", "low: {v},", "value.break_even.0.low", 27),
    (EVENTS, "exchange_rate: 1", "exchange_rate: {v}", "value.tradeoff.exchange_rate", 31),
    (
        EVENTS,
        "small: {users: 10}",
        "small: {users: {v}}",
        "value.tradeoff.candidates.small.users",
        33,
    ),
]


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
@pytest.mark.parametrize(
    ("spec", "old", "new", "key", "line"), NON_FINITE, ids=[c[3] for c in NON_FINITE]
)
def test_infinity_and_nan_are_refused_for_every_number(
    tmp_path: Path, spec: str, old: str, new: str, key: str, line: int, value: str
) -> None:
    assert old in spec
    path = tmp_path / "proxymetric.yaml"
    path.write_text(spec.replace(old, new.replace("{v}", value), 1))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    shown = {".inf": "inf", "-.inf": "-inf", ".nan": "nan"}[value]
    assert str(info.value) == f"{path}:{line}: `{key}` must be a finite number; got {shown}"


def test_the_specs_above_load_with_finite_numbers(tmp_path: Path) -> None:
    # The cases above differ from a loading spec only in the value under test.
    for spec, old, new, _, _ in NON_FINITE:
        path = tmp_path / "proxymetric.yaml"
        path.write_text(spec.replace(old, new.replace("{v}", "0.5"), 1))
        load_spec(path)


@pytest.mark.parametrize("margin", ["1", "1.0", "1.5", "100"])
def test_a_relative_margin_of_100_percent_or_more_is_refused(tmp_path: Path, margin: str) -> None:
    path = tmp_path / "proxymetric.yaml"
    path.write_text(GOOD.replace("margin: 0.02", f"margin: {margin}"))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert str(info.value) == (
        f"{path}:12: `experiments.gate-40.guardrails.0`: a relative `margin` is a share of the "
        f"control mean and must be >= 0 and < 1 (0.05 for 5%); got {float(margin)!r}; for a "
        "margin in the metric's own units set `margin_type: absolute`"
    )


@pytest.mark.parametrize(
    ("margin", "kind"), [("0.999", "relative"), ("1.5", "absolute"), ("100", "absolute")]
)
def test_margins_below_one_or_absolute_load(tmp_path: Path, margin: str, kind: str) -> None:
    path = tmp_path / "proxymetric.yaml"
    path.write_text(GOOD.replace("margin: 0.02", f"margin: {margin}, margin_type: {kind}"))
    assert load_spec(path).experiments["gate-40"].guardrails[0].margin == float(margin)


def test_covariate_none_loads_on_an_event_ratio_metric(tmp_path: Path) -> None:
    path = tmp_path / "proxymetric.yaml"
    path.write_text(EVENTS.replace("    type: ratio\n", "    type: ratio\n    covariate: none\n"))
    metric = load_spec(path).metrics["rate"]
    assert metric.covariate == "none"
    assert not metric.uses_pre_period
    path.write_text(
        EVENTS.replace("    type: ratio\n", "    type: ratio\n    covariate: pre_period\n")
    )
    assert load_spec(path).metrics["rate"].uses_pre_period


def test_a_covariate_column_on_an_event_ratio_metric_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "proxymetric.yaml"
    path.write_text(
        EVENTS.replace("    type: ratio\n", "    type: ratio\n    covariate: rate_pre\n")
    )
    with pytest.raises(SpecError, match=r"`metrics.rate`: .*on an event log, `covariate` may only"):
        load_spec(path)


@pytest.mark.parametrize("covariate", ["none", "pre_period"])
def test_covariate_on_a_unit_table_ratio_metric_is_refused(covariate: str) -> None:
    spec = {
        "sources": {"units": {"table": "units", "unit": "u", "variant": "arm"}},
        "metrics": {
            "ctr": {
                "type": "ratio",
                "source": "units",
                "numerator": "clicks",
                "denominator": "views",
                "covariate": covariate,
            }
        },
        "experiments": {"e": {"control": "a", "primary": "ctr"}},
    }
    with pytest.raises(SpecError, match="takes its CUPED covariate as `numerator_covariate`"):
        load_spec(spec)


@pytest.mark.parametrize("bad", [None, 42, 3.5, b"proxymetric.yaml", ["proxymetric.yaml"]])
def test_a_spec_that_is_no_path_mapping_or_spec_is_a_user_error(bad: object) -> None:
    from proxymetric.analysis.sequential import analyze_sequential
    from proxymetric.check import check_spec
    from proxymetric.design import plan
    from proxymetric.value import load_value_model, read_value_spec

    spec_entries: list[Callable[[Any], object]] = [
        proxymetric.analyze,
        plan,
        check_spec,
        analyze_sequential,
        load_spec,
    ]
    for entry in spec_entries:
        with pytest.raises(ProxymetricError) as info:
            entry(bad)
        assert str(info.value) == (
            "`spec` must be a path to a spec file, a mapping of its content or a Spec; got "
            f"{bad!r} ({type(bad).__name__})"
        )
    path_entries: list[Callable[[Any], object]] = [load_value_model, read_value_spec]
    for entry in path_entries:
        with pytest.raises(ProxymetricError) as info:
            entry(bad)
        assert str(info.value) == (
            "`path` must be the path of a spec file (a str or a Path); got "
            f"{bad!r} ({type(bad).__name__})"
        )
