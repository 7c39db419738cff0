"""Generate the (synthetic) A/B test of the ads-load example: 3 vs 4 ads per feed page.

No public data set has ad load experiments with retention, so the data is generated with a
fixed seed: 20,000 users per arm; 14-day ad revenue per user (gamma, mean $2.50 in control,
+8% with one more ad); 7-day retention 42.0% in control, 41.4% with one more ad; sessions.

Run from the repository root: ``.venv/bin/python examples/ads-load/generate_data.py``.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

USERS_PER_ARM = 20_000
OUT = Path(__file__).with_name("ads_test.csv.gz")


def main() -> None:
    """Write ``ads_test.csv.gz`` beside this script."""
    rng = np.random.default_rng(2024)
    rows = []
    arms = {"ads_3": (2.50, 0.420, 9.0), "ads_4": (2.70, 0.414, 8.8)}
    for arm, (revenue_mean, retention, sessions_mean) in arms.items():
        shape = 0.8
        revenue = rng.gamma(shape, revenue_mean / shape, USERS_PER_ARM)
        retained = rng.random(USERS_PER_ARM) < retention
        sessions = rng.poisson(sessions_mean, USERS_PER_ARM)
        rows += [
            f"{arm}-{i},{arm},{r:.4f},{int(k)},{s}"
            for i, (r, k, s) in enumerate(zip(revenue, retained, sessions, strict=True))
        ]
    rng.shuffle(rows)
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write("user_id,variant,revenue,retained_7,sessions\n")
        f.write("\n".join(rows) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
