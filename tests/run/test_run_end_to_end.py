"""`fleetreport run --config` end to end on loopback: two vCenter simulators, the Horizon test
server, a real SMTP server; history across runs, changes, mail, exit codes, lock, interruption.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filelock
import pytest
from support.horizon_server import HorizonTestServer
from support.paths import FIXTURES, REPO
from support.smtp_server import SmtpTestServer
from support.vcsim import scenario_path, start_vcsim

from fleetreport.cli import main
from fleetreport.errors import ExitCode

pytestmark = pytest.mark.simulator
POD = FIXTURES / "horizon" / "demo"


@dataclass
class Estate:
    """The servers of one run and the config that points at them."""

    config: Path
    env: dict[str, str]
    smtp: SmtpTestServer
    folder: Path


def scenario(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(scenario_path(name).read_text())
    return data


def callcenter_changes(data: dict[str, Any]) -> tuple[str, str]:
    """Fix one desktop whose Tools are not running, break another's Tools: (fixed, broken)."""
    fixed = next(
        vm
        for vm in data["vms"]
        if vm["power_state"] == "poweredOn" and vm["tools_running_status"] != "guestToolsRunning"
    )
    fixed["tools_running_status"] = "guestToolsRunning"
    fixed["tools_status"] = "toolsOk"
    broken = next(
        vm
        for vm in data["vms"]
        if vm["folder"].startswith("Horizon/")
        and vm["power_state"] == "poweredOn"
        and vm["tools_version_status2"] == "guestToolsCurrent"
        and vm["tools_running_status"] == "guestToolsRunning"
    )
    broken["tools_version_status2"] = "guestToolsTooOld"
    return fixed["name"], broken["name"]


@contextmanager
def estate(
    folder: Path,
    *,
    second_vcenter: dict[str, Any] | str = "demo-vc02",
    second_url: str | None = None,
    extra: str = "",
    delay_ms: int = 0,
    output: str = 'formats = ["html", "json", "xlsx"]',
) -> Iterator[Estate]:
    """Start the servers and write a config for them (``second_url`` replaces the second
    vCenter with an address that answers nothing)."""
    with ExitStack() as stack:
        vc1 = stack.enter_context(start_vcsim("demo-vc01", delay_ms=delay_ms))
        vc2 = stack.enter_context(start_vcsim(second_vcenter, delay_ms=delay_ms))
        pod = stack.enter_context(HorizonTestServer(POD))
        smtp = stack.enter_context(SmtpTestServer(starttls=True, credentials=("mailer", "m-pw")))
        cas = folder / "cas.pem"
        assert smtp.ca_file is not None
        cas.write_text(
            "".join(
                Path(p).read_text() for p in (vc1.ca_file, vc2.ca_file, pod.ca_file, smtp.ca_file)
            )
        )
        env = {
            "VC1_PW": vc1.password,
            "VC2_PW": vc2.password,
            "HZ_PW": pod.credentials["password"],
            "SMTP_PW": "m-pw",
        }
        config = folder / "fleetreport.toml"
        config.write_text(
            f"""
[[vcenter]]
url = "{vc1.url}"
user = "{vc1.username}"
password_env = "VC1_PW"
ca_file = "cas.pem"

[[vcenter]]
url = "{second_url or vc2.url}"
user = "{vc2.username}"
password_env = "VC2_PW"
ca_file = "cas.pem"
timeout = 5

[[horizon]]
url = "{pod.url}"
user = "{pod.credentials["username"]}"
domain = "{pod.credentials["domain"]}"
password_env = "HZ_PW"
ca_file = "cas.pem"

[output]
folder = "reports"
{output}

[history]
database = "history.sqlite"

[email]
host = "127.0.0.1"
port = {smtp.port}
security = "starttls"
username = "mailer"
password_env = "SMTP_PW"
sender = "fleetreport@example.test"
recipients = ["ops@example.test"]
attach_xlsx = true
ca_file = "cas.pem"

[branding]
customer = "Example Corp"
{extra}
"""
        )
        yield Estate(config, env, smtp, folder)


def run(estate: Estate, monkeypatch: pytest.MonkeyPatch, *options: str) -> int:
    for name, value in estate.env.items():
        monkeypatch.setenv(name, value)
    return main(["run", "--config", str(estate.config), *options])


