"""Patch verdicts and infrastructure weight: the hardware table, one finding per cause, and
how host, pod and vCenter-link failures reach desktop scores and grades."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.fleet_builders import (
    POD,
    ago,
    connection_server,
    desktops,
    fleet_snapshot,
    host,
    machine,
    pool,
    session,
    vm,
)

from fleetreport.health.build import build_report
from fleetreport.health.catalogue import Category, catalogue
from fleetreport.health.hardware import cluster_hardware_limit, host_hardware_limit
from fleetreport.health.report_model import HealthReport
from fleetreport.health.scoring import outage_cap, worse_grade
from fleetreport.health.settings import ScoreSettings
from fleetreport.render.branding import Branding
from fleetreport.render.html import render_html
from fleetreport.snapshot.model import (
    ConnectionServer,
    HorizonVCenter,
    Machine,
    Snapshot,
    VirtualMachine,
)

# ------------------------------------------------------------------------- hardware table


@pytest.mark.parametrize(
    ("version", "build", "lowest", "highest"),
    [
        ("5.5.0", "1331820", 10, 10),
        ("6.0.0", "3620759", 11, 11),
        ("6.5.0", "4564106", 13, 13),
        ("6.7.0", "8169922", 14, 14),  # 6.7 GA
        ("6.7.0", "13006603", 15, 15),  # 6.7 Update 2
        ("6.7.0", "14320388", 15, 15),  # 6.7 Update 3
        ("6.7.0", None, 14, 15),  # no build: Update 2 or not cannot be told
        ("7.0.0", "15843807", 17, 17),
        ("7.0.1", "16850804", 18, 18),
        ("7.0.2", "17630552", 19, 19),
        ("7.0.3", "21424296", 19, 19),
        ("8.0.0", "20513097", 20, 20),
        ("8.0.1", "21495797", 20, 20),
        ("8.0.2", "22380479", 21, 21),
        ("8.0.3", "24022510", 21, 21),
    ],
)
def test_esxi_versions_map_to_kb_315655(
    version: str, build: str | None, lowest: int, highest: int
) -> None:
    limit = host_hardware_limit(host("esx", version=version, build=build))
    assert limit is not None
    assert (limit.lowest, limit.highest) == (lowest, highest)


@pytest.mark.parametrize("version", ["9.0.0", "4.1.0", "ESXi", "", None])
def test_versions_the_table_does_not_list_are_not_guessed(version: str | None) -> None:
    assert host_hardware_limit(host("esx", version=version)) is None


def test_the_oldest_connected_host_bounds_a_cluster() -> None:
    hosts = [
        host("new", version="8.0.3"),
        host("old", version="7.0.3"),
        host("older-but-disconnected", version="6.7.0", connection_state="disconnected"),
    ]
    limit = cluster_hardware_limit(hosts)
    assert limit is not None
    assert (limit.lowest, limit.highest, limit.bounded_by.name) == (19, 19, "old")
    assert cluster_hardware_limit([host("gone", connection_state="notResponding")]) is None


# --------------------------------------------------------------------- one cause, one finding


def findings_by_desktop(report: HealthReport) -> dict[str, set[tuple[str, str]]]:
    """(check, severity) of every finding, by the desktop it names."""
    found: dict[str, set[tuple[str, str]]] = {}
    for finding in report.findings:
        if finding.subject_kind == "desktop":
            found.setdefault(finding.subject_name, set()).add((finding.check, finding.severity))
    return found


def busy(vms: list[VirtualMachine], machines: list[Machine]) -> Snapshot:
    """The desktops of pool-1, each with a session (so that idleness says nothing)."""
    return fleet_snapshot(vms, machines, sessions=[session(m) for m in machines])


def test_a_running_vm_without_tools_is_one_finding() -> None:
    vms, machines = desktops(
        vm(
            "no-tools",
            tools_version_status="guestToolsNotInstalled",
            tools_running_status="guestToolsNotRunning",
            tools_version=None,
        )
    )
    found = findings_by_desktop(build_report(busy(vms, machines)))
    assert found == {"no-tools": {("vm_tools_outdated", "critical")}}


def test_tools_of_a_vm_that_does_not_run_are_not_judged() -> None:
    vms, machines = desktops(
        vm("off", power_state="poweredOff", tools_version_status="guestToolsTooOld"),
        vm("asleep", power_state="suspended", tools_version_status="guestToolsNotInstalled"),
    )
    report = build_report(busy(vms, machines))
    tools = {f.subject_name for f in report.findings if f.check.startswith("vm_tools")}
    assert tools == set()


def test_a_desktop_on_a_host_that_does_not_respond_is_the_hosts_finding() -> None:
    stale = vm(
        "on-dead-host",
        host="esx-dead",
        tools_version_status="guestToolsTooOld",
        tools_running_status="guestToolsNotRunning",
    )
    vms, machines = desktops(vm("on-live-host"), stale)
    snap = replace(
        busy(vms, machines),
        hosts=[
            host("esx1.example.test", "host-9"),
            host("esx-dead", connection_state="notResponding"),
        ],
    )
    report = build_report(snap)
    assert findings_by_desktop(report) == {}
    assert {(f.check, f.subject_name) for f in report.findings} == {
        ("host_not_connected", "esx-dead")
    }
    rows = {row.name: row for row in report.vms}
    assert [(d.check, d.category, d.points) for d in rows["on-dead-host"].deductions] == [
        ("host_not_connected", "power", 40)
    ]
    assert (rows["on-dead-host"].patch_score, rows["on-dead-host"].power_score) == (100, 60)
    assert (rows["on-live-host"].patch_score, rows["on-live-host"].power_score) == (100, 100)
    # A host is not a pod: no cap, the grade is the formula's (power (60 + 100) / 2 = 80).
    assert (report.fleet.power_score, report.fleet.grade) == (80, "B")


# ------------------------------------------------------------------- infrastructure weight


def test_infrastructure_checks_that_desktops_inherit_lower_the_power_score() -> None:
    specs = catalogue()
    for check_id in (
        "host_not_connected",
        "pod_connection_servers_down",
        "pod_vcenter_unreachable",
    ):
        assert specs[check_id].inherited and specs[check_id].score_category is Category.POWER
    for check_id in ("cs_unhealthy", "cs_certificate_expiring", "host_in_maintenance"):
        assert not specs[check_id].scores_desktops
    assert specs["host_build_behind"].score_category is Category.PATCH


def two_pods(servers_of_a: list[ConnectionServer]) -> Snapshot:
    """Pod A (POD): 2 desktops of pool-1 and Connection Servers ``servers_of_a``; pod B: 8
    healthy desktops of pool-b and a healthy Connection Server."""
    vms_a, machines_a = desktops(vm("a-1"), vm("a-2"))
    vms_b = [vm(f"b-{n}") for n in range(1, 9)]
    machines_b = [machine(v, "pool-b", pod="pod-b") for v in vms_b]
    machines = machines_a + machines_b
    return fleet_snapshot(
        vms_a + vms_b,
        machines,
        [pool(), pool("pool-b", pod="pod-b")],
        [session(m) for m in machines],
        [*servers_of_a, connection_server("cs-b", pod="pod-b")],
    )


def test_a_pod_whose_connection_servers_are_all_down_grades_d_at_best() -> None:
    healthy = build_report(two_pods([connection_server("cs-a1"), connection_server("cs-a2")]))
    assert (healthy.fleet.grade, healthy.fleet.power_score) == ("A", 100)
    down = build_report(
        two_pods(
            [
                connection_server("cs-a1", status="ERROR"),
                connection_server("cs-a2", status="NOT_RESPONDING"),
            ]
        )
    )
    rows = {row.name: row for row in down.vms}
    for name in ("a-1", "a-2"):
        assert [(d.check, d.severity, d.points, d.subject) for d in rows[name].deductions] == [
            ("pod_connection_servers_down", "critical", 40, POD)
        ]
        assert rows[name].power_score == 60
    assert all(rows[f"b-{n}"].power_score == 100 for n in range(1, 9))
    pools = {p.id: p for p in down.pools}
    assert (pools["pool-1"].power_score, pools["pool-1"].grade) == (60, "D")
    assert (pools["pool-b"].power_score, pools["pool-b"].grade) == (100, "A")
    # The fleet's scores are 92 (an A by the formula), but a pod that delivers nothing caps it.
    assert (down.fleet.power_score, down.fleet.grade) == (92, "D")
    assert (down.fleet.grade_capped, healthy.fleet.grade_capped) == (True, False)
    assert (pools["pool-1"].grade_capped, pools["pool-b"].grade_capped) == (True, False)
    page = render_html(down, Branding())
    assert 'id="grade-capped"' in page
    assert 'id="grade-capped"' not in render_html(healthy, Branding())
    pod_findings = [f for f in down.findings if f.subject_kind == "pod"]
    assert [(f.check, f.subject, f.severity) for f in pod_findings] == [
        ("pod_connection_servers_down", POD, "critical")
    ]


def test_a_down_pod_with_other_failures_grades_f() -> None:
    """The worked example of docs/health-model.md, with its pod's Connection Servers down."""
    vms, machines = desktops(
        vm("desk-1"),
        vm("desk-2", tools_version_status="guestToolsTooOld", boot_time=ago(days=40)),
        vm(
            "desk-3",
            tools_version_status="guestToolsTooOld",
            power_state="suspended",
            hardware_version="vmx-13",
        ),
        vm("desk-4"),
    )
    machines[1] = replace(machines[1], create_time=ago(days=40))
    machines[3] = replace(machines[3], state="AGENT_UNREACHABLE")
    report = build_report(
        fleet_snapshot(
            vms,
            machines,
            [pool(golden_image_created=ago(days=40))],
            [session(m) for m in machines[:3]],
            [connection_server("cs-1", status="ERROR")],
        )
    )
    rows = {row.name: row.power_score for row in report.vms}
    assert rows == {"desk-1": 60, "desk-2": 60, "desk-3": 45, "desk-4": 20}
    (pool_row,) = report.pools
    assert (pool_row.patch_score, pool_row.power_score, pool_row.grade) == (67.5, 46.2, "F")
    assert report.fleet.grade == "F"


