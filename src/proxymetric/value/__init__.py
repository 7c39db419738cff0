"""The value model: from a metric to money, with uncertainty, headroom and alternatives.

Declare uncertain inputs, outcomes as formulas and the alternatives that reach the goal; the
Monte Carlo analysis returns, per alternative, the distribution of every outcome, the inputs
that drive it (tornado), the break-even value of an input, the headroom of an ideal model, a
Pareto trade-off of candidate configurations, and a recommendation in words.
"""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
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
    from proxymetric.value._formula import Formula, parse_formula
    from proxymetric.value._model import (
        Alternative,
        BreakEvenQuery,
        Input,
        Tradeoff,
        ValueModel,
        format_money,
        pareto_frontier,
    )
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
    from proxymetric.value._spec import (
        MeasuredEffect,
        classifier_rate,
        distribution_from_spec,
        effects_from_analysis,
        load_value_model,
        model_from_spec,
        read_value_spec,
    )

__all__ = [
    "Alternative",
    "Beta",
    "BreakEven",
    "BreakEvenQuery",
    "Candidate",
    "Constant",
    "Distribution",
    "EffectSource",
    "Formula",
    "Headroom",
    "Input",
    "LinkedExperiment",
    "LogNormal",
    "MeasuredEffect",
    "Normal",
    "OutcomeSummary",
    "Pert",
    "Recommendation",
    "TornadoBar",
    "Tradeoff",
    "TradeoffResult",
    "Triangular",
    "Uniform",
    "ValueModel",
    "ValueResult",
    "classifier_rate",
    "distribution_from_spec",
    "effects_from_analysis",
    "format_money",
    "load_value_model",
    "measured_effect",
    "model_from_spec",
    "pareto_frontier",
    "parse_formula",
    "read_value_spec",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "_distributions": (
                "Beta",
                "Constant",
                "Distribution",
                "LogNormal",
                "Normal",
                "Pert",
                "Triangular",
                "Uniform",
                "measured_effect",
            ),
            "_formula": ("Formula", "parse_formula"),
            "_model": (
                "Alternative",
                "BreakEvenQuery",
                "Input",
                "Tradeoff",
                "ValueModel",
                "format_money",
                "pareto_frontier",
            ),
            "_results": (
                "BreakEven",
                "Candidate",
                "EffectSource",
                "Headroom",
                "LinkedExperiment",
                "OutcomeSummary",
                "Recommendation",
                "TornadoBar",
                "TradeoffResult",
                "ValueResult",
            ),
            "_spec": (
                "MeasuredEffect",
                "classifier_rate",
                "distribution_from_spec",
                "effects_from_analysis",
                "load_value_model",
                "model_from_spec",
                "read_value_spec",
            ),
        },
    )
