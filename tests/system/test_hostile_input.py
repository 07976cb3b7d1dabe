"""Hostile and bad input, end to end through the command line: what fleetreport says and does.

Each test gives one kind of bad input to the real ``fleetreport`` command (in-process through
``main``, or as a subprocess where memory or the process itself is measured) and checks the
contract of README's "Bad input" section: where fleetreport cannot go on, one line on stderr
(``fleetreport: error: WHAT (hint: ...)``), a documented exit code, no traceback and nothing
written; where it can, the hostile value is shown literally and safely. ``docs/bad-input.md``
lists every input with the test that proves it, here or in the other test files.

Bugs found are kept as tests of the correct behaviour, marked ``xfail(strict=True)`` with the
bug named in the reason.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import markupsafe
import pytest
from support.fleet_builders import desktops, fleet_snapshot, host, pool, vm
from support.horizon_server import EXAMPLE_DATA, HorizonTestServer
from support.paths import DEMO_SNAPSHOT
from support.vcsim import start_vcsim

from fleetreport.cli import main
from fleetreport.errors import ExitCode
from fleetreport.health.build import build_report
from fleetreport.health.catalogue import SubjectKind
from fleetreport.health.evaluate import evaluate
from fleetreport.health.fleet import FleetView
from fleetreport.health.results import Status
from fleetreport.health.settings import default_settings
from fleetreport.history import SCHEMA_VERSION as HISTORY_SCHEMA_VERSION
from fleetreport.history import HistoryStore
from fleetreport.snapshot.store import SCHEMA_VERSION, load_snapshot, save_snapshot

DEMO = DEMO_SNAPSHOT
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR4nGNgYAAAAAMAASsJTYQAAAAASUVORK5CYII="
)
TERMINAL_HAZARDS = ("\x1b", "\x9b", "\x07", "\r", "\u202e", "\u202d", "\u2066", "\u2067")
"""Characters that must never reach a terminal raw: ESC and 8-bit CSI (escape sequences),
BEL, CR (overwrites the line), and bidi overrides and isolates (reorder what follows)."""


# --- helpers ---------------------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("fleetreport: error: ")]


def assert_one_error(err: str, *fragments: str) -> str:
    """Exactly one error line, no traceback, no internal error; it holds every fragment."""
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    lines = error_lines(err)
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def assert_terminal_safe(*texts: str) -> None:
    for text in texts:
        for hazard in TERMINAL_HAZARDS:
            assert hazard not in text, f"raw {hazard!r} reached the terminal: {text[:300]!r}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO.read_text("utf-8"))
    return data


# --- configuration files ---------------------------------------------------------------------

RUN_CONFIG = """\
[[vcenter]]
url = "127.0.0.1:{port}"
user = "audit@vsphere.local"
password_env = "HOSTILE_TEST_PW"
{vcenter_extra}

[output]
folder = "reports"

