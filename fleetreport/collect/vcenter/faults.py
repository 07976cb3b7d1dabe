"""What vCenter's faults mean: which are worth another attempt, and the one line each becomes.

``transient_reason`` tells the retry policy (``fleetreport.collect.retry``) which faults to try
again: network faults, HTTP 502/503/504 and ``RequestCanceled``, never other vim faults.
``translate_errors`` turns what pyVmomi, ssl, sockets and http.client raise into fleetreport's
one-line errors (``CredentialError``, ``SourceError``) with a hint and, after retries, how many
attempts were made. Unknown exceptions pass through unchanged.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from xml.parsers.expat import ExpatError

from pyVmomi import vim, vmodl

from fleetreport.collect.retry import gave_up_note, network_fault_reason
from fleetreport.collect.vcenter.transport import RETRYABLE_STATUS, ConnectTimeout
from fleetreport.endpoints import INSECURE_HINT, Endpoint, tls_failure_hint
from fleetreport.errors import CredentialError, FleetReportError, SourceError


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
        status = RETRYABLE_STATUS.match(str(error))
        if status:
            return f"HTTP {status.group(1)}"
        return None
    return network_fault_reason(error)


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
        return SourceError(url, f"TLS failed ({reason})", hint=tls_failure_hint(reason))
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
        status = RETRYABLE_STATUS.match(str(error))
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


def _not_a_fault(error: Exception) -> bool:
    """pyVmomi's plain Exception for an error answer that is not a SOAP fault (an HTML page)."""
    return type(error) is Exception and str(error).startswith("Raising a non-exception object")
