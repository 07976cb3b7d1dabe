"""vCenter's PerformanceManager in bulk: historical intervals, counter ids, batched QueryPerf.

The round trips are two reads (``historicalInterval``, ``perfCounter``) and one ``QueryPerf``
per batch of entities; a batch that faults is split in halves until the entity that vCenter
refuses (deleted since the inventory was read, say) stands alone, so one entity costs the
others nothing. A session that vCenter ends is logged in again (once per call).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from pyVmomi import vim, vmodl

from fleetreport.collect.vcenter.session import VCenterSession
from fleetreport.collect.vcenter.soap_stream import parse_soap_time

log = logging.getLogger(__name__)

DAY_SECONDS = 86400
T = TypeVar("T")


@dataclass(frozen=True)
class HistoricalInterval:
    """One of vCenter's statistics intervals (``PerfInterval``)."""

    name: str
    sampling_period: int
    """Seconds per sample (``samplingPeriod``), also the ``intervalId`` of a query."""
    length: int
    """Seconds of history kept."""
    level: int | None
    """Statistics level: counters of this level or lower are kept (None on an ESXi host)."""


@dataclass(frozen=True)
class Counter:
    """A performance counter: its id on this vCenter, its name and statistics level."""

    key: int
    name: str
    """``group.name.rollup``, e.g. ``cpu.usage.average``."""
    level: int | None


@dataclass(frozen=True)
class Series:
    """One entity's samples of one counter: (time, value) pairs, vCenter's -1 left out."""

    moref: str
    counter: int
    samples: list[tuple[datetime, int]]
    problem: str | None = None
    """Why the series could not be read (its samples are then empty)."""


@dataclass(frozen=True)
class Query:
    """One entity to read: its managed object, and the counters to read for it."""

    entity: Any
    counters: tuple[int, ...]


@dataclass(frozen=True)
class BatchResult:
    """How the batched queries went: the entities vCenter refused (by moref), and the calls."""

    faults: dict[str, str]
    calls: int


def historical_intervals(session: VCenterSession) -> list[HistoricalInterval]:
    """The vCenter's enabled historical intervals, shortest sampling period first."""
    manager = session.content.perfManager
    raw = _call(
        session, lambda: manager.historicalInterval, "PerformanceManager.historicalInterval"
    )
    intervals = [
        HistoricalInterval(
            name=str(item.name),
            sampling_period=int(item.samplingPeriod),
            length=int(item.length),
            level=int(item.level) if item.level is not None else None,
        )
        for item in raw or []
        if item.enabled and int(item.samplingPeriod) > 0
    ]
    return sorted(intervals, key=lambda i: i.sampling_period)


def interval_covering(intervals: Sequence[HistoricalInterval], days: int) -> HistoricalInterval:
    """The finest interval whose history covers ``days``, else the longest one kept.

    With vCenter's defaults (vSphere Web Services SDK Programming Guide, "vCenter Server
    Performance Intervals"): 1 day -> 5-minute, 7 -> 30-minute, 30 -> 2-hour, 365 -> daily.
    """
    if not intervals:
        raise ValueError("vCenter keeps no historical interval")
    wanted = days * DAY_SECONDS
    covering = [i for i in intervals if i.length >= wanted]
    if covering:
        return min(covering, key=lambda i: i.sampling_period)
    return max(intervals, key=lambda i: i.length)


def counters_by_name(session: VCenterSession, names: Sequence[str]) -> dict[str, Counter]:
    """The counters among ``names`` (``group.name.rollup``) that this vCenter defines."""
    manager = session.content.perfManager
    raw = _call(session, lambda: manager.perfCounter, "PerformanceManager.perfCounter")
    wanted = set(names)
    found: dict[str, Counter] = {}
    for info in raw or []:
        name = f"{info.groupInfo.key}.{info.nameInfo.key}.{info.rollupType}"
        if name in wanted and name not in found:
            level = int(info.level) if info.level is not None else None
            found[name] = Counter(key=int(info.key), name=name, level=level)
    return found


