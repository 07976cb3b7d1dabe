"""Storage checks: the datastores that hold the desktops, their images and Horizon's own VMs.

An inaccessible datastore is inherited: its desktops cannot run, so each loses power points.
"""

from __future__ import annotations

from fleetreport.health.catalogue import Category, Limits, SubjectKind, check
from fleetreport.health.checks.alarms import ALARM_RATIONALE, ALARM_THRESHOLDS, judge_alarms
from fleetreport.health.checks.vdi_scope import (
    ALL_DATASTORES,
    DATASTORE_SCOPE_RATIONALE,
    outside_vdi_datastores,
)
from fleetreport.health.fleet import FleetView
from fleetreport.health.results import (
    Outcome,
    Severity,
    failed,
    not_applicable,
    passed,
    unknown,
)
from fleetreport.snapshot.model import Datastore

INFRASTRUCTURE = Category.INFRASTRUCTURE
GIB = 1024**3


@check(
    title="Datastore low on free space",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.DATASTORE,
    rationale=f"""A full datastore stops every VM on it that needs to write to a thin disk, a
    snapshot delta or a swap file, and Horizon cannot provision or refresh clones there. Warning
    under 15% free and critical under 10% (vCheck-vSphere "Datastore Information": 15% free,
    its table marks 10% critical; AuthorityGate's Horizon health check: 15%; atc0005/check-vmware
    check_vmware_datastore_space: 90/95% used). {DATASTORE_SCOPE_RATIONALE}""",
    remediation="""Free space (delete leftover snapshots and stray VMs, shrink the pool's
    spares), move desktops to another datastore in Horizon's pool settings, or grow the
    datastore.""",
    thresholds={"warning_free_percent": 15, "critical_free_percent": 10, ALL_DATASTORES: False},
)
def datastore_free_space(store: Datastore, limits: Limits, fleet: FleetView) -> Outcome:
    outside = outside_vdi_datastores(fleet, store, limits)
    if outside is not None:
        return outside
    if store.accessible is False:
        return not_applicable("the datastore is inaccessible: datastore_inaccessible's finding")
    capacity, free = store.capacity_bytes, store.free_bytes
    if not capacity or free is None:
        return unknown("vCenter did not report the datastore's capacity and free space")
    percent = 100 * free / capacity
    seen = f"{percent:.1f}% free ({free / GIB:,.1f} GiB of {capacity / GIB:,.1f} GiB)"
    for name, severity in (
        ("critical_free_percent", Severity.CRITICAL),
        ("warning_free_percent", Severity.WARNING),
    ):
        limit = limits.number(name)
        if percent < limit:
            return failed(f"{seen}, {severity.value} under {limit:g}%", severity)
    return passed(seen)


@check(
    title="Datastore inaccessible",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.DATASTORE,
    rationale=f"""The VMs on an inaccessible datastore cannot run or be powered on, and Horizon
    cannot provision there (vSphere API, DatastoreSummary.accessible). A datastore entering or
    in maintenance mode is being emptied by Storage DRS (summary.maintenanceMode; vCheck-vSphere
    "Datastores in Maintenance Mode" lists it): a warning. Inherited: each desktop with files on
    it loses power points. {DATASTORE_SCOPE_RATIONALE}""",
    remediation="""Check the storage array, the hosts' paths to it (HBA, iSCSI or NFS
    network) and the datastore's events in vCenter; rescan storage on the hosts. Finish or end
    the datastore's maintenance mode.""",
    thresholds={
        "warning_maintenance_modes": ("enteringMaintenance", "inMaintenance"),
        ALL_DATASTORES: False,
    },
    inherited=True,
)
def datastore_inaccessible(store: Datastore, limits: Limits, fleet: FleetView) -> Outcome:
    outside = outside_vdi_datastores(fleet, store, limits)
    if outside is not None:
        return outside
    if store.accessible is None:
        return unknown("vCenter did not report whether the datastore is accessible")
    if not store.accessible:
        return failed("the datastore is not accessible", Severity.CRITICAL)
    mode = store.maintenance_mode
    if mode is not None and limits.matches("warning_maintenance_modes", mode):
        return failed(f"maintenance mode is {mode}", Severity.WARNING)
    if mode is None:
        return passed("accessible (maintenance mode not reported)")
    return passed(f"accessible, maintenance mode {mode}")


@check(
    title="Datastore alarms",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.DATASTORE,
    rationale=f"""vCenter raises datastore alarms for usage, latency and connectivity
    (ManagedEntity.triggeredAlarmState). {ALARM_RATIONALE} {DATASTORE_SCOPE_RATIONALE}""",
    remediation="""Open the datastore's Monitor > Triggered Alarms in vCenter, fix the
    condition, then reset or acknowledge the alarm.""",
    thresholds={**ALARM_THRESHOLDS, ALL_DATASTORES: False},
)
def datastore_alarms(store: Datastore, limits: Limits, fleet: FleetView) -> Outcome:
    outside = outside_vdi_datastores(fleet, store, limits)
    if outside is not None:
        return outside
    return judge_alarms(fleet, store.vcenter, store.moref, limits, "the datastore")
