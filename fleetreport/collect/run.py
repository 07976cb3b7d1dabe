"""Collect from every source the user named and assemble one snapshot."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fleetreport import __version__
from fleetreport.collect.vcenter.inventory import VCenterInventory, collect_vcenter
from fleetreport.collect.vcenter.session import open_session
from fleetreport.credentials import Secret
from fleetreport.endpoints import Endpoint, TlsOptions
from fleetreport.errors import FleetReportError
from fleetreport.snapshot.model import Snapshot, Source
from fleetreport.snapshot.store import SCHEMA_VERSION

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VCenterTarget:
    """One vCenter to collect, with everything needed to log in."""

    endpoint: Endpoint
    user: str
    password: Secret
    tls: TlsOptions
    timeout: float = 60.0
    page_size: int = 1000


@dataclass(frozen=True)
class Collection:
    """The assembled snapshot and the errors of sources that failed."""

    snapshot: Snapshot
    failures: list[FleetReportError]


def collect_all(
    vcenters: Sequence[VCenterTarget], *, now: Callable[[], datetime] | None = None
) -> Collection:
    """Collect every target; a failing source is recorded, never silently dropped."""
    clock = now or (lambda: datetime.now(UTC))
    sources: list[Source] = []
    inventories: list[VCenterInventory] = []
    failures: list[FleetReportError] = []
    for target in vcenters:
        started = clock()
        round_trips = 0
        try:
            with open_session(
                target.endpoint, target.user, target.password, target.tls, target.timeout
            ) as session:
                inventory = collect_vcenter(session, page_size=target.page_size)
                round_trips = session.round_trips.count
            round_trips += 1  # the logout
        except FleetReportError as error:
            failures.append(error)
            sources.append(
                Source(
                    kind="vcenter",
                    url=target.endpoint.url,
                    status="failed",
                    started_at=started,
                    finished_at=clock(),
                    tls_verified=_verified(target),
                    error=error.message,
                )
            )
            continue
        inventories.append(inventory)
        sources.append(
            Source(
                kind="vcenter",
                url=target.endpoint.url,
                status="ok",
                started_at=started,
                finished_at=clock(),
                tls_verified=_verified(target),
                round_trips=round_trips,
                objects=inventory.object_count,
                instance_uuid=inventory.vcenter.instance_uuid,
                api_versions={"vim25": inventory.vcenter.api_version},
            )
        )
        log.info(
            "%s: %d VMs, %d hosts in %d round trips",
            target.endpoint.url,
            len(inventory.vms),
            len(inventory.hosts),
            round_trips,
        )
    snapshot = Snapshot(
        schema_version=SCHEMA_VERSION,
        generator=f"fleetreport {__version__}",
        collected_at=clock(),
        sources=sources,
        vcenters=[i.vcenter for i in inventories],
        datacenters=[d for i in inventories for d in i.datacenters],
        clusters=[c for i in inventories for c in i.clusters],
        hosts=[h for i in inventories for h in i.hosts],
        vms=[v for i in inventories for v in i.vms],
    )
    return Collection(snapshot, failures)


def _verified(target: VCenterTarget) -> bool:
    return target.endpoint.scheme == "https" and target.tls.verify
