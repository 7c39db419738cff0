"""Multiple-testing corrections of p-values.

- Holm, "A Simple Sequentially Rejective Multiple Test Procedure" (Scand. J. Statist. 1979):
  controls the family-wise error rate.
- Benjamini and Hochberg, "Controlling the False Discovery Rate" (JRSS B 1995): controls the
  false discovery rate.

NaN p-values (undefined tests) stay NaN and do not count towards the family size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from proxymetric._validation import check_choice

__all__ = ["Correction", "adjust_pvalues"]

Correction = Literal["holm", "bh", "none"]
CORRECTIONS: tuple[Correction, ...] = ("holm", "bh", "none")


def adjust_pvalues(pvalues: Sequence[float], method: Correction = "holm") -> list[float]:
    """Return adjusted p-values in the input order.

    >>> [round(p, 3) for p in adjust_pvalues([0.01, 0.04, 0.03], "holm")]
    [0.03, 0.06, 0.06]
    >>> [round(p, 3) for p in adjust_pvalues([0.01, 0.04, 0.03], "bh")]
    [0.03, 0.04, 0.04]
    """
    check_choice("correction", method, CORRECTIONS)
    p = np.asarray(pvalues, dtype=np.float64)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = ok.size
    if m == 0 or method == "none":
        out[ok] = p[ok]
        return [float(x) for x in out]
    order = ok[np.argsort(p[ok], kind="stable")]
    sorted_p = p[order]
    if method == "holm":
        adj = np.maximum.accumulate((m - np.arange(m)) * sorted_p)
    else:
        adj = np.minimum.accumulate(m / np.arange(m, 0, -1) * sorted_p[::-1])[::-1]
    out[order] = np.minimum(adj, 1.0)
    return [float(x) for x in out]
