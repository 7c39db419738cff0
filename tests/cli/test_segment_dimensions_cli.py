"""``analyze`` with declared segment dimensions: named by ``--segment``, shown by their name."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from proxymetric.cli import app

runner = CliRunner()

SPEC = """\
sources:
  users: {path: users.csv, unit: id, variant: arm, unique: true}
metrics:
  spend: {type: mean, source: users, column: spend}
experiments:
  e:
    control: a
    primary: spend
    segments:
      min_units: 50
      columns:
        - device
        - name: region
          column: country
          values: {emea: [de, fr], americas: [us, br]}
        - name: tenure
          column: days
          bins: [0, 30, 365]
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    rng = np.random.default_rng(6)
    n = 2000
    pd.DataFrame(
        {
            "id": np.arange(n),
            "arm": rng.choice(["a", "b"], n),
            "country": rng.choice(["us", "de", "fr", "br", "jp"], n),
            "device": rng.choice(["ios", "web"], n),
            "days": rng.integers(-30, 900, n),
            "spend": rng.lognormal(1, 1, n),
        }
    ).to_csv(tmp_path / "users.csv", index=False)
    path = tmp_path / "proxymetric.yaml"
    path.write_text(SPEC)
    return path


def test_declared_dimensions_in_every_format(spec: Path) -> None:
    out = runner.invoke(app, ["analyze", str(spec)])
    assert out.exit_code == 0, out.output
    for title in ("Segments by device", "Segments by region", "Segments by tenure"):
        assert title in out.output
    assert "[30, 365)" in out.output
    assert ">= 365" in out.output
    out = runner.invoke(
        app, ["analyze", str(spec), "--segment", "tenure", "--segment", "region", "-f", "json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert [b["dimension"] for b in data["segments"]] == ["tenure", "region"]
    assert data["segments"][0]["values"] == ["< 0", "[0, 30)", "[30, 365)", ">= 365"]
    assert data["segments"][1]["values"] == ["emea", "americas", "other"]
    md = runner.invoke(app, ["analyze", str(spec), "--segment", "tenure", "-f", "markdown"])
    assert md.exit_code == 0, md.output
    assert "### Segments by tenure" in md.output
    assert "| [0, 30) |" in md.output
    page = runner.invoke(app, ["analyze", str(spec), "--segment", "tenure", "-f", "html"])
    assert page.exit_code == 0, page.output
    assert "Segments by tenure" in page.output
    cells = [f'<td class="l">{html.escape(label)}</td>' for label in ("< 0", ">= 365")]
    assert all(c in page.output for c in cells)  # the labels escaped in their cells
    assert '<td class="l">< 0' not in page.output


def test_a_bad_dimension_exits_2_with_one_line(spec: Path) -> None:
    spec.write_text(SPEC.replace("bins: [0, 30, 365]", "bins: [0, 365, 30]"))
    out = runner.invoke(app, ["analyze", str(spec)])
    assert out.exit_code == 2
    lines = [line for line in out.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert "`bins` of segment 'tenure' must be strictly increasing; got [0, 365, 30]" in lines[0]
    assert "Traceback" not in out.output
