"""Pools inferred from vCenter alone, by folder or by a name pattern."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.horizon_server import HorizonTestServer
from support.snapshots import make_vm
from support.vcsim import start_vcsim
from tools import horizon_estate as estate
from tools.record_demo import horizon_target, ticking_clock, vcenter_target

from fleetreport.collect.infer import InferenceRule, infer_pools
from fleetreport.collect.run import collect_all
from fleetreport.errors import UsageError

NOW = estate.ANCHOR

VMS = [
    make_vm("vm-1", name="W10-IC-001", folder="Desktops/Win10-IC"),
    make_vm("vm-2", name="W10-IC-002", folder="Desktops/Win10-IC/Sub"),
    make_vm("vm-3", name="FIN-001", folder="Desktops/Finance"),
    make_vm("vm-4", name="SRV-APP-01", folder="Servers"),
    make_vm("vm-5", name="GOLD", folder="Desktops/Win10-IC", template=True),
]


def test_each_folder_below_the_root_is_a_pool() -> None:
    pools, machines = infer_pools(VMS, InferenceRule(folder="Desktops"))
    assert {p.name: p.machine_count for p in pools} == {"Win10-IC": 2, "Finance": 1}
    assert all(p.kind == "inferred" and p.pod == "inferred" for p in pools)
    assert {m.name for m in machines} == {"W10-IC-001", "W10-IC-002", "FIN-001"}
    assert all(m.join == "inferred" and m.vm_moref for m in machines)
    pool_by_id = {p.id: p.name for p in pools}
    assert {m.name: pool_by_id[m.pool_id or ""] for m in machines}["W10-IC-002"] == "Win10-IC"


def test_name_pattern_groups_pools() -> None:
    pools, machines = infer_pools(
        VMS, InferenceRule(name_pattern=r"^(?P<pool>[A-Z0-9]+-[A-Z]+)-\d+$")
    )
    assert {p.name: p.machine_count for p in pools} == {"W10-IC": 2, "SRV-APP": 1}
    assert len(machines) == 3


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        ("(unclosed", "--infer-pools-by-name: invalid regular expression: missing )"),
        ("no-group-here", "--infer-pools-by-name needs a group that names the pool"),
    ],
)
def test_bad_patterns_are_usage_errors(pattern: str, says: str) -> None:
    with pytest.raises(UsageError) as caught:
        InferenceRule(name_pattern=pattern).compiled()
    assert caught.value.one_line().startswith(says)


def test_an_inferred_machine_keeps_its_vms_host_name() -> None:
    vms = [
        make_vm("vm-7", name="W10-IC-007", folder="Desktops/Win10-IC", guest_hostname="w10-ic-007"),
        make_vm("vm-8", name="W10-IC-008", folder="Desktops/Win10-IC"),
    ]
    _, machines = infer_pools(vms, InferenceRule(folder="Desktops"))
    assert {m.name: m.dns_name for m in machines} == {
        "W10-IC-007": "w10-ic-007",
        "W10-IC-008": None,
    }


@pytest.mark.simulator
def test_a_vcenter_only_collection_infers_the_pools_from_the_folders() -> None:
    """``--infer-pools-from-folder VDI`` end to end, on the Horizon 8 estate collected from
    vCenter alone: one pool per folder below VDI, each desktop joined to its own VM; the
    instant-clone internals, golden images and servers in other folders are not desktops."""
    with start_vcsim(estate.SCENARIOS / "horizon8.json") as vcenter:
        clock = ticking_clock(NOW, timedelta(seconds=1))
        collection = collect_all(
            [vcenter_target(vcenter)], [], inference=InferenceRule(folder="VDI"), now=clock
        )
        scenario_folders = {vm["name"]: vm.get("folder") for vm in vcenter.scenario["vms"]}
    assert collection.failures == []
    snapshot = collection.snapshot
    assert {p.name: p.machine_count for p in snapshot.pools} == {
        "W11-IC-Knowledge": 12,
        "W10-FC-Engineering": 8,
        "W10-IC-Legacy": 6,
    }
    assert all(p.kind == "inferred" for p in snapshot.pools)
    vms = {vm.moref: vm for vm in snapshot.vms}
    pools = {p.id: p.name for p in snapshot.pools}
    for machine in snapshot.machines:
        vm = vms[machine.vm_moref or ""]
        assert (machine.join, machine.name) == ("inferred", vm.name)
        assert scenario_folders[vm.name] == f"VDI/{pools[machine.pool_id or '']}"


@pytest.mark.simulator
def test_a_collection_with_a_pod_takes_its_pools_from_horizon_not_from_folders() -> None:
    with (
        start_vcsim(estate.SCENARIOS / "horizon8.json") as vcenter,
        HorizonTestServer(
            estate.FIXTURES / estate.HORIZON8.name, now=int(NOW.timestamp() * 1000)
        ) as pod,
    ):
        clock = ticking_clock(NOW, timedelta(seconds=1))
        collection = collect_all(
            [vcenter_target(vcenter)],
            [horizon_target(pod)],
            inference=InferenceRule(folder="VDI"),
            now=clock,
        )
    assert collection.failures == []
    assert collection.snapshot.pools
    assert not any(p.kind == "inferred" for p in collection.snapshot.pools)
    assert not any(m.join == "inferred" for m in collection.snapshot.machines)
