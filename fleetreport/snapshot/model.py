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
    alarms_read: bool | None = None
    """True when the triggered alarms of its VMs, hosts, clusters and datastores were read (an
    object without one has none); False when vCenter refused them; None in a snapshot made
    before fleetreport read alarms. Only with True can an alarm check pass."""
    usage_days: int | None = None
    """The usage window its performance history was asked for (``--usage DAYS``); None when
    usage was not collected."""
    usage_error: str | None = None
    """Why vCenter did not give its performance history (its error); None when it did or when
    it was not asked. Usage checks are unknown for its VMs and hosts then."""


@dataclass(frozen=True)
class Datacenter:
    """A datacenter."""

    vcenter: str
    """Instance UUID of its vCenter."""
    moref: str
    """Managed object id, e.g. ``datacenter-3``."""
    name: str
    """Display name."""
    path: str | None = None
    """Inventory path with the folders above the datacenter (``/Region-East/DC-East``);
    None when not known (older snapshots)."""


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


@dataclass(frozen=True)
class Datastore:
    """A datastore."""

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
    folder_moref: str | None = None
    """Managed object id of its parent folder (``group-v123``); None for a vApp member."""
    vapp: str | None = None
    """Name of the vApp it belongs to (``parentVApp``), if any."""
    config_unset: bool = False
    """True when vCenter returned no ``config``: the VM is inaccessible or orphaned, and its
    name may be its ``.vmx`` path."""
    create_date: datetime | None = None
    """``config.createDate`` (UTC), when vCenter reports it."""
    guest_id_running: str | None = None
    """``guest.guestId``: the guest OS id VMware Tools reports, e.g. ``windows11_64Guest``."""
    datastores: list[str] = field(default_factory=list)
    """Morefs of the datastores its files are on (``datastore``)."""
    consolidation_needed: bool | None = None
    """``runtime.consolidationNeeded``: snapshot disks left behind that need consolidating."""
    ballooned_memory_mb: int | None = None
    """``summary.quickStats.balloonedMemory`` in MiB."""
    swapped_memory_mb: int | None = None
    """``summary.quickStats.swappedMemory`` in MiB."""


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
    server`` for an endpoint the server's version lacks, else the error. A check that needs
    one says "unknown" for this pod."""


@dataclass(frozen=True)
class DesktopPool:
    """A desktop pool or RDS farm (``kind``), or a pool inferred from vCenter."""

    pod: str
    """Pod id (see HorizonPod), or ``inferred``."""
    id: str
    """Horizon's id."""
    kind: str
    """``desktop_pool``, ``farm`` or ``inferred``."""
    name: str
    """Pool name."""
    display_name: str | None
    """Name users see."""
    type: str | None
    """``AUTOMATED``, ``MANUAL`` or ``RDS`` (verbatim, unknown values kept)."""
    source: str | None
    """``INSTANT_CLONE``, ``VIRTUAL_CENTER`` (full clone), ``UNMANAGED``, ..."""
    enabled: bool | None
    """Pool enabled."""
    provisioning_enabled: bool | None
    """Provisioning enabled (automated pools)."""
    user_assignment: str | None
    """``FLOATING`` or ``DEDICATED``."""
    power_policy: str | None
    """``ALWAYS_POWERED_ON``, ``POWER_OFF``, ``SUSPEND`` or ``TAKE_NO_POWER_ACTION``."""
    naming_pattern: str | None
    """Machine naming pattern."""
    min_machines: int | None
    """Minimum number of machines."""
    max_machines: int | None
    """Maximum number of machines."""
    spare_machines: int | None
    """Spare (powered-on, unassigned) machines."""
    vm_folder_path: str | None
    """vCenter folder path of the pool's machines (``/DC/vm/VDI/IC``)."""
    parent_vm_id: str | None
    """Golden image VM moref."""
    parent_vm_path: str | None
    """Golden image VM path."""
    base_snapshot_id: str | None
    """Golden image snapshot moref."""
    base_snapshot_path: str | None
    """Golden image snapshot path (``/2026-10-patch``)."""
    image_state: str | None
    """Current image state (instant clones), e.g. ``READY``."""
    pending_image_state: str | None
    """Pending image push state, e.g. ``PUBLISHING`` or ``FAILED``."""
    pending_image_error: str | None
    """Why a pending image push failed."""
    pending_snapshot_id: str | None
    """Snapshot moref of the image being pushed."""
    last_provisioning_error: str | None
    """Last provisioning error text."""
    last_provisioning_error_time: datetime | None
    """When it happened (UTC)."""
    vcenter_id: str | None
    """Horizon's id of the pool's vCenter."""
    vcenter: str | None
    """Instance UUID of that vCenter, when Horizon told it."""
    golden_image_created: datetime | None = None
    """Creation time of the base snapshot, joined from vCenter; None when not found."""
    machine_count: int | None = None
    """Machines Horizon reports in the pool."""
    farm_id: str | None = None
    """For an RDS desktop pool, the farm behind it."""
    vm_folder_id: str | None = None
    """vCenter folder moref of the pool's machines (all versions; older servers give only
    this, not ``vm_folder_path``)."""
    naming_method: str | None = None
    """``PATTERN`` or ``SPECIFIED`` machine naming."""
    disconnected_session_policy: str | None = None
    """``session_settings.disconnected_session_timeout_policy``: ``IMMEDIATELY``, ``AFTER`` or
    ``NEVER`` (pools and farms)."""
    disconnected_session_timeout_minutes: int | None = None
    """``session_settings.disconnected_session_timeout_minutes`` (with ``AFTER``)."""
    health: str | None = None
    """A farm's status from Horizon monitoring (``OK``, ``WARNING``, ``ERROR``, ``DISABLED``)."""
    missing_applications: list[str] = field(default_factory=list)
    """Applications of a farm that Horizon monitoring reports missing on its RDS hosts."""


