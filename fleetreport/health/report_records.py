"""The report's own copies of the collected records it lists: sources and infrastructure.

Same names and fields as the snapshot's records when they were made, but versioned with the
report: a field the snapshot gains reaches the report only when added here (docs/health-model.md,
"The JSON report's records"). A few records add figures the report derives from the snapshot
(shares, counts, an alarm's object name); their docstrings say "derived" and ``build.py`` fills
them.
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
    cpu_usage_mhz: int | None = None
    """CPU in use in MHz (``summary.quickStats.overallCpuUsage``)."""
    cpu_capacity_mhz: int | None = None
    """CPU capacity in MHz (``summary.hardware.cpuMhz`` x ``numCpuCores``)."""
    memory_usage_mb: int | None = None
    """Memory in use in MiB (``summary.quickStats.overallMemoryUsage``)."""
    memory_capacity_mb: int | None = None
    """Physical memory in MiB (``summary.hardware.memorySize``, bytes, converted)."""
    sensors_reported: bool | None = None
    """True when the host reported its hardware health (``runtime.healthSystemRuntime``);
    None when it did not (a disconnected host, or no CIM provider)."""
    sensor_alerts: list[HostSensor] = field(default_factory=list)
    """Sensors and hardware components that are not green."""
    cpu_usage_share: float | None = None
    """CPU in use as a share of its capacity, 0..1 (derived; None without both figures)."""
    memory_usage_share: float | None = None
    """Memory in use as a share of its capacity, 0..1 (derived)."""


@dataclass(frozen=True)
class HostSensor:
    """A hardware sensor or component of a host that is not green."""

    name: str
    """Sensor or component name as the host reports it."""
    kind: str
    """Sensor type (``temperature``, ``fan``, ``power``, ...) or component class (``cpu``,
    ``memory``, ``storage``)."""
    health: str
    """``red``, ``yellow`` or ``unknown`` (the ``healthState`` key, verbatim)."""
    summary: str = ""
    """The host's own words about it."""


@dataclass(frozen=True)
class Cluster:
    """A vSphere compute cluster, its HA and DRS settings and its resources."""

    vcenter: str
    """Instance UUID of its vCenter."""
    moref: str
    """Managed object id, e.g. ``domain-c8``."""
    name: str
    """Display name."""
    datacenter: str | None
    """Name of its datacenter."""
    ha_enabled: bool | None = None
    """vSphere HA turned on (``configurationEx.dasConfig.enabled``)."""
    ha_admission_control: bool | None = None
    """HA admission control on (``configurationEx.dasConfig.admissionControlEnabled``)."""
    drs_enabled: bool | None = None
    """DRS turned on (``configurationEx.drsConfig.enabled``)."""
    drs_behavior: str | None = None
    """``manual``, ``partiallyAutomated`` or ``fullyAutomated``
    (``configurationEx.drsConfig.defaultVmBehavior``)."""
    hosts: int | None = None
    """Hosts in the cluster (``summary.numHosts``)."""
    effective_hosts: int | None = None
    """Hosts that can run VMs: connected, not in maintenance (``summary.numEffectiveHosts``)."""
    cpu_capacity_mhz: int | None = None
    """Total CPU of its hosts in MHz (``summary.totalCpu``)."""
    effective_cpu_mhz: int | None = None
    """CPU of its effective hosts in MHz (``summary.effectiveCpu``)."""
    memory_capacity_mb: int | None = None
    """Total memory of its hosts in MiB (``summary.totalMemory``, bytes, converted)."""
    effective_memory_mb: int | None = None
    """Memory of its effective hosts in MiB (``summary.effectiveMemory``)."""
    cpu_usage_mhz: int | None = None
    """CPU its hosts use, summed (derived from the hosts' ``quickStats``; None when a host of
    the cluster did not report it)."""
    memory_usage_mb: int | None = None
    """Memory its hosts use in MiB, summed (derived, as ``cpu_usage_mhz``)."""
    cpu_usage_share: float | None = None
    """``cpu_usage_mhz`` as a share of ``cpu_capacity_mhz``, 0..1 (derived)."""
    memory_usage_share: float | None = None
    """``memory_usage_mb`` as a share of ``memory_capacity_mb``, 0..1 (derived)."""


