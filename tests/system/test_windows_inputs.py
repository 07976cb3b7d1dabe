"""Files and errors as Windows makes them: BOMs, UTF-16, CRLF, backslash paths, keyrings, Excel."""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path, PureWindowsPath

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest
from support.paths import DEMO_SNAPSHOT, FIXTURES

from fleetreport.atomic_write import write_atomically
from fleetreport.cli import main
from fleetreport.config_file import Problems, parse_config, read_config
from fleetreport.errors import ConfigError, CredentialError, ExitCode, InputFileError, OutputError
from fleetreport.run.config import load_run_config, parse_run_config
from fleetreport.secrets import SecretSource, read_password_file, resolve_secret
from fleetreport.text_files import decode_user_text

INPUTS = FIXTURES / "windows-inputs"
PASSWORD = "Pässwort-Łódź 1"
SAVE_AS_UTF8 = (
    "save it as UTF-8: in PowerShell, Set-Content -Encoding utf8;"
    " in Notepad, Save As with Encoding UTF-8"
)
PATH_HINT = (
    "write Windows paths in single quotes ('C:\\reports') or with forward slashes (\"C:/reports\")"
)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert lines and lines[0].startswith("fleetreport: error: "), err
    return lines[0].removeprefix("fleetreport: error: ")


# Password files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "password-utf8.txt",
        "password-utf8-bom.txt",
        "password-utf8-crlf.txt",
        "password-utf8-cr.txt",
        "password-utf16le-bom-crlf.txt",
        "password-utf16be-bom.txt",
    ],
)
def test_password_files_as_windows_writes_them_give_the_password(name: str) -> None:
    assert read_password_file(INPUTS / name) == PASSWORD


@pytest.mark.parametrize(
    ("name", "message", "hint"),
    [
        (
            "password-cp1252.txt",
            "is not UTF-8 text (byte 0xe4 at offset 1: Windows-1252 or Latin-1?)",
            SAVE_AS_UTF8,
        ),
        (
            "password-utf16le-no-bom.txt",
            "is not UTF-8 text: it has NUL bytes (UTF-16 without a BOM?)",
            SAVE_AS_UTF8,
        ),
        ("password-empty.txt", "is empty", "put the password on its first line"),
        ("password-bom-only.txt", "is empty", "put the password on its first line"),
        ("password-blank-lines.txt", "is empty", "put the password on its first line"),
    ],
)
def test_password_files_in_other_encodings_or_empty_are_one_clear_error(
    name: str, message: str, hint: str
) -> None:
    with pytest.raises(CredentialError) as caught:
        read_password_file(INPUTS / name)
    assert caught.value.message == f"password file {INPUTS / name} {message}"
    assert caught.value.hint == hint


def test_a_password_file_with_a_blank_first_line_says_so(tmp_path: Path) -> None:
    (tmp_path / "pw.txt").write_bytes(b"\r\nsecret\r\n")
    with pytest.raises(CredentialError) as caught:
        read_password_file(tmp_path / "pw.txt")
    assert caught.value.message == f"password file {tmp_path / 'pw.txt'} has a blank first line"


def test_a_password_file_that_is_a_folder_or_missing_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(CredentialError) as folder:
        read_password_file(tmp_path)
    assert folder.value.message == f"password file {tmp_path} is a folder"
    with pytest.raises(CredentialError) as missing:
        read_password_file(tmp_path / "gone.txt")
    assert missing.value.message == f"password file {tmp_path / 'gone.txt'} does not exist"


def test_the_run_config_reads_a_utf16_password_file() -> None:
    source = SecretSource(file=INPUTS / "password-utf16le-bom-crlf.txt")
    assert resolve_secret(source, "audit", "vc01").reveal() == PASSWORD


