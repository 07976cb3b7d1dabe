"""Secrets: a whole job on loopback with distinctive passwords, then every artefact searched.

Four passwords (two vCenters, the Horizon pod, the SMTP server) are made distinctive
(``S3cr3t-vc1-<uuid>...``) and contain characters that every escaping changes (``& < " + / =
%``), so that a leak is found in any of its forms: as written, HTML/XML/JSON-escaped (by the
uuid, which no escaping touches), URL-encoded, and base64 (at each of the three alignments a
secret can have inside a longer base64 text, e.g. SMTP ``AUTH PLAIN``), also with MIME line
breaks removed.

Searched: everything ``fleetreport run --config`` leaves (the run folders with the snapshot and
every report format, xlsx unzipped, the history SQLite file as raw bytes, the lock file, the
``latest`` link), the mail the SMTP server received (raw, and each part decoded), stdout and
stderr of runs at ``--debug`` in text and JSON log format, every log record of every logger at
DEBUG, the output of ``collect`` and ``report`` in every format, the messages and tracebacks
of failing runs (wrong passwords, and a mail server that echoes the password it was sent),
and the command line and thread names of a running ``fleetreport`` process
(``/proc/<pid>/cmdline``, ``comm``). Environment variables hold the passwords by design
(``password_env``), so ``/proc/<pid>/environ`` is not searched.

Also here: TLS verification is on by default (self-signed servers without ``ca_file`` fail,
and no environment variable turns it off), and turning it off is explicit per source and shown
in the report's TLS banner and method appendix.
"""

from __future__ import annotations

import base64
import email
import email.policy
import io
import json
import logging
import os
import re
import subprocess
import sys
import time
import traceback
import urllib.parse
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support.horizon_server import HorizonTestServer
from support.paths import FIXTURES
from support.smtp_server import SmtpTestServer
from support.vcsim import start_vcsim

from fleetreport.cli import logs, main
from fleetreport.errors import ExitCode
from fleetreport.run.config import load_run_config
from fleetreport.run.job import run_job
from fleetreport.snapshot.store import load_snapshot

pytestmark = pytest.mark.simulator

POD = FIXTURES / "horizon" / "demo"
SPECIALS = '-&<"+/=%!'


def distinctive(label: str) -> str:
    return f"S3cr3t-{label}-{uuid.uuid4().hex}{SPECIALS}"


@dataclass(frozen=True)
class Secrets:
    """The passwords of one estate, by source."""

    vc1: str = field(default_factory=lambda: distinctive("vc1"))
    vc2: str = field(default_factory=lambda: distinctive("vc2"))
    horizon: str = field(default_factory=lambda: distinctive("hz"))
    smtp: str = field(default_factory=lambda: distinctive("smtp"))

    def named(self) -> dict[str, str]:
        return {"vc1": self.vc1, "vc2": self.vc2, "horizon": self.horizon, "smtp": self.smtp}


# --- finding a secret in any of its forms ----------------------------------------------------


