"""The MovieLens interleaving simulation runs end to end (on a subset, few rounds)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def _load(root: Path) -> ModuleType:
    path = root / "examples" / "interleaving-movielens" / "simulate.py"
    spec = importlib.util.spec_from_file_location("movielens_simulate", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_simulation_runs_and_finds_the_better_recommender(root: Path) -> None:
    """Smoke test on 200 users, 3 rounds and 20 simulated experiments: the better recommender
    by clicks per user is EASE (its lists hold more of the users' held-out favourites), both
    plans are positive, and interleaving prefers EASE too."""
    sim = _load(root)
    out = sim.run(max_users=200, rounds=3, reps=20, activity=True)
    assert out.better == "EASE"
    assert out.users_in_data == 200
    assert out.ab_users_needed > 0
    assert out.interleaving_users_needed > 0
    assert out.interleaving_preference > 0.5
    assert 0.0 <= out.ab_power_at_plan <= 1.0
    assert out.ratio == out.ab_users_needed / out.interleaving_users_needed
