"""The `value:` section: loading, and errors that name the file, the line and the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from proxymetric.errors import SpecError
from proxymetric.value import Beta, LogNormal, Normal, Pert, ValueModel, load_value_model


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "proxymetric.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GOOD = """\
value:
  currency: $
  seed: 3
  draws: 5000
  risk_limit: 0.2
  inputs:
    users: 1000
    lift: {dist: normal, p05: 0.0, p95: 0.04}
    value: {dist: lognormal, median: 50, p90: 80}
    recall: {dist: beta, mean: 0.8, sd: 0.05, ideal: 1.0}
    cost: {dist: pert, low: 300, mode: 400, high: 700}
    flat: {dist: constant, value: 2}
  outcomes:
    profit: users * lift * value * recall - cost + 0 * flat
  break_even:
    - {input: lift}
"""


def test_a_value_section_builds_the_declared_model(tmp_path: Path) -> None:
    model, spec = load_value_model(_write(tmp_path, GOOD))
    assert (spec.seed, spec.draws, spec.currency, spec.risk_limit) == (3, 5000, "$", 0.2)
    inputs = model.scopes["model"].inputs
    assert inputs["lift"][1].distribution == Normal.from_interval(0.0, 0.04)
    assert inputs["value"][1].distribution == LogNormal.from_median_p90(50, 80)
    assert inputs["recall"][1].distribution == Beta.from_mean_sd(0.8, 0.05)
    assert inputs["recall"][1].ideal == 1.0
    assert inputs["cost"][1].distribution == Pert(300, 400, 700)
    result = model.analyze(draws=spec.draws, seed=spec.seed)
    assert [b.input for b in result.break_even] == ["lift"]
    assert result.headroom[0].ideal_inputs == ("recall",)


def test_an_explicit_measured_effect_is_normal(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
        value:
          inputs:
            lift: {dist: effect, estimate: 0.012, standard_error: 0.004}
          outcomes:
            profit: lift
        """,
    )
    model, _ = load_value_model(path)
    assert model.scopes["model"].inputs["lift"][1].distribution == Normal(0.012, 0.004)


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            """\
            value:
              inputs:
                a: 1
                b: {dist: gamma, shape: 2}
              outcomes: {profit: a}
            """,
            4,
            (
                "`value.inputs.b`: Input tag 'gamma' found using 'dist' does not match any of "
                "the expected tags: 'constant', 'normal', 'lognormal'"
            ),
        ),
        (
            """\
            value:
              inputs:
                a: {mean: 3}
              outcomes: {profit: a}
            """,
            3,
            "`value.inputs.a` must be a number or a mapping with `dist:`",
        ),
        (
            """\
            value:
              inputs:
                a: {dist: normal, mean: 1, sd: 1, colour: red}
              outcomes: {profit: a}
            """,
            3,
            "unknown key 'colour' in `value.inputs.a`",
        ),
        (
            """\
            value:
              inputs:
                a: {dist: normal, mean: 1}
              outcomes: {profit: a}
            """,
            3,
            "input `a`: a normal needs `mean` and `sd`, or `p05` and `p95`",
        ),
        (
            """\
            value:
              inputs:
                a: {dist: lognormal, median: 5, p90: 4}
              outcomes: {profit: a}
            """,
            3,
            "input `a`: `p90` == 4.0, must be > `median` (5.0)",
        ),
        (
            """\
            value:
              inputs:
                a: 1
              outcomes:
                other: a
                profit: __import__('os').system('rm -rf /')
            """,
            6,
            "outcome `profit`: formula",
        ),
        (
            """\
            value:
              inputs:
                a: 1
              alternatives:
                bot:
                  outcomes:
                    profit: a + cosst
            """,
            7,
            "outcome `profit` uses unknown name `cosst` in alternative `bot`",
        ),
        (
            """\
            value:
              inputs: {a: 1}
              outcomes: {profit: a}
              risk_limit: 2
            """,
            4,
            "`value.risk_limit`: Input should be less than or equal to 1",
        ),
        (
            """\
            value:
              inputs: {a: 1}
              outcomes: {profit: [a]}
            """,
            3,
            "`value.outcomes.profit`: input should be a valid string; got ['a']",
        ),
        (
            """\
            value:
              outcomes: {profit: 1}
            """,
            1,
            "`inputs` is required in `value`",
        ),
        (
            """\
            value:
              inputs: {lift: {dist: effect, experiment: test}}
              outcomes: {profit: lift}
            """,
            2,
            "input `lift`: an effect needs `estimate` and `standard_error`",
        ),
        (
            """\
            sources: {}
            """,
            None,
            "the spec has no `value:` section",
        ),
        (
            """\
            value:
              inputs: [1, 2
            """,
            3,
            "invalid YAML",
        ),
    ],
)
def test_errors_name_file_line_and_key(
    tmp_path: Path, body: str, line: int | None, message: str
) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(SpecError) as info:
        load_value_model(path)
    assert info.value.file == str(path)
    assert info.value.line == line
    assert message in str(info.value)


def test_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="spec file not found"):
        load_value_model(tmp_path / "nope.yaml")