def base64_cores(secret: bytes) -> list[bytes]:
    """What base64 of ``secret`` looks like inside any longer base64 text: for each of the
    three alignments, the characters that depend on the secret's bytes only."""
    cores = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret)
        start = (offset * 4 + 2) // 3
        end = ((offset + len(secret)) // 3) * 4
        core = encoded[start:end]
        cores += [core, core.replace(b"+", b"-").replace(b"/", b"_")]
    return cores


def forms(secret: str) -> dict[str, bytes]:
    """Every form to look for, by name."""
    raw = secret.encode("utf-8")
    found = {
        "as written": raw,
        "by its uuid (escaped forms)": re.search(r"[0-9a-f]{32}", secret).group().encode(),  # type: ignore[union-attr]
        "URL-encoded": urllib.parse.quote(secret, safe="").encode(),
        "URL-encoded (plus)": urllib.parse.quote_plus(secret).encode(),
    }
    for index, core in enumerate(base64_cores(raw)):
        found[f"base64 #{index}"] = core
    return found


def leaks(data: bytes | str, secrets: dict[str, str]) -> list[str]:
    """``NAME as FORM`` for every secret found in ``data`` (also with line breaks removed)."""
    blob = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    flat = blob.replace(b"\r", b"").replace(b"\n", b"")
    return [
        f"{name} {how}"
        for name, secret in secrets.items()
        for how, needle in forms(secret).items()
        if needle in blob or needle in flat
    ]


def file_contents(path: Path) -> Iterator[tuple[str, bytes]]:
    """The file's bytes, and each member of a zip (xlsx) unpacked."""
    data = path.read_bytes()
    yield str(path), data
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield f"{path}!{member}", archive.read(member)


def scan_folder(folder: Path, secrets: dict[str, str]) -> dict[str, list[str]]:
    """Leaks in every file below ``folder`` (links followed, zips opened), by file."""
    found: dict[str, list[str]] = {}
    scanned = 0
    for root, _, names in os.walk(folder, followlinks=True):
        for name in names:
            path = Path(root) / name
            if path.is_file():
                for where, data in file_contents(path):
                    scanned += 1
                    if hits := leaks(data, secrets):
                        found[where] = hits
    assert scanned, f"nothing to scan in {folder}"
    return found


def scan_mail(messages: list[Any], secrets: dict[str, str]) -> dict[str, list[str]]:
    """Leaks in each received message: raw, every part decoded, attachments unzipped."""
    found: dict[str, list[str]] = {}
    for number, received in enumerate(messages):
        pieces: list[tuple[str, bytes]] = [(f"mail {number} raw", received.content)]
        parsed = email.message_from_bytes(received.content, policy=email.policy.default)
        for index, part in enumerate(parsed.walk()):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                pieces.append((f"mail {number} part {index}", payload))
                if zipfile.is_zipfile(io.BytesIO(payload)):
                    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                        for member in archive.namelist():
                            pieces.append((f"mail {number} {member}", archive.read(member)))
        for where, data in pieces:
            if hits := leaks(data, secrets):
                found[where] = hits
    return found


def test_the_scanner_finds_every_form() -> None:
    secret = distinctive("probe")
    named = {"probe": secret}
    assert leaks(f"<td>{secret}</td>", named)
    assert leaks(json.dumps({"p": secret}), named)
    assert leaks(secret.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&#34;"), named)
    assert leaks(urllib.parse.quote(secret), named)
    for prefix in (b"", b"\0", b"\0mailer\0"):
        auth_plain = base64.b64encode(prefix + secret.encode())
        assert leaks(b"AUTH PLAIN " + auth_plain, named), prefix
        wrapped = b"\r\n".join(auth_plain[i : i + 20] for i in range(0, len(auth_plain), 20))
        assert leaks(wrapped, named), prefix
    assert not leaks("S3cr3t-probe- nothing here " + secret[:20], named)


# --- the estate ------------------------------------------------------------------------------


@dataclass
class Estate:
    """The servers of one run, its config, and the environment that holds the passwords."""

    folder: Path
    config: Path
    env: dict[str, str]
    smtp: SmtpTestServer
    horizon: HorizonTestServer
    vcenters: list[Any]
    ca_file: Path


@contextmanager
def secret_estate(
    folder: Path,
    secrets: Secrets,
    *,
    given: Secrets | None = None,
    ca_files: bool = True,
    insecure: tuple[str, ...] = (),
    smtp_echo: bool = False,
) -> Iterator[Estate]:
    """Two vCenter simulators, the Horizon test server and an SMTP server with AUTH, each
    knowing its ``secrets`` password; the config reads ``given`` (default: the same) from the
    environment, and vc2's from a file kept outside ``folder``. ``ca_files=False`` leaves out
    every ``ca_file`` of the sources; ``insecure`` names the sources (vc1, vc2, horizon) with
    ``insecure = true``."""
    given = given or secrets
    with ExitStack() as stack:
        vc1 = stack.enter_context(start_vcsim("demo-vc01", password=secrets.vc1))
        vc2 = stack.enter_context(start_vcsim("demo-vc02", password=secrets.vc2))
        credentials = json.loads((POD / "credentials.json").read_text(encoding="utf-8"))
        pod = stack.enter_context(
            HorizonTestServer(POD, credentials={**credentials, "password": secrets.horizon})
        )
        smtp = stack.enter_context(
            SmtpTestServer(
                starttls=True, credentials=("mailer", secrets.smtp), echo_password=smtp_echo
            )
        )
        folder.mkdir(parents=True, exist_ok=True)
        cas = folder / "cas.pem"
        cas.write_text(
            "".join(
                Path(str(p)).read_text(encoding="utf-8")
                for p in (vc1.ca_file, vc2.ca_file, pod.ca_file)
            )
            + Path(str(smtp.ca_file)).read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        outside = Path(stack.enter_context(_temporary_folder()))
        (outside / "vc2.pw").write_text(given.vc2 + "\n", encoding="utf-8")

        def tls(name: str) -> str:
            lines = ['ca_file = "cas.pem"'] if ca_files and name not in insecure else []
            if name in insecure:
                lines.append("insecure = true")
            return "\n".join(lines)

        config = folder / "fleetreport.toml"
        config.write_text(
            f"""
[[vcenter]]
url = "{vc1.url}"
user = "{vc1.username}"
password_env = "SECRET_VC1_PW"
{tls("vc1")}

[[vcenter]]
url = "{vc2.url}"
user = "{vc2.username}"
password_file = "{outside / "vc2.pw"}"
{tls("vc2")}

[[horizon]]
url = "{pod.url}"
user = "{credentials["username"]}"
domain = "{credentials["domain"]}"
password_env = "SECRET_HZ_PW"
{tls("horizon")}

[output]
folder = "reports"
formats = ["html", "json", "csv", "xlsx"]

[history]
database = "history.sqlite"

[email]
host = "127.0.0.1"
port = {smtp.port}
security = "starttls"
username = "mailer"
password_env = "SECRET_SMTP_PW"
sender = "fleetreport@example.test"
recipients = ["ops@example.test"]
attach_xlsx = true
ca_file = "cas.pem"

[branding]
customer = "Example Corp"
""",
            encoding="utf-8",
        )
        env = {
            "SECRET_VC1_PW": given.vc1,
            "SECRET_HZ_PW": given.horizon,
            "SECRET_SMTP_PW": given.smtp,
        }
        yield Estate(folder, config, env, smtp, pod, [vc1, vc2], cas)


@contextmanager
def _temporary_folder() -> Iterator[str]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fleetreport-secret-files-") as name:
        yield name


@dataclass
class Watched:
    """A finished subprocess and what its /proc entries said while it ran."""

    returncode: int
    stdout: str
    stderr: str
    proc_views: list[bytes]


def run_watched(argv: list[str], env: dict[str, str], cwd: Path) -> Watched:
    """Run ``python -m fleetreport ARGV``, reading its command line and thread names from
    /proc every few milliseconds while it runs."""
    process = subprocess.Popen(
        [sys.executable, "-m", "fleetreport", *argv],
        env={**os.environ, **env},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    views: list[bytes] = []
    proc = Path(f"/proc/{process.pid}")
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    import threading

    def drain(stream: Any, into: list[bytes]) -> None:
        for chunk in iter(lambda: stream.read(4096), b""):
            into.append(chunk)

    readers = [
        threading.Thread(target=drain, args=(process.stdout, out_chunks)),
        threading.Thread(target=drain, args=(process.stderr, err_chunks)),
    ]
    for reader in readers:
        reader.start()
    while process.poll() is None:
        try:
            views.append((proc / "cmdline").read_bytes())
            views.append((proc / "comm").read_bytes())
            for task in (proc / "task").iterdir():
                views.append((task / "comm").read_bytes())
                views.append((task / "cmdline").read_bytes())
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.01)
    process.wait(timeout=300)
    for reader in readers:
        reader.join(10)
    assert views, "the process ended before /proc could be read"
    return Watched(
        process.returncode,
        b"".join(out_chunks).decode("utf-8", "replace"),
        b"".join(err_chunks).decode("utf-8", "replace"),
        views,
    )


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record of every logger at DEBUG (urllib3, pyVmomi, requests, ...).

    fleetreport's own logger does not propagate: its lines go to stderr, captured by capsys
    (``debug_to_captured_stderr``). The test servers' loggers (aiosmtpd's ``mail.log``) are
    left out: they are the other side.
    """
    caplog.set_level(logging.DEBUG)
    return caplog


def debug_to_captured_stderr() -> None:
    """fleetreport's log lines at DEBUG on this test's captured stderr, as ``--debug`` writes
    them (called in the test itself: capsys replaces stderr only once the test runs)."""
    logs.configure(logging.DEBUG)


def library_log_text(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{record.name}: {record.getMessage()} {record.exc_text or ''}"
        for record in caplog.records
        if not record.name.startswith("mail.log")
    )


def assert_no_leaks(found: dict[str, list[str]]) -> None:
    assert not found, "secrets found:\n" + "\n".join(f"{k}: {v}" for k, v in found.items())


# --- a whole job -----------------------------------------------------------------------------


@pytest.mark.linux  # reads the process's command line from /proc
def test_a_whole_job_leaves_no_secret_in_any_artefact(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    all_logs: pytest.LogCaptureFixture,
) -> None:
    debug_to_captured_stderr()
    secrets = Secrets()
    named = secrets.named()
    found: dict[str, list[str]] = {}
    with secret_estate(tmp_path / "job", secrets) as estate:
        # Two scheduled runs as cron would start them, at --debug, text then JSON log lines.
        first = run_watched(
            ["--debug", "run", "--config", str(estate.config)], estate.env, tmp_path
        )
        second = run_watched(
            ["--debug", "--log-format", "json", "run", "--config", str(estate.config)],
            estate.env,
            tmp_path,
        )
        for label, watched in (("first run", first), ("second run", second)):
            assert watched.returncode in (ExitCode.OK, ExitCode.FINDINGS), watched.stderr
            for where, text in (("stdout", watched.stdout), ("stderr", watched.stderr)):
                if hits := leaks(text, named):
                    found[f"{label} {where}"] = hits
            for view in watched.proc_views:
                if hits := leaks(view, named):
                    found[f"{label} /proc: {view[:80]!r}"] = hits
        assert "DEBUG" in first.stderr and '"level": "debug"' in second.stderr
        assert len(estate.smtp.messages) == 2
        found.update(scan_mail(estate.smtp.messages, named))

        # The same estate by hand: collect, then report in every format, in-process at --debug.
        for name, value in estate.env.items():
            monkeypatch.setenv(name, value)
        vc1 = estate.vcenters[0]
        snapshot = tmp_path / "job" / "by-hand" / "snapshot.json"
        snapshot.parent.mkdir()
        code = main(
            [
                *("--debug", "collect", "--vcenter", vc1.url, "--user", vc1.username),
                *("--password-env", "SECRET_VC1_PW", "--horizon", estate.horizon.url),
                *("--horizon-user", estate.horizon.credentials["username"]),
                *("--horizon-domain", estate.horizon.credentials["domain"]),
                *("--horizon-password-env", "SECRET_HZ_PW", "--ca-file", str(estate.ca_file)),
                *("--out", str(snapshot)),
            ]
        )
        assert code == ExitCode.OK
    for form, out in (
        ("html", "r.html"),
        ("json", "r.json"),
        ("csv", "tables"),
        ("xlsx", "r.xlsx"),
    ):
        code = main(
            [
                "--debug",
                "report",
                str(snapshot),
                "--format",
                form,
                "--out",
                str(snapshot.parent / out),
            ]
        )
        assert code == ExitCode.OK
    out, err = capsys.readouterr()
    assert "DEBUG" in err
    for where, text in (("by-hand stdout", out), ("by-hand stderr", err)):
        if hits := leaks(text, named):
            found[where] = hits
    if hits := leaks(library_log_text(all_logs), named):
        found["log records"] = hits
    found.update(scan_folder(tmp_path / "job", named))

    # The artefacts searched are really there (an empty search would prove nothing).
    latest = tmp_path / "job" / "reports" / "latest"
    for name in ("report.html", "report.json", "report.xlsx", "snapshot.json", "tables"):
        assert (latest / name).exists(), name
    assert (tmp_path / "job" / "history.sqlite").stat().st_size > 0
    assert len(load_snapshot(latest / "snapshot.json").sources) == 3
    assert_no_leaks(found)


@pytest.mark.linux  # reads the process's command line from /proc
def test_failing_runs_show_no_password_right_or_wrong(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    all_logs: pytest.LogCaptureFixture,
) -> None:
    debug_to_captured_stderr()
    secrets = Secrets()
    wrong = Secrets(
        vc1=distinctive("wrong-vc1"),
        vc2=secrets.vc2,
        horizon=distinctive("wrong-hz"),
        smtp=distinctive("wrong-smtp"),
    )
    named = {**secrets.named(), **{f"wrong {k}": v for k, v in wrong.named().items()}}
    found: dict[str, list[str]] = {}
    with secret_estate(tmp_path / "job", secrets, given=wrong, smtp_echo=True) as estate:
        watched = run_watched(
            ["--debug", "run", "--config", str(estate.config)], estate.env, tmp_path
        )
        # vc1 and Horizon refuse (a partial report of vc2 is written), then mail is refused.
        assert watched.returncode == ExitCode.ERROR, watched.stderr
        assert "rejected the user name or password" in watched.stderr
        for where, text in (("stdout", watched.stdout), ("stderr", watched.stderr)):
            if hits := leaks(text, named):
                found[f"run {where}"] = hits
        for view in watched.proc_views:
            if hits := leaks(view, named):
                found[f"run /proc: {view[:80]!r}"] = hits

        # The same failures as exceptions, in-process: their messages and their tracebacks.
        for name, value in estate.env.items():
            monkeypatch.setenv(name, value)
        result = run_job(load_run_config(estate.config))
        assert len(result.failures) == 2 and result.delivery_failure is not None
        for failure in [*result.failures, result.delivery_failure]:
            shown = [
                str(failure),
                repr(failure),
                failure.one_line(),
                "".join(traceback.format_exception(failure)),
            ]
            if hits := leaks("\n".join(shown), named):
                found[f"exception {type(failure).__name__}"] = hits

        # A failing collect at --debug.
        vc1 = estate.vcenters[0]
        collect = run_watched(
            [
                *("--debug", "collect", "--vcenter", vc1.url, "--user", vc1.username),
                *("--password-env", "SECRET_VC1_PW", "--ca-file", str(estate.ca_file)),
                *("--out", str(tmp_path / "job" / "s.json")),
            ],
            estate.env,
            tmp_path,
        )
        assert collect.returncode == ExitCode.ERROR
        assert "rejected the user name or password" in collect.stderr
        if hits := leaks(collect.stdout + collect.stderr, named):
            found["collect --debug"] = hits
    out, err = capsys.readouterr()
    assert "DEBUG" in err  # fleetreport's own debug lines were captured, and searched
    if hits := leaks(out + err, named):
        found["in-process output"] = hits
    if hits := leaks(library_log_text(all_logs), named):
        found["log records"] = hits
    found.update(scan_folder(tmp_path / "job", named))
    assert_no_leaks(found)


@pytest.mark.linux  # reads the process's command line from /proc
def test_a_password_that_is_not_ascii_is_sent_or_refused_in_one_line(tmp_path: Path) -> None:
    """A mail password with a non-ASCII letter: delivered, or one clear line; never a crash
    and never the password."""
    secrets = Secrets(smtp=distinctive("smtp") + "-Grüße")
    with secret_estate(tmp_path / "job", secrets) as estate:
        watched = run_watched(["run", "--config", str(estate.config)], estate.env, tmp_path)
    assert "internal error" not in watched.stderr and "Traceback" not in watched.stderr
    assert watched.returncode in (ExitCode.OK, ExitCode.FINDINGS, ExitCode.ERROR)
    assert not leaks(watched.stdout + watched.stderr, secrets.named())


# --- TLS: on by default, off only when asked, and then shown ---------------------------------


def test_self_signed_servers_without_a_ca_file_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with secret_estate(tmp_path / "job", Secrets(), ca_files=False) as estate:
        for name, value in estate.env.items():
            monkeypatch.setenv(name, value)
        code = main(["run", "--config", str(estate.config)])
        urls = [vc.url for vc in estate.vcenters] + [estate.horizon.url]
        assert not estate.horizon.calls("/login"), "no password before the certificate"
        assert estate.smtp.messages == []
    err = capsys.readouterr().err
    assert code == ExitCode.ERROR
    errors = [line for line in err.splitlines() if line.startswith("fleetreport: error: ")]
    assert len(errors) == 3, err
    for url in urls:
        (line,) = [e for e in errors if url in e]
        assert "TLS certificate did not verify" in line
        assert "ca_file" in line or "--ca-file" in line
    assert not (tmp_path / "job" / "reports" / "latest").exists()
    assert not (tmp_path / "job" / "history.sqlite").exists()


@pytest.mark.linux  # reads the process's command line from /proc
@pytest.mark.parametrize(
    "variables",
    [
        {"REQUESTS_CA_BUNDLE": "{cas}", "CURL_CA_BUNDLE": "{cas}"},
        {"PYTHONHTTPSVERIFY": "0"},
        {"https_proxy": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"},
    ],
    ids=["ca-bundle-variables", "pythonhttpsverify", "proxy"],
)
def test_no_environment_variable_changes_what_is_trusted(
    tmp_path: Path, variables: dict[str, str]
) -> None:
    with secret_estate(tmp_path / "job", Secrets()) as estate:
        env = {**estate.env, **{k: v.format(cas=estate.ca_file) for k, v in variables.items()}}
        done = run_watched(
            [
                *("collect", "--horizon", estate.horizon.url),
                *("--horizon-user", estate.horizon.credentials["username"]),
                *("--horizon-domain", estate.horizon.credentials["domain"]),
                *("--horizon-password-env", "SECRET_HZ_PW", "--out", "s.json"),
            ],
            env,
            tmp_path,
        )
        assert not estate.horizon.calls("/login")
    assert done.returncode == ExitCode.ERROR
    assert "TLS certificate did not verify" in done.stderr
    assert not (tmp_path / "s.json").exists()


def test_turning_verification_off_is_explicit_and_shown_in_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with secret_estate(tmp_path / "job", Secrets(), insecure=("vc1",)) as estate:
        for name, value in estate.env.items():
            monkeypatch.setenv(name, value)
        code = main(["run", "--config", str(estate.config)])
        insecure_url = estate.vcenters[0].url
        verified = [estate.vcenters[1].url, estate.horizon.url]
    err = capsys.readouterr().err
    assert code in (ExitCode.OK, ExitCode.FINDINGS), err
    assert "TLS certificate verification is OFF" in err
    latest = tmp_path / "job" / "reports" / "latest"
    tls = {s.url: s.tls_verified for s in load_snapshot(latest / "snapshot.json").sources}
    assert tls == {insecure_url: False, **dict.fromkeys(verified, True)}
    html = (latest / "report.html").read_text("utf-8")
    banner = html.split('id="tls-banner"', 1)[1].split("</div>", 1)[0]
    assert insecure_url in banner and "not verified" in banner
    assert not any(url in banner for url in verified)
    method = html.split('id="method"', 1)[1]
    row = method.split(insecure_url, 1)[1].split("</tr>", 1)[0]
    assert "NO (verification turned off)" in row
    for url in verified:
        assert "<td>yes</td>" in method.split(url, 1)[1].split("</tr>", 1)[0]
    report = json.loads((latest / "report.json").read_text("utf-8"))
    assert {s["url"]: s["tls_verified"] for s in report["sources"]} == tls


def test_collect_insecure_is_explicit_and_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with secret_estate(tmp_path / "job", Secrets()) as estate:
        monkeypatch.setenv("SECRET_HZ_PW", estate.env["SECRET_HZ_PW"])
        base = [
            *("collect", "--horizon", estate.horizon.url),
            *("--horizon-user", estate.horizon.credentials["username"]),
            *("--horizon-domain", estate.horizon.credentials["domain"]),
            *("--horizon-password-env", "SECRET_HZ_PW"),
        ]
        assert main([*base, "--out", str(tmp_path / "refused.json")]) == ExitCode.ERROR
        assert main([*base, "--insecure", "--out", str(tmp_path / "s.json")]) == ExitCode.OK
    err = capsys.readouterr().err
    assert "TLS certificate did not verify" in err and "--insecure" in err
    assert "verification is OFF (--insecure)" in err
    assert not (tmp_path / "refused.json").exists()
    assert [s.tls_verified for s in load_snapshot(tmp_path / "s.json").sources] == [False]
    assert main(["report", str(tmp_path / "s.json"), "--out", str(tmp_path / "r.html")]) == 0
    html = (tmp_path / "r.html").read_text("utf-8")
    assert 'id="tls-banner"' in html and estate.horizon.url in html
