"""Usage from the pod's audit events: exact aggregates, paging, the time filter, no event
database, the ``--usage`` option and the aggregator's memory, against the test server."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.horizon.collecting import client_for, run_cli
from support.horizon_server import EXAMPLE_DATA, HorizonTestServer

from fleetreport.cli import main
from fleetreport.collect.horizon import api
from fleetreport.collect.horizon.collector import collect_horizon
from fleetreport.collect.horizon.usage import (
    DAY_MS,
    UsageAggregator,
    collect_horizon_usage,
    event_filter,
)
from fleetreport.config_file import parse_config
from fleetreport.errors import ConfigError, ExitCode
from fleetreport.run.config import Problems, RunConfig, parse_run_config
from fleetreport.snapshot import load_snapshot
from fleetreport.snapshot.model import HorizonUsage

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
SID = "S-1-5-21-1111111111-2222222222-3333333333-%d"
IC, FC, LAB = "ic-win11-floating", "fc-win10-dedicated", "manual-lab"
MACHINES = {
    "ic1": "ceacdfd5-dff4-55e3-abf8-116a74b35a82",
    "ic2": "d604a1d5-55e0-5b0b-8b7d-ad66047e0ce7",
    "ic3": "4313a3ec-e659-5311-b074-b6cf36f79132",
    "ic4": "6e2c6f6d-d663-5de7-b271-7e4af5d881ae",
    "ic6": "702574a5-72d5-5aba-934d-633821ceeab9",
    "fc1": "c8fbb15b-6360-5b29-9937-fb1cbe394a1e",
    "fc2": "bedad675-fd0a-547b-8194-55ea164338f4",
    "fc3": "99096454-60df-50e4-a328-a05734324a99",
    "fc4": "5f1ca2c3-2a9a-5b22-aa8d-bb1ef5876f85",
    "fc5": "f031ab54-ee01-5c01-aadd-d4d71db5f9ba",
    "lab2": "99edf02a-4380-58bc-ae64-6b98ad24dd01",
    "lab3": "3d3a7565-6fde-535b-8f64-9cabe8153e8b",
}


def ago(hours: int) -> datetime:
    return NOW - timedelta(hours=hours)


def usage(server: HorizonTestServer, days: int = 30, **kwargs: object) -> HorizonUsage:
    with client_for(server, **kwargs) as client:
        pod = collect_horizon(client)
        database = pod.event_databases[0] if pod.event_databases else None
        return collect_horizon_usage(client, pod.pod.id, days, NOW, pod.pools, database)


@pytest.mark.parametrize(("profile", "version"), [("2512", "v2"), ("2111", "v1")])
def test_exact_aggregates_of_the_example_pod(profile: str, version: str) -> None:
    with HorizonTestServer(EXAMPLE_DATA, profile=profile, now=NOW_MS) as server:
        found = usage(server)
    assert (found.status, found.reason, found.api_version) == ("ok", None, version)
    assert (found.window_start, found.window_end) == (NOW - timedelta(days=30), NOW)
    assert found.events == 31
    desktops = {
        d.machine_id: (d.pool, d.logons, d.last_logon, d.last_user_id) for d in found.desktops
    }
    assert desktops == {
        MACHINES["ic1"]: (IC, 1, ago(75), SID % 1101),
        MACHINES["ic2"]: (IC, 2, ago(4), SID % 1101),
        MACHINES["ic3"]: (IC, 2, ago(5), SID % 1102),
        MACHINES["ic4"]: (IC, 2, ago(6), SID % 1103),
        MACHINES["ic6"]: (IC, 1, ago(71), SID % 1109),
        MACHINES["fc1"]: (FC, 2, ago(10), SID % 1104),
        MACHINES["fc2"]: (FC, 1, ago(50), SID % 1105),
        MACHINES["fc3"]: (FC, 1, ago(49), SID % 1106),
        MACHINES["fc4"]: (FC, 1, ago(48), SID % 1108),
        MACHINES["fc5"]: (FC, 2, ago(14), SID % 1107),
        MACHINES["lab2"]: (LAB, 1, ago(16), SID % 1101),
    }  # lab-ws-03: its user's last logon was 45 days ago, outside the window
    pools = {
        p.pool: (
            p.logons,
            p.peak_sessions,
            [(d.day, d.logons, d.peak_sessions) for d in p.days],
            p.sessions_before_window,
            p.sessions_now,
            p.machines_now,
        )
        for p in found.pools
    }
    # sessions now: metrics v3 count disconnected sessions; 2111 has only v1, which does not
    ic_now, fc_now, lab_now = (3, 2, 1) if profile == "2512" else (None, None, None)
    assert pools == {
        # peak 5: half the pool's maximum of 10 machines
        IC: (8, 5, [("2026-11-27", 5, 5), ("2026-11-30", 3, 3)], 1, ic_now, 7),
        # peak 5 of 5 machines: the spare was taken
        FC: (
            7,
            5,
            [("2026-11-28", 5, 5), ("2026-11-29", 1, 1), ("2026-11-30", 1, 2)],
            0,
            fc_now,
            5,
        ),
        # a session begun the day before is still open today
        LAB: (1, 1, [("2026-11-29", 1, 1), ("2026-11-30", 0, 1)], 0, lab_now, 3),
    }
    assert {p.pool: p.pool_id for p in found.pools} == {
        IC: "d9111db8-c33c-5eea-92ee-fd9f228d4a58",
        FC: "840d4cbd-842f-5d6e-a536-f3c93a6090b5",
        LAB: "029b91b5-e884-52a8-be0f-2debe1996099",
    }
    assert {(u.user_id, u.machine_id): (u.pool, u.last_logon) for u in found.dedicated} == {
        (SID % 1104, MACHINES["fc1"]): (FC, ago(10)),
        (SID % 1105, MACHINES["fc2"]): (FC, ago(50)),
        (SID % 1106, MACHINES["fc3"]): (FC, ago(49)),
        (SID % 1107, MACHINES["fc5"]): (FC, ago(14)),
        (SID % 1108, MACHINES["fc4"]): (FC, ago(48)),
        (SID % 1101, MACHINES["lab2"]): (LAB, ago(16)),
    }


def test_a_longer_window_finds_the_logon_45_days_ago() -> None:
    with HorizonTestServer(EXAMPLE_DATA, now=NOW_MS) as server:
        found = usage(server, days=60)
    lab3 = next(d for d in found.desktops if d.machine_id == MACHINES["lab3"])
    assert (lab3.logons, lab3.last_logon, lab3.last_user_id) == (1, ago(1080), SID % 1102)
    assert (SID % 1102, MACHINES["lab3"]) in {(u.user_id, u.machine_id) for u in found.dedicated}
    assert found.events == 33
    ic = next(p for p in found.pools if p.pool == IC)
    assert ic.sessions_before_window == 1  # the logoff 718 h ago had its logon even earlier


def test_pages_and_the_time_filter_as_the_spec_defines() -> None:
    with HorizonTestServer(EXAMPLE_DATA, now=NOW_MS) as server:
        found = usage(server, page_size=5)
        calls = server.calls(r"/audit-events$")
    assert found.pages == 7 and found.events == 31
    assert [c.path for c in calls] == ["/rest/external/v2/audit-events"] * 7
    assert [c.query["page"] for c in calls] == [[str(n)] for n in range(1, 8)]
    assert {c.query["size"][0] for c in calls} == {"5"}
    assert {(c.query["sort_by"][0], c.query["order_by"][0]) for c in calls} == {("time", "ASC")}
    expression = json.loads(calls[0].query["filter"][0])
    assert expression == json.loads(event_filter(NOW_MS - 30 * DAY_MS, NOW_MS))
    between = expression["filters"][0]
    assert between == {
        "type": "Between",
        "name": "time",
        "from_value": NOW_MS - 30 * DAY_MS,
        "to_value": NOW_MS,
    }
    assert {f["value"] for f in expression["filters"][1]["filters"]} == {
        "AGENT_CONNECTED",
        "AGENT_ENDED",
        "AGENT_DISCONNECTED",
        "AGENT_RECONNECTED",
    }


@pytest.mark.parametrize(
    "expression",
    [
        {"type": "Between", "name": "id", "from_value": 0, "to_value": 9},  # id: Equals only
        {"type": "Equals", "name": "time", "value": 0},  # time: Between only
        {"type": "Contains", "name": "type", "value": "AGENT"},  # type: Equals only
    ],
)
def test_the_server_refuses_filters_the_spec_does_not_allow(expression: dict[str, object]) -> None:
    with HorizonTestServer(EXAMPLE_DATA, now=NOW_MS) as server, client_for(server) as client:
        found = client.newest(api.AUDIT_EVENTS, {"filter": json.dumps(expression)})
    assert found is not None
    assert found[1].status_code == 400


def test_no_event_database_is_skipped_with_the_reason_and_the_rest_collected(
    tmp_path: Path,
) -> None:
    with HorizonTestServer(EXAMPLE_DATA, now=NOW_MS) as server:
        server.data["event_database"] = {"status": "NOT_CONFIGURED"}
        code, out = run_cli(server, tmp_path, "--usage", "30")
        with client_for(server) as client:  # without the monitor's word: the 409 itself
            answered = collect_horizon_usage(client, "pod", 30, NOW, [], None)
        asked = server.calls(r"/audit-events$")
    assert code == ExitCode.OK
    snapshot = load_snapshot(out)
    (skipped,) = snapshot.horizon_usage
    assert (skipped.status, skipped.reason, skipped.desktops, skipped.pools) == (
        "skipped",
        "event database not configured",
        [],
        [],
    )
    assert len(snapshot.pools) == 4 and len(snapshot.machines) > 12 and snapshot.sessions
    assert (answered.status, answered.reason) == (
        "skipped",
        "event database not configured or not reachable (HTTP 409)",
    )
    assert [c.status for c in asked] == [409]  # the CLI run never asked


def test_without_usage_the_events_are_not_read(tmp_path: Path) -> None:
    with HorizonTestServer(EXAMPLE_DATA, now=NOW_MS) as server:
        code, out = run_cli(server, tmp_path)
        asked = server.calls(r"/audit-events$")
    assert code == ExitCode.OK and asked == []
    assert load_snapshot(out).horizon_usage == []


def test_usage_through_the_cli_lands_in_the_snapshot(tmp_path: Path) -> None:
    with HorizonTestServer(EXAMPLE_DATA) as server:
        code, out = run_cli(server, tmp_path, "--usage", "30")
    assert code == ExitCode.OK
    (found,) = load_snapshot(out).horizon_usage
    assert (found.status, found.days, found.events) == ("ok", 30, 31)
    assert {p.pool for p in found.pools} == {IC, FC, LAB}


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "must be 1 or more"), ("-3", "must be 1 or more"), ("week", "not a whole number")],
)
def test_usage_option_errors(value: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["collect", "--horizon", "cs.example.test", "--usage", value, "--out", "s.json"])
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "--usage" in err and message in err


def test_the_aggregator_keeps_no_event_list() -> None:
    """200 pages of 1,000 events: the state is bounded by desktops, pools, days and open
    sessions, and barely grows (entries and bytes) from page 50 to page 200."""
    start = NOW_MS - 30 * DAY_MS
    aggregator = UsageAggregator(start, NOW_MS, ["dedicated"])
    desktops, step = 200, (30 * DAY_MS) // 100_000
    sizes, held = [], []
    number = 0
    tracemalloc.start()
    for page in range(200):
        events = []
        for _ in range(500):  # a logon and its logoff
            moment = start + number * step
            machine = "m%03d" % (number % desktops)
            base = {
                "machine_id": machine,
                "user_id": "u%03d" % (number % desktops),
                "desktop_pool_name": "dedicated" if number % 2 else "floating",
            }
            events.append({**base, "id": 2 * number, "time": moment, "type": "AGENT_CONNECTED"})
            events.append({**base, "id": 2 * number + 1, "time": moment + 1, "type": "AGENT_ENDED"})
            number += 1
        aggregator.add_all(events)
        del events
        if page in (49, 199):
            sizes.append(aggregator.state_size())
            held.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    assert aggregator.events == 200_000 and aggregator.in_order
    bound = desktops + desktops + 2 * (1 + 31) + 2  # desktops, user-desktop pairs, pool-days
    assert sizes[0] <= bound and sizes[1] <= bound
    assert sizes[1] - sizes[0] <= 2 * 31  # only new days, never events
    assert held[1] - held[0] < 256 * 1024  # 150,000 more events held would take megabytes
    assert not any(isinstance(v, list) and len(v) > 31 for v in vars(aggregator).values())


def test_events_out_of_time_order_leave_peaks_unknown() -> None:
    aggregator = UsageAggregator(0, 10 * DAY_MS)
    base = {"machine_id": "m1", "user_id": "u1", "desktop_pool_name": "p"}
    aggregator.add_all(
        [
            {**base, "id": 2, "time": 5000, "type": "AGENT_CONNECTED"},
            {**base, "id": 1, "time": 1000, "type": "AGENT_CONNECTED"},
            {**base, "id": 1, "time": 1000, "type": "AGENT_CONNECTED"},
        ]
    )
    (pool,) = aggregator.pools("pod", {})
    assert pool.peak_sessions is None and pool.days[0].peak_sessions is None
    assert not aggregator.in_order


def test_a_session_begun_before_the_window_counts_from_its_first_event_in_it() -> None:
    """A disconnect whose logon is older than the window: the session was open then, so it
    is a session begun before the window and counts in each day's peak until its logoff."""
    aggregator = UsageAggregator(0, 10 * DAY_MS)
    base = {"machine_id": "m1", "user_id": "u1", "desktop_pool_name": "p"}
    aggregator.add_all(
        [
            {**base, "id": 1, "time": 1000, "type": "AGENT_DISCONNECTED"},
            {**base, "id": 2, "time": 2000, "type": "AGENT_RECONNECTED"},
            {**base, "id": 3, "time": DAY_MS + 5000, "type": "AGENT_ENDED"},
        ]
    )
    (pool,) = aggregator.pools("pod", {})
    assert (pool.logons, pool.sessions_before_window, pool.peak_sessions) == (0, 1, 1)
    assert [(d.day, d.logons, d.peak_sessions) for d in pool.days] == [
        ("1970-01-01", 0, 1),
        ("1970-01-02", 0, 1),
    ]
    assert aggregator.desktops("pod") == []  # no logon in the window


