"""The run config file: secrets from env, file or keyring; TLS, output and mail settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest

from fleetreport.cli import main
from fleetreport.config_file import parse_config
from fleetreport.errors import ConfigError, CredentialError, ExitCode
from fleetreport.render.pdf import INSTALL_HINT
from fleetreport.run.config import Problems, RunConfig, parse_run_config
from fleetreport.secrets import Secret, SecretSource, resolve_secret


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend that keeps passwords in a dict."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def parse(text: str, path: str = "/etc/fleetreport/fleet.toml") -> object:
    return parse_run_config(parse_config(text, path), Problems())


MINIMAL = '[[vcenter]]\nurl = "vc"\nuser = "u"\npassword_env = "P"\n[output]\nfolder = "out"\n'


def test_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VC_PW", "s3cret")
    assert resolve_secret(SecretSource(env="VC_PW"), "u", "vc") == Secret("s3cret")
    monkeypatch.delenv("VC_PW")
    with pytest.raises(CredentialError, match="VC_PW is not set"):
        resolve_secret(SecretSource(env="VC_PW"), "u", "vc")


def test_secrets_come_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("from-file\nignored\n", encoding="utf-8")
    assert resolve_secret(SecretSource(file=tmp_path / "pw"), "u", "vc") == Secret("from-file")


def test_secrets_come_from_the_keyring(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("fleetreport", "audit@vsphere.local", "kr-secret")
    source = SecretSource(keyring_service="fleetreport")
    assert resolve_secret(source, "audit@vsphere.local", "vc") == Secret("kr-secret")
    with pytest.raises(CredentialError) as caught:
        resolve_secret(source, "someone", "vc")
    assert "hint: store it with: keyring set fleetreport someone" in caught.value.one_line()


def test_a_missing_keyring_package_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_keyring(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("keyring"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_keyring)
    with pytest.raises(CredentialError) as caught:
        resolve_secret(SecretSource(keyring_service="x"), "u", "vc")
    assert "pip install 'fleetreport[keyring]'" in caught.value.one_line()


def test_relative_paths_are_relative_to_the_config_file() -> None:
    config = parse(
        '[[vcenter]]\nurl = "vc"\nuser = "u"\npassword_file = "pw.txt"\nca_file = "ca.pem"\n'
        '[output]\nfolder = "out"\n'
    )
    vcenter = config.vcenters[0]  # type: ignore[attr-defined]
    assert vcenter.secret.file == Path("/etc/fleetreport/pw.txt")
    assert vcenter.tls.ca_file == Path("/etc/fleetreport/ca.pem")
    assert config.output.folder == Path("/etc/fleetreport/out")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ("[email]\nhost = 'm'\nsender = 'a@b.c'\nrecipients = []\n", "no recipients"),
        (
            "[email]\nhost = 'm'\nsender = 'a@b.c'\nrecipients = ['x@y.z']\npassword = 'p'\n",
            "passwords do not belong",
        ),
        (
            "[email]\nhost = 'm'\nsender = 'a@b.c'\nrecipients = ['x@y.z']\nusername = 'u'\n",
            "needs a password source",
        ),
        ("[run]\nfail_on = 'sometimes'\n", "unknown severity"),
        ("[collect]\nconcurrency = 0\n", "too small"),
        ("[history]\ntrend_runs = 'many'\n", "whole number"),
        ("[colours]\nx = 1\n", "unknown setting"),
    ],
)
def test_bad_settings_are_named(extra: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        parse(MINIMAL + extra)


def test_two_secret_sources_are_one_too_many() -> None:
    with pytest.raises(ConfigError, match=r"vcenter\[1\]\.password_file: give one of"):
        parse('[[vcenter]]\nurl = "vc"\nuser = "u"\npassword_env = "P"\npassword_file = "f"\n')


def test_a_config_without_sources_is_refused() -> None:
    with pytest.raises(ConfigError, match="no sources"):
        parse('[output]\nfolder = "out"\n')


def test_retries_and_their_time_bound_are_per_source() -> None:
    config = parse(
        '[[vcenter]]\nurl = "vc"\nuser = "u"\npassword_env = "P"\nretries = 2\n'
        'retry_seconds = 15\n[[horizon]]\nurl = "cs"\nuser = "u"\ndomain = "D"\n'
        'password_env = "H"\n[output]\nfolder = "out"\n'
    )
    vcenter, pod = config.vcenters[0], config.horizons[0]  # type: ignore[attr-defined]
    assert (vcenter.retry.attempts, vcenter.retry.total_seconds) == (2, 15)
    assert (pod.retry.attempts, pod.retry.total_seconds) == (5, 60)
    with pytest.raises(ConfigError, match=r"vcenter\[1\]\.retries"):
        parse(MINIMAL.replace('password_env = "P"\n', 'password_env = "P"\nretries = 0\n'))


def test_retries_on_the_command_line(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from fleetreport.cli import main

    monkeypatch.setenv("FLEETREPORT_PASSWORD", "x")
    argv = ["collect", "--vcenter", "https://127.0.0.1:9/sdk", "--user", "u", "--out", "s.json"]
    assert main([*argv, "--retries", "1"]) == 1
    assert "attempts" not in capsys.readouterr().err  # one attempt: nothing retried
    assert main([*argv, "--retries", "2", "--retry-time", "1"]) == 1
    assert "connection refused (2 attempts in" in capsys.readouterr().err
    assert not (cli_env / "s.json").exists()


def test_a_run_may_write_a_pdf_on_letter_paper() -> None:
    config = parse(MINIMAL + 'formats = ["html", "pdf"]\npaper = "Letter"\n')
    assert isinstance(config, RunConfig)
    assert config.output.formats == ("html", "pdf")
    assert config.output.paper == "letter"
    assert parse(MINIMAL).output.paper == "a4"  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="unknown paper 'a3'"):
        parse(MINIMAL + 'paper = "a3"\n')


def test_pdf_without_a_browser_is_named_by_config_check_and_stops_a_run_before_collecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scheduled run would otherwise collect for minutes and then fail writing the PDF."""
    config = tmp_path / "fleet.toml"
    config.write_text(
        '[[vcenter]]\nurl = "https://127.0.0.1:9/sdk"\nuser = "u"\npassword_env = "VC_PW"\n'
        '[output]\nfolder = "reports"\nformats = ["html", "pdf"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("VC_PW", "secret")
    monkeypatch.setenv("PATH", str(tmp_path / "no-browser-here"))
    assert main(["config", "check", str(config)]) == ExitCode.ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "fleetreport: error: no Chromium, Chrome or Edge found to print the PDF (hint: "
        + INSTALL_HINT
        + ")"
    ]
    assert main(["run", "--config", str(config)]) == ExitCode.ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no Chromium, Chrome or Edge found" in err[0]
    assert "127.0.0.1:9" not in err[0]  # nothing was collected
    assert not (tmp_path / "reports").exists()
