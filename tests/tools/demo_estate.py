"""The demo estate: two vCenters of Horizon desktops with a believable mix of problems.

Writes simulator scenarios (tests/vcsim/scenarios/demo-vc01.json, demo-vc02.json). The demo
fixture is then *recorded* from the simulator by tests/tools/record_demo.py, never typed by hand.
Deterministic: a fixed seed and a fixed anchor time, so regenerating gives the same files.

    python tests/tools/demo_estate.py

Usage (issue 16; the Horizon side's 30 days of sessions are in tests/tools/horizon_estate.py,
plan ``DEMO_USAGE``, documented in tests/fixtures/horizon/README.md): the desktops
``DEMO_IDLE_DESKTOPS`` never logged on to and idle (``cpu_percent`` under 5% throughout, mean
1.65%); ``AMS-W11-007`` (and every other powered-off desktop) off throughout, so no samples;
the hosts of ``DEMO_METERED_HOSTS`` metered (``power_watts``, 280-420 W; mean 346 W plus the
shift), every other host without power data (the 20 W per desktop assumption applies).
"""

from __future__ import annotations

import json
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python tests/tools/demo_estate.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.usage_history import add_vcenter_usage

ANCHOR = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
SCENARIOS = Path(__file__).resolve().parent.parent / "vcsim" / "scenarios"
WIN11 = ("windows11_64Guest", "Microsoft Windows 11 (64-bit)")
WIN10 = ("windows9_64Guest", "Microsoft Windows 10 (64-bit)")
WIN2022 = ("windows2019srvNext_64Guest", "Microsoft Windows Server 2022 (64-bit)")
PHOTON = ("vmwarePhoton64Guest", "VMware Photon OS (64-bit)")
ESXI7 = ("7.0.3", "21424296")
CLONE_PREP_FOLDERS = (
    "ClonePrepInternalTemplateFolder",
    "ClonePrepParentVmFolder",
    "ClonePrepReplicaVmFolder",
    "ClonePrepResyncVmFolder",
)
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://fleetreport.example.test/demo-estate")
TOOLS_CURRENT = "12416"
TOOLS_OLD = "12352"
DEMO_IDLE_DESKTOPS = ("AMS-W11-001", "AMS-W11-004", "AMS-W11-008")
"""IC-Win11-Office desktops nobody logged on to in 30 days, idle throughout."""
DEMO_METERED_HOSTS = {
    "esx-ams-01.corp.example.test": 0,
    "esx-ams-02.corp.example.test": 10,
    "esx-ams-03.corp.example.test": -5,
    "esx-ams-04.corp.example.test": 4,
}
"""Hosts with a power.power.average series: host -> shift of HOST_WATTS (mean 346 W + shift)."""


def when(days_ago: float) -> str:
    return (ANCHOR - timedelta(days=days_ago)).isoformat().replace("+00:00", "Z")


def host(name: str, build: str, version: str = "8.0.2", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "version": version,
        "build": build,
        "connection_state": "connected",
        "in_maintenance_mode": False,
        "power_state": "poweredOn",
        **extra,
    }


