"""The anonymisation oracle: every customer-identifying string in a snapshot, and where any of
them survives in a bundle. Used by the anonymiser's and the recorder's tests."""

from __future__ import annotations

import io
import ipaddress
import json
import re
import zipfile
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from fleetreport.snapshot.model import Snapshot
from fleetreport.snapshot.roles import CLONE_PREP_FOLDERS, role_by_name

ALLOWED = frozenset({"horizon", "resources", "vm", "test", "base"})
"""Non-identifying vocabulary that names in the demo happen to use: ``Horizon`` (a folder and
a resource pool, but also the source kind ``horizon``), ``Resources`` (vSphere's root resource
pool), ``vm`` (the VM folder in every inventory path), ``test`` (the top-level domain) and
``base`` (a golden image snapshot's name, and part of the keys ``base_vm_id``, ...)."""


def identifiers(snapshot: Snapshot) -> set[str]:
    """Every string in ``snapshot`` that identifies the customer, with the path segments of
    folder paths and the labels of DNS names (longer than 2 characters), minus ALLOWED."""
    found: set[str] = set()

    def add(*values: str | None) -> None:
        found.update(v for v in values if v)

    def dns(value: str | None) -> None:
        add(value)
        if value and not is_address(value):
            for label in value.split("."):
                add(label)

    def path(value: str | None) -> None:
        add(value)
        for segment in (value or "").split("/"):
            add(segment)

    def user(value: str | None) -> None:
        add(value)
        for part in re.split(r"[\\@]", value or ""):
            dns(part)

    def url(value: str | None) -> None:
        add(value)
        dns(urlsplit(value or "").hostname)

    def pattern(value: str | None) -> None:
        add(value)
        for literal in re.split(r"\{[^}]*\}", value or ""):
            add(literal)

    for source in snapshot.sources:
        url(source.url)
        add(source.error, source.instance_uuid)
    for vcenter in snapshot.vcenters:
        add(vcenter.instance_uuid)
        dns(vcenter.name)
        url(vcenter.url)
    for datacenter in snapshot.datacenters:
        add(datacenter.vcenter, datacenter.name)
    for cluster in snapshot.clusters:
        add(cluster.vcenter, cluster.name, cluster.datacenter)
    for host in snapshot.hosts:
        add(host.vcenter, host.datacenter, host.cluster)
        dns(host.name)
    for vm in snapshot.vms:
        add(vm.vcenter, vm.name, vm.instance_uuid, vm.bios_uuid, vm.datacenter, vm.cluster)
        add(vm.resource_pool, vm.ip_address, vm.annotation)
        dns(vm.host)
        dns(vm.guest_hostname)
        path(vm.folder)
        add(*vm.custom_attributes, *vm.custom_attributes.values())
        for snapshot_node in vm.snapshots:
            add(snapshot_node.name, snapshot_node.description)
            path(snapshot_node.path)
    for pod in snapshot.pods:
        dns(pod.id)
        url(pod.url)
    for pool in snapshot.pools:
        add(pool.id, pool.name, pool.display_name, pool.vcenter_id, pool.vcenter, pool.farm_id)
        add(pool.pending_image_error, pool.last_provisioning_error)
        pattern(pool.naming_pattern)
        for value in (pool.vm_folder_path, pool.parent_vm_path, pool.base_snapshot_path):
            path(value)
    for machine in snapshot.machines:
        add(machine.id, machine.name, machine.pool_id, machine.vcenter_id, machine.vm_vcenter)
        dns(machine.dns_name)
        dns(machine.host_name)
        path(machine.vm_path)
        for name in machine.user_names:
            user(name)
    for session in snapshot.sessions:
        add(session.id, session.machine_id, session.pool_id, session.farm_id)
        user(session.user_name)
    for server in snapshot.connection_servers:
        add(server.id)
        dns(server.name)
    for vcenter in snapshot.horizon_vcenters:
        add(vcenter.id, vcenter.instance_uuid)
        dns(vcenter.name)
    for gateway in snapshot.gateways:
        add(gateway.id)
        dns(gateway.name)
    for database in snapshot.event_databases:
        dns(database.server_name)
        add(database.database_name)
    for stray in snapshot.unmatched_vms:
        add(stray.vcenter, stray.name, stray.pool_id)
    # names Horizon and vSphere generate for their own VMs and folders identify nobody
    generated = {v for v in found if v in {*CLONE_PREP_FOLDERS, "vCLS"} or role_by_name(v)}
    return {v for v in found if len(v) > 2 and v.casefold() not in ALLOWED} - generated


def is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def haystacks(bundle: bytes) -> dict[str, str]:
    """Where an original may not appear: what the zip file says in clear (member names,
    comments, extra fields; its compressed data is noise that matches short names by chance),
    each member's raw bytes, and each member's text with JSON escapes undone (every string
    value and key, one per line)."""
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        infos = archive.infolist()
        clear = [archive.comment] + [i.filename.encode() + i.comment + i.extra for i in infos]
        places = {"the zip file": b"\n".join(clear).decode("latin-1")}
        for member in archive.namelist():
            raw = archive.read(member)
            places[member] = raw.decode("utf-8")
            places[f"{member} (unescaped)"] = "\n".join(strings(json.loads(raw)))
    return {where: text.casefold() for where, text in places.items()}


def strings(value: Any) -> Iterable[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def survivors(originals: Iterable[str], bundle: bytes) -> list[tuple[str, str]]:
    """(original, where) for every original found in the bundle, case-insensitively."""
    places = haystacks(bundle)
    return [
        (original[:80], where)
        for original in sorted(originals)
        for where, text in places.items()
        if original.casefold() in text
    ]
