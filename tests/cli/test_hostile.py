"""Every command with hostile names and values: shown literally, or refused in one line.

The specs and data are the bundled examples with their names replaced by text a terminal or a
markdown viewer would interpret: rich console markup (``[bold red]...[/]``, ``[link=...]``, a
lone ``[/]``), an emoji code (``a:x:b``), escape sequences (clear the screen, set the window
title), pipes, newlines and raw HTML. Every command must either exit 0 with that text shown as
written, or exit 2 with exactly one ``error:`` line; never a traceback, never a raw escape
sequence from the data on the output, never a file written outside its target.

The runner's console writes to a buffer, not a terminal, so rich prints no colour codes: an
escape character in the output can only come from the data (and so must not be there).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from typer.testing import CliRunner, Result

from proxymetric.cli import app

RUNNER = CliRunner()
ROOT = Path(__file__).resolve().parents[2]

MARKUP = "[bold red]TREAT[/]"
LINK = "[link=http://evil.example]x[/link]"
CLOSE = "[/]"
EMOJI = "a:x:b"
ESCAPES = "\x1b[2J\x1b]0;pwn\x07"  # clear the screen, then set the window title
SHOWN = "\\x1b[2J\\x1b]0;pwn\\x07"  # the same, made visible
NEWLINE = "two\nlines"
HTML = "<b>h</b>|p"  # raw HTML and a pipe

# Names of the hostile unit-table experiment (the Cookie Cats spec, renamed).
CONTROL = MARKUP
TREATMENT = f"{EMOJI}{ESCAPES}{HTML}"
EXPERIMENT = f"[bold]exp[/] {EMOJI}"
PRIMARY = CLOSE
GUARDRAIL = LINK
SECONDARY = NEWLINE


def _no_injection(text: str) -> None:
    """No traceback, and nothing from the data a terminal would act on."""
    assert "Traceback" not in text, text
    assert "\x1b[2J" not in text, text  # the data's clear-screen sequence
    assert "\x1b]" not in text, text  # no operating-system command: no title, no hyperlink
    assert "\x07" not in text, text
    assert "\u274c" not in text, text  # `:x:` was not replaced by an emoji


def _cells(line: str) -> int:
    return len(re.split(r"(?<!\\)\|", line.strip().strip("|")))


def _markdown_intact(text: str) -> None:
    """Every row of every table has the cells of its header; no raw HTML tag from the data."""
    assert "<b>" not in text, text
    assert "</b>" not in text, text
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if block:
            assert len({_cells(row) for row in block}) == 1, block
            block = []


def _outcome(result: Result, *shown: str, ok: tuple[int, ...] = (0,)) -> str:
    """Assert the contract; return the output of a success ("" for a refusal).

    Either the command succeeded (an exit status in ``ok``) and every text in ``shown`` is in
    its output as written, or it exited 2 with exactly one ``error:`` line on stderr.
    """
    out = result.stdout + result.stderr
    # The runner catches an exception the command let through: that is the traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    _no_injection(out)
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: "), result.stderr
        assert result.stdout == "", result.stdout
        return ""
    assert result.exit_code in ok, (result.exit_code, out)
    for text in shown:
        assert text in out, (text, out)
    return result.stdout


def _files(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


def _run(args: Sequence[object], *shown: str, ok: tuple[int, ...] = (0,)) -> str:
    return _outcome(RUNNER.invoke(app, [str(a) for a in args]), *shown, ok=ok)


# --- the hostile data sets, built from the examples ---------------------------------------


def _dump(spec: dict[str, Any], path: Path) -> Path:
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def unit_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Cookie Cats (first 3,000 players) with hostile variant, metric and experiment names."""
    folder = tmp_path_factory.mktemp("unit")
    names = {"gate_30": CONTROL, "gate_40": TREATMENT}
    with gzip.open(ROOT / "examples" / "cookie-cats" / "cookie_cats.csv.gz", "rt") as f:
        rows = list(csv.reader(f))[:3001]
    with (folder / "players.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(rows[0])
        writer.writerows([r[0], names[r[1]], *r[2:]] for r in rows[1:])
    spec = yaml.safe_load((ROOT / "examples" / "cookie-cats" / "proxymetric.yaml").read_text())
    spec["request"] = f"{MARKUP} {ESCAPES} {EMOJI}"
    spec["north_star"] = PRIMARY
    spec["sources"]["players"]["path"] = "players.csv"
    m = spec["metrics"]
    spec["metrics"] = {
        PRIMARY: m["retention_7"],
        GUARDRAIL: m["retention_1"],
        SECONDARY: m["rounds"],
    }
    exp = spec["experiments"].pop("gate-40")
    exp.update(
        control=CONTROL,
        primary=PRIMARY,
        guardrails=[{"metric": GUARDRAIL, "margin": 0.02}],
        secondary=[SECONDARY],
        split={CONTROL: 0.5, TREATMENT: 0.5},
    )
    spec["experiments"] = {EXPERIMENT: exp}
    return _dump(spec, folder / "proxymetric.yaml")


@pytest.fixture(scope="module")
def event_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout event logs (first 1,000 users) with hostile variant and metric names."""
    folder = tmp_path_factory.mktemp("events")
    source = ROOT / "examples" / "checkout-events"
    names = {"old_checkout": CONTROL, "new_checkout": TREATMENT}
    with gzip.open(source / "assignments.csv.gz", "rt") as f:
        assignments = list(csv.reader(f))
    kept = {r[0] for r in assignments[1:1001]}
    with (folder / "assignments.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(assignments[0])
        writer.writerows([r[0], names[r[1]], *r[2:]] for r in assignments[1:1001])
    with (
        gzip.open(source / "events.csv.gz", "rt") as f,
        (folder / "events.csv").open("w", newline="", encoding="utf-8") as out,
    ):
        reader = csv.reader(f)
        writer = csv.writer(out)
        writer.writerow(next(reader))
        writer.writerows(r for r in reader if r[0] in kept)
    spec = yaml.safe_load((source / "proxymetric.yaml").read_text())
    spec["sources"]["assignments"]["path"] = "assignments.csv"
    spec["sources"]["events"]["path"] = "events.csv"
    spec["north_star"] = PRIMARY
    m = spec["metrics"]
    spec["metrics"] = {PRIMARY: m["revenue"], GUARDRAIL: m["buyers"], SECONDARY: m["conversion"]}
    exp = spec["experiments"].pop("new-checkout")
    exp.update(
        control=CONTROL,
        primary=PRIMARY,
        guardrails=[{"metric": GUARDRAIL, "margin": 0.05}],
        secondary=[SECONDARY],
    )
    spec["experiments"] = {EXPERIMENT: exp}
    return _dump(spec, folder / "proxymetric.yaml")


@pytest.fixture(scope="module")
def value_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The support-automation value model with a hostile title, currency and candidates."""
    folder = tmp_path_factory.mktemp("value")
    spec = yaml.safe_load(
        (ROOT / "examples" / "support-automation" / "proxymetric.yaml").read_text()
    )
    value = spec["value"]
    value["title"] = f"{MARKUP} {ESCAPES} {HTML}"
    value["currency"] = f"{CLOSE}{EMOJI}"
    # Names of alternatives, inputs and outcomes are formula names (letters, digits, _); the
    # names of trade-off candidates are free text.
    value["tradeoff"]["candidates"] = {
        f"{k}{ESCAPES}|": v for k, v in value["tradeoff"]["candidates"].items()
    }
    return _dump(spec, folder / "proxymetric.yaml")


SYSTEMS = {"EASE": MARKUP, "item-kNN": TREATMENT, "popularity": LINK}


@pytest.fixture(scope="module")
def judgments(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The MovieLens blind-test judgments with hostile systems, raters, notes and tags."""
    path = tmp_path_factory.mktemp("pairwise") / "judgments.csv"
    with (ROOT / "examples" / "interleaving-movielens" / "judgments.csv").open() as f:
        rows = list(csv.DictReader(f))
    for i, r in enumerate(rows):
        r["system_a"], r["system_b"] = SYSTEMS[r["system_a"]], SYSTEMS[r["system_b"]]
        r["rater"] = {"ana": CLOSE, "ben": f"ben{ESCAPES}"}.get(r["rater"], r["rater"])
        if r["tags"]:
            r["tags"] = f"{EMOJI}|{HTML}"
        if i % 50 == 0:
            r["note"] = f"{NEWLINE} {MARKUP} {ESCAPES}"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _rename_column(source: Path, target: Path, column: str, rename: Any) -> Path:
    with source.open() as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r[column] = rename(r[column])
    with target.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


@pytest.fixture(scope="module")
def interleaving(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The MovieLens rankings and clicks with hostile unit and item names."""
    folder = tmp_path_factory.mktemp("interleave")
    source = ROOT / "examples" / "interleaving-movielens"
    rankings = _rename_column(
        source / "rankings.csv", folder / "rankings.csv", "item", lambda i: f"{i}{ESCAPES}{CLOSE}"
    )
    clicks = _rename_column(
        source / "clicks.csv", folder / "clicks.csv", "unit", lambda u: f"{u}{MARKUP}{ESCAPES}"
    )
    return rankings, clicks


@pytest.fixture(scope="module")
def offline_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """MovieLens ratings of 60 users as the truth; two models with hostile names."""
    folder = tmp_path_factory.mktemp("offline")
    with gzip.open(ROOT / "examples" / "data" / "movielens" / "ratings.csv.gz", "rt") as f:
        reader = csv.DictReader(f)
        unit, item = reader.fieldnames[0], reader.fieldnames[1]  # type: ignore[index]
        truth = []
        for row in reader:
            if int(row[unit]) > 60:
                break
            truth.append((row[unit], row[item], float(row["rating"])))
    with (folder / "truth.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["unit", "item", "rating"])
        writer.writerows(truth)
    with (folder / "predictions.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["model", "unit", "item", "score", "predicted_rating"])
        for k, (u, i, rating) in enumerate(truth):
            guess = rating + (k % 5 - 2) * 0.3
            writer.writerow([MARKUP, u, i, guess, guess])
            writer.writerow([TREATMENT, u, i, 3.5 + (k % 3) * 0.1, 3.5])
    return folder / "predictions.csv", folder / "truth.csv"


@pytest.fixture(scope="module")
def registry_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve past experiments of two metrics, with hostile experiment and metric names."""
    path = tmp_path_factory.mktemp("registry") / "past.csv"
    lines = ["experiment,variant,metric,effect,effect_se,control_units,treatment_units,shipped"]
    for e in range(12):
        for metric, scale in ((PRIMARY, 1.0), (GUARDRAIL, 0.8)):
            effect = scale * ((e % 5) - 2) * 0.01 + 0.001 * e
            shipped = "true" if e % 3 == 0 else "false"
            row = [f"{EXPERIMENT}{ESCAPES}{e}", TREATMENT, metric, effect, 0.004, 5000, 5000]
            lines.append(",".join(_csv_field(v) for v in [*row, shipped]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _csv_field(value: object) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([value])
    return buffer.getvalue()


# --- the commands -------------------------------------------------------------------------


@pytest.mark.parametrize("output", ["table", "markdown", "json"])
def test_analyze(unit_spec: Path, output: str) -> None:
    shown = {
        "table": (MARKUP, CLOSE, "TREAT[/]", EMOJI, SHOWN, "two\\nlines", "evil.example]x"),
        "markdown": (MARKUP, CLOSE, LINK, EMOJI, SHOWN.replace("\\", "\\\\"), "&lt;b>"),
        "json": (),
    }[output]
    out = _run(["analyze", unit_spec, "-f", output], *shown)
    if output == "markdown":
        _markdown_intact(out)
    if output == "json" and out:
        data = json.loads(out)
        assert data["experiment"] == EXPERIMENT
        assert set(data["units"]) == {CONTROL, TREATMENT}


@pytest.mark.parametrize("output", ["table", "markdown"])
def test_analyze_sequential(event_spec: Path, output: str) -> None:
    out = _run(["analyze", event_spec, "--sequential", "-f", output], CLOSE, EMOJI)
    if output == "markdown":
        _markdown_intact(out)


@pytest.mark.parametrize("output", ["table", "markdown"])
def test_plan(unit_spec: Path, output: str) -> None:
    args = ["plan", unit_spec, "--units-per-day", "1000", "--weeks", "1,2", "-f", output]
    out = _run(args, CLOSE, "evil.example]x")
    if output == "markdown":
        _markdown_intact(out)


@pytest.mark.parametrize("output", ["table", "markdown"])
def test_check(unit_spec: Path, output: str) -> None:
    # A failing check exits 1 (the scorecard is printed); the names are still shown as written.
    out = _run(["check", unit_spec, "-f", output], CLOSE, "evil.example]x", ok=(0, 1))
    if output == "markdown":
        _markdown_intact(out)


@pytest.mark.parametrize("output", ["table", "markdown"])
def test_value(value_spec: Path, output: str) -> None:
    shown = (MARKUP, "TREAT[/]", f"{CLOSE}{EMOJI}") if output == "table" else (MARKUP, "&lt;b>")
    out = _run(["value", value_spec, "--draws", "2000", "-f", output], *shown)
    if output == "markdown":
        _markdown_intact(out)


@pytest.mark.parametrize("output", ["table", "markdown"])
def test_pairwise(judgments: Path, output: str) -> None:
    out = _run(["pairwise", "analyze", judgments, "-b", "20", "-f", output], MARKUP, CLOSE)
    if output == "markdown":
        _markdown_intact(out)
    out = _run(["pairwise", "next", judgments, "--pairs", "2", "-f", output], "TREAT[/]")
    if output == "markdown":
        _markdown_intact(out)
    _run(["pairwise", "plan", "--win-rate", "0.6", "-f", output], "Judgments needed")


def test_interleave(interleaving: tuple[Path, Path], tmp_path: Path) -> None:
    rankings, clicks = interleaving
    # The lists are data (CSV): a control character in an item is shown as an escape on the
    # output, never sent raw; to a file (--out) the items are written as they are.
    _run(["interleave", "lists", rankings], CLOSE, SHOWN)
    _run(["interleave", "lists", rankings, "-f", "json"], CLOSE)
    before = _files(tmp_path)
    target = tmp_path / f"{CLOSE}{EMOJI}.csv"
    _run(["interleave", "lists", rankings, "-o", target], CLOSE, EMOJI)
    assert _files(tmp_path) - before <= {target}
    for output in ("table", "markdown"):
        _run(["interleave", "analyze", clicks, "-b", "20", "-f", output], "Interleaving")
        _run(["interleave", "plan", "--preference", "0.6", "-f", output], "Units needed")


@pytest.mark.parametrize("output", ["table", "markdown"])
def test_offline(offline_files: tuple[Path, Path], output: str) -> None:
    predictions, truth = offline_files
    args = ["offline", "--predictions", predictions, "--truth", truth, "--bootstrap", "20"]
    shown = ("TREAT[/]",) if output == "table" else (MARKUP, "&lt;b>")
    out = _run([*args, "-f", output, "--threshold", "4"], *shown)
    if output == "markdown":
        _markdown_intact(out)


def test_registry_and_proxies(registry_csv: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    _run(["registry", "import", registry_csv, "-r", db], "imported 12 experiments")
    for output in ("table", "markdown"):
        out = _run(["registry", "list", "-r", db, "-f", output], "[bold]exp[/]")
        out = _run(["registry", "show", "1", "-r", db, "-f", output], "[bold]exp[/]", CLOSE)
        if output == "markdown":
            _markdown_intact(out)
        impact = ["registry", "impact", "-r", db, "-m", PRIMARY, "--value-per-unit", "2"]
        out = _run([*impact, "--units", "1000", "-f", output], CLOSE)
        if output == "markdown":
            _markdown_intact(out)
        out = _run(["proxies", "-r", db, "-n", PRIMARY, "-f", output], CLOSE)
        if output == "markdown":
            _markdown_intact(out)


def test_register_and_record(unit_spec: Path, tmp_path: Path) -> None:
    spec = tmp_path / "proxymetric.yaml"
    shutil.copy(unit_spec, spec)
    shutil.copy(unit_spec.parent / "players.csv", tmp_path / "players.csv")
    db = tmp_path / "proxymetric.db"
    before = _files(tmp_path)
    register = ["registry", "register", spec, "-e", EXPERIMENT, "-r", db, "--planned-units", "3000"]
    _run(register, "[bold]exp[/]", CLOSE)
    _run(["analyze", spec, "--record", "-r", db, "-f", "json"])
    assert _files(tmp_path) - before <= {db}
    for output in ("table", "markdown"):
        _run(["registry", "list", "-r", db, "-f", output], "[bold]exp[/]")


def test_init_with_hostile_answers(tmp_path: Path) -> None:
    request = f"say \"hi\" 'there'\nthen\u2028next\u0085line \\ {MARKUP} {ESCAPES} {EMOJI}"
    goal = f"{LINK} {CLOSE}: {HTML}\u2029#not a comment"
    out = tmp_path / "spec.yaml"
    args = ["init", "--request", request, "--goal", goal, "-o", out, "--no-interactive"]
    _run(args, "wrote")
    spec = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert (spec["request"], spec["goal"]) == (request, goal)


def test_init_never_writes_outside_its_target(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    outside = tmp_path / "outside.yaml"
    link = folder / "proxymetric.yaml"
    link.symlink_to(outside)  # a dangling link pointing out of the folder
    before = _files(tmp_path)
    _run(["init", "-o", link, "--no-interactive"])  # refused: a symbolic link
    assert _files(tmp_path) == before
    assert link.is_symlink()
    assert not outside.exists()
    _run(["init", "-o", link, "--no-interactive", "--force"], "wrote")  # replaces the link
    assert not outside.exists()
    assert not link.is_symlink()
    assert yaml.safe_load(link.read_text(encoding="utf-8"))["north_star"] == "gross_margin"
    assert _files(tmp_path) == before


@pytest.mark.parametrize("target", ["folder", "missing/spec.yaml", f"{CLOSE}{ESCAPES}/x.yaml"])
def test_init_to_a_folder_or_nowhere_is_one_line(tmp_path: Path, target: str) -> None:
    (tmp_path / "folder").mkdir()
    before = _files(tmp_path)
    for force in ([], ["--force"]):
        result = RUNNER.invoke(
            app, ["init", "-o", str(tmp_path / target), "--no-interactive", *force]
        )
        assert result.exit_code == 2, result.output
        assert _outcome(result) == ""
    assert _files(tmp_path) == before


def test_init_to_an_unwritable_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def refuse(path: Any, flags: int, mode: int = 0o777) -> int:
        if str(path).startswith(str(tmp_path)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", refuse)
    result = RUNNER.invoke(app, ["init", "-o", str(tmp_path / "x.yaml"), "--no-interactive"])
    assert result.exit_code == 2
    assert _outcome(result) == ""
    assert "permission denied" in result.stderr.lower()
    assert list(tmp_path.iterdir()) == []


# --- errors: one line, whatever the text --------------------------------------------------


def test_spec_errors_naming_hostile_text(unit_spec: Path, tmp_path: Path) -> None:
    spec = yaml.safe_load(unit_spec.read_text(encoding="utf-8"))
    spec["experiments"][EXPERIMENT]["primary"] = f"{MARKUP}{ESCAPES}{CLOSE}"
    path = _dump(spec, tmp_path / "bad.yaml")
    result = RUNNER.invoke(app, ["analyze", str(path)])
    assert result.exit_code == 2
    _outcome(result)
    assert f"{MARKUP}{SHOWN}{CLOSE}" in result.stderr or "\\x1b" in result.stderr
    missing = tmp_path / f"{CLOSE}{MARKUP}{ESCAPES}.yaml"
    result = RUNNER.invoke(app, ["analyze", str(missing)])
    assert result.exit_code == 2
    _outcome(result)
    assert f"{CLOSE}{MARKUP}{SHOWN}.yaml" in result.stderr


def _command_paths() -> list[list[str]]:
    # The commands are registered on first use, so walk the built command tree (leaves only).
    paths: list[list[str]] = []
    for name, command in getattr(typer.main.get_command(app), "commands", {}).items():
        subcommands = getattr(command, "commands", None)
        paths += [[name, sub] for sub in subcommands] if subcommands else [[name]]
    assert len(paths) > 15
    return paths


def _one_usage_line(args: list[str]) -> None:
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert _outcome(result) == ""
    assert "╭" not in result.stderr  # not typer's usage panel


@pytest.mark.parametrize("path", _command_paths(), ids=" ".join)
def test_bad_options_of_every_command_are_one_line_off_a_terminal(path: list[str]) -> None:
    """A bad option value (or an option the command lacks) is one `error:` line off a terminal."""
    _one_usage_line([*path, "--format", f"xml{ESCAPES}{CLOSE}"])


@pytest.mark.parametrize(
    "args",
    [
        ["power", "--alpha", "abc"],
        ["power", "--alpha=abc"],
        ["power", f"--{MARKUP}"],
        ["analyze", "spec.yaml", "extra", "arguments"],
        ["analyze"],
        ["registry", "show", "one"],
        ["proxies"],
        [f"no-such-command{ESCAPES}"],
    ],
    ids=" ".join,
)
def test_every_kind_of_usage_error_is_one_line_off_a_terminal(args: list[str]) -> None:
    _one_usage_line(args)


def test_a_bad_option_names_it_and_shows_the_value(unit_spec: Path) -> None:
    result = RUNNER.invoke(app, ["analyze", str(unit_spec), "--format", f"xml{ESCAPES}{CLOSE}"])
    assert result.stderr.startswith("error: `--format`: ")
    assert f"xml{SHOWN}{CLOSE}" in result.stderr
    result = RUNNER.invoke(app, ["power", "--baseline", "0.1", "--alpha", "abc"])
    assert result.stderr.startswith("error: `--alpha`: ")
    assert "got 'abc'" in result.stderr
    result = RUNNER.invoke(app, ["analyze"])
    assert result.stderr.startswith("error: missing argument `spec`")


def test_no_answer_to_a_question_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "spec.yaml"
    result = RUNNER.invoke(app, ["init", "--interactive", "-o", str(out)], input="")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.strip().splitlines()[-1].startswith("error: aborted: no answer")
    assert not out.exists()


# --- the real process: a terminal, a full device, an ASCII output -------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args", [["--help"], ["power", "--type", "proportion", "--baseline", "0.1", "--mde", "0.01"]]
)
def test_a_full_output_device_is_one_line(args: list[str]) -> None:
    with Path("/dev/full").open("w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "proxymetric", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [
        "error: cannot write the output: no space left on device"
    ]


def test_an_ascii_output_degrades_to_escapes(unit_spec: Path) -> None:
    """An output encoding that cannot show a character (PYTHONIOENCODING=ascii) gets escapes."""
    result = CliRunner(charset="ascii").invoke(app, ["analyze", str(unit_spec)])
    text = _outcome(result, CLOSE, "\\xb7")  # the middle dot of the header, as an escape
    text.encode("ascii")


def test_undecodable_bytes_in_a_file_name_are_one_line(tmp_path: Path) -> None:
    # Python hands undecodable bytes of the command line over as lone surrogates.
    name = os.fsdecode(os.fsencode(tmp_path) + b"/\xff\x1b[2J.yaml")
    result = RUNNER.invoke(app, ["analyze", name])
    assert result.exit_code == 2
    assert _outcome(result) == ""
    assert "\\udcff\\x1b[2J.yaml" in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_terminal_keeps_the_usage_panel() -> None:
    import pty

    parent, child = pty.openpty()
    proc = subprocess.run(
        [sys.executable, "-m", "proxymetric", "power", "--alpha", f"abc{ESCAPES}"],
        stdin=child,
        stdout=child,
        stderr=child,
        env={**os.environ, "COLUMNS": "100", "TERM": "dumb"},
        check=False,
    )
    os.close(child)
    seen = b""
    while True:
        try:
            chunk = os.read(parent, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(parent)
    assert proc.returncode == 2
    text = seen.decode("utf-8", "replace")
    assert "╭" in text  # typer's panel, on a terminal
    assert "Usage" in text
    assert "\x1b[2J" not in text
    assert "\x1b]0;" not in text
