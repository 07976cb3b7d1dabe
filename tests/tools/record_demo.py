"""Record the demo fixture (fixtures/demo/snapshot.json) from the simulator and the Horizon
test server.

    python tests/tools/demo_estate.py             # (re)write the demo scenarios, if they changed
    python tests/tools/horizon_estate.py demo     # (re)write the demo pod, if they changed
    python tests/tools/record_demo.py             # collect them through the real collector

Starts one simulator per demo vCenter and the Horizon test server with the demo pod
(``tests/fixtures/horizon/demo``), collects the two vCenters and the pod in one ``collect_all``
with fleetreport's own collector over verified TLS, and writes the joined snapshot.

The file is deterministic, so recording twice gives the same bytes:

- Times. The pod's ``${now-3h}`` placeholders resolve against the estate's ``ANCHOR``
  (2026-11-27 06:00 UTC), the time the scenarios' dates are relative to. The collector's
  clock ticks one second per reading and ends at ``ANCHOR``: ``collected_at`` is the anchor
  and each source took a second.
- Usage. It records with ``usage_days=30`` (``USAGE_DAYS``): the pod's 30 days of session
  history (``audit_events.json``) and the vCenters' performance history in that window.
- Names. Each loopback address becomes the name that server has in the estate: the vCenters
  are ``https://vc01.corp.example.test/sdk`` and ``https://vc02.corp.example.test/sdk``, the
  pod is ``hzcs01.corp.example.test`` at ``https://hzcs01.corp.example.test/rest``.

The recording fails rather than write a password, a token the Horizon server issued, a
loopback address or a port of this run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from support.paths import DEMO_SNAPSHOT

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tests"), str(REPO)]

from support.horizon_server import HorizonTestServer  # noqa: E402
from support.vcsim import VcsimServer, start_vcsim  # noqa: E402

from fleetreport.atomic_write import write_atomically  # noqa: E402
from fleetreport.collect.run import Clock, HorizonTarget, VCenterTarget, collect_all  # noqa: E402
from fleetreport.endpoints import TlsOptions, parse_endpoint  # noqa: E402
from fleetreport.secrets import Secret  # noqa: E402
from fleetreport.snapshot.model import Snapshot  # noqa: E402
from fleetreport.snapshot.store import parse_snapshot, snapshot_to_json  # noqa: E402
from tools.demo_estate import ANCHOR  # noqa: E402
from tools.horizon_estate import DEMO as DEMO_POD  # noqa: E402
from tools.horizon_estate import FIXTURES as HORIZON_FIXTURES  # noqa: E402

SCENARIOS = [REPO / "tests" / "vcsim" / "scenarios" / f"demo-vc0{n}.json" for n in (1, 2)]
POD_DATA = HORIZON_FIXTURES / DEMO_POD.name
POD_NAME = DEMO_POD.connection_servers[0].name  # the Connection Server the demo asked
DEMO = DEMO_SNAPSHOT
TICK = timedelta(seconds=1)
USAGE_DAYS = 30
"""The usage window recorded (``--usage 30``): the pod's audit events and the vCenters'
performance history over the 30 days before the anchor, so ``fleetreport demo`` shows usage."""
#: Snapshot lists whose records carry the pod id (``HorizonPod.id``).
POD_RECORDS = (
    "pools",
    "machines",
    "sessions",
    "connection_servers",
    "horizon_vcenters",
    "gateways",
    "event_databases",
    "ad_domains",
    "saml_authenticators",
    "true_sso",
    "federation_pods",
    "licenses",
)


def ticking_clock(start: datetime, tick: timedelta) -> Clock:
    """A clock that reads ``start``, then one ``tick`` later at every further reading."""
    readings = itertools.count()
    return lambda: start + next(readings) * tick


def vcenter_target(server: VcsimServer) -> VCenterTarget:
    """How fleetreport logs in to one simulator, trusting only its CA."""
    return VCenterTarget(
        endpoint=parse_endpoint(server.url, default_path="/sdk", option="--vcenter"),
        user=server.username,
        password=Secret(server.password),
        tls=TlsOptions(ca_file=server.ca_file),
    )


def horizon_target(pod: HorizonTestServer) -> HorizonTarget:
    """How fleetreport logs in to the Horizon test server, trusting only its CA."""
    credentials = pod.credentials
    return HorizonTarget(
        endpoint=parse_endpoint(pod.url, default_path="/rest", option="--horizon"),
        user=credentials["username"],
        domain=credentials["domain"],
        password=Secret(credentials["password"]),
        tls=TlsOptions(ca_file=Path(pod.ca_file) if pod.ca_file else None),
    )


def renamed_url(url: str, host: str) -> str:
    """``url`` with its host and port replaced by ``host`` (default port, path kept)."""
    return urlsplit(url)._replace(netloc=host).geturl()


def with_estate_names(
    snapshot: Snapshot, vcenter_names: Mapping[str, str], pod_name: str
) -> Snapshot:
    """The snapshot with every loopback server named as in the estate.

    ``vcenter_names``: host name by vCenter instance UUID. The one pod's id (the host
    fleetreport asked, 127.0.0.1 here) becomes ``pod_name`` in every record that names it.
    """
    (pod,) = snapshot.pods
    pod_url = renamed_url(pod.url, pod_name)

    def source_url(kind: str, url: str, instance_uuid: str | None) -> str:
        if kind == "horizon":
            return pod_url
        return renamed_url(url, vcenter_names[instance_uuid or ""])

    sources = [
        dataclasses.replace(s, url=source_url(s.kind, s.url, s.instance_uuid))
        for s in snapshot.sources
    ]
    vcenters = [
        dataclasses.replace(
            v,
            name=vcenter_names[v.instance_uuid],
            url=renamed_url(v.url, vcenter_names[v.instance_uuid]),
        )
        for v in snapshot.vcenters
    ]
    pod_records: dict[str, Any] = {
        name: [dataclasses.replace(r, pod=pod_name) for r in getattr(snapshot, name)]
        for name in POD_RECORDS
    }
    usage = [
        dataclasses.replace(
            u,
            pod=pod_name,
            desktops=[dataclasses.replace(d, pod=pod_name) for d in u.desktops],
            pools=[dataclasses.replace(p, pod=pod_name) for p in u.pools],
            dedicated=[dataclasses.replace(d, pod=pod_name) for d in u.dedicated],
        )
        for u in snapshot.horizon_usage
    ]
    return dataclasses.replace(
        snapshot,
        sources=sources,
        vcenters=vcenters,
        pods=[dataclasses.replace(pod, id=pod_name, url=pod_url)],
        horizon_usage=usage,
        **pod_records,
    )


def leaks(text: str, secrets: Mapping[str, Iterable[str]], ports: Iterable[int]) -> list[str]:
    """What of this run the text gives away: labels of ``secrets`` it holds (never the
    values), loopback addresses and the servers' ``ports``."""
    found = [label for label, values in secrets.items() if any(v in text for v in values)]
    found += [f"loopback address {a}" for a in ("127.0.0.1", "localhost", "[::1]") if a in text]
    found += [f"port {port}" for port in ports if f":{port}" in text]
    return found


