"""The registry of past experiments: recorded analyses, registered plans, imported history.

A SQLite file by default, any SQLAlchemy URL for a team; append-only, one transaction per
record, schema versioned. See :class:`Registry`.
"""

from typing import TYPE_CHECKING

from proxymetric._lazy import lazy_exports

if TYPE_CHECKING:
    from proxymetric.registry.imports import ImportSummary, import_asos, import_csv
    from proxymetric.registry.launches import (
        blind_test_launch,
        import_launches,
        interleaving_launch,
        offline_launch,
    )
    from proxymetric.registry.plan import plan_deviations
    from proxymetric.registry.store import (
        LEVELS,
        EffectRecord,
        LaunchResult,
        Record,
        Registry,
        registry_url,
        spec_hash,
    )

__all__ = [
    "LEVELS",
    "EffectRecord",
    "ImportSummary",
    "LaunchResult",
    "Record",
    "Registry",
    "blind_test_launch",
    "import_asos",
    "import_csv",
    "import_launches",
    "interleaving_launch",
    "offline_launch",
    "plan_deviations",
    "registry_url",
    "spec_hash",
]

# Each name is imported from its submodule when first used (PEP 562).
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "imports": ("ImportSummary", "import_asos", "import_csv"),
            "launches": (
                "blind_test_launch",
                "import_launches",
                "interleaving_launch",
                "offline_launch",
            ),
            "plan": ("plan_deviations",),
            "store": (
                "LEVELS",
                "EffectRecord",
                "LaunchResult",
                "Record",
                "Registry",
                "registry_url",
                "spec_hash",
            ),
        },
    )