class Estate:
    """Builds one vCenter's scenario."""

    def __init__(
        self,
        seed: int,
        vcenter: dict[str, Any],
        datacenter: str,
        domain: str,
        datastore: str = "datastore1",
    ) -> None:
        self.random = random.Random(seed)
        self.datastore = datastore
        self.hardware: dict[str, str] = {}  # cluster -> default hardware version
        self.vcenter = vcenter
        self.datacenter = datacenter
        self.domain = domain
        self.clusters: list[dict[str, Any]] = []
        self.folders: list[str] = []
        self.vms: list[dict[str, Any]] = []
        self.ip_counter = 10
        self.datastores: list[dict[str, Any]] = []  # empty: only ``datastore``, with defaults

    def cluster(self, name: str, hosts: list[dict[str, Any]]) -> None:
        self.clusters.append({"name": name, "resource_pools": ["Horizon"], "hosts": hosts})

    def hosts(self, cluster: str) -> list[dict[str, Any]]:
        return list(next(c for c in self.clusters if c["name"] == cluster)["hosts"])

    def vapp(self, cluster: str, name: str, annotation: str) -> None:
        """A vApp in the cluster's root pool, listed in the datacenter's root VM folder."""
        found = next(c for c in self.clusters if c["name"] == cluster)
        found.setdefault("vapps", []).append({"name": name, "annotation": annotation})

    def vm(self, name: str, cluster: str, folder: str, os: tuple[str, str], **state: Any) -> None:
        if folder and folder not in self.folders:
            self.folders.append(folder)
        hosts = next(c for c in self.clusters if c["name"] == cluster)["hosts"]
        self.ip_counter += 1
        powered_on = state.get("power_state", "poweredOn") == "poweredOn"
        record: dict[str, Any] = {
            "name": name,
            "datacenter": self.datacenter,
            "cluster": cluster,
            "host": self.random.choice(hosts)["name"],
            "folder": folder,
            "resource_pool": "Horizon",
            "datastore": self.datastore,
            "power_state": "poweredOn",
            "connection_state": "connected",
            "template": False,
            "guest_id": os[0],
            "guest_full_name": os[1],
            "running_guest_full_name": os[1] if powered_on else None,
            "guest_hostname": f"{name.lower()}.{self.domain}" if powered_on else None,
            "ip_address": f"10.{20 + len(self.clusters)}.{self.ip_counter // 250}."
            f"{self.ip_counter % 250 + 1}"
            if powered_on
            else None,
            "tools_status": "toolsOk" if powered_on else "toolsNotRunning",
            "tools_version_status2": "guestToolsCurrent",
            "tools_running_status": "guestToolsRunning" if powered_on else "guestToolsNotRunning",
            "tools_version": TOOLS_CURRENT,
            "hardware_version": self.hardware.get(cluster, "vmx-21"),
            "num_cpu": 2,
            "memory_mb": 8192,
            "annotation": "",
            "boot_time": when(self.random.uniform(0.2, 6)) if powered_on else None,
        }
        record.update(state)
        if "vapp" in record:  # a vApp member takes folder and pool from its vApp
            del record["folder"], record["resource_pool"]
        self.vms.append(record)

    def scenario(self) -> dict[str, Any]:
        return {
            "vcenter": self.vcenter,
            "custom_fields": ["Owner", "CostCenter", "Horizon-Pool"],
            "datacenters": [
                {
                    "name": self.datacenter,
                    "folders": self.folders,
                    "datastores": self.datastores or [self.datastore],
                    "clusters": self.clusters,
                }
            ],
            "vms": self.vms,
        }


def datastore(
    name: str, kind: str, capacity_gib: float, free_pct: float, **state: Any
) -> dict[str, Any]:
    """A datastore with ``free_pct`` percent of its capacity free."""
    free = round(capacity_gib * free_pct / 100, 2)
    return {"name": name, "type": kind, "capacity_gib": capacity_gib, "free_gib": free, **state}


def alarm(name: str, status: str, days_ago: float, acknowledged: bool = False) -> dict[str, Any]:
    """A triggered alarm (names as vCenter's default alarm definitions have them)."""
    return {"name": name, "status": status, "time": when(days_ago), "acknowledged": acknowledged}


def size_hosts(
    estate: Estate,
    cluster: str,
    cores: int,
    mhz: int,
    memory_gib: int,
    load: list[tuple[float, float]],
) -> None:
    """Hardware of a cluster's hosts, and their (CPU, memory) use as fractions, host by host."""
    hosts = next(c for c in estate.clusters if c["name"] == cluster)["hosts"]
    for spec, (cpu, memory) in zip(hosts, load, strict=True):
        spec.update(
            cpu_mhz=mhz,
            cpu_cores=cores,
            memory_mb=memory_gib * 1024,
            cpu_usage_mhz=round(cores * mhz * cpu),
            memory_usage_mb=round(memory_gib * 1024 * memory),
        )


def set_cluster(estate: Estate, cluster: str, **settings: Any) -> None:
    next(c for c in estate.clusters if c["name"] == cluster).update(settings)


def set_host(estate: Estate, name: str, **state: Any) -> None:
    next(h for c in estate.clusters for h in c["hosts"] if h["name"] == name).update(state)


