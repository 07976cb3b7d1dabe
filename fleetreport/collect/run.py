"""Collect from every source the user named and assemble one joined snapshot."""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from fleetreport import __version__
from fleetreport.collect.infer import InferenceRule, infer_pools
from fleetreport.collect.join import (
    VmIndex,
    golden_image_times,
    join_machines,
    unmatched_vms,
)
from fleetreport.collect.progress import SourceProgress
from fleetreport.collect.retry import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, RetrySettings
from fleetreport.collect.vcenter.faults import translate_errors
from fleetreport.collect.vcenter.inventory import VCenterInventory, collect_vcenter
from fleetreport.collect.vcenter.session import VCenterSession, open_session
from fleetreport.collect.vcenter.usage import collect_vcenter_usage
from fleetreport.collect.workers import run_jobs
from fleetreport.endpoints import Endpoint, TlsOptions
from fleetreport.errors import FleetReportError
from fleetreport.secrets import Secret
from fleetreport.snapshot.model import HorizonUsage, Snapshot, Source
from fleetreport.snapshot.store import SCHEMA_VERSION

if TYPE_CHECKING:
    from fleetreport.collect.horizon.client import HorizonClient
    from fleetreport.collect.horizon.collector import HorizonInventory

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class VCenterTarget:
    """One vCenter to collect, with everything needed to log in."""

    endpoint: Endpoint
    user: str
    password: Secret
    tls: TlsOptions
    timeout: float = DEFAULT_READ_TIMEOUT
    """Seconds each socket read may wait."""
    page_size: int = 1000
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    """Seconds to connect (TCP and TLS handshake)."""
    retry: RetrySettings = field(default_factory=RetrySettings)
    """Attempts and time bound of each call (transient faults only)."""


@dataclass(frozen=True)
class HorizonTarget:
    """One Connection Server (one pod) to collect."""

    endpoint: Endpoint
    user: str
    domain: str
    password: Secret
    tls: TlsOptions
    timeout: float = DEFAULT_READ_TIMEOUT
    """Seconds each socket read may wait."""
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    """Seconds to connect (TCP and TLS handshake)."""
    retry: RetrySettings = field(default_factory=RetrySettings)
    """Attempts and time bound of each call (transient faults only)."""


@dataclass(frozen=True)
class Collection:
    """The assembled snapshot and the errors of sources that failed."""

    snapshot: Snapshot
    failures: list[FleetReportError]


@dataclass
class _Gathered:
    sources: list[Source] = field(default_factory=list)
    vcenters: list[VCenterInventory] = field(default_factory=list)
    pods: list[HorizonInventory] = field(default_factory=list)
    failures: list[FleetReportError] = field(default_factory=list)


@dataclass(frozen=True)
class _Result:
    """What one source gave: its record, its inventory or its error."""

    source: Source
    vcenter: VCenterInventory | None = None
    pod: HorizonInventory | None = None
    failure: FleetReportError | None = None


def progress_for(
    vcenters: Sequence[VCenterTarget], horizons: Sequence[HorizonTarget] = ()
) -> dict[str, SourceProgress]:
    """A progress record per source, by URL, for a display to poll."""
    entries = [("vcenter", t.endpoint.url) for t in vcenters]
    entries += [("horizon", t.endpoint.url) for t in horizons]
    return {url: SourceProgress(kind, url) for kind, url in entries}