@dataclass(frozen=True)
class Datastore:
    """A datastore, its space and what lives on it."""

    vcenter: str
    """Instance UUID of its vCenter."""
    moref: str
    """Managed object id, e.g. ``datastore-15``."""
    name: str
    """Display name."""
    datacenter: str | None
    """Name of its datacenter."""
    type: str | None
    """``summary.type``: ``VMFS``, ``NFS``, ``NFS41``, ``vsan``, ``VVOL``, ``PMEM``, verbatim."""
    capacity_bytes: int | None
    """``summary.capacity``."""
    free_bytes: int | None
    """``summary.freeSpace``."""
    accessible: bool | None
    """``summary.accessible``."""
    maintenance_mode: str | None = None
    """``summary.maintenanceMode``: ``normal``, ``enteringMaintenance`` or ``inMaintenance``."""
    free_share: float | None = None
    """Free space as a share of capacity, 0..1 (derived; None without both figures or with
    no capacity)."""
    desktops: int = 0
    """Desktops judged (in scope) with files on it."""
    golden_images: int = 0
    """Golden images (parent VMs of pools and farms) with files on it."""
    internal_vms: int = 0
    """Horizon's and vSphere's own VMs (instant-clone internal VMs, replicas, vCLS) on it."""


@dataclass(frozen=True)
class TriggeredAlarm:
    """A vCenter alarm that is triggered on an object (``triggeredAlarmState``)."""

    vcenter: str
    """Instance UUID of its vCenter."""
    entity_type: str
    """``VirtualMachine``, ``HostSystem``, ``ClusterComputeResource`` or ``Datastore``."""
    entity: str
    """Moref of the object it is triggered on."""
    alarm: str
    """Moref of the alarm definition, e.g. ``alarm-7``."""
    name: str | None
    """The alarm's name (``info.name``); None when it could not be read."""
    status: str
    """``red``, ``yellow``, ``green`` or ``gray``, verbatim."""
    time: datetime | None = None
    """When it was triggered (UTC)."""
    acknowledged: bool | None = None
    """True when someone acknowledged it."""
    entity_name: str | None = None
    """The name of the object it is on (derived from the snapshot's VMs, hosts, clusters and
    datastores; None when the object is not in the snapshot)."""


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
    skipped: dict[str, str] = field(default_factory=dict)
    """Optional collections not read, by key (as in ``api_versions``), and why: ``not on this
    server`` for an endpoint the server's version lacks, else the error."""


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
    default_certificate: bool | None = None
    """True when the server uses the self-signed certificate it installed itself."""
    replications: list[Replication] | None = None
    """Its replication with each other Connection Server of the pod; None when the server did
    not report it."""


@dataclass(frozen=True)
class Replication:
    """A Connection Server's replication with one other member of its pod."""

    server_name: str
    """The other server."""
    status: str | None
    """``OK`` or ``ERROR`` (verbatim)."""
    message: str | None = None
    """Horizon's message, when there is one."""


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
    certificate_valid: bool | None = None
    """Horizon's verdict on the vCenter's certificate (False when any Connection Server
    reports it invalid)."""
    certificate_valid_to: datetime | None = None
    """The vCenter certificate's expiry as the Connection Servers see it (the earliest)."""


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
    certificate_days_left: int | None = None
    """Days before the gateway's certificate expires (``days_before_expiry``)."""
    certificate_problems: list[str] = field(default_factory=list)
    """Why Horizon finds the certificate invalid (``invalid_reasons``)."""
    service_errors: list[str] = field(default_factory=list)
    """Service errors the gateway reports, ``SERVICE: ERROR_CODE``."""
    internal: bool | None = None
    """True for an internal gateway."""


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
    error: str | None = None
    """Horizon's error text when the database is not connected."""


