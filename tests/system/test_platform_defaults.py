"""What differs by system and is decided in one place: default folders, TLS trust, privacy."""

from __future__ import annotations

import os
import ssl
from pathlib import Path

import pytest
import truststore

from fleetreport.cli import main
from fleetreport.endpoints import TlsOptions
from fleetreport.errors import ExitCode
from fleetreport.paths import default_config_path
from fleetreport.record import recording


@pytest.mark.linux  # XDG_CONFIG_HOME steers platformdirs on Linux only
def test_run_without_config_reads_the_users_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    expected = tmp_path / "config" / "fleetreport" / "fleetreport.toml"
    assert default_config_path() == expected
    assert main(["run"]) == ExitCode.USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"fleetreport: error: no --config given and no run config at {expected}"
        " (hint: pass --config FILE, or put the run config there"
        " (docs/fleetreport.example.toml is a start))"
    ]
    expected.parent.mkdir(parents=True)
    expected.write_text("[output]\nfolder = 'reports'\n")  # found, then judged: no sources
    assert main(["run"]) == ExitCode.ERROR
    assert str(expected) in capsys.readouterr().err


def test_tls_uses_the_systems_trust_store_and_verifies() -> None:
    context = TlsOptions().ssl_context()
    assert isinstance(context, truststore.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    insecure = TlsOptions(verify=False).ssl_context()
    assert insecure.verify_mode == ssl.CERT_NONE and not insecure.check_hostname


def test_the_mapping_files_privacy_is_claimed_only_where_it_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert os.name == "posix" or "folder's permissions" in (recording.privacy_of_private_files())
    monkeypatch.setattr(recording.os, "name", "posix")
    assert recording.privacy_of_private_files() == "mode 0600: only you can read it"
    monkeypatch.setattr(recording.os, "name", "nt")
    assert "0600" not in recording.privacy_of_private_files()
    assert "folder's permissions" in recording.privacy_of_private_files()