[history]
database = "history.sqlite"
{extra}
"""


def write_run_config(folder: Path, *, vcenter_extra: str = "", extra: str = "") -> Path:
    path = folder / "fleetreport.toml"
    path.write_text(
        RUN_CONFIG.format(port=free_port(), vcenter_extra=vcenter_extra, extra=extra), "utf-8"
    )
    return path


@pytest.mark.parametrize(
    ("vcenter_extra", "extra", "fragments"),
    [
        ("", "[output\n", ["fleetreport.toml:12", "not valid TOML"]),
        ("colour = 'blue'", "", ["fleetreport.toml:5", "vcenter[1].colour", "unknown setting"]),
        ("", "[collect]\nconcurrency = 'four'\n", ["fleetreport.toml:13", "collect.concurrency"]),
        ("timeout = 'soon'", "", ["fleetreport.toml:5", "vcenter[1].timeout", "number"]),
        (
            "",
            "[checks.vm_uptime_long]\nwarning_days = true\n",
            ["fleetreport.toml:13", "warning_days", "number"],
        ),
    ],
    ids=["malformed-toml", "unknown-key", "wrong-type-whole", "wrong-type-number", "health-key"],
)
def test_a_bad_run_config_is_one_line_with_its_place_and_nothing_is_written(
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    vcenter_extra: str,
    extra: str,
    fragments: list[str],
) -> None:
    monkeypatch.setenv("HOSTILE_TEST_PW", "pw")
    config = write_run_config(cli_env, vcenter_extra=vcenter_extra, extra=extra)
    code, _, err = cli(capsys, "run", "--config", str(config))
    assert code == ExitCode.ERROR
    assert_one_error(err, *fragments)
    code, _, err = cli(capsys, "config", "check", str(config))
    assert code == ExitCode.ERROR
    assert "Traceback" not in err and "internal error" not in err
    first = error_lines(err)[0]
    assert all(fragment in first for fragment in fragments), first
    assert sorted(p.name for p in cli_env.iterdir()) == ["fleetreport.toml"]


def test_config_check_names_a_broken_source_once(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_run_config(cli_env, vcenter_extra="colour = 'blue'")
    code, _, err = cli(capsys, "config", "check", str(config))
    assert code == ExitCode.ERROR
    assert_one_error(err, "fleetreport.toml:5", "vcenter[1].colour")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("[branding]\ncustomer = 'Caf\xe9'\n".encode("latin-1"), "is not UTF-8 text"),
        (PNG, "is not UTF-8 text"),
        (b"\x00\x00\x00\x00", "is not UTF-8 text: it has NUL bytes"),
        ("[output]\n".encode("utf-16-le"), "is not UTF-8 text: it has NUL bytes"),
        (b"", "no sources"),
    ],
    ids=["latin-1", "binary", "nul-bytes", "utf-16-without-bom", "empty"],
)
def test_a_run_config_that_is_not_toml_text_is_one_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str], content: bytes, fragment: str
) -> None:
    config = cli_env / "fleetreport.toml"
    config.write_bytes(content)
    code, _, err = cli(capsys, "run", "--config", str(config))
    assert code == ExitCode.ERROR
    assert_one_error(err, "fleetreport.toml", fragment)


def test_a_health_config_that_is_not_utf8_is_one_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (cli_env / "h.toml").write_bytes(b"[energy]\ncurrency = '\xa4'\n")
    code, _, err = cli(capsys, "checks", "--config", "h.toml")
    assert code == ExitCode.ERROR
    assert_one_error(err, "h.toml is not UTF-8 text")


def test_a_config_path_that_is_a_folder_is_one_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (cli_env / "conf.toml").mkdir()
    code, _, err = cli(capsys, "run", "--config", "conf.toml")
    assert code == ExitCode.ERROR
    assert_one_error(err, "conf.toml is a folder")


def test_an_infinite_timeout_is_a_config_error(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOSTILE_TEST_PW", "pw")
    config = write_run_config(cli_env, vcenter_extra="timeout = inf")
    code, _, err = cli(capsys, "config", "check", str(config))
    assert code == ExitCode.ERROR
    assert_one_error(err, "fleetreport.toml:5", "vcenter[1].timeout")
    code, _, err = cli(capsys, "run", "--config", str(config))
    assert code == ExitCode.ERROR
    assert_one_error(err, "fleetreport.toml:5", "vcenter[1].timeout")


def test_a_wrong_type_mail_subject_prefix_is_a_config_error(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOSTILE_TEST_PW", "pw")
    config = write_run_config(
        cli_env,
        extra="[email]\nhost = 'mail.example.test'\nsender = 'a@example.test'\n"
        "recipients = ['b@example.test']\nsubject_prefix = 42\n",
    )
    code, _, err = cli(capsys, "config", "check", str(config))
    assert code == ExitCode.ERROR
    assert_one_error(err, "fleetreport.toml:16", "email.subject_prefix")


# --- server addresses ------------------------------------------------------------------------

BAD_ADDRESSES = [
    ("junk junk", "is not a host name or URL"),
    ("ftp://vc01.example.test", "scheme 'ftp'"),
    ("https://", "is not a host name or URL"),
    ("https://:443/sdk", "is not a host name or URL"),
    ("vc01.example.test:99999", "Port out of range"),
    ("vc01.example.test:-1", "is not a valid URL"),
    ("vc01.example.test:http", "is not a valid URL"),
    ("https://[::1/sdk", "is not a valid URL"),
    ("https://vc01.example.test/sdk?debug=1", "is not a host name or URL"),
    ("bad_host!.example.test", "is not a valid host name"),
    ("vc01\x1b[31m.example.test", "is not a host name or URL"),
]


@pytest.mark.parametrize("option", ["--vcenter", "--horizon"])
@pytest.mark.parametrize(("address", "fragment"), BAD_ADDRESSES)
def test_an_invalid_address_is_a_usage_error_before_anything_happens(
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    option: str,
    address: str,
    fragment: str,
) -> None:
    monkeypatch.setenv("FLEETREPORT_PASSWORD", "pw")
    monkeypatch.setenv("FLEETREPORT_HORIZON_PASSWORD", "pw")
    code, out, err = cli(
        capsys,
        *("collect", option, address, "--user", "u"),
        *("--horizon-user", "u", "--horizon-domain", "D", "--out", "s.json"),
    )
    assert code == ExitCode.USAGE
    assert_one_error(err, option, fragment)
    assert_terminal_safe(out, err)
    assert list(cli_env.iterdir()) == []


def test_port_zero_is_a_usage_error(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLEETREPORT_PASSWORD", "pw")
    code, _, err = cli(
        capsys, "collect", "--vcenter", "vc01.invalid:0", "--user", "u", "--out", "s.json"
    )
    assert code == ExitCode.USAGE
    assert_one_error(err, "--vcenter")


PASSWORD_IN_URL = "Pa55-in-url-7f3e"


@pytest.mark.parametrize("option", ["--vcenter", "--horizon"])
@pytest.mark.parametrize(
    "address",
    [
        f"https://admin:{PASSWORD_IN_URL}@vc01.example.test/sdk",
        f"admin:{PASSWORD_IN_URL}@vc01.example.test",
        f"https://admin:{PASSWORD_IN_URL}@vc01.example.test:99999/sdk",
    ],
)
def test_a_url_with_credentials_is_refused_without_echoing_the_password(
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    option: str,
    address: str,
) -> None:
    monkeypatch.setenv("FLEETREPORT_PASSWORD", "pw")
    monkeypatch.setenv("FLEETREPORT_HORIZON_PASSWORD", "pw")
    code, out, err = cli(
        capsys,
        *("collect", option, address, "--user", "u"),
        *("--horizon-user", "u", "--horizon-domain", "D", "--out", "s.json"),
    )
    assert code == ExitCode.USAGE
    assert_one_error(err, option)
    assert PASSWORD_IN_URL not in out + err


def test_a_run_config_url_with_credentials_is_a_config_error_without_the_password(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = cli_env / "fleetreport.toml"
    config.write_text(
        "[[vcenter]]\n"
        f'url = "https://admin:{PASSWORD_IN_URL}@vc01.example.test/sdk"\n'
        'user = "u"\npassword_env = "HOSTILE_TEST_PW"\n\n[output]\nfolder = "reports"\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("HOSTILE_TEST_PW", raising=False)
    code, out, err = cli(capsys, "config", "check", str(config))
    assert code == ExitCode.ERROR
    assert PASSWORD_IN_URL not in out + err
    assert any("fleetreport.toml:2: vcenter[1].url" in line for line in error_lines(err)), err
    monkeypatch.setenv("HOSTILE_TEST_PW", "pw")
    code, out, err = cli(capsys, "run", "--config", str(config))
    assert code == ExitCode.ERROR
    assert PASSWORD_IN_URL not in out + err
    assert_one_error(err, "fleetreport.toml:2: vcenter[1].url")


# --- snapshot files --------------------------------------------------------------------------


def deep_wrong_type() -> bytes:
    data = demo_data()
    vm_index = next(i for i, v in enumerate(data["vms"]) if v["snapshots"])
    data["vms"][vm_index]["snapshots"][0]["created"] = 1732693200
    return json.dumps(data).encode()


def deep_unknown_key() -> bytes:
    data = demo_data()
    data["machines"][5]["colour"] = "blue"
    return json.dumps(data).encode()


def deep_missing_key() -> bytes:
    data = demo_data()
    del data["pools"][2]["power_policy"]
    return json.dumps(data).encode()


def first_vm_with_snapshots() -> int:
    return next(i for i, v in enumerate(demo_data()["vms"]) if v["snapshots"])


BAD_SNAPSHOTS: list[tuple[str, Any, list[str]]] = [
    ("empty", b"", ["is not valid JSON at line 1 column 1", "ends early"]),
    ("whitespace", b"  \n\n ", ["is not valid JSON", "ends early"]),
    ("binary", PNG, ["not UTF-8"]),
    ("nul-bytes", b"\x00" * 64, ["is not valid JSON"]),
    ("latin-1", '{"schema_version": 1, "generator": "caf\xe9"}'.encode("latin-1"), ["not UTF-8"]),
    ("utf-16", '{"schema_version": 1}'.encode("utf-16"), ["not UTF-8"]),
    ("truncated", DEMO.read_bytes()[: len(DEMO.read_bytes()) // 2], ["is not valid JSON"]),
    ("truncated-at-a-line-end", DEMO.read_bytes()[:100_000].rsplit(b"\n", 1)[0], ["ends early"]),
    ("corrupt", DEMO.read_bytes().replace(b'"vms": [', b'"vms": [[,', 1), ["not valid JSON"]),
    ("not-an-object", b"[1, 2, 3]", ["no schema_version"]),
    ("no-version", b'{"vms": []}', ["no schema_version"]),
    ("version-as-text", b'{"schema_version": "1"}', ["invalid schema_version"]),
    ("version-zero", b'{"schema_version": 0}', ["invalid schema_version"]),
    (
        "future-version",
        json.dumps({**demo_data(), "schema_version": SCHEMA_VERSION + 1}).encode(),
        ["newer than this fleetreport reads", "upgrade fleetreport"],
    ),
    (
        "deep-wrong-type",
        deep_wrong_type(),
        [f"vms[{first_vm_with_snapshots()}].snapshots[0].created: expected an ISO-8601 time"],
    ),
    ("deep-unknown-key", deep_unknown_key(), ["machines[5]: unknown key 'colour'"]),
    ("deep-missing-key", deep_missing_key(), ["pools[2]: missing key 'power_policy'"]),
    (
        "bad-time",
        DEMO.read_bytes().replace(b'"collected_at": "2026', b'"collected_at": "last tuesday', 1),
        ["collected_at: expected an ISO-8601 time, got 'last tuesday"],
    ),
]


@pytest.mark.parametrize("command", ["summary", "report-html", "report-csv"])
@pytest.mark.parametrize(
    ("content", "fragments"),
    [pytest.param(c, f, id=name) for name, c, f in BAD_SNAPSHOTS],
)
def test_a_bad_snapshot_file_is_one_line_naming_it_and_nothing_is_written(
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    content: bytes,
    fragments: list[str],
) -> None:
    (cli_env / "bad.json").write_bytes(content)
    argv = {
        "summary": ["summary", "bad.json"],
        "report-html": ["report", "bad.json", "--out", "r.html"],
        "report-csv": ["report", "bad.json", "--format", "csv", "--out", "tables"],
    }[command]
    code, out, err = cli(capsys, *argv)
    assert code == ExitCode.ERROR
    assert_one_error(err, "bad.json", *fragments)
    assert out == ""
    assert sorted(p.name for p in cli_env.iterdir()) == ["bad.json"]


def test_a_snapshot_path_that_is_a_folder_or_missing_is_one_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (cli_env / "folder.json").mkdir()
    code, _, err = cli(capsys, "summary", "folder.json")
    assert code == ExitCode.ERROR
    assert_one_error(err, "snapshot folder.json is a folder")
    code, _, err = cli(capsys, "report", "gone.json", "--out", "r.html")
    assert code == ExitCode.ERROR
    assert_one_error(err, "snapshot gone.json does not exist")


@pytest.mark.parametrize(
    "content",
    [
        b'{"schema_version": 1, "sources": ' + b"[" * 100_000,
        b'{"schema_version": 1, "vms": [{"num_cpu": ' + b"9" * 5000 + b"}]}",
        DEMO.read_bytes().replace(
            b'"collected_at": "2026-11-27T06:00:00Z"',
            b'"collected_at": "0001-01-01T00:00:00+05:00"',
            1,
        ),
    ],
    ids=["nested-100000-deep", "number-5000-digits", "time-before-year-1-in-utc"],
)
def test_a_snapshot_past_the_parsers_limits_is_one_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    (cli_env / "bad.json").write_bytes(content)
    code, _, err = cli(capsys, "summary", "bad.json")
    assert code == ExitCode.ERROR
    assert_one_error(err, "bad.json")


def write_big_snapshot(path: Path, target_bytes: int) -> int:
    """The demo snapshot with its VMs copied (new morefs) until the file passes ``target_bytes``;
    written piece by piece, so the test process never holds it whole. Returns the VM count."""
    data = demo_data()
    vms = data.pop("vms")
    head = json.dumps(data, indent=1)[:-2]  # the object without its closing brace
    pieces = [json.dumps(vm, indent=1) for vm in vms]
    size_of_round = sum(len(p.encode("utf-8")) + 2 for p in pieces)
    rounds = target_bytes // size_of_round + 1
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(head + ',\n "vms": [\n')
        for copy in range(rounds):
            for vm, text in zip(vms, pieces, strict=True):
                moref = vm["moref"]
                renamed = text.replace(f'"moref": "{moref}"', f'"moref": "{moref}-{copy}"', 1)
                out.write((",\n" if count else "") + renamed)
                count += 1
        out.write("\n ]\n}\n")
    return count


PEAK_RSS = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(done.stdout)
sys.stderr.write(done.stderr)
print("PEAK_KIB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(done.returncode)
"""


