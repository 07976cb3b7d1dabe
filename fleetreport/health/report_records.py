"""The report's own copies of the collected records it lists: sources and infrastructure.

Same names and fields as the snapshot's records when they were made, but versioned with the
report: a field the snapshot gains reaches the report only when added here (docs/health-model.md,
"The JSON report's records").
"""

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
    """``ok``, ``failed``, or ``duplicate`` (the same vCenter or pod as an earlier source:
    collected once, under that source)."""
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
    duplicate_of: str | None = None
    """For a ``duplicate`` source, the URL of the source that holds its data."""


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
class HorizonPod:
    """A Horizon pod, reached through one of its Connection Servers."""

    id: str
    """The pod's key in this snapshot: the Connection Server host fleetreport asked."""
    url: str
    """REST API URL."""
    api_versions: dict[str, str] = field(default_factory=dict)
    """Endpoint version used per collection, e.g. ``{"machines": "v10"}``."""
    identity: str | None = None
    """What identifies the pod whichever Connection Server answered (its Connection Servers'
    ids, or the pod id of a Cloud Pod Architecture federation); None when not known."""


@dataclass(frozen=True)
class ServiceStatus:
    """One service of a Connection Server."""

    name: str
    """Service name."""
    status: str
    """Its status, e.g. ``UP``."""


@dataclass(frozen=True)
class ConnectionServer:
    """A Connection Server and its health."""

    pod: str
    """Pod id."""
    id: str
    """Horizon's id."""
    name: str
    """Server name."""
    status: str | None
    """``OK``, ``ERROR``, ..."""
    version: str | None
    """Horizon version."""
    build: str | None
    """Horizon build."""
    certificate_valid: bool | None
    """Horizon's verdict on the TLS certificate."""
    certificate_valid_from: datetime | None
    """Certificate start (UTC)."""
    certificate_valid_to: datetime | None
    """Certificate expiry (UTC)."""
    services: list[ServiceStatus] = field(default_factory=list)
    """Service states."""


@dataclass(frozen=True)
class HorizonVCenter:
    """A vCenter as Horizon sees it (configuration and monitoring)."""

    pod: str
    """Pod id."""
    id: str
    """Horizon's id of the vCenter."""
    name: str
    """Server name."""
    instance_uuid: str | None
    """vCenter instance UUID: the key that joins Horizon to vCenter."""
    version: str | None
    """vCenter version Horizon reports."""
    build: str | None
    """vCenter build Horizon reports."""
    enabled: bool | None
    """Enabled in Horizon."""
    status: str | None
    """Worst connection status from the Connection Servers' monitoring."""


@dataclass(frozen=True)
class Gateway:
    """A Unified Access Gateway or security server."""

    pod: str
    """Pod id."""
    id: str
    """Horizon's id."""
    name: str
    """Gateway name."""
    status: str | None
    """Status."""
    type: str | None
    """``UAG``, ..."""
    version: str | None
    """Version."""
    certificate_valid: bool | None
    """Certificate health."""


@dataclass(frozen=True)
class EventDatabase:
    """A pod's event database."""

    pod: str
    """Pod id."""
    status: str | None
    """``CONNECTED``, ``NOT_CONFIGURED``, ..."""
    server_name: str | None
    """Database server."""
    database_name: str | None
    """Database name."""
