"""Scores: the formula, its bounds, and that a new failure never raises a score."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.fleet_builders import (
    ago,
    desktops,
    fleet_snapshot,
    horizon_source,
    machine,
    pool,
    session,
    vm,
)

from fleetreport.health.build import build_report
from fleetreport.health.catalogue import Category, SubjectKind
from fleetreport.health.report_model import HealthReport
from fleetreport.health.results import Severity
from fleetreport.health.scoring import Deduction, _score, grade
from fleetreport.health.settings import ScoreSettings
from fleetreport.snapshot.model import VirtualMachine

SEVERITIES = list(Severity)
CATEGORIES = [Category.PATCH, Category.POWER]

deductions = st.lists(
    st.builds(
        lambda category, severity, points: Deduction(
            "some_check", category, severity, points, SubjectKind.DESKTOP, "vm-1"
        ),
        st.sampled_from(CATEGORIES),
        st.sampled_from(SEVERITIES),
        st.floats(min_value=0, max_value=200, allow_nan=False),
    ),
    max_size=12,
)


@given(deductions, deductions)
def test_the_formula_stays_in_range_and_never_rises(
    before: list[Deduction], added: list[Deduction]
) -> None:
    for category in CATEGORIES:
        old, new = _score(before, category), _score(before + added, category)
        assert 0 <= new <= old <= 100


@pytest.mark.parametrize(
    ("score", "letter"),
    [(100, "A"), (90, "A"), (89.9, "B"), (80, "B"), (70, "C"), (60, "D"), (59.9, "F"), (0, "F")],
)
def test_grades(score: float, letter: str) -> None:
    assert grade(score, ScoreSettings()) == letter


# A small fleet drawn at random, then one desktop given one more failure and nothing else
# (a power-state change is not that: suspending a VM also ends its uptime finding).
tools_statuses = st.sampled_from(
    ["guestToolsCurrent", "guestToolsNeedUpgrade", "guestToolsTooOld", "guestToolsUnmanaged", None]
)
power_states = st.sampled_from(["poweredOn", "poweredOff", "suspended"])
machine_states = st.sampled_from(["AVAILABLE", "CONNECTED", "MAINTENANCE", "AGENT_UNREACHABLE"])


@st.composite
def fleets(draw: st.DrawFn) -> tuple[list[VirtualMachine], list[dict[str, Any]]]:
    count = draw(st.integers(min_value=1, max_value=6))
    vms, machine_fields = [], []
    for index in range(count):
        vms.append(
            vm(
                f"d{index}",
                tools_version_status=draw(tools_statuses),
                power_state=draw(power_states),
                boot_time=ago(days=draw(st.integers(min_value=0, max_value=90))),
            )
        )
        machine_fields.append({"state": draw(machine_states), "with_session": draw(st.booleans())})
    return vms, machine_fields


DEGRADATIONS = {
    "tools_too_old": lambda v: replace(v, tools_version_status="guestToolsTooOld"),
    "orphaned": lambda v: replace(v, connection_state="orphaned"),
    "tools_stopped": lambda v: replace(v, tools_running_status="guestToolsNotRunning"),
    "long_uptime": lambda v: replace(v, boot_time=ago(days=400)),
}


def report_for(vms: list[VirtualMachine], fields: list[dict[str, Any]]) -> HealthReport:
    machines = [machine(v, state=f["state"]) for v, f in zip(vms, fields, strict=True)]
    sessions = [session(m) for m, f in zip(machines, fields, strict=True) if f["with_session"]]
    return build_report(
        fleet_snapshot(vms, machines, [pool(power_policy="ALWAYS_POWERED_ON")], sessions)
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fleets(), st.sampled_from(sorted(DEGRADATIONS)), st.data())
def test_a_new_failure_never_raises_a_score(
    fleet: tuple[list[VirtualMachine], list[dict[str, Any]]], degradation: str, data: st.DataObject
) -> None:
    vms, fields = fleet
    victim = data.draw(st.integers(min_value=0, max_value=len(vms) - 1))
    worse = list(vms)
    worse[victim] = DEGRADATIONS[degradation](vms[victim])
    before, after = report_for(vms, fields), report_for(worse, fields)
    for old, new in zip(before.vms, after.vms, strict=True):
        assert 0 <= new.patch_score <= old.patch_score <= 100
        assert 0 <= new.power_score <= old.power_score <= 100
    assert after.fleet.patch_score is not None and before.fleet.patch_score is not None
    assert after.fleet.patch_score <= before.fleet.patch_score
    assert after.fleet.power_score is not None and before.fleet.power_score is not None
    assert after.fleet.power_score <= before.fleet.power_score
    assert len(after.findings) >= len(before.findings)


def test_scores_are_traceable_to_their_deductions() -> None:
    vms, machines = desktops(
        vm("clean"),
        vm("two-warnings", tools_version_status="guestToolsNeedUpgrade", boot_time=ago(days=40)),
        # vmx-13, below the vTPM baseline vmx-14: a warning.
        vm(
            "critical-and-warning",
            tools_version_status="guestToolsTooOld",
            hardware_version="vmx-13",
        ),
        vm(
            "floored",
            tools_version_status="guestToolsTooOld",
            boot_time=ago(days=90),
            tools_running_status="guestToolsNotRunning",
        ),
    )
    # Instant clones: vm_uptime_long measures from the newest of power-on, creation and refresh.
    machines = [replace(m, create_time=v.boot_time) for m, v in zip(machines, vms, strict=True)]
    report = build_report(fleet_snapshot(vms, machines, sessions=[session(m) for m in machines]))
    rows = {row.name: row for row in report.vms}
    assert (rows["clean"].patch_score, rows["clean"].power_score) == (100, 100)
    assert rows["two-warnings"].patch_score == 100 - 15 - 15
    assert rows["critical-and-warning"].patch_score == 100 - 40 - 15
    assert rows["critical-and-warning"].power_score == 100
    assert rows["floored"].patch_score == 0  # 40 + 40 + 40 > 100
    for row in report.vms:
        for category, score in (("patch", row.patch_score), ("power", row.power_score)):
            lost = sum(d.points for d in row.deductions if d.category == category)
            assert score == max(100 - lost, 0)
    assert report.fleet.patch_score == round((100 + 70 + 45 + 0) / 4, 1)
    assert report.fleet.healthy_desktops == 1
    assert report.fleet.grade == "F"  # the lower of 53.75 and 100


def test_pool_and_host_failures_count_against_their_desktops() -> None:
    vms, machines = desktops(vm("on-old-image"), vm("also-on-old-image"))
    old_image = pool(golden_image_created=ago(days=61))
    report = build_report(
        fleet_snapshot(vms, machines, [old_image], sessions=[session(m) for m in machines])
    )
    for row in report.vms:
        assert row.patch_score == 60
        assert [(d.check, d.subject) for d in row.deductions] == [("pool_image_old", "pool-1")]
    (pool_row,) = report.pools
    assert (pool_row.patch_score, pool_row.grade, pool_row.desktops) == (60, "D", 2)
    assert pool_row.findings_by_severity == {"critical": 1, "warning": 0, "info": 0}


def test_unknown_lowers_coverage_not_the_score() -> None:
    vms, machines = desktops(
        vm("known"),
        vm("no-tools-data", tools_version_status=None, tools_running_status=None),
    )
    report = build_report(fleet_snapshot(vms, machines, sessions=[session(m) for m in machines]))
    rows = {row.name: row for row in report.vms}
    assert rows["no-tools-data"].patch_score == 100
    assert report.fleet.unknown_results == 2
    assert report.fleet.coverage is not None and report.fleet.coverage < 1
    assert report.fleet.coverage == round(1 - 2 / report.fleet.evaluated_results, 3)


def test_a_pool_without_desktops_has_no_score() -> None:
    vms, machines = desktops(vm("a"))
    empty = pool("pool-empty")
    report = build_report(fleet_snapshot(vms, machines, [pool(), empty]))
    rows = {row.id: row for row in report.pools}
    assert rows["pool-empty"].desktops == 0
    assert rows["pool-empty"].patch_score is None and rows["pool-empty"].grade is None


def test_the_documented_worked_example() -> None:
    """docs/health-model.md's example, figure for figure."""
    vms, machines = desktops(
        vm("desk-1"),
        vm("desk-2", tools_version_status="guestToolsTooOld", boot_time=ago(days=40)),
        # Suspended: its Tools status is not judged; its vmx-13 is below the vTPM baseline vmx-14.
        vm(
            "desk-3",
            tools_version_status="guestToolsTooOld",
            power_state="suspended",
            hardware_version="vmx-13",
        ),
        vm("desk-4"),
    )
    machines[1] = replace(machines[1], create_time=ago(days=40))  # an instant clone 40 days old
    machines[3] = replace(machines[3], state="AGENT_UNREACHABLE")
    busy = [session(m) for m in machines[:3]]
    report = build_report(
        fleet_snapshot(vms, machines, [pool(golden_image_created=ago(days=40))], busy)
    )
    rows = {row.name: (row.patch_score, row.power_score) for row in report.vms}
    assert rows == {
        "desk-1": (85, 100),
        "desk-2": (30, 100),
        "desk-3": (70, 85),
        "desk-4": (85, 60),
    }
    (pool_row,) = report.pools
    assert (pool_row.patch_score, pool_row.power_score, pool_row.grade) == (67.5, 86.2, "D")
    assert pool_row.healthy_desktops == 0
    fresh = build_report(
        fleet_snapshot(vms, machines, [pool(golden_image_created=ago(days=5))], busy)
    )
    assert (fresh.pools[0].patch_score, fresh.pools[0].grade) == (82.5, "B")


