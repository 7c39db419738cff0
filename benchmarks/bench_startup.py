"""Start-up: ``proxymetric --help`` against a bare typer+rich program, and ``import proxymetric``.

    .venv/bin/python benchmarks/bench_startup.py                       # this tree only
    .venv/bin/python benchmarks/bench_startup.py --before main~3 --repeat 21

Each contender is a fresh interpreter (``subprocess``), timed from start to exit (wall clock).
The contenders take turns (ABCABC...) for ``--repeat`` rounds after one warm-up round, and the
median is reported, so that the changing load of a shared machine falls on all of them alike.

- ``python -c pass``: the interpreter alone (the floor);
- ``bare typer+rich --help``: a program with one typer command that imports rich (the peer the
  target is set against: ``proxymetric --help`` within 2x of it);
- ``proxymetric --help``, ``proxymetric power --help``, ``import proxymetric``: this tree's
  ``src``, and with ``--before REF`` the same from the sources of a git revision.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE = '''"""A bare typer+rich program with one command."""
import typer
from rich.console import Console

app = typer.Typer(add_completion=False)


@app.command()
def hello(name: str = typer.Option("world", help="Whom to greet.")) -> None:
    """Greet someone."""
    Console().print(f"hello {name}")


@app.callback()
def _root() -> None:
    """A bare program."""


app()
'''


def _sources(ref: str, into: Path) -> Path:
    """Extract ``src/`` of the git revision ``ref`` into ``into`` and return its path."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "src"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _run(argv: list[str], src: Path | None) -> float:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="rounds of interleaved runs")
    parser.add_argument("--before", help="a git revision to compare with (e.g. main)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare.py"
        bare.write_text(BARE)
        trees = {"after": ROOT / "src"}
        if args.before:
            trees["before"] = _sources(args.before, Path(tmp) / "before")
        py = sys.executable
        contenders: dict[str, tuple[list[str], Path | None]] = {
            "python -c pass": ([py, "-c", "pass"], None),
            "bare typer+rich --help": ([py, str(bare), "--help"], None),
        }
        for label, src in trees.items():
            contenders[f"{label}: proxymetric --help"] = ([py, "-m", "proxymetric", "--help"], src)
            contenders[f"{label}: proxymetric power --help"] = (
                [py, "-m", "proxymetric", "power", "--help"],
                src,
            )
            contenders[f"{label}: import proxymetric"] = ([py, "-c", "import proxymetric"], src)

        times: dict[str, list[float]] = {name: [] for name in contenders}
        for round_ in range(args.repeat + 1):
            for name, (argv, src) in contenders.items():
                elapsed = _run(argv, src)
                if round_:  # the first round warms the file cache
                    times[name].append(elapsed)

    bare_median = statistics.median(times["bare typer+rich --help"])
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load {os.getloadavg()[0]:.1f}, Python {platform.python_version()}, "
        f"{args.repeat} interleaved rounds"
    )
    print(f"{'contender':40} {'median':>9} {'vs bare':>8}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:40} {median:8.3f}s {median / bare_median:7.2f}x")


if __name__ == "__main__":
    main()