@dataclass(frozen=True)
class Machine:
    """A desktop (or RDS host) as Horizon sees it, joined to its vCenter VM."""

    pod: str
    """Pod id, or ``inferred``."""
    id: str
    """Horizon's id (the VM moref for inferred machines)."""
    kind: str
    """``machine``, ``rds_server`` or ``inferred``."""
    name: str
    """Machine name."""
    dns_name: str | None
    """DNS name reported by the agent."""
    pool_id: str | None
    """Desktop pool or farm id."""
    state: str | None
    """Horizon machine state (``AVAILABLE``, ``AGENT_UNREACHABLE``, ...; unknown kept verbatim)."""
    agent_version: str | None
    """Horizon agent version."""
    agent_build: str | None
    """Horizon agent build."""
    operating_system: str | None
    """Horizon's OS value, e.g. ``WINDOWS_11``."""
    user_names: list[str]
    """Assigned users."""
    power_state: str | None
    """Horizon's view of the VM power state (``POWERED_ON``, ...)."""
    operation_state: str | None
    """Current operation state, if any."""
    base_vm_id: str | None
    """Golden image VM moref the machine was built from."""
    base_snapshot_id: str | None
    """Golden image snapshot moref the machine was built from."""
    pending_base_vm_id: str | None
    """Image VM of a push in progress."""
    pending_base_snapshot_id: str | None
    """Image snapshot of a push in progress."""
    create_time: datetime | None
    """When Horizon created the machine (UTC)."""
    missing_in_vcenter: bool | None
    """Horizon says the VM is gone from vCenter."""
    in_maintenance_mode: bool | None
    """Horizon maintenance flag."""
    vcenter_id: str | None
    """Horizon's id of the machine's vCenter."""
    vm_moid: str | None
    """VM moref as Horizon reports it (machines v5 and later)."""
    vm_path: str | None
    """VM path as Horizon reports it."""
    host_name: str | None
    """ESXi host as Horizon reports it."""
    vm_vcenter: str | None
    """Instance UUID of the joined VM's vCenter; None when not joined."""
    vm_moref: str | None
    """Moref of the joined VM; None when not joined."""
    join: str
    """How the VM was found: ``vm_moid``, ``name``, ``dns_name``, ``path``, ``inferred`` or
    ``none``."""
    last_maintenance_time: datetime | None = None
    """When Horizon last refreshed or rebuilt the machine (instant clones), UTC."""
    session_count: int | None = None
    """Sessions on an RDS host (``session_count``)."""
    max_sessions: int | None = None
    """An RDS host's configured session limit (``max_sessions_count_configured``)."""
    max_sessions_type: str | None = None
    """``LIMITED``, ``UNLIMITED`` or ``UNCONFIGURED`` (``max_sessions_type_configured``)."""
    user_ids: list[str] = field(default_factory=list)
    """SIDs of the assigned users (``user_ids``, MachineInfo v1 to v10): what joins an assigned
    user to the audit events' ``user_id``."""


@dataclass(frozen=True)
class Session:
    """A user session."""

    pod: str
    """Pod id."""
    id: str
    """Horizon's id."""
    user_name: str | None
    """``DOMAIN\\user``."""
    machine_id: str | None
    """Machine id; for an RDS desktop or application session, the RDS host's id
    (Horizon's ``rds_server_id``)."""
    pool_id: str | None
    """Desktop pool id."""
    farm_id: str | None
    """Farm id, for RDS sessions."""
    session_type: str | None
    """``DESKTOP`` or ``APPLICATION``."""
    state: str | None
    """``CONNECTED``, ``DISCONNECTED`` or ``PENDING``."""
    protocol: str | None
    """``BLAST``, ``PCOIP``, ``RDP``, ..."""
    start_time: datetime | None
    """Session start (UTC)."""
    disconnected_time: datetime | None
    """When it was disconnected (UTC), if it is."""
    idle_duration_minutes: int | None
    """Idle time as Horizon reports it, in minutes."""


