"""``analyze --family`` and ``--bayesian``, and bad levels in a spec, through the CLI runner.

References: statsmodels' ``multipletests`` (the family narrowed to one comparison per family
leaves the p-values unadjusted) and the normal closed form of the flat-prior probability.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from scipy import stats as sps
from typer.testing import CliRunner

from proxymetric.cli import app

runner = CliRunner()


def test_family_and_bayesian_options(cookie_cats_spec: Path) -> None:
    res = runner.invoke(
        app, ["analyze", str(cookie_cats_spec), "--family", "none", "--bayesian", "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["family"] == "none"
    for r in out["results"]:
        if r["role"] != "guardrail":
            assert r["pvalue_adjusted"] == r["pvalue"]
        assert r["bayesian"]["prior"] == "weak"
        assert 0 <= r["bayesian"]["prob_better"] <= 1
    plain = json.loads(runner.invoke(app, ["analyze", str(cookie_cats_spec), "-f", "json"]).stdout)
    assert all(r["bayesian"] is None for r in plain["results"])
    assert plain["family"] == "both"


def test_flat_prior_from_the_spec(cookie_cats_spec: Path, tmp_path: Path) -> None:
    spec = yaml.safe_load(cookie_cats_spec.read_text())
    spec["sources"]["players"]["path"] = str(cookie_cats_spec.parent / "cookie_cats.csv.gz")
    spec["experiments"]["gate-40"]["bayesian"] = {"prior": "flat"}
    path = tmp_path / "proxymetric.yaml"
    path.write_text(yaml.safe_dump(spec))
    res = runner.invoke(app, ["analyze", str(path), "--bayesian", "-f", "json"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)["results"][0]
    z = r["effect"] / r["effect_se"]
    assert abs(r["bayesian"]["prob_better"] - sps.norm.cdf(z)) < 1e-12
    table = runner.invoke(app, ["analyze", str(path), "--bayesian"])
    assert "Bayesian view (Gaussian approximation, a flat prior" in table.stdout


def test_bad_levels_exit_2_with_one_line(cookie_cats_spec: Path, tmp_path: Path) -> None:
    spec = yaml.safe_load(cookie_cats_spec.read_text())
    spec["sources"]["players"]["path"] = str(cookie_cats_spec.parent / "cookie_cats.csv.gz")
    spec["metrics"]["rounds"]["alternative"] = "less"
    path = tmp_path / "proxymetric.yaml"
    path.write_text(yaml.safe_dump(spec))
    res = runner.invoke(app, ["analyze", str(path)])
    assert res.exit_code == 2
    assert "`alternative` 'less' tests for a change away" in res.output
    assert "Traceback" not in res.output
    bad = runner.invoke(app, ["analyze", str(cookie_cats_spec), "--family", "all"])
    assert bad.exit_code == 2
