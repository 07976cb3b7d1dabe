"""The snapshot: what was collected, as plain typed data and as a JSON file on disk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fleetreport.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from fleetreport.snapshot.model import (
        Cluster,
        Datacenter,
        Host,
        Snapshot,
        Source,
        VCenter,
        VirtualMachine,
        VmSnapshot,
    )
    from fleetreport.snapshot.store import SCHEMA_VERSION, load_snapshot, save_snapshot

__all__ = [
    "SCHEMA_VERSION",
    "Cluster",
    "Datacenter",
    "Host",
    "Snapshot",
    "Source",
    "VCenter",
    "VirtualMachine",
    "VmSnapshot",
    "load_snapshot",
    "save_snapshot",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "Cluster": "fleetreport.snapshot.model",
        "Datacenter": "fleetreport.snapshot.model",
        "Host": "fleetreport.snapshot.model",
        "Snapshot": "fleetreport.snapshot.model",
        "Source": "fleetreport.snapshot.model",
        "VCenter": "fleetreport.snapshot.model",
        "VirtualMachine": "fleetreport.snapshot.model",
        "VmSnapshot": "fleetreport.snapshot.model",
        "SCHEMA_VERSION": "fleetreport.snapshot.store",
        "load_snapshot": "fleetreport.snapshot.store",
        "save_snapshot": "fleetreport.snapshot.store",
    },
)
