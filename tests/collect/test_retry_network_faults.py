"""Which network faults are retried, on real sockets on 127.0.0.1, and what each is called.

Permanent faults (a TLS handshake failure other than certificate verification, such as
https pointed at a plain-HTTP port; a permission error) are attempted once and keep their own
message; a refused connection keeps its own name; a real timeout is retried and called one.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import ssl
import threading
import warnings
from collections.abc import Callable, Iterator

import pytest
import trustme

from fleetreport.collect.horizon.client import HorizonClient
from fleetreport.collect.retry import RetryPolicy, RetrySettings, network_fault_reason
from fleetreport.collect.vcenter.session import open_session
from fleetreport.endpoints import (
    INSECURE_HINT,
    NO_SHARED_TLS_HINT,
    NOT_TLS_HINT,
    TlsOptions,
    parse_endpoint,
    tls_failure_hint,
)
from fleetreport.errors import SourceError
from fleetreport.secrets import Secret

ATTEMPTS = 3
SETTINGS = RetrySettings(attempts=ATTEMPTS, total_seconds=30.0, first_wait=0.01, max_wait=0.01)
TIMEOUT = 0.3  # seconds a silent server is waited for


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections and answers each with ``reply``
    (bytes sent after the first read, then closed) or, when ``reply`` is None, never answers."""

    def __init__(self, reply: bytes | None) -> None:
        self.reply = reply
        self.connections = 0
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.05)
        self.port: int = self._socket.getsockname()[1]
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(5)
        for conn in self._held:
            conn.close()
        self._socket.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            if self.reply is None:
                self._held.append(conn)  # accepted, never answered
                continue
            with conn, contextlib.suppress(OSError):
                conn.settimeout(2)
                self.answer(conn)

    def answer(self, conn: socket.socket) -> None:
        assert self.reply is not None
        conn.recv(4096)
        conn.sendall(self.reply)


class OldTlsListener(Listener):
    """A server that speaks only TLS 1.0 and 1.1, as vCenter 6.0 and Horizon 7 did by
    default: a client that asks for TLS 1.2 or later shares no protocol version with it."""

    def __init__(self) -> None:
        super().__init__(b"")
        authority = trustme.CA()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0 and 1.1 are, rightly
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.minimum_version = ssl.TLSVersion.TLSv1
            self.context.maximum_version = ssl.TLSVersion.TLSv1_1
        self.context.set_ciphers("DEFAULT:@SECLEVEL=0")
        authority.issue_cert("127.0.0.1").configure_cert(self.context)

    def answer(self, conn: socket.socket) -> None:
        self.context.wrap_socket(conn, server_side=True).close()


PLAIN_HTTP = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
CLOSE_NOTIFY = b"\x15\x03\x03\x00\x02\x01\x00"
"""A TLS alert record (TLS 1.2 framing), warning level, close_notify: the session is closed."""


@pytest.fixture
def plain_http() -> Iterator[Listener]:
    """A plain-HTTP server: a TLS client's hello gets an HTTP answer (wrong version number)."""
    with Listener(PLAIN_HTTP) as listener:
        yield listener


@pytest.fixture
def closing() -> Iterator[Listener]:
    """A balancer in front of the pod that ends each TLS session at the client's hello."""
    with Listener(CLOSE_NOTIFY) as listener:
        yield listener


@pytest.fixture
def hanging_up() -> Iterator[Listener]:
    """A server that reads the client's hello and closes the connection without a word."""
    with Listener(b"") as listener:
        yield listener


@pytest.fixture
def old_tls() -> Iterator[Listener]:
    with OldTlsListener() as listener:
        yield listener


@pytest.fixture
def silent() -> Iterator[Listener]:
    with Listener(None) as listener:
        yield listener


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: connecting is refused."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


def raised(action: Callable[[], object]) -> OSError:
    with pytest.raises(OSError) as caught:
        action()
    return caught.value


