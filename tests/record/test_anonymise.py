"""Anonymisation (no network): no identifying name survives, every score stays the same, the
pseudonyms are consistent and the mapping undoes them, hostile names go through.

The oracle for "identifying" is :func:`identifiers`, written here from the snapshot model and
independent of the anonymiser's own rules.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.hostile import HOSTILE, hostile_snapshot
from support.leaks import haystacks, identifiers, marked_snapshot, survivors
from support.paths import DEMO_SNAPSHOT
from support.private_files import assert_owner_only

from fleetreport.cli import main
from fleetreport.collect.infer import InferenceRule, infer_pools
from fleetreport.collect.join import VmIndex, golden_image_times, unmatched_vms, vm_path
from fleetreport.health.build import build_report
from fleetreport.health.evaluate import evaluate
from fleetreport.health.fleet import FleetView
from fleetreport.health.report_model import HealthReport
from fleetreport.health.settings import default_settings
from fleetreport.record import anonymise, invert, load_bundle
from fleetreport.record.bundle import bundle_bytes, manifest_for
from fleetreport.record.vsphere_alarms import is_preconfigured
from fleetreport.snapshot.model import (
    AdDomain,
    ComponentLink,
    Datastore,
    FederationPod,
    HorizonLicense,
    HostSensor,
    PodEndpoint,
    Replication,
    SamlAuthenticator,
    ServiceAccount,
    ServiceStatus,
    Snapshot,
    TriggeredAlarm,
    TrueSso,
    VirtualMachine,
)
from fleetreport.snapshot.roles import role_by_name
from fleetreport.snapshot.store import load_snapshot, parse_snapshot, snapshot_to_json

DEMO = DEMO_SNAPSHOT
KEY = b"fleetreport-test-key-0123456789ab"
RECORDED_AT = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)

GUEST_OS = "Microsoft Windows 11 (64-bit)"


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo() -> Snapshot:
    return load_snapshot(DEMO)


@pytest.fixture(scope="module")
def anonymised(demo: Snapshot) -> Any:
    return anonymise(demo, KEY)


@pytest.fixture(scope="module")
def bundle(anonymised: Any) -> bytes:
    return bundle_bytes(anonymised.snapshot, anonymised=True, recorded_at=RECORDED_AT)


# --------------------------------------------------------------------- (a) nothing survives


def test_the_oracle_finds_the_demo_names(demo: Snapshot) -> None:
    found = identifiers(demo)
    for name in (
        "AMS-W11-035",
        "esx-ams-01.corp.example.test",
        "esx-ams-01",
        "corp",
        "example",
        "Amsterdam",
        "VDI-Cluster-01",
        "Golden Images",
        "IC-Win11-Office",
        "Developer desktops",
        "AMS-DEV-009",
        "/2026-08-patch/2026-09-patch",
        "f.degroot",
        "corp.example.test\\f.degroot",
        "10.22.0.16",
        "uag01",
        "sql01.corp.example.test",
        "HorizonEvents",
        "euc-team",
        "a.jansen",
        "5a1c0e2e-7c1b-4d6e-9f30-0c4b8e1a2d01",
        "https://vc01.corp.example.test/sdk",
    ):
        assert name in found, name
    assert len(found) > 1500


def test_no_original_identifier_survives_anywhere_in_the_bundle(
    demo: Snapshot, bundle: bytes
) -> None:
    assert survivors(identifiers(demo), bundle) == []


def test_the_bundle_holds_exactly_the_manifest_and_the_snapshot(bundle: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        assert archive.namelist() == ["bundle.json", "snapshot.json"]
        manifest = json.loads(archive.read("bundle.json"))
    assert manifest["anonymised"] is True
    assert manifest["format"] == "fleetreport-bundle"
    assert manifest["format_version"] == 1
    assert manifest["recorded_at"] == "2026-11-27T07:00:00Z"
    assert manifest["sources"] == {"horizon": {"ok": 1}, "vcenter": {"ok": 2}}
    assert manifest["counts"]["vms"] == 349
    assert manifest["counts"]["machines"] == 310


def test_health_relevant_values_are_kept(demo: Snapshot, anonymised: Any) -> None:
    before, after = demo, anonymised.snapshot
    assert after.collected_at == before.collected_at
    assert after.generator == before.generator

    def kept(vm: VirtualMachine) -> tuple[Any, ...]:
        return (
            vm.moref,
            vm.power_state,
            vm.connection_state,
            vm.template,
            vm.guest_id,
            vm.guest_os_configured,
            vm.guest_os_running,
            vm.tools_version_status,
            vm.tools_version,
            vm.hardware_version,
            vm.boot_time,
            vm.num_cpu,
            vm.memory_mb,
            tuple((s.moref, s.created, s.depth) for s in vm.snapshots),
        )

    assert sorted(map(kept, before.vms)) == sorted(map(kept, after.vms))
    assert Counter(m.state for m in before.machines) == Counter(m.state for m in after.machines)
    assert sorted((h.moref, h.version, h.build) for h in before.hosts) == sorted(
        (h.moref, h.version, h.build) for h in after.hosts
    )
    for old, new in zip(before.pools, after.pools, strict=True):
        assert (old.power_policy, old.type, old.source, old.parent_vm_id) == (
            new.power_policy,
            new.type,
            new.source,
            new.parent_vm_id,
        )
        assert (old.base_snapshot_id, old.golden_image_created, old.spare_machines) == (
            new.base_snapshot_id,
            new.golden_image_created,
            new.spare_machines,
        )
        assert (old.naming_pattern is None) == (new.naming_pattern is None)
        if old.naming_pattern:
            assert new.naming_pattern.endswith("{n:fixed=3}") == old.naming_pattern.endswith(
                "{n:fixed=3}"
            )
    assert [s.services for s in before.connection_servers] == [
        s.services for s in after.connection_servers
    ]
    assert {vm.resource_pool for vm in after.vms} >= {None}
    ip_addresses = [vm.ip_address for vm in after.vms if vm.ip_address]
    assert ip_addresses and all(ip.startswith("198.18.") for ip in ip_addresses)


# ------------------------------------------------------------------- (b) the same scores


def score_card(report: HealthReport, pool_names: dict[str, str] | None = None) -> dict[str, Any]:
    """What the report says, with pool names put through ``pool_names`` (the mapping)."""
    rename = pool_names or {}
    fleet = report.fleet
    return {
        "fleet": (
            fleet.desktops,
            fleet.patch_score,
            fleet.power_score,
            fleet.grade,
            fleet.healthy_desktops,
            fleet.coverage,
            fleet.findings_by_severity,
            fleet.findings_by_category,
            fleet.by_power_state,
            fleet.by_machine_state,
        ),
        "pools": {
            rename.get(p.name, p.name): (
                p.desktops,
                p.patch_score,
                p.power_score,
                p.grade,
                p.healthy_desktops,
                p.image_age_days,
                p.findings_by_severity,
            )
            for p in report.pools
        },
        "findings": Counter((f.check, f.severity) for f in report.findings),
        "checks": {c.id: c.counts for c in report.checks},
        "energy": (report.energy.idle_desktops, report.energy.cost_per_year)
        if report.energy
        else None,
        "desktop scores": Counter((d.patch_score, d.power_score, d.healthy) for d in report.vms),
    }


def test_the_report_scores_stay_the_same(demo: Snapshot, anonymised: Any) -> None:
    original = build_report(demo)
    after = build_report(anonymised.snapshot)
    assert original.fleet.patch_score is not None
    assert score_card(after) == score_card(original, anonymised.mapping["pool"])
    assert len(after.findings) == len(original.findings)


def test_each_desktop_keeps_its_scores(demo: Snapshot, anonymised: Any) -> None:
    uuids = anonymised.mapping["vcenter_uuid"]

    def by_vm(report: HealthReport, rename: dict[str, str]) -> dict[Any, Any]:
        return {
            (rename.get(d.vcenter or "", d.vcenter), d.moref): (
                d.patch_score,
                d.power_score,
                sorted((x.check, x.points) for x in d.deductions),
            )
            for d in report.vms
            if d.moref
        }

    assert by_vm(build_report(anonymised.snapshot), {}) == by_vm(build_report(demo), uuids)


def test_inferred_pools_keep_their_scores(demo: Snapshot) -> None:
    vms = demo.vms
    pools, machines = infer_pools(vms, InferenceRule(folder="Horizon"))
    index = VmIndex(vms)
    inferred = dataclasses.replace(
        demo,
        sources=[s for s in demo.sources if s.kind == "vcenter"],
        pods=[],
        pools=golden_image_times(pools, index),
        machines=machines,
        sessions=[],
        connection_servers=[],
        horizon_vcenters=[],
        gateways=[],
        event_databases=[],
        unmatched_vms=[],
    )
    result = anonymise(inferred, KEY)
    assert all(p.id.startswith("inferred:") for p in result.snapshot.pools)
    assert score_card(build_report(result.snapshot)) == score_card(
        build_report(inferred), result.mapping["pool"]
    )
    assert not survivors(
        identifiers(inferred),
        bundle_bytes(result.snapshot, anonymised=True, recorded_at=RECORDED_AT),
    )


# ---------------------------------------------------------------------- (c) consistency


def test_the_same_key_gives_the_same_output(demo: Snapshot, anonymised: Any) -> None:
    again = anonymise(demo, KEY)
    assert snapshot_to_json(again.snapshot) == snapshot_to_json(anonymised.snapshot)
    assert again.mapping == anonymised.mapping
    assert bundle_bytes(again.snapshot, anonymised=True, recorded_at=RECORDED_AT) == bundle_bytes(
        anonymised.snapshot, anonymised=True, recorded_at=RECORDED_AT
    )


def test_another_key_gives_other_uuids_and_a_random_key_is_the_default(
    demo: Snapshot, anonymised: Any
) -> None:
    other = anonymise(demo, b"another key")
    assert other.snapshot.vcenters[0].instance_uuid != anonymised.snapshot.vcenters[0].instance_uuid
    assert [vm.name for vm in other.snapshot.vms] == [vm.name for vm in anonymised.snapshot.vms]
    first, second = anonymise(demo), anonymise(demo)
    assert first.mapping["horizon_id"] != second.mapping["horizon_id"]


def test_the_mapping_inverts_the_pseudonyms(demo: Snapshot, anonymised: Any) -> None:
    mapping = anonymised.mapping
    for category, pairs in mapping.items():
        assert len(set(pairs.values())) == len(pairs), f"{category}: two originals, one pseudonym"
    back = invert(mapping)
    after = anonymised.snapshot
    uuid_back = back["vcenter_uuid"]
    originals = {(vm.vcenter, vm.moref): vm for vm in demo.vms}
    for vm in after.vms:
        original = originals[(uuid_back[vm.vcenter], vm.moref)]
        assert back["vm"].get(vm.name, vm.name) == original.name  # Horizon's own names stay
        assert back["vm"].get(vm.name) or role_by_name(vm.name) is not None
        if original.instance_uuid is None:  # an inaccessible VM: vCenter reports no config
            assert vm.instance_uuid is None
        else:
            assert back["vm_uuid"][vm.instance_uuid or ""] == original.instance_uuid
    old_machines = {m.id: m for m in demo.machines}
    for machine in after.machines:
        original = old_machines[back["horizon_id"][machine.id]]
        assert back["vm"][machine.name] == original.name
        assert [
            f"{back['dns_domain'][d]}\\{back['user'][u]}"
            for d, u in (n.split("\\") for n in machine.user_names)
        ] == original.user_names
    assert sorted(back["pool"][p.name] for p in after.pools) == sorted(p.name for p in demo.pools)
    hosts = {h.name.split(".")[0]: h for h in after.hosts}
    assert {back["esx_host"][label] for label in hosts} == {
        h.name.split(".")[0] for h in demo.hosts
    }


def test_the_mapping_is_not_in_the_anonymised_snapshot(anonymised: Any, bundle: bytes) -> None:
    text = haystacks(bundle)["snapshot.json (unescaped)"]
    assert "mapping" not in haystacks(bundle)["bundle.json"]
    pairs = [(o, p) for pairs in anonymised.mapping.values() for o, p in pairs.items()]
    assert pairs
    assert all(p.casefold() in text for _, p in pairs)


def test_every_join_still_holds(demo: Snapshot, anonymised: Any) -> None:
    after = anonymised.snapshot
    vms = {(vm.vcenter, vm.moref): vm for vm in after.vms}
    old_vms = {(vm.vcenter, vm.moref): vm for vm in demo.vms}
    pools = {p.id for p in after.pools}
    machines = {m.id for m in after.machines}
    hosts = {(h.vcenter, h.name) for h in after.hosts}
    for old, new in zip(demo.machines, after.machines, strict=True):
        if old.vm_moref is None:
            assert new.vm_moref is None
            continue
        vm, old_vm = vms[(new.vm_vcenter, new.vm_moref)], old_vms[(old.vm_vcenter, old.vm_moref)]
        assert (vm.name == new.name) == (old_vm.name == old.name)
        assert (vm_path(vm) == new.vm_path) == (vm_path(old_vm) == old.vm_path)
        assert ((vm.guest_hostname or "").lower() == (new.dns_name or "").lower()) == (
            (old_vm.guest_hostname or "").lower() == (old.dns_name or "").lower()
        )
        assert (new.host_name == vm.host) == (old.host_name == old_vm.host)
        assert new.pool_id in pools
    for vm in after.vms:
        assert vm.host is None or (vm.vcenter, vm.host) in hosts
    for session in after.sessions:
        assert session.machine_id in machines
        assert session.pool_id is None or session.pool_id in pools
        assert session.farm_id is None or session.farm_id in pools
    assert {vc.instance_uuid for vc in after.vcenters} == {
        hv.instance_uuid for hv in after.horizon_vcenters
    }
    # what collection joins on (folders, golden images) gives the same answers again
    index = VmIndex(after.vms)
    assert golden_image_times(after.pools, index) == after.pools
    assert unmatched_vms(after.pools, after.machines, after.vms) == after.unmatched_vms
    for pool in after.pools:
        if pool.base_snapshot_path:
            parent = vms[(pool.vcenter, pool.parent_vm_id)]
            assert pool.base_snapshot_path in {s.path for s in parent.snapshots}
            assert pool.parent_vm_path == vm_path(parent)


def test_names_in_error_texts_get_the_same_pseudonyms(demo: Snapshot) -> None:
    pool = demo.pools[0]
    error = (
        "Cloning of AMS-W11-035 failed on esx-ams-01.corp.example.test (10.22.0.16) for"
        " corp.example.test\\f.degroot and bob@corp.example.test: folder 'Secret Project X'"
        " in /Amsterdam/vm/Golden Images not found; see https://newsrv.corp.example.test:8443/x"
        " and vm-123, id 5a1c0e2e-7c1b-4d6e-9f30-0c4b8e1a2d01; AMS-W11-999 is next; can't retry"
    )
    source_error = "cannot reach vc09.other.example: connection refused"
    changed = dataclasses.replace(
        demo,
        pools=[dataclasses.replace(pool, last_provisioning_error=error), *demo.pools[1:]],
        sources=[dataclasses.replace(demo.sources[0], error=source_error), *demo.sources[1:]],
    )
    result = anonymise(changed, KEY)
    mapping = result.mapping
    text = next(p for p in result.snapshot.pools if p.id == mapping["horizon_id"][pool.id])
    scrubbed = text.last_provisioning_error or ""
    vm_35 = mapping["vm"]["AMS-W11-035"]
    host = f"{mapping['esx_host']['esx-ams-01']}.{mapping['dns_domain']['corp.example.test']}"
    assert scrubbed.startswith(f"Cloning of {vm_35} failed on {host} (198.18.")
    assert mapping["user"]["f.degroot"] in scrubbed
    assert mapping["vcenter_uuid"]["5a1c0e2e-7c1b-4d6e-9f30-0c4b8e1a2d01"] in scrubbed
    assert "vm-123" in scrubbed and "can't retry" in scrubbed
    assert f"/{mapping['datacenter']['Amsterdam']}/vm/{mapping['folder']['Golden Images']}" in (
        scrubbed
    )
    for secret in (
        "AMS-W11",
        "esx-ams",
        "10.22",
        "degroot",
        "bob",
        "Secret Project",
        "newsrv",
        "corp",
        "example",
        "Amsterdam",
        "Golden",
        "5a1c0e2e",
    ):
        assert secret.casefold() not in scrubbed.casefold(), secret
    source = result.snapshot.sources[0].error or ""
    assert source.endswith(": connection refused") and "vc09" not in source
    assert "other" not in source
    assert not survivors(
        identifiers(changed) | {"Secret Project X", "newsrv", "AMS-W11-999", "vc09"},
        bundle_bytes(result.snapshot, anonymised=True, recorded_at=RECORDED_AT),
    )


# ------------------------------------------------------------------------ (d) hostile names


def hostile() -> Snapshot:
    """The hostile fleet (markup, template syntax, RTL, 10,000 characters, ...) plus control
    characters and empty names; guest OS and service names are kept by design, so they are
    set to ordinary values here to let the search look for the names alone."""
    snapshot = hostile_snapshot()
    control = "ctl\x00nul\x07bell\x1b[31mred\u200bzero"
    extra = [
        dataclasses.replace(snapshot.vms[0], moref="vm-empty", name="", folder="", host=""),
        dataclasses.replace(snapshot.vms[0], moref="vm-control", name=control, folder=control),
    ]
    return dataclasses.replace(
        snapshot,
        vms=[dataclasses.replace(vm, guest_os_running=GUEST_OS) for vm in snapshot.vms + extra],
        connection_servers=[
            dataclasses.replace(s, services=[ServiceStatus("BLAST_SECURE_GATEWAY", "UP")])
            for s in snapshot.connection_servers
        ],
    )


def test_hostile_names_anonymise_without_error() -> None:
    snapshot = hostile()
    result = anonymise(snapshot, KEY)
    text = snapshot_to_json(result.snapshot)
    assert snapshot_to_json(parse_snapshot(text.encode(), "anonymised")) == text
    bundle = bundle_bytes(result.snapshot, anonymised=True, recorded_at=RECORDED_AT)
    originals = identifiers(snapshot)
    assert {h for h in HOSTILE if len(h) > 2} <= originals
    # The builders' short ids (machine "m-1") hide in kept morefs ("vm-1"), their folder
    # "Gold" in the key "golden_image_created": scaffolding, not the names under test.
    scaffolding = re.compile(r"(m|s|cs|gw|pool)-\d+|Gold")
    assert [s for s in survivors(originals, bundle) if not scaffolding.fullmatch(s[0])] == []
    names = {vm.moref: vm.name for vm in result.snapshot.vms}
    assert names["vm-empty"] == ""
    assert names["vm-control"].startswith("vm-") or names["vm-control"].startswith("anon-")
    assert score_card(build_report(result.snapshot)) == score_card(
        build_report(snapshot), result.mapping["pool"]
    )


# ---------------------------------------------------------------- fleetreport anonymise CLI


def test_anonymise_command_writes_a_bundle_and_a_private_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo.zip"
    assert main(["anonymise", str(DEMO), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    mapping = tmp_path / "demo.zip.mapping.json"
    assert f"wrote {out}: anonymised bundle" in printed
    demo = load_snapshot(DEMO)
    assert f"{len(demo.datastores)} datastores, {len(demo.alarms)} alarms" in printed
    events = sum(usage.events for usage in demo.horizon_usage)
    series = sum(usage.status == "measured" for usage in demo.vcenter_usage)
    assert events > 0 and series > 0  # the demo is recorded with 30 days of usage
    assert f", usage: {events} session events, {series} measured performance series" in printed
    assert "DO NOT share it" in printed and str(mapping) in printed
    assert_owner_only(mapping)
    document = json.loads(mapping.read_text("utf-8"))
    assert "never share" in document["warning"]
    assert document["mapping"]["datacenter"] == {"Amsterdam": "dc-01", "Rotterdam": "dc-02"}
    bundle = load_bundle(out)
    assert bundle.anonymised
    assert survivors(identifiers(load_snapshot(DEMO)), out.read_bytes()) == []
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["bundle.json", "snapshot.json"]

    report = tmp_path / "report.json"
    assert main(["report", str(out), "--format", "json", "--out", str(report)]) == 0
    plain = tmp_path / "plain.json"
    assert main(["report", str(DEMO), "--format", "json", "--out", str(plain)]) == 0
    fleet = json.loads(report.read_text(encoding="utf-8"))["fleet"]
    assert fleet == json.loads(plain.read_text(encoding="utf-8"))["fleet"]
    assert main(["summary", str(out)]) == 0
    assert "vc01" not in capsys.readouterr().out

    again = tmp_path / "again.zip"
    private = tmp_path / "again-mapping.json"
    assert main(["-q", "anonymise", str(out), "--out", str(again), "--mapping", str(private)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "DO NOT share it" in captured.err
    assert_owner_only(private)
    twice = load_bundle(again).snapshot
    once = {vm.name.casefold() for vm in bundle.snapshot.vms if not role_by_name(vm.name)}
    assert all(vm.name.startswith(("vm-", "VM-")) or role_by_name(vm.name) for vm in twice.vms)
    assert not once & {vm.name.casefold() for vm in twice.vms}  # no pseudonym is an original


def test_anonymise_refuses_a_mapping_that_is_the_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "b.zip"
    code = main(["anonymise", str(DEMO), "--out", str(out), "--mapping", str(out)])
    assert code == 64
    assert "--mapping must not be the bundle" in capsys.readouterr().err
    assert not out.exists()


# ------------------------------------------- (e) the records around the desktops (issue 15)

PLANTED = (
    "Zuidas",
    "Kroonenberg",
    "Rijnmond",
    "KROONPART",
    "svc-horizon-events",
    "svc-horizon-trust",
    "dc01",
    "es01",
    "hzdr01",
    "uag-ext",
    "Cluster-HZCS01",
    "S-1-5-21-1085031214",
    "10.22.0.201",
    "10.22.0.5",
    "idp.xml",
)
"""Customer words planted in the new records' text fields: none may survive. In error texts
they are names (host names, URLs, addresses, accounts, SIDs, quoted names); a plain word an
error text holds is kept by design (see the anonymiser's docstring)."""

VC01 = "5a1c0e2e-7c1b-4d6e-9f30-0c4b8e1a2d01"
VC02 = "7d2f4a90-31e5-4b8c-a6d2-9e8f1b3c4d02"
POD = "hzcs01.corp.example.test"
DOMAIN_SID = "S-1-5-21-1085031214-1563985344-725345543"
PARTNER_SID = "S-1-5-21-2085031214-2563985344-825345543"
FEDERATED = ("6f85b3a5-e7d0-4ad6-a1e3-37168dd1ed50", "7f85b3a5-e7d0-4ad6-a1e3-37168dd1ed51")
SITES = ("a5882e23-3bf4-1ba6-c128-e780004f2d1e", "b5882e23-3bf4-1ba6-c128-e780004f2d1f")
DATASTORES = (
    Datastore(
        VC01, "datastore-101", "DS-Zuidas-Gold-01", "Amsterdam", "VMFS", 10**13, 3 * 10**12, True
    ),
    Datastore(
        VC01,
        "datastore-102",
        "NFS-Kroonenberg-Archive",
        "Amsterdam",
        "NFS",
        10**12,
        5 * 10**10,
        False,
    ),
    Datastore(
        VC02, "datastore-201", "vsanDatastore-Rijnmond", "Rotterdam", "vsan", 10**13, 10**11, True
    ),
)
CUSTOM_ALARM = "Kroonenberg payroll VM down"
VSAN_ALARM = "vSAN health alarm 'Network health'"
WHEN = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)


