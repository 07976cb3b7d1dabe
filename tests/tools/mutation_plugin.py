"""A pytest plugin for mutation runs: each mutant starts with fleetreport's caches empty.

mutmut runs every mutant in a process forked from one that has already run the suite once. The
caches that process filled (``functools`` caches such as the snapshot decoders, the role and
version lookups; ``cached_property`` values of module-level objects such as the check
catalogue) would hand the mutant's tests answers the original code computed, and the mutated
code would never run: a false survivor. The same caches, filled by the first test of the first
pass, would credit the functions behind them to that test alone. Loaded by
``[tool.mutmut] pytest_add_cli_args``; outside a mutation run it does nothing.
"""

from __future__ import annotations

import os
import sys
from functools import cached_property
from typing import Any

import pytest

# MUTANT_UNDER_TEST values that are mutmut's own phases, not a mutant.
NOT_A_MUTANT = {"", "stats", "fail", "list_all_tests", "mutant_generation"}


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("MUTANT_UNDER_TEST", "") not in NOT_A_MUTANT:
        clear_fleetreport_caches()


def pytest_runtest_setup(item: pytest.Item) -> None:
    # mutmut's first pass records which tests reach which function. A function reached only when
    # a cache misses (a decoder built once per type) would be credited to the first test that
    # filled the cache, and its mutants run against that test alone.
    if _first_pass():
        clear_fleetreport_caches()


# The functions each fixture's setup reached, in mutmut's first pass.
_reached_by_fixture: dict[Any, set[str]] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: pytest.FixtureRequest) -> Any:
    """Note what a fixture's setup reaches, so every test that uses the fixture is credited.

    A module-scoped fixture (a pod collected once for a whole test file) is set up during the
    first test that asks for it; mutmut would credit everything the setup reached to that test
    alone, and a mutant there would meet one test, perhaps one that does not look at what the
    mutant broke.
    """
    if not _first_pass():
        yield
        return
    from mutmut.state import state

    outer = state()._stats
    state()._stats = set()
    try:
        yield
    finally:
        reached = state()._stats
        state()._stats = outer | reached
        _reached_by_fixture[fixturedef] = reached


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Credit the test with what the setup of every fixture it used reached."""
    if not _first_pass():
        return
    from mutmut.state import state

    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    for fixturedefs in definitions.values():
        for fixturedef in fixturedefs:
            state()._stats |= _reached_by_fixture.get(fixturedef, set())


def _first_pass() -> bool:
    return os.environ.get("MUTANT_UNDER_TEST", "") == "stats"


def clear_fleetreport_caches() -> int:
    """Empty every cache held by a fleetreport module; return how many were emptied."""
    cleared = 0
    modules = [m for name, m in list(sys.modules.items()) if name.startswith("fleetreport")]
    for module in modules:
        for value in list(vars(module).values()):
            cleared += _clear(value)
            if isinstance(value, type) and value.__module__.startswith("fleetreport"):
                for member in list(vars(value).values()):
                    cleared += _clear(getattr(member, "__func__", member))
            elif isinstance(value, dict):
                for item in list(value.values()):
                    cleared += _clear_cached_properties(item)
            elif isinstance(value, list | tuple | frozenset | set):
                for item in list(value):
                    cleared += _clear_cached_properties(item)
            else:
                cleared += _clear_cached_properties(value)
    return cleared


def _clear(value: Any) -> int:
    cache_clear = getattr(value, "cache_clear", None)
    if callable(cache_clear) and not isinstance(value, type):
        cache_clear()
        return 1
    return 0


def _clear_cached_properties(value: Any) -> int:
    """Forget the cached_property values of one object of a fleetreport class."""
    kind = type(value)
    if not kind.__module__.startswith("fleetreport") or not hasattr(value, "__dict__"):
        return 0
    cleared = 0
    for klass in kind.__mro__:
        for name, member in vars(klass).items():
            if isinstance(member, cached_property) and name in value.__dict__:
                del value.__dict__[name]
                cleared += 1
    return cleared
