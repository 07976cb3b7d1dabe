"""Which list endpoints each Horizon release exposes, and how each version behaves.

Derived from the vendor's OpenAPI documents for Horizon 2111 and 2512 (not shipped here;
``tests/harness/test_horizon_server.py`` cross-checks this table against them when present).

``versions``: the endpoint versions per profile, as range strings (see ``fields.parse_ranges``).
``paged``:    versions whose spec lists the ``page``/``size`` query parameters (same in both
              specs; the same versions also take ``filter``).
``sortable``: versions whose 2512 spec lists ``sort_by``/``order_by`` (2111 has neither).
``unversioned_v1``: v1 is served without a version segment (``/monitor/gateways``) and
              ``/monitor/v1/...`` does not exist.
``single``:   the response is one object, not an array (``/monitor/event-database``).
``capped``:   a request without page/size gets at most the server's default page size
              (with ``HAS_MORE_RECORDS``); otherwise an unpaged request returns everything.
``empty_status``: the HTTP status answered instead of an empty list (``/monitor/v*/pods``:
              409 "CPA not initialized for the pod", the only 409 either spec lists for it).
``optional``: a data directory may leave the file out (usage evidence, issue 16): ``[]``.
A profile missing from ``versions`` has no version of the endpoint (``config/licenses`` is
not in the 2111 spec).
"""

from __future__ import annotations

from dataclasses import dataclass

from .fields import in_ranges, parse_ranges

PROFILES = ("2111", "2512")


@dataclass(frozen=True)
class Endpoint:
    collection: str  # "inventory/machines": the key into fields.FIELDS
    data_file: str  # file in the data directory (newest API shape)
    versions: dict[str, str]  # profile -> version ranges
    paged: str | None = None
    sortable: str | None = None
    unversioned_v1: bool = False
    single: bool = False
    capped: bool = False
    group_only: bool = False  # takes ?group_only=true|false (ad-users-or-groups)
    empty_status: int | None = None  # answered instead of [] (monitor pods: 409, no CPA)
    by_ids: bool = False  # takes ?ids=... and answers those records only
    optional: bool = False  # a data directory may leave its file out on purpose ([] served)

    def has_version(self, profile: str, version: int) -> bool:
        spec = self.versions.get(profile)
        return spec is not None and in_ranges(version, parse_ranges(spec))

    def is_paged(self, version: int) -> bool:
        return self.paged is not None and in_ranges(version, parse_ranges(self.paged))

    def is_sortable(self, profile: str, version: int) -> bool:
        return (
            profile != "2111"
            and self.sortable is not None
            and in_ranges(version, parse_ranges(self.sortable))
        )


ENDPOINTS: dict[str, Endpoint] = {
    e.collection: e
    for e in [
        Endpoint(
            "inventory/desktop-pools",
            "desktop_pools.json",
            {"2111": "1-5", "2512": "1-12"},
            paged="2-",
            sortable="2-",
        ),
        Endpoint(
            "inventory/machines",
            "machines.json",
            {"2111": "1-2", "2512": "1-10"},
            paged="1-",
            sortable="1-",
            capped=True,
        ),
        Endpoint(
            "inventory/sessions",
            "sessions.json",
            {"2111": "1", "2512": "1-7"},
            paged="1-",
            sortable="1-",
            capped=True,
        ),
        Endpoint(
            "inventory/farms",
            "farms.json",
            {"2111": "1-3", "2512": "1-9"},
            paged="2-",
            sortable="2-",
        ),
        Endpoint(
            "inventory/rds-servers",
            "rds_servers.json",
            {"2111": "1", "2512": "1-6"},
            paged="1-",
            sortable="1-",
            capped=True,
        ),
        Endpoint(
            "config/environment-properties",
            "environment_properties.json",
            {"2111": "1-2", "2512": "1-3"},
            single=True,
        ),
        Endpoint("config/virtual-centers", "virtual_centers.json", {"2111": "1-2", "2512": "1-6"}),
        Endpoint(
            "monitor/connection-servers",
            "connection_servers.json",
            {"2111": "1-2", "2512": "1-4"},
            unversioned_v1=True,
        ),
        Endpoint(
            "monitor/virtual-centers",
            "virtual_centers_monitor.json",
            {"2111": "1-2", "2512": "1-4"},
            unversioned_v1=True,
        ),
        Endpoint(
            "monitor/gateways", "gateways.json", {"2111": "1-2", "2512": "1-5"}, unversioned_v1=True
        ),
        Endpoint(
            "monitor/event-database",
            "event_database.json",
            {"2111": "1", "2512": "1-2"},
            unversioned_v1=True,
            single=True,
        ),
        # v2 and v3 do not exist in either spec; v4 takes no page/size (2512 spec).
        Endpoint(
            "external/ad-users-or-groups",
            "ad_users.json",
            {"2111": "1", "2512": "1,4"},
            paged="1",
            capped=True,
            group_only=True,
        ),
        Endpoint(
            "monitor/ad-domains",
            "ad_domains.json",
            {"2111": "1-3", "2512": "1-4"},
            unversioned_v1=True,
        ),
        Endpoint(
            "monitor/saml-authenticators",
            "saml_authenticators.json",
            {"2111": "1-2", "2512": "1-4"},
            unversioned_v1=True,
        ),
        # True SSO and pods have a version segment from v1 on (/monitor/v1/true-sso).
        Endpoint("monitor/true-sso", "true_sso.json", {"2111": "1", "2512": "1-2"}),
        Endpoint("monitor/pods", "pods.json", {"2111": "1-2", "2512": "1-2"}, empty_status=409),
        Endpoint(
            "monitor/farms", "farms_monitor.json", {"2111": "1", "2512": "1-2"}, unversioned_v1=True
        ),
        # Licences are in the 2512 spec only (config v1-v4; usage metrics v1).
        Endpoint("config/licenses", "licenses.json", {"2512": "1-4"}),
        Endpoint(
            "monitor/licenses/usage-metrics",
            "license_usage.json",
            {"2512": "1"},
            single=True,
        ),
        # Event database records (page/size/filter in both specs; sort_by in 2512 only).
        # Built from the pod's data (audit.py); 409 while the event database is not configured.
        Endpoint(
            "external/audit-events",
            "audit_events.json",
            {"2111": "1", "2512": "1-2"},
            paged="1-",
            sortable="1-",
            optional=True,
        ),
        # v1 requires ``ids``, v2-v3 take it optionally (2512 spec); served leniently.
        Endpoint(
            "monitor/desktop-pools/metrics",
            "desktop_pool_metrics.json",
            {"2111": "1", "2512": "1-3"},
            by_ids=True,
            optional=True,
        ),
    ]
}
