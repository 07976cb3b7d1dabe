"""Thresholds, weights, exclusions, scope and energy assumptions: defaults in code, TOML over them.

The TOML layout (every key optional; ``docs/health-model.md`` and ``fleetreport checks`` show
the values in force)::

    [scores]
    critical_weight = 40      # points a critical failure takes off a desktop's score
    warning_weight = 15
    info_weight = 0
    grades = { A = 90, B = 80, C = 70, D = 60 }   # lowest score of each grade; below D is F

    [energy]
    watts_per_desktop = 20
    price_per_kwh = 0.25
    currency = "EUR"
    working_hours_per_week = 50

    [scope.include]           # empty or absent: everything
    datacenters = ["Amsterdam"]
    [scope.exclude]
    folders = ["Lab/*"]
    pools = ["test-*"]

    [checks.vm_uptime_long]
    warning_days = 30         # any threshold the check declares
    exclude = ["kiosk-*"]     # subject names (glob) this check leaves alone
    severity = "info"         # every failure of this check gets this severity
    enabled = false
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fleetreport.config_file import ConfigText
from fleetreport.health.catalogue import Check, ThresholdValue, catalogue
from fleetreport.health.results import Severity

GRADE_NAMES = ("A", "B", "C", "D")
SCOPE_ATTRIBUTES = ("datacenters", "clusters", "folders", "pools")


@dataclass(frozen=True)
class ScoreSettings:
    """How failures turn into scores and grades."""

    critical_weight: float = 40.0
    """Points a failed critical check takes off a desktop's score."""
    warning_weight: float = 15.0
    """Points a failed warning check takes off."""
    info_weight: float = 0.0
    """Points a failed info check takes off (none by default: info is for awareness)."""
    grades: tuple[tuple[str, float], ...] = (("A", 90.0), ("B", 80.0), ("C", 70.0), ("D", 60.0))
    """Lowest score of each grade, best first; anything lower is F."""

    def weight(self, severity: Severity) -> float:
        """The points a failure of this severity costs."""
        return {
            Severity.CRITICAL: self.critical_weight,
            Severity.WARNING: self.warning_weight,
            Severity.INFO: self.info_weight,
        }[severity]


@dataclass(frozen=True)
class EnergySettings:
    """Assumptions of the energy estimate, printed next to its figures."""

    watts_per_desktop: float = 20.0
    """Average power an idle powered-on desktop VM draws on its host (its share of the host)."""
    price_per_kwh: float = 0.25
    """Price of one kWh, in ``currency``."""
    currency: str = "EUR"
    """Currency of the price."""
    working_hours_per_week: float = 50.0
    """Hours a week desktops are in use; the rest of the week they could be off."""


@dataclass(frozen=True)
class ScopeRules:
    """Which desktops, pools and hosts are judged at all (glob patterns, case-sensitive)."""

    include: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """By attribute (datacenters, clusters, folders, pools): only subjects matching one."""
    exclude: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """By attribute: subjects matching one are left out."""


@dataclass(frozen=True)
class CheckSettings:
    """One check's configuration."""

    enabled: bool
    """False leaves the check out of the report entirely."""
    severity: Severity | None
    """When set, the severity of every failure of the check (to promote or demote it);
    None lets the check grade its failures (its default severity, or its own tiers)."""
    exclude: tuple[str, ...]
    """Subject names (glob) the check leaves alone."""
    thresholds: Mapping[str, ThresholdValue]
    """Thresholds in force."""


@dataclass(frozen=True)
class HealthSettings:
    """Everything the health model can be told."""

    scores: ScoreSettings
    """Weights and grades."""
    energy: EnergySettings
    """Energy assumptions."""
    scope: ScopeRules
    """What is judged."""
    checks: Mapping[str, CheckSettings]
    """Per check, by id."""


def default_settings() -> HealthSettings:
    """The defaults declared in code."""
    return HealthSettings(
        scores=ScoreSettings(),
        energy=EnergySettings(),
        scope=ScopeRules(),
        checks={check_id: _defaults_of(spec) for check_id, spec in catalogue().items()},
    )


