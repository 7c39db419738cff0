"""Filters: wrong types, huge literals, deep nesting and huge filters fail with one clear line.

Types are checked while a filter is translated (the operand that does not fit is named), its
size and nesting are bounded before it is parsed, and chains of AND/OR become balanced trees,
so a long list of alternatives is shallow for every engine. Valid filters keep their meaning:
each is checked against the same condition written in pandas.
"""

from __future__ import annotations

import copy
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import yaml
from typer.testing import CliRunner

import proxymetric
from proxymetric.cli import app
from proxymetric.data import translate_filter
from proxymetric.data.filters import MAX_DEPTH, MAX_LENGTH, MAX_PARENTHESES
from proxymetric.errors import DataError

from .test_events import EVENT_SPEC, make_logs

ROWS = pd.DataFrame(
    {
        "event": ["purchase", "view", "Purchase", None, "refund", "view"] * 5,
        "amount": [10.0, 0.0, 25.5, np.nan, -5.0, 3.0] * 5,
        "n": np.arange(30),
        "ok": [True, False] * 15,
        "ts": pd.date_range("2024-03-01", periods=30, freq="D"),
    }
)
TABLE = ibis.memtable(pa.Table.from_pandas(ROWS, preserve_index=False))

HOSTILE = [
    ("lower(amount) = 'x'", "lower() needs strings; got column 'amount' (float64)"),
    ("upper(n) = 'X'", "upper() needs strings; got column 'n' (int64)"),
    ("length(amount) > 1", "length() needs strings; got column 'amount' (float64)"),
    ("abs(event) > 1", "abs() needs numbers; got column 'event' (string)"),
    ("amount LIKE '1%'", "LIKE needs strings; got column 'amount' (float64)"),
    ("event > 5", "'>' cannot compare column 'event' (string) with 5 (a number)"),
    ("amount = 'abc'", "'=' cannot compare column 'amount' (float64) with 'abc' (a string)"),
    ("5 <> event", "'<>' cannot compare 5 (a number) with column 'event' (string)"),
    ("ok = 'yes'", "'=' cannot compare column 'ok' (boolean) with 'yes' (a string)"),
    ("ts > 5", "'>' cannot compare column 'ts' (timestamp"),
    ("ts > 5.5", "with 5.5 (a number)"),
    (
        "ts > 'soon'",
        "with 'soon' (a string) in filter \"ts > 'soon'\"; write a date or time as ISO 8601",
    ),
    ("amount IN (1, 'b')", "IN cannot compare column 'amount' (float64) with 'b' (a string)"),
    ("n BETWEEN 'a' AND 'b'", "BETWEEN cannot compare column 'n' (int64) with 'a' (a string)"),
    ("coalesce(amount, 'x') = 1", "coalesce() cannot compare column 'amount' (float64) with 'x'"),
    ("event + 1 > 0", "'+' needs numbers; got column 'event' (string)"),
    ("amount * ok > 0", "'*' needs numbers; got column 'ok' (boolean)"),
    ("-event = 'a'", "unary '-' needs numbers; got column 'event' (string)"),
    ("amount AND ok", "AND needs booleans; got column 'amount' (float64)"),
    ("ok OR event", "OR needs booleans; got column 'event' (string)"),
    ("NOT event", "NOT needs booleans; got column 'event' (string)"),
    ("n % 0 = 1", "cannot translate filter 'n % 0 = 1': integer modulo by zero"),
    ("event = 'abc", 'cannot parse filter "event = \'abc"'),
    (
        "amount > " + "9" * 40,
        "the integer '9999999999999999999999999999999999999999' is out of range",
    ),
    ("amount > " + "9" * 5000, "the integer '9999999999999999999999999999999999999..."),
    ("amount > 9223372036854775808", "integers must lie within +-9223372036854775807"),
    (
        "amount < 1e999",
        "the number '1e999' is out of range in filter 'amount < 1e999'; numbers must be finite",
    ),
    ("(" * 10_000 + "ok" + ")" * 10_000, f"a filter may have at most {MAX_LENGTH:,}"),
    (" OR ".join(f"n = {i}" for i in range(100_000)), "characters long; a filter may have at most"),
    (
        "(" * (MAX_PARENTHESES + 1) + "ok" + ")" * (MAX_PARENTHESES + 1),
        "nests 21 levels of parentheses",
    ),
    ("NOT " * 1000 + "ok", "nests too deeply to parse"),
    ("- " * 2000 + "n > 0", "nests too deeply to parse"),
    ("n" + " + 1" * 1000 + " > 0", f"nests deeper than {MAX_DEPTH} operations"),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE, ids=[f"{i}" for i in range(len(HOSTILE))])
def test_hostile_filters_fail_with_one_line(text: str, message: str) -> None:
    with pytest.raises(DataError) as info:
        translate_filter(text, TABLE, where="metric 'm'")
    got = str(info.value)
    assert got.startswith("metric 'm': ")
    assert message in got
    assert "\n" not in got
    assert len(got) < 600  # the filter is shown shortened, not whole


