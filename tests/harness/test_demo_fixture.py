"""The demo fixture (fixtures/demo/snapshot.json) is what tests/tools/record_demo.py records
from the demo scenarios and the demo pod: re-recorded, it must equal the committed file, and
it shows vCenter and Horizon joined."""

from __future__ import annotations

from collections import Counter

import pytest
from tools import record_demo
from tools.demo_estate import ANCHOR

from fleetreport.snapshot import load_snapshot
from fleetreport.snapshot.store import parse_snapshot

pytestmark = pytest.mark.simulator


@pytest.fixture(scope="module")
def recorded() -> str:
    return record_demo.record()


def test_committed_demo_equals_rerecorded(recorded: str) -> None:
    assert recorded == record_demo.DEMO.read_text("utf-8"), "run: python tests/tools/record_demo.py"


def test_demo_records_thirty_days_of_usage(recorded: str) -> None:
    """The hidden cases of the demo estate (tests/fixtures/horizon/README.md) as the
    collector records them with ``--usage 30``."""
    snapshot = parse_snapshot(recorded.encode(), "demo")
    (usage,) = snapshot.horizon_usage
    assert (usage.status, usage.days, usage.pod) == ("ok", 30, "hzcs01.corp.example.test")
    assert {p.pool: (p.peak_sessions, p.machines_now, p.sessions_now) for p in usage.pools} == {
        "IC-Win11-Office": (120, 160, 106),
        "IC-Win11-CallCenter": (91, 91, 56),  # ran out of spares
        "FC-Win10-Developers": (30, 41, 26),
        "Manual-Engineering": (6, 12, 5),  # half its size
    }
    names = {m.id: m.name for m in snapshot.machines if m.kind == "machine"}
    logged_on = {names[d.machine_id] for d in usage.desktops}
    assert set(names.values()) - logged_on == {
        *("AMS-W11-001", "AMS-W11-004", "AMS-W11-008"),  # idle
        "AMS-DEV-003",  # its user last logged on 45 days ago
        *("AMS-W11-007", "AMS-W11-021", "AMS-W11-101", "AMS-W11-116", "AMS-W11-153"),
        *("AMS-DEV-025", "AMS-DEV-030", "AMS-DEV-031", "AMS-DEV-036", "AMS-DEV-041"),
        *("AMS-ENG-WS07", "AMS-DEV-016", "AMS-DEV-028"),
    }
    cpu = {
        u.name: (u.status, u.cpu_mean_percent, u.cpu_active_samples)
        for u in snapshot.vcenter_usage
        if u.name in ("AMS-W11-001", "AMS-W11-004", "AMS-W11-008", "AMS-W11-007")
    }
    assert cpu == {
        "AMS-W11-001": ("measured", 1.65, 0),
        "AMS-W11-004": ("measured", 1.65, 0),
        "AMS-W11-008": ("measured", 1.65, 0),
        "AMS-W11-007": ("no_data", None, None),
    }
    watts = {
        u.name: u.power_mean_watts
        for u in snapshot.vcenter_usage
        if u.entity_type == "HostSystem" and u.status == "measured"
    }
    assert watts == {
        "esx-ams-01.corp.example.test": 346.0,
        "esx-ams-02.corp.example.test": 356.0,
        "esx-ams-03.corp.example.test": 341.0,
        "esx-ams-04.corp.example.test": 350.0,
    }


def test_demo_joins_the_pod_to_both_vcenters() -> None:
    snapshot = load_snapshot(record_demo.DEMO)
    assert snapshot.collected_at == ANCHOR
    assert [(s.kind, s.url, s.status) for s in snapshot.sources] == [
        ("horizon", "https://hzcs01.corp.example.test/rest", "ok"),
        ("vcenter", "https://vc01.corp.example.test/sdk", "ok"),
        ("vcenter", "https://vc02.corp.example.test/sdk", "ok"),
    ]
    assert [v.name for v in snapshot.vcenters] == [
        "vc01.corp.example.test",
        "vc02.corp.example.test",
    ]
    assert [p.id for p in snapshot.pods] == ["hzcs01.corp.example.test"]
    assert {(p.type, p.source) for p in snapshot.pools} == {
        ("AUTOMATED", "INSTANT_CLONE"),
        ("AUTOMATED", "VIRTUAL_CENTER"),
        ("MANUAL", "VIRTUAL_CENTER"),
        ("RDS", "INSTANT_CLONE"),
    }
    joins = Counter(m.join for m in snapshot.machines if m.kind == "machine")
    assert set(joins) == {"vm_moid"}
    vms = {(vm.vcenter, vm.moref) for vm in snapshot.vms}
    assert all((m.vm_vcenter, m.vm_moref) in vms for m in snapshot.machines)
    assert {s.state for s in snapshot.sessions} == {"CONNECTED", "DISCONNECTED"}
    assert len(snapshot.connection_servers) == 2


def test_every_session_names_its_machine_or_rds_host() -> None:
    """RDS sessions carry Horizon's rds_server_id, so an RDS host with sessions is not idle."""
    snapshot = load_snapshot(record_demo.DEMO)
    machines = {m.id: m.kind for m in snapshot.machines}
    kinds = Counter(machines.get(s.machine_id or "", "none") for s in snapshot.sessions)
    assert set(kinds) == {"machine", "rds_server"}
    assert kinds["rds_server"] == sum(1 for s in snapshot.sessions if s.farm_id)
