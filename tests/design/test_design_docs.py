"""The Python examples of docs/power.md and docs/sequential.md run as doctests."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("name", ["power.md", "sequential.md"])
def test_guide_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DOCS.parent)  # the examples read bundled data from the repository root
    text = (DOCS / name).read_text()
    blocks = re.findall(r"```pycon\n(.*?)```", text, flags=re.DOTALL)
    assert blocks, f"{name} has no runnable example"
    parser = doctest.DocTestParser()
    test = parser.get_doctest("\n".join(blocks), {}, name, str(DOCS / name), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0, f"{runner.failures} example(s) of {name} failed (see output)"