def link(server: str, status: str, detail: str | None = None) -> ComponentLink:
    return ComponentLink(server, status, detail)


def full_estate(demo: Snapshot) -> Snapshot:
    """The demo estate with every record issue 15 added, each text field full of the customer's
    words (names in the error texts), so that every new check has something to judge."""
    ds_of = {VC01: ["datastore-101", "datastore-102"], VC02: ["datastore-201"]}
    vms = [
        dataclasses.replace(
            vm,
            datastores=ds_of[vm.vcenter][: 1 + index % 2],
            consolidation_needed=index % 7 == 0,
            ballooned_memory_mb=index % 5 * 100,
            swapped_memory_mb=index % 11,
        )
        for index, vm in enumerate(demo.vms)
    ]
    first_vm = next(vm for vm in demo.vms if vm.vcenter == VC01 and not role_by_name(vm.name))
    hosts = [
        dataclasses.replace(
            host,
            cpu_usage_mhz=30000 + index * 1000,
            cpu_capacity_mhz=64000,
            memory_usage_mb=400000 + index * 20000,
            memory_capacity_mb=524288,
            sensors_reported=index != 3,
            sensor_alerts=[
                HostSensor(
                    "Power Supply 2 PS2 Status",
                    "power",
                    "red",
                    f"PSU failure reported by {host.name} (iLO 10.22.0.201)",
                )
            ]
            if index == 0
            else [],
        )
        for index, host in enumerate(demo.hosts)
    ]
    clusters = [
        dataclasses.replace(
            cluster,
            ha_enabled=index != 1,
            ha_admission_control=index == 0,
            drs_enabled=True,
            drs_behavior="fullyAutomated",
            hosts=4,
            effective_hosts=4 - index,
            cpu_capacity_mhz=256000,
            effective_cpu_mhz=256000 - index * 64000,
            memory_capacity_mb=2097152,
            effective_memory_mb=2097152 - index * 524288,
        )
        for index, cluster in enumerate(demo.clusters)
    ]
    alarms = [
        TriggeredAlarm(
            VC01,
            "Datastore",
            "datastore-102",
            "alarm-5",
            "Datastore usage on disk",
            "red",
            WHEN,
            False,
        ),
        TriggeredAlarm(
            VC01, "VirtualMachine", first_vm.moref, "alarm-901", CUSTOM_ALARM, "red", WHEN
        ),
        TriggeredAlarm(
            VC02, "ClusterComputeResource", demo.clusters[2].moref, "alarm-77", VSAN_ALARM, "yellow"
        ),
        TriggeredAlarm(VC01, "HostSystem", demo.hosts[0].moref, "alarm-3", None, "yellow"),
    ]
    cs01, cs02 = demo.connection_servers
    servers = [
        dataclasses.replace(
            cs01,
            default_certificate=False,
            replications=[
                Replication(
                    cs02.name,
                    "ERROR",
                    f"Replication with {cs02.name} failed: LDAP error on 'HZ-Kroonenberg-Ldap'",
                )
            ],
        ),
        dataclasses.replace(
            cs02, default_certificate=True, replications=[Replication("HZCS01", "OK")]
        ),
    ]
    gateways = [
        dataclasses.replace(
            gateway,
            certificate_days_left=12,
            certificate_problems=["CERT_EXPIRING: certificate of uag-ext.kroonenberg.example"],
            service_errors=[f"BLAST: CONNECTION_FAILED to {gateway.name}"],
            internal=False,
        )
        for gateway in demo.gateways
    ]
    databases = [
        dataclasses.replace(
            database,
            status="ERROR",
            error="Login failed for user 'CORP\\svc-horizon-events' on sql01.corp.example.test",
        )
        for database in demo.event_databases
    ]
    pools = [
        dataclasses.replace(
            pool,
            disconnected_session_policy=("AFTER", "NEVER", "IMMEDIATELY")[index % 3],
            disconnected_session_timeout_minutes=120 if index % 3 == 0 else None,
            health="WARNING" if pool.type == "RDS" else None,
            missing_applications=["Kroonenberg Payroll", "C:\\Program Files\\Kroonenberg\\pay.exe"]
            if pool.type == "RDS"
            else [],
        )
        for index, pool in enumerate(demo.pools)
    ]
    rds = {p.id for p in demo.pools if p.type == "RDS"}
    machines = [
        dataclasses.replace(
            machine,
            session_count=index % 30,
            max_sessions=25,
            max_sessions_type="LIMITED",
        )
        if machine.pool_id in rds
        else machine
        for index, machine in enumerate(demo.machines)
    ]
    links = [
        dataclasses.replace(
            link_, certificate_valid=link_.name.startswith("vc01"), certificate_valid_to=WHEN
        )
        for link_ in demo.horizon_vcenters
    ]
    pods = [
        dataclasses.replace(
            pod,
            skipped={
                "licenses": "not on this server",
                "true_sso_v2": f"HTTP 500 from https://{POD}/rest/monitor/v2/true-sso",
            },
        )
        for pod in demo.pods
    ]
    return dataclasses.replace(
        demo,
        vms=vms,
        hosts=hosts,
        clusters=clusters,
        pods=pods,
        pools=pools,
        machines=machines,
        connection_servers=servers,
        horizon_vcenters=links,
        gateways=gateways,
        event_databases=databases,
        datastores=list(DATASTORES),
        alarms=alarms,
        ad_domains=[
            AdDomain(
                POD,
                DOMAIN_SID,
                "corp.example.test",
                "CORP",
                "CONNECTION_SERVER_DOMAIN",
                [
                    link(cs01.name, "FULLY_ACCESSIBLE", "OK"),
                    link(
                        "hzcs02",
                        "UNCONTACTABLE",
                        "Cannot contact dc01.corp.example.test (10.22.0.5)",
                    ),
                ],
            ),
            AdDomain(
                POD,
                PARTNER_SID,
                "kroonenberg-partners.example",
                "KROONPART",
                "NO_TRUST_DOMAIN",
                [link(cs01.name, "CANNOT_BIND", f"domain SID {PARTNER_SID} unreachable")],
                [ServiceAccount("KROONPART\\svc-horizon-trust", "ERROR")],
            ),
        ],
        saml_authenticators=[
            SamlAuthenticator(
                POD,
                "d0325b13-2bf1-4fa4-b027-e780004f2d1e",
                "Kroonenberg Workspace ONE",
                "ENABLE_IF_NO_PASSWORD",
                [
                    link(
                        cs01.name,
                        "ERROR",
                        "metadata https://ws1.kroonenberg.example/SAAS/API/1.0/GET/metadata/idp.xml",
                    )
                ],
            )
        ],
        true_sso=[
            TrueSso(
                POD,
                "5e85b3a5-e7d0-4ad6-a1e3-37168dd1ed5f",
                "corp.example.test",
                True,
                "WARN",
                [
                    "enrollment server es01.corp.example.test: CONNECTION_ESTABLISHING",
                    "template 'Kroonenberg-TrueSSO': NO_CAPABILITY",
                ],
            )
        ],
        federation_pods=[
            FederationPod(
                POD,
                FEDERATED[0],
                "Cluster-HZCS01",
                SITES[0],
                [PodEndpoint(cs01.name, f"https://{cs01.name}:8472", True, "ONLINE")],
            ),
            FederationPod(
                POD,
                FEDERATED[1],
                "Kroonenberg-DR-Pod",
                SITES[1],
                [
                    PodEndpoint(
                        "hzdr01", "https://hzdr01.dr.kroonenberg.example:8472", True, "OFFLINE"
                    )
                ],
            ),
        ],
        licenses=[
            HorizonLicense(
                POD,
                True,
                "SUBSCRIPTION",
                "HORIZON_ENTERPRISE_CONCURRENT_USER",
                "CONCURRENT_USER",
                WHEN,
                "YELLOW",
                180,
                240,
            )
        ],
    )


