"""Hygiene checks: VM snapshots left behind on desktops, stray VMs in pool folders."""

from __future__ import annotations

from fleetreport.health.catalogue import Category, Limits, SubjectKind, check
from fleetreport.health.checks.tiers import judge_age
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
from fleetreport.snapshot.model import DesktopPool

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


@check(
    title="Stray VMs in the pool's folder",
    category=HYGIENE,
    severity=Severity.WARNING,
    subject=SubjectKind.POOL,
    rationale="""A VM in a pool's vCenter folder that no Horizon machine claims is a leftover
    of a failed delete or provisioning, or a copy made by hand: it holds storage, memory and
    often a Windows licence, and no user can reach it through Horizon.""",
    remediation="""Check the VM in vCenter (created by whom, when); delete it if it is a
    leftover, or move it out of the pool's folder if it is a server or a test machine.""",
    thresholds={"names_listed": 5},
)
def pool_stray_vms(pool: DesktopPool, limits: Limits, fleet: FleetView) -> Outcome:
    if pool.kind == "inferred":
        return not_applicable("an inferred pool has no Horizon folder")
    if pool.vm_folder_path is None and pool.vm_folder_id is None:
        return not_applicable("Horizon names no VM folder for this pool")
    if pool.vcenter is None or pool.vcenter not in fleet.collected_vcenters:
        return unknown("the pool's vCenter was not collected")
    strays = fleet.stray_vms_by_pool.get(pool.id, [])
    if not strays:
        return passed("every VM in the pool's folder is one of its machines")
    shown = int(limits.number("names_listed"))
    names = sorted((stray.name for stray in strays), key=natural_key)
    listed = ", ".join(names[:shown]) + (
        f" and {len(names) - shown} more" if len(names) > shown else ""
    )
    count = f"{len(names)} VM{'s' if len(names) != 1 else ''}"
    return failed(f"{count} in the pool's folder that no machine claims: {listed}")
