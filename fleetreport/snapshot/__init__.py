"""The snapshot: what was collected, as plain typed data and as a JSON file on disk."""

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