@pytest.fixture(scope="module")
def full(demo: Snapshot) -> Snapshot:
    return full_estate(demo)


@pytest.fixture(scope="module")
def full_anonymised(full: Snapshot) -> Any:
    return anonymise(full, KEY)


def test_no_customer_word_survives_in_the_new_records(full: Snapshot, full_anonymised: Any) -> None:
    originals = identifiers(full)
    assert {
        "DS-Zuidas-Gold-01",
        CUSTOM_ALARM,
        "KROONPART",
        "Kroonenberg Workspace ONE",
    } <= originals
    assert "Datastore usage on disk" not in originals
    bundle = bundle_bytes(full_anonymised.snapshot, anonymised=True, recorded_at=RECORDED_AT)
    assert survivors(originals | set(PLANTED), bundle) == []


def test_what_the_new_records_keep(full: Snapshot, full_anonymised: Any) -> None:
    after = full_anonymised.snapshot
    # vCenter's and vSAN's own alarm names are kept, an administrator's replaced
    assert [a.name for a in after.alarms] == [
        "Datastore usage on disk",
        "custom-alarm-01",
        VSAN_ALARM,
        None,
    ]
    assert [(a.entity_type, a.entity, a.alarm, a.status) for a in after.alarms] == [
        (a.entity_type, a.entity, a.alarm, a.status) for a in full.alarms
    ]
    sensor = after.hosts[0].sensor_alerts[0]
    assert (sensor.name, sensor.kind, sensor.health) == (
        "Power Supply 2 PS2 Status",
        "power",
        "red",
    )
    ilo = full_anonymised.mapping["ip"]["10.22.0.201"]
    assert sensor.summary == f"PSU failure reported by {after.hosts[0].name} (iLO {ilo})"
    assert after.licenses == [dataclasses.replace(full.licenses[0], pod=after.pods[0].id)]
    assert after.pods[0].skipped["licenses"] == "not on this server"
    skipped = after.pods[0].skipped["true_sso_v2"]
    assert skipped.startswith("HTTP 500 from https://cs-01.domain01.invalid/rest/")
    gateway = after.gateways[0]
    assert gateway.certificate_problems[0].startswith("CERT_EXPIRING: certificate of ")
    assert gateway.service_errors == [f"BLAST: CONNECTION_FAILED to {gateway.name}"]
    database = after.event_databases[0]
    assert database.error == (
        f"Login failed for user 'DOMAIN01\\{full_anonymised.mapping['user']['svc-horizon-events']}'"
        f" on {database.server_name}"
    )
    assert [d.type for d in after.datastores] == ["VMFS", "NFS", "vsan"]
    assert [(d.moref, d.capacity_bytes, d.free_bytes, d.accessible) for d in after.datastores] == [
        (d.moref, d.capacity_bytes, d.free_bytes, d.accessible) for d in full.datastores
    ]
    assert [vm.datastores for vm in after.vms] == [vm.datastores for vm in full.vms]
    pool = next(p for p in after.pools if p.type == "RDS")
    assert pool.missing_applications == ["app-001", "app-002"]
    assert [p.disconnected_session_policy for p in after.pools] == [
        p.disconnected_session_policy for p in full.pools
    ]