def _defaults_of(spec: Check[Any]) -> CheckSettings:
    return CheckSettings(True, None, (), dict(spec.thresholds))


HEALTH_TABLES = ("scores", "energy", "scope", "checks")


def settings_from_config(config: ConfigText, tables: tuple[str, ...] = ()) -> HealthSettings:
    """Health settings from a parsed TOML file, every problem named with its line.

    ``tables`` lists further top-level tables the caller reads itself (they are not
    reported as unknown).
    """
    data = config.data
    for key in data:
        if key not in HEALTH_TABLES and key not in tables:
            raise config.error(
                (), key, "unknown setting", hint=f"known tables: {', '.join(HEALTH_TABLES)}"
            )
    settings = default_settings()
    scores = _table(config, ("scores",))
    energy = _table(config, ("energy",))
    return HealthSettings(
        scores=_read_scores(config, scores) if scores else settings.scores,
        energy=_read_energy(config, energy) if energy else settings.energy,
        scope=_read_scope(config),
        checks=_read_checks(config, settings.checks),
    )


def _table(config: ConfigText, path: tuple[str, ...]) -> dict[str, Any]:
    value: Any = config.data
    for depth, part in enumerate(path):
        if not isinstance(value, Mapping):
            raise config.error(path[:depth], None, "expected a table", hint="see the example")
        value = value.get(part, {})
    if not isinstance(value, Mapping):
        raise config.error(
            path[:-1], path[-1], "expected a table", hint=f"write [{'.'.join(path)}]"
        )
    return dict(value)


def _read_scores(config: ConfigText, table: dict[str, Any]) -> ScoreSettings:
    path = ("scores",)
    defaults = ScoreSettings()
    _reject_unknown(
        config, path, table, ("critical_weight", "warning_weight", "info_weight", "grades")
    )
    weights = {
        name: _number(config, path, name, table.get(name, getattr(defaults, name)), minimum=0)
        for name in ("critical_weight", "warning_weight", "info_weight")
    }
    grades = defaults.grades
    if "grades" in table:
        raw = table["grades"]
        if not isinstance(raw, Mapping):
            raise config.error(path, "grades", "expected a table", hint="grades = { A = 90, ... }")
        _reject_unknown(config, path, raw, GRADE_NAMES, key="grades")
        merged = dict(defaults.grades) | {
            name: _number(config, path, "grades", raw[name], minimum=0, maximum=100) for name in raw
        }
        lows = [merged[name] for name in GRADE_NAMES]
        if lows != sorted(lows, reverse=True):
            raise config.error(
                path,
                "grades",
                "grade limits must fall from A to D",
                hint="e.g. A=90 B=80 C=70 D=60",
            )
        grades = tuple((name, merged[name]) for name in GRADE_NAMES)
    return ScoreSettings(grades=grades, **weights)


def _read_energy(config: ConfigText, table: dict[str, Any]) -> EnergySettings:
    path = ("energy",)
    defaults = EnergySettings()
    _reject_unknown(
        config,
        path,
        table,
        ("watts_per_desktop", "price_per_kwh", "currency", "working_hours_per_week"),
    )
    currency = table.get("currency", defaults.currency)
    if not isinstance(currency, str) or not currency.strip():
        raise config.error(path, "currency", "expected a currency name", hint='e.g. "EUR"')
    return EnergySettings(
        watts_per_desktop=_number(
            config,
            path,
            "watts_per_desktop",
            table.get("watts_per_desktop", defaults.watts_per_desktop),
            minimum=0,
        ),
        price_per_kwh=_number(
            config,
            path,
            "price_per_kwh",
            table.get("price_per_kwh", defaults.price_per_kwh),
            minimum=0,
        ),
        currency=currency.strip(),
        working_hours_per_week=_number(
            config,
            path,
            "working_hours_per_week",
            table.get("working_hours_per_week", defaults.working_hours_per_week),
            minimum=0,
            maximum=168,
        ),
    )


