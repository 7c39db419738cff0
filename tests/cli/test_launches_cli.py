"""`--launch NAME` on the commands that measure a launch, and `proxymetric proxies --chain`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from proxymetric.cli import app
from proxymetric.proxies.chain import simulate_launches
from proxymetric.registry import Registry

RUNNER = CliRunner()


def _offline_files(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    units, items = np.meshgrid(np.arange(40), np.arange(8), indexing="ij")
    rating = rng.integers(1, 6, units.size)
    truth = tmp_path / "truth.csv"
    truth.write_text(
        "unit,item,rating\n"
        + "".join(
            f"{u},{i},{r}\n" for u, i, r in zip(units.ravel(), items.ravel(), rating, strict=True)
        )
    )
    lines = ["model,unit,item,score,predicted_rating"]
    for name, sd in (("old", 2.0), ("new", 1.0)):
        guess = rating + rng.normal(0, sd, units.size)
        lines += [
            f"{name},{u},{i},{g},{g}"
            for u, i, g in zip(units.ravel(), items.ravel(), guess, strict=True)
        ]
    predictions = tmp_path / "predictions.csv"
    predictions.write_text("\n".join(lines) + "\n")
    return predictions, truth


def test_every_command_records_its_level(
    tmp_path: Path, root: Path, cookie_cats_spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "r.db")
    predictions, truth = _offline_files(tmp_path)
    offline = RUNNER.invoke(
        app,
        [
            "offline",
            "--predictions",
            str(predictions),
            "--truth",
            str(truth),
            "--k",
            "5",
            "--bootstrap",
            "50",
            "--baseline",
            "old",
            "--launch",
            "L1",
            "-r",
            db,
            "-f",
            "json",
        ],
    )
    assert offline.exit_code == 0, offline.output
    assert "recorded" in offline.stderr
    assert "launch L1 at level offline" in offline.stderr
    json.loads(offline.stdout)  # the result is still printed as it was
    example = root / "examples" / "interleaving-movielens"
    lines = (example / "judgments.csv").read_text().splitlines()
    two = tmp_path / "two.csv"
    two.write_text("\n".join([lines[0], *(x for x in lines[1:] if "popularity" not in x)]) + "\n")
    blind_args = ["pairwise", "analyze", str(two), "-b", "20", "--launch", "L1"]
    blind = RUNNER.invoke(app, [*blind_args, "--baseline", "EASE", "-r", db])
    assert blind.exit_code == 0, blind.output
    click_args = ["interleave", "analyze", str(example / "clicks.csv"), "-b", "100"]
    clicks = RUNNER.invoke(app, [*click_args, "--launch", "L1", "-r", db])
    assert clicks.exit_code == 0, clicks.output
    monkeypatch.chdir(tmp_path)
    ab = RUNNER.invoke(app, ["analyze", str(cookie_cats_spec), "--launch", "L1", "-r", db])
    assert ab.exit_code == 0, ab.output
    assert "its effects are results of launch L1" in ab.stderr
    csv = tmp_path / "long.csv"
    csv.write_text("launch,level,metric,effect,effect_se\nL1,long_term,retention_30,0.01,0.004\n")
    imported = RUNNER.invoke(
        app, ["registry", "import", str(csv), "--source", "launches", "-r", db]
    )
    assert imported.exit_code == 0, imported.output
    assert "imported 1 launch results from long.csv" in imported.stdout
    levels = {(r.level, r.command) for r in Registry(db).launch_results("L1")}
    assert levels == {
        ("offline", "offline"),
        ("blind", "pairwise"),
        ("interleaving", "interleave"),
        ("ab", "analyze"),
        ("north_star", "analyze"),
        ("long_term", "import"),
    }


@pytest.fixture(scope="module")
def chain_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("chain") / "r.db")
    sim = simulate_launches(60, noise_correlation=0.0, seed=3)
    Registry(path).record_launches(
        [
            {
                "launch": r.launch,
                "level": r.level,
                "metric": r.metric,
                "effect": r.effect,
                "effect_se": r.effect_se,
            }
            for r in sim.results
        ]
    )
    return path


def test_chain_json_markdown_table_and_html(chain_db: str, tmp_path: Path) -> None:
    args = ["proxies", "--chain", "-r", chain_db, "-b", "100"]
    args += ["--cost", "offline=1", "--cost", "ab=50", "--cost", "north_star=200"]
    res = RUNNER.invoke(app, [*args, "--budget", "60", "-f", "json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["target"] == "north_star:north_star_metric"
    assert rep["n_launches"] == 60
    assert [(lk["lower_step"], lk["upper_step"]) for lk in rep["links"]] == [
        ("offline:offline_metric", "ab:ab_metric"),
        ("ab:ab_metric", "north_star:north_star_metric"),
    ]
    assert rep["recommended_step"] == "ab:ab_metric"
    assert rep["noise_covariance"] == "independent"
    md = RUNNER.invoke(app, [*args, "--budget", "60", "-f", "markdown"])
    assert md.exit_code == 0, md.output
    assert "## How each level predicted the next" in md.stdout
    assert "decide at ab:ab_metric within a budget of 60 per decision" in md.stdout
    table = RUNNER.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "Where to decide for north_star:north_star_metric" in table.stdout
    page = tmp_path / "chain.html"
    html = RUNNER.invoke(app, [*args, "-f", "html", "-o", str(page)])
    assert html.exit_code == 0, html.output
    assert "How each level predicted the next" in page.read_text()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([], "missing option `--north-star`"),
        (["--chain", "--cost", "offline"], "`--cost` must be LEVEL=NUMBER"),
        (["--chain", "--target", "long_term"], "`target` must be one step of the chain"),
        (["--chain", "--budget", "-1"], "`budget` == -1.0, must be >= 0"),
    ],
)
def test_chain_errors_are_one_line(chain_db: str, extra: list[str], message: str) -> None:
    res = RUNNER.invoke(app, ["proxies", "-r", chain_db, *extra])
    assert res.exit_code == 2
    assert res.stderr.startswith("error: ")
    assert message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_launch_errors_are_one_line(tmp_path: Path, root: Path) -> None:
    db = str(tmp_path / "r.db")
    judgments = root / "examples" / "interleaving-movielens" / "judgments.csv"
    res = RUNNER.invoke(app, ["pairwise", "analyze", str(judgments), "-b", "20", "--launch", "L"])
    assert res.exit_code == 2
    assert "the blind test has 3 systems" in res.stderr
    clicks = root / "examples" / "interleaving-movielens" / "clicks.csv"
    res = RUNNER.invoke(
        app, ["interleave", "analyze", str(clicks), "--launch", "L", "--baseline", "c", "-r", db]
    )
    assert res.exit_code == 2
    assert "`--baseline` must be 'a' or 'b' (a ranker); got 'c'" in res.stderr
    Registry(db).record_launch("L", "ab", "m", 1.0, 0.1)
    empty = str(tmp_path / "empty.db")
    Registry(empty).add_summary("e", [])
    res = RUNNER.invoke(app, ["proxies", "--chain", "-r", empty])
    assert res.exit_code == 2
    assert "holds no launch results" in res.stderr


def test_analyze_launch_is_a_fixed_horizon_record(tmp_path: Path, cookie_cats_spec: Path) -> None:
    res = RUNNER.invoke(
        app, ["analyze", str(cookie_cats_spec), "--sequential", "--launch", "L", "-r", "x.db"]
    )
    assert res.exit_code == 2
    assert res.stderr.startswith("error: `--launch` does not apply to `--sequential`")


def test_offline_launch_needs_one_candidate(tmp_path: Path) -> None:
    predictions, truth = _offline_files(tmp_path)
    text = predictions.read_text().splitlines()
    more = [x.replace("new,", "newer,", 1) for x in text[1:] if x.startswith("new,")]
    predictions.write_text("\n".join([*text, *more]) + "\n")
    db = tmp_path / "r.db"
    args = ["offline", "--predictions", str(predictions), "--truth", str(truth), "-b", "20"]
    res = RUNNER.invoke(app, [*args, "--baseline", "old", "--launch", "L", "-r", str(db)])
    assert res.exit_code == 2
    assert "the evaluation compares 2 models with it (new, newer)" in res.stderr
    assert not db.exists()  # nothing recorded, no registry created
