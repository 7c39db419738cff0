"""Offline evaluation of models: rating and ranking metrics, paired comparisons, baselines."""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.offline.baselines import (
        BiasModel,
        ItemMean,
        MatrixFactorization,
        MostPopular,
        Recommender,
        predictions_table,
        temporal_split,
    )
    from proxymetric.offline.evaluation import (
        MetricValue,
        OfflineResult,
        PairedComparison,
        evaluate,
    )

__all__ = [
    "BiasModel",
    "ItemMean",
    "MatrixFactorization",
    "MetricValue",
    "MostPopular",
    "OfflineResult",
    "PairedComparison",
    "Recommender",
    "evaluate",
    "predictions_table",
    "temporal_split",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "baselines": (
                "BiasModel",
                "ItemMean",
                "MatrixFactorization",
                "MostPopular",
                "Recommender",
                "predictions_table",
                "temporal_split",
            ),
            "evaluation": ("PairedComparison", "MetricValue", "OfflineResult", "evaluate"),
        },
    )
