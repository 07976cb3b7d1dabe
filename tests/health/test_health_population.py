"""Which VMs are desktops: Horizon's own VMs never, and without Horizon an explicit, stated rule.

Each test builds an estate with the awkward VMs of a real Horizon 8 deployment (instant-clone
internals, vCLS, a golden image, a Connection Server, SQL) and asserts the exact population,
the reasons the other VMs were left out, and what the report says about it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from support.fleet_builders import (
    IMAGE_VM,
    NOW,
    POD,
    desktops,
    fleet_snapshot,
    horizon_source,
    machine,
    pool,
    vm,
)
from support.snapshots import VC_UUID

from fleetreport.config_file import parse_config
from fleetreport.errors import FleetReportError
from fleetreport.health.build import build_report
from fleetreport.health.fleet import FleetView
from fleetreport.health.population import KnownDesktops, pod_of_source_url
from fleetreport.health.settings import DesktopRules, settings_from_config
from fleetreport.history import HistoryStore
from fleetreport.record.anonymiser import anonymise
from fleetreport.snapshot.model import Datacenter, Snapshot, VirtualMachine
from fleetreport.snapshot.roles import VmRole, vm_role

WINDOWS_SERVER = {"guest_id": "windows2019srv_64Guest", "guest_os_configured": "Windows 2019"}


def own_vms() -> list[VirtualMachine]:
    """What Horizon 8 and vSphere 7/8 put next to the desktops."""
    return [
        vm("cp-template-4f1e2d3c-9a8b", folder="ClonePrepInternalTemplateFolder"),
        vm("cp-replica-4f1e2d3c-9a8b", folder="ClonePrepReplicaVmFolder", power_state="poweredOff"),
        vm("cp-parent-4f1e2d3c-9a8b", folder="ClonePrepParentVmFolder"),
        vm("cp-parent-77aa0c21-0d2e", folder="ClonePrepParentVmFolder"),
        vm("w11-ic-resync", "vm-resync", folder="ClonePrepResyncVmFolder"),
        vm("replica-0b5f9a4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b", folder="VDI/LC"),
        vm(
            "vCLS-6d1f0c3e-2b7a-4c1d-9e8f-123456789abc",
            folder="vCLS",
            guest_id="vmwarePhoton64Guest",
        ),
        vm("vCLS (1)", "vm-vcls-old", folder="vCLS", guest_id="vmwarePhoton64Guest"),
        vm("W11-GOLD", IMAGE_VM, folder="Gold", power_state="poweredOff"),
        vm("TPL-W11", "vm-tpl", template=True, power_state="poweredOff"),
    ]


def servers() -> list[VirtualMachine]:
    """Horizon's servers, which share the vCenter with the desktops."""
    return [
        vm("HZN-CS01", folder="Horizon", **WINDOWS_SERVER),
        vm("HZN-SQL01", folder="Horizon", **WINDOWS_SERVER),
        vm("uag01", folder="DMZ", guest_id="other3xLinux64Guest"),
    ]


def horizon_estate() -> Snapshot:
    """Two desktops of an instant-clone pool whose image is W11-GOLD, with all of the above."""
    vms, machines = desktops(vm("W11-IC-001", folder="VDI/IC"), vm("W11-IC-002", folder="VDI/IC"))
    image_pool = pool(parent_vm_id=IMAGE_VM, vcenter=VC_UUID, name="W11-IC")
    return fleet_snapshot([*vms, *own_vms(), *servers()], machines, pools=[image_pool])


def vcenter_only(*extra: VirtualMachine) -> Snapshot:
    """The same estate as vCenter alone sees it, plus ``extra`` VMs."""
    desktops_vms = [vm("W11-IC-001", folder="VDI/IC"), vm("W10-FC-001", folder="VDI/FC")]
    return fleet_snapshot([*desktops_vms, *own_vms(), *servers(), *extra])


def failed_horizon(snapshot: Snapshot) -> Snapshot:
    """The snapshot as a run whose Connection Server did not answer collects it."""
    failed = replace(horizon_source(), status="failed", error="connection refused")
    return replace(
        snapshot,
        sources=[*(s for s in snapshot.sources if s.kind != "horizon"), failed],
        pods=[],
        pools=[],
        machines=[],
        sessions=[],
        connection_servers=[],
        horizon_vcenters=[],
    )


