"""The moderation example quotes the numbers the code computes on the bundled data."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from proxymetric.classifier import find_policy, half_width, labels_needed
from proxymetric.cli.classify import read_policy_file
from proxymetric.value import format_money

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "nsfw-moderation"
README = (EXAMPLE / "README.md").read_text(encoding="utf-8")
TEXT = " ".join(README.split())  # line breaks of the markdown do not matter


def _quoted(text: str) -> None:
    assert " ".join(text.split()) in TEXT, text


def test_the_bundled_collection_is_the_published_one() -> None:
    # Reference: the counts of the published collection (5,574 messages, 747 spam).
    data = pd.read_csv(
        ROOT / "examples" / "data" / "sms-spam" / "sms_spam.tsv.gz",
        sep="\t",
        quoting=csv.QUOTE_NONE,
    )
    assert len(data) == 5574
    assert (data["label"] == "spam").sum() == 747
    scores = pd.read_csv(EXAMPLE / "sms_scores.csv.gz")
    assert len(scores) == 3716
    assert int(scores["label"].sum()) == 498
    assert set(scores["id"]) <= set(range(5574))
    _quoted("3,716 labelled examples, 498 spam (13.4%)")


def test_readme_quotes_the_policy() -> None:
    declared = read_policy_file(EXAMPLE / "policy.yaml")
    cur = declared.pop("currency")
    data = pd.read_csv(EXAMPLE / "sms_scores.csv.gz")
    s, y = data["score"].to_numpy(), data["label"].to_numpy()
    r = find_policy(s, y, n_bootstrap=1000, seed=0, **declared)
    best, model, humans = (r.policy(n) for n in ("best", "model_only", "humans_only"))

    def money(x: float) -> str:
        return format_money(x, cur)

    def interval(lo: float, hi: float) -> str:
        return f"[{money(lo)}, {money(hi)}]"

    for p, label in ((best, "model + review band"), (model, "model only")):
        _quoted(
            f"| {label} | {p.t_low:.6g} | {p.t_high:.6g} | {p.reviews_per_day:,.0f} | "
            f"{p.recall:.1%} | {p.precision:.1%} | {p.false_blocks_per_day:,.0f} | "
            f"{money(p.profit)} {interval(p.profit_ci_lower, p.profit_ci_upper)} |"
        )
    _quoted(
        f"| humans only | | | {humans.reviews_per_day:,.0f} | {humans.recall:.1%} | "
        f"{humans.precision:.1%} | {humans.false_blocks_per_day:,.0f} | {money(humans.profit)} "
        f"{interval(humans.profit_ci_lower, humans.profit_ci_upper)} |"
    )
    _quoted(f"**{money(best.profit)} a day** against doing nothing")
    _quoted(
        f"gains **{money(r.gain_over_model_only)} a day** (95% interval "
        f"{money(r.gain_over_model_only_ci_lower)} to {money(r.gain_over_model_only_ci_upper)})"
    )
    _quoted(
        f"gains **{money(r.gain_over_humans_only)} a day** "
        f"({money(r.gain_over_humans_only_ci_lower)} to "
        f"{money(r.gain_over_humans_only_ci_upper)})"
    )
    _quoted(f"look {money(best.optimism)} a day better")
    _quoted(f"is {money(best.apparent_profit_ci_lower)} to {money(best.apparent_profit_ci_upper)}.")
    assert best.reviews_per_day <= 20_000
    # the value model's measured rates are read at these thresholds
    spec = (EXAMPLE / "proxymetric.yaml").read_text(encoding="utf-8")
    for key, value in (
        ("threshold", best.t_high), ("threshold", best.t_low),
        ("threshold_high", best.t_high), ("threshold", model.t_high),
    ):  # fmt: skip
        assert f"{key}: {value:.6g}," in spec, (key, value)
    # precision of the model alone at the sample's prevalence (closed form from its rates)
    t = model.t_high
    rec, fpr = float(np.mean(s[y == 1] >= t)), float(np.mean(s[y == 0] >= t))
    pi = float(np.mean(y))
    _quoted(f"the model alone is **{pi * rec / (pi * rec + (1 - pi) * fpr):.1%}** precise")
    # the cost curve
    none, at = r.curve[0], r.curve[14]
    _quoted(f"the model alone ({money(none.apparent_profit)} a day in-sample)")
    _quoted(f"to {money(at.apparent_profit)} at {at.reviews_per_day:,.0f} reviews a day")


def test_readme_quotes_the_labels_needed() -> None:
    hw = half_width("recall", 3716, expected=0.917, prevalence=498 / 3716)
    _quoted(f"about **±{hw * 100:.1f} points** (95%)")
    need = labels_needed("recall", 0.02, expected=0.917, prevalence=0.02)
    _quoted(f"needs **{need.subset_needed:,} bad items**")
    _quoted(f"**{need.labels:,} randomly drawn labelled messages**")
