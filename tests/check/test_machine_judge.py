"""`check`: a blind test judged by a machine is a proxy with an oracle question of its own."""

from __future__ import annotations

import pytest

from tests.check.test_scorecard import _blind, base, card


@pytest.mark.parametrize("who", ["GPT-4o judge", "an LLM", "our reward model", "auto classifier"])
def test_a_machine_judge_warns_and_points_to_the_correction(who: str) -> None:
    spec = _blind(base(), 300)
    spec["evaluations"]["preference"]["computed_by"] = who
    c = card(spec).row("preference").cell("external_oracle")
    assert c.status == "warn"
    assert c.reason == (
        f"judged blind by {who}, an automatic judge; definition owned by analytics; a "
        "machine's judgment is a proxy of people's, with an oracle question of its own"
    )
    assert "proxymetric judges" in (c.advice or "")


@pytest.mark.parametrize("who", ["raters", "employees", "modelling team's raters"])
def test_people_judging_still_pass(who: str) -> None:
    spec = _blind(base(), 300)
    spec["evaluations"]["preference"]["computed_by"] = who
    assert card(spec).row("preference").cell("external_oracle").status == "pass"
