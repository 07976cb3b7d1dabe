"""End to end: simulator and Horizon test server together, every join checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.horizon_server import HorizonTestServer
from support.paths import FIXTURES
from support.vcsim import start_vcsim

from fleetreport.cli import main
from fleetreport.errors import ExitCode
from fleetreport.snapshot import Snapshot, load_snapshot

pytestmark = pytest.mark.simulator
POD = FIXTURES / "horizon" / "horizon_pod"


def collect(profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Snapshot:
    with start_vcsim("horizon_pod") as vcenter, HorizonTestServer(POD, profile=profile) as pod:
        cas = tmp_path / "cas.pem"
        cas.write_text(
            Path(vcenter.ca_file).read_text(encoding="utf-8")
            + Path(pod.ca_file).read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        monkeypatch.setenv("VC_PW", vcenter.password)
        monkeypatch.setenv("HZ_PW", pod.credentials["password"])
        out = tmp_path / "s.json"
        code = main(
            [
                "collect",
                "--vcenter",
                vcenter.url,
                "--user",
                vcenter.username,
                "--password-env",
                "VC_PW",
                "--horizon",
                pod.url,
                "--horizon-user",
                pod.credentials["username"],
                "--horizon-domain",
                pod.credentials["domain"],
                "--horizon-password-env",
                "HZ_PW",
                "--ca-file",
                str(cas),
                "--out",
                str(out),
            ]
        )
        assert code == ExitCode.OK
        machines = json.loads((POD / "machines.json").read_text(encoding="utf-8"))
        expected = {m["name"]: m.get("managed_machine_data", {}).get("vm_moid") for m in machines}
        return_value = load_snapshot(out)
    vm_names = {vm.moref: vm.name for vm in return_value.vms}
    for machine in return_value.machines:
        if machine.kind != "machine":
            continue
        if machine.name == "ic-w11-009":  # its VM is gone
            assert machine.join == "none" and machine.vm_moref is None
            continue
        assert machine.vm_moref is not None, machine.name
        assert vm_names[machine.vm_moref] == machine.name
        if expected.get(machine.name):
            assert machine.vm_moref == expected[machine.name]
    return return_value


def test_every_machine_joins_by_moid_on_2512(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = collect("2512", tmp_path, monkeypatch)
    joins = {m.join for m in snapshot.machines if m.kind == "machine" and m.name != "ic-w11-009"}
    assert "vm_moid" in joins
    assert [u.name for u in snapshot.unmatched_vms] == ["ic-w11-099"]
    pool = next(p for p in snapshot.pools if p.name == "ic-win11-floating")
    assert pool.golden_image_created is not None


def test_old_server_joins_by_path_or_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = collect("2111", tmp_path, monkeypatch)
    joins = {m.join for m in snapshot.machines if m.kind == "machine" and m.name != "ic-w11-009"}
    assert "vm_moid" not in joins
    assert joins <= {"path", "dns_name", "name"}
