"""How fleetreport talks HTTP to one vCenter: timed connections, strict responses, round trips.

pyVmomi's SoapStubAdapter has one ``httpConnectionTimeout`` for everything, so fleetreport
gives the stub its own connection classes that connect (TCP and the TLS handshake) within the
connect timeout and then read within the read timeout; their responses raise ``IncompleteRead``
when a body ends early instead of returning short. The same classes fetch the version document
(``vimServiceVersions.xml``), and every request is counted (``RoundTripCounter``). Nothing here
logs in or translates faults: that is ``session`` and ``faults``.
"""

from __future__ import annotations

import http.client
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fleetreport.collect.progress import SourceProgress
from fleetreport.endpoints import Endpoint
from fleetreport.errors import SourceError

RETRYABLE_STATUS = re.compile(r"^\s*(50[234])\b")
"""The HTTP statuses (502, 503, 504) that mean "try again later", at the start of a text."""

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


def use_timed_connections(stub: Any, connect_timeout: float | None) -> None:
    """Make the stub open its connections through the timed classes."""
    if stub.scheme is _HTTPSConnection:
        stub.scheme = _TimedHTTPSConnection
    elif stub.scheme is _HTTPConnection:
        stub.scheme = _TimedHTTPConnection
    else:
        return  # a stand-in (recorded cassettes in tests): leave it as it is
    stub.schemeArgs["connect_timeout"] = connect_timeout


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


def count_round_trips(stub: Any, counter: RoundTripCounter) -> None:
    """Make every SOAP call the stub sends count one round trip on ``counter``."""
    invoke = stub.InvokeMethod

    def counting_invoke(*args: Any, **kwargs: Any) -> Any:
        counter.increment()
        return invoke(*args, **kwargs)

    stub.InvokeMethod = counting_invoke


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


def fetch_service_versions(
    endpoint: Endpoint,
    context: ssl.SSLContext | None,
    timeout: float,
    connect_timeout: float | None = None,
) -> bytes:
    """The body of ``/sdk/vimServiceVersions.xml``; 502/503/504 raise as ``HTTPException``."""
    connection = _connection(endpoint, context, timeout, connect_timeout)
    try:
        connection.request("GET", f"{endpoint.path}/vimServiceVersions.xml")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if RETRYABLE_STATUS.match(str(response.status)):
        raise http.client.HTTPException(f"{response.status} {response.reason}")
    if response.status != 200:
        raise SourceError(
            endpoint.url,
            f"did not answer like a vCenter SDK"
            f" (HTTP {response.status} for vimServiceVersions.xml)",
            hint="check the URL: it should be the vCenter's /sdk endpoint",
        )
    return body
