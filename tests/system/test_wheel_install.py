"""An installed wheel, outside the source tree, finds its templates and demo fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from support.paths import REPO

pytestmark = pytest.mark.slow


def test_wheel_ships_templates_and_demo_and_runs_demo_elsewhere(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("fleetreport-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "fleetreport/_data/templates/summary.txt" in names
    assert "fleetreport/_data/demo/snapshot.json" in names
    assert "fleetreport/snapshot/snapshot.schema.json" in names
    assert not any(name.startswith(("tests/", "fixtures/")) for name in names)

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run(
        [str(environment / "bin" / "fleetreport"), "demo", "--out", "out"],
        cwd=elsewhere,
        env=clean_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "VMs 348 (plus 1 templates)" in result.stdout
    assert (elsewhere / "out" / "demo-snapshot.json").is_file()
    assert (
        json.loads((elsewhere / "out" / "report.json").read_text(encoding="utf-8"))["fleet"][
            "desktops"
        ]
        > 0
    )
    where = subprocess.run(
        [str(python), "-c", "import fleetreport.resources as r; print(r.templates_dir())"],
        cwd=elsewhere,
        env=clean_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert where.startswith(str(environment)), where
