"""The vCenter collector against govmomi's simulator: every value the scenario set comes back."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from support.paths import SCENARIOS
from support.vcsim import VcsimServer, start_vcsim

from fleetreport.cli import main
from fleetreport.errors import ExitCode
from fleetreport.snapshot import Snapshot, load_snapshot
from fleetreport.snapshot.codec import parse_time

pytestmark = pytest.mark.simulator


VM_FIELDS = {  # scenario key -> snapshot attribute
    "power_state": "power_state",
    "connection_state": "connection_state",
    "template": "template",
    "instance_uuid": "instance_uuid",
    "guest_id": "guest_id",
    "guest_full_name": "guest_os_configured",
    "running_guest_full_name": "guest_os_running",
    "running_guest_id": "guest_id_running",
    "guest_hostname": "guest_hostname",
    "ip_address": "ip_address",
    "tools_status": "tools_status",
    "tools_version_status2": "tools_version_status",
    "tools_running_status": "tools_running_status",
    "tools_version": "tools_version",
    "hardware_version": "hardware_version",
    "num_cpu": "num_cpu",
    "memory_mb": "memory_mb",
    "annotation": "annotation",
    "datacenter": "datacenter",
    "cluster": "cluster",
    "host": "host",
    "folder": "folder",
}
HOST_FIELDS = ("version", "build", "connection_state", "in_maintenance_mode", "power_state")


@pytest.fixture(scope="module")
def basic_server() -> Iterator[VcsimServer]:
    with start_vcsim(SCENARIOS / "basic.json") as server:
        yield server


def collect(
    server: VcsimServer, out: Path, *extra: str, password: str | None = None
) -> tuple[int, str]:
    os.environ["VC_TEST_PASSWORD"] = password if password is not None else server.password
    try:
        code = main(
            [
                "collect",
                "--vcenter",
                server.url,
                "--user",
                server.username,
                "--password-env",
                "VC_TEST_PASSWORD",
                "--ca-file",
                str(server.ca_file),
                "--out",
                str(out),
                *extra,
            ]
        )
    finally:
        del os.environ["VC_TEST_PASSWORD"]
    return code, ""


@pytest.fixture(scope="module")
def basic_snapshot(basic_server: VcsimServer, tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    out = tmp_path_factory.mktemp("collect") / "snapshot.json"
    code, _ = collect(basic_server, out)
    assert code == ExitCode.OK
    return load_snapshot(out)


def flatten(trees: list[dict[str, Any]], depth: int = 0, prefix: str = "") -> Iterator[tuple]:
    for tree in trees:
        path = f"{prefix}/{tree['name']}"
        yield (tree["name"], parse_time(tree["created"]), depth, path)
        yield from flatten(tree.get("children") or [], depth + 1, path)


def scenario_vms(server: VcsimServer) -> list[dict[str, Any]]:
    return list(server.scenario["vms"])


def test_every_scenario_vm_is_collected_with_its_moref(
    basic_server: VcsimServer, basic_snapshot: Snapshot
) -> None:
    collected = {vm.name: vm.moref for vm in basic_snapshot.vms}
    expected = {
        vm["name"]: basic_server.manifest["vms"][vm["name"]] for vm in scenario_vms(basic_server)
    }
    assert collected == expected


def test_every_vm_value_equals_the_scenario(
    basic_server: VcsimServer, basic_snapshot: Snapshot
) -> None:
    by_name = {vm.name: vm for vm in basic_snapshot.vms}
    checked = 0
    for wanted in scenario_vms(basic_server):
        vm = by_name[wanted["name"]]
        assert vm.vcenter == basic_server.instance_uuid
        for key, attribute in VM_FIELDS.items():
            if key in wanted:
                assert getattr(vm, attribute) == wanted[key], (wanted["name"], key)
                checked += 1
        if "boot_time" in wanted:
            expected_boot = parse_time(wanted["boot_time"]) if wanted["boot_time"] else None
            assert vm.boot_time == expected_boot, wanted["name"]
        if "custom_values" in wanted:
            assert vm.custom_attributes == wanted["custom_values"]
        if "resource_pool" in wanted:
            assert vm.resource_pool == wanted["resource_pool"]
        expected_snapshots = list(flatten(wanted.get("snapshots") or []))
        assert [(s.name, s.created, s.depth, s.path) for s in vm.snapshots] == expected_snapshots
        assert all(s.moref.startswith("snapshot-") for s in vm.snapshots)
    assert checked > 100


def test_hosts_clusters_datacenters_and_vcenter(
    basic_server: VcsimServer, basic_snapshot: Snapshot
) -> None:
    scenario = basic_server.scenario
    expected_hosts = {
        h["name"]: (dc["name"], cluster["name"], h)
        for dc in scenario["datacenters"]
        for cluster in dc["clusters"]
        for h in cluster["hosts"]
    }
    assert {h.name for h in basic_snapshot.hosts} == set(expected_hosts)
    for host in basic_snapshot.hosts:
        datacenter, cluster, wanted = expected_hosts[host.name]
        assert (host.datacenter, host.cluster) == (datacenter, cluster)
        assert host.moref == basic_server.manifest["hosts"][host.name]
        for key in HOST_FIELDS:
            if key in wanted:
                assert getattr(host, key) == wanted[key], (host.name, key)
    assert {c.name for c in basic_snapshot.clusters} == {
        c["name"] for dc in scenario["datacenters"] for c in dc["clusters"]
    }
    assert {d.name for d in basic_snapshot.datacenters} == {
        dc["name"] for dc in scenario["datacenters"]
    }
    (vcenter,) = basic_snapshot.vcenters
    assert vcenter.instance_uuid == scenario["vcenter"]["instance_uuid"]
    assert vcenter.version == scenario["vcenter"]["version"]
    assert vcenter.build == scenario["vcenter"]["build"]


def test_source_record_and_round_trips(basic_snapshot: Snapshot) -> None:
    (source,) = basic_snapshot.sources
    assert source.status == "ok" and source.tls_verified
    listed = ("vms", "hosts", "clusters", "datacenters", "datastores")
    assert source.objects == sum(len(getattr(basic_snapshot, name)) for name in listed)
    # version document, content, login, 7 views, 1 retrieval, 1 for the names of the alarms
    # triggered in basic.json, 7 destroys, logout
    assert source.round_trips <= 20
    assert {(a.entity_type, a.name, a.status) for a in basic_snapshot.alarms} == {
        ("HostSystem", "Host hardware fan status", "red"),
        ("VirtualMachine", "Virtual machine memory usage", "yellow"),
    }


def test_round_trips_do_not_grow_with_vms_except_by_pages(
    basic_server: VcsimServer, basic_snapshot: Snapshot, tmp_path: Path
) -> None:
    """With a page of 5 objects, the extra round trips are exactly the extra pages."""
    out = tmp_path / "paged.json"
    code, _ = collect(basic_server, out, "--page-size", "5")
    assert code == ExitCode.OK
    paged = load_snapshot(out)
    objects_in_retrieval = paged.sources[0].objects  # lower bound on objects the pages held
    extra_pages = paged.sources[0].round_trips - basic_snapshot.sources[0].round_trips
    assert extra_pages >= objects_in_retrieval // 5 - 1
    assert [vm.moref for vm in paged.vms] == [vm.moref for vm in basic_snapshot.vms]
    assert paged.vms == basic_snapshot.vms


def test_two_collections_give_identical_files_but_for_times(
    basic_server: VcsimServer, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert collect(basic_server, first)[0] == ExitCode.OK
    assert collect(basic_server, second)[0] == ExitCode.OK

    def without_times(path: Path) -> dict[str, Any]:
        data = json.loads(path.read_text(encoding="utf-8"))
        del data["collected_at"]
        for source in data["sources"]:
            del source["started_at"], source["finished_at"]
        return data

    assert without_times(first) == without_times(second)


def test_hostile_names_arrive_verbatim(basic_server: VcsimServer, basic_snapshot: Snapshot) -> None:
    hostile = [vm["name"] for vm in scenario_vms(basic_server) if "<" in vm["name"]]
    assert hostile, "the basic scenario must carry a hostile name"
    names = {vm.name for vm in basic_snapshot.vms}
    assert set(hostile) <= names


def test_wrong_password(
    basic_server: VcsimServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.json"
    code, _ = collect(basic_server, out, password="not-the-password")
    err = capsys.readouterr().err
    assert code == ExitCode.ERROR
    assert err.count("\n") == 1 and "rejected the user name or password" in err
    assert "not-the-password" not in err
    assert not out.exists()


def test_a_rejected_password_names_the_user_and_what_to_check(
    basic_server: VcsimServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = collect(basic_server, tmp_path / "s.json", password="Expired-Winter2025!")
    err = capsys.readouterr().err
    assert code == ExitCode.ERROR
    assert f"rejected the user name or password for {basic_server.username!r}" in err
    assert "(hint: check --user and the password source)" in err


def test_certificate_that_does_not_verify(
    basic_server: VcsimServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VC_TEST_PASSWORD", basic_server.password)
    out = tmp_path / "s.json"
    code = main(
        [
            "collect",
            "--vcenter",
            basic_server.url,
            "--user",
            basic_server.username,
            "--password-env",
            "VC_TEST_PASSWORD",
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == ExitCode.ERROR
    assert "TLS certificate did not verify" in err and "--ca-file" in err and "--insecure" in err
    assert err.count("\n") == 1
    assert not out.exists()


def test_insecure_says_so_and_records_it(
    basic_server: VcsimServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VC_TEST_PASSWORD", basic_server.password)
    out = tmp_path / "s.json"
    code = main(
        [
            "collect",
            "--vcenter",
            basic_server.url,
            "--user",
            basic_server.username,
            "--password-env",
            "VC_TEST_PASSWORD",
            "--insecure",
            "--out",
            str(out),
        ]
    )
    assert code == ExitCode.OK
    assert "verification is OFF" in capsys.readouterr().err
    assert load_snapshot(out).sources[0].tls_verified is False


def test_two_vcenters_and_a_failed_one(
    basic_server: VcsimServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with start_vcsim(
        SCENARIOS / "basic_second_vc.json",
        username=basic_server.username,
        password=basic_server.password,
    ) as second:
        ca_bundle = tmp_path / "cas.pem"
        ca_bundle.write_text(
            basic_server.ca_file.read_text(encoding="utf-8")
            + second.ca_file.read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        monkeypatch.setenv("VC_TEST_PASSWORD", basic_server.password)
        base = [
            "collect",
            "--user",
            basic_server.username,
            "--password-env",
            "VC_TEST_PASSWORD",
            "--ca-file",
            str(ca_bundle),
        ]
        out = tmp_path / "both.json"
        assert (
            main([*base, "--vcenter", basic_server.url, "--vcenter", second.url, "--out", str(out)])
            == ExitCode.OK
        )
        both = load_snapshot(out)
        assert {v.instance_uuid for v in both.vcenters} == {
            basic_server.instance_uuid,
            second.instance_uuid,
        }
        assert {vm.vcenter for vm in both.vms} == {basic_server.instance_uuid, second.instance_uuid}
        dead_url = second.url
    capsys.readouterr()
    failed_out = tmp_path / "partial.json"
    code = main(
        [
            *base,
            "--timeout",
            "5",
            "--vcenter",
            basic_server.url,
            "--vcenter",
            dead_url,
            "--out",
            str(failed_out),
        ]
    )
    err = capsys.readouterr().err
    assert code == ExitCode.ERROR
    assert dead_url in err and "--allow-partial" in err
    assert not failed_out.exists()
    code = main(
        [
            *base,
            "--timeout",
            "5",
            "--vcenter",
            basic_server.url,
            "--vcenter",
            dead_url,
            "--allow-partial",
            "--out",
            str(failed_out),
        ]
    )
    assert code == ExitCode.PARTIAL
    partial = load_snapshot(failed_out)
    statuses = {s.url: s.status for s in partial.sources}
    assert statuses == {basic_server.url: "ok", dead_url: "failed"}
    assert next(s.error for s in partial.sources if s.status == "failed")


def test_boot_times_are_utc(basic_snapshot: Snapshot) -> None:
    times = [vm.boot_time for vm in basic_snapshot.vms if vm.boot_time is not None]
    assert times and all(
        isinstance(t, datetime) and t.utcoffset().total_seconds() == 0 for t in times
    )
