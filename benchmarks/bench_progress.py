"""Cost of progress reporting when no reporter is installed (the library's default).

    .venv/bin/python benchmarks/bench_progress.py

Times ``proxymetric._progress.task`` (entering and leaving the block) and ``advance`` with no
reporter, per call, against an empty loop, and sets the cost against the longest loops it
instruments: a loop advances once per chunk of rounds (5 chunks for Bradley-Terry's 1,000
rounds on the 1M-judgment benchmark, 1 chunk per 4 million resampled counts in offline
evaluation), so the disabled cost is a few microseconds per command.
"""

from __future__ import annotations

import time

from proxymetric._progress import task


def _per_call(fn: object, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()  # type: ignore[operator]
    return (time.perf_counter() - t0) / n


def main() -> None:
    n = 200_000

    def empty() -> None:
        pass

    def block() -> None:
        with task("rounds", 1000):
            pass

    with task("rounds", 1000) as bar:
        advance = bar.advance
        base = _per_call(empty, n)
        step = _per_call(advance, n)
    enter = _per_call(block, n)
    print(f"empty call: {base * 1e9:.0f} ns")
    print(f"advance (no reporter): {step * 1e9:.0f} ns per call")
    print(f"task block, enter and leave (no reporter): {enter * 1e9:.0f} ns")
    per_command = enter + 5 * step
    print(
        f"Bradley-Terry 1,000 rounds (1 block, 5 advances): {per_command * 1e6:.1f} us, "
        f"{per_command / 2.4:.1e} of its 2.4 s"
    )


if __name__ == "__main__":
    main()
