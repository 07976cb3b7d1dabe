"""End to end on an estate laid out like a real Horizon 8 deployment (issue 11).

One simulator with ``tests/vcsim/scenarios/horizon8.json`` and the Horizon test server with
``tests/fixtures/horizon/horizon8`` (both written by ``tests/tools/horizon_estate.py``),
collected with fleetreport's own collector and judged with ``build_report``. The estate holds
what a VDI architect finds in a real vCenter: instant-clone internals in the ``ClonePrep*``
folders, vCLS VMs, golden images with snapshot chains, Connection Server, UAG and SQL VMs (the
SQL servers in a vApp), a full-clone pool with specified names and spares, an RDS farm with
hosts in ``AGENT_ERR_*`` states, a VM on a host that stopped responding, a VM vCenter cannot
read, a pool whose folder is the datacenter root next to stray VMs, an ESXi 7.0 host in an 8.0
cluster and an ESXi 7 cluster of vmx-19 desktops.

Assertions that need the other parts of issue 11 are marked ``xfail(strict=True)`` with the part
they need; the marks go once those parts are merged.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from support.horizon_server import HorizonTestServer
from support.vcsim import VcsimServer, start_vcsim
from tools import horizon_estate as estate
from tools.record_demo import horizon_target, ticking_clock, vcenter_target

from fleetreport.collect.run import Collection, VCenterTarget, collect_all
from fleetreport.endpoints import parse_endpoint
from fleetreport.health.build import build_report
from fleetreport.health.catalogue import SubjectKind
from fleetreport.health.evaluate import Evaluation, evaluate
from fleetreport.health.fleet import FleetView
from fleetreport.health.report_model import HealthReport
from fleetreport.health.results import Status
from fleetreport.health.settings import default_settings
from fleetreport.snapshot.model import Snapshot
from fleetreport.snapshot.roles import VmRole, golden_image_keys, vm_role

pytestmark = pytest.mark.simulator

POD = estate.HORIZON8
ANCHOR = estate.ANCHOR
INACCESSIBLE_VMX = estate.H8_INACCESSIBLE


def _needs(part: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"needs {part}")


@dataclass(frozen=True)
class Estate:
    """The collected estate and its report."""

    vcenter: VcsimServer
    snapshot: Snapshot
    fleet: FleetView
    evaluation: Evaluation
    report: HealthReport
    twice: Collection  # the same vCenter given as 127.0.0.1 and as localhost


@pytest.fixture(scope="module")
def real() -> Iterator[Estate]:
    with contextlib.ExitStack() as stack:
        vcenter = stack.enter_context(start_vcsim(estate.SCENARIOS / "horizon8.json"))
        pod = stack.enter_context(
            HorizonTestServer(estate.FIXTURES / POD.name, now=int(ANCHOR.timestamp() * 1000))
        )
        clock = ticking_clock(ANCHOR, timedelta(seconds=1))
        collection = collect_all([vcenter_target(vcenter)], [horizon_target(pod)], now=clock)
        assert not collection.failures, collection.failures
        by_ip = vcenter_target(vcenter)
        by_name = VCenterTarget(
            endpoint=parse_endpoint(
                vcenter.url.replace("127.0.0.1", "localhost"),
                default_path="/sdk",
                option="--vcenter",
            ),
            user=by_ip.user,
            password=by_ip.password,
            tls=by_ip.tls,
        )
        twice = collect_all([by_ip, by_name], [horizon_target(pod)], now=clock)
        snapshot = collection.snapshot
        settings = default_settings()
        fleet = FleetView(snapshot, settings.scope)
        yield Estate(
            vcenter,
            snapshot,
            fleet,
            evaluate(fleet, settings),
            build_report(snapshot, settings, generated_at=ANCHOR),
            twice,
        )


def outcomes(real: Estate, check: str, kind: SubjectKind = SubjectKind.DESKTOP) -> dict[str, str]:
    """Subject name -> ``pass``, ``unknown``, ``not_applicable`` or the failure's severity."""
    out = {}
    for (subject_kind, _), judgements in real.evaluation.judgements.items():
        if subject_kind is not kind:
            continue
        for j in judgements:
            if j.check.id != check:
                continue
            if j.outcome.status is Status.FAIL:
                out[j.subject.name] = (j.outcome.severity or j.check.severity).value
            elif j.outcome.not_applicable:
                out[j.subject.name] = "not_applicable"
            else:
                out[j.subject.name] = j.outcome.status.value
    return out


