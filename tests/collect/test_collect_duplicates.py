"""The same source given twice: one vCenter under two names, two Connection Servers of one pod.

Each is collected once: the later duplicate's data is dropped, its source says ``duplicate``
and which source holds its data, and one warning line says so. Nothing fails.
"""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.horizon_server import EXAMPLE_DATA, HorizonTestServer
from support.vcsim import start_vcsim

from fleetreport.cli import main
from fleetreport.collect.run import (
    Collection,
    HorizonTarget,
    _Result,
    collect_all,
    drop_duplicates,
)
from fleetreport.collect.vcenter.inventory import VCenterInventory
from fleetreport.endpoints import TlsOptions, parse_endpoint
from fleetreport.errors import ExitCode
from fleetreport.secrets import Secret
from fleetreport.snapshot import load_snapshot
from fleetreport.snapshot.model import Source, VCenter


def horizon_target(server: HorizonTestServer) -> HorizonTarget:
    creds = server.credentials
    return HorizonTarget(
        parse_endpoint(server.url, default_path="/rest", option="--horizon"),
        creds["username"],
        creds["domain"],
        Secret(creds["password"]),
        TlsOptions(ca_file=Path(server.ca_file or "")),
        timeout=10,
    )


def collect_pods(*servers: HorizonTestServer) -> Collection:
    return collect_all([], [horizon_target(s) for s in servers])


def test_two_connection_servers_of_one_pod_are_one_pod(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    with (
        HorizonTestServer(EXAMPLE_DATA) as first,
        HorizonTestServer(EXAMPLE_DATA, profile="2111") as second,
    ):
        collection = collect_pods(first, second)
    snapshot = collection.snapshot
    assert collection.failures == []
    assert [(s.url, s.status, s.duplicate_of) for s in snapshot.sources] == [
        (first.url, "ok", None),
        (second.url, "duplicate", first.url),
    ]
    assert [pod.url for pod in snapshot.pods] == [first.url]
    assert len([m for m in snapshot.machines if m.kind == "machine"]) == 15
    assert {m.pod for m in snapshot.machines} == {"127.0.0.1"}
    assert len(snapshot.connection_servers) == 2
    guid = first.data["environment_properties"]["cluster_guid"]
    lines = [r.getMessage() for r in caplog.records if "collected once" in r.getMessage()]
    assert lines == [
        f"127.0.0.1:{second.port} is the same Horizon pod as 127.0.0.1:{first.port}"
        f" (identity cluster:{guid}): collected once"
    ]


def test_two_different_pods_are_both_kept(tmp_path: Path) -> None:
    other = tmp_path / "other-pod"
    shutil.copytree(EXAMPLE_DATA, other)
    with HorizonTestServer(EXAMPLE_DATA) as first, HorizonTestServer(other) as second:
        snapshot = collect_pods(first, second).snapshot
    assert [s.status for s in snapshot.sources] == ["ok", "ok"]
    assert len(snapshot.pods) == 2
    assert snapshot.pods[0].identity != snapshot.pods[1].identity


@pytest.mark.simulator
@pytest.mark.parametrize("concurrency", ["1", "2"])
def test_one_vcenter_under_two_names_is_one_estate(
    concurrency: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with start_vcsim("basic") as vcenter:
        by_ip = vcenter.url
        by_name = by_ip.replace("127.0.0.1", "localhost")
        assert by_name != by_ip
        monkeypatch.setenv("VC_PW", vcenter.password)
        out = tmp_path / "s.json"
        code = main(
            [
                "collect",
                "--vcenter",
                by_ip,
                "--vcenter",
                by_name,
                "--user",
                vcenter.username,
                "--password-env",
                "VC_PW",
                "--ca-file",
                str(vcenter.ca_file),
                "--out",
                str(out),
                "--concurrency",
                concurrency,
            ]
        )
        assert code == ExitCode.OK
    snapshot = load_snapshot(out)
    assert [(s.status, s.duplicate_of) for s in snapshot.sources] == [
        ("ok", None),
        ("duplicate", snapshot.sources[0].url),
    ]
    first, second = snapshot.sources
    assert second.instance_uuid == first.instance_uuid and second.objects == 0
    if concurrency == "1":  # known right after login: the inventory is not read twice
        assert second.round_trips < first.round_trips / 2
    assert len(snapshot.vcenters) == 1
    assert len({(vm.vcenter, vm.moref) for vm in snapshot.vms}) == len(snapshot.vms) > 0
    assert len({(h.vcenter, h.moref) for h in snapshot.hosts}) == len(snapshot.hosts) > 0
    assert len(snapshot.datacenters) == len({d.moref for d in snapshot.datacenters})
    lines = [line for line in capsys.readouterr().err.splitlines() if "collected once" in line]
    assert lines == [
        f"fleetreport: WARNING: localhost:{vcenter.port} is the same vCenter as"
        f" 127.0.0.1:{vcenter.port} (instance UUID"
        f" {snapshot.vcenters[0].instance_uuid.lower()}): collected once"
    ]


def test_a_vcenter_given_twice_keeps_the_first_in_the_users_order() -> None:
    """Deterministic whatever finishes first: the order of the targets decides."""

    def result(url: str, uuid: str) -> _Result:
        when = datetime(2026, 11, 27, tzinfo=UTC)
        vc = VCenter(uuid, url, url, "8.0.3", "1", "VMware vCenter", "8.0")
        source = Source("vcenter", url, "ok", when, when, True, instance_uuid=uuid, objects=7)
        return _Result(source, vcenter=VCenterInventory(vc, [], [], [], []))

    results = [
        result("https://vc01.example.test/sdk", "AAAA-1"),
        result("https://vc02.example.test/sdk", "bbbb-2"),
        result("https://vc-alias.example.test/sdk", "aaaa-1"),
    ]
    kept = drop_duplicates(results)
    assert [(r.source.status, r.source.duplicate_of, r.source.objects) for r in kept] == [
        ("ok", None, 7),
        ("ok", None, 7),
        ("duplicate", "https://vc01.example.test/sdk", 0),
    ]
    assert [r.vcenter is not None for r in kept] == [True, True, False]
