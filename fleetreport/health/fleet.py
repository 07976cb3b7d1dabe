"""The fleet as the checks see it: desktops (a Horizon machine and/or its VM), pools, hosts.

A desktop is a Horizon machine or RDS host, or a machine inferred from vCenter folders or
names, joined to its VM where one was found. Without Horizon data the desktops come from an
explicit rule (:mod:`fleetreport.health.population`: the desktops of the last run in which the
pod answered, or the ``[desktops]`` rule over vCenter), and the report says which; Horizon
checks are then "not applicable", or "unknown" when a Horizon source was asked and failed.
Horizon's and vSphere's own VMs, golden images and templates are inventory, never desktops.

Ages are measured at the snapshot's collection time, never at the time of reporting, so the
same snapshot always gives the same report.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from fleetreport.globs import matches_any
from fleetreport.health.population import KnownDesktops, Population, decide_population
from fleetreport.health.settings import DesktopRules, ScopeRules
from fleetreport.snapshot.model import (
    AdDomain,
    Cluster,
    ConnectionServer,
    Datastore,
    DesktopPool,
    Gateway,
    HorizonPod,
    Host,
    Machine,
    Session,
    Snapshot,
    TriggeredAlarm,
    UnmatchedVm,
    VirtualMachine,
)

if TYPE_CHECKING:
    from fleetreport.health.hardware import ClusterKey, HardwareLimit
    from fleetreport.health.idle import PoolIdleness

_HARDWARE_VERSION = re.compile(r"^vmx-(\d+)$")
_VERSION_PART = re.compile(r"\d+")
VERSION_PARTS = 4
HARDWARE_VERSIONS_KEPT = 256
"""Hardware version texts remembered (vSphere has had about twenty)."""
AGENT_VERSIONS_KEPT = 1024
"""Agent version and build pairs remembered (a fleet runs a few)."""
LIMITS_KEPT = 256
"""Thresholds whose words are remembered (each check has one to three; a failure names one)."""


@dataclass(frozen=True)
class Desktop:
    """One desktop: its Horizon machine, its VM, or both."""

    key: str
    """Unique and stable across runs: ``POD/MACHINE_ID`` for a Horizon machine,
    ``VCENTER_UUID/vm-123`` for a VM without Horizon data."""
    name: str
    """The Horizon machine's name, or the VM's without a machine (an inaccessible VM's name
    can be its ``.vmx`` path; Horizon's name is the one people know)."""
    vm: VirtualMachine | None
    """The VM, when joined or when there is no Horizon data."""
    machine: Machine | None
    """The Horizon machine or RDS host; None in a vCenter-only snapshot."""
    pool: DesktopPool | None
    """Its desktop pool, farm or inferred pool."""
    host: Host | None
    """The ESXi host the VM runs on."""
    sessions: tuple[Session, ...]
    """Sessions on the machine."""

    @property
    def subject(self) -> str:
        """What findings name: the VM moref, or the Horizon machine id without a VM."""
        if self.vm is not None:
            return self.vm.moref
        return self.machine.id if self.machine is not None else self.key


class FleetView:
    """Indexes over one snapshot, limited to the configured scope, for the checks to consult."""

    def __init__(
        self,
        snapshot: Snapshot,
        scope: ScopeRules | None = None,
        desktop_rules: DesktopRules | None = None,
        known_desktops: Sequence[KnownDesktops] = (),
        judged_at: datetime | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.now: datetime = judged_at or snapshot.collected_at
        """The time every age is measured at: the collection's, or a replay's ``--as-of``."""
        self._scope = scope or ScopeRules()
        self._vms = {(vm.vcenter, vm.moref): vm for vm in snapshot.vms}
        self._hosts_by_name = {(h.vcenter, h.name): h for h in snapshot.hosts}
        self._pools_by_id = {(p.pod, p.id): p for p in snapshot.pools}
        self._sessions: dict[tuple[str, str], list[Session]] = defaultdict(list)
        for session in snapshot.sessions:
            if session.machine_id:
                self._sessions[(session.pod, session.machine_id)].append(session)
        self.population: Population = decide_population(
            snapshot, desktop_rules or DesktopRules(), known_desktops
        )
        """Which rules made the desktops, and which VMs they left out."""
        self.desktops: list[Desktop] = (
            [d for d in self._all_desktops() if self._desktop_in_scope(d)]
            if self._scope_limits_desktops
            else list(self._all_desktops())
        )
        pool_keys = {(d.pool.pod, d.pool.id) for d in self.desktops if d.pool is not None}
        self.pools: list[DesktopPool] = [
            p
            for p in snapshot.pools
            if self._pool_in_scope(p)
            and ((p.pod, p.id) in pool_keys or not self._scope_limits_pools)
        ]
        self.hosts: list[Host] = [h for h in snapshot.hosts if self._host_in_scope(h)]
        self.connection_servers: list[ConnectionServer] = list(snapshot.connection_servers)
        self.clusters: list[Cluster] = [c for c in snapshot.clusters if self._cluster_in_scope(c)]
        self.datastores: list[Datastore] = [
            d for d in snapshot.datastores if self._allowed("datacenters", d.datacenter)
        ]
        self.gateways: list[Gateway] = list(snapshot.gateways)
        self.ad_domains: list[AdDomain] = list(snapshot.ad_domains)

    # ------------------------------------------------------------------ desktops

    def _all_desktops(self) -> Iterable[Desktop]:
        for machine in self.snapshot.machines:
            vm = None
            if machine.vm_vcenter and machine.vm_moref:
                key = (machine.vm_vcenter, machine.vm_moref)
                vm = self._vms.get(key)
                if vm is not None and key not in self.population.machine_vms:
                    continue
            yield self._desktop(vm, machine)
        for vm in self.snapshot.vms:
            if (vm.vcenter, vm.moref) in self.population.desktop_vms:
                yield self._desktop(vm, None)

    def _desktop(self, vm: VirtualMachine | None, machine: Machine | None) -> Desktop:
        pool = None
        sessions: tuple[Session, ...] = ()
        if machine is not None:
            if machine.pool_id:
                pool = self._pools_by_id.get((machine.pod, machine.pool_id))
            sessions = tuple(self._sessions.get((machine.pod, machine.id), ()))
        host = self._hosts_by_name.get((vm.vcenter, vm.host)) if vm and vm.host else None
        if machine is not None:  # Horizon's id outlives the VM (a lost VM, a rebuilt clone)
            key = f"{machine.pod}/{machine.id}"
        else:
            assert vm is not None
            key = f"{vm.vcenter}/{vm.moref}"
        if machine is not None and machine.name and (machine.kind != "inferred" or vm is None):
            name = machine.name
        else:
            name = vm.name if vm is not None else key
        return Desktop(key, name, vm, machine, pool, host, sessions)

    # --------------------------------------------------------------------- scope

    @property
    def _scope_limits_desktops(self) -> bool:
        """A scope rule about an attribute of a desktop (its VM's datacenter, cluster or
        folder, its pool's name) is configured: without one, every desktop is in scope."""
        rules = self._scope
        attributes = ("datacenters", "clusters", "folders", "pools")
        return any(rules.include.get(a) or rules.exclude.get(a) for a in attributes)

    @property
    def _scope_limits_pools(self) -> bool:
        rules = self._scope
        return any(rules.include.get(a) for a in ("datacenters", "clusters", "folders"))

    def _allowed(self, attribute: str, value: str | None) -> bool:
        """A rule about an attribute the subject lacks does not exclude it."""
        if value is None:
            return True
        include = self._scope.include.get(attribute, ())
        if include and not matches_any(value, include):
            return False
        exclude = self._scope.exclude.get(attribute, ())
        return not (exclude and matches_any(value, exclude))

    def _desktop_in_scope(self, desktop: Desktop) -> bool:
        vm = desktop.vm
        pool = desktop.pool
        return (
            (vm is None or self._allowed("datacenters", vm.datacenter))
            and (vm is None or self._allowed("clusters", vm.cluster))
            and (vm is None or self._allowed("folders", vm.folder))
            and (pool is None or self._pool_in_scope(pool))
        )

    def _pool_in_scope(self, pool: DesktopPool) -> bool:
        return self._allowed("pools", pool.name)

    def _cluster_in_scope(self, cluster: Cluster) -> bool:
        return self._allowed("datacenters", cluster.datacenter) and self._allowed(
            "clusters", cluster.name
        )

    def _host_in_scope(self, host: Host) -> bool:
        return self._allowed("datacenters", host.datacenter) and self._allowed(
            "clusters", host.cluster
        )

    # ------------------------------------------------------------------- lookups

    def vm(self, vcenter: str | None, moref: str | None) -> VirtualMachine | None:
        """A VM by its vCenter and moref."""
        if vcenter is None or moref is None:
            return None
        return self._vms.get((vcenter, moref))

    @cached_property
    def desktops_by_pool(self) -> dict[tuple[str, str], list[Desktop]]:
        """Desktops of each pool, by (pod, pool id)."""
        result: dict[tuple[str, str], list[Desktop]] = defaultdict(list)
        for desktop in self.desktops:
            if desktop.pool is not None:
                result[(desktop.pool.pod, desktop.pool.id)].append(desktop)
        return result

    def pool_desktops(self, pool: DesktopPool) -> list[Desktop]:
        """The desktops of one pool."""
        return self.desktops_by_pool.get((pool.pod, pool.id), [])

    @cached_property
    def hosts_by_cluster(self) -> dict[tuple[str, str | None, str], list[Host]]:
        """Every host of the snapshot (scope aside: a VM must run on all of its cluster's) by
        ``(vCenter, datacenter, cluster)``."""
        clusters: dict[tuple[str, str | None, str], list[Host]] = defaultdict(list)
        for host in self.snapshot.hosts:
            if host.cluster is not None:
                clusters[(host.vcenter, host.datacenter, host.cluster)].append(host)
        return dict(clusters)

    @cached_property
    def alarms_by_entity(self) -> dict[tuple[str, str], list[TriggeredAlarm]]:
        """Triggered alarms by the (vCenter, moref) of the object they are on."""
        result: dict[tuple[str, str], list[TriggeredAlarm]] = defaultdict(list)
        for alarm in self.snapshot.alarms:
            result[(alarm.vcenter, alarm.entity)].append(alarm)
        return dict(result)

    def alarms_on(self, vcenter: str, moref: str) -> list[TriggeredAlarm]:
        """Triggered alarms on one object."""
        return self.alarms_by_entity.get((vcenter, moref), [])

    @cached_property
    def vms_by_datastore(self) -> dict[tuple[str, str], list[VirtualMachine]]:
        """Every VM of the snapshot with files on each datastore, by (vCenter, datastore
        moref)."""
        result: dict[tuple[str, str], list[VirtualMachine]] = defaultdict(list)
        for vm in self.snapshot.vms:
            for datastore in vm.datastores:
                result[(vm.vcenter, datastore)].append(vm)
        return dict(result)

    @cached_property
    def desktops_by_datastore(self) -> dict[tuple[str, str], list[Desktop]]:
        """Desktops in scope with files on each datastore, by (vCenter, datastore moref)."""
        result: dict[tuple[str, str], list[Desktop]] = defaultdict(list)
        for desktop in self.desktops:
            if desktop.vm is not None:
                for datastore in desktop.vm.datastores:
                    result[(desktop.vm.vcenter, datastore)].append(desktop)
        return dict(result)

    @cached_property
    def desktops_by_cluster(self) -> dict[tuple[str, str | None, str], list[Desktop]]:
        """Desktops in scope by the ``(vCenter, datacenter, cluster)`` their VM runs in."""
        result: dict[tuple[str, str | None, str], list[Desktop]] = defaultdict(list)
        for desktop in self.desktops:
            vm = desktop.vm
            if vm is not None and vm.cluster is not None:
                result[(vm.vcenter, vm.datacenter, vm.cluster)].append(desktop)
        return dict(result)

    @cached_property
    def datastores_by_key(self) -> dict[tuple[str, str], Datastore]:
        """Every datastore of the snapshot (scope aside) by (vCenter, moref)."""
        return {(d.vcenter, d.moref): d for d in self.snapshot.datastores}

    def inaccessible_datastores(self, vm: VirtualMachine) -> list[Datastore]:
        """The datastores of ``vm`` that vCenter reports as not accessible."""
        found = (self.datastores_by_key.get((vm.vcenter, moref)) for moref in vm.datastores)
        return [d for d in found if d is not None and d.accessible is False]

    @cached_property
    def horizon_server_vms(self) -> frozenset[tuple[str, str]]:
        """(vCenter, moref) of the VMs that are the pods' Connection Servers and gateways: a VM
        whose guest DNS name is a server's name, or whose DNS or VM name is its short name
        (``hzn-cs01.corp.example`` -> ``hzn-cs01``), case-insensitively. The desktops depend on
        them, so the clusters and datastores they run on are the fleet's too."""
        full = {server.name.casefold() for server in self.connection_servers}
        full |= {gateway.name.casefold() for gateway in self.gateways}
        full.discard("")
        short = {name.split(".", 1)[0] for name in full}
        found = set()
        for vm in self.snapshot.vms:
            dns = (vm.guest_hostname or "").casefold()
            if (dns and (dns in full or dns.split(".", 1)[0] in short)) or (
                vm.name.casefold() in short
            ):
                found.add((vm.vcenter, vm.moref))
        return frozenset(found)

    @cached_property
    def pods_by_id(self) -> dict[str, HorizonPod]:
        """The snapshot's pods by id."""
        return {pod.id: pod for pod in self.snapshot.pods}

    @cached_property
    def stray_vms_by_pool(self) -> dict[str, list[UnmatchedVm]]:
        """VMs in a pool's folder that no machine claims, by pool id (never Horizon's own)."""
        result: dict[str, list[UnmatchedVm]] = defaultdict(list)
        for stray in self.snapshot.unmatched_vms:
            if (stray.vcenter, stray.moref) not in self.population.roles:
                result[stray.pool_id].append(stray)
        return result

    @cached_property
    def horizon_failed(self) -> bool:
        """A Horizon source was asked and failed: Horizon data is missing, not absent."""
        return any(s.kind == "horizon" and s.status == "failed" for s in self.snapshot.sources)

    @cached_property
    def collected_vcenters(self) -> set[str]:
        """Instance UUIDs of the vCenters this snapshot holds."""
        return {vc.instance_uuid for vc in self.snapshot.vcenters}

    @cached_property
    def alarms_read_by_vcenter(self) -> dict[str, bool | None]:
        """Per vCenter instance UUID, whether its triggered alarms were read."""
        return {vc.instance_uuid: vc.alarms_read for vc in self.snapshot.vcenters}

    @cached_property
    def horizon_vcenter_uuids(self) -> dict[tuple[str, str], str | None]:
        """Horizon's vCenter ids per pod, to vCenter instance UUIDs."""
        return {(v.pod, v.id): v.instance_uuid for v in self.snapshot.horizon_vcenters}

    @cached_property
    def hardware_limits(self) -> dict[ClusterKey, HardwareLimit | None]:
        """Each cluster's hardware limit as ``hardware.vm_hardware_limit`` works it out, kept
        with this fleet (filled there, on first use of each cluster)."""
        return {}

    @cached_property
    def pool_idleness(self) -> dict[tuple[str, str], PoolIdleness]:
        """Each pool's idleness as ``idle.pool_idleness`` works it out, kept with this fleet
        (filled there, on first use of each pool)."""
        return {}

    @cached_property
    def idle_longer(self) -> dict[tuple[str, str, timedelta], frozenset[str]]:
        """Per (pod, pool id, grace), ``idle.idle_longer_than``'s answer, kept with this fleet
        (filled there, on first use)."""
        return {}

    @cached_property
    def long_idle_spares(self) -> dict[tuple[str, str, timedelta], frozenset[str]]:
        """Per (pod, pool id, grace), ``idle.long_idle_spare_candidates``' answer, kept with
        this fleet (filled there, on first use)."""
        return {}

    @cached_property
    def datastore_contents(self) -> dict[tuple[str, str], str | None]:
        """Per (vCenter, datastore moref), ``vdi_scope.vdi_datastore_contents``' answer, kept
        with this fleet (filled there, on first use)."""
        return {}

    @cached_property
    def newest_agent(self) -> dict[str, tuple[tuple[int, ...], Machine]]:
        """Per pod, the newest Horizon agent (its version key, and a machine that has it)."""
        newest: dict[str, tuple[tuple[int, ...], Machine]] = {}
        for desktop in self.desktops:
            machine = desktop.machine
            if machine is None or not machine.agent_version:
                continue
            key = agent_version_key(machine.agent_version, machine.agent_build)
            if machine.pod not in newest or key > newest[machine.pod][0]:
                newest[machine.pod] = (key, machine)
        return newest


@lru_cache(maxsize=HARDWARE_VERSIONS_KEPT)
def hardware_version_number(text: str | None) -> int | None:
    """``vmx-19`` -> 19; None for anything else (remembered: a fleet has a few versions)."""
    match = _HARDWARE_VERSION.match(text or "")
    return int(match.group(1)) if match else None


def build_number(text: str | None) -> int | None:
    """An ESXi build number as an integer, or None."""
    return int(text) if text and text.strip().isdecimal() else None


@lru_cache(maxsize=AGENT_VERSIONS_KEPT)
def agent_version_key(version: str, build: str | None = None) -> tuple[int, ...]:
    """``2512.1`` / ``8.17.0`` + build -> a tuple that sorts versions numerically
    (version parts padded to four, so ``2512.10`` equals ``2512.10.0``, then the build)."""
    parts = [int(part) for part in _VERSION_PART.findall(version)][:VERSION_PARTS]
    parts += [0] * (VERSION_PARTS - len(parts))
    return (*parts, build_number(build) or 0)


def describe_age(span: timedelta) -> str:
    """A duration in the largest sensible unit: ``41 days``, ``9 hours``, ``25 minutes``."""
    seconds = span.total_seconds()
    if seconds >= 2 * 86400:
        return f"{int(seconds // 86400)} days"
    if seconds >= 2 * 3600:
        return f"{int(seconds // 3600)} hours"
    return f"{max(int(seconds // 60), 0)} minutes"


@lru_cache(maxsize=LIMITS_KEPT)
def describe_limit(span: timedelta) -> str:
    """A threshold as configured: ``35 days``, ``1 day``, ``8 hours``, ``90 minutes``."""
    seconds = span.total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} seconds"