def linked(status: str, vcenter_id: str = "hz-vc-1") -> HorizonVCenter:
    return HorizonVCenter(POD, vcenter_id, f"vc-{vcenter_id}", None, "8.0.3", "1", True, status)


@pytest.mark.parametrize(
    ("status", "points", "power", "grade"),
    [("DOWN", 40, 80, "D"), ("CANNOT_LOGIN", 40, 80, "D"), ("RECONNECTING", 15, 92.5, "A")],
)
def test_a_vcenter_link_weighs_on_the_desktops_it_manages(
    status: str, points: float, power: float, grade: str
) -> None:
    vms, machines = desktops(vm("on-vc-1"), vm("on-vc-2"))
    machines[1] = replace(machines[1], vcenter_id="hz-vc-2")
    snap = replace(busy(vms, machines), horizon_vcenters=[linked(status), linked("OK", "hz-vc-2")])
    report = build_report(snap)
    rows = {row.name: row for row in report.vms}
    assert [(d.check, d.points) for d in rows["on-vc-1"].deductions] == [
        ("pod_vcenter_unreachable", points)
    ]
    assert rows["on-vc-2"].deductions == []
    # Critical: the fleet is capped at D although its power score, (60 + 100) / 2, is 80.
    assert (report.fleet.power_score, report.fleet.grade) == (power, grade)


def test_the_outage_cap_follows_the_grade_table() -> None:
    settings = ScoreSettings()
    assert outage_cap(settings) == "D"
    assert worse_grade("A", "D", settings) == "D"
    assert worse_grade("F", "D", settings) == "F"
    assert worse_grade("C", "D", settings) == "D"
