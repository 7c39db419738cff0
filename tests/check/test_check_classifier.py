"""`check` sizes the labelled sample of a classifier's offline evaluation (statsmodels' sample
size of a proportion's confidence interval is the reference)."""

from __future__ import annotations

import math
from typing import Any

import pytest
from statsmodels.stats.proportion import samplesize_confint_proportion

from proxymetric.check import check_spec
from proxymetric.errors import SpecError
from tests.check.test_scorecard import base


def _spec(sample_size: int | None, **rate: Any) -> dict[str, Any]:
    spec = base()
    classifier = {"rate": "recall", "expected": 0.9, "half_width": 0.05, "prevalence": 0.01}
    classifier.update(rate)
    evaluation: dict[str, Any] = {
        "kind": "offline",
        "role": "model_objective",
        "classifier": classifier,
    }
    if sample_size is not None:
        evaluation["sample_size"] = sample_size
    spec["evaluations"] = {"recall_at_05": evaluation}
    return spec


def _labels(expected: float, half_width: float, share: float) -> int:
    subset = math.ceil(float(samplesize_confint_proportion(expected, half_width)))
    return math.ceil(subset / share)


def test_enough_labels_pass_both_checks() -> None:
    needed = _labels(0.9, 0.05, 0.01)
    row = check_spec(_spec(needed)).row("recall_at_05")
    cheap, sens = row.cell("cheap_and_fast"), row.cell("sensitive")
    assert cheap.status == "pass"
    assert cheap.value == needed
    assert cheap.value_name == "labels"
    assert sens.status == "pass"
    assert sens.value <= 0.05


def test_a_small_holdout_cannot_measure_the_recall() -> None:
    needed = _labels(0.9, 0.05, 0.01)
    row = check_spec(_spec(needed - 100)).row("recall_at_05")
    assert row.cell("cheap_and_fast").status == "warn"
    sens = row.cell("sensitive")
    assert sens.status == "fail"
    assert sens.value > 0.05
    assert f"label {needed:,} examples" in sens.advice
    hundred = check_spec(_spec(100)).row("recall_at_05").cell("sensitive")
    # 100 labels at 1% prevalence hold one positive: +-1.96 sqrt(0.09) = +-0.588
    assert hundred.value == pytest.approx(1.959964 * math.sqrt(0.09), rel=1e-5)


def test_precision_uses_the_flagged_share() -> None:
    spec = _spec(None, rate="precision", expected=0.8, recall=0.6, prevalence=0.05)
    cheap = check_spec(spec).row("recall_at_05").cell("cheap_and_fast")
    assert cheap.value == _labels(0.8, 0.05, 0.05 * 0.6 / 0.8)
    assert check_spec(spec).row("recall_at_05").cell("sensitive").status == "warn"


def test_precision_without_recall_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="sizing a precision needs the expected `recall`"):
        check_spec(_spec(1000, rate="precision", expected=0.8))
