"""Typed records of a snapshot. vSphere enum values are kept verbatim, unknown ones included."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Source:
    """One server that was asked for data, and how that went."""

    kind: str
    """``vcenter`` or ``horizon``."""
    url: str
    """The endpoint URL (never with credentials)."""
    status: str
    """``ok`` or ``failed``."""
    started_at: datetime
    """When collection from this source began (UTC)."""
    finished_at: datetime
    """When it ended (UTC)."""
    tls_verified: bool
    """False when the user turned certificate verification off."""
    error: str | None = None
    """One-line reason when ``status`` is ``failed``."""
    round_trips: int = 0
    """HTTP requests made to this source."""
    objects: int = 0
    """Objects read (VMs, hosts, clusters, ...)."""
    instance_uuid: str | None = None
    """The vCenter's ``about.instanceUuid`` (vCenter sources)."""
    api_versions: dict[str, str] = field(default_factory=dict)
    """API versions used, by interface (e.g. ``vim25``, ``machines``)."""


@dataclass(frozen=True)
class VCenter:
    """A vCenter Server that was collected."""

    instance_uuid: str
    """``about.instanceUuid``: the key every VM and host refers to."""
    name: str
    """Host name the vCenter was reached at."""
    url: str
    """SDK URL."""
    version: str
    """``about.version``, e.g. ``8.0.3``."""
    build: str
    """``about.build``."""
    full_name: str
    """``about.fullName``."""
    api_version: str
    """``about.apiVersion``."""


@dataclass(frozen=True)
class Datacenter:
    """A datacenter."""

    vcenter: str
    """Instance UUID of its vCenter."""
    moref: str
    """Managed object id, e.g. ``datacenter-3``."""
    name: str
    """Display name."""


@dataclass(frozen=True)
class Cluster:
    """A compute cluster."""

    vcenter: str
    """Instance UUID of its vCenter."""
    moref: str
    """Managed object id, e.g. ``domain-c8``."""
    name: str
    """Display name."""
    datacenter: str | None
    """Name of its datacenter."""


@dataclass(frozen=True)
class Host:
    """An ESXi host."""

    vcenter: str
    """Instance UUID of its vCenter."""
    moref: str
    """Managed object id, e.g. ``host-21``."""
    name: str
    """Host name as vCenter shows it."""
    datacenter: str | None
    """Name of its datacenter."""
    cluster: str | None
    """Name of its cluster; None for a standalone host."""
    version: str | None
    """ESXi version, e.g. ``7.0.3``."""
    build: str | None
    """ESXi build number, e.g. ``21424296``."""
    connection_state: str | None
    """``connected``, ``disconnected`` or ``notResponding``."""
    in_maintenance_mode: bool | None
    """True while in maintenance mode."""
    power_state: str | None
    """``poweredOn``, ``poweredOff``, ``standBy`` or ``unknown``."""


@dataclass(frozen=True)
class VmSnapshot:
    """One node of a VM's snapshot tree, flattened in depth-first order."""

    moref: str
    """Managed object id of the snapshot, e.g. ``snapshot-7``."""
    name: str
    """Snapshot name."""
    created: datetime | None
    """Creation time (UTC)."""
    depth: int
    """0 for a root snapshot, 1 for its children, ..."""
    path: str
    """Names from the root, e.g. ``/base/patched`` (Horizon's snapshot path form)."""
    description: str = ""
    """Free text."""


@dataclass(frozen=True)
class VirtualMachine:
    """A virtual machine (desktops, RDS hosts, templates and everything else)."""

    vcenter: str
    """Instance UUID of its vCenter."""
    moref: str
    """Managed object id, e.g. ``vm-123``."""
    name: str
    """Display name."""
    instance_uuid: str | None
    """``config.instanceUuid``."""
    bios_uuid: str | None
    """``config.uuid``."""
    datacenter: str | None
    """Name of its datacenter."""
    cluster: str | None
    """Name of the cluster of its host."""
    host: str | None
    """Name of the host it is registered on."""
    resource_pool: str | None
    """Name of its resource pool (``Resources`` is a cluster's root pool)."""
    folder: str | None
    """Folder path below the datacenter's VM folder, e.g. ``Desktops/Finance``."""
    power_state: str | None
    """``poweredOn``, ``poweredOff`` or ``suspended``."""
    connection_state: str | None
    """``connected``, ``disconnected``, ``orphaned``, ``inaccessible`` or ``invalid``."""
    template: bool
    """True for a template: inventory, never a desktop."""
    guest_id: str | None
    """Configured guest OS id, e.g. ``windows9_64Guest``."""
    guest_os_configured: str | None
    """``config.guestFullName``."""
    guest_os_running: str | None
    """``guest.guestFullName`` as reported by VMware Tools."""
    guest_hostname: str | None
    """``guest.hostName``."""
    ip_address: str | None
    """``guest.ipAddress``."""
    tools_status: str | None
    """``guest.toolsStatus`` (deprecated by vSphere, kept for older hosts)."""
    tools_version_status: str | None
    """``guest.toolsVersionStatus2``, e.g. ``guestToolsCurrent``."""
    tools_running_status: str | None
    """``guest.toolsRunningStatus``."""
    tools_version: str | None
    """``guest.toolsVersion`` (an integer as text, e.g. ``12352``)."""
    hardware_version: str | None
    """``config.version``, e.g. ``vmx-19``."""
    boot_time: datetime | None
    """``runtime.bootTime`` (UTC); None when powered off or unknown."""
    num_cpu: int | None
    """Virtual CPUs."""
    memory_mb: int | None
    """Memory in MiB."""
    annotation: str
    """``config.annotation`` (free text)."""
    custom_attributes: dict[str, str] = field(default_factory=dict)
    """Custom attribute values by attribute name."""
    snapshots: list[VmSnapshot] = field(default_factory=list)
    """The whole snapshot tree, depth-first."""


@dataclass(frozen=True)
class Snapshot:
    """Everything one collection found. Lists are sorted by their ids."""

    schema_version: int
    """Version of this file format."""
    generator: str
    """``fleetreport X.Y.Z``."""
    collected_at: datetime
    """When the collection finished (UTC)."""
    sources: list[Source]
    """Every server asked, including failed ones."""
    vcenters: list[VCenter] = field(default_factory=list)
    """vCenters that answered."""
    datacenters: list[Datacenter] = field(default_factory=list)
    """Datacenters of all vCenters."""
    clusters: list[Cluster] = field(default_factory=list)
    """Clusters of all vCenters."""
    hosts: list[Host] = field(default_factory=list)
    """ESXi hosts of all vCenters."""
    vms: list[VirtualMachine] = field(default_factory=list)
    """Virtual machines of all vCenters, templates included."""