def test_pseudonyms_agree_across_the_new_records(full_anonymised: Any) -> None:
    after, mapping = full_anonymised.snapshot, full_anonymised.mapping
    cs01, cs02 = (s.name for s in after.connection_servers)
    label = {name: name.split(".")[0].casefold() for name in (cs01, cs02)}
    # a replication partner, a component link and a pod endpoint are Connection Servers
    replication = after.connection_servers[0].replications[0]
    assert replication.server_name == cs02
    assert replication.message.startswith(f"Replication with {cs02} failed: LDAP error on 'name-")
    assert after.connection_servers[1].replications[0].server_name.casefold() == label[cs01]
    domain, partner = after.ad_domains
    assert domain.links[0].server == cs01
    assert domain.links[1].server.casefold() == label[cs02]
    assert after.federation_pods[0].endpoints[0].name == cs01
    assert after.federation_pods[0].endpoints[0].url == f"https://{cs01}:8472"
    assert after.saml_authenticators[0].links[0].server == cs01
    # AD domains: the domain part of user names, DNS and NetBIOS alike
    users = {name.split("\\")[0] for m in after.machines for name in m.user_names}
    assert users == {domain.dns_name} == {mapping["dns_domain"]["corp.example.test"]}
    assert domain.netbios_name == "DOMAIN01" == mapping["ad_domain"]["CORP"]
    assert after.event_databases[0].error.split("'")[1].split("\\")[0] == domain.netbios_name
    assert partner.netbios_name == mapping["ad_domain"]["KROONPART"]
    assert partner.service_accounts[0].user_name == (
        f"{partner.netbios_name}\\{mapping['user']['svc-horizon-trust']}"
    )
    assert partner.dns_name == mapping["dns_domain"]["kroonenberg-partners.example"]
    assert partner.id == mapping["domain_id"][PARTNER_SID]
    assert partner.links[0].detail == f"domain SID {partner.id} unreachable"
    assert after.true_sso[0].name == domain.dns_name  # named after its domain
    # Horizon's UUIDs are keyed like every other id; federated pods and sites stay distinct
    assert [p.id for p in after.federation_pods] == [
        mapping["horizon_id"][uuid] for uuid in FEDERATED
    ]
    assert len({p.site for p in after.federation_pods}) == 2
    assert after.federation_pods[1].name != after.federation_pods[0].name
    # datastores: their pseudonyms everywhere, their morefs kept for the VMs' references
    names = {d.moref: d.name for d in after.datastores}
    assert names == {d.moref: mapping["datastore"][d.name] for d in DATASTORES}
    assert {a.vcenter for a in after.alarms} <= {v.instance_uuid for v in after.vcenters}
    assert {d.vcenter for d in after.datastores} == {v.instance_uuid for v in after.vcenters}


