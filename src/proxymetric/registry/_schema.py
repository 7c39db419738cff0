"""The registry's tables (SQLAlchemy Core) and schema version.

Version 1:

- ``proxymetric_meta``: key/value pairs, holding ``schema_version``;
- ``records``: one row per recorded analysis, registered plan or imported experiment (never
  updated or deleted);
- ``effects``: one row per metric and treatment variant of a record;
- ``noise_covariances``: the measured sampling covariance matrix of the metrics' effect
  estimates (from unit-level data), one row per record and treatment variant: the metric names
  as JSON and the matrix as little-endian float64 bytes.

Version 2 adds:

- ``launch_results``: one row per result of a launch (a change on its way to production) at
  one level of the chain (``offline``, ``blind``, ``interleaving``, ``ab``, ``north_star``,
  ``long_term``): the metric, the effect (candidate minus baseline) with its standard error, the
  metric's good direction, and the analysis record it came from, if any.

A registry of an older version gains the new tables, and its version, at its first write, in
the transaction of that write; its records are kept as they are.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = [
    "SCHEMA_VERSION",
    "effects",
    "launch_results",
    "meta",
    "metadata",
    "noise_covariances",
    "records",
]

SCHEMA_VERSION = 2

metadata = MetaData()

meta = Table(
    "proxymetric_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # analysis | plan | import
    Column("experiment", String(255), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("tool_version", String(32), nullable=False),
    Column("source", Text, nullable=True),
    Column("spec_hash", String(64), nullable=True),
    Column("spec", Text, nullable=True),
    Column("fingerprint", String(64), nullable=True),
    Column("decision", String(32), nullable=True),
    Column("decision_variant", String(255), nullable=True),
    Column("shipped", Boolean, nullable=True),
    Column("noise_covariance", String(16), nullable=False),  # measured | unknown
    Column("payload", Text, nullable=False),
)
Index("ix_records_experiment", records.c.experiment)

effects = Table(
    "effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("variant", String(255), nullable=False),
    Column("metric", String(255), nullable=False),
    Column("role", String(16), nullable=True),
    Column("effect", Float, nullable=True),
    Column("effect_se", Float, nullable=True),
    Column("rel_effect", Float, nullable=True),
    Column("pvalue", Float, nullable=True),
    Column("control_units", Integer, nullable=True),
    Column("treatment_units", Integer, nullable=True),
    Column("control_mean", Float, nullable=True),
    Column("treatment_mean", Float, nullable=True),
    Column("effect_fold1", Float, nullable=True),
    Column("effect_fold2", Float, nullable=True),
)
Index("ix_effects_record", effects.c.record_id)

noise_covariances = Table(
    "noise_covariances",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("variant", String(255), nullable=False),
    Column("metrics", Text, nullable=False),  # JSON list of metric names
    # The matrix over those metrics, row-major little-endian float64 (NaN where unknown).
    Column("covariance", LargeBinary, nullable=False),
)
Index("ix_noise_record", noise_covariances.c.record_id)

launch_results = Table(
    "launch_results",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("launch", String(255), nullable=False),
    Column("level", String(16), nullable=False),
    Column("metric", String(255), nullable=False),
    Column("effect", Float, nullable=True),
    Column("effect_se", Float, nullable=True),
    Column("direction", String(16), nullable=False),  # increase | decrease
    Column("units", Integer, nullable=True),
    Column("comparison", String(255), nullable=True),  # "candidate vs baseline", a variant
    Column("command", String(32), nullable=False),  # offline | pairwise | interleave | ...
    Column("record_id", Integer, ForeignKey("records.id"), nullable=True),
    Column("created_at", String(32), nullable=False),
    Column("tool_version", String(32), nullable=False),
    Column("payload", Text, nullable=False),
)
Index("ix_launch_results_launch", launch_results.c.launch)