@pytest.mark.slow
@pytest.mark.linux  # resource.getrusage: ru_maxrss is KiB on Linux (bytes on macOS)
def test_a_100_mb_snapshot_loads_within_reasonable_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    count = write_big_snapshot(big, 100 * 1024 * 1024)
    assert big.stat().st_size >= 100 * 1024 * 1024

    def measured(*argv: str) -> tuple[subprocess.CompletedProcess[str], int]:
        done = subprocess.run(
            [sys.executable, "-c", PEAK_RSS, sys.executable, "-m", "fleetreport", *argv],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )
        return done, int(done.stdout.rsplit("PEAK_KIB", 1)[1])

    done, peak_kib = measured("summary", str(big))
    assert done.returncode == ExitCode.OK, done.stderr
    templates = sum(1 for vm in demo_data()["vms"] if vm["template"])
    rounds = count // len(demo_data()["vms"])
    assert f"VMs {count - templates * rounds} (plus {templates * rounds} templates)" in done.stdout
    assert peak_kib < 2 * 1024 * 1024, f"summary: peak RSS {peak_kib // 1024} MiB"
    done, peak_kib = measured("report", str(big), "--format", "json", "--out", "r.json")
    assert done.returncode == ExitCode.OK, done.stderr
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["schema_version"] >= 1
    assert peak_kib < 2 * 1024 * 1024, f"report: peak RSS {peak_kib // 1024} MiB"


