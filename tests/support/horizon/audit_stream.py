"""Audit events of a large pod, generated page by page instead of held in memory (benchmarks).

``AuditStream`` yields a deterministic month of desktop sessions (logon, sometimes a disconnect
and reconnect, logoff) for a list of machines, day by day in time order, each event shaped as
``audit.py`` shapes them (same fields, messages and ids in time order). The server answers
``external/v*/audit-events`` from it (``HorizonTestServer(audit_stream=...)``) with the same
filter, sort and paging rules as for a stored list: the filter and projection are applied to
each event as it is generated, and a cursor per query resumes page N+1 where page N ended, so
reading a million events page by page generates each one about once and holds one day's
skeletons at a time. Sorting by ``time`` ascending (or not at all) is the stream's own order;
any other sort materialises the list (correct, but not lazy).
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .audit import FIRST_ID, MESSAGES
from .fields import project
from .listing import (
    MAX_PAGE_SIZE,
    _positive_int,
    _snake,
    apply_filter,
    apply_sort,
    bad_request,
    paginate,
)

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
KINDS = ("AGENT_CONNECTED", "AGENT_DISCONNECTED", "AGENT_RECONNECTED", "AGENT_ENDED")
LOGON, DISCONNECT, RECONNECT, LOGOFF = range(4)
DISCONNECT_SHARE = 0.3
"""Share of sessions with one disconnect and reconnect (two more events)."""
EVENTS_PER_SESSION = 2 + 2 * DISCONNECT_SHARE
UNUSED_SHARE = 0.03
"""Share of machines nobody logs on to in the whole month (unused desktops)."""
WORKDAY_START_MS = 7 * HOUR_MS
WORKDAY_MS = 11 * HOUR_MS
SID_PREFIX = "S-1-5-21-1004336348-1177238915-682003330-"
CHUNK = 2000
"""Events filtered and projected together."""


@dataclass(frozen=True)
class StreamMachine:
    """What an event tells of its machine."""

    id: str
    dns_name: str
    pool: str
    dedicated: bool


def working_days(now_ms: int, days: int) -> list[int]:
    """Midnights (epoch ms, UTC) of the Monday-to-Friday days from ``days`` days before now
    up to today."""
    today = datetime.fromtimestamp(now_ms // DAY_MS * DAY_MS / 1000, tz=UTC)
    found = []
    for back in range(days, -1, -1):
        day = today - timedelta(days=back)
        if day.weekday() < 5:
            found.append(int(day.timestamp() * 1000))
    return found


class AuditStream:
    """About ``events`` session events over the ``days`` days before ``now_ms`` for
    ``machines``; the same arguments always give the same events."""

    def __init__(
        self,
        machines: Sequence[StreamMachine],
        now_ms: int,
        *,
        days: int = 30,
        events: int = 1_000_000,
        users: int | None = None,
        seed: str = "fleetreport-bench",
    ) -> None:
        self.machines = list(machines)
        self.now_ms = now_ms
        self.days = working_days(now_ms, days)
        self.seed = seed
        self.users = users or max(1, len(self.machines))
        active = max(1, round(len(self.machines) * (1 - UNUSED_SHARE)))
        self.rate = events / (active * len(self.days) * EVENTS_PER_SESSION)
        """Sessions per active machine and working day."""
        unused = random.Random(f"{seed}:unused")
        self.unused = frozenset(
            unused.sample(range(len(self.machines)), len(self.machines) - active)
        )
        self._lock = threading.Lock()
        self._cursors: dict[tuple[Any, ...], tuple[int, Iterator[dict[str, Any]]]] = {}
        self._totals: dict[tuple[Any, ...], int] = {}
        self.generated = 0
        """Events built so far (all queries): how much work the paging costs."""
        self.serving_seconds = 0.0
        """Time spent answering (generating, filtering, paging), for a benchmark to set apart."""

    # ------------------------------------------------------------------ generation
    def _day(self, index: int, midnight: int) -> list[tuple[int, int, int, int]]:
        """(time, kind, machine, user) of one day's events, in time order."""
        rng = random.Random(f"{self.seed}:{index}")
        whole, part = int(self.rate), self.rate - int(self.rate)
        found: list[tuple[int, int, int, int]] = []
        for machine_index, machine in enumerate(self.machines):
            sessions = whole + (rng.random() < part)
            if machine_index in self.unused or not sessions:
                continue
            slot = WORKDAY_MS // sessions
            for number in range(sessions):
                user = machine_index if machine.dedicated else rng.randrange(self.users)
                begin = midnight + WORKDAY_START_MS + number * slot
                start = begin + rng.randrange(slot // 4)
                end = start + rng.randrange(slot // 4, slot * 3 // 4)
                found.append((start, LOGON, machine_index, user))
                if rng.random() < DISCONNECT_SHARE:
                    away = start + rng.randrange(1, max(2, end - start - 10 * MINUTE_MS))
                    back = min(end - 1, away + rng.randrange(MINUTE_MS, 10 * MINUTE_MS))
                    found.append((away, DISCONNECT, machine_index, user))
                    found.append((back, RECONNECT, machine_index, user))
                found.append((end, LOGOFF, machine_index, user))
        found.sort()
        return [event for event in found if event[0] <= self.now_ms]

    def events(self) -> Iterator[dict[str, Any]]:
        """Every event, oldest first, in the stored shape (``audit.py``)."""
        number = FIRST_ID
        for index, midnight in enumerate(self.days):
            for moment, kind, machine_index, user_index in self._day(index, midnight):
                machine = self.machines[machine_index]
                user = SID_PREFIX + str(1000 + user_index)
                name = KINDS[kind]
                self.generated += 1
                yield {
                    "id": number,
                    "time": moment,
                    "type": name,
                    "user_id": user,
                    "machine_id": machine.id,
                    "machine_dns_name": machine.dns_name,
                    "desktop_pool_name": machine.pool,
                    "module": "Agent",
                    "severity": "INFO",
                    "message": MESSAGES[name] % (user, machine.dns_name),
                }
                number += 1

    def selected(
        self, raw_filter: str | None, tree: Any, fields: Mapping[str, frozenset[str]]
    ) -> Iterator[dict[str, Any]]:
        """The events ``raw_filter`` selects, projected by ``tree``, generated as read."""
        source = self.events()
        keys = [key for key in tree if not tree[key]]
        flat = len(keys) == len(tree)  # the stream's fields are scalars: a plain projection
        test = compiled(raw_filter, fields) if raw_filter else None
        while chunk := list(itertools.islice(source, CHUNK)):
            shown = (
                [{k: e[k] for k in keys if k in e} for e in chunk]
                if flat
                else [project(e, tree) for e in chunk]
            )
            if test is not None:
                yield from (e for e in shown if test(e))
            elif raw_filter:
                yield from apply_filter(shown, raw_filter, fields)
            else:
                yield from shown

    # --------------------------------------------------------------------- serving
    def answer(
        self,
        query: dict[str, list[str]],
        tree: Any,
        fields: Mapping[str, frozenset[str]],
        sortable: frozenset[str] | None,
        *,
        capped: bool,
        default_page_size: int,
        total_count: bool,
    ) -> tuple[int, list[dict[str, Any]], dict[str, str]]:
        """The list answer (status, page, headers) a stored list would give to ``query``."""
        started = time.perf_counter()
        try:
            return self._answer(
                query, tree, fields, sortable, capped, default_page_size, total_count
            )
        finally:
            with self._lock:
                self.serving_seconds += time.perf_counter() - started

    def _answer(
        self,
        query: dict[str, list[str]],
        tree: Any,
        fields: Mapping[str, frozenset[str]],
        sortable: frozenset[str] | None,
        capped: bool,
        default_page_size: int,
        total_count: bool,
    ) -> tuple[int, list[dict[str, Any]], dict[str, str]]:
        raw = query["filter"][-1] if "filter" in query else None
        if raw is not None:
            apply_filter([], raw, fields)  # the same 400s as a stored list, before any work
        sort_by = order_by = None
        if sortable is not None:
            sort_by = (query.get("sort_by") or [None])[-1]
            order_by = (query.get("order_by") or [None])[-1]
            apply_sort([], sort_by, order_by, sortable)
        in_order = not sort_by or (sort_by == "time" and (order_by or "ASC").upper() == "ASC")
        if not in_order:
            everything = list(self.selected(raw, tree, fields))
            records = apply_sort(everything, sort_by, order_by, sortable or frozenset())
            return self._paged_list(records, query, capped, default_page_size, total_count)
        start, size = self._window(query, capped, default_page_size)
        key = (raw, id(tree), size)
        with self._lock:
            page, more = self._page(key, raw, tree, fields, start, size)
            headers = {"HAS_MORE_RECORDS": "TRUE"} if more else {}
            if total_count:
                headers["X-TOTAL-COUNT"] = str(self._total(raw, tree, fields))
        if not page and start > 0:
            raise bad_request("rest.pagination.page.out.of.range", "page is past the last page")
        return 200, page, headers

    @staticmethod
    def _window(
        query: dict[str, list[str]], capped: bool, default_page_size: int
    ) -> tuple[int, int | None]:
        """(first record, page size or None for all), validated as ``listing.paginate`` does."""
        has_page, has_size = "page" in query, "size" in query
        if not has_page and not has_size:
            return 0, default_page_size if capped else None
        if has_page != has_size:
            raise bad_request("rest.pagination.invalid", "page and size must be passed together")
        page, size = _positive_int(query, "page"), _positive_int(query, "size")
        if size > MAX_PAGE_SIZE:
            raise bad_request("rest.pagination.invalid", "size must not exceed %d" % MAX_PAGE_SIZE)
        return (page - 1) * size, size

    def _page(
        self,
        key: tuple[Any, ...],
        raw: str | None,
        tree: Any,
        fields: Mapping[str, frozenset[str]],
        start: int,
        size: int | None,
    ) -> tuple[list[dict[str, Any]], bool]:
        """Records ``start`` to ``start + size`` and whether more follow, resuming the cursor
        the previous page of the same query left, if it ended at ``start``."""
        cursor = self._cursors.pop(key, None)
        if cursor is not None and cursor[0] == start:
            source = cursor[1]
        else:
            source = itertools.islice(self.selected(raw, tree, fields), start, None)
        page = list(source if size is None else itertools.islice(source, size))
        following = next(source, None)
        if following is None:
            return page, False
        self._cursors[key] = (start + len(page), itertools.chain([following], source))
        return page, True

    def _total(self, raw: str | None, tree: Any, fields: Mapping[str, frozenset[str]]) -> int:
        """How many events the filter selects (one counting pass per filter, kept)."""
        key = (raw, id(tree))
        if key not in self._totals:
            self._totals[key] = sum(1 for _ in self.selected(raw, tree, fields))
        return self._totals[key]

    @staticmethod
    def _paged_list(
        records: list[dict[str, Any]],
        query: dict[str, list[str]],
        capped: bool,
        default_page_size: int,
        total_count: bool,
    ) -> tuple[int, list[dict[str, Any]], dict[str, str]]:
        page, more = paginate(records, query, capped=capped, default_page_size=default_page_size)
        headers = {"HAS_MORE_RECORDS": "TRUE"} if more else {}
        if total_count:
            headers["X-TOTAL-COUNT"] = str(len(records))
        return 200, page, headers


Predicate = Callable[[Mapping[str, Any]], bool]


def compiled(raw: str, fields: Mapping[str, frozenset[str]]) -> Predicate | None:
    """``listing._matches`` for flat records of scalars, as one function built once (a
    million events through the generic matcher cost the server seconds); None where the
    filter names a nested field or its values would not compare: the generic matcher then."""
    try:
        return _compile(json.loads(raw), fields)
    except (ValueError, TypeError, KeyError):
        return None


def _compile(f: dict[str, Any], fields: Mapping[str, frozenset[str]]) -> Predicate | None:
    kind = f["type"]
    if kind in ("And", "Or"):
        parts = [_compile(sub, fields) for sub in f["filters"]]
        if any(p is None for p in parts):
            return None
        tests = [p for p in parts if p is not None]
        if kind == "And":
            return lambda r: all([t(r) for t in tests])  # every part, as the matcher does
        return lambda r: any([t(r) for t in tests])
    if kind == "Not":
        inner = _compile(f["filter"], fields)
        return None if inner is None else (lambda r: not inner(r))
    name = f["name"] if f["name"] in fields else _snake(f["name"])
    if "." in name:
        return None
    if kind == "Between":
        lo, hi = f["from_value"], f["to_value"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (lo, hi)):
            return None
        return lambda r: isinstance(v := r.get(name), int) and lo <= v <= hi
    value = f.get("value")
    if kind == "Equals":
        return lambda r: r[name] == value if name in r else value is None
    if kind == "NotEquals":
        return lambda r: name not in r or r[name] != value
    if not isinstance(value, str):
        return None
    method = {"Contains": str.__contains__, "StartsWith": str.startswith, "EndsWith": str.endswith}
    test = method[kind]
    return lambda r: isinstance(v := r.get(name), str) and test(v, value)
