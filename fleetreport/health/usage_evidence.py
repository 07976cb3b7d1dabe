"""The snapshot's usage evidence indexed for the checks: per desktop its logons and its VM's CPU,
per pool its sessions, per pod its event reading, per host its power draw; computed once per
fleet, and the words that say why a piece of evidence is missing."""

from __future__ import annotations

import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from fleetreport.health.fleet import Desktop, FleetView
from fleetreport.snapshot.model import (
    DesktopPool,
    DesktopUsage,
    HorizonUsage,
    PoolUsage,
    Session,
    UserDesktopUsage,
    VCenter,
    VCenterUsage,
)

OK = "ok"
MEASURED = "measured"
NO_DATA = "no_data"
VIRTUAL_MACHINE = "VirtualMachine"
HOST_SYSTEM = "HostSystem"
NOT_COLLECTED = "usage was not collected (run with --usage DAYS)"


@dataclass(frozen=True)
class PoolPeak:
    """A pool's peak concurrent sessions over the window, as far as the events tell."""

    usage: PoolUsage | None
    """Its sessions from the events; None when it had no session event in the window."""
    lower: int
    """The least the peak can be: the events' peak, and the sessions open now."""
    upper: int
    """The most it can be: ``lower`` plus the sessions opened before the window."""
    day: str | None
    """The day of the events' peak."""

    @property
    def is_lower_bound(self) -> bool:
        """Sessions opened before the window may have raised the peak."""
        return self.upper > self.lower


@dataclass
class UsageIndex:
    """Indexes over one fleet's usage evidence."""

    fleet: FleetView
    pods: dict[str, HorizonUsage] = field(default_factory=dict)
    desktops: dict[tuple[str, str], DesktopUsage] = field(default_factory=dict)
    """By (pod, machine id) and (pod, machine DNS name, casefolded)."""
    pools: dict[tuple[str, str], PoolUsage] = field(default_factory=dict)
    """By (pod, pool id) and (pod, pool name casefolded)."""
    dedicated: dict[tuple[str, str], list[UserDesktopUsage]] = field(default_factory=dict)
    """By (pod, machine id), and by (pod, key casefolded): an event without a machine id is
    keyed by its DNS name."""
    entities: dict[tuple[str, str], VCenterUsage] = field(default_factory=dict)
    """VM and host records by (vCenter, moref)."""
    vcenters: dict[str, VCenter] = field(default_factory=dict)

    @property
    def collected(self) -> bool:
        """Any usage evidence was asked for."""
        snapshot = self.fleet.snapshot
        return bool(
            snapshot.horizon_usage
            or snapshot.vcenter_usage
            or any(vc.usage_days is not None for vc in snapshot.vcenters)
        )

    # ---------------------------------------------------------------- Horizon

    def pod(self, pod: str) -> HorizonUsage | None:
        """The pod's event reading; None when usage was not collected from it."""
        return self.pods.get(pod)

    def pod_gap(self, pod: str) -> str | None:
        """Why the pod's events cannot be used, or None when they can."""
        usage = self.pods.get(pod)
        if usage is None:
            return NOT_COLLECTED if not self.collected else "the pod's events were not asked for"
        if usage.status != OK:
            return f"the pod's events were not read: {usage.reason or usage.status}"
        return None

    def desktop(self, desktop: Desktop) -> DesktopUsage | None:
        """The desktop's logons in the window (by machine id, else its DNS name)."""
        machine = desktop.machine
        if machine is None:
            return None
        found = self.desktops.get((machine.pod, machine.id))
        if found is None and machine.dns_name:
            found = self.desktops.get((machine.pod, machine.dns_name.casefold()))
        return found

    def user_logons(self, desktop: Desktop) -> list[UserDesktopUsage]:
        """The newest logon of each user to this dedicated desktop in the window."""
        machine = desktop.machine
        if machine is None:
            return []
        found = self.dedicated.get((machine.pod, machine.id), [])
        if not found and machine.dns_name:
            found = self.dedicated.get((machine.pod, machine.dns_name.casefold()), [])
        return found

    def pool(self, pool: DesktopPool) -> PoolUsage | None:
        """The pool's sessions in the window (by pool id, else by name)."""
        return self.pools.get((pool.pod, pool.id)) or self.pools.get(
            (pool.pod, pool.name.casefold())
        )

    def pool_machines(self, pool: DesktopPool) -> int | None:
        """Machines in the pool now: Horizon's count, its pool metrics', or those listed."""
        if pool.machine_count is not None:
            return pool.machine_count
        usage = self.pool(pool)
        if usage is not None and usage.machines_now is not None:
            return usage.machines_now
        listed = self.fleet.pool_desktops(pool)
        return len(listed) if listed else None

    def pool_sessions_now(self, pool: DesktopPool) -> list[Session]:
        """Sessions on the pool's desktops at collection time."""
        return [s for d in self.fleet.pool_desktops(pool) for s in d.sessions]

    def pool_peak(self, pool: DesktopPool) -> PoolPeak | None:
        """The pool's peak; None when the events cannot tell (not in time order)."""
        usage = self.pool(pool)
        now = len(self.pool_sessions_now(pool))
        if usage is not None and usage.sessions_now is not None:
            now = max(now, usage.sessions_now)
        if usage is None:
            return PoolPeak(None, now, now, None)
        if usage.peak_sessions is None:
            return None
        day = next(
            (d.day for d in usage.days if d.peak_sessions == usage.peak_sessions),
            None,
        )
        lower = max(usage.peak_sessions, now)
        return PoolPeak(usage, lower, lower + usage.sessions_before_window, day)

    # ---------------------------------------------------------------- vCenter

    def vm_usage(self, desktop: Desktop) -> VCenterUsage | None:
        """The desktop's VM's CPU over the window."""
        vm = desktop.vm
        return self.entities.get((vm.vcenter, vm.moref)) if vm is not None else None

    def vm_gap(self, desktop: Desktop) -> str | None:
        """Why the VM's CPU history cannot be used, or None when it can (measured, or no
        sample because it was off)."""
        vm = desktop.vm
        if vm is None:
            return "its VM was not found in vCenter"
        vcenter = self.vcenters.get(vm.vcenter)
        if vcenter is None or vcenter.usage_days is None:
            return NOT_COLLECTED if not self.collected else "its vCenter's history was not read"
        if vcenter.usage_error:
            return f"vCenter refused its performance history: {vcenter.usage_error}"
        record = self.entities.get((vm.vcenter, vm.moref))
        if record is None:
            return "vCenter gave no CPU history for its VM"
        if record.status == MEASURED and record.cpu_active_samples is not None:
            return None
        if record.status == NO_DATA and vm.power_state != "poweredOn":
            return None
        note = f" ({record.note})" if record.note else ""
        return f"its VM's CPU was not measured: {record.status}{note}"

    def host_usage(self, vcenter: str, moref: str) -> VCenterUsage | None:
        """A host's power record."""
        found = self.entities.get((vcenter, moref))
        return found if found is not None and found.entity_type == HOST_SYSTEM else None


