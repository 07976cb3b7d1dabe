"""vCenter performance history for usage (issue 16): the interval that covers the window, the
exact summaries of the simulator's recorded series, one QueryPerf per batch of entities, and
the records for VMs and hosts without data, without the counter, or refused in a batch."""

from __future__ import annotations

import dataclasses
import math
import os
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pyVmomi import vim
from support.vcsim import DEFAULT_GOPATH, VcsimServer, start_vcsim

from fleetreport.collect.vcenter.inventory import VCenterInventory, collect_vcenter
from fleetreport.collect.vcenter.perf_history import (
    Counter,
    HistoricalInterval,
    Series,
    _entity_series,
    counters_by_name,
    historical_intervals,
    interval_covering,
)
from fleetreport.collect.vcenter.session import VCenterSession, open_session
from fleetreport.collect.vcenter.usage import _Frame, collect_vcenter_usage
from fleetreport.endpoints import Endpoint, TlsOptions
from fleetreport.secrets import Secret
from fleetreport.snapshot.model import VCenterUsage

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
VM_CPU = 2  # cpu.usage.average in the simulator's vpx.PerfCounter
H1_WATTS = [180, 220, 200, 260, 240]

SCENARIO: dict[str, Any] = {
    "vcenter": {"name": "vc-usage.example.test"},
    "datacenters": [
        {
            "name": "DC-U",
            "clusters": [
                {
                    "name": "VDI-U",
                    "hosts": [
                        {"name": "esx-u1.example.test", "power_watts": H1_WATTS},
                        {"name": "esx-u2.example.test"},
                    ],
                }
            ],
        }
    ],
    "vms": [
        {"name": "W11-001"},
        {"name": "W11-002"},
        {"name": "W11-off", "power_state": "poweredOff"},
        {"name": "Gold-Template", "template": True},
    ],
}


def bulk(count: int) -> dict[str, Any]:
    """``count`` powered-on VMs on one host."""
    return {
        "datacenters": [{"name": "DC-B", "clusters": [{"name": "B", "hosts": [{"name": "h"}]}]}],
        "bulk": [{"cluster": "B", "count": count, "name_prefix": "vdi-"}],
    }


# --- the simulator's own data, read from govmomi's source ---------------------------------


def recorded_series(table: str, counter: int) -> list[int]:
    """``table[counter]`` from govmomi's vpx/performance_manager_data.go (recorded metrics)."""
    gopath = os.environ.get("FLEETREPORT_VCSIM_GOPATH", DEFAULT_GOPATH)
    source = Path(gopath, "src/github.com/vmware/govmomi/simulator/vpx/performance_manager_data.go")
    text = source.read_text(encoding="utf-8")
    block = text[text.index(f"var {table} = map[int32][]int64{{") :]
    match = re.search(rf"\n\t{counter}: \[\]int64\{{([^}}]*)\}}", block)
    assert match is not None
    return [int(v) for v in match.group(1).replace("\n", " ").split(",") if v.strip()]


