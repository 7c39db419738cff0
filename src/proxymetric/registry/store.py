"""The registry of past experiments: an append-only store over any SQLAlchemy database.

A registry is a SQLite file by default (no server) or any SQLAlchemy URL (PostgreSQL for a
team). Each record (a recorded analysis, a registered plan, an imported experiment) is written in
ONE transaction with its effect rows, so a writer killed half-way leaves nothing behind; records
are never updated or deleted. Several processes may write at once: SQLite serialises writers
(each waits for the lock up to ``timeout`` seconds) and a server database does the same.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray
from sqlalchemy.engine import Connection, Engine

from proxymetric import __version__
from proxymetric._redact import mask_url, redact, remember
from proxymetric._result import Result
from proxymetric._validation import check_name, check_number
from proxymetric.errors import ProxymetricError
from proxymetric.registry import _schema as schema

if TYPE_CHECKING:
    from proxymetric.analysis.result import ExperimentResult
    from proxymetric.spec.model import Spec

__all__ = [
    "LEVELS",
    "EffectRecord",
    "LaunchResult",
    "Record",
    "Registry",
    "covariance_matrix",
    "registry_url",
    "spec_hash",
]

Kind = Literal["analysis", "plan", "import"]
KINDS: tuple[Kind, ...] = ("analysis", "plan", "import")

#: The levels of the chain a launch goes through, from the cheapest and fastest to the goal:
#: an offline metric, a blind pairwise test, an interleaving test, the A/B effect on a feature
#: (proxy) metric, the A/B effect on the north star, the long-term outcome.
LEVELS: tuple[str, ...] = ("offline", "blind", "interleaving", "ab", "north_star", "long_term")
DIRECTIONS: tuple[str, ...] = ("increase", "decrease")


def registry_url(location: str | Path) -> str:
    """Return the SQLAlchemy URL of ``location``: a URL as is, a file path as a SQLite URL.

    >>> registry_url("postgresql://team@db/experiments")
    'postgresql://team@db/experiments'
    >>> registry_url("/data/proxymetric.db")
    'sqlite:////data/proxymetric.db'
    """
    text = str(location)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def spec_hash(spec: Spec) -> str:
    """Return the SHA-256 of the spec's canonical JSON (key order and formatting do not count)."""
    text = json.dumps(spec.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _spec_json(spec: Spec) -> str:
    """Return the spec as stored in a record: JSON, with connection passwords masked."""
    data = spec.model_dump(mode="json")
    for source in (data.get("sources") or {}).values():
        if isinstance(source, dict) and source.get("connection"):
            source["connection"] = mask_url(str(source["connection"]))
    return json.dumps(data)


def _opt_float(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


@dataclasses.dataclass(frozen=True)
class EffectRecord(Result):
    """The effect of one treatment ``variant`` on one ``metric`` as recorded.

    ``effect`` is treatment minus control, ``effect_se`` its standard error; ``effect_fold1``
    and ``effect_fold2`` are optional estimates from two random halves of the units.
    """

    variant: str
    metric: str
    role: str | None
    effect: float | None
    effect_se: float | None
    rel_effect: float | None = None
    pvalue: float | None = None
    control_units: int | None = None
    treatment_units: int | None = None
    control_mean: float | None = None
    treatment_mean: float | None = None
    effect_fold1: float | None = None
    effect_fold2: float | None = None


@dataclasses.dataclass(frozen=True)
class Record(Result):
    """One record of the registry.

    ``kind`` is ``analysis`` (``analyze --record``), ``plan`` (``register``) or ``import``
    (summary statistics of a past experiment). ``noise_covariance`` is ``measured`` when the
    covariances between metrics' effect estimates came from unit-level data
    (``analyze(..., effect_covariance=True)``, which ``analyze --record`` uses), ``partial``
    when only some pairs were, else ``unknown``.
    ``details`` holds the rest: the plan (primary, guardrails, MDE, planned units and duration),
    or the analysis' units, warnings and decision reasons.
    """

    id: int
    kind: str
    experiment: str
    created_at: str
    tool_version: str
    source: str | None
    spec_hash: str | None
    fingerprint: str | None
    decision: str | None
    decision_variant: str | None
    shipped: bool | None
    noise_covariance: str
    details: dict[str, Any]
    effects: list[EffectRecord]
    covariances: dict[str, dict[str, dict[str, float]]]


@dataclasses.dataclass(frozen=True)
class LaunchResult(Result):
    """One result of a launch at one ``level`` of the chain (see :data:`LEVELS`).

    ``effect`` is the candidate minus the baseline on ``metric`` with its standard error
    ``effect_se``; ``direction`` is the metric's good direction (``decrease`` for an error such
    as RMSE). ``comparison`` names what was compared (``"candidate vs baseline"``, or the
    variant of an A/B test), ``command`` what produced it (``offline``, ``pairwise``,
    ``interleave``, ``analyze``, ``import`` or ``python``), ``record_id`` the analysis record it
    belongs to (its measured noise covariances then apply), ``details`` the rest.
    """

    id: int
    launch: str
    level: str
    metric: str
    effect: float | None
    effect_se: float | None
    direction: str
    units: int | None
    comparison: str | None
    command: str
    record_id: int | None
    created_at: str
    details: dict[str, Any]


def _launch_row(
    launch: str,
    level: str,
    metric: str,
    effect: float | None,
    effect_se: float | None,
    *,
    direction: str = "increase",
    units: int | None = None,
    comparison: str | None = None,
    command: str = "python",
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return one checked ``launch_results`` row (without ``record_id``)."""
    if not isinstance(launch, str) or not launch.strip():
        raise ProxymetricError(f"`launch` must be a non-empty name; got {launch!r}")
    if level not in LEVELS:
        raise ProxymetricError(
            f"`level` must be one of {', '.join(repr(v) for v in LEVELS)}; got {level!r}"
        )
    if not isinstance(metric, str) or not metric.strip():
        raise ProxymetricError(f"`metric` must be a non-empty name; got {metric!r}")
    if direction not in DIRECTIONS:
        raise ProxymetricError(f"`direction` must be 'increase' or 'decrease'; got {direction!r}")
    if effect_se is not None and not (_opt_float(effect_se) or 0.0) >= 0:
        raise ProxymetricError(f"`effect_se` must be >= 0; got {effect_se!r}")
    return {
        "launch": launch,
        "level": level,
        "metric": metric,
        "effect": _opt_float(effect),
        "effect_se": _opt_float(effect_se),
        "direction": direction,
        "units": None if units is None else int(units),
        "comparison": comparison,
        "command": command,
        "created_at": _now(),
        "tool_version": _version(),
        "payload": json.dumps(dict(details or {})),
    }


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _version() -> str:
    return __version__


def _insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` into ``table`` on ``conn`` (inside the caller's transaction)."""
    if rows:
        conn.execute(sa.insert(table), list(rows))


def _insert_record(
    conn: Connection,
    record: Mapping[str, Any],
    effect_rows: Sequence[Mapping[str, Any]],
    covariance_rows: Sequence[Mapping[str, Any]] = (),
) -> int:
    """Insert one record and its rows on ``conn`` (inside the caller's transaction)."""
    result = conn.execute(sa.insert(schema.records), [dict(record)])
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every backend returns the new id
        raise RuntimeError("the database did not return the new record's id")
    record_id = int(key[0])
    _insert_rows(conn, schema.effects, [{**r, "record_id": record_id} for r in effect_rows])
    _insert_rows(
        conn, schema.noise_covariances, [{**r, "record_id": record_id} for r in covariance_rows]
    )
    return record_id


def _summary_rows(
    experiment: str,
    effects: Iterable[EffectRecord],
    source: str | None,
    fingerprint: str | None,
    decision: str | None,
    shipped: bool | None,
    details: Mapping[str, Any] | None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the record row and effect rows of an experiment known from summary statistics."""
    rows = [{f.name: getattr(e, f.name) for f in dataclasses.fields(EffectRecord)} for e in effects]
    for r in rows:
        for key in (
            "effect",
            "effect_se",
            "rel_effect",
            "pvalue",
            "control_mean",
            "treatment_mean",
            "effect_fold1",
            "effect_fold2",
        ):
            r[key] = _opt_float(r[key])
    record = {
        "kind": "import",
        "experiment": experiment,
        "created_at": _now(),
        "tool_version": _version(),
        "source": source,
        "spec_hash": None,
        "spec": None,
        "fingerprint": fingerprint,
        "decision": decision,
        "decision_variant": None,
        "shipped": shipped,
        "noise_covariance": "unknown",
        "payload": json.dumps(dict(details or {})),
    }
    return record, rows


def _analysis_launch_rows(
    result: ExperimentResult, spec: Spec | None, launch: str
) -> list[dict[str, Any]]:
    """Return the launch rows of an A/B analysis: north star at ``north_star``, others ``ab``."""
    variants = sorted({r.variant for r in result.results})
    if len(variants) != 1:
        raise ProxymetricError(
            f"`launch` records one comparison; experiment {result.experiment!r} has "
            f"{len(variants)} treatment variants ({', '.join(variants)}): analyse the launch's "
            "variant against the control alone"
        )
    north_star = spec.north_star if spec is not None else None
    return [
        _launch_row(
            launch,
            "north_star" if r.metric == north_star else "ab",
            r.metric,
            r.effect,
            r.effect_se,
            direction="decrease" if r.direction == "decrease" else "increase",
            units=int(r.control_units) + int(r.treatment_units),
            comparison=f"{r.variant} vs {result.control}",
            command="analyze",
            details={"experiment": result.experiment, "variant": r.variant, "role": r.role},
        )
        for r in result.results
    ]


def _fingerprint_query(experiment: str, fingerprint: str) -> sa.Select[Any]:
    return (
        sa.select(sa.func.count())
        .select_from(schema.records)
        .where(schema.records.c.experiment == experiment)
        .where(schema.records.c.fingerprint == fingerprint)
    )


def _has_fingerprint(conn: Connection, experiment: str, fingerprint: str) -> bool:
    return int(conn.execute(_fingerprint_query(experiment, fingerprint)).scalar_one()) > 0


def _first_line(exc: BaseException) -> str:
    """Return the first line of an exception's message (its type name if it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class Registry:
    """An append-only store of experiments: ``Registry("proxymetric.db")`` or any URL.

    ``create=False`` refuses a missing SQLite file (for commands that only read).
    ``timeout`` is how long a writer waits for another writer's lock, in seconds.

    Reading never writes: the registry's tables are created by the first write (a record, a
    plan, an import), in one transaction, and only in a new (empty) database or in one that is
    already a proxymetric registry. A database holding other tables and no
    ``proxymetric_meta`` (someone's own database) is refused, as is any file the database
    cannot read (corrupted, truncated, not SQLite) and any URL that cannot connect, with one
    :class:`~proxymetric.errors.ProxymetricError` line. ``url`` is the registry's URL with its
    password masked, safe to print.

    >>> import tempfile, pathlib
    >>> reg = Registry(pathlib.Path(tempfile.mkdtemp()) / "reg.db")
    >>> reg.schema_version
    2
    >>> reg.records()
    []
    """

    def __init__(
        self, location: str | Path = "proxymetric.db", *, create: bool = True, timeout: float = 60
    ) -> None:
        if not isinstance(location, str | os.PathLike) or not str(os.fspath(location)).strip():
            raise ProxymetricError(
                "`registry` must be a file path or a SQLAlchemy URL (such as 'proxymetric.db' "
                f"or 'postgresql://user@host/db'); got {location!r}"
            )
        text = str(os.fspath(location))
        self._url = registry_url(text)
        remember(self._url)
        self.url = mask_url(self._url)
        self._name = mask_url(text)  # the registry as the user named it, for messages
        try:
            url = sa.engine.make_url(self._url)
        except sa.exc.ArgumentError:
            raise ProxymetricError(
                f"`registry` {self._name!r} is not a file path or a SQLAlchemy URL"
            ) from None
        self._sqlite = url.get_backend_name() == "sqlite"
        self._path: Path | None = None
        if self._sqlite and url.database not in (None, "", ":memory:"):
            path = Path(str(url.database))
            if path.is_dir():
                raise ProxymetricError(
                    f"`registry` {self._name!r} is a folder; give a file, such as "
                    f"{str(path / 'proxymetric.db')!r}"
                )
            if not path.exists() and not create:
                raise ProxymetricError(
                    f"`registry` {self._name!r} does not exist; record an analysis with "
                    "`proxymetric analyze --record` or import experiments with "
                    "`proxymetric registry import`"
                )
            if not path.parent.is_dir():
                raise ProxymetricError(
                    f"`registry` {self._name!r}: folder {str(path.parent)!r} does not exist"
                )
            self._path = path
        connect_args: dict[str, Any] = {"timeout": timeout} if self._sqlite else {}
        try:
            self._engine: Engine = sa.create_engine(self._url, connect_args=connect_args)
        except (ImportError, sa.exc.ArgumentError) as exc:
            raise ProxymetricError(
                redact(f"`registry` {self._name!r} cannot be opened: {_first_line(exc)}", self._url)
            ) from None
        if self._sqlite:
            sa.event.listen(self._engine, "connect", _sqlite_pragmas)
        self._version = schema.SCHEMA_VERSION
        self._owned = False  # whether every table of the schema exists (it then stays so)
        # Open it now, reading only, so that a foreign, corrupted or unreachable database is
        # refused at once; a missing file is left alone until the first write.
        try:
            with self._reading():
                pass
        except ProxymetricError:
            self._engine.dispose()  # no connection is left open by a refused registry
            raise

    @property
    def schema_version(self) -> int:
        """The schema version of the registry (the current one, for a registry not yet written)."""
        return self._version

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    # -- opening ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Re-raise a database failure inside the block as one :class:`ProxymetricError` line."""
        try:
            yield
        except ProxymetricError:
            raise
        except (sa.exc.SQLAlchemyError, sqlite3.Error) as exc:
            orig = getattr(exc, "orig", None)
            reason = _first_line(orig if isinstance(orig, BaseException) else exc)
            raise ProxymetricError(
                redact(f"`registry` {self._name!r} cannot be {doing}: {reason}", self._url)
            ) from None

    def _state(self, conn: Connection) -> Literal["empty", "partial", "owned"]:
        """Return whether the database is empty, a registry in the making, or a registry.

        Raise for a foreign database (other tables and no ``proxymetric_meta``), an unreadable
        schema version or one newer than this proxymetric supports.
        """
        inspector = sa.inspect(conn)
        names = {*inspector.get_table_names(), *inspector.get_view_names()}
        if schema.meta.name not in names:
            others = sorted(n for n in names if not n.startswith("sqlite_"))
            if others:
                shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
                raise ProxymetricError(
                    f"`registry` {self._name!r} is not a proxymetric registry: it holds other "
                    f"tables ({shown}) and no `{schema.meta.name}`; give a new file or database, "
                    "or an existing proxymetric registry"
                )
            return "empty"
        found = conn.execute(
            sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        ).scalar_one_or_none()
        if found is not None:
            try:
                version = int(found)
            except ValueError:
                raise ProxymetricError(
                    f"`registry` {self._name!r} has an unreadable schema version {found!r}"
                ) from None
            if version > schema.SCHEMA_VERSION:
                raise ProxymetricError(
                    f"registry {self._name!r} has schema version {version}, newer than this "
                    f"proxymetric supports ({schema.SCHEMA_VERSION}); upgrade proxymetric"
                )
            self._version = version
        complete = (
            found is not None
            and self._version == schema.SCHEMA_VERSION
            and all(t in names for t in schema.metadata.tables)
        )
        return "owned" if complete else "partial"

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Connection | None]:
        """Yield a connection for reading, or None while the registry has no tables yet.

        A missing SQLite file is not opened (opening would create it).
        """
        if self._path is not None and not self._path.exists():
            yield None
            return
        with self._errors("read"), self._engine.connect() as conn:
            state = "owned" if self._owned else self._state(conn)
            self._owned = state == "owned"
            yield None if state == "empty" else conn

    def _begin(self, conn: Connection) -> None:
        """Start a write transaction; SQLite takes the write lock at once (``BEGIN IMMEDIATE``).

        Taking it at once makes a writer wait for another one (up to ``timeout``) instead of
        failing on a lock upgrade, and makes what it reads first (the schema, a fingerprint)
        still true when it writes.
        """
        if self._sqlite:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    def _ensure_schema(self) -> None:
        """Create the tables and the schema version, in one transaction, where they are missing.

        A registry of an older schema version is migrated the same way: the tables it lacks are
        created and its version raised, in one transaction, so that a failure half-way leaves it
        as it was. Existing tables and rows are not touched. SQLite serialises this under its
        write lock; a server database may see another process create the tables meanwhile, and
        the creation is then retried.
        """
        attempts = 1 if self._sqlite else 5
        for attempt in range(attempts):
            try:
                with self._engine.connect() as conn:
                    self._begin(conn)
                    if self._state(conn) != "owned":
                        schema.metadata.create_all(conn, checkfirst=True)
                        _set_schema_version(conn)
                    conn.commit()
                self._version = schema.SCHEMA_VERSION
                self._owned = True
                return
            except sa.exc.DBAPIError:
                if attempt == attempts - 1:
                    raise

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """Yield a connection inside one write transaction, committed when the block ends."""
        with self._errors("written"):
            if not self._owned:
                self._ensure_schema()
            with self._engine.connect() as conn:
                self._begin(conn)
                yield conn
                conn.commit()

    # -- writing ------------------------------------------------------------------------------

    def _write(
        self,
        record: Mapping[str, Any],
        effect_rows: Sequence[Mapping[str, Any]],
        covariance_rows: Sequence[Mapping[str, Any]] = (),
    ) -> int:
        """Write one record with its rows in a single transaction; return its id."""
        with self._transaction() as conn:
            return _insert_record(conn, record, effect_rows, covariance_rows)

    def record_analysis(
        self,
        result: ExperimentResult,
        spec: Spec | None = None,
        *,
        shipped: bool | None = None,
        launch: str | None = None,
    ) -> int:
        """Append the analysis ``result`` (and the ``spec`` it came from); return the record id.

        The record holds the experiment, the spec and its hash, the data fingerprint, the tool
        version, every metric's effect with its standard error and unit counts, the measured
        noise covariances between metrics and the decision. ``shipped`` defaults to whether the
        decision was ``ship``. With ``launch``, the effects are also results of that launch, in
        the same transaction: the spec's north star at level ``north_star``, every other metric
        at level ``ab`` (the experiment must have one treatment variant).
        """
        launch_rows = [] if launch is None else _analysis_launch_rows(result, spec, launch)
        decision = result.decision
        effect_rows = [
            {
                "variant": r.variant,
                "metric": r.metric,
                "role": r.role,
                "effect": _opt_float(r.effect),
                "effect_se": _opt_float(r.effect_se),
                "rel_effect": _opt_float(r.rel_effect),
                "pvalue": _opt_float(r.pvalue),
                "control_units": r.control_units,
                "treatment_units": r.treatment_units,
                "control_mean": _opt_float(r.control_mean),
                "treatment_mean": _opt_float(r.treatment_mean),
                "effect_fold1": _opt_float(r.effect_fold1),
                "effect_fold2": _opt_float(r.effect_fold2),
            }
            for r in result.results
        ]
        cov_rows = []
        off_diagonal = [
            c
            for mat in result.effect_covariance.values()
            for a, row in mat.items()
            for b, c in row.items()
            if a != b
        ]
        finite = [math.isfinite(c) for c in off_diagonal]
        status = "measured" if all(finite) else "partial" if any(finite) else "unknown"
        for variant, mat in result.effect_covariance.items():
            metrics = list(mat)
            cov_rows.append(
                {
                    "variant": variant,
                    "metrics": json.dumps(metrics),
                    "covariance": np.array(
                        [[mat[a].get(b, math.nan) for b in metrics] for a in metrics],
                        dtype="<f8",
                    ).tobytes(),
                }
            )
        details = {
            "control": result.control,
            "variants": list(result.variants),
            "units": dict(result.units),
            "alpha": result.alpha,
            "correction": result.correction,
            "srm_pvalue": _opt_float(result.srm.pvalue),
            "reasons": [reason.to_dict() for reason in decision.reasons],
            "warnings": list(result.warnings),
            "holdout": result.holdout,
        }
        record = {
            "kind": "analysis",
            "experiment": result.experiment,
            "created_at": _now(),
            "tool_version": _version(),
            "source": spec.file if spec is not None else None,
            "spec_hash": spec_hash(spec) if spec is not None else None,
            "spec": _spec_json(spec) if spec is not None else None,
            "fingerprint": result.fingerprint,
            "decision": decision.verdict,
            "decision_variant": decision.variant,
            "shipped": decision.verdict == "ship" if shipped is None else shipped,
            "noise_covariance": status if cov_rows else "unknown",
            "payload": json.dumps(details),
        }
        with self._transaction() as conn:
            rid = _insert_record(conn, record, effect_rows, cov_rows)
            _insert_rows(
                conn, schema.launch_results, [{**r, "record_id": rid} for r in launch_rows]
            )
        return rid

    def record_launch(
        self,
        launch: str,
        level: str,
        metric: str,
        effect: float | None,
        effect_se: float | None,
        *,
        direction: str = "increase",
        units: int | None = None,
        comparison: str | None = None,
        command: str = "python",
        details: Mapping[str, Any] | None = None,
    ) -> int:
        """Append one result of ``launch`` at ``level`` (see :data:`LEVELS`); return its id.

        ``effect`` is the candidate minus the baseline, ``effect_se`` its standard error,
        ``direction`` the metric's good direction. A later result of the same launch, level and
        metric replaces the earlier one for learning (both stay in the registry).
        """
        return self.record_launches(
            [
                {
                    "launch": launch,
                    "level": level,
                    "metric": metric,
                    "effect": effect,
                    "effect_se": effect_se,
                    "direction": direction,
                    "units": units,
                    "comparison": comparison,
                    "command": command,
                    "details": details,
                }
            ]
        )[0]

    def record_launches(self, results: Iterable[Mapping[str, Any]]) -> list[int]:
        """Append many launch results in ONE transaction (all or none); return their ids.

        Each of ``results`` holds the arguments of :meth:`record_launch`.
        """
        rows = [_launch_row(**dict(r)) for r in results]
        ids: list[int] = []
        with self._transaction() as conn:
            for row in rows:
                key = conn.execute(sa.insert(schema.launch_results), [row]).inserted_primary_key
                if key is None:  # pragma: no cover - every backend returns the new id
                    raise RuntimeError("the database did not return the new row's id")
                ids.append(int(key[0]))
        return ids

    def launch_results(self, launch: str | None = None) -> list[LaunchResult]:
        """Return the launch results (oldest first), optionally of one ``launch``.

        A registry of schema version 1 has none (its table is created at the first write).
        """
        t = schema.launch_results
        query = sa.select(t).order_by(t.c.id)
        if launch is not None:
            query = query.where(t.c.launch == launch)
        with self._reading() as conn:
            if conn is None or not sa.inspect(conn).has_table(t.name):
                return []
            rows = conn.execute(query).mappings().all()
            out = []
            for r in rows:
                with self._decoding(int(r["record_id"] or 0)):
                    details = json.loads(r["payload"])
                out.append(
                    LaunchResult(
                        id=int(r["id"]),
                        launch=str(r["launch"]),
                        level=str(r["level"]),
                        metric=str(r["metric"]),
                        effect=r["effect"],
                        effect_se=r["effect_se"],
                        direction=str(r["direction"]),
                        units=r["units"],
                        comparison=r["comparison"],
                        command=str(r["command"]),
                        record_id=r["record_id"],
                        created_at=str(r["created_at"]),
                        details=details,
                    )
                )
        return out

    def register_plan(
        self,
        spec: Spec,
        experiment: str,
        *,
        mde: float | None = None,
        duration_days: float | None = None,
        planned_units: int | None = None,
    ) -> int:
        """Append the analysis plan of ``experiment`` from ``spec``; return the record id.

        The plan holds the primary metric, the guardrails with their margins, the secondary
        metrics, alpha, the planned units (``planned_units`` or the spec's), the MDE and the
        planned duration in days.
        """
        check_name("experiment", experiment, spec.experiments, "experiments")
        exp = spec.experiments[experiment]
        if mde is not None:
            check_number("mde", mde, low=0)
        if duration_days is not None:
            check_number("duration_days", duration_days, low=0)
        units = planned_units if planned_units is not None else exp.planned_units
        if units is not None:
            check_number("planned_units", units, low=0)
        plan = {
            "control": exp.control,
            "variants": exp.variants,
            "primary": exp.primary,
            "guardrails": [g.model_dump(mode="json") for g in exp.guardrails],
            "secondary": list(exp.secondary),
            "alpha": exp.alpha,
            "planned_units": units,
            "mde": mde,
            "duration_days": duration_days,
        }
        record = {
            "kind": "plan",
            "experiment": experiment,
            "created_at": _now(),
            "tool_version": _version(),
            "source": spec.file,
            "spec_hash": spec_hash(spec),
            "spec": _spec_json(spec),
            "fingerprint": None,
            "decision": None,
            "decision_variant": None,
            "shipped": None,
            "noise_covariance": "unknown",
            "payload": json.dumps(plan),
        }
        return self._write(record, [])

    def add_summary(
        self,
        experiment: str,
        effects: Iterable[EffectRecord],
        *,
        source: str | None = None,
        fingerprint: str | None = None,
        decision: str | None = None,
        shipped: bool | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> int:
        """Append a past experiment known only from summary statistics; return the record id.

        Its noise covariance between metrics is ``unknown`` (only standard errors are known).
        """
        record, rows = _summary_rows(
            experiment, effects, source, fingerprint, decision, shipped, details
        )
        return self._write(record, rows)

    def add_summaries(self, summaries: Iterable[Mapping[str, Any]]) -> list[int | None]:
        """Append many past experiments in ONE transaction: all of them, or none.

        Each of ``summaries`` holds the arguments of :meth:`add_summary` (``experiment``,
        ``effects`` and optionally ``source``, ``fingerprint``, ``decision``, ``shipped``,
        ``details``). One whose experiment already has a record with the same ``fingerprint``
        is skipped (checked inside the transaction). Return the new record ids, None where
        skipped.
        """
        items = [
            _summary_rows(
                s["experiment"],
                s["effects"],
                s.get("source"),
                s.get("fingerprint"),
                s.get("decision"),
                s.get("shipped"),
                s.get("details"),
            )
            for s in summaries
        ]
        ids: list[int | None] = []
        with self._transaction() as conn:
            seen: set[tuple[str, str]] = set()
            for record, rows in items:
                key = (str(record["experiment"]), str(record["fingerprint"]))
                if record["fingerprint"] is not None and (
                    key in seen or _has_fingerprint(conn, *key)
                ):
                    ids.append(None)
                    continue
                seen.add(key)
                ids.append(_insert_record(conn, record, rows))
        return ids

    # -- reading ------------------------------------------------------------------------------

    def records(
        self, experiment: str | None = None, kind: str | None = None, *, with_effects: bool = False
    ) -> list[Record]:
        """Return the records (oldest first), optionally of one experiment or kind."""
        if kind is not None and kind not in KINDS:
            raise ProxymetricError(
                f"`kind` must be one of {', '.join(repr(k) for k in KINDS)}; got {kind!r}"
            )
        query = sa.select(schema.records).order_by(schema.records.c.id)
        if experiment is not None:
            query = query.where(schema.records.c.experiment == experiment)
        if kind is not None:
            query = query.where(schema.records.c.kind == kind)
        with self._reading() as conn:
            if conn is None:
                return []
            rows = conn.execute(query).mappings().all()
            ids = [int(r["id"]) for r in rows]
            effects: dict[int, list[EffectRecord]] = {i: [] for i in ids}
            covs: dict[int, dict[str, dict[str, dict[str, float]]]] = {i: {} for i in ids}
            if with_effects and ids:
                for e in conn.execute(
                    sa.select(schema.effects)
                    .where(schema.effects.c.record_id.in_(ids))
                    .order_by(schema.effects.c.id)
                ).mappings():
                    effects[int(e["record_id"])].append(
                        EffectRecord(
                            **{f.name: e[f.name] for f in dataclasses.fields(EffectRecord)}
                        )
                    )
                for c in conn.execute(
                    sa.select(schema.noise_covariances).where(
                        schema.noise_covariances.c.record_id.in_(ids)
                    )
                ).mappings():
                    with self._decoding(int(c["record_id"])):
                        metrics = json.loads(c["metrics"])
                        matrix = _matrix(c["covariance"], len(metrics)).tolist()
                    covs[int(c["record_id"])][str(c["variant"])] = {
                        a: {b: float(v) for b, v in zip(metrics, row, strict=True)}
                        for a, row in zip(metrics, matrix, strict=True)
                    }
        return [self._record(r, effects, covs) for r in rows]

    @contextlib.contextmanager
    def _decoding(self, record_id: int) -> Iterator[None]:
        """Re-raise a stored value that cannot be decoded as a one-line error naming the record."""
        try:
            yield
        except (ValueError, TypeError, KeyError) as exc:
            raise ProxymetricError(
                f"`registry` {self._name!r}: record {record_id} cannot be read "
                f"({_first_line(exc)}); the file was changed outside proxymetric"
            ) from None

    def _record(
        self,
        r: sa.RowMapping,
        effects: Mapping[int, list[EffectRecord]],
        covs: Mapping[int, dict[str, dict[str, dict[str, float]]]],
    ) -> Record:
        with self._decoding(int(r["id"])):
            details = json.loads(r["payload"])
        return Record(
            id=int(r["id"]),
            kind=str(r["kind"]),
            experiment=str(r["experiment"]),
            created_at=str(r["created_at"]),
            tool_version=str(r["tool_version"]),
            source=r["source"],
            spec_hash=r["spec_hash"],
            fingerprint=r["fingerprint"],
            decision=r["decision"],
            decision_variant=r["decision_variant"],
            shipped=None if r["shipped"] is None else bool(r["shipped"]),
            noise_covariance=str(r["noise_covariance"]),
            details=details,
            effects=effects[int(r["id"])],
            covariances=covs[int(r["id"])],
        )

    def get(self, record_id: int) -> Record:
        """Return record ``record_id`` with its effects and covariances."""
        query = sa.select(schema.records.c.experiment).where(schema.records.c.id == record_id)
        with self._reading() as conn:
            experiment = None if conn is None else conn.execute(query).scalar_one_or_none()
        if experiment is None:
            raise ProxymetricError(f"`record` {record_id} does not exist in {self.url!r}")
        found = [r for r in self.records(experiment, with_effects=True) if r.id == record_id]
        return found[0]

    def latest(self, experiment: str, kind: str) -> Record | None:
        """Return the most recent record of ``kind`` for ``experiment`` (with effects), if any."""
        found = self.records(experiment, kind, with_effects=True)
        return found[-1] if found else None

    def has_fingerprint(self, experiment: str, fingerprint: str) -> bool:
        """Return whether a record of ``experiment`` with this data ``fingerprint`` exists."""
        with self._reading() as conn:
            return conn is not None and _has_fingerprint(conn, experiment, fingerprint)

    def effect_rows(self) -> dict[str, list[Any]]:
        """Return, column by column, the effects of the latest result record of every experiment.

        Only ``analysis`` and ``import`` records count, and for each experiment only its most
        recent one (a re-analysis replaces, for learning, what an earlier one said). Columns:
        the effect fields, ``record_id``, and the record's ``experiment``, ``shipped``,
        ``decision_variant`` and ``noise_covariance``.
        """
        r, e = schema.records, schema.effects
        cols = [
            e.c.record_id,
            e.c.variant,
            e.c.metric,
            e.c.effect,
            e.c.effect_se,
            e.c.control_units,
            e.c.treatment_units,
            e.c.effect_fold1,
            e.c.effect_fold2,
            r.c.experiment,
            r.c.shipped,
            r.c.decision_variant,
            r.c.noise_covariance,
        ]
        query = (
            sa.select(*cols)
            .join(r, r.c.id == e.c.record_id)
            .where(r.c.id.in_(self._latest_results()))
            .order_by(e.c.id)
        )
        return self._columns(query, [c.name for c in cols])

    def covariance_rows(self) -> dict[str, list[Any]]:
        """Return, column by column, the measured noise covariances of :meth:`effect_rows`.

        ``metrics`` is a JSON list of names, ``covariance`` the matrix over them as
        little-endian float64 bytes.
        """
        r, c = schema.records, schema.noise_covariances
        cols = [r.c.experiment, c.c.variant, c.c.metrics, c.c.covariance]
        query = (
            sa.select(*cols)
            .join(r, r.c.id == c.c.record_id)
            .where(r.c.id.in_(self._latest_results()))
        )
        return self._columns(query, [col.name for col in cols])

    def _latest_results(self) -> sa.Select[Any]:
        r = schema.records
        return (
            sa.select(sa.func.max(r.c.id))
            .where(r.c.kind.in_(["analysis", "import"]))
            .group_by(r.c.experiment)
        )

    def _columns(self, query: sa.Select[Any], names: list[str]) -> dict[str, list[Any]]:
        with self._reading() as conn:
            rows: Sequence[Any] = []
            if conn is not None:
                result = conn.execute(query)
                # Plain DB-API tuples: building a Row object per row costs more than the query.
                rows = result.cursor.fetchall() if result.cursor is not None else []
                result.close()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        return {n: list(col) for n, col in zip(names, columns, strict=True)}


def covariance_matrix(blob: bytes, size: int) -> NDArray[np.float64]:
    """Return the ``size x size`` noise covariance matrix of a ``noise_covariances`` row."""
    return _matrix(blob, size)


def _matrix(blob: bytes, size: int) -> NDArray[np.float64]:
    """Return the ``size x size`` matrix stored as little-endian float64 bytes."""
    return np.frombuffer(blob, dtype="<f8").reshape(size, size).astype(np.float64)


def _set_schema_version(conn: Connection) -> None:
    """Write the current schema version into ``proxymetric_meta`` (inside the transaction)."""
    meta = schema.meta
    value = str(schema.SCHEMA_VERSION)
    found = conn.execute(
        sa.select(meta.c.value).where(meta.c.key == "schema_version")
    ).scalar_one_or_none()
    if found is None:
        _insert_rows(conn, meta, [{"key": "schema_version", "value": value}])
    elif found != value:
        conn.execute(sa.update(meta).where(meta.c.key == "schema_version").values(value=value))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
