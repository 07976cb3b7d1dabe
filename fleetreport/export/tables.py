"""The tables both spreadsheet exports write: one definition, so CSV and xlsx never disagree.

A :class:`Table` names its records (``rows``) and, for each :class:`Column`, a title and how
to read the value from a record. :meth:`Table.render` turns a report into plain cells that a
writer only has to encode: text, numbers, UTC datetimes and empty cells. Presentation choices
shared by both formats are made here, once: lists joined with ``"; "``, booleans as
``yes``/``no``, ``None`` as an empty cell, scores and counts left as numbers.

Nothing is judged here: every figure comes from the model as it is. Text is still untrusted
(VM names, annotations and user names come from the customer's estate); the writers make it
safe for their format, this module only replaces lone surrogates that no UTF-8 file can hold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from fleetreport.health.check_counts import shown_counts
from fleetreport.health.report_model import (
    CheckSummary,
    Deduction,
    DesktopSummary,
    EnergyPool,
    FindingRecord,
    HealthReport,
    InfrastructureVm,
    PoolSummary,
    StrayVm,
)
from fleetreport.health.report_records import (
    AdDomain,
    Cluster,
    ComponentLink,
    ConnectionServer,
    Datastore,
    EventDatabase,
    FederationPod,
    Gateway,
    HorizonLicense,
    HorizonVCenter,
    Host,
    SamlAuthenticator,
    TriggeredAlarm,
    TrueSso,
    VCenter,
)
from fleetreport.health.usage_records import (
    HostPower,
    LicencePeak,
    PoolSizing,
    UnusedDesktop,
    UsageDay,
    UsageReport,
)

R = TypeVar("R")

CellValue = str | int | float | datetime | None
"""A rendered cell: text, a number, a naive UTC datetime, or empty (``None``)."""

Value = str | int | float | bool | datetime | None
"""What a column reads from a record, before :func:`normalise`."""

SEVERITIES = ("critical", "warning", "info")

SCORE = "0.0"
"""Number format of a 0..100 score."""
SHARE = "0.0%"
"""Number format of a 0..1 share (the value stays 0..1; Excel shows a percentage)."""
DAYS = "0.0"
"""Number format of an age or uptime in days."""
COUNT = "#,##0"
"""Number format of a count."""
MONEY = "#,##0.00"
"""Number format of an amount of money."""
DATETIME = "yyyy-mm-dd hh:mm:ss"
"""Number format of a date and time (always UTC in these tables)."""
GIGABYTES = "#,##0.0"
"""Number format of a size in GB."""
BYTES_PER_GB = 1024**3
"""vSphere's GB (2^30 bytes), as the vSphere Client shows datastore sizes."""

