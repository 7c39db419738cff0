"""One experiment, one meaning: analyze, the sequential looks, plan and check agree.

Each test is a way the verbs used to disagree about the same experiment. References: the
numbers of one verb against another verb's on the same inputs (each verb is checked against
scipy/statsmodels on its own elsewhere), and statsmodels' power for the shared level.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from rich.console import Console
from statsmodels.stats.power import NormalIndPower

from proxymetric import analyze
from proxymetric.analysis.sequential import analyze_sequential
from proxymetric.check import check_spec
from proxymetric.design import plan
from proxymetric.errors import SpecError
from proxymetric.experiment import resolve
from proxymetric.report.plan import print_plan

ROOT = Path(__file__).resolve().parents[2]
CHECKOUT = ROOT / "examples" / "checkout-events" / "proxymetric.yaml"


def _units(n: int, split: float, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arms = np.where(rng.random(n) < split, "a", "b")
    pre = rng.gamma(2.0, 5.0, n)
    return pd.DataFrame(
        {
            "id": np.arange(n),
            "arm": arms,
            "y": 0.6 * pre + rng.normal(10, 4, n),
            "pre": pre,
            "z": rng.normal(5, 1, n),
        }
    )


def _spec(**exp: Any) -> dict[str, Any]:
    return {
        "duration": {"days": 14, "max_days": 56},
        "sources": {"u": {"table": "u", "unit": "id", "variant": "arm"}},
        "metrics": {
            "y": {"type": "mean", "source": "u", "column": "y", "expected_effect": 0.05},
            "z": {"type": "mean", "source": "u", "column": "z"},
        },
        "experiments": {
            "e": {
                "control": "a",
                "primary": "y",
                "secondary": ["z"],
                "units_per_day": 400,
                **exp,
            }
        },
    }


@pytest.mark.parametrize("split", [0.5, 0.3])
def test_check_and_plan_give_the_same_mde(split: float) -> None:
    # The same metric, the same traffic, the same split: check (declared baseline) and plan
    # (the data's control arm, declared to check as its baseline) report the same MDE at the
    # planned 14 days, at the level the analysis uses (two success metrics: 0.05 / 2).
    data = _units(20_000, split)
    spec = _spec(split={"a": split, "b": 1 - split})
    planned = plan(spec, data={"u": data}, days=[14])
    y = planned.metrics[0]
    spec["metrics"]["y"]["baseline_mean"] = y.baseline
    spec["metrics"]["y"]["baseline_sd"] = y.sd
    sensitive = check_spec(spec).row("y").cell("sensitive")
    assert sensitive.value == pytest.approx(y.durations[0].rel_mde, rel=1e-9)
    assert planned.success_alpha == resolve(spec).primary.alpha == 0.025
    # Reference for the level and the split: statsmodels' MDE with nobs2 = ratio * nobs1.
    total = 14 * 400
    ratio = (1 - split) / split
    d = NormalIndPower().solve_power(nobs1=total / (1 + ratio), alpha=0.025, power=0.8, ratio=ratio)
    assert y.durations[0].rel_mde == pytest.approx(d * y.sd / y.baseline, rel=2e-3)


def test_plan_and_analyze_refuse_conflicting_fill_values_alike() -> None:
    spec = _spec()
    spec["metrics"]["y"]["fill_missing"] = 0
    spec["metrics"]["y2"] = {"type": "mean", "source": "u", "column": "y", "fill_missing": 1}
    spec["experiments"]["e"]["secondary"] = ["y2"]
    data = {"u": _units(500, 0.5)}
    messages = []
    for verb in (analyze, plan):
        with pytest.raises(SpecError, match="different `fill_missing` values") as info:
            verb(spec, data=data)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_plan_plans_for_the_declared_effect_and_duration_unless_overridden() -> None:
    spec = _spec()
    spec["duration"] = {"days": 21, "max_days": 42}
    data = {"u": _units(5000, 0.5)}
    result = plan(spec, data=data)
    y, z = result.metrics
    assert (result.planned_days, result.max_days) == (21, 42)
    assert y.target_rel_mde == pytest.approx(0.05)
    assert y.target_source == "expected_effect"
    assert z.target_rel_mde == pytest.approx(0.02)
    assert z.target_source == "default"
    override = plan(spec, data=data, target_rel_mde=0.1, planned_days=7, max_days=28)
    assert (override.planned_days, override.max_days) == (7, 28)
    assert override.metrics[0].target_source == "option"
    assert override.metrics[0].target_rel_mde == pytest.approx(0.1)


def test_plan_proposes_whole_weeks_and_at_least_one() -> None:
    spec = _spec(units_per_day=100_000)  # a huge audience: a day would do
    spec["metrics"]["y"]["expected_effect"] = 0.5
    y = plan(spec, data={"u": _units(5000, 0.5)}).metrics[0]
    assert y.days_needed_with_cuped <= 1
    assert y.proposed_days == 7
    spec["duration"] = {"days": 14, "max_days": 56, "min_days": 14}
    assert plan(spec, data={"u": _units(5000, 0.5)}).metrics[0].proposed_days == 14


def test_check_never_proposes_less_than_a_week() -> None:
    spec = _spec(units_per_day=1_000_000)
    spec["metrics"]["y"].update(baseline_mean=10.0, baseline_sd=4.0)
    cell = check_spec(spec).row("y").cell("cheap_and_fast")
    assert cell.value == 7
    assert cell.reason.startswith("needs 7 days")


def test_the_plan_screen_quotes_one_mde_at_the_planned_days() -> None:
    # The verdict line and the table show the same MDE at 14 days (with CUPED).
    spec = _spec()
    spec["metrics"]["y"]["covariate"] = "pre"
    spec["metrics"]["y"]["expected_effect"] = 0.5
    result = plan(spec, data={"u": _units(20_000, 0.5)}, days=[7, 14, 21])
    y = result.metrics[0]
    at14 = next(d for d in y.durations if d.days == 14)
    assert y.variance_reduction > 0.3
    console = Console(width=400, record=True)
    print_plan(result, console)
    text = console.export_text()
    mde = f"{at14.mde_with_cuped:.4g}"
    plain = f"{at14.mde:.4g}"
    verdict = next(line for line in text.splitlines() if line.startswith("y (primary"))
    assert mde in verdict
    assert plain not in verdict
    assert "with CUPED" in verdict


def _event_spec(pre_events: bool) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    rng = np.random.default_rng(3)
    n = 400
    start = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    assignments = pd.DataFrame(
        {
            "user": np.arange(n),
            "variant": np.where(np.arange(n) % 2 == 0, "a", "b"),
            "at": [start + dt.timedelta(hours=int(h)) for h in rng.integers(0, 24 * 5, n)],
        }
    )
    offsets = rng.uniform(0, 6, n) if not pre_events else rng.uniform(-6, 6, n)
    events = pd.DataFrame(
        {
            "user": np.arange(n),
            "ts": assignments["at"] + pd.to_timedelta(offsets, unit="D"),
            "amount": rng.gamma(2.0, 10.0, n),
        }
    )
    spec = {
        "sources": {
            "assignments": {
                "table": "assignments",
                "unit": "user",
                "variant": "variant",
                "timestamp": "at",
            },
            "events": {"table": "events", "unit": "user", "timestamp": "ts"},
        },
        "metrics": {
            "spend": {
                "type": "ratio",
                "source": "events",
                "numerator": {"aggregate": "sum", "column": "amount"},
                "denominator": {"aggregate": "count"},
            }
        },
        "experiments": {
            "e": {
                "assignment": "assignments",
                "control": "a",
                "primary": "spend",
                "window_days": 7,
                "pre_period_days": 7,
            }
        },
    }
    return spec, {"assignments": assignments, "events": events}


def test_sequential_looks_say_when_cuped_is_undefined() -> None:
    # No event before any assignment: the pre-period covariate of the ratio (amount per event)
    # has a zero denominator, so CUPED is undefined; the fixed-horizon analysis and every look
    # show the unadjusted estimate and say why, alike.
    spec, data = _event_spec(pre_events=False)
    fixed = analyze(spec, data=data).result("spend")
    assert fixed.reason is not None
    assert "CUPED is undefined" in fixed.reason
    assert math.isfinite(fixed.pvalue)
    assert fixed.control_mean == fixed.control_unadjusted_mean
    looks = analyze_sequential(spec, data=data).results[0]
    assert looks.unadjusted_looks == len(looks.looks)
    assert looks.cuped_reason is not None
    assert "without CUPED" in looks.cuped_reason
    spec, data = _event_spec(pre_events=True)
    assert analyze_sequential(spec, data=data).results[0].cuped_reason is None


def test_check_does_not_advise_cuped_that_is_already_there() -> None:
    spec = yaml.safe_load(CHECKOUT.read_text())
    for source in spec["sources"].values():
        source["path"] = str(CHECKOUT.parent / source["path"])
    exp = spec["experiments"]["new-checkout"]
    exp["units_per_day"] = 20
    spec["metrics"]["revenue"].update(baseline_mean=30.0, baseline_sd=40.0, expected_effect=0.01)
    # The event metric has its pre-period covariate by default: no CUPED advice.
    cells = check_spec(spec).row("revenue").cells
    advice = " ".join(c.advice or "" for c in cells)
    assert "CUPED" not in advice
    spec["metrics"]["revenue"]["covariate"] = "none"
    cells = check_spec(spec).row("revenue").cells
    assert "CUPED" in " ".join(c.advice or "" for c in cells)
    # A unit-table metric that declares its covariate: no advice either.
    units = _spec(units_per_day=20)
    units["metrics"]["y"].update(covariate="pre", baseline_mean=10.0, baseline_sd=4.0)
    advice = " ".join(c.advice or "" for c in check_spec(units).row("y").cells)
    assert "CUPED" not in advice
    del units["metrics"]["y"]["covariate"]
    assert "CUPED" in " ".join(c.advice or "" for c in check_spec(units).row("y").cells)


def test_every_verb_uses_the_split_the_spec_declares() -> None:
    exp = resolve(_spec(split={"a": 0.2, "b": 0.8}))
    assert exp.treatment_ratio == pytest.approx(4.0)
    assert exp.planned_arms == 2
    three = resolve(_spec(variants=["a", "b", "c"]))
    # Two success metrics x two treatments: Holm's first step.
    assert three.primary.alpha == pytest.approx(0.05 / 4)
    assert math.isclose(three.metrics[0].alpha, three.metrics[1].alpha)
