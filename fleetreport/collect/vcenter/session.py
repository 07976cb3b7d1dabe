"""A logged-in vCenter SOAP session: version negotiation, login, retried calls, logout.

``open_session`` negotiates the vim25 version, logs in and yields a ``VCenterSession``; every
SOAP call that can safely be repeated goes through the source's retry policy
(``fleetreport.collect.retry``): the version document, RetrieveServiceContent, Login, and the
PropertyCollector calls. A session that vCenter ends mid-collection (``NotAuthenticated``) is
logged in again once (``VCenterSession.relogin``); logging out is best effort and never retried.
The connections come from ``transport``, the one-line errors from ``faults``.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import ssl
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pyVmomi import SoapAdapter, VmomiSupport, vim

from fleetreport.collect.progress import SourceProgress
from fleetreport.collect.retry import RetryPolicy, RetrySettings
from fleetreport.collect.vcenter.faults import transient_reason, translate_errors
from fleetreport.collect.vcenter.transport import (
    RoundTripCounter,
    count_round_trips,
    fetch_service_versions,
    use_timed_connections,
)
from fleetreport.endpoints import Endpoint, TlsOptions
from fleetreport.errors import SourceError
from fleetreport.secrets import Secret

log = logging.getLogger(__name__)

T = TypeVar("T")


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
    document = fetch_service_versions(endpoint, context, timeout, connect_timeout)
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
        use_timed_connections(stub, connect_timeout)
        count_round_trips(stub, counter)
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


def _logout(session: VCenterSession) -> None:
    try:
        session.content.sessionManager.Logout()
    except Exception as error:  # logging out is best effort; the data is already read
        log.debug("logout from %s failed: %s", session.endpoint.url, error)
    with contextlib.suppress(Exception):
        session.stub.DropConnections()


def _is_service_content(content: object) -> bool:
    """An HTML page answered with status 200 deserialises to nothing, not a ServiceContent."""
    return isinstance(content, vim.ServiceInstanceContent)