Verdicts = dict[str, list[list[tuple[str, str, str | None, bool]]]]


def verdicts(snapshot: Snapshot) -> tuple[Verdicts, set[str]]:
    """Per subject kind, in the snapshot's order, what every check said about each subject;
    and the subject kinds the enabled checks judge."""
    settings = default_settings()
    evaluation = evaluate(FleetView(snapshot, settings.scope, settings.desktops), settings)
    result: Verdicts = {}
    for (kind, _), judged in evaluation.judgements.items():
        result.setdefault(kind.value, []).append(
            [
                (j.check.id, j.outcome.status.value, j.outcome.severity, j.outcome.not_applicable)
                for j in judged
            ]
        )
    return result, {check.subject.value for check in evaluation.checks}


def test_every_check_gives_the_same_verdicts(full: Snapshot, full_anonymised: Any) -> None:
    (before, judged), (after, _) = verdicts(full), verdicts(full_anonymised.snapshot)
    assert after == before
    assert set(before) == judged  # the estate has a subject of every kind a check judges
    assert {"desktop", "pool", "host", "connection_server", "pod"} <= judged
    assert len(before["desktop"]) > 300
    assert score_card(build_report(full_anonymised.snapshot)) == score_card(
        build_report(full), full_anonymised.mapping["pool"]
    )


