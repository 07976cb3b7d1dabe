"""The demo fixture (fixtures/demo/snapshot.json) is what tests/tools/record_demo.py records
from the demo scenarios and the demo pod: re-recorded, it must equal the committed file, and
it shows vCenter and Horizon joined."""

from __future__ import annotations

from collections import Counter

import pytest
from tools import record_demo
from tools.demo_estate import ANCHOR

from fleetreport.snapshot import load_snapshot

pytestmark = pytest.mark.simulator


def test_committed_demo_equals_rerecorded() -> None:
    assert record_demo.record() == record_demo.DEMO.read_text("utf-8"), (
        "run: python tests/tools/record_demo.py"
    )


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
