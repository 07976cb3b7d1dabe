"""Endpoints, TLS options, passwords and atomic writes: the user's input, checked up front."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fleetreport.atomic_write import write_atomically
from fleetreport.endpoints import TlsOptions, parse_endpoint
from fleetreport.errors import CredentialError, InputFileError, OutputError, UsageError
from fleetreport.secrets import Secret, SecretSource, resolve_secret


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("vc01.corp.example", "https://vc01.corp.example/sdk"),
        ("vc01.corp.example:8443", "https://vc01.corp.example:8443/sdk"),
        ("https://vc01.corp.example", "https://vc01.corp.example/sdk"),
        ("https://vc01.corp.example/sdk/", "https://vc01.corp.example/sdk"),
        ("HTTPS://10.0.0.5:443/sdk", "https://10.0.0.5/sdk"),
        ("[2001:db8::5]:8443", "https://[2001:db8::5]:8443/sdk"),
        ("http://127.0.0.1:8989/sdk", "http://127.0.0.1:8989/sdk"),
    ],
)
def test_vcenter_addresses(text: str, url: str) -> None:
    assert parse_endpoint(text, default_path="/sdk", option="--vcenter").url == url


def test_plain_http_warns(caplog: pytest.LogCaptureFixture) -> None:
    parse_endpoint("http://127.0.0.1:8989/sdk", default_path="/sdk", option="--vcenter")
    assert "unencrypted" in caplog.text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ftp://vc01",
        "https://",
        "https://user:pw@vc01/sdk",
        "vc 01",
        "vc01:notaport",
        "https://vc01/sdk?x=1",
        "bad_host!name",
        "vc01\x1b[31m",
    ],
)
def test_invalid_addresses_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_endpoint(text, default_path="/sdk", option="--vcenter")


def test_credentials_in_url_are_not_echoed() -> None:
    with pytest.raises(UsageError) as caught:
        parse_endpoint("https://admin:hunter2@vc01/sdk", default_path="/sdk", option="--vcenter")
    assert "credentials never go into the URL" in caught.value.one_line()


def test_tls_is_verified_unless_asked(tmp_path: Path) -> None:
    import ssl

    assert TlsOptions().ssl_context().verify_mode == ssl.CERT_REQUIRED
    assert TlsOptions().ssl_context().check_hostname
    assert TlsOptions(verify=False).ssl_context().verify_mode == ssl.CERT_NONE
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        TlsOptions(ca_file=bad).ssl_context()
    assert "--ca-file takes a PEM" in caught.value.one_line()


def test_password_from_env_file_and_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VC_PASSWORD", "s3cret")
    assert (
        resolve_secret(SecretSource(env="VC_PASSWORD", prompt=""), "u", "vc").reveal() == "s3cret"
    )
    secret_file = tmp_path / "pw"
    secret_file.write_text("from-file\nignored\n", encoding="utf-8")
    assert resolve_secret(SecretSource(file=secret_file), "u", "vc").reveal() == "from-file"
    monkeypatch.delenv("VC_PASSWORD")
    monkeypatch.setattr("sys.stdin", None)
    with pytest.raises(CredentialError, match="VC_PASSWORD is not set"):
        resolve_secret(SecretSource(env="VC_PASSWORD", prompt=""), "u", "vc")
    (tmp_path / "empty").write_text("", encoding="utf-8")
    with pytest.raises(CredentialError, match="is empty"):
        resolve_secret(SecretSource(file=tmp_path / "empty"), "u", "vc")


def test_secret_never_shows_itself() -> None:
    secret = Secret("hunter2")
    assert "hunter2" not in repr(secret)
    assert "hunter2" not in str(secret)
    assert "hunter2" not in f"{secret} {[secret]} {dict(p=secret)}"


def test_atomic_write_replaces_whole_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    write_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert os.listdir(tmp_path) == ["out.json"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(OutputError):
        write_atomically(tmp_path / "missing-folder" / "x.json", "data")
    (tmp_path / "folder.json").mkdir()
    with pytest.raises(OutputError):
        write_atomically(tmp_path / "folder.json", "data")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(os.listdir(tmp_path)) == ["folder.json", "out.json"]
