"""A judged fleet of desktops in use, healthy unless a test says otherwise: for the tests of
changes between runs (compare, history)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fleetreport.health.build import build_report
from fleetreport.health.report_model import HealthReport
from fleetreport.health.usage_records import (
    HostPower,
    LicencePeak,
    MeasuredEnergy,
    PoolSizing,
    UnusedDesktop,
    UsageDay,
    UsageEvidence,
    UsageReport,
)
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


USAGE_DAYS = 30
"""The hand-made usage window."""
SKIPPED_POD = "pod-east"
"""A pod whose event database is not configured."""
REFUSING_VCENTER = "vc-refuses.example.test"
"""A vCenter that refused its performance history."""
USAGE_HOSTILE = "<script>window.__pwned=9</script>"
"""An unused desktop's name, a pool name and a user name that must stay text."""


def usage_report(days: int = USAGE_DAYS, unused: int = 2) -> UsageReport:
    """A usage window with every kind of row: a pod read and one whose event database is not
    configured, a vCenter read and one that refused; three pools (over-provisioned, ran out at
    a lower-bound peak, unknown); ``unused`` unused desktops, costliest first (the first with
    hostile names); two licences (one without a licensed count); two hosts (one metered)."""
    start = NOW - timedelta(days=days)
    return UsageReport(
        window_days=days,
        window_start=start,
        window_end=NOW,
        evidence=[
            UsageEvidence("horizon", "pod-west", "ok", None, events=412),
            UsageEvidence(
                "horizon", SKIPPED_POD, "skipped", "the event database is not configured"
            ),
            UsageEvidence(
                "vcenter",
                "vc1.example.test",
                "ok",
                None,
                vms_measured=37,
                vms_without_data=3,
                hosts_metered=1,
                hosts_unmetered=1,
                interval_seconds=7200,
            ),
            UsageEvidence(
                "vcenter", REFUSING_VCENTER, "refused", "permission to read performance denied"
            ),
        ],
        days=[
            UsageDay(f"{start + timedelta(days=n + 1):%Y-%m-%d}", (n * 7) % 23, n % 5 or None)
            for n in range(days)
        ],
        pools=[
            PoolSizing(
                pod="pod-west",
                pool="pool-ic",
                pool_name="IC-Office",
                assignment="FLOATING",
                lever="sizing",
                machines=40,
                maximum=50,
                spares=2,
                logons=300,
                peak_sessions=20,
                peak_day=f"{start + timedelta(days=2):%Y-%m-%d}",
                peak_is_lower_bound=False,
                sessions_now=11,
                needed=22,
                surplus=18,
                verdict="over_provisioned",
                advice="Lower the pool's size to 22 machines (peak 20 plus 2 spares).",
            ),
            PoolSizing(
                pod="pod-west",
                pool="pool-dev",
                pool_name=USAGE_HOSTILE,
                assignment="DEDICATED",
                lever="power_policy",
                machines=10,
                maximum=10,
                spares=0,
                logons=95,
                peak_sessions=10,
                peak_day=f"{start + timedelta(days=4):%Y-%m-%d}",
                peak_is_lower_bound=True,
                sessions_now=9,
                needed=10,
                surplus=0,
                verdict="ran_out",
                advice="Raise the maximum: every machine was in use at the peak.",
            ),
            PoolSizing(
                pod=SKIPPED_POD,
                pool="pool-east",
                pool_name="East-Desktops",
                assignment=None,
                lever="none",
                machines=6,
                maximum=None,
                spares=None,
                logons=0,
                peak_sessions=None,
                peak_day=None,
                peak_is_lower_bound=False,
                sessions_now=None,
                needed=None,
                surplus=None,
                verdict="unknown",
                advice="Collect its pod's audit events to judge its size.",
            ),
        ],
        unused=[_unused(n) for n in range(unused)],
        licences=[
            LicencePeak("pod-west", "Pod West", "CONCURRENT_USER", 31, 64, 58, 100),
            LicencePeak(SKIPPED_POD, "Pod East", "NAMED_USER", 12, 15, None, None),
        ],
        energy=MeasuredEnergy(
            method="by_count",
            hosts=[
                HostPower(
                    "uuid-1", "host-1", "esx-01.example.test", "measured", 412.5, 530.0, 15, 27.5, 3
                ),
                HostPower(
                    "uuid-1", "host-2", "esx-02.example.test", "no_data", None, None, 12, None, 2
                ),
            ],
            idle_desktops_measured=3,
            idle_desktops_assumed=2,
            measured_watts_per_idle_desktop=27.5,
            kwh_per_year=1073.1,
            cost_per_year=322.0,
            saving_per_year=120.5,
            sizing_saving_per_year=60.25,
        ),
    )


def _unused(n: int) -> UnusedDesktop:
    """The ``n``th unused desktop, costliest first: even ones dedicated with an absent user
    (the first with hostile names), odd ones floating with no session and no activity."""
    dedicated = n % 2 == 0
    return UnusedDesktop(
        key=f"pod-west/machine-{n}",
        name=USAGE_HOSTILE if n == 0 else f"desk-{n:03d}",
        pool="pool-dev" if dedicated else "pool-ic",
        pool_name=USAGE_HOSTILE if dedicated else "IC-Office",
        reason="assigned_user_absent" if dedicated else "no_session_no_activity",
        assigned_users=[USAGE_HOSTILE if n == 0 else f"corp\\user{n}"] if dedicated else [],
        last_logon=NOW - timedelta(days=25, hours=3) if n == 2 else None,
        cpu_p95_percent=None if dedicated else 0.4,
        power_state="poweredOn" if n < 2 else "poweredOff",
        watts=27.5 if n == 1 else (20.0 if n < 2 else None),
        watts_measured=n == 1,
        kwh_per_year=round(200.0 - n, 1) if n < 2 else 0.0,
        cost_per_year=round(60.0 - n, 2) if n < 2 else 0.0,
        remediation="Unassign the user and reclaim the desktop."
        if dedicated
        else "Delete it or let the pool provision on demand.",
    )


def with_usage(report: HealthReport, usage: UsageReport | None = None) -> HealthReport:
    """``report`` with ``usage`` (the hand-made one by default)."""
    return replace(report, usage=usage if usage is not None else usage_report())