def test_numbers_as_outcomes_are_constants(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
        value:
          inputs: {a: {dist: uniform, low: 0, high: 1}}
          outcomes: {profit: benefit - a}
          alternatives:
            nothing: {outcomes: {benefit: 0}}
            something: {outcomes: {benefit: 2}}
        """,
    )
    model, _ = load_value_model(path)
    sims = model.simulate(1000, seed=0)
    np.testing.assert_allclose(sims["something"]["profit"] - sims["nothing"]["profit"], 2.0)


ADS_DATA = Path(__file__).resolve().parents[2] / "examples" / "ads-load" / "ads_test.csv.gz"


def _linked(tmp_path: Path, effect: str) -> Path:
    return _write(
        tmp_path,
        f"""\
        sources:
          users: {{path: {ADS_DATA}, unit: user_id, variant: variant}}
        metrics:
          revenue: {{type: mean, source: users, column: revenue}}
        experiments:
          test: {{control: ads_3, primary: revenue}}
        value:
          inputs:
            lift: {effect}
          outcomes:
            profit: lift
        """,
    )


def test_linked_effect_takes_the_analysed_estimate(tmp_path: Path) -> None:
    # Reference: the analysis of the same experiment (its `effect` and `effect_se`).
    from proxymetric.analysis import analyze

    path = _linked(tmp_path, "{dist: effect, experiment: test, metric: revenue}")
    model, _ = load_value_model(path)
    (row,) = analyze(path, "test").results
    assert model.scopes["model"].inputs["lift"][1].distribution == Normal(row.effect, row.effect_se)


def _experiment_spec(tmp_path: Path, experiment: str) -> Path:
    return _write(
        tmp_path,
        f"""\
        sources:
          users: {{path: {ADS_DATA}, unit: user_id, variant: variant}}
        metrics:
          revenue: {{type: mean, source: users, column: revenue}}
          sessions: {{type: mean, source: users, column: sessions}}
        experiments:
          test: {experiment}
        value:
          inputs:
            lift: {{dist: effect, experiment: test, metric: revenue}}
          outcomes:
            profit: 1000 * lift
        """,
    )


@pytest.mark.parametrize(
    ("experiment", "warning"),
    [
        # Revenue per user is 9.9% higher with the fourth ad: the analysis ships.
        ("{control: ads_3, primary: revenue}", ""),
        # Sessions fall 2.4% (significantly): the analysis rolls the same change back.
        (
            "{control: ads_3, primary: sessions, secondary: [revenue]}",
            (
                "Caution: input `lift` is an effect measured by experiment `test`, which "
                "`proxymetric analyze` rolls back (primary_worse: sessions"
            ),
        ),
        # 20,000 / 20,000 units against a declared 30/70 split: a sample ratio mismatch.
        (
            "{control: ads_3, primary: revenue, split: {ads_3: 0.3, ads_4: 0.7}}",
            (
                "Caution: input `lift` is an effect measured by experiment `test`, whose sample "
                "ratio mismatch means its effects cannot be trusted (sample_ratio_mismatch"
            ),
        ),
    ],
)
def test_value_says_what_analyze_decided_on_a_linked_experiment(
    tmp_path: Path, experiment: str, warning: str
) -> None:
    # Reference: the decision of `analyze` on the same experiment.
    from proxymetric.analysis import analyze

    path = _experiment_spec(tmp_path, experiment)
    decision = analyze(path, "test")
    model, _ = load_value_model(path)
    result = model.analyze(draws=1000, seed=0)
    (linked,) = result.experiments
    assert linked.experiment == "test"
    assert linked.inputs == ("lift",)
    assert linked.decision == decision.decision.verdict
    assert linked.srm_mismatch is decision.srm.mismatch
    assert linked.reasons == tuple(
        f"{r.code}: {r.metric}" if r.metric else r.code for r in decision.decision.reasons
    )
    assert linked.warning.startswith(warning)
    assert bool(linked.warning) is (decision.decision.verdict != "ship")
    text = result.recommendation.text
    assert text.startswith(warning) if warning else "Caution" not in text
    assert result.to_dict()["experiments"][0]["decision"] == decision.decision.verdict


def test_value_without_linked_experiments_lists_none() -> None:
    model = ValueModel(inputs={"x": Normal(1.0, 1.0)}, outcomes={"profit": "x"})
    result = model.analyze(draws=1000, seed=0)
    assert result.experiments == ()
    assert "Caution" not in result.recommendation.text


@pytest.mark.parametrize(
    ("effect", "message"),
    [
        (
            "{dist: effect, experiment: test, metric: sessions}",
            (
                "input `lift`: `metric` 'sessions' is not analysed in experiment 'test'; "
                "its metrics: revenue"
            ),
        ),
        (
            "{dist: effect, experiment: test, metric: revenue, variant: ads_9}",
            (
                "input `lift`: `variant` 'ads_9' is not a treatment of experiment 'test'; "
                "treatments: ads_4"
            ),
        ),
        ("{dist: effect, experiment: nope, metric: revenue}", "input `lift`: "),
    ],
)
def test_linked_effect_errors_are_located(tmp_path: Path, effect: str, message: str) -> None:
    path = _linked(tmp_path, effect)
    with pytest.raises(SpecError) as info:
        load_value_model(path)
    assert info.value.line == 9
    assert message in str(info.value)


def test_python_api_reads_and_builds_separately(tmp_path: Path) -> None:
    from proxymetric.value import model_from_spec, read_value_spec

    spec = read_value_spec(_write(tmp_path, GOOD))
    model = model_from_spec(spec)
    assert model.alternatives == ("model",)
    bad = spec.model_copy(update={"objective": "gain"})
    with pytest.raises(SpecError, match="`objective` 'gain' is not defined"):
        model_from_spec(bad)
