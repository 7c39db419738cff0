"""The whole chain of one spec, from the request to the registry: :func:`build_dossier`."""

from proxymetric.chain.dossier import (
    Dossier,
    ExperimentAnalysis,
    ExperimentPlan,
    RegistryFindings,
    TreeNode,
    build_dossier,
)

__all__ = [
    "Dossier",
    "ExperimentAnalysis",
    "ExperimentPlan",
    "RegistryFindings",
    "TreeNode",
    "build_dossier",
]
