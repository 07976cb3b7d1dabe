"""The generated audit-event stream (bench/usage.py's pod): it answers every list query as the
same events stored in the test server would, reads each event once when paged in order, and
the usage collector finds the same usage in either."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from support.horizon.audit_stream import AuditStream, StreamMachine
from support.horizon.collecting import client_for
from support.horizon.endpoints import ENDPOINTS
from support.horizon.listing import ApiError
from support.horizon_server import EXAMPLE_DATA, HorizonTestServer

from fleetreport.collect.horizon.collector import collect_horizon
from fleetreport.collect.horizon.usage import DAY_MS, collect_horizon_usage, event_filter

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
AUDIT = ENDPOINTS["external/audit-events"]


def example_machines() -> list[StreamMachine]:
    pools = {p["id"]: p for p in json.loads((EXAMPLE_DATA / "desktop_pools.json").read_text())}
    return [
        StreamMachine(
            m["id"],
            m["dns_name"],
            pools[m["desktop_pool_id"]]["name"],
            pools[m["desktop_pool_id"]]["user_assignment"] == "DEDICATED",
        )
        for m in json.loads((EXAMPLE_DATA / "machines.json").read_text())
    ]


def stream(events: int = 3000) -> AuditStream:
    return AuditStream(example_machines(), NOW_MS, days=30, events=events, users=9)


def servers(profile: str = "2512") -> tuple[HorizonTestServer, HorizonTestServer]:
    """(the server answering from the stream, one holding the same events as stored data)."""
    lazy = HorizonTestServer(EXAMPLE_DATA, profile=profile, now=NOW_MS, audit_stream=stream())
    stored = HorizonTestServer(EXAMPLE_DATA, profile=profile, now=NOW_MS)
    stored.data["audit_events"] = list(stream().events())
    return lazy, stored


def answer(server: HorizonTestServer, version: int, query: dict[str, list[str]]) -> Any:
    """What the server answers to ``query``: (status, records, paging headers) or the error."""
    try:
        status, records, headers = server._list(AUDIT, version, query)
    except ApiError as error:
        return ("error", error.status, error.error_key)
    return status, records, headers


WINDOW = event_filter(NOW_MS - 30 * DAY_MS, NOW_MS)
FEW = json.dumps(
    {
        "type": "And",
        "filters": [
            {"type": "Equals", "name": "type", "value": "AGENT_DISCONNECTED"},
            {"type": "Not", "filter": {"type": "Equals", "name": "desktopPoolName", "value": "x"}},
            {"type": "Between", "name": "time", "from_value": NOW_MS - 9 * DAY_MS,
             "to_value": NOW_MS},
        ],
    }
)  # fmt: skip
QUERIES = [
    {"filter": [WINDOW], "sort_by": ["time"], "order_by": ["ASC"], "page": [p], "size": ["1000"]}
    for p in ("1", "2", "3", "4")
] + [
    {"filter": [WINDOW], "page": ["2"], "size": ["7"]},
    {"filter": [FEW], "page": ["1"], "size": ["50"]},
    {"filter": [FEW], "sort_by": ["time"], "order_by": ["DESC"], "page": ["2"], "size": ["5"]},
    {"sort_by": ["machine_id"], "page": ["3"], "size": ["100"]},
    {},
    {"page": ["1"]},
    {"page": ["1"], "size": ["1001"]},
    {"page": ["0"], "size": ["10"]},
    {"page": ["99"], "size": ["1000"]},
    {"filter": ['{"type": "Equals", "name": "message", "value": "User"}']},
    {"filter": ['{"type": "Contains", "name": "machine_id", "value": "ab"}']},
    {"filter": ["not json"]},
    {"sort_by": ["no_such_field"]},
]


@pytest.mark.parametrize(("profile", "version"), [("2512", 2), ("2512", 1), ("2111", 1)])
def test_stream_answers_every_query_as_the_stored_list(profile: str, version: int) -> None:
    lazy, stored = servers(profile)
    for query in QUERIES:
        assert answer(lazy, version, query) == answer(stored, version, query), query
    assert answer(lazy, version, QUERIES[0])[1]  # the comparison is not of empty pages


@pytest.mark.parametrize(("total_count", "passes"), [(False, 1), (True, 2)])
def test_pages_in_order_generate_each_event_once(total_count: bool, passes: int) -> None:
    """Each page resumes where the one before ended; X-TOTAL-COUNT costs one counting pass."""
    lazy = HorizonTestServer(
        EXAMPLE_DATA, now=NOW_MS, audit_stream=stream(), total_count_header=total_count
    )
    total = len(list(stream().events()))
    query = {"filter": [WINDOW], "sort_by": ["time"], "order_by": ["ASC"], "size": ["500"]}
    read, page = 0, 1
    while True:
        _, records, headers = answer(lazy, 2, {**query, "page": [str(page)]})
        read += len(records)
        if headers.get("HAS_MORE_RECORDS") != "TRUE":
            break
        page += 1
    assert page == 6
    assert lazy.audit_stream is not None
    assert (read, lazy.audit_stream.generated) == (total, passes * total)


def test_the_stream_is_deterministic_and_near_its_size() -> None:
    events = list(stream().events())
    assert events == list(stream().events())
    assert 2700 <= len(events) <= 3300
    assert [e["id"] for e in events] == list(range(events[0]["id"], events[0]["id"] + len(events)))
    assert [e["time"] for e in events] == sorted(e["time"] for e in events)
    assert max(e["time"] for e in events) <= NOW_MS


def test_the_collector_reads_the_same_usage_from_either() -> None:
    found = []
    for server in servers():
        with server, client_for(server) as client:
            pod = collect_horizon(client)
            found.append(collect_horizon_usage(client, pod.pod.id, 30, NOW, pod.pools))
    lazy, stored = found
    assert lazy.events > 2000
    assert (lazy.pages, stored.pages) == (3, 3)
    assert lazy == stored
