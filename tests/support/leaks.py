"""The anonymisation oracle: every customer-identifying string in a snapshot, and where any of
them survives in a bundle. Used by the anonymiser's and the recorder's tests.

Provisioning and source errors are listed whole (they always name something). The other error
texts and a sensor's words (a replication message, "not on this server", a sensor's summary)
may name nothing and then rightly survive whole: the anonymiser keeps their words and replaces
the names in them, so the oracle lists those names (found elsewhere in the snapshot), not the
texts. Alarm names
vCenter defines itself are product text, not identifiers. :func:`marked_snapshot` builds a
snapshot with every record and a distinct marker in every text field, for the field audit."""

from __future__ import annotations

import io
import ipaddress
import json
import re
import types
import typing
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fleetreport.record.vsphere_alarms import is_preconfigured, vsan_health_test
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
    for pool in snapshot.pools:
        add(*pool.missing_applications)
    for server in snapshot.connection_servers:
        for replication in server.replications or []:
            dns(replication.server_name)
    for datastore in snapshot.datastores:
        add(datastore.vcenter, datastore.name, datastore.datacenter)
    for alarm in snapshot.alarms:
        add(alarm.vcenter)
        if alarm.name and not is_preconfigured(alarm.name) and not vsan_health_test(alarm.name):
            add(alarm.name)
    for domain in snapshot.ad_domains:
        dns(domain.pod)
        dns(domain.dns_name)
        add(domain.id, domain.netbios_name)
        for link in domain.links:
            dns(link.server)
        for account in domain.service_accounts:
            user(account.user_name)
    for saml in snapshot.saml_authenticators:
        dns(saml.pod)
        add(saml.id)
        dns(saml.label)
        for link in saml.links:
            dns(link.server)
    for connector in snapshot.true_sso:
        dns(connector.pod)
        add(connector.id)
        dns(connector.name)
    for federated in snapshot.federation_pods:
        dns(federated.pod)
        add(federated.id, federated.name, federated.site)
        for endpoint in federated.endpoints:
            dns(endpoint.name)
            url(endpoint.url)
    for licence in snapshot.licenses:
        dns(licence.pod)
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


MARKED_AT = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def marked_snapshot(marker: Callable[[str], str]) -> Snapshot:
    """A snapshot with one of every record (two of every list) in which each text field holds
    ``marker("Class.field")`` (dictionaries: key and value), whatever the model grows."""
    value = _marked(Snapshot, marker)
    assert isinstance(value, Snapshot)
    return value


def _marked(kind: Any, marker: Callable[[str], str], where: str = "") -> Any:
    origin = typing.get_origin(kind)
    arguments = typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        return _marked(next(a for a in arguments if a is not type(None)), marker, where)
    if origin is list:
        return [_marked(arguments[0], marker, f"{where}[{n}]") for n in (1, 2)]
    if origin is dict:
        return {marker(f"{where}.key"): marker(where)}
    if is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind)
        return kind(
            **{
                f.name: _marked(hints[f.name], marker, f"{kind.__name__}.{f.name}")
                for f in fields(kind)
            }
        )
    if kind is str:
        return marker(where)
    if kind is bool:
        return True
    if kind is int:
        return 1  # a valid schema_version too
    if kind is float:
        return 7.5
    if kind is datetime:
        return MARKED_AT
    raise TypeError(f"{where}: no marked value for {kind!r}")
