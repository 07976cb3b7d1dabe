"""A logged-in vCenter SOAP session: version negotiation, TLS, timeouts, retries, round trips.

Every SOAP call that can safely be repeated goes through the source's retry policy
(``fleetreport.collect.retry``): the version document, RetrieveServiceContent, Login, and the
PropertyCollector calls. A session that vCenter ends mid-collection (``NotAuthenticated``) is
logged in again once (``VCenterSession.relogin``); logging out is best effort and never retried.

Timeouts: pyVmomi's SoapStubAdapter has one ``httpConnectionTimeout`` for everything, so
fleetreport gives the stub its own connection classes that connect (TCP and the TLS handshake)
within the connect timeout and then read within the read timeout.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import re
import socket
import ssl
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar
from xml.parsers.expat import ExpatError

from pyVmomi import SoapAdapter, VmomiSupport, vim, vmodl

from fleetreport.collect.progress import SourceProgress
from fleetreport.collect.retry import RetryPolicy, RetrySettings, gave_up_note, network_fault_reason
from fleetreport.endpoints import INSECURE_HINT, Endpoint, TlsOptions
from fleetreport.errors import CredentialError, FleetReportError, SourceError
from fleetreport.secrets import Secret

log = logging.getLogger(__name__)

T = TypeVar("T")

_RETRYABLE_STATUS = re.compile(r"^\s*(50[234])\b")

# The real classes, as imported before anything (a recorder in tests) replaces them.
_HTTPConnection = http.client.HTTPConnection
_HTTPSConnection = http.client.HTTPSConnection


class ConnectTimeout(TimeoutError):
    """Opening the connection (TCP and TLS handshake) took longer than the connect timeout."""


class _StrictResponse(http.client.HTTPResponse):
    """Raises IncompleteRead when a body ends before its Content-Length.

    http.client's ``read(amt)`` returns short instead ("it might break compatibility"), which
    would make a response cut short look like a malformed one.
    """

    def read(self, amt: int | None = None) -> bytes:
        expected = None if self.chunked else self.length
        data = super().read(amt)
        if amt and not data and expected:
            raise http.client.IncompleteRead(b"", expected)
        return data


def _connect_within(
    connection: http.client.HTTPConnection,
    connect: Callable[[], None],
    connect_timeout: float | None,
) -> None:
    read_timeout = connection.timeout
    if connect_timeout is not None:
        connection.timeout = connect_timeout
    try:
        connect()
    except TimeoutError as error:
        raise ConnectTimeout(f"connecting took longer than {connect_timeout} s") from error
    finally:
        connection.timeout = read_timeout
    if connection.sock is not None:
        connection.sock.settimeout(read_timeout)


class _TimedHTTPConnection(http.client.HTTPConnection):
    """Connects within ``connect_timeout``, then reads within ``timeout``."""

    response_class = _StrictResponse

    def __init__(self, *args: Any, connect_timeout: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connect_timeout = connect_timeout

    def connect(self) -> None:
        _connect_within(self, super().connect, self.connect_timeout)


class _TimedHTTPSConnection(http.client.HTTPSConnection):
    """Connects and shakes hands within ``connect_timeout``, then reads within ``timeout``."""

    response_class = _StrictResponse

    def __init__(self, *args: Any, connect_timeout: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connect_timeout = connect_timeout

    def connect(self) -> None:
        _connect_within(self, super().connect, self.connect_timeout)


def _use_timed_connections(stub: Any, connect_timeout: float | None) -> None:
    """Make the stub open its connections through the timed classes."""
    if stub.scheme is _HTTPSConnection:
        stub.scheme = _TimedHTTPSConnection
    elif stub.scheme is _HTTPConnection:
        stub.scheme = _TimedHTTPConnection
    else:
        return  # a stand-in (recorded cassettes in tests): leave it as it is
    stub.schemeArgs["connect_timeout"] = connect_timeout


def transient_reason(error: BaseException) -> str | None:
    """Why a vCenter call that raised ``error`` is worth another attempt, or None.

    Transient: network faults (see ``network_fault_reason``), HTTP 502/503/504 (pyVmomi raises
    them as ``HTTPException("503 Service Unavailable")``) and ``RequestCanceled``. Never:
    other vim faults (``InvalidLogin``, ``NoPermission``, ``NotAuthenticated``...).
    """
    if isinstance(error, ConnectTimeout):
        return "timed out connecting"
    if isinstance(error, vmodl.fault.RequestCanceled):
        return "request cancelled by vCenter"
    if isinstance(error, vmodl.MethodFault):
        return None
    if type(error) is http.client.HTTPException:
        status = _RETRYABLE_STATUS.match(str(error))
        if status:
            return f"HTTP {status.group(1)}"
        return None
    return network_fault_reason(error)


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
    retry: RetryPolicy | None = None
    """Runs calls again after transient faults (None: every call once)."""
    login: Callable[[], None] | None = field(default=None, repr=False)
    """One Login call, for ``relogin``."""
    relogins: int = 0
    """Times the session was logged in again after vCenter ended it."""

    def call(self, fn: Callable[[], T], what: str) -> T:
        """``fn()`` under the source's retry policy; ``what`` names the call in the log."""
        return self.retry.call(fn, what) if self.retry is not None else fn()

    def relogin(self) -> None:
        """Log in again after vCenter ended the session (``NotAuthenticated``)."""
        if self.login is None:
            raise RuntimeError("this session cannot log in again")
        self.relogins += 1
        log.info("%s: vCenter ended the session; logging in again", self.endpoint.url)
        self.stub.DropConnections()
        self.call(self.login, "Login")


