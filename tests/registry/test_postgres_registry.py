"""A registry on PostgreSQL: the same rules as on SQLite, and first writers racing to create it.

A throwaway PostgreSQL server comes from the `pgserver` package (its binaries ship in the
wheel), as in tests/data/test_postgres.py; each test gets a database of its own.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from proxymetric.errors import ProxymetricError
from proxymetric.registry import EffectRecord, Registry

from .test_store import _spawn

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

_names = itertools.count()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp_path_factory.mktemp("runtime")))
    import pgserver

    pg = pgserver.get_server(  # type: ignore[attr-defined]
        tmp_path_factory.mktemp("pgdata"), cleanup_mode="stop"
    )
    try:
        yield str(pg.get_uri())
    finally:
        pg.cleanup()


def _database(server: str) -> str:
    """Create an empty database on the server; return its URL."""
    import psycopg

    name = f"registry_{next(_names)}"
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return server.replace("/postgres?", f"/{name}?", 1)


EFFECT = EffectRecord(variant="t", metric="m", role=None, effect=1.0, effect_se=0.5)


def test_reads_create_nothing_and_the_first_write_creates_the_tables(server: str) -> None:
    import psycopg

    url = _database(server)
    reg = Registry(url)
    assert reg.records() == []
    assert reg.effect_rows()["metric"] == []
    with psycopg.connect(url) as con:
        assert con.execute(
            "select count(*) from pg_tables where schemaname = 'public'"
        ).fetchone() == (0,)
    rid = reg.add_summaries([{"experiment": "e", "effects": [EFFECT] * 3}])[0]
    assert rid is not None
    reg.close()
    again = Registry(url, create=False)
    assert [len(r.effects) for r in again.records(with_effects=True)] == [3]
    again.close()


def test_a_foreign_database_is_refused(server: str) -> None:
    import psycopg

    url = _database(server)
    with psycopg.connect(url) as con:
        con.execute("create table orders (id integer)")
    with pytest.raises(
        ProxymetricError, match=r"is not a proxymetric registry: it holds other tables \(orders\)"
    ):
        Registry(url)
    with psycopg.connect(url) as con:
        tables = con.execute(
            "select tablename from pg_tables where schemaname = 'public'"
        ).fetchall()
    assert tables == [("orders",)]


def test_first_writers_racing_to_create_the_schema(server: str, tmp_path: Path) -> None:
    # Four processes start together on an empty database: each finds no tables and creates
    # them in its first transaction; the losers of the race retry, and no record is lost.
    url = _database(server)
    flag = str(tmp_path / "start")
    procs = [_spawn(url, "append", w, barrier=flag) for w in range(4)]
    deadline = time.monotonic() + 120
    while not all(Path(f"{flag}.ready{w}").exists() for w in range(4)):
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.05)
    Path(f"{flag}.go").touch()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * 4
    reg = Registry(url)
    records = reg.records(with_effects=True)
    reg.close()
    assert len(records) == 120
    assert all(len(r.effects) == 5 for r in records)
