"""Power verdicts a VDI architect would sign: states in progress, hosts down, pools a power
policy cannot touch, spares, idleness measured from what the data shows, and the energy levers.

Subjects are named for what they must give (``pass-``, ``fail-``, ``unknown-``, ``na-``).
"""

from __future__ import annotations

from typing import Any

from support.fleet_builders import (
    ago,
    fleet_snapshot,
    host,
    machine,
    pool,
    session,
    vm,
)
from support.judging import judged, outcomes

from fleetreport.config_file import parse_config
from fleetreport.health.build import build_report
from fleetreport.health.results import Status
from fleetreport.health.settings import settings_from_config
from fleetreport.snapshot.model import DesktopPool, Machine, Snapshot, VirtualMachine

OFF_HOURS = 8760 - 52 * 50
"""Default hours a year outside working hours."""


def failures(snapshot: Snapshot, check_id: str) -> dict[str, tuple[str, str]]:
    """Severity and message of each failure, by subject name."""
    return {
        name: (o.severity.value if o.severity else "unsettled", o.message)
        for name, o in judged(snapshot, check_id).items()
        if o.status is Status.FAIL
    }


def members(
    pool_id: str, *desktops: VirtualMachine, **machine_fields: Any
) -> tuple[list[VirtualMachine], list[Machine]]:
    return list(desktops), [machine(d, pool_id, **machine_fields) for d in desktops]


# ------------------------------------------------------------ machine and RDS host states


def test_in_progress_states_pass_until_the_data_shows_they_are_stuck() -> None:
    def m(name: str, state: str, **fields: Any) -> Machine:
        return machine(None, name=name, state=state, **fields)

    machines = [
        m("pass-provisioning-2h", "PROVISIONING", create_time=ago(hours=2)),
        m("fail-customizing-3d", "CUSTOMIZING", create_time=ago(days=3)),
        m(
            "pass-customizing-rebuilt-1h",
            "CUSTOMIZING",
            create_time=ago(days=3),
            last_maintenance_time=ago(hours=1),
        ),
        m("pass-provisioning-undated", "PROVISIONING", create_time=None),
        m("fail-maintenance-2d", "MAINTENANCE", last_maintenance_time=ago(days=2)),
        m("pass-maintenance-1h", "MAINTENANCE", last_maintenance_time=ago(hours=1)),
        m("pass-maintenance-undated", "MAINTENANCE", create_time=ago(days=30)),
        m("pass-startup-old-machine", "AGENT_ERROR_STARTUP_IN_PROGRESS", create_time=ago(days=30)),
        m("pass-hybrid-join", "AGENT_ERROR_WAIT_FOR_HYBRID_JOIN", create_time=ago(days=30)),
        m("fail-already-used", "ALREADY_USED"),
        m("fail-rds-need-reboot", "AGENT_ERR_NEED_REBOOT", kind="rds_server"),
        m("pass-rds-wait-for-agent", "WAIT_FOR_AGENT", kind="rds_server"),
    ]
    snap = fleet_snapshot(machines=machines)
    assert outcomes(snap, "machine_problem_state") == {
        "pass": {
            "pass-provisioning-2h",
            "pass-customizing-rebuilt-1h",
            "pass-provisioning-undated",
            "pass-maintenance-1h",
            "pass-maintenance-undated",
            "pass-startup-old-machine",
            "pass-hybrid-join",
            "pass-rds-wait-for-agent",
        },
        "fail": {
            "fail-customizing-3d",
            "fail-maintenance-2d",
            "fail-already-used",
            "fail-rds-need-reboot",
        },
    }
    found = failures(snap, "machine_problem_state")
    assert {name: severity for name, (severity, _) in found.items()} == {
        "fail-customizing-3d": "warning",
        "fail-maintenance-2d": "warning",
        "fail-already-used": "critical",
        "fail-rds-need-reboot": "critical",
    }
    for name, words in {
        "fail-customizing-3d": ["CUSTOMIZING", "3 days", "over 1 day", "stuck"],
        "fail-maintenance-2d": ["MAINTENANCE", "2 days", "over 1 day"],
        "fail-rds-need-reboot": ["RDS host", "AGENT_ERR_NEED_REBOOT"],
    }.items():
        assert all(word in found[name][1] for word in words), found[name]
    said = judged(snap, "machine_problem_state")
    assert "does not tell since when" in said["pass-provisioning-undated"].message
    assert said["pass-startup-old-machine"].message.startswith("in progress:")
    # The threshold is configurable: at one hour, the machine provisioning for two fails.
    strict = settings_from_config(
        parse_config("[checks.machine_problem_state]\nprovisioning_hours = 1\n", "t.toml")
    )
    assert "pass-provisioning-2h" in outcomes(snap, "machine_problem_state", strict)["fail"]