def negotiate_api_version(
    endpoint: Endpoint,
    context: ssl.SSLContext | None,
    timeout: float,
    connect_timeout: float | None = None,
) -> str:
    """The newest vim25 version both pyvmomi and the server speak (from vimServiceVersions.xml)."""
    document = _fetch_service_versions(endpoint, context, timeout, connect_timeout)
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


def _connection(
    endpoint: Endpoint,
    context: ssl.SSLContext | None,
    timeout: float,
    connect_timeout: float | None,
) -> http.client.HTTPConnection:
    https = endpoint.scheme == "https"
    base = http.client.HTTPSConnection if https else http.client.HTTPConnection
    if base is _HTTPSConnection:
        return _TimedHTTPSConnection(
            endpoint.host,
            endpoint.port,
            timeout=timeout,
            context=context,
            connect_timeout=connect_timeout,
        )
    if base is _HTTPConnection:
        return _TimedHTTPConnection(
            endpoint.host, endpoint.port, timeout=timeout, connect_timeout=connect_timeout
        )
    if https:  # a stand-in (recorded cassettes in tests)
        return http.client.HTTPSConnection(
            endpoint.host, endpoint.port, timeout=timeout, context=context
        )
    return http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=timeout)


def _fetch_service_versions(
    endpoint: Endpoint,
    context: ssl.SSLContext | None,
    timeout: float,
    connect_timeout: float | None = None,
) -> bytes:
    connection = _connection(endpoint, context, timeout, connect_timeout)
    try:
        connection.request("GET", f"{endpoint.path}/vimServiceVersions.xml")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if _RETRYABLE_STATUS.match(str(response.status)):
        raise http.client.HTTPException(f"{response.status} {response.reason}")
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
    *,
    connect_timeout: float | None = None,
    retry: RetrySettings | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[VCenterSession]:
    """Log in, yield the session, and log out (unless the connection itself failed).

    ``timeout`` bounds each socket read, ``connect_timeout`` (default: ``timeout``) each
    connect and TLS handshake; ``retry`` bounds the attempts of each call.
    """
    policy = RetryPolicy(endpoint.url, retry, classify=transient_reason, sleep=sleep)
    with translate_errors(endpoint, user):
        context = tls.ssl_context() if endpoint.scheme == "https" else None
        counter = RoundTripCounter(progress=progress)

        def fetch_versions() -> str:
            counter.increment()  # the version document
            return negotiate_api_version(endpoint, context, timeout, connect_timeout)

        api_version = policy.call(fetch_versions, "vimServiceVersions.xml")
        stub = SoapAdapter.SoapStubAdapter(
            url=endpoint.explicit_url,
            version=api_version,
            sslContext=context,
            httpConnectionTimeout=timeout,
            connectionPoolTimeout=-1,
        )
        _use_timed_connections(stub, connect_timeout)
        _count_round_trips(stub, counter)
        service_instance = vim.ServiceInstance("ServiceInstance", stub)
        content: Any = policy.call(service_instance.RetrieveContent, "RetrieveServiceContent")
        if not _is_service_content(content):
            raise SourceError(
                endpoint.url,
                "did not answer like a vCenter SDK (the SOAP call returned no ServiceContent)",
                hint="check the URL: it should be the vCenter's /sdk endpoint, not a proxy page",
            )

        def login() -> None:
            # Without the cookie of an earlier attempt (whose answer may have been lost after
            # vCenter made the session): Login within a session is refused as InvalidLogin.
            stub.SetSessionId(None)
            content.sessionManager.Login(user, password.reveal(), None)

        policy.call(login, "Login")
        log.debug("logged in to %s as %s (API %s)", endpoint.url, user, api_version)
        session = VCenterSession(
            endpoint, stub, content, api_version, counter, retry=policy, login=login
        )
        failure: BaseException | None = None
        try:
            yield session
        except vim.fault.NotAuthenticated as error:
            failure = error
            again = " again after fleetreport logged in once more" if session.relogins else ""
            raise SourceError(
                endpoint.url,
                f"vCenter ended the session{again} (NotAuthenticated)",
                hint="check vCenter's session timeout, and that nothing ends other sessions",
            ) from None
        except BaseException as error:
            failure = error
            raise
        finally:
            if failure is None or not _session_unreachable(failure):
                _logout(session)
            else:
                stub.DropConnections()


