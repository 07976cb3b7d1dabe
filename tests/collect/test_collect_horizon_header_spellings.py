"""``HAS_MORE_RECORDS`` in any spelling a server or proxy may send: every page is read.

HTTP header names are case-insensitive (RFC 9110, 5.1) and the vendor's guide gives the value
only as ``TRUE``; a proxy or another release may send ``has_more_records`` or ``true``. A client
that read one spelling only would stop after page 1, and only a warning would show it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from support.horizon.collecting import client_for, collect
from support.horizon_server import EXAMPLE_DATA, HorizonTestServer

from fleetreport.collect.horizon.collector import collect_horizon
from fleetreport.collect.horizon.usage import collect_horizon_usage

SPELLINGS = [
    ("HAS_MORE_RECORDS", "TRUE"),  # the vendor guide's spelling, the test server's default
    ("HAS_MORE_RECORDS", "true"),
    ("HAS_MORE_RECORDS", "True"),
    ("has_more_records", "TRUE"),
    ("Has_More_Records", "true"),
]
MACHINES = 15  # plain machines in the example pod
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SHORT_READ = "records, "  # "server said 15 records, 4 were read"


def short_reads(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if SHORT_READ in r.getMessage()]


def audit_events_counted(server: HorizonTestServer) -> int:
    """Audit events read by the usage collector (``client.pages``), 5 per page."""
    with client_for(server, page_size=5) as client:
        pod = collect_horizon(client)
        database = pod.event_databases[0] if pod.event_databases else None
        found = collect_horizon_usage(client, pod.pod.id, 30, NOW, pod.pools, database)
    assert found.status == "ok", found.reason
    return found.events


@pytest.mark.parametrize(("name", "value"), SPELLINGS, ids=lambda s: s)
def test_every_page_of_a_listing_is_read_in_any_spelling(
    name: str, value: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with HorizonTestServer(
        EXAMPLE_DATA, more_records_header=name, more_records_value=value
    ) as server:
        pod = collect(server, page_size=4)
        pages = server.calls("/inventory/v10/machines", "GET")
    assert len([m for m in pod.machines if m.kind == "machine"]) == MACHINES
    assert len(pages) == 4
    assert short_reads(caplog) == []


@pytest.mark.parametrize(("name", "value"), SPELLINGS[1:], ids=lambda s: s)
def test_every_page_of_the_audit_events_is_read_in_any_spelling(name: str, value: str) -> None:
    now_ms = int(NOW.timestamp() * 1000)
    with HorizonTestServer(EXAMPLE_DATA, now=now_ms) as server:
        expected = audit_events_counted(server)
    with HorizonTestServer(
        EXAMPLE_DATA, now=now_ms, more_records_header=name, more_records_value=value
    ) as server:
        assert audit_events_counted(server) == expected
        pages = server.calls(r"/external/v\d+/audit-events", "GET")
    assert expected > 5 and len(pages) > 1


def test_a_listing_whose_header_says_no_more_stops_and_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A server that says ``FALSE`` while its total says more: one page, and a warning."""
    caplog.set_level(logging.WARNING)
    with HorizonTestServer(EXAMPLE_DATA, more_records_value="FALSE") as server:
        pod = collect(server, page_size=4)
        pages = server.calls("/inventory/v10/machines", "GET")
    assert len(pages) == 1
    assert len([m for m in pod.machines if m.kind == "machine"]) < MACHINES
    assert any("/inventory/v10/machines: server said" in line for line in short_reads(caplog))