def simulated(points: Sequence[int], days: int, interval: int) -> list[int]:
    """What the simulator's QueryPerf serves: sample k (newest first) of a window ending at NOW
    is points[(start // interval + k) mod len(points)], 1 + length // interval samples."""
    start = int((NOW - timedelta(days=days)).timestamp())
    count = 1 + days * 86400 // interval
    return [points[(start // interval + k) % len(points)] for k in range(count)]


def p95(values: Sequence[int]) -> int:
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


# --- sessions ----------------------------------------------------------------------------


@contextmanager
def session_on(server: VcsimServer) -> Iterator[tuple[VCenterSession, VCenterInventory]]:
    endpoint = Endpoint("https", server.host, server.port, "/sdk")
    assert server.ca_file is not None
    tls = TlsOptions(ca_file=Path(server.ca_file))
    with open_session(endpoint, server.username, Secret(server.password), tls, 60) as session:
        yield session, collect_vcenter(session)


def usage(
    server: VcsimServer, days: int = 30, inventory_edit: Any = None, **options: Any
) -> tuple[list[VCenterUsage], int]:
    """The records, and the round trips their collection took."""
    with session_on(server) as (session, inventory):
        if inventory_edit is not None:
            inventory = inventory_edit(inventory)
        before = session.round_trips.count
        records = collect_vcenter_usage(session, days, inventory, now=NOW, **options)
        return records, session.round_trips.count - before


def by_name(records: list[VCenterUsage]) -> dict[str, VCenterUsage]:
    return {r.name: r for r in records}


@pytest.fixture(scope="module")
def level2() -> Iterator[VcsimServer]:
    with start_vcsim(SCENARIO, extra_args=["-stats-level", "2"]) as server:
        yield server


# --- the interval ------------------------------------------------------------------------

DEFAULTS = [  # vCenter's, as the rig serves them (vSphere Web Services SDK guide)
    HistoricalInterval("Past day", 300, 86400, 1),
    HistoricalInterval("Past week", 1800, 604800, 1),
    HistoricalInterval("Past month", 7200, 2592000, 1),
    HistoricalInterval("Past year", 86400, 31536000, 1),
]


@pytest.mark.parametrize(
    ("days", "period"), [(1, 300), (2, 1800), (7, 1800), (30, 7200), (31, 86400), (400, 86400)]
)
def test_the_finest_interval_that_covers_the_window(days: int, period: int) -> None:
    assert interval_covering(DEFAULTS, days).sampling_period == period


# --- exact summaries ---------------------------------------------------------------------


@pytest.mark.simulator
def test_vm_and_host_summaries_are_the_simulators_series(level2: VcsimServer) -> None:
    records, round_trips = usage(level2, days=30)
    assert round_trips == 3  # historicalInterval, perfCounter, one QueryPerf
    got = by_name(records)
    assert set(got) == {
        "W11-001",
        "W11-002",
        "W11-off",
        "esx-u1.example.test",
        "esx-u2.example.test",
    }  # the template is not asked for
    cpu = simulated(recorded_series("VmMetricData", VM_CPU), 30, 7200)
    assert len(cpu) == 361
    for name in ("W11-001", "W11-002"):
        record = got[name]
        assert record.status == "measured"
        assert (record.interval_seconds, record.samples) == (7200, 361)
        assert record.window_start == NOW - timedelta(days=30)
        assert (record.first_sample, record.last_sample) == (record.window_start, NOW)
        assert record.cpu_mean_percent == round(sum(cpu) / len(cpu) / 100, 4)
        assert record.cpu_p95_percent == p95(cpu) / 100
        assert record.cpu_active_samples == sum(1 for v in cpu if v > 500)
        assert record.activity_floor_percent == 5.0
    # The same figures worked by hand from govmomi's table, so the derivation is checked too.
    assert (got["W11-001"].cpu_mean_percent, got["W11-001"].cpu_p95_percent) == (7.0244, 22.52)
    assert got["W11-001"].cpu_active_samples == 200

    watts = simulated(H1_WATTS, 30, 7200)
    host = got["esx-u1.example.test"]
    assert (host.status, host.samples, host.counter) == ("measured", 361, "power.power.average")
    assert host.power_mean_watts == round(sum(watts) / len(watts), 4)
    assert host.power_peak_watts == 260.0
    assert host.cpu_mean_percent is None


@pytest.mark.simulator
def test_no_data_for_a_vm_off_throughout_and_a_host_without_a_meter(level2: VcsimServer) -> None:
    got = by_name(usage(level2, days=30)[0])
    off = got["W11-off"]
    assert (off.status, off.samples, off.note) == ("no_data", 0, "no sample in the window")
    assert off.cpu_mean_percent is None and off.first_sample is None
    # The simulator's recorded power.power.average is all zeros, which govmomi's encoder drops:
    # an empty series, as vCenter sends for a host without power management.
    meterless = got["esx-u2.example.test"]
    assert (meterless.status, meterless.power_mean_watts) == ("no_data", None)


@pytest.mark.simulator
def test_a_year_is_read_from_the_daily_rollups(level2: VcsimServer) -> None:
    got = by_name(usage(level2, days=365)[0])
    cpu = simulated(recorded_series("VmMetricData", VM_CPU), 365, 86400)
    record = got["W11-002"]
    assert (record.interval_seconds, record.samples) == (86400, 366)
    assert record.cpu_mean_percent == round(sum(cpu) / len(cpu) / 100, 4)
    assert got["esx-u1.example.test"].power_peak_watts == float(
        max(simulated(H1_WATTS, 365, 86400))
    )


@pytest.mark.simulator
def test_power_is_not_kept_at_vcenters_default_statistics_level() -> None:
    with start_vcsim(SCENARIO) as server:  # every interval at level 1, as vCenter ships
        records, round_trips = usage(server, days=30)
    got = by_name(records)
    assert round_trips == 3  # the hosts are not queried at all
    assert {n for n, r in got.items() if r.status == "measured"} == {"W11-001", "W11-002"}
    for name in ("esx-u1.example.test", "esx-u2.example.test"):
        assert got[name].status == "not_collected"
        assert got[name].note == (
            "power.power.average is a level 2 counter; the Past month interval keeps "
            "statistics level 1"
        )


# --- bulk --------------------------------------------------------------------------------


@pytest.mark.simulator
@pytest.mark.parametrize(("vms", "round_trips"), [(10, 3), (1000, 6)])
def test_calls_grow_with_vms_only_by_batches(vms: int, round_trips: int) -> None:
    with start_vcsim(bulk(vms)) as server:
        records, spent = usage(server, days=30, batch_size=250)
    assert spent == round_trips == 2 + math.ceil(vms / 250)  # level 1: VMs only
    measured = [r for r in records if r.status == "measured"]
    assert len(measured) == vms
    assert {r.samples for r in measured} == {361}


@pytest.mark.simulator
def test_batches_over_the_vcenters_metric_limit_are_halved_from_then_on() -> None:
    with start_vcsim(bulk(1000), extra_args=["-max-query-metrics", "100"]) as server:
        records, spent = usage(server, days=30, batch_size=250)
    # 250 refused -> 125 refused -> 62 + 63 read; 125 refused -> 62 + 63 read; then the other
    # 750 VMs in batches of 62: 13 calls. 2 reads + 7 + 13.
    assert spent == 22
    assert sum(1 for r in records if r.status == "measured") == 1000


@pytest.mark.simulator
def test_a_refused_entity_costs_its_batch_nothing(level2: VcsimServer) -> None:
    def with_a_deleted_vm(inventory: VCenterInventory) -> VCenterInventory:
        ghost = dataclasses.replace(inventory.vms[0], moref="vm-999999", name="W11-deleted")
        return dataclasses.replace(inventory, vms=[*inventory.vms, ghost])

    records, round_trips = usage(level2, days=30, inventory_edit=with_a_deleted_vm, batch_size=2)
    got = by_name(records)
    # Specs: W11-001, W11-002 | W11-off, W11-deleted | two hosts. The second batch faults and
    # is split: W11-off alone passes, W11-deleted alone faults. 2 reads + 3 batches + 2 halves.
    assert round_trips == 7
    assert got["W11-deleted"].status == "error"
    assert got["W11-deleted"].note is not None
    assert got["W11-deleted"].note.startswith("ManagedObjectNotFound")
    assert {n for n, r in got.items() if r.status == "measured"} == {
        "W11-001",
        "W11-002",
        "esx-u1.example.test",
    }
    assert got["W11-off"].status == "no_data"


@pytest.mark.simulator
def test_a_session_that_vcenter_ended_is_logged_in_again() -> None:
    with start_vcsim(SCENARIO, session_idle_timeout=1.0) as server, session_on(server) as opened:
        session, inventory = opened
        time.sleep(2.5)  # idle past the timeout: vCenter ends the session
        records = collect_vcenter_usage(session, 30, inventory, now=NOW)
        assert session.relogins == 1
    assert {r.name for r in records if r.status == "measured"} == {"W11-001", "W11-002"}


@pytest.mark.simulator
def test_counters_are_found_by_name_with_their_id_and_level(level2: VcsimServer) -> None:
    wanted = ("cpu.usage.average", "power.power.average", "cpu.usage.median")
    with session_on(level2) as (session, _):
        found = counters_by_name(session, wanted)
    assert found == {  # the simulator's vpx.PerfCounter; vSphere has no "median" rollup
        "cpu.usage.average": Counter(VM_CPU, "cpu.usage.average", 1),
        "power.power.average": Counter(157, "power.power.average", 2),
    }


# --- what the simulator cannot send ------------------------------------------------------


def frame() -> _Frame:
    interval = DEFAULTS[2]
    return _Frame("uuid-1", interval, NOW - timedelta(days=30), NOW, {})


def test_a_host_reporting_zero_watts_throughout_has_no_meter() -> None:
    power = Counter(157, "power.power.average", 2)
    samples = [(NOW - timedelta(hours=2 * k), 0) for k in range(3)]
    series = {("host-9", 157): Series("host-9", 157, samples)}
    record = frame().host("host-9", "esx-9", power, series)
    assert (record.status, record.samples, record.power_mean_watts) == ("no_data", 3, None)
    assert record.note == "the host reported 0 W throughout: it has no power meter vCenter can read"


def test_a_series_that_does_not_match_its_sample_times_is_an_error() -> None:
    cpu = Counter(2, "cpu.usage.average", 1)
    problem = "vCenter sent 2 values for 3 sample times"
    series = {("vm-9", 2): Series("vm-9", 2, [], problem=problem)}
    record = frame().vm("vm-9", "W-9", cpu, series, 5.0)
    assert (record.status, record.note, record.cpu_mean_percent) == ("error", problem, None)


class PerfManagerOnly:
    """A session whose PerformanceManager keeps ``intervals``: what the simulator cannot serve."""

    login = None

    def __init__(self, intervals: list[Any]) -> None:
        self.content = SimpleNamespace(perfManager=SimpleNamespace(historicalInterval=intervals))

    def call(self, fn: Any, what: str) -> Any:
        return fn()


def test_an_interval_without_a_statistics_level_is_kept_with_no_level() -> None:
    # An ESXi host's PerformanceManager (or a vCenter that leaves it unset) sends no level.
    day = vim.HistoricalInterval(key=1, samplingPeriod=300, name="Past day", length=86400)
    day.enabled = True
    month = vim.HistoricalInterval(key=3, samplingPeriod=7200, name="Past month")
    month.length, month.level, month.enabled = 2592000, 1, True
    session: Any = PerfManagerOnly([month, day])
    assert historical_intervals(session) == [
        HistoricalInterval("Past day", 300, 86400, None),
        HistoricalInterval("Past month", 7200, 2592000, 1),
    ]


@pytest.mark.simulator
def test_a_vcenter_with_every_interval_disabled_gives_each_vm_and_host_a_reason(
    level2: VcsimServer,
) -> None:
    """No enabled historical interval (or an ESXi host's, which keeps none): nothing is asked
    for, and every VM and host still has its record, by its moref, saying why."""
    day = vim.HistoricalInterval(key=1, samplingPeriod=300, name="Past day", length=86400)
    day.level, day.enabled = 1, False
    with session_on(level2) as (_, inventory):
        pass
    records = collect_vcenter_usage(PerfManagerOnly([day]), 30, inventory, now=NOW)  # type: ignore[arg-type]
    wanted = {(vm.moref, "VirtualMachine") for vm in inventory.vms if not vm.template}
    wanted |= {(host.moref, "HostSystem") for host in inventory.hosts}
    assert {(r.moref, r.entity_type) for r in records} == wanted and len(records) == len(wanted)
    assert {(r.status, r.note) for r in records} == {
        ("not_collected", "vCenter keeps no historical statistics interval")
    }


# --- the compact CSV format ---------------------------------------------------------------


def query_both_formats(server: VcsimServer) -> dict[str, list[Series]]:
    """Every series of the powered-on VMs and the metered host, read once in the normal format
    and once in the CSV format the collector asks for."""
    with session_on(server) as (session, inventory):
        manager = session.content.perfManager
        wanted = [vm for vm in inventory.vms if not vm.template] + inventory.hosts
        entities = [
            (vim.VirtualMachine if item in inventory.vms else vim.HostSystem)(
                item.moref, session.content.rootFolder._stub
            )
            for item in wanted
        ]
        found = {}
        for form in ("normal", "csv"):
            specs = [
                vim.PerformanceManager.QuerySpec(
                    entity=entity,
                    startTime=NOW - timedelta(days=30),
                    endTime=NOW,
                    intervalId=7200,
                    maxSample=361,
                    format=form,
                    metricId=[
                        vim.PerformanceManager.MetricId(counterId=c, instance="")
                        for c in (VM_CPU, 157)  # cpu.usage.average, power.power.average
                    ],
                )
                for entity in entities
            ]
            answer = manager.QueryPerf(querySpec=specs)
            kinds = {type(metric).__name__.rsplit(".", 1)[-1] for metric in answer}
            assert kinds == {"EntityMetric" if form == "normal" else "EntityMetricCSV"}
            found[form] = list(_entity_series(answer))
        return found


@pytest.mark.simulator
def test_the_csv_answer_gives_the_same_series_as_the_normal_one(level2: VcsimServer) -> None:
    found = query_both_formats(level2)
    # govmomi's XML encoder drops zero values from a normal-format series (an empty series
    # arrives); its CSV carries them, as vCenter's does: only the all-zero series differ.
    nonzero = [s for s in found["csv"] if any(value for _, value in s.samples)]
    assert nonzero == [s for s in found["normal"] if s.samples]
    # the 2 VMs' and 2 hosts' CPU, and the one metered host's power
    assert len(nonzero) == 5 and all(len(s.samples) == 361 for s in nonzero)
    zero = [s for s in found["csv"] if s not in nonzero]
    assert zero and all(value == 0 for s in zero for _, value in s.samples)


def csv_metric(info: str, *values: str) -> Any:
    return vim.PerformanceManager.EntityMetricCSV(
        entity=vim.VirtualMachine("vm-7"),
        sampleInfoCSV=info,
        value=[
            vim.PerformanceManager.MetricSeriesCSV(
                id=vim.PerformanceManager.MetricId(counterId=VM_CPU, instance=""), value=value
            )
            for value in values
        ],
    )


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        (
            csv_metric("7200,2026-11-30T04:00:00Z,7200,2026-11-30T06:00:00Z", "250,-1"),
            [Series("vm-7", VM_CPU, [(NOW - timedelta(hours=2), 250)])],  # -1: no value
        ),
        (csv_metric("", ""), [Series("vm-7", VM_CPU, [])]),  # off throughout
        (
            csv_metric("7200,2026-11-30T06:00:00Z", "1,2"),
            [Series("vm-7", VM_CPU, [], "vCenter sent 2 values for 1 sample times")],
        ),
        (
            csv_metric("7200,2026-11-30T06:00:00Z", "x"),
            [Series("vm-7", VM_CPU, [], "vCenter sent values that are not whole numbers")],
        ),
        (
            csv_metric("7200", "5"),
            [
                Series(
                    "vm-7",
                    VM_CPU,
                    [],
                    "vCenter sent sample times that cannot be read: an interval without its time",
                )
            ],
        ),
    ],
    ids=["values", "empty", "count-mismatch", "not-numbers", "odd-info"],
)
def test_csv_series_are_read_strictly(metric: Any, expected: list[Series]) -> None:
    assert list(_entity_series([metric])) == expected