def failed(real: Estate, check: str, kind: SubjectKind = SubjectKind.DESKTOP) -> dict[str, str]:
    """Subject name -> severity of every failure of ``check``."""
    return {
        name: result
        for name, result in outcomes(real, check, kind).items()
        if result in ("critical", "warning", "info")
    }


IC_KNOWLEDGE = {f"W11-IC-{n:03d}" for n in range(1, 13)}
IC_LEGACY = {f"W10-IC-{n:03d}" for n in range(1, 7)}
FULL_CLONES = {f"W10-FC-{n:03d}" for n in range(11, 19)}
LAB = {"LAB-PC-01", "LAB-PC-02", "LAB-PC-03"}
RDS_HOSTS = {f"RDSH-APP-{n:02d}" for n in range(1, 5)}
DESKTOPS = IC_KNOWLEDGE | IC_LEGACY | FULL_CLONES | LAB | RDS_HOSTS
NOT_DESKTOPS = {  # VMs a desktop check must never see
    "HZN-CS01",
    "HZN-CS02",
    "HZN-UAG01",
    "HZN-SQL01",
    "HZN-SQL02",
    "GI-W11-23H2",
    "GI-W10-22H2",
    "GI-WS2022-RDSH",
    "TPL-W10-FC-2025",
    "Win10-Test-Old",
    "jdoe-clone-tmp",
}


# ----------------------------------------------------------------------------- the estate
def test_the_collection_sees_the_whole_estate(real: Estate) -> None:
    scenario_vms = {v["name"] for v in real.vcenter.scenario["vms"]}
    assert {vm.name for vm in real.snapshot.vms} == scenario_vms
    assert {m.name for m in real.snapshot.machines} == DESKTOPS
    assert {p.name for p in real.snapshot.pools} == {p.name for p in POD.pools}
    assert sorted((s.kind, s.status) for s in real.snapshot.sources) == [
        ("horizon", "ok"),
        ("vcenter", "ok"),
    ]


# -------------------------------------------------------------------------- which desktops
def test_the_desktop_population_is_horizons_machines_and_rds_hosts(real: Estate) -> None:
    names = {d.machine.name if d.machine else d.name for d in real.fleet.desktops}
    assert names == DESKTOPS
    assert all(d.machine is not None for d in real.fleet.desktops)
    vms = {d.vm.name for d in real.fleet.desktops if d.vm is not None}
    assert not vms & NOT_DESKTOPS
    assert not {n for n in vms if n.startswith(("cp-", "vCLS"))}
    assert real.report.fleet.desktops == len(DESKTOPS)


def test_a_desktop_is_named_by_its_horizon_name(real: Estate) -> None:
    assert {d.name for d in real.fleet.desktops} == DESKTOPS


