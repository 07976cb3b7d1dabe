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

    [desktops]                # which VMs are desktops when no Horizon pod answered
    folders = ["VDI/*"]       # VM folder paths (glob); with names: a VM matching either
    names = ["W11-*"]         # VM names (glob)
    exclude = ["*-gold"]      # VM names never taken as desktops
    guest_ids = ["windows11_64Guest"]   # the default rule when no folders or names are given

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

import functools
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fleetreport.config_file import ConfigText, Problems
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
        if severity is Severity.CRITICAL:
            return self.critical_weight
        if severity is Severity.WARNING:
            return self.warning_weight
        if severity is Severity.INFO:
            return self.info_weight
        raise KeyError(severity)


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


DESKTOP_GUEST_IDS = (
    "windows7Guest",
    "windows7_64Guest",
    "windows8Guest",
    "windows8_64Guest",
    "windows9Guest",
    "windows9_64Guest",
    "windows11_64Guest",
    "windows12_64Guest",
)
"""Guest OS identifiers of Windows client editions (vSphere ``VirtualMachineGuestOsIdentifier``:
``windows9`` is Windows 10, ``windows12_64Guest`` the next client; the server editions have ids
of their own, such as ``windows9Server64Guest`` and ``windows2019srv_64Guest``)."""


@dataclass(frozen=True)
class DesktopRules:
    """Which VMs are desktops in a snapshot without Horizon data (vCenter only).

    With ``folders`` or ``names``, a VM is a desktop when it matches one of them; without
    either, when its configured guest OS is one of ``guest_ids``. Horizon's and vSphere's own
    VMs, golden images and templates never are, and ``exclude`` names never are.
    """

    folders: tuple[str, ...] = ()
    """VM folder paths below the datacenter's VM folder (glob)."""
    names: tuple[str, ...] = ()
    """VM names (glob)."""
    exclude: tuple[str, ...] = ()
    """VM names (glob) that are never desktops."""
    guest_ids: tuple[str, ...] = DESKTOP_GUEST_IDS
    """Configured guest OS ids (glob) of desktops, for the default rule."""

    @property
    def configured(self) -> bool:
        """True when the user named folders or names."""
        return bool(self.folders or self.names)


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
    desktops: DesktopRules = field(default_factory=DesktopRules)
    """Which VMs are desktops without Horizon data."""


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


HEALTH_TABLES = ("scores", "energy", "scope", "checks", "desktops")


def settings_from_config(
    config: ConfigText, tables: tuple[str, ...] = (), problems: Problems | None = None
) -> HealthSettings:
    """Health settings from a parsed TOML file, every problem named with its line.

    ``tables`` lists further top-level tables the caller reads itself (they are not
    reported as unknown). With ``problems`` collecting, every problem is recorded there and
    the defaults stand in for what could not be read.
    """
    problems = problems or Problems()
    known = (*HEALTH_TABLES, *tables)
    for key in config.data:
        if key not in known:
            problems.attempt(functools.partial(_unknown_table, config, key, known), None)
    settings = default_settings()
    return HealthSettings(
        scores=problems.attempt(lambda: _read_scores(config), settings.scores),
        energy=problems.attempt(lambda: _read_energy(config), settings.energy),
        scope=problems.attempt(lambda: _read_scope(config), settings.scope),
        checks=_read_checks(config, settings.checks, problems),
        desktops=problems.attempt(lambda: _read_desktops(config), settings.desktops),
    )


def _unknown_table(config: ConfigText, key: str, known: tuple[str, ...]) -> None:
    raise config.error((), key, "unknown setting", hint=f"known tables: {', '.join(known)}")


