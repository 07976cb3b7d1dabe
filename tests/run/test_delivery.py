"""Emailing the report: against a real SMTP server on loopback (aiosmtpd), STARTTLS, TLS, AUTH.

Every test that talks to a server starts its own ``SmtpTestServer`` in a ``with`` block, so the
server is stopped whatever the test does.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import socket
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from support.paths import DEMO_SNAPSHOT
from support.smtp_server import SmtpTestServer

from fleetreport.delivery import (
    DeliveryError,
    EmailSettings,
    build_message,
    deliver,
    should_send,
)
from fleetreport.endpoints import TlsOptions
from fleetreport.health.build import build_report
from fleetreport.health.report_model import HealthReport
from fleetreport.render.html import write_html_report
from fleetreport.secrets import Secret
from fleetreport.snapshot.model import Source
from fleetreport.snapshot.store import load_snapshot

USER = "reports"
PASSWORD = "Corr3ct-Horse-Battery-Staple"
WRONG_PASSWORD = "Wr0ng-Pa55word-7c1f"
SENDER = "Fleet Reports <reports@example.com>"
RECIPIENTS = ("ops@example.com", "Dana Smith <dana@example.org>")
DEMO_SUBJECT = "[fleetreport] Contoso: grade B (patch 85.6, power 97.2), 34 critical findings"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def report() -> HealthReport:
    """The demo fleet: grade B, patch 85.6, power 97.2, 34 critical findings, no failed source."""
    return build_report(load_snapshot(DEMO_SNAPSHOT))


@pytest.fixture
def html_file(report: HealthReport, tmp_path: Path) -> Path:
    path = tmp_path / "2026-11-27" / "report.html"
    path.parent.mkdir()
    write_html_report(report, path)
    return path


@pytest.fixture
def xlsx_file(tmp_path: Path) -> Path:
    """Stands in for the workbook: attachments are sent byte for byte, whatever they hold."""
    path = tmp_path / "fleet.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook \x00\xff" * 50)
    return path


def settings_for(server: SmtpTestServer | None = None, **overrides: Any) -> EmailSettings:
    """Settings that reach ``server`` as it is configured (TLS mode, CA, credentials)."""
    values: dict[str, Any] = dict(
        host="127.0.0.1",
        sender=SENDER,
        recipients=RECIPIENTS,
        timeout=10,
    )
    if server is not None:
        values["port"] = server.port
        values["security"] = (
            "tls" if server.implicit_tls else "starttls" if server.starttls else "none"
        )
        if server.ca_file is not None:
            values["tls"] = TlsOptions(ca_file=server.ca_file)
        if server.credentials is not None:
            values["username"], password = server.credentials
            values["password"] = Secret(password)
    values.update(overrides)
    return EmailSettings(**values)


def attachments_of(message: EmailMessage) -> dict[str, EmailMessage]:
    return {part.get_filename() or "": part for part in message.iter_attachments()}


def subject_of(message: EmailMessage) -> str:
    """The Subject as a mail client shows it: unfolded (RFC 5322 2.2.3), without the folding
    white space Python's parser keeps when the whole value was folded onto a second line."""
    return str(message["Subject"]).strip()


def body_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def failed(report: HealthReport, error: str = "connection refused") -> HealthReport:
    """``report`` with one more source, which failed."""
    at = report.snapshot.collected_at
    source = Source(
        kind="vcenter",
        url="https://vc03.corp.example.test/sdk",
        status="failed",
        started_at=at - timedelta(minutes=1),
        finished_at=at,
        tls_verified=True,
        error=error,
    )
    return replace(report, sources=[*report.sources, source])


# --- delivering ------------------------------------------------------------------------------


