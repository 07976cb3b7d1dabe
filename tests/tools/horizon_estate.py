"""Horizon pods that agree with the vCenter simulator: Horizon test-server data from a scenario.

    python tests/tools/horizon_estate.py horizon_pod     # also (re)writes its scenario
    python tests/tools/horizon_estate.py demo
    python tests/tools/horizon_estate.py all

For pod NAME this starts one simulator per vCenter of the pod (``start_vcsim``), reads the
manifests the simulators write (VM name -> ``vm-57``, host and snapshot morefs, the instance
UUID) and writes ``tests/fixtures/horizon/NAME/`` in the Horizon test server's data format
(``tests/fixtures/horizon/README.md``: 2512 record shapes; the server projects older versions).

The Horizon data agree with the simulator: machines carry the VMs' morefs
(``managed_machine_data.vm_moid``), paths (``/DC/vm/<folder>/<name>``), hosts and DNS names
(the scenario's ``guest_hostname``); pools and farms carry the golden images' VM and snapshot
morefs and paths; ``virtual_centers`` carry each vCenter's ``instance_uuid``. Machine names are
the VM names, so a 2111 server (``profile="2111"``, no ``vm_moid``) can still be joined by
name, DNS name or path.

Determinism: ``generate(pod, sources)`` is a pure function of the pod description (below),
the scenarios and the *stable* part of the manifests (morefs are assigned in build order, so
the same scenario always gets the same ones; URL, port, pid and file paths are never read).
Ids are UUIDv5 of names; the "realistic mix" of the demo comes from ``random.Random`` seeded
with the pod and pool names. Live times (sessions, errors, certificates, monitor stamps) are
written as ``"${now-3h}"`` placeholders that the server resolves when it loads the data;
times that mirror the scenario (machine create times) are the scenario's absolute times.
``tests/harness/test_horizon_estate.py`` regenerates both pods and compares them with the committed
files.

Usage (issue 16): a pod with a ``usage`` plan (``demo``, ``horizon8``) also gets 30 days of
session history, ``audit_events.json``, and ``desktop_pool_metrics.json``, made by
``tests/tools/usage_history.py`` from the machines and sessions generated here (seeded); the
hidden cases are listed in tests/fixtures/horizon/README.md.

The ``horizon_pod`` scenario (``tests/vcsim/scenarios/horizon_pod.json``) is written by
``horizon_pod_scenario()`` here; its snapshot dates are relative to ``ANCHOR`` (the demo
estate's anchor, 2026-11-27 06:00 UTC), so "the image snapshot is ~50 days old" holds at
that time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import sys
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python tests/tools/horizon_estate.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools.demo_estate import DEMO_IDLE_DESKTOPS
from tools.usage_history import (
    PoolUsagePlan,
    UsagePlan,
    add_vcenter_usage,
    history,
    pool_metrics,
)
from tools.vsphere_layout import horizon8_storage_and_health, horizon_pod_storage_and_health

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "tests" / "vcsim" / "scenarios"
FIXTURES = REPO / "tests" / "fixtures" / "horizon"
ANCHOR = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)  # as tests/tools/demo_estate.py
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://fleetreport.example.test/horizon-estate")

AGENT_BUILDS = {
    "8.17.0": "24988612",
    "8.14.0": "24156327",
    "8.16.0": "24580128",
    "8.15.1": "24213277",
    "8.13.0": "23743462",
}
OS_BY_GUEST_ID = {
    "windows11_64Guest": "WINDOWS_11",
    "windows9_64Guest": "WINDOWS_10",
    "windows2019srvNext_64Guest": "WINDOWS_SERVER_2016_OR_ABOVE",
    "windows2019srv_64Guest": "WINDOWS_SERVER_2016_OR_ABOVE",
}
POWER = {"poweredOn": "POWERED_ON", "poweredOff": "POWERED_OFF", "suspended": "SUSPENDED"}
FAKE_CERT = "-----BEGIN CERTIFICATE-----\nFAKE-TEST-ONLY\n-----END CERTIFICATE-----"
FILES = (
    "ad_domains.json",
    "ad_users.json",
    "connection_servers.json",
    "credentials.json",
    "desktop_pools.json",
    "environment_properties.json",
    "event_database.json",
    "farms.json",
    "farms_monitor.json",
    "gateways.json",
    "license_usage.json",
    "licenses.json",
    "machines.json",
    "pods.json",
    "rds_servers.json",
    "saml_authenticators.json",
    "sessions.json",
    "true_sso.json",
    "virtual_centers.json",
    "virtual_centers_monitor.json",
)


# ============================================================================ descriptions


@dataclass(frozen=True)
class SessionSpec:
    """A session; times are ``${now-...}`` placeholders (resolved by the server)."""

    user: str  # login name of a pod user
    state: str = "CONNECTED"  # CONNECTED | DISCONNECTED (anything else is kept verbatim)
    start: str = "${now-3h}"
    disconnected: str | None = None  # when state is DISCONNECTED
    protocol: str = "BLAST"
    client: str = "WINDOWS"
    external: bool = False  # through the gateway instead of a connection server
    applications: tuple[str, ...] = ()  # application session (RDS farms)


@dataclass(frozen=True)
class MachineSpec:
    """Per-machine override, keyed by VM name in ``PoolSpec.machines``."""

    state: str | None = None  # default: from the session, or the VM's power/tools state
    agent_version: str | None = None
    users: tuple[str, ...] | None = None  # assigned users (dedicated pools)
    sessions: tuple[SessionSpec, ...] = ()  # desktops: at most one
    base_snapshot: str | None = None  # image the machine runs; default: the pool's
    pending_snapshot: str | None = None  # image being pushed to it
    operation: str | None = None
    operation_state: str | None = None
    maintenance: bool = False
    clone_error: str | None = None
    clone_error_time: str | None = None
    missing: bool = False  # Horizon-only machine: its VM is gone from vCenter
    power_state: str | None = None  # Horizon's power state, for missing machines only


@dataclass(frozen=True)
class PendingImage:
    snapshot: str  # manifest snapshot path on the pool's golden image
    state: str  # PUBLISHING | READY | FAILED | ...
    error: str | None = None
    progress: int = 0


@dataclass(frozen=True)
class Mix:
    """Random states for machines without an override (seeded with pod and pool name)."""

    session_rate: float = 0.6  # of powered-on, healthy desktops
    disconnected_share: float = 0.12
    external_share: float = 0.25
    problems: tuple[tuple[str, float], ...] = ()  # (state, probability) for healthy VMs
    agent_versions: tuple[tuple[str, float], ...] = ()  # (version, weight); () = pool's
    assigned_share: float = 1.0  # dedicated pools: machines with a user
    old_image: str | None = None  # previous image snapshot path
    old_image_share: float = 0.0  # of desktops with a session: still on it, push pending
    old_agent_version: str | None = None
    sessions_per_host: tuple[int, int] = (0, 0)  # RDS farms: application sessions per host
    applications: tuple[str, ...] = ()


@dataclass(frozen=True)
class PoolSpec:
    """A desktop pool (or, with ``type="RDS"``, an RDS farm) = one VM folder."""

    name: str
    display_name: str
    description: str
    type: str  # AUTOMATED | MANUAL | RDS (a farm)
    source: str  # INSTANT_CLONE | VIRTUAL_CENTER (full clone, or vCenter manual) | UNMANAGED
    vcenter: str  # scenario name
    datacenter: str
    folder: str  # VM folder path under the datacenter
    user_assignment: str | None = "FLOATING"  # FLOATING | DEDICATED (None for farms)
    power_policy: str | None = "ALWAYS_POWERED_ON"
    golden_image: str | None = None  # VM name (a template for full clones)
    snapshot: str | None = None  # snapshot path as in the manifest ("a/b")
    naming_pattern: str | None = None
    min_machines: int | None = None
    max_machines: int | None = None
    spare_machines: int | None = None
    naming_method: str = "PATTERN"  # PATTERN | SPECIFIED (machine names given one by one)
    spares_powered_on: int | None = None  # SPECIFIED: unassigned machines kept powered on
    enabled: bool = True
    provisioning_enabled: bool = True
    agent_version: str = "8.17.0"
    machines: Mapping[str, MachineSpec] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()  # VMs in the folder Horizon does not know (strays)
    pending_image: PendingImage | None = None
    last_provisioning_error: tuple[str, str] | None = None  # (text, "${now-...}")
    disconnected_timeout_minutes: int | None = 120  # None = NEVER
    default_protocol: str = "BLAST"
    mix: Mix | None = None
    created: str = "${now-400d}"
    maintenance_times: bool = False  # instant clones: last_maintenance_time = the VM's creation


@dataclass(frozen=True)
class UserSpec:
    login: str
    first: str
    last: str


@dataclass(frozen=True)
class ConnectionServerSpec:
    name: str
    address: str
    cert_valid_to: str = "${now+300d}"
    status: str = "OK"
    services_down: tuple[str, ...] = ()
    version: str = "8.17.0"


@dataclass(frozen=True)
class LicenseSpec:
    """The pod's licence (config licenses) as Horizon reports it."""

    mode: str = "SUBSCRIPTION"  # DEFAULT / PERPETUAL_ONLY: perpetual, no expiry
    edition: str = "HORIZON_ENTERPRISE_CONCURRENT_USER"
    expires: str | None = "${now+400d}"
    health: str | None = "GREEN"  # set only for SUBSCRIPTION (2512 spec)


