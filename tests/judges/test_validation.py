"""Judge validation on tables: agreement, biases, self-preference; the corrected estimates."""

from __future__ import annotations

import numpy as np
import pytest

from proxymetric.errors import DataError, ProxymetricError
from proxymetric.judges import evaluate_judge, evaluate_labels, evaluate_pairwise, ppi_mean


def _label_table(seed: int = 0, items: int = 600, share: float = 0.3) -> dict[str, list[object]]:
    """Two systems' answers on the same items; the judge ('llm') passes every answer people
    pass, and also 30% of the failed answers of system 'mine' but only 10% of those of system
    'theirs' (a self-preference when 'mine' is of the judge's family); people label a random
    share of the items."""
    rng = np.random.default_rng(seed)
    rows: dict[str, list[object]] = {"item": [], "system": [], "judge": [], "label": []}
    labelled = rng.random(items) < share
    for i in range(items):
        for system, p, leak in (("mine", 0.6, 0.3), ("theirs", 0.5, 0.1)):
            y = int(rng.random() < p)
            f = 1 if y or rng.random() < leak else 0
            rows["item"].append(i)
            rows["system"].append(system)
            rows["judge"].append("llm")
            rows["label"].append("pass" if f else "fail")
            if labelled[i]:
                rows["item"].append(i)
                rows["system"].append(system)
                rows["judge"].append(f"person{i % 3}")
                rows["label"].append("pass" if y else "fail")
    return rows


def _arrays(rows: dict[str, list[object]]) -> tuple[np.ndarray, ...]:
    item = np.array(rows["item"])
    system = np.array(rows["system"])
    judge = np.array(rows["judge"])
    label = (np.array(rows["label"]) == "pass").astype(float)
    return item, system, judge, label


def test_kappa_and_confusion_match_scikit_learn() -> None:
    """Reference: sklearn.metrics.cohen_kappa_score and confusion_matrix of people's labels
    against the judge's label of the same unit."""
    from sklearn.metrics import cohen_kappa_score, confusion_matrix

    rows = _label_table()
    r = evaluate_labels(rows, judge="llm", positive="pass")
    item, system, judge, label = _arrays(rows)
    machine = {
        (i, s): v for i, s, j, v in zip(item, system, judge, label, strict=True) if j == "llm"
    }
    people = [
        (v, machine[(i, s)])
        for i, s, j, v in zip(item, system, judge, label, strict=True)
        if j != "llm"
    ]
    h = [p[0] for p in people]
    f = [p[1] for p in people]
    assert r.agreement is not None
    assert r.agreement.categories == ("fail", "pass")
    assert r.agreement.cohen_kappa == pytest.approx(cohen_kappa_score(h, f), abs=1e-12)
    assert r.agreement.confusion == tuple(map(tuple, confusion_matrix(h, f).tolist()))
    assert r.agreement.human_labels == len(h)


def test_estimates_match_ppi_mean_on_the_units_and_differences_are_paired() -> None:
    """Reference: ppi_py.ppi_mean_ci on the per-system units and on the per-item differences
    mine - theirs (the table is read into the same arrays independently here)."""
    ppi_py = pytest.importorskip("ppi_py")
    rows = _label_table()
    r = evaluate_labels(rows, judge="llm", positive="pass", confidence_level=0.9)
    item, system, judge, label = _arrays(rows)
    m = judge == "llm"
    by = {(s, e.system): e for s in ("",) for e in r.estimates}
    for s in ("mine", "theirs"):
        sel = m & (system == s)
        f = label[sel]
        human = dict(zip(item[~m & (system == s)], label[~m & (system == s)], strict=True))
        lab = np.array([i in human for i in item[sel]])
        y = np.array([human.get(i, np.nan) for i in item[sel]])
        lo, hi = ppi_py.ppi_mean_ci(y[lab], f[lab], f[~lab], alpha=0.1)
        e = by[("", s)]
        assert (e.estimate_ci_lower, e.estimate_ci_upper) == pytest.approx(
            (lo[0], hi[0]), abs=1e-12
        )
    (d,) = r.differences
    assert (d.system, d.baseline) == ("theirs", "mine")
    fa, fb = label[m & (system == "theirs")], label[m & (system == "mine")]
    ha = dict(zip(item[~m & (system == "theirs")], label[~m & (system == "theirs")], strict=True))
    hb = dict(zip(item[~m & (system == "mine")], label[~m & (system == "mine")], strict=True))
    items = item[m & (system == "mine")]
    lab = np.array([i in ha for i in items])
    yd = np.array([ha.get(i, np.nan) - hb.get(i, np.nan) for i in items])
    fd = fa - fb
    lo, hi = ppi_py.ppi_mean_ci(yd[lab], fd[lab], fd[~lab], alpha=0.1)
    assert (d.estimate_ci_lower, d.estimate_ci_upper) == pytest.approx((lo[0], hi[0]), abs=1e-12)