def test_starttls_with_login_delivers_the_report(
    report: HealthReport, html_file: Path, xlsx_file: Path
) -> None:
    with SmtpTestServer(starttls=True, credentials=(USER, PASSWORD)) as smtp:
        settings = settings_for(smtp, attach_xlsx=True)
        sent = deliver(
            report,
            settings,
            [html_file, xlsx_file],
            changes_summary="Grade B (was C)\n3 new critical findings",
            customer="Contoso",
        )
        assert sent is True
        [received] = smtp.messages
        [attempt] = smtp.auth_attempts

    assert received.tls and received.user == USER
    assert attempt.login == USER and attempt.success and attempt.tls
    assert received.mail_from == "reports@example.com"
    assert received.rcpt_tos == ("ops@example.com", "dana@example.org")

    message = received.parsed()
    assert subject_of(message) == DEMO_SUBJECT
    assert message["From"] == SENDER
    assert [a.addr_spec for a in message["To"].addresses] == [
        "ops@example.com",
        "dana@example.org",
    ]
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@example.com>")
    assert message["Date"].datetime.tzinfo is not None
    assert message["Auto-Submitted"] == "auto-generated"

    body = body_of(message)
    for line in (
        "Contoso: desktop fleet health",
        "Grade          B",
        "Patch score    85.6 of 100",
        "Power score    97.2 of 100",
        "Desktops       310 (85 healthy, 27.4%)",
        "Findings       34 critical, 97 warning, 136 info",
        "  Grade B (was C)",
        "  3 new critical findings",
        "Data collected 2026-11-27 06:00 UTC;",
        "Attached: report.html, fleet.xlsx.",
    ):
        assert line in body, line
    assert "PARTIAL" not in body
    worst = body.split("Worst findings, by check\n")[1].split("\n\n")[0].splitlines()
    assert [line.split("[")[1].split("]")[0] for line in worst] == [
        "machine_problem_state",
        "vm_tools_not_running",
        "vm_snapshot_old",
        "vm_tools_outdated",
        "host_alarms",
    ]
    assert worst[0] == (
        "  critical  Machine in a problem state [machine_problem_state]:"
        " 16 desktops (14 critical, 2 warning)"
    )

    files = attachments_of(message)
    assert set(files) == {"report.html", "fleet.xlsx"}
    assert files["report.html"].get_content_type() == "text/html"
    assert files["report.html"].get_content() == html_file.read_text(encoding="utf-8")
    assert files["fleet.xlsx"].get_content_type() == XLSX
    assert files["fleet.xlsx"].get_content() == xlsx_file.read_bytes()


def test_implicit_tls_delivers(report: HealthReport, html_file: Path) -> None:
    with SmtpTestServer(implicit_tls=True, credentials=(USER, PASSWORD)) as smtp:
        assert deliver(report, settings_for(smtp), [html_file], customer="Contoso")
        [received] = smtp.messages
    assert received.tls and received.user == USER
    assert subject_of(received.parsed()) == DEMO_SUBJECT


def test_starttls_without_login_delivers(report: HealthReport, html_file: Path) -> None:
    with SmtpTestServer(starttls=True) as smtp:
        settings = settings_for(smtp)
        assert settings.username is None
        assert deliver(report, settings, [html_file])
        [received] = smtp.messages
        assert smtp.auth_attempts == []
    assert received.tls and received.user is None


def test_plain_loopback_relay_without_login_delivers(
    report: HealthReport, html_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="fleetreport")
    with SmtpTestServer() as smtp:
        assert deliver(report, settings_for(smtp), [html_file])
        [received] = smtp.messages
    assert not received.tls
    assert "unencrypted" not in caplog.text  # loopback: nothing to warn about


def test_display_names_beyond_ascii_are_encoded(report: HealthReport, html_file: Path) -> None:
    with SmtpTestServer(starttls=True) as smtp:
        settings = settings_for(
            smtp,
            sender="Flottenberichte Müller <reports@example.com>",
            recipients=("Zoë Ŝmith <zoe@example.org>",),
        )
        assert deliver(report, settings, [html_file], customer="Müller & Söhne")
        [received] = smtp.messages
    assert received.content.isascii()  # RFC 2047 encoded words, no SMTPUTF8 needed
    message = received.parsed()
    assert message["From"] == "Flottenberichte Müller <reports@example.com>"
    assert message["To"] == "Zoë Ŝmith <zoe@example.org>"
    assert subject_of(message).startswith("[fleetreport] Müller & Söhne: grade B")


def test_plain_loopback_relay_may_take_a_login(report: HealthReport, html_file: Path) -> None:
    with SmtpTestServer(credentials=(USER, PASSWORD), auth_require_tls=False) as smtp:
        assert deliver(report, settings_for(smtp), [html_file])
        [received] = smtp.messages
    assert received.user == USER and not received.tls


def test_default_ports_follow_the_security_mode() -> None:
    assert settings_for().server == "127.0.0.1:587"
    assert settings_for(security="tls").server == "127.0.0.1:465"
    assert settings_for(security="none").server == "127.0.0.1:25"
    assert settings_for(host="::1", port=2525).server == "[::1]:2525"


# --- failures ----------------------------------------------------------------------------------


