"""The report's usage records: who used the desktops over the usage window, how many each pool
needed at its peak, which desktops nobody used, and the energy measured where hosts meter it.

Built from the snapshot's usage evidence (``Snapshot.horizon_usage``, ``Snapshot.vcenter_usage``,
collected with ``--usage DAYS``) and the usage checks' verdicts; ``HealthReport.usage`` is None
when no usage evidence was collected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class UsageEvidence:
    """One source of usage evidence and what it gave: a pod's audit events or a vCenter's
    performance history."""

    kind: str
    """``horizon`` (audit events) or ``vcenter`` (performance history)."""
    source: str
    """The pod's name, or the vCenter's host name."""
    status: str
    """``ok``; ``skipped`` (a pod's events not read) or ``refused`` (vCenter refused its
    performance history)."""
    reason: str | None
    """Why not, when not ``ok``."""
    events: int | None = None
    """Horizon: session events read."""
    vms_measured: int | None = None
    """vCenter: VMs with CPU samples in the window."""
    vms_without_data: int | None = None
    """vCenter: VMs without samples (off throughout, counter not kept, or an error)."""
    hosts_metered: int | None = None
    """vCenter: hosts whose power draw was measured (``power.power``)."""
    hosts_unmetered: int | None = None
    """vCenter: hosts without a power reading (no meter, counter not kept at the interval's
    statistics level, or an error)."""
    interval_seconds: int | None = None
    """vCenter: sampling period of the historical interval read."""


@dataclass(frozen=True)
class UsageDay:
    """One UTC day of the window, over the whole fleet."""

    day: str
    """``YYYY-MM-DD`` (UTC)."""
    logons: int
    """Session logons that day, all pods."""
    peak_sessions: int | None
    """The sum of the pools' peaks that day (an upper bound of the fleet's own peak: pools
    peak at different times); None when a pod's events were not in time order."""


@dataclass(frozen=True)
class PoolSizing:
    """One pool's peak use over the window against what it keeps provisioned: the right-sizing
    table's row."""

    pod: str
    """Pod id."""
    pool: str
    """Pool id."""
    pool_name: str
    """Pool name."""
    assignment: str | None
    """``DEDICATED`` or ``FLOATING`` (None for farms and when not reported)."""
    lever: str
    """What sizing or power lever it takes (``pool_power.Lever``): ``power_policy``,
    ``sizing`` or ``none``."""
    machines: int
    """Machines provisioned now."""
    maximum: int | None
    """The pool's maximum machines; None when not reported (manual pools, farms)."""
    spares: int | None
    """Spare machines it is configured to keep powered on."""
    logons: int
    """Session logons in the window."""
    peak_sessions: int | None
    """Most sessions open at once in the window; None when the events cannot tell."""
    peak_day: str | None
    """The day of that peak (``YYYY-MM-DD``)."""
    peak_is_lower_bound: bool
    """Sessions opened before the window were still open: the peak may be higher by up to
    that many."""
    sessions_now: int | None
    """Sessions (connected and disconnected) at collection time."""
    needed: int | None
    """Machines the peak needs with the pool's spares: peak plus spares (None when the
    peak is unknown)."""
    surplus: int | None
    """Machines that could go: provisioned beyond ``needed`` and the margin of
    ``pool_over_provisioned`` (the larger of 2 and 5% of the maximum by default), as that check
    found (0 when none; None when unknown). Dedicated pools count their desktops in the unused
    list instead."""
    verdict: str
    """``over_provisioned``, ``ran_out`` (the peak used every machine, or the maximum),
    ``spares_short`` (below its maximum, the peak left fewer machines free than its spares),
    ``dedicated`` (a dedicated pool: its unused desktops are its sizing), ``right_sized`` or
    ``unknown``: the ``pool_over_provisioned`` and ``pool_ran_out`` checks' verdicts in one
    word."""
    advice: str
    """What to do, consistent with the pool's lever (sizing words for instant clones and
    farms, power policy words where the pool takes one)."""