def query_in_batches(
    session: VCenterSession,
    queries: Sequence[Query],
    interval: HistoricalInterval,
    start: datetime,
    end: datetime,
    batch_size: int,
    on_series: Callable[[Series], None],
) -> BatchResult:
    """``QueryPerf`` for all ``queries``, ``batch_size`` specs per call (aggregate instance).

    Each series goes to ``on_series`` as its batch arrives, so only one batch's samples are
    held at a time. A batch over the vCenter's ``vpxd.stats.maxQueryMetrics`` (default 256,
    refused with ``RestrictedByAdministrator``) is halved, and so are the batches after it.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    faults: dict[str, str] = {}
    calls = 0
    size = batch_size
    max_sample = (end - start).total_seconds() // interval.sampling_period + 1

    def spec(query: Query) -> Any:
        return vim.PerformanceManager.QuerySpec(
            entity=query.entity,
            startTime=start,
            endTime=end,
            intervalId=interval.sampling_period,
            maxSample=int(max_sample),  # ignored by vCenter for historical intervals
            # One string per series instead of an element per sample: for 250 VMs a month of
            # two-hour samples is about 2,000 elements rather than 360,000, which pyVmomi
            # decodes in a fraction of the time (8 s per call before, bench/usage.py).
            format="csv",
            metricId=[
                vim.PerformanceManager.MetricId(counterId=c, instance="") for c in query.counters
            ],
        )

    def run(batch: Sequence[Query]) -> None:
        nonlocal calls, size
        calls += 1
        manager = session.content.perfManager
        specs = [spec(q) for q in batch]
        try:
            answer = _call(session, lambda: manager.QueryPerf(querySpec=specs), "QueryPerf")
        except vim.fault.NotAuthenticated:
            raise
        except vmodl.MethodFault as fault:
            if len(batch) > 1:
                half = len(batch) // 2
                if isinstance(fault, vim.fault.RestrictedByAdministrator):
                    size = min(size, half)  # over the vCenter's limit: smaller batches from now
                run(batch[:half])
                run(batch[half:])
                return
            moref = str(batch[0].entity._moId)
            faults[moref] = _fault_text(fault)
            log.info("%s: QueryPerf refused %s: %s", session.endpoint.url, moref, faults[moref])
            return
        for item in _entity_series(answer):
            on_series(item)

    position = 0
    while position < len(queries):
        batch = queries[position : position + size]
        run(batch)
        position += len(batch)
    return BatchResult(faults=faults, calls=calls)


def _call(session: VCenterSession, fn: Callable[[], T], what: str) -> T:
    """``session.call``; if vCenter ended the session, log in again once and call again."""
    try:
        return session.call(fn, what)
    except vim.fault.NotAuthenticated:
        if session.login is None:
            raise
        session.relogin()
        return session.call(fn, what)


def _entity_series(answer: Any) -> Iterator[Series]:
    """Each series of the answer, its values paired with the sample times (in UTC): the CSV
    format asked for, or the normal one should a server answer with it."""
    for metric in answer or []:
        moref = str(metric.entity._moId)
        csv = isinstance(metric, vim.PerformanceManager.EntityMetricCSV)
        try:
            times = _csv_times(metric.sampleInfoCSV) if csv else _times(metric)
        except ValueError as error:
            problem = f"vCenter sent sample times that cannot be read: {error}"
            for value in metric.value or []:
                yield Series(
                    moref=moref, counter=int(value.id.counterId), samples=[], problem=problem
                )
            continue
        for value in metric.value or []:
            counter = int(value.id.counterId)
            try:
                values = _csv_values(value.value) if csv else [int(v) for v in value.value or []]
            except ValueError:
                problem = "vCenter sent values that are not whole numbers"
                yield Series(moref=moref, counter=counter, samples=[], problem=problem)
                continue
            if values and len(values) != len(times):
                problem = f"vCenter sent {len(values)} values for {len(times)} sample times"
                yield Series(moref=moref, counter=counter, samples=[], problem=problem)
                continue
            samples = [(t, v) for t, v in zip(times, values, strict=False) if v >= 0]
            yield Series(moref=moref, counter=counter, samples=samples)


def _times(metric: Any) -> list[datetime]:
    return [info.timestamp.astimezone(UTC) for info in metric.sampleInfo or []]


def _csv_times(text: str | None) -> list[datetime]:
    """``interval,time,interval,time,...`` (``PerfEntityMetricCSV.sampleInfoCSV``): the times,
    in UTC."""
    fields = text.split(",") if text else []
    if len(fields) % 2:
        raise ValueError("an interval without its time")
    return [parse_soap_time(moment) for moment in fields[1::2]]


def _csv_values(text: str | None) -> list[int]:
    """``v1,v2,...`` (``PerfMetricSeriesCSV.value``); an empty series has none."""
    return [int(v) for v in text.split(",")] if text else []


def _fault_text(fault: vmodl.MethodFault) -> str:
    name = type(fault).__name__.rsplit(".", 1)[-1]
    message = str(getattr(fault, "msg", "") or "").strip()
    return f"{name}: {message}" if message else name