def test_alarm_names_vcenter_defines_are_kept_and_others_replaced() -> None:
    assert is_preconfigured("Host connection and power state")
    assert is_preconfigured("datastore usage on disk")
    assert not is_preconfigured("Datastore usage on disk at Kroonenberg")
    alarms = [
        TriggeredAlarm(VC01, "HostSystem", "host-1", f"alarm-{n}", name, "red")
        for n, name in enumerate(
            (
                "Virtual machine Consolidation Needed status",
                "Insufficient vSphere HA failover resources",
                "Zuidas backup window",
                "vSAN health alarm 'Hosts disconnected from VC'",
                "vSAN health alarm 'esx-ams-01.corp.example.test unreachable'",
                "",
            )
        )
    ]
    changed = dataclasses.replace(load_snapshot(DEMO), alarms=alarms)
    result = anonymise(changed, KEY).snapshot
    names = [a.name or "" for a in result.alarms]
    assert names[:2] == [a.name for a in alarms[:2]]
    assert names[2] == "custom-alarm-01"
    assert names[3] == "vSAN health alarm 'Hosts disconnected from VC'"
    assert names[4].startswith("vSAN health alarm 'host-") and "esx-ams" not in names[4]
    assert names[5] == ""


# -------------------------------------------------------------- every field, decided once