@dataclass(frozen=True)
class ServiceStatus:
    """One service of a Connection Server."""

    name: str
    """Service name."""
    status: str
    """Its status, e.g. ``UP``."""


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
    """Its replication with each other Connection Server of the pod (``cs_replications_v2``,
    or ``cs_replications`` before monitor v4); None when the server did not report it."""


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


@dataclass(frozen=True)
class UnmatchedVm:
    """A VM in a pool's folder that no pool knows."""

    vcenter: str
    """Instance UUID."""
    moref: str
    """VM moref."""
    name: str
    """VM name."""
    pool_id: str
    """The pool whose folder it sits in."""


# --- usage (issue 16): Horizon


@dataclass(frozen=True)
class DesktopUsage:
    """One desktop's sessions over the usage window, from the pod's audit events."""

    pod: str
    """The pod's key (``HorizonPod.id``)."""
    machine_id: str
    """The event's ``machine_id``; its ``machine_dns_name`` when it has no id."""
    machine_name: str | None
    """The machine's DNS name as the events give it (``machine_dns_name``)."""
    pool: str | None
    """The desktop pool's name (``desktop_pool_name``); None when the events name none."""
    logons: int
    """Session logons (``AGENT_CONNECTED``) in the window."""
    last_logon: datetime | None
    """The newest logon in the window (UTC)."""
    last_user_id: str | None
    """The SID (``user_id``) of that logon's user."""


@dataclass(frozen=True)
class PoolDayUsage:
    """One UTC day of one pool."""

    day: str
    """``YYYY-MM-DD`` (UTC)."""
    logons: int
    """Session logons that day."""
    peak_sessions: int | None
    """Most sessions open at once that day, replayed from logons and logoffs in time order (a
    disconnected session still holds its desktop, so it counts until its logoff); None when
    the server did not return the events in time order."""


@dataclass(frozen=True)
class PoolUsage:
    """One pool's sessions over the usage window, per day."""

    pod: str
    """The pod's key."""
    pool: str
    """The pool's name (``desktop_pool_name``)."""
    pool_id: str | None
    """The pool's id in this snapshot, matched by name; None when no pool has that name."""
    logons: int
    """Session logons in the window."""
    peak_sessions: int | None
    """The highest of the days' ``peak_sessions``; None when they are not known."""
    days: list[PoolDayUsage] = field(default_factory=list)
    """Days with a logon or an open session, oldest first; a missing day had neither."""
    sessions_before_window: int = 0
    """Logoffs whose logon came before the window: sessions the peaks cannot count (they
    are lower bounds by at most this many)."""
    sessions_now: int | None = None
    """Connected plus disconnected sessions now (``monitor/v3/desktop-pools/metrics``);
    None when not read (older versions do not count disconnected sessions)."""
    machines_now: int | None = None
    """Machines in the pool now, by the same metrics (``num_machines``)."""


@dataclass(frozen=True)
class UserDesktopUsage:
    """A user's newest logon to a desktop of a dedicated (persistent) pool."""

    pod: str
    """The pod's key."""
    user_id: str
    """The user's SID."""
    machine_id: str
    """As ``DesktopUsage.machine_id``."""
    pool: str | None
    """The pool's name."""
    last_logon: datetime
    """The newest logon of this user to this desktop in the window (UTC)."""


