"""Every result class and every public function speaks one vocabulary (docs/architecture.md).

The walk imports every module of the package, collects every subclass of ``Result`` and checks
its field names against the naming scheme: intervals are ``<q>_ci_lower``/``<q>_ci_upper`` of a
quantity ``<q>`` the result holds, standard errors ``<q>_se``, p-values ``pvalue`` (or
``pvalue_adjusted``, or a named test's ``<test>_pvalue``), the level of an interval
``confidence_level``, and per-arm numbers start with the arm (``control_units``, not
``n_control``). A new result class is checked without being listed here.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re

import pytest

import proxymetric
from proxymetric._result import Result

#: Packages whose public functions take the level of an interval as ``confidence_level``.
_CAPABILITIES = (
    "analysis",
    "chain",
    "check",
    "design",
    "interleaving",
    "offline",
    "pairwise",
    "proxies",
    "registry",
    "value",
)

#: Names the scheme replaces, with the name to use instead.
_FORBIDDEN = {
    "confidence": "confidence_level",
    "conf_level": "confidence_level",
    "ci_lower": "<quantity>_ci_lower",
    "ci_upper": "<quantity>_ci_upper",
    "lower": "<quantity>_ci_lower",
    "upper": "<quantity>_ci_upper",
    "se": "<quantity>_se",
    "stderr": "<quantity>_se",
    "std_error": "<quantity>_se",
    "standard_error": "<quantity>_se",
    "p_value": "pvalue",
    "pval": "pvalue",
    "p": "pvalue",
}

#: Quantities a result may give the standard error of without holding them: a design's
#: ``effect_se`` is the standard error the planned test's effect estimate will have.
_EXPECTED_QUANTITIES = {"effect", "rel_effect"}

_PVALUE = re.compile(r"^(pvalue(_adjusted|_boundary)?|[a-z0-9_]+_pvalue)$")
_ARM_SUFFIX = re.compile(r"^[a-z0-9_]+_(control|treatment)$")
_ARM_PREFIX = re.compile(r"^(n|sd|mean|units)_(control|treatment)")


def _modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(proxymetric.__path__, "proxymetric."):
        if info.name.startswith(("proxymetric.cli", "proxymetric.__main__")):
            continue
        importlib.import_module(info.name)
        names.append(info.name)
    return names


def _subclasses(cls: type) -> set[type]:
    out: set[type] = set()
    direct: list[type] = cls.__subclasses__()
    for sub in direct:
        out |= {sub, *_subclasses(sub)}
    return out


_modules()
RESULTS = sorted(
    (c for c in _subclasses(Result) if c.__module__.startswith("proxymetric.")),
    key=lambda c: (c.__module__, c.__qualname__),
)


def vocabulary_problems(names: list[str]) -> list[str]:
    """Return one sentence per field name of ``names`` that breaks the naming scheme."""
    problems = []
    fields = set(names)

    def holds(quantity: str) -> bool:
        # the quantity itself, or a qualified version of it (score_sandwich of score)
        base = quantity.removeprefix("rel_")
        return any(base == f or base.startswith(f + "_") for f in fields)

    for name in names:
        if name in _FORBIDDEN:
            problems.append(f"`{name}`: use `{_FORBIDDEN[name]}`")
            continue
        for side, other in (("lower", "upper"), ("upper", "lower")):
            if name.endswith("_" + side):
                if not name.endswith(f"_ci_{side}"):
                    problems.append(f"`{name}`: an interval bound is `<quantity>_ci_{side}`")
                    continue
                quantity = name.removesuffix(f"_ci_{side}")
                if f"{quantity}_ci_{other}" not in fields:
                    problems.append(f"`{name}` has no `{quantity}_ci_{other}`")
                if not holds(quantity):
                    problems.append(f"`{name}` bounds `{quantity}`, which the result does not hold")
        quantity = name.removesuffix("_se")
        if name.endswith("_se") and not (holds(quantity) or quantity in _EXPECTED_QUANTITIES):
            problems.append(
                f"`{name}` is the standard error of a quantity the result does not hold"
            )
        if "pvalue" in name and not _PVALUE.match(name):
            problems.append(
                f"`{name}`: p-values are `pvalue`, `pvalue_adjusted` or `<test>_pvalue`"
            )
        if "p_value" in name or "pval" in name.replace("pvalue", ""):
            problems.append(f"`{name}`: spell it `pvalue`")
        if _ARM_SUFFIX.match(name) or _ARM_PREFIX.match(name):
            problems.append(f"`{name}`: per-arm numbers start with the arm (`control_...`)")
    return problems


def test_the_walk_finds_the_results_of_every_capability() -> None:
    # a broken walk (no import, wrong base class) would pass every check below vacuously
    packages = {c.__module__.split(".")[1] for c in RESULTS}
    assert {"analysis", "design", "offline", "pairwise", "interleaving", "proxies"} <= packages
    assert len(RESULTS) > 50


@pytest.mark.parametrize("cls", RESULTS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_result_fields_follow_the_naming_scheme(cls: type) -> None:
    names = [f.name for f in dataclasses.fields(cls)]
    assert vocabulary_problems(names) == []


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        (["value", "ci_lower", "ci_upper"], "`ci_lower`: use `<quantity>_ci_lower`"),
        (["score", "score_lower", "score_upper"], "`score_lower`: an interval bound"),
        (["score", "score_ci_lower"], "`score_ci_lower` has no `score_ci_upper`"),
        (["mean", "effect_ci_lower", "effect_ci_upper"], "bounds `effect`, which the result"),
        (["mean", "score_se"], "`score_se` is the standard error of a quantity"),
        (["effect", "confidence"], "`confidence`: use `confidence_level`"),
        (["effect", "pvalue_holm"], "`pvalue_holm`: p-values are"),
        (["effect", "p_value_two_sided"], "spell it `pvalue`"),
        (["sd_control", "effect"], "per-arm numbers start with the arm"),
        (["n_treatment", "effect"], "per-arm numbers start with the arm"),
    ],
)
def test_the_scheme_catches_each_kind_of_misnamed_field(names: list[str], problem: str) -> None:
    problems = vocabulary_problems(names)
    assert any(problem in p for p in problems), problems


def test_the_scheme_accepts_the_names_it_prescribes() -> None:
    names = [
        "effect", "effect_se", "effect_ci_lower", "effect_ci_upper", "rel_effect",
        "rel_effect_ci_lower", "rel_effect_ci_upper", "score", "score_sandwich_ci_lower",
        "score_sandwich_ci_upper", "pvalue", "pvalue_adjusted", "noninferiority_pvalue",
        "confidence_level", "alpha", "control_units", "treatment_mean", "treatment_ratio",
    ]  # fmt: skip
    assert vocabulary_problems(names) == []


def _public_functions() -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for package in _CAPABILITIES:
        module = importlib.import_module(f"proxymetric.{package}")
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                out.append((f"{package}.{name}", obj))
    return out


@pytest.mark.parametrize(("name", "func"), _public_functions(), ids=str)
def test_public_functions_take_the_level_of_an_interval_as_confidence_level(
    name: str, func: object
) -> None:
    assert callable(func)
    parameters = set(inspect.signature(func).parameters)
    assert not parameters & {"confidence", "conf_level", "level"}, name


def test_no_two_public_classes_share_a_name() -> None:
    # `from proxymetric.stats import Comparison` and an offline `Comparison` once meant two things
    owners: dict[str, set[str]] = {}
    for info in pkgutil.iter_modules(proxymetric.__path__):
        if not info.ispkg or info.name == "cli":
            continue
        module = importlib.import_module(f"proxymetric.{info.name}")
        for name in getattr(module, "__all__", ()):
            if inspect.isclass(getattr(module, name)):
                owners.setdefault(name, set()).add(info.name)
    assert len(owners) > 50
    assert {name: p for name, p in owners.items() if len(p) > 1} == {}
