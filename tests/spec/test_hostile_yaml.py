"""Hostile YAML: every file that cannot be a spec fails with one located line, at once.

The loader bounds what a file may make it do (size, nesting, aliases, values after alias
expansion), so an alias bomb fails while it is composed, before anything is built.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from proxymetric.cli import app
from proxymetric.errors import SpecError
from proxymetric.spec import _yaml, load_spec
from proxymetric.spec._yaml import MAX_ALIASES, MAX_BYTES, MAX_DEPTH, MAX_VALUES, load_yaml

from .test_spec import GOOD

runner = CliRunner()


@pytest.fixture(params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test on both parsers the loader can sit on: libyaml's (C) and PyYAML's own."""
    if request.param == "libyaml":
        if not hasattr(_yaml, "_CLoader"):
            pytest.skip("PyYAML is built without libyaml here")
        monkeypatch.setattr(_yaml, "_LOADER", _yaml._CLoader)
    else:
        monkeypatch.setattr(_yaml, "_LOADER", _yaml._PythonLoader)
    return str(request.param)


def billion_laughs(levels: int = 9) -> bytes:
    """The classic alias bomb: each level is a list of 9 aliases of the level before.

    Nine levels stand for 9**9 (387 million) strings in about 400 bytes.
    """
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return ("\n".join(lines) + "\n").encode()


def _bigger_than_allowed_after_expansion() -> bytes:
    # a list of 200 values anchored once, then 101 aliases of it: over 20,000 values in 2 KB
    anchor = "base: &b [" + ", ".join(str(i) for i in range(200)) + "]\n"
    return (anchor + "copies: [" + ", ".join(["*b"] * 101) + "]\n").encode()