def record() -> str:
    """Collect the demo estate and return the snapshot file's text (checked, not written)."""
    now_ms = int(ANCHOR.timestamp() * 1000)
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(start_vcsim(path)) for path in SCENARIOS]
        pod = stack.enter_context(HorizonTestServer(POD_DATA, now=now_ms))
        # start and end of each source, its usage window's end, then the end
        readings = 3 * (len(servers) + 1) + 1
        collection = collect_all(
            [vcenter_target(server) for server in servers],
            [horizon_target(pod)],
            now=ticking_clock(ANCHOR - (readings - 1) * TICK, TICK),
            usage_days=USAGE_DAYS,
        )
        assert not collection.failures, collection.failures
        names = {s.instance_uuid: s.scenario["vcenter"]["name"] for s in servers}
        text = snapshot_to_json(with_estate_names(collection.snapshot, names, POD_NAME))
        secrets = {
            "a vCenter password": [s.password for s in servers],
            "the Horizon password": [pod.credentials["password"]],
            "a Horizon token": pod.issued_tokens(),
        }
        ports = [s.port for s in servers] + ([pod.port] if pod.port else [])
        leaked = leaks(text, secrets, ports)
    assert not leaked, f"the demo snapshot would hold {', '.join(leaked)}"
    snapshot = parse_snapshot(text.encode(), "demo")
    assert snapshot.collected_at == ANCHOR, (
        f"collected_at is {snapshot.collected_at}: collect_all no longer reads the clock"
        f" {readings} times; adjust `readings`"
    )
    assert snapshot_to_json(snapshot) == text, "the snapshot does not survive a round trip"
    return text


def census(snapshot: Snapshot) -> str:
    """A few lines that show what the demo holds: pools, machine states, joins, sessions."""

    def line(title: str, counts: Counter[str]) -> str:
        return f"{title}: " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))

    pools = Counter(f"{p.kind}/{p.type}/{p.source}" for p in snapshot.pools)
    machines = Counter(f"{m.kind}/{m.state}" for m in snapshot.machines)
    joins = Counter(m.join for m in snapshot.machines)
    sessions = Counter(f"{s.session_type}/{s.state}" for s in snapshot.sessions)
    return "\n".join(
        [
            f"{len(snapshot.vms)} VMs, {len(snapshot.pods)} pod(s), {len(snapshot.pools)} pools,"
            f" {len(snapshot.machines)} machines, {len(snapshot.sessions)} sessions,"
            f" {len(snapshot.connection_servers)} connection servers,"
            f" {len(snapshot.unmatched_vms)} unmatched VMs",
            line("pools by kind/type/source", pools),
            line("machines by kind/state", machines),
            line("machines by join", joins),
            line("sessions by type/state", sessions),
        ]
    )


def main() -> None:
    text = record()
    write_atomically(DEMO, text)
    print(f"{DEMO}:")
    print(census(parse_snapshot(text.encode(), str(DEMO))))


if __name__ == "__main__":
    main()
