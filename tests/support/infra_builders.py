"""A fleet with every infrastructure record the report lists: clusters, datastores, alarms,
host load and sensors, and the Horizon components (replication, certificates, AD, SAML, True
SSO, Cloud Pod Architecture, licence). Figures are round so that tests can state exact cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from fleetreport.snapshot.model import (
    AdDomain,
    Cluster,
    ComponentLink,
    Datastore,
    EventDatabase,
    FederationPod,
    Gateway,
    HorizonLicense,
    HorizonPod,
    HorizonVCenter,
    HostSensor,
    PodEndpoint,
    Replication,
    SamlAuthenticator,
    ServiceAccount,
    Snapshot,
    TriggeredAlarm,
    TrueSso,
)
from support.fleet_builders import (
    HZ_VCENTER_ID,
    IMAGE_VM,
    NOW,
    POD,
    connection_server,
    desktops,
    fleet_snapshot,
    host,
    vm,
)
from support.snapshots import VC_UUID

GIB = 1024**3
DS_VDI = "datastore-11"
DS_NFS = "datastore-12"


def cluster(name: str, moref: str, **overrides: Any) -> Cluster:
    """A cluster of datacenter DC with HA and DRS on, two hosts both in use."""
    values: dict[str, Any] = dict(
        vcenter=VC_UUID,
        moref=moref,
        name=name,
        datacenter="DC",
        ha_enabled=True,
        ha_admission_control=True,
        drs_enabled=True,
        drs_behavior="fullyAutomated",
        hosts=2,
        effective_hosts=2,
        cpu_capacity_mhz=192_000,
        effective_cpu_mhz=192_000,
        memory_capacity_mb=1_048_576,
        effective_memory_mb=1_048_576,
    )
    values.update(overrides)
    return Cluster(**values)


def datastore(name: str, moref: str, **overrides: Any) -> Datastore:
    """An accessible 2 TiB VMFS datastore of DC with 1 TiB free."""
    values: dict[str, Any] = dict(
        vcenter=VC_UUID,
        moref=moref,
        name=name,
        datacenter="DC",
        type="VMFS",
        capacity_bytes=2048 * GIB,
        free_bytes=1024 * GIB,
        accessible=True,
        maintenance_mode="normal",
    )
    values.update(overrides)
    return Datastore(**values)


def alarm(entity_type: str, entity: str, name: str | None, status: str, **overrides: Any) -> Any:
    """A triggered alarm an hour old."""
    values: dict[str, Any] = dict(
        vcenter=VC_UUID,
        entity_type=entity_type,
        entity=entity,
        alarm=f"alarm-on-{entity}",
        name=name,
        status=status,
        time=NOW - timedelta(hours=1),
        acknowledged=False,
    )
    values.update(overrides)
    return TriggeredAlarm(**values)


def infra_snapshot() -> Snapshot:
    """Two desktops and a golden image on ``ds-vdi-01``; one of everything the report lists.

    - clusters C1 (HA, DRS fully automated, 1 of 2 hosts in use) and C2 (no HA, no DRS, no
      figures); host esx1 in C1 uses half its CPU and a quarter of its memory and has a red fan;
      esx2 in C1 reported neither load nor sensors.
    - ds-vdi-01 (VMFS, 2,048 GB, 205 GB free = 10%) holds desk-1, desk-2, the golden image and
      an instant-clone replica; ds-nfs-02 (NFS 4.1) is not accessible and in maintenance.
    - alarms: red on esx1, yellow on ds-vdi-01, yellow on desk-1 (acknowledged), and a gray one
      without a name on an object not in the snapshot.
    - Connection Servers cs1 (replicates OK with cs2, default certificate) and cs2 (replication
      not reported); gateway uag1 (internal, certificate 20 days left, a problem, a service
      error); the vCenter link's certificate expires in 200 days; the event database is down.
    - AD domain corp.example.test (one server cannot reach it), SAML authenticator wsa (required),
      True SSO connector with a problem, a CPA pod with one endpoint offline, and a
      subscription licence.
    """
    desk_vms = [
        vm("desk-1", "vm-1", datastores=[DS_VDI]),
        vm("desk-2", "vm-2", datastores=[DS_VDI]),
    ]
    image = vm("gold-win11", IMAGE_VM, datastores=[DS_VDI], folder="Gold", power_state="poweredOff")
    replica = vm(
        "cp-replica-0c8f1d2e", "vm-950", datastores=[DS_VDI], folder="ClonePrepReplicaVmFolder"
    )
    vms, machines = desktops(*desk_vms)
    servers = [
        connection_server(
            "cs1",
            default_certificate=True,
            replications=[Replication("cs2", "OK")],
        ),
        connection_server("cs2", default_certificate=False, replications=None),
    ]
    hosts = [
        host(
            "esx1.example.test",
            "host-9",
            cpu_usage_mhz=48_000,
            cpu_capacity_mhz=96_000,
            memory_usage_mb=131_072,
            memory_capacity_mb=524_288,
            sensors_reported=True,
            sensor_alerts=[HostSensor("Fan 3", "fan", "red", "Fan failed")],
        ),
        host("esx2.example.test", "host-10", in_maintenance_mode=True),
    ]
    snapshot = fleet_snapshot([*vms, image, replica], machines, connection_servers=servers)
    return replace(
        snapshot,
        hosts=hosts,
        clusters=[
            cluster("C1", "domain-c7", effective_hosts=1),
            cluster(
                "C2",
                "domain-c8",
                ha_enabled=False,
                ha_admission_control=None,
                drs_enabled=False,
                drs_behavior=None,
                hosts=None,
                effective_hosts=None,
                cpu_capacity_mhz=None,
                effective_cpu_mhz=None,
                memory_capacity_mb=None,
                effective_memory_mb=None,
            ),
        ],
        datastores=[
            datastore("ds-vdi-01", DS_VDI, free_bytes=round(204.8 * GIB)),
            datastore(
                "ds-nfs-02",
                DS_NFS,
                type="NFS41",
                capacity_bytes=None,
                free_bytes=None,
                accessible=False,
                maintenance_mode="inMaintenance",
            ),
        ],
        alarms=[
            alarm("Datastore", DS_VDI, "Datastore usage on disk", "yellow", alarm="alarm-4"),
            alarm("VirtualMachine", "vm-1", "VM memory usage", "yellow", acknowledged=True),
            alarm("HostSystem", "host-9", "Host hardware fan status", "red", alarm="alarm-2"),
            alarm("VirtualMachine", "vm-404", None, "gray", alarm="alarm-77", time=None),
        ],
        pods=[
            HorizonPod(
                POD, f"https://{POD}/rest", {"machines": "v10"}, None, {"licence": "HTTP 500"}
            )
        ],
        horizon_vcenters=[
            HorizonVCenter(
                POD,
                HZ_VCENTER_ID,
                "vc.example.test",
                VC_UUID,
                "8.0.3",
                "1",
                True,
                "OK",
                certificate_valid=True,
                certificate_valid_to=NOW + timedelta(days=200),
            )
        ],
        gateways=[
            Gateway(
                POD,
                "gw-1",
                "uag1",
                "OK",
                "UAG",
                "2512",
                False,
                certificate_days_left=20,
                certificate_problems=["Certificate expires soon"],
                service_errors=["BLAST: CONNECTION_FAILED"],
                internal=True,
            )
        ],
        event_databases=[
            EventDatabase(POD, "ERROR", "sql1", "events", error="Login failed for user")
        ],
        ad_domains=[
            AdDomain(
                POD,
                "ad-1",
                "corp.example.test",
                "CORP",
                "CONNECTION_SERVER_DOMAIN",
                links=[
                    ComponentLink("cs1", "FULLY_ACCESSIBLE", "OK"),
                    ComponentLink("cs2", "UNCONTACTABLE", "ERROR"),
                ],
                service_accounts=[ServiceAccount("svc-horizon", "ACTIVE")],
            )
        ],
        saml_authenticators=[
            SamlAuthenticator(
                POD,
                "saml-1",
                "wsa",
                "REQUIRE_ALWAYS",
                links=[ComponentLink("cs1", "OK"), ComponentLink("cs2", "ERROR", "metadata")],
            )
        ],
        true_sso=[
            TrueSso(POD, "tsso-1", "corp.example.test", True, "WARN", ["Enrollment server es2"])
        ],
        federation_pods=[
            FederationPod(
                POD,
                "pod-2",
                "Cluster-Rotterdam",
                "Rotterdam",
                endpoints=[
                    PodEndpoint("rcs1", "https://rcs1:443", True, "ONLINE"),
                    PodEndpoint("rcs2", "https://rcs2:443", False, "OFFLINE"),
                ],
            )
        ],
        licenses=[
            HorizonLicense(
                POD,
                True,
                "SUBSCRIPTION",
                "HORIZON_ENTERPRISE_CONCURRENT_USER",
                "CONCURRENT_USER",
                NOW + timedelta(days=45),
                "YELLOW",
                current_concurrent=120,
                highest_concurrent=180,
            )
        ],
    )


def vcenter_only_snapshot() -> Snapshot:
    """The same vSphere estate without any Horizon data."""
    snapshot = infra_snapshot()
    return replace(
        snapshot,
        sources=[s for s in snapshot.sources if s.kind == "vcenter"],
        pods=[],
        pools=[],
        machines=[],
        connection_servers=[],
        horizon_vcenters=[],
        gateways=[],
        event_databases=[],
        ad_domains=[],
        saml_authenticators=[],
        true_sso=[],
        federation_pods=[],
        licenses=[],
    )


def hostile_infra_snapshot(texts: Sequence[str]) -> Snapshot:
    """``infra_snapshot()`` with one record per text in each list the infrastructure section
    shows, that text in every free-text field: datastore, cluster, alarm, sensor, replication
    partner, AD domain, service account, SAML authenticator, True SSO connector and problem,
    CPA pod and endpoint, gateway certificate problem and service error, event database
    error."""
    snapshot = infra_snapshot()
    (server, other) = snapshot.connection_servers
    (gateway,) = snapshot.gateways
    (database,) = snapshot.event_databases
    (esx1, esx2) = snapshot.hosts
    return replace(
        snapshot,
        hosts=[replace(esx1, sensor_alerts=[HostSensor(t, "fan", "red") for t in texts]), esx2],
        clusters=[cluster(t, f"domain-c{i}", datacenter=t) for i, t in enumerate(texts)],
        datastores=[
            datastore(t, f"datastore-{i}", datacenter=t, type=t) for i, t in enumerate(texts)
        ],
        alarms=[
            alarm("Datastore", f"datastore-{i}", t, "red", alarm=f"alarm-{i}")
            for i, t in enumerate(texts)
        ],
        connection_servers=[
            replace(server, replications=[Replication(t, "ERROR", t) for t in texts]),
            other,
        ],
        gateways=[replace(gateway, certificate_problems=list(texts), service_errors=list(texts))],
        event_databases=[replace(database, error=texts[0])],
        ad_domains=[
            AdDomain(
                POD,
                f"ad-{i}",
                t,
                t,
                "NO_TRUST_DOMAIN",
                [ComponentLink(t, "UNCONTACTABLE", t)],
                [ServiceAccount(t, "ERROR")],
            )
            for i, t in enumerate(texts)
        ],
        saml_authenticators=[
            SamlAuthenticator(POD, f"saml-{i}", t, "REQUIRE_ALWAYS", [ComponentLink(t, "ERROR", t)])
            for i, t in enumerate(texts)
        ],
        true_sso=[TrueSso(POD, f"tsso-{i}", t, True, "ERROR", [t]) for i, t in enumerate(texts)],
        federation_pods=[
            FederationPod(POD, f"pod-{i}", t, t, [PodEndpoint(t, None, True, "OFFLINE")])
            for i, t in enumerate(texts)
        ],
    )
