"""Spec loading: valid specs load; every mistake is reported with file, line and what is valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxymetric.errors import SpecError
from proxymetric.spec import load_spec

GOOD = """\
sources:
  players: {path: cookie_cats.csv, unit: userid, variant: version}
metrics:
  retention_7: {type: proportion, source: players, column: retention_7}
  retention_1: {type: proportion, source: players, column: retention_1}
  rounds:      {type: mean, source: players, column: sum_gamerounds}
experiments:
  gate-40:
    control: gate_30
    primary: retention_7
    guardrails:
      - {metric: retention_1, margin: 0.02}
    secondary: [rounds]
"""


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "proxymetric.yaml"
    path.write_text(text)
    return load_spec(path)


def _error(tmp_path: Path, text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        _load(tmp_path, text)
    return info.value


def test_good_spec_loads(tmp_path: Path) -> None:
    spec = _load(tmp_path, GOOD)
    assert spec.experiments["gate-40"].guardrails[0].margin_type == "relative"  # type: ignore[attr-defined]
    assert spec.base_dir == tmp_path  # type: ignore[attr-defined]


def test_example_spec_loads(cookie_cats_spec: Path) -> None:
    spec = load_spec(cookie_cats_spec)
    assert spec.experiments["gate-40"].primary == "retention_7"


def test_unknown_metric_in_experiment(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD.replace("primary: retention_7", "primary: retention_8"))
    assert str(err) == (
        f"{tmp_path / 'proxymetric.yaml'}:10: metric 'retention_8' in experiment 'gate-40' is "
        "not defined; defined metrics: retention_1, retention_7, rounds; did you mean "
        "'retention_7'?"
    )


def test_unknown_source(tmp_path: Path) -> None:
    err = _error(
        tmp_path, GOOD.replace("source: players, column: sum", "source: player, column: sum")
    )
    assert err.line == 6
    assert "source 'player' of metric 'rounds' is not defined; defined sources: players" in str(err)


def test_bad_yaml(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD.replace("secondary: [rounds]", "secondary: [rounds"))
    assert err.line is not None
    assert err.line >= 13
    assert "invalid YAML" in str(err)


def test_unknown_key(tmp_path: Path) -> None:
    err = _error(
        tmp_path,
        GOOD.replace("    primary: retention_7", "    primary: retention_7\n    primay: x"),
    )
    assert err.line == 11
    assert "unknown key 'primay' in `experiments.gate-40`" in str(err)


def test_missing_required_key(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD.replace("    control: gate_30\n", ""))
    assert "`control` is required in `experiments.gate-40`" in str(err)


def test_bad_metric_type(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD.replace("type: mean", "type: median"))
    assert err.line == 6
    assert "'mean', 'proportion', 'ratio' or 'quantile'" in str(err)
    assert "got 'median'" in str(err)


def test_ratio_needs_denominator(tmp_path: Path) -> None:
    text = GOOD.replace(
        "rounds:      {type: mean, source: players, column: sum_gamerounds}",
        "rounds:      {type: ratio, source: players, numerator: sum_gamerounds}",
    )
    err = _error(tmp_path, text)
    assert "a ratio metric needs `numerator` and `denominator`" in str(err)


def test_negative_margin(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD.replace("margin: 0.02", "margin: -0.02"))
    assert err.line == 12
    assert "greater than or equal to 0" in str(err)


def test_metric_in_two_roles(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD.replace("secondary: [rounds]", "secondary: [rounds, retention_7]"))
    assert (
        "metric 'retention_7' appears twice in experiment 'gate-40' (as primary and as secondary)"
        in str(err)
    )


def test_split_must_name_the_control(tmp_path: Path) -> None:
    err = _error(
        tmp_path,
        GOOD.replace("    secondary: [rounds]", "    secondary: [rounds]\n    split: {a: 1}"),
    )
    assert "must give the control 'gate_30' a share" in str(err)


def test_missing_spec_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="spec file not found"):
        load_spec(tmp_path / "nope.yaml")


def test_spec_must_be_a_mapping(tmp_path: Path) -> None:
    err = _error(tmp_path, "- just\n- a list\n")
    assert "a spec must be a mapping" in str(err)
