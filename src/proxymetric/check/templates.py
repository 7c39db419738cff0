"""Templates of ``proxymetric.yaml`` for common project kinds (``proxymetric init``).

A team starts from a sensible metric tree instead of a blank file: the request as it arrived,
the goal behind it, a north star valued in money, a proxy balanced by a guardrail, the model
objective measured offline, the data source and the traffic. :func:`render_spec` writes the
commented YAML; every value can be replaced by the team's answers (:class:`Answers`).

>>> import yaml
>>> from proxymetric.check import check_spec
>>> text = render_spec(Answers(template="recommender", traffic=5000))
>>> card = check_spec(yaml.safe_load(text))
>>> card.row("conversion").cell("sensitive").reason
'not sensitive enough: MDE 13.7% at 14 days (70,000 units) > the expected effect 5.0%'
>>> card.project_check("ethics_review").status  # the team fills it in
'fail'
"""

from __future__ import annotations

import dataclasses
import re

import yaml

from proxymetric._validation import check_choice, check_number
from proxymetric.errors import ProxymetricError

__all__ = ["TEMPLATES", "Answers", "Template", "render_spec"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclasses.dataclass(frozen=True)
class _Metric:
    """A metric of a template: its default name, type, direction and current value."""

    name: str
    type: str  # mean or proportion; "blind_test" for a proxy judged blind
    description: str
    baseline_mean: float
    baseline_sd: float | None = None
    direction: str = "increase"
    expected_effect: float | None = None
    owner: str = "analytics"


@dataclasses.dataclass(frozen=True)
class Template:
    """A project kind: the default answers and metric tree ``proxymetric init`` starts from."""

    name: str
    title: str
    request: str
    goal: str
    north_star: _Metric
    proxy: _Metric
    guardrail: _Metric
    objective: str
    objective_description: str
    source: str
    unit: str
    baseline: str
    model_owner: str
    units_per_day: float | None = None
    population: int | None = None
    value: float = 1.0
    guardrail_margin: float = 0.01
    expected_win_rate: float = 0.6
    sample_size: int = 300


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            name="recommender",
            title="a recommender",
            request="I need a recommendation system.",
            goal="More sales through personalised offers.",
            north_star=_Metric(
                "gross_margin",
                "mean",
                "Gross margin from a user's orders.",
                4.0,
                20.0,
                owner="finance",
            ),
            proxy=_Metric(
                "conversion",
                "proportion",
                "Share of users who order.",
                0.03,
                expected_effect=0.05,
            ),
            guardrail=_Metric(
                "retention_28", "proportion", "Share of users active 28 days later.", 0.4
            ),
            objective="ndcg_at_10",
            objective_description="NDCG@10 of the ranking on held-out interactions.",
            source="users",
            unit="user_id",
            baseline="best sellers of the category",
            model_owner="recommendations team",
            units_per_day=20000,
        ),
        Template(
            name="moderation",
            title="content moderation",
            request="I need a classifier for NSFW content.",
            goal="Fewer incidents of inappropriate content reaching users, at the lowest cost.",
            north_star=_Metric(
                "incidents",
                "mean",
                "Inappropriate items seen per user.",
                0.02,
                0.2,
                direction="decrease",
                owner="trust and safety",
            ),
            proxy=_Metric(
                "reports",
                "mean",
                "User reports of inappropriate content per user.",
                0.01,
                0.12,
                direction="decrease",
                expected_effect=-0.2,
            ),
            guardrail=_Metric(
                "wrong_blocks",
                "mean",
                "Blocked items overturned on appeal, per creator.",
                0.05,
                0.3,
                direction="decrease",
            ),
            objective="recall_at_precision_90",
            objective_description="Recall at 90% precision on a labelled sample of uploads.",
            source="users",
            unit="user_id",
            baseline="user reports and keyword rules, as today",
            model_owner="moderation ML team",
            units_per_day=50000,
            value=-40.0,
            guardrail_margin=0.05,
        ),
        Template(
            name="search",
            title="search or a RAG assistant",
            request="I need a RAG system for our headquarters.",
            goal="Less time employees spend looking for answers on the intranet.",
            north_star=_Metric(
                "search_hours",
                "mean",
                "Hours per week an employee spends searching.",
                1.8,
                1.5,
                direction="decrease",
                expected_effect=-0.09,
                owner="workplace team",
            ),
            proxy=_Metric(
                "answer_preference",
                "blind_test",
                "Share of answer pairs where employees prefer the assistant, judged blind.",
                0.5,
            ),
            guardrail=_Metric(
                "wrong_answers",
                "proportion",
                "Share of answers judged wrong.",
                0.1,
                direction="decrease",
            ),
            objective="retrieval_recall_at_5",
            objective_description="Recall@5 of the retriever on a labelled question set.",
            source="employees",
            unit="employee_id",
            baseline="intranet keyword search",
            model_owner="assistant team",
            population=300,
            value=60.0,
        ),
        Template(
            name="support",
            title="support automation",
            request="Automate the support chat.",
            goal="Spend less on support without losing customers.",
            north_star=_Metric(
                "support_cost",
                "mean",
                "Support cost per customer per month.",
                6.0,
                9.0,
                direction="decrease",
                owner="customer operations",
            ),
            proxy=_Metric(
                "resolved_by_bot",
                "proportion",
                "Share of chats resolved without a human, not reopened in 7 days.",
                0.3,
                expected_effect=0.1,
            ),
            guardrail=_Metric(
                "csat", "mean", "Satisfaction after the chat (1-5).", 4.3, 1.0, owner="support"
            ),
            objective="answer_accuracy",
            objective_description="Share of correct answers on a labelled set of past chats.",
            source="customers",
            unit="customer_id",
            baseline="FAQ page and canned replies",
            model_owner="support bot team",
            units_per_day=800,
            value=-1.0,
        ),
        Template(
            name="ads",
            title="ads",
            request="Show more ads in the feed.",
            goal="Grow ad revenue over the year without shrinking the audience.",
            north_star=_Metric(
                "ad_revenue",
                "mean",
                "Ad revenue per user over the test.",
                0.9,
                2.5,
                owner="finance",
            ),
            proxy=_Metric(
                "ad_clicks",
                "mean",
                "Ad clicks per user over the test.",
                1.2,
                3.0,
                expected_effect=0.04,
            ),
            guardrail=_Metric(
                "retention_7", "proportion", "Share of users active 7 days later.", 0.45
            ),
            objective="log_loss",
            objective_description="Log loss of the click model on held-out impressions.",
            source="users",
            unit="user_id",
            baseline="a fixed ad load of 3 ads per page",
            model_owner="ads ranking team",
            units_per_day=100000,
            guardrail_margin=0.005,
        ),
    )
}
"""The templates by name: ``recommender``, ``moderation``, ``search``, ``support``, ``ads``."""