@dataclass(frozen=True)
class HorizonUsage:
    """What a pod's event database says about use over the last ``days`` days."""

    pod: str
    """The pod's key."""
    days: int
    """The window asked for (``--usage DAYS``)."""
    window_start: datetime
    """Oldest event time asked for (UTC), ``window_end`` less ``days`` days."""
    window_end: datetime
    """Newest event time asked for: when the reading began (UTC)."""
    status: str
    """``ok``; or ``skipped`` when the events could not be read (see ``reason``)."""
    reason: str | None = None
    """Why the events were not read: ``event database not configured``, ``not on this
    server`` (no audit-events endpoint), or the error."""
    api_version: str | None = None
    """The ``external/v*/audit-events`` version read."""
    events: int = 0
    """Session events read (logon, logoff, disconnect, reconnect)."""
    pages: int = 0
    """Pages of events read."""
    desktops: list[DesktopUsage] = field(default_factory=list)
    """Desktops with a logon in the window; a desktop absent here had none."""
    pools: list[PoolUsage] = field(default_factory=list)
    """Pools with a session event in the window."""
    dedicated: list[UserDesktopUsage] = field(default_factory=list)
    """Per user and desktop of dedicated pools, the newest logon."""


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
    pods: list[HorizonPod] = field(default_factory=list)
    """Horizon pods that answered."""
    pools: list[DesktopPool] = field(default_factory=list)
    """Desktop pools, RDS farms and inferred pools."""
    machines: list[Machine] = field(default_factory=list)
    """Horizon machines and RDS hosts, each joined to its VM where possible."""
    sessions: list[Session] = field(default_factory=list)
    """User sessions."""
    connection_servers: list[ConnectionServer] = field(default_factory=list)
    """Connection Servers."""
    horizon_vcenters: list[HorizonVCenter] = field(default_factory=list)
    """vCenters as Horizon sees them."""
    gateways: list[Gateway] = field(default_factory=list)
    """Gateways."""
    event_databases: list[EventDatabase] = field(default_factory=list)
    """Event databases, one per pod."""
    unmatched_vms: list[UnmatchedVm] = field(default_factory=list)
    """VMs in a pool's folder that no Horizon machine claims."""
    datastores: list[Datastore] = field(default_factory=list)
    """Datastores of all vCenters."""
    alarms: list[TriggeredAlarm] = field(default_factory=list)
    """Triggered alarms on VMs, hosts, clusters and datastores."""
    ad_domains: list[AdDomain] = field(default_factory=list)
    """AD domains, per pod."""
    saml_authenticators: list[SamlAuthenticator] = field(default_factory=list)
    """SAML authenticators, per pod."""
    true_sso: list[TrueSso] = field(default_factory=list)
    """True SSO connectors, per pod."""
    federation_pods: list[FederationPod] = field(default_factory=list)
    """Cloud Pod Architecture pods, as each pod sees the federation."""
    licenses: list[HorizonLicense] = field(default_factory=list)
    """Licences, one per pod that reported one."""
    vcenter_usage: list[VCenterUsage] = field(default_factory=list)
    """vCenter performance history over the usage window: one summary per VM and host asked
    for (empty unless usage was collected)."""

    horizon_usage: list[HorizonUsage] = field(default_factory=list)
    """Usage evidence per pod from its audit events (``--usage DAYS``); empty when not asked."""


# --- usage (issue 16): vCenter


@dataclass(frozen=True)
class VCenterUsage:
    """One VM's CPU or one host's power draw over the usage window, summarised from vCenter's
    performance history (``PerformanceManager.QueryPerf``, one historical interval)."""

    vcenter: str
    """Instance UUID of its vCenter."""
    moref: str
    """Managed object id of the VM or host, e.g. ``vm-44``."""
    entity_type: str
    """``VirtualMachine`` or ``HostSystem``."""
    name: str
    """Its name as vCenter shows it."""
    status: str
    """``measured`` (samples read), ``no_data`` (vCenter kept no sample in the window, e.g. a
    VM that was off throughout), ``not_collected`` (vCenter does not keep the counter at the
    interval's statistics level, or has no such counter) or ``error`` (the query failed)."""
    counter: str | None
    """The counter read, ``group.name.rollup``: ``cpu.usage.average`` (VMs) or
    ``power.power.average`` (hosts)."""
    interval_seconds: int | None
    """Sampling period of the historical interval read (``PerfInterval.samplingPeriod``):
    86400 for daily rollups, 7200 for two-hour ones."""
    window_start: datetime
    """Start of the window asked for."""
    window_end: datetime
    """End of the window asked for (collection time)."""
    samples: int = 0
    """Samples with a value (vCenter's -1, no value, is not counted)."""
    first_sample: datetime | None = None
    """Time of the oldest sample."""
    last_sample: datetime | None = None
    """Time of the newest sample."""
    cpu_mean_percent: float | None = None
    """VMs: mean CPU usage in percent of the VM's vCPUs (``cpu.usage.average``, hundredths of a
    percent on the wire)."""
    cpu_p95_percent: float | None = None
    """VMs: 95th percentile of CPU usage in percent (nearest rank)."""
    cpu_active_samples: int | None = None
    """VMs: samples whose CPU usage is above ``activity_floor_percent``."""
    activity_floor_percent: float | None = None
    """VMs: the CPU usage a sample must exceed to count as active."""
    power_mean_watts: float | None = None
    """Hosts: mean power draw in watts (``power.power.average``)."""
    power_peak_watts: float | None = None
    """Hosts: the highest sample in watts."""
    note: str | None = None
    """Why there is no summary (for any status but ``measured``)."""