def set_vm(estate: Estate, name: str, **state: Any) -> None:
    next(vm for vm in estate.vms if vm["name"] == name).update(state)


def _uuid(*parts: str) -> str:
    """A stable UUID that looks like the ones Horizon and vCenter put in VM names."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def clone_prep_internals(
    estate: Estate, image: str, cluster: str, os: tuple[str, str], skip_hosts: tuple[str, ...] = ()
) -> None:
    """Horizon's instant-clone internal VMs for one image: an internal template and a replica
    (powered off), and a parent per ESXi host (powered on), in the ClonePrep folders."""
    for folder in CLONE_PREP_FOLDERS:
        if folder not in estate.folders:
            estate.folders.append(folder)
    internal = {"create_date": when(12), "guest_hostname": None, "ip_address": None}
    off = dict(internal, power_state="poweredOff", boot_time=None)
    estate.vm(
        f"cp-template-{_uuid(image, 'template')}",
        cluster,
        "ClonePrepInternalTemplateFolder",
        os,
        **off,
    )
    estate.vm(
        f"cp-replica-{_uuid(image, 'replica')}", cluster, "ClonePrepReplicaVmFolder", os, **off
    )
    for host_spec in estate.hosts(cluster):
        if host_spec["name"] in skip_hosts:
            continue
        estate.vm(
            f"cp-parent-{_uuid(image, 'parent', host_spec['name'])}",
            cluster,
            "ClonePrepParentVmFolder",
            os,
            host=host_spec["name"],
            boot_time=when(12),
            **internal,
        )


def vcls(estate: Estate, cluster: str, count: int) -> None:
    """vSphere Cluster Services VMs: tiny Photon OS VMs on old hardware, one per host."""
    for index, host_spec in enumerate(estate.hosts(cluster)[:count]):
        estate.vm(
            f"vCLS-{_uuid(cluster, 'vcls', str(index))}",
            cluster,
            "vCLS",
            PHOTON,
            host=host_spec["name"],
            hardware_version="vmx-11",
            num_cpu=1,
            memory_mb=128,
            guest_hostname=None,
            ip_address=None,
            tools_version_status2="guestToolsUnmanaged",
            tools_version="12389",
            boot_time=when(21),
        )


def instant_clone_pool(
    estate: Estate, pool: str, cluster: str, count: int, os: tuple[str, str], prefix: str
) -> None:
    rnd = estate.random
    for index in range(1, count + 1):
        state: dict[str, Any] = {"custom_values": {"Horizon-Pool": pool}}
        roll = rnd.random()
        if roll < 0.06:
            state.update(tools_version_status2="guestToolsNeedUpgrade", tools_version=TOOLS_OLD)
        elif roll < 0.08:
            state.update(power_state="poweredOff", boot_time=None)
        elif roll < 0.10:
            state.update(
                tools_running_status="guestToolsNotRunning", tools_status="toolsNotRunning"
            )
        estate.vm(f"{prefix}-{index:03d}", cluster, f"Horizon/{pool}", os, **state)


def full_clone_pool(
    estate: Estate,
    pool: str,
    cluster: str,
    count: int,
    os: tuple[str, str],
    prefix: str,
    owners: list[str],
    folder: str | None = None,
) -> None:
    rnd = estate.random
    for index in range(1, count + 1):
        owner = owners[(index - 1) % len(owners)]
        state: dict[str, Any] = {
            "custom_values": {"Horizon-Pool": pool, "Owner": owner, "CostCenter": "CC-4410"},
            "boot_time": when(rnd.choice([2, 5, 9, 14, 21, 28, 33, 41, 47, 63, 75, 92])),
            "num_cpu": 4,
            "memory_mb": 16384,
            "annotation": f"Dedicated desktop of {owner}",
        }
        roll = rnd.random()
        if roll < 0.15:
            state.update(hardware_version="vmx-14")
        elif roll < 0.22:
            state.update(tools_version_status2="guestToolsSupportedOld", tools_version="11365")
        elif roll < 0.26:
            state.update(tools_version_status2="guestToolsTooOld", tools_version="10346")
        elif roll < 0.30:
            state.update(power_state="suspended", boot_time=None)
        if rnd.random() < 0.25:
            age = rnd.choice([3, 10, 20, 45])
            state["snapshots"] = [
                {
                    "name": "before-upgrade",
                    "created": when(age),
                    "children": [{"name": "after-upgrade", "created": when(age - 1)}]
                    if rnd.random() < 0.5
                    else [],
                }
            ]
        estate.vm(
            f"{prefix}-{index:03d}",
            cluster,
            f"Horizon/{pool}" if folder is None else folder,
            os,
            **state,
        )


def golden_image(
    estate: Estate,
    name: str,
    cluster: str,
    os: tuple[str, str],
    snapshot_ages: list[tuple[str, float]],
) -> None:
    tree: list[dict[str, Any]] = []
    level = tree
    for snap_name, age in snapshot_ages:
        node: dict[str, Any] = {"name": snap_name, "created": when(age), "children": []}
        level.append(node)
        level = node["children"]
    estate.vm(
        name,
        cluster,
        "Golden Images",
        os,
        power_state="poweredOff",
        boot_time=None,
        snapshots=tree,
        annotation="Golden image: patch monthly, then push",
        custom_values={"Owner": "euc-team"},
    )


def build_vc01() -> dict[str, Any]:
    estate = Estate(
        101,
        {
            "name": "vc01.corp.example.test",
            "instance_uuid": "5a1c0e2e-7c1b-4d6e-9f30-0c4b8e1a2d01",
            "version": "8.0.2",
            "build": "22617221",
        },
        "Amsterdam",
        "corp.example.test",
        datastore="vsanDatastore",
    )
    estate.cluster(
        "VDI-Cluster-01",
        [
            host("esx-ams-01.corp.example.test", "22380479"),
            host("esx-ams-02.corp.example.test", "22380479"),
            host("esx-ams-03.corp.example.test", "22380479"),
            host("esx-ams-04.corp.example.test", "21813344"),
        ],
    )
    # An ESXi 7.0.3 cluster: vmx-19 is the newest hardware its desktops can have.
    estate.cluster(
        "VDI-Cluster-02",
        [
            host("esx-ams-11.corp.example.test", ESXI7[1], version=ESXI7[0]),
            host("esx-ams-12.corp.example.test", ESXI7[1], version=ESXI7[0]),
            host(
                "esx-ams-13.corp.example.test",
                ESXI7[1],
                version=ESXI7[0],
                in_maintenance_mode=True,
            ),
        ],
    )
    estate.hardware["VDI-Cluster-02"] = "vmx-19"
    golden_image(
        estate,
        "gold-win11-23h2",
        "VDI-Cluster-01",
        WIN11,
        [("2026-08-patch", 98), ("2026-09-patch", 68), ("2026-10-patch", 41)],
    )
    golden_image(
        estate,
        "gold-win10-22h2-dev",
        "VDI-Cluster-02",
        WIN10,
        [("base", 300), ("2026-06-patch", 160)],
    )
    golden_image(estate, "gold-ws2022-rds", "VDI-Cluster-02", WIN2022, [("2026-11-patch", 12)])
    estate.vm(
        "gold-win11-23h2-template",
        "VDI-Cluster-01",
        "Golden Images",
        WIN11,
        template=True,
        power_state="poweredOff",
        boot_time=None,
    )
    instant_clone_pool(estate, "IC-Win11-Office", "VDI-Cluster-01", 160, WIN11, "AMS-W11")
    full_clone_pool(
        estate,
        "FC-Win10-Developers",
        "VDI-Cluster-02",
        40,
        WIN10,
        "AMS-DEV",
        ["a.jansen", "b.devries", "c.bakker", "d.visser", "e.smit", "f.meijer"],
        folder="",  # provisioned into the datacenter's root VM folder
    )
    for index in range(1, 13):
        state: dict[str, Any] = {
            "custom_values": {"Horizon-Pool": "Manual-Engineering"},
            "boot_time": when(3 + index * 5),
            "num_cpu": 8,
            "memory_mb": 32768,
        }
        if index == 4:
            state.update(
                running_guest_id="windows11_64Guest",
                running_guest_full_name="Microsoft Windows 11 (64-bit)",
            )
        if index == 7:
            state.update(connection_state="orphaned", power_state="poweredOff", boot_time=None)
        estate.vm(
            f"AMS-ENG-WS{index:02d}", "VDI-Cluster-02", "Horizon/Manual-Engineering", WIN10, **state
        )
    for index in range(1, 7):
        estate.vm(
            f"AMS-RDSH-{index:02d}",
            "VDI-Cluster-02",
            "Horizon/RDS-Farm-Apps",
            WIN2022,
            num_cpu=8,
            memory_mb=65536,
            boot_time=when(index * 4.5),
            custom_values={"Horizon-Pool": "RDS-Farm-Apps"},
        )
    for name, os in (("ams-cs01", WIN2022), ("ams-cs02", WIN2022), ("ams-uag01", WIN2022)):
        estate.vm(
            name,
            "VDI-Cluster-01",
            "Infrastructure",
            os,
            num_cpu=4,
            memory_mb=16384,
            boot_time=when(26),
            annotation="Horizon infrastructure - do not power off",
        )
    estate.vm(
        "ams-w11-test-<b>old</b>",
        "VDI-Cluster-01",
        "Horizon/IC-Win11-Office",
        WIN11,
        tools_version_status2="guestToolsNotInstalled",
        tools_version="0",
        tools_status="toolsNotInstalled",
        tools_running_status="guestToolsNotRunning",
        annotation="left over from pilot <script>alert('x')</script>",
    )
    add_vc01_real_estate_parts(estate)
    add_vc01_storage_and_health(estate)
    return add_vcenter_usage(estate.scenario(), DEMO_IDLE_DESKTOPS, DEMO_METERED_HOSTS)


VC01_GOLD = "AMS-GOLD-VMFS-01"
VC01_VDI_SAN = "AMS-VDI-VMFS-01"
VC01_INFRA = "AMS-INFRA-NFS-01"


def add_vc01_storage_and_health(estate: Estate) -> None:
    """Storage, alarms, host hardware and cluster settings of a Horizon 8 vCenter: the vSAN
    datastore of the instant clones at 12% free, the SAN datastore of the full clones at 7%,
    golden images apart, an ISO library on NFS that went away, an old datastore being emptied;
    a host with a failed fan, a 3-host cluster with a host in maintenance and no N+1 headroom,
    one desktop that needs consolidating, one ballooning and one swapping."""
    estate.datastores = [
        datastore(
            "vsanDatastore",
            "vsan",
            30720,
            12,
            alarms=[alarm("Datastore usage on disk", "red", 3)],
        ),
        datastore(
            VC01_VDI_SAN, "VMFS", 8192, 7, alarms=[alarm("Datastore usage on disk", "red", 9)]
        ),
        datastore(VC01_GOLD, "VMFS", 2048, 55),
        datastore(VC01_INFRA, "NFS", 4096, 60),
        datastore("AMS-ISO-NFS-OLD", "NFS", 1024, 8, accessible=False),
        datastore("AMS-VMFS-LEGACY-02", "VMFS", 2048, 99.6, maintenance_mode="inMaintenance"),
    ]
    for vm in estate.vms:
        vm["datastore"] = vc01_datastore(vm)
    size_hosts(
        estate,
        "VDI-Cluster-01",
        24,
        2800,
        768,
        [(0.46, 0.58), (0.41, 0.55), (0.44, 0.57), (0.39, 0.52), (0.02, 0.03)],
    )
    size_hosts(estate, "VDI-Cluster-02", 16, 2600, 512, [(0.62, 0.81), (0.66, 0.84), (0.0, 0.01)])
    set_cluster(
        estate,
        "VDI-Cluster-01",
        ha={"enabled": True, "admission_control": True},
        drs={"enabled": True, "behavior": "fullyAutomated"},
    )
    # admission control turned off to get the third host into maintenance
    set_cluster(
        estate,
        "VDI-Cluster-02",
        ha={"enabled": True, "admission_control": False},
        drs={"enabled": True, "behavior": "partiallyAutomated"},
    )
    set_host(
        estate,
        "esx-ams-04.corp.example.test",
        hardware_health={
            "sensors": [
                {"name": "Fan Device 2 System Fan 2", "type": "fan", "health": "red"},
                {"name": "Fan Device 1 System Fan 1", "type": "fan", "health": "green"},
                {"name": "Power Supply 1 PS1 Status", "type": "power", "health": "green"},
            ]
        },
        alarms=[alarm("Host hardware fan status", "red", 2)],
    )
    set_host(estate, "esx-ams-13.corp.example.test", hardware_health=None)  # CIM off
    set_vm(estate, "AMS-DEV-017", consolidation_needed=True)
    memory = "Virtual machine memory usage"
    set_vm(estate, "AMS-ENG-WS03", ballooned_memory_mb=3072, alarms=[alarm(memory, "yellow", 1)])
    set_vm(estate, "AMS-ENG-WS09", swapped_memory_mb=1536, alarms=[alarm(memory, "yellow", 0.5)])


def vc01_datastore(vm: dict[str, Any]) -> str:
    """Golden images apart; infrastructure on NFS; desktops on their cluster's storage."""
    if vm.get("folder") == "Golden Images":
        return VC01_GOLD
    if vm.get("folder") in ("Infrastructure", "vCLS") or vm.get("vapp"):
        return VC01_INFRA
    if vm["name"].startswith("[vsanDatastore]") or vm["cluster"] == "VDI-Cluster-01":
        return "vsanDatastore"
    return VC01_VDI_SAN