# --------------------------------------------------------------------------- hosts down


def test_a_host_down_is_the_hosts_finding_not_its_desktops() -> None:
    down = host("esx-down.example.test", "host-20", connection_state="notResponding")
    up = host("esx1.example.test", "host-9")
    on_down = {"host": down.name}
    vms = [
        vm("na-unreachable", **on_down),
        vm("na-orphaned-looking", connection_state="disconnected", **on_down),
        vm("na-suspended", power_state="suspended", **on_down),
        vm("pass-connected-user", **on_down),
        vm("pass-elsewhere"),
    ]
    states = {"na-unreachable": "AGENT_UNREACHABLE", "pass-connected-user": "CONNECTED"}
    machines = [machine(v, state=states.get(v.name, "AVAILABLE")) for v in vms]
    always_on = pool(power_policy="ALWAYS_POWERED_ON", source="VIRTUAL_CENTER")
    sessions = [session(machines[3])]
    snap = fleet_snapshot(vms, machines, [always_on], sessions, hosts=[up, down])
    assert outcomes(snap, "host_not_connected") == {
        "fail": {"esx-down.example.test"},
        "pass": {"esx1.example.test"},
    }
    assert outcomes(snap, "machine_problem_state") == {
        "n/a": {"na-unreachable"},
        "pass": {"na-orphaned-looking", "na-suspended", "pass-connected-user", "pass-elsewhere"},
    }
    on_down_names = {"na-unreachable", "na-orphaned-looking", "na-suspended", "pass-connected-user"}
    for check_id in ("vm_orphaned", "vm_suspended", "vm_idle_powered_on"):
        result = outcomes(snap, check_id)
        assert result["n/a"] == on_down_names, check_id
        assert not result.get("fail", set()) & on_down_names, check_id
    said = judged(snap, "vm_orphaned")
    assert "esx-down.example.test" in said["na-orphaned-looking"].message
    assert "notResponding" in said["na-orphaned-looking"].message


def test_an_inaccessible_vm_is_one_finding_not_two() -> None:
    vms = [
        vm("na-inaccessible", connection_state="inaccessible"),
        vm("na-no-config", connection_state="orphaned", config_unset=True),
        vm("fail-unreachable"),
    ]
    machines = [machine(v, state="AGENT_UNREACHABLE") for v in vms]
    snap = fleet_snapshot(vms, machines)
    assert outcomes(snap, "machine_problem_state") == {
        "n/a": {"na-inaccessible", "na-no-config"},
        "fail": {"fail-unreachable"},
    }
    assert "vm_orphaned" in judged(snap, "machine_problem_state")["na-inaccessible"].message
    assert set(failures(snap, "vm_orphaned")) == {"na-inaccessible", "na-no-config"}


# ------------------------------------------------------- pools a power policy cannot touch