def test_bias_by_system_and_self_preference() -> None:
    """Reference: statsmodels DescrStatsW.zconfint_mean of judge - human per system; the
    self-preference is the difference of the two systems' biases (true value 0.4*0.3 - 0.5*0.1
    = 0.07; the judge's family is declared) with a Welch normal standard error."""
    from statsmodels.stats.weightstats import DescrStatsW

    rows = _label_table(items=3000)
    r = evaluate_labels(
        rows, judge="llm", positive="pass", families={"llm": "acme", "mine": "acme"},
        confidence_level=0.95,
    )  # fmt: skip
    item, system, judge, label = _arrays(rows)
    m = judge == "llm"
    gaps = {}
    for s in ("mine", "theirs"):
        f = dict(zip(item[m & (system == s)], label[m & (system == s)], strict=True))
        gap = np.array(
            [
                f[i] - v
                for i, v in zip(item[~m & (system == s)], label[~m & (system == s)], strict=True)
            ]
        )
        gaps[s] = gap
        b = next(x for x in r.bias if x.system == s)
        lo, hi = DescrStatsW(gap).zconfint_mean(alpha=0.05)
        assert (b.bias_ci_lower, b.bias_ci_upper) == pytest.approx((lo, hi), abs=1e-12)
    sp = r.self_preference
    assert sp is not None
    assert sp.own_systems == ("mine",)
    assert sp.judge_family == "acme"
    assert sp.self_preference == pytest.approx(gaps["mine"].mean() - gaps["theirs"].mean())
    se = np.sqrt(
        gaps["mine"].var(ddof=1) / gaps["mine"].size
        + gaps["theirs"].var(ddof=1) / gaps["theirs"].size
    )
    assert sp.self_preference_se == pytest.approx(se)
    assert sp.self_preference_ci_lower <= 0.07 <= sp.self_preference_ci_upper
    assert sp.self_preference_ci_lower > 0  # detected
    # without a declared family there is no self-preference to measure
    assert evaluate_labels(rows, judge="llm", positive="pass").self_preference is None


def _pairwise_table(seed: int = 0, items: int = 1500, fav: float = 0.0) -> dict[str, list[object]]:
    """Three systems; people follow Bradley-Terry and see a random order; the judge copies people
    but picks the output shown first on 20% of comparisons, and on another 10% the output of
    system 'own' (self-preference) when ``fav`` is set."""
    rng = np.random.default_rng(seed)
    strength = {"own": 0.0, "ace": 0.4, "y": -0.4}  # 'own' sorts between the others
    names = list(strength)
    rows: dict[str, list[object]] = {
        k: [] for k in ("item", "system_a", "system_b", "winner", "judge", "position")
    }
    for i in range(items):
        a, b = rng.choice(names, 2, replace=False)
        p = 1 / (1 + np.exp(-(strength[a] - strength[b])))
        human = "a" if rng.random() < p else "b"
        first = "a" if rng.random() < 0.5 else "b"
        u = rng.random()
        if u < 0.2:
            judged = first
        elif u < 0.2 + fav and "own" in (a, b):
            judged = "a" if a == "own" else "b"
        else:
            judged = human
        rows_to_add = [("llm", judged, first)]
        if rng.random() < 0.3:
            rows_to_add.append(("ann", human, "a" if rng.random() < 0.5 else "b"))
        for who, winner, pos in rows_to_add:
            for k, v in zip(rows, (i, a, b, winner, who, pos), strict=True):
                rows[k].append(v)
    return rows


