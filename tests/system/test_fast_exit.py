"""The ``fleetreport`` program exits without freeing its heap (``cli.console_script``): what a
command printed still reaches a pipe in full, in order, and the exit status is the command's."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from fleetreport.cli import main
from fleetreport.errors import ExitCode


def program(*argv: str) -> subprocess.CompletedProcess[str]:
    """``python -m fleetreport`` as the console script runs it, output through pipes, buffered
    as Python buffers a pipe (this machine's PYTHONUNBUFFERED would hide a lost buffer)."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    return subprocess.run(
        [sys.executable, "-m", "fleetreport", *argv],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )


def test_everything_printed_to_a_pipe_arrives(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks"]) == ExitCode.OK  # a line per check: many small writes
    printed = capsys.readouterr().out
    assert len(printed) > 8192  # more than a piped stream's buffer holds

    finished = program("checks")

    assert finished.returncode == ExitCode.OK
    assert finished.stdout == printed


def test_the_exit_status_and_the_error_line_are_the_commands() -> None:
    finished = program("-q", "summary", "missing-snapshot.json")

    assert finished.returncode == ExitCode.ERROR
    assert finished.stderr == "fleetreport: error: snapshot missing-snapshot.json does not exist\n"
    assert finished.stdout == ""


def test_a_usage_error_keeps_its_status() -> None:
    finished = program("report")

    assert finished.returncode == ExitCode.USAGE
    assert finished.stderr.startswith("fleetreport: error: ")
