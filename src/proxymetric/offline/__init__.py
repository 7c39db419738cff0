"""Offline evaluation of models: rating and ranking metrics, paired comparisons, baselines."""

from proxymetric.offline.baselines import (
    BiasModel,
    ItemMean,
    MatrixFactorization,
    MostPopular,
    Recommender,
    predictions_table,
    temporal_split,
)
from proxymetric.offline.evaluation import Comparison, MetricValue, OfflineResult, evaluate

__all__ = [
    "BiasModel",
    "Comparison",
    "ItemMean",
    "MatrixFactorization",
    "MetricValue",
    "MostPopular",
    "OfflineResult",
    "Recommender",
    "evaluate",
    "predictions_table",
    "temporal_split",
]
