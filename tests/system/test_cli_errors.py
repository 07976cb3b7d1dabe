"""Bad input at the command line: one clear line on stderr, a documented exit code, no file."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from fleetreport.cli import main
from fleetreport.errors import ExitCode


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("fleetreport: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_missing_password_variable(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys,
        "collect",
        "--vcenter",
        "vc.example.test",
        "--user",
        "u",
        "--password-env",
        "VC_PASSWORD",
        "--out",
        "s.json",
    )
    assert code == ExitCode.ERROR
    assert_one_error_line(err, "VC_PASSWORD is not set", "--password-file")
    assert not (cli_env / "s.json").exists()


def test_unreachable_host(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLEETREPORT_PASSWORD", "pw")
    code, _, err = run(
        capsys,
        "collect",
        "--vcenter",
        f"127.0.0.1:{free_port()}",
        "--user",
        "u",
        "--out",
        "s.json",
        "--timeout",
        "5",
    )
    assert code == ExitCode.ERROR
    assert_one_error_line(err, "connection refused", "hint:")
    assert list(cli_env.iterdir()) == []


def test_unresolvable_host(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLEETREPORT_PASSWORD", "pw")
    code, _, err = run(
        capsys,
        "collect",
        "--vcenter",
        "vc01.invalid",
        "--user",
        "u",
        "--out",
        "s.json",
        "--timeout",
        "5",
    )
    assert code == ExitCode.ERROR
    assert_one_error_line(err, "cannot resolve host 'vc01.invalid'")


@pytest.mark.parametrize(
    ("out", "expected"),
    [("missing/s.json", "does not exist"), (".", "is a folder")],
)
def test_unwritable_output(
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    out: str,
    expected: str,
) -> None:
    monkeypatch.setenv("FLEETREPORT_PASSWORD", "pw")
    code, _, err = run(
        capsys, "collect", "--vcenter", "vc.example.test", "--user", "u", "--out", out
    )
    assert code == ExitCode.ERROR
    assert_one_error_line(err, expected)


def test_invalid_url_is_a_usage_error(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "collect", "--vcenter", "ftp://vc01", "--user", "u", "--out", "s.json"
    )
    assert code == ExitCode.USAGE
    assert_one_error_line(err, "scheme 'ftp'")


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "collect", "--password", "hunter2")
    assert code == ExitCode.USAGE
    assert_one_error_line(err, "see 'fleetreport collect --help'")


def test_password_is_never_a_plain_argument(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["collect", "--help"])
    help_text = capsys.readouterr().out
    assert "--password-env" in help_text and "--password-file" in help_text
    assert "--password " not in help_text and "--password=" not in help_text


def test_corrupt_snapshot_summary(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (cli_env / "s.json").write_text('{"schema_version": 1, "sources": [', encoding="utf-8")
    code, _, err = run(capsys, "summary", "s.json")
    assert code == ExitCode.ERROR
    assert_one_error_line(err, "ends early")


def test_schema_command_prints_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == ExitCode.OK
    assert json.loads(out)["title"] == "fleetreport snapshot"


def test_console_script_has_no_traceback_and_debug_has_one(cli_env: Path) -> None:
    command = [sys.executable, "-m", "fleetreport", "summary", "nope.json"]
    plain = subprocess.run(command, capture_output=True, text=True, check=False)
    assert plain.returncode == ExitCode.ERROR
    assert plain.stderr.strip() == "fleetreport: error: snapshot nope.json does not exist"
    debug = subprocess.run(
        [*command[:3], "--debug", *command[3:]], capture_output=True, text=True, check=False
    )
    assert debug.returncode == ExitCode.ERROR
    assert "Traceback" in debug.stderr