def collect_all(
    vcenters: Sequence[VCenterTarget],
    horizons: Sequence[HorizonTarget] = (),
    *,
    inference: InferenceRule | None = None,
    now: Clock | None = None,
    max_workers: int = 1,
    progress: Mapping[str, SourceProgress] | None = None,
    usage_days: int = 0,
) -> Collection:
    """Collect every target and join them; a failing source is recorded, never dropped.

    With ``max_workers`` above 1, sources are collected concurrently (a thread each, at most
    that many at once), so a slow vCenter does not hold up the others; the snapshot is the same
    whatever the order they finish in. Ctrl-C stops the collection at once on every system
    (:mod:`fleetreport.collect.workers`). ``usage_days`` above 0 also reads each pod's usage
    over that many days (audit events); 0 leaves usage out.
    """
    clock = now or (lambda: datetime.now(UTC))
    tracked = progress or {}
    collected = _Collected()
    jobs: list[Callable[[], _Result]] = [
        functools.partial(
            _collect_vcenter,
            t,
            clock,
            tracked.get(t.endpoint.url),
            position,
            collected,
            usage_days=usage_days,
        )
        for position, t in enumerate(vcenters)
    ]
    jobs += [
        functools.partial(_collect_pod, t, clock, tracked.get(t.endpoint.url), usage_days)
        for t in horizons
    ]
    results = run_jobs(jobs, max_workers)
    gathered = _Gathered()
    for result in drop_duplicates(results):
        gathered.sources.append(result.source)
        if result.failure is not None:
            gathered.failures.append(result.failure)
        if result.vcenter is not None:
            gathered.vcenters.append(result.vcenter)
        if result.pod is not None:
            gathered.pods.append(result.pod)
    return Collection(_assemble(gathered, inference, clock()), gathered.failures)


class _Collected:
    """vCenters collected so far, by instance UUID: a later target naming one of them again
    is not read a second time (it is known right after login, from ``about``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_uuid: dict[str, tuple[int, str]] = {}

    def add(self, uuid: str, position: int, url: str) -> None:
        """``url`` (the ``position``-th target) collected the vCenter ``uuid``."""
        with self._lock:
            known = self._by_uuid.get(uuid.lower())
            if known is None or position < known[0]:
                self._by_uuid[uuid.lower()] = (position, url)

    def earlier(self, uuid: str, position: int) -> str | None:
        """The URL of an earlier target that already collected ``uuid``, if any."""
        with self._lock:
            known = self._by_uuid.get(uuid.lower())
        return known[1] if known is not None and known[0] < position else None


def drop_duplicates(results: Sequence[_Result]) -> list[_Result]:
    """The results with a repeated vCenter (same ``about.instanceUuid``) or pod (same identity)
    marked ``duplicate`` and their data dropped; the first in the user's order is kept."""
    kept: dict[tuple[str, str], _Result] = {}
    out = []
    for result in results:
        key = _identity(result)
        first = kept.get(key) if key is not None else None
        if key is None or first is None:
            if key is not None:
                kept[key] = result
            out.append(result)
            continue
        out.append(_Result(_duplicate(result.source, first.source.url, key[1])))
    return out


def _duplicate(source: Source, kept_url: str, identity: str) -> Source:
    """``source`` marked as a duplicate of ``kept_url``, said in one warning line."""
    vcenter = source.kind == "vcenter"
    what, how = ("vCenter", "instance UUID") if vcenter else ("Horizon pod", "identity")
    log.warning(
        "%s is the same %s as %s (%s %s): collected once",
        _host(source.url),
        what,
        _host(kept_url),
        how,
        identity,
    )
    return dataclasses.replace(source, status="duplicate", duplicate_of=kept_url, objects=0)


