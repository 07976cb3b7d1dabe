"""Emailing the report: a plain-text summary with the HTML report (and the workbook) attached.

Sending is plain :mod:`smtplib`: STARTTLS (port 587) or TLS from the first byte (port 465),
the certificate checked with :class:`~fleetreport.endpoints.TlsOptions`, ``AUTH`` only over TLS
(or to a loopback relay), and every failure turned into one :class:`DeliveryError` line naming
the server with a hint. The password is revealed once, to ``SMTP.login``, and is scrubbed from
anything the server answers before that answer is shown or logged.

Text that a customer or a vCenter chose (the customer's name, failed sources' errors) is reduced
to one line without control characters before it reaches a header or the body, so no name can
add a header (``Bcc:``) or reorder the text around it.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import logging
import smtplib
import socket
import ssl
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from fleetreport.credentials import Secret
from fleetreport.delivery.errors import DeliveryError
from fleetreport.endpoints import TlsOptions
from fleetreport.errors import FleetReportError
from fleetreport.health.report_model import FindingRecord, HealthReport
from fleetreport.health.results import Severity
from fleetreport.snapshot.model import Source

log = logging.getLogger(__name__)

SECURITY_MODES: tuple[str, ...] = ("starttls", "tls", "none")
"""The values of :attr:`EmailSettings.security`."""
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "tls": 465, "none": 25}
"""The port each security mode uses when none is given."""

HTML_TYPE = ("text", "html")
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ATTACHMENT_TYPES: dict[str, tuple[str, str]] = {
    ".html": HTML_TYPE,
    ".htm": HTML_TYPE,
    ".xlsx": XLSX_TYPE,
    ".json": ("application", "json"),
    ".csv": ("text", "csv"),
    ".pdf": ("application", "pdf"),
}
"""Content types of the files ``fleetreport run`` writes; anything else is octet-stream."""

WORST_GROUPS = 5
"""Finding groups (by check) listed in the body."""
CUSTOMER_LIMIT = 80
"""Characters of the customer's name kept in the subject."""
SUBJECT_LIMIT = 250
"""Characters of the whole subject."""

_SUBJECT_PLURALS = {
    "desktop": "desktops",
    "pool": "pools",
    "host": "hosts",
    "connection_server": "Connection Servers",
}