def names(snapshot: Snapshot, **kw: object) -> set[str]:
    return {d.name for d in FleetView(snapshot, **kw).desktops}  # type: ignore[arg-type]


# ------------------------------------------------------------------ roles


@pytest.mark.parametrize(
    ("name", "folder", "role"),
    [
        ("cp-template-4f1e", "ClonePrepInternalTemplateFolder", VmRole.INSTANT_CLONE_TEMPLATE),
        ("CP-Replica-4f1e", "Anywhere", VmRole.INSTANT_CLONE_REPLICA),
        ("cp-parent-4f1e", "ClonePrepParentVmFolder", VmRole.INSTANT_CLONE_PARENT),
        ("anything", "ClonePrepResyncVmFolder", VmRole.INSTANT_CLONE_INTERNAL),
        ("anything", "Horizon/ClonePrepInternalTemplateFolder", VmRole.INSTANT_CLONE_INTERNAL),
        ("replica-0b5f9a4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b", "VDI", VmRole.LINKED_CLONE_REPLICA),
        ("vCLS-6d1f0c3e", "vCLS", VmRole.VSPHERE_CLUSTER_SERVICE),
        ("vCLS (2)", "Discovered virtual machine", VmRole.VSPHERE_CLUSTER_SERVICE),
        ("odd-name", "vCLS", VmRole.VSPHERE_CLUSTER_SERVICE),
        ("replica-of-finance", "VDI", None),
        ("vclsmonitor", "Servers", None),
        ("my-cp-parent", "VDI", None),
        ("W11-IC-001", "VDI/IC", None),
        ("REPLICA-0B5F9A4E-1C2D-4E3F-8A9B-0C1D2E3F4A5B", "VDI", VmRole.LINKED_CLONE_REPLICA),
        ("vcls-6d1f0c3e", "Servers", None),  # vCenter spells it vCLS
        ("W11-IC-002", "Horizon/vCLS/IC", None),
        ("W11-IC-003", "", None),
    ],
)
def test_horizon_and_vsphere_own_vms_are_recognised(
    name: str, folder: str, role: VmRole | None
) -> None:
    assert vm_role(vm(name, folder=folder)) == role


def test_golden_images_and_templates_are_recognised() -> None:
    golden = frozenset({(VC_UUID, IMAGE_VM)})
    assert vm_role(vm("W11-GOLD", IMAGE_VM), golden) is VmRole.GOLDEN_IMAGE
    assert vm_role(vm("W11-GOLD", IMAGE_VM), frozenset({(None, IMAGE_VM)})) is VmRole.GOLDEN_IMAGE
    assert vm_role(vm("W11-GOLD", IMAGE_VM)) is None
    assert vm_role(vm("TPL", template=True)) is VmRole.TEMPLATE


# --------------------------------------------------------------- Horizon


def test_with_horizon_the_desktops_are_the_machines_and_the_rest_is_left_out_by_reason() -> None:
    report = build_report(horizon_estate())
    assert sorted(d.name for d in report.vms) == ["W11-IC-001", "W11-IC-002"]
    population = report.population
    assert population is not None
    assert population.rules == ["horizon"]
    assert population.desktops == 2
    assert population.vms == 15
    assert population.left_out == {
        "not_a_horizon_machine": 3,
        "instant_clone_parent": 2,
        "vsphere_cluster_service": 2,
        "golden_image": 1,
        "instant_clone_internal": 1,
        "instant_clone_replica": 1,
        "instant_clone_template": 1,
        "linked_clone_replica": 1,
        "template": 1,
    }
    assert population.reasons["golden_image"] == "golden image (parent VM of a pool or farm)"
    listed = {(v.name, v.role) for v in report.infrastructure.vms}
    assert ("cp-parent-4f1e2d3c-9a8b", "instant_clone_parent") in listed
    assert ("vCLS (1)", "vsphere_cluster_service") in listed
    assert len(listed) == 10
    golden = next(v for v in report.infrastructure.vms if v.role == "golden_image")
    assert golden.used_by == ["W11-IC"]
    assert not any(
        f.subject_name.startswith(("cp-", "vCLS", "HZN-", "W11-GOLD")) for f in report.findings
    )