def test_collect_with_a_cp1252_password_file_is_one_line_and_writes_nothing(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(INPUTS / "password-cp1252.txt", cli_env / "pw.txt")
    code, _, err = cli(
        capsys,
        "collect",
        "--vcenter",
        "vc.example.test",
        "--user",
        "u",
        "--password-file",
        "pw.txt",
        "--out",
        "s.json",
    )
    assert code == ExitCode.ERROR
    assert one_error_line(err) == (
        "password file pw.txt is not UTF-8 text (byte 0xe4 at offset 1: Windows-1252 or"
        f" Latin-1?) (hint: {SAVE_AS_UTF8})"
    )
    assert sorted(path.name for path in cli_env.iterdir()) == ["pw.txt"]


def test_decoding_refuses_a_broken_utf16_file_and_nul_characters() -> None:
    with pytest.raises(InputFileError) as odd:
        decode_user_text(b"\xff\xfea\x00b", "f.txt")
    assert odd.value.message == (
        "f.txt starts with a UTF-16 LE BOM but is not UTF-16 LE text (byte 0x62 at offset 4)"
    )
    with pytest.raises(InputFileError) as nul:
        decode_user_text(b"\xef\xbb\xbfa\x00b", "f.txt")
    assert nul.value.message == "f.txt has NUL characters, which text files do not hold"
    with pytest.raises(InputFileError) as utf32:
        decode_user_text("a".encode("utf-32"), "f.txt")
    assert utf32.value.message == "f.txt has NUL characters, which text files do not hold"


# Run config encodings and line ends -----------------------------------------------------------


@pytest.mark.parametrize("name", ["run-crlf.toml", "run-utf8-bom.toml", "run-utf16le-bom.toml"])
def test_run_configs_saved_by_windows_tools_read_alike(name: str) -> None:
    config = load_run_config(INPUTS / name)
    assert [source.url for source in config.vcenters] == ["https://vc01.example.test/sdk"]
    assert config.vcenters[0].secret.file == INPUTS / "password-utf16le-bom-crlf.txt"
    assert config.output.folder == INPUTS / "reports"
    assert read_config(INPUTS / name).line_of(("output",), "folder") == 8


def test_config_check_reads_a_utf16_config_and_its_utf16_password_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = INPUTS / "run-utf16le-bom.toml"
    code, out, err = cli(capsys, "config", "check", str(path))
    assert (code, err) == (ExitCode.OK, "")
    assert out.strip() == (
        f"{path}: OK (1 vCenter(s), 0 Horizon pod(s); output {INPUTS / 'reports'})"
    )


def test_a_config_file_in_windows_1252_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes("[branding]\r\ncustomer = 'Müller'\r\n".encode("cp1252"))
    with pytest.raises(ConfigError) as caught:
        read_config(path)
    assert caught.value.message == (
        f"config file {path} is not UTF-8 text (byte 0xfc at offset 25: Windows-1252 or Latin-1?)"
    )
    assert caught.value.hint == SAVE_AS_UTF8


# Windows paths in the run config --------------------------------------------------------------


def windows_path(raw: str, base: Path) -> Path:
    """``raw`` as this system resolves it: absolute on Windows, else beside the config file."""
    given = Path(raw)
    return given if given.is_absolute() else base / given


def test_a_windows_path_in_single_quotes_is_read_as_written() -> None:
    folder = load_run_config(INPUTS / "run-single-quotes.toml").output.folder
    assert folder == windows_path("C:\\reports", INPUTS)
    assert str(folder).endswith("C:\\reports")


def test_a_windows_path_with_forward_slashes_is_read_as_written() -> None:
    folder = load_run_config(INPUTS / "run-forward-slashes.toml").output.folder
    assert folder == windows_path("C:/reports", INPUTS)
    assert str(folder).endswith("C:\\reports" if os.name == "nt" else "C:/reports")
    assert PureWindowsPath("C:/reports") == PureWindowsPath("C:\\reports")


def test_a_path_under_the_home_folder_is_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    home = INPUTS.parent / "someone"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    assert load_run_config(INPUTS / "run-tilde.toml").output.folder == home / "reports"


def test_config_check_refuses_a_backslash_path_in_double_quotes_with_its_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = INPUTS / "run-double-quotes-cr.toml"
    code, out, err = cli(capsys, "config", "check", str(path))
    assert code == ExitCode.ERROR
    assert one_error_line(err) == (
        f"{path}:8: output.folder: the path holds a carriage return (\\r): in double quotes"
        f" TOML reads a backslash as an escape (hint: {PATH_HINT})"
    )
    assert out == ""


def test_a_users_path_in_double_quotes_is_a_toml_error_with_the_path_hint(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = INPUTS / "run-double-quotes-users.toml"
    code, _, err = cli(capsys, "run", "--config", str(path))
    assert code == ExitCode.ERROR
    assert one_error_line(err) == f"{path}:5: not valid TOML: Invalid hex value (hint: {PATH_HINT})"
    assert list(cli_env.iterdir()) == []


def test_other_toml_errors_keep_their_own_hint() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("[output\n", "c.toml")
    assert caught.value.hint == "see the example config"
    with pytest.raises(ConfigError) as escape:
        parse_config('a = "C:\\data"\n', "c.toml")
    assert escape.value.hint == PATH_HINT


SOURCE = 'url = "vc"\nuser = "u"\n'
PATH_KEYS = [
    ("[[vcenter]]\n" + SOURCE + "password_file = {value}\n", "vcenter[1].password_file", 4),
    (
        "[[vcenter]]\n" + SOURCE + 'password_env = "P"\nca_file = {value}\n',
        "vcenter[1].ca_file",
        5,
    ),
    (
        '[[horizon]]\n{source}domain = "D"\npassword_file = {value}\n'.replace("{source}", SOURCE),
        "horizon[1].password_file",
        5,
    ),
    (
        '[[horizon]]\n{source}domain = "D"\npassword_env = "P"\nca_file = {value}\n'.replace(
            "{source}", SOURCE
        ),
        "horizon[1].ca_file",
        6,
    ),
    ("[output]\nfolder = {value}\n", "output.folder", 2),
    ("[history]\ndatabase = {value}\n", "history.database", 2),
    ("[run]\nlock_file = {value}\n", "run.lock_file", 2),
    (
        '[email]\nhost = "m"\nsender = "a@b"\nrecipients = ["c@d"]\nusername = "u"\n'
        "password_file = {value}\n",
        "email.password_file",
        6,
    ),
    (
        '[email]\nhost = "m"\nsender = "a@b"\nrecipients = ["c@d"]\nca_file = {value}\n',
        "email.ca_file",
        5,
    ),
    ("[branding]\nlogo = {value}\n", "branding.logo", 2),
]
CONTROLS = [
    ('"C:\\\\x\\reports"', "a carriage return (\\r)"),
    ('"C:\\temp"', "a tab (\\t)"),
    ('"D:\\backup"', "a backspace (\\b)"),
    ('"E:\\files"', "a form feed (\\f)"),
    ('"C:\\new"', "a line feed (\\n)"),
    ('"C:\\u0000x"', "a NUL character"),
    ('"C:\\u001bx"', "an escape character"),
    ('"C:\\u007fx"', "the control character U+007F"),
]


@pytest.mark.parametrize(("template", "key", "line"), PATH_KEYS, ids=[k for _, k, _ in PATH_KEYS])
@pytest.mark.parametrize(("value", "seen"), CONTROLS, ids=[s for _, s in CONTROLS])
def test_every_path_key_refuses_a_control_character_with_its_line(
    template: str, key: str, line: int, value: str, seen: str
) -> None:
    snippet = template.replace("{value}", value)
    output = "" if snippet.startswith("[output]") else '[output]\nfolder = "o"\n'
    text = snippet + output + '[[vcenter]]\nurl = "v0"\nuser = "u"\npassword_env = "P"\n'
    problems = Problems(collect=True)
    parse_run_config(parse_config(text, "c.toml"), problems)
    assert [error.one_line() for error in problems.errors] == [
        f"c.toml:{line}: {key}: the path holds {seen}: in double quotes TOML reads a backslash"
        f" as an escape (hint: {PATH_HINT})"
    ]


# Keyring backends that fail as Windows ones do ------------------------------------------------


class pywintypes_error(Exception):  # named like the class pywin32 raises
    """Stands for ``pywintypes.error``, which is not an OSError."""


pywintypes_error.__module__ = "pywintypes"
pywintypes_error.__qualname__ = "error"


class FailingKeyring(keyring.backend.KeyringBackend):
    """A keyring backend whose every read raises ``failure``."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, failure: BaseException) -> None:
        super().__init__()
        self.failure = failure

    def get_password(self, service: str, username: str) -> str | None:
        raise self.failure

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.failure

    def delete_password(self, service: str, username: str) -> None:
        raise self.failure


@pytest.fixture
def restore_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    try:
        yield
    finally:
        keyring.set_keyring(previous)


KEYRING_HINT = (
    "on Windows, check the entry under Windows Credentials in the Credential Manager,"
    " or store it again with: keyring set fleetreport audit@vsphere.local"
)


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        (pywintypes_error(1168, "CredRead", "Element not found. hunter2"), "pywintypes.error"),
        (OSError(22, "Invalid argument hunter2"), "OSError"),
        (RuntimeError("no backend hunter2"), "RuntimeError"),
        (ctypes.ArgumentError("argument 1 hunter2"), "ctypes.ArgumentError"),
        (keyring.errors.KeyringLocked("locked hunter2"), "keyring.errors.KeyringLocked"),
        (keyring.errors.InitError("init hunter2"), "keyring.errors.InitError"),
    ],
    ids=["pywintypes", "oserror", "runtimeerror", "ctypes", "locked", "init"],
)
def test_any_keyring_failure_is_a_credential_error_naming_service_user_and_type(
    restore_keyring: None, failure: BaseException, kind: str
) -> None:
    keyring.set_keyring(FailingKeyring(failure))
    with pytest.raises(CredentialError) as caught:
        resolve_secret(SecretSource(keyring_service="fleetreport"), "audit@vsphere.local", "vc01")
    assert caught.value.message == (
        "vc01: the system keyring failed reading service 'fleetreport',"
        f" user 'audit@vsphere.local': {kind}"
    )
    assert caught.value.hint == KEYRING_HINT
    assert "hunter2" not in caught.value.one_line()


def test_no_keyring_backend_has_its_own_hint(restore_keyring: None) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(CredentialError) as caught:
        resolve_secret(SecretSource(keyring_service="fleetreport"), "audit", "vc01")
    assert caught.value.message == (
        "vc01: no keyring backend is available to read service 'fleetreport', user 'audit'"
    )
    assert caught.value.hint == (
        "on Windows and macOS the keyring package brings its own backend; elsewhere install a"
        " Secret Service (e.g. GNOME Keyring), or use password_env or password_file"
    )


# A file held open by Excel ----------------------------------------------------------------------


class SharingViolation(PermissionError):
    """What Windows raises for winerror 32; ``winerror`` is set only on Windows by Python."""

    winerror = 32


EXCEL_HINT = "close it in Excel (or the program that has it open) and run again"


@pytest.mark.parametrize(
    "failure",
    [
        PermissionError(errno.EACCES, "Permission denied"),
        SharingViolation(errno.EACCES, "The process cannot access the file"),
        OSError(errno.EINVAL, "held"),
    ],
    ids=["eacces", "winerror-32", "winerror-only"],
)
def test_replacing_a_file_held_open_says_close_it_in_excel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: OSError
) -> None:
    target = tmp_path / "fleet.xlsx"
    target.write_bytes(b"old")
    if not isinstance(failure, PermissionError):
        failure.winerror = 33  # type: ignore[attr-defined]  # ERROR_LOCK_VIOLATION

    def refuse(source: object, destination: object) -> None:
        raise failure

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError) as caught:
        write_atomically(target, b"new")
    assert caught.value.one_line() == (
        f"cannot replace {target}: it is open in another program (hint: {EXCEL_HINT})"
    )
    assert caught.value.exit_code == ExitCode.ERROR
    assert sorted(path.name for path in tmp_path.iterdir()) == ["fleet.xlsx"]
    assert target.read_bytes() == b"old"


@pytest.mark.parametrize(
    ("failure", "exists", "message", "hint"),
    [
        (
            OSError(errno.ENOSPC, "No space left on device"),
            True,
            "cannot write {target}: No space left on device",
            "free space on the disk that holds {folder}",
        ),
        (
            PermissionError(errno.EACCES, "Permission denied"),
            False,
            "cannot write {target}: Permission denied",
            "check that you may write to the folder {folder}",
        ),
    ],
    ids=["no-space", "folder-refused"],
)
def test_other_write_failures_keep_their_own_hint(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: OSError,
    exists: bool,
    message: str,
    hint: str,
) -> None:
    target = tmp_path / "fleet.xlsx"
    if exists:
        target.write_bytes(b"old")

    def refuse(source: object, destination: object) -> None:
        raise failure

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError) as caught:
        write_atomically(target, b"new")
    assert caught.value.message == message.format(target=target)
    assert caught.value.hint == hint.format(folder=tmp_path)


def test_writing_onto_a_folder_or_into_a_missing_one_says_which(tmp_path: Path) -> None:
    (tmp_path / "r.html").mkdir()
    with pytest.raises(OutputError) as folder:
        write_atomically(tmp_path / "r.html", "x")
    assert folder.value.one_line() == (
        f"cannot write {tmp_path / 'r.html'}: it is a folder (hint: give a file name)"
    )
    with pytest.raises(OutputError) as missing:
        write_atomically(tmp_path / "gone" / "r.html", "x")
    assert missing.value.one_line() == (
        f"cannot write {tmp_path / 'gone' / 'r.html'}: the folder {tmp_path / 'gone'} does not"
        " exist (hint: create it first)"
    )


def test_report_onto_a_workbook_open_in_excel_is_one_line_exit_1(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(DEMO_SNAPSHOT, cli_env / "s.json")
    (cli_env / "fleet.xlsx").write_bytes(b"the workbook Excel has open")

    def held(source: object, destination: object) -> None:
        raise SharingViolation(errno.EACCES, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", held)
    code, _, err = cli(capsys, "report", "s.json", "--format", "xlsx", "--out", "fleet.xlsx")
    assert code == ExitCode.ERROR
    assert one_error_line(err) == (
        f"cannot replace fleet.xlsx: it is open in another program (hint: {EXCEL_HINT})"
    )
    assert (cli_env / "fleet.xlsx").read_bytes() == b"the workbook Excel has open"
    assert sorted(path.name for path in cli_env.iterdir()) == ["fleet.xlsx", "s.json"]
