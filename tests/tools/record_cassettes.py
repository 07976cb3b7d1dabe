"""Record the collector's SOAP traffic against the simulator into tests/fixtures/cassettes/.

    python tests/tools/record_cassettes.py

Two recordings of the basic scenario: one whole, and one where the simulator pages
results three objects at a time (our paging extension, see tests/vcsim/README.md), so that
the ContinueRetrievePropertiesEx path has a recorded exchange with a token. Beside each
cassette, the snapshot the collector made while recording (addresses scrubbed), which the
replay tests must reproduce exactly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tests"), str(REPO)]

from support.cassettes import CASSETTES, REPLAY_HOST, REPLAY_URL, recorder  # noqa: E402
from support.vcsim import start_vcsim  # noqa: E402

from fleetreport.collect.run import VCenterTarget, collect_all  # noqa: E402
from fleetreport.endpoints import TlsOptions, parse_endpoint  # noqa: E402
from fleetreport.secrets import Secret  # noqa: E402
from fleetreport.snapshot.store import snapshot_to_json  # noqa: E402

SCENARIO = REPO / "tests" / "vcsim" / "scenarios" / "basic.json"


def record(name: str, page_size: int) -> None:
    CASSETTES.mkdir(parents=True, exist_ok=True)
    cassette = CASSETTES / f"{name}.yaml"
    cassette.unlink(missing_ok=True)
    with start_vcsim(SCENARIO, page_size=page_size) as server:
        target = VCenterTarget(
            endpoint=parse_endpoint(server.url, default_path="/sdk", option="--vcenter"),
            user=server.username,
            password=Secret(server.password),
            tls=TlsOptions(ca_file=server.ca_file),
        )
        with recorder("all").use_cassette(cassette.name):
            collection = collect_all([target])
        assert not collection.failures, collection.failures
        text = snapshot_to_json(collection.snapshot)
        text = text.replace(server.url, REPLAY_URL).replace(f'"{server.host}"', f'"{REPLAY_HOST}"')
        (CASSETTES / f"{name}.snapshot.json").write_text(text, encoding="utf-8")
        recorded = cassette.read_text(encoding="utf-8")
        assert server.password not in recorded and "vmware_soap_session" not in recorded
        assert "127.0.0.1" not in recorded
    print(f"{cassette}: {recorded.count('- request:')} exchanges")


def main() -> None:
    record("collect_basic", page_size=0)
    record("collect_paged", page_size=3)
    json.loads((CASSETTES / "collect_paged.snapshot.json").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
