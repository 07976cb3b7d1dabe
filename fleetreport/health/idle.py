"""Idle desktops: powered on with nobody using them, since when, and which are the pool's spares.

A desktop is idle when its VM is powered on and no session is connected or starting. A
desktop whose only sessions are disconnected is idle too, but *held*: a user is still logged
on, so Horizon's power policy (which acts at logoff) cannot touch it. Since when, as well as
the data can tell: the latest disconnect of its sessions; else the latest of the machine's
last maintenance (an instant clone's refresh at logoff) and the VM's power-on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fleetreport.health.fleet import Desktop, FleetView
from fleetreport.health.states import SESSION_STATES, SessionClass
from fleetreport.snapshot.model import DesktopPool


@dataclass(frozen=True)
class Idleness:
    """An idle desktop: since when, measured from what, and whether a session holds it."""

    since: datetime | None
    """When it became idle as far as the data shows; None when the data cannot tell."""
    measured_from: str
    """What ``since`` is: ``the last disconnect``, ``the last refresh`` or ``power-on``."""
    held: bool
    """A disconnected session still holds it (a user is logged on)."""


def idleness(desktop: Desktop) -> Idleness | None:
    """How the desktop is idle; None when it is not (off, suspended, unknown, or in use)."""
    vm = desktop.vm
    if vm is None or vm.power_state != "poweredOn":
        return None
    sessions = desktop.sessions
    if any(SESSION_STATES.get(s.state or "") is not SessionClass.DISCONNECTED for s in sessions):
        return None
    if sessions:
        times = [s.disconnected_time for s in sessions]
        dated = [t for t in times if t is not None]
        since = max(dated) if dated and len(dated) == len(times) else None
        return Idleness(since, "the last disconnect", held=True)
    refreshed = desktop.machine.last_maintenance_time if desktop.machine else None
    if refreshed is not None and (vm.boot_time is None or refreshed >= vm.boot_time):
        return Idleness(refreshed, "the last refresh", held=False)
    return Idleness(vm.boot_time, "power-on", held=False)


def is_spare_candidate(desktop: Desktop, idle: Idleness) -> bool:
    """Idle, nobody logged on and no user assigned: what Horizon's spare count covers."""
    assigned = desktop.machine is not None and bool(desktop.machine.user_names)
    return not idle.held and not assigned


@dataclass(frozen=True)
class PoolIdleness:
    """A pool's idle desktops by key, and how many of them its spares can cover."""

    idle: dict[str, Idleness]
    """Idle desktops of the pool, by desktop key."""
    spare_candidates: frozenset[str]
    """Keys of idle desktops nobody is logged on to or assigned to."""


def pool_idleness(fleet: FleetView, pool: DesktopPool) -> PoolIdleness:
    """Idleness of every desktop of a pool (computed once per fleet and pool)."""
    per_fleet = fleet.pool_idleness
    key = (pool.pod, pool.id)
    if key not in per_fleet:
        idle: dict[str, Idleness] = {}
        candidates: set[str] = set()
        for desktop in fleet.pool_desktops(pool):
            found = idleness(desktop)
            if found is None:
                continue
            idle[desktop.key] = found
            if is_spare_candidate(desktop, found):
                candidates.add(desktop.key)
        per_fleet[key] = PoolIdleness(idle, frozenset(candidates))
    return per_fleet[key]


def idle_longer_than(fleet: FleetView, pool: DesktopPool, grace: timedelta) -> frozenset[str]:
    """Keys of a pool's desktops idle, not held by a session, for longer than ``grace``
    (worked out once per fleet, pool and grace: a check asks for each desktop of the pool)."""
    known = fleet.idle_longer
    asked = (pool.pod, pool.id, grace)
    found = known.get(asked)
    if found is None:
        found = known[asked] = frozenset(
            key
            for key, idle in pool_idleness(fleet, pool).idle.items()
            if not idle.held and idle.since is not None and fleet.now - idle.since > grace
        )
    return found


def long_idle_spare_candidates(
    fleet: FleetView, pool: DesktopPool, grace: timedelta
) -> frozenset[str]:
    """The spare candidates among ``idle_longer_than``'s desktops (worked out once per fleet,
    pool and grace)."""
    known = fleet.long_idle_spares
    asked = (pool.pod, pool.id, grace)
    found = known.get(asked)
    if found is None:
        found = known[asked] = (
            idle_longer_than(fleet, pool, grace) & pool_idleness(fleet, pool).spare_candidates
        )
    return found