def test_an_inferred_pool_never_takes_horizons_own_vms() -> None:
    own = own_vms()
    inferred = pool("inferred:vc:VDI", kind="inferred", pod="inferred", name="VDI")
    machines = [
        machine(v, inferred.id, kind="inferred", pod="inferred", join="inferred")
        for v in [vm("W11-IC-001"), *own]
    ]
    snapshot = fleet_snapshot([vm("W11-IC-001"), *own], pools=[inferred])
    snapshot = replace(snapshot, machines=machines)
    assert names(snapshot) == {"W11-IC-001"}
    population = FleetView(snapshot).population
    assert population.rules == ("inferred",)
    # an inferred machine on Horizon's own VM does not hide it: it is counted by its role
    assert population.left_out["instant_clone_parent"] == 2
    assert population.left_out["template"] == 1


def test_a_desktop_is_named_by_its_horizon_name() -> None:
    inaccessible = vm(
        "[vsanDatastore] W10-FC-017/W10-FC-017.vmx",
        "vm-617",
        config_unset=True,
        connection_state="inaccessible",
    )
    snapshot = fleet_snapshot([inaccessible], [machine(inaccessible, name="W10-FC-017")])
    assert names(snapshot) == {"W10-FC-017"}


# ---------------------------------------------------------- vCenter only


def test_without_horizon_the_default_rule_takes_windows_client_vms_and_says_so() -> None:
    unreported = vm("[ds1] lost/lost.vmx", "vm-lost", guest_id=None, config_unset=True)
    report = build_report(vcenter_only(unreported))
    # without Horizon nothing says W11-GOLD is a golden image: [desktops] exclude names it
    assert sorted(d.name for d in report.vms) == ["W10-FC-001", "W11-GOLD", "W11-IC-001"]
    population = report.population
    assert population is not None
    assert population.rules == ["desktop_guest_os"]
    assert "Windows client guest OS" in population.notes[0]
    assert population.left_out["not_a_desktop_guest_os"] == 3  # CS, SQL, UAG
    assert population.left_out["guest_os_not_reported"] == 1
    assert population.left_out["instant_clone_parent"] == 2


def test_a_configured_rule_takes_folders_and_names_and_leaves_out_excluded_names() -> None:
    rules = DesktopRules(folders=("VDI/*",), names=("HZN-*",), exclude=("HZN-SQL*",))
    snapshot = vcenter_only(vm("W11-IC-099", folder="Lab"))
    assert names(snapshot, desktop_rules=rules) == {"W11-IC-001", "W10-FC-001", "HZN-CS01"}
    population = FleetView(snapshot, desktop_rules=rules).population
    assert population.rules == ("configured",)
    assert "folders VDI/* or names HZN-*" in population.notes[0]
    assert population.left_out["excluded_by_name"] == 1
    assert population.left_out["outside_desktop_rule"] == 3  # uag01, W11-IC-099, W11-GOLD
    # the linked-clone replica sits in VDI/LC but is Horizon's: never a desktop
    assert population.left_out["linked_clone_replica"] == 1


def test_the_desktops_rule_is_read_from_the_config_file() -> None:
    config = parse_config(
        '[desktops]\nfolders = ["VDI/*"]\nexclude = ["*-GOLD"]\nguest_ids = ["ubuntu64Guest"]\n',
        "t.toml",
    )
    rules = settings_from_config(config).desktops
    assert rules == DesktopRules(
        folders=("VDI/*",), exclude=("*-GOLD",), guest_ids=("ubuntu64Guest",)
    )
    with pytest.raises(FleetReportError, match=r"t.toml:2: desktops.folder: unknown setting"):
        settings_from_config(parse_config('[desktops]\nfolder = ["VDI"]\n', "t.toml"))


# ------------------------------------------------------- Horizon failed