def _session_unreachable(error: BaseException) -> bool:
    """True when logging out is pointless: the session or the connection is gone."""
    if isinstance(error, vim.fault.NotAuthenticated):
        return True
    if transient_reason(error) is not None:
        return True  # retries were spent on the connection: a logout would wait again
    return isinstance(error, OSError | http.client.HTTPException)


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
    except Exception as error:
        raise _translated(error, url, endpoint, user) from None


def _translated(error: Exception, url: str, endpoint: Endpoint, user: str) -> FleetReportError:
    """The one-line error for what pyvmomi, ssl or sockets raised (re-raised if unknown)."""
    tried = gave_up_note(error)
    if isinstance(error, vim.fault.InvalidLogin):
        return CredentialError(
            f"{url}: vCenter rejected the user name or password for {user!r}",
            hint="check --user and the password source",
        )
    if isinstance(error, vim.fault.NotAuthenticated):
        return SourceError(
            url,
            "vCenter ended the session (NotAuthenticated)",
            hint="check vCenter's session timeout, and that nothing ends other sessions",
        )
    if isinstance(error, vim.fault.NoPermission):
        return SourceError(
            url,
            f"user {user!r} lacks a permission ({getattr(error, 'privilegeId', '') or 'read'})",
            hint="give the account the read-only role at the vCenter root, propagated",
        )
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = error.verify_message or str(error)
        return SourceError(url, f"TLS certificate did not verify ({reason})", hint=INSECURE_HINT)
    if isinstance(error, ssl.SSLEOFError | ssl.SSLZeroReturnError):
        return SourceError(
            url,
            f"the connection was dropped during TLS{tried}",
            hint="check the network, and any proxy or load balancer on the way",
        )
    if isinstance(error, ssl.SSLError):
        reason = error.reason or str(error)
        return SourceError(url, f"TLS failed ({reason})", hint=INSECURE_HINT)
    if isinstance(error, socket.gaierror):
        return SourceError(
            url,
            f"cannot resolve host {endpoint.host!r} ({error.strerror})",
            hint="check the host name and DNS",
        )
    if isinstance(error, ConnectTimeout):
        return SourceError(
            url,
            f"timed out connecting{tried}",
            hint="check that it is reachable from here; raise --connect-timeout if slow",
        )
    if isinstance(error, TimeoutError):
        return SourceError(
            url,
            f"timed out waiting for an answer{tried}",
            hint="check that it is reachable from here; raise --timeout if slow",
        )
    if isinstance(error, ConnectionRefusedError):
        return SourceError(
            url,
            f"connection refused{tried}",
            hint="check the host name and port, and that vCenter is up",
        )
    if isinstance(error, http.client.RemoteDisconnected | ConnectionResetError):
        return SourceError(
            url,
            f"connection reset{tried}",
            hint="check the network, and any proxy or load balancer on the way",
        )
    if isinstance(error, ConnectionError | OSError):
        return SourceError(
            url,
            f"network error ({error.strerror or error}){tried}",
            hint="check that it is reachable",
        )
    if isinstance(error, http.client.IncompleteRead):
        return SourceError(
            url,
            f"an answer was cut short{tried}",
            hint="check the network, and any proxy or load balancer on the way",
        )
    if isinstance(error, http.client.HTTPException):
        status = _RETRYABLE_STATUS.match(str(error))
        if status and type(error) is http.client.HTTPException:
            return SourceError(
                url,
                f"answered HTTP {str(error).strip()}{tried}",
                hint="vCenter is starting, stopping or overloaded: try again later",
            )
        return SourceError(
            url,
            f"did not answer like a vCenter SDK ({type(error).__name__}: {error})",
            hint="check the URL: it should be the vCenter's /sdk endpoint",
        )
    if isinstance(error, vmodl.MethodFault):
        message = getattr(error, "msg", "") or ""
        return SourceError(url, f"vCenter fault {type(error).__name__}: {message}{tried}")
    if isinstance(error, ElementTree.ParseError | ExpatError) or _not_a_fault(error):
        return SourceError(
            url,
            "did not answer like a vCenter SDK (response is not SOAP XML)",
            hint="check the URL: it should be the vCenter's /sdk endpoint",
        )
    raise error


def _is_service_content(content: object) -> bool:
    """An HTML page answered with status 200 deserialises to nothing, not a ServiceContent."""
    return isinstance(content, vim.ServiceInstanceContent)


def _not_a_fault(error: Exception) -> bool:
    """pyVmomi's plain Exception for an error answer that is not a SOAP fault (an HTML page)."""
    return type(error) is Exception and str(error).startswith("Raising a non-exception object")
