"""The Windows lane: the real CLI, as a subprocess, in a Python that behaves as CPython on Windows
where fleetreport could notice (tests/support/windows_sim): no Unix-only modules, no symbolic
links, a cp1252 console with strict errors, no UTF-8 mode. Names outside cp1252
(``Schulung-Łódź``) travel through the data and the paths fleetreport prints.

What this proves, and what only a real Windows run would show: docs/platforms.md.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from support.paths import DEMO_SNAPSHOT, REPO
from support.smtp_server import SmtpTestServer
from support.windows_sim import CONSOLE_ENCODING, python, windows_like_env

from fleetreport.errors import ExitCode
from fleetreport.snapshot.store import load_snapshot, save_snapshot

DEMO = DEMO_SNAPSHOT
PACKAGE = REPO / "fleetreport"
POOL = "Schulung-Łódź"  # Ł and ź are not in cp1252; ó is
RENAMED_POOL = "IC-Win11-Office"
PRINTED_POOL = "Schulung-\\u0141ód\\u017a"  # what backslashreplace makes of it in cp1252
SUBPROCESS_TIMEOUT = 180


@dataclass(frozen=True)
class Outcome:
    """A finished CLI run: its exit code and what it printed, decoded as the console would."""

    code: int
    out: str
    err: str


def fleetreport(env: dict[str, str], cwd: Path, *argv: str) -> Outcome:
    """Run ``python -m fleetreport ARGV`` in the Windows-like process; decode as cp1252."""
    done = subprocess.run(
        [python(), "-m", "fleetreport", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    # Strict: whatever fleetreport wrote must be cp1252, the console's code page.
    return Outcome(
        done.returncode,
        done.stdout.decode(CONSOLE_ENCODING),
        done.stderr.decode(CONSOLE_ENCODING),
    )


def assert_clean(outcome: Outcome) -> None:
    """No traceback, no encoding crash, and no ``open()`` of fleetreport's relying on UTF-8."""
    printed = outcome.out + outcome.err
    assert "Traceback" not in printed, printed
    assert "UnicodeEncodeError" not in printed and "UnicodeDecodeError" not in printed, printed
    encoding_warnings = [
        line
        for line in outcome.err.splitlines()
        if "EncodingWarning" in line and line.startswith(str(PACKAGE))
    ]
    assert encoding_warnings == [], "open() without an encoding: the ANSI code page on Windows"


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lane's working folder."""
    return tmp_path_factory.mktemp("windows-lane")


@pytest.fixture(scope="module")
def env(lane: Path) -> dict[str, str]:
    return windows_like_env(lane)


@pytest.fixture(scope="module")
def training(lane: Path) -> Path:
    """A folder named like the pool, outside cp1252: every path fleetreport prints carries it."""
    folder = lane / POOL
    folder.mkdir()
    return folder


@pytest.fixture(scope="module")
def snapshot_file(training: Path) -> Path:
    """The demo fleet with one pool renamed to ``Schulung-Łódź``."""
    snapshot = load_snapshot(DEMO)
    pools = [
        dataclasses.replace(p, name=POOL, display_name=POOL) if p.name == RENAMED_POOL else p
        for p in snapshot.pools
    ]
    assert [p.name for p in pools].count(POOL) == 1
    path = training / "snapshot.json"
    save_snapshot(dataclasses.replace(snapshot, pools=pools), path)
    return path


# ----------------------------------------------------------------------------------------------
# The harness itself: the lane must not pass because it simulates nothing.

SELF_TEST = """
import json, os, sys
from pathlib import Path
seen = {"utf8_mode": sys.flags.utf8_mode,
        "stdout": [sys.stdout.encoding, sys.stdout.errors],
        "stderr": [sys.stderr.encoding, sys.stderr.errors]}
for name in ("fcntl", "termios", "pwd", "grp", "resource"):
    try:
        __import__(name)
        seen[name] = "imported"
    except ModuleNotFoundError as error:
        seen[name] = str(error)
try:
    Path("link").symlink_to("target")
    seen["symlink"] = "created"
except OSError as error:
    seen["symlink"] = [getattr(error, "winerror", None), str(error)]
Path("target").write_bytes(b"x")
os.link("target", "hard")
seen["hard_link"] = Path("hard").read_bytes().decode()
print(json.dumps(seen))
sys.stdout.flush()
print("\\u0141")
"""


