"""Smoke tests of the vCenter simulator rig (tests/vcsim + tests/support/vcsim.py).

They talk to the simulator with pyVmomi directly (verified TLS against the rig's own CA), and
check that what a scenario says is exactly what a PropertyCollector reads back.
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl
from support import vcsim
from support.vcsim import VcsimError, VcsimServer, build_vcsim, load_scenario, start_vcsim

pytestmark = pytest.mark.simulator

PC = vmodl.query.PropertyCollector

VM_PATHS = [
    "name",
    "config.instanceUuid",
    "config.version",
    "config.template",
    "config.guestId",
    "config.guestFullName",
    "config.annotation",
    "config.hardware.numCPU",
    "config.hardware.memoryMB",
    "runtime.powerState",
    "runtime.connectionState",
    "runtime.bootTime",
    "runtime.host",
    "guest.toolsStatus",
    "guest.toolsVersionStatus2",
    "guest.toolsRunningStatus",
    "guest.toolsVersion",
    "guest.guestId",
    "guest.guestFullName",
    "guest.hostName",
    "guest.ipAddress",
    "customValue",
    "snapshot",
    "parent",
    "resourcePool",
]
HOST_PATHS = [
    "name",
    "parent",
    "summary.config.product.version",
    "summary.config.product.build",
    "config.product.build",
    "runtime.connectionState",
    "runtime.inMaintenanceMode",
    "runtime.powerState",
]
# scenario field -> VirtualMachine property path
FIELD_PATHS = {
    "power_state": "runtime.powerState",
    "connection_state": "runtime.connectionState",
    "template": "config.template",
    "instance_uuid": "config.instanceUuid",
    "guest_id": "config.guestId",
    "guest_full_name": "config.guestFullName",
    "running_guest_id": "guest.guestId",
    "running_guest_full_name": "guest.guestFullName",
    "guest_hostname": "guest.hostName",
    "ip_address": "guest.ipAddress",
    "tools_status": "guest.toolsStatus",
    "tools_version_status2": "guest.toolsVersionStatus2",
    "tools_running_status": "guest.toolsRunningStatus",
    "tools_version": "guest.toolsVersion",
    "hardware_version": "config.version",
    "boot_time": "runtime.bootTime",
    "num_cpu": "config.hardware.numCPU",
    "memory_mb": "config.hardware.memoryMB",
    "annotation": "config.annotation",
}


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def collect(
    si: Any,
    kind: type,
    paths: Sequence[str],
    *,
    max_objects: int | None = None,
    collector: Any = None,
) -> tuple[dict[str, dict[str, Any]], int]:
    """moid -> {path: value} for every object of ``kind``, following tokens; and the page count."""
    content = si.RetrieveContent()
    collector = collector or content.propertyCollector
    view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
    try:
        spec = PC.FilterSpec(
            objectSet=[
                PC.ObjectSpec(
                    obj=view,
                    skip=True,
                    selectSet=[
                        PC.TraversalSpec(
                            name="view", path="view", skip=False, type=vim.view.ContainerView
                        )
                    ],
                )
            ],
            propSet=[PC.PropertySpec(type=kind, pathSet=list(paths), all=False)],
        )
        options = (
            PC.RetrieveOptions(maxObjects=max_objects) if max_objects else PC.RetrieveOptions()
        )
        result = collector.RetrievePropertiesEx([spec], options)
        objects: dict[str, dict[str, Any]] = {}
        pages = 0
        while result is not None:
            pages += 1
            for content_obj in result.objects:
                assert content_obj.obj._moId not in objects, "an object came back twice"
                objects[content_obj.obj._moId] = {p.name: p.val for p in content_obj.propSet}
            if not result.token:
                break
            result = collector.ContinueRetrievePropertiesEx(result.token)
        return objects, pages
    finally:
        view.DestroyView()


@pytest.fixture(scope="module")
def basic() -> Iterator[VcsimServer]:
    with start_vcsim("basic") as server:
        yield server


@pytest.fixture(scope="module")
def basic_si(basic: VcsimServer) -> Iterator[Any]:
    si = SmartConnect(
        host=basic.host,
        port=basic.port,
        user=basic.username,
        pwd=basic.password,
        sslContext=ssl.create_default_context(cafile=basic.ca_file),
    )
    yield si
    Disconnect(si)


@pytest.fixture(scope="module")
def basic_vms(basic_si: Any) -> dict[str, dict[str, Any]]:
    """VM name -> properties, read in one RetrievePropertiesEx."""
    objects, _ = collect(basic_si, vim.VirtualMachine, VM_PATHS)
    by_name = {}
    for moid, props in objects.items():
        props["_moid"] = moid
        by_name[props["name"]] = props
    return by_name


# --- build and lifecycle ------------------------------------------------------------------


def test_build_is_cached_by_source_hash() -> None:
    first = build_vcsim()
    started = time.monotonic()
    second = build_vcsim()
    assert first == second
    assert first.is_file()
    assert time.monotonic() - started < 1.0


def test_missing_govmomi_is_an_error_not_a_skip(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FLEETREPORT_VCSIM_GOPATH", str(tmp_path / "no-gopath"))
    with pytest.raises(VcsimError, match="golang-github-vmware-govmomi-dev"):
        build_vcsim()


def test_missing_go_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FLEETREPORT_GO", str(tmp_path / "no-such-go"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(VcsimError, match="golang-go"):
        build_vcsim()


def test_compile_errors_are_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "main.go").write_text(
        "package main\n\nfunc main() { this is not go }\n", encoding="utf-8"
    )
    monkeypatch.setattr(vcsim, "VCSIM_SOURCE", source)
    monkeypatch.setenv("FLEETREPORT_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(VcsimError, match=r"building the vCenter simulator failed(.|\n)*main\.go"):
        build_vcsim()


def test_start_is_fast_and_stop_cleans_up() -> None:
    build_vcsim()
    started = time.monotonic()
    server = start_vcsim("basic")
    elapsed = time.monotonic() - started
    try:
        assert server.running
        assert server.manifest["pid"] == server.pid
        assert server.url == f"https://127.0.0.1:{server.port}/sdk"
        assert elapsed < 5, f"basic scenario took {elapsed:.2f}s to start"
        workdir, datastores = server.workdir, server.datastore_dir
        assert datastores.is_dir()
    finally:
        server.stop()
    server.stop()  # idempotent
    assert not server.running
    assert server.process.returncode == 0, server.log()
    assert not workdir.exists()
    assert not datastores.exists()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((server.host, server.port), timeout=1).close()


def test_bad_scenarios_fail_with_the_reason(tmp_path: Path) -> None:
    base = {
        "vcenter": {},
        "datacenters": [{"name": "DC", "clusters": [{"name": "C", "hosts": [{"name": "h"}]}]}],
    }
    with pytest.raises(VcsimError, match='unknown field "powr_state"'):
        start_vcsim({**base, "vms": [{"name": "x", "powr_state": "poweredOn"}]})
    with pytest.raises(VcsimError, match="not one of"):
        start_vcsim({**base, "vms": [{"name": "x", "power_state": "on"}]})
    with pytest.raises(VcsimError, match="control character U\\+0007"):
        start_vcsim({**base, "vms": [{"name": "bell\x07"}]})
    with pytest.raises(VcsimError, match="not declared in custom_fields"):
        start_vcsim({**base, "vms": [{"name": "x", "custom_values": {"Owner": "a"}}]})
    with pytest.raises(FileNotFoundError):
        start_vcsim(tmp_path / "missing.json")


# --- login, TLS, about ----------------------------------------------------------------------


def test_about_matches_the_scenario(basic: VcsimServer, basic_si: Any) -> None:
    about = basic_si.RetrieveContent().about
    expected = basic.scenario["vcenter"]
    assert about.instanceUuid == expected["instance_uuid"] == basic.instance_uuid
    assert about.version == expected["version"]
    assert about.build == expected["build"]
    assert (
        about.fullName == f"VMware vCenter Server {expected['version']} build-{expected['build']}"
    )
    assert about.apiType == "VirtualCenter"
    assert about.apiVersion == "7.0.3.0"
    assert basic.manifest["vcenter_name"] == expected["name"]


def test_tls_is_verified_against_the_rig_ca(basic: VcsimServer) -> None:
    with (
        pytest.raises(ssl.SSLCertVerificationError),
        socket.create_connection((basic.host, basic.port), timeout=5) as sock,
        ssl.create_default_context().wrap_socket(sock, server_hostname="127.0.0.1"),
    ):
        pass
    with (
        socket.create_connection((basic.host, basic.port), timeout=5) as sock,
        basic.ssl_context().wrap_socket(sock, server_hostname="127.0.0.1") as tls,
    ):
        cert = tls.getpeercert()
        assert cert is not None
        assert ("IP Address", "127.0.0.1") in cert["subjectAltName"]


@pytest.mark.parametrize(
    ("user", "password"),
    [("fleetreport@vsphere.local", "wrong"), ("someone@vsphere.local", None), ("", None)],
)
def test_wrong_credentials_are_invalid_login(
    basic: VcsimServer, user: str, password: str | None
) -> None:
    with pytest.raises(vim.fault.InvalidLogin):
        SmartConnect(
            host=basic.host,
            port=basic.port,
            user=user,
            pwd=basic.password if password is None else password,
            sslContext=basic.ssl_context(),
        )


def test_custom_credentials(tmp_path: Path) -> None:
    with start_vcsim("basic", username="reader@corp.example.test", password="s3cr&t<pw>") as s:
        si = s.connect()
        assert si.content.sessionManager.currentSession.userName == "reader@corp.example.test"
        Disconnect(si)
        with pytest.raises(vim.fault.InvalidLogin):
            s.connect(pwd="fleetreport-test-password")


# --- inventory read back exactly ----------------------------------------------------------


def test_inventory_is_exactly_the_scenario(basic: VcsimServer, basic_si: Any) -> None:
    scenario = basic.scenario
    vm_names = {vm["name"] for vm in scenario["vms"]}
    objects, _ = collect(basic_si, vim.VirtualMachine, ["name"])
    assert sorted(p["name"] for p in objects.values()) == sorted(vm_names)

    hosts, _ = collect(basic_si, vim.HostSystem, ["name"])
    expected_hosts = {
        h["name"] for dc in scenario["datacenters"] for c in dc["clusters"] for h in c["hosts"]
    }
    assert {p["name"] for p in hosts.values()} == expected_hosts
    dcs, _ = collect(basic_si, vim.Datacenter, ["name"])
    assert [p["name"] for p in dcs.values()] == ["DC-East"]
    clusters, _ = collect(basic_si, vim.ClusterComputeResource, ["name"])
    assert {p["name"] for p in clusters.values()} == {"VDI-A", "SRV-B"}
    assert {m: p["name"] for m, p in objects.items()} == {
        moid: name for name, moid in basic.manifest["vms"].items()
    }


def test_every_scenario_vm_field_lands_exactly(
    basic: VcsimServer, basic_vms: dict[str, dict[str, Any]]
) -> None:
    checked = 0
    for vm in basic.scenario["vms"]:
        props = basic_vms[vm["name"]]
        for field_name, path in FIELD_PATHS.items():
            if field_name not in vm:
                continue
            expected = vm[field_name]
            if expected is None:
                assert path not in props, f"{vm['name']}: {path} should be unset"
            elif field_name == "boot_time":
                assert props[path] == parse_time(expected), vm["name"]
            else:
                assert props[path] == expected, f"{vm['name']}: {path}"
            checked += 1
    assert checked >= 120


def test_states_and_defaults(basic_vms: dict[str, dict[str, Any]]) -> None:
    states = {p["runtime.powerState"] for p in basic_vms.values()}
    assert states == {"poweredOn", "poweredOff", "suspended"}
    status2 = {p.get("guest.toolsVersionStatus2") for p in basic_vms.values()}
    assert status2 == {
        "guestToolsCurrent",
        "guestToolsNeedUpgrade",
        "guestToolsSupportedOld",
        "guestToolsTooOld",
        "guestToolsBlacklisted",
        "guestToolsNotInstalled",
        "guestToolsTooNew",
        "guestToolsUnmanaged",
        "guestToolsSupportedNew",
        None,
    }

    off = basic_vms["W10-IC-003"]  # powered off, no boot_time given
    assert off["runtime.powerState"] == "poweredOff"
    assert "runtime.bootTime" not in off
    assert off["guest.toolsRunningStatus"] == "guestToolsNotRunning"
    assert off["guest.toolsStatus"] == "toolsNotRunning"
    assert "guest.guestFullName" not in off
    assert "guest.ipAddress" not in off
    assert "snapshot" not in off
    assert "config.annotation" not in off

    not_running = basic_vms["W10-IC-006"]
    assert not_running["runtime.powerState"] == "poweredOn"
    assert not_running["guest.toolsRunningStatus"] == "guestToolsNotRunning"

    not_installed = basic_vms["FIN-002"]
    assert not_installed["guest.toolsStatus"] == "toolsNotInstalled"
    assert not_installed["guest.toolsVersion"] == "0"

    mismatch = basic_vms["W10-IC-007"]
    assert mismatch["config.guestFullName"] == "Microsoft Windows 10 (64-bit)"
    assert mismatch["guest.guestFullName"] == "Microsoft Windows 11 (64-bit)"
    assert mismatch["config.guestId"] == "windows9_64Guest"
    assert mismatch["guest.guestId"] == "windows11_64Guest"

    template = basic_vms["TPL-W10-GOLD"]
    assert template["config.template"] is True
    assert "resourcePool" not in template  # vSphere gives templates no resource pool
    assert basic_vms["W10-IC-001"]["config.template"] is False

    orphan = basic_vms["ORPHAN-W10-099"]
    assert orphan["runtime.connectionState"] == "orphaned"


def test_placement_matches_the_manifest(
    basic: VcsimServer, basic_vms: dict[str, dict[str, Any]]
) -> None:
    manifest = basic.manifest
    for entry in manifest["vm_list"]:
        props = basic_vms[entry["name"]]
        assert props["_moid"] == entry["moid"]
        assert props["runtime.host"]._moId == entry["host_moid"] == manifest["hosts"][entry["host"]]
        assert props["parent"]._moId == entry["folder_moid"]
        assert entry["folder_moid"] == manifest["folders"][f"DC-East/{entry['folder']}"]
        if entry["resource_pool_moid"] is None:
            assert "resourcePool" not in props
        else:
            assert props["resourcePool"]._moId == entry["resource_pool_moid"]
    desktop_pool = manifest["resource_pools"]["VDI-A/Desktops"]
    assert basic_vms["W10-IC-001"]["resourcePool"]._moId == desktop_pool
    # no pool given: the cluster's root pool
    assert basic_vms["SRV-APP-01"]["resourcePool"]._moId == manifest["resource_pools"]["SRV-B"]
    # no host given: the cluster's first host
    assert basic_vms["SRV-APP-01"]["runtime.host"]._moId == manifest["hosts"]["esx-b1.example.test"]


def test_folder_paths(basic: VcsimServer, basic_si: Any) -> None:
    folders, _ = collect(basic_si, vim.Folder, ["name", "parent"])

    def path_of(moid: str) -> str:
        names = []
        while moid in folders and folders[moid]["name"] != "vm":
            names.append(folders[moid]["name"])
            moid = folders[moid]["parent"]._moId
        return "/".join(reversed(names))

    vm_folder = basic.manifest["folders"]["DC-East"]
    assert folders[vm_folder]["name"] == "vm"
    for key, moid in basic.manifest["folders"].items():
        assert "DC-East/" + path_of(moid) == key or key == "DC-East"


def test_snapshot_tree(basic: VcsimServer, basic_vms: dict[str, dict[str, Any]]) -> None:
    info = basic_vms["SRV-DB-01"]["snapshot"]
    spec = next(vm for vm in basic.scenario["vms"] if vm["name"] == "SRV-DB-01")["snapshots"]

    def shape(nodes: Sequence[Any]) -> list[Any]:
        return [
            (n.name, n.description, n.createTime, n.state, shape(n.childSnapshotList))
            for n in nodes
        ]

    def expected(nodes: Sequence[dict[str, Any]]) -> list[Any]:
        return [
            (
                n["name"],
                n.get("description", ""),
                parse_time(n["created"]),
                "poweredOn",
                expected(n.get("children", [])),
            )
            for n in nodes
        ]

    assert shape(info.rootSnapshotList) == expected(spec)
    depth = 0
    node = info.rootSnapshotList
    while node:
        depth += 1
        node = node[0].childSnapshotList
    assert depth == 3
    snapshots = next(e for e in basic.manifest["vm_list"] if e["name"] == "SRV-DB-01")["snapshots"]
    assert info.currentSnapshot._moId == snapshots["base/patch-2026-09/pre-upgrade"]
    leaf = info.rootSnapshotList[0].childSnapshotList[0].childSnapshotList[0]
    assert leaf.snapshot._moId == info.currentSnapshot._moId
    assert leaf.vm._moId == basic.vm_moid("SRV-DB-01")


def test_custom_values(
    basic: VcsimServer, basic_si: Any, basic_vms: dict[str, dict[str, Any]]
) -> None:
    fields = basic_si.RetrieveContent().customFieldsManager.field
    name_of = {f.key: f.name for f in fields}
    assert sorted(name_of.values()) == ["CostCenter", "Owner"]
    assert all(key > 100 for key in name_of)  # vCenter's keys are never 0
    assert all(f.type is str for f in fields)
    assert {f.name: f.key for f in fields} == basic.manifest["custom_fields"]
    for vm in basic.scenario["vms"]:
        got = {name_of[v.key]: v.value for v in basic_vms[vm["name"]]["customValue"]}
        assert got == vm.get("custom_values", {}), vm["name"]


def test_hostile_name_in_basic(basic_vms: dict[str, dict[str, Any]]) -> None:
    name = "<script>alert(1)</script> \"Q&A\" 'x' \u202egnp.exe"
    props = basic_vms[name]
    assert props["name"] == name
    assert props["config.annotation"] == '<b>bold</b> & "quoted" \u202eright-to-left'
    assert basic_vms["SRV-DB-01"]["config.annotation"] == (
        "SQL Server\nowner: dba team & ops <db@example.test>"
    )


HOSTILE_NAMES = [
    "A" * 2000,
    "<script>alert('x')</script>",
    "\"double\" 'single' `back`",
    "amp & &amp; &lt; &#x41; ]]> <![CDATA[x]]>",
    "rtl \u202eexe.txt \u200f\u200b\ufeff",
    "tab\there",
    "lf\nhere",
    "cr\rhere",
    "crlf\r\nhere",
    "del\x7fhere c1\x85\x9f",
    "  leading and trailing spaces  ",
    "slash/back\\slash %2f %25",
    "emoji \U0001f5a5\ufe0f \u00fcn\u00efc\u00f6d\u00e9 \u4e2d\u6587 \ufffd",
]


def test_hostile_names_are_carried_verbatim() -> None:
    scenario = {
        "vcenter": {"name": "vc-hostile.example.test"},
        "custom_fields": ['<Owner & "x">'],
        "datacenters": [
            {
                "name": "DC <&> \u202e",
                "folders": ['<i>f & g<i>/sub "folder"'],
                "clusters": [
                    {
                        "name": "cluster '\u202e' & <c>",
                        "resource_pools": ["pool <&>"],
                        "hosts": [{"name": 'esx <&> "h".example.test'}],
                    }
                ],
            }
        ],
        "vms": [
            {
                "name": name,
                "folder": '<i>f & g<i>/sub "folder"',
                "resource_pool": "pool <&>",
                "annotation": name,
                "guest_hostname": name[:100],
                "custom_values": {'<Owner & "x">': name},
                "snapshots": [{"name": name, "description": name}],
            }
            for name in HOSTILE_NAMES
        ],
    }
    with start_vcsim(scenario) as server:
        si = server.connect()
        try:
            vms, _ = collect(
                si, vim.VirtualMachine, ["name", "config.annotation", "customValue", "snapshot"]
            )
            by_name = {p["name"]: p for p in vms.values()}
            assert sorted(by_name) == sorted(HOSTILE_NAMES)
            for name in HOSTILE_NAMES:
                props = by_name[name]
                assert props["config.annotation"] == name
                assert [v.value for v in props["customValue"]] == [name]
                snap = props["snapshot"].rootSnapshotList[0]
                assert (snap.name, snap.description) == (name, name)
                assert server.vm_moid(name) in vms
            for kind, expected in [
                (vim.Datacenter, "DC <&> \u202e"),
                (vim.ClusterComputeResource, "cluster '\u202e' & <c>"),
                (vim.HostSystem, 'esx <&> "h".example.test'),
            ]:
                objects, _ = collect(si, kind, ["name"])
                assert [p["name"] for p in objects.values()] == [expected]
            folders, _ = collect(si, vim.Folder, ["name"])
            assert {"<i>f & g<i>", 'sub "folder"'} <= {p["name"] for p in folders.values()}
            fields = si.RetrieveContent().customFieldsManager.field
            assert [f.name for f in fields] == ['<Owner & "x">']
        finally:
            Disconnect(si)
        assert len(
            json.loads(server.workdir.joinpath("manifest.json").read_text(encoding="utf-8"))["vms"]
        ) == len(HOSTILE_NAMES)


def test_hosts_match_the_scenario(basic: VcsimServer, basic_si: Any) -> None:
    hosts, _ = collect(basic_si, vim.HostSystem, HOST_PATHS)
    by_name = {p["name"]: (m, p) for m, p in hosts.items()}
    clusters = basic.manifest["clusters"]
    for dc in basic.scenario["datacenters"]:
        for cluster in dc["clusters"]:
            for host in cluster["hosts"]:
                moid, props = by_name[host["name"]]
                assert moid == basic.manifest["hosts"][host["name"]]
                assert props["parent"]._moId == clusters[cluster["name"]]
                assert props["summary.config.product.version"] == host["version"]
                assert props["summary.config.product.build"] == host["build"]
                assert props["config.product.build"] == host["build"]
                assert props["runtime.connectionState"] == host["connection_state"]
                assert props["runtime.inMaintenanceMode"] == host["in_maintenance_mode"]
                assert props["runtime.powerState"] == host["power_state"]
    builds = {p["config.product.build"] for _, p in by_name.values()}
    assert len(builds) == 3


def test_property_access_through_fetch(basic: VcsimServer, basic_si: Any) -> None:
    """pyVmomi reads single properties with Fetch; unset ones must come back as None."""
    content = basic_si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        by_name = {vm.name: vm for vm in view.view}
    finally:
        view.DestroyView()
    plain = by_name["W10-IC-003"]
    assert plain.snapshot is None
    assert plain.runtime.bootTime is None
    assert plain.config.annotation in ("", None)
    assert by_name["W10-IC-005"].guest.toolsVersionStatus2 is None
    assert by_name["TPL-W10-GOLD"].resourcePool is None
    db = by_name["SRV-DB-01"]
    assert db.snapshot.rootSnapshotList[0].name == "base"
    assert db.runtime.host.name == "esx-b1.example.test"
    assert db.parent.name == "Servers"
    assert db.resourcePool.owner.name == "SRV-B"
    with pytest.raises(vmodl.fault.ManagedObjectNotFound):
        vim.VirtualMachine("vm-999999", basic_si._stub).name  # noqa: B018


# --- PropertyCollector paging (our extension) -----------------------------------------------


def test_max_objects_pages_and_continue_returns_the_rest(
    basic_si: Any, basic_vms: dict[str, dict[str, Any]]
) -> None:
    objects, pages = collect(basic_si, vim.VirtualMachine, ["name"], max_objects=4)
    assert pages == 4  # 15 VMs: 4 + 4 + 4 + 3
    assert sorted(p["name"] for p in objects.values()) == sorted(basic_vms)
    unpaged, pages = collect(basic_si, vim.VirtualMachine, ["name"])
    assert pages == 1
    assert unpaged == objects


def test_page_size_flag() -> None:
    with start_vcsim("basic", page_size=3) as server:
        si = server.connect()
        try:
            content = si.RetrieveContent()
            view = content.viewManager.CreateContainerView(
                content.rootFolder, [vim.VirtualMachine], True
            )
            spec = PC.FilterSpec(
                objectSet=[
                    PC.ObjectSpec(
                        obj=view,
                        skip=True,
                        selectSet=[PC.TraversalSpec(path="view", type=vim.view.ContainerView)],
                    )
                ],
                propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])],
            )
            collector = content.propertyCollector
            first = collector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
            assert first.token
            assert len(first.objects) == 3
            names = [o.propSet[0].val for o in first.objects]
            result = first
            while result.token:
                token = result.token
                result = collector.ContinueRetrievePropertiesEx(token)
                assert len(result.objects) <= 3
                names += [o.propSet[0].val for o in result.objects]
            assert len(names) == len(set(names)) == len(server.scenario["vms"])
            # a used token is gone
            with pytest.raises(vmodl.fault.InvalidArgument):
                collector.ContinueRetrievePropertiesEx(token)
            with pytest.raises(vmodl.fault.InvalidArgument):
                collector.ContinueRetrievePropertiesEx("no-such-token")
            with pytest.raises(vmodl.fault.InvalidArgument):
                collector.CancelRetrievePropertiesEx("no-such-token")
            # maxObjects smaller than -page-size wins
            smaller = collector.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=2))
            assert len(smaller.objects) == 2
            collector.CancelRetrievePropertiesEx(smaller.token)
            with pytest.raises(vmodl.fault.InvalidArgument):
                collector.ContinueRetrievePropertiesEx(smaller.token)
            # and a larger one does not lift it
            larger = collector.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=100))
            assert len(larger.objects) == 3
            collector.CancelRetrievePropertiesEx(larger.token)

            # session-created collectors page too, and still do everything else
            own = collector.CreatePropertyCollector()
            assert own._moId != collector._moId
            paged = own.RetrievePropertiesEx([spec], PC.RetrieveOptions())
            assert len(paged.objects) == 3
            assert paged.token
            with pytest.raises(vmodl.fault.InvalidArgument):  # tokens belong to their collector
                collector.ContinueRetrievePropertiesEx(paged.token)
            rest = own.ContinueRetrievePropertiesEx(paged.token)
            assert rest.objects
            own.CancelRetrievePropertiesEx(rest.token)
            own.CreateFilter(spec, partialUpdates=False)
            update = own.WaitForUpdatesEx(
                "", vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=0)
            )
            seen = {
                change.val
                for filter_set in update.filterSet
                for obj in filter_set.objectSet
                for change in obj.changeSet
            }
            assert len(seen) == len(server.scenario["vms"])
            own.DestroyPropertyCollector()
            view.DestroyView()
        finally:
            Disconnect(si)


def test_no_match_returns_none_like_vcenter(basic_si: Any) -> None:
    content = basic_si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualApp], True)
    spec = PC.FilterSpec(
        objectSet=[
            PC.ObjectSpec(
                obj=view,
                skip=True,
                selectSet=[PC.TraversalSpec(path="view", type=vim.view.ContainerView)],
            )
        ],
        propSet=[PC.PropertySpec(type=vim.VirtualApp, pathSet=["name"])],
    )
    assert content.propertyCollector.RetrievePropertiesEx([spec], PC.RetrieveOptions()) is None
    view.DestroyView()


# --- delays, plain http, sessions ------------------------------------------------------------


def _timed(call: Any) -> float:
    started = time.monotonic()
    call()
    return time.monotonic() - started


def test_delay_ms_slows_every_call(basic_si: Any) -> None:
    assert _timed(basic_si.CurrentTime) < 0.25
    with start_vcsim("basic", delay_ms=300) as server:
        si = server.connect()
        try:
            assert _timed(si.CurrentTime) >= 0.3
            assert _timed(lambda: si.content.rootFolder.childEntity) >= 0.3
        finally:
            Disconnect(si)


def test_method_delay_slows_only_that_method() -> None:
    with start_vcsim("basic", method_delays={"RetrievePropertiesEx": 300}) as server:
        si = server.connect()
        try:
            assert _timed(si.CurrentTime) < 0.25
            assert _timed(lambda: collect(si, vim.Datacenter, ["name"])) >= 0.3
        finally:
            Disconnect(si)


def test_plain_http() -> None:
    with start_vcsim("basic", tls=False) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.ca_file is None
        si = server.connect()
        try:
            assert si.content.about.instanceUuid == server.instance_uuid
        finally:
            Disconnect(si)


def test_idle_sessions_expire() -> None:
    with start_vcsim("basic", session_idle_timeout=0.5) as server:
        si = server.connect()
        si.CurrentTime()
        time.sleep(1.6)
        with pytest.raises(vim.fault.NotAuthenticated):
            si.content.rootFolder.childEntity  # noqa: B018 - a property read is a SOAP call


def test_standalone_hosts_several_datacenters_and_bulk() -> None:
    scenario = {
        "vcenter": {"name": "vc-mixed.example.test"},
        "custom_fields": ["Owner", {"name": "Everywhere", "mo_type": ""}],
        "datacenters": [
            {
                "name": "DC-1",
                "clusters": [
                    {
                        "name": "C1",
                        "hosts": [{"name": "h1.example.test"}, {"name": "h2.example.test"}],
                    }
                ],
            },
            {
                "name": "DC-2",
                "datastores": ["ds-a", "ds-b"],
                "hosts": [{"name": "lone.example.test"}],
            },
        ],
        "vms": [
            {"name": "same-name", "datacenter": "DC-1", "custom_values": {"Everywhere": "x"}},
            {
                "name": "same-name",
                "datacenter": "DC-2",
                "host": "lone.example.test",
                "datastore": "ds-b",
            },
        ],
        "bulk": [
            {
                "datacenter": "DC-1",
                "cluster": "C1",
                "folder": "Bulk/Deep",
                "count": 5,
                "name_prefix": "b-",
                "template": {
                    "guest_hostname": "b-{n}.example.test",
                    "custom_values": {"Owner": "o{n}"},
                },
            }
        ],
    }
    with start_vcsim(scenario) as server:
        manifest = server.manifest
        entries = manifest["vm_list"]
        assert [e["name"] for e in entries] == [
            "same-name",
            "same-name",
            "b-1",
            "b-2",
            "b-3",
            "b-4",
            "b-5",
        ]
        assert manifest["vms"]["same-name"] == entries[0]["moid"]  # the first of a duplicate name
        assert entries[1]["cluster"] == "lone.example.test"
        assert entries[1]["resource_pool_moid"] == manifest["resource_pools"]["lone.example.test"]
        assert set(manifest["standalone_compute_resources"]) == {"lone.example.test"}
        # bulk VMs without a host are spread over the cluster's hosts
        assert [e["host"] for e in entries[2:]] == ["h1.example.test", "h2.example.test"] * 2 + [
            "h1.example.test"
        ]
        assert {e["folder"] for e in entries[2:]} == {"Bulk/Deep"}
        si = server.connect()
        try:
            vms, _ = collect(
                si, vim.VirtualMachine, ["name", "guest.hostName", "customValue", "datastore"]
            )
            fields = {f.key: f.name for f in si.RetrieveContent().customFieldsManager.field}
            by_moid = {e["moid"]: e for e in entries}
            for moid, props in vms.items():
                values = {fields[v.key]: v.value for v in props["customValue"]}
                name = by_moid[moid]["name"]
                if name.startswith("b-"):
                    assert props["guest.hostName"] == f"{name}.example.test"
                    assert values == {"Owner": "o" + name[2:]}
            lone = vms[entries[1]["moid"]]
            assert [d._moId for d in lone["datastore"]] == [manifest["datastores"]["DC-2/ds-b"]]
            dcs, _ = collect(si, vim.Datacenter, ["name"])
            assert sorted(p["name"] for p in dcs.values()) == ["DC-1", "DC-2"]
        finally:
            Disconnect(si)


def test_sigterm_shuts_down_cleanly() -> None:
    server = start_vcsim("basic")
    try:
        server.process.terminate()
        assert server.process.wait(10) == 0, server.log()
        assert "shutting down (terminated)" in server.log()
    finally:
        server.stop()


def test_shipped_scenarios_are_valid() -> None:
    names = vcsim.available_scenarios()
    assert {"basic", "bulk", "basic_second_vc"} <= set(names)
    binary = build_vcsim()
    for name in names:
        scenario = load_scenario(name)
        assert scenario["datacenters"]
        check = subprocess.run(
            [binary, "-scenario", vcsim.scenario_path(name), "-check"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, f"{name}: {check.stderr}"
    bulk = load_scenario("bulk")
    assert sum(group["count"] for group in bulk["bulk"]) == 10_000


def test_second_vcenter_has_its_own_identity(basic: VcsimServer) -> None:
    with start_vcsim("basic_second_vc") as second:
        assert second.instance_uuid != basic.instance_uuid
        assert second.port != basic.port
        si = second.connect()
        try:
            assert si.content.about.instanceUuid == second.instance_uuid
        finally:
            Disconnect(si)


@pytest.mark.slow
def test_bulk_10k_starts_and_reads_back() -> None:
    started = time.monotonic()
    with start_vcsim("bulk", timeout=180) as server:
        startup = time.monotonic() - started
        assert len(server.manifest["vms"]) == 10_000
        assert startup < 120, f"10,000 VMs took {startup:.1f}s to start"
        si = server.connect()
        try:
            objects, pages = collect(
                si, vim.VirtualMachine, ["name", "runtime.powerState"], max_objects=1000
            )
        finally:
            Disconnect(si)
        assert len(objects) == 10_000
        assert pages == 10
        states = [p["runtime.powerState"] for p in objects.values()]
        assert states.count("poweredOff") == 700
        assert states.count("suspended") == 200


# --- vApps and VMs whose config is unset (real-estate features) -------------------------------

ESTATE_SCENARIO: dict[str, Any] = {
    "vcenter": {"name": "vc-estate.example.test"},
    "datacenters": [
        {
            "name": "DC",
            "folders": ["Infra"],
            "datastores": ["vsanDatastore"],
            "clusters": [
                {
                    "name": "C",
                    "resource_pools": ["Servers"],
                    "hosts": [{"name": "esx1.example.test"}],
                    "vapps": [
                        {
                            "name": "SQL-AG-vApp",
                            "resource_pool": "Servers",
                            "folder": "Infra",
                            "annotation": "SQL availability group",
                        }
                    ],
                }
            ],
        }
    ],
    "vms": [
        {"name": "SQL-AG-01", "vapp": "SQL-AG-vApp"},
        {"name": "SQL-AG-02", "vapp": "SQL-AG-vApp", "power_state": "poweredOff"},
        {"name": "plain-01", "folder": "Infra"},
        {
            "name": "[vsanDatastore] W10-FC-017/W10-FC-017.vmx",
            "folder": "Infra",
            "config_unset": True,
            "connection_state": "inaccessible",
            "power_state": "poweredOff",
        },
    ],
}


@pytest.fixture(scope="module")
def estate() -> Iterator[VcsimServer]:
    with start_vcsim(ESTATE_SCENARIO) as server:
        yield server


@pytest.fixture(scope="module")
def estate_si(estate: VcsimServer) -> Iterator[Any]:
    si = estate.connect()
    yield si
    Disconnect(si)


def test_vapp_members_have_parent_vapp_and_no_folder(estate: VcsimServer, estate_si: Any) -> None:
    objects, _ = collect(estate_si, vim.VirtualMachine, [*VM_PATHS, "parentVApp"])
    by_name = {props["name"]: props for props in objects.values()}
    app_moid = estate.manifest["vapps"]["SQL-AG-vApp"]
    for name in ("SQL-AG-01", "SQL-AG-02"):
        props = by_name[name]
        assert "parent" not in props, name
        assert props["parentVApp"]._moId == app_moid
        assert props["resourcePool"]._moId == app_moid
    assert "parentVApp" not in by_name["plain-01"]
    assert by_name["plain-01"]["parent"]._moId == estate.manifest["folders"]["DC/Infra"]
    members = {v["name"]: v for v in estate.manifest["vm_list"] if v.get("vapp")}
    assert sorted(members) == ["SQL-AG-01", "SQL-AG-02"]
    assert {v["vapp_moid"] for v in members.values()} == {app_moid}
    assert {v["folder"] for v in members.values()} == {"Infra"}

    apps, _ = collect(
        estate_si, vim.VirtualApp, ["name", "parent", "parentFolder", "vm", "vAppConfig.annotation"]
    )
    (app,) = apps.values()
    assert app["name"] == "SQL-AG-vApp"
    assert app["parentFolder"]._moId == estate.manifest["folders"]["DC/Infra"]
    assert app["parent"]._moId == estate.manifest["resource_pools"]["C/Servers"]
    assert sorted(vm._moId for vm in app["vm"]) == sorted(
        estate.manifest["vms"][n] for n in ("SQL-AG-01", "SQL-AG-02")
    )
    assert app["vAppConfig.annotation"] == "SQL availability group"
    folders, _ = collect(estate_si, vim.Folder, ["name", "childEntity"])
    infra = next(f for f in folders.values() if f["name"] == "Infra")
    children = {c._moId for c in infra["childEntity"]}
    assert app_moid in children  # listed in its folder, like vCenter
    assert estate.manifest["vms"]["plain-01"] in children
    assert not children & {estate.manifest["vms"][n] for n in ("SQL-AG-01", "SQL-AG-02")}


def test_config_unset_vm_has_no_config_properties(estate: VcsimServer, estate_si: Any) -> None:
    name = "[vsanDatastore] W10-FC-017/W10-FC-017.vmx"
    objects, _ = collect(estate_si, vim.VirtualMachine, [*VM_PATHS, "config", "summary.config"])
    by_name = {props["name"]: props for props in objects.values()}
    props = by_name[name]
    assert not [p for p in props if p == "config" or p.startswith("config.")]
    assert props["runtime.connectionState"] == "inaccessible"
    assert props["runtime.powerState"] == "poweredOff"
    assert "snapshot" not in props
    assert props["summary.config"].name == name
    assert props["summary.config"].vmPathName == name
    assert "config.version" in by_name["plain-01"]  # only that VM lost its config
    entry = next(v for v in estate.manifest["vm_list"] if v["name"] == name)
    assert entry["config_unset"] is True

    content = estate_si.RetrieveContent()
    vm = vim.VirtualMachine(entry["moid"], estate_si._stub)
    assert vm.config is None  # Fetch: no value, no dropped connection
    assert vm.name == name
    index = content.searchIndex
    plain_uuid = by_name["plain-01"]["config.instanceUuid"]
    found = index.FindByUuid(None, plain_uuid, True, True)
    assert found is not None and found._moId == estate.manifest["vms"]["plain-01"]
    assert index.FindByUuid(None, "00000000-0000-0000-0000-000000000000", True, True) is None
    (dc,) = content.rootFolder.childEntity
    assert index.FindByDatastorePath(dc, name)._moId == entry["moid"]


def test_bad_vapp_and_config_unset_scenarios_fail_with_the_reason() -> None:
    base = json.loads(json.dumps(ESTATE_SCENARIO))
    bad_member = dict(base, vms=[{"name": "x", "vapp": "SQL-AG-vApp", "folder": "Infra"}])
    with pytest.raises(VcsimError, match="takes its folder and resource pool from the vApp"):
        start_vcsim(bad_member)
    with pytest.raises(VcsimError, match='vapp "nope" is not declared'):
        start_vcsim(dict(base, vms=[{"name": "x", "vapp": "nope"}]))
    with pytest.raises(VcsimError, match="config_unset needs a connection_state"):
        start_vcsim(dict(base, vms=[{"name": "x", "config_unset": True}]))


# --- storage, alarms, hardware health, HA/DRS ------------------------------------------------

HEALTH_BASE: dict[str, Any] = {
    "vcenter": {},
    "datacenters": [
        {
            "name": "DC",
            "datastores": [{"name": "DS", "type": "NFS", "capacity_gib": 10, "free_gib": 2.5}],
            "clusters": [{"name": "C", "hosts": [{"name": "h1"}, {"name": "h2"}]}],
        }
    ],
}


def with_change(path: str, value: Any) -> dict[str, Any]:
    """HEALTH_BASE with ``value`` set at ``path`` (dot-separated keys and list indexes)."""
    scenario = json.loads(json.dumps(HEALTH_BASE))
    *parents, last = path.split(".")
    node: Any = scenario
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    node[last] = value
    return scenario


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("datacenters.0.datastores.0.type", "ZFS", 'type "ZFS" not one of'),
        ("datacenters.0.datastores.0.free_gib", 11, "is more than capacity_gib"),
        ("datacenters.0.datastores.0.maintenance_mode", "busy", "maintenance_mode"),
        ("datacenters.0.datastores.0.size", 1, 'unknown field "size"'),
        ("datacenters.0.datastores", ["DS", "DS"], 'datastore "DS" defined twice'),
        ("datacenters.0.clusters.0.drs", {"enabled": True, "behavior": "auto"}, "drs.behavior"),
        ("datacenters.0.clusters.0.ha", {"on": True}, 'unknown field "on"'),
        ("datacenters.0.clusters.0.alarms", [{"name": "A", "status": "blue"}], 'status "blue"'),
        (
            "datacenters.0.clusters.0.alarms",
            [{"name": "A", "status": "red"}, {"name": "A", "status": "yellow"}],
            "triggered twice on one object",
        ),
        ("datacenters.0.clusters.0.hosts.0.cpu_cores", 0, "cpu_cores must be positive"),
        (
            "datacenters.0.clusters.0.hosts.0.hardware_health",
            {"sensors": [{"name": "Fan", "type": "fan", "health": "broken"}]},
            'health "broken" not one of',
        ),
        (
            "datacenters.0.clusters.0.hosts.0.hardware_health",
            {"memory": [{"name": "DIMM", "status": "red"}]},
            'status "red" not one of',  # HostHardwareElementStatus is spelled Red
        ),
        ("vms", [{"name": "x", "swapped_memory_mb": -1}], "swapped_memory_mb must be >= 0"),
        ("vms", [{"name": "x", "alarms": [{"name": "A", "status": "red", "time": "now"}]}], "RFC"),
    ],
)
def test_bad_health_scenarios_fail_with_the_reason(path: str, value: Any, reason: str) -> None:
    with pytest.raises(VcsimError, match=reason):
        start_vcsim(with_change(path, value))


def test_alarms_propagate_up_and_their_names_read_back() -> None:
    """A host's alarm is in its own, its cluster's and its datacenter's triggeredAlarmState,
    as vCenter propagates them; the alarm definition's info.name reads back."""
    scenario = with_change(
        "datacenters.0.clusters.0.hosts.0.alarms",
        [{"name": "Host hardware fan status", "status": "red", "time": "2026-11-20T10:00:00Z"}],
    )
    with start_vcsim(scenario) as server:
        si = server.connect()
        try:
            content = si.RetrieveContent()
            view = content.viewManager.CreateContainerView(
                content.rootFolder, [vim.ManagedEntity], True
            )
            states = {
                entity._moId: [(s.entity._moId, s.alarm._moId) for s in entity.triggeredAlarmState]
                for entity in view.view
                if entity.triggeredAlarmState
            }
            alarm_moid = server.manifest["alarms"]["Host hardware fan status"]
            host_moid = server.manifest["hosts"]["h1"]
            (datacenter,) = content.rootFolder.childEntity
            ancestors = {
                host_moid,
                server.manifest["clusters"]["C"],
                datacenter.hostFolder._moId,
                datacenter._moId,
            }
            assert states == {moid: [(host_moid, alarm_moid)] for moid in ancestors}
            (at_root,) = content.rootFolder.triggeredAlarmState  # not in a view of its contents
            assert (at_root.entity._moId, at_root.alarm._moId) == (host_moid, alarm_moid)
            alarm = vim.alarm.Alarm(alarm_moid, si._stub)
            assert alarm.info.name == "Host hardware fan status"
        finally:
            Disconnect(si)