_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Cell:
    """One rendered cell and, for xlsx, how Excel should display it."""

    value: CellValue
    """The value; ``None`` is an empty cell."""
    number_format: str | None = None
    """Excel number format of a number or datetime; CSV ignores it."""


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its header and how to get its value from a record."""

    title: str
    """Header text, in plain words."""
    value: Callable[[R], Value]
    """Reads the value from a record."""
    number_format: str | Callable[[R], str | None] | None = None
    """Excel number format, fixed or chosen per record (the Summary's mixed value column)."""

    def cell(self, record: R) -> Cell:
        """The column's rendered cell for ``record``."""
        number_format = self.number_format
        if callable(number_format):
            number_format = number_format(record)
        return Cell(normalise(self.value(record)), number_format)


@dataclass(frozen=True)
class Table(Generic[R]):
    """One table: a CSV file and a worksheet."""

    name: str
    """File stem of its CSV (``desktops`` gives ``desktops.csv``)."""
    title: str
    """Worksheet name (at most 31 characters, as Excel allows)."""
    columns: Sequence[Column[R]]
    """Its columns, in order."""
    rows: Callable[[HealthReport], Sequence[R]]
    """Its records, in the model's order."""

    def render(self, report: HealthReport) -> RenderedTable:
        """The table's header and cells for ``report``."""
        return RenderedTable(
            name=self.name,
            title=self.title,
            headers=[column.title for column in self.columns],
            rows=[[column.cell(record) for column in self.columns] for record in self.rows(report)],
        )


@dataclass(frozen=True)
class RenderedTable:
    """A table with its cells: everything a writer needs."""

    name: str
    """File stem of its CSV."""
    title: str
    """Worksheet name."""
    headers: list[str]
    """Column headers."""
    rows: list[list[Cell]]
    """One list of cells per record, as long as ``headers``."""


def normalise(value: Value) -> CellValue:
    """A value as both formats write it: booleans as yes/no, datetimes as naive UTC seconds.

    Lone surrogates (a JSON ``\\ud800`` escape from a hostile server) become U+FFFD, since no
    UTF-8 file can hold them; non-finite floats, which neither Excel nor CSV readers take as
    numbers, become empty cells.
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.replace(microsecond=0)
    return value


def joined(items: Iterable[str]) -> str | None:
    """Items joined with ``"; "``; no items is an empty cell."""
    text = "; ".join(items)
    return text or None


def tallied(counts: Mapping[str, int]) -> str | None:
    """A tally as text: ``poweredOn: 36; suspended: 4``."""
    return joined(f"{key}: {count}" for key, count in counts.items())


def _threshold(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(_threshold(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key} {_threshold(item)}" for key, item in value.items())
    return "none" if value is None else str(value)


def thresholds(values: Mapping[str, Any]) -> str | None:
    """A check's thresholds as text: ``max_days=30; statuses=a, b``."""
    return joined(f"{key}={_threshold(value)}" for key, value in values.items())


def deduction(desktop: DesktopSummary, item: Deduction) -> str:
    """One deduction in words: ``vm_tools_outdated: -15 patch, warning``.

    A deduction a desktop inherits from its pool or host names where it was found.
    """
    text = f"{item.check}: -{item.points:g} {item.category}, {item.severity}"
    if item.subject not in (desktop.moref, desktop.machine_id, desktop.key, desktop.name):
        text += f" (from {item.subject_name or item.subject})"
    return text


DESKTOP_COLUMNS: list[Column[DesktopSummary]] = [
    Column("Name", lambda d: d.name),
    Column("Pool", lambda d: d.pool_name),
    Column("Power state", lambda d: d.power_state),
    Column("Machine state", lambda d: d.machine_state),
    Column("Users", lambda d: joined(d.users)),
    Column("Patch score", lambda d: d.patch_score, SCORE),
    Column("Power score", lambda d: d.power_score, SCORE),
    Column("Healthy", lambda d: d.healthy),
    Column("Guest OS", lambda d: d.guest_os),
    Column("VMware Tools", lambda d: d.tools_version_status),
    Column("Hardware version", lambda d: d.hardware_version),
    Column("Horizon agent", lambda d: d.agent_version),
    Column("Uptime (days)", lambda d: d.uptime_days, DAYS),
    Column("Datacenter", lambda d: d.datacenter),
    Column("Cluster", lambda d: d.cluster),
    Column("Host", lambda d: d.host),
    Column("Folder", lambda d: d.folder),
    Column("Deductions", lambda d: joined(deduction(d, item) for item in d.deductions)),
    Column("Pool id", lambda d: d.pool),
    Column("vCenter", lambda d: d.vcenter),
    Column("VM moref", lambda d: d.moref),
    Column("Horizon machine id", lambda d: d.machine_id),
    Column("Key", lambda d: d.key),
]
"""The ``vms`` table: one row per desktop."""

FINDING_COLUMNS: list[Column[FindingRecord]] = [
    Column("Severity", lambda f: f.severity),
    Column("Category", lambda f: f.category),
    Column("Check", lambda f: f.title),
    Column("Subject kind", lambda f: f.subject_kind),
    Column("Subject", lambda f: f.subject_name),
    Column("Pool", lambda f: f.pool_name),
    Column("Message", lambda f: f.message),
    Column("Remediation", lambda f: f.remediation),
    Column("Check id", lambda f: f.check),
    Column("Subject id", lambda f: f.subject),
    Column("Pool id", lambda f: f.pool),
    Column("Location", lambda f: f.location),
]
"""One row per failed check on one subject, worst first."""


def _severity_count(severity: str) -> Column[PoolSummary]:
    """A pool's findings of one severity, as a number to sort and sum."""
    return Column(
        f"{severity.capitalize()} findings",
        lambda p: p.findings_by_severity.get(severity, 0),
        COUNT,
    )


POOL_COLUMNS: list[Column[PoolSummary]] = [
    Column("Name", lambda p: p.name),
    Column("Display name", lambda p: p.display_name),
    Column("Kind", lambda p: p.kind),
    Column("Type", lambda p: p.type),
    Column("Source", lambda p: p.source),
    Column("User assignment", lambda p: p.user_assignment),
    Column("Power policy", lambda p: p.power_policy),
    Column("Enabled", lambda p: p.enabled),
    Column("Desktops", lambda p: p.desktops, COUNT),
    Column("Patch score", lambda p: p.patch_score, SCORE),
    Column("Power score", lambda p: p.power_score, SCORE),
    Column("Grade", lambda p: p.grade),
    Column("Healthy desktops", lambda p: p.healthy_desktops, COUNT),
    Column("Healthy share", lambda p: p.healthy_share, SHARE),
    Column("Coverage", lambda p: p.coverage, SHARE),
    *(_severity_count(severity) for severity in SEVERITIES),
    Column("Power states", lambda p: tallied(p.by_power_state)),
    Column("Machine states", lambda p: tallied(p.by_machine_state)),
    Column("Golden image", lambda p: p.image),
    Column("Image age (days)", lambda p: p.image_age_days, DAYS),
    Column("Pod", lambda p: p.pod),
    Column("Pool id", lambda p: p.id),
]
"""One row per desktop pool, RDS farm or inferred pool."""

CHECK_COLUMNS: list[Column[CheckSummary]] = [
    Column("Check id", lambda c: c.id),
    Column("Title", lambda c: c.title),
    Column("Category", lambda c: c.category),
    Column("Severity", lambda c: c.severity),
    Column("Subject kind", lambda c: c.subject_kind),
    Column("Scores desktops", lambda c: c.scores_desktops),
    Column("Enabled", lambda c: c.enabled),
    Column("Passed", lambda c: shown_counts(c.counts).passed, COUNT),
    Column("Failed", lambda c: shown_counts(c.counts).failed, COUNT),
    Column("Unknown", lambda c: shown_counts(c.counts).unknown, COUNT),
    Column("Not applicable", lambda c: shown_counts(c.counts).not_applicable, COUNT),
    Column("Excluded", lambda c: shown_counts(c.counts).excluded, COUNT),
    Column("Critical", lambda c: c.counts.critical, COUNT),
    Column("Warning", lambda c: c.counts.warning, COUNT),
    Column("Info", lambda c: c.counts.info, COUNT),
    Column("Thresholds", lambda c: thresholds(c.thresholds)),
    Column("Excluded names", lambda c: joined(c.exclude)),
    Column("Rationale", lambda c: c.rationale),
    Column("Remediation", lambda c: c.remediation),
]
"""One row per check of the catalogue, as applied; counts as the HTML shows them (unknown
without not-applicable, :func:`~fleetreport.health.check_counts.shown_counts`)."""

ENERGY_COLUMNS: list[Column[EnergyPool]] = [
    Column("Pool", lambda e: e.pool_name),
    Column("Power policy", lambda e: e.power_policy),
    Column("Idle desktops", lambda e: e.idle_desktops, COUNT),
    Column("Configured spares", lambda e: e.spare_machines, COUNT),
    Column("Spare desktops", lambda e: e.spare_desktops, COUNT),
    Column("Surplus desktops", lambda e: e.surplus_desktops, COUNT),
    Column("Lever", lambda e: e.lever),
    Column("kWh per year", lambda e: e.kwh_per_year, COUNT),
    Column("Cost per year", lambda e: e.cost_per_year, MONEY),
    Column("Saving per year", lambda e: e.saving_per_year, MONEY),
    Column("Sizing saving per year", lambda e: e.sizing_saving_per_year, MONEY),
    Column("Pool id", lambda e: e.pool),
]
"""One row per pool with idle powered-on desktops, costliest first (currency in Summary)."""


WATTS = "#,##0.0"
"""Number format of a power draw in watts."""
PERCENT = "0.0"
"""Number format of a 0..100 percentage (CPU use)."""

USAGE_DAY_COLUMNS: list[Column[UsageDay]] = [
    Column("Day (UTC)", lambda d: d.day),
    Column("Logons", lambda d: d.logons, COUNT),
    Column("Peak sessions (sum of pools)", lambda d: d.peak_sessions, COUNT),
]
"""One row per day of the usage window, oldest first."""

POOL_SIZING_COLUMNS: list[Column[PoolSizing]] = [
    Column("Pool", lambda p: p.pool_name),
    Column("User assignment", lambda p: p.assignment),
    Column("Lever", lambda p: p.lever),
    Column("Machines", lambda p: p.machines, COUNT),
    Column("Maximum", lambda p: p.maximum, COUNT),
    Column("Spares", lambda p: p.spares, COUNT),
    Column("Logons", lambda p: p.logons, COUNT),
    Column("Peak sessions", lambda p: p.peak_sessions, COUNT),
    Column("Peak day (UTC)", lambda p: p.peak_day),
    Column("Peak is a lower bound", lambda p: p.peak_is_lower_bound),
    Column("Sessions now", lambda p: p.sessions_now, COUNT),
    Column("Machines needed", lambda p: p.needed, COUNT),
    Column("Machines that could go", lambda p: p.surplus, COUNT),
    Column("Verdict", lambda p: p.verdict),
    Column("Advice", lambda p: p.advice),
    Column("Pod", lambda p: p.pod),
    Column("Pool id", lambda p: p.pool),
]
"""One row per pool of the usage window: its peak against what it keeps provisioned."""

UNUSED_DESKTOP_COLUMNS: list[Column[UnusedDesktop]] = [
    Column("Name", lambda u: u.name),
    Column("Pool", lambda u: u.pool_name),
    Column("Reason", lambda u: u.reason),
    Column("Assigned users", lambda u: joined(u.assigned_users)),
    Column("Last logon (UTC)", lambda u: u.last_logon, DATETIME),
    Column("CPU 95th percentile (%)", lambda u: u.cpu_p95_percent, PERCENT),
    Column("Power state", lambda u: u.power_state),
    Column("Watts", lambda u: u.watts, WATTS),
    Column("Watts measured", lambda u: u.watts_measured),
    Column("kWh per year", lambda u: u.kwh_per_year, COUNT),
    Column("Cost per year", lambda u: u.cost_per_year, MONEY),
    Column("Remediation", lambda u: u.remediation),
    Column("Pool id", lambda u: u.pool),
    Column("Key", lambda u: u.key),
]
"""One row per desktop nobody used over the window, costliest first (currency in Summary)."""

HOST_POWER_COLUMNS: list[Column[HostPower]] = [
    Column("Host", lambda h: h.name),
    Column("Status", lambda h: h.status),
    Column("Mean draw (W)", lambda h: h.mean_watts, WATTS),
    Column("Highest draw (W)", lambda h: h.peak_watts, WATTS),
    Column("Powered-on VMs", lambda h: h.powered_on_vms, COUNT),
    Column("Watts per VM", lambda h: h.watts_per_vm, WATTS),
    Column("Idle desktops", lambda h: h.idle_desktops, COUNT),
    Column("vCenter", lambda h: h.vcenter),
    Column("Host moref", lambda h: h.moref),
]
"""One row per host running desktops, metered first: the measured energy's evidence."""

LICENCE_PEAK_COLUMNS: list[Column[LicencePeak]] = [
    Column("Pod", lambda lic: lic.pod_name),
    Column("Usage model", lambda lic: lic.usage_model),
    Column("Current use", lambda lic: lic.current, COUNT),
    Column("Highest use", lambda lic: lic.highest, COUNT),
    Column("Peak sessions in window", lambda lic: lic.peak_sessions_in_window, COUNT),
    Column("Licensed", lambda lic: lic.licensed, COUNT),
    Column("Pod id", lambda lic: lic.pod),
]
"""One row per pod: its highest licence use against the licensed count."""


def usage_rows(rows: Callable[[UsageReport], Sequence[R]]) -> Callable[[HealthReport], Sequence[R]]:
    """A usage table's records; none when the report has no usage (the sheet keeps its
    header)."""
    return lambda report: [] if report.usage is None else rows(report.usage)


def host_power(usage: UsageReport) -> list[HostPower]:
    """The measured energy's hosts; none without it."""
    return [] if usage.energy is None else usage.energy.hosts


def gigabytes(size: int | None) -> float | None:
    """Bytes as GB (2^30) to one decimal; None stays an empty cell."""
    return None if size is None else round(size / BYTES_PER_GB, 1)


def sensor_alerts(host: Host) -> str | None:
    """A host's sensors that are not green: ``Fan 3 (fan): red``."""
    return joined(f"{s.name} ({s.kind}): {s.health}" for s in host.sensor_alerts)


def component_links(links: Sequence[ComponentLink]) -> str | None:
    """How each Connection Server sees a component: ``cs1: FULLY_ACCESSIBLE (OK)``."""
    return joined(
        f"{link.server}: {link.status or 'UNKNOWN'}" + (f" ({link.detail})" if link.detail else "")
        for link in links
    )


HOST_COLUMNS: list[Column[Host]] = [
    Column("Name", lambda h: h.name),
    Column("Datacenter", lambda h: h.datacenter),
    Column("Cluster", lambda h: h.cluster),
    Column("ESXi version", lambda h: h.version),
    Column("ESXi build", lambda h: h.build),
    Column("Connection state", lambda h: h.connection_state),
    Column("Maintenance mode", lambda h: h.in_maintenance_mode),
    Column("Power state", lambda h: h.power_state),
    Column("CPU in use (MHz)", lambda h: h.cpu_usage_mhz, COUNT),
    Column("CPU capacity (MHz)", lambda h: h.cpu_capacity_mhz, COUNT),
    Column("CPU use", lambda h: h.cpu_usage_share, SHARE),
    Column("Memory in use (MB)", lambda h: h.memory_usage_mb, COUNT),
    Column("Memory capacity (MB)", lambda h: h.memory_capacity_mb, COUNT),
    Column("Memory use", lambda h: h.memory_usage_share, SHARE),
    Column("Sensors reported", lambda h: h.sensors_reported),
    Column("Sensor alerts", sensor_alerts),
    Column("vCenter", lambda h: h.vcenter),
    Column("Host moref", lambda h: h.moref),
]
"""One row per ESXi host, whatever the scope."""

CLUSTER_COLUMNS: list[Column[Cluster]] = [
    Column("Name", lambda c: c.name),
    Column("Datacenter", lambda c: c.datacenter),
    Column("HA", lambda c: c.ha_enabled),
    Column("HA admission control", lambda c: c.ha_admission_control),
    Column("DRS", lambda c: c.drs_enabled),
    Column("DRS behaviour", lambda c: c.drs_behavior),
    Column("Hosts", lambda c: c.hosts, COUNT),
    Column("Hosts in use", lambda c: c.effective_hosts, COUNT),
    Column("CPU capacity (MHz)", lambda c: c.cpu_capacity_mhz, COUNT),
    Column("CPU of hosts in use (MHz)", lambda c: c.effective_cpu_mhz, COUNT),
    Column("CPU in use (MHz)", lambda c: c.cpu_usage_mhz, COUNT),
    Column("CPU use", lambda c: c.cpu_usage_share, SHARE),
    Column("Memory capacity (MB)", lambda c: c.memory_capacity_mb, COUNT),
    Column("Memory of hosts in use (MB)", lambda c: c.effective_memory_mb, COUNT),
    Column("Memory in use (MB)", lambda c: c.memory_usage_mb, COUNT),
    Column("Memory use", lambda c: c.memory_usage_share, SHARE),
    Column("vCenter", lambda c: c.vcenter),
    Column("Cluster moref", lambda c: c.moref),
]
"""One row per vSphere cluster, whatever the scope."""

DATASTORE_COLUMNS: list[Column[Datastore]] = [
    Column("Name", lambda d: d.name),
    Column("Datacenter", lambda d: d.datacenter),
    Column("Type", lambda d: d.type),
    Column("Capacity (GB)", lambda d: gigabytes(d.capacity_bytes), GIGABYTES),
    Column("Free (GB)", lambda d: gigabytes(d.free_bytes), GIGABYTES),
    Column("Free share", lambda d: d.free_share, SHARE),
    Column("Accessible", lambda d: d.accessible),
    Column("Maintenance mode", lambda d: d.maintenance_mode),
    Column("Desktops", lambda d: d.desktops, COUNT),
    Column("Golden images", lambda d: d.golden_images, COUNT),
    Column("Horizon and vSphere VMs", lambda d: d.internal_vms, COUNT),
    Column("vCenter", lambda d: d.vcenter),
    Column("Datastore moref", lambda d: d.moref),
]
"""One row per datastore, with what lives on it."""

ALARM_COLUMNS: list[Column[TriggeredAlarm]] = [
    Column("Alarm", lambda a: a.name),
    Column("Status", lambda a: a.status),
    Column("Object", lambda a: a.entity_name),
    Column("Object type", lambda a: a.entity_type),
    Column("Triggered (UTC)", lambda a: a.time, DATETIME),
    Column("Acknowledged", lambda a: a.acknowledged),
    Column("Alarm moref", lambda a: a.alarm),
    Column("Object moref", lambda a: a.entity),
    Column("vCenter", lambda a: a.vcenter),
]
"""One row per triggered alarm, worst first."""

VCENTER_COLUMNS: list[Column[VCenter]] = [
    Column("Name", lambda v: v.name),
    Column("Version", lambda v: v.version),
    Column("Build", lambda v: v.build),
    Column("Product", lambda v: v.full_name),
    Column("API version", lambda v: v.api_version),
    Column("URL", lambda v: v.url),
    Column("Instance UUID", lambda v: v.instance_uuid),
]
"""One row per vCenter collected."""


def services(server: ConnectionServer) -> str | None:
    """A Connection Server's services as text: ``BROKER: UP; SECURITY_GATEWAY: DOWN``."""
    return joined(f"{service.name}: {service.status}" for service in server.services)


def replications(server: ConnectionServer) -> str | None:
    """Its replication with each other server: ``cs2: OK; cs3: ERROR (message)``."""
    return joined(
        f"{link.server_name}: {link.status or 'UNKNOWN'}"
        + (f" ({link.message})" if link.message else "")
        for link in server.replications or ()
    )


CONNECTION_SERVER_COLUMNS: list[Column[ConnectionServer]] = [
    Column("Name", lambda c: c.name),
    Column("Pod", lambda c: c.pod),
    Column("Version", lambda c: c.version),
    Column("Build", lambda c: c.build),
    Column("Status", lambda c: c.status),
    Column("Certificate valid", lambda c: c.certificate_valid),
    Column("Certificate valid from (UTC)", lambda c: c.certificate_valid_from, DATETIME),
    Column("Certificate valid until (UTC)", lambda c: c.certificate_valid_to, DATETIME),
    Column("Services", services),
    Column("Default certificate", lambda c: c.default_certificate),
    Column("Replication", replications),
    Column("Horizon id", lambda c: c.id),
]
"""One row per Connection Server, with its certificate and service health."""

HORIZON_VCENTER_COLUMNS: list[Column[HorizonVCenter]] = [
    Column("Name", lambda v: v.name),
    Column("Pod", lambda v: v.pod),
    Column("Version", lambda v: v.version),
    Column("Build", lambda v: v.build),
    Column("Enabled", lambda v: v.enabled),
    Column("Status", lambda v: v.status),
    Column("Certificate valid", lambda v: v.certificate_valid),
    Column("Certificate valid until (UTC)", lambda v: v.certificate_valid_to, DATETIME),
    Column("Instance UUID", lambda v: v.instance_uuid),
    Column("Horizon id", lambda v: v.id),
]
"""One row per vCenter as Horizon sees it."""

GATEWAY_COLUMNS: list[Column[Gateway]] = [
    Column("Name", lambda g: g.name),
    Column("Pod", lambda g: g.pod),
    Column("Type", lambda g: g.type),
    Column("Version", lambda g: g.version),
    Column("Status", lambda g: g.status),
    Column("Internal", lambda g: g.internal),
    Column("Certificate valid", lambda g: g.certificate_valid),
    Column("Certificate days left", lambda g: g.certificate_days_left, COUNT),
    Column("Certificate problems", lambda g: joined(g.certificate_problems)),
    Column("Service errors", lambda g: joined(g.service_errors)),
    Column("Horizon id", lambda g: g.id),
]
"""One row per Unified Access Gateway or security server."""

EVENT_DATABASE_COLUMNS: list[Column[EventDatabase]] = [
    Column("Pod", lambda e: e.pod),
    Column("Server", lambda e: e.server_name),
    Column("Database", lambda e: e.database_name),
    Column("Status", lambda e: e.status),
    Column("Error", lambda e: e.error),
]
"""One row per pod's event database."""

AD_DOMAIN_COLUMNS: list[Column[AdDomain]] = [
    Column("Domain", lambda d: d.dns_name),
    Column("NetBIOS name", lambda d: d.netbios_name),
    Column("Pod", lambda d: d.pod),
    Column("Trust", lambda d: d.domain_type),
    Column("Connection Servers", lambda d: component_links(d.links)),
    Column(
        "Service accounts",
        lambda d: joined(f"{a.user_name}: {a.status or 'UNKNOWN'}" for a in d.service_accounts),
    ),
    Column("Horizon id", lambda d: d.id),
]
"""One row per AD domain as each pod sees it."""

SAML_COLUMNS: list[Column[SamlAuthenticator]] = [
    Column("Label", lambda s: s.label),
    Column("Pod", lambda s: s.pod),
    Column("Trigger mode", lambda s: s.trigger_mode),
    Column("Connection Servers", lambda s: component_links(s.links)),
    Column("Horizon id", lambda s: s.id),
]
"""One row per SAML authenticator."""

TRUE_SSO_COLUMNS: list[Column[TrueSso]] = [
    Column("Name", lambda t: t.name),
    Column("Pod", lambda t: t.pod),
    Column("Enabled", lambda t: t.enabled),
    Column("Status", lambda t: t.status),
    Column("Problems", lambda t: joined(t.problems)),
    Column("Horizon id", lambda t: t.id),
]
"""One row per True SSO connector."""

CPA_POD_COLUMNS: list[Column[FederationPod]] = [
    Column("Pod", lambda p: p.name),
    Column("Site", lambda p: p.site),
    Column("Seen from", lambda p: p.pod),
    Column(
        "Endpoints",
        lambda p: joined(
            f"{e.name}: {e.status or 'UNKNOWN'}" + ("" if e.enabled is not False else " (disabled)")
            for e in p.endpoints
        ),
    ),
    Column("Horizon id", lambda p: p.id),
]
"""One row per Cloud Pod Architecture pod, as each collected pod sees the federation."""

LICENCE_COLUMNS: list[Column[HorizonLicense]] = [
    Column("Pod", lambda lic: lic.pod),
    Column("Licensed", lambda lic: lic.licensed),
    Column("Mode", lambda lic: lic.mode),
    Column("Edition", lambda lic: lic.edition),
    Column("Usage model", lambda lic: lic.usage_model),
    Column("Expires (UTC)", lambda lic: lic.expires, DATETIME),
    Column("Health", lambda lic: lic.health),
    Column("Concurrent connections", lambda lic: lic.current_concurrent, COUNT),
    Column("Highest concurrent connections", lambda lic: lic.highest_concurrent, COUNT),
    Column("Named users", lambda lic: lic.current_named_users, COUNT),
    Column("Highest named users", lambda lic: lic.highest_named_users, COUNT),
]
"""One row per pod's licence and its use."""

INFRASTRUCTURE_VM_COLUMNS: list[Column[InfrastructureVm]] = [
    Column("Name", lambda v: v.name),
    Column("What it is", lambda v: v.what),
    Column("Role", lambda v: v.role),
    Column("Used by pools", lambda v: joined(v.used_by)),
    Column("Datacenter", lambda v: v.datacenter),
    Column("Cluster", lambda v: v.cluster),
    Column("Host", lambda v: v.host),
    Column("Folder", lambda v: v.folder),
    Column("Power state", lambda v: v.power_state),
    Column("vCenter", lambda v: v.vcenter),
    Column("VM moref", lambda v: v.moref),
]
"""One row per VM of Horizon's or vSphere's own, golden image or template: never desktops."""

UNMATCHED_VM_COLUMNS: list[Column[StrayVm]] = [
    Column("Name", lambda v: v.name),
    Column("In folder of pool", lambda v: v.pool_name),
    Column("vCenter", lambda v: v.vcenter),
    Column("VM moref", lambda v: v.moref),
    Column("Pool id", lambda v: v.pool),
]
"""One row per VM in a pool's folder that no Horizon machine claims."""


@dataclass(frozen=True)
class SummaryItem:
    """One line of the Summary sheet: a label and its value."""

    item: str
    """What the value is, in plain words."""
    value: Value
    """The figure."""
    number_format: str | None = None
    """How Excel shows it."""


def summary_items(report: HealthReport) -> list[SummaryItem]:
    """The fleet figures, scoring rules, energy assumptions and sources, one per line."""
    fleet, energy, scoring = report.fleet, report.energy, report.scoring
    items = [
        SummaryItem("Report generated (UTC)", report.generated_at, DATETIME),
        SummaryItem("Generator", report.generator),
        SummaryItem("Snapshot collected (UTC)", report.snapshot.collected_at, DATETIME),
        SummaryItem("Snapshot generator", report.snapshot.generator),
        SummaryItem("Desktops", fleet.desktops, COUNT),
        SummaryItem("Patch score", fleet.patch_score, SCORE),
        SummaryItem("Power score", fleet.power_score, SCORE),
        SummaryItem("Grade", fleet.grade),
        SummaryItem("Healthy desktops", fleet.healthy_desktops, COUNT),
        SummaryItem("Healthy share", fleet.healthy_share, SHARE),
        SummaryItem("Coverage", fleet.coverage, SHARE),
        SummaryItem("Results judged", fleet.evaluated_results, COUNT),
        SummaryItem("Results unknown", fleet.unknown_results, COUNT),
        SummaryItem("Pools", fleet.pools, COUNT),
        SummaryItem("VMs in snapshot", fleet.vms, COUNT),
        SummaryItem("ESXi hosts", fleet.hosts, COUNT),
    ]
    items += [SummaryItem(f"Power state {k}", n, COUNT) for k, n in fleet.by_power_state.items()]
    items += [
        SummaryItem(f"Machine state {k}", n, COUNT) for k, n in fleet.by_machine_state.items()
    ]
    items += [
        SummaryItem(f"{k.capitalize()} findings", n, COUNT)
        for k, n in fleet.findings_by_severity.items()
    ]
    items += [
        SummaryItem(f"Findings in category {k}", n, COUNT)
        for k, n in fleet.findings_by_category.items()
    ]
    items += [
        SummaryItem("Points off per critical finding", scoring.critical_weight, SCORE),
        SummaryItem("Points off per warning", scoring.warning_weight, SCORE),
        SummaryItem("Points off per info finding", scoring.info_weight, SCORE),
    ]
    items += [SummaryItem(f"Grade {g} from", low, SCORE) for g, low in scoring.grades.items()]
    items += [
        SummaryItem("Energy: watts per idle desktop", energy.watts_per_desktop),
        SummaryItem("Energy: price per kWh", energy.price_per_kwh),
        SummaryItem("Energy: currency", energy.currency),
        SummaryItem("Energy: working hours per week", energy.working_hours_per_week),
        SummaryItem("Energy: hours a year outside working hours", energy.off_hours_per_year),
        SummaryItem("Energy: idle powered-on desktops", energy.idle_desktops, COUNT),
        SummaryItem("Energy: kWh per year", energy.kwh_per_year, COUNT),
        SummaryItem("Energy: cost per year", energy.cost_per_year, MONEY),
        SummaryItem("Energy: spare desktops (kept on by design)", energy.spare_desktops, COUNT),
        SummaryItem("Energy: surplus idle desktops", energy.surplus_desktops, COUNT),
        SummaryItem("Energy: saving per year", energy.saving_per_year, MONEY),
        SummaryItem("Energy: sizing saving per year", energy.sizing_saving_per_year, MONEY),
    ]
    items += usage_items(report.usage)
    for number, source in enumerate(report.sources, start=1):
        label = f"Source {number}"
        items += [
            SummaryItem(f"{label} ({source.kind})", source.url),
            SummaryItem(f"{label} status", source.status),
        ]
        if source.error:
            items.append(SummaryItem(f"{label} error", source.error))
        items += [
            SummaryItem(f"{label} finished (UTC)", source.finished_at, DATETIME),
            SummaryItem(f"{label} TLS verified", source.tls_verified),
        ]
    return items


def usage_items(usage: UsageReport | None) -> list[SummaryItem]:
    """The usage window, each source of its evidence and the measured energy; none without
    usage."""
    if usage is None:
        return []
    items = [
        SummaryItem("Usage: window (days)", usage.window_days, COUNT),
        SummaryItem("Usage: window start (UTC)", usage.window_start, DATETIME),
        SummaryItem("Usage: window end (UTC)", usage.window_end, DATETIME),
    ]
    for number, evidence in enumerate(usage.evidence, start=1):
        label = f"Usage evidence {number}"
        items += [
            SummaryItem(f"{label} ({evidence.kind})", evidence.source),
            SummaryItem(f"{label} status", evidence.status),
        ]
        if evidence.reason:
            items.append(SummaryItem(f"{label} reason", evidence.reason))
    energy = usage.energy
    if energy is not None:
        items += [
            SummaryItem("Measured energy: method", energy.method),
            SummaryItem(
                "Measured energy: idle desktops measured", energy.idle_desktops_measured, COUNT
            ),
            SummaryItem(
                "Measured energy: idle desktops assumed", energy.idle_desktops_assumed, COUNT
            ),
            SummaryItem(
                "Measured energy: watts per idle desktop",
                energy.measured_watts_per_idle_desktop,
                WATTS,
            ),
            SummaryItem("Measured energy: kWh per year", energy.kwh_per_year, COUNT),
            SummaryItem("Measured energy: cost per year", energy.cost_per_year, MONEY),
            SummaryItem("Measured energy: saving per year", energy.saving_per_year, MONEY),
            SummaryItem(
                "Measured energy: sizing saving per year", energy.sizing_saving_per_year, MONEY
            ),
        ]
    return items


SUMMARY_COLUMNS: list[Column[SummaryItem]] = [
    Column("Item", lambda s: s.item),
    Column("Value", lambda s: s.value, lambda s: s.number_format),
]
"""The Summary is a two-column key/value table."""

TABLES: list[Table[Any]] = [
    Table("summary", "Summary", SUMMARY_COLUMNS, summary_items),
    Table("desktops", "Desktops", DESKTOP_COLUMNS, lambda r: r.vms),
    Table("findings", "Findings", FINDING_COLUMNS, lambda r: r.findings),
    Table("pools", "Pools", POOL_COLUMNS, lambda r: r.pools),
    Table("checks", "Checks", CHECK_COLUMNS, lambda r: r.checks),
    Table("energy", "Energy", ENERGY_COLUMNS, lambda r: r.energy.pools),
    Table("usage_days", "Usage days", USAGE_DAY_COLUMNS, usage_rows(lambda u: u.days)),
    Table("pool_sizing", "Pool sizing", POOL_SIZING_COLUMNS, usage_rows(lambda u: u.pools)),
    Table(
        "unused_desktops",
        "Unused desktops",
        UNUSED_DESKTOP_COLUMNS,
        usage_rows(lambda u: u.unused),
    ),
    Table("host_power", "Host power", HOST_POWER_COLUMNS, usage_rows(host_power)),
    Table("licence_peaks", "Licence peaks", LICENCE_PEAK_COLUMNS, usage_rows(lambda u: u.licences)),
    Table("hosts", "Hosts", HOST_COLUMNS, lambda r: r.infrastructure.hosts),
    Table("clusters", "Clusters", CLUSTER_COLUMNS, lambda r: r.infrastructure.clusters),
    Table("datastores", "Datastores", DATASTORE_COLUMNS, lambda r: r.infrastructure.datastores),
    Table("alarms", "Alarms", ALARM_COLUMNS, lambda r: r.infrastructure.alarms),
    Table("vcenters", "vCenters", VCENTER_COLUMNS, lambda r: r.infrastructure.vcenters),
    Table(
        "connection_servers",
        "Connection Servers",
        CONNECTION_SERVER_COLUMNS,
        lambda r: r.infrastructure.connection_servers,
    ),
    Table(
        "horizon_vcenters",
        "Horizon vCenters",
        HORIZON_VCENTER_COLUMNS,
        lambda r: r.infrastructure.horizon_vcenters,
    ),
    Table("gateways", "Gateways", GATEWAY_COLUMNS, lambda r: r.infrastructure.gateways),
    Table(
        "event_databases",
        "Event databases",
        EVENT_DATABASE_COLUMNS,
        lambda r: r.infrastructure.event_databases,
    ),
    Table("ad_domains", "AD domains", AD_DOMAIN_COLUMNS, lambda r: r.infrastructure.ad_domains),
    Table(
        "saml_authenticators",
        "SAML authenticators",
        SAML_COLUMNS,
        lambda r: r.infrastructure.saml_authenticators,
    ),
    Table("true_sso", "True SSO", TRUE_SSO_COLUMNS, lambda r: r.infrastructure.true_sso),
    Table("cpa_pods", "CPA pods", CPA_POD_COLUMNS, lambda r: r.infrastructure.federation_pods),
    Table("licences", "Licences", LICENCE_COLUMNS, lambda r: r.infrastructure.licenses),
    Table(
        "infrastructure_vms",
        "Infrastructure VMs",
        INFRASTRUCTURE_VM_COLUMNS,
        lambda r: r.infrastructure.vms,
    ),
    Table(
        "unmatched_vms",
        "Unmatched VMs",
        UNMATCHED_VM_COLUMNS,
        lambda r: r.infrastructure.unmatched_vms,
    ),
]
"""Every table, in the workbook's sheet order; each is written even when it has no rows, so
the set of CSV files and sheets is always the same (the README lists it)."""


def render_tables(report: HealthReport) -> list[RenderedTable]:
    """Every table of ``report``, rendered, in order."""
    return [table.render(report) for table in TABLES]