@dataclass(frozen=True, kw_only=True)
class EmailSettings:
    """Where and how to send the report: the ``[email]`` table of the config file, resolved.

    Construction checks the settings (addresses, security mode, port, credentials) and raises
    :class:`DeliveryError` with a hint, so a mistake shows before a long collection, not after.
    """

    host: str
    """The SMTP server (submission server): a host name or an IP address."""
    port: int | None = None
    """TCP port; None means the usual one for ``security``: 587 for ``starttls`` (the default),
    465 for ``tls``, 25 for ``none``."""
    security: str = "starttls"
    """``starttls`` (plain connection upgraded with STARTTLS, refused if the server does not
    offer it), ``tls`` (TLS from the first byte, usually port 465), or ``none`` (no encryption:
    for a relay on this machine or tests; a warning is logged for any other host)."""
    username: str | None = None
    """User to log in as (``AUTH``); None sends without logging in."""
    password: Secret | None = field(default=None, repr=False)
    """The password, resolved by the caller from an environment variable, a file or the
    keyring; never written in the config file. Required with ``username``."""
    sender: str
    """The ``From`` address, ``reports@example.com`` or ``Fleet Reports <reports@example.com>``;
    also the envelope sender."""
    recipients: tuple[str, ...]
    """``To`` addresses (at least one); each is also an envelope recipient."""
    subject_prefix: str = "[fleetreport]"
    """Put in front of every subject, for mail filters."""
    attach_xlsx: bool = False
    """Attach the xlsx workbook when one was written (the HTML report is always attached)."""
    only_when_worse: bool = False
    """Send only when the run is worse than the previous one (see :func:`should_send`)."""
    timeout: float = 30.0
    """Seconds each connect, TLS handshake and server reply may take."""
    tls: TlsOptions = field(default_factory=TlsOptions)
    """How to verify the server's certificate (system CAs plus an optional CA file)."""

    def __post_init__(self) -> None:
        _check_host(self.host)
        if self.security not in SECURITY_MODES:
            raise DeliveryError(
                f"email security {self.security!r} is not one of {', '.join(SECURITY_MODES)}",
                hint="use 'starttls' (port 587), 'tls' (port 465) or 'none' (local relay only)",
            )
        if self.port is not None and not 0 < self.port < 65536:
            raise DeliveryError(
                f"email port {self.port} is not a TCP port",
                hint="587 for starttls, 465 for tls",
            )
        if not self.timeout > 0:
            raise DeliveryError(
                f"email timeout {self.timeout} is not a positive number of seconds",
                hint="timeout = 30 waits up to 30 s for each connect and server reply",
            )
        recipients = (
            (self.recipients,) if isinstance(self.recipients, str) else tuple(self.recipients)
        )
        object.__setattr__(self, "recipients", recipients)
        if not recipients:
            raise DeliveryError(
                "no email recipients", hint='give at least one: recipients = ["ops@example.com"]'
            )
        parse_address(self.sender, "sender")
        for recipient in recipients:
            parse_address(recipient, "recipient")
        if self.username is not None and not self.username.strip():
            raise DeliveryError("email username is empty", hint="remove it to send without AUTH")
        if self.username is not None and self.password is None:
            raise DeliveryError(
                f"email username {self.username!r} is set but no password was given",
                hint="give the password in an environment variable or a file, never inline",
            )
        if self.username is None and self.password is not None:
            raise DeliveryError(
                "an email password was given without a username",
                hint="set the username too, or drop the password to send without AUTH",
            )

    @property
    def server_port(self) -> int:
        """The port that will be used."""
        return self.port if self.port is not None else DEFAULT_PORTS[self.security]

    @property
    def server(self) -> str:
        """``host:port``, as errors and logs name the server."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.server_port}"


def parse_address(text: str, role: str) -> Address:
    """One email address (``a@example.com`` or ``Name <a@example.com>``), strictly checked.

    Raises :class:`DeliveryError` for anything else: two addresses, no domain, control
    characters (a header could be smuggled in), a non-ASCII mailbox.
    """
    hint = f"write the {role} as name@example.com or 'Name <name@example.com>'"
    shown = " ".join(_visible(text).split())[:200]
    if not isinstance(text, str) or not text.strip():
        raise DeliveryError(f"email {role} is empty", hint=hint)
    if any(_is_control(char) for char in text):
        raise DeliveryError(
            f"email {role} {shown!r} contains control characters or line breaks", hint=hint
        )
    try:
        header = policy.default.header_factory("To", text)
        addresses = list(header.addresses)
        defects = list(header.defects)
    except (ValueError, IndexError, TypeError) as error:
        raise DeliveryError(
            f"email {role} {shown!r} is not an address: {error}", hint=hint
        ) from None
    if len(addresses) != 1:
        raise DeliveryError(
            f"email {role} {shown!r} is not one address",
            hint=f"give each {role} separately" if role == "recipient" else hint,
        )
    parsed = addresses[0]
    if not parsed.addr_spec.isascii():
        raise DeliveryError(
            f"email {role} {shown!r} has characters other than ASCII in the address",
            hint="write the domain in its xn-- (IDNA) form;"
            " mailbox names other than ASCII are not supported",
        )
    if defects or not parsed.username or not parsed.domain:
        raise DeliveryError(f"email {role} {shown!r} is not a valid address", hint=hint)
    if parseaddr(text)[1] != parsed.addr_spec:
        raise DeliveryError(f"email {role} {shown!r} is ambiguous", hint=hint)
    try:
        return Address(display_name=parsed.display_name, addr_spec=parsed.addr_spec)
    except (ValueError, IndexError) as error:
        raise DeliveryError(
            f"email {role} {shown!r} is not an address: {error}", hint=hint
        ) from None


def should_send(worse: bool | None, settings: EmailSettings) -> bool:
    """Whether to email this run: always, or with ``only_when_worse`` only when it got worse.

    ``worse`` is the comparison with the previous run: None when there was none (the first
    report of an estate is always sent).
    """
    if not settings.only_when_worse:
        return True
    return worse is None or worse


def build_message(
    report: HealthReport,
    settings: EmailSettings,
    attachments: Sequence[Path],
    changes_summary: str | None = None,
    *,
    customer: str | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """The email for ``report``: a summary in the body, the report files attached.

    ``attachments`` are the files written for this run: HTML files are attached as
    ``text/html``, xlsx workbooks only when ``settings.attach_xlsx``, others by their type.
    ``customer`` (the branding's customer name) leads the subject; ``changes_summary`` (plain
    text, the comparison with the previous run) goes into the body.
    """
    sender = parse_address(settings.sender, "sender")
    recipients = [parse_address(r, "recipient") for r in settings.recipients]
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = subject_line(report, settings.subject_prefix, customer)
    message["From"] = sender
    message["To"] = recipients
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = make_msgid(idstring="fleetreport", domain=_message_id_domain(sender))
    message["Auto-Submitted"] = "auto-generated"
    attached: list[str] = []
    parts: list[tuple[str, bytes, tuple[str, str]]] = []
    for path in attachments:
        kind = ATTACHMENT_TYPES.get(path.suffix.lower(), ("application", "octet-stream"))
        if kind == XLSX_TYPE and not settings.attach_xlsx:
            log.debug("not attaching %s: attach_xlsx is off", path)
            continue
        try:
            data = path.read_bytes()
        except OSError as error:
            raise DeliveryError(
                f"cannot read attachment {path}: {error.strerror or error}",
                hint="the report files must still be in place when the mail is sent",
            ) from None
        name = _one_line(path.name, 150) or "attachment"
        parts.append((name, data, kind))
        attached.append(name)
    message.set_content(message_body(report, attached, changes_summary, customer))
    for name, data, (maintype, subtype) in parts:
        params = {"charset": "utf-8"} if maintype == "text" else None
        message.add_attachment(data, maintype, subtype, filename=name, params=params)
    return message


def subject_line(report: HealthReport, prefix: str, customer: str | None = None) -> str:
    """``[fleetreport] Contoso: grade B (patch 83.8, power 97), 35 critical findings``,
    with `` — PARTIAL: 1 source failed`` when a source failed. One line, no control characters.
    """
    fleet = report.fleet
    critical = fleet.findings_by_severity.get(Severity.CRITICAL.value, 0)
    figures = (
        f"grade {fleet.grade or 'n/a'} (patch {_score(fleet.patch_score)}, "
        f"power {_score(fleet.power_score)}), "
        f"{critical} critical finding{'' if critical == 1 else 's'}"
    )
    name = _one_line(customer or "", CUSTOMER_LIMIT)
    text = f"{name}: {figures}" if name else figures
    failed = _failed_sources(report)
    if failed:
        text += f" — PARTIAL: {len(failed)} source{'' if len(failed) == 1 else 's'} failed"
    head = _one_line(prefix, 60)
    return _one_line(f"{head} {text}" if head else text, SUBJECT_LIMIT)


def message_body(
    report: HealthReport,
    attached: Sequence[str],
    changes_summary: str | None = None,
    customer: str | None = None,
) -> str:
    """The plain-text body: fleet figures, the worst finding groups, failed sources, times."""
    fleet = report.fleet
    name = _one_line(customer or "", 200)
    lines = [f"{name}: desktop fleet health" if name else "Desktop fleet health", ""]
    healthy = (
        f" ({fleet.healthy_desktops} healthy, {_percent(fleet.healthy_share)})"
        if fleet.desktops
        else ""
    )
    by_severity = ", ".join(
        f"{fleet.findings_by_severity.get(s.value, 0)} {s.value}" for s in Severity
    )
    lines += [
        f"Grade          {fleet.grade or 'n/a'}",
        f"Patch score    {_score(fleet.patch_score)} of 100",
        f"Power score    {_score(fleet.power_score)} of 100",
        f"Desktops       {fleet.desktops}{healthy}",
        f"Pools          {fleet.pools}",
        f"Findings       {by_severity}",
        f"Data coverage  {_percent(fleet.coverage)}",
    ]
    failed = _failed_sources(report)
    if failed:
        lines += [
            "",
            f"PARTIAL DATA: {len(failed)} source{'' if len(failed) == 1 else 's'} failed;"
            " the figures leave out what they hold.",
        ]
        for source in failed:
            error = _one_line(source.error or "no reason recorded", 300)
            lines.append(f"  {source.kind} {_one_line(source.url, 200)}: {error}")
    groups = worst_groups(report.findings)
    lines += ["", "Worst findings, by check"]
    if not groups:
        lines.append("  none")
    for group in groups:
        lines.append(f"  {group}")
    if changes_summary and changes_summary.strip():
        lines += ["", "Changes since the previous run"]
        lines += [f"  {_one_line(line, 300)}" for line in changes_summary.strip().splitlines()]
    lines += [
        "",
        f"Data collected {_time(report.snapshot.collected_at)}; report made "
        f"{_time(report.generated_at)} by {_one_line(report.generator, 80)}.",
    ]
    if attached:
        lines += ["", "Attached: " + ", ".join(attached) + ". Open the HTML report in a browser."]
    return "\n".join(lines) + "\n"


def worst_groups(findings: Sequence[FindingRecord], limit: int = WORST_GROUPS) -> list[str]:
    """The ``limit`` worst checks as lines: worst severity first, then most subjects."""
    by_check: dict[str, list[FindingRecord]] = defaultdict(list)
    for finding in findings:
        by_check[finding.check].append(finding)

    def rank(check: str) -> tuple[int, int, int, str]:
        records = by_check[check]
        worst = min(_severity_rank(r.severity) for r in records)
        at_worst = sum(1 for r in records if _severity_rank(r.severity) == worst)
        return (worst, -at_worst, -len(records), check)

    lines = []
    for check in sorted(by_check, key=rank)[:limit]:
        records = by_check[check]
        counts: dict[str, int] = defaultdict(int)
        for record in records:
            counts[record.severity] += 1
        severities = sorted(counts, key=_severity_rank)
        worst = severities[0]
        kinds = {r.subject_kind for r in records}
        kind = kinds.pop() if len(kinds) == 1 else ""
        noun = (
            (kind.replace("_", " ") if len(records) == 1 else _SUBJECT_PLURALS.get(kind, kind))
            if kind
            else ("subject" if len(records) == 1 else "subjects")
        )
        split = (
            " (" + ", ".join(f"{counts[s]} {s}" for s in severities) + ")"
            if len(severities) > 1
            else ""
        )
        title = _one_line(records[0].title, 120)
        lines.append(f"{worst:<9} {title} [{check}]: {len(records)} {noun}{split}")
    return lines


def send_message(message: EmailMessage, settings: EmailSettings) -> None:
    """Send ``message`` to ``settings.recipients`` through the configured server.

    Raises :class:`DeliveryError` (one line naming the server, with a hint) for every failure:
    no connection, no STARTTLS, a certificate that does not verify, refused credentials,
    a refused sender or recipient. Some recipients refused is an error too, though the others
    got the message (the error says so).
    """
    server = settings.server
    loopback = is_loopback(settings.host)
    if settings.security == "none" and not loopback:
        if settings.username is not None:
            raise DeliveryError(
                "refusing to send the email password over an unencrypted connection",
                hint="use security = 'starttls' (port 587) or 'tls' (port 465);"
                " 'none' is only for a relay on this machine",
                server=server,
            )
        log.warning(
            "email to %s is sent unencrypted (security = 'none'): anyone on the way can read it",
            server,
        )
    if settings.security != "none" and not settings.tls.verify:
        log.warning("the mail server's certificate is not verified (TLS verification is off)")
    sender = parse_address(settings.sender, "sender").addr_spec
    recipients = [parse_address(r, "recipient").addr_spec for r in settings.recipients]
    try:
        context = settings.tls.ssl_context() if settings.security != "none" else None
    except FleetReportError as error:  # an unreadable CA file
        raise DeliveryError(error.message, error.hint, server=server) from None
    log.info("emailing the report to %s via %s", ", ".join(recipients), server)
    stage = "connecting"
    client: smtplib.SMTP | None = None
    try:
        if settings.security == "tls":
            client = smtplib.SMTP_SSL(
                settings.host, settings.server_port, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.server_port, timeout=settings.timeout)
        stage = "greeting"
        client.ehlo()
        if settings.security == "starttls":
            stage = "STARTTLS"
            if not client.has_extn("starttls"):
                raise DeliveryError(
                    "the server does not offer STARTTLS",
                    hint="if it expects TLS from the start (port 465) set security = 'tls';"
                    " otherwise ask for STARTTLS to be enabled",
                    server=server,
                )
            client.starttls(context=context)
            client.ehlo()
        if settings.username is not None and settings.password is not None:
            stage = "login"
            client.login(settings.username, settings.password.reveal())
        stage = "sending"
        refused = client.send_message(message, from_addr=sender, to_addrs=recipients)
        stage = "quit"
        _quit(client, server)
    except DeliveryError:
        raise
    except (smtplib.SMTPException, OSError, UnicodeError) as error:
        message_text, hint = _explain(error, stage, settings)
        log.debug(
            "%s: %s failed: %s: %s",
            server,
            stage,
            type(error).__name__,
            _scrub(str(error), settings),
        )
        raise DeliveryError(message_text, hint, server=server) from None
    finally:
        if client is not None:
            client.close()
    if refused:
        accepted = len(recipients) - len(refused)
        raise DeliveryError(
            f"{_refusals(refused, settings)}; the {accepted} other recipient"
            f"{'' if accepted == 1 else 's'} got the report",
            hint="check the refused addresses; the server may not relay to outside domains",
            server=server,
        )
    log.info("report emailed via %s (%s)", server, _one_line(str(message["Message-ID"]), 200))


def deliver(
    report: HealthReport,
    settings: EmailSettings,
    attachments: Sequence[Path],
    worse: bool | None = None,
    changes_summary: str | None = None,
    *,
    customer: str | None = None,
) -> bool:
    """Email the report unless ``only_when_worse`` holds it back; whether it was sent."""
    if not should_send(worse, settings):
        log.info("not emailing the report: it is not worse than the previous run")
        return False
    message = build_message(report, settings, attachments, changes_summary, customer=customer)
    send_message(message, settings)
    return True


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1); no name is looked up."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _explain(error: BaseException, stage: str, settings: EmailSettings) -> tuple[str, str | None]:
    """What went wrong in one line (no password), and what to do about it."""
    port_hint = _port_hint(settings)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return (
            f"authentication failed for user {settings.username!r}: "
            f"{_response(error.smtp_code, error.smtp_error, settings)}",
            "check the user name and the password (environment variable or file)",
        )
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return (
            _refusals(error.recipients, settings),
            "check the addresses; the server may not relay to outside domains"
            " or may want you to log in (username)",
        )
    if isinstance(error, smtplib.SMTPSenderRefused):
        return (
            f"sender {error.sender!r} refused: "
            f"{_response(error.smtp_code, error.smtp_error, settings)}",
            "use a sender address the account may send as; the server may want you to log in",
        )
    if isinstance(error, smtplib.SMTPDataError):
        hint = (
            "the message is too large for the server: turn attach_xlsx off"
            if error.smtp_code == 552
            else "the server rejected the message; its answer says why"
        )
        return (
            f"message refused: {_response(error.smtp_code, error.smtp_error, settings)}",
            hint,
        )
    if isinstance(error, smtplib.SMTPNotSupportedError):
        if stage == "login":
            return (
                "the server offers no login (AUTH) on this connection",
                "drop the username to send without logging in, or use TLS (starttls or tls):"
                " most servers offer AUTH only over TLS",
            )
        if stage == "STARTTLS":
            return (
                "the server does not offer STARTTLS",
                "if it expects TLS from the start (port 465) set security = 'tls'",
            )
        return f"the server does not support what was asked: {error}", port_hint
    if isinstance(error, smtplib.SMTPConnectError):
        return (
            f"the server refused the connection: "
            f"{_response(error.smtp_code, error.smtp_error, settings)}",
            "check the host and port",
        )
    if isinstance(error, smtplib.SMTPServerDisconnected):
        if isinstance(error.__context__, TimeoutError):  # smtplib wraps a read timeout
            return f"no answer within {settings.timeout:g} s during {stage}", port_hint
        return f"the server closed the connection during {stage}", port_hint
    if isinstance(error, smtplib.SMTPResponseException):
        return (
            f"{stage} failed: {_response(error.smtp_code, error.smtp_error, settings)}",
            "the server's answer says why",
        )
    if isinstance(error, smtplib.SMTPException):
        if stage == "login":
            return (
                f"login failed: {_scrub(str(error), settings)}",
                "the server offers no login method smtplib knows (PLAIN, LOGIN, CRAM-MD5)",
            )
        return f"{stage} failed: {_scrub(str(error), settings)}", port_hint
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"the server's TLS certificate did not verify: {error.verify_message}",
            "trust the CA that signed it (tls ca_file) and check that the host name matches"
            " the certificate",
        )
    if isinstance(error, ssl.SSLError):
        reason = error.reason or error.strerror or str(error)
        return f"TLS handshake failed during {stage}: {reason}", port_hint
    if isinstance(error, UnicodeError):
        return (
            f"{stage} failed: text that must be ASCII is not",
            "the user name and password must be ASCII for SMTP AUTH",
        )
    if isinstance(error, socket.gaierror):
        return f"cannot resolve {settings.host!r}: {error.strerror or error}", "check the host name"
    if isinstance(error, TimeoutError):
        return f"no answer within {settings.timeout:g} s during {stage}", port_hint
    if isinstance(error, ConnectionRefusedError):
        return "connection refused", "check the host and the port (587 starttls, 465 tls)"
    if isinstance(error, OSError):
        return f"{stage} failed: {error.strerror or error}", "check the host and the port"
    return f"{stage} failed: {type(error).__name__}", None


def _port_hint(settings: EmailSettings) -> str:
    port = settings.server_port
    if settings.security != "tls" and port == 465:
        return "port 465 expects TLS from the first byte: set security = 'tls'"
    if settings.security == "tls" and port in (25, 587):
        return f"port {port} normally uses STARTTLS: set security = 'starttls'"
    return "check the port and the security mode: 587 with starttls, 465 with tls"


def _refusals(refused: Mapping[str, tuple[int, bytes]], settings: EmailSettings) -> str:
    shown = "; ".join(
        f"{_one_line(address, 200)} ({_response(code, text, settings)})"
        for address, (code, text) in sorted(refused.items())
    )
    count = len(refused)
    return f"{count} recipient{'' if count == 1 else 's'} refused: {shown}"


def _response(code: int, text: bytes | str, settings: EmailSettings) -> str:
    """A server reply as one short line, with the password scrubbed out."""
    decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {_one_line(_scrub(decoded, settings), 200)}"


def _scrub(text: str, settings: EmailSettings) -> str:
    """``text`` with the password (raw, and base64 as AUTH PLAIN and LOGIN send it) masked."""
    if settings.password is None:
        return text
    secret = settings.password.reveal()
    if not secret:
        return text
    forms = {secret}
    for raw in (secret, f"\0{settings.username or ''}\0{secret}"):
        with contextlib.suppress(UnicodeError):
            forms.add(base64.b64encode(raw.encode("utf-8")).decode("ascii"))
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, "***")
    return text


def _quit(client: smtplib.SMTP, server: str) -> None:
    """Say goodbye; the message is already accepted, so a failure here is only logged."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError) as error:
        log.debug("%s: QUIT failed after the message was accepted: %s", server, error)


