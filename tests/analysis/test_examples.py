"""The example specs in examples/ run end to end from the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from proxymetric.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _json(spec: Path) -> dict[str, object]:
    result = runner.invoke(app, ["analyze", str(spec), "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.output)
    return data


def test_checkout_events_example() -> None:
    # Generated with a lift of about 6% in purchase amounts and a little in purchase
    # probability; the analysis from the raw logs must find it and keep the buyers guardrail.
    data = _json(ROOT / "examples" / "checkout-events" / "proxymetric.yaml")
    decision = data["decision"]
    assert isinstance(decision, dict)
    assert decision["verdict"] == "ship"
    assert data["warnings"] == [
        "12 unit(s) were assigned to more than one variant and were left out"
    ]


def test_checkout_events_data_are_reproducible(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generate", ROOT / "examples" / "checkout-events" / "generate.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assignments, events = module.generate()
    import pandas as pd

    committed = pd.read_csv(ROOT / "examples" / "checkout-events" / "assignments.csv.gz")
    assert len(committed) == len(assignments)
    assert (committed["variant"].to_numpy() == assignments["variant"].to_numpy()).all()
    assert len(pd.read_csv(ROOT / "examples" / "checkout-events" / "events.csv.gz")) == len(events)
