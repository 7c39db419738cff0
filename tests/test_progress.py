"""Progress of long loops: the totals a reporter sees, and silence off a terminal or in JSON."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

import proxymetric.cli._common as common
from proxymetric._progress import Handle, current, reporting, task
from proxymetric.cli import app
from proxymetric.cli._common import OutputFormat, ProgressBars, progress_reporter


class Recorder:
    """A reporter that records every loop: its description, total and the steps advanced."""

    def __init__(self) -> None:
        self.loops: list[list[object]] = []
        self.open = 0

    def start(self, description: str, total: int) -> _Steps:
        self.open += 1
        self.loops.append([description, total, 0])
        return _Steps(self.loops[-1])

    def stop(self, handle: Handle) -> None:
        self.open -= 1


class _Steps:
    def __init__(self, record: list[object]) -> None:
        self.record = record

    def advance(self, amount: int = 1) -> None:
        self.record[2] = int(self.record[2]) + amount  # type: ignore[call-overload]


def _record(run: object) -> list[tuple[object, ...]]:
    recorder = Recorder()
    with reporting(recorder):
        run()  # type: ignore[operator]
    assert recorder.open == 0  # every loop was closed
    return [tuple(loop) for loop in recorder.loops]


def test_bradley_terry_reports_its_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    bt = importlib.import_module("proxymetric.pairwise.bradley_terry")
    from proxymetric.pairwise import Judgments, bradley_terry

    monkeypatch.setattr(bt, "_CHUNK_CELLS", 120)  # 12 (pair, outcome) cells: 10 rounds a chunk
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, 3000)
    b = (a + rng.integers(1, 4, 3000)) % 4
    j = Judgments.from_codes(a, b, (rng.random(3000) < 0.5).astype(float), np.arange(3000))
    rounds = 27  # several chunks of rounds and a partial last one
    assert _record(lambda: bradley_terry(j, n_bootstrap=rounds, ridge=0.1)) == [
        ("Bradley-Terry bootstrap rounds", rounds, rounds)
    ]


def test_offline_bootstrap_reports_its_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    import proxymetric.offline._bootstrap as boot
    from proxymetric.offline import evaluate

    monkeypatch.setattr(boot, "_CHUNK_ENTRIES", 100)  # 50 units: two rounds per chunk
    truth = {"unit": np.arange(50), "item": np.zeros(50, dtype=int), "relevance": np.ones(50)}
    preds = {"unit": np.arange(50), "item": np.zeros(50, dtype=int), "score": np.ones(50)}
    loops = _record(lambda: evaluate(preds, truth, k=1, n_bootstrap=101))
    assert loops == [("bootstrap rounds over units", 101, 101)]


def test_surrogate_impact_and_value_report_their_loops() -> None:
    from proxymetric.proxies.impact import _prior_error_variance
    from proxymetric.proxies.surrogate import surrogate_index
    from proxymetric.value import Normal, ValueModel

    rng = np.random.default_rng(0)
    group = np.repeat(["c", "t"], 200)
    s1 = rng.normal(size=400)
    data = {"group": group, "s1": s1, "y": 2 * s1 + rng.normal(size=400)}
    loops = _record(
        lambda: surrogate_index(
            data,
            long_term="y",
            surrogates=["s1"],
            group="group",
            treatment="t",
            control="c",
            n_bootstrap=333,
        )
    )
    assert loops == [("surrogate bootstrap rounds", 333, 333)]
    y, se = rng.normal(size=30), np.full(30, 0.1)
    loops = _record(lambda: _prior_error_variance(y, se, y > 0, rounds=70_001, seed=0))
    assert loops == [("prior bootstrap rounds", 70_001, 70_001)]
    model = ValueModel(inputs={"x": Normal(1.0, 1.0)}, outcomes={"profit": "2 * x"})
    loops = _record(lambda: model.analyze(draws=1000, seed=0))
    assert loops == [("value model Monte Carlo", 4, 4)]  # sampling, 1 alternative, 2 stages


def test_no_reporter_means_no_work() -> None:
    assert current() is None
    with task("anything", 10) as handle:
        handle.advance(10)  # the shared silent handle: nothing recorded, nothing raised
    with reporting(Recorder()):
        assert current() is not None
    assert current() is None


def test_bars_only_on_a_terminal_and_never_with_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "_is_terminal", lambda stream: True)
    assert isinstance(progress_reporter(OutputFormat.table), ProgressBars)
    assert isinstance(progress_reporter(OutputFormat.markdown), ProgressBars)
    assert progress_reporter(OutputFormat.json) is None
    monkeypatch.setattr(common, "_is_terminal", lambda stream: False)
    assert progress_reporter(OutputFormat.table) is None


def test_a_bar_is_drawn_on_a_terminal_console() -> None:
    out = io.StringIO()
    bars = ProgressBars(Console(file=out, force_terminal=True, width=80))
    with reporting(bars), task("rounds", 4) as handle:
        handle.advance(4)
    assert "rounds" in out.getvalue()


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_piped_command_writes_no_progress(tmp_path: Path, fmt: str) -> None:
    rng = np.random.default_rng(1)
    rows = ["item,system_a,system_b,winner"]
    rows += [f"q{i},x,y,{'a' if rng.random() < 0.6 else 'b'}" for i in range(60)]
    path = tmp_path / "j.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["pairwise", "analyze", str(path), "-b", "300", "-f", fmt])
    assert res.exit_code == 0, res.output
    assert res.stderr == ""


def test_only_the_command_line_and_renderers_import_rich() -> None:
    """Capabilities report progress through proxymetric._progress, never through rich."""
    import ast

    src = Path(common.__file__).resolve().parents[1]
    offenders = []
    for path in src.rglob("*.py"):
        package = path.relative_to(src).parts[0]
        if package in {"cli", "report"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "rich"]
    assert offenders == []


def test_the_weighted_policy_bootstraps_report_their_rounds() -> None:
    from proxymetric.classifier import PolicyCosts, evaluate_policy, find_policy

    rng = np.random.default_rng(1)
    score = rng.random(200)
    label = (rng.random(200) < score).astype(int)
    weight = rng.uniform(1, 3, 200)
    costs = PolicyCosts(missed=10.0, false_block=5.0, review=1.0)
    found = _record(lambda: find_policy(score, label, costs, weight=weight, n_bootstrap=21))
    assert ("policy bootstrap rounds (weighted examples)", 21, 21) in found
    fixed = _record(
        lambda: evaluate_policy(
            score, label, costs, t_low=0.3, t_high=0.8, weight=weight, n_bootstrap=20
        )
    )
    assert fixed == [("policy bootstrap rounds (weighted examples)", 20, 20)]
