"""Hygiene checks: VM snapshots left behind on desktops."""

from __future__ import annotations

from fleetreport.health.catalogue import Category, Limits, SubjectKind, check
from fleetreport.health.checks.tiers import judge_age
from fleetreport.health.fleet import Desktop, FleetView
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
    return judge_age(
        fleet.now - oldest.created, limits, lambda age: f"snapshot {oldest.name!r} is {age} old"
    )


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
