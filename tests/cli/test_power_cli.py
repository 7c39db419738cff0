"""``proxymetric power`` through the CLI runner, including every example in docs/power.md."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proxymetric.cli import app
from proxymetric.design import power_analysis
from proxymetric.report.json import SCHEMA_VERSION

DOCS = Path(__file__).resolve().parents[2] / "docs" / "power.md"
runner = CliRunner()


def _examples() -> list[tuple[str, list[str]]]:
    """Return (command, expected output lines) for every ``$ proxymetric`` line of the guide."""
    out: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", DOCS.read_text(), flags=re.DOTALL):
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, *expected = chunk.rstrip("\n").split("\n")
            out.append((command, expected))
    return out


@pytest.mark.parametrize(("command", "expected"), _examples())
def test_documented_examples(command: str, expected: list[str]) -> None:
    args = shlex.split(command)
    assert args[0] == "proxymetric"
    result = runner.invoke(app, args[1:])
    if expected and expected[0].startswith("error:"):
        assert result.exit_code == 2
        assert result.stderr.strip() == expected[0]
        assert "Traceback" not in result.output
        return
    assert result.exit_code == 0, result.output
    if expected and expected[0] == "{":
        assert json.loads(result.stdout) == json.loads("\n".join(expected))
    else:
        for line in expected:
            assert line in result.stdout


def test_json_fields_match_the_library() -> None:
    result = runner.invoke(
        app,
        ["power", "--type", "proportion", "--baseline", "0.05", "--units-per-variant", "150",
         "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    ref = power_analysis("proportion", 0.05, units_per_variant=150)
    for key in ("units_per_variant", "total_units", "mde", "rel_mde", "power"):
        assert data[key] == pytest.approx(getattr(ref, key))
    assert data["solved_for"] == "mde"


def test_options_reach_the_calculator() -> None:
    args = ["power", "--type", "mean", "--baseline", "2", "--sd", "3", "--mde", "0.1",
            "--alpha", "0.01", "--power", "0.9", "--variants", "3", "--treatment-ratio", "0.5",
            "--variance-reduction", "0.3", "--one-sided", "-f", "json"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    ref = power_analysis(
        "mean", 2.0, sd=3.0, mde=0.1, alpha=0.01, power=0.9, variants=3,
        treatment_ratio=0.5, variance_reduction=0.3, one_sided=True,
    )  # fmt: skip
    data = json.loads(result.stdout)
    assert data.pop("schema_version") == SCHEMA_VERSION
    assert data == json.loads(json.dumps(ref.to_dict()))


def test_markdown_output() -> None:
    result = runner.invoke(app, ["power", "--baseline", "10", "--sd", "10", "--mde", "1", "-f",
                                 "markdown"])  # fmt: skip
    assert result.exit_code == 0
    assert "| units per variant | 1,570 |" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "median", "--baseline", "1", "--mde", "1"], "`--type` must be one of"),
        (["--type", "mean", "--mde", "1"], "`--baseline` is required"),
        (["--type", "mean", "--baseline", "1", "--mde", "1"], "`sd` is required for a mean"),
        (["--type", "mean", "--baseline", "1", "--sd", "1"], "give the units"),
        (["--baseline", "1", "--sd", "1", "--mde", "1", "--alpha", "2"], "`alpha` == 2.0"),
        (
            [
                "--baseline",
                "1",
                "--sd",
                "1",
                "--mde",
                "1",
                "--units-per-variant",
                "50",
                "--power",
                "0.9",
            ],
            "not all three",
        ),
    ],
)
def test_user_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["power", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_power_at_alpha_is_one_error_line() -> None:
    args = ["power", "--baseline", "1", "--sd", "1", "--mde", "0.1", "--power", "0.04"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: `power` == 0.04, must be > `alpha` == 0.05: a test at level alpha rejects "
        "with probability alpha even when the effect is zero"
    )


def test_tiny_sd_plans_like_sd_one() -> None:
    # A problem scaled by 1e-200 needs the units of the same problem at sd 1.
    def units(scale: str, mde: str) -> int:
        args = ["power", "--baseline", "0", "--sd", scale, "--mde", mde, "--format", "json"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        return int(json.loads(result.stdout)["units_per_variant"])

    assert units("1e-200", "1e-200") == units("1", "1") == 16


def _table_rows(text: str) -> dict[str, str]:
    """Return the quantity -> value rows of the markdown table."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 2:
            rows[cells[0]] = cells[1]
    return rows


def _units(text: str) -> float:
    return float(text.replace(",", ""))


def test_an_unequal_split_shows_each_arms_units() -> None:
    # Reference: statsmodels' NormalIndPower with ratio = treatment / control units (nobs1 is
    # the control arm), for a mean metric with effect size mde / sd.
    import math

    from statsmodels.stats.power import NormalIndPower

    args = ["power", "--baseline", "10", "--sd", "4", "--mde", "0.5", "--treatment-ratio", "0.25"]
    result = runner.invoke(app, [*args, "-f", "markdown"])
    assert result.exit_code == 0, result.output
    rows = _table_rows(result.stdout)
    assert "units per variant" not in rows
    nobs1 = NormalIndPower().solve_power(effect_size=0.5 / 4, alpha=0.05, power=0.8, ratio=0.25)
    control, treatment = math.ceil(nobs1), math.ceil(0.25 * nobs1)
    assert _units(rows["control units"]) == control
    assert _units(rows["treatment units"]) == treatment
    assert _units(rows["total units"]) == control + treatment
    assert f"{control:,} control and {treatment:,} treatment units" in result.stdout
    table = runner.invoke(app, args).stdout
    assert "units per variant" not in table
    assert f"{control:,}" in table
    assert f"{treatment:,}" in table


def test_given_units_with_an_unequal_split_and_three_arms() -> None:
    # 3 variants x 1,000 units = 3,000 in all; with ratio 0.5 the control arm has
    # 3000 / (1 + 2 * 0.5) = 1,500 and each treatment arm 750. The MDE is statsmodels' effect
    # size at those arms, at alpha / 2 (Bonferroni over the two comparisons), times sd.
    from statsmodels.stats.power import NormalIndPower

    args = ["power", "--baseline", "10", "--sd", "4", "--units-per-variant", "1000",
            "--variants", "3", "--treatment-ratio", "0.5", "-f", "markdown"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = _table_rows(result.stdout)
    assert (rows["control units"], rows["units per treatment arm"]) == ("1,500", "750")
    size = NormalIndPower().solve_power(nobs1=1500, alpha=0.025, power=0.8, ratio=0.5)
    assert float(rows["MDE (absolute)"]) == pytest.approx(4 * size, rel=1e-3)
    assert "1,500 control and 750 units in each treatment arm" in result.stdout


def test_an_even_split_keeps_units_per_variant() -> None:
    result = runner.invoke(app, ["power", "--baseline", "10", "--sd", "4", "--mde", "0.5",
                                 "--treatment-ratio", "1", "-f", "markdown"])  # fmt: skip
    rows = _table_rows(result.stdout)
    assert "control units" not in rows
    assert 2 * _units(rows["units per variant"]) == _units(rows["total units"])