def test_wrong_password_is_one_line_naming_the_server_without_the_password(
    report: HealthReport, html_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with SmtpTestServer(starttls=True, credentials=(USER, PASSWORD)) as smtp:
        settings = settings_for(smtp, password=Secret(WRONG_PASSWORD))
        with pytest.raises(DeliveryError) as caught:
            deliver(report, settings, [html_file])
        assert smtp.messages == []
        assert smtp.auth_attempts and not any(a.success for a in smtp.auth_attempts)

    line = caught.value.one_line()
    assert line.startswith(f"127.0.0.1:{smtp.port}: authentication failed for user 'reports'")
    assert "535" in line and "hint: check the user name and the password" in line
    assert "\n" not in line
    assert WRONG_PASSWORD not in line and WRONG_PASSWORD not in repr(caught.value)
    assert WRONG_PASSWORD not in repr(settings)
    assert WRONG_PASSWORD not in caplog.text
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("fleetreport"))
    assert "authentication failed" in caught.value.message
    for encoded in (
        base64.b64encode(WRONG_PASSWORD.encode()).decode(),
        base64.b64encode(f"\0{USER}\0{WRONG_PASSWORD}".encode()).decode(),
    ):
        assert encoded not in ours  # nor base64 as AUTH sends it, in fleetreport's logs


def test_a_server_echoing_the_password_does_not_leak_it(
    report: HealthReport, html_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="fleetreport")
    with SmtpTestServer(starttls=True, credentials=(USER, PASSWORD), echo_password=True) as smtp:
        settings = settings_for(smtp, password=Secret(WRONG_PASSWORD))
        with pytest.raises(DeliveryError) as caught:
            deliver(report, settings, [html_file])
    line = caught.value.one_line()
    assert "authentication failed" in line and "***" in line
    assert WRONG_PASSWORD not in line
    assert WRONG_PASSWORD not in caplog.text


@pytest.mark.parametrize("mode", ["starttls", "implicit_tls"])
def test_untrusted_certificate_is_refused(mode: str, report: HealthReport, html_file: Path) -> None:
    with SmtpTestServer(**{mode: True}, credentials=(USER, PASSWORD)) as smtp:
        settings = settings_for(smtp, tls=TlsOptions())  # system CAs only
        with pytest.raises(DeliveryError) as caught:
            deliver(report, settings, [html_file])
        assert smtp.messages == [] and smtp.auth_attempts == []
    line = caught.value.one_line()
    assert line.startswith(f"127.0.0.1:{smtp.port}: the server's TLS certificate did not verify")
    assert "ca_file" in line


def test_certificate_for_another_name_is_refused(report: HealthReport, html_file: Path) -> None:
    with SmtpTestServer(starttls=True, cert_hostnames=("mail.example.test",)) as smtp:
        with pytest.raises(DeliveryError) as caught:
            deliver(report, settings_for(smtp), [html_file])
        assert smtp.messages == []
    assert "certificate did not verify" in caught.value.one_line()


def test_server_offering_no_login_is_refused(report: HealthReport, html_file: Path) -> None:
    with SmtpTestServer() as smtp:  # AUTH only over TLS, and this one has none
        settings = settings_for(smtp, username=USER, password=Secret(PASSWORD))
        with pytest.raises(DeliveryError) as caught:
            deliver(report, settings, [html_file])
        assert smtp.messages == []
    line = caught.value.one_line()
    assert line.startswith(f"127.0.0.1:{smtp.port}: the server offers no login (AUTH)")


def test_unreadable_ca_file_is_a_delivery_error(
    report: HealthReport, html_file: Path, tmp_path: Path
) -> None:
    settings = settings_for(tls=TlsOptions(ca_file=tmp_path / "missing-ca.pem"))
    with pytest.raises(DeliveryError) as caught:
        deliver(report, settings, [html_file])
    assert caught.value.one_line().startswith("127.0.0.1:587: cannot use CA file")


def test_server_without_starttls_is_refused(report: HealthReport, html_file: Path) -> None:
    with SmtpTestServer() as smtp:
        settings = settings_for(smtp, security="starttls")
        with pytest.raises(DeliveryError) as caught:
            deliver(report, settings, [html_file])
        assert smtp.messages == []
    line = caught.value.one_line()
    assert line.startswith(f"127.0.0.1:{smtp.port}: the server does not offer STARTTLS")
    assert "security = 'tls'" in line


