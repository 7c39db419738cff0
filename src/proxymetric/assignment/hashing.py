"""Deterministic, salted assignment of unit ids to variants by weight.

The bucket scheme (``docs/assignment.md``): for each variant ``v`` with weight ``w`` the unit
gets a uniform number from the md5 digest of ``"{salt}:{v}:{id}"``,
``u = (int(hexdigest[:8], 16) + 0.5) / 2**32``, and the score ``-ln(u) / w``, an exponential
variable of rate ``w``; the unit goes to the variant with the lowest score (the first declared
on an exact tie). The lowest of independent exponentials is variant ``v`` with probability
``w_v / sum(w)``: the weights are the shares. This is weighted rendezvous hashing (Thaler and
Ravishankar 1998; Schindelhauer and Schomaker 2005). Because every variant's score depends
only on its own weight:

- a unit stays in its variant when that variant's weight grows at least in proportion to
  every other weight (one variant grows while the others shrink, or all treatments ramp up by
  the same factor while the control shrinks): its score falls at least as much as the others';
- a new variant takes units from every old variant in proportion and moves none between them;
- a different salt gives independent numbers, so experiments with different salts are
  independent.

The same assignment is an SQL expression (:func:`proxymetric.data.assignment.assignment_sql`)
that DuckDB, Spark and PostgreSQL compute identically.

>>> assign(["u1", "u2", "u3", "u4"], {"control": 0.5, "treatment": 0.5}, salt="exp-1")
['treatment', 'control', 'control', 'control']
"""

from __future__ import annotations

import hashlib
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from proxymetric.errors import ProxymetricError

__all__ = ["SUM_TOLERANCE", "assign", "check_weights", "unit_key", "variant_of"]

#: How far the weights may sum from 1 (rounding of shares such as 1/3).
SUM_TOLERANCE = 1e-9
HEX_DIGITS = 8
SCALE = 2.0**32


def check_weights(weights: Mapping[str, object], param: str = "weights") -> dict[str, float]:
    """Return ``weights`` as a dict of shares, or raise: at least one variant, each named,
    each share finite and > 0, summing to 1."""
    if not isinstance(weights, Mapping) or not weights:
        raise ProxymetricError(
            f"`{param}` must give at least one variant a share, such as "
            f"{{'control': 0.5, 'treatment': 0.5}}; got {weights!r}"
        )
    out: dict[str, float] = {}
    for name, share in weights.items():
        if not isinstance(name, str) or not name:
            raise ProxymetricError(f"`{param}` names variants by non-empty text; got {name!r}")
        value = _real(share)
        if value is None or not math.isfinite(value) or not value > 0:
            raise ProxymetricError(
                f"`{param}[{name!r}]` must be a share > 0 and <= 1; got {share!r}"
            )
        out[name] = value
    total = math.fsum(out.values())
    if abs(total - 1) > SUM_TOLERANCE:
        listed = ", ".join(f"{k}: {v:g}" for k, v in out.items())
        raise ProxymetricError(f"`{param}` must sum to 1; got {total:.12g} ({listed})")
    return out


def _real(value: object) -> float | None:
    """The value as a float if it is a real number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return float(value)


def check_salt(salt: str) -> str:
    """Return ``salt`` if it is non-empty text, else raise."""
    if not isinstance(salt, str) or not salt:
        raise ProxymetricError(f"`salt` must be non-empty text; got {salt!r}")
    return salt


def unit_key(unit: object) -> str:
    """Return the text an id is hashed as: a string as it is, an integer in decimal digits."""
    if isinstance(unit, str):
        return unit
    if not isinstance(unit, bool) and isinstance(unit, numbers.Integral):
        return str(int(unit))
    raise ProxymetricError(
        f"unit ids must be text or integers; got {unit!r} ({type(unit).__name__})"
    )


def uniforms(keys: Sequence[bytes], salt: str, variant: str) -> npt.NDArray[np.float64]:
    """Return the uniform number of every key (UTF-8 ids) for one variant."""
    prefix = f"{salt}:{variant}:".encode()
    md5 = hashlib.md5
    numbers_ = np.fromiter(
        (int.from_bytes(md5(prefix + k, usedforsecurity=False).digest()[:4]) for k in keys),
        dtype=np.float64,
        count=len(keys),
    )
    return (numbers_ + 0.5) / SCALE


def variant_of(unit: object, weights: Mapping[str, float], salt: str) -> str:
    """Return the variant of one unit id under ``weights`` (shares summing to 1) and ``salt``.

    >>> variant_of("u1", {"control": 0.5, "treatment": 0.5}, salt="exp-1")
    'treatment'
    """
    return assign([unit], weights, salt)[0]


def assign(units: Iterable[object], weights: Mapping[str, float], salt: str) -> list[str]:
    """Return the variant of every unit id, in order (see the module for the scheme)."""
    shares = check_weights(weights)
    check_salt(salt)
    keys = [unit_key(u).encode() for u in units]
    names = list(shares)
    scores = np.stack([-np.log(uniforms(keys, salt, v)) / shares[v] for v in names])
    # argmin takes the first variant of an exact tie, as the SQL expression's CASE does.
    return [names[i] for i in np.argmin(scores, axis=0).tolist()]
