"""Value model at scale: 1 million Monte Carlo draws of a 20-input model.

    .venv/bin/python benchmarks/bench_value.py                 # 1M draws, 20 inputs
    .venv/bin/python benchmarks/bench_value.py --draws 200000 --repeat 5

The model mixes every distribution (normal, lognormal, uniform, triangular, PERT, beta) over
20 inputs, with 8 outcome formulas using arithmetic, min, max, exp, log and where, and two
alternatives sharing the draws. Times, best of ``--repeat`` runs:

- ``numpy floor``: drawing 20 million standard normals with numpy alone (the bare cost of the
  random numbers, which no implementation can avoid);
- ``sample``: drawing every input (``ValueModel.sample``);
- ``simulate``: drawing and evaluating every outcome of both alternatives;
- ``analyze``: everything ``proxymetric value`` reports (summaries, tornado, break-even,
  headroom, recommendation);
- the same ``simulate`` and ``analyze`` for 20 normal inputs and one linear profit, where the
  random numbers are all the work.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable

import numpy as np


def _model() -> object:
    from proxymetric.value import (
        Alternative,
        Beta,
        BreakEvenQuery,
        Input,
        LogNormal,
        Normal,
        Pert,
        Triangular,
        Uniform,
    )
    from proxymetric.value import ValueModel as Model

    inputs: dict[str, object] = {}
    for i in range(4):
        inputs[f"n{i}"] = Normal(10.0 + i, 2.0)
        inputs[f"l{i}"] = LogNormal.from_median_p90(50.0 + i, 90.0 + i)
        inputs[f"u{i}"] = Uniform(0.0, 1.0 + i)
    for i in range(3):
        inputs[f"t{i}"] = Triangular(0.0, 1.0 + i, 5.0 + i)
        inputs[f"p{i}"] = Pert(1.0, 2.0 + i, 9.0 + i)
    inputs["rate0"] = Input(Beta(80.0, 20.0), ideal=1.0)
    inputs["rate1"] = Beta.from_mean_sd(0.3, 0.05)
    assert len(inputs) == 20
    outcomes = {
        "volume": "n0 * n1 + n2 * u0 + max(n3, 0)",
        "price": "l0 * (1 + 0.1 * u1) + min(l1, l2)",
        "quality": "rate0 * (1 - rate1) + where(u2 > 0.5, 0.01, 0)",
        "revenue": "volume * price * quality",
        "cost": "l3 * t0 + p0 * t1 + exp(-u3) * p1 + log(1 + t2) * p2",
        "profit": "revenue * uplift - cost",
    }
    alternatives = {
        "model": Alternative(outcomes={"uplift": "0.05"}),
        "rules": Alternative(outcomes={"uplift": "0.02 + 0 * quality"}),
    }
    return Model(
        inputs,  # type: ignore[arg-type]
        outcomes,
        alternatives=alternatives,
        break_even=[BreakEvenQuery("rate0", alternative="model")],
    )


def _normal_model() -> object:
    """20 normal inputs and one linear profit: the case the random numbers dominate."""
    from proxymetric.value import Normal, ValueModel

    inputs = {f"x{i}": Normal(float(i), 1.0) for i in range(20)}
    formula = " + ".join(f"{(-1) ** i} * x{i}" for i in range(20))
    return ValueModel(inputs, {"profit": formula})  # type: ignore[arg-type]


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    model = _model()
    n = args.draws
    rng = np.random.default_rng(0)
    floor = _best(lambda: rng.standard_normal(20 * n), args.repeat)
    sample = _best(lambda: model.sample(n, 0), args.repeat)  # type: ignore[attr-defined]
    simulate = _best(lambda: model.simulate(n, 0), args.repeat)  # type: ignore[attr-defined]
    analyze = _best(lambda: model.analyze(draws=n, seed=0), args.repeat)  # type: ignore[attr-defined]
    print(f"draws: {n:,}, inputs: 20, outcomes: 6 shared + 1 per alternative, alternatives: 2")
    print(f"numpy floor (20 x {n:,} normals): {floor:.3f} s")
    print(f"sample (all inputs):             {sample:.3f} s")
    print(f"simulate (inputs + outcomes):    {simulate:.3f} s")
    print(f"analyze (full report):           {analyze:.3f} s")
    normal = _normal_model()
    normal_simulate = _best(lambda: normal.simulate(n, 0), args.repeat)  # type: ignore[attr-defined]
    normal_analyze = _best(lambda: normal.analyze(draws=n, seed=0), args.repeat)  # type: ignore[attr-defined]
    print(
        f"20 normal inputs, linear profit: simulate {normal_simulate:.3f} s, "
        f"analyze {normal_analyze:.3f} s"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak memory: {peak:.2f} GB")


if __name__ == "__main__":
    main()
