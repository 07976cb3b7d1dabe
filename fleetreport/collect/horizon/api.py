"""What fleetreport reads from the Horizon REST API, and which endpoint versions exist.

Servers from Horizon 2111 to 2512 expose different versions of each list; the client uses
the newest one a server answers (a 404 means "not on this server").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Collection:
    """One list endpoint."""

    key: str
    """Name used in the snapshot's ``api_versions``."""
    path: str
    """Path below ``/rest`` with ``{v}`` for the version segment."""
    newest: int
    """Newest version fleetreport knows (Horizon 2512)."""
    paged: bool = False
    """Takes ``page`` and ``size``, answers ``HAS_MORE_RECORDS``."""
    unversioned_v1: bool = False
    """v1 has no version segment (``/monitor/gateways``)."""
    required: bool = True
    """A failure here fails the source; otherwise it is recorded and skipped."""
    single: bool = False
    """The response is one object, not a list."""
    sort_by: str | None = None
    """A field the spec lets this list be sorted by in every version (``sort_by``), so that
    pages come in a stable order; the list's ``id`` is not sortable."""
    none_status: int | None = None
    """An HTTP status that means "none here", read as an empty list (monitor pods: 409)."""

    def path_for(self, version: int) -> str:
        """The URL path of ``version``."""
        if version == 1 and self.unversioned_v1:
            return self.path.replace("/{v}", "")
        return self.path.replace("{v}", f"v{version}")


PAGE_SIZE = 1000
"""The largest page the API allows."""

DESKTOP_POOLS = Collection("desktop_pools", "/inventory/{v}/desktop-pools", 12)
# Sort keys: machines and RDS servers by ``name``, sessions by ``start_time`` (new sessions
# sort last), each "can be used for sorting" in every version of the 2512 spec.
MACHINES = Collection("machines", "/inventory/{v}/machines", 10, paged=True, sort_by="name")
SESSIONS = Collection("sessions", "/inventory/{v}/sessions", 7, paged=True, sort_by="start_time")
FARMS = Collection("farms", "/inventory/{v}/farms", 9, required=False)
RDS_SERVERS = Collection(
    "rds_servers",
    "/inventory/{v}/rds-servers",
    6,
    paged=True,
    required=False,
    sort_by="name",
)
VIRTUAL_CENTERS = Collection("virtual_centers", "/config/{v}/virtual-centers", 6)
ENVIRONMENT = Collection(
    "environment_properties",
    "/config/{v}/environment-properties",
    3,
    required=False,
    single=True,
)
"""``cluster_guid``: the pod's identity whichever Connection Server answers (2111 and later)."""
CONNECTION_SERVERS = Collection(
    "connection_servers",
    "/monitor/{v}/connection-servers",
    4,
    unversioned_v1=True,
    required=False,
)
VIRTUAL_CENTERS_MONITOR = Collection(
    "virtual_centers_monitor",
    "/monitor/{v}/virtual-centers",
    4,
    unversioned_v1=True,
    required=False,
)
GATEWAYS = Collection("gateways", "/monitor/{v}/gateways", 5, unversioned_v1=True, required=False)
EVENT_DATABASE = Collection(
    "event_database",
    "/monitor/{v}/event-database",
    2,
    unversioned_v1=True,
    required=False,
    single=True,
)

AD_DOMAINS = Collection(
    "ad_domains", "/monitor/{v}/ad-domains", 4, unversioned_v1=True, required=False
)
SAML_AUTHENTICATORS = Collection(
    "saml_authenticators",
    "/monitor/{v}/saml-authenticators",
    4,
    unversioned_v1=True,
    required=False,
)
TRUE_SSO = Collection("true_sso", "/monitor/{v}/true-sso", 2, required=False)
FEDERATION_PODS = Collection(
    "federation_pods", "/monitor/{v}/pods", 2, required=False, none_status=409
)
"""409 "CPA not initialized for the pod" (2111 and 2512 specs): no federation, not an error."""
FARMS_MONITOR = Collection(
    "farms_monitor", "/monitor/{v}/farms", 2, unversioned_v1=True, required=False
)
LICENSES = Collection("licenses", "/config/{v}/licenses", 4, required=False)
"""Horizon 2512 and later: absent from the 2111 spec."""
LICENSE_USAGE = Collection(
    "license_usage", "/monitor/{v}/licenses/usage-metrics", 1, required=False, single=True
)

ALL = (
    VIRTUAL_CENTERS,
    ENVIRONMENT,
    DESKTOP_POOLS,
    FARMS,
    MACHINES,
    RDS_SERVERS,
    SESSIONS,
    CONNECTION_SERVERS,
    VIRTUAL_CENTERS_MONITOR,
    GATEWAYS,
    EVENT_DATABASE,
    AD_DOMAINS,
    SAML_AUTHENTICATORS,
    TRUE_SSO,
    FEDERATION_PODS,
    FARMS_MONITOR,
    LICENSES,
    LICENSE_USAGE,
)

AUDIT_EVENTS = Collection(
    "audit_events", "/external/{v}/audit-events", 2, paged=True, required=False, sort_by="time"
)
"""Event database records, v1 (2111) and v2 (2512); ``time`` takes ``Between`` and, in the
2512 spec, sorting (2111 has no ``sort_by``). Read only with ``--usage``, not in ``ALL``."""
DESKTOP_POOL_METRICS = Collection(
    "desktop_pool_metrics", "/monitor/{v}/desktop-pools/metrics", 3, required=False
)
"""Sessions and machines per pool now (2512: v1-v3; v1 requires ``ids``). Not in ``ALL``."""
