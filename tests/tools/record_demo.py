"""Record the demo fixture (fixtures/demo/snapshot.json) from the simulator.

    python tests/tools/demo_estate.py      # (re)write the demo scenarios, if they changed
    python tests/tools/record_demo.py      # collect them through the real collector

Starts one simulator per demo vCenter, collects both with fleetreport's own collector over
verified TLS, and writes the snapshot with each loopback address replaced by the name that
vCenter has in the estate (vc01.corp.example.test, ...), so the demo shows believable URLs.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tests"), str(REPO)]

from support.vcsim import start_vcsim  # noqa: E402

from fleetreport.atomic_write import write_atomically  # noqa: E402
from fleetreport.collect.run import VCenterTarget, collect_all  # noqa: E402
from fleetreport.credentials import Secret  # noqa: E402
from fleetreport.endpoints import TlsOptions, parse_endpoint  # noqa: E402
from fleetreport.snapshot.store import parse_snapshot, snapshot_to_json  # noqa: E402

SCENARIOS = [REPO / "tests" / "vcsim" / "scenarios" / f"demo-vc0{n}.json" for n in (1, 2)]
DEMO = REPO / "fixtures" / "demo" / "snapshot.json"


def main() -> None:
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(start_vcsim(path)) for path in SCENARIOS]
        targets = [
            VCenterTarget(
                endpoint=parse_endpoint(server.url, default_path="/sdk", option="--vcenter"),
                user=server.username,
                password=Secret(server.password),
                tls=TlsOptions(ca_file=server.ca_file),
            )
            for server in servers
        ]
        collection = collect_all(targets)
        assert not collection.failures, collection.failures
        text = snapshot_to_json(collection.snapshot)
        for server in servers:
            real_name = server.scenario["vcenter"]["name"]
            text = text.replace(server.url, f"https://{real_name}/sdk")
            text = text.replace(f'"name": "{server.host}"', f'"name": "{real_name}"')
    assert "127.0.0.1" not in text
    write_atomically(DEMO, snapshot_to_json(parse_snapshot(text.encode(), "demo")))  # re-sorted
    print(f"{DEMO}: {len(collection.snapshot.vms)} VMs from {len(servers)} vCenters")


if __name__ == "__main__":
    main()
