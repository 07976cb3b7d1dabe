"""A TCP proxy on loopback that puts network faults between a client and a test server.

The proxy forwards raw bytes and never terminates TLS: the client still verifies the real
server's certificate. Point the client at ``proxy.url_for(server_url)`` (``127.0.0.1`` and the
proxy's port; the simulator's and the Horizon test server's certificates cover 127.0.0.1)::

    with FaultProxy.for_url(server.url) as proxy:
        proxy.on_connection(1, "drop")
        collect(proxy.url_for(server.url))

Faults are planned before (or during) a run (``times``: how many occurrences, where given):

* ``on_connection(n, action)``: the n-th accepted connection (1-based, counted from the start)
  is ``drop``ped at once (a TCP reset), ``stall``ed (accepted, never answered: the client
  times out), or ``kill``s the proxy.
* ``after_bytes(n, action)``: once ``n`` bytes of answers have been forwarded to clients (over
  all connections), the connection carrying the next byte gets exactly up to byte ``n`` and is
  then closed (``drop``: an answer cut short mid-stream), left hanging (``stall``), or the proxy
  is killed (``kill``). This is how TLS traffic, whose requests the proxy cannot see, is cut.
* ``on_request(n, action, match=...)``, only with ``http=True`` (plain HTTP, parsed exactly):
  the n-th request (counting only requests whose bytes match the ``match`` regex, if given) is
  ``drop``ped before it reaches the server, ``stall``ed (forwarded, but the answer is held
  back: the server did the work, the client times out), ``truncate``d (forwarded, and only the
  first half of the answer is passed on before the connection is closed), answered with
  ``status:NNN`` by the proxy itself (the server never sees it), or ``kill``s the proxy.
* ``kill()``: close the listener and every connection; from then on connecting is refused.

``connections``, ``requests``, ``bytes_to_client`` and ``fired`` (what happened, in order) are
there for assertions. ``stop()`` (or leaving the ``with`` block) ends every thread.
"""

from __future__ import annotations

import contextlib
import re
import selectors
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

_ACTIONS = ("drop", "stall", "kill")
_REQUEST_ACTIONS = ("drop", "stall", "truncate", "kill")
_STATUS = re.compile(r"status:(\d{3})")
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
_REASONS.update({504: "Gateway Timeout", 429: "Too Many Requests"})
_CHUNK = 65536
_IDLE = 60.0  # a safety net: stop() and kill() wake blocked sockets by shutting them down


@dataclass
class _Rule:
    action: str
    first: int
    times: int
    match: re.Pattern[bytes] | None = None
    seen: int = 0

    def hit(self, data: bytes = b"") -> bool:
        if self.match is not None and not self.match.search(data):
            return False
        self.seen += 1
        return self.first <= self.seen < self.first + self.times


@dataclass
class _ByteRule:
    action: str
    offset: int
    fired: bool = False


@dataclass
class _Conn:
    index: int
    client: socket.socket
    upstream: socket.socket | None = None
    sockets: list[socket.socket] = field(default_factory=list)


class _Closed(Exception):
    """The connection ended (either side, or a fault)."""


class _Reader:
    """Buffered reads from a socket, for HTTP framing."""

    def __init__(self, sock: socket.socket, stopping: threading.Event) -> None:
        self.sock = sock
        self.buffer = b""
        self.stopping = stopping

    def _fill(self) -> bool:
        while not self.stopping.is_set():
            try:
                data = self.sock.recv(_CHUNK)
            except OSError:
                return False
            if not data:
                return False
            self.buffer += data
            return True
        return False

    def until(self, delimiter: bytes) -> bytes:
        while delimiter not in self.buffer:
            if not self._fill():
                raise _Closed
        head, _, self.buffer = self.buffer.partition(delimiter)
        return head + delimiter

    def exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            if not self._fill():
                raise _Closed
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def rest(self) -> bytes:
        while self._fill():
            pass
        data, self.buffer = self.buffer, b""
        return data


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    pairs = (line.split(":", 1) for line in lines if ":" in line)
    return {name.strip().lower(): value.strip() for name, value in pairs}


def _read_chunked(reader: _Reader) -> bytes:
    raw = b""
    while True:
        size_line = reader.until(b"\r\n")
        raw += size_line
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while True:  # trailers, up to the empty line
                line = reader.until(b"\r\n")
                raw += line
                if line == b"\r\n":
                    return raw
        raw += reader.exactly(size + 2)