def test_pairwise_position_bias_against_statsmodels() -> None:
    """Reference: statsmodels proportion_confint(method='normal') of each share of first wins;
    the judge picks the first-shown output on 20% of comparisons, so its share is near
    0.5 + 0.2 * 0.5 = 0.6 against people's 0.5."""
    from statsmodels.stats.proportion import proportion_confint

    rows = _pairwise_table()
    r = evaluate_pairwise(rows, judge="llm")
    pos = r.position
    assert pos is not None
    winner, who, first = (np.array(rows[k]) for k in ("winner", "judge", "position"))
    for name, n, share, lo, hi in (
        (
            "llm",
            pos.judge_judgments,
            pos.judge_share_first_wins,
            pos.judge_share_first_wins_ci_lower,
            pos.judge_share_first_wins_ci_upper,
        ),
        (
            "ann",
            pos.human_judgments,
            pos.human_share_first_wins,
            pos.human_share_first_wins_ci_lower,
            pos.human_share_first_wins_ci_upper,
        ),
    ):
        sel = who == name
        k = int((winner[sel] == first[sel]).sum())
        assert n == int(sel.sum())
        assert share == pytest.approx(k / n)
        assert (lo, hi) == pytest.approx(
            proportion_confint(k, n, alpha=0.05, method="normal"), abs=1e-12
        )
    assert pos.bias_ci_lower > 0
    assert pos.bias_ci_lower <= 0.1 <= pos.bias_ci_upper


def test_pairwise_self_preference_and_corrected_scores() -> None:
    """Simulation with known truth: the judge prefers 'own' on 10% more comparisons that
    involve it, so its self-preference is about 0.1 * (1 - P(people pick own)) > 0 and its
    score for 'own' is inflated; the corrected score interval covers the truth (strength 0,
    centred scores: 1000) while the judge-only one is above it."""
    rows = _pairwise_table(items=4000, fav=0.3)
    r = evaluate_pairwise(rows, judge="llm", families={"llm": "acme", "own": "acme"})
    sp = r.self_preference
    assert sp is not None
    assert sp.own_systems == ("own",)
    assert sp.self_preference_ci_lower > 0
    own = next(s for s in r.scores.systems if s.system == "own")
    assert own.score_ci_lower <= 1000.0 <= own.score_ci_upper
    assert own.judge_score_ci_lower > 1000.0
    b = next(x for x in r.bias if x.system == "own")
    assert b.bias_ci_lower > 0
    # the systems 'own' meets lose what it gains, whichever side of the pair they sit on
    for other in ("ace", "y"):
        assert next(x for x in r.bias if x.system == other).bias < 0
    assert r.agreement.categories == ("a", "b", "tie")
    assert r.human_judgments == sum(1 for j in rows["judge"] if j == "ann")


def test_evaluate_judge_picks_the_table_kind() -> None:
    assert (
        type(evaluate_judge(_pairwise_table(items=300), judge="llm")).__name__
        == "JudgePairwiseReport"
    )
    r = evaluate_judge(_label_table(items=100), judge="llm", positive="pass")
    assert type(r).__name__ == "JudgeLabelsReport"


