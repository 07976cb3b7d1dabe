"""A real SMTP server on loopback for delivery tests, built on aiosmtpd.

Usage::

    from support.smtp_server import SmtpTestServer

    with SmtpTestServer(starttls=True, credentials=("reports", "s3cret")) as smtp:
        tls = TlsOptions(ca_file=smtp.ca_file)
        settings = EmailSettings(host=smtp.host, port=smtp.port, tls=tls, ...)
        deliver(...)
        [received] = smtp.messages
        received.parsed()["Subject"]

Options:

- ``starttls=True`` offers STARTTLS with a certificate for 127.0.0.1 and localhost signed by a
  fresh trustme CA (``ca_file``); ``require_starttls=True`` (the default with ``starttls``)
  refuses mail before STARTTLS.
- ``implicit_tls=True`` speaks TLS from the first byte (as on port 465).
- ``credentials=(user, password)`` offers AUTH (PLAIN, LOGIN), accepts only that pair and
  requires it before mail; every attempt is recorded in ``auth_attempts``. By default AUTH is
  offered only over TLS (``auth_require_tls``), as real servers do; with implicit TLS the
  whole connection is TLS, so it is offered at once.
- ``refuse=("x@example.com",)`` answers ``550`` to those recipients.
- ``echo_password=True`` puts the wrong password it was sent into its ``535`` answer, as a
  careless server might (the client must not show it).

The server listens on 127.0.0.1 on a port the system picks; it runs in a thread from
``__enter__`` to ``__exit__`` (or ``start()``/``stop()``), and the CA lives in a temporary
folder removed on stop.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import ssl
import tempfile
import threading
from collections.abc import Collection
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"
SERVER_NAME = "smtp.test"


@dataclass(frozen=True)
class ReceivedMessage:
    """One message the server accepted."""

    mail_from: str
    """Envelope sender (``MAIL FROM``)."""
    rcpt_tos: tuple[str, ...]
    """Envelope recipients that were accepted (``RCPT TO``)."""
    content: bytes
    """The message as sent, after the dot-unstuffing of ``DATA``."""
    tls: bool
    """The connection was encrypted when the message was sent."""
    user: str | None
    """The user the client logged in as, if it did."""

    def parsed(self) -> EmailMessage:
        """The message parsed with the modern email policy."""
        message = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        return message


@dataclass(frozen=True)
class AuthAttempt:
    """One AUTH the client tried."""

    mechanism: str
    """PLAIN, LOGIN, ..."""
    login: str
    """The user name sent."""
    success: bool
    """Whether the pair was accepted."""
    tls: bool
    """Whether the connection was encrypted at the time."""


class _Handler:
    def __init__(self, owner: SmtpTestServer) -> None:
        self._owner = owner

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        if self._owner.credentials is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in self._owner.refuse:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8")
        user = None
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            user = session.auth_data.login.decode("utf-8", "replace")
        received = ReceivedMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            content=content,
            tls=_is_tls(server),
            user=user,
        )
        with self._owner._lock:
            self._owner._messages.append(received)
        return "250 2.0.0 Message accepted for delivery"


def _is_tls(server: SMTP) -> bool:
    transport = server.transport
    return transport is not None and transport.get_extra_info("ssl_object") is not None


class _Controller(Controller):
    """aiosmtpd's Controller on a port the system chooses (port 0), read back once bound."""

    def _create_server(self) -> Any:
        async def create() -> asyncio.AbstractServer:
            server = await self.loop.create_server(
                self._factory_invoker, host=self.hostname, port=0, ssl=self.ssl_context
            )
            self.port = server.sockets[0].getsockname()[1]
            return server

        return create()


class SmtpTestServer:
    """An SMTP server on 127.0.0.1 that keeps what it receives (see the module docstring)."""

    def __init__(
        self,
        *,
        starttls: bool = False,
        require_starttls: bool | None = None,
        implicit_tls: bool = False,
        credentials: tuple[str, str] | None = None,
        auth_require_tls: bool | None = None,
        refuse: Collection[str] = (),
        echo_password: bool = False,
        cert_hostnames: tuple[str, ...] = ("127.0.0.1", "localhost"),
    ) -> None:
        if starttls and implicit_tls:
            raise ValueError("choose starttls or implicit_tls")
        self.starttls = starttls
        self.require_starttls = starttls if require_starttls is None else require_starttls
        self.implicit_tls = implicit_tls
        self.credentials = credentials
        self.auth_require_tls = not implicit_tls if auth_require_tls is None else auth_require_tls
        self.refuse = frozenset(address.lower() for address in refuse)
        self.echo_password = echo_password
        self.cert_hostnames = cert_hostnames
        self.host = HOST
        self.port = 0
        self.ca_file: Path | None = None
        """PEM of the CA that signed the server's certificate (TLS servers)."""
        self._messages: list[ReceivedMessage] = []
        self._attempts: list[AuthAttempt] = []
        self._lock = threading.Lock()
        self._folder: Path | None = None
        self._controller: _Controller | None = None

    @property
    def messages(self) -> list[ReceivedMessage]:
        """Messages accepted so far, in order."""
        with self._lock:
            return list(self._messages)

    @property
    def auth_attempts(self) -> list[AuthAttempt]:
        """AUTH attempts so far, in order."""
        with self._lock:
            return list(self._attempts)

    def _authenticate(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        mechanism: str,
        auth_data: Any,
    ) -> AuthResult:
        assert self.credentials is not None
        user, password = self.credentials
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        ok = auth_data.login == user.encode("utf-8") and auth_data.password == password.encode(
            "utf-8"
        )
        with self._lock:
            self._attempts.append(AuthAttempt(mechanism, login, ok, _is_tls(server)))
        if not ok and self.echo_password:
            sent = auth_data.password.decode("utf-8", "replace")
            return AuthResult(success=False, handled=False, message=f"535 5.7.8 {sent!r} is wrong")
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    def start(self) -> SmtpTestServer:
        """Make the certificate (for TLS) and start listening."""
        assert self._controller is None, "already started"
        kwargs: dict[str, Any] = {
            "server_hostname": SERVER_NAME,
            "auth_require_tls": self.auth_require_tls,
            "ready_timeout": 10.0,
        }
        if self.starttls or self.implicit_tls:
            server_context = self._make_certificate()
            if self.starttls:
                kwargs["tls_context"] = server_context
                kwargs["require_starttls"] = self.require_starttls
            else:
                kwargs["ssl_context"] = server_context
        if self.credentials is not None:
            # Mail before AUTH is refused by handle_MAIL (aiosmtpd's auth_required would
            # warn about implicit TLS, which it does not count as TLS).
            kwargs["authenticator"] = self._authenticate
        controller = _Controller(_Handler(self), hostname=HOST, port=0, **kwargs)
        try:
            controller.start()
        except BaseException:
            controller.stop(no_assert=True)
            self._remove_folder()
            raise
        self._controller = controller
        self.port = controller.port
        return self

    def stop(self) -> None:
        """Stop listening and remove the CA folder."""
        controller, self._controller = self._controller, None
        try:
            if controller is not None:
                controller.stop()
        finally:
            self._remove_folder()

    def __enter__(self) -> SmtpTestServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _make_certificate(self) -> ssl.SSLContext:
        import trustme

        self._folder = Path(tempfile.mkdtemp(prefix="fleetreport-smtp-"))
        ca = trustme.CA()
        certificate = ca.issue_cert(*self.cert_hostnames)
        self.ca_file = self._folder / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)
        return context

    def _remove_folder(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
