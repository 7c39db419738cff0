"""A plan needs the declared control variant in assigned data (it used to plan from every unit,
with a warning, and exit 0)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from proxymetric.cli import app
from proxymetric.design.plan import plan
from proxymetric.errors import DataError


def _spec(control: str) -> dict[str, Any]:
    return {
        "sources": {"u": {"path": "units.csv", "unit": "id", "variant": "arm"}},
        "metrics": {"y": {"type": "mean", "source": "u", "column": "y"}},
        "experiments": {"e": {"control": control, "primary": "y", "units_per_day": 500}},
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    pd.DataFrame(
        {"id": np.arange(300), "arm": np.repeat(["new", "old"], 150), "y": rng.normal(5, 1, 300)}
    ).to_csv(tmp_path / "units.csv", index=False)
    return tmp_path


def _write(folder: Path, control: str) -> Path:
    path = folder / "proxymetric.yaml"
    path.write_text(yaml.safe_dump(_spec(control)))
    return path


def test_a_missing_control_names_the_variants_found(folder: Path) -> None:
    message = (
        "control variant 'control' of experiment 'e' is not in the data; "
        "variants in the data: new, old"
    )
    with pytest.raises(DataError, match=re.escape(message)):
        plan(_write(folder, "control"))
    # With the right control the same data plans from the control's units.
    assert plan(_write(folder, "old")).metrics[0].units_observed == 150


def test_the_cli_exits_2_with_one_line(folder: Path) -> None:
    result = CliRunner().invoke(app, ["plan", str(_write(folder, "control"))])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: control variant 'control' of experiment 'e' is not in")
