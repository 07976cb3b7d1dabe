"""What to fix first: the impact ranking of failed checks and the remediation plans.

A small fleet whose every deduction is known: two pools of four desktops, an old golden image in
one, Tools, machine-state, snapshot and hardware failures in the other, one host behind its
cluster. Impacts are worked out by hand; plans are checked against rebuilds of the report with
the planned checks turned off.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import Any

import pytest
from support.fleet_builders import (
    NOW,
    ago,
    connection_server,
    fleet_snapshot,
    host,
    machine,
    pool,
    session,
    vm,
)

from fleetreport.config_file import parse_config
from fleetreport.health.build import build_report
from fleetreport.health.priorities import rescore
from fleetreport.health.report_model import Deduction, HealthReport, PoolPlan
from fleetreport.health.settings import ScoreSettings, settings_from_config
from fleetreport.snapshot.model import Snapshot, VmSnapshot

OLD_SNAPSHOT = {"snapshots": [VmSnapshot("snapshot-1", "old", ago(days=30), 0, "/old")]}
"""A 30-day-old VM snapshot: critical ``vm_snapshot_old`` (hygiene: lowers no score)."""
OLD_HARDWARE = {"hardware_version": "vmx-19"}
"""Below the host's newest but above the baseline: info ``vm_hardware_outdated`` (weight 0)."""
DESKTOPS: dict[str, tuple[str, dict[str, Any]]] = {
    "a1": ("pool-a", {"host": "esx2.example.test"}),
    "a2": ("pool-a", {}),
    "a3": ("pool-a", {}),
    "a4": ("pool-a", {}),
    "b1": ("pool-b", {"tools_running_status": "guestToolsNotRunning"}),
    "b2": ("pool-b", {"tools_version_status": "guestToolsNeedUpgrade"}),
    "b3": ("pool-b", {"tools_version_status": "guestToolsNeedUpgrade", **OLD_SNAPSHOT}),
    "b4": ("pool-b", {**OLD_HARDWARE, **OLD_SNAPSHOT}),
    "b5": ("pool-b", OLD_HARDWARE),
}
"""Nine desktops; b4's machine is also AGENT_UNREACHABLE (critical, power)."""


def small_fleet(connection_servers: tuple[Any, ...] = ()) -> Snapshot:
    """The fleet above: pool-a's image is 40 days old, esx2 runs an older build than esx1."""
    vms, machines, sessions = [], [], []
    for name, (pool_id, overrides) in DESKTOPS.items():
        desktop = vm(name, **overrides)
        state = "AGENT_UNREACHABLE" if name == "b4" else "AVAILABLE"
        assigned = machine(desktop, pool_id, state=state)
        vms.append(desktop)
        machines.append(assigned)
        sessions.append(session(assigned))
    return fleet_snapshot(
        vms,
        machines,
        pools=[pool("pool-a", golden_image_created=ago(days=40)), pool("pool-b")],
        sessions=sessions,
        hosts=[
            host("esx1.example.test", "host-9"),
            host("esx2.example.test", "host-10", build="23825572"),
        ],
        connection_servers=list(connection_servers),
    )


@cache
def small_report() -> HealthReport:
    return build_report(small_fleet(), generated_at=NOW)


def without(checks: list[str], snapshot: Snapshot | None = None) -> HealthReport:
    """The small fleet rebuilt with ``checks`` turned off."""
    toml = "".join(f"[checks.{check}]\nenabled = false\n" for check in checks)
    settings = settings_from_config(parse_config(toml, "t.toml"))
    return build_report(snapshot or small_fleet(), settings, generated_at=NOW)


def test_checks_are_ranked_by_fleet_points_then_desktops_then_severity() -> None:
    ranking = [
        (p.check, p.severity, p.findings, p.desktops, p.patch_points, p.power_points)
        for p in small_report().priorities
    ]
    assert ranking == [
        # 4 desktops x 15 patch points / 9 desktops
        ("pool_image_old", "warning", 1, 4, 6.7, 0.0),
        # 40 / 9: a tie on points, desktops and severity, broken by check id
        ("machine_problem_state", "critical", 1, 1, 0.0, 4.4),
        ("vm_tools_not_running", "critical", 1, 1, 4.4, 0.0),
        # 2 x 15 / 9
        ("vm_tools_outdated", "warning", 2, 2, 3.3, 0.0),
        # a1 on esx2 inherits the host's warning: 15 / 9
        ("host_build_behind", "warning", 1, 1, 1.7, 0.0),
        # no points: 2 desktops each, critical before info
        ("vm_snapshot_old", "critical", 2, 2, 0.0, 0.0),
        ("vm_hardware_outdated", "info", 2, 2, 0.0, 0.0),
    ]


