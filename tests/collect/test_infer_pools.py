"""Pools inferred from vCenter alone, by folder or by a name pattern."""

from __future__ import annotations

import pytest
from support.snapshots import make_vm

from fleetreport.collect.infer import InferenceRule, infer_pools
from fleetreport.errors import UsageError

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