def test_an_event_repeated_across_pages_counts_once() -> None:
    aggregator = UsageAggregator(0, DAY_MS)
    event = {"machine_id": "m1", "user_id": "u1", "desktop_pool_name": "p", "id": 7}
    aggregator.add_all([{**event, "time": 10, "type": "AGENT_CONNECTED"}])
    aggregator.add_all([{**event, "time": 10, "type": "AGENT_CONNECTED"}])
    assert (aggregator.events, aggregator.repeated) == (1, 1)
    assert aggregator.desktops("pod")[0].logons == 1


def test_run_config_usage_days() -> None:
    def parse(extra: str) -> RunConfig:
        text = '[[vcenter]]\nurl = "vc"\nuser = "u"\npassword_env = "P"\n[output]\nfolder = "o"\n'
        return parse_run_config(parse_config(text + extra, "fleet.toml"), Problems())

    assert parse("").collect.usage_days == 30
    assert parse("[collect]\nusage_days = 0\n").collect.usage_days == 0
    assert parse("[collect]\nusage_days = 7\n").collect.usage_days == 7
    with pytest.raises(ConfigError, match=r"collect\.usage_days"):
        parse("[collect]\nusage_days = -1\n")
    with pytest.raises(ConfigError, match=r"collect\.usage_days"):
        parse('[collect]\nusage_days = "30"\n')


def test_a_server_refusing_sort_by_is_read_unsorted() -> None:
    """The 2111 spec lists no ``sort_by`` for audit events: a 400 to the sorted ask is asked
    again without it; events that still come in time order keep their peaks."""
    with HorizonTestServer(EXAMPLE_DATA, profile="2111", now=NOW_MS) as server:
        server.fault(r"/v1/audit-events$", "status:400", times=1)
        found = usage(server)
        calls = server.calls(r"/audit-events$")
    assert (found.status, found.events) == ("ok", 31)
    assert [(c.path, "sort_by" in c.query, c.status) for c in calls] == [
        ("/rest/external/v2/audit-events", True, 404),
        ("/rest/external/v1/audit-events", True, 400),
        ("/rest/external/v1/audit-events", False, 200),
    ]
    assert {p.pool: p.peak_sessions for p in found.pools} == {IC: 5, FC: 5, LAB: 1}
