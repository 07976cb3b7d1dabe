"""Fold a pod's session audit events, page by page, into compact usage records.

The events come from ``external/v*/audit-events`` filtered on the server: ``time`` Between
the window's bounds (the only filter the ``time`` field supports in both specs) and ``type``
Equals each session event (``Or``). The aggregator keeps counters per desktop, pool-day, user
and desktop, and the sessions open right now in the replay; never the events themselves.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from fleetreport.collect.horizon import api
from fleetreport.collect.horizon.client import HorizonClient
from fleetreport.collect.horizon.records import as_text, as_whole, text, whole
from fleetreport.errors import SourceError
from fleetreport.snapshot.model import (
    DesktopPool,
    DesktopUsage,
    EventDatabase,
    HorizonUsage,
    PoolDayUsage,
    PoolUsage,
    UserDesktopUsage,
)

log = logging.getLogger(__name__)

LOGON = "AGENT_CONNECTED"
"""The agent's "user has logged in to a new session" event."""
LOGOFF = "AGENT_ENDED"
"""The agent's "user has logged off" event: the session is over."""
DISCONNECT = "AGENT_DISCONNECTED"
RECONNECT = "AGENT_RECONNECTED"
SESSION_EVENTS = (LOGON, LOGOFF, DISCONNECT, RECONNECT)
"""Horizon's message-catalogue names of the session events (the ``type`` of each record), from
the "Horizon Agent Events" table of the Horizon Console Administration guide (severity INFO,
module Agent). Connection Server logons (``BROKER_USERLOGGEDIN``) name no desktop: not read."""

DAY_MS = 86_400_000
UNREADABLE_DATABASE = {"NOT_CONFIGURED": "event database not configured"}


def event_filter(start_ms: int, end_ms: int) -> str:
    """The ``filter`` query: ``time`` Between the bounds, And ``type`` one of the session
    events (minified JSON, as the vendor's guide sends it)."""
    types = [{"type": "Equals", "name": "type", "value": name} for name in SESSION_EVENTS]
    expression = {
        "type": "And",
        "filters": [
            {"type": "Between", "name": "time", "from_value": start_ms, "to_value": end_ms},
            {"type": "Or", "filters": types},
        ],
    }
    return json.dumps(expression, separators=(",", ":"))


DAY_MS = 86_400_000


@lru_cache(maxsize=512)
def _day_of(index: int) -> str:
    """``YYYY-MM-DD`` of the UTC day ``index`` days after the epoch (cached: a month of events
    falls on some thirty days)."""
    return datetime.fromtimestamp(index * 86_400, tz=UTC).strftime("%Y-%m-%d")


