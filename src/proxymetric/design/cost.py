"""The cost of testing, and what a test is worth.

The prior guess of the effect is normal: ``effect ~ N(mu, sd^2)`` in units of the metric per unit
(``sd = 0`` for a point guess such as the planned MDE). With ``value_per_unit`` the money that one
unit of the metric is worth, per unit in the test:

- **expected loss in the test**: the units served the worse variant lose the difference. Control
  units lose when the treatment is better, treatment units when it is worse::

      loss = value * (n_control * E[max(effect, 0)] + n_treatment * E[max(-effect, 0)])

  with ``E[max(X, 0)] = mu Phi(mu / sd) + sd phi(mu / sd)`` for ``X ~ N(mu, sd^2)``.
- **cost of delay**: while the test runs, the traffic outside it does not get the better
  variant: ``value * E[max(effect, 0)] * daily_units_outside_test * days``.
- **value of the test**: the expected value of sample information (Raiffa and Schlaifer,
  "Applied statistical decision theory", 1961) of a test with standard error ``se`` for a
  ship/no-ship decision applied to ``horizon_units`` units after the test. The posterior mean
  after the test is ``N(mu, s^2)`` a priori with ``s^2 = sd^4 / (sd^2 + se^2)``; shipping when it
  is positive is worth::

      value * horizon_units * (mu Phi(mu / s) + s phi(mu / s) - max(mu, 0))

  It is zero for a point guess (nothing to learn) and at most the value of perfect information.

A test costs more than it is worth when ``expected_loss + cost_of_delay > value_of_test``.
"""

from __future__ import annotations

import dataclasses
import math

from scipy import special

from proxymetric._result import Result
from proxymetric._validation import check_number

__all__ = ["CostResult", "cost_of_testing", "expected_positive_part"]


def expected_positive_part(mean: float, sd: float) -> float:
    """Return ``E[max(X, 0)]`` for ``X ~ N(mean, sd^2)`` (``max(mean, 0)`` when ``sd == 0``).

    >>> round(expected_positive_part(0.0, 1.0), 6)  # 1 / sqrt(2 pi)
    0.398942
    """
    if sd == 0:
        return max(mean, 0.0)
    z = mean / sd
    return float(mean * special.ndtr(z) + sd * math.exp(-(z**2) / 2.0) / math.sqrt(2.0 * math.pi))


@dataclasses.dataclass(frozen=True)
class CostResult(Result):
    """The cost of running a test and, when a horizon is given, what it is worth (money).

    ``prob_treatment_better`` is the prior probability that the effect is positive;
    ``value_of_test`` is ``nan`` (``null``) without ``horizon_units`` and ``standard_error``;
    ``worth_testing`` is whether the value exceeds the total cost (false when unknown).
    """

    expected_effect: float
    effect_sd: float
    value_per_unit: float
    prob_treatment_better: float
    control_units: float
    treatment_units: float
    days: float
    expected_loss: float
    cost_of_delay: float
    total_cost: float
    value_of_test: float
    value_of_perfect_information: float
    net_value: float
    worth_testing: bool
    message: str


def cost_of_testing(
    *,
    effect: float,
    value_per_unit: float,
    control_units: float,
    treatment_units: float,
    effect_sd: float = 0.0,
    days: float = 0.0,
    daily_units_outside_test: float = 0.0,
    horizon_units: float = 0.0,
    standard_error: float | None = None,
) -> CostResult:
    """Return the expected cost of running a test and the value of its information.

    ``effect`` (mean) and ``effect_sd`` describe the prior guess of the true effect in metric
    units per unit; ``control_units``/``treatment_units`` are the units exposed during the test
    (all treatment arms together); ``standard_error`` is the standard error of the effect at the
    end of the test (``PowerResult.effect_se`` of the plan). See the module
    docstring for the formulas.

    >>> r = cost_of_testing(effect=0.01, value_per_unit=50.0, control_units=10_000,
    ...                  treatment_units=10_000)
    >>> r.expected_loss  # control units miss 0.01 * $50 each
    5000.0
    """
    check_number("effect", effect)
    check_number("effect_sd", effect_sd, low=0, low_inclusive=True)
    check_number("value_per_unit", value_per_unit, low=0, low_inclusive=True)
    check_number("control_units", control_units, low=0, low_inclusive=True)
    check_number("treatment_units", treatment_units, low=0, low_inclusive=True)
    check_number("days", days, low=0, low_inclusive=True)
    check_number("daily_units_outside_test", daily_units_outside_test, low=0, low_inclusive=True)
    check_number("horizon_units", horizon_units, low=0, low_inclusive=True)
    if standard_error is not None:
        check_number("standard_error", standard_error, low=0)

    gain = expected_positive_part(effect, effect_sd)  # E[max(effect, 0)]
    harm = gain - effect  # E[max(-effect, 0)]
    loss = value_per_unit * (control_units * gain + treatment_units * harm)
    delay = value_per_unit * gain * daily_units_outside_test * days
    total = loss + delay
    if effect_sd == 0:
        prob = 1.0 if effect > 0 else 0.0
    else:
        prob = float(special.ndtr(effect / effect_sd))
    evpi = value_per_unit * horizon_units * (gain - max(effect, 0.0))
    if standard_error is not None and horizon_units > 0:
        s = effect_sd**2 / math.sqrt(effect_sd**2 + standard_error**2) if effect_sd > 0 else 0.0
        value = (
            value_per_unit * horizon_units * (expected_positive_part(effect, s) - max(effect, 0.0))
        )
        worth = value > total
        verdict = "worth testing" if worth else "costs more than it is worth"
        message = (
            f"{verdict}: the test costs {total:,.2f} (loss in the test {loss:,.2f}, cost of "
            f"delay {delay:,.2f}) and its information is worth {value:,.2f}"
        )
    else:
        value = math.nan
        worth = False
        message = (
            f"the test costs {total:,.2f} (loss in the test {loss:,.2f}, cost of delay "
            f"{delay:,.2f}); give `horizon_units` and `standard_error` to weigh it against its "
            "value"
        )
    return CostResult(
        expected_effect=float(effect),
        effect_sd=float(effect_sd),
        value_per_unit=float(value_per_unit),
        prob_treatment_better=prob,
        control_units=float(control_units),
        treatment_units=float(treatment_units),
        days=float(days),
        expected_loss=float(loss),
        cost_of_delay=float(delay),
        total_cost=float(total),
        value_of_test=float(value),
        value_of_perfect_information=float(evpi),
        net_value=float(value - total),
        worth_testing=bool(worth),
        message=message,
    )
