"""Usage evidence from vCenter (issue 16): each VM's CPU and each host's power draw over N days.

``collect_vcenter_usage`` reads the historical interval that covers the window, the two counter
ids, and then ``QueryPerf`` in batches (``perf_history``); it keeps one compact summary per VM
and host (``VCenterUsage``), never the raw samples. Every VM that is not a template, and every
host, gets exactly one record, so "asked, and vCenter kept nothing" (``no_data``) is told apart
from "not asked". VMs powered off now are asked too: their history is the evidence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from pyVmomi import vim

from fleetreport.collect.vcenter.inventory import VCenterInventory
from fleetreport.collect.vcenter.perf_history import (
    DAY_SECONDS,
    Counter,
    HistoricalInterval,
    Query,
    Series,
    counters_by_name,
    historical_intervals,
    interval_covering,
    query_in_batches,
)
from fleetreport.collect.vcenter.session import VCenterSession
from fleetreport.snapshot.model import VCenterUsage

VM_CPU_COUNTER = "cpu.usage.average"
HOST_POWER_COUNTER = "power.power.average"
DEFAULT_BATCH_SIZE = 250
"""Specs per QueryPerf call (one metric each): under vCenter's default limit of 256 metrics per
query, ``vpxd.stats.maxQueryMetrics``; a lower limit halves the batches (``perf_history``)."""
ACTIVITY_FLOOR_PERCENT = 5.0
"""A sample above this CPU usage counts as active: Azure Advisor's low-utilisation bound for
VMs ("CPU utilization is 5% or less", Advisor cost recommendations)."""
PERCENT_SCALE = 100
"""``percent`` counters come in hundredths of a percent (vSphere API, PerfCounterInfo units)."""


def collect_vcenter_usage(
    session: VCenterSession,
    days: int,
    inventory: VCenterInventory,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    activity_floor_percent: float = ACTIVITY_FLOOR_PERCENT,
    now: datetime | None = None,
) -> list[VCenterUsage]:
    """Summaries of VM CPU and host power over the last ``days`` days, one per VM and host."""
    if days < 1:
        raise ValueError("days must be at least 1")
    end = (now or datetime.now(UTC)).replace(microsecond=0)
    intervals = historical_intervals(session)
    vms = [vm for vm in inventory.vms if not vm.template]
    uuid = inventory.vcenter.instance_uuid
    if not intervals:
        frame = _Frame(uuid, None, end - timedelta(days=days), end, {})
        note = "vCenter keeps no historical statistics interval"
        records = [frame.blank(vm.moref, "VirtualMachine", vm.name) for vm in vms]
        records += [frame.blank(h.moref, "HostSystem", h.name) for h in inventory.hosts]
        return [replace(r, status="not_collected", note=note) for r in records]
    interval = interval_covering(intervals, days)
    start = end - timedelta(seconds=min(days * DAY_SECONDS, interval.length))
    counters = counters_by_name(session, (VM_CPU_COUNTER, HOST_POWER_COUNTER))
    cpu = _kept(counters.get(VM_CPU_COUNTER), VM_CPU_COUNTER, interval)
    power = _kept(counters.get(HOST_POWER_COUNTER), HOST_POWER_COUNTER, interval)
    queries: list[Query] = []
    if isinstance(cpu, Counter):
        queries += [Query(vim.VirtualMachine(vm.moref), (cpu.key,)) for vm in vms]
    if isinstance(power, Counter):
        queries += [Query(vim.HostSystem(h.moref), (power.key,)) for h in inventory.hosts]
    frame = _Frame(uuid, interval, start, end, {})
    vm_names = {vm.moref: vm.name for vm in vms}
    host_names = {h.moref: h.name for h in inventory.hosts}
    done: dict[str, VCenterUsage] = {}

    def summarise(item: Series) -> None:  # as each batch arrives: no raw samples are kept
        one = {(item.moref, item.counter): item}
        if isinstance(cpu, Counter) and item.counter == cpu.key and item.moref in vm_names:
            name = vm_names[item.moref]
            done[item.moref] = frame.vm(item.moref, name, cpu, one, activity_floor_percent)
        elif isinstance(power, Counter) and item.counter == power.key and item.moref in host_names:
            done[item.moref] = frame.host(item.moref, host_names[item.moref], power, one)

    result = query_in_batches(session, queries, interval, start, end, batch_size, summarise)
    frame.faults = result.faults
    records = [
        done.get(vm.moref) or frame.vm(vm.moref, vm.name, cpu, {}, activity_floor_percent)
        for vm in vms
    ]
    records += [
        done.get(h.moref) or frame.host(h.moref, h.name, power, {}) for h in inventory.hosts
    ]
    return records


def _kept(counter: Counter | None, name: str, interval: HistoricalInterval) -> Counter | str:
    """The counter, or why vCenter does not keep it in ``interval``."""
    if counter is None:
        return f"vCenter has no {name} counter"
    if interval.level is not None and counter.level is not None and counter.level > interval.level:
        return (
            f"{name} is a level {counter.level} counter; the {interval.name} interval keeps "
            f"statistics level {interval.level}"
        )
    return counter


class _Frame:
    """What every record of one collection shares, and the two record builders."""

    def __init__(
        self,
        vcenter: str,
        interval: HistoricalInterval | None,
        start: datetime,
        end: datetime,
        faults: dict[str, str],
    ) -> None:
        self.vcenter = vcenter
        self.interval = interval
        self.start = start
        self.end = end
        self.faults = faults

    def blank(self, moref: str, kind: str, name: str) -> VCenterUsage:
        """A record without a summary (``no_data``), for the builders to complete."""
        return VCenterUsage(
            vcenter=self.vcenter,
            moref=moref,
            entity_type=kind,
            name=name,
            status="no_data",
            counter=VM_CPU_COUNTER if kind == "VirtualMachine" else HOST_POWER_COUNTER,
            interval_seconds=self.interval.sampling_period if self.interval else None,
            window_start=self.start,
            window_end=self.end,
        )

    def _unmeasured(
        self, blank: VCenterUsage, counter: Counter | str, series: Series | None
    ) -> VCenterUsage | None:
        """The record when there is nothing to summarise, else None."""
        if isinstance(counter, str):
            return replace(blank, status="not_collected", note=counter)
        if blank.moref in self.faults:
            return replace(blank, status="error", note=self.faults[blank.moref])
        if series is not None and series.problem is not None:
            return replace(blank, status="error", note=series.problem)
        if series is None or not series.samples:
            return replace(blank, note="no sample in the window")
        return None

    def vm(
        self,
        moref: str,
        name: str,
        counter: Counter | str,
        series: dict[tuple[str, int], Series],
        floor: float,
    ) -> VCenterUsage:
        """The CPU summary of one VM."""
        blank = self.blank(moref, "VirtualMachine", name)
        found = series.get((moref, counter.key)) if isinstance(counter, Counter) else None
        unmeasured = self._unmeasured(blank, counter, found)
        if unmeasured is not None or found is None:
            return unmeasured or blank
        values = sorted(v for _, v in found.samples)
        times = [t for t, _ in found.samples]
        return replace(
            blank,
            status="measured",
            samples=len(values),
            first_sample=min(times),
            last_sample=max(times),
            cpu_mean_percent=round(sum(values) / len(values) / PERCENT_SCALE, 4),
            cpu_p95_percent=nearest_rank(values, 95) / PERCENT_SCALE,
            cpu_active_samples=sum(1 for v in values if v > floor * PERCENT_SCALE),
            activity_floor_percent=floor,
        )

    def host(
        self,
        moref: str,
        name: str,
        counter: Counter | str,
        series: dict[tuple[str, int], Series],
    ) -> VCenterUsage:
        """The power summary of one host; a host that reports 0 W throughout meters nothing."""
        blank = self.blank(moref, "HostSystem", name)
        found = series.get((moref, counter.key)) if isinstance(counter, Counter) else None
        unmeasured = self._unmeasured(blank, counter, found)
        if unmeasured is not None or found is None:
            return unmeasured or blank
        values = [v for _, v in found.samples]
        times = [t for t, _ in found.samples]
        read = replace(blank, samples=len(values), first_sample=min(times), last_sample=max(times))
        if not any(values):
            note = "the host reported 0 W throughout: it has no power meter vCenter can read"
            return replace(read, note=note)
        return replace(
            read,
            status="measured",
            power_mean_watts=round(sum(values) / len(values), 4),
            power_peak_watts=float(max(values)),
        )


def nearest_rank(ordered: Sequence[int], percentile: int) -> int:
    """The nearest-rank percentile of ascending ``ordered`` (the ceil(p/100 * n)-th value)."""
    rank = max(1, math.ceil(percentile / 100 * len(ordered)))
    return ordered[rank - 1]
