"""A data source whose connection fails: the message names the URL without its password."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import proxymetric
from proxymetric.cli import app
from proxymetric.errors import DataError

from .test_sources import SPEC

PASSWORD = "Tr0ub4dor-3"


def _spec(connection: str) -> dict[str, Any]:
    source = {"table": "units", "connection": connection, "unit": "user", "variant": "arm"}
    return {**SPEC, "sources": {"units": source}}


@pytest.mark.parametrize(
    ("url", "start"),
    [
        (  # a server that refuses the connection (port 1 of the local host)
            f"postgresql://analyst:{PASSWORD}@127.0.0.1:1/warehouse",
            "cannot connect to 'postgresql://analyst:***@127.0.0.1:1/warehouse': ",
        ),
        (  # an engine whose own message quotes the URL back
            f"nosuchengine://analyst:{PASSWORD}@host/warehouse",
            "cannot connect to 'nosuchengine://analyst:***@host/warehouse': ",
        ),
        (  # a DuckDB URL whose file path carries the password
            f"duckdb://analyst:{PASSWORD}@nowhere/warehouse.db",
            "DuckDB file not found: ",
        ),
        (  # percent-encoded in the URL, decoded by the driver
            "postgresql://analyst:Tr0ub4dor%2D3@127.0.0.1:1/warehouse",
            "cannot connect to 'postgresql://analyst:***@127.0.0.1:1/warehouse': ",
        ),
    ],
)
def test_a_failed_connection_shows_no_password(url: str, start: str) -> None:
    with pytest.raises(DataError) as info:
        proxymetric.analyze(_spec(url))
    message = str(info.value)
    assert message.startswith(start)
    assert PASSWORD not in message
    assert "\n" not in message


def test_the_cli_error_line_shows_no_password(tmp_path: Path) -> None:
    spec = tmp_path / "proxymetric.yaml"
    spec.write_text(yaml.safe_dump(_spec(f"postgresql://analyst:{PASSWORD}@127.0.0.1:1/w")))
    result = CliRunner().invoke(app, ["analyze", str(spec)])
    assert result.exit_code == 2
    assert result.output.startswith("error: cannot connect to 'postgresql://analyst:***@127.0.0.1")
    assert PASSWORD not in result.output


def test_a_recorded_spec_keeps_no_password(tmp_path: Path) -> None:
    # The spec stored with a record (for reproducibility) has its connection masked.
    import dataclasses

    from proxymetric.registry import Registry

    spec = proxymetric.load_spec(_spec(f"postgresql://analyst:{PASSWORD}@127.0.0.1:1/w"))
    result = proxymetric.analyze(
        Path(__file__).resolve().parents[2] / "examples" / "cookie-cats" / "proxymetric.yaml"
    )
    reg = Registry(tmp_path / "r.db")
    reg.record_analysis(dataclasses.replace(result, experiment="test"), spec)
    reg.register_plan(spec, "test")
    assert PASSWORD.encode() not in (tmp_path / "r.db").read_bytes()
