"""vSphere checks: alarms, host hardware, cluster HA and failover headroom, and the desktops'
snapshot consolidation and memory contention. None needs Horizon: a vCenter-only snapshot
gets every one."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fleetreport.health.catalogue import Category, Limits, SubjectKind, check
from fleetreport.health.checks.alarms import ALARM_RATIONALE, ALARM_THRESHOLDS, judge_alarms
from fleetreport.health.checks.host_down import on_host_down
from fleetreport.health.checks.vdi_scope import (
    ALL_CLUSTERS,
    CLUSTER_SCOPE_RATIONALE,
    outside_vdi_clusters,
)
from fleetreport.health.fleet import Desktop, FleetView
from fleetreport.health.results import (
    Outcome,
    Severity,
    failed,
    not_applicable,
    passed,
    unknown,
)
from fleetreport.ordering import natural_key
from fleetreport.snapshot.model import Cluster, Host

INFRASTRUCTURE = Category.INFRASTRUCTURE
HYGIENE = Category.HYGIENE

HOST_DOWN_STATES = ("disconnected", "notResponding")
"""vSphere ``HostSystemConnectionState`` values of a host vCenter cannot reach."""
RUNNING_POWER_STATES = ("poweredOn",)
"""VM power states whose memory statistics mean something."""


# ------------------------------------------------------------------------------ alarms


@check(
    title="Host alarms",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.HOST,
    rationale=f"""vCenter raises host alarms for hardware, connectivity, resource usage and
    HA (ManagedEntity.triggeredAlarmState). {ALARM_RATIONALE}""",
    remediation="""Open the host's Monitor > Triggered Alarms in vCenter, fix the condition,
    then reset or acknowledge the alarm.""",
    thresholds=ALARM_THRESHOLDS,
)
def host_alarms(host: Host, limits: Limits, fleet: FleetView) -> Outcome:
    return judge_alarms(fleet, host.vcenter, host.moref, limits, "the host")


@check(
    title="Cluster alarms",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.CLUSTER,
    rationale=f"""vCenter raises cluster alarms for HA failover resources, DRS and vSAN
    health (ManagedEntity.triggeredAlarmState). {ALARM_RATIONALE} {CLUSTER_SCOPE_RATIONALE}""",
    remediation="""Open the cluster's Monitor > Triggered Alarms in vCenter, fix the
    condition, then reset or acknowledge the alarm.""",
    thresholds={**ALARM_THRESHOLDS, ALL_CLUSTERS: False},
)
def cluster_alarms(cluster: Cluster, limits: Limits, fleet: FleetView) -> Outcome:
    outside = outside_vdi_clusters(fleet, cluster, limits)
    if outside is not None:
        return outside
    return judge_alarms(fleet, cluster.vcenter, cluster.moref, limits, "the cluster")


@check(
    title="Desktop VM alarms",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale=f"""vCenter raises VM alarms for CPU and memory usage, consolidation, HA restarts
    and more (ManagedEntity.triggeredAlarmState). {ALARM_RATIONALE}""",
    remediation="""Open the VM's Monitor > Triggered Alarms in vCenter, fix the condition,
    then reset or acknowledge the alarm; tune alarm definitions that are noise for desktops.""",
    thresholds=ALARM_THRESHOLDS,
)
def desktop_alarms(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    return judge_alarms(fleet, vm.vcenter, vm.moref, limits, "the VM")


# ------------------------------------------------------------------------------- hosts


@check(
    title="Host hardware sensors",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.HOST,
    rationale="""A failed fan, power supply, memory module or disk controller takes the host,
    and every desktop on it, down next. Sensors and hardware components as the host reports
    them (runtime.healthSystemRuntime): red is critical, yellow a warning; sensors the host
    itself reports as unknown are listed, not failed (vCheck-vSphere "Hardware status
    warnings/errors" leaves out green and unknown). A host vCenter cannot reach reports nothing
    current: unknown.""",
    remediation="""Open the host's Monitor > Hardware Health in vCenter (or its BMC: iLO,
    iDRAC, XCC); replace the part or update the firmware, after moving its desktops off.""",
    thresholds={
        "critical_health": ("red",),
        "warning_health": ("yellow",),
        "unknown_health": ("unknown",),
        "host_down_states": HOST_DOWN_STATES,
        "names_listed": 5,
    },
)
def host_hardware_sensors(host: Host, limits: Limits, fleet: FleetView) -> Outcome:
    state = host.connection_state
    if state is not None and limits.matches("host_down_states", state):
        return unknown(f"the host is {state}: its hardware health is not current")
    if not host.sensors_reported:
        return unknown("the host did not report its hardware health")
    graded: dict[Severity, list[str]] = {Severity.CRITICAL: [], Severity.WARNING: []}
    not_known, strange = [], []
    for sensor in sorted(host.sensor_alerts, key=lambda s: natural_key(s.name)):
        label = f"{sensor.name!r} ({sensor.kind}, {sensor.health})"
        if limits.matches("critical_health", sensor.health):
            graded[Severity.CRITICAL].append(label)
        elif limits.matches("warning_health", sensor.health):
            graded[Severity.WARNING].append(label)
        elif limits.matches("unknown_health", sensor.health):
            not_known.append(sensor.name)
        else:
            strange.append(label)
    bad = graded[Severity.CRITICAL] + graded[Severity.WARNING]
    if bad:
        worst = Severity.CRITICAL if graded[Severity.CRITICAL] else Severity.WARNING
        count = f"{len(bad)} sensor{'s' if len(bad) != 1 else ''} not green"
        return failed(f"{count}: {_listing(bad, limits)}", worst)
    if strange:
        return unknown(f"sensor health fleetreport does not know: {_listing(strange, limits)}")
    if not_known:
        return passed(
            f"no sensor red or yellow; {len(not_known)} the host reports as unknown:"
            f" {_listing([repr(n) for n in not_known], limits)}"
        )
    return passed("every sensor green")


# ---------------------------------------------------------------------------- clusters


@check(
    title="Cluster without vSphere HA",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.CLUSTER,
    rationale=f"""Without vSphere HA the desktops of a failed host stay down until someone
    restarts them elsewhere (configurationEx.dasConfig.enabled; vCheck-vSphere "HA
    configuration issues" expects HA and admission control on). A warning, not critical: it is
    a risk, not an outage. HA on with admission control off is info: HA still restarts the
    desktops, it only no longer reserves room for them, and cluster_n_plus_one measures that
    room from real usage (require_admission_control = false stops reporting it).
    {CLUSTER_SCOPE_RATIONALE}""",
    remediation="""Turn on vSphere HA for the cluster (Configure > vSphere Availability) with
    host monitoring, and admission control reserving at least one host's capacity.""",
    thresholds={"require_admission_control": True, ALL_CLUSTERS: False},
)
def cluster_ha_disabled(cluster: Cluster, limits: Limits, fleet: FleetView) -> Outcome:
    outside = outside_vdi_clusters(fleet, cluster, limits)
    if outside is not None:
        return outside
    if cluster.ha_enabled is None:
        return unknown("vCenter did not report the cluster's HA configuration")
    if not cluster.ha_enabled:
        return failed("vSphere HA is off", Severity.WARNING)
    if cluster.ha_admission_control is None:
        return passed("vSphere HA is on (admission control not reported)")
    if not cluster.ha_admission_control:
        if limits.flag("require_admission_control"):
            return failed("vSphere HA is on, admission control is off", Severity.INFO)
        return passed("vSphere HA is on, admission control is off (not required)")
    return passed("vSphere HA and admission control are on")


