"""examples/asos-proxies runs end to end on the bundled data and says what its README says."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any


def _load(root: Path) -> Any:
    path = root / "examples" / "asos-proxies" / "run.py"
    spec = importlib.util.spec_from_file_location("asos_proxies_example", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_runs_and_matches_its_readme(root: Path, tmp_path: Path) -> None:
    text = _load(root).main(["--registry", str(tmp_path / "asos.db")])
    assert "78 experiments imported" in text
    assert "use the composite 0.72 x metric_1 + 0.23 x metric_2 + 0.05 x metric_3" in text
    assert "correlates 0.59 with the true effect on metric_4 (out of sample), against 0.35" in text
    assert "for tests of 6,335,376 units, decide on the north star metric_4 itself" in text
    assert "| 0.7 | composite | 0.47 | 0.35 |" in text
    readme = (root / "examples" / "asos-proxies" / "README.md").read_text()
    assert "0.59" in readme
    assert "6.3 million" in readme
