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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.hostile import HOSTILE, hostile_snapshot
from support.leaks import haystacks, identifiers, survivors
from support.paths import DEMO_SNAPSHOT
from support.private_files import assert_owner_only

from fleetreport.cli import main
from fleetreport.collect.infer import InferenceRule, infer_pools
from fleetreport.collect.join import VmIndex, golden_image_times, unmatched_vms, vm_path
from fleetreport.health.build import build_report
from fleetreport.health.report_model import HealthReport
from fleetreport.record import anonymise, invert, load_bundle
from fleetreport.record.bundle import bundle_bytes
from fleetreport.snapshot.model import ServiceStatus, Snapshot, VirtualMachine
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