@dataclass(frozen=True)
class PodSpec:
    name: str
    domain: str  # AD DNS domain; also the DNS suffix of machines without guest_hostname
    netbios: str
    domain_sid: str  # S-1-5-21-a-b-c
    vcenters: tuple[str, ...]  # scenario names
    pools: tuple[PoolSpec, ...]
    users: tuple[UserSpec, ...]
    connection_servers: tuple[ConnectionServerSpec, ...]
    credentials: dict[str, str]
    gateway: str = "uag01"
    gateway_address: str = "203.0.113.10"
    event_database: str = "sql01"
    vcenter_descriptions: Mapping[str, str] = field(default_factory=dict)
    event_database_configured: bool = True
    license: LicenseSpec = LicenseSpec()
    missing_applications: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Farm name -> published applications Horizon finds missing on its RDS hosts."""
    usage: UsagePlan | None = None
    """30 days of session history (``audit_events.json``) and pool metrics; None: neither."""


# =============================================================================== helpers


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _epoch_ms(rfc3339: str) -> int:
    return int(datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp() * 1000)


_REL = re.compile(r"^\$\{now-(\d+)([smhd])\}$")
_UNIT_MIN = {"s": 1 / 60, "m": 1, "h": 60, "d": 1440}


def _minutes_ago(placeholder: str) -> int:
    m = _REL.match(placeholder)
    if not m:
        raise ValueError(f"not a past ${{now-N<unit>}} placeholder: {placeholder!r}")
    return int(int(m.group(1)) * _UNIT_MIN[m.group(2)])


def ago(minutes: int) -> str:
    """``${now-...}`` for ``minutes`` ago, in the largest whole unit."""
    if minutes % 1440 == 0:
        return "${now-%dd}" % (minutes // 1440)
    if minutes % 60 == 0:
        return "${now-%dh}" % (minutes // 60)
    return "${now-%dm}" % minutes


def _moid_number(moid: str) -> int:
    return int(moid.rsplit("-", 1)[1])


@dataclass
class _Vm:
    """A VM: scenario record plus its manifest entry."""

    scenario: dict[str, Any]
    manifest: dict[str, Any]
    vcenter: str

    @property
    def name(self) -> str:
        return str(self.manifest["name"])

    @property
    def moid(self) -> str:
        return str(self.manifest["moid"])

    @property
    def power(self) -> str:
        default = "poweredOff" if self.scenario.get("template") else "poweredOn"
        return str(self.scenario.get("power_state") or default)

    @property
    def connected(self) -> bool:
        return self.scenario.get("connection_state", "connected") == "connected"

    @property
    def tools_running(self) -> bool:
        status = self.scenario.get("tools_running_status")
        if status:
            return bool(status == "guestToolsRunning")
        installed = self.scenario.get("tools_version_status2") != "guestToolsNotInstalled"
        return self.power == "poweredOn" and installed

    @property
    def horizon_name(self) -> str:
        """The machine name Horizon shows: the VM name, or for a VM vCenter cannot read
        (config unset, named by its ``.vmx`` path) the name of its ``.vmx`` file."""
        if self.scenario.get("config_unset") and self.name.endswith(".vmx"):
            return self.name.rsplit("/", 1)[-1].removesuffix(".vmx")
        return self.name

    @property
    def in_vapp(self) -> bool:
        return bool(self.manifest.get("vapp"))

    @property
    def path(self) -> str:
        return vm_path(self.manifest["datacenter"], self.manifest["folder"], self.horizon_name)


def folder_path(datacenter: str, folder: str) -> str:
    """Inventory path of a VM folder (the datacenter's root VM folder for ``""``)."""
    return f"/{datacenter}/vm" + (f"/{folder}" if folder else "")


def vm_path(datacenter: str, folder: str, name: str) -> str:
    return f"{folder_path(datacenter, folder)}/{name}"


def folder_key(datacenter: str, folder: str) -> str:
    """The manifest's ``folders`` key of a VM folder."""
    return f"{datacenter}/{folder}" if folder else datacenter


@dataclass
class _VCenter:
    key: str  # scenario name
    scenario: dict[str, Any]
    manifest: dict[str, Any]
    horizon_id: str
    vms: list[_Vm]

    @property
    def name(self) -> str:
        return str(self.manifest["vcenter_name"])

    def vm(self, name: str) -> _Vm:
        for vm in self.vms:
            if name in (vm.name, vm.horizon_name):
                return vm
        raise KeyError(f"{self.key}: no VM {name!r}")

    def unused_vm_moid(self) -> str:
        """A ``vm-N`` beyond every moref the simulator handed out."""
        numbers = [_moid_number(v.moid) for v in self.vms]
        for group in ("hosts", "clusters", "datacenters", "folders", "datastores"):
            numbers += [_moid_number(m) for m in self.manifest.get(group, {}).values()]
        return "vm-%d" % (max(numbers) + 1000)


def _vcenter(key: str, scenario: dict[str, Any], manifest: dict[str, Any], pod: str) -> _VCenter:
    if scenario.get("bulk"):
        raise ValueError(f"{key}: bulk groups are not supported")
    records = scenario.get("vms", [])
    listed = manifest["vm_list"]
    if [r["name"] for r in records] != [v["name"] for v in listed]:
        raise ValueError(f"{key}: the manifest's vm_list does not follow the scenario")
    vms = [_Vm(r, m, key) for r, m in zip(records, listed, strict=True)]
    return _VCenter(key, scenario, manifest, _id(pod, "vcenter", manifest["vcenter_name"]), vms)


def _datacenter(vc: _VCenter, name: str) -> dict[str, Any]:
    return next(d for d in vc.scenario["datacenters"] if d["name"] == name)


def _hosts(vc: _VCenter) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for dc in vc.scenario["datacenters"]:
        for cluster in dc.get("clusters", []):
            out += [(cluster["name"], h) for h in cluster.get("hosts", [])]
        out += [(h["name"], h) for h in dc.get("hosts", [])]
    return out


def _datastores(vc: _VCenter) -> list[tuple[str, str, str]]:
    """(datacenter, name, moid)."""
    out = []
    for key, moid in sorted(vc.manifest.get("datastores", {}).items()):
        dc, name = key.split("/", 1)
        out.append((dc, name, moid))
    return out


def _snapshot_path(path: str) -> str:
    return "/" + path


# ============================================================================= generation


class _Users:
    """Hands out pod users in order (wrapping around) for assignments and sessions."""

    def __init__(self, users: Sequence[UserSpec], taken: set[str]) -> None:
        self.order = [u.login for u in users if u.login not in taken]
        self.cursor = 0

    def next(self) -> str:
        login = self.order[self.cursor % len(self.order)]
        self.cursor += 1
        return login


@dataclass
class _Machine:
    """What was decided for one machine, before rendering."""

    pool: PoolSpec
    name: str
    vm: _Vm | None  # None for missing machines
    state: str
    agent_version: str
    users: list[str]
    sessions: list[SessionSpec]
    base_snapshot: str | None
    pending_snapshot: str | None
    spec: MachineSpec


def _agent(pool: PoolSpec, rnd: random.Random) -> str:
    mix = pool.mix
    if mix is None or not mix.agent_versions:
        return pool.agent_version
    versions, weights = zip(*mix.agent_versions, strict=True)
    return rnd.choices(versions, weights)[0]


def _baseline_state(pool: PoolSpec, vm: _Vm, rnd: random.Random | None) -> str | None:
    """State forced by the VM itself (not running), or None when the VM is healthy."""
    if not vm.connected:
        return "AGENT_UNREACHABLE"
    if vm.power != "poweredOn":
        if pool.type == "AUTOMATED" and pool.power_policy in ("POWER_OFF", "SUSPEND"):
            return "AVAILABLE"
        if pool.source == "INSTANT_CLONE" and rnd is not None and rnd.random() < 0.5:
            return "PROVISIONING_ERROR"
        return "AGENT_UNREACHABLE"
    if not vm.tools_running:
        return "AGENT_UNREACHABLE"
    return None


def _random_session(pool: PoolSpec, user: str, rnd: random.Random) -> SessionSpec:
    mix = pool.mix or Mix()
    start = rnd.choice([25, 40, 70, 95, 130, 180, 240, 300, 360, 420, 480, 540])
    external = rnd.random() < mix.external_share
    protocol = rnd.choices(["BLAST", "PCOIP", "RDP"], [0.8, 0.15, 0.05])[0]
    client = rnd.choices(["WINDOWS", "MAC", "HTMLACCESS", "LINUX"], [0.75, 0.1, 0.1, 0.05])[0]
    if rnd.random() < mix.disconnected_share:
        gone = rnd.randint(5, min(start - 5, 150))
        return SessionSpec(user, "DISCONNECTED", ago(start), ago(gone), protocol, client, external)
    return SessionSpec(user, "CONNECTED", ago(start), None, protocol, client, external)


def _decide_desktops(pod: PodSpec, pool: PoolSpec, vc: _VCenter, users: _Users) -> list[_Machine]:
    rnd = random.Random(f"{pod.name}/{pool.name}")
    mix = pool.mix
    folder_vms = [
        vm
        for vm in vc.vms
        if vm.manifest["datacenter"] == pool.datacenter
        and vm.manifest["folder"] == pool.folder
        and not vm.scenario.get("template")
        and not vm.in_vapp
        and vm.horizon_name not in pool.exclude
    ]
    names = {vm.horizon_name for vm in folder_vms}
    unknown = set(pool.machines) - names
    for name in sorted(unknown):
        if not pool.machines[name].missing:
            raise ValueError(f"{pool.name}: override for {name!r}, which is not in the folder")
    out: list[_Machine] = []
    for vm in folder_vms:
        spec = pool.machines.get(vm.horizon_name, MachineSpec())
        agent = spec.agent_version or _agent(pool, rnd)
        base, pending = spec.base_snapshot or pool.snapshot, spec.pending_snapshot
        assigned: list[str] = list(spec.users or ())
        if (
            spec.users is None
            and pool.user_assignment == "DEDICATED"
            and mix is not None
            and rnd.random() < mix.assigned_share
        ):
            assigned = [users.next()]
        sessions = list(spec.sessions)
        state = spec.state
        if state is None and sessions:
            state = sessions[0].state
        if state is None and spec.maintenance:
            state = "MAINTENANCE"
        if state is None:
            state = _baseline_state(pool, vm, rnd if mix else None)
        if state is None and mix is not None:
            roll = rnd.random()
            for problem, rate in mix.problems:
                if roll < rate:
                    state = problem
                    break
                roll -= rate
            if state is None and pool.user_assignment == "DEDICATED" and not assigned:
                state = "AVAILABLE"
            if state is None and rnd.random() < mix.session_rate:
                user = assigned[0] if assigned else users.next()
                session = _random_session(pool, user, rnd)
                sessions = [session]
                state = session.state
                if mix.old_image and rnd.random() < mix.old_image_share:
                    base, pending = mix.old_image, pool.snapshot
                    agent = mix.old_agent_version or agent
        if state is None:
            state = "AVAILABLE"
        out.append(
            _Machine(
                pool, vm.horizon_name, vm, state, agent, assigned, sessions, base, pending, spec
            )
        )
    for name in sorted(unknown):
        spec = pool.machines[name]
        out.append(
            _Machine(
                pool,
                name,
                None,
                spec.state or "AGENT_UNREACHABLE",
                spec.agent_version or pool.agent_version,
                list(spec.users or ()),
                list(spec.sessions),
                spec.base_snapshot or pool.snapshot,
                spec.pending_snapshot,
                spec,
            )
        )
    out.sort(key=lambda m: m.name)
    return out


def _decide_rds(pod: PodSpec, pool: PoolSpec, vc: _VCenter, users: _Users) -> list[_Machine]:
    rnd = random.Random(f"{pod.name}/{pool.name}")
    mix = pool.mix
    out = []
    for vm in vc.vms:
        if (
            vm.manifest["datacenter"] != pool.datacenter
            or vm.manifest["folder"] != pool.folder
            or vm.in_vapp
            or vm.scenario.get("template")
            or vm.name in pool.exclude
        ):
            continue
        spec = pool.machines.get(vm.name, MachineSpec())
        state = spec.state or _baseline_state(pool, vm, None) or "AVAILABLE"
        sessions = list(spec.sessions)
        if not spec.sessions and mix is not None and state in ("AVAILABLE", "AGENT_DRAIN_MODE"):
            low, high = mix.sessions_per_host
            for _ in range(rnd.randint(low, high)):
                start = rnd.choice([10, 35, 60, 90, 150, 200, 260, 330])
                app = rnd.choice(mix.applications)
                external = rnd.random() < mix.external_share
                if rnd.random() < mix.disconnected_share:
                    gone = rnd.randint(5, min(start - 5, 120))
                    session = SessionSpec(
                        users.next(),
                        "DISCONNECTED",
                        ago(start),
                        ago(gone),
                        external=external,
                        applications=(app,),
                    )
                else:
                    session = SessionSpec(
                        users.next(),
                        "CONNECTED",
                        ago(start),
                        external=external,
                        applications=(app,),
                    )
                sessions.append(session)
        out.append(
            _Machine(
                pool,
                vm.name,
                vm,
                state,
                spec.agent_version or pool.agent_version,
                [],
                sessions,
                spec.base_snapshot or pool.snapshot,
                spec.pending_snapshot,
                spec,
            )
        )
    return out


class _Builder:
    def __init__(self, pod: PodSpec, vcenters: dict[str, _VCenter]) -> None:
        self.pod = pod
        self.vcenters = vcenters
        self.access_group = _id(pod.name, "access-group", "Root")
        self.users = {u.login: u for u in pod.users}
        self.cs_names = [cs.name for cs in pod.connection_servers]
        self.session_seq = 0
        self.cs_sessions: Counter[tuple[str, str]] = Counter()  # (cs, protocol)
        self.gateway_sessions = 0

    # ------------------------------------------------------------------ small pieces
    def fqdn(self, vm: _Vm | None, name: str) -> str:
        if vm is not None and vm.scenario.get("guest_hostname"):
            return str(vm.scenario["guest_hostname"])
        return f"{name.lower()}.{self.pod.domain}"

    def user_sid(self, login: str) -> str:
        index = [u.login for u in self.pod.users].index(login)
        return f"{self.pod.domain_sid}-{1101 + index}"

    def group_sid(self, rid: int) -> str:
        return f"{self.pod.domain_sid}-{rid}"

    def user_name(self, login: str) -> str:
        if login not in self.users:
            raise KeyError(f"{self.pod.name}: unknown user {login!r}")
        return f"{self.pod.domain}\\{login}"

    def golden(self, pool: PoolSpec) -> tuple[_Vm | None, str | None]:
        """The golden image VM and the moid of the pool's snapshot."""
        if not pool.golden_image:
            return None, None
        vm = self.vcenters[pool.vcenter].vm(pool.golden_image)
        snap = vm.manifest.get("snapshots", {}).get(pool.snapshot) if pool.snapshot else None
        if pool.snapshot and snap is None:
            raise KeyError(f"{pool.name}: {pool.golden_image} has no snapshot {pool.snapshot!r}")
        return vm, snap

    def snapshot_moid(self, pool: PoolSpec, path: str | None) -> str | None:
        if path is None:
            return None
        gold, _ = self.golden(pool)
        if gold is None:
            return None
        return str(gold.manifest["snapshots"][path])

    def placement(self, pool: PoolSpec) -> dict[str, Any]:
        """Cluster, resource pool and folder of the pool's VMs (the first one's)."""
        vc = self.vcenters[pool.vcenter]
        dc = pool.datacenter
        vms = [
            v
            for v in vc.vms
            if v.manifest["datacenter"] == dc
            and v.manifest["folder"] == pool.folder
            and not v.in_vapp
            and not v.scenario.get("template")
            and v.horizon_name not in pool.exclude
        ]
        first = vms[0].manifest
        cluster, rp = first["cluster"], first["resource_pool"]
        rp_key = cluster if rp in (None, "", "Resources") else f"{cluster}/{rp}"
        rp_path = f"/{dc}/host/{cluster}/Resources" + ("" if rp_key == cluster else f"/{rp}")
        return {
            "datacenter_id": vc.manifest["datacenters"][dc],
            "datacenter_name": dc,
            "host_or_cluster_id": vc.manifest["clusters"][cluster],
            "host_or_cluster_path": f"/{dc}/host/{cluster}",
            "resource_pool_id": vc.manifest["resource_pools"][rp_key],
            "resource_pool_path": rp_path,
            "vm_folder_id": vc.manifest["folders"][folder_key(dc, pool.folder)],
            "vm_folder_path": folder_path(dc, pool.folder),
        }

    def next_session_route(self, external: bool) -> dict[str, str]:
        self.session_seq += 1
        if external:
            return {
                "address": self.pod.gateway_address,
                "domain_name": f"{self.pod.gateway}.{self.pod.domain}",
                "location": "EXTERNAL",
            }
        cs = self.pod.connection_servers[self.session_seq % len(self.pod.connection_servers)]
        return {"address": cs.address, "domain_name": cs.name, "location": "INTERNAL"}

    # ---------------------------------------------------------------------- records
    def session(
        self, m: _Machine, s: SessionSpec, index: int, machine_id: str, pool_id: str
    ) -> dict[str, Any]:
        pool = m.pool
        farm = pool.type == "RDS"
        sid = self.user_sid(s.user)
        route = self.next_session_route(s.external)
        if s.external:
            self.gateway_sessions += 1
        else:
            self.cs_sessions[(route["domain_name"], s.protocol)] += 1
        octet = 10 + (self.session_seq * 7) % 240
        record: dict[str, Any] = {
            "id": _id(self.pod.name, "session", m.name, str(index)),
            "user_id": sid,
            "broker_user_id": sid,
            "user_name": self.user_name(s.user),
            "domain_name": self.pod.domain,
            "access_group_id": self.access_group,
        }
        if farm:
            record.update(farm_id=pool_id, rds_server_id=machine_id)
        else:
            record.update(machine_id=machine_id, desktop_pool_id=pool_id)
        record.update(
            desktop_pool_or_farm_name=pool.name,
            desktop_pool_or_farm_type="AUTOMATED" if farm else pool.type,
            desktop_pool_or_farm_source=pool.source,
            machine_or_rds_server_name=m.name,
            machine_or_rds_server_dns=self.fqdn(m.vm, m.name),
            session_type="APPLICATION" if s.applications else "DESKTOP",
            session_state=s.state,
            session_protocol=s.protocol,
        )
        if s.applications:
            record["application_names"] = list(s.applications)
        record.update(
            start_time=s.start,
            agent_version=m.agent_version,
            brokered_remotely=False,
            resourced_remotely=False,
            unauthenticated=False,
            cloud_managed=False,
            forever_session=False,
            groups=[self.group_sid(2001)],
            client_data={
                "name": "CLIENT-" + re.sub(r"[^A-Za-z0-9]", "", s.user).upper(),
                "address": ("203.0.113.%d" if s.external else "198.51.100.%d") % octet,
                "type": s.client,
                "version": "2506",
            },
            security_gateway_data=route,
        )
        if s.disconnected is not None:
            record["disconnected_time"] = s.disconnected
            record["idle_duration"] = _minutes_ago(s.disconnected)
        else:
            record["idle_duration"] = index % 3
            record["last_session_duration_ms"] = _minutes_ago(s.start) * 60_000
        return record

    def machine(self, m: _Machine, pool_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        pool, vm = m.pool, m.vm
        vc = self.vcenters[pool.vcenter]
        machine_id = _id(self.pod.name, "machine", pool.name, m.name)
        gold, _ = self.golden(pool)
        guest_id = (vm or gold).scenario.get("guest_id", "") if (vm or gold) else ""
        record: dict[str, Any] = {
            "id": machine_id,
            "name": m.name,
            "dns_name": self.fqdn(vm, m.name),
            "desktop_pool_id": pool_id,
            "desktop_pool_name": pool.name,
            "desktop_pool_source": pool.source,
            "desktop_pool_type": pool.type,
            "desktop_pool_user_assignment": pool.user_assignment,
            "access_group_id": self.access_group,
            "state": m.state,
            "type": "UNMANAGED_MACHINE" if pool.source == "UNMANAGED" else "MANAGED_MACHINE",
            "operating_system": OS_BY_GUEST_ID.get(guest_id, "UNKNOWN"),
            "operating_system_architecture": "BIT_64",
            "agent_version": m.agent_version,
            "agent_build_number": AGENT_BUILDS[m.agent_version],
            "remote_experience_agent_version": m.agent_version,
            "remote_experience_agent_build_number": AGENT_BUILDS[m.agent_version],
            "message_security_mode": "ENHANCED",
            "message_security_enhanced_mode_supported": True,
            "pairing_state": "PAIRED_AND_SECURED",
            "configured_by_connection_server": list(self.cs_names),
            "attempted_theft_by_connection_server": [],
            "user_ids": [self.user_sid(u) for u in m.users],
            "user_names": [self.user_name(u) for u in m.users],
            "held_machine": False,
        }
        if pool.source != "UNMANAGED":
            record["managed_machine_data"] = self.managed_data(m, vc)
        if vm is not None and vm.power == "poweredOn" and vm.scenario.get("ip_address"):
            record["agent_ipv4_address"] = vm.scenario["ip_address"]
        sessions = []
        for index, s in enumerate(m.sessions):
            sessions.append(self.session(m, s, index, machine_id, pool_id))
        if sessions:
            record.update(
                session_id=sessions[0]["id"],
                session_user_id=sessions[0]["user_id"],
                session_user_name=sessions[0]["user_name"],
                session_protocol=sessions[0]["session_protocol"],
            )
        return record, sessions

    def managed_data(self, m: _Machine, vc: _VCenter) -> dict[str, Any]:
        pool, vm, spec = m.pool, m.vm, m.spec
        pool_vms = [v for v in vc.vms if v.manifest["folder"] == pool.folder and not v.in_vapp]
        anchor_vm = vm or pool_vms[0]
        dc = anchor_vm.manifest["datacenter"]
        ds = (
            anchor_vm.scenario.get("datastore")
            or _datacenter(vc, dc).get("datastores", ["datastore1"])[0]
        )
        ds_moid = vc.manifest["datastores"][f"{dc}/{ds}"]
        data: dict[str, Any] = {
            "virtual_center_id": vc.horizon_id,
            "vm_moid": vm.moid if vm else vc.unused_vm_moid(),
            "host_name": anchor_vm.manifest["host"],
            "path": vm.path if vm else vm_path(dc, pool.folder, m.name),
            "virtual_machine_power_state": POWER[vm.power]
            if vm
            else (spec.power_state or "UNKNOWN"),
            "in_maintenance_mode": spec.maintenance or m.state == "MAINTENANCE",
            "missing_in_vcenter": vm is None,
            "memory_mb": (vm or anchor_vm).scenario.get("memory_mb", 4096),
        }
        created = (vm.scenario.get("create_date") or vm.scenario.get("boot_time")) if vm else None
        if created:
            data["create_time"] = _epoch_ms(created)
            if pool.maintenance_times and pool.source == "INSTANT_CLONE":
                data["last_maintenance_time"] = _epoch_ms(created)
        data.update(
            storage_accelerator_state="OFF",
            datastore_paths=[f"[{ds}]"],
            datastore_ids=[ds_moid],
            virtual_disks=[
                {
                    "path": f"[{ds}] {m.name}/{m.name}.vmdk",
                    "datastore_path": f"[{ds}]",
                    "capacity_mb": 81920,
                }
            ],
            network_labels=[{"nic_name": "Network adapter 1", "network_label_name": "VM Network"}],
            network_label_names=["VM Network"],
        )
        gold, _ = self.golden(pool)
        if pool.source == "INSTANT_CLONE" and gold is not None:
            data.update(
                base_vm_id=gold.moid,
                base_vm_snapshot_id=self.snapshot_moid(pool, m.base_snapshot),
                base_vm_path=gold.path,
                base_snapshot_path=_snapshot_path(m.base_snapshot or ""),
            )
            if m.pending_snapshot:
                data.update(
                    pending_base_vm_id=gold.moid,
                    pending_base_vm_snapshot_id=self.snapshot_moid(pool, m.pending_snapshot),
                    pending_base_vm_path=gold.path,
                    pending_base_snapshot_path=_snapshot_path(m.pending_snapshot),
                    operation=spec.operation or "PUSH_IMAGE",
                    operation_state=spec.operation_state or "PENDING",
                )
        if spec.operation and "operation" not in data:
            data["operation"] = spec.operation
            data["operation_state"] = spec.operation_state or "PENDING"
        if spec.clone_error or m.state == "PROVISIONING_ERROR":
            data["clone_error_message"] = spec.clone_error or "Customization operation timed out"
            data["clone_error_time"] = spec.clone_error_time or "${now-3h}"
        return data

    def rds_server(self, m: _Machine, farm_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        pool, spec = m.pool, m.spec
        server_id = _id(self.pod.name, "rds-server", pool.name, m.name)
        gold, _ = self.golden(pool)
        sessions = [self.session(m, s, i, server_id, farm_id) for i, s in enumerate(m.sessions)]
        drain = m.state.startswith("AGENT_DRAIN")
        load_index = 0 if drain else min(95, 4 + 6 * len(sessions))
        record: dict[str, Any] = {
            "id": server_id,
            "name": m.name,
            "dns_name": self.fqdn(m.vm, m.name),
            "description": "",
            "farm_id": farm_id,
            "farm_name": pool.name,
            "farm_type": "AUTOMATED",
            "farm_source": pool.source,
            "access_group_id": self.access_group,
            "enabled": True,
            "state": m.state,
            "operating_system": "WINDOWS_SERVER_2016_OR_ABOVE",
            "agent_version": m.agent_version,
            "agent_build_number": AGENT_BUILDS[m.agent_version],
            "remote_experience_agent_version": m.agent_version,
            "session_count": len(sessions),
            "max_sessions_count": 50,
            "max_sessions_type": "LIMITED",
            "max_sessions_count_configured": 50,
            "max_sessions_type_configured": "LIMITED",
            "load_preference": "BLOCK"
            if drain
            else ("LIGHT" if load_index < 35 else "MEDIUM" if load_index < 70 else "HEAVY"),
            "load_index": load_index,
            "logoff_policy": "WAIT_FOR_LOGOFF",
            "message_security_mode": "ENHANCED",
            "message_security_enhanced_mode_supported": True,
        }
        if gold is not None:
            record.update(
                base_vm_id=gold.moid,
                base_vm_snapshot_id=self.snapshot_moid(pool, m.base_snapshot),
                base_vm_path=gold.path,
                base_vm_snapshot_path=_snapshot_path(m.base_snapshot or ""),
            )
            if m.pending_snapshot:
                record.update(
                    pending_base_vm_id=gold.moid,
                    pending_base_vm_snapshot_id=self.snapshot_moid(pool, m.pending_snapshot),
                    pending_base_image_path=gold.path,
                    pending_base_image_snapshot_path=_snapshot_path(m.pending_snapshot),
                    operation=spec.operation or "PUSH_IMAGE",
                    operation_state=spec.operation_state or "PENDING",
                )
        record.update(
            network_label_names=["VM Network"],
            network_labels_by_nic={"Network adapter 1": "VM Network"},
        )
        return record, sessions

    def desktop_pool(self, pool: PoolSpec, machines: list[_Machine]) -> dict[str, Any]:
        vc = self.vcenters[pool.vcenter]
        pool_id = _id(self.pod.name, "desktop-pool", pool.name)
        record: dict[str, Any] = {
            "id": pool_id,
            "name": pool.name,
            "display_name": pool.display_name,
            "description": pool.description,
            "enabled": pool.enabled,
            "type": pool.type,
            "source": pool.source,
            "user_assignment": pool.user_assignment,
            "session_type": "DESKTOP",
        }
        if pool.user_assignment == "DEDICATED":
            record.update(
                automatic_user_assignment=pool.type == "AUTOMATED",
                allow_multiple_user_assignments=pool.type == "MANUAL",
            )
        record["access_group_id"] = self.access_group
        if pool.source != "UNMANAGED":
            record.update(vcenter_id=vc.horizon_id, vcenter_name=vc.name)
        if pool.type == "AUTOMATED":
            record.update(
                enable_provisioning=pool.provisioning_enabled,
                stop_provisioning_on_error=True,
                naming_method=pool.naming_method,
            )
        record["num_machines"] = len(machines)
        record["num_sessions"] = sum(len(m.sessions) for m in machines)
        if pool.type == "AUTOMATED":
            record["image_source"] = "VIRTUAL_CENTER"
            if pool.naming_method == "SPECIFIED":
                record["specific_naming_settings"] = {
                    "num_machines": len(machines),
                    "num_unassigned_machines_kept_powered_on": pool.spares_powered_on,
                    "start_machines_in_maintenance_mode": False,
                }
            else:
                record["pattern_naming_settings"] = {
                    "naming_pattern": pool.naming_pattern,
                    "max_number_of_machines": pool.max_machines,
                    "min_number_of_machines": pool.min_machines,
                    "number_of_spare_machines": pool.spare_machines,
                    "provisioning_time": "UP_FRONT",
                }
            record["provisioning_settings"] = self.provisioning_settings(pool)
            status = self.provisioning_status(pool)
            if status:
                record["provisioning_status_data"] = status
            if pool.source == "INSTANT_CLONE":
                record["customization_settings"] = {
                    "customization_type": "CLONE_PREP",
                    "ad_container_rdn": "OU=%s,OU=VDI" % pool.name,
                    "instant_clone_domain_account_id": _id(self.pod.name, "ic-domain-account"),
                    "reuse_pre_existing_accounts": False,
                    "do_not_power_on_vms_after_creation": False,
                }
            else:
                record["customization_settings"] = {
                    "customization_type": "SYS_PREP",
                    "sysprep_customization_spec_id": "spec-" + pool.name.lower(),
                    "do_not_power_on_vms_after_creation": False,
                }
        floating_ic = pool.source == "INSTANT_CLONE" and pool.user_assignment == "FLOATING"
        timeout = pool.disconnected_timeout_minutes
        record["session_settings"] = {
            "power_policy": pool.power_policy,
            "allow_users_to_reset_machines": pool.user_assignment == "DEDICATED",
            "allow_multiple_sessions_per_user": False,
            "delete_or_refresh_machine_after_logoff": "DELETE" if floating_ic else "NEVER",
            "disconnected_session_timeout_policy": "NEVER" if timeout is None else "AFTER",
            "disconnected_session_timeout_minutes": timeout or 0,
            "empty_session_timeout_policy": "AFTER",
            "empty_session_timeout_minutes": 1,
            "logoff_after_timeout": False,
            "pre_launch_session_timeout_policy": "AFTER",
            "pre_launch_session_timeout_minutes": 10,
            "refresh_os_disk_after_logoff": "NEVER",
            "session_timeout_policy": "DEFAULT",
            "used_vm_policy": "BLOCK_ACCESS",
        }
        record["display_protocol_settings"] = {
            "allow_users_to_choose_protocol": True,
            "default_display_protocol": pool.default_protocol,
            "display_protocols": ["BLAST", "PCOIP", "RDP"],
            "grid_vgpus_enabled": False,
            "html_access_enabled": True,
            "max_number_of_monitors": 2,
            "max_resolution_of_any_one_monitor": "WUXGA",
            "renderer3d": "DISABLED",
            "session_collaboration_enabled": False,
            "vram_size_mb": 96,
            "pcoip_ultra_protocol_enabled": False,
        }
        record.update(
            transparent_page_sharing_scope="VM", created_at=pool.created, updated_at="${now-9d}"
        )
        return record

    def provisioning_settings(self, pool: PoolSpec) -> dict[str, Any]:
        settings = self.placement(pool)
        gold, snap = self.golden(pool)
        if gold is None:
            return settings
        if pool.source == "INSTANT_CLONE":
            settings.update(
                parent_vm_id=gold.moid,
                parent_vm_path=gold.path,
                base_snapshot_id=snap,
                snapshot_path=_snapshot_path(pool.snapshot or ""),
                compute_profile_num_cpus=gold.scenario.get("num_cpu", 2),
                compute_profile_ram_mb=gold.scenario.get("memory_mb", 4096),
                compute_profile_num_cores_per_socket=1,
                add_virtual_tpm=False,
            )
        else:
            settings.update(
                vm_template_id=gold.moid,
                template_path=gold.path,
                customization_spec_name="sysprep-" + pool.name.lower(),
            )
        return settings

    def provisioning_status(self, pool: PoolSpec, farm: bool = False) -> dict[str, Any]:
        """Pool (or, with ``farm``, farm) provisioning status; farms name two paths apart."""
        prefix = "" if farm else "instant_clone_"
        status: dict[str, Any] = {}
        if pool.source == "INSTANT_CLONE":
            status.update(instant_clone_operation="NONE", instant_clone_current_image_state="READY")
        pending = pool.pending_image
        if pending is not None:
            gold, _ = self.golden(pool)
            assert gold is not None, pool.name
            status.update(
                instant_clone_pending_image_state=pending.state,
                instant_clone_pending_image_parent_vm_id=gold.moid,
                instant_clone_pending_image_snapshot_id=self.snapshot_moid(pool, pending.snapshot),
                instant_clone_pending_image_progress=pending.progress,
            )
            status[prefix + "pending_image_parent_vm_path"] = gold.path
            status[prefix + "pending_image_snapshot_path"] = _snapshot_path(pending.snapshot)
            if pending.error:
                status["instant_clone_pending_image_error"] = pending.error
        if pool.last_provisioning_error:
            text, when = pool.last_provisioning_error
            status.update(last_provisioning_error=text, last_provisioning_error_time=when)
        return status

    def farm(self, pool: PoolSpec, servers: list[_Machine]) -> dict[str, Any]:
        vc = self.vcenters[pool.vcenter]
        gold, snap = self.golden(pool)
        placement = self.placement(pool)
        provisioning: dict[str, Any] = {
            "datacenter_id": placement["datacenter_id"],
            "datacenter_name": placement["datacenter_name"],
            "host_or_cluster_id": placement["host_or_cluster_id"],
            "host_or_cluster_path": placement["host_or_cluster_path"],
            "resource_pool_id": placement["resource_pool_id"],
            "resource_pool_path": placement["resource_pool_path"],
            "vm_folder_id": placement["vm_folder_id"],
            "vm_folder_path": placement["vm_folder_path"],
        }
        if gold is not None:
            provisioning.update(
                parent_vm_id=gold.moid,
                parent_vm_path=gold.path,
                base_snapshot_id=snap,
                snapshot_path=_snapshot_path(pool.snapshot or ""),
                compute_profile_num_cpus=gold.scenario.get("num_cpu", 8),
                compute_profile_ram_mb=gold.scenario.get("memory_mb", 65536),
                compute_profile_num_cores_per_socket=1,
            )
        status = self.provisioning_status(pool, farm=True)
        apps = (pool.mix.applications if pool.mix else ()) or tuple(
            sorted({a for m in servers for s in m.sessions for a in s.applications})
        )
        return {
            "id": _id(self.pod.name, "farm", pool.name),
            "name": pool.name,
            "display_name": pool.display_name,
            "description": pool.description,
            "enabled": pool.enabled,
            "type": "AUTOMATED",
            "source": pool.source,
            "access_group_id": self.access_group,
            "access_group_name": "Root",
            "application_count": len(apps),
            "max_session_type": "LIMITED",
            "max_sessions": 50 * max(len(servers), 1),
            "max_sessions_per_rds_server": 50,
            "max_number_of_rds_servers": pool.max_machines or len(servers),
            "server_error_threshold": 0,
            "delete_in_progress": False,
            "use_custom_script_for_load_balancing": False,
            "load_balancer_settings": {
                "include_session_count": True,
                "cpu_threshold": 80,
                "memory_threshold": 85,
                "disk_queue_length_threshold": 0,
                "disk_read_latency_threshold": 0,
                "disk_write_latency_threshold": 0,
                "connecting_session_threshold": 10,
                "load_index_threshold": 90,
                "load_index_lb_enabled": False,
            },
            "display_protocol_settings": {
                "default_display_protocol": pool.default_protocol,
                "allow_users_to_choose_protocol": True,
                "session_collaboration_enabled": False,
                "grid_vgpus_enabled": False,
            },
            "session_settings": {
                "disconnected_session_timeout_policy": "AFTER",
                "disconnected_session_timeout_minutes": pool.disconnected_timeout_minutes or 60,
                "empty_session_timeout_policy": "AFTER",
                "empty_session_timeout_minutes": 1,
                "logoff_after_timeout": True,
                "pre_launch_session_timeout_policy": "AFTER",
                "pre_launch_session_timeout_minutes": 10,
            },
            "automated_farm_settings": {
                "vcenter_id": vc.horizon_id,
                "enable_provisioning": pool.provisioning_enabled,
                "stop_provisioning_on_error": True,
                "min_ready_vms": 0,
                "image_source": "VIRTUAL_CENTER",
                "operating_system": "WINDOWS_SERVER_2016_OR_ABOVE",
                "operating_system_architecture": "BIT_64",
                "max_session_type": "LIMITED",
                "max_sessions": 50,
                "transparent_page_sharing_scope": "VM",
                "pattern_naming_settings": {
                    "naming_pattern": pool.naming_pattern,
                    "max_number_of_rds_servers": pool.max_machines or len(servers),
                },
                "provisioning_settings": provisioning,
                "provisioning_status_data": status,
                "customization_settings": {
                    "customization_type": "CLONE_PREP",
                    "ad_container_rdn": "OU=RDSH,OU=VDI",
                    "instant_clone_domain_account_id": _id(self.pod.name, "ic-domain-account"),
                    "reuse_pre_existing_accounts": False,
                },
            },
            "created_at": pool.created,
            "updated_at": "${now-9d}",
        }

    def connection_server(self, cs: ConnectionServerSpec) -> dict[str, Any]:
        def cert(valid_to: str) -> dict[str, Any]:
            return {
                "valid": True,
                "valid_from": "${now-65d}",
                "valid_to": valid_to,
                "certificate_type": "MACHINE",
                "is_certificate_managed": False,
                "ignore_secure_gateway_cert_status": False,
                "connection_server_certificate": FAKE_CERT,
            }

        protocols = {p: n for (name, p), n in sorted(self.cs_sessions.items()) if name == cs.name}
        count = sum(protocols.values())
        peers = [n for n in self.cs_names if n != cs.name]
        return {
            "id": _id(self.pod.name, "connection-server", cs.name),
            "name": cs.name,
            "status": cs.status,
            "last_updated_timestamp": "${now-1m}",
            "details": {"version": cs.version, "build": AGENT_BUILDS[cs.version]},
            "os_version": "Windows Server 2022 Standard",
            "connection_count": count,
            "connection_count_high": count + 7,
            "tunnel_connection_count": 0,
            "session_threshold": 4000,
            "num_bsg_sessions": protocols.get("BLAST", 0),
            "num_psg_sessions": protocols.get("PCOIP", 0),
            "num_rdp_gatewayed_sessions": 0,
            "cpu_usage_percentage": 9 + count % 20,
            "memory_usage_percentage": 41,
            "broker_total_memory": 16384,
            "broker_free_memory": 9650,
            "default_certificate": False,
            "certificate": cert(cs.cert_valid_to),
            "signing_certificate": cert("${now+300d}"),
            "encryption_certificate": cert("${now+300d}"),
            "services": [
                {
                    "service_name": name,
                    "status": "DOWN"
                    if name in cs.services_down
                    else ("NOT_IN_USE" if name == "PCOIP_SECURE_GATEWAY" else "UP"),
                }
                for name in (
                    "BLAST_SECURE_GATEWAY",
                    "PCOIP_SECURE_GATEWAY",
                    "SECURITY_GATEWAY_COMPONENT",
                )
            ],
            "session_protocol_data": [
                {"session_protocol": p, "session_count": n} for p, n in protocols.items()
            ],
            "cs_replications": [{"server_name": p, "status": "OK"} for p in peers],
            "cs_replications_v2": [
                {"server_name": p, "status": "OK", "message": ""} for p in peers
            ],
            "unrecognized_blast_requests_count": 0,
            "unrecognized_pcoip_requests_count": 0,
            "unrecognized_tunnel_requests_count": 0,
            "unrecognized_xmlapi_requests_count": 0,
            "bypass_tunnel": False,
            "bypass_pcoip_gateway": False,
            "bypass_app_blast_gateway": False,
            "unauthenticated_access": False,
        }

    def vcenter_config(self, vc: _VCenter) -> dict[str, Any]:
        about = vc.manifest["about"]
        return {
            "id": vc.horizon_id,
            "server_name": vc.name,
            "display_name": vc.name,
            "description": self.pod.vcenter_descriptions.get(vc.key, ""),
            "port": 443,
            "use_ssl": True,
            "user_name": "svc-horizon@vsphere.local",
            "instance_uuid": vc.manifest["instance_uuid"],
            "version": about["version"],
            "enabled": True,
            "deployment_type": "GENERAL",
            "maintenance_mode": False,
            "has_virtual_tpm_pools": False,
            "instant_clone_debug_enabled": False,
            "se_sparse_reclamation_enabled": False,
            "vsan_validation_status": "NOT_CONFIGURED",
            "limits": {
                "provisioning_limit": 20,
                "power_operations_limit": 50,
                "instant_clone_engine_provisioning_limit": 20,
                "instant_clone_maintenance_limit": 12,
            },
            "storage_accelerator_data": {
                "enabled": False,
                "default_cache_size_mb": 1024,
                "host_overrides": [],
            },
            "certificate_override": {"type": "PEM", "certificate": FAKE_CERT},
            "created_at": "${now-500d}",
            "updated_at": "${now-30d}",
        }

    def vcenter_monitor(self, vc: _VCenter, machines: list[_Machine], pools: int) -> dict[str, Any]:
        about = vc.manifest["about"]
        here = [m for m in machines if m.pool.vcenter == vc.key and m.vm is not None]
        per_host = Counter(m.vm.manifest["host"] for m in here if m.vm is not None)
        desktops = [m for m in here if m.pool.type != "RDS" and m.pool.source != "UNMANAGED"]
        hosts_v3 = []
        for cluster, h in _hosts(vc):
            status = {"notResponding": "NOT_RESPONDING", "disconnected": "DISCONNECTED"}
            hosts_v3.append(
                {
                    "details": {
                        "name": h["name"],
                        "version": h.get("version", "7.0.3"),
                        "api_version": h.get("version", "7.0.3") + ".0",
                        "cluster_name": cluster,
                        "vgpu_types": [],
                    },
                    "status": status.get(h.get("connection_state", ""), "CONNECTED"),
                    "cpu_core_count": 32,
                    "cpu_mhz": 2600,
                    "memory_size_mb": 524288,
                    "overall_cpu_usage_mhz": 3000 + 900 * per_host[h["name"]],
                    "overall_memory_usage_mb": 32768 + 8192 * per_host[h["name"]],
                    "num_machines": per_host[h["name"]],
                }
            )
        strip = ("overall_cpu_usage_mhz", "overall_memory_usage_mb", "num_machines")
        hosts_v1 = [{k: v for k, v in h.items() if k not in strip} for h in hosts_v3]
        hosts_v2 = [{k: v for k, v in h.items() if k != "num_machines"} for h in hosts_v3]
        datastores = []
        for dc, name, moid in _datastores(vc):
            datastores.append(
                {
                    "details": {
                        "name": name,
                        "path": f"/{dc}/datastore/{name}",
                        "url": "ds:///vmfs/volumes/%s/" % _id(vc.key, "datastore", moid),
                    },
                    "type": "VMFS",
                    "status": "ACCESSIBLE",
                    "capacity_mb": 16777216,
                    "free_space_mb": 16777216 - 40960 * len(here),
                }
            )
        cs_v1 = []
        cs_v3 = []
        for cs in self.pod.connection_servers:
            base = {
                "id": _id(self.pod.name, "connection-server", cs.name),
                "name": cs.name,
                "status": "OK",
                "thumbprint_accepted": True,
                "last_updated_timestamp": "${now-1m}",
            }
            cert = {"valid": True, "valid_from": "${now-200d}", "valid_to": "${now+530d}"}
            cs_v1.append(dict(base, certificate=cert))
            cs_v3.append(
                dict(
                    base,
                    certificate=dict(
                        cert,
                        certificate_type="MACHINE",
                        is_certificate_managed=False,
                        ignore_secure_gateway_cert_status=False,
                        invalid_reasons="",
                    ),
                )
            )
        return {
            "id": vc.horizon_id,
            "name": vc.name,
            "details": {
                "version": about["version"],
                "build": about["build"],
                "api_version": about["api_version"],
                "instance_uuid": vc.manifest["instance_uuid"],
                "num_desktops": len(desktops),
                "num_machines": len(here),
            },
            "desktop_pools_and_farms_count": pools,
            "desktops_count": len(desktops),
            "datastores": datastores,
            "connection_servers": cs_v1,
            "connection_servers_v3": cs_v3,
            "hosts": hosts_v1,
            "hosts_v2": hosts_v2,
            "hosts_v3": hosts_v3,
        }

    def ad_users(self) -> list[dict[str, Any]]:
        pod = self.pod
        out = []
        for u in pod.users:
            sid = self.user_sid(u.login)
            out.append(
                {
                    "id": sid,
                    "guid": _id(pod.name, "ad", u.login).upper(),
                    "name": f"{u.first} {u.last}",
                    "login_name": u.login,
                    "display_name": f"{pod.domain}\\{u.login}",
                    "long_display_name": f"{u.login}@{pod.domain} ({u.first} {u.last})",
                    "user_display_name": f"{u.first} {u.last}",
                    "first_name": u.first,
                    "last_name": u.last,
                    "email": f"{u.login}@{pod.domain}",
                    "user_principal_name": f"{u.login}@{pod.domain}",
                    "distinguished_name": "CN=%s %s,OU=Staff,%s"
                    % (u.first, u.last, ",".join("DC=" + p for p in pod.domain.split("."))),
                    "container": f"{pod.domain}/Staff",
                    "domain": pod.domain,
                    "domain_net_biosname": pod.netbios,
                    "group": False,
                    "kiosk_user": False,
                    "unauthenticated_user": False,
                    "description": "",
                    "phone": "",
                    "group_membership_ids": [self.group_sid(2001)],
                }
            )
        dcs = ",".join("DC=" + p for p in pod.domain.split("."))
        out.append(
            {
                "id": self.group_sid(2001),
                "guid": _id(pod.name, "ad", "VDI-Users").upper(),
                "name": "VDI-Users",
                "login_name": "VDI-Users",
                "display_name": f"{pod.domain}\\VDI-Users",
                "long_display_name": f"VDI-Users@{pod.domain}",
                "distinguished_name": f"CN=VDI-Users,OU=Groups,{dcs}",
                "container": f"{pod.domain}/Groups",
                "domain": pod.domain,
                "domain_net_biosname": pod.netbios,
                "group": True,
                "description": "All VDI users",
                "user_count": len(pod.users),
                "sub_group_count": 0,
                "kiosk_user": False,
                "unauthenticated_user": False,
            }
        )
        return out


def generate(
    pod: PodSpec, sources: Mapping[str, tuple[dict[str, Any], dict[str, Any]]]
) -> dict[str, Any]:
    """The pod's data files (file name -> JSON value).

    ``sources`` maps each of ``pod.vcenters`` to ``(scenario, manifest)``. Pure: the same
    inputs give the same output (see the module docstring).
    """
    vcenters = {
        key: _vcenter(key, sources[key][0], sources[key][1], pod.name) for key in pod.vcenters
    }
    b = _Builder(pod, vcenters)
    explicit = {u for p in pod.pools for s in p.machines.values() for u in (s.users or ())} | {
        ss.user for p in pod.pools for s in p.machines.values() for ss in s.sessions
    }
    users = _Users(pod.users, explicit)
    decided: list[tuple[PoolSpec, list[_Machine]]] = []
    for pool in pod.pools:
        vc = vcenters[pool.vcenter]
        if pool.type == "RDS":
            decided.append((pool, _decide_rds(pod, pool, vc, users)))
        else:
            decided.append((pool, _decide_desktops(pod, pool, vc, users)))

    pools, farms, machines, rds_servers, sessions = [], [], [], [], []
    for pool, members in decided:
        if pool.type == "RDS":
            farm_id = _id(pod.name, "farm", pool.name)
            for m in members:
                record, ss = b.rds_server(m, farm_id)
                rds_servers.append(record)
                sessions += ss
            farms.append(b.farm(pool, members))
        else:
            pool_id = _id(pod.name, "desktop-pool", pool.name)
            for m in members:
                record, ss = b.machine(m, pool_id)
                machines.append(record)
                sessions += ss
            pools.append(b.desktop_pool(pool, members))
    everything = [m for _, members in decided for m in members]
    monitor = [
        b.vcenter_monitor(
            vc,
            everything,
            sum(1 for p in pod.pools if p.vcenter == key and p.source != "UNMANAGED"),
        )
        for key, vc in vcenters.items()
    ]
    gateway = {
        "id": _id(pod.name, "gateway", pod.gateway),
        "name": pod.gateway,
        "status": "OK",
        "last_updated_timestamp": "${now-1m}",
        "details": {
            "address": f"{pod.gateway}.{pod.domain}",
            "internal": False,
            "type": "UAG",
            "version": "2506.0",
        },
        "active_connection_count": b.gateway_sessions,
        "blast_connection_count": b.gateway_sessions,
        "pcoip_connection_count": 0,
        "unrecognized_blast_requests_count": 0,
        "unrecognized_pcoip_requests_count": 0,
        "unrecognized_tunnel_requests_count": 0,
        "unrecognized_xmlapi_requests_count": 0,
        "gateway_certificate_health": {
            "valid": True,
            "days_before_expiry": 210,
            "invalid_reasons": [],
        },
        "service_error_infos": [],
    }
    return {
        **_usage_files(pod, b, decided, pools, machines, sessions),
        "ad_users.json": b.ad_users(),
        "connection_servers.json": [b.connection_server(cs) for cs in pod.connection_servers],
        "credentials.json": dict(pod.credentials),
        "desktop_pools.json": pools,
        "environment_properties.json": {
            "cluster_guid": _id("cluster", pod.name),
            "cluster_name": f"Cluster-{pod.connection_servers[0].name.split('.')[0].upper()}",
            "deployment_type": "GENERAL",
            "fips_mode_enabled": False,
            "ip_mode": "IPv4",
            "local_connection_server_build": "25120000",
            "local_connection_server_version": "8.17.0",
            "timezone_offset": 0,
        },
        "event_database.json": {"status": "NOT_CONFIGURED"}
        if not pod.event_database_configured
        else {
            "status": "CONNECTED",
            "event_count": 1000 + 37 * len(sessions) + 11 * len(machines),
            "details": {
                "server_name": f"{pod.event_database}.{pod.domain}",
                "port": 1433,
                "database_name": "HorizonEvents",
                "user_name": "svc-horizon-events",
                "type": "SQL_SERVER",
                "prefix": "hz_",
            },
        },
        "farms.json": farms,
        "gateways.json": [gateway],
        "machines.json": machines,
        "rds_servers.json": rds_servers,
        "sessions.json": sessions,
        "virtual_centers.json": [b.vcenter_config(vc) for vc in vcenters.values()],
        "virtual_centers_monitor.json": monitor,
        **components(pod, farms, rds_servers, sessions),
    }


def _usage_files(
    pod: PodSpec,
    b: _Builder,
    decided: Sequence[tuple[PoolSpec, list[_Machine]]],
    pools: list[dict[str, Any]],
    machines: list[dict[str, Any]],
    sessions: list[dict[str, Any]],
) -> dict[str, Any]:
    """``audit_events.json`` (history skeletons) and ``desktop_pool_metrics.json`` of a pod
    with a usage plan (tests/tools/usage_history.py)."""
    if pod.usage is None:
        return {}
    usable = {
        _id(pod.name, "machine", pool.name, m.name)
        for pool, members in decided
        if pool.type != "RDS"
        for m in members
        if m.vm is not None and m.vm.power == "poweredOn" and _readable(m.vm)
    }
    sids = [b.user_sid(u.login) for u in pod.users]
    events = history(pod.name, ANCHOR, pod.usage, pools, machines, sessions, usable, sids)
    return {
        "audit_events.json": events,
        "desktop_pool_metrics.json": pool_metrics(pools, machines, sessions),
    }


def _readable(vm: _Vm) -> bool:
    """vCenter reads the VM (its host may have stopped responding since, as for RTM-CC-091)."""
    return vm.scenario.get("connection_state", "connected") in ("connected", "disconnected")


# A farm is WARNING when one of its RDS hosts is in WARNING or ERROR (monitor farms status, 2512
# spec); these host states are errors (RDSServerInfoV6.state).
_RDS_ERROR_STATES = ("AGENT_ERR", "AGENT_UNREACHABLE", "PROVISIONING_ERROR", "ERROR")


def components(
    pod: PodSpec,
    farms: list[dict[str, Any]],
    rds_servers: list[dict[str, Any]],
    sessions: list[dict[str, Any]],
) -> dict[str, Any]:
    """The pod's AD domain, licence and usage, farm health; no SAML, True SSO or CPA (monitor
    pods then answers 409, "CPA not initialized for the pod")."""
    servers = [
        {
            "id": _id(pod.name, "connection-server", cs.name),
            "name": cs.name,
            "status": "FULLY_ACCESSIBLE",
            "trust_relationship": "PRIMARY_DOMAIN",
            "last_updated_timestamp": "${now-2m}",
        }
        for cs in pod.connection_servers
    ]
    domain = {
        "dns_name": pod.domain,
        "netbios_name": pod.netbios,
        "nt4_domain": False,
        "domain_type": "CONNECTION_SERVER_DOMAIN",
        "connection_servers": servers,
        "connection_servers_v3": [dict(s, connection_status="OK") for s in servers],
        "service_accounts": [],
    }
    farm_health = []
    for farm in farms:
        hosts = [r for r in rds_servers if r["farm_id"] == farm["id"]]
        missing = pod.missing_applications.get(farm["name"], ())
        failing = any(h["state"].startswith(_RDS_ERROR_STATES) for h in hosts)
        status = "WARNING" if missing or failing else "OK"
        farm_health.append(
            {
                "id": farm["id"],
                "name": farm["name"],
                "status": status if farm["enabled"] else "DISABLED",
                "application_count": farm["application_count"],
                "rds_server_count": len(hosts),
                "details": {"type": farm["type"], "source": farm["source"]},
                "access_group_id": farm["access_group_id"],
                "avm_accessible": True,
                "missing_application_infos": [
                    {
                        "id": _id(pod.name, "application", name),
                        "name": name,
                        "executable_path": "C:\\Program Files\\%s\\%s.exe"
                        % (name, name.replace(" ", "")),
                    }
                    for name in missing
                ],
            }
        )
    lic = pod.license
    subscription = lic.mode == "SUBSCRIPTION"
    licence: dict[str, Any] = {
        "licensed": True,
        "license_key": "FAKE0-*****-*****-*****-TEST0",  # the partially redacted form
        "license_mode": lic.mode,
        "license_edition": lic.edition,
        "usage_model": "CONCURRENT_USER",
        "grace_period_days": 30,
        "desktop_pool_launch_enabled": True,
        "application_pool_launch_enabled": True,
        "instant_clone_enabled": True,
        "session_collaboration_enabled": True,
        "help_desk_enabled": True,
        "agent_auto_upgrade_enabled": False,
        "consent": not subscription,
        "days_remaining_to_migrate_license_key": 0,
    }
    if lic.expires is not None:
        licence["expiration_time"] = lic.expires
    if subscription:
        licence.update(
            license_health=lic.health,
            subscription_slice_expiry=lic.expires,
            license_sync_time="${now-6h}",
            originator=False,
        )
    users = {s["user_id"] for s in sessions}
    apps = sum(1 for s in sessions if s["session_type"] == "APPLICATION")

    def usage(connections: int, named: int) -> dict[str, int]:
        return {
            "total_concurrent_connections": connections,
            "total_concurrent_sessions": connections,
            "concurrent_full_vm_sessions": connections - apps,
            "concurrent_application_sessions": apps,
            "concurrent_collaborative_sessions": 0,
            "concurrent_unmanaged_vm_sessions": 0,
            "total_collaborators": 0,
            "total_named_users": named,
        }

    return {
        "ad_domains.json": [domain],
        "farms_monitor.json": farm_health,
        "licenses.json": [licence],
        "license_usage.json": {
            "current_usage": usage(len(sessions), len(users)),
            "highest_usage": usage(len(sessions) + len(sessions) // 4 + 3, len(pod.users)),
        },
        "pods.json": [],
        "saml_authenticators.json": [],
        "true_sso.json": [],
    }


def render(files: Mapping[str, Any]) -> dict[str, str]:
    """File name -> text, exactly as written to disk (audit events one to a line: thousands)."""
    return {
        name: _one_per_line(value)
        if name == "audit_events.json"
        else json.dumps(value, indent=2, ensure_ascii=False) + "\n"
        for name, value in sorted(files.items())
    }


def _one_per_line(items: Sequence[Any]) -> str:
    lines = [json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items]
    return "[\n" + ",\n".join(lines) + "\n]\n"


# ======================================================================== horizon_pod


def when(days_ago: float) -> str:
    return (ANCHOR - timedelta(days=days_ago)).isoformat().replace("+00:00", "Z")


WIN11 = ("windows11_64Guest", "Microsoft Windows 11 (64-bit)")
WIN10 = ("windows9_64Guest", "Microsoft Windows 10 (64-bit)")
WS2022 = ("windows2019srvNext_64Guest", "Microsoft Windows Server 2022 (64-bit)")


def horizon_pod_scenario() -> dict[str, Any]:
    """The simulator scenario behind the ``horizon_pod`` pod (horizon_pod.json)."""
    vms: list[dict[str, Any]] = []
    ip = iter(range(20, 250))

    def vm(name: str, folder: str, os: tuple[str, str], **state: Any) -> None:
        power = state.get("power_state", "poweredOn")
        on = power == "poweredOn" and not state.get("template")
        record: dict[str, Any] = {
            "name": name,
            "host": ("esx01.example.test", "esx02.example.test")[len(vms) % 2],
            "folder": folder,
            "resource_pool": "VDI",
            "power_state": power,
            "guest_id": os[0],
            "guest_full_name": os[1],
            "guest_hostname": f"{name}.example.test",
            "ip_address": f"192.0.2.{next(ip)}" if on else None,
            "boot_time": when(1.5) if on else None,
            "create_date": when(30),
            "num_cpu": 2,
            "memory_mb": 8192,
        }
        record.update(state)
        vms.append(record)

    gold = {"power_state": "poweredOff", "create_date": when(400), "guest_hostname": None}
    vm(
        "w11-gold",
        "Gold",
        WIN11,
        **gold,
        annotation="Windows 11 golden image: patch monthly, then push",
        snapshots=[
            {
                "name": "2026-08 patch",
                "created": when(110),
                "children": [
                    {
                        "name": "2026-10 patch",
                        "created": when(50),
                        "children": [{"name": "2026-11 patch", "created": when(4)}],
                    }
                ],
            }
        ],
    )
    vm("w10-template", "Gold", WIN10, **gold, template=True, memory_mb=16384)
    vm(
        "rdsh-gold",
        "Gold",
        WS2022,
        **gold,
        num_cpu=8,
        memory_mb=65536,
        snapshots=[
            {
                "name": "2026-09 patch",
                "created": when(80),
                "children": [{"name": "2026-11 patch", "created": when(9)}],
            }
        ],
    )
    for n in range(1, 9):
        state: dict[str, Any] = {"create_date": when(1.6)}
        if n == 5:  # PROVISIONING_ERROR: the clone never came up
            state.update(power_state="poweredOff")
        if n == 8:  # AGENT_UNREACHABLE: guest hung, tools not running
            state.update(tools_running_status="guestToolsNotRunning", guest_state="notRunning")
        vm(f"ic-w11-{n:03d}", "VDI/IC", WIN11, **state)
    vm(  # the stray: a clone Horizon forgot, still in the pool's folder
        "ic-w11-099",
        "VDI/IC",
        WIN11,
        power_state="poweredOff",
        create_date=when(95),
        annotation="left behind by a failed pool delete",
    )
    for n, power in enumerate(
        ["poweredOn", "poweredOn", "poweredOn", "poweredOff", "poweredOff"], start=1
    ):
        vm(
            f"fc-w10-{n:03d}",
            "VDI/FC",
            WIN10,
            power_state=power,
            create_date=when(200 + n),
            memory_mb=16384,
        )
    for n, power in enumerate(["poweredOn", "poweredOn", "poweredOff"], start=1):
        vm(f"lab-ws-{n:02d}", "VDI/Manual", WIN10, power_state=power, create_date=when(700))
    for n in (1, 2):
        vm(f"rdsh-{n:02d}", "RDS", WS2022, num_cpu=8, memory_mb=65536, create_date=when(9))
    host = {"version": "8.0.3", "build": "24022510"}
    return horizon_pod_storage_and_health(
        {
            "_comment": "Written by tests/tools/horizon_estate.py (horizon_pod_scenario); "
            "the Horizon side is tests/fixtures/horizon/horizon_pod/.",
            "vcenter": {
                "name": "vcsa01.example.test",
                "instance_uuid": "11111111-2222-3333-4444-555555555555",
                "version": "8.0.3",
                "build": "24022515",
            },
            "datacenters": [
                {
                    "name": "DC-Example",
                    "folders": ["Gold", "VDI/IC", "VDI/FC", "VDI/Manual", "RDS"],
                    "datastores": ["vsanDatastore"],
                    "clusters": [
                        {
                            "name": "Cluster-VDI",
                            "resource_pools": ["VDI"],
                            "hosts": [
                                {"name": "esx01.example.test", **host},
                                {"name": "esx02.example.test", **host},
                            ],
                        }
                    ],
                }
            ],
            "vms": [dict({"datacenter": "DC-Example", "cluster": "Cluster-VDI"}, **v) for v in vms],
        }
    )


EXAMPLE_USERS = (
    UserSpec("alice", "Alice", "Archer"),
    UserSpec("bob", "Bob", "Baker"),
    UserSpec("carol", "Carol", "Chen"),
    UserSpec("dave", "Dave", "Diaz"),
    UserSpec("erin", "Erin", "Evans"),
    UserSpec("frank", "Frank", "Fisher"),
    UserSpec("grace", "Grace", "Green"),
    UserSpec("henry", "Henry", "Hill"),
)

HORIZON_POD = PodSpec(
    name="horizon_pod",
    domain="example.test",
    netbios="EXAMPLE",
    domain_sid="S-1-5-21-1111111111-2222222222-3333333333",
    vcenters=("horizon_pod",),
    users=EXAMPLE_USERS,
    credentials={
        "username": "svc-fleetreport",
        "password": "fake-test-only-password-horizon-pod",
        "domain": "EXAMPLE",
    },
    connection_servers=(
        ConnectionServerSpec("cs01.example.test", "192.0.2.5", cert_valid_to="${now+12d}"),
        ConnectionServerSpec(
            "cs02.example.test",
            "192.0.2.6",
            status="ERROR",
            services_down=("BLAST_SECURE_GATEWAY",),
        ),
    ),
    vcenter_descriptions={"horizon_pod": "Production vCenter"},
    event_database_configured=False,
    pools=(
        PoolSpec(
            name="ic-win11-floating",
            display_name="Windows 11 (floating)",
            description="Instant-clone Windows 11 desktops for knowledge workers",
            type="AUTOMATED",
            source="INSTANT_CLONE",
            vcenter="horizon_pod",
            datacenter="DC-Example",
            folder="VDI/IC",
            user_assignment="FLOATING",
            power_policy="ALWAYS_POWERED_ON",
            golden_image="w11-gold",
            snapshot="2026-08 patch/2026-10 patch",
            naming_pattern="ic-w11-{n:fixed=3}",
            min_machines=8,
            max_machines=10,
            spare_machines=2,
            exclude=("ic-w11-099",),
            pending_image=PendingImage(
                "2026-08 patch/2026-10 patch/2026-11 patch",
                "FAILED",
                error="Publishing the image failed: timed out waiting for the internal "
                "template to get an IP address",
                progress=35,
            ),
            machines={
                "ic-w11-002": MachineSpec(sessions=(SessionSpec("alice", start="${now-3h}"),)),
                "ic-w11-003": MachineSpec(
                    agent_version="8.16.0",
                    sessions=(SessionSpec("bob", start="${now-5h}", protocol="PCOIP"),),
                ),
                "ic-w11-004": MachineSpec(
                    sessions=(
                        SessionSpec(
                            "carol",
                            "DISCONNECTED",
                            start="${now-6h}",
                            disconnected="${now-40m}",
                            client="HTMLACCESS",
                            external=True,
                        ),
                    )
                ),
                "ic-w11-005": MachineSpec(
                    state="PROVISIONING_ERROR",
                    clone_error="Customization operation timed out",
                    clone_error_time="${now-2h}",
                ),
                "ic-w11-006": MachineSpec(
                    state="AGENT_ERROR_STARTUP_IN_PROGRESS", agent_version="8.16.0"
                ),
                "ic-w11-007": MachineSpec(state="FUTURE_STATE_X"),
                "ic-w11-008": MachineSpec(state="AGENT_UNREACHABLE"),
                "ic-w11-009": MachineSpec(
                    missing=True, state="AGENT_UNREACHABLE", power_state="POWERED_ON"
                ),
            },
        ),
        PoolSpec(
            name="fc-win10-dedicated",
            display_name="Windows 10 (dedicated)",
            description="Full-clone persistent desktops for developers",
            type="AUTOMATED",
            source="VIRTUAL_CENTER",
            vcenter="horizon_pod",
            datacenter="DC-Example",
            folder="VDI/FC",
            user_assignment="DEDICATED",
            power_policy="POWER_OFF",
            golden_image="w10-template",
            naming_pattern="fc-w10-{n:fixed=3}",
            min_machines=5,
            max_machines=6,
            spare_machines=1,
            disconnected_timeout_minutes=None,
            default_protocol="PCOIP",
            last_provisioning_error=(
                "Cloning of fc-w10-006 failed: insufficient disk space on datastore vsanDatastore",
                "${now-5h}",
            ),
            machines={
                "fc-w10-001": MachineSpec(
                    users=("dave",), sessions=(SessionSpec("dave", start="${now-9h}"),)
                ),
                "fc-w10-002": MachineSpec(
                    users=("erin",),
                    sessions=(
                        SessionSpec(
                            "erin",
                            "DISCONNECTED",
                            start="${now-30h}",
                            disconnected="${now-12h}",
                            protocol="PCOIP",
                        ),
                    ),
                ),
                "fc-w10-003": MachineSpec(users=("frank",)),  # powered on, idle: POWER_OFF?
                "fc-w10-004": MachineSpec(
                    users=("grace",), maintenance=True, agent_version="8.16.0"
                ),
                "fc-w10-005": MachineSpec(users=()),
            },
        ),
        PoolSpec(
            name="manual-lab",
            display_name="Lab workstations",
            description="Lab VMs registered by their agents (unmanaged)",
            type="MANUAL",
            source="UNMANAGED",
            vcenter="horizon_pod",
            datacenter="DC-Example",
            folder="VDI/Manual",
            user_assignment="DEDICATED",
            power_policy="TAKE_NO_POWER_ACTION",
            default_protocol="RDP",
            machines={
                "lab-ws-01": MachineSpec(agent_version="8.16.0", users=("henry",)),
                "lab-ws-02": MachineSpec(
                    users=("henry", "alice"),
                    sessions=(SessionSpec("henry", start="${now-2h}", protocol="RDP"),),
                ),
                "lab-ws-03": MachineSpec(users=("bob",)),  # powered off: AGENT_UNREACHABLE
            },
        ),
        PoolSpec(
            name="rdsh-apps",
            display_name="Published apps",
            description="Instant-clone RDSH farm for published applications",
            type="RDS",
            source="INSTANT_CLONE",
            vcenter="horizon_pod",
            datacenter="DC-Example",
            folder="RDS",
            user_assignment=None,
            power_policy=None,
            golden_image="rdsh-gold",
            snapshot="2026-09 patch/2026-11 patch",
            naming_pattern="rdsh-{n:fixed=2}",
            max_machines=2,
            disconnected_timeout_minutes=60,
            machines={
                "rdsh-01": MachineSpec(
                    base_snapshot="2026-09 patch",
                    pending_snapshot="2026-09 patch/2026-11 patch",
                    operation_state="PENDING",
                    sessions=(
                        SessionSpec(
                            "frank", start="${now-1h}", external=True, applications=("Notepad++",)
                        ),
                        SessionSpec(
                            "grace", start="${now-2h}", external=True, applications=("Calculator",)
                        ),
                    ),
                ),
                "rdsh-02": MachineSpec(state="AGENT_DRAIN_MODE"),
            },
        ),
    ),
)


# ============================================================================ horizon8

H8_DC = "HZN-DC01"
H8_DOMAIN = "corp.example.test"
H8_ESX8 = {"version": "8.0.3", "build": "24022510"}
H8_ESX7 = {"version": "7.0.3", "build": "21424296"}
PHOTON = ("vmwarePhoton64Guest", "VMware Photon OS (64-bit)")


def _h8_uuid(*parts: str) -> str:
    """A stable UUID that looks like the ones Horizon and vCenter put in VM names."""
    return str(uuid.uuid5(NAMESPACE, "horizon8/" + "/".join(parts)))


H8_CLUSTERS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    # an 8.0 cluster half-way through an upgrade: one host still on ESXi 7.0.3
    "VDI-W11-CL01": [
        ("esx-w11-01.corp.example.test", H8_ESX8),
        ("esx-w11-02.corp.example.test", H8_ESX8),
        ("esx-w11-03.corp.example.test", H8_ESX8),
        ("esx-w11-04.corp.example.test", H8_ESX7),
    ],
    # an ESXi 7.0.3 cluster: vmx-19 is the newest hardware it can run; one host not responding
    "VDI-W10-CL02": [
        ("esx-w10-01.corp.example.test", H8_ESX7),
        ("esx-w10-02.corp.example.test", H8_ESX7),
        ("esx-w10-03.corp.example.test", dict(H8_ESX7, connection_state="notResponding")),
    ],
    "MGMT-CL01": [
        ("esx-mgmt-01.corp.example.test", H8_ESX8),
        ("esx-mgmt-02.corp.example.test", H8_ESX8),
    ],
}
H8_NOT_RESPONDING = "esx-w10-03.corp.example.test"
H8_INACCESSIBLE = "[vsanDatastore] W10-FC-017/W10-FC-017.vmx"
#: golden image -> (cluster, snapshot chain as (name, days before ANCHOR), guest, hardware)
H8_IMAGES: dict[str, tuple[str, tuple[tuple[str, float], ...], tuple[str, str], str]] = {
    "GI-W11-23H2": (
        "VDI-W11-CL01",
        (("2026-08 CU", 110), ("2026-09 CU", 80), ("2026-10 CU", 48), ("2026-11 CU", 15)),
        WIN11,
        "vmx-21",
    ),
    "GI-W10-22H2": ("VDI-W10-CL02", (("2026-09 CU", 75), ("2026-11 CU", 13)), WIN10, "vmx-19"),
    "GI-WS2022-RDSH": ("VDI-W11-CL01", (("2026-10 CU", 45), ("2026-11 CU", 12)), WS2022, "vmx-21"),
}


def _chain(snaps: Sequence[tuple[str, float]]) -> list[dict[str, Any]]:
    """A linear snapshot chain, the newest current."""
    if not snaps:
        return []
    (name, age), rest = snaps[0], snaps[1:]
    return [{"name": name, "created": when(age), "children": _chain(rest)}]


def _image_snapshot(image: str) -> str:
    return "/".join(name for name, _ in H8_IMAGES[image][1])


def horizon8_scenario() -> dict[str, Any]:
    """A vCenter laid out like a real Horizon 8 estate (horizon8.json); see the pod HORIZON8."""
    vms: list[dict[str, Any]] = []
    ip = iter(range(10, 250))

    def vm(name: str, cluster: str, host: int, folder: str, os: tuple[str, str], **s: Any) -> None:
        power = s.get("power_state", "poweredOn")
        on = power == "poweredOn"
        hosts = H8_CLUSTERS[cluster]
        record: dict[str, Any] = {
            "name": name,
            "datacenter": H8_DC,
            "cluster": cluster,
            "host": hosts[host % len(hosts)][0],
            "folder": folder,
            "datastore": "vsanDatastore",
            "power_state": power,
            "guest_id": os[0],
            "guest_full_name": os[1],
            "guest_hostname": f"{name.lower()}.{H8_DOMAIN}" if on else None,
            "ip_address": f"10.80.{len(vms) // 200}.{next(ip)}" if on else None,
            "boot_time": when(0.4) if on else None,
            "create_date": when(30),
            "hardware_version": "vmx-21",
            "num_cpu": 2,
            "memory_mb": 8192,
        }
        if "vapp" in s:
            del record["folder"]
        record.update(s)
        vms.append(record)

    # golden images (powered off, a snapshot chain by design) and the full-clone template
    for image, (cluster, snaps, os, hardware) in H8_IMAGES.items():
        vm(
            image,
            cluster,
            0,
            "Golden Images",
            os,
            power_state="poweredOff",
            hardware_version=hardware,
            create_date=when(420),
            annotation="Golden image: patch monthly, then push",
            snapshots=_chain(snaps),
        )
    vm(
        "TPL-W10-FC-2025",
        "VDI-W11-CL01",
        0,
        "Golden Images",
        WIN10,
        power_state="poweredOff",
        template=True,
        hardware_version="vmx-19",
        create_date=when(600),
    )
    # instant-clone internals: per image a template and a replica, a parent per host
    for image, (cluster, _, os, hardware) in H8_IMAGES.items():
        internal = {"hardware_version": hardware, "create_date": when(12), "num_cpu": 2}
        off = dict(internal, power_state="poweredOff")
        vm(
            f"cp-template-{_h8_uuid(image, 'template')}",
            cluster,
            0,
            "ClonePrepInternalTemplateFolder",
            os,
            **off,
        )
        vm(
            f"cp-replica-{_h8_uuid(image, 'replica')}",
            cluster,
            1,
            "ClonePrepReplicaVmFolder",
            os,
            **off,
        )
        for index, (host_name, host_spec) in enumerate(H8_CLUSTERS[cluster]):
            lost = host_spec.get("connection_state") == "notResponding"
            vm(
                f"cp-parent-{_h8_uuid(image, 'parent', host_name)}",
                cluster,
                index,
                "ClonePrepParentVmFolder",
                os,
                **dict(internal, guest_hostname=None, boot_time=when(12)),
                **({"connection_state": "disconnected"} if lost else {}),
            )
    # vSphere Cluster Services: tiny Photon OS VMs on old hardware, managed by vCenter
    for cluster, count in (("VDI-W11-CL01", 3), ("VDI-W10-CL02", 2), ("MGMT-CL01", 2)):
        for index in range(count):
            vm(
                f"vCLS-{_h8_uuid(cluster, 'vcls', str(index))}",
                cluster,
                index,
                "vCLS",
                PHOTON,
                hardware_version="vmx-11",
                num_cpu=1,
                memory_mb=128,
                guest_hostname=None,
                ip_address=None,
                tools_version_status2="guestToolsUnmanaged",
                tools_version="12389",
                boot_time=when(21),
                create_date=when(200),
            )
    # Horizon's own servers (not desktops), and a SQL availability group in a vApp
    for name, os in (("HZN-CS01", WS2022), ("HZN-CS02", WS2022), ("HZN-UAG01", PHOTON)):
        vm(
            name,
            "MGMT-CL01",
            len(vms),
            "Horizon Infrastructure",
            os,
            num_cpu=4,
            memory_mb=16384,
            boot_time=when(26),
            create_date=when(700),
            annotation="Horizon infrastructure - do not power off",
        )
    for name in ("HZN-SQL01", "HZN-SQL02"):
        vm(
            name,
            "MGMT-CL01",
            len(vms),
            "",
            WS2022,
            vapp="HZN-SQL-AG",
            num_cpu=4,
            memory_mb=32768,
            boot_time=when(40),
            create_date=when(700),
        )
    # W11-IC-Knowledge: instant clones on the three ESXi 8 hosts (recreated at logoff)
    for n in range(1, 13):
        vm(
            f"W11-IC-{n:03d}",
            "VDI-W11-CL01",
            n % 3,
            "VDI/W11-IC-Knowledge",
            WIN11,
            boot_time=when(0.1 + n / 10),
            create_date=when(0.2 + n / 10),
        )
    # W10-IC-Legacy: instant clones on the ESXi 7 cluster, vmx-19 (current there)
    for n in range(1, 7):
        lost = n == 6  # on the host that stopped responding
        vm(
            f"W10-IC-{n:03d}",
            "VDI-W10-CL02",
            2 if lost else n % 2,
            "VDI/W10-IC-Legacy",
            WIN10,
            hardware_version="vmx-19",
            boot_time=when(0.2 + n / 10),
            create_date=when(0.3 + n / 10),
            **({"connection_state": "disconnected"} if lost else {}),
        )
    # W10-FC-Engineering: persistent full clones with specified names, powered on for months
    for n in range(11, 19):
        state: dict[str, Any] = {
            "num_cpu": 4,
            "memory_mb": 16384,
            "boot_time": when(90 + 11 * n % 97),
            "create_date": when(500 + n),
        }
        if n in (11, 12):  # never upgraded since they were cloned
            state["hardware_version"] = "vmx-14"
        if n in (15, 16):  # spares: unassigned, kept powered on by the pool
            state["boot_time"] = when(3)
        name = f"W10-FC-{n:03d}"
        if n == 17:  # vCenter lost its files: config unset, named by its .vmx path
            name = H8_INACCESSIBLE
            state.update(
                config_unset=True,
                connection_state="inaccessible",
                power_state="poweredOff",
                boot_time=None,
            )
        vm(name, "VDI-W11-CL01", n % 3, "VDI/W10-FC-Engineering", WIN10, **state)
    # RDS-Apps-2022: instant-clone RDS hosts
    for n in range(1, 5):
        vm(
            f"RDSH-APP-{n:02d}",
            "VDI-W11-CL01",
            n % 3,
            "RDS/RDS-Apps-2022",
            WS2022,
            num_cpu=8,
            memory_mb=65536,
            boot_time=when(1 + n / 10),
            create_date=when(12),
        )
    # LAB-FC-Root: a full-clone pool whose folder is the datacenter's root VM folder, next to
    # VMs nobody claims
    for n in range(1, 4):
        vm(
            f"LAB-PC-{n:02d}",
            "VDI-W10-CL02",
            n % 2,
            "",
            WIN10,
            hardware_version="vmx-19",
            boot_time=when(2 + n),
            create_date=when(300),
        )
    vm(
        "Win10-Test-Old",
        "VDI-W10-CL02",
        0,
        "",
        WIN10,
        power_state="poweredOff",
        hardware_version="vmx-15",
        create_date=when(800),
    )
    vm("jdoe-clone-tmp", "VDI-W10-CL02", 1, "", WIN10, hardware_version="vmx-19", boot_time=when(9))
    # a machine Horizon deleted from the pool but whose VM was left behind: named like the pool
    vm(
        "LAB-PC-04",
        "VDI-W10-CL02",
        0,
        "",
        WIN10,
        power_state="poweredOff",
        hardware_version="vmx-19",
        create_date=when(300),
    )

    clusters = []
    for name, hosts in H8_CLUSTERS.items():
        cluster_spec: dict[str, Any] = {
            "name": name,
            "hosts": [{"name": host_name, **spec} for host_name, spec in hosts],
        }
        if name == "MGMT-CL01":
            cluster_spec["vapps"] = [
                {
                    "name": "HZN-SQL-AG",
                    "annotation": "SQL Server availability group for the Horizon event database",
                }
            ]
        clusters.append(cluster_spec)
    scenario = horizon8_storage_and_health(
        {
            "_comment": "Written by tests/tools/horizon_estate.py (horizon8_scenario): a vCenter "
            "laid out like a real Horizon 8 estate; the Horizon side is "
            "tests/fixtures/horizon/horizon8/.",
            "vcenter": {
                "name": "vc-vdi01.corp.example.test",
                "instance_uuid": "3f6e9b1c-5d2a-4c8e-9a71-0b4d2e8f6c11",
                "version": "8.0.3",
                "build": "24022515",
            },
            "datacenters": [
                {
                    "name": H8_DC,
                    "folders": [
                        "ClonePrepInternalTemplateFolder",
                        "ClonePrepParentVmFolder",
                        "ClonePrepReplicaVmFolder",
                        "ClonePrepResyncVmFolder",
                        "vCLS",
                        "Golden Images",
                        "Horizon Infrastructure",
                        "VDI/W11-IC-Knowledge",
                        "VDI/W10-IC-Legacy",
                        "VDI/W10-FC-Engineering",
                        "RDS/RDS-Apps-2022",
                    ],
                    "datastores": ["vsanDatastore"],
                    "clusters": clusters,
                }
            ],
            "vms": vms,
        }
    )
    return add_vcenter_usage(scenario, H8_IDLE_DESKTOPS, H8_METERED_HOSTS)


H8_IDLE_DESKTOPS = ("W10-IC-005",)
"""W10-IC-Legacy desktops nobody logged on to in 30 days, idle throughout."""
H8_METERED_HOSTS = {"esx-w11-01.corp.example.test": 0, "esx-w11-02.corp.example.test": 8}
"""Hosts with a power.power.average series (mean 346 W + shift); the others have none."""

H8_USERS = (
    UserSpec("a.devries", "Anouk", "de Vries"),
    UserSpec("b.jansen", "Bas", "Jansen"),
    UserSpec("c.peeters", "Chantal", "Peeters"),
    UserSpec("d.mulder", "Dirk", "Mulder"),
    UserSpec("e.bos", "Esther", "Bos"),
    UserSpec("f.smit", "Floris", "Smit"),
    UserSpec("g.visser", "Gert", "Visser"),
    UserSpec("h.kok", "Hilde", "Kok"),
    UserSpec("i.dijkstra", "Ingrid", "Dijkstra"),
    UserSpec("j.vanleeuwen", "Joost", "van Leeuwen"),
)

HORIZON8 = PodSpec(
    name="horizon8",
    domain=H8_DOMAIN,
    netbios="CORP",
    domain_sid="S-1-5-21-4000000001-4000000002-4000000003",
    vcenters=("horizon8",),
    users=H8_USERS,
    credentials={
        "username": "svc-fleetreport",
        "password": "fake-test-only-password-horizon8",
        "domain": "CORP",
    },
    connection_servers=(
        ConnectionServerSpec("hzn-cs01.corp.example.test", "192.0.2.41"),
        ConnectionServerSpec("hzn-cs02.corp.example.test", "192.0.2.42"),
    ),
    gateway="hzn-uag01",
    gateway_address="203.0.113.41",
    event_database="hzn-sql-ag",
    vcenter_descriptions={"horizon8": "VDI vCenter"},
    license=LicenseSpec(mode="PERPETUAL_ONLY", expires=None, health=None),
    usage=UsagePlan(
        {
            # all 12 desktops in use at once: the pool ran out of spares
            "W11-IC-Knowledge": PoolUsagePlan(12, peak_days_ago=4),
            # 3 of 6: the peak is half the pool's size; W10-IC-005 never used, idle
            "W10-IC-Legacy": PoolUsagePlan(3, peak_days_ago=9, idle=H8_IDLE_DESKTOPS),
            # W10-FC-012's user (g.visser) last logged on 45 days ago
            "W10-FC-Engineering": PoolUsagePlan(4, peak_days_ago=7, stale={"W10-FC-012": 45}),
            "LAB-FC-Root": PoolUsagePlan(2, peak_days_ago=14),
        }
    ),
    pools=(
        PoolSpec(
            name="W11-IC-Knowledge",
            display_name="Windows 11",
            description="Instant clones for knowledge workers (deleted at logoff)",
            type="AUTOMATED",
            source="INSTANT_CLONE",
            vcenter="horizon8",
            datacenter=H8_DC,
            folder="VDI/W11-IC-Knowledge",
            golden_image="GI-W11-23H2",
            snapshot=_image_snapshot("GI-W11-23H2"),
            naming_pattern="W11-IC-{n:fixed=3}",
            maintenance_times=True,
            min_machines=10,
            max_machines=14,
            spare_machines=3,
            machines={
                "W11-IC-002": MachineSpec(sessions=(SessionSpec("a.devries", start="${now-2h}"),)),
                "W11-IC-003": MachineSpec(state="ALREADY_USED"),
                "W11-IC-004": MachineSpec(sessions=(SessionSpec("b.jansen", start="${now-4h}"),)),
                "W11-IC-005": MachineSpec(state="AGENT_ERROR_STARTUP_IN_PROGRESS"),
                "W11-IC-006": MachineSpec(
                    sessions=(
                        SessionSpec(
                            "c.peeters",
                            "DISCONNECTED",
                            start="${now-5h}",
                            disconnected="${now-50m}",
                        ),
                    )
                ),
                "W11-IC-007": MachineSpec(sessions=(SessionSpec("d.mulder", start="${now-1h}"),)),
            },
        ),
        PoolSpec(
            name="W10-IC-Legacy",
            display_name="Windows 10 (legacy apps)",
            description="Instant clones on the ESXi 7 cluster",
            type="AUTOMATED",
            source="INSTANT_CLONE",
            vcenter="horizon8",
            datacenter=H8_DC,
            folder="VDI/W10-IC-Legacy",
            golden_image="GI-W10-22H2",
            snapshot=_image_snapshot("GI-W10-22H2"),
            naming_pattern="W10-IC-{n:fixed=3}",
            maintenance_times=True,
            min_machines=6,
            max_machines=8,
            spare_machines=2,
            machines={
                "W10-IC-001": MachineSpec(sessions=(SessionSpec("e.bos", start="${now-3h}"),)),
            },
        ),
        PoolSpec(
            name="W10-FC-Engineering",
            display_name="Engineering desktops",
            description="Persistent full clones, one per engineer, names given one by one",
            type="AUTOMATED",
            source="VIRTUAL_CENTER",
            vcenter="horizon8",
            datacenter=H8_DC,
            folder="VDI/W10-FC-Engineering",
            user_assignment="DEDICATED",
            power_policy="POWER_OFF",
            golden_image="TPL-W10-FC-2025",
            naming_method="SPECIFIED",
            spares_powered_on=2,
            disconnected_timeout_minutes=None,
            machines={
                "W10-FC-011": MachineSpec(
                    users=("f.smit",), sessions=(SessionSpec("f.smit", start="${now-6h}"),)
                ),
                "W10-FC-012": MachineSpec(users=("g.visser",)),
                "W10-FC-013": MachineSpec(
                    users=("h.kok",), sessions=(SessionSpec("h.kok", start="${now-2h}"),)
                ),
                "W10-FC-014": MachineSpec(users=("i.dijkstra",)),
                "W10-FC-015": MachineSpec(users=()),
                "W10-FC-016": MachineSpec(users=()),
                "W10-FC-017": MachineSpec(users=("j.vanleeuwen",)),
                "W10-FC-018": MachineSpec(
                    users=("a.devries",),
                    sessions=(SessionSpec("a.devries", start="${now-26h}", protocol="PCOIP"),),
                ),
            },
        ),
        PoolSpec(
            name="LAB-FC-Root",
            display_name="Lab desktops",
            description="Full clones provisioned into the datacenter's root VM folder",
            type="AUTOMATED",
            source="VIRTUAL_CENTER",
            vcenter="horizon8",
            datacenter=H8_DC,
            folder="",
            user_assignment="DEDICATED",
            power_policy="TAKE_NO_POWER_ACTION",
            golden_image="TPL-W10-FC-2025",
            naming_pattern="LAB-PC-{n:fixed=2}",
            min_machines=3,
            max_machines=3,
            spare_machines=0,
            exclude=("Win10-Test-Old", "jdoe-clone-tmp", "LAB-PC-04"),
            machines={
                "LAB-PC-01": MachineSpec(users=("b.jansen",)),
                "LAB-PC-02": MachineSpec(users=("c.peeters",)),
                "LAB-PC-03": MachineSpec(users=("d.mulder",)),
            },
        ),
        PoolSpec(
            name="RDS-Apps-2022",
            display_name="Published applications",
            description="Instant-clone RDSH farm",
            type="RDS",
            source="INSTANT_CLONE",
            vcenter="horizon8",
            datacenter=H8_DC,
            folder="RDS/RDS-Apps-2022",
            user_assignment=None,
            power_policy=None,
            golden_image="GI-WS2022-RDSH",
            snapshot=_image_snapshot("GI-WS2022-RDSH"),
            naming_pattern="RDSH-APP-{n:fixed=2}",
            max_machines=6,
            disconnected_timeout_minutes=60,
            machines={
                "RDSH-APP-01": MachineSpec(
                    sessions=(
                        SessionSpec("e.bos", start="${now-2h}", applications=("SAP GUI",)),
                        SessionSpec("f.smit", start="${now-1h}", applications=("Microsoft Excel",)),
                    )
                ),
                "RDSH-APP-02": MachineSpec(state="AGENT_ERR_NEED_REBOOT"),
                "RDSH-APP-03": MachineSpec(state="WAIT_FOR_AGENT"),
                "RDSH-APP-04": MachineSpec(
                    sessions=(
                        SessionSpec("g.visser", start="${now-3h}", applications=("SAP GUI",)),
                    )
                ),
            },
        ),
    ),
)


# ================================================================================= demo

_FIRST = (
    "Anna",
    "Bram",
    "Carla",
    "Daan",
    "Eva",
    "Floor",
    "Gijs",
    "Hanna",
    "Iris",
    "Jeroen",
    "Kim",
    "Lars",
    "Maud",
    "Noor",
    "Olaf",
    "Pim",
    "Roos",
    "Sanne",
    "Tim",
    "Vera",
    "Wout",
    "Yara",
)


def demo_users() -> tuple[UserSpec, ...]:
    lasts = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder"]
    lasts += ["de Groot", "Bos", "Vos", "Peters", "Hendriks", "Dekker"]
    out, seen = [], set()
    for last in lasts:
        for first in _FIRST:
            login = f"{first[0].lower()}.{last.replace(' ', '').lower()}"
            if login in seen:
                login = f"{first.lower()}.{last.replace(' ', '').lower()}"
            seen.add(login)
            out.append(UserSpec(login, first, last))
    return tuple(out)


_DEMO_PROBLEMS = (  # on top of what the vCenter side causes (powered off, tools not running)
    ("AGENT_UNREACHABLE", 0.006),
    ("AGENT_ERROR_NEEDS_REBOOT", 0.006),
    ("MAINTENANCE", 0.004),
)

DEMO = PodSpec(
    name="demo",
    domain="corp.example.test",
    netbios="CORP",
    domain_sid="S-1-5-21-3000000001-3000000002-3000000003",
    vcenters=("demo-vc01", "demo-vc02"),
    users=demo_users(),
    credentials={
        "username": "svc-fleetreport",
        "password": "fake-test-only-password-demo",
        "domain": "CORP",
    },
    connection_servers=(
        ConnectionServerSpec("hzcs01.corp.example.test", "192.0.2.15"),
        ConnectionServerSpec("hzcs02.corp.example.test", "192.0.2.16"),
    ),
    vcenter_descriptions={"demo-vc01": "Amsterdam VDI", "demo-vc02": "Rotterdam VDI"},
    license=LicenseSpec(expires="${now+45d}", health="YELLOW"),
    missing_applications={"RDS-Farm-Apps": ("Notepad++",)},
    usage=UsagePlan(
        {
            # 120 of 160 at most: room to spare; three desktops never used, idle
            "IC-Win11-Office": PoolUsagePlan(
                120, peak_days_ago=10, busy=(0.25, 0.5), idle=DEMO_IDLE_DESKTOPS
            ),
            # every one of its 91 desktops in use at once: the pool ran out of spares
            "IC-Win11-CallCenter": PoolUsagePlan(91, peak_days_ago=3, busy=(0.25, 0.5)),
            # AMS-DEV-003's user last logged on 45 days ago
            "FC-Win10-Developers": PoolUsagePlan(30, peak_days_ago=8, stale={"AMS-DEV-003": 45}),
            # 6 of 12: the peak is half the pool's size
            "Manual-Engineering": PoolUsagePlan(6, peak_days_ago=15),
        }
    ),
    pools=(
        PoolSpec(
            name="IC-Win11-Office",
            display_name="Windows 11 Office",
            description="Instant clones for office staff",
            type="AUTOMATED",
            source="INSTANT_CLONE",
            vcenter="demo-vc01",
            datacenter="Amsterdam",
            folder="Horizon/IC-Win11-Office",
            golden_image="gold-win11-23h2",
            snapshot="2026-08-patch/2026-09-patch/2026-10-patch",
            naming_pattern="AMS-W11-{n:fixed=3}",
            maintenance_times=True,
            min_machines=150,
            max_machines=170,
            spare_machines=10,
            exclude=("ams-w11-test-<b>old</b>",),
            mix=Mix(problems=_DEMO_PROBLEMS, session_rate=0.62),
            machines={
                "AMS-W11-023": MachineSpec(state="ALREADY_USED"),
                "AMS-W11-031": MachineSpec(state="AGENT_ERROR_STARTUP_IN_PROGRESS"),
                "AMS-W11-017": MachineSpec(
                    sessions=(
                        SessionSpec(
                            "j.visser", "DISCONNECTED", "${now-27h}", "${now-19h}", external=True
                        ),
                    )
                ),
            },
        ),
        PoolSpec(
            name="FC-Win10-Developers",
            display_name="Developer desktops",
            description="Persistent full-clone desktops for the development teams",
            type="AUTOMATED",
            source="VIRTUAL_CENTER",
            vcenter="demo-vc01",
            datacenter="Amsterdam",
            folder="",  # the datacenter's root VM folder
            user_assignment="DEDICATED",
            power_policy="SUSPEND",
            golden_image="gold-win10-22h2-dev",
            naming_method="SPECIFIED",
            spares_powered_on=2,
            exclude=("AMS-DEV-OLD-07", "tmp-clone-jvisser"),
            disconnected_timeout_minutes=None,
            mix=Mix(
                problems=(("AGENT_ERROR_NEEDS_REBOOT", 0.03),),
                session_rate=0.55,
                disconnected_share=0.2,
                agent_versions=(("8.17.0", 0.82), ("8.16.0", 0.15), ("8.15.1", 0.03)),
                assigned_share=0.93,
            ),
            machines={
                "AMS-DEV-009": MachineSpec(
                    sessions=(
                        SessionSpec(
                            "k.bakker", "DISCONNECTED", "${now-3d}", "${now-2d}", protocol="PCOIP"
                        ),
                    ),
                    users=("k.bakker",),
                    agent_version="8.16.0",
                ),
                "AMS-DEV-041": MachineSpec(users=("l.peters",)),  # its VM is inaccessible
            },
        ),
        PoolSpec(
            name="Manual-Engineering",
            display_name="Engineering workstations",
            description="Hand-built CAD workstations",
            type="MANUAL",
            source="VIRTUAL_CENTER",
            vcenter="demo-vc01",
            datacenter="Amsterdam",
            folder="Horizon/Manual-Engineering",
            user_assignment="DEDICATED",
            power_policy="TAKE_NO_POWER_ACTION",
            default_protocol="PCOIP",
            mix=Mix(
                session_rate=0.6,
                agent_versions=(("8.17.0", 0.6), ("8.16.0", 0.25), ("8.13.0", 0.15)),
            ),
        ),
        PoolSpec(
            name="RDS-Farm-Apps",
            display_name="Published applications",
            description="Instant-clone RDSH farm",
            type="RDS",
            source="INSTANT_CLONE",
            vcenter="demo-vc01",
            datacenter="Amsterdam",
            folder="Horizon/RDS-Farm-Apps",
            user_assignment=None,
            power_policy=None,
            golden_image="gold-ws2022-rds",
            snapshot="2026-11-patch",
            naming_pattern="AMS-RDSH-{n:fixed=2}",
            max_machines=8,
            disconnected_timeout_minutes=60,
            mix=Mix(
                sessions_per_host=(3, 9),
                applications=("Microsoft Excel", "Microsoft Word", "SAP GUI", "Notepad++"),
                disconnected_share=0.1,
            ),
            machines={
                "AMS-RDSH-03": MachineSpec(state="AGENT_ERR_NEED_REBOOT"),
                "AMS-RDSH-05": MachineSpec(state="WAIT_FOR_AGENT"),
                "AMS-RDSH-06": MachineSpec(state="AGENT_DRAIN_MODE"),
            },
        ),
        PoolSpec(
            name="IC-Win11-CallCenter",
            display_name="Call center",
            description="Instant clones for the Rotterdam call center",
            type="AUTOMATED",
            source="INSTANT_CLONE",
            vcenter="demo-vc02",
            datacenter="Rotterdam",
            folder="Horizon/IC-Win11-CallCenter",
            golden_image="gold-win11-callcenter",
            snapshot="2026-10-patch/2026-11-patch",
            naming_pattern="RTM-CC-{n:fixed=3}",
            maintenance_times=True,
            min_machines=90,
            max_machines=100,
            spare_machines=5,
            exclude=("RTM-CC-OLD-01", "RTM-CC-OLD-02", "RTM-CC-OLD-03"),
            mix=Mix(
                problems=_DEMO_PROBLEMS,
                session_rate=0.6,
                old_image="2026-10-patch",
                old_image_share=0.12,
                old_agent_version="8.16.0",
            ),
            machines={
                "RTM-CC-044": MachineSpec(
                    sessions=(SessionSpec("w.dekker", "DISCONNECTED", "${now-14h}", "${now-9h}"),)
                ),
                "RTM-CC-061": MachineSpec(
                    state="PROVISIONING_ERROR",
                    clone_error="Cloning failed: the operation is not allowed in the current "
                    "state of the host",
                    clone_error_time="${now-7h}",
                ),
            },
            last_provisioning_error=(
                "Cloning of RTM-CC-061 failed: the operation is not allowed in the current "
                "state of the host",
                "${now-7h}",
            ),
        ),
    ),
)

PODS = {pod.name: pod for pod in (HORIZON_POD, HORIZON8, DEMO)}
SCENARIO_BUILDERS = {"horizon_pod": horizon_pod_scenario, "horizon8": horizon8_scenario}


# ================================================================================== run


@contextlib.contextmanager
def simulators(pod: PodSpec) -> Iterator[dict[str, tuple[dict[str, Any], dict[str, Any]]]]:
    """Start the pod's simulators; yield ``{scenario: (scenario, manifest)}``."""
    if str(REPO / "tests") not in sys.path:
        sys.path.insert(0, str(REPO / "tests"))
    from support.vcsim import start_vcsim

    with contextlib.ExitStack() as stack:
        out = {}
        for key in pod.vcenters:
            server = stack.enter_context(start_vcsim(SCENARIOS / f"{key}.json"))
            out[key] = (server.scenario, server.manifest)
        yield out


def write_scenario(name: str) -> Path:
    path = SCENARIOS / f"{name}.json"
    path.write_text(
        json.dumps(SCENARIO_BUILDERS[name](), indent=1, ensure_ascii=False) + "\n", "utf-8"
    )
    return path


def write_pod(pod: PodSpec, files: Mapping[str, Any], root: Path = FIXTURES) -> Path:
    out = root / pod.name
    out.mkdir(parents=True, exist_ok=True)
    texts = render(files)
    for stale in out.glob("*.json"):
        if stale.name not in texts:
            stale.unlink()
    for name, text in texts.items():
        (out / name).write_text(text, "utf-8")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="+", choices=[*PODS, "all"])
    args = parser.parse_args(argv)
    names = list(PODS) if "all" in args.names else args.names
    for name in names:
        pod = PODS[name]
        for key in pod.vcenters:
            if key in SCENARIO_BUILDERS:
                print(f"{write_scenario(key)}")
        with simulators(pod) as sources:
            files = generate(pod, sources)
        out = write_pod(pod, files)
        print(
            f"{out}: {len(files['machines.json'])} machines, "
            f"{len(files['rds_servers.json'])} RDS hosts, {len(files['sessions.json'])} sessions"
        )


if __name__ == "__main__":
    main()
