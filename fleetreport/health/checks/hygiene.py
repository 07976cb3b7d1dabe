"""Hygiene checks: VM snapshots left behind on desktops."""

from __future__ import annotations

from fleetreport.health.catalogue import Category, Limits, SubjectKind, check
from fleetreport.health.fleet import Desktop, FleetView, describe_age, describe_limit
from fleetreport.health.results import Outcome, Severity, failed, passed, unknown

HYGIENE = Category.HYGIENE


@check(
    title="Old VM snapshot",
    category=HYGIENE,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""A snapshot's delta disk grows with every write, slows the desktop and the
    datastore, and is not a backup.""",
    remediation="""Delete (consolidate) the snapshot once its change is confirmed; keep
    snapshots on golden images, not on desktops.""",
    thresholds={"warning_days": 7, "critical_days": 14},
)
def vm_snapshot_old(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    if not vm.snapshots:
        return passed("no snapshots")
    dated = [s for s in vm.snapshots if s.created is not None]
    if not dated:
        return unknown("vCenter did not report when the snapshots were taken")
    oldest = min(dated, key=lambda s: s.created or fleet.now)
    assert oldest.created is not None
    snapshot_age = fleet.now - oldest.created
    critical, warning = limits.days("critical_days"), limits.days("warning_days")
    if snapshot_age > critical:
        return failed(
            f"snapshot {oldest.name!r} is {describe_age(snapshot_age)} old"
            f" (critical over {describe_limit(critical)})",
            Severity.CRITICAL,
        )
    if snapshot_age > warning:
        return failed(
            f"snapshot {oldest.name!r} is {describe_age(snapshot_age)} old"
            f" (warning over {describe_limit(warning)})",
            Severity.WARNING,
        )
    return passed(f"oldest snapshot is {describe_age(snapshot_age)} old")


@check(
    title="Many VM snapshots",
    category=HYGIENE,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""Every snapshot in a chain adds a delta disk to read through: long chains
    slow the desktop and make consolidation risky.""",
    remediation="""Delete the snapshots no longer needed, oldest first.""",
    thresholds={"warning_count": 3},
)
def vm_snapshot_many(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    count = len(vm.snapshots)
    limit = limits.number("warning_count")
    if count >= limit:
        return failed(f"{count} snapshots (warning at {limit:g} or more)")
    return passed(f"{count} snapshot(s)")