# --- hostile names and annotations, collected from the simulator -----------------------------

LONG_NAME = ("very-long-desktop-name-" * 500)[:10_000]
HOSTILE_VALUES = {
    "markup": "<b>bold</b> & <i>desk</i> &amp; &lt;",
    "script": "<script>window.__pwned=1</script>",
    "attribute": '"><img src=x onerror="window.__pwned=2">',
    "template": "{{ 7*7 }} {% raw %} ${7*7}",
    "formula": '=HYPERLINK("http://evil.example.test","click")',
    "c1-controls": "csi\x9b31m-red\x9b2J del\x7f nel\x85end",
    "line-breaks": "tab\there lf\nhere cr\rhere crlf\r\nend",
    "bidi": "\u202eexe.txt\u202c \u2066isolate\u2069 \u200fmark\u200b",
    "right-to-left": "سطح المكتب الافتراضي שולחן עבודה",
    "long": LONG_NAME,
    "emoji": "desk 🖥️ 👩‍💻 🚀",
}
HOSTILE_HARDWARE = "vmx-19\x9b2J<b>"
HOSTILE_BUILD = "24022510\u202e\x9b31m"


def hostile_scenario() -> dict[str, Any]:
    return {
        "vcenter": {"name": "vc-hostile.example.test", "version": "8.0.3", "build": "24022510"},
        "strict": False,
        "datacenters": [
            {
                "name": "DC",
                "folders": ["Desktops"],
                "clusters": [
                    {
                        "name": "C1",
                        "hosts": [
                            {
                                "name": "esx1.example.test",
                                "version": "8.0.3",
                                "build": HOSTILE_BUILD,
                            }
                        ],
                    }
                ],
            }
        ],
        "vms": [
            {
                "name": value,
                "folder": "Desktops",
                "annotation": value,
                "guest_id": "windows11_64Guest",  # desktops by the vCenter-only rule
                "guest_full_name": value,
                "hardware_version": HOSTILE_HARDWARE if key == "markup" else "vmx-20",
                "boot_time": "2026-11-20T08:00:00Z",
            }
            for key, value in HOSTILE_VALUES.items()
        ],
    }


def xlsx_strings(path: Path, sheet: str) -> set[str]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {
            cell
            for row in book[sheet].iter_rows(values_only=True)
            for cell in row
            if isinstance(cell, str)
        }
    finally:
        book.close()


