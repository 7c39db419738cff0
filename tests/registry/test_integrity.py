"""What the registry refuses: reads that would write, foreign or broken databases, half imports.

A read never changes the database it reads (not a byte, not a table); the tables are created
by the first write, only in a new database or an existing registry; a database the registry
cannot read is one :class:`ProxymetricError` line; an import is all or nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from proxymetric.errors import DataError, ProxymetricError
from proxymetric.proxies import table_from_registry
from proxymetric.registry import EffectRecord, Registry, import_asos, import_csv

EFFECT = EffectRecord(variant="t", metric="m", role=None, effect=1.0, effect_se=0.5)

READS: dict[str, Callable[[Registry], object]] = {
    "records": lambda r: r.records(with_effects=True),
    "latest": lambda r: r.latest("e", "plan"),
    "has_fingerprint": lambda r: r.has_fingerprint("e", "f"),
    "effect_rows": lambda r: r.effect_rows(),
    "covariance_rows": lambda r: r.covariance_rows(),
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return sorted(r[0] for r in conn.execute("select name from sqlite_master"))


def _foreign(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("create table users (id integer primary key, name text)")
        conn.execute("insert into users (name) values ('ada')")
    return path


@pytest.mark.parametrize("create", [False, True])
def test_a_foreign_database_is_refused_and_left_unchanged(tmp_path: Path, create: bool) -> None:
    path = _foreign(tmp_path / "own.db")
    before = _digest(path)
    with pytest.raises(ProxymetricError) as info:
        Registry(path, create=create)
    assert str(info.value) == (
        f"`registry` {str(path)!r} is not a proxymetric registry: it holds other tables (users) "
        "and no `proxymetric_meta`; give a new file or database, or an existing proxymetric "
        "registry"
    )
    assert _digest(path) == before
    assert _tables(path) == ["users"]


@pytest.mark.parametrize("read", list(READS))
def test_reading_a_new_registry_writes_nothing(tmp_path: Path, read: str) -> None:
    # A missing file stays missing; an empty (0-byte) file stays empty.
    missing, empty = tmp_path / "missing.db", tmp_path / "empty.db"
    empty.touch()
    for path in (missing, empty):
        found = READS[read](Registry(path))
        if isinstance(found, dict):
            found = [v for column in found.values() for v in column]
        assert found in ([], None, False)
    assert not missing.exists()
    assert empty.stat().st_size == 0


def test_reading_a_registry_changes_no_byte(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    reg = Registry(path)
    reg.add_summary("e", [EFFECT])
    before = _digest(path)
    again = Registry(path, create=False)
    for read in READS.values():
        read(again)
    again.get(1)
    table_from_registry(again)
    assert _digest(path) == before


def test_the_first_write_creates_the_tables(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    reg = Registry(path)
    assert not path.exists()
    rid = reg.add_summary("e", [EFFECT])
    assert set(_tables(path)) >= {"proxymetric_meta", "records", "effects", "noise_covariances"}
    assert [r.id for r in Registry(path, create=False).records()] == [rid]
    empty = tmp_path / "empty.db"
    empty.touch()
    Registry(empty).add_summary("e", [EFFECT])
    assert len(Registry(empty).records()) == 1


def _random_bytes(path: Path) -> None:
    path.write_bytes(hashlib.sha512(b"not a database").digest() * 64)


def _header_only(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 40)


def _truncated(path: Path) -> None:
    # A real registry with enough records to span many pages, cut to its first two pages.
    reg = Registry(path)
    reg.add_summaries({"experiment": f"e{i}", "effects": [EFFECT] * 20} for i in range(200))
    reg.close()
    data = path.read_bytes()
    assert len(data) > 20 * 4096
    path.write_bytes(data[:8192])


def _open_and_read(path: Path) -> None:
    # A file damaged past its first page may open, and fail on the first read of it.
    reg = Registry(path, create=False)
    reg.records(with_effects=True)
    table_from_registry(reg)


@pytest.mark.parametrize("damage", [_random_bytes, _header_only, _truncated])
def test_a_damaged_file_is_one_error_line(tmp_path: Path, damage: Callable[[Path], None]) -> None:
    path = tmp_path / "r.db"
    damage(path)
    with pytest.raises(ProxymetricError) as info:
        _open_and_read(path)
    message = str(info.value)
    assert message.startswith(f"`registry` {str(path)!r} cannot be read: ")
    assert "\n" not in message
    assert any(
        reason in message
        for reason in ("file is not a database", "database disk image is malformed")
    )


def test_a_url_that_cannot_connect_is_one_line_without_its_password() -> None:
    # Port 1 on the local host refuses the connection at once.
    url = "postgresql://analyst:Tr0ub4dor-3@127.0.0.1:1/experiments"
    with pytest.raises(ProxymetricError) as info:
        Registry(url)
    message = str(info.value)
    assert message.startswith(
        "`registry` 'postgresql://analyst:***@127.0.0.1:1/experiments' cannot be read: "
    )
    assert "Tr0ub4dor" not in message
    assert "\n" not in message


@pytest.mark.parametrize("location", [None, 42, "", "   ", b"r.db"])
def test_a_location_that_is_not_a_path_or_url(location: object) -> None:
    with pytest.raises(ProxymetricError) as info:
        Registry(location)  # type: ignore[arg-type]
    assert str(info.value) == (
        "`registry` must be a file path or a SQLAlchemy URL (such as 'proxymetric.db' or "
        f"'postgresql://user@host/db'); got {location!r}"
    )


def test_a_folder_is_not_a_registry(tmp_path: Path) -> None:
    with pytest.raises(ProxymetricError, match=r"`registry` '.*' is a folder; give a file"):
        Registry(tmp_path)


def test_an_unknown_dialect_is_one_line_without_its_password() -> None:
    with pytest.raises(ProxymetricError) as info:
        Registry("nosuchdialect://me:pa55word@host/db")
    assert str(info.value).startswith(
        "`registry` 'nosuchdialect://me:***@host/db' cannot be opened"
    )
    assert "pa55word" not in str(info.value)


# -- imports: all or nothing -------------------------------------------------------------------

HEADER = "experiment,metric,effect,effect_se,control_units,treatment_units,pvalue\n"
GOOD = "{e},revenue,0.5,0.2,1000,1000,0.01\n"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("e2,revenue,0.5,0.2,100.5,1000,", "column `control_units` must be a positive whole"),
        ("e2,revenue,0.5,0.2,1000,2.5e3x,", "column `treatment_units` must be a number"),
        ("e2,revenue,0.5,0.2,1000,0,", "column `treatment_units` must be a positive whole"),
        ("e2,revenue,inf,0.2,1000,1000,", "column `effect` must be a finite number; got 'inf'"),
        ("e2,revenue,-Infinity,0.2,1000,1000,", "column `effect` must be a finite number"),
        ("e2,revenue,NaN,0.2,1000,1000,", "column `effect` must be a finite number; got 'NaN'"),
        ("e2,revenue,,0.2,1000,1000,", "column `effect` must be a finite number; got ''"),
        ("e2,revenue,0.5,inf,1000,1000,", "column `effect_se` must be a finite number"),
        ("e2,revenue,0.5,NA,1000,1000,", "column `effect_se` must be a finite number; got 'NA'"),
        ("e2,revenue,0.5,0.2,1000,1000,1.5", "column `pvalue` must be in [0, 1] or empty"),
        ("e2,revenue,0.5,0.2,1000,1000,inf", "column `pvalue` must be a finite number or empty"),
    ],
)
def test_a_bad_row_in_the_middle_imports_nothing(tmp_path: Path, bad: str, message: str) -> None:
    reg = Registry(tmp_path / "r.db")
    reg.add_summary("before", [EFFECT])
    path = tmp_path / "export.csv"
    rows = [GOOD.format(e="e1"), GOOD.format(e="e1").replace("revenue", "clicks")]
    path.write_text(HEADER + "".join(rows) + bad + "\n" + GOOD.format(e="e3"))
    with pytest.raises(DataError) as info:
        import_csv(reg, path)
    assert str(info.value).startswith("export.csv:4: ")
    assert message in str(info.value)
    assert [r.experiment for r in Registry(tmp_path / "r.db").records()] == ["before"]


def test_a_failed_import_into_a_new_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(HEADER + GOOD.format(e="e1") + "e2,revenue,0.5,0.2,10.5,10,\n")
    with pytest.raises(DataError, match=r"export\.csv:3: column `control_units`"):
        import_csv(Registry(tmp_path / "new.db"), path)
    assert not (tmp_path / "new.db").exists()


def test_a_database_failure_mid_import_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The third experiment's write fails inside the transaction: the first two are rolled back.
    from proxymetric.registry import store

    path = tmp_path / "export.csv"
    path.write_text(HEADER + "".join(GOOD.format(e=f"e{i}") for i in range(5)))
    reg = Registry(tmp_path / "r.db")
    reg.add_summary("before", [EFFECT])
    real, calls = store._insert_record, []

    def fail_third(*args: object, **kwargs: object) -> int:
        calls.append(1)
        if len(calls) == 3:
            raise sqlite3.OperationalError("disk I/O error")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "_insert_record", fail_third)
    with pytest.raises(ProxymetricError, match=r"cannot be written: disk I/O error"):
        import_csv(reg, path)
    monkeypatch.undo()
    assert [r.experiment for r in reg.records()] == ["before"]
    summary = import_csv(reg, path)  # the same file, now whole
    assert (summary.experiments_added, summary.experiments_skipped) == (5, 0)


def test_a_file_with_the_same_experiment_twice_in_one_import(tmp_path: Path) -> None:
    # Two identical blocks of one experiment in one import: the second is skipped inside the
    # same transaction (the fingerprint check sees the rows written before it).
    reg = Registry(tmp_path / "r.db")
    ids = reg.add_summaries(
        [{"experiment": "e", "effects": [EFFECT], "fingerprint": "abc"} for _ in range(2)]
    )
    assert ids[1] is None
    assert ids[0] is not None
    assert len(reg.records()) == 1


ASOS_HEADER = (
    "experiment_id,variant_id,metric_id,time_since_start,count_c,count_t,mean_c,mean_t,"
    "variance_c,variance_t\n"
)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("b,1,1,10,1000.5,1000,1,1.1,1,1", "column `count_c` must be a whole number >= 0"),
        ("b,1,1,10,1000,-3,1,1.1,1,1", "column `count_t` must be a whole number >= 0"),
        ("b,1,1,10,1000,1000,inf,1.1,1,1", "column `mean_c` must be a finite number"),
        ("b,1,1,10,1000,1000,1,1.1,-1,1", "column `variance_c` must be >= 0 or empty"),
        ("b,1,1,10,1000,1000,1,1.1,1,inf", "column `variance_t` must be a finite number or empty"),
    ],
)
def test_asos_bad_rows_import_nothing(tmp_path: Path, bad: str, message: str) -> None:
    path = tmp_path / "asos.csv"
    path.write_text(ASOS_HEADER + "a,1,1,10,1000,1000,1,1.1,1,1\n" + bad + "\n")
    reg = Registry(tmp_path / "r.db")
    with pytest.raises(DataError) as info:
        import_asos(reg, path)
    assert str(info.value).startswith("asos.csv:3: ")
    assert message in str(info.value)
    assert reg.records() == []
    assert not (tmp_path / "r.db").exists()