def add_vc01_real_estate_parts(estate: Estate) -> None:
    """What every real Horizon 8 vCenter has besides desktops, and its usual surprises."""
    clone_prep_internals(estate, "gold-win11-23h2", "VDI-Cluster-01", WIN11)
    clone_prep_internals(
        estate,
        "gold-ws2022-rds",
        "VDI-Cluster-02",
        WIN2022,
        skip_hosts=("esx-ams-13.corp.example.test",),  # in maintenance: Horizon removed it
    )
    vcls(estate, "VDI-Cluster-01", 3)
    vcls(estate, "VDI-Cluster-02", 2)
    estate.vapp("VDI-Cluster-01", "AMS-SQL-AG", "SQL Server availability group (Horizon events)")
    for name in ("ams-sql01", "ams-sql02"):
        estate.vm(
            name,
            "VDI-Cluster-01",
            "",
            WIN2022,
            vapp="AMS-SQL-AG",
            num_cpu=4,
            memory_mb=32768,
            boot_time=when(40),
        )
    # next to the root-folder pool: VMs nobody claims
    estate.vm(
        "AMS-DEV-OLD-07",
        "VDI-Cluster-02",
        "",
        WIN10,
        power_state="poweredOff",
        boot_time=None,
        hardware_version="vmx-14",
        annotation="Old desktop of a leaver, kept 'just in case'",
    )
    estate.vm("tmp-clone-jvisser", "VDI-Cluster-02", "", WIN10, boot_time=when(16))
    # a desktop vCenter cannot read any more: config unset, named by its .vmx path
    estate.vm(
        "[vsanDatastore] AMS-DEV-041/AMS-DEV-041.vmx",
        "VDI-Cluster-02",
        "",
        WIN10,
        config_unset=True,
        connection_state="inaccessible",
        power_state="poweredOff",
        boot_time=None,
        guest_hostname=None,
        ip_address=None,
        running_guest_full_name=None,
        tools_status="toolsNotRunning",
        tools_running_status="guestToolsNotRunning",
    )
    # an ESXi 7.0.3 host joined to the 8.0 cluster, its upgrade pending: no VM runs on it,
    # since the cluster's vmx-21 desktops cannot
    clusters = {c["name"]: c for c in estate.clusters}
    clusters["VDI-Cluster-01"]["hosts"].append(
        host("esx-ams-05.corp.example.test", ESXI7[1], version=ESXI7[0])
    )


