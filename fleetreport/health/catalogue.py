"""Declaring checks: one decorated function each, its metadata beside its code.

A check's id is its function's name. Its thresholds are declared with their defaults in the
decorator; the function reads them through ``Limits`` and never holds a literal of its own,
so configuration can change every one of them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fleetreport.globs import compiled
from fleetreport.health.results import Outcome, Severity

if TYPE_CHECKING:
    from fleetreport.health.fleet import FleetView

ThresholdValue = int | float | bool | str | tuple[str, ...]
"""A threshold is a number, a flag, a word, or a list of words (states, patterns)."""

SubjectT = TypeVar("SubjectT")


class Category(enum.StrEnum):
    """What a check is about; patch and power checks feed the desktop scores."""

    PATCH = "patch"
    POWER = "power"
    HYGIENE = "hygiene"
    INFRASTRUCTURE = "infrastructure"
    USAGE = "usage"
    """Usage and right-sizing (issue 16): lowers no score."""


class SubjectKind(enum.StrEnum):
    """What a check looks at."""

    DESKTOP = "desktop"
    POOL = "pool"
    HOST = "host"
    CONNECTION_SERVER = "connection_server"
    POD = "pod"
    HORIZON_VCENTER = "horizon_vcenter"
    """A vCenter as one Horizon pod sees it: the pod's link to it."""
    CLUSTER = "cluster"
    """A vSphere compute cluster."""
    DATASTORE = "datastore"
    """A datastore."""
    GATEWAY = "gateway"
    """A Unified Access Gateway or security server registered with a pod."""
    AD_DOMAIN = "ad_domain"
    """An Active Directory domain as one pod's Connection Servers see it."""


class Limits:
    """The thresholds in force for one check, read by name and type (each read once: a check
    reads them for every subject)."""

    def __init__(self, check_id: str, values: Mapping[str, ThresholdValue]) -> None:
        self._check_id = check_id
        self._values = dict(values)
        self._patterns: dict[str, re.Pattern[str]] = {}
        self._numbers: dict[str, float] = {}
        self._durations: dict[tuple[str, str], timedelta] = {}
        self._matched: dict[tuple[str, str], bool] = {}

    def number(self, name: str) -> float:
        """A numeric threshold."""
        found = self._numbers.get(name)
        if found is None:
            value = self._get(name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"{self._check_id}.{name} is not a number")
            found = self._numbers[name] = float(value)
        return found

    def days(self, name: str) -> timedelta:
        """A threshold in days, as a duration."""
        return self._duration(name, "days")

    def minutes(self, name: str) -> timedelta:
        """A threshold in minutes, as a duration."""
        return self._duration(name, "minutes")

    def hours(self, name: str) -> timedelta:
        """A threshold in hours, as a duration."""
        return self._duration(name, "hours")

    def _duration(self, name: str, unit: str) -> timedelta:
        """The number ``name`` as a duration in ``unit`` (a ``timedelta`` keyword)."""
        key = (name, unit)
        found = self._durations.get(key)
        if found is None:
            found = self._durations[key] = timedelta(**{unit: self.number(name)})
        return found

    def flag(self, name: str) -> bool:
        """A true/false threshold."""
        value = self._get(name)
        if not isinstance(value, bool):
            raise TypeError(f"{self._check_id}.{name} is not true/false")
        return value

    def words(self, name: str) -> tuple[str, ...]:
        """A list of values or glob patterns."""
        value = self._get(name)
        if not isinstance(value, tuple):
            raise TypeError(f"{self._check_id}.{name} is not a list")
        return value

    def matches(self, name: str, value: str) -> bool:
        """True when ``value`` equals, or matches a ``*`` pattern of, the list ``name``
        (case-sensitive glob, as ``fnmatchcase``; the list is compiled once, and each value
        matched once: a check asks about the same few states for thousands of desktops)."""
        key = (name, value)
        found = self._matched.get(key)
        if found is None:
            pattern = self._patterns.get(name)
            if pattern is None:
                pattern = self._patterns[name] = compiled(self.words(name))
            found = self._matched[key] = pattern.match(value) is not None
        return found

    def _get(self, name: str) -> ThresholdValue:
        try:
            return self._values[name]
        except KeyError:
            raise KeyError(f"check {self._check_id} has no threshold {name!r}") from None


CheckFunction = Callable[[SubjectT, Limits, "FleetView"], Outcome]


@dataclass(frozen=True)
class Check(Generic[SubjectT]):
    """A declared check: metadata, default thresholds and the function that judges."""

    id: str
    """Stable identifier, equal to the function's name; reports and configs use it."""
    title: str
    """Short title for tables."""
    category: Category
    """patch, power, hygiene, infrastructure or usage."""
    severity: Severity
    """Default severity of a failure (a check may give a higher or lower one itself)."""
    subject: SubjectKind
    """What it looks at."""
    rationale: str
    """Why it matters, in a sentence or two."""
    remediation: str
    """What to do about a failure."""
    thresholds: Mapping[str, ThresholdValue]
    """Default thresholds by name."""
    judge: CheckFunction[SubjectT]
    """The function."""
    inherited: bool
    """For a pool, host, pod or Horizon vCenter check: its failure is also a failure of every
    desktop of the pool (on the host, of the pod, managed through that vCenter link), and lowers
    their scores (an old golden image is every clone's problem; a pod whose Connection Servers
    are all down delivers none of its desktops)."""

    @cached_property
    def score_category(self) -> Category | None:
        """Which desktop score a failure lowers: patch and power checks of desktops and inherited
        patch and power checks lower their own; inherited infrastructure checks lower the power
        score (a desktop that cannot be delivered or managed); None for the rest."""
        if self.subject is not SubjectKind.DESKTOP and not self.inherited:
            return None
        if self.category in (Category.PATCH, Category.POWER):
            return self.category
        if self.category is Category.INFRASTRUCTURE and self.inherited:
            return Category.POWER
        return None

    @cached_property
    def scores_desktops(self) -> bool:
        """True when a failure lowers desktop scores (see ``score_category``)."""
        return self.score_category is not None


CATALOGUE: dict[str, Check[Any]] = {}
"""Every declared check by id, in declaration order (patch, power, hygiene, infrastructure,
usage)."""


def check(
    *,
    title: str,
    category: Category,
    severity: Severity,
    subject: SubjectKind,
    rationale: str,
    remediation: str,
    thresholds: Mapping[str, ThresholdValue] | None = None,
    inherited: bool = False,
) -> Callable[[CheckFunction[SubjectT]], CheckFunction[SubjectT]]:
    """Register the decorated function as a check whose id is the function's name."""

    def register(function: CheckFunction[SubjectT]) -> CheckFunction[SubjectT]:
        check_id = function.__name__
        if check_id in CATALOGUE:
            raise ValueError(f"check {check_id} is declared twice")
        CATALOGUE[check_id] = Check(
            id=check_id,
            title=title,
            category=category,
            severity=severity,
            subject=subject,
            rationale=" ".join(rationale.split()),
            remediation=" ".join(remediation.split()),
            thresholds=dict(thresholds or {}),
            judge=function,
            inherited=inherited,
        )
        return function

    return register


def catalogue() -> dict[str, Check[Any]]:
    """The full catalogue, with every check module imported."""
    from fleetreport.health.checks import load_all

    load_all()
    order = list(Category)
    ranked = sorted(CATALOGUE.values(), key=lambda spec: order.index(spec.category))
    return {spec.id: spec for spec in ranked}