def test_internal_vms_are_listed_with_their_role(real: Estate) -> None:
    golden = golden_image_keys(real.snapshot.pools)
    roles = {vm.name: vm_role(vm, golden) for vm in real.snapshot.vms}
    internal = {name: role for name, role in roles.items() if role is not None}
    expected: dict[str, VmRole] = {
        "GI-W11-23H2": VmRole.GOLDEN_IMAGE,
        "GI-W10-22H2": VmRole.GOLDEN_IMAGE,
        "GI-WS2022-RDSH": VmRole.GOLDEN_IMAGE,
        "TPL-W10-FC-2025": VmRole.TEMPLATE,
    }
    by_prefix = {
        "cp-template-": VmRole.INSTANT_CLONE_TEMPLATE,
        "cp-replica-": VmRole.INSTANT_CLONE_REPLICA,
        "cp-parent-": VmRole.INSTANT_CLONE_PARENT,
        "vCLS-": VmRole.VSPHERE_CLUSTER_SERVICE,
    }
    for vm in real.vcenter.scenario["vms"]:
        for prefix, role in by_prefix.items():
            if vm["name"].startswith(prefix):
                expected[vm["name"]] = role
    assert internal == expected
    counts = {role: list(expected.values()).count(role) for role in set(expected.values())}
    assert counts[VmRole.INSTANT_CLONE_PARENT] == 11  # one per host per image: 4 + 3 + 4
    assert counts[VmRole.INSTANT_CLONE_TEMPLATE] == counts[VmRole.INSTANT_CLONE_REPLICA] == 3
    assert counts[VmRole.VSPHERE_CLUSTER_SERVICE] == 7
    listed = {v.name: v.role for v in real.report.infrastructure.vms}
    assert listed == {name: role.value for name, role in expected.items()}
    # where each runs: an instant-clone parent is pinned to one host, one per host per image
    hosts = {vm.name: vm.host for vm in real.snapshot.vms}
    rows = real.report.infrastructure.vms
    assert {v.name: v.host for v in rows} == {v.name: hosts[v.name] for v in rows}
    parents = [v for v in rows if v.role == VmRole.INSTANT_CLONE_PARENT.value]
    # 11 parents on 7 hosts: the RDS image's four share the W11 cluster's hosts
    assert all(v.host for v in parents) and len({v.host for v in parents}) == 7
    population = real.report.population
    assert population is not None
    assert population.rules == ["horizon"]
    assert sum(population.left_out.values()) == len(real.snapshot.vms) - len(DESKTOPS)
    assert population.left_out["not_a_horizon_machine"] == len(
        {vm.name for vm in real.snapshot.vms} - set(expected) - DESKTOPS - {INACCESSIBLE_VMX}
    )
    for name in ("HZN-CS01", "HZN-SQL01", "HZN-UAG01", "Win10-Test-Old"):
        assert roles[name] is None, (
            name
        )  # ordinary VMs: not desktops because Horizon has no machine


# ---------------------------------------------------------------- machine and host states
def test_rds_host_that_needs_a_reboot_is_critical(real: Estate) -> None:
    assert failed(real, "machine_problem_state").get("RDSH-APP-02") == "critical"


def test_already_used_is_a_problem(real: Estate) -> None:
    assert "W11-IC-003" in failed(real, "machine_problem_state")


def test_startup_and_waiting_for_the_agent_are_in_progress_not_critical(real: Estate) -> None:
    results = outcomes(real, "machine_problem_state")
    assert results["W11-IC-005"] != "critical"  # AGENT_ERROR_STARTUP_IN_PROGRESS
    assert results["RDSH-APP-03"] != "critical"  # WAIT_FOR_AGENT


def test_machine_problem_states_exactly(real: Estate) -> None:
    critical = {n for n, s in failed(real, "machine_problem_state").items() if s == "critical"}
    # AGENT_ERR_NEED_REBOOT and ALREADY_USED; the machine on the host that stopped responding
    # is that host's finding, and the one whose VM vCenter cannot read is vm_orphaned's
    assert critical == {"RDSH-APP-02", "W11-IC-003"}
    results = outcomes(real, "machine_problem_state")
    assert (results["W10-IC-006"], results["W10-FC-017"]) == ("not_applicable",) * 2


def test_the_host_that_stopped_responding_is_the_hosts_finding(real: Estate) -> None:
    assert failed(real, "host_not_connected", SubjectKind.HOST) == {
        estate.H8_NOT_RESPONDING: "critical"
    }


def test_its_vm_is_not_also_an_orphaned_desktop(real: Estate) -> None:
    assert "W10-IC-006" not in failed(real, "vm_orphaned")


def test_the_inaccessible_vm_is_reported_inaccessible(real: Estate) -> None:
    (vm,) = [v for v in real.snapshot.vms if v.name == INACCESSIBLE_VMX]
    assert vm.config_unset
    assert vm.connection_state == "inaccessible"
    (finding,) = [f for f in real.report.findings if f.check == "vm_orphaned"]
    assert finding.subject_name == "W10-FC-017"
    assert "inaccessible" in finding.message
    assert not [f for f in real.report.findings if f.check == "machine_missing_in_vcenter"]


