"""`fleetreport report` in every format, branding from options and config, and `demo`."""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path
from typing import Any

import pytest
from support.fleet_builders import ago, desktops, fleet_snapshot, pool, session, vm

from fleetreport.cli import main
from fleetreport.errors import ExitCode
from fleetreport.snapshot.store import save_snapshot

# A 1x1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR4nGNgYAAAAAMAASsJTYQAAAAASUVORK5CYII="
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def snapshot_file(cli_env: Path) -> Path:
    vms, machines = desktops(vm("desk-1"), vm("desk-2", boot_time=ago(days=50)))
    path = cli_env / "s.json"
    save_snapshot(fleet_snapshot(vms, machines, [pool()], [session(machines[0])]), path)
    return path


def one_error(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fleetreport: error: "), err
    for fragment in fragments:
        assert fragment in lines[0]


def test_html_is_the_default_format(
    snapshot_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "report", "s.json", "--out", "r.html", "--customer", "ACME")
    assert (code, err) == (ExitCode.OK, "")
    html = Path("r.html").read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "ACME" in html and 'id="findings"' in html
    assert "wrote r.html: 2 desktops" in out


def test_branding_options(snapshot_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Path("logo.png").write_bytes(PNG)
    code, _, _ = run(
        capsys,
        *("report", "s.json", "--out", "r.html", "--customer", "Contoso & Co"),
        *("--consultant-company", "Fleet Consulting", "--consultant", "Dana"),
        *("--logo", "logo.png", "--accent", "#AA3300"),
    )
    assert code == ExitCode.OK
    html = Path("r.html").read_text("utf-8")
    assert "Contoso &amp; Co" in html
    assert "Dana, Fleet Consulting" in html
    assert "data:image/png;base64," in html
    assert "--accent: #aa3300" in html


def test_branding_from_the_config_file(
    snapshot_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("brand").mkdir()
    Path("brand/logo.png").write_bytes(PNG)
    Path("brand/fleet.toml").write_text(
        '[branding]\ncustomer = "Initech"\nlogo = "logo.png"\naccent_colour = "#123456"\n'
        "[checks.vm_uptime_long]\nwarning_days = 100\ncritical_days = 200\n",
        encoding="utf-8",
    )
    code, _, _ = run(capsys, "report", "s.json", "--out", "r.html", "--config", "brand/fleet.toml")
    assert code == ExitCode.OK
    html = Path("r.html").read_text("utf-8")
    assert "Initech" in html and "data:image/png" in html and "#123456" in html
    assert "vm_uptime_long" not in html.split('id="findings"')[1].split('id="energy"')[0]


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        (["--accent", "red;background:url(x)"], ["accent colour", "#rrggbb"]),
        (["--logo", "missing.png"], ["logo missing.png does not exist"]),
        (["--logo", "s.json"], ["not a PNG, JPEG, GIF or SVG"]),
        (["--templates", "no-such-dir"], ["templates folder no-such-dir does not exist"]),
        (["--format", "docx"], ["invalid choice"]),
    ],
)
def test_bad_report_options(
    snapshot_file: Path,
    capsys: pytest.CaptureFixture[str],
    options: list[str],
    fragments: list[str],
) -> None:
    code, _, err = run(capsys, "report", "s.json", "--out", "r.html", *options)
    assert code in (ExitCode.ERROR, ExitCode.USAGE)
    one_error(err, *fragments)
    assert not Path("r.html").exists()


def test_unknown_branding_key_names_its_line(
    snapshot_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("c.toml").write_text(
        '# brand\n[branding]\ncustomer = "X"\ncolour = "#000000"\n', encoding="utf-8"
    )
    code, _, err = run(capsys, "report", "s.json", "--out", "r.html", "--config", "c.toml")
    assert code == ExitCode.ERROR
    one_error(err, "c.toml:4", "branding.colour", "unknown setting")


def test_broken_user_template_is_one_line(
    snapshot_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("mine/report").mkdir(parents=True)
    Path("mine/report/_cover.html").write_text("{% if %}", encoding="utf-8")
    code, _, err = run(capsys, "report", "s.json", "--out", "r.html", "--templates", "mine")
    assert code == ExitCode.ERROR
    one_error(err, "report template failed", "_cover.html")
    assert not Path("r.html").exists()


def test_csv_writes_one_file_per_table(
    snapshot_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "report", "s.json", "--format", "csv", "--out", "tables")
    assert code == ExitCode.OK
    names = sorted(p.name for p in Path("tables").iterdir())
    assert {"desktops.csv", "findings.csv", "pools.csv"} <= set(names)
    with Path("tables/desktops.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 2
    assert "files in tables" in out


def test_xlsx_writes_a_workbook(snapshot_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "report", "s.json", "--format", "xlsx", "--out", "r.xlsx")
    assert code == ExitCode.OK
    assert Path("r.xlsx").read_bytes()[:2] == b"PK"


def test_demo_renders_the_full_report_offline(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "demo", "--out", "d")
    assert (code, err) == (ExitCode.OK, "")
    report = cli_env / "d" / "report.html"
    assert f"Report: {report.resolve()}" in out
    html = report.read_text("utf-8")
    model = json.loads((cli_env / "d" / "report.json").read_text(encoding="utf-8"))
    assert model["fleet"]["desktops"] == 310
    assert f'id="kpi-desktops">{model["fleet"]["desktops"]:,}<' in html
    assert len(model["pools"]) == 5 and "RDS" in {p["type"] for p in model["pools"]}


def judged_json(capsys: pytest.CaptureFixture[str], out: str, *as_of: str) -> dict[str, Any]:
    """The JSON report of s.json, with ``--as-of`` when given."""
    code, _, err = run(capsys, "report", "s.json", "--format", "json", "--out", out, *as_of)
    assert (code, err) == (ExitCode.OK, "")
    report: dict[str, Any] = json.loads(Path(out).read_text("utf-8"))
    return report


def test_as_of_measures_every_age_at_that_time(
    snapshot_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A replay judged 32 days after its collection: every age is 32 days older."""
    collected = judged_json(capsys, "now.json")
    later = judged_json(capsys, "later.json", "--as-of", "2026-12-29T06:00:00Z")
    assert collected["snapshot"]["judged_at"] == collected["snapshot"]["collected_at"]
    assert later["snapshot"]["collected_at"] == "2026-11-27T06:00:00Z"
    assert later["snapshot"]["judged_at"] == "2026-12-29T06:00:00Z"
    assert {v["name"]: v["uptime_days"] for v in collected["vms"]} == {"desk-1": 1, "desk-2": 50}
    assert {v["name"]: v["uptime_days"] for v in later["vms"]} == {"desk-1": 33, "desk-2": 82}
    assert [p["image_age_days"] for p in (collected["pools"][0], later["pools"][0])] == [10, 42]
    findings = {
        name: {(f["check"], f["subject_name"], f["severity"]) for f in report["findings"]}
        for name, report in (("now", collected), ("later", later))
    }
    # desk-2's newest start is Horizon's creation 5 days before collection: 37 days at --as-of.
    assert findings == {
        "now": {("vm_idle_powered_on", "desk-2", "info")},
        "later": {
            ("vm_idle_powered_on", "desk-2", "info"),
            ("vm_uptime_long", "desk-2", "warning"),
            ("pool_image_old", "pool-1", "warning"),
        },
    }
    idle = [f["message"] for f in later["findings"] if f["check"] == "vm_idle_powered_on"]
    assert "82 days" in idle[0]


def test_the_html_report_says_when_ages_are_measured(
    snapshot_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "report", "s.json", "--out", "now.html")[0] == ExitCode.OK
    code, _, _ = run(capsys, "report", "s.json", "--out", "later.html", "--as-of", "2026-12-27")
    assert code == ExitCode.OK
    now, later = (Path(name).read_text("utf-8") for name in ("now.html", "later.html"))
    assert 'id="method-judged-at"' not in now and 'id="judged-at"' not in now
    assert "measured at the snapshot's collection time" in now
    assert 'id="method-judged-at"' in later and 'id="judged-at"' in later
    assert "2026-12-27 00:00 UTC (--as-of, a replay)" in later


@pytest.mark.parametrize(
    "as_of", ["yesterday", "2021-13-01T00:00:00Z", "", "0001-01-01T00:00:00+01:00", "\x1b[2J"]
)
def test_a_bad_as_of_time_is_a_usage_error(
    snapshot_file: Path, capsys: pytest.CaptureFixture[str], as_of: str
) -> None:
    code, out, err = run(capsys, "report", "s.json", "--out", "r.json", "--as-of", as_of)
    assert (code, out) == (ExitCode.USAGE, "")
    one_error(err, "--as-of", "is not an ISO 8601 time", "2021-01-08T00:00:00Z")
    assert "\x1b" not in err
    assert not Path("r.json").exists()


def test_demo_replays_as_of_a_time(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "demo", "--out", "d", "--as-of", "2030-01-01T00:00:00Z")
    assert (code, err) == (ExitCode.OK, "")
    model = json.loads((cli_env / "d" / "report.json").read_text(encoding="utf-8"))
    assert model["snapshot"]["judged_at"] == "2030-01-01T00:00:00Z"
    assert model["snapshot"]["collected_at"] != model["snapshot"]["judged_at"]
