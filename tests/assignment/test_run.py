"""An experiment's assignment from its spec: weights, salt, ids from a file or its source.

References: the Python function (itself checked against the documented scheme in
test_hashing.py) for every written row, ``scipy.stats.chisquare`` for the SRM p-value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv
import pyarrow.parquet
import pytest
from scipy import stats

from proxymetric.assignment import assign, assign_experiment, assignment_plan, experiment_sql
from proxymetric.errors import DataError, ProxymetricError, SpecError

ROOT = Path(__file__).resolve().parents[2]
COOKIE = ROOT / "examples" / "cookie-cats" / "proxymetric.yaml"


def spec(**experiment: Any) -> dict[str, Any]:
    exp = {"control": "control", "primary": "m", "variants": ["control", "treatment"]}
    return {
        "sources": {"units": {"table": "units", "unit": "user", "variant": "arm"}},
        "metrics": {"m": {"type": "mean", "source": "units", "column": "y"}},
        "experiments": {"launch": {**exp, **experiment}},
    }


def test_the_plan_takes_the_split_in_the_order_of_the_variants_and_the_name_as_salt() -> None:
    p = assignment_plan(
        spec(variants=["control", "a", "b"], split={"b": 0.2, "a": 0.3, "control": 0.5})
    )
    assert p.weights == {"control": 0.5, "a": 0.3, "b": 0.2}
    assert p.salt == "launch"
    assert assignment_plan(spec(salt="launch-v2")).salt == "launch-v2"
    assert assignment_plan(spec()).weights == {"control": 0.5, "treatment": 0.5}


def test_a_split_that_does_not_sum_to_one_is_refused() -> None:
    with pytest.raises(
        ProxymetricError, match=r"^`split` of experiment `launch` must sum to 1; got 2"
    ):
        assignment_plan(spec(split={"control": 1, "treatment": 1}))


def test_an_experiment_without_variants_or_split_is_refused() -> None:
    with pytest.raises(ProxymetricError, match="declares neither `variants` nor `split`"):
        assignment_plan(spec(variants=None))


def test_an_empty_salt_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="salt"):
        assignment_plan(spec(salt=""))


def test_the_experiment_s_own_source_is_assigned_in_the_engine_as_python_does(
    tmp_path: Path,
) -> None:
    users = [f"u{i}" for i in range(3000)]
    data = {"units": pa.table({"user": users + users[:10], "arm": ["x"] * 3010, "y": [1.0] * 3010})}
    out = tmp_path / "assignment.parquet"
    result = assign_experiment(spec(split={"control": 0.8, "treatment": 0.2}), data=data, write=out)
    written = pyarrow.parquet.read_table(out).to_pylist()
    assert [r["user"] for r in written] == sorted(users)  # distinct ids, sorted
    expected = dict(
        zip(users, assign(users, {"control": 0.8, "treatment": 0.2}, "launch"), strict=True)
    )
    assert {r["user"]: r["variant"] for r in written} == expected
    counts = [sum(v == arm for v in expected.values()) for arm in ("control", "treatment")]
    assert result.variant_units == dict(zip(("control", "treatment"), counts, strict=True))
    assert result.units == 3000
    assert result.srm.pvalue == pytest.approx(stats.chisquare(counts, [2400, 600]).pvalue, rel=1e-9)


def test_ids_from_a_csv_file_column(tmp_path: Path) -> None:
    ids = tmp_path / "ids.csv"
    pyarrow.csv.write_csv(pa.table({"account": list(range(500)), "other": ["x"] * 500}), ids)
    out = tmp_path / "out.csv"
    result = assign_experiment(spec(), ids=ids, column="account", write=out)
    rows = pyarrow.csv.read_csv(out).to_pylist()
    assert [r["variant"] for r in rows] == assign(
        range(500), {"control": 0.5, "treatment": 0.5}, "launch"
    )
    assert result.id_column == "account"
    assert result.output == str(out)


def test_cookie_cats_units_are_reassigned_evenly() -> None:
    result = assign_experiment(COOKIE)
    assert result.units == 90_189
    assert not result.srm.mismatch


@pytest.mark.parametrize(
    ("table", "column", "message"),
    [
        (pa.table({"id": ["a"]}), "user", "id column 'user' not found in file .*; columns: id"),
        (pa.table({"user": [1.5]}), "user", "must hold text or integers; got float64"),
        (pa.table({"user": ["a", None]}), "user", "has 1 missing ids; fill or drop them"),
    ],
)
def test_bad_files_of_ids_are_named(
    tmp_path: Path, table: pa.Table, column: str, message: str
) -> None:
    path = tmp_path / "ids.parquet"
    pyarrow.parquet.write_table(table, path)
    with pytest.raises(DataError, match=message):
        assign_experiment(spec(), ids=path, column=column)


def test_a_missing_file_of_ids_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"file of ids not found: .*nope\.csv"):
        assign_experiment(spec(), ids=tmp_path / "nope.csv")


def test_the_sql_of_an_experiment_uses_its_unit_column() -> None:
    assert '"userid"' in experiment_sql(COOKIE, dialect="postgres")
    assert "'gate-40:gate_30:'" in experiment_sql(COOKIE)
    assert 'FROM "players"' in experiment_sql(COOKIE, table="players")


def test_an_assignment_file_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    data = {"units": pa.table({"user": ["a"], "arm": ["x"], "y": [1.0]})}
    target = tmp_path / "missing-folder" / "out.csv"
    with pytest.raises(ProxymetricError, match=r"^`write` '.*out\.csv' cannot be written: "):
        assign_experiment(spec(), data=data, write=target)