_CACHE: weakref.WeakKeyDictionary[FleetView, UsageIndex] = weakref.WeakKeyDictionary()


def usage_evidence(fleet: FleetView) -> UsageIndex:
    """The fleet's usage indexes (built once per fleet)."""
    found = _CACHE.get(fleet)
    if found is None:
        found = _CACHE[fleet] = _index(fleet)
    return found


def _index(fleet: FleetView) -> UsageIndex:
    snapshot = fleet.snapshot
    evidence = UsageIndex(fleet)
    evidence.vcenters = {vc.instance_uuid: vc for vc in snapshot.vcenters}
    dedicated: dict[tuple[str, str], list[UserDesktopUsage]] = defaultdict(list)
    for usage in snapshot.horizon_usage:
        evidence.pods[usage.pod] = usage
        for desktop in usage.desktops:
            evidence.desktops[(desktop.pod, desktop.machine_id)] = desktop
            if desktop.machine_name:
                evidence.desktops.setdefault(
                    (desktop.pod, desktop.machine_name.casefold()), desktop
                )
        for pool in usage.pools:
            if pool.pool_id:
                evidence.pools[(pool.pod, pool.pool_id)] = pool
            evidence.pools.setdefault((pool.pod, pool.pool.casefold()), pool)
        for seen in usage.dedicated:
            dedicated[(seen.pod, seen.machine_id)].append(seen)
    evidence.dedicated = dict(dedicated)
    # An event without a machine id is keyed by its DNS name as the event spells it (see
    # UserDesktopUsage.machine_id); desktops are looked up by their DNS name casefolded.
    for (pod, key), seen_list in list(evidence.dedicated.items()):
        evidence.dedicated.setdefault((pod, key.casefold()), seen_list)
    evidence.entities = {(u.vcenter, u.moref): u for u in snapshot.vcenter_usage}
    return evidence


def newest(times: list[datetime | None]) -> datetime | None:
    """The newest of the times given, ignoring None."""
    known = [t for t in times if t is not None]
    return max(known) if known else None
