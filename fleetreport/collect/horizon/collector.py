"""Read one Horizon pod: every collection, newest version each, into snapshot records."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fleetreport.collect.horizon import api, components, records
from fleetreport.collect.horizon.client import NOT_FOUND, HorizonClient
from fleetreport.errors import SourceError
from fleetreport.snapshot.model import (
    AdDomain,
    ConnectionServer,
    DesktopPool,
    EventDatabase,
    FederationPod,
    Gateway,
    HorizonLicense,
    HorizonPod,
    HorizonUsage,
    HorizonVCenter,
    Machine,
    SamlAuthenticator,
    Session,
    TrueSso,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HorizonInventory:
    """What one pod holds, before the join with vCenter."""

    pod: HorizonPod
    pools: list[DesktopPool] = field(default_factory=list)
    machines: list[Machine] = field(default_factory=list)
    sessions: list[Session] = field(default_factory=list)
    connection_servers: list[ConnectionServer] = field(default_factory=list)
    vcenters: list[HorizonVCenter] = field(default_factory=list)
    gateways: list[Gateway] = field(default_factory=list)
    event_databases: list[EventDatabase] = field(default_factory=list)
    ad_domains: list[AdDomain] = field(default_factory=list)
    saml_authenticators: list[SamlAuthenticator] = field(default_factory=list)
    true_sso: list[TrueSso] = field(default_factory=list)
    federation_pods: list[FederationPod] = field(default_factory=list)
    licenses: list[HorizonLicense] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    """Optional collections not read, and why."""
    usage: list[HorizonUsage] = field(default_factory=list)
    """The pod's usage from its audit events, when asked for (``--usage DAYS``)."""

    @property
    def object_count(self) -> int:
        """Records read, for the source record."""
        return (
            len(self.pools)
            + len(self.machines)
            + len(self.sessions)
            + len(self.connection_servers)
            + len(self.vcenters)
            + len(self.gateways)
        )


def pod_identity(environment: Any, servers: list[ConnectionServer]) -> str | None:
    """What names the pod whichever of its Connection Servers answered.

    ``cluster:<GUID>``: the environment properties' ``cluster_guid``, "the GUID of a group of
    Connection Servers sharing the same configuration" (config/v1-v3/environment-properties,
    2111 to 2512); else ``connection-servers:<ids>``, the sorted ids of the pod's Connection
    Servers from the monitor list, which every member lists alike; else None.
    """
    guid = records.text(environment, "cluster_guid")
    if guid:
        return f"cluster:{guid.strip().lower()}"
    ids = sorted({server.id for server in servers if server.id})
    return f"connection-servers:{','.join(ids)}" if ids else None


def collect_horizon(client: HorizonClient) -> HorizonInventory:
    """Read every collection fleetreport uses from a logged-in client."""
    pod_id = client.endpoint.host
    skipped: dict[str, str] = {}

    def read(collection: api.Collection) -> Any:
        try:
            result = client.read(collection)
        except SourceError as error:
            if collection.required:
                raise
            skipped[collection.key] = error.message
            log.warning("%s (left out of the snapshot)", error.one_line())
            return None
        if result is NOT_FOUND:
            if collection.required:
                raise SourceError(
                    client.endpoint.url,
                    f"has no {collection.path.replace('{v}', 'v*')} endpoint",
                    hint="fleetreport needs Horizon 2111 or later",
                )
            skipped[collection.key] = "not on this server"
            return None
        return result

    def listed(collection: api.Collection) -> list[Any]:
        result = read(collection)
        return [r for r in result if isinstance(r, dict)] if isinstance(result, list) else []

    config_vcenters = listed(api.VIRTUAL_CENTERS)
    monitor_by_id = {records.text(m, "id"): m for m in listed(api.VIRTUAL_CENTERS_MONITOR)}
    vcenters = [
        records.horizon_vcenter(pod_id, vc, monitor_by_id.get(records.text(vc, "id")))
        for vc in config_vcenters
    ]
    uuid_by_id = {vc.id: vc.instance_uuid for vc in vcenters if vc.instance_uuid}
    pools = [records.desktop_pool(pod_id, r, uuid_by_id) for r in listed(api.DESKTOP_POOLS)]
    farm_health = {records.text(m, "id"): m for m in listed(api.FARMS_MONITOR)}
    pools += [
        components.with_farm_health(farm, farm_health[farm.id]) if farm.id in farm_health else farm
        for farm in (records.farm(pod_id, r, uuid_by_id) for r in listed(api.FARMS))
    ]
    machines = [records.machine(pod_id, r) for r in listed(api.MACHINES)]
    machines += [records.rds_server(pod_id, r) for r in listed(api.RDS_SERVERS)]
    sessions = [records.session(pod_id, r) for r in listed(api.SESSIONS)]
    servers = [records.connection_server(pod_id, r) for r in listed(api.CONNECTION_SERVERS)]
    gateways = [records.gateway(pod_id, r) for r in listed(api.GATEWAYS)]
    database = read(api.EVENT_DATABASE)
    databases = [records.event_database(pod_id, database)] if isinstance(database, dict) else []
    identity = pod_identity(read(api.ENVIRONMENT), servers)
    ad_domains = [components.ad_domain(pod_id, r) for r in listed(api.AD_DOMAINS)]
    saml = [components.saml_authenticator(pod_id, r) for r in listed(api.SAML_AUTHENTICATORS)]
    true_sso = [components.true_sso(pod_id, r) for r in listed(api.TRUE_SSO)]
    federation = [components.federation_pod(pod_id, r) for r in listed(api.FEDERATION_PODS)]
    licenses = _licenses(pod_id, listed(api.LICENSES), read)
    pod = HorizonPod(
        id=pod_id,
        url=client.endpoint.url,
        api_versions=dict(client.versions),
        identity=identity,
        skipped=dict(sorted(skipped.items())),
    )
    return HorizonInventory(
        pod=pod,
        pools=pools,
        machines=machines,
        sessions=sessions,
        connection_servers=servers,
        vcenters=vcenters,
        gateways=gateways,
        event_databases=databases,
        ad_domains=ad_domains,
        saml_authenticators=saml,
        true_sso=true_sso,
        federation_pods=federation,
        licenses=licenses,
        skipped=skipped,
    )


def _licenses(
    pod_id: str, found: list[Any], read: Callable[[api.Collection], Any]
) -> list[HorizonLicense]:
    """The pod's licence (the first the server lists) with its usage metrics; the usage is
    read only where there is a licence list (2512 and later)."""
    if not found:
        return []
    usage = read(api.LICENSE_USAGE)
    return [components.horizon_license(pod_id, found[0], usage)]