def csv_strings(path: Path) -> set[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {cell for row in csv.reader(handle) for cell in row}


@pytest.fixture(scope="module")
def hostile_collection(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Collect the hostile scenario through the real collector once; keep what it printed."""
    folder = tmp_path_factory.mktemp("hostile")
    with start_vcsim(hostile_scenario()) as server:
        env = {**os.environ, "HOSTILE_VC_PW": server.password}
        done = subprocess.run(
            [
                *(sys.executable, "-m", "fleetreport", "collect", "--vcenter", server.url),
                *("--user", server.username, "--password-env", "HOSTILE_VC_PW"),
                *("--ca-file", str(server.ca_file), "--out", str(folder / "snapshot.json")),
            ],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    return {"folder": folder, "collect": done}


@pytest.mark.simulator
def test_hostile_names_are_collected_verbatim(hostile_collection: dict[str, Any]) -> None:
    done = hostile_collection["collect"]
    assert done.returncode == ExitCode.OK, done.stderr
    assert_terminal_safe(done.stdout, done.stderr)
    snapshot = load_snapshot(hostile_collection["folder"] / "snapshot.json")
    by_name = {v.name: v for v in snapshot.vms}
    assert set(by_name) == set(HOSTILE_VALUES.values())
    for value in HOSTILE_VALUES.values():
        assert by_name[value].annotation == value
        assert by_name[value].guest_os_configured == value
    assert by_name[HOSTILE_VALUES["markup"]].hardware_version == HOSTILE_HARDWARE
    assert snapshot.hosts[0].build == HOSTILE_BUILD


@pytest.mark.simulator
def test_hostile_names_never_reach_the_terminal_raw(
    hostile_collection: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    snapshot = str(hostile_collection["folder"] / "snapshot.json")
    code, out, err = cli(capsys, "summary", snapshot)
    assert code == ExitCode.OK, err
    assert_terminal_safe(out, err)
    assert "vmx-19\\x9b2J<b>" in out  # shown, escaped, never interpreted
    assert "24022510\\u202e\\x9b31m" in out
    config = tmp_path / "h.toml"
    config.write_text(
        '[energy]\ncurrency = "\\u001b]0;pwned\\u0007EUR"\n'
        '[scope.exclude]\nfolders = ["\\u001b[2J<b>Lab\\u202e"]\n'
        '[checks.vm_uptime_long]\nexclude = ["kiosk-\\u001b[31m*", "\\r\\u2067x"]\n',
        encoding="utf-8",
    )
    code, out, err = cli(capsys, "checks", "--config", str(config))
    assert code == ExitCode.OK, err
    assert_terminal_safe(out, err)
    assert "\\x1b[2J<b>Lab\\u202e" in out and "kiosk-\\x1b[31m*" in out
    out_file = tmp_path / "r.json"
    code, out, err = cli(capsys, "report", snapshot, "--out", str(out_file), "--format", "json")
    assert code == ExitCode.OK, err
    assert_terminal_safe(out, err)


@pytest.mark.simulator
def test_hostile_names_are_shown_literally_in_the_html_report(
    hostile_collection: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "r.html"
    code, out, err = cli(
        capsys,
        "report",
        str(hostile_collection["folder"] / "snapshot.json"),
        "--out",
        str(out_file),
    )
    assert code == ExitCode.OK, err
    assert_terminal_safe(out, err)
    html = out_file.read_bytes().decode("utf-8")  # not read_text: keep CR as written
    for value in HOSTILE_VALUES.values():
        assert str(markupsafe.escape(value)) in html, value[:60]
    for markup in ("<script>window", "<img src=x", "<b>bold</b>", "<i>desk</i>"):
        assert markup not in html
    assert html.count("<script") == 1  # the report's own, allowed by its hash


@pytest.mark.simulator
def test_hostile_names_are_literal_text_in_json_csv_and_xlsx(
    hostile_collection: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    snapshot = str(hostile_collection["folder"] / "snapshot.json")
    for form, out_name in (("json", "r.json"), ("csv", "tables"), ("xlsx", "r.xlsx")):
        code, out, err = cli(
            capsys, "report", snapshot, "--format", form, "--out", str(tmp_path / out_name)
        )
        assert code == ExitCode.OK, err
        assert_terminal_safe(out, err)
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert {d["name"] for d in report["vms"]} == set(HOSTILE_VALUES.values())
    cells = csv_strings(tmp_path / "tables" / "desktops.csv")
    sheet = xlsx_strings(tmp_path / "r.xlsx", "Desktops")
    for key, value in HOSTILE_VALUES.items():
        # CSV neutralises a formula with a quote; xlsx stores every text cell as a string.
        assert ("'" + value if key == "formula" else value) in cells, key
        assert value.replace("\r\n", "\n").replace("\r", "\n") in sheet, key
    with zipfile.ZipFile(tmp_path / "r.xlsx") as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        for name in sheets:
            assert b"<f>" not in book.read(name), f"{name} holds a formula"


BUG_SUPERSCRIPT = (
    "BUG: fleetreport/ordering.py natural_key (and fleetreport/health/fleet.py build_number)"
    " test with str.isdigit(), true for '²'/'³', then int() raises ValueError: a VM named"
    " 'Lab-10³' (sorted by name in fleetreport/health/build.py) or an ESXi build '²' ends"
    " 'fleetreport report' with an internal error. Use str.isdecimal()"
)


@pytest.mark.simulator
def test_a_vm_named_with_a_superscript_digit_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = hostile_scenario()
    scenario["datacenters"][0]["clusters"][0]["hosts"][0]["build"] = "24022510"
    scenario["vms"] = [{"name": "Lab-10³", "folder": "Desktops"}, {"name": "Lab-10²"}]
    with start_vcsim(scenario) as server:
        monkeypatch.setenv("HOSTILE_VC_PW", server.password)
        code, _, err = cli(
            capsys,
            *("collect", "--vcenter", server.url, "--user", server.username),
            *("--password-env", "HOSTILE_VC_PW", "--ca-file", str(server.ca_file)),
            *("--out", str(tmp_path / "s.json")),
        )
    assert code == ExitCode.OK, err
    code, _, err = cli(
        capsys, "report", str(tmp_path / "s.json"), "--out", str(tmp_path / "r.html")
    )
    assert code == ExitCode.OK, err


def test_an_esxi_build_with_a_superscript_digit_is_judged_unknown() -> None:
    vms, machines = desktops(vm("desk-1"))
    snapshot = fleet_snapshot(vms, machines, hosts=[host("esx1.example.test", "host-9", build="²")])
    report = build_report(snapshot)
    assert report.fleet.desktops == 1


# --- Horizon values outside the spec ---------------------------------------------------------


def horizon_cli(server: HorizonTestServer, out: Path, *extra: str) -> list[str]:
    return [
        *("collect", "--horizon", server.url, "--horizon-user", server.credentials["username"]),
        *("--horizon-domain", server.credentials["domain"]),
        *("--horizon-password-env", "HOSTILE_HZ_PW", "--ca-file", str(server.ca_file)),
        *("--out", str(out), *extra),
    ]


def put(record: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for key in parents:
        record = record.setdefault(key, {})
    record[last] = value


UNKNOWN_ENUMS = [
    ("desktop_pools", 0, "type", "FUTURE_POOL_TYPE"),
    ("desktop_pools", 0, "source", "FUTURE_SOURCE"),
    ("desktop_pools", 0, "user_assignment", "FUTURE_ASSIGNMENT"),
    ("desktop_pools", 0, "session_settings.power_policy", "FUTURE_POWER_POLICY"),
    ("desktop_pools", 0, "provisioning_status_data.instant_clone_current_image_state", "FUT_IMG"),
    ("machines", 0, "state", "FUTURE_MACHINE_STATE"),
    ("machines", 0, "operating_system", "WINDOWS_99"),
    ("machines", 0, "managed_machine_data.virtual_machine_power_state", "FUTURE_POWER"),
    ("rds_servers", 0, "state", "FUTURE_RDS_STATE"),
    ("sessions", 0, "session_state", "FUTURE_SESSION_STATE"),
    ("sessions", 0, "session_protocol", "FUTURE_PROTOCOL"),
    ("sessions", 0, "session_type", "FUTURE_SESSION_TYPE"),
    ("connection_servers", 0, "status", "FUTURE_CS_STATUS"),
    ("gateways", 0, "status", "FUTURE_GW_STATUS"),
]
WRONG_TYPES = [
    ("machines", 1, "state", {"nested": ["object"]}),
    ("machines", 1, "agent_version", 2512),
    ("machines", 1, "user_names", "not-a-list"),
    ("machines", 1, "managed_machine_data.create_time", "yesterday"),
    ("machines", 1, "managed_machine_data.in_maintenance_mode", "yes"),
    ("machines", 2, "managed_machine_data", [1, 2, 3]),
    ("desktop_pools", 1, "enabled", "true"),
    ("desktop_pools", 1, "pattern_naming_settings", "broken"),
    ("sessions", 1, "start_time", 1e300),
    ("sessions", 1, "idle_duration", -1.5),
    ("connection_servers", 0, "services", {"not": "a list"}),
    ("connection_servers", 1, "certificate.valid_to", None),
]


@pytest.fixture
def odd_pod() -> Iterator[HorizonTestServer]:
    with HorizonTestServer(EXAMPLE_DATA) as server:
        yield server


def test_horizon_values_outside_the_spec_are_kept_verbatim_and_judged_unknown(
    odd_pod: HorizonTestServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for collection, index, path, value in [*UNKNOWN_ENUMS, *WRONG_TYPES]:
        put(odd_pod.data[collection][index], path, value)
    monkeypatch.setenv("HOSTILE_HZ_PW", odd_pod.credentials["password"])
    out = tmp_path / "s.json"
    code, _, err = cli(capsys, *horizon_cli(odd_pod, out))
    assert code == ExitCode.OK, err
    snapshot = load_snapshot(out)
    machine_state = next(m for m in snapshot.machines if m.id == odd_pod.data["machines"][0]["id"])
    assert machine_state.state == "FUTURE_MACHINE_STATE"
    assert machine_state.operating_system == "WINDOWS_99"
    assert machine_state.power_state == "FUTURE_POWER"
    pool_record = next(p for p in snapshot.pools if p.id == odd_pod.data["desktop_pools"][0]["id"])
    assert (pool_record.type, pool_record.source) == ("FUTURE_POOL_TYPE", "FUTURE_SOURCE")
    assert pool_record.power_policy == "FUTURE_POWER_POLICY"
    assert pool_record.user_assignment == "FUTURE_ASSIGNMENT"
    assert pool_record.image_state == "FUT_IMG"
    session_record = next(s for s in snapshot.sessions if s.id == odd_pod.data["sessions"][0]["id"])
    assert (session_record.state, session_record.protocol, session_record.session_type) == (
        "FUTURE_SESSION_STATE",
        "FUTURE_PROTOCOL",
        "FUTURE_SESSION_TYPE",
    )
    assert {cs.status for cs in snapshot.connection_servers} >= {"FUTURE_CS_STATUS"}
    gateway = next(g for g in snapshot.gateways if g.id == odd_pod.data["gateways"][0]["id"])
    assert gateway.status == "FUTURE_GW_STATUS"
    odd = next(m for m in snapshot.machines if m.id == odd_pod.data["machines"][1]["id"])
    assert odd.state is None and odd.agent_version == "2512" and odd.user_names == []
    assert odd.create_time is None and odd.in_maintenance_mode is None
    # Judged: an unknown machine state is "unknown", never a pass and never a crash.
    fleet = FleetView(snapshot)
    evaluation = evaluate(fleet, default_settings())
    desktop = next(d for d in fleet.desktops if d.machine and d.machine.id == machine_state.id)
    judged = {j.check.id: j.outcome for j in evaluation.of(SubjectKind.DESKTOP, desktop.key)}
    assert judged["machine_problem_state"].status is Status.UNKNOWN
    assert "FUTURE_MACHINE_STATE" in judged["machine_problem_state"].message
    for form, name in (("json", "r.json"), ("html", "r.html"), ("xlsx", "r.xlsx")):
        code, _, err = cli(
            capsys, "report", str(out), "--format", form, "--out", str(tmp_path / name)
        )
        assert code == ExitCode.OK, err
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert "FUTURE_MACHINE_STATE" in {d["machine_state"] for d in report["vms"]}
    assert "FUTURE_POWER_POLICY" in (tmp_path / "r.html").read_text("utf-8")


def test_an_unknown_power_policy_is_judged_unknown() -> None:
    from support.fleet_builders import ago, machine

    desktop_vm = vm("desk-1", boot_time=ago(days=3))
    snapshot = fleet_snapshot(
        [desktop_vm],
        [machine(desktop_vm)],
        [pool(power_policy="HIBERNATE_WHEN_IDLE_FUTURE")],
    )
    fleet = FleetView(snapshot)
    (desktop,) = fleet.desktops
    judged = {
        j.check.id: j.outcome
        for j in evaluate(fleet, default_settings()).of(SubjectKind.DESKTOP, desktop.key)
    }
    assert judged["vm_power_policy_mismatch"].status is Status.UNKNOWN


def test_a_wrong_type_in_the_vcenter_monitor_does_not_stop_the_collection(
    odd_pod: HorizonTestServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for record in odd_pod.data["virtual_centers_monitor"]:
        record["connection_servers_v3"] = 5
    monkeypatch.setenv("HOSTILE_HZ_PW", odd_pod.credentials["password"])
    code, _, err = cli(capsys, *horizon_cli(odd_pod, tmp_path / "s.json"))
    assert code == ExitCode.OK, err
    assert all(v.status is None for v in load_snapshot(tmp_path / "s.json").horizon_vcenters)


@pytest.mark.parametrize("kind", ["html", "junk", "status:502", "close"])
def test_a_connection_server_login_answering_html_or_junk_is_one_line(
    odd_pod: HorizonTestServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    odd_pod.fault(r"^/rest/login$", kind=kind)
    monkeypatch.setenv("HOSTILE_HZ_PW", odd_pod.credentials["password"])
    code, out, err = cli(capsys, *horizon_cli(odd_pod, tmp_path / "s.json", "--timeout", "5"))
    assert code == ExitCode.ERROR
    assert_one_error(err, odd_pod.url)
    assert_terminal_safe(out, err)
    assert not (tmp_path / "s.json").exists()


def test_a_connection_server_with_an_untrusted_certificate_is_refused(
    odd_pod: HorizonTestServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOSTILE_HZ_PW", odd_pod.credentials["password"])
    argv = horizon_cli(odd_pod, tmp_path / "s.json")
    at = argv.index("--ca-file")
    del argv[at : at + 2]
    code, _, err = cli(capsys, *argv)
    assert code == ExitCode.ERROR
    assert_one_error(err, odd_pod.url, "TLS certificate did not verify", "--ca-file", "--insecure")
    assert not (tmp_path / "s.json").exists()
    assert not odd_pod.calls("/login"), "no credentials before the certificate is trusted"


# --- a vCenter address that answers like a web server ----------------------------------------

SERVICE_VERSIONS = (
    b'<?xml version="1.0" encoding="UTF-8" ?><namespaces version="1.0"><namespace>'
    b"<name>urn:vim25</name><version>8.0.3.0</version><priorVersions><version>8.0.2.0</version>"
    b"<version>7.0.3.0</version></priorVersions></namespace></namespaces>"
)
LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>SSO</body></html>"


@contextmanager
def web_server(mode: str) -> Iterator[str]:
    """A plain-http server on loopback: ``all-html`` answers every request with a login page;
    ``soap-html`` and ``soap-500`` serve a real vimServiceVersions.xml but answer the SOAP call
    with an HTML page (status 200 or 500), as a proxy or SSO portal in front of /sdk would;
    ``soap-junk`` answers it with bytes that are no XML. Yields the /sdk URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def answer(self, status: int, body: bytes, kind: str = "text/html") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if mode != "all-html" and self.path.endswith("/vimServiceVersions.xml"):
                self.answer(200, SERVICE_VERSIONS, "text/xml")
            else:
                self.answer(200, LOGIN_PAGE)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if mode == "soap-500":
                self.answer(500, LOGIN_PAGE)
            elif mode == "soap-junk":
                self.answer(200, b"\x00\xff<<not xml", "text/xml")
            else:
                self.answer(200, LOGIN_PAGE)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sdk"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def collect_from(url: str, capsys: pytest.CaptureFixture[str], out: Path) -> tuple[int, str]:
    code, _, err = cli(
        capsys, "collect", "--vcenter", url, "--user", "u", "--out", str(out), "--timeout", "5"
    )
    return code, err


@pytest.mark.parametrize("mode", ["all-html", "soap-junk"])
def test_a_vcenter_address_answering_html_or_junk_is_one_line(
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    monkeypatch.setenv("FLEETREPORT_PASSWORD", "pw")
    with web_server(mode) as url:
        code, err = collect_from(url, capsys, cli_env / "s.json")
    assert code == ExitCode.ERROR
    assert_one_error(err, url, "did not answer like a vCenter SDK", "hint:")
    assert not (cli_env / "s.json").exists()


@pytest.mark.parametrize("mode", ["soap-html", "soap-500"])
def test_a_vcenter_whose_soap_call_answers_html_is_one_line(
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    monkeypatch.setenv("FLEETREPORT_PASSWORD", "pw")
    with web_server(mode) as url:
        code, err = collect_from(url, capsys, cli_env / "s.json")
    assert code == ExitCode.ERROR
    assert_one_error(err, url, "did not answer like a vCenter SDK")


# --- branding: logos and user templates ------------------------------------------------------


@pytest.fixture
def small_snapshot(cli_env: Path) -> Path:
    vms, machines = desktops(vm("desk-1"), vm("desk-2"))
    path = cli_env / "s.json"
    save_snapshot(fleet_snapshot(vms, machines, [pool()]), path)
    return path


@pytest.mark.parametrize(
    ("make", "fragments"),
    [
        (lambda p: p.write_bytes(PNG + b"\0" * (2 * 1024 * 1024)), ["KiB", "under 2 MiB"]),
        (lambda p: p.mkdir(), ["cannot read logo"]),
        (lambda p: p.write_bytes(b"GIF8"), ["not a PNG, JPEG, GIF or SVG"]),
        (lambda p: p.write_bytes(b""), ["not a PNG, JPEG, GIF or SVG"]),
        (lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3"), ["not a PNG, JPEG, GIF or SVG"]),
    ],
    ids=["over-2-mib", "a-folder", "truncated-magic", "empty", "pdf"],
)
def test_a_bad_logo_is_one_line_and_nothing_is_written(
    small_snapshot: Path, capsys: pytest.CaptureFixture[str], make: Any, fragments: list[str]
) -> None:
    logo = small_snapshot.parent / "logo.png"
    make(logo)
    code, _, err = cli(capsys, "report", "s.json", "--out", "r.html", "--logo", "logo.png")
    assert code == ExitCode.ERROR
    assert_one_error(err, "logo", *fragments)
    assert not Path("r.html").exists()


def test_a_bad_logo_named_in_the_config_names_its_line(
    small_snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("logo.png").write_text("not an image at all", encoding="utf-8")
    Path("c.toml").write_text('[branding]\ncustomer = "X"\nlogo = "logo.png"\n', encoding="utf-8")
    code, _, err = cli(capsys, "report", "s.json", "--out", "r.html", "--config", "c.toml")
    assert code == ExitCode.ERROR
    assert_one_error(err, "c.toml:", "branding", "not a PNG, JPEG, GIF or SVG")
    assert not Path("r.html").exists()


def test_an_svg_logo_with_script_is_embedded_as_an_inert_image(
    small_snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1">'
        b"<script>window.__pwned=2</script><image href='https://evil.example.test/x.png'/></svg>"
    )
    Path("logo.svg").write_bytes(svg)
    code, _, err = cli(capsys, "report", "s.json", "--out", "r.html", "--logo", "logo.svg")
    assert code == ExitCode.OK, err
    html = Path("r.html").read_text("utf-8")
    assert f"data:image/svg+xml;base64,{base64.b64encode(svg).decode()}" in html
    assert "window.__pwned" not in html and "evil.example.test" not in html
    assert html.count("<script") == 1


@pytest.mark.parametrize(
    ("template", "fragments"),
    [
        ("{{ no_such_variable }}", ["report template failed", "no_such_variable"]),
        ("{% include 'missing.html' %}", ["report template failed", "missing.html"]),
        ("{{ report.fleet.nope }}", ["report template failed", "nope"]),
        ("{% for %}", ["report template failed", "_cover.html"]),
    ],
    ids=["undefined-variable", "missing-include", "unknown-attribute", "syntax-error"],
)
def test_a_broken_user_template_is_one_line_and_nothing_is_written(
    small_snapshot: Path, capsys: pytest.CaptureFixture[str], template: str, fragments: list[str]
) -> None:
    Path("mine/report").mkdir(parents=True)
    Path("mine/report/_cover.html").write_text(template, encoding="utf-8")
    code, _, err = cli(capsys, "report", "s.json", "--out", "r.html", "--templates", "mine")
    assert code == ExitCode.ERROR
    assert_one_error(err, *fragments)
    assert not Path("r.html").exists()


@pytest.mark.parametrize(
    "template",
    [b"caf\xe9 {{ branding.customer }}", b"{% include 'report/_cover.html' %}", b"{{ 1 // 0 }}"],
    ids=["latin-1", "includes-itself", "division-by-zero"],
)
def test_a_user_template_failing_outside_jinja_is_one_line(
    small_snapshot: Path, capsys: pytest.CaptureFixture[str], template: bytes
) -> None:
    Path("mine/report").mkdir(parents=True)
    Path("mine/report/_cover.html").write_bytes(template)
    code, _, err = cli(capsys, "report", "s.json", "--out", "r.html", "--templates", "mine")
    assert code == ExitCode.ERROR
    assert_one_error(err, "report template failed")
    assert not Path("r.html").exists()


# --- history databases -----------------------------------------------------------------------


def future_database(path: Path) -> bytes:
    with HistoryStore(path):
        pass
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {HISTORY_SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    return path.read_bytes()


def test_a_history_database_from_the_future_is_one_line_and_left_alone(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = future_database(cli_env / "future.sqlite")
    code, out, err = cli(capsys, "history", "--database", "future.sqlite")
    assert code == ExitCode.ERROR
    assert_one_error(err, "future.sqlite", "newer fleetreport", "upgrade fleetreport")
    assert out == ""
    assert (cli_env / "future.sqlite").read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [PNG, b"SQLite format 3\x00" + b"\xff" * 200, b"runs\n" * 100],
    ids=["png", "truncated-sqlite", "text"],
)
def test_a_history_file_that_is_not_a_history_database_is_one_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    (cli_env / "h.sqlite").write_bytes(content)
    code, _, err = cli(capsys, "history", "--database", "h.sqlite")
    assert code == ExitCode.ERROR
    assert_one_error(err, "h.sqlite")
    assert (cli_env / "h.sqlite").read_bytes() == content


@pytest.mark.simulator
def test_a_run_with_a_history_database_from_the_future_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = future_database(tmp_path / "history.sqlite")
    with start_vcsim("basic") as server:
        monkeypatch.setenv("HOSTILE_VC_PW", server.password)
        config = tmp_path / "fleetreport.toml"
        config.write_text(
            textwrap.dedent(
                f"""\
                [[vcenter]]
                url = "{server.url}"
                user = "{server.username}"
                password_env = "HOSTILE_VC_PW"
                ca_file = "{server.ca_file}"

                [output]
                folder = "reports"

                [history]
                database = "history.sqlite"
                """
            ),
            encoding="utf-8",
        )
        code, _, err = cli(capsys, "run", "--config", str(config))
    assert code == ExitCode.ERROR
    assert_one_error(err, "history.sqlite", "newer fleetreport")
    assert (tmp_path / "history.sqlite").read_bytes() == before
    published = tmp_path / "reports"
    assert not published.exists() or [p.name for p in published.iterdir()] in (
        [],
        [".fleetreport.lock"],
    )


def test_hostile_snapshot_text_survives_the_compare_path(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``report --compare`` against an older snapshot whose names are hostile."""
    older = fleet_snapshot(*desktops(vm("\u202eevil<script>", "vm-1"), vm("desk-2", "vm-2")))
    newer = replace(older, vms=[older.vms[1]], machines=[older.machines[1]])
    save_snapshot(older, cli_env / "old.json")
    save_snapshot(newer, cli_env / "new.json")
    code, out, err = cli(capsys, "report", "new.json", "--compare", "old.json", "--out", "r.html")
    assert code == ExitCode.OK, err
    assert_terminal_safe(out, err)
    html = (cli_env / "r.html").read_text("utf-8")
    assert "\u202eevil&lt;script&gt;" in html and "evil<script>" not in html