def test_each_check_is_one_item_with_its_worst_severity_and_every_finding() -> None:
    report = small_report()
    checks = [p.check for p in report.priorities]
    assert sorted(checks) == sorted({f.check for f in report.findings})
    for item in report.priorities:
        findings = [f for f in report.findings if f.check == item.check]
        assert item.findings == len(findings)
        order = ["critical", "warning", "info"]
        assert item.severity == min((f.severity for f in findings), key=order.index)


def test_impact_is_the_rise_of_the_fleet_score_of_a_rebuild_without_the_check() -> None:
    report = small_report()
    for item in report.priorities:
        rebuilt = without([item.check]).fleet
        assert report.fleet.patch_score is not None and rebuilt.patch_score is not None
        assert report.fleet.power_score is not None and rebuilt.power_score is not None
        # both scores are rounded to one decimal, so allow one rounding step
        assert abs(rebuilt.patch_score - report.fleet.patch_score - item.patch_points) <= 0.1
        assert abs(rebuilt.power_score - report.fleet.power_score - item.power_points) <= 0.1


def plan(report: HealthReport, name: str) -> PoolPlan:
    return next(p for p in report.plan if p.name == name)


def test_the_plans_are_per_pool_then_infrastructure_with_their_steps_in_order() -> None:
    report = small_report()
    assert [(p.scope, p.pool, p.name, p.desktops) for p in report.plan] == [
        ("pool", "pool-a", "pool-a", 4),
        ("pool", "pool-b", "pool-b", 5),
        ("infrastructure", None, "Infrastructure", 9),
    ]
    steps = {p.name: [(s.check, s.severity, s.desktops) for s in p.steps] for p in report.plan}
    assert steps == {
        # pool-a: image (+15 patch on 4 desktops) before esx2's build (+15 on one)
        "pool-a": [("pool_image_old", "warning", 4), ("host_build_behind", "warning", 1)],
        # pool-b: +8 power, +8 patch (a tie, broken by check id), +6 patch, then a critical
        # that lifts no score; the info that lifts none is left out
        "pool-b": [
            ("machine_problem_state", "critical", 1),
            ("vm_tools_not_running", "critical", 1),
            ("vm_tools_outdated", "warning", 2),
            ("vm_snapshot_old", "critical", 2),
        ],
        "Infrastructure": [("host_build_behind", "warning", 1)],
    }
    pool_b = plan(report, "pool-b")
    assert [(pool_b.patch_score, pool_b.power_score, pool_b.grade)] == [(86.0, 92.0, "B")]
    assert [(s.patch_score, s.power_score, s.grade) for s in pool_b.steps] == [
        (86.0, 100.0, "B"),
        (94.0, 100.0, "A"),
        (100.0, 100.0, "A"),
        (100.0, 100.0, "A"),
    ]


def test_each_steps_scores_equal_a_rebuild_without_it_and_the_steps_before() -> None:
    report = small_report()
    for each in report.plan:
        pools = {p.id: p for p in report.pools}
        if each.pool is not None:
            now = pools[each.pool]
            assert (each.patch_score, each.power_score, each.grade) == (
                now.patch_score,
                now.power_score,
                now.grade,
            )
        for index, step in enumerate(each.steps):
            rebuilt = without([s.check for s in each.steps[: index + 1]])
            group = (
                next(p for p in rebuilt.pools if p.id == each.pool)
                if each.pool is not None
                else rebuilt.fleet
            )
            assert (step.patch_score, step.power_score, step.grade, step.grade_capped) == (
                group.patch_score,
                group.power_score,
                group.grade,
                group.grade_capped,
            ), (each.name, step.check)


def test_fixing_a_pod_outage_lifts_the_grade_cap_in_the_infrastructure_plan() -> None:
    snapshot = small_fleet((connection_server("cs1", status="ERROR"),))
    report = build_report(snapshot, generated_at=NOW)
    infrastructure = plan(report, "Infrastructure")
    assert infrastructure.grade_capped
    first = infrastructure.steps[0]
    assert (first.check, first.severity, first.desktops) == (
        "pod_connection_servers_down",
        "critical",
        9,
    )
    assert not first.grade_capped
    rebuilt = without(["pod_connection_servers_down"], snapshot).fleet
    assert (first.power_score, first.grade) == (rebuilt.power_score, rebuilt.grade)
    assert report.priorities[0].check == "pod_connection_servers_down"


def desktop(*deductions: tuple[str, str, float]) -> Any:
    summary = small_report().vms[0]
    return replace(
        summary,
        deductions=[
            Deduction(check, category, "critical", points, "x")
            for check, category, points in deductions
        ],
    )


@pytest.mark.parametrize(
    ("fixed", "patch"),
    [((), 0.0), (("one",), 20.0), (("one", "two"), 60.0), (("one", "two", "three"), 100.0)],
)
def test_rescoring_keeps_the_floor_at_zero(fixed: tuple[str, ...], patch: float) -> None:
    three = desktop(("one", "patch", 40.0), ("two", "patch", 40.0), ("three", "patch", 40.0))
    assert rescore([three], fixed, (), ScoreSettings()).patch == patch