@dataclasses.dataclass(frozen=True)
class Answers:
    """A team's answers; ``None`` keeps the template's default.

    ``traffic`` is new units per day; ``population`` a fixed number of units (one of them).
    ``value`` is the money value of one unit of the north star.
    """

    template: str = "recommender"
    request: str | None = None
    goal: str | None = None
    north_star: str | None = None
    proxy: str | None = None
    guardrail: str | None = None
    objective: str | None = None
    source: str | None = None
    traffic: float | None = None
    population: int | None = None
    value: float | None = None


def _q(text: str) -> str:
    r"""A one-line YAML scalar that loads back as exactly ``text``, written by the YAML serializer.

    Quotes, backslashes, newlines and the characters YAML reads as line breaks (U+0085, U+2028,
    U+2029) are escaped inside a double-quoted scalar.

    >>> print(_q('say "hi"\nthen\u2028go'))
    "say \"hi\"\nthen\Lgo"
    """
    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=float("inf"))
    return dumped.removesuffix("\n...\n").rstrip("\n")


def _name(param: str, value: str) -> str:
    if not _NAME.match(value):
        raise ProxymetricError(
            f"`{param}` must be a name of letters, digits and underscores (not starting with a "
            f"digit); got {value!r}"
        )
    return value


def _metric_yaml(m: _Metric, name: str, role: str, source: str, extra: list[str]) -> list[str]:
    lines = [
        f"  {name}:",
        f"    type: {m.type}",
        f"    source: {source}",
        f"    column: {name}                # TODO: the column that holds it",
        f"    role: {role}",
        f"    description: {_q(m.description)}",
    ]
    if m.direction != "increase":
        lines.append(f"    direction: {m.direction}")
    lines.append(f"    owner: {_q(m.owner)}             # who owns the definition")
    lines.append(
        '    computed_by: "data platform"   # who produces the column (not the model team)'
    )
    lines.append(f"    baseline_mean: {m.baseline_mean:g}          # TODO: today's value per unit")
    if m.type != "proportion" and m.baseline_sd is not None:
        lines.append(
            f"    baseline_sd: {m.baseline_sd:g}            # TODO: its standard deviation"
        )
    lines += extra
    return lines


