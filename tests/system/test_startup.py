"""Start-up: ``fleetreport --version`` and ``--help`` build the parser without loading the
collectors, the judge or the renderers (issue 17: commands import what they use when they
run). Which modules a process loaded is behaviour, not timing: the test holds on any machine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.paths import REPO

HEAVY = (
    "pyVmomi",
    "requests",
    "jinja2",
    "openpyxl",
    "fleetreport.collect.run",
    "fleetreport.collect.vcenter.inventory",
    "fleetreport.collect.horizon.client",
    "fleetreport.health.build",
    "fleetreport.health.report_model",
    "fleetreport.snapshot.model",
    "fleetreport.record.anonymiser",
    "fleetreport.render.html",
    "fleetreport.run.job",
)

PROBE = """
import contextlib, io, json, sys
from fleetreport.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    with contextlib.suppress(SystemExit):
        main(sys.argv[1:])
print(json.dumps(sorted(sys.modules)))
"""


def loaded_by(*arguments: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *arguments],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize("arguments", [("--version",), ("--help",), ("report", "--help")])
def test_version_and_help_load_no_collector_judge_or_renderer(arguments: tuple[str, ...]) -> None:
    loaded = loaded_by(*arguments)
    assert "fleetreport.cli" in loaded
    assert sorted(loaded & set(HEAVY)) == []


def test_a_command_still_loads_what_it_uses() -> None:
    loaded = loaded_by("schema")  # prints the snapshot schema: needs the model
    assert "fleetreport.snapshot.model" in loaded


def test_a_collection_from_vcenter_alone_loads_no_horizon_client(tmp_path: Path) -> None:
    # Nothing listens on the discard port: the collection fails at once, after the vCenter
    # collector was loaded, and no Horizon source ever needed the HTTP client.
    loaded = loaded_by(
        *("collect", "--vcenter", "https://127.0.0.1:9/sdk", "--user", "reader"),
        *("--password-env", "PATH", "--retries", "1", "--out", str(tmp_path / "s.json")),
    )
    assert "fleetreport.collect.vcenter.inventory" in loaded
    assert sorted(loaded & {"requests", "fleetreport.collect.horizon.client"}) == []