@check(
    title="Cluster without N+1 headroom",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.CLUSTER,
    rationale=f"""Can the cluster lose its largest host and still hold today's load? For
    memory and for CPU separately: the usage of the hosts that can run VMs (connected, not in
    maintenance; summary.quickStats) must fit in limit% of their capacity less the largest
    host's: sum(usage) <= limit% x (sum(capacity) - max(capacity)), limit 100% (N+1 by
    definition; vCheck-vSphere "QuickStats Capacity Planning" takes an average host, this
    takes the largest). A cluster with one such host fails: nothing can take its desktops.
    Missing usage or capacity is unknown. {CLUSTER_SCOPE_RATIONALE}""",
    remediation="""Add a host to the cluster, or reduce the load: fewer powered-on spare
    desktops, right-sized desktop memory, fewer desktops per cluster.""",
    thresholds={
        "memory_limit_percent": 100,
        "cpu_limit_percent": 100,
        "connected_states": ("connected",),
        ALL_CLUSTERS: False,
    },
)
def cluster_n_plus_one(cluster: Cluster, limits: Limits, fleet: FleetView) -> Outcome:
    outside = outside_vdi_clusters(fleet, cluster, limits)
    if outside is not None:
        return outside
    hosts = fleet.hosts_by_cluster.get((cluster.vcenter, cluster.datacenter, cluster.name), [])
    if not hosts:
        return unknown("the snapshot holds no host of the cluster")
    undetermined = {h.name for h in hosts if None in (h.connection_state, h.in_maintenance_mode)}
    if undetermined:
        return unknown(f"vCenter did not report the state of {', '.join(sorted(undetermined))}")
    usable = [
        h
        for h in hosts
        if limits.matches("connected_states", h.connection_state or "")
        and not h.in_maintenance_mode
    ]
    if not usable:
        return not_applicable(
            "no host of the cluster can run VMs: host_not_connected's and"
            " host_in_maintenance's findings"
        )
    if len(usable) == 1:
        return failed(
            f"only one host can run VMs ({usable[0].name}): nothing can take its desktops"
            " if it fails"
        )
    missing = sorted(
        h.name
        for h in usable
        if None in (h.memory_usage_mb, h.memory_capacity_mb, h.cpu_usage_mhz, h.cpu_capacity_mhz)
    )
    if missing:
        return unknown(f"vCenter did not report usage and capacity of {', '.join(missing)}")
    memory = _headroom(usable, "memory", lambda h: (h.memory_usage_mb, h.memory_capacity_mb))
    cpu = _headroom(usable, "cpu", lambda h: (h.cpu_usage_mhz, h.cpu_capacity_mhz))
    limited = ((memory, "memory_limit_percent"), (cpu, "cpu_limit_percent"))
    short = [words for (used, left, words), name in limited if used > left * _share(limits, name)]
    seen = "; ".join(words for _, _, words in (memory, cpu))
    if short:
        return failed(f"not N+1 across {len(usable)} hosts: {'; '.join(short)}")
    return passed(f"N+1 across {len(usable)} hosts: {seen}")