def render_spec(answers: Answers) -> str:
    """Return the commented YAML text of a spec from a template and the team's answers.

    Raises :class:`~proxymetric.errors.ProxymetricError` naming the answer that is not valid.
    """
    check_choice("template", answers.template, list(TEMPLATES))
    t = TEMPLATES[answers.template]
    ns = _name("north_star", answers.north_star or t.north_star.name)
    proxy = _name("proxy", answers.proxy or t.proxy.name)
    guard = _name("guardrail", answers.guardrail or t.guardrail.name)
    objective = _name("objective", answers.objective or t.objective)
    source = _name("source", answers.source or t.source)
    names = [ns, proxy, guard, objective]
    if len(set(names)) < len(names):
        raise ProxymetricError(
            "the north star, proxy, guardrail and objective need four different names; got "
            + ", ".join(names)
        )
    if answers.traffic is not None and answers.population is not None:
        raise ProxymetricError("give one of `traffic` (units per day) and `population`")
    per_day, population = t.units_per_day, t.population
    if answers.traffic is not None:
        per_day, population = check_number("traffic", answers.traffic, low=0), None
    if answers.population is not None:
        check_number("population", answers.population, low=0)
        per_day, population = None, int(answers.population)
    value = t.value if answers.value is None else check_number("value", answers.value)
    request = answers.request or t.request
    goal = answers.goal or t.goal

    out = [
        f"# proxymetric.yaml for {t.title}: `proxymetric init --template {t.name}`.",
        "# `proxymetric check proxymetric.yaml` holds it to the good-metric checklist. Numbers",
        "# marked TODO are the template's placeholders: replace them with your own.",
        "",
        f"request: {_q(request)}   # the request as it arrived",
        f"goal: {_q(goal)}   # the goal behind it, in one sentence",
        f"north_star: {ns}                     # the metric the goal is",
        f"baseline: {_q(t.baseline)}   # the non-ML way to reach the goal",
        f"model_owner: {_q(t.model_owner)}   # the team that builds the model",
        "",
        "duration:",
        "  days: 14                         # planned duration of a test",
        "  max_days: 56                     # the longest the team would run one",
        "",
        "sources:",
        f"  {source}:",
        f"    table: {source}            # a warehouse table, or `path: {source}.parquet`",
        f"    unit: {t.unit}             # the randomization unit",
        "    variant: variant              # the column holding each unit's variant",
        "",
        "metrics:",
    ]
    out += _metric_yaml(
        t.north_star,
        ns,
        "north_star",
        source,
        [f"    value_per_unit: {value:g}         # money per unit of the north star"],
    )
    link = [f"    link: {{to: {ns}, note: {_q('TODO: why it moves the north star')}}}"]
    link.append("    # reviewed_by: who checked the link (past experiments, a model)")
    if population is not None:
        traffic = f"    population: {population}             # a fixed set of units"
    else:
        assert per_day is not None
        traffic = f"    units_per_day: {per_day:g}        # new units reaching the change a day"
    blind = t.proxy.type == "blind_test"
    if not blind:
        effect = t.proxy.expected_effect
        link.append(f"    expected_effect: {effect:g}        # the relative effect you expect")
        out += _metric_yaml(t.proxy, proxy, "proxy", source, link)
        guard_note = _q("TODO: what a worse value costs")
        out += _metric_yaml(
            t.guardrail, guard, "guardrail", source, [f"    link: {{note: {guard_note}}}"]
        )
        out += [
            "",
            "experiments:",
            "  new-model:",
            "    control: control",
            traffic,
            f"    primary: {proxy}",
            f"    guardrails: [{{metric: {guard}, margin: {t.guardrail_margin:g}}}]  # relative",
            f"    secondary: [{ns}]",
        ]
    else:
        out += [
            "",
            "# An A/B test of the north star would need an experiment here:",
            "# experiments:",
            f"#   new-model: {{control: control, primary: {ns}, {traffic.split('#')[0].strip()}}}",
            "# At a small audience it cannot see a realistic effect (`proxymetric check` says so",
            "# in the column sensitive); a blind test of answers is the proxy.",
        ]
    out += [
        "",
        "evaluations:",
        f"  {objective}:",
        "    kind: offline",
        "    role: model_objective",
        f"    description: {_q(t.objective_description)}",
        f"    owner: {_q(t.model_owner)}",
        '    computed_by: "proxymetric offline"',
        f"    link: {{to: {proxy}, note: {_q('TODO: why a better score moves the proxy')}}}",
    ]
    if blind:
        note = _q("TODO: why preferred answers move the north star")
        out += [
            f"  {proxy}:",
            "    kind: blind_test",
            "    role: proxy",
            f"    description: {_q(t.proxy.description)}",
            f"    owner: {_q(t.proxy.owner)}",
            "    computed_by: raters              # who judges, blind",
            f"    expected_win_rate: {t.expected_win_rate:g}   # share of pairs you expect to win",
            f"    sample_size: {t.sample_size}               # judged pairs planned",
            f"    guardrails: [{guard}]",
            f"    link: {{to: {ns}, note: {note}}}",
            f"  {guard}:",
            "    kind: blind_test",
            "    role: guardrail",
            f"    description: {_q(t.guardrail.description)}",
            f"    owner: {_q(t.guardrail.owner)}",
            "    computed_by: raters",
            "    direction: decrease",
            f"    link: {{note: {_q('TODO: what a wrong answer costs')}}}",
        ]
    out += [
        "",
        "# The value model (docs/value.md): what an ideal model would be worth, against the",
        "# baseline. `proxymetric check` fails until it is there.",
        "# value:",
        "#   currency: $",
        "#   inputs: {...}",
        "#   outcomes: {profit: ...}",
        "#   alternatives: {...}",
        "",
        "# The ethical review of the project, filled in by the team (checked for presence):",
        "# ethics_review: {reviewer: ..., date: 2026-01-31, outcome: ...}",
        "",
    ]
    return "\n".join(out)