# ------------------------------------------------------------------------ patch verdicts
def test_hardware_is_judged_against_what_the_cluster_can_run(real: Estate) -> None:
    results = outcomes(real, "vm_hardware_outdated")
    assert {n: results[n] for n in IC_LEGACY | LAB} == dict.fromkeys(IC_LEGACY | LAB, "pass")
    # vmx-14 where the cluster's 7.0.3 host bounds it to vmx-19: at the vTPM baseline, so info.
    assert failed(real, "vm_hardware_outdated") == {"W10-FC-011": "info", "W10-FC-012": "info"}


def test_a_70_host_in_an_80_cluster_is_behind(real: Estate) -> None:
    assert set(failed(real, "host_build_behind", SubjectKind.HOST)) == {
        "esx-w11-04.corp.example.test"
    }


# -------------------------------------------------------------------------------- energy
def test_no_energy_saving_is_offered_for_instant_clone_pools_and_farms(real: Estate) -> None:
    kinds = {p.name: (p.kind, p.source) for p in real.snapshot.pools}
    offered = {
        row.pool_name: row.saving_per_year
        for row in real.report.energy.pools
        if kinds[row.pool_name][0] == "farm" or kinds[row.pool_name][1] == "INSTANT_CLONE"
    }
    assert set(offered.values()) <= {0.0}
    assert not [
        f
        for f in real.report.findings
        if f.check == "vm_power_policy_mismatch"
        and f.pool_name in {"W11-IC-Knowledge", "W10-IC-Legacy", "RDS-Apps-2022"}
    ]


def test_spares_kept_powered_on_are_not_idle_waste(real: Estate) -> None:
    idle = failed(real, "vm_idle_powered_on")
    assert not {"W10-FC-015", "W10-FC-016"} & set(idle)


# ------------------------------------------------------------------------- one vCenter
def test_the_same_vcenter_given_twice_is_one_estate(real: Estate) -> None:
    twice = real.twice
    assert not twice.failures
    sources = [(s.kind, s.status) for s in twice.snapshot.sources]
    assert sorted(sources) == [("horizon", "ok"), ("vcenter", "duplicate"), ("vcenter", "ok")]
    (first,) = [s for s in twice.snapshot.sources if s.kind == "vcenter" and s.status == "ok"]
    (second,) = [s for s in twice.snapshot.sources if s.status == "duplicate"]
    assert second.duplicate_of == first.url
    assert len(twice.snapshot.vcenters) == 1
    assert len(twice.snapshot.vms) == len(real.snapshot.vms)
    assert len(FleetView(twice.snapshot).desktops) == len(DESKTOPS)


# ----------------------------------------------------------------------------- strays
def test_only_the_stray_vms_at_the_datacenter_root_are_unmatched(real: Estate) -> None:
    # the pool's folder is the datacenter root: only a VM named like the pool's machines is its
    # stray; the other unclaimed VMs there (a test VM, someone's clone) belong to nobody
    assert {u.name for u in real.snapshot.unmatched_vms} == {"LAB-PC-04"}
    (finding,) = [f for f in real.report.findings if f.check == "pool_stray_vms"]
    assert (finding.subject_name, finding.severity) == ("LAB-FC-Root", "warning")
    assert "LAB-PC-04" in finding.message


# ------------------------------------------------- what the desktops depend on (issue 15)


def test_storage_is_judged_on_the_datastores_the_fleet_uses(real: Estate) -> None:
    kind = SubjectKind.DATASTORE
    assert failed(real, "datastore_free_space", kind) == {
        "vsanDatastore": "warning",  # 12% free
        "HZN-W10-VMFS-01": "critical",  # 7% free
    }
    assert failed(real, "datastore_alarms", kind) == {
        "vsanDatastore": "critical",
        "HZN-W10-VMFS-01": "critical",
    }
    # The dead ISO library and the datastore being retired hold nothing of the fleet.
    for check in ("datastore_free_space", "datastore_inaccessible"):
        said = outcomes(real, check, kind)
        assert said["HZN-ISO-NFS-OLD"] == said["HZN-VMFS-RETIRE-02"] == "not_applicable"
        assert said["HZN-MGMT-NFS-01"] != "not_applicable"  # the Connection Servers' datastore


