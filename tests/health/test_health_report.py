"""The JSON report, `fleetreport report` and `fleetreport checks`, configuration errors, energy."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from support.fleet_builders import ago, desktops, fleet_snapshot, machine, pool, session, vm
from support.paths import DEMO_SNAPSHOT

from fleetreport.cli import main
from fleetreport.config_file import parse_config
from fleetreport.errors import ConfigError, ExitCode
from fleetreport.health.build import REPORT_SCHEMA_VERSION, build_report
from fleetreport.health.catalogue import catalogue
from fleetreport.health.report_json import report_to_json
from fleetreport.health.report_schema import report_schema_text, shipped_report_schema_text
from fleetreport.health.settings import settings_from_config
from fleetreport.snapshot.model import Snapshot
from fleetreport.snapshot.store import load_snapshot, save_snapshot

DEMO = DEMO_SNAPSHOT


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def mixed_fleet() -> Snapshot:
    """Two pools: one healthy and busy, one always-on full-clone pool with idle, outdated
    desktops (a power policy applies to full clones, not to instant clones)."""
    busy_vms, busy = desktops(vm("busy-1"), vm("busy-2"), pool_id="busy")
    idle_vms = [
        vm("idle-1", tools_version_status="guestToolsNeedUpgrade"),
        vm("idle-2", boot_time=ago(days=100)),
    ]
    idle = [machine(v, "idle", create_time=v.boot_time) for v in idle_vms]
    return fleet_snapshot(
        busy_vms + idle_vms,
        busy + idle,
        [pool("busy"), pool("idle", power_policy="ALWAYS_POWERED_ON", source="VIRTUAL_CENTER")],
        sessions=[session(m) for m in busy],
    )


def test_the_json_report_has_the_documented_shape(tmp_path: Path) -> None:
    report = json.loads(report_to_json(build_report(mixed_fleet())))
    jsonschema.validate(report, json.loads(shipped_report_schema_text()))
    assert report["schema_version"] == REPORT_SCHEMA_VERSION == 4
    assert {"desktops", "patch_score", "power_score", "grade"} <= report["fleet"].keys()
    assert report["fleet"]["by_power_state"] == {"poweredOn": 4}
    assert report["fleet"]["by_machine_state"] == {"AVAILABLE": 4}
    assert {"id", "name", "desktops", "patch_score", "power_score", "grade"} <= report["pools"][
        0
    ].keys()
    assert {"moref", "name", "pool", "patch_score", "power_score"} <= report["vms"][0].keys()
    finding_keys = {"check", "category", "severity", "subject", "subject_name", "message"}
    assert all(finding_keys | {"remediation"} <= f.keys() for f in report["findings"])
    assert [c["id"] for c in report["checks"]] == list(catalogue())
    counts = {c["id"]: c["counts"] for c in report["checks"]}
    # instant clones are judged by age since refresh, full clones by power-cycle age
    assert counts["vm_uptime_long"] | {"passed": 2, "failed": 0} == counts["vm_uptime_long"]
    assert counts["vm_power_cycle_old"] | {"passed": 1, "failed": 1} == counts["vm_power_cycle_old"]
    subjects = {"desktop": 4, "pool": 2, "host": 1, "connection_server": 0, "pod": 0}
    subjects["horizon_vcenter"] = 1
    subjects |= dict.fromkeys(("cluster", "datastore", "gateway", "ad_domain"), 0)
    for check in report["checks"]:
        judged = sum(check["counts"][k] for k in ("passed", "failed", "unknown", "excluded"))
        assert judged == subjects[check["subject_kind"]], check["id"]
    assert report["snapshot"]["collected_at"] == "2026-11-27T06:00:00Z"
    assert [s["kind"] for s in report["sources"]] == ["vcenter", "horizon"]


def test_shipped_report_schema_matches_the_model() -> None:
    regenerate = (
        "python -m fleetreport.health.report_schema > fleetreport/health/report.schema.json"
    )
    assert shipped_report_schema_text() == report_schema_text(), f"regenerate: {regenerate}"


def test_findings_are_worst_first_and_name_subject_and_value() -> None:
    report = build_report(mixed_fleet())
    ranks = {"critical": 0, "warning": 1, "info": 2}
    assert [ranks[f.severity] for f in report.findings] == sorted(
        ranks[f.severity] for f in report.findings
    )
    uptime = next(f for f in report.findings if f.check == "vm_power_cycle_old")
    assert (uptime.subject, uptime.subject_name, uptime.severity) == (
        "vm-idle-2",
        "idle-2",
        "warning",
    )
    assert "100 days" in uptime.message and "90 days" in uptime.message
    assert uptime.remediation == catalogue()["vm_power_cycle_old"].remediation


def test_pools_and_desktops_carry_their_scores() -> None:
    report = build_report(mixed_fleet())
    pools = {p.id: p for p in report.pools}
    assert (pools["busy"].patch_score, pools["busy"].grade, pools["busy"].healthy_share) == (
        100,
        "A",
        1.0,
    )
    assert pools["idle"].patch_score == round((85 + 85) / 2, 1)
    assert pools["idle"].healthy_desktops == 0
    assert pools["idle"].image_age_days == 10.0
    assert [v.name for v in report.vms] == ["busy-1", "busy-2", "idle-1", "idle-2"]


def test_energy_estimate_counts_idle_desktops_with_its_assumptions() -> None:
    report = build_report(mixed_fleet())
    energy = report.energy
    assert (energy.watts_per_desktop, energy.price_per_kwh, energy.currency) == (20, 0.25, "EUR")
    assert energy.idle_desktops == 2
    assert energy.kwh_per_year == round(2 * 20 * 8760 / 1000)  # 350 kWh
    assert energy.cost_per_year == round(2 * 20 * 8760 / 1000 * 0.25)  # 88 EUR
    off_hours = 8760 - 52 * 50
    assert energy.off_hours_per_year == off_hours
    assert energy.saving_per_year == round(2 * 20 * off_hours / 1000 * 0.25)  # 62 EUR
    assert [(row.pool, row.idle_desktops) for row in energy.pools] == [("idle", 2)]


def test_energy_assumptions_come_from_configuration() -> None:
    config = parse_config(
        '[energy]\nwatts_per_desktop = 10\nprice_per_kwh = 0.5\ncurrency = "USD"\n'
        "working_hours_per_week = 40\n",
        "e.toml",
    )
    energy = build_report(mixed_fleet(), settings_from_config(config)).energy
    assert energy.currency == "USD"
    assert energy.cost_per_year == round(2 * 10 * 8760 / 1000 * 0.5)
    assert energy.saving_per_year == round(2 * 10 * (8760 - 52 * 40) / 1000 * 0.5)


def test_a_pool_that_powers_off_saves_nothing_more() -> None:
    vms, machines = desktops(vm("idle-on"))
    off = pool(power_policy="POWER_OFF", source="VIRTUAL_CENTER")
    report = build_report(fleet_snapshot(vms, machines, [off]))
    assert report.energy.idle_desktops == 1
    assert report.energy.saving_per_year == 0
    assert report.energy.cost_per_year > 0


def test_the_report_is_deterministic_for_one_snapshot() -> None:
    snapshot = load_snapshot(DEMO)
    when = datetime(2026, 11, 27, tzinfo=UTC)
    assert report_to_json(build_report(snapshot, generated_at=when)) == report_to_json(
        build_report(snapshot, generated_at=when)
    )


def test_report_command_writes_json(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    save_snapshot(mixed_fleet(), cli_env / "s.json")
    code, out, err = run(capsys, "report", "s.json", "--format", "json", "--out", "r.json")
    assert (code, err) == (ExitCode.OK, "")
    assert "4 desktops" in out and "grade" in out
    data = json.loads((cli_env / "r.json").read_text(encoding="utf-8"))
    assert data["fleet"]["desktops"] == 4
    assert not list(cli_env.glob("*.tmp*"))


def test_report_command_uses_the_config(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    save_snapshot(mixed_fleet(), cli_env / "s.json")
    (cli_env / "health.toml").write_text(
        "[checks.vm_uptime_long]\nenabled = false\n\n[checks.vm_tools_outdated]\n"
        'exclude = ["idle-*"]\n',
        encoding="utf-8",
    )
    code, _, _ = run(
        capsys, "report", "s.json", "--format", "json", "--out", "r.json", "--config", "health.toml"
    )
    assert code == ExitCode.OK
    data = json.loads((cli_env / "r.json").read_text(encoding="utf-8"))
    assert not [
        f for f in data["findings"] if f["check"] in ("vm_uptime_long", "vm_tools_outdated")
    ]
    checks = {c["id"]: c for c in data["checks"]}
    assert checks["vm_uptime_long"]["enabled"] is False
    assert checks["vm_tools_outdated"]["counts"]["excluded"] == 2


@pytest.mark.parametrize(
    ("toml", "fragments"),
    [
        (
            "[checks.vm_uptime_long]\nwarning_days = 'soon'\n",
            ["h.toml:2", "warning_days", "number"],
        ),
        (
            "[checks.vm_uptime_long]\nwarn_days = 3\n",
            ["h.toml:2", "unknown setting", "warning_days"],
        ),
        ("[checks.no_such_check]\nx = 1\n", ["h.toml:1", "no such check", "fleetreport checks"]),
        ("[scores]\ncritical_weight = -5\n", ["h.toml:2", "out of range"]),
        ("[scores]\ngrades = { A = 50, B = 80 }\n", ["h.toml:2", "fall from A to D"]),
        ("[checks.vm_suspended]\nseverity = 'fatal'\n", ["h.toml:2", "critical, warning or info"]),
        (
            "[checks.vm_suspended]\nenabled = 'yes'\n",
            ["h.toml:2: checks.vm_suspended.enabled: expected true or false"],
        ),
        ("[scope.exclude]\nfolders = 'Lab'\n", ["h.toml:2", "list of text"]),
        ("[energy]\nwatts = 3\n", ["h.toml:2", "unknown setting", "watts_per_desktop"]),
        ("[colours]\n", ["h.toml:1", "unknown setting"]),
        ("[checks.vm_suspended\n", ["h.toml:1", "not valid TOML"]),
    ],
)
def test_bad_configuration_is_one_line_with_its_place(
    cli_env: Path, capsys: pytest.CaptureFixture[str], toml: str, fragments: list[str]
) -> None:
    save_snapshot(mixed_fleet(), cli_env / "s.json")
    (cli_env / "h.toml").write_text(toml, encoding="utf-8")
    code, _, err = run(capsys, "report", "s.json", "--out", "r.json", "--config", "h.toml")
    assert code == ExitCode.ERROR
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fleetreport: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]
    assert not (cli_env / "r.json").exists()


def test_missing_config_file_is_an_error(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "checks", "--config", "nope.toml")
    assert code == ExitCode.ERROR
    assert "nope.toml does not exist" in err


def test_config_errors_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"t.toml:3: checks.vm_snapshot_many.warning_count"):
        settings_from_config(
            parse_config("# x\n[checks.vm_snapshot_many]\nwarning_count = true\n", "t.toml")
        )


def test_checks_lists_the_catalogue_with_thresholds(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "checks")
    assert code == ExitCode.OK
    for check_id in catalogue():
        assert f"  {check_id}" in out
    assert "warning_days = 35" in out and "critical_days = 60" in out
    assert "100 minus 40 per critical, 15 per warning" in out


def test_checks_shows_what_the_config_changed(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (cli_env / "h.toml").write_text(
        "[checks.vm_uptime_long]\nwarning_days = 28\nexclude = ['kiosk-*']\n"
        "[checks.vm_suspended]\nenabled = false\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "checks", "--config", "h.toml")
    assert code == ExitCode.OK
    assert "warning_days = 28 *" in out
    assert "exclude = kiosk-* *" in out
    assert "vm_suspended (DISABLED)" in out


def test_report_of_a_missing_snapshot(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", "gone.json", "--out", "r.json")
    assert code == ExitCode.ERROR
    assert "gone.json does not exist" in err
    assert not (cli_env / "r.json").exists()


def test_schema_command_prints_the_report_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema", "--report")
    assert code == ExitCode.OK
    assert json.loads(out)["title"] == "fleetreport health report"


def test_a_blank_currency_is_refused_with_an_example() -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from_config(parse_config('[energy]\ncurrency = " "\n', "e.toml"))
    assert raised.value.one_line() == (
        'e.toml:2: energy.currency: expected a currency name (hint: e.g. "EUR")'
    )


def test_a_negative_electricity_price_is_out_of_range() -> None:
    with pytest.raises(ConfigError, match=r"e.toml:2: energy.price_per_kwh: .*out of range"):
        settings_from_config(parse_config("[energy]\nprice_per_kwh = -0.25\n", "e.toml"))