SCRUBBED = frozenset(
    {
        "ComponentLink.detail",
        "DesktopPool.last_provisioning_error",
        "DesktopPool.pending_image_error",
        "EventDatabase.error",
        "Gateway.certificate_problems",
        "Gateway.service_errors",
        "HorizonPod.identity",
        "HorizonPod.skipped",
        "HostSensor.name",
        "HostSensor.summary",
        "HorizonUsage.reason",
        "Replication.message",
        "Source.error",
        "TrueSso.problems",
        "VCenter.usage_error",
        "VCenterUsage.note",
    }
)
"""Text fields whose words are kept with every name in them replaced: error texts and the
hardware's own words about a sensor."""

KEPT = frozenset(
    {
        # states, statuses, types and modes (enums, verbatim)
        "AdDomain.domain_type",
        "Cluster.drs_behavior",
        "ComponentLink.status",
        "ConnectionServer.status",
        "Datastore.maintenance_mode",
        "Datastore.type",
        "DesktopPool.disconnected_session_policy",
        "DesktopPool.health",
        "DesktopPool.image_state",
        "DesktopPool.kind",
        "DesktopPool.naming_method",
        "DesktopPool.pending_image_state",
        "DesktopPool.power_policy",
        "DesktopPool.source",
        "DesktopPool.type",
        "DesktopPool.user_assignment",
        "EventDatabase.status",
        "Gateway.status",
        "Gateway.type",
        "HorizonLicense.edition",
        "HorizonLicense.health",
        "HorizonLicense.mode",
        "HorizonLicense.usage_model",
        "HorizonVCenter.status",
        "HostSensor.health",
        "HostSensor.kind",
        "Host.connection_state",
        "Host.power_state",
        "Machine.join",
        "Machine.kind",
        "Machine.max_sessions_type",
        "Machine.operation_state",
        "Machine.power_state",
        "Machine.state",
        "PodEndpoint.status",
        "Replication.status",
        "SamlAuthenticator.trigger_mode",
        "ServiceAccount.status",
        "ServiceStatus.status",
        "Session.protocol",
        "Session.session_type",
        "Session.state",
        "Source.kind",
        "Source.status",
        "TriggeredAlarm.entity_type",
        "TriggeredAlarm.status",
        "TrueSso.status",
        "HorizonUsage.status",
        "VCenterUsage.entity_type",
        "VCenterUsage.status",
        "VCenterUsage.counter",
        "PoolDayUsage.day",
        "VirtualMachine.connection_state",
        "VirtualMachine.power_state",
        "VirtualMachine.tools_running_status",
        "VirtualMachine.tools_status",
        "VirtualMachine.tools_version_status",
        # versions, builds, guest OS, service names, API versions: product text
        "ConnectionServer.build",
        "ConnectionServer.version",
        "Gateway.version",
        "HorizonPod.api_versions",
        "HorizonPod.api_versions.key",
        "HorizonPod.skipped.key",
        "HorizonUsage.api_version",
        "HorizonVCenter.build",
        "HorizonVCenter.version",
        "Host.build",
        "Host.version",
        "Machine.agent_build",
        "Machine.agent_version",
        "Machine.operating_system",
        "ServiceStatus.name",
        "Snapshot.generator",
        "Source.api_versions",
        "Source.api_versions.key",
        "VCenter.api_version",
        "VCenter.build",
        "VCenter.full_name",
        "VCenter.version",
        "VirtualMachine.guest_id",
        "VirtualMachine.guest_id_running",
        "VirtualMachine.guest_os_configured",
        "VirtualMachine.guest_os_running",
        "VirtualMachine.hardware_version",
        "VirtualMachine.tools_version",
        # managed object ids name nothing (``vm-123``)
        "Cluster.moref",
        "Datacenter.moref",
        "Datastore.moref",
        "DesktopPool.base_snapshot_id",
        "DesktopPool.parent_vm_id",
        "DesktopPool.pending_snapshot_id",
        "DesktopPool.vm_folder_id",
        "Host.moref",
        "Machine.base_snapshot_id",
        "Machine.base_vm_id",
        "Machine.pending_base_snapshot_id",
        "Machine.pending_base_vm_id",
        "Machine.vm_moid",
        "Machine.vm_moref",
        "TriggeredAlarm.alarm",
        "TriggeredAlarm.entity",
        "UnmatchedVm.moref",
        "VirtualMachine.datastores",
        "VirtualMachine.folder_moref",
        "VirtualMachine.moref",
        "VmSnapshot.moref",
        "VCenterUsage.moref",
    }
)
"""Text fields kept verbatim: what the checks judge, and what names nothing."""