CASES: dict[str, tuple[bytes, str, int | None]] = {
    # name: (file content, part of the message, line or None)
    # the running count passes the bound at the aliases of a4 (each of a3 stands for 7,381)
    "billion laughs": (
        billion_laughs(),
        f"holds more than {MAX_VALUES:,} values once its aliases",
        5,
    ),
    "expansion just over the bound": (
        _bigger_than_allowed_after_expansion(),
        f"holds more than {MAX_VALUES:,} values once its aliases are expanded",
        2,
    ),
    "too many aliases": (
        b"base: &b 1\nmany: [" + b", ".join([b"*b"] * (MAX_ALIASES + 1)) + b"]\n",
        f"uses more than {MAX_ALIASES:,} aliases",
        2,
    ),
    "too many values": (
        b"many: [" + b", ".join([b"1"] * (MAX_VALUES + 1)) + b"]\n",
        f"holds more than {MAX_VALUES:,} values; a spec may hold at most",
        1,
    ),
    "recursive alias in a list": (
        b"a: &a [1, *a]\n" + GOOD.encode(),
        "the alias *a is inside the value it refers to (&a)",
        1,
    ),
    "recursive alias in a mapping": (
        b"x: &m\n  y: *m\n",
        "the alias *m is inside the value it refers to (&m)",
        2,
    ),
    "deep lists": (
        b"x: " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
        f"nests deeper than {MAX_DEPTH} levels",
        1,
    ),
    "deep mappings": (
        b"".join(b"  " * i + b"k:\n" for i in range(MAX_DEPTH + 1))
        + b"  " * (MAX_DEPTH + 1)
        + b"v",
        f"nests deeper than {MAX_DEPTH} levels",
        MAX_DEPTH + 1,
    ),
    "latin-1 text": (
        GOOD.replace("gate_30", "gat\xe9_30").encode("latin-1"),
        "the file is not UTF-8 text (byte 0xe9",
        9,
    ),
    "utf-16 with a byte-order mark": (
        GOOD.encode("utf-16"),
        "the file is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8",
        None,
    ),
    "utf-32 with a byte-order mark": (GOOD.encode("utf-32"), "the file is UTF-32 text", None),
    "utf-16 without a byte-order mark": (GOOD.encode("utf-16-le"), "holds NUL bytes", 1),
    "a control character": (
        GOOD.encode() + b"description: bell\x07\n",
        "the character U+0007 is not allowed",
        GOOD.count("\n") + 1,
    ),
    "unknown local tag on a value": (
        GOOD.replace("margin: 0.02", "margin: !foo 0.02").encode(),
        "unknown tag '!foo'",
        12,
    ),
    "unknown local tag on a mapping": (
        GOOD.replace("- {metric: retention_1", "- !foo {metric: retention_1").encode(),
        "unknown tag '!foo'",
        12,
    ),
    "python object tag": (
        GOOD.replace("margin: 0.02", "margin: !!python/object/apply:os.system [ls]").encode(),
        "unknown tag '!!python/object/apply:os.system'",
        12,
    ),
    "set tag": (
        GOOD.replace("secondary: [rounds]", "secondary: !!set {rounds}").encode(),
        "unknown tag '!!set'",
        13,
    ),
    "impossible date": (
        GOOD.encode() + b"ethics_review: {date: 2024-02-30}\n",
        "cannot read '2024-02-30' as a date: day is out of range for month",
        GOOD.count("\n") + 1,
    ),
    "integer of 5000 digits": (
        GOOD.replace("margin: 0.02", "margin: " + "9" * 5000).encode(),
        "as an integer: Exceeds the limit (4300 digits)",
        12,
    ),
    "explicit int tag on text": (
        GOOD.replace("margin: 0.02", "margin: !!int abc").encode(),
        "cannot read 'abc' as an integer",
        12,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_yaml_fails_with_one_located_line(tmp_path: Path, name: str, parser: str) -> None:
    content, message, line = CASES[name]
    path = tmp_path / "proxymetric.yaml"
    path.write_bytes(content)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    err = info.value
    assert message in str(err)
    assert "\n" not in str(err)
    assert err.file == str(path)
    assert err.line == line


@pytest.mark.parametrize("name", ["billion laughs", "recursive alias in a list", "deep lists"])
def test_hostile_yaml_in_the_cli_is_one_error_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / "proxymetric.yaml"
    path.write_bytes(CASES[name][0])
    for command in ("analyze", "check", "plan", "value"):
        result = runner.invoke(app, [command, str(path)])
        assert result.exit_code == 2, (command, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (command, result.stderr)
        assert lines[0].startswith(f"error: {path}:"), (command, lines[0])
        assert CASES[name][1] in lines[0]


def test_a_file_larger_than_the_bound_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "proxymetric.yaml"
    padded = GOOD + "#" * (MAX_BYTES - len(GOOD) - 1) + "\n"
    path.write_bytes(padded.encode())
    assert path.stat().st_size == MAX_BYTES
    assert load_spec(path).experiments["gate-40"].primary == "retention_7"
    path.write_bytes(padded.encode() + b"\n")
    with pytest.raises(SpecError, match=f"a spec may have at most {MAX_BYTES:,} bytes"):
        load_spec(path)


def test_an_endless_file_is_not_read_whole() -> None:
    zero = Path("/dev/zero")
    if not zero.exists():
        pytest.skip("no /dev/zero here")
    with pytest.raises(SpecError, match="a spec may have at most"):
        load_spec(zero)


def test_a_directory_is_not_a_spec(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=f"cannot read spec file {tmp_path}"):
        load_spec(tmp_path)


def test_text_longer_than_the_bound() -> None:
    text = "x: 1 #" + "." * (MAX_BYTES - 6)
    assert load_yaml(text)[0] == {"x": 1}
    with pytest.raises(SpecError, match=f"a spec may have at most {MAX_BYTES:,}"):
        load_yaml(text + ".")


def test_bounds_admit_a_spec_that_reaches_them() -> None:
    # Exactly at each bound loads: MAX_DEPTH levels, MAX_ALIASES aliases, MAX_VALUES values.
    deep = "x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    data, _ = load_yaml(deep)  # the top mapping is one level, the lists the others
    depth, inner = 0, data["x"]
    while isinstance(inner, list):
        depth, inner = depth + 1, inner[0] if inner else None
    assert depth == MAX_DEPTH - 1
    aliases = "b: &b 1\nc: [" + ", ".join(["*b"] * MAX_ALIASES) + "]\n"
    assert load_yaml(aliases)[0]["c"] == [1] * MAX_ALIASES
    # 1 top mapping + 2 keys + 1 scalar + 1 list + the list's items = MAX_VALUES
    values = "b: 1\nc: [" + ", ".join(["2"] * (MAX_VALUES - 5)) + "]\n"
    assert len(load_yaml(values)[0]["c"]) == MAX_VALUES - 5
    with pytest.raises(SpecError, match="holds more than"):
        load_yaml(values.replace("[", "[2, ", 1))
    # Each alias of a list of 99 items counts 100 values (the list and its items): the top
    # mapping, 3 keys, 3 lists, 99 items, 198 aliases * 100 and 94 padding items make 20,000.
    assert MAX_VALUES == 20_000
    expanded = (
        "b: &b [" + ", ".join(["1"] * 99) + "]\n"
        "c: [" + ", ".join(["*b"] * 198) + "]\n"
        "d: [" + ", ".join(["0"] * 94) + "]\n"
    )
    assert len(load_yaml(expanded)[0]["c"]) == 198
    with pytest.raises(SpecError, match="once its aliases are expanded"):
        load_yaml(expanded.replace("d: [", "d: [0, "))


def test_ordinary_aliases_and_a_utf8_bom_still_load(tmp_path: Path, parser: str) -> None:
    text = (
        GOOD.replace(
            "retention_7: {type: proportion, source: players, column: retention_7}",
            "retention_7: &prop {type: proportion, source: players, column: retention_7}",
        ).replace("margin: 0.02", "margin: &m 0.02")
        + "goal: café, margin *m\n"
    )
    path = tmp_path / "proxymetric.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    spec = load_spec(path)
    assert spec.experiments["gate-40"].guardrails[0].margin == 0.02
    assert spec.metrics["retention_7"].column == "retention_7"
    path.write_text(text + "extra: *prop\n")
    with pytest.raises(SpecError, match="unknown key 'extra'") as info:
        load_spec(path)
    assert info.value.line == text.count("\n") + 1


def test_the_guide_states_the_bounds(root: Path) -> None:
    guide = " ".join((root / "docs" / "spec.md").read_text().split())
    assert f"It is at most {MAX_BYTES // 2**20} MiB, nests at most {MAX_DEPTH} levels" in guide
    assert f"uses at most {MAX_ALIASES:,} aliases and holds at most {MAX_VALUES:,} values" in guide