# ---------------------------------------------------------------------------- desktops


@check(
    title="VM disks need consolidation",
    category=HYGIENE,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""vCenter sets runtime.consolidationNeeded when a snapshot was deleted but its
    delta disks were not merged back: the VM keeps running on a chain that grows, slows it,
    fills the datastore and breaks backups (vCheck-vSphere "VMs needing snapshot
    consolidation"; atc0005/check-vmware check_vmware_disk_consolidation). vCenter refreshes
    the flag only on some operations (check_vmware_disk_consolidation's notes), so a stale
    pass is possible, never a false failure.""",
    remediation="""Right-click the VM in vCenter > Snapshots > Consolidate; if it fails, look
    for a backup proxy still holding the disks.""",
    thresholds={"host_down_states": HOST_DOWN_STATES},
)
def vm_consolidation_needed(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    down = on_host_down(desktop, lambda state: limits.matches("host_down_states", state))
    if down is not None:
        return down
    if vm.consolidation_needed is None:
        return unknown("vCenter did not report whether the disks need consolidation")
    if vm.consolidation_needed:
        return failed("vCenter reports that the VM's disks need consolidation")
    return passed("no consolidation needed")


@check(
    title="Desktop memory ballooned or swapped",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""Ballooned or host-swapped memory means the host took memory back from the
    desktop: a sign of an overcommitted host or a memory limit, and swapped pages make the
    desktop slow (summary.quickStats.balloonedMemory and .swappedMemory). vCheck-vSphere "VMs
    Ballooning or Swapping" lists any powered-on VM with either above 0: so do the defaults.
    The cause is the host's, so it lowers no desktop score. Powered-off and suspended desktops,
    and desktops on a host vCenter cannot reach, are not judged.""",
    remediation="""Check the host's and cluster's memory usage and the VM's memory limit and
    reservation; move desktops to a less loaded host, remove the limit, or add memory.""",
    thresholds={
        "ballooned_warning_mb": 0,
        "swapped_warning_mb": 0,
        "running_power_states": RUNNING_POWER_STATES,
        "host_down_states": HOST_DOWN_STATES,
    },
)
def vm_memory_contention(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    if vm.power_state is None:
        return unknown("vCenter did not report the power state")
    if not limits.matches("running_power_states", vm.power_state):
        return not_applicable(f"the VM is {vm.power_state}")
    down = on_host_down(desktop, lambda state: limits.matches("host_down_states", state))
    if down is not None:
        return down
    readings = (
        ("ballooned", vm.ballooned_memory_mb, "ballooned_warning_mb"),
        ("swapped", vm.swapped_memory_mb, "swapped_warning_mb"),
    )
    over = [
        f"{value:,} MiB {what} (warning over {limits.number(name):g} MiB)"
        for what, value, name in readings
        if value is not None and value > limits.number(name)
    ]
    if over:
        return failed("; ".join(over))
    if any(value is None for _, value, _ in readings):
        return unknown("vCenter did not report the ballooned and swapped memory")
    return passed("no memory ballooned or swapped")


# ----------------------------------------------------------------------------- helpers


def _headroom(
    hosts: Sequence[Host], resource: str, reading: Callable[[Host], tuple[int | None, int | None]]
) -> tuple[float, float, str]:
    """Usage, capacity left without the largest host, and both in words."""
    pairs = [(reading(h), h.name) for h in hosts]
    used = float(sum(usage or 0 for (usage, _), _ in pairs))
    total = float(sum(capacity or 0 for (_, capacity), _ in pairs))
    (_, largest), name = max(pairs, key=lambda pair: (pair[0][1] or 0, natural_key(pair[1])))
    left = total - float(largest or 0)
    if resource == "memory":
        words = (
            f"memory {used / 1024:,.0f} GiB in use, {left / 1024:,.0f} GiB without {name}"
            f" ({(largest or 0) / 1024:,.0f} GiB)"
        )
    else:
        words = (
            f"CPU {used / 1000:,.1f} GHz in use, {left / 1000:,.1f} GHz without {name}"
            f" ({(largest or 0) / 1000:,.1f} GHz)"
        )
    return used, left, words


def _share(limits: Limits, name: str) -> float:
    """A percentage threshold as a fraction."""
    return limits.number(name) / 100


def _listing(items: Sequence[str], limits: Limits) -> str:
    shown = int(limits.number("names_listed"))
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more} more" if more > 0 else "")