# --- per-VM CPU usage series (cpu_percent) ----------------------------------------------------

CPU_SERIES = [1.5, 2.25, 0.75, 4.99]
CPU_COUNTER = 2  # cpu.usage.average in the simulator's vpx.PerfCounter (percent, in hundredths)


def _cpu_samples(si: Any, moid: str, end: datetime, count: int) -> list[int]:
    """The ``cpu.usage.average`` values QueryPerf serves for ``count`` 2-hour samples to ``end``."""
    content = si.RetrieveContent()
    spec = vim.PerformanceManager.QuerySpec(
        entity=vim.VirtualMachine(moid, si._stub),
        metricId=[vim.PerformanceManager.MetricId(counterId=CPU_COUNTER, instance="")],
        intervalId=7200,
        startTime=end - timedelta(seconds=7200 * (count - 1)),
        endTime=end,
        maxSample=count,
    )
    (metric,) = content.perfManager.QueryPerf([spec])
    if not metric.value:
        return []
    (series,) = metric.value
    return list(series.value)


def test_cpu_percent_is_served_exactly_and_other_vms_keep_the_recorded_data() -> None:
    """Sample k of the window is the series' (start / interval + k) mod n, as for power_watts;
    the scenario's stats_level sets every historical interval's level."""
    scenario = with_change(
        "vms",
        [
            {"name": "busy", "cpu_percent": CPU_SERIES},
            {"name": "recorded"},
            {"name": "off", "power_state": "poweredOff", "cpu_percent": CPU_SERIES},
        ],
    )
    scenario["vcenter"]["stats_level"] = 2
    end = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
    start = int(end.timestamp()) - 7200 * 5
    with start_vcsim(scenario) as server:
        si = server.connect()
        try:
            content = si.RetrieveContent()
            assert [i.level for i in content.perfManager.historicalInterval] == [2, 2, 2, 2]
            (counter,) = [c for c in content.perfManager.perfCounter if c.key == CPU_COUNTER]
            name = f"{counter.groupInfo.key}.{counter.nameInfo.key}.{counter.rollupType}"
            assert (name, counter.unitInfo.key) == ("cpu.usage.average", "percent")
            vms = server.manifest["vms"]
            hundredths = [round(p * 100) for p in CPU_SERIES]
            expected = [hundredths[(start // 7200 + k) % len(hundredths)] for k in range(6)]
            assert _cpu_samples(si, vms["busy"], end, 6) == expected
            assert _cpu_samples(si, vms["off"], end, 6) == []  # off: no samples at all
            recorded = _cpu_samples(si, vms["recorded"], end, 6)
            assert len(recorded) == 6 and not set(recorded) <= set(hundredths)
        finally:
            Disconnect(si)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ([0], "cpu_percent: 0 is not between 0.01 and 100"),
        ([100.5], "cpu_percent: 100.5 is not between"),
        ([1.234], "has more than two decimals"),
        ("12", "cannot unmarshal string"),
    ],
)
def test_bad_cpu_percent_fails_with_the_reason(value: Any, reason: str) -> None:
    with pytest.raises(VcsimError, match=reason):
        start_vcsim(with_change("vms", [{"name": "x", "cpu_percent": value}]))


def test_bad_stats_level_fails_with_the_reason() -> None:
    with pytest.raises(VcsimError, match=r"vcenter\.stats_level: 5 is not a statistics level"):
        start_vcsim(with_change("vcenter", {"stats_level": 5}))