def test_power_policy_checks_do_not_apply_to_instant_clones_farms_or_unmanaged() -> None:
    pools = [
        pool("ic", power_policy="POWER_OFF"),
        pool("farm", kind="farm", type="RDS", power_policy=None),
        pool("rds-pool", type="RDS", source=None, power_policy=None),
        pool("manual-unmanaged", type="MANUAL", source="UNMANAGED", power_policy="POWER_OFF"),
        pool("fc-floating", power_policy="POWER_OFF", source="VIRTUAL_CENTER"),
        pool(
            "fc-dedicated",
            power_policy="POWER_OFF",
            source="VIRTUAL_CENTER",
            user_assignment="DEDICATED",
        ),
    ]
    vms: list[VirtualMachine] = []
    machines: list[Machine] = []
    for p, name in [
        (pools[0], "na-ic-idle"),
        (pools[1], "na-farm-host-idle"),
        (pools[2], "na-rds-pool-host-idle"),
        (pools[3], "na-unmanaged-idle"),
        (pools[4], "fail-floating-idle"),
        (pools[5], "fail-dedicated-idle"),
    ]:
        kind = "rds_server" if p.type == "RDS" else "machine"
        new_vms, new_machines = members(p.id, vm(name, boot_time=ago(days=2)), kind=kind)
        vms += new_vms
        machines += new_machines
    snap = fleet_snapshot(vms, machines, pools)
    assert outcomes(snap, "vm_power_policy_mismatch") == {
        "n/a": {"na-ic-idle", "na-farm-host-idle", "na-rds-pool-host-idle", "na-unmanaged-idle"},
        "fail": {"fail-floating-idle", "fail-dedicated-idle"},
    }
    said = judged(snap, "vm_power_policy_mismatch")
    assert "instant clones" in said["na-ic-idle"].message
    assert "RDS farm" in said["na-farm-host-idle"].message
    assert "managed" in said["na-unmanaged-idle"].message


def test_a_suspended_desktop_passes_in_a_pool_that_suspends() -> None:
    suspends = pool("suspends", power_policy="SUSPEND", source="VIRTUAL_CENTER")
    always_on = pool("always-on", power_policy="ALWAYS_POWERED_ON", source="VIRTUAL_CENTER")
    a_vms, a_machines = members("suspends", vm("pass-suspended", power_state="suspended"))
    b_vms, b_machines = members("always-on", vm("fail-suspended", power_state="suspended"))
    snap = fleet_snapshot(a_vms + b_vms, a_machines + b_machines, [suspends, always_on])
    assert outcomes(snap, "vm_suspended") == {
        "pass": {"pass-suspended"},
        "fail": {"fail-suspended"},
    }
    assert outcomes(snap, "vm_power_policy_mismatch") == {
        "pass": {"pass-suspended"},
        "fail": {"fail-suspended"},
    }


# -------------------------------------------------------------------------- spares


def test_spares_of_a_specified_name_pool_are_not_waste() -> None:
    specified = pool(
        "fc-specified",
        source="VIRTUAL_CENTER",
        user_assignment="DEDICATED",
        naming_method="SPECIFIED",
        naming_pattern=None,
        power_policy="POWER_OFF",
        spare_machines=2,
    )
    spare_vms, spare_machines = members(
        "fc-specified", vm("pass-spare-a", boot_time=ago(days=1)), vm("pass-spare-b")
    )
    bob_vm = vm("fail-assigned-idle", boot_time=ago(days=1))
    bob = machine(bob_vm, "fc-specified", user_names=["EXAMPLE\\bob"])
    snap = fleet_snapshot([*spare_vms, bob_vm], [*spare_machines, bob], [specified])
    for check_id in ("vm_power_policy_mismatch", "vm_idle_powered_on"):
        assert outcomes(snap, check_id) == {
            "pass": {"pass-spare-a", "pass-spare-b"},
            "fail": {"fail-assigned-idle"},
        }, check_id
    said = judged(snap, "vm_idle_powered_on")
    assert "one of the 2 spare desktops" in said["pass-spare-a"].message


# -------------------------------------------------------------------------- idleness


