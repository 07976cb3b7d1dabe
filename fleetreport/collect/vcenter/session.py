"""A logged-in vCenter SOAP session: version negotiation, TLS, timeouts, round-trip count."""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import ssl
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.parsers.expat import ExpatError

from pyVmomi import SoapAdapter, VmomiSupport, vim, vmodl

from fleetreport.collect.progress import SourceProgress
from fleetreport.credentials import Secret
from fleetreport.endpoints import Endpoint, TlsOptions
from fleetreport.errors import CredentialError, FleetReportError, SourceError

log = logging.getLogger(__name__)

INSECURE_HINT = "add the server's CA with --ca-file PEM, or skip checking with --insecure"


@dataclass
class RoundTripCounter:
    """Counts HTTP requests made to one vCenter (and tells a progress display)."""

    count: int = 0
    progress: SourceProgress | None = None

    def increment(self) -> None:
        """Count one more request."""
        self.count += 1
        if self.progress is not None:
            self.progress.round_trip()


@dataclass
class VCenterSession:
    """A logged-in session; ``content`` is the ServiceContent."""

    endpoint: Endpoint
    stub: Any
    content: Any
    api_version: str
    round_trips: RoundTripCounter = field(default_factory=RoundTripCounter)


def negotiate_api_version(
    endpoint: Endpoint, context: ssl.SSLContext | None, timeout: float
) -> str:
    """The newest vim25 version both pyvmomi and the server speak (from vimServiceVersions.xml)."""
    document = _fetch_service_versions(endpoint, context, timeout)
    try:
        if b"<!DOCTYPE" in document or b"<!ENTITY" in document:
            raise ElementTree.ParseError("document type declarations are not accepted")
        root = ElementTree.fromstring(document)  # noqa: S314 (no DTD, so no entity expansion)
    except ElementTree.ParseError:
        raise SourceError(
            endpoint.url,
            "did not answer like a vCenter SDK (vimServiceVersions.xml is not XML)",
            hint="check the URL: it should be the vCenter's /sdk endpoint",
        ) from None
    offered: set[str] = set()
    for namespace in root.findall("namespace"):
        if namespace.findtext("name") not in (None, "urn:vim25"):
            continue
        offered.update(v.text or "" for v in namespace.findall("version"))
        offered.update(v.text or "" for v in namespace.findall("priorVersions/version"))
    for candidate in VmomiSupport.GetServiceVersions("vim25"):
        if VmomiSupport.versionIdMap.get(candidate) in offered:
            return str(candidate)
    raise SourceError(
        endpoint.url,
        "speaks no vSphere API version this pyvmomi knows",
        hint="upgrade pyvmomi, or check that this is a vCenter",
    )


def _fetch_service_versions(
    endpoint: Endpoint, context: ssl.SSLContext | None, timeout: float
) -> bytes:
    connection: http.client.HTTPConnection
    if endpoint.scheme == "https":
        connection = http.client.HTTPSConnection(
            endpoint.host, endpoint.port, timeout=timeout, context=context
        )
    else:
        connection = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=timeout)
    try:
        connection.request("GET", f"{endpoint.path}/vimServiceVersions.xml")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise SourceError(
            endpoint.url,
            f"did not answer like a vCenter SDK"
            f" (HTTP {response.status} for vimServiceVersions.xml)",
            hint="check the URL: it should be the vCenter's /sdk endpoint",
        )
    return body


@contextlib.contextmanager
def open_session(
    endpoint: Endpoint,
    user: str,
    password: Secret,
    tls: TlsOptions,
    timeout: float,
    progress: SourceProgress | None = None,
) -> Iterator[VCenterSession]:
    """Log in, yield the session, and always log out."""
    with translate_errors(endpoint, user):
        context = tls.ssl_context() if endpoint.scheme == "https" else None
        api_version = negotiate_api_version(endpoint, context, timeout)
        stub = SoapAdapter.SoapStubAdapter(
            url=endpoint.explicit_url,
            version=api_version,
            sslContext=context,
            httpConnectionTimeout=timeout,
            connectionPoolTimeout=-1,
        )
        counter = RoundTripCounter(count=1, progress=progress)  # the version document
        if progress is not None:
            progress.round_trip()
        _count_round_trips(stub, counter)
        service_instance = vim.ServiceInstance("ServiceInstance", stub)
        content: Any = service_instance.RetrieveContent()
        content.sessionManager.Login(user, password.reveal(), None)
        log.debug("logged in to %s as %s (API %s)", endpoint.url, user, api_version)
        session = VCenterSession(endpoint, stub, content, api_version, counter)
        try:
            yield session
        finally:
            _logout(session)


def _count_round_trips(stub: Any, counter: RoundTripCounter) -> None:
    invoke = stub.InvokeMethod

    def counting_invoke(*args: Any, **kwargs: Any) -> Any:
        counter.increment()
        return invoke(*args, **kwargs)

    stub.InvokeMethod = counting_invoke


def _logout(session: VCenterSession) -> None:
    try:
        session.content.sessionManager.Logout()
    except Exception as error:  # logging out is best effort; the data is already read
        log.debug("logout from %s failed: %s", session.endpoint.url, error)
    with contextlib.suppress(Exception):
        session.stub.DropConnections()


@contextlib.contextmanager
def translate_errors(endpoint: Endpoint, user: str) -> Iterator[None]:
    """Turn what pyvmomi, ssl and sockets raise into one-line errors with hints."""
    url = endpoint.url
    try:
        yield
    except FleetReportError:
        raise
    except vim.fault.InvalidLogin:
        raise CredentialError(
            f"{url}: vCenter rejected the user name or password for {user!r}",
            hint="check --user and the password source",
        ) from None
    except vim.fault.NoPermission as error:
        raise SourceError(
            url,
            f"user {user!r} lacks a permission ({getattr(error, 'privilegeId', '') or 'read'})",
            hint="give the account the read-only role at the vCenter root, propagated",
        ) from None
    except ssl.SSLCertVerificationError as error:
        reason = error.verify_message or str(error)
        raise SourceError(
            url, f"TLS certificate did not verify ({reason})", hint=INSECURE_HINT
        ) from None
    except ssl.SSLError as error:
        reason = error.reason or str(error)
        raise SourceError(url, f"TLS failed ({reason})", hint=INSECURE_HINT) from None
    except socket.gaierror as error:
        raise SourceError(
            url,
            f"cannot resolve host {endpoint.host!r} ({error.strerror})",
            hint="check the host name and DNS",
        ) from None
    except TimeoutError:
        raise SourceError(
            url, "timed out", hint="check that it is reachable from here; raise --timeout if slow"
        ) from None
    except ConnectionRefusedError:
        raise SourceError(
            url, "connection refused", hint="check the host name and port, and that vCenter is up"
        ) from None
    except (ConnectionError, OSError) as error:
        raise SourceError(
            url, f"network error ({error.strerror or error})", hint="check that it is reachable"
        ) from None
    except http.client.HTTPException as error:
        raise SourceError(
            url,
            f"did not answer like a vCenter SDK ({type(error).__name__}: {error})",
            hint="check the URL: it should be the vCenter's /sdk endpoint",
        ) from None
    except vmodl.MethodFault as error:
        message = getattr(error, "msg", "") or ""
        raise SourceError(url, f"vCenter fault {type(error).__name__}: {message}") from None
    except (ElementTree.ParseError, ExpatError):
        raise SourceError(
            url,
            "did not answer like a vCenter SDK (response is not SOAP XML)",
            hint="check the URL: it should be the vCenter's /sdk endpoint",
        ) from None
