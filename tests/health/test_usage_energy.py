"""Measured energy (issue 16): idle surplus desktops on hosts that meter power take their host's
mean draw shared by count over its powered-on VMs; elsewhere the assumed watts; the savings
follow each pool's lever; the assumption-based EnergyReport stays as it was. And the usage
report's unused-desktop rows carry those watts."""

from __future__ import annotations

import dataclasses

from support.fleet_builders import (
    ago,
    fleet_snapshot,
    horizon_usage,
    host,
    host_power,
    logons_to,
    machine,
    pool,
    session,
    vm,
    vm_usage,
    with_usage,
)

from fleetreport.health.build import build_report
from fleetreport.snapshot.model import Snapshot

METERED, UNMETERED = host("esx-m.example.test"), host("esx-u.example.test")
OFF_HOURS = 8760 - 52 * 50  # the default 50 working hours a week
PRICE = 0.25


def energy_fleet(*, metered_watts: float | None = 300.0) -> Snapshot:
    """Pool ``fc`` (full clones, no power action: a power policy would save) and ``ic``
    (instant clones: sizing). On the metered host: fc-1 and fc-2 idle, ic-1 in use (three
    VMs on); on the unmetered host: fc-3 and ic-2 idle, and one VM off."""
    on_metered = [vm(n, host=METERED.name) for n in ("fc-1", "fc-2", "ic-1")]
    on_unmetered = [vm(n, host=UNMETERED.name) for n in ("fc-3", "ic-2")]
    off = vm("fc-off", host=UNMETERED.name, power_state="poweredOff")
    vms = [*on_metered, *on_unmetered, off]
    machines = [machine(v, "ic" if v.name.startswith("ic") else "fc") for v in vms]
    snapshot = fleet_snapshot(
        vms,
        machines,
        pools=[
            pool("fc", source="VIRTUAL_CENTER", power_policy="TAKE_NO_POWER_ACTION"),
            pool("ic"),
        ],
        hosts=[METERED, UNMETERED],
        sessions=[session(machines[2])],
        horizon_usage=[horizon_usage()],
        vcenter_usage=[
            host_power(METERED, metered_watts),
            host_power(UNMETERED, None),
            *(vm_usage(v) for v in vms),
        ],
    )
    return with_usage(snapshot)


def test_metered_hosts_share_their_draw_by_count_and_the_rest_is_assumed() -> None:
    report = build_report(energy_fleet())
    assert report.usage is not None and report.usage.energy is not None
    energy = report.usage.energy
    assert energy.method == "by_count"
    assert [
        (h.name, h.status, h.mean_watts, h.powered_on_vms, h.watts_per_vm, h.idle_desktops)
        for h in energy.hosts
    ] == [
        ("esx-m.example.test", "measured", 300.0, 3, 100.0, 2),
        ("esx-u.example.test", "not_collected", None, 2, None, 2),
    ]
    assert (energy.idle_desktops_measured, energy.idle_desktops_assumed) == (2, 2)
    assert energy.measured_watts_per_idle_desktop == 100.0
    watts = 100 + 100 + 20 + 20
    assert energy.kwh_per_year == round(watts * 8760 / 1000)
    assert energy.cost_per_year == round(watts * 8760 / 1000 * PRICE)
    # the power policy lever saves fc's surplus (100 + 100 + 20 W) off hours; sizing ic-2's 20 W
    assert energy.saving_per_year == round(220 * OFF_HOURS / 1000 * PRICE)
    assert energy.sizing_saving_per_year == round(20 * OFF_HOURS / 1000 * PRICE)
    # the assumption-based estimate is unchanged: four idle desktops at 20 W
    assert report.energy.surplus_desktops == 4
    assert report.energy.kwh_per_year == round(4 * 20 * 8760 / 1000)


def test_without_any_metered_host_every_desktop_is_assumed() -> None:
    energy = build_report(energy_fleet(metered_watts=None)).usage.energy  # type: ignore[union-attr]
    assert energy is not None
    assert (energy.idle_desktops_measured, energy.idle_desktops_assumed) == (0, 4)
    assert energy.measured_watts_per_idle_desktop is None
    assert energy.kwh_per_year == round(4 * 20 * 8760 / 1000)
    assert {h.watts_per_vm for h in energy.hosts} == {None}


def test_a_refused_history_gives_no_measured_energy_and_no_usage_gives_no_section() -> None:
    refused = with_usage(energy_fleet(), error="NoPermission")
    usage = build_report(dataclasses.replace(refused, horizon_usage=[])).usage
    assert usage is not None and usage.energy is None
    assert [(e.kind, e.status, e.reason) for e in usage.evidence] == [
        ("vcenter", "refused", "NoPermission")
    ]
    bare = dataclasses.replace(energy_fleet(), horizon_usage=[], vcenter_usage=[])
    assert build_report(bare).usage is None


def test_unused_desktops_carry_measured_or_assumed_watts_and_their_cost() -> None:
    snapshot = energy_fleet()
    # no logon anywhere and no CPU activity: fc-1 (metered), fc-3 (assumed), fc-off (off)
    usage = build_report(snapshot).usage
    assert usage is not None
    rows = [(u.name, u.reason, u.watts, u.watts_measured, u.kwh_per_year) for u in usage.unused]
    assert rows == [
        ("fc-1", "no_session_no_activity", 100.0, True, 876.0),
        ("fc-2", "no_session_no_activity", 100.0, True, 876.0),
        ("fc-3", "no_session_no_activity", 20.0, False, 175.2),
        ("fc-off", "no_session_no_activity", 20.0, False, 0.0),
    ]
    assert [u.cost_per_year for u in usage.unused] == [219.0, 219.0, 43.8, 0.0]
    assert {u.remediation for u in usage.unused} == {"delete it (or lower the pool's size by one)"}
    logged_on = dataclasses.replace(
        snapshot,
        horizon_usage=[horizon_usage(desktops=[logons_to(snapshot.machines[0], ago(days=2))])],
    )
    names = [u.name for u in build_report(logged_on).usage.unused]  # type: ignore[union-attr]
    assert names == ["fc-2", "fc-3", "fc-off"]


def test_a_pools_spares_cover_one_idle_desktop_and_the_rest_stay_surplus() -> None:
    snapshot = energy_fleet()
    fc_with_a_spare = [
        dataclasses.replace(p, spare_machines=1) if p.id == "fc" else p for p in snapshot.pools
    ]
    spared = dataclasses.replace(snapshot, pools=fc_with_a_spare)
    report = build_report(spared)
    energy = report.usage.energy  # type: ignore[union-attr]
    assert energy is not None
    # fc keeps one of its three idle desktops as its spare: fc-2 (metered) and fc-3 stay surplus
    assert report.energy.surplus_desktops == 3
    assert (energy.idle_desktops_measured, energy.idle_desktops_assumed) == (1, 2)
    assert energy.kwh_per_year == round((100 + 20 + 20) * 8760 / 1000)
