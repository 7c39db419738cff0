"""``dist: classifier`` inputs: a rate measured on scored, labelled examples.

Reference: scipy.stats.beta with the Jeffreys parameters ``k + 1/2, n - k + 1/2`` of the counts
made here with numpy (Brown, Cai and DasGupta, Stat. Sci. 2001).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from proxymetric.errors import ProxymetricError
from proxymetric.spec.value import ClassifierInput
from proxymetric.value import classifier_rate, load_value_model


def _scores(tmp_path: Path, weight: bool = False) -> tuple[Path, pd.DataFrame]:
    rng = np.random.default_rng(1)
    y = rng.random(300) < 0.3
    frame = pd.DataFrame({"score": np.where(y, rng.beta(5, 2, 300), rng.beta(2, 5, 300)),
                          "label": y.astype(int)})  # fmt: skip
    if weight:
        frame["weight"] = rng.uniform(0.5, 3.0, 300)
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    return path, frame


@pytest.mark.parametrize(
    ("rate", "low", "high"),
    [("recall", 0.5, None), ("false_positive_rate", 0.5, None), ("recall", 0.3, 0.6)],
)
def test_the_rate_is_the_jeffreys_posterior_of_the_counts(
    tmp_path: Path, rate: str, low: float, high: float | None
) -> None:
    path, frame = _scores(tmp_path)
    members = frame[frame["label"] == (1 if rate == "recall" else 0)]
    hit = members["score"] >= low
    if high is not None:
        hit &= members["score"] < high
    k, n = int(hit.sum()), len(members)
    spec = ClassifierInput.model_validate(
        {"dist": "classifier", "scores": str(path), "rate": rate, "threshold": low,
         "threshold_high": high}
    )  # fmt: skip
    got = classifier_rate(spec)
    ref = stats.beta(k + 0.5, n - k + 0.5)
    assert got.mean == pytest.approx(ref.mean(), rel=1e-12)
    q = np.array([0.05, 0.5, 0.95])
    np.testing.assert_allclose(got.ppf(q), ref.ppf(q), rtol=1e-10)


def test_weights_count_as_kish_s_effective_size(tmp_path: Path) -> None:
    path, frame = _scores(tmp_path, weight=True)
    pos = frame[frame["label"] == 1]
    w = pos["weight"].to_numpy()
    n = w.sum() ** 2 / (w**2).sum()
    share = w[(pos["score"] >= 0.5).to_numpy()].sum() / w.sum()
    got = classifier_rate(ClassifierInput(dist="classifier", scores=str(path), rate="recall",
                                          threshold=0.5))  # fmt: skip
    assert (got.alpha, got.beta) == pytest.approx((n * share + 0.5, n * (1 - share) + 0.5))


def test_a_value_spec_reads_the_file_next_to_it(tmp_path: Path) -> None:
    _, frame = _scores(tmp_path)
    spec = tmp_path / "proxymetric.yaml"
    spec.write_text(
        "request: r\ngoal: g\nvalue:\n  draws: 1000\n  inputs:\n    items: 100\n"
        "    recall: {dist: classifier, scores: scores.csv, rate: recall, threshold: 0.5}\n"
        "  outcomes:\n    profit: items * recall\n",
        encoding="utf-8",
    )
    model, _ = load_value_model(spec)
    result = model.analyze(draws=20000, seed=0)
    pos = frame[frame["label"] == 1]
    k, n = int((pos["score"] >= 0.5).sum()), len(pos)
    mean = 100 * (k + 0.5) / (n + 1)
    # Monte Carlo mean within 4 standard errors of the exact mean
    sd = 100 * stats.beta(k + 0.5, n - k + 0.5).std()
    assert abs(result.summary("model").mean - mean) < 4 * sd / np.sqrt(20000)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 0.6, "threshold_high": 0.4}, "`threshold_high` == 0.4, must be >"),
        ({"scores": "missing.csv"}, "file not found"),
    ],
)
def test_bad_classifier_inputs_are_named(
    tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    path, _ = _scores(tmp_path)
    args: dict[str, object] = {"dist": "classifier", "scores": str(path), "rate": "recall",
                               "threshold": 0.5}  # fmt: skip
    args.update(kwargs)
    if kwargs.get("scores") == "missing.csv":
        args["scores"] = str(tmp_path / "missing.csv")
    with pytest.raises(ProxymetricError) as info:
        classifier_rate(ClassifierInput.model_validate(args))
    assert message in str(info.value)


def test_a_file_without_positives_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    pd.DataFrame({"score": [0.1, 0.2], "label": [0, 0]}).to_csv(path, index=False)
    spec = ClassifierInput(dist="classifier", scores=str(path), rate="recall", threshold=0.5)
    with pytest.raises(ProxymetricError, match="no positive example"):
        classifier_rate(spec)