def build_vc02() -> dict[str, Any]:
    estate = Estate(
        202,
        {
            "name": "vc02.corp.example.test",
            "instance_uuid": "7d2f4a90-31e5-4b8c-a6d2-9e8f1b3c4d02",
            "version": "8.0.3",
            "build": "24022515",
        },
        "Rotterdam",
        "corp.example.test",
        datastore="vsanDatastore-RTM",
    )
    estate.cluster(
        "VDI-Cluster-R1",
        [
            host("esx-rtm-01.corp.example.test", "24022510", version="8.0.3"),
            host("esx-rtm-02.corp.example.test", "24022510", version="8.0.3"),
            host("esx-rtm-03.corp.example.test", "23299997", version="8.0.3"),
        ],
    )
    golden_image(
        estate,
        "gold-win11-callcenter",
        "VDI-Cluster-R1",
        WIN11,
        [("2026-10-patch", 33), ("2026-11-patch", 8)],
    )
    instant_clone_pool(estate, "IC-Win11-CallCenter", "VDI-Cluster-R1", 90, WIN11, "RTM-CC")
    for index in range(1, 4):
        estate.vm(
            f"RTM-CC-OLD-{index:02d}",
            "VDI-Cluster-R1",
            "Horizon/IC-Win11-CallCenter",
            WIN11,
            hardware_version="vmx-15",
            boot_time=when(70 + index),
            tools_version_status2="guestToolsSupportedOld",
            tools_version="11365",
        )
    clone_prep_internals(estate, "gold-win11-callcenter", "VDI-Cluster-R1", WIN11)
    vcls(estate, "VDI-Cluster-R1", 3)
    # a host that stopped responding, with a desktop on it
    lost = "esx-rtm-04.corp.example.test"
    clusters = {c["name"]: c for c in estate.clusters}
    clusters["VDI-Cluster-R1"]["hosts"].append(
        host(lost, "24022510", version="8.0.3", connection_state="notResponding")
    )
    estate.vm(
        "RTM-CC-091",
        "VDI-Cluster-R1",
        "Horizon/IC-Win11-CallCenter",
        WIN11,
        host=lost,
        connection_state="disconnected",
        boot_time=when(1.5),
        custom_values={"Horizon-Pool": "IC-Win11-CallCenter"},
    )
    add_vc02_storage_and_health(estate)
    return estate.scenario()


