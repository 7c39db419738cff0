"""The MovieLens example runs, and its README reports the numbers the script computes."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "movielens"


def _readme_table() -> dict[str, list[str]]:
    """Return metric -> cells of the results table in the README."""
    text = (EXAMPLE / "README.md").read_text()
    section = text.split("## Results (per-user temporal split)")[1].split("## What")[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] not in ("metric", "---"):
            rows[cells[0]] = cells[1:]
    return rows


def _number(cell: str) -> float | None:
    match = re.match(r"^(-?[\d.]+)", cell)
    return float(match.group(1)) if match else None


@pytest.mark.slow
def test_example_reproduces_the_readme(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = runpy.run_path(str(EXAMPLE / "run.py"))
    result = namespace["main"](["--n-bootstrap", "200"])
    out = capsys.readouterr().out
    assert "the lowest-RMSE model is not the best ranker by NDCG" in out
    table = _readme_table()
    models = list(result.models)
    assert models == ["most_popular", "item_mean", "bias", "matrix_factorization"]
    assert set(table) >= {"rmse", "ndcg@10", "recall@10", "coverage@10", "hit_rate@10"}
    for metric, cells in table.items():
        for model, cell in zip(models, cells, strict=True):
            written = _number(cell)
            if written is None:
                assert metric not in result.models[model]
                continue
            # the README shows 4 significant digits
            assert result.models[model][metric].value == pytest.approx(written, rel=1e-3, abs=1e-9)
    # the claims of the README's text
    bias, mf, pop = (result.models[m] for m in ("bias", "matrix_factorization", "most_popular"))
    assert mf["hit_rate@10"].value == 0.0
    assert pop["ndcg@10"].value > bias["ndcg@10"].value > mf["ndcg@10"].value
    assert result.comparison("matrix_factorization", "rmse").pvalue > 0.5
    assert mf["coverage@10"].value > pop["coverage@10"].value > bias["coverage@10"].value
