"""SRM against scipy.stats.chisquare; corrections against statsmodels.multipletests."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from proxymetric.errors import ProxymetricError
from proxymetric.stats import adjust_pvalues, srm_test


@pytest.mark.parametrize(
    ("counts", "split"),
    [
        ({"a": 44700, "b": 45489}, None),
        ({"a": 1000, "b": 2100}, {"a": 1, "b": 2}),
        ({"a": 300, "b": 330, "c": 290}, {"a": 0.3, "b": 0.4, "c": 0.3}),
    ],
)
def test_srm_matches_scipy(counts: dict[str, int], split: dict[str, float] | None) -> None:
    n = sum(counts.values())
    shares = split or dict.fromkeys(counts, 1.0)
    total = sum(shares.values())
    ref = sps.chisquare(list(counts.values()), [shares[k] / total * n for k in counts])
    r = srm_test(counts, split)
    assert r.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert r.pvalue == pytest.approx(ref.pvalue, rel=1e-10)
    assert r.mismatch == (ref.pvalue < 0.001)


def test_srm_flags_a_broken_split() -> None:
    assert srm_test({"a": 5000, "b": 5400}).mismatch
    assert not srm_test({"a": 5000, "b": 5050}).mismatch


def test_srm_split_must_cover_variants() -> None:
    with pytest.raises(ProxymetricError, match="`split` must give a share for every variant"):
        srm_test({"a": 10, "b": 10}, {"a": 1.0})


@pytest.mark.parametrize(("ours", "theirs"), [("holm", "holm"), ("bh", "fdr_bh")])
def test_corrections_match_statsmodels(ours: str, theirs: str) -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        p = rng.uniform(0, 0.2, size=rng.integers(1, 12))
        ref = multipletests(p, method=theirs)[1]
        np.testing.assert_allclose(adjust_pvalues(list(p), ours), ref, rtol=1e-12)  # type: ignore[arg-type]


def test_nan_pvalues_stay_nan_and_do_not_count() -> None:
    adjusted = adjust_pvalues([0.01, math.nan, 0.04], "holm")
    assert math.isnan(adjusted[1])
    np.testing.assert_allclose(
        [adjusted[0], adjusted[2]], multipletests([0.01, 0.04], method="holm")[1]
    )


def test_unknown_correction_is_rejected() -> None:
    with pytest.raises(
        ProxymetricError, match="`correction` must be one of 'holm', 'bh', 'none'; got 'bonf'"
    ):
        adjust_pvalues([0.1], "bonf")  # type: ignore[arg-type]
