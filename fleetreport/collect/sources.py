"""Source settings: what ``collect``'s flags and the run config's ``[[vcenter]]`` and
``[[horizon]]`` tables both say about a source, and the one way they become logged-in targets.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from fleetreport.collect.retry import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, RetrySettings
from fleetreport.collect.run import HorizonTarget, VCenterTarget
from fleetreport.endpoints import Endpoint, TlsOptions, parse_endpoint
from fleetreport.secrets import Secret, SecretSource, resolve_secret

log = logging.getLogger(__name__)

SourceKind = Literal["vcenter", "horizon"]
Origin = Literal["command line", "config"]
DEFAULT_PATHS: dict[SourceKind, str] = {"vcenter": "/sdk", "horizon": "/rest"}
"""The URL path a bare host name means (the vSphere SDK, the Horizon REST API)."""
INSECURE_OPTION_WARNING = (
    "TLS certificate verification is OFF (--insecure): the server is not verified"
)


@dataclass(frozen=True)
class SourceTls:
    """TLS options of one source."""

    ca_file: Path | None = None
    """Extra CA certificates (PEM)."""
    insecure: bool = False
    """Certificate verification off (shown in the report)."""


@dataclass(frozen=True)
class SourceSettings:
    """One source as the user described it: where, who, where the password lives, how."""

    kind: SourceKind
    """``vcenter`` or ``horizon`` (one Connection Server per pod)."""
    url: str
    """Host or URL, as given."""
    user: str
    """User name, e.g. ``audit@vsphere.local``."""
    secret: SecretSource
    """Where its password lives."""
    tls: SourceTls = field(default_factory=SourceTls)
    """TLS options."""
    domain: str = ""
    """Horizon only: the administrator's Active Directory domain."""
    timeout: float = DEFAULT_READ_TIMEOUT
    """Read timeout per request, seconds."""
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    """Connect timeout (TCP and TLS handshake), seconds."""
    retry: RetrySettings = field(default_factory=RetrySettings)
    """Attempts per request and the time bound of its retries."""
    page_size: int = 1000
    """vCenter only: PropertyCollector page size."""
    origin: Origin = "config"
    """Where it was given: the command line's sources share one ``--insecure``, one
    ``--ca-file`` and one password per kind, so their messages name options, not URLs."""


def targets_of(
    sources: Sequence[SourceSettings],
) -> tuple[list[VCenterTarget], list[HorizonTarget]]:
    """Every source as a target: URLs parsed first, then the insecure warnings, then the
    command line's CA file checked, then the passwords (each source of a password read once).
    """
    endpoints = [
        parse_endpoint(s.url, default_path=DEFAULT_PATHS[s.kind], option=_option(s))
        for s in sources
    ]
    tls = _tls_options(sources, endpoints)
    for source, options in zip(sources, tls, strict=True):
        if source.origin == "command line":
            options.ssl_context()  # a bad --ca-file fails now, before any password is asked for
    passwords: dict[tuple[SecretSource, str], Secret] = {}
    vcenters: list[VCenterTarget] = []
    horizons: list[HorizonTarget] = []
    for source, endpoint, options in zip(sources, endpoints, tls, strict=True):
        key = (source.secret, source.user)
        if key not in passwords:
            passwords[key] = resolve_secret(source.secret, source.user, endpoint.url)
        password = passwords[key]
        if source.kind == "vcenter":
            vcenters.append(
                VCenterTarget(
                    endpoint,
                    source.user,
                    password,
                    options,
                    source.timeout,
                    source.page_size,
                    connect_timeout=source.connect_timeout,
                    retry=source.retry,
                )
            )
        else:
            horizons.append(
                HorizonTarget(
                    endpoint,
                    source.user,
                    source.domain,
                    password,
                    options,
                    source.timeout,
                    connect_timeout=source.connect_timeout,
                    retry=source.retry,
                )
            )
    return vcenters, horizons


def _option(source: SourceSettings) -> str:
    """How the user wrote the URL, for its error messages."""
    if source.origin == "command line":
        return f"--{source.kind}"
    return f"[[{source.kind}]] url"


def _tls_options(
    sources: Sequence[SourceSettings], endpoints: Sequence[Endpoint]
) -> list[TlsOptions]:
    """Each source's TLS options; turning verification off is warned about (once for the
    command line's one ``--insecure``, once per source of the config)."""
    warned_option = False
    options = []
    for source, endpoint in zip(sources, endpoints, strict=True):
        if source.tls.insecure and source.origin == "command line":
            if not warned_option:
                log.warning(INSECURE_OPTION_WARNING)
                warned_option = True
        elif source.tls.insecure:
            log.warning(
                "TLS certificate verification is OFF for %s (insecure = true)", endpoint.url
            )
        options.append(TlsOptions(verify=not source.tls.insecure, ca_file=source.tls.ca_file))
    return options