def test_implicit_tls_to_a_plain_server_fails_with_a_port_hint(
    report: HealthReport, html_file: Path
) -> None:
    with SmtpTestServer(starttls=True) as smtp:
        settings = settings_for(smtp, security="tls")
        with pytest.raises(DeliveryError) as caught:
            deliver(report, settings, [html_file])
        assert smtp.messages == []
    line = caught.value.one_line()
    assert "TLS handshake failed" in line and "587 with starttls, 465 with tls" in line


def test_password_never_crosses_plain_text_to_a_remote_host(
    report: HealthReport, html_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("must not connect")

    monkeypatch.setattr(smtplib, "SMTP", no_network)
    monkeypatch.setattr(smtplib, "SMTP_SSL", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    settings = settings_for(
        host="mail.example.com",
        port=25,
        security="none",
        username=USER,
        password=Secret(PASSWORD),
    )
    with pytest.raises(DeliveryError) as caught:
        deliver(report, settings, [html_file])
    line = caught.value.one_line()
    assert line.startswith("mail.example.com:25: refusing to send the email password")
    assert "starttls" in line and PASSWORD not in line


def test_plain_text_to_a_remote_host_without_login_warns(
    report: HealthReport,
    html_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sent: list[str] = []

    class FakeSMTP:
        def __init__(self, host: str, port: int, timeout: float) -> None:
            sent.append(f"{host}:{port}/{timeout}")

        def ehlo(self) -> None: ...
        def send_message(self, *args: object, **kwargs: object) -> dict[str, Any]:
            return {}

        def quit(self) -> None: ...
        def close(self) -> None: ...

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    settings = settings_for(host="relay.example.com", port=25, security="none", timeout=7)
    assert deliver(report, settings, [html_file])
    assert sent == ["relay.example.com:25/7"]
    assert "relay.example.com:25 is sent unencrypted" in caplog.text


def test_all_recipients_refused(report: HealthReport, html_file: Path) -> None:
    with SmtpTestServer(starttls=True, refuse=("ops@example.com",)) as smtp:
        settings = settings_for(smtp, recipients=("ops@example.com",))
        with pytest.raises(DeliveryError) as caught:
            deliver(report, settings, [html_file])
        assert smtp.messages == []
    line = caught.value.one_line()
    assert line.startswith(f"127.0.0.1:{smtp.port}: 1 recipient refused: ops@example.com (550 ")
    assert "hint: check the addresses" in line


def test_some_recipients_refused_is_an_error_that_says_the_others_got_it(
    report: HealthReport, html_file: Path
) -> None:
    with SmtpTestServer(starttls=True, refuse=("dana@example.org",)) as smtp:
        with pytest.raises(DeliveryError) as caught:
            deliver(report, settings_for(smtp), [html_file])
        [received] = smtp.messages
    assert received.rcpt_tos == ("ops@example.com",)
    line = caught.value.one_line()
    assert "1 recipient refused: dana@example.org (550" in line
    assert "the 1 other recipient got the report" in line


def test_a_silent_server_times_out(report: HealthReport, html_file: Path) -> None:
    with socket.socket() as listener:  # accepts connections (backlog) but never says a word
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        settings = settings_for(port=port, security="starttls", timeout=0.5)
        with pytest.raises(DeliveryError) as caught:
            deliver(report, settings, [html_file])
    assert caught.value.one_line().startswith(
        f"127.0.0.1:{port}: no answer within 0.5 s during connecting"
    )


def test_nothing_listening(report: HealthReport, html_file: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryError) as caught:
        deliver(report, settings_for(port=port), [html_file])
    assert caught.value.one_line().startswith(f"127.0.0.1:{port}: connection refused")


# --- only when worse ---------------------------------------------------------------------------


def test_only_when_worse_holds_back_a_run_that_is_not_worse(
    report: HealthReport, html_file: Path
) -> None:
    with SmtpTestServer(starttls=True) as smtp:
        settings = settings_for(smtp, only_when_worse=True)
        assert deliver(report, settings, [html_file], worse=False) is False
        assert smtp.messages == []
        assert deliver(report, settings, [html_file], worse=True) is True
        assert len(smtp.messages) == 1
        assert deliver(report, settings, [html_file], worse=None) is True  # first run
        assert len(smtp.messages) == 2


def test_should_send() -> None:
    always = settings_for()
    worse_only = settings_for(only_when_worse=True)
    assert [should_send(w, always) for w in (None, False, True)] == [True, True, True]
    assert [should_send(w, worse_only) for w in (None, False, True)] == [True, False, True]


# --- the message -------------------------------------------------------------------------------


def test_hostile_customer_name_cannot_add_a_header(report: HealthReport, html_file: Path) -> None:
    hostile = "Contoso\r\nBcc: evil@example.com\r\n\r\nbody\x00\u202e"
    with SmtpTestServer(starttls=True) as smtp:
        assert deliver(report, settings_for(smtp), [html_file], customer=hostile)
        [received] = smtp.messages
    assert received.rcpt_tos == ("ops@example.com", "dana@example.org")
    assert b"\r\nBcc:" not in received.content and b"\nBcc:" not in received.content
    message = received.parsed()
    assert "Bcc" not in message
    assert message.defects == []
    subject = subject_of(message)
    assert subject.startswith("[fleetreport] Contoso Bcc: evil@example.com body: grade B")
    assert not any(ord(c) < 32 or c == "\u202e" for c in subject)
    assert body_of(message).startswith("Contoso Bcc: evil@example.com body: desktop fleet")


def test_partial_report_says_so_in_subject_and_body(report: HealthReport, html_file: Path) -> None:
    partial = failed(report, error="timed out\r\nX-Injected: yes")
    message = build_message(partial, settings_for(), [html_file], customer="Contoso")
    assert subject_of(message) == DEMO_SUBJECT + " — PARTIAL: 1 source failed"
    body = body_of(message)
    assert "PARTIAL DATA: 1 source failed" in body
    assert "  vcenter https://vc03.corp.example.test/sdk: timed out X-Injected: yes\n" in body
    assert "X-Injected" not in message
    two = failed(failed(report))
    assert subject_of(build_message(two, settings_for(), [html_file])).endswith(
        "34 critical findings — PARTIAL: 2 sources failed"
    )


def test_subject_without_customer_and_with_own_prefix(
    report: HealthReport, html_file: Path
) -> None:
    message = build_message(report, settings_for(subject_prefix="[Contoso VDI]"), [html_file])
    assert subject_of(message) == (
        "[Contoso VDI] grade B (patch 85.6, power 97.2), 34 critical findings"
    )


def test_xlsx_attached_only_with_attach_xlsx(
    report: HealthReport, html_file: Path, xlsx_file: Path
) -> None:
    without = build_message(report, settings_for(), [html_file, xlsx_file])
    assert set(attachments_of(without)) == {"report.html"}
    assert "Attached: report.html." in body_of(without)
    with_xlsx = build_message(report, settings_for(attach_xlsx=True), [html_file, xlsx_file])
    assert set(attachments_of(with_xlsx)) == {"report.html", "fleet.xlsx"}


def test_missing_attachment_is_a_delivery_error(report: HealthReport, tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match="cannot read attachment"):
        build_message(report, settings_for(), [tmp_path / "gone.html"])


# --- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("sender", "not-an-address", "email sender 'not-an-address' is not a valid address"),
        ("sender", "", "email sender is empty"),
        ("sender", "a@example.com, b@example.com", "is not one address"),
        ("sender", "reports@example.com\r\nBcc: evil@example.com", "control characters"),
        ("recipients", ("ops@example.com", "dana@"), "email recipient 'dana@'"),
        ("recipients", ("müller@example.com",), "other than ASCII"),
        ("recipients", (), "no email recipients"),
        ("security", "ssl", "email security 'ssl' is not one of starttls, tls, none"),
        ("port", 70000, "email port 70000 is not a TCP port"),
        ("timeout", 0, "email timeout 0 is not a positive number"),
        ("host", "mail.example.com:587", "is not a host name"),
        ("host", "", "no email host"),
        ("username", USER, "no password was given"),
        ("password", Secret(PASSWORD), "an email password was given without a username"),
    ],
)
def test_bad_settings_are_delivery_errors_with_hints(
    field: str, value: object, expected: str
) -> None:
    with pytest.raises(DeliveryError) as caught:
        settings_for(**{field: value})
    assert expected in caught.value.message
    assert caught.value.hint
    assert "\n" not in caught.value.one_line()


def test_a_single_recipient_string_is_one_recipient() -> None:
    settings = settings_for(recipients="ops@example.com")
    assert settings.recipients == ("ops@example.com",)


def test_settings_never_show_the_password() -> None:
    settings = settings_for(username=USER, password=Secret(PASSWORD))
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings)
