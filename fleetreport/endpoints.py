"""Turn what the user typed (a host name or a URL) into a checked endpoint, and TLS settings."""

from __future__ import annotations

import ipaddress
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import truststore

from fleetreport.errors import InputFileError, UsageError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Endpoint:
    """A server's address, as fleetreport will contact it."""

    scheme: str
    """``https`` normally; ``http`` only when the user wrote it out."""
    host: str
    """Host name or IP address (without IPv6 brackets)."""
    port: int
    """TCP port."""
    path: str
    """URL path of the API, e.g. ``/sdk`` or ``/rest``."""

    @property
    def url(self) -> str:
        """The endpoint as a URL."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        default_port = 443 if self.scheme == "https" else 80
        netloc = host if self.port == default_port else f"{host}:{self.port}"
        return f"{self.scheme}://{netloc}{self.path}"

    @property
    def explicit_url(self) -> str:
        """The URL with its port always written out (some clients need it)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{self.path}"


INSECURE_HINT = (
    "add the server's CA with --ca-file PEM (ca_file in a run config), or skip checking with"
    " --insecure (insecure = true)"
)
"""The hint of every certificate failure, on the command line and in a run config alike."""

NOT_TLS_HINT = (
    "the port does not speak TLS: check the port in the URL (vCenter and Connection Servers"
    " answer https on 443)"
)
NO_SHARED_TLS_HINT = (
    "this machine and the server share no TLS version or cipher: check the server's TLS"
    " settings (vSphere 7 and Horizon 8 offer TLS 1.2 and later)"
)
# OpenSSL's reasons for a hello answered by something that is not TLS (an http port, a plain
# text banner), and for a server that offers no protocol version or cipher this side accepts.
_NOT_TLS_REASONS = (
    "WRONG_VERSION_NUMBER",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
    "HTTP_REQUEST",
    "UNKNOWN_PROTOCOL",
)
_NO_SHARED_TLS_REASONS = (
    "UNSUPPORTED_PROTOCOL",
    "NO_PROTOCOLS_AVAILABLE",
    "TLSV1_ALERT_PROTOCOL_VERSION",
    "SSLV3_ALERT_HANDSHAKE_FAILURE",
    "NO_SHARED_CIPHER",
    "NO_CIPHERS_AVAILABLE",
    "TLSV1_ALERT_INSUFFICIENT_SECURITY",
)


def tls_failure_hint(reason: str) -> str:
    """The hint for a TLS handshake that failed for OpenSSL's ``reason`` (or its message):
    a certificate the user can add or skip, or a port or protocol no option fixes."""
    name = reason.upper()
    if any(known in name for known in _NOT_TLS_REASONS):
        return NOT_TLS_HINT
    if any(known in name for known in _NO_SHARED_TLS_REASONS):
        return NO_SHARED_TLS_HINT
    return INSECURE_HINT


def parse_endpoint(text: str, *, default_path: str, option: str) -> Endpoint:
    """Parse ``HOST``, ``HOST:PORT`` or a full URL; ``http://`` only when written out.

    Messages show the text without any ``user:password@`` part: a password typed into a URL
    by mistake must not be echoed to a terminal or a log.
    """
    shown = _without_userinfo(text)
    raw = text.strip()
    if not raw or any(ch.isspace() or ord(ch) < 32 for ch in raw):
        raise UsageError(
            f"{option} {shown!r} is not a host name or URL",
            hint=f"write a host name such as vc01.example.com or a URL such as https://vc01{default_path}",
        )
    candidate = raw if "://" in raw else f"https://{raw}"
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError as error:
        raise UsageError(
            f"{option} {shown!r} is not a valid URL: {error}", hint="ports run from 1 to 65535"
        ) from error
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise UsageError(
            f"{option} {shown!r} uses scheme {scheme!r}",
            hint="use https:// (or http:// for a local simulator)",
        )
    host = parts.hostname or ""
    if parts.username or parts.password:
        raise UsageError(
            f"{option} {shown!r} holds credentials",
            hint="credentials never go into the URL: give the user and the password separately",
        )
    if port == 0:
        raise UsageError(f"{option} {shown!r} has port 0", hint="ports run from 1 to 65535")
    if not host or parts.query or parts.fragment:
        raise UsageError(
            f"{option} {shown!r} is not a host name or URL",
            hint="give only scheme, host, port and path; credentials never go into the URL",
        )
    _check_host_name(host, shown, option)
    if scheme == "http":
        log.warning("%s %s uses plain http: credentials and data travel unencrypted", option, shown)
    path = parts.path.rstrip("/") or default_path
    return Endpoint(
        scheme=scheme,
        host=host,
        port=port if port is not None else (443 if scheme == "https" else 80),
        path=path,
    )


def _without_userinfo(text: str) -> str:
    """``https://user:pw@host/sdk`` -> ``https://***@host/sdk``, for messages."""
    scheme, separator, rest = text.strip().rpartition("://")
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}{separator}{authority}{slash}{path}"


def _check_host_name(host: str, text: str, option: str) -> None:
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if not all(label and len(label) <= 63 and _is_host_label(label) for label in labels):
        raise UsageError(
            f"{option} {text!r}: {host!r} is not a valid host name",
            hint="host names use letters, digits, '-' and '.'",
        )


def _is_host_label(label: str) -> bool:
    return all(ch.isalnum() or ch in "-_" for ch in label) and not label.startswith("-")


@dataclass(frozen=True)
class TlsOptions:
    """How to check a server's certificate."""

    verify: bool = True
    """False only when the user explicitly passed --insecure."""
    ca_file: Path | None = None
    """An extra CA bundle (PEM) trusted on top of the system's."""

    def ssl_context(self) -> ssl.SSLContext:
        """A client context: the system's trust store plus ``ca_file``; no verification only if
        asked.

        ``truststore`` verifies with the operating system itself: the Windows certificate store
        (with the enterprise CAs a domain's group policy deploys, and the roots Windows fetches
        on demand), the macOS keychain, OpenSSL's system bundle on Linux. ``ca_file`` adds to it
        on every system.
        """
        context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if self.ca_file is not None:
            try:
                context.load_verify_locations(cafile=str(self.ca_file))
            except (OSError, ssl.SSLError) as error:
                raise InputFileError(
                    f"cannot use CA file {self.ca_file}: {error}",
                    hint="--ca-file takes a PEM file with one or more CA certificates",
                ) from error
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context
