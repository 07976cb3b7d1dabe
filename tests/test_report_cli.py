"""`fleetreport report` in every format, branding from options and config, and `demo`."""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path

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
        "[checks.vm_uptime_long]\nwarning_days = 100\ncritical_days = 200\n"
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
        (["--format", "pdf"], ["invalid choice"]),
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
    Path("c.toml").write_text('# brand\n[branding]\ncustomer = "X"\ncolour = "#000000"\n')
    code, _, err = run(capsys, "report", "s.json", "--out", "r.html", "--config", "c.toml")
    assert code == ExitCode.ERROR
    one_error(err, "c.toml:4", "branding.colour", "unknown setting")


def test_broken_user_template_is_one_line(
    snapshot_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("mine/report").mkdir(parents=True)
    Path("mine/report/_cover.html").write_text("{% if %}")
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
    model = json.loads((cli_env / "d" / "report.json").read_text())
    assert model["fleet"]["desktops"] == 310
    assert f'id="kpi-desktops">{model["fleet"]["desktops"]:,}<' in html
    assert len(model["pools"]) == 5 and "RDS" in {p["type"] for p in model["pools"]}
