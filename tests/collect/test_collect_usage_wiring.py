"""``--usage DAYS`` through the whole collection: the same ``collect_all`` that every command
uses reads vCenter's performance history and the pods' audit events into the snapshot, and
without it reads neither (a quick collect stays quick)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from support.horizon_server import EXAMPLE_DATA, HorizonTestServer
from support.vcsim import start_vcsim
from tools.record_demo import horizon_target, ticking_clock, vcenter_target

from fleetreport.collect import run
from fleetreport.collect.retry import RetrySettings
from fleetreport.collect.run import collect_all
from fleetreport.errors import SourceError
from fleetreport.snapshot.store import SCHEMA_VERSION, snapshot_to_json

pytestmark = pytest.mark.simulator
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def test_usage_is_read_only_when_asked() -> None:
    with (
        start_vcsim("basic") as vcenter,
        HorizonTestServer(EXAMPLE_DATA, now=int(NOW.timestamp() * 1000)) as pod,
    ):
        clock = ticking_clock(NOW, timedelta(seconds=1))
        quick = collect_all([vcenter_target(vcenter)], [horizon_target(pod)], now=clock)
        with_usage = collect_all(
            [vcenter_target(vcenter)], [horizon_target(pod)], now=clock, usage_days=30
        )
    assert not quick.failures and not with_usage.failures
    assert quick.snapshot.vcenter_usage == [] and quick.snapshot.horizon_usage == []
    assert [v.usage_days for v in quick.snapshot.vcenters] == [None]
    assert [(v.usage_days, v.usage_error) for v in with_usage.snapshot.vcenters] == [(30, None)]

    snapshot = with_usage.snapshot
    templates = {vm.moref for vm in snapshot.vms if vm.template}
    vms = {vm.moref for vm in snapshot.vms} - templates
    measured = {u.moref for u in snapshot.vcenter_usage if u.entity_type == "VirtualMachine"}
    assert measured == vms  # one record per VM that is not a template, none for templates
    hosts = {u.moref for u in snapshot.vcenter_usage if u.entity_type == "HostSystem"}
    assert hosts == {host.moref for host in snapshot.hosts}
    assert {u.status for u in snapshot.vcenter_usage} <= {
        "measured",
        "no_data",
        "not_collected",
        "error",
    }
    (horizon,) = snapshot.horizon_usage
    assert horizon.status == "ok" and horizon.days == 30 and horizon.events > 0
    assert horizon.pod == snapshot.pods[0].id
    assert f'"schema_version": {SCHEMA_VERSION}' in snapshot_to_json(snapshot)


def test_a_failed_usage_read_keeps_the_vcenter_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """A vCenter whose performance history cannot be read keeps its inventory, and its record
    says the history was asked for and why it is missing (the usage checks answer "refused").

    The failure is injected here; the next test makes the simulator itself too slow."""
    refusal = "QueryPerf refused: the user lacks System.View on the PerformanceManager"

    def refused(session: object, days: int, inventory: object, *, now: object) -> list[object]:
        raise SourceError(session.endpoint.url, refusal)  # type: ignore[attr-defined]

    monkeypatch.setattr(run, "collect_vcenter_usage", refused)
    with start_vcsim("basic") as vcenter:
        clock = ticking_clock(NOW, timedelta(seconds=1))
        result = collect_all([vcenter_target(vcenter)], [], now=clock, usage_days=30)
    assert result.failures == []
    snapshot = result.snapshot
    assert [(v.usage_days, v.usage_error) for v in snapshot.vcenters] == [
        (30, f"{vcenter_target(vcenter).endpoint.url}: {refusal}")
    ]
    assert snapshot.vms and snapshot.hosts and snapshot.vcenter_usage == []


def test_a_performance_history_that_times_out_keeps_the_inventory(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """QueryPerf slower than the read timeout: the vCenter keeps its VMs and hosts, its record
    says the history timed out, one warning says why, and nothing else of the collection is
    lost."""
    with start_vcsim("basic", method_delays={"QueryPerf": 1500}) as vcenter:
        target = dataclasses.replace(
            vcenter_target(vcenter), timeout=1.0, retry=RetrySettings(attempts=1)
        )
        clock = ticking_clock(NOW, timedelta(seconds=1))
        with caplog.at_level("WARNING", logger=run.__name__):
            result = collect_all([target], [], now=clock, usage_days=30)
    assert result.failures == []
    (record,) = result.snapshot.vcenters
    assert record.usage_days == 30
    assert record.usage_error is not None and "timed out" in record.usage_error
    url = target.endpoint.url
    assert [r.getMessage() for r in caplog.records if r.name == run.__name__] == [
        f"{url}: performance history not read: {record.usage_error}"
    ]
    assert result.snapshot.vms and result.snapshot.hosts
    assert result.snapshot.vcenter_usage == []
