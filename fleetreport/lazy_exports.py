"""A package's public names, imported from their modules only when first used (PEP 562).

A package ``__init__`` that imported its modules eagerly made every ``import
fleetreport.snapshot.codec`` pay for the whole snapshot model; ``fleetreport --version`` paid
for all of them. Packages declare their exports as name -> module, and the type checker sees the
real imports under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``exports[name]`` on first use."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__