def _day(ms: int) -> str:
    return _day_of(ms // DAY_MS)


def _time(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


@dataclass
class _Desktop:
    name: str | None
    pool: str | None
    logons: int = 0
    last_logon: int | None = None
    last_user: str | None = None


@dataclass
class _Pool:
    logons: int = 0
    days: dict[str, list[int]] = field(default_factory=dict)
    """Day -> [logons, peak sessions]."""
    open: dict[tuple[str, str], int] = field(default_factory=dict)
    """(desktop, user) -> sessions open now in the replay."""
    open_total: int = 0
    day: str | None = None
    before_window: int = 0

    def at(self, day: str) -> list[int]:
        """The counters of ``day``, carrying the sessions still open into it and every day
        between the last one seen and it."""
        if self.day is not None and day > self.day and self.open_total:
            cursor = datetime.strptime(self.day, "%Y-%m-%d").replace(tzinfo=UTC)
            while True:
                cursor += timedelta(days=1)
                name = cursor.strftime("%Y-%m-%d")
                if name > day:
                    break
                counters = self.days.setdefault(name, [0, 0])
                counters[1] = max(counters[1], self.open_total)
        if self.day is None or day > self.day:
            self.day = day
        return self.days.setdefault(day, [0, self.open_total])

    def change(self, key: tuple[str, str], delta: int, day: str) -> None:
        counters = self.at(day)
        now = self.open.get(key, 0) + delta
        if now > 0:
            self.open[key] = now
        else:
            self.open.pop(key, None)
        self.open_total += delta
        counters[1] = max(counters[1], self.open_total)


class UsageAggregator:
    """Session events in, usage records out; its state grows with desktops, pools, days and
    open sessions, never with the number of events."""

    def __init__(self, start_ms: int, end_ms: int, dedicated_pools: Iterable[str] = ()) -> None:
        self.start_ms, self.end_ms = start_ms, end_ms
        self._dedicated = frozenset(dedicated_pools)
        self._desktops: dict[str, _Desktop] = {}
        self._pools: dict[str, _Pool] = {}
        self._users: dict[tuple[str, str], tuple[str | None, int]] = {}
        self._last_time = start_ms
        self._ids_at_last: set[int] = set()
        self.in_order = True
        self.events = 0
        self.repeated = 0

    def state_size(self) -> int:
        """Entries held: desktops, pools, pool-days, open sessions, user-desktop pairs and
        the ids of events at the newest time seen."""
        return (
            len(self._desktops)
            + len(self._users)
            + len(self._ids_at_last)
            + sum(1 + len(p.days) + len(p.open) for p in self._pools.values())
        )

    def add_all(self, events: Iterable[Any]) -> None:
        """Fold a page of events."""
        for event in events:
            if isinstance(event, Mapping):
                self.add(event)

    def add(self, event: Mapping[str, Any]) -> None:
        """Fold one event; events outside the window or of other types are ignored."""
        kind = as_text(event.get("type"))
        moment = as_whole(event.get("time"))
        if kind not in SESSION_EVENTS or moment is None:
            return
        if not self.start_ms <= moment <= self.end_ms:
            return
        if not self._in_sequence(moment, as_whole(event.get("id"))):
            return
        self.events += 1
        desktop = as_text(event.get("machine_id")) or as_text(event.get("machine_dns_name"))
        user = as_text(event.get("user_id")) or ""
        pool_name = as_text(event.get("desktop_pool_name"))
        day = _day(moment)
        if kind == LOGON and desktop:
            self._logon_to_desktop(desktop, event, pool_name, user, moment)
        if pool_name is None:
            return
        pool = self._pools.setdefault(pool_name, _Pool())
        key = (desktop or "", user)
        if kind == LOGON:
            pool.logons += 1
            pool.change(key, +1, day)
            pool.days[day][0] += 1
        elif kind == LOGOFF and pool.open.get(key):
            pool.change(key, -1, day)
        elif kind == LOGOFF:
            pool.before_window += 1
            pool.at(day)
        elif not pool.open.get(key):  # a disconnect or reconnect of a session begun earlier
            pool.before_window += 1
            pool.change(key, +1, day)
        else:
            pool.at(day)

    def _in_sequence(self, moment: int, event_id: int | None) -> bool:
        """False for an event already folded (a page that moved under the reader); notes when
        the events are not in time order, which makes the replayed peaks unknown."""
        if moment < self._last_time:
            self.in_order = False
            return True
        if moment > self._last_time:
            self._last_time, self._ids_at_last = moment, set()
        if event_id is not None:
            if event_id in self._ids_at_last:
                self.repeated += 1
                return False
            self._ids_at_last.add(event_id)
        return True

    def _logon_to_desktop(
        self, desktop: str, event: Mapping[str, Any], pool: str | None, user: str, moment: int
    ) -> None:
        record = self._desktops.get(desktop)
        if record is None:
            record = self._desktops[desktop] = _Desktop(
                as_text(event.get("machine_dns_name")), pool
            )
        record.logons += 1
        if record.last_logon is None or moment >= record.last_logon:
            record.last_logon, record.last_user = moment, user or None
            record.name = as_text(event.get("machine_dns_name")) or record.name
            record.pool = pool or record.pool
        if pool in self._dedicated and user:
            previous = self._users.get((user, desktop))
            if previous is None or moment >= previous[1]:
                self._users[(user, desktop)] = (pool, moment)

    def desktops(self, pod: str) -> list[DesktopUsage]:
        """Per desktop with a logon, by id."""
        return [
            DesktopUsage(
                pod=pod,
                machine_id=key,
                machine_name=d.name,
                pool=d.pool,
                logons=d.logons,
                last_logon=_time(d.last_logon) if d.last_logon is not None else None,
                last_user_id=d.last_user,
            )
            for key, d in sorted(self._desktops.items())
        ]

    def pools(self, pod: str, ids_by_name: Mapping[str, str]) -> list[PoolUsage]:
        """Per pool, its days filled up to the window's end while sessions stay open."""
        found = []
        for name, pool in sorted(self._pools.items()):
            pool.at(_day(self.end_ms))
            days = [
                PoolDayUsage(day, counts[0], counts[1] if self.in_order else None)
                for day, counts in sorted(pool.days.items())
                if counts[0] or counts[1]
            ]
            peaks = [d.peak_sessions for d in days if d.peak_sessions is not None]
            found.append(
                PoolUsage(
                    pod=pod,
                    pool=name,
                    pool_id=ids_by_name.get(name),
                    logons=pool.logons,
                    peak_sessions=(max(peaks, default=0) if self.in_order else None),
                    days=days,
                    sessions_before_window=pool.before_window,
                )
            )
        return found

    def dedicated(self, pod: str) -> list[UserDesktopUsage]:
        """Per user and desktop of a dedicated pool, the newest logon."""
        return [
            UserDesktopUsage(pod, user, desktop, pool, _time(moment))
            for (user, desktop), (pool, moment) in sorted(self._users.items())
        ]


def collect_horizon_usage(
    client: HorizonClient,
    pod: str,
    days: int,
    now: datetime,
    pools: Iterable[DesktopPool] = (),
    database: EventDatabase | None = None,
) -> HorizonUsage:
    """The pod's usage over the ``days`` days before ``now``; a pod whose events cannot be
    read gets a ``skipped`` record with the reason, and nothing else fails."""
    end_ms = int(now.timestamp() * 1000)
    start_ms = end_ms - days * DAY_MS
    known = list(pools)

    def skipped(reason: str) -> HorizonUsage:
        return HorizonUsage(
            pod=pod,
            days=days,
            window_start=_time(start_ms),
            window_end=_time(end_ms),
            status="skipped",
            reason=reason,
            api_version=client.versions.get(api.AUDIT_EVENTS.key),
        )

    status = database.status if database is not None else None
    if status in UNREADABLE_DATABASE:
        return skipped(UNREADABLE_DATABASE[status])
    desktop_pools = [p for p in known if p.kind == "desktop_pool"]
    dedicated = [p.name for p in desktop_pools if p.user_assignment == "DEDICATED"]
    aggregator = UsageAggregator(start_ms, end_ms, dedicated)
    params: dict[str, Any] = {
        "filter": event_filter(start_ms, end_ms),
        "sort_by": "time",
        "order_by": "ASC",
    }
    pages = 0
    try:
        found = client.newest(api.AUDIT_EVENTS, params)
        if found is None:
            return skipped("not on this server")
        path, first = found
        if first.status_code == 400:  # the 2111 spec lists no sort_by here: ask unsorted
            log.info("%s: %s refused sort_by; reading the events unsorted", pod, path)
            params = {"filter": params["filter"]}
            first = client.page_one(path, params)
        if first.status_code == 409:
            return skipped("event database not configured or not reachable (HTTP 409)")
        for page in client.pages(path, first, params):
            pages += 1
            aggregator.add_all(page)
    except SourceError as error:
        log.warning("%s (usage left out of the snapshot)", error.one_line())
        return skipped(error.message)
    if aggregator.repeated:
        log.warning("%s: %d event(s) came twice between pages; kept once", pod, aggregator.repeated)
    if not aggregator.in_order:
        log.warning("%s: audit events did not come in time order; peaks left unknown", pod)
    metrics = _pool_metrics(client, [p.id for p in desktop_pools])
    pool_records = [
        _with_metrics(record, metrics.get(record.pool_id or ""))
        for record in aggregator.pools(pod, {p.name: p.id for p in desktop_pools})
    ]
    return HorizonUsage(
        pod=pod,
        days=days,
        window_start=_time(start_ms),
        window_end=_time(end_ms),
        status="ok",
        api_version=client.versions.get(api.AUDIT_EVENTS.key),
        events=aggregator.events,
        pages=pages,
        desktops=aggregator.desktops(pod),
        pools=pool_records,
        dedicated=aggregator.dedicated(pod),
    )


def _pool_metrics(client: HorizonClient, pool_ids: list[str]) -> dict[str, Mapping[str, Any]]:
    """``monitor/v*/desktop-pools/metrics`` by pool id, one call; nothing when unavailable."""
    if not pool_ids:
        return {}
    try:
        found = client.newest(api.DESKTOP_POOL_METRICS, {"ids": sorted(pool_ids)})
        if found is None:
            return {}
        path, first = found
        listed = client.checked_list(first, path)
    except SourceError as error:
        log.warning("%s (pool metrics left out)", error.one_line())
        return {}
    return {key: m for m in listed if isinstance(m, Mapping) and (key := text(m, "id")) is not None}


def _with_metrics(record: PoolUsage, metrics: Mapping[str, Any] | None) -> PoolUsage:
    """``record`` with the pool's sessions and machines now, where the metrics have them."""
    if metrics is None:
        return record
    connected = whole(metrics, "num_connected_sessions")
    disconnected = whole(metrics, "num_disconnected_sessions")  # v3 and later
    sessions = None if connected is None or disconnected is None else connected + disconnected
    return replace(record, sessions_now=sessions, machines_now=whole(metrics, "num_machines"))
