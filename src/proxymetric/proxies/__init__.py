"""Learning from past experiments: proxy quality, composite proxies, surrogate index, impact,
the holdout roll-up.

The statistics are pure numpy/scipy on the effects a registry holds; see
:func:`validate_proxies` (proxy validation, Bibaut et al. and Tripuraneni et al., KDD 2024) and
:func:`validate_chain` (the whole chain across launches: offline, blind, A/B, long term).
"""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.proxies.chain import (
        ChainLink,
        ChainReport,
        ChainStep,
        LaunchTable,
        launch_table,
        launch_table_from_registry,
        simulate_launches,
        validate_chain,
    )
    from proxymetric.proxies.composite import composite_correlation, composite_weights
    from proxymetric.proxies.covariance import (
        correlation,
        crossfold_covariance,
        naive_covariance,
        nearest_psd,
        total_covariance,
        wrong_sign_probability,
    )
    from proxymetric.proxies.holdout import (
        HoldoutLaunch,
        HoldoutRollup,
        fieller_interval,
        holdout_rollup,
        holdout_rollup_from_registry,
    )
    from proxymetric.proxies.impact import (
        ProgramImpact,
        ShippedEffect,
        program_impact,
        shrink_effects,
    )
    from proxymetric.proxies.surrogate import SurrogateResult, surrogate_index
    from proxymetric.proxies.table import EffectTable, effect_table, table_from_registry
    from proxymetric.proxies.validation import ProxyReport, ProxyRow, validate_proxies

__all__ = [
    "ChainLink",
    "ChainReport",
    "ChainStep",
    "EffectTable",
    "HoldoutLaunch",
    "HoldoutRollup",
    "LaunchTable",
    "ProgramImpact",
    "ProxyReport",
    "ProxyRow",
    "ShippedEffect",
    "SurrogateResult",
    "composite_correlation",
    "composite_weights",
    "correlation",
    "crossfold_covariance",
    "effect_table",
    "fieller_interval",
    "holdout_rollup",
    "holdout_rollup_from_registry",
    "launch_table",
    "launch_table_from_registry",
    "naive_covariance",
    "nearest_psd",
    "program_impact",
    "shrink_effects",
    "simulate_launches",
    "surrogate_index",
    "table_from_registry",
    "total_covariance",
    "validate_chain",
    "validate_proxies",
    "wrong_sign_probability",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "chain": (
                "ChainLink",
                "ChainReport",
                "ChainStep",
                "LaunchTable",
                "launch_table",
                "launch_table_from_registry",
                "simulate_launches",
                "validate_chain",
            ),
            "composite": ("composite_correlation", "composite_weights"),
            "covariance": (
                "correlation",
                "crossfold_covariance",
                "naive_covariance",
                "nearest_psd",
                "total_covariance",
                "wrong_sign_probability",
            ),
            "holdout": (
                "HoldoutLaunch",
                "HoldoutRollup",
                "fieller_interval",
                "holdout_rollup",
                "holdout_rollup_from_registry",
            ),
            "impact": ("ProgramImpact", "ShippedEffect", "program_impact", "shrink_effects"),
            "surrogate": ("SurrogateResult", "surrogate_index"),
            "table": ("EffectTable", "effect_table", "table_from_registry"),
            "validation": ("ProxyReport", "ProxyRow", "validate_proxies"),
        },
    )