def _identity(result: _Result) -> tuple[str, str] | None:
    if result.vcenter is not None:
        return ("vcenter", result.vcenter.vcenter.instance_uuid.lower())
    if result.pod is not None and result.pod.pod.identity:
        return ("horizon", result.pod.pod.identity)
    return None


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _collect_vcenter(
    target: VCenterTarget,
    clock: Clock,
    progress: SourceProgress | None,
    position: int = 0,
    collected: _Collected | None = None,
    *,
    usage_days: int = 0,
) -> _Result:
    """One vCenter's inventory, and with ``usage_days`` above 0 its performance history."""
    started = clock()
    seen = collected or _Collected()
    kept_url: str | None = None
    uuid = ""
    if progress is not None:
        progress.begin()
    verified = target.endpoint.scheme == "https" and target.tls.verify
    try:
        with open_session(
            target.endpoint,
            target.user,
            target.password,
            target.tls,
            target.timeout,
            progress,
            connect_timeout=target.connect_timeout,
            retry=target.retry,
        ) as session:
            uuid = str(session.content.about.instanceUuid)
            kept_url = seen.earlier(uuid, position)
            if kept_url is None:
                inventory = collect_vcenter(
                    session,
                    page_size=target.page_size,
                    on_page=progress.page if progress is not None else None,
                )
                if usage_days > 0:
                    inventory = _with_usage(session, inventory, usage_days, clock, target)
                seen.add(uuid, position, target.endpoint.url)
            counter = session.round_trips
        round_trips = counter.count  # the logout included
    except FleetReportError as error:
        if progress is not None:
            progress.end(ok=False)
        source = Source(
            "vcenter",
            target.endpoint.url,
            "failed",
            started,
            clock(),
            verified,
            error=error.message,
        )
        return _Result(source, failure=error)
    if progress is not None:
        progress.end(ok=True)
    if kept_url is not None:  # an earlier target has read this vCenter already
        read = Source("vcenter", target.endpoint.url, "ok", started, clock(), verified)
        source = _duplicate(read, kept_url, uuid.lower())
        return _Result(dataclasses.replace(source, round_trips=round_trips, instance_uuid=uuid))
    log.info(
        "%s: %d VMs, %d hosts in %d round trips",
        target.endpoint.url,
        len(inventory.vms),
        len(inventory.hosts),
        round_trips,
    )
    source = Source(
        "vcenter",
        target.endpoint.url,
        "ok",
        started,
        clock(),
        verified,
        round_trips=round_trips,
        objects=inventory.object_count,
        instance_uuid=inventory.vcenter.instance_uuid,
        api_versions={"vim25": inventory.vcenter.api_version},
    )
    return _Result(source, vcenter=inventory)


def _with_usage(
    session: VCenterSession,
    inventory: VCenterInventory,
    days: int,
    clock: Clock,
    target: VCenterTarget,
) -> VCenterInventory:
    """The inventory with its VMs' and hosts' performance history; a vCenter that refuses it
    keeps its inventory (a warning says why: usage is evidence for later checks, not the
    inventory itself)."""
    try:
        # What pyvmomi and sockets raise becomes the same one-line error the inventory would
        # give, here, so that a refused or timed-out history does not fail the whole vCenter.
        with translate_errors(target.endpoint, target.user):
            usage = collect_vcenter_usage(session, days, inventory, now=clock())
    except FleetReportError as error:
        log.warning("%s: performance history not read: %s", target.endpoint.url, error.message)
        refused = dataclasses.replace(inventory.vcenter, usage_days=days, usage_error=error.message)
        return dataclasses.replace(inventory, vcenter=refused)
    read = dataclasses.replace(inventory.vcenter, usage_days=days)
    return dataclasses.replace(inventory, vcenter=read, usage=usage)


def _collect_pod(
    target: HorizonTarget, clock: Clock, progress: SourceProgress | None, usage_days: int = 0
) -> _Result:
    # Imported here: a collection from vCenter alone never loads the HTTP client (requests).
    from fleetreport.collect.horizon.client import HorizonClient
    from fleetreport.collect.horizon.collector import collect_horizon

    started = clock()
    if progress is not None:
        progress.begin()
    verified = target.endpoint.scheme == "https" and target.tls.verify
    client = HorizonClient(
        target.endpoint,
        target.user,
        target.domain,
        target.password,
        target.tls,
        target.timeout,
        progress=progress,
        connect_timeout=target.connect_timeout,
        retry=target.retry,
    )
    try:
        with client:
            pod = collect_horizon(client)
            if usage_days > 0:
                pod = dataclasses.replace(pod, usage=[_pod_usage(client, pod, usage_days, clock)])
    except FleetReportError as error:
        if progress is not None:
            progress.end(ok=False)
        source = Source(
            "horizon",
            target.endpoint.url,
            "failed",
            started,
            clock(),
            verified,
            error=error.message,
            round_trips=client.round_trips,
        )
        return _Result(source, failure=error)
    if progress is not None:
        progress.end(ok=True)
    log.info(
        "%s: %d pools, %d machines, %d sessions in %d round trips",
        target.endpoint.url,
        len(pod.pools),
        len(pod.machines),
        len(pod.sessions),
        client.round_trips,
    )
    source = Source(
        "horizon",
        target.endpoint.url,
        "ok",
        started,
        clock(),
        verified,
        round_trips=client.round_trips,
        objects=pod.object_count,
        api_versions=dict(pod.pod.api_versions),
    )
    return _Result(source, pod=pod)