def test_vsphere_health_of_hosts_clusters_and_desktops(real: Estate) -> None:
    assert failed(real, "host_hardware_sensors", SubjectKind.HOST) == {
        "esx-w11-02.corp.example.test": "critical"  # a red fan
    }
    assert (
        outcomes(real, "host_hardware_sensors", SubjectKind.HOST)["esx-w10-03.corp.example.test"]
        == "unknown"
    )  # not responding: its hardware health is not current
    assert failed(real, "host_alarms", SubjectKind.HOST) == {
        "esx-w11-02.corp.example.test": "critical",
        "esx-w10-03.corp.example.test": "warning",  # red, acknowledged
    }
    assert failed(real, "cluster_ha_disabled", SubjectKind.CLUSTER) == {
        "MGMT-CL01": "warning",  # the Connection Servers' cluster, HA off
        "VDI-W10-CL02": "info",  # admission control off
    }
    assert failed(real, "cluster_n_plus_one", SubjectKind.CLUSTER) == {"VDI-W10-CL02": "warning"}
    assert failed(real, "desktop_alarms") == {"W11-IC-004": "warning", "W11-IC-009": "warning"}
    assert failed(real, "vm_memory_contention") == {
        "W10-IC-002": "warning",
        "W10-IC-005": "warning",
    }
    assert failed(real, "vm_consolidation_needed") == {"W10-FC-013": "warning"}


def test_every_finding_says_which_vcenter_or_pod_its_subject_lives_in(real: Estate) -> None:
    """A finding is known across runs by its check, subject kind, location and subject
    (``health/compare.py``), and the exports show the location: a cluster, host or datastore
    lives in its vCenter, a pool, server, gateway or domain in its pod. Without it, two
    clusters named alike in two vCenters would be one finding."""
    in_vcenter = {SubjectKind.CLUSTER, SubjectKind.HOST, SubjectKind.DATASTORE}
    vcenters = {vc.instance_uuid for vc in real.snapshot.vcenters}
    pods = {pod.id for pod in real.snapshot.pods}
    kinds = set()
    for (kind, _), judgements in real.evaluation.judgements.items():
        for judgement in judgements:
            subject = judgement.subject
            kinds.add(kind)
            if kind is SubjectKind.DESKTOP:  # its VM's vCenter; its pod when it has no VM
                vm, machine = subject.item.vm, subject.item.machine
                where = vm.vcenter if vm is not None else machine.pod
                assert subject.location == where in vcenters | pods, subject.name
            elif kind in in_vcenter:
                assert subject.location == subject.item.vcenter in vcenters, subject.name
            elif kind is SubjectKind.POD:
                assert subject.location == subject.item.id in pods, subject.name
            else:
                assert subject.location == subject.item.pod in pods, subject.name
    assert kinds >= in_vcenter | {SubjectKind.DESKTOP, SubjectKind.POOL, SubjectKind.POD}
    located = {f.location for f in real.report.findings if f.subject_kind == "cluster"}
    assert located and located <= vcenters


def test_horizon_components_and_capacity(real: Estate) -> None:
    assert failed(real, "pool_disconnect_policy", SubjectKind.POOL) == {
        "W10-FC-Engineering": "warning"
    }
    assert failed(real, "farm_unhealthy", SubjectKind.POOL) == {"RDS-Apps-2022": "warning"}
    assert failed(real, "pool_near_maximum", SubjectKind.POOL) == {"LAB-FC-Root": "critical"}
    assert failed(real, "pool_spares_short", SubjectKind.POOL) == {"LAB-FC-Root": "warning"}
    pod = SubjectKind.POD
    # Horizon 8 (2512) has every component endpoint; SAML, True SSO and CPA are not configured.
    for check in ("saml_unhealthy", "true_sso_unhealthy", "cpa_endpoint_down"):
        assert set(outcomes(real, check, pod).values()) == {"not_applicable"}, check
    for check in ("event_database_not_connected", "licence_expiring", "pod_cs_versions_differ"):
        assert set(outcomes(real, check, pod).values()) == {"pass"}, check
    assert set(outcomes(real, "licence_usage_high", pod).values()) == {"unknown"}
    assert set(outcomes(real, "ad_domain_unreachable", SubjectKind.AD_DOMAIN).values()) == {"pass"}
    assert set(
        outcomes(real, "cs_replication_failing", SubjectKind.CONNECTION_SERVER).values()
    ) == {"pass"}