def marked(text: Callable[[str, str], str]) -> tuple[Snapshot, dict[str, str]]:
    """:func:`marked_snapshot` with ``text(field, marker)`` in each field; marker -> field."""
    where: dict[str, str] = {}

    def marker(field: str) -> str:
        mark = f"Zq{len(where) + 1}x"
        where[mark] = re.sub(r"\[\d+\]", "", field)
        return text(where[mark], mark)

    return marked_snapshot(marker), where


def test_every_text_field_is_replaced_unless_kept_on_purpose() -> None:
    """A distinct marker in every text field of every record: the markers that survive are
    exactly those of the fields kept or scrubbed on purpose (a new field must be decided)."""
    snapshot, where = marked(lambda field, mark: mark)
    text = haystacks(
        bundle_bytes(anonymise(snapshot, KEY).snapshot, anonymised=True, recorded_at=RECORDED_AT)
    )["snapshot.json (unescaped)"]
    kept = {field for mark, field in where.items() if mark.casefold() in text}
    assert kept == KEPT | SCRUBBED
    assert not KEPT & SCRUBBED


def test_hostile_text_in_every_field_of_every_record_goes_through() -> None:
    """Markup, template syntax, RTL, 10,000 characters and control characters in every text
    field of every record (the new ones too): anonymised without error, and it loads back."""
    strings = (*HOSTILE, "ctl\x00nul\x07bell\x1b[31mred\u200bzero", "")
    snapshot, where = marked(lambda field, mark: f"{strings[len(field) % len(strings)]}{mark}")
    result = anonymise(snapshot, KEY)
    text = snapshot_to_json(result.snapshot)
    assert snapshot_to_json(parse_snapshot(text.encode(), "anonymised")) == text
    replaced = {field for mark, field in where.items() if mark not in text}
    assert replaced and not replaced & KEPT


def test_every_scrubbed_field_loses_the_names_in_it() -> None:
    """The same snapshot with names in each scrubbed field: a host name, a URL, an account, an
    address, a quoted name and the name of a datastore; their words stay, the names go."""

    def text(field: str, mark: str) -> str:
        if field not in SCRUBBED:
            return mark
        return (
            f"{mark} failed on esx-zuidas.kroonenberg.example via https://kroonenberg.example/x"
            f" for KROONPART\\j.rijnmond at 10.22.9.9 in 'Kroonenberg Vault' on DS-Zuidas"
        )

    snapshot, where = marked(text)
    snapshot = dataclasses.replace(
        snapshot, datastores=[dataclasses.replace(d, name="DS-Zuidas") for d in snapshot.datastores]
    )
    after = snapshot_to_json(anonymise(snapshot, KEY).snapshot)
    for secret in ("zuidas", "kroonenberg", "rijnmond", "10.22.9.9", "vault"):
        assert secret not in after.casefold(), secret
    scrubbed = {field for mark, field in where.items() if f"{mark} failed on " in after}
    assert scrubbed == SCRUBBED


# ------------------------------------------------------------------------- bundle counts


def test_the_manifest_counts_every_list_of_records(full: Snapshot) -> None:
    manifest = manifest_for(full, anonymised=False, recorded_at=RECORDED_AT)
    lists = {
        f.name
        for f in dataclasses.fields(Snapshot)
        if f.name != "sources" and f.type.startswith("list[")
    }
    assert set(manifest["counts"]) == lists
    assert {k: manifest["counts"][k] for k in ("datastores", "alarms", "ad_domains")} == {
        "datastores": 3,
        "alarms": 4,
        "ad_domains": 2,
    }
    assert {k: manifest["counts"][k] for k in ("saml_authenticators", "true_sso")} == {
        "saml_authenticators": 1,
        "true_sso": 1,
    }
    assert (manifest["counts"]["federation_pods"], manifest["counts"]["licenses"]) == (2, 1)
    assert "Kroonenberg" not in json.dumps(manifest)
