"""The names of vCenter's preconfigured alarms: product text, kept by the anonymiser.

A triggered alarm's name is either one vCenter defined itself (the same words in every
vCenter, so they name nobody) or one an administrator wrote, which may carry the customer's
words. The anonymiser keeps the first kind, so an anonymised bundle still says *which* alarm
fired, and replaces the second. The list is the preconfigured alarms of vCenter 6.7 to 8
(VMware, "Preconfigured vSphere alarms", vSphere Monitoring and Performance; the same names
are tabled in IBM Cloud's "VMware Solutions: Alarms" operations guide). vSAN names each of
its health alarms ``vSAN health alarm '<health test>'``: the anonymiser keeps that prefix and
treats the rest as an error text.
"""

from __future__ import annotations

PRECONFIGURED_ALARMS = frozenset(
    name.casefold()
    for name in (
        # hosts
        "Host connection and power state",
        "Host connection failure",
        "Host CPU usage",
        "Host memory usage",
        "Host error",
        "Host processor status",
        "Host memory status",
        "Host hardware fan status",
        "Host hardware voltage",
        "Host hardware temperature status",
        "Host hardware power status",
        "Host hardware system board status",
        "Host battery status",
        "Status of other host hardware objects",
        "Host storage status",
        "Host IPMI System Event Log status",
        "Host Baseboard Management Controller status",
        "Host virtual flash resource status",
        "Host virtual flash resource usage",
        "ESXi Host Certificate Status",
        "ESXi Host Certificates Update Failure Status",
        "ESXi Host Certificate Verification Failure Status",
        "vSphere vCenter Host Certificate Management Mode",
        "Root Certificate Status",
        "Certificate Status",
        "Health status changed",
        "Health status monitoring",
        "Exit standby error",
        "GPU ECC Uncorrected Memory Alarm",
        "GPU ECC Corrected Memory Alarm",
        "GPU Thermal Condition Alarm",
        "The host license edition is not compatible with the vCenter Server license edition",
        "Host flash capacity exceeds the licensed limit for vSAN",
        "Errors occurred on the disks of a vSAN host",
        # virtual machines
        "Virtual machine CPU usage",
        "Virtual machine memory usage",
        "Virtual machine CPU ready",
        "Virtual machine total disk latency",
        "Virtual machine disk commands canceled",
        "Virtual machine disk reset",
        "Virtual machine error",
        "Virtual machine Consolidation Needed status",
        "Virtual machine network adapter reservation status",
        "Virtual machine Fault Tolerance state changed",
        "Virtual Machine Fault Tolerance vLockStep interval Status Changed",
        "Timed out starting Secondary VM",
        "No compatible host for Secondary VM",
        "VM storage compliance alarm",
        "Migration error",
        # clusters and HA
        "Insufficient vSphere HA failover resources",
        "vSphere HA failover in progress",
        "Cannot find vSphere HA master agent",
        "Cannot find vSphere HA primary agent",
        "vSphere HA host status",
        "vSphere HA virtual machine failover failed",
        "vSphere HA virtual machine monitoring action",
        "vSphere HA virtual machine monitoring error",
        "vSphere HA VM Component Protection could not power off a virtual machine",
        "Storage DRS recommendation",
        "Storage DRS is not supported on a host",
        # datastores and storage
        "Datastore usage on disk",
        "Datastore cluster is out of space",
        "Datastore is in multiple datacenters",
        "Datastore capability alarm",
        "Datastore compliance alarm",
        "Thin-provisioned volume capacity threshold exceeded",
        "Unmanaged workload detected on SIOC-enabled datastore",
        "Cannot connect to storage",
        "VASA provider disconnected",
        "VASA Provider certificate expiration alarm",
        "Refreshing CA certificates and CRLs for a VASA provider failed",
        "Registration/unregistration of a VASA vendor provider on a vSAN host fails",
        "Registration/unregistration of third-party IO filter storage providers fails on a host",
        # networking
        "Network connectivity lost",
        "Network uplink redundancy lost",
        "Network uplink redundancy degraded",
        "VMKernel NIC not configured correctly",
        "vSphere Distributed Switch VLAN trunked status",
        "vSphere Distributed Switch MTU matched status",
        "vSphere Distributed Switch MTU supported status",
        "vSphere Distributed Switch teaming matched status",
        # licences
        "License inventory monitoring",
        "License user threshold monitoring",
        "License capacity monitoring",
        "License error",
        "Expired vSAN license",
        "Expired vSAN time-limited license",
        "vSAN hardware compatibility issues",
        # vCenter's own services
        "Service Control Agent Health Alarm",
        "Identity Health Alarm",
        "vSphere Web Client Health Alarm",
        "ESX Agent Manager Health Alarm",
        "Message Bus Config Health Alarm",
        "Cis License Health Alarm",
        "Inventory Health Alarm",
        "vCenter Server Health Alarm",
        "Database Health Alarm",
        "Data Service Health Alarm",
        "RBD Health Alarm",
        "vService Manager Health Alarm",
        "Performance Charts Service Health Alarm",
        "Content Library Service Health Alarm",
        "Transfer Service Health Alarm",
        "VMware vSphere ESXi Dump Collector Health Alarm",
        "VMware vAPI Endpoint Service Health Alarm",
        "VMware System and Hardware Health Manager Service Health Alarm",
        "VMware vSphere Profile-Driven Storage Service Health Alarm",
        "VMware vFabric Postgres Service Health Alarm",
    )
)
"""vCenter's preconfigured alarm names, case-folded."""

VSAN_HEALTH_PREFIX = "vsan health alarm "
"""How vSAN names each of its health alarms (case-folded)."""


def is_preconfigured(name: str) -> bool:
    """True when ``name`` is one vCenter gave an alarm it defined itself."""
    return name.casefold() in PRECONFIGURED_ALARMS


def vsan_health_test(name: str) -> tuple[str, str] | None:
    """``(prefix, health test)`` of a vSAN health alarm's name, else None."""
    if name.casefold().startswith(VSAN_HEALTH_PREFIX) and len(name) > len(VSAN_HEALTH_PREFIX):
        return name[: len(VSAN_HEALTH_PREFIX)], name[len(VSAN_HEALTH_PREFIX) :]
    return None