def add_vc02_storage_and_health(estate: Estate) -> None:
    """A vSAN cluster with HA turned off, a power supply that lost redundancy (its alarm
    acknowledged), and the host that stopped responding (no hardware health, a red alarm)."""
    estate.datastores = [
        datastore("vsanDatastore-RTM", "vsan", 20480, 41),
        datastore("RTM-GOLD-VMFS-01", "VMFS", 1024, 62),
    ]
    for vm in estate.vms:
        if vm.get("folder") == "Golden Images":
            vm["datastore"] = "RTM-GOLD-VMFS-01"
    size_hosts(
        estate,
        "VDI-Cluster-R1",
        32,
        2900,
        1024,
        [(0.38, 0.49), (0.35, 0.47), (0.41, 0.52), (0.0, 0.0)],
    )
    set_cluster(
        estate,
        "VDI-Cluster-R1",
        ha={"enabled": False},
        drs={"enabled": True, "behavior": "fullyAutomated"},
    )
    set_host(
        estate,
        "esx-rtm-02.corp.example.test",
        hardware_health={
            "sensors": [
                {
                    "name": "Power Supply 2 PS2 Status",
                    "type": "power",
                    "health": "yellow",
                    "summary": "Power supply redundancy is lost",
                }
            ]
        },
        alarms=[alarm("Host hardware power status", "yellow", 6, acknowledged=True)],
    )
    set_host(
        estate,
        "esx-rtm-04.corp.example.test",
        hardware_health=None,
        alarms=[alarm("Host connection and power state", "red", 1.5)],
    )


def main() -> None:
    for name, scenario in (("demo-vc01", build_vc01()), ("demo-vc02", build_vc02())):
        path = SCENARIOS / f"{name}.json"
        path.write_text(json.dumps(scenario, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{path}: {len(scenario['vms'])} VMs")


if __name__ == "__main__":
    main()
