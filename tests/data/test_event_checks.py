"""Event logs with broken assignment rows or mismatched sources.

The reference of every number is the analysis of the clean logs, aggregated by hand with pandas
(``by_hand`` of ``test_events.py``) and analysed as a unit table: broken rows must change
nothing but the counts in the warnings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import proxymetric
from proxymetric.data import SourceResolver, daily_event_moments
from proxymetric.data.events import AssignmentRequest
from proxymetric.errors import DataError
from proxymetric.experiment import resolve
from proxymetric.experiment.read import event_aggregates

from .test_events import DAY, EVENT_SPEC, UNIT_SPEC, by_hand, make_logs, numbers


@pytest.fixture(scope="module")
def logs() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_logs(800, seed=4)


def _analyze(assignments: pd.DataFrame, events: pd.DataFrame) -> proxymetric.ExperimentResult:
    return proxymetric.analyze(EVENT_SPEC, data={"assignments": assignments, "events": events})


def _reference(assignments: pd.DataFrame, events: pd.DataFrame) -> proxymetric.ExperimentResult:
    units = by_hand(assignments, events, window=7, pre=14)
    return proxymetric.analyze(UNIT_SPEC, data={"units": units})


def test_assignments_without_a_timestamp_are_left_out_and_counted(
    logs: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    assignments, events = logs
    broken = assignments.copy()
    lost = broken.index[::20]  # 40 units lose their assignment time
    broken.loc[lost, "assigned_at"] = pd.NaT
    result = _analyze(broken, events)
    clean = broken.drop(lost)
    reference = _reference(clean, events)
    assert result.units == reference.units
    assert sum(result.units.values()) == len(assignments) - len(lost)
    np.testing.assert_allclose(numbers(result), numbers(reference), rtol=1e-9)
    assert f"{len(lost)} unit(s) have no assignment time and were left out" in result.warnings


def test_a_row_without_a_variant_does_not_start_the_window(
    logs: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    # A row with no variant 5 days before the real assignment used to set t0, so that events
    # of the 5 days before assignment entered the analysis window.
    assignments, events = logs
    early = assignments.iloc[:200].assign(arm=None, assigned_at=lambda d: d.assigned_at - 5 * DAY)
    lost = pd.DataFrame(  # a unit with three rows and never a variant: one unit, not 3 rows
        {"user": [10**6] * 3, "arm": [None] * 3, "assigned_at": [assignments.assigned_at[0]] * 3}
    )
    result = _analyze(pd.concat([assignments, early, lost], ignore_index=True), events)
    reference = _reference(assignments, events)
    np.testing.assert_allclose(numbers(result), numbers(reference), rtol=1e-9)
    assert result.warnings == ["1 unit(s) have no variant and were left out"]


def test_looks_and_accrual_start_at_the_real_assignment(
    logs: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    assignments, events = logs
    early = assignments.iloc[:200].assign(arm=None, assigned_at=lambda d: d.assigned_at - 5 * DAY)
    untimed = assignments.iloc[200:230].assign(user=lambda d: d.user + 10**6)
    untimed["assigned_at"] = pd.NaT
    exp = resolve(EVENT_SPEC)
    declared = exp.spec.experiments["checkout"]
    request = AssignmentRequest("assignments", declared.window_days, declared.pre_period_days)

    def daily(a: pd.DataFrame) -> Any:
        resolver = SourceResolver(Path.cwd(), {"assignments": a, "events": events})
        return daily_event_moments(resolver, exp.spec.sources, request, event_aggregates(exp))

    clean = daily(assignments)
    broken = daily(pd.concat([assignments, early, untimed], ignore_index=True))
    assert broken.dates == clean.dates
    assert broken.new_units() == clean.new_units()
    assert broken.no_timestamp == len(untimed)
    for variant in clean.moments:
        want = clean.total(variant)
        got = broken.total(variant)
        assert got.count == want.count
        np.testing.assert_allclose(got.mean, want.mean, rtol=1e-12)


def test_unit_ids_of_different_types_are_one_data_error(
    logs: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    assignments, events = logs
    text_ids = events.assign(user=events.user.astype(str))
    with pytest.raises(DataError, match=r"unit ids of source 'events' .* have different types"):
        _analyze(assignments, text_ids)


def test_an_events_file_with_a_header_only_is_one_data_error(
    tmp_path: Path, logs: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    assignments, events = logs
    assignments.to_csv(tmp_path / "assignments.csv", index=False)
    events.iloc[:0].to_csv(tmp_path / "events.csv", index=False)
    sources = {
        "assignments": {**EVENT_SPEC["sources"]["assignments"], "path": "assignments.csv"},
        "events": {**EVENT_SPEC["sources"]["events"], "path": "events.csv"},
    }
    for source in sources.values():
        source.pop("table")
    spec = {**EVENT_SPEC, "sources": sources}
    (tmp_path / "proxymetric.yaml").write_text(yaml.safe_dump(spec))
    with pytest.raises(DataError, match="a CSV file with a header only reads every column as text"):
        proxymetric.analyze(tmp_path / "proxymetric.yaml")