@dataclass(frozen=True)
class UnusedDesktop:
    """A desktop nobody used over the window: the unused-desktop list's row."""

    key: str
    """Desktop key (``POD/MACHINE_ID`` or ``VCENTER/vm-N``)."""
    name: str
    """Desktop (machine) name."""
    pool: str | None
    """Pool id."""
    pool_name: str | None
    """Pool name."""
    reason: str
    """``assigned_user_absent`` (dedicated desktop whose assigned user has not logged on for
    the threshold's days) or ``no_session_no_activity`` (no logon and no CPU activity over
    the window)."""
    assigned_users: list[str]
    """Users assigned to it (dedicated pools)."""
    last_logon: datetime | None
    """The newest logon to it in the window; None when none."""
    cpu_p95_percent: float | None
    """95th percentile of its CPU use over the window, when measured."""
    power_state: str | None
    """Its VM's power state now."""
    watts: float | None
    """What it draws while powered on: measured share of its host, or the assumption."""
    watts_measured: bool
    """True when ``watts`` is its host's measured draw shared out, False when assumed."""
    kwh_per_year: float
    """Its consumption a year if left powered on as now (0 when off)."""
    cost_per_year: float
    """Its price."""
    remediation: str
    """Unassign, reclaim or delete, in the words for its pool type."""


@dataclass(frozen=True)
class HostPower:
    """One host's power draw over the window and the share each powered-on VM takes."""

    vcenter: str
    """Instance UUID of its vCenter."""
    moref: str
    """Host moref."""
    name: str
    """Host name."""
    status: str
    """``measured``, ``no_data``, ``not_collected`` or ``error`` (the evidence's status)."""
    mean_watts: float | None
    """Mean draw over the window (``power.power.average``)."""
    peak_watts: float | None
    """Highest sample."""
    powered_on_vms: int
    """VMs powered on on it at collection time."""
    watts_per_vm: float | None
    """``mean_watts`` shared by count over ``powered_on_vms`` (the documented method)."""
    idle_desktops: int
    """Idle desktops on it (``vm_idle_powered_on``)."""


@dataclass(frozen=True)
class MeasuredEnergy:
    """The idle desktops' draw, measured where hosts meter power and assumed elsewhere."""

    method: str
    """How a desktop's share of its host is taken: ``by_count`` (the host's mean draw over its
    powered-on VMs); documented in the report."""
    hosts: list[HostPower]
    """Hosts running desktops, metered first."""
    idle_desktops_measured: int
    """Surplus idle desktops on metered hosts: their watts are measured."""
    idle_desktops_assumed: int
    """Surplus idle desktops elsewhere: their watts are ``EnergyReport.watts_per_desktop``."""
    measured_watts_per_idle_desktop: float | None
    """Mean measured share of the measured idle desktops; None when none."""
    kwh_per_year: float
    """The surplus's consumption if on all year, measured where it can be."""
    cost_per_year: float
    """Its price."""
    saving_per_year: float
    """As ``EnergyReport.saving_per_year``, with measured watts where known."""
    sizing_saving_per_year: float
    """As ``EnergyReport.sizing_saving_per_year``, with measured watts where known."""


@dataclass(frozen=True)
class LicencePeak:
    """A pod's highest licence use against the licensed count."""

    pod: str
    """Pod id."""
    pod_name: str
    """Pod name."""
    usage_model: str | None
    """``CONCURRENT_USER`` or ``NAMED_USER``."""
    current: int | None
    """Use now (concurrent connections or named users, by the model)."""
    highest: int | None
    """Highest use Horizon recorded."""
    peak_sessions_in_window: int | None
    """The highest fleet-wide concurrent sessions of the pod in the window, from its
    events."""
    licensed: int | None
    """The licensed count (``[checks.licence_usage_high] licensed_users``); None when not
    configured."""


@dataclass(frozen=True)
class UsageReport:
    """Usage over the window: evidence, logons per day, pools, unused desktops, licences and
    the measured energy."""

    window_days: int
    """The window (``--usage DAYS``)."""
    window_start: datetime | None
    """Oldest time of the window (UTC)."""
    window_end: datetime | None
    """Newest time of the window (UTC)."""
    evidence: list[UsageEvidence]
    """Each source, whether it gave its evidence."""
    days: list[UsageDay]
    """Every day of the window, oldest first (days without a logon included, at 0)."""
    pools: list[PoolSizing]
    """Pools with machines or sessions, by name."""
    unused: list[UnusedDesktop]
    """Unused desktops, costliest first then by name."""
    licences: list[LicencePeak] = field(default_factory=list)
    """Per pod."""
    energy: MeasuredEnergy | None = None
    """None when no vCenter's performance history was read."""
