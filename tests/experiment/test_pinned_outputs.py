"""The outputs of analyze, plan and the sequential looks stay as pinned.

The pinned files (``pinned/*.json``) were written by ``pinned_outputs.py`` before the experiment
layer was redesigned; a difference is a change of meaning, made only on purpose (the pinned file
is then regenerated in the same commit, which says what changed). Numbers are compared to 1e-9
relative (the same sums in a different order), everything else exactly.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from .pinned_outputs import OUTPUTS, PINNED, output


def _compare(got: Any, want: Any, path: str) -> list[str]:
    if isinstance(want, dict) and isinstance(got, dict):
        diffs = [f"{path}.{k}: missing" for k in want if k not in got]
        diffs += [f"{path}.{k}: new" for k in got if k not in want]
        for k in want.keys() & got.keys():
            diffs += _compare(got[k], want[k], f"{path}.{k}")
        return diffs
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return [f"{path}: {len(got)} items, pinned {len(want)}"]
        return [
            d
            for i, (g, w) in enumerate(zip(got, want, strict=True))
            for d in _compare(g, w, f"{path}[{i}]")
        ]
    numbers = (int, float)
    if isinstance(want, numbers) and isinstance(got, numbers) and not isinstance(want, bool):
        if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
            return []
        return [f"{path}: {got!r}, pinned {want!r}"]
    return [] if got == want else [f"{path}: {got!r}, pinned {want!r}"]


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_output_is_as_pinned(name: str) -> None:
    pinned = json.loads((PINNED / f"{name}.json").read_text())
    diffs = _compare(output(name), pinned, name)
    assert not diffs, "\n".join(diffs[:40])