def test_a_failed_pod_without_history_falls_back_to_the_stated_vcenter_rule() -> None:
    report = build_report(failed_horizon(horizon_estate()))
    population = report.population
    assert population is not None
    assert population.rules == ["desktop_guest_os"]
    assert population.notes[0].startswith(f"No Horizon pod answered ({POD})")
    assert sorted(d.name for d in report.vms) == ["W11-GOLD", "W11-IC-001", "W11-IC-002"]
    agent = next(c for c in report.checks if c.id == "machine_agent_outdated")
    assert agent.counts.unknown == 3
    assert agent.counts.not_applicable == 0


def test_a_failed_pod_takes_the_desktops_of_the_last_run_it_answered_in() -> None:
    estate = horizon_estate()
    first = estate.vms[0]
    known = KnownDesktops(POD, NOW - timedelta(days=1), frozenset({(first.vcenter, first.moref)}))
    snapshot = failed_horizon(estate)
    report = build_report(snapshot, known_desktops=[known])
    assert [d.name for d in report.vms] == ["W11-IC-001"]
    population = report.population
    assert population is not None
    assert population.rules == ["previous_run"]
    assert "2026-11-26 06:00 UTC" in population.notes[0]
    # W11-IC-002 (not a desktop in that run), the three servers and the golden image
    assert population.left_out["pod_did_not_answer"] == 5


def test_a_failed_pod_beside_one_that_answered_does_not_widen_the_population() -> None:
    estate = horizon_estate()
    other = replace(horizon_source(), url="https://hzcs02.example.test/rest", status="failed")
    snapshot = replace(estate, sources=[*estate.sources, other])
    view = FleetView(snapshot)
    assert {d.name for d in view.desktops} == {"W11-IC-001", "W11-IC-002"}
    assert view.population.rules == ("horizon",)
    assert "hzcs02.example.test did not answer" in view.population.notes[1]


def test_pod_ids_come_from_source_urls_as_the_collector_names_pods() -> None:
    assert pod_of_source_url("https://HZCS01.example.test/rest") == "hzcs01.example.test"
    assert pod_of_source_url("https://hzcs01.example.test:8443/rest") == "hzcs01.example.test"
    assert pod_of_source_url("https://[2001:db8::1]:443/rest") == "2001:db8::1"


def test_history_remembers_each_pods_desktops_for_a_run_in_which_it_fails(
    tmp_path: Path,
) -> None:
    database = tmp_path / "history.sqlite"
    good = build_report(horizon_estate())
    with HistoryStore(database) as store:
        store.record_run(good, started_at=NOW, finished_at=NOW, exit_code=0, report_folder=None)
        failed = build_report(failed_horizon(horizon_estate()))
        store.record_run(failed, started_at=NOW, finished_at=NOW, exit_code=3, report_folder=None)
        known = store.known_desktops(POD, horizon_source().url)
        assert (
            store.known_desktops("hzcs02.example.test", "https://hzcs02.example.test/rest") is None
        )
    assert known is not None
    assert known.collected_at == good.snapshot.collected_at
    assert known.vms == {(d.vcenter, d.moref) for d in good.vms}


def test_anonymising_keeps_what_tells_horizons_own_vms_apart() -> None:
    estate = horizon_estate()
    estate = replace(
        estate,
        datacenters=[Datacenter(VC_UUID, "datacenter-2", "DC-Contoso", "/EMEA/DC-Contoso")],
    )
    anonymised = anonymise(estate).snapshot
    before, after = build_report(estate), build_report(anonymised)
    assert after.population == before.population
    kept = {v.name for v in anonymised.vms} & {v.name for v in estate.vms}
    assert kept == {
        "cp-template-4f1e2d3c-9a8b",
        "cp-replica-4f1e2d3c-9a8b",
        "cp-parent-4f1e2d3c-9a8b",
        "cp-parent-77aa0c21-0d2e",
        "replica-0b5f9a4e-1c2d-4e3f-8a9b-0c1d2e3f4a5b",
        "vCLS-6d1f0c3e-2b7a-4c1d-9e8f-123456789abc",
        "vCLS (1)",
    }
    (datacenter,) = anonymised.datacenters
    assert datacenter.path is not None
    assert "Contoso" not in datacenter.path
    assert "EMEA" not in datacenter.path
    assert datacenter.path.endswith(f"/{datacenter.name}")