def _read_scores(config: ConfigText) -> ScoreSettings:
    path = ("scores",)
    table = config.table(path)
    defaults = ScoreSettings()
    config.reject_unknown(
        path, table, ("critical_weight", "warning_weight", "info_weight", "grades")
    )
    weights = {
        name: config.number(path, name, table.get(name, getattr(defaults, name)), minimum=0)
        for name in ("critical_weight", "warning_weight", "info_weight")
    }
    grades = defaults.grades
    if "grades" in table:
        raw = table["grades"]
        if not isinstance(raw, Mapping):
            raise config.error(path, "grades", "expected a table", hint="grades = { A = 90, ... }")
        config.reject_unknown(path, raw, GRADE_NAMES, key="grades")
        merged = dict(defaults.grades) | {
            name: config.number(path, "grades", raw[name], minimum=0, maximum=100) for name in raw
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


def _read_energy(config: ConfigText) -> EnergySettings:
    path = ("energy",)
    table = config.table(path)
    defaults = EnergySettings()
    config.reject_unknown(
        path,
        table,
        ("watts_per_desktop", "price_per_kwh", "currency", "working_hours_per_week"),
    )
    currency = table.get("currency", defaults.currency)
    if not isinstance(currency, str) or not currency.strip():
        raise config.error(path, "currency", "expected a currency name", hint='e.g. "EUR"')
    return EnergySettings(
        watts_per_desktop=config.number(
            path,
            "watts_per_desktop",
            table.get("watts_per_desktop", defaults.watts_per_desktop),
            minimum=0,
        ),
        price_per_kwh=config.number(
            path,
            "price_per_kwh",
            table.get("price_per_kwh", defaults.price_per_kwh),
            minimum=0,
        ),
        currency=currency.strip(),
        working_hours_per_week=config.number(
            path,
            "working_hours_per_week",
            table.get("working_hours_per_week", defaults.working_hours_per_week),
            minimum=0,
            maximum=168,
        ),
    )


def _read_scope(config: ConfigText) -> ScopeRules:
    scope = config.table(("scope",))
    config.reject_unknown(("scope",), scope, ("include", "exclude"))
    rules: dict[str, dict[str, tuple[str, ...]]] = {}
    for side in ("include", "exclude"):
        table = config.table(("scope", side))
        config.reject_unknown(("scope", side), table, SCOPE_ATTRIBUTES)
        rules[side] = {
            name: config.words(("scope", side), name, value)
            for name, value in table.items()
            if value
        }
    return ScopeRules(include=rules["include"], exclude=rules["exclude"])


def _read_desktops(config: ConfigText) -> DesktopRules:
    path = ("desktops",)
    table = config.table(path)
    names = ("folders", "names", "exclude", "guest_ids")
    config.reject_unknown(path, table, names)
    defaults = DesktopRules()
    return DesktopRules(
        **{
            name: config.words(path, name, table[name])
            if name in table
            else getattr(defaults, name)
            for name in names
        }
    )


def _read_checks(
    config: ConfigText, defaults: Mapping[str, CheckSettings], problems: Problems
) -> dict[str, CheckSettings]:
    empty: dict[str, Any] = {}
    table = problems.attempt(lambda: config.table(("checks",)), empty)
    result = dict(defaults)
    for check_id, raw in table.items():
        read = functools.partial(_read_check, config, check_id, raw, defaults)
        checked = problems.attempt(read, None)
        if checked is not None:
            result[check_id] = checked
    return result


def _read_check(
    config: ConfigText, check_id: str, raw: Any, defaults: Mapping[str, CheckSettings]
) -> CheckSettings:
    """One ``[checks.ID]`` table."""
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
    config.reject_unknown(path, raw, known)
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
    exclude = config.words(path, "exclude", raw.get("exclude", list(current.exclude)))
    return replace(
        current, enabled=enabled, severity=severity, exclude=exclude, thresholds=thresholds
    )


def _threshold(
    config: ConfigText, path: tuple[str, ...], name: str, value: Any, default: ThresholdValue
) -> ThresholdValue:
    if isinstance(default, tuple):
        return config.words(path, name, value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise config.error(
                path, name, "expected true or false", hint=f"{name} = {str(default).lower()}"
            )
        return value
    if isinstance(default, int | float):
        config.number(path, name, value, minimum=0)
        return typing.cast(int | float, value)
    if not isinstance(value, str):
        raise config.error(path, name, "expected text", hint=f'{name} = "{default}"')
    return value
