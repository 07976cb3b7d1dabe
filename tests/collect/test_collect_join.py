"""End to end: simulator and Horizon test server together, every join checked; and an estate
where two VMs share a name and host name, which no join may settle by guessing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from support.horizon_server import HorizonTestServer
from support.paths import FIXTURES
from support.vcsim import load_scenario, start_vcsim

from fleetreport.cli import main
from fleetreport.errors import ExitCode
from fleetreport.snapshot import Snapshot, load_snapshot

pytestmark = pytest.mark.simulator
POD = FIXTURES / "horizon" / "horizon_pod"


def collect(
    profile: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    scenario: str | dict[str, Any] = "horizon_pod",
    unjoined: frozenset[str] = frozenset({"ic-w11-009"}),  # its VM is gone
) -> Snapshot:
    """Collect the simulator and the pod; every machine but ``unjoined`` is joined to its VM."""
    with start_vcsim(scenario) as vcenter, HorizonTestServer(POD, profile=profile) as pod:
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
        if machine.name in unjoined:
            assert (machine.join, machine.vm_vcenter, machine.vm_moref) == ("none", None, None)
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


def with_copies(*names: str) -> dict[str, Any]:
    """The pod's vCenter with a powered-on copy of each VM ``names`` in folder ``Gold``: the
    same name and guest host name (an administrator's clone, not yet through sysprep). The
    copies come last, so every other VM keeps the moref the Horizon data names."""
    scenario = load_scenario("horizon_pod")
    for name in names:
        (original,) = (vm for vm in scenario["vms"] if vm["name"] == name)
        scenario["vms"].append({**copy.deepcopy(original), "folder": "Gold"})
    return scenario


@pytest.mark.parametrize("profile", ["2111", "2512"])
def test_a_name_and_host_name_two_vms_share_never_join(
    profile: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # lab-ws-02 (manual pool) has no path nor moid: its DNS name and name fit both VMs.
    scenario = with_copies("lab-ws-02", "fc-w10-001")
    unjoined = frozenset({"ic-w11-009", "lab-ws-02"})
    snapshot = collect(profile, tmp_path, monkeypatch, scenario, unjoined)
    folders = {vm.moref: vm.folder for vm in snapshot.vms}
    joined = {m.name: (m.join, folders.get(m.vm_moref or "")) for m in snapshot.machines}
    # fc-w10-001's path (2111) or moid (2512) fits one VM: the copy does not matter.
    assert joined["fc-w10-001"] == ("path" if profile == "2111" else "vm_moid", "VDI/FC")
    assert joined["lab-ws-01"][1] == joined["lab-ws-03"][1] == "VDI/Manual"
    warnings = [line for line in capsys.readouterr().err.splitlines() if "have no VM" in line]
    assert warnings == [
        "fleetreport: WARNING: 2 Horizon machine(s) have no VM in the collected vCenters"
    ]