def _failed_sources(report: HealthReport) -> list[Source]:
    return [source for source in report.sources if source.status != "ok"]


def _severity_rank(severity: str) -> int:
    try:
        return Severity(severity).rank
    except ValueError:
        return len(Severity)


def _message_id_domain(sender: Address) -> str:
    domain = sender.domain.strip("[]")
    return domain if domain and all(c.isalnum() or c in "-." for c in domain) else "fleetreport"


def _check_host(host: str) -> None:
    hint = "give the mail server as a host name or IP address; the port goes in 'port'"
    if not isinstance(host, str) or not host.strip():
        raise DeliveryError("no email host (SMTP server) given", hint=hint)
    if any(ch.isspace() or _is_control(ch) or ch in "/@" for ch in host):
        raise DeliveryError(f"email host {_one_line(host, 100)!r} is not a host name", hint=hint)
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            raise DeliveryError(f"email host {host!r} is not a host name", hint=hint) from None


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def _visible(text: object) -> str:
    return "".join(" " if _is_control(c) else c for c in str(text))


def _one_line(text: str, limit: int) -> str:
    """``text`` on one line: control, format and line-separator characters (CR, LF, NUL,
    bidi overrides) become spaces, runs of spaces one; cut to ``limit`` characters."""
    flat = " ".join(_visible(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%".replace(".0%", "%")


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
