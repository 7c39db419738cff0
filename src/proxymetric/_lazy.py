"""Public names of a package imported on first use (PEP 562).

A package ``__init__.py`` lists, per submodule, the names it re-exports; a name's submodule is
imported when the name is first read (``package.name`` or ``from package import name``), so
importing the package stays cheap. The names stay in ``__all__`` and, for type checkers, in an
``if TYPE_CHECKING:`` block of the same imports.

>>> import proxymetric
>>> "analyze" in dir(proxymetric)
True
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping

__all__ = ["lazy_exports"]


class _LazyPackage(types.ModuleType):
    """A package whose re-exported names win over submodules of the same name.

    Importing ``package.analyze`` (the submodule) binds the attribute ``analyze`` of the
    package to the module; an eager ``from package.analyze import analyze`` in ``__init__.py``
    would have rebound it to the function. This class keeps the function: the submodule is not
    bound over a re-exported name, which ``__getattr__`` then resolves.
    """

    def __setattr__(self, name: str, value: object) -> None:
        lazy: Mapping[str, str] = self.__dict__.get("_lazy_names", {})
        if (
            name in lazy
            and isinstance(value, types.ModuleType)
            and value.__name__ == f"{self.__name__}.{name}"
        ):
            return
        super().__setattr__(name, value)


def lazy_exports(
    package: str, submodules: Mapping[str, tuple[str, ...]]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for ``package``, which re-exports lazily.

    ``submodules`` maps a submodule's name (relative to ``package``) to the names it provides.
    A name is imported once, then cached in the package's namespace.
    """
    if any(isinstance(names, str) for names in submodules.values()):
        raise TypeError(f"{package}: give each submodule's names as a tuple, not a string")
    where = {name: f"{package}.{sub}" for sub, names in submodules.items() for name in names}
    module = sys.modules[package]
    module.__dict__["_lazy_names"] = where
    module.__class__ = _LazyPackage

    def lazy_getattr(name: str) -> object:
        try:
            source = where[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(source), name)
        module.__dict__[name] = value
        return value

    def lazy_dir() -> list[str]:
        return sorted(set(module.__dict__) | set(where))

    return lazy_getattr, lazy_dir
