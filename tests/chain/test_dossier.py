"""The dossier of a spec: every step it has the inputs for, and one line for each other."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from proxymetric.analysis import analyze
from proxymetric.chain import build_dossier
from proxymetric.report import to_json
from proxymetric.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]


def test_cookie_cats_has_results_and_says_what_is_missing() -> None:
    spec = ROOT / "examples" / "cookie-cats" / "proxymetric.yaml"
    d = build_dossier(spec)
    assert d.request == "Move the first gate (a forced wait) from level 30 to level 40."
    assert [n.role for n in d.tree] == ["north_star", "guardrail", "proxy"]
    [a] = d.analyses
    assert a.result is not None
    assert a.result.to_dict() == analyze(spec).to_dict()  # the same analysis as `analyze`
    [p] = d.plans
    assert p.plan is None
    assert p.missing is not None
    assert "give `units_per_day`" in p.missing
    assert set(d.missing) == {"value", "registry"}
    assert d.scorecard is not None
    assert json.loads(to_json(d))["analyses"][0]["result"]["decision"]["verdict"] == "rollback"


def test_a_registry_is_read(tmp_path: Path) -> None:
    from proxymetric.registry import Registry

    folder = tmp_path / "cookie-cats"
    shutil.copytree(ROOT / "examples" / "cookie-cats", folder)
    spec = folder / "proxymetric.yaml"
    Registry(folder / "proxymetric.db").record_analysis(analyze(spec), load_spec(spec))
    assert "registry" in build_dossier(spec).missing  # only the registry it is given
    d = build_dossier(spec, registry=folder / "proxymetric.db")
    assert d.registry is not None
    assert d.registry.n_records == 1
    assert d.registry.proxies is None  # one experiment is too few to validate proxies
    assert d.registry.proxies_missing is not None
    assert "at least 4 comparisons" in d.registry.proxies_missing
    assert "registry" not in d.missing
