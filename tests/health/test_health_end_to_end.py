"""End to end: simulator + Horizon test server -> collect -> JSON report, judged as a person would.

The ``horizon_pod`` scenario and its Horizon data (``tests/fixtures/horizon/horizon_pod``) were
built with known problems; each must come out as the finding a consultant would expect.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support.horizon_server import HorizonTestServer
from support.paths import FIXTURES
from support.vcsim import start_vcsim

from fleetreport.cli import main
from fleetreport.errors import ExitCode
from fleetreport.health.report_schema import shipped_report_schema_text

pytestmark = pytest.mark.simulator
POD = FIXTURES / "horizon" / "horizon_pod"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("e2e")
    monkeypatch = pytest.MonkeyPatch()
    with start_vcsim("horizon_pod") as vcenter, HorizonTestServer(POD) as pod:
        cas = folder / "cas.pem"
        cas.write_text(
            Path(vcenter.ca_file).read_text(encoding="utf-8")
            + Path(pod.ca_file).read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        monkeypatch.setenv("VC_PW", vcenter.password)
        monkeypatch.setenv("HZ_PW", pod.credentials["password"])
        try:
            code = main(
                [
                    "collect",
                    *("--vcenter", vcenter.url, "--user", vcenter.username),
                    *("--password-env", "VC_PW", "--horizon", pod.url),
                    *("--horizon-user", pod.credentials["username"]),
                    *("--horizon-domain", pod.credentials["domain"]),
                    *("--horizon-password-env", "HZ_PW", "--ca-file", str(cas)),
                    *("--out", str(folder / "s.json")),
                ]
            )
        finally:
            monkeypatch.undo()
    assert code == ExitCode.OK
    out = folder / "report.json"
    assert main(["report", str(folder / "s.json"), "--format", "json", "--out", str(out)]) == 0
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


def findings(report: dict[str, Any], check: str) -> dict[str, str]:
    return {f["subject_name"]: f["severity"] for f in report["findings"] if f["check"] == check}


def test_the_report_validates_and_counts_every_desktop(report: dict[str, Any]) -> None:
    jsonschema.validate(report, json.loads(shipped_report_schema_text()))
    machines = json.loads((POD / "machines.json").read_text(encoding="utf-8"))
    rds = json.loads((POD / "rds_servers.json").read_text(encoding="utf-8"))
    assert report["fleet"]["desktops"] == len(machines) + len(rds)
    assert sum(report["fleet"]["by_machine_state"].values()) == report["fleet"]["desktops"]
    assert {p["name"] for p in report["pools"]} >= {"ic-win11-floating", "rdsh-apps"}


def test_machine_states_come_out_as_the_catalogue_says(report: dict[str, Any]) -> None:
    states = findings(report, "machine_problem_state")
    assert states["ic-w11-005"] == "critical"  # PROVISIONING_ERROR
    assert states["lab-ws-03"] == "critical"  # AGENT_UNREACHABLE
    assert "fc-w10-004" not in states  # MAINTENANCE, undated: in progress, not a finding
    assert states["rdsh-02"] == "warning"  # AGENT_DRAIN_MODE
    check = next(c for c in report["checks"] if c["id"] == "machine_problem_state")
    assert check["counts"]["unknown"] >= 1  # FUTURE_STATE_X is kept as unknown, not a pass


def test_vcenter_and_horizon_disagreements(report: dict[str, Any]) -> None:
    assert findings(report, "machine_missing_in_vcenter") == {"ic-w11-009": "critical"}
    # fc-w10-003 is assigned (not a spare) and idle in a POWER_OFF pool; ic-w11-005 is an
    # instant clone, to which no power policy applies.
    assert findings(report, "vm_power_policy_mismatch") == {"fc-w10-003": "warning"}
    assert findings(report, "machine_image_drift") == {"rdsh-01": "warning"}
    assert "ic-w11-008" in findings(report, "vm_tools_not_running")


def test_golden_image_and_push_problems(report: dict[str, Any]) -> None:
    assert findings(report, "pool_image_old") == {"ic-win11-floating": "warning"}
    old = next(f for f in report["findings"] if f["check"] == "pool_image_old")
    assert re.search(r"is \d+ days old \(warning over 35 days\)", old["message"])
    pushes = findings(report, "pool_image_push_failed")
    assert pushes["ic-win11-floating"] == "critical"
    pool = next(p for p in report["pools"] if p["name"] == "ic-win11-floating")
    assert pool["image_age_days"] > 35
    assert pool["patch_score"] <= 85  # every desktop inherits the old image's warning


def test_connection_servers_and_sessions(report: dict[str, Any]) -> None:
    assert findings(report, "cs_unhealthy") == {"cs02.example.test": "critical"}
    assert findings(report, "cs_certificate_expiring") == {"cs01.example.test": "warning"}
    assert findings(report, "session_disconnected_long") == {"fc-w10-002": "warning"}


def test_idle_desktops_feed_the_energy_estimate(report: dict[str, Any]) -> None:
    idle = findings(report, "vm_idle_powered_on")
    assert set(idle.values()) == {"info"}
    assert report["energy"]["idle_desktops"] == len(idle)
    assert report["energy"]["cost_per_year"] > 0
