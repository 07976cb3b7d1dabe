"""Read and write snapshot files: JSON, versioned, sorted, checked on load."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from fleetreport.atomic_write import write_atomically
from fleetreport.errors import InputFileError
from fleetreport.ordering import natural_key
from fleetreport.snapshot.codec import DecodeError, decode, to_json_bytes, to_json_text
from fleetreport.snapshot.fast_decode import fast_decode
from fleetreport.snapshot.model import Snapshot

T = TypeVar("T")

SCHEMA_VERSION = 2
"""The snapshot format this fleetreport writes, and the newest it reads. 2 added the usage
evidence (``horizon_usage``, ``vcenter_usage``); every version from 1 loads (what a version
lacks takes its default)."""


def sorted_snapshot(snapshot: Snapshot) -> Snapshot:
    """The same snapshot with every list in its canonical order."""

    def by_vcenter_and_moref(item: Any) -> tuple[str, Any]:
        return (item.vcenter, natural_key(item.moref))

    def by_pod_and_id(item: Any) -> tuple[str, Any]:
        return (item.pod, natural_key(item.id))

    return dataclasses.replace(
        snapshot,
        sources=sorted(snapshot.sources, key=lambda s: (s.kind, s.url)),
        vcenters=sorted(snapshot.vcenters, key=lambda v: v.instance_uuid),
        datacenters=in_order(snapshot.datacenters, by_vcenter_and_moref),
        clusters=in_order(snapshot.clusters, by_vcenter_and_moref),
        hosts=in_order(snapshot.hosts, by_vcenter_and_moref),
        vms=in_order(snapshot.vms, by_vcenter_and_moref),
        pods=sorted(snapshot.pods, key=lambda p: p.id),
        pools=in_order(snapshot.pools, by_pod_and_id),
        machines=in_order(snapshot.machines, by_pod_and_id),
        sessions=in_order(snapshot.sessions, by_pod_and_id),
        connection_servers=in_order(snapshot.connection_servers, by_pod_and_id),
        horizon_vcenters=in_order(snapshot.horizon_vcenters, by_pod_and_id),
        gateways=in_order(snapshot.gateways, by_pod_and_id),
        event_databases=sorted(snapshot.event_databases, key=lambda e: e.pod),
        unmatched_vms=in_order(snapshot.unmatched_vms, by_vcenter_and_moref),
        datastores=in_order(snapshot.datastores, by_vcenter_and_moref),
        alarms=sorted(
            snapshot.alarms,
            key=lambda a: (a.vcenter, natural_key(a.entity), natural_key(a.alarm)),
        ),
        ad_domains=in_order(snapshot.ad_domains, by_pod_and_id),
        saml_authenticators=in_order(snapshot.saml_authenticators, by_pod_and_id),
        true_sso=in_order(snapshot.true_sso, by_pod_and_id),
        federation_pods=in_order(snapshot.federation_pods, by_pod_and_id),
        licenses=sorted(snapshot.licenses, key=lambda lic: lic.pod),
        vcenter_usage=in_order(snapshot.vcenter_usage, by_vcenter_and_moref),
        horizon_usage=sorted(snapshot.horizon_usage, key=lambda u: u.pod),
    )


def in_order(items: Sequence[T], key: Callable[[T], Any]) -> list[T]:
    """``sorted(items, key=key)``, the same list; items that arrive in order (the simulator's
    VMs do) are copied without a key per item held while sorting (2-3 MB for 10,000 VMs).

    A list where no key is below the one before is one ascending run to ``sorted()`` (it asks
    only ``<``, as here) and comes back in the same order; anything else is sorted."""
    previous: Any = None
    for position, item in enumerate(items):
        current = key(item)
        if position and current < previous:
            return sorted(items, key=key)
        previous = current
    return list(items)


def snapshot_to_json(snapshot: Snapshot) -> str:
    """The file's text: canonical order, one key order, UTF-8 kept readable."""
    return to_json_text(sorted_snapshot(snapshot))


def snapshot_bytes(snapshot: Snapshot) -> bytes:
    """:func:`snapshot_to_json` as the UTF-8 bytes of the file."""
    return to_json_bytes(sorted_snapshot(snapshot))


def save_snapshot(snapshot: Snapshot, path: Path) -> None:
    """Write the snapshot atomically."""
    write_atomically(path, snapshot_bytes(snapshot))


def load_snapshot(path: Path) -> Snapshot:
    """Read and check a snapshot file; any problem is one InputFileError line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"snapshot {path} does not exist") from None
    except IsADirectoryError:
        raise InputFileError(f"snapshot {path} is a folder, not a file") from None
    except OSError as error:
        raise InputFileError(f"cannot read snapshot {path}: {error.strerror or error}") from error
    return parse_snapshot(raw, str(path))


def parse_snapshot(raw: bytes, name: str) -> Snapshot:
    """Parse snapshot bytes; ``name`` is used in messages. A well-formed file takes the fast
    path (:mod:`fleetreport.snapshot.fast_decode`); anything else the exact decoder, which
    names the problem."""
    fast = fast_decode(Snapshot, raw)
    if fast is not None and 1 <= fast.schema_version <= SCHEMA_VERSION:
        return fast
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputFileError(
            f"{name} is not a fleetreport snapshot (not UTF-8 text)",
            hint="give the JSON file that 'fleetreport collect' wrote",
        ) from None
    except json.JSONDecodeError as error:
        ending = " (the file ends early: truncated?)" if error.pos >= len(raw.rstrip()) else ""
        raise InputFileError(
            f"{name} is not valid JSON at line {error.lineno} column {error.colno}{ending}",
            hint="collect again, or restore the file from where it was copied",
        ) from None
    except (RecursionError, ValueError):  # nesting or a number past the parser's limits
        raise InputFileError(
            f"{name} is not a fleetreport snapshot (JSON past the parser's limits)",
            hint="give the JSON file that 'fleetreport collect' wrote",
        ) from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise InputFileError(
            f"{name} is not a fleetreport snapshot (no schema_version)",
            hint="give the JSON file that 'fleetreport collect' wrote",
        )
    version = data["schema_version"]
    if type(version) is not int or version < 1:
        raise InputFileError(f"{name} has an invalid schema_version {version!r}")
    if version > SCHEMA_VERSION:
        raise InputFileError(
            f"{name} uses snapshot schema {version}, newer than this fleetreport reads"
            f" (up to {SCHEMA_VERSION})",
            hint="upgrade fleetreport",
        )
    try:
        return decode(Snapshot, data)
    except DecodeError as error:
        raise InputFileError(
            f"{name} is not a valid snapshot: {error}",
            hint="was it edited by hand? collect again",
        ) from None