@pytest.mark.browser
def test_a_run_prints_the_report_to_pdf_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with estate(tmp_path, output='formats = ["json", "pdf"]\npaper = "letter"') as job:
        assert run(job, monkeypatch) == ExitCode.FINDINGS
    latest = tmp_path / "reports" / (tmp_path / "reports" / "latest.txt").read_text().strip()
    assert sorted(p.name for p in latest.iterdir()) == [
        "report.json",
        "report.pdf",
        "snapshot.json",
    ]
    info = subprocess.run(
        ["pdfinfo", str(latest / "report.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "(letter)" in info
    text = subprocess.run(
        ["pdftotext", str(latest / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Example Corp" in text and "Executive summary" in text


def runs_in_history(folder: Path) -> int:
    with sqlite3.connect(folder / "history.sqlite") as db:
        return int(db.execute("SELECT count(*) FROM runs").fetchone()[0])


def test_history_grows_and_the_second_report_shows_the_differences(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with estate(tmp_path) as first:
        code = run(first, monkeypatch)
        assert code == ExitCode.FINDINGS  # the demo fleet has critical findings
        assert len(first.smtp.messages) == 1
        message = first.smtp.messages[0].parsed()
        assert "Example Corp" in message["Subject"]
        names = {part.get_filename() for part in message.iter_attachments()}
        assert names == {"report.html", "report.xlsx"}
    out = capsys.readouterr().out
    assert "fleetreport run: 310 desktops" in out and "(exit 2)" in out
    latest = tmp_path / "reports" / "latest"
    first_folder = latest.resolve()
    first_report = json.loads((latest / "report.json").read_text())
    assert first_report["changes"] is None
    assert runs_in_history(tmp_path) == 1

    changed = scenario("demo-vc02")
    fixed, broken = callcenter_changes(changed)
    with estate(tmp_path, second_vcenter=changed) as second:
        assert run(second, monkeypatch, "--fail-on", "never") == ExitCode.OK
        assert len(second.smtp.messages) == 1
        body = second.smtp.messages[0].parsed().get_body(("plain",))
        assert body is not None and "Since the last run" in body.get_content()
    assert runs_in_history(tmp_path) == 2
    assert latest.resolve() != first_folder and first_folder.is_dir()
    report = json.loads((latest / "report.json").read_text())
    changes = report["changes"]
    new = {(f["check"], f["subject_name"]) for f in changes["new_findings"]}
    resolved = {(f["check"], f["subject_name"]) for f in changes["resolved_findings"]}
    assert ("vm_tools_outdated", broken) in new
    assert ("vm_tools_not_running", fixed) in resolved
    assert changes["new_desktops"] == [] and changes["removed_desktops"] == []
    assert len(report["trend"]["points"]) == 2
    html = (latest / "report.html").read_text()
    assert 'id="changes"' in html and 'id="trends"' in html and broken in html
    capsys.readouterr()
    assert main(["history", "--config", str(second.config)]) == ExitCode.OK
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].split()[:3] == ["Run", "Collected", "(UTC)"]
    assert [row.split()[0] for row in rows[1:]] == ["2", "1"]
    assert [row.split()[4] for row in rows[1:]] == ["0", "2"]  # the exit codes
    assert str(latest.resolve()) in rows[1]


def test_a_failed_source_gives_a_partial_report_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with estate(tmp_path, second_url="https://127.0.0.1:9/sdk") as partial:
        code = run(partial, monkeypatch)
    assert code == ExitCode.PARTIAL
    err = capsys.readouterr().err
    assert "127.0.0.1:9" in err and "Traceback" not in err
    html = (tmp_path / "reports" / "latest" / "report.html").read_text()
    assert 'id="partial-banner"' in html and "127.0.0.1:9" in html


def test_an_overlapping_run_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = tmp_path / "reports" / ".fleetreport.lock"
    lock.parent.mkdir()
    (lock.parent / ".fleetreport.lock.holder").write_text("pid 4242, started earlier\n")
    held = filelock.FileLock(str(lock), thread_local=False)
    with held.acquire(timeout=0), estate(tmp_path) as busy:
        code = run(busy, monkeypatch)
    assert code == ExitCode.LOCKED
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "another fleetreport run is in progress" in err[0]
    assert "pid 4242" in err[0]
    assert not (tmp_path / "history.sqlite").exists()


def test_an_interrupted_run_leaves_outputs_and_history_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with estate(tmp_path) as first:
        run(first, monkeypatch)
    before = sorted(p.name for p in (tmp_path / "reports").iterdir())
    latest_before = (tmp_path / "reports" / "latest").resolve()
    with estate(tmp_path, delay_ms=400) as slow:
        env = {**os.environ, **slow.env}
        process = subprocess.Popen(
            [sys.executable, "-m", "fleetreport", "run", "--config", str(slow.config)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)  # well into the slow collection
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == before
    assert (tmp_path / "reports" / "latest").resolve() == latest_before
    assert runs_in_history(tmp_path) == 1


def test_config_check_names_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(
        "[[vcenter]]\nurl = 'vc'\nuser = 'u'\npassword = 'hunter2'\n\n"
        "[[vcenter]]\nurl = 'vc2'\nuser = 'u'\npassword_env = 'X'\ntimeout = 'soon'\n\n"
        "[output]\nfolder = 'r'\nformats = ['docx']\n\n"
        "[checks.vm_uptime_long]\nwarning_days = -1\n"
    )
    code = main(["config", "check", str(config)])
    err = capsys.readouterr().err
    assert code == ExitCode.ERROR
    assert "bad.toml:4: vcenter[1].password: passwords do not belong in the config file" in err
    assert "bad.toml:10: vcenter[2].timeout" in err
    assert "bad.toml:14: output.formats: unknown format 'docx'" in err
    assert "bad.toml:17: checks.vm_uptime_long.warning_days" in err
    assert "hunter2" not in err


def test_the_example_config_checks_out(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("VC01_PASSWORD", "VC02_PASSWORD", "HORIZON_PASSWORD"):
        monkeypatch.setenv(name, "x")
    assert main(["config", "check", str(REPO / "docs" / "fleetreport.example.toml")]) == 0
    assert ": OK (2 vCenter(s), 1 Horizon pod(s)" in capsys.readouterr().out
