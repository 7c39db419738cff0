"""The checker of pages is itself checked: it must reject wrong numbers, not only pass right ones."""

from __future__ import annotations

import pytest

from ._pages import number_errors, shown_error


@pytest.mark.parametrize(
    ("text", "scale", "value"),
    [
        ("-4.3%", 1.0, -0.0431),
        ("19.02%", 1.0, 0.19024),
        ("-0.82", 100.0, -0.008195),
        ("44,700", 1.0, 44700),
        ("$808k", 1.0, 807_900.0),
        ("-$6.3M", 1.0, -6_312_000.0),
        ("<0.0001", 1.0, 0.00002),
        ("1.2e-05", 1.0, 0.0000121),
        ("+0.35", 1.0, 0.3481),
    ],
)
def test_a_rounded_number_matches(text: str, scale: float, value: float) -> None:
    assert shown_error(text, scale, value) is None


@pytest.mark.parametrize(
    ("text", "scale", "value"),
    [
        ("-4.3%", 1.0, -0.0436),  # off by more than half the last digit
        ("4.3%", 1.0, -0.043),  # wrong sign
        ("-0.82", 1.0, -0.0082),  # percentage points shown without their scale
        ("$808k", 1.0, 809_000.0),
        ("<0.0001", 1.0, 0.0002),
        ("0.5", 1.0, None),  # a number shown for an undefined value
    ],
)
def test_a_wrong_number_is_caught(text: str, scale: float, value: float | None) -> None:
    assert shown_error(text, scale, value) is not None


def test_a_pointer_to_nothing_is_caught() -> None:
    assert number_errors([("/results/3/effect", "1.0", 1.0)], {"results": []})
