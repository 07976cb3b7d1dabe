"""Sending through SMTP: STARTTLS or TLS, the certificate checked, ``AUTH`` only over TLS (or
to a loopback relay), every failure one :class:`DeliveryError` line naming the server.

The password is revealed once, to ``SMTP.login``, and scrubbed from anything the server
answers before that answer is shown or logged.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage

from fleetreport.delivery.errors import DeliveryError
from fleetreport.delivery.settings import EmailSettings, is_loopback, parse_address
from fleetreport.errors import FleetReportError
from fleetreport.text import one_line

log = logging.getLogger(__name__)


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
    log.info("report emailed via %s (%s)", server, one_line(str(message["Message-ID"]), 200))


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
        f"{one_line(address, 200)} ({_response(code, text, settings)})"
        for address, (code, text) in sorted(refused.items())
    )
    count = len(refused)
    return f"{count} recipient{'' if count == 1 else 's'} refused: {shown}"


def _response(code: int, text: bytes | str, settings: EmailSettings) -> str:
    """A server reply as one short line, with the password scrubbed out."""
    decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {one_line(_scrub(decoded, settings), 200)}"


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