@dataclass(frozen=True)
class ComponentLink:
    """How one Connection Server sees a component (an AD domain, a SAML authenticator)."""

    server: str
    """Connection Server name."""
    status: str | None
    """Status verbatim (``FULLY_ACCESSIBLE``, ``UNCONTACTABLE``, ``OK``, ``ERROR``, ...)."""
    detail: str | None = None
    """A second status (an AD domain's ``connection_status``) or an error message."""


@dataclass(frozen=True)
class ServiceAccount:
    """A service account Horizon uses in an AD domain."""

    user_name: str
    """Account name."""
    status: str | None
    """``ACTIVE``, ``ERROR`` or ``UNKNOWN``."""


@dataclass(frozen=True)
class AdDomain:
    """An Active Directory domain as the pod's Connection Servers see it."""

    pod: str
    """Pod id."""
    id: str
    """Horizon's id."""
    dns_name: str
    """DNS name of the domain."""
    netbios_name: str | None
    """NetBIOS name."""
    domain_type: str | None
    """``CONNECTION_SERVER_DOMAIN`` or ``NO_TRUST_DOMAIN``."""
    links: list[ComponentLink] = field(default_factory=list)
    """Per Connection Server: status and connection status."""
    service_accounts: list[ServiceAccount] = field(default_factory=list)
    """Service accounts (untrusted domains)."""


@dataclass(frozen=True)
class SamlAuthenticator:
    """A SAML authenticator (Workspace ONE Access, ...) configured in the pod."""

    pod: str
    """Pod id."""
    id: str
    """Horizon's id."""
    label: str
    """Its label."""
    trigger_mode: str | None
    """``DISABLED``, ``ENABLE_IF_NO_PASSWORD``, ... (DISABLED: not used)."""
    links: list[ComponentLink] = field(default_factory=list)
    """Per Connection Server: status and error message."""


@dataclass(frozen=True)
class TrueSso:
    """A True SSO connector (one per AD domain)."""

    pod: str
    """Pod id."""
    id: str
    """Horizon's id."""
    name: str
    """Its name, or the AD domain's DNS name."""
    enabled: bool | None
    """Enabled."""
    status: str | None
    """Overall status: ``OK``, ``WARN`` or ``ERROR``."""
    problems: list[str] = field(default_factory=list)
    """What Horizon says is wrong (domain, template, enrollment and certificate servers)."""


@dataclass(frozen=True)
class PodEndpoint:
    """A Cloud Pod Architecture pod endpoint (a Connection Server of a federated pod)."""

    name: str
    """Endpoint name."""
    url: str | None
    """Its URL."""
    enabled: bool | None
    """Enabled."""
    status: str | None
    """``ONLINE``, ``OFFLINE`` or ``UNCHECKED``."""


@dataclass(frozen=True)
class FederationPod:
    """A pod of the Cloud Pod Architecture federation, as one pod's monitoring sees it."""

    pod: str
    """The pod (of this snapshot) that reported it."""
    id: str
    """Horizon's id of the federated pod."""
    name: str
    """Its name."""
    site: str | None
    """Site id."""
    endpoints: list[PodEndpoint] = field(default_factory=list)
    """Its endpoints."""


@dataclass(frozen=True)
class HorizonLicense:
    """A pod's licence and its usage."""

    pod: str
    """Pod id."""
    licensed: bool | None
    """Whether a licence is installed."""
    mode: str | None
    """``DEFAULT``, ``PERPETUAL_ONLY`` or ``SUBSCRIPTION``."""
    edition: str | None
    """``HORIZON_ENTERPRISE_CONCURRENT_USER``, ..."""
    usage_model: str | None
    """``CONCURRENT_USER`` or ``NAMED_USER``."""
    expires: datetime | None
    """Licence expiry (UTC); None when perpetual or not reported."""
    health: str | None
    """``GREEN``, ``YELLOW`` or ``RED``."""
    current_concurrent: int | None = None
    """Concurrent connections now (``current_usage.total_concurrent_connections``)."""
    highest_concurrent: int | None = None
    """Highest concurrent connections (``highest_usage.total_concurrent_connections``)."""
    current_named_users: int | None = None
    """Named users now."""
    highest_named_users: int | None = None
    """Highest named users."""
