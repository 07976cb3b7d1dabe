"""Mail delivery settings, checked when they are made: server, security, addresses."""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.utils import parseaddr

from fleetreport.delivery.errors import DeliveryError
from fleetreport.endpoints import TlsOptions
from fleetreport.secrets import Secret
from fleetreport.text import is_control, one_line, visible

log = logging.getLogger(__name__)


SECURITY_MODES: tuple[str, ...] = ("starttls", "tls", "none")
"""The values of :attr:`EmailSettings.security`."""


DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "tls": 465, "none": 25}
"""The port each security mode uses when none is given."""


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
    shown = " ".join(visible(text).split())[:200]
    if not isinstance(text, str) or not text.strip():
        raise DeliveryError(f"email {role} is empty", hint=hint)
    if any(is_control(char) for char in text):
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


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1); no name is looked up."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _check_host(host: str) -> None:
    hint = "give the mail server as a host name or IP address; the port goes in 'port'"
    if not isinstance(host, str) or not host.strip():
        raise DeliveryError("no email host (SMTP server) given", hint=hint)
    if any(ch.isspace() or is_control(ch) or ch in "/@" for ch in host):
        raise DeliveryError(f"email host {one_line(host, 100)!r} is not a host name", hint=hint)
    if ":" in host:
        try:
            ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            raise DeliveryError(f"email host {host!r} is not a host name", hint=hint) from None