def test_the_harness_is_windows_like(env: dict[str, str], tmp_path: Path) -> None:
    done = subprocess.run(
        [python(), "-c", SELF_TEST],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    seen = json.loads(done.stdout.decode(CONSOLE_ENCODING).splitlines()[0])
    assert seen == {
        "utf8_mode": 0,
        "stdout": ["cp1252", "strict"],
        "stderr": ["cp1252", "backslashreplace"],
        "fcntl": "No module named 'fcntl'",
        "termios": "No module named 'termios'",
        "pwd": "No module named 'pwd'",
        "grp": "No module named 'grp'",
        "resource": "No module named 'resource'",
        "symlink": [
            1314,
            "[WinError 1314] A required privilege is not held by the client: 'target' -> 'link'",
        ],
        "hard_link": "x",
    }
    # A character outside cp1252 on stdout crashes a plain print(), as on Windows.
    assert done.returncode == 1
    assert "UnicodeEncodeError: 'charmap' codec can't encode" in done.stderr.decode("cp1252")


# ----------------------------------------------------------------------------------------------
# Offline commands


def test_version(env: dict[str, str], lane: Path) -> None:
    outcome = fleetreport(env, lane, "--version")
    assert_clean(outcome)
    assert outcome.code == ExitCode.OK
    assert outcome.out.startswith("fleetreport ")


def test_demo_writes_the_report_and_prints_a_path_outside_cp1252(
    env: dict[str, str], training: Path
) -> None:
    outcome = fleetreport(env, training, "demo", "--out", "demo")
    assert_clean(outcome)
    assert outcome.code == ExitCode.OK
    assert {p.name for p in (training / "demo").iterdir()} == {
        "report.html",
        "report.json",
        "demo-snapshot.json",
    }
    assert "310 desktops" in outcome.out
    assert f"{PRINTED_POOL}" in outcome.out  # "Report: ...\Schulung-Łódź\demo\report.html"


def test_summary(env: dict[str, str], snapshot_file: Path) -> None:
    outcome = fleetreport(env, snapshot_file.parent, "summary", snapshot_file.name)
    assert_clean(outcome)
    assert outcome.code == ExitCode.OK
    assert outcome.out.startswith("Snapshot collected 2026-11-27 06:00 UTC")
    assert "VMs 348 (plus 1 templates)" in outcome.out


def csv_cells(folder: Path) -> set[str]:
    cells: set[str] = set()
    for table in folder.glob("*.csv"):
        with table.open(encoding="utf-8-sig", newline="") as handle:
            cells.update(cell for row in csv.reader(handle) for cell in row)
    return cells


def xlsx_cells(path: Path) -> set[str]:
    workbook = load_workbook(path, read_only=True)
    return {
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    }


def pool_names_in(fmt: str, path: Path) -> bool:
    """The renamed pool is in the written report, as UTF-8 text (or a workbook's cells)."""
    if fmt == "html":
        return POOL in path.read_text(encoding="utf-8")
    if fmt == "json":
        report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return POOL in {p["name"] for p in report["pools"]}
    if fmt == "csv":
        return POOL in csv_cells(path)
    return POOL in xlsx_cells(path)


@pytest.mark.parametrize(
    ("fmt", "out"),
    [("html", "r.html"), ("json", "r.json"), ("csv", "tables"), ("xlsx", "r.xlsx")],
)
def test_report_in_every_format(
    env: dict[str, str], snapshot_file: Path, fmt: str, out: str
) -> None:
    folder = snapshot_file.parent
    outcome = fleetreport(env, folder, "report", snapshot_file.name, "--format", fmt, "--out", out)
    assert_clean(outcome)
    assert outcome.code == ExitCode.OK
    assert outcome.out.startswith("wrote ") and f" {out}: 310 desktops" in outcome.out
    assert pool_names_in(fmt, folder / out)


def test_report_printing_a_name_outside_cp1252(env: dict[str, str], snapshot_file: Path) -> None:
    """A report written into a folder named outside cp1252 prints its path without crashing."""
    out = snapshot_file.parent / "report.html"
    outcome = fleetreport(
        env, snapshot_file.parent.parent, "report", str(snapshot_file), "--out", str(out)
    )
    assert_clean(outcome)
    assert outcome.code == ExitCode.OK
    assert outcome.out.startswith(f"wrote {snapshot_file.parent.parent}")
    assert f"{PRINTED_POOL}" in outcome.out
    assert out.is_file()


# ----------------------------------------------------------------------------------------------
# Against the vCenter simulator and a loopback mail server


def simulator_scenario() -> dict[str, Any]:
    """The demo-vc01 scenario with a golden image annotated with the pool's name."""
    from support.vcsim import load_scenario  # needs the simulator; not imported on collection

    data = load_scenario("demo-vc01")
    data["vms"][0]["annotation"] = f"Golden image for {POOL}"
    return data


@pytest.fixture(scope="module")
def simulator() -> Iterator[Any]:
    from support.vcsim import start_vcsim

    with start_vcsim(simulator_scenario()) as server:
        yield server


@pytest.mark.simulator
def test_collect_against_the_simulator(env: dict[str, str], training: Path, simulator: Any) -> None:
    collect_env = {**env, "VC_PW": simulator.password}
    outcome = fleetreport(
        collect_env,
        training,
        *("collect", "--vcenter", simulator.url, "--user", simulator.username),
        *("--password-env", "VC_PW", "--ca-file", str(simulator.ca_file)),
        *("--out", "collected.json"),
    )
    assert_clean(outcome)
    assert outcome.code == ExitCode.OK
    assert outcome.out.startswith("wrote collected.json: 1 vCenter(s)")
    collected = load_snapshot(training / "collected.json")
    assert f"Golden image for {POOL}" in {vm.annotation for vm in collected.vms}


RUN_CONFIG = """
[[vcenter]]
url = "{url}"
user = "{user}"
password_env = "VC_PW"
ca_file = "cas.pem"

[output]
folder = "reports"
formats = ["html", "json", "xlsx"]

[history]
database = "history.sqlite"

[email]
host = "127.0.0.1"
port = {port}
security = "starttls"
username = "mailer"
password_env = "SMTP_PW"
sender = "fleetreport@example.test"
recipients = ["ops@example.test"]
attach_xlsx = true
ca_file = "cas.pem"

[branding]
customer = "{customer}"
"""


def dated_folders(reports: Path) -> list[str]:
    return sorted(p.name for p in reports.iterdir() if p.is_dir() and p.name[:1].isdigit())


@pytest.mark.simulator
def test_run_twice_with_history_and_mail(
    env: dict[str, str], training: Path, simulator: Any
) -> None:
    with ExitStack() as stack:
        smtp = stack.enter_context(SmtpTestServer(starttls=True, credentials=("mailer", "m-pw")))
        assert simulator.ca_file is not None and smtp.ca_file is not None
        cas = "".join(Path(p).read_text("ascii") for p in (simulator.ca_file, smtp.ca_file))
        (training / "cas.pem").write_text(cas, encoding="ascii")
        config = training / "fleetreport.toml"
        config.write_text(
            RUN_CONFIG.format(
                url=simulator.url, user=simulator.username, port=smtp.port, customer=POOL
            ),
            encoding="utf-8",
        )
        run_env = {**env, "VC_PW": simulator.password, "SMTP_PW": "m-pw"}
        reports = training / "reports"
        runs = []
        for _ in range(2):
            outcome = fleetreport(run_env, training, "run", "--config", str(config))
            assert_clean(outcome)
            runs.append(outcome)
            folders = dated_folders(reports)
            # The pointer to the newest run works without link rights: a file naming it.
            assert (reports / "latest.txt").read_text(encoding="utf-8").strip() == folders[-1]
            assert not (reports / "latest").is_symlink()
            assert {p.name for p in (reports / folders[-1]).iterdir()} >= {
                "report.html",
                "report.json",
                "report.xlsx",
            }
        assert len(dated_folders(reports)) == 2
        assert len(smtp.messages) == 2
        subject = smtp.messages[0].parsed()["Subject"]
        assert POOL in subject
    for outcome in runs:
        assert outcome.code == ExitCode.FINDINGS  # the demo fleet has critical findings
        assert outcome.out.startswith("fleetreport run: ")
        assert PRINTED_POOL in outcome.out and "(exit 2)" in outcome.out
    history = fleetreport(run_env, training, "history", "--config", str(config))
    assert_clean(history)
    assert history.code == ExitCode.OK
    rows = history.out.strip().splitlines()
    assert [row.split()[0] for row in rows[1:]] == ["2", "1"]