def test_idleness_is_measured_from_the_last_disconnect_or_refresh() -> None:
    power_off = pool("fc", power_policy="POWER_OFF", source="VIRTUAL_CENTER")
    instant = pool("ic", power_policy="ALWAYS_POWERED_ON")
    held_vm = vm("pass-held-by-disconnected-session", boot_time=ago(days=4))
    refreshed_vm = vm("pass-refreshed-20-minutes-ago", boot_time=ago(days=4))
    fc_vms = [held_vm, refreshed_vm, vm("fail-idle-since-boot", boot_time=ago(days=4))]
    fc_machines = [
        machine(fc_vms[0], "fc"),
        machine(fc_vms[1], "fc", last_maintenance_time=ago(minutes=20)),
        machine(fc_vms[2], "fc"),
    ]
    ic_vm = vm("ic-refreshed", boot_time=ago(days=6))
    ic_machine = machine(ic_vm, "ic", last_maintenance_time=ago(minutes=10))
    disconnected = session(fc_machines[0], state="DISCONNECTED", disconnected_time=ago(hours=3))
    snap = fleet_snapshot(
        [*fc_vms, ic_vm], [*fc_machines, ic_machine], [power_off, instant], [disconnected]
    )
    assert outcomes(snap, "vm_power_policy_mismatch") == {
        "pass": {"pass-held-by-disconnected-session", "pass-refreshed-20-minutes-ago"},
        "fail": {"fail-idle-since-boot"},
        "n/a": {"ic-refreshed"},
    }
    idle = failures(snap, "vm_idle_powered_on")
    assert set(idle) == {
        "pass-held-by-disconnected-session",
        "pass-refreshed-20-minutes-ago",
        "fail-idle-since-boot",
        "ic-refreshed",
    }
    held = idle["pass-held-by-disconnected-session"][1]
    assert "disconnected" in held and "3 hours since the last disconnect" in held
    assert "10 minutes since the last refresh" in idle["ic-refreshed"][1]
    assert "instant clones" in idle["ic-refreshed"][1]  # the lever it can take: sizing
    assert "4 days since power-on" in idle["fail-idle-since-boot"][1]


# ---------------------------------------------------------------------------- energy


def energy_fleet() -> Snapshot:
    """An instant-clone pool (3 idle, 1 spare), an RDS farm (2 idle hosts), a full-clone
    specified-name always-on pool (3 idle, 2 spares) and one whose 2 idle are its 2 spares."""
    pools: list[DesktopPool] = [
        pool("ic", power_policy="ALWAYS_POWERED_ON", spare_machines=1),
        pool("farm", kind="farm", type="RDS", power_policy=None, spare_machines=None),
        pool(
            "fc-over",
            source="VIRTUAL_CENTER",
            naming_method="SPECIFIED",
            power_policy="ALWAYS_POWERED_ON",
            spare_machines=2,
        ),
        pool(
            "fc-spares",
            source="VIRTUAL_CENTER",
            naming_method="SPECIFIED",
            power_policy="ALWAYS_POWERED_ON",
            spare_machines=2,
        ),
    ]
    layout = {"ic": 3, "farm": 2, "fc-over": 3, "fc-spares": 2}
    vms: list[VirtualMachine] = []
    machines: list[Machine] = []
    for pool_id, count in layout.items():
        kind = "rds_server" if pool_id == "farm" else "machine"
        new_vms, new_machines = members(
            pool_id, *(vm(f"{pool_id}-{n}") for n in range(count)), kind=kind
        )
        vms += new_vms
        machines += new_machines
    return fleet_snapshot(vms, machines, pools)


def test_energy_counts_no_power_saving_for_instant_clones_and_farms() -> None:
    energy = build_report(energy_fleet()).energy
    rows = {row.pool: row for row in energy.pools}
    per_desktop_off_hours = 20 * OFF_HOURS / 1000 * 0.25
    assert {
        p: (r.lever, r.idle_desktops, r.spare_desktops, r.surplus_desktops) for p, r in rows.items()
    } == {
        "ic": ("sizing", 3, 1, 2),
        "farm": ("sizing", 2, 0, 2),
        "fc-over": ("power_policy", 3, 2, 1),
        "fc-spares": ("power_policy", 2, 2, 0),
    }
    assert {p: r.saving_per_year for p, r in rows.items()} == {
        "ic": 0,
        "farm": 0,
        "fc-over": round(per_desktop_off_hours),
        "fc-spares": 0,
    }
    assert {p: r.sizing_saving_per_year for p, r in rows.items()} == {
        "ic": round(2 * per_desktop_off_hours),
        "farm": round(2 * per_desktop_off_hours),
        "fc-over": 0,
        "fc-spares": 0,
    }
    assert rows["fc-spares"].cost_per_year == 0  # spares within the configured number
    assert (energy.idle_desktops, energy.spare_desktops, energy.surplus_desktops) == (10, 5, 5)
    assert energy.kwh_per_year == round(5 * 20 * 8760 / 1000)
    assert energy.saving_per_year == round(per_desktop_off_hours)
    assert energy.sizing_saving_per_year == round(4 * per_desktop_off_hours)