def test_a_failed_horizon_source_leaves_horizon_checks_unknown() -> None:
    """VMs are still judged as desktops; Horizon checks are missing data, not 'does not apply'."""
    vcenter_only = fleet_snapshot([vm("a"), vm("b")])
    failed_pod = replace(horizon_source(), status="failed", error="connection refused")
    partial = replace(vcenter_only, sources=[*vcenter_only.sources, failed_pod])
    complete, degraded = build_report(vcenter_only), build_report(partial)
    assert complete.fleet.desktops == degraded.fleet.desktops == 2
    assert complete.fleet.coverage == 1.0
    assert degraded.fleet.coverage is not None and degraded.fleet.coverage < 1
    state = next(c for c in degraded.checks if c.id == "machine_problem_state").counts
    assert (state.unknown, state.not_applicable) == (2, 0)
    assert degraded.vms[0].patch_score == complete.vms[0].patch_score == 100


def test_braces_in_names_reach_messages_literally() -> None:
    """Names are data, never format strings."""
    from fleetreport.snapshot.model import VmSnapshot

    braces = VmSnapshot("snapshot-1", "{age} {0} {x!r}", ago(days=20), 0, "/b")
    vms, machines = desktops(vm("braces", snapshots=[braces]))
    image = pool(base_snapshot_path="/{age}-{0}", golden_image_created=ago(days=70))
    report = build_report(fleet_snapshot(vms, machines, [image]))
    messages = {f.check: f.message for f in report.findings}
    assert messages["vm_snapshot_old"].startswith("snapshot '{age} {0} {x!r}' is 20 days old")
    assert messages["pool_image_old"].startswith("golden image /{age}-{0} is 70 days old")