def _read_scope(config: ConfigText) -> ScopeRules:
    scope = _table(config, ("scope",))
    _reject_unknown(config, ("scope",), scope, ("include", "exclude"))
    rules: dict[str, dict[str, tuple[str, ...]]] = {}
    for side in ("include", "exclude"):
        table = _table(config, ("scope", side))
        _reject_unknown(config, ("scope", side), table, SCOPE_ATTRIBUTES)
        rules[side] = {
            name: _words(config, ("scope", side), name, value)
            for name, value in table.items()
            if value
        }
    return ScopeRules(include=rules["include"], exclude=rules["exclude"])


def _read_checks(
    config: ConfigText, defaults: Mapping[str, CheckSettings]
) -> dict[str, CheckSettings]:
    table = _table(config, ("checks",))
    result = dict(defaults)
    for check_id, raw in table.items():
        path = ("checks", check_id)
        if check_id not in defaults:
            raise config.error(
                ("checks",), check_id, "no such check", hint="'fleetreport checks' lists them"
            )
        if not isinstance(raw, Mapping):
            raise config.error(
                ("checks",), check_id, "expected a table", hint=f"write [checks.{check_id}]"
            )
        current = defaults[check_id]
        known = ("enabled", "severity", "exclude", *current.thresholds)
        _reject_unknown(config, path, raw, known)
        thresholds = dict(current.thresholds)
        for name, value in raw.items():
            if name in current.thresholds:
                thresholds[name] = _threshold(config, path, name, value, current.thresholds[name])
        enabled = raw.get("enabled", current.enabled)
        if not isinstance(enabled, bool):
            raise config.error(path, "enabled", "expected true or false", hint="enabled = false")
        severity = current.severity
        if "severity" in raw:
            try:
                severity = Severity(raw["severity"])
            except ValueError:
                raise config.error(
                    path,
                    "severity",
                    f"unknown severity {raw['severity']!r}",
                    hint="critical, warning or info",
                ) from None
        exclude = _words(config, path, "exclude", raw.get("exclude", list(current.exclude)))
        result[check_id] = replace(
            current, enabled=enabled, severity=severity, exclude=exclude, thresholds=thresholds
        )
    return result


def _threshold(
    config: ConfigText, path: tuple[str, ...], name: str, value: Any, default: ThresholdValue
) -> ThresholdValue:
    if isinstance(default, tuple):
        return _words(config, path, name, value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise config.error(
                path, name, "expected true or false", hint=f"{name} = {str(default).lower()}"
            )
        return value
    if isinstance(default, int | float):
        _number(config, path, name, value, minimum=0)
        return typing.cast(int | float, value)
    if not isinstance(value, str):
        raise config.error(path, name, "expected text", hint=f'{name} = "{default}"')
    return value


def _number(
    config: ConfigText,
    path: tuple[str, ...],
    name: str,
    value: Any,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise config.error(
            path, name, f"expected a number, got {_kind(value)}", hint=f"{name} = 10"
        )
    if (
        value != value
        or (minimum is not None and value < minimum)
        or (maximum is not None and value > maximum)
    ):
        bounds = f"from {minimum:g}" if minimum is not None else ""
        if maximum is not None:
            bounds += f" to {maximum:g}"
        raise config.error(
            path, name, f"{value!r} is out of range", hint=f"use a number {bounds}".strip()
        )
    return float(value)


def _words(config: ConfigText, path: tuple[str, ...], name: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise config.error(
            path, name, f"expected a list of text, got {_kind(value)}", hint=f'{name} = ["a", "b*"]'
        )
    return tuple(value)


def _reject_unknown(
    config: ConfigText,
    path: tuple[str, ...],
    table: Mapping[str, Any],
    known: tuple[str, ...],
    key: str | None = None,
) -> None:
    for name in table:
        if name not in known:
            where = (*path, key) if key else path
            raise config.error(where, name, "unknown setting", hint=f"known: {', '.join(known)}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return type(value).__name__