def _pod_usage(
    client: HorizonClient, pod: HorizonInventory, days: int, clock: Clock
) -> HorizonUsage:
    """The pod's usage over ``days`` days up to now; its failure is recorded, never raised."""
    from fleetreport.collect.horizon.usage import collect_horizon_usage

    database = pod.event_databases[0] if pod.event_databases else None
    return collect_horizon_usage(client, pod.pod.id, days, clock(), pod.pools, database)


def _assemble(gathered: _Gathered, inference: InferenceRule | None, finished: datetime) -> Snapshot:
    vms = [vm for inventory in gathered.vcenters for vm in inventory.vms]
    datacenters = [d for i in gathered.vcenters for d in i.datacenters]
    index = VmIndex(vms, datacenters)
    pods = gathered.pods
    vcenter_uuids = {
        (vc.pod, vc.id): vc.instance_uuid for pod in pods for vc in pod.vcenters if vc.instance_uuid
    }
    machines = join_machines((m for pod in pods for m in pod.machines), index, vcenter_uuids)
    pools = golden_image_times((p for pod in pods for p in pod.pools), index)
    if inference is not None and not pods:
        inferred_pools, inferred_machines = infer_pools(vms, inference)
        pools += golden_image_times(inferred_pools, index)
        machines += inferred_machines
    unjoined = [m for m in machines if m.join == "none"]
    if unjoined:
        log.warning("%d Horizon machine(s) have no VM in the collected vCenters", len(unjoined))
    return Snapshot(
        schema_version=SCHEMA_VERSION,
        generator=f"fleetreport {__version__}",
        collected_at=finished,
        sources=gathered.sources,
        vcenters=[i.vcenter for i in gathered.vcenters],
        datacenters=datacenters,
        clusters=[c for i in gathered.vcenters for c in i.clusters],
        hosts=[h for i in gathered.vcenters for h in i.hosts],
        vms=vms,
        pods=[pod.pod for pod in pods],
        pools=pools,
        machines=machines,
        sessions=[s for pod in pods for s in pod.sessions],
        connection_servers=[c for pod in pods for c in pod.connection_servers],
        horizon_vcenters=[v for pod in pods for v in pod.vcenters],
        gateways=[g for pod in pods for g in pod.gateways],
        event_databases=[e for pod in pods for e in pod.event_databases],
        ad_domains=[d for pod in pods for d in pod.ad_domains],
        saml_authenticators=[a for pod in pods for a in pod.saml_authenticators],
        true_sso=[t for pod in pods for t in pod.true_sso],
        federation_pods=[f for pod in pods for f in pod.federation_pods],
        licenses=[x for pod in pods for x in pod.licenses],
        horizon_usage=[u for pod in pods for u in pod.usage],
        vcenter_usage=[u for i in gathered.vcenters for u in i.usage],
        unmatched_vms=unmatched_vms(pools, machines, vms, datacenters),
        datastores=[d for i in gathered.vcenters for d in i.datastores],
        alarms=[a for i in gathered.vcenters for a in i.alarms],
    )