def _pandas(text: str) -> np.ndarray:
    """The same conditions, written by hand in pandas (SQL's NULL is False in a WHERE)."""
    e, a, n, ok, ts = (ROWS[c] for c in ("event", "amount", "n", "ok", "ts"))
    cases = {
        "event = 'purchase' AND amount > 0": (e == "purchase") & (a > 0),
        "lower(event) LIKE 'pur%' OR n % 7 = 0": e.str.lower()
        .str.startswith("pur")
        .fillna(value=False)
        | (n % 7 == 0),
        "event IN ('view', 'refund') AND NOT amount BETWEEN 1 AND 5": e.isin(["view", "refund"])
        & ~a.between(1, 5)
        & a.notna(),
        "coalesce(amount, -1) < 0": a.fillna(-1) < 0,
        "amount IS NULL OR -amount < -20": a.isna() | (-a < -20),
        "n + 1.5 > 20 AND ok = 1": (n + 1.5 > 20) & ok,
        "ts >= '2024-03-15' AND length(event) = 4": (ts >= "2024-03-15") & (e.str.len() == 4),
        "upper(event) = 'PURCHASE' AND abs(amount) <> 10": (e.str.upper() == "PURCHASE")
        & (a.abs() != 10),
        "n < 9223372036854775807 AND amount < 1.5e300": (n < 2**63 - 1) & (a < 1.5e300),
        # a long list of alternatives: 600 ORs become a balanced tree of depth 10
        " OR ".join(f"n = {i}" for i in range(0, 1200, 2)): n % 2 == 0,
        " AND ".join(f"n <> {i}" for i in range(1, 500, 3)): ~n.isin(range(1, 500, 3)),
        "(" * MAX_PARENTHESES + "ok" + ")" * MAX_PARENTHESES: ok,
        "n" + " + 1" * (MAX_DEPTH - 2) + " > 40": n + MAX_DEPTH - 2 > 40,  # depth MAX_DEPTH
    }
    return np.asarray(cases[text].fillna(value=False), dtype=bool)


VALID = [
    "event = 'purchase' AND amount > 0",
    "lower(event) LIKE 'pur%' OR n % 7 = 0",
    "event IN ('view', 'refund') AND NOT amount BETWEEN 1 AND 5",
    "coalesce(amount, -1) < 0",
    "amount IS NULL OR -amount < -20",
    "n + 1.5 > 20 AND ok = 1",
    "ts >= '2024-03-15' AND length(event) = 4",
    "upper(event) = 'PURCHASE' AND abs(amount) <> 10",
    "n < 9223372036854775807 AND amount < 1.5e300",
    " OR ".join(f"n = {i}" for i in range(0, 1200, 2)),
    " AND ".join(f"n <> {i}" for i in range(1, 500, 3)),
    "(" * MAX_PARENTHESES + "ok" + ")" * MAX_PARENTHESES,
    "n" + " + 1" * (MAX_DEPTH - 2) + " > 40",
]


@pytest.mark.parametrize("text", VALID, ids=[f"{i}" for i in range(len(VALID))])
def test_valid_filters_keep_their_meaning(text: str) -> None:
    assert len(text) <= MAX_LENGTH
    kept = TABLE.filter(translate_filter(text, TABLE))
    rows = kept.select("n").to_pyarrow().column("n").to_numpy()
    np.testing.assert_array_equal(np.sort(rows), ROWS["n"].to_numpy()[_pandas(text)])


def test_one_level_past_each_bound_is_refused() -> None:
    with pytest.raises(DataError, match=f"nests deeper than {MAX_DEPTH} operations"):
        translate_filter("n" + " + 1" * (MAX_DEPTH - 1) + " > 40", TABLE)
    longest = "n = 1 OR " + " " * (MAX_LENGTH - len("n = 1 OR ok")) + "ok"
    assert len(longest) == MAX_LENGTH
    translate_filter(longest, TABLE)
    with pytest.raises(DataError, match=f"is {MAX_LENGTH + 1:,} characters long"):
        translate_filter(longest + " ", TABLE)


def test_hostile_filters_through_analyze_are_one_data_error() -> None:
    assignments, events = make_logs(n_units=60, seed=1)
    for text, message in [
        ("lower(amount) = 'x'", "lower() needs strings; got column 'amount' (float64)"),
        ("event = 5", "'=' cannot compare column 'event' (string) with 5 (a number)"),
        ("(" * 30 + "amount > 0" + ")" * 30, "nests 30 levels of parentheses"),
    ]:
        spec = copy.deepcopy(EVENT_SPEC)
        spec["metrics"]["revenue"]["filter"] = text
        with pytest.raises(DataError) as info:
            proxymetric.analyze(spec, data={"assignments": assignments, "events": events})
        assert str(info.value).startswith("metric 'revenue': ")
        assert message in str(info.value)


def test_hostile_filters_in_the_cli_exit_2_with_one_line(tmp_path: Path) -> None:
    assignments, events = make_logs(n_units=60, seed=1)
    assignments.to_csv(tmp_path / "assignments.csv", index=False)
    events.to_csv(tmp_path / "events.csv", index=False)
    runner = CliRunner()
    for text in ["amount LIKE '1%'", "amount > " + "9" * 400, "NOT " * 1000 + "amount > 0"]:
        spec = copy.deepcopy(EVENT_SPEC)
        spec["sources"]["assignments"] = {
            **{k: v for k, v in spec["sources"]["assignments"].items() if k != "table"},
            "path": "assignments.csv",
        }
        spec["sources"]["events"] = {
            **{k: v for k, v in spec["sources"]["events"].items() if k != "table"},
            "path": "events.csv",
        }
        spec["metrics"]["buyer"]["filter"] = text
        path = tmp_path / "proxymetric.yaml"
        path.write_text(yaml.safe_dump(spec))
        for command in ("analyze", "plan"):
            result = runner.invoke(app, [command, str(path)])
            assert result.exit_code == 2, (command, result.output)
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1, (command, result.stderr)
            assert lines[0].startswith("error: metric 'buyer': "), (command, lines[0])


def test_the_guide_states_the_bounds(root: Path) -> None:
    guide = " ".join((root / "docs" / "warehouse.md").read_text().split())
    assert (
        f"A filter has at most {MAX_LENGTH:,} characters, {MAX_PARENTHESES} nested parentheses "
        f"and {MAX_DEPTH} nested operations"
    ) in guide