def test_plan_and_mix_in_the_report_use_the_measured_agreement() -> None:
    """The report's plan is the closed-form plan at the measured sd and correlation."""
    from proxymetric.judges import human_labels_needed

    rows = _label_table(items=1000)
    r = evaluate_labels(rows, judge="llm", positive="pass", target_width=0.04,
                        cost_per_human_label=2.0, cost_per_judge_label=0.01)  # fmt: skip
    assert r.plan is not None
    assert r.mix is not None
    overall = r.estimates[0]
    _item, _system, judge, label = _arrays(rows)
    sd = float(np.std(label[judge != "llm"]))
    plan = human_labels_needed(0.04, human_sd=sd, correlation=overall.correlation,
                               judge_labels=overall.judge_labels - overall.human_labels)  # fmt: skip
    assert r.plan == plan
    assert r.mix.width <= 0.04
    assert r.mix.cost < r.mix.human_only_cost


def test_one_system_gives_one_estimate_and_numeric_labels_need_no_positive() -> None:
    nan = float("nan")
    rows = {
        "item": [1, 2, 3, 4, 1, 2, 3],
        "judge": ["j"] * 4 + ["p"] * 3,
        "label": [1, 0, 1, 1, 1, 1, 0],
    }
    r = evaluate_labels(rows, judge="j")
    (e,) = r.estimates
    ref = ppi_mean([1, 1, 0, nan], [1, 0, 1, 1])
    assert e == ref
    assert r.differences == ()


@pytest.mark.parametrize(
    ("rows", "kwargs", "message"),
    [
        (
            {"item": [1, 1], "judge": ["j", "p"], "label": [1, 1]},
            {"judge": "k"},
            "`judge` 'k' is not defined; defined judges",
        ),
        ({"item": [1, 2], "judge": ["j", "j"], "label": [1, 1]}, {"judge": "j"}, "people's rows"),
        (
            {"item": [1, 1], "judge": ["j", "p"], "label": ["x", "y"]},
            {"judge": "j"},
            "pass `positive`",
        ),
        (
            {"item": [1, 1], "judge": ["j", "p"], "label": ["x", "y"]},
            {"judge": "j", "positive": "z"},
            "`positive` 'z' is not a value",
        ),
        (
            {"item": [1, 2], "judge": ["j", "p"], "label": [1, 1]},
            {"judge": "j"},
            "people labelled item '2' that 'j' did not",
        ),
        (
            {"item": [1, 1, 1], "judge": ["j", "j", "p"], "label": [1, 0, 1]},
            {"judge": "j"},
            "more than once",
        ),
        ({"item": [1], "label": [1]}, {"judge": "j"}, "judge"),
    ],
)
def test_bad_tables_are_named(
    rows: dict[str, list[object]], kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(ProxymetricError, match=message):
        evaluate_labels(rows, **kwargs)  # type: ignore[arg-type]


def test_pairwise_without_a_judge_column_is_named() -> None:
    rows = {"item": [1], "system_a": ["a"], "system_b": ["b"], "winner": ["a"]}
    with pytest.raises(DataError, match="need a column `judge`"):
        evaluate_pairwise(rows, judge="llm")


def test_recall_and_precision_match_ppi_py_two_dimensional_means() -> None:
    """Reference: ppi_py.ppi_mean_pointestimate (lam_optim_mode='element') of (human * judge,
    human) for the recall and of (human * judge, judge) for the precision, over every unit."""
    ppi_py = pytest.importorskip("ppi_py")
    rows = _label_table(items=800)
    r = evaluate_labels(rows, judge="llm", positive="pass")
    item, system, judge, label = _arrays(rows)
    m = judge == "llm"
    human = {(i, s): v for i, s, v in zip(item[~m], system[~m], label[~m], strict=True)}
    f = label[m]
    lab = np.array([(i, s) in human for i, s in zip(item[m], system[m], strict=True)])
    y = np.array([human.get((i, s), np.nan) for i, s in zip(item[m], system[m], strict=True)])
    for got, cols in ((r.recall, (y * f, y)), (r.precision, (y * f, f))):
        assert got is not None
        yy, ff = np.column_stack(cols), np.column_stack([f, f])
        est = ppi_py.ppi_mean_pointestimate(yy[lab], ff[lab], ff[~lab], lam_optim_mode="element")
        assert got.estimate == pytest.approx(est[0] / est[1], abs=1e-12)
