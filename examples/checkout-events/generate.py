"""Generate the event logs of this example (seeded; the files are committed).

A web shop tests a new checkout page on 3,000 users over two weeks. Each user has a shopping
propensity that shows before and after assignment (so the pre-period predicts the metric, and
CUPED helps); the new page lifts purchase amounts by about 6% and the purchase probability a
little. A few users were assigned to both variants by a logging bug, as happens.

    python examples/checkout-events/generate.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def generate(n_users: int = 3000, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the assignment log and the event log."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-06-03")
    users = np.arange(1, n_users + 1)
    variant = rng.choice(["old_checkout", "new_checkout"], n_users)
    assigned = start + pd.to_timedelta(rng.uniform(0, 14, n_users), unit="D")
    platform = rng.choice(["web", "ios", "android"], n_users, p=[0.5, 0.3, 0.2])
    assignments = pd.DataFrame(
        {
            "user_id": users,
            "variant": variant,
            "assigned_at": assigned.round("s"),
            "platform": platform,
        }
    )
    bug = rng.choice(users, 12, replace=False)  # logged in both variants
    flipped = assignments[assignments.user_id.isin(bug)].assign(
        variant=lambda d: np.where(d.variant == "old_checkout", "new_checkout", "old_checkout")
    )
    assignments = pd.concat([assignments, flipped], ignore_index=True)

    propensity = rng.gamma(0.8, 1.0, n_users)
    rows = []
    for i, user in enumerate(users):
        for offset in rng.uniform(-14, 21, rng.poisson(30 * propensity[i])):
            treated = variant[i] == "new_checkout" and offset >= 0
            ts = assigned[i] + pd.Timedelta(days=float(offset))
            if rng.random() < (0.09 if treated else 0.08):
                amount = round(float(rng.gamma(2.0, 25.0) * (1.06 if treated else 1.0)), 2)
                rows.append((user, ts, "purchase", amount))
            else:
                rows.append((user, ts, "page_view", 0.0))
    events = pd.DataFrame(rows, columns=["user_id", "ts", "event", "amount"])
    events["ts"] = events["ts"].dt.round("s")
    return assignments, events.sort_values("ts", ignore_index=True)


if __name__ == "__main__":
    a, e = generate()
    a.to_csv(HERE / "assignments.csv.gz", index=False)
    e.to_csv(HERE / "events.csv.gz", index=False)
    print(f"{len(a):,} assignments, {len(e):,} events")