def _read_message(reader: _Reader, *, request: bool, method: str = "GET") -> tuple[bytes, bool]:
    """One HTTP message (raw bytes) and whether the connection closes after it."""
    head = reader.until(b"\r\n\r\n")
    headers = _headers(head)
    closes = headers.get("connection", "").lower() == "close"
    if not request:
        status = int(head.split(b" ", 2)[1])
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return head, closes
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return head + _read_chunked(reader), closes
    if "content-length" in headers:
        return head + reader.exactly(int(headers["content-length"])), closes
    if request:
        return head, closes
    return head + reader.rest(), True  # delimited by the end of the connection


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset rather than an orderly end."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class FaultProxy:
    """A loopback TCP proxy to ``upstream_host:upstream_port`` with planned faults."""

    def __init__(self, upstream_host: str, upstream_port: int, *, http: bool = False) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.http = http
        self.host = "127.0.0.1"
        self.port = 0
        self.connections = 0
        self.requests = 0
        self.bytes_to_client = 0
        self.fired: list[str] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._killed = False
        self._connection_rules: list[_Rule] = []
        self._request_rules: list[_Rule] = []
        self._byte_rules: list[_ByteRule] = []
        self._open: dict[int, _Conn] = {}
        self._threads: list[threading.Thread] = []
        self._listener: socket.socket | None = None

    @classmethod
    def for_url(cls, url: str) -> FaultProxy:
        """A proxy to the server of ``url``; plain-HTTP parsing when the URL is ``http://``."""
        parts = urlsplit(url)
        default = 443 if parts.scheme == "https" else 80
        return cls(
            parts.hostname or "127.0.0.1", parts.port or default, http=parts.scheme == "http"
        )

    def url_for(self, url: str) -> str:
        """``url`` with its host and port replaced by the proxy's."""
        parts = urlsplit(url)
        return urlunsplit(parts._replace(netloc=f"{self.host}:{self.port}"))

    # -- plans --------------------------------------------------------------------------

    def on_connection(self, n: int, action: str, *, times: int = 1) -> None:
        """``drop``, ``stall`` or ``kill`` at the n-th accepted connection (``times`` of them)."""
        if action not in _ACTIONS:
            raise ValueError(f"unknown connection action {action!r}")
        with self._lock:
            self._connection_rules.append(_Rule(action, n, times))

    def after_bytes(self, n: int, action: str) -> None:
        """``drop``, ``stall`` or ``kill`` once ``n`` bytes went to clients (all connections)."""
        if action not in _ACTIONS:
            raise ValueError(f"unknown byte action {action!r}")
        with self._lock:
            self._byte_rules.append(_ByteRule(action, n))

    def on_request(
        self, n: int, action: str, *, times: int = 1, match: bytes | str | None = None
    ) -> None:
        """A fault at the n-th (matching) request; plain HTTP only (``http=True``)."""
        if not self.http:
            raise ValueError("request faults need plain HTTP (http=True): TLS hides requests")
        if action not in _REQUEST_ACTIONS and not _STATUS.fullmatch(action):
            raise ValueError(f"unknown request action {action!r}")
        pattern = None
        if match is not None:
            pattern = re.compile(match.encode() if isinstance(match, str) else match)
        with self._lock:
            self._request_rules.append(_Rule(action, n, times, pattern))

    def clear(self) -> None:
        """Forget every planned fault (the counters go on)."""
        with self._lock:
            self._connection_rules.clear()
            self._request_rules.clear()
            self._byte_rules.clear()

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> FaultProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, 0))
        listener.listen(64)
        listener.settimeout(0.05)
        self._listener = listener
        self.port = listener.getsockname()[1]
        self._spawn(self._accept_loop, "fault-proxy-accept")
        return self

    def stop(self) -> None:
        """Close everything and end every thread (idempotent)."""
        self._stopping.set()
        self._close_listener()
        self._close_connections()
        for thread in list(self._threads):
            if thread is not threading.current_thread():
                thread.join(5)

    def kill(self) -> None:
        """The server dies for good: connections are closed and new ones refused."""
        with self._lock:
            if self._killed:
                return
            self._killed = True
            self.fired.append("kill")
        self._close_listener()
        self._close_connections()

    @property
    def killed(self) -> bool:
        return self._killed

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _spawn(self, target: Callable[..., None], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _close_listener(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # refuse from now on, and wake accept()
            with contextlib.suppress(OSError):
                listener.close()

    def _close_connections(self) -> None:
        with self._lock:
            conns = list(self._open.values())
        for conn in conns:
            for sock in [conn.client, *conn.sockets]:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()

    # -- serving ------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            listener = self._listener
            if listener is None:
                return
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                if self._killed or self._stopping.is_set():
                    _reset(client)
                    return
                self.connections += 1
                index = self.connections
                conn = _Conn(index, client)
                self._open[index] = conn
            self._spawn(self._serve, f"fault-proxy-{index}", conn)

    def _serve(self, conn: _Conn) -> None:
        client = conn.client
        try:
            client.settimeout(_IDLE)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            action = self._connection_action(conn.index)
            if action == "drop":
                _reset(client)
                return
            if action == "kill":
                self.kill()
                return
            if action == "stall":
                self._hold(client)
                return
            upstream = socket.create_connection(self.upstream, timeout=5)
            upstream.settimeout(_IDLE)
            upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.upstream = upstream
            conn.sockets.append(upstream)
            if self.http:
                self._serve_http(conn, upstream)
            else:
                self._pump(conn, upstream)
        except (_Closed, OSError, ValueError):  # ValueError: a socket stop() already closed
            pass
        finally:
            with self._lock:
                self._open.pop(conn.index, None)
            for sock in [client, *conn.sockets]:
                with contextlib.suppress(OSError):
                    sock.close()

    def _connection_action(self, index: int) -> str | None:
        with self._lock:
            for rule in self._connection_rules:
                if rule.hit():
                    self.fired.append(f"connection {index}: {rule.action}")
                    return rule.action
        return None

    def _hold(self, sock: socket.socket) -> None:
        """Keep the connection open and answer nothing until the client or the proxy ends it."""
        while not self._stopping.is_set() and not self._killed:
            try:
                if not sock.recv(_CHUNK):
                    return
            except OSError:
                return

    def _deliver(self, client: socket.socket, data: bytes) -> None:
        """Forward an answer's bytes, applying ``after_bytes`` faults; raises _Closed to end."""
        action = None
        with self._lock:
            allowed = len(data)
            for rule in self._byte_rules:
                if not rule.fired and self.bytes_to_client + len(data) > rule.offset:
                    rule.fired = True
                    allowed = max(0, rule.offset - self.bytes_to_client)
                    action = rule.action
                    self.fired.append(f"after {rule.offset} bytes: {rule.action}")
                    break
            self.bytes_to_client += allowed
        if allowed:
            client.sendall(data[:allowed])
        if action == "drop":
            _reset(client)
            raise _Closed
        if action == "kill":
            self.kill()
            raise _Closed
        if action == "stall":
            self._hold(client)
            raise _Closed

    def _pump(self, conn: _Conn, upstream: socket.socket) -> None:
        client = conn.client
        with selectors.DefaultSelector() as selector:
            selector.register(client, selectors.EVENT_READ)
            selector.register(upstream, selectors.EVENT_READ)
            while not self._stopping.is_set() and not self._killed:
                for key, _ in selector.select(timeout=0.1):
                    source = key.fileobj
                    data = source.recv(_CHUNK)  # type: ignore[union-attr]
                    if not data:
                        raise _Closed
                    if source is client:
                        upstream.sendall(data)
                    else:
                        self._deliver(client, data)

    def _request_action(self, request: bytes) -> str | None:
        with self._lock:
            self.requests += 1
            for rule in self._request_rules:
                if rule.hit(request):
                    self.fired.append(f"request {self.requests}: {rule.action}")
                    return rule.action
        return None

    def _serve_http(self, conn: _Conn, upstream: socket.socket) -> None:
        client = conn.client
        from_client = _Reader(client, self._stopping)
        from_server = _Reader(upstream, self._stopping)
        while not self._stopping.is_set():
            request, client_closes = _read_message(from_client, request=True)
            method = request.split(b" ", 1)[0].decode("latin-1")
            action = self._request_action(request)
            if action == "drop":
                _reset(client)
                return
            if action == "kill":
                self.kill()
                return
            status = _STATUS.fullmatch(action or "")
            if status:
                self._deliver(client, _status_answer(int(status.group(1))))
                if client_closes:
                    return
                continue
            upstream.sendall(request)
            if action == "stall":
                self._hold(client)
                return
            answer, server_closes = _read_message(from_server, request=False, method=method)
            if action == "truncate":
                self._deliver(client, answer[: len(answer) // 2])
                client.shutdown(socket.SHUT_WR)  # an orderly end, mid-answer
                return
            self._deliver(client, answer)
            if client_closes or server_closes:
                return


def _status_answer(status: int) -> bytes:
    reason = _REASONS.get(status, "Error")
    body = f"{status} {reason}\n".encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body