def tls_handshake(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as raw:
        ssl.create_default_context().wrap_socket(raw, server_hostname="127.0.0.1")


def handshake_reason() -> str:
    """OpenSSL's name for a TLS hello answered in plain HTTP (``WRONG_VERSION_NUMBER``)."""
    with Listener(PLAIN_HTTP) as listener:
        error = raised(lambda: tls_handshake(listener.port))
    assert isinstance(error, ssl.SSLError) and error.reason
    return str(error.reason)


def read_silence(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as raw:
        raw.settimeout(0.05)
        raw.recv(1)


# ------------------------------------------------------------ the classifier and the policy


def test_a_tls_handshake_with_a_plain_http_port_is_permanent(plain_http: Listener) -> None:
    error = raised(lambda: tls_handshake(plain_http.port))
    assert isinstance(error, ssl.SSLError)
    assert not isinstance(error, ssl.SSLCertVerificationError | ssl.SSLEOFError)
    assert network_fault_reason(error) is None


def test_a_permission_error_is_permanent() -> None:
    """No portable real one exists for root or on every OS: the errno a firewall gives."""
    assert network_fault_reason(PermissionError(errno.EACCES, "Permission denied")) is None


def test_a_refused_connection_is_called_refused(closed_port: int) -> None:
    error = raised(lambda: socket.create_connection(("127.0.0.1", closed_port), timeout=2))
    assert isinstance(error, ConnectionRefusedError)
    assert network_fault_reason(error) == "connection refused"


def test_a_real_timeout_is_called_a_timeout(silent: Listener) -> None:
    error = raised(lambda: read_silence(silent.port))
    assert isinstance(error, TimeoutError)
    assert network_fault_reason(error) == "timed out"


@pytest.mark.parametrize("kind", ["tls to plain http", "permission"])
def test_the_policy_attempts_a_permanent_fault_once_and_raises_it_as_it_is(
    kind: str, plain_http: Listener
) -> None:
    error: OSError = (
        raised(lambda: tls_handshake(plain_http.port))
        if kind == "tls to plain http"
        else PermissionError(errno.EACCES, "Permission denied")
    )
    message = str(error)
    calls: list[int] = []
    sleeps: list[float] = []

    def broken() -> None:
        calls.append(1)
        raise error

    policy = RetryPolicy(
        "https://x/sdk", SETTINGS, classify=network_fault_reason, sleep=sleeps.append
    )
    with pytest.raises(type(error)) as caught:
        policy.call(broken, "Login")
    assert caught.value is error and str(caught.value) == message
    assert calls == [1] and sleeps == [] and not getattr(error, "__notes__", None)


# ------------------------------------------------------------- vCenter, end to end


def vcenter(url: str, sleeps: list[float]) -> SourceError:
    endpoint = parse_endpoint(url, default_path="/sdk", option="--vcenter")
    with (
        pytest.raises(SourceError) as caught,
        open_session(
            endpoint,
            "reader",
            Secret("pw"),
            TlsOptions(),
            TIMEOUT,
            connect_timeout=2.0,
            retry=SETTINGS,
            sleep=sleeps.append,
        ),
    ):
        pass
    return caught.value


def test_vcenter_https_at_a_plain_http_port_fails_at_once_as_tls(plain_http: Listener) -> None:
    sleeps: list[float] = []
    line = vcenter(f"https://127.0.0.1:{plain_http.port}/sdk", sleeps).one_line()
    assert f"TLS failed ({handshake_reason()})" in line
    assert "timed out" not in line and "attempts in" not in line
    assert plain_http.connections == 1 and sleeps == []
    # --ca-file or --insecure cannot help a port that does not speak TLS
    assert line.endswith(f"(hint: {NOT_TLS_HINT})")


def test_vcenter_a_connection_dropped_at_the_hello_is_retried_and_says_where_to_look(
    hanging_up: Listener,
) -> None:
    """A balancer or firewall that hangs up on the TLS hello: retried, then called a dropped
    connection, with a hint about what is on the way (no certificate option can help)."""
    sleeps: list[float] = []
    line = vcenter(f"https://127.0.0.1:{hanging_up.port}/sdk", sleeps).one_line()
    assert f"the connection was dropped during TLS ({ATTEMPTS} attempts in" in line
    assert line.endswith("(hint: check the network, and any proxy or load balancer on the way)")
    assert hanging_up.connections == ATTEMPTS and len(sleeps) == ATTEMPTS - 1


def test_vcenter_refused_keeps_its_name(closed_port: int) -> None:
    sleeps: list[float] = []
    line = vcenter(f"http://127.0.0.1:{closed_port}/sdk", sleeps).one_line()
    assert f"connection refused ({ATTEMPTS} attempts in" in line and "timed out" not in line
    assert len(sleeps) == ATTEMPTS - 1


def test_vcenter_silent_is_retried_and_called_a_timeout(silent: Listener) -> None:
    sleeps: list[float] = []
    line = vcenter(f"http://127.0.0.1:{silent.port}/sdk", sleeps).one_line()
    assert f"timed out waiting for an answer ({ATTEMPTS} attempts in" in line
    assert silent.connections == ATTEMPTS and len(sleeps) == ATTEMPTS - 1


# ------------------------------------------------------------- Horizon, end to end


def horizon(url: str, sleeps: list[float]) -> SourceError:
    endpoint = parse_endpoint(url, default_path="/rest", option="--horizon")
    client = HorizonClient(
        endpoint,
        "reader",
        "EXAMPLE",
        Secret("pw"),
        TlsOptions(),
        timeout=TIMEOUT,
        connect_timeout=2.0,
        retry=SETTINGS,
        sleep=sleeps.append,
    )
    with pytest.raises(SourceError) as caught, client:
        pass
    return caught.value


def test_horizon_https_at_a_plain_http_port_fails_at_once_as_tls(plain_http: Listener) -> None:
    sleeps: list[float] = []
    line = horizon(f"https://127.0.0.1:{plain_http.port}/rest", sleeps).one_line()
    assert f"TLS failed ({handshake_reason()})" in line and "TLS TLS" not in line
    assert "timed out" not in line and "attempts in" not in line
    assert plain_http.connections == 1 and sleeps == []
    assert line.endswith(f"(hint: {NOT_TLS_HINT})")


@pytest.mark.parametrize("source", ["vcenter", "horizon"])
def test_no_tls_version_in_common_is_said_and_not_retried(source: str, old_tls: Listener) -> None:
    sleeps: list[float] = []
    if source == "vcenter":
        error = vcenter(f"https://127.0.0.1:{old_tls.port}/sdk", sleeps)
    else:
        error = horizon(f"https://127.0.0.1:{old_tls.port}/rest", sleeps)
    line = error.one_line()
    assert "TLS failed (" in line and line.endswith(f"(hint: {NO_SHARED_TLS_HINT})")
    assert old_tls.connections == 1 and sleeps == []


@pytest.mark.parametrize(
    ("reason", "hint"),
    [
        ("WRONG_VERSION_NUMBER", NOT_TLS_HINT),
        ("[SSL: RECORD_LAYER_FAILURE] record layer failure (_ssl.c:1000)", NOT_TLS_HINT),
        ("TLSV1_ALERT_PROTOCOL_VERSION", NO_SHARED_TLS_HINT),
        ("unsupported_protocol", NO_SHARED_TLS_HINT),
        ("SSLV3_ALERT_HANDSHAKE_FAILURE", NO_SHARED_TLS_HINT),
        ("TLSV1_ALERT_UNKNOWN_CA", INSECURE_HINT),
        ("SSLError", INSECURE_HINT),
    ],
)
def test_a_tls_failure_hint_fits_its_reason(reason: str, hint: str) -> None:
    """OpenSSL's reason, or its whole message when Python gives no reason."""
    assert tls_failure_hint(reason) == hint


def test_horizon_refused_keeps_its_name(closed_port: int) -> None:
    sleeps: list[float] = []
    line = horizon(f"http://127.0.0.1:{closed_port}/rest", sleeps).one_line()
    assert f"connection refused ({ATTEMPTS} attempts in" in line and "timed out" not in line
    assert line.endswith("(hint: check the host name and port)")
    assert len(sleeps) == ATTEMPTS - 1


def test_horizon_a_tls_session_closed_at_the_hello_is_retried_as_dropped(
    closing: Listener,
) -> None:
    """A clean close (``SSLZeroReturnError``, no EOF text) is a dropped connection, not a TLS
    failure that ``--insecure`` could fix."""
    assert isinstance(raised(lambda: tls_handshake(closing.port)), ssl.SSLZeroReturnError)
    closing.connections = 0
    sleeps: list[float] = []
    line = horizon(f"https://127.0.0.1:{closing.port}/rest", sleeps).one_line()
    assert f"the connection was dropped ({ATTEMPTS} attempts in" in line
    assert "TLS" not in line and "insecure" not in line
    assert closing.connections == ATTEMPTS and len(sleeps) == ATTEMPTS - 1


def test_horizon_an_unknown_host_names_the_url_and_the_host() -> None:
    """``.invalid`` never resolves (RFC 6761): the error starts with the URL asked for."""
    sleeps: list[float] = []
    error = horizon("https://cs01.example.invalid/rest", sleeps)
    assert error.source == "https://cs01.example.invalid/rest"
    assert error.one_line() == (
        "https://cs01.example.invalid/rest: cannot resolve host 'cs01.example.invalid'"
        " (hint: check the host name and DNS)"
    )
    assert sleeps == []


def test_horizon_silent_is_retried_and_called_a_timeout(silent: Listener) -> None:
    sleeps: list[float] = []
    line = horizon(f"http://127.0.0.1:{silent.port}/rest", sleeps).one_line()
    assert f"timed out reading /login ({ATTEMPTS} attempts in" in line
    assert silent.connections == ATTEMPTS and len(sleeps) == ATTEMPTS - 1
