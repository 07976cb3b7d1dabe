"""Shared fixtures: a minimal snapshot, an isolated environment for the CLI, platform markers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from support.snapshots import make_snapshot

from fleetreport.snapshot.model import Snapshot


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the tests marked ``posix`` or ``linux`` on systems that are not."""
    missing = {"posix": os.name != "posix", "linux": not sys.platform.startswith("linux")}
    for item in items:
        for marker, absent in missing.items():
            if absent and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=f"needs {marker} ({sys.platform} here)"))


@pytest.fixture
def snapshot() -> Snapshot:
    return make_snapshot()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run the CLI in an empty folder with no password variables set."""
    monkeypatch.chdir(tmp_path)
    for name in ("FLEETREPORT_PASSWORD", "VC_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture(autouse=True)
def template_cache_in_the_test_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Compiled templates go to the session's temporary folder, never the real user cache
    (``render/template_cache.py``); processes the tests start inherit the variable."""
    folder = tmp_path_factory.getbasetemp() / "template-cache"
    monkeypatch.setenv("FLEETREPORT_CACHE_DIR", str(folder))
