"""``analyze --segment``: the breakdown from the command line, in every format."""

from __future__ import annotations

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
    segments: {columns: [device], min_units: 50}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    rng = np.random.default_rng(5)
    n = 2000
    pd.DataFrame(
        {
            "id": np.arange(n),
            "arm": rng.choice(["a", "b"], n),
            "country": rng.choice(["us", "de", "fr", "zz"], n, p=[0.5, 0.3, 0.18, 0.02]),
            "device": rng.choice(["ios", "web"], n),
            "spend": rng.lognormal(1, 1, n),
        }
    ).to_csv(tmp_path / "users.csv", index=False)
    path = tmp_path / "proxymetric.yaml"
    path.write_text(SPEC)
    return path


def test_the_spec_segments_and_the_option_that_replaces_them(spec: Path) -> None:
    out = runner.invoke(app, ["analyze", str(spec)])
    assert out.exit_code == 0, out.output
    assert "Segments by device" in out.output
    assert "Cochran's Q" in out.output
    out = runner.invoke(
        app, ["analyze", str(spec), "--segment", "country", "--segment", "device", "-f", "json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert [b["dimension"] for b in data["segments"]] == ["country", "device"]
    country = data["segments"][0]
    assert country["pooled"] == []
    assert country["values"][:3] == ["us", "de", "fr"]
    assert all(r["exploratory"] for r in country["results"])
    md = runner.invoke(app, ["analyze", str(spec), "--segment", "country", "-f", "markdown"])
    assert md.exit_code == 0
    assert "### Segments by country" in md.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--segment", "nope"], "'nope'"),
        (["--segment", "device", "--sequential"], "`--segment` does not apply to `--sequential`"),
    ],
)
def test_bad_segments_exit_2_with_one_message(spec: Path, args: list[str], message: str) -> None:
    out = runner.invoke(app, ["analyze", str(spec), *args])
    assert out.exit_code == 2
    assert message in " ".join(out.output.split())
    assert "Traceback" not in out.output
