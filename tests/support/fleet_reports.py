"""A judged fleet of desktops in use, healthy unless a test says otherwise: for the tests of
changes between runs (compare, history)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fleetreport.health.build import build_report
from fleetreport.health.report_model import HealthReport
from support.fleet_builders import NOW, fleet_snapshot, machine, pool, session, vm

OUTDATED_TOOLS = {"tools_version_status": "guestToolsNeedUpgrade"}
"""A warning (vm_tools_outdated)."""
TOOLS_NOT_RUNNING = {"tools_running_status": "guestToolsNotRunning"}
"""A critical finding (vm_tools_not_running)."""


def fleet_report(
    desktops: list[tuple[str, str]],
    overrides: dict[str, dict[str, str]] | None = None,
    pools: tuple[str, ...] = ("pool-a", "pool-b"),
    days_later: int = 0,
) -> HealthReport:
    """Desktops ``(name, pool id)``, each in use (a session: never idle), healthy unless
    ``overrides`` says otherwise."""
    overrides = overrides or {}
    vms, machines, sessions = [], [], []
    for name, pool_id in desktops:
        desktop = vm(name, **overrides.get(name, {}))
        assigned = machine(desktop, pool_id)
        vms.append(desktop)
        machines.append(assigned)
        sessions.append(session(assigned))
    snapshot = fleet_snapshot(
        vms, machines, pools=[pool(pool_id) for pool_id in pools], sessions=sessions
    )
    report = build_report(snapshot, generated_at=NOW)
    later = NOW + timedelta(days=days_later)
    return replace(report, snapshot=replace(report.snapshot, collected_at=later))
