"""An HTTPS test double of a Horizon Connection Server's REST API (``/rest``).

See ``tests/fixtures/horizon/README.md`` for the data format and ``HorizonTestServer`` for the API.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .audit import audit_events
from .audit_stream import AuditStream
from .endpoints import ENDPOINTS, PROFILES
from .fields import project, projection_tree
from .filtering import filterable_fields
from .listing import ApiError, apply_filter, apply_sort, bad_request, paginate
from .sorting import sortable_fields

_ROUTE = re.compile(
    r"^/rest/(inventory|config|monitor|external)(?:/v(\d+))?/([a-z-]+(?:/[a-z-]+)?)$"
)  # one or two names after the version: /monitor/v1/licenses/usage-metrics
_REASONS = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}
_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>Horizon</title></head>"
    b'<body><h1>Please log in</h1><form action="/portal"></form></body></html>\n'
)
_JUNK = b'\x00\xff{"access_token": [1, 2,, <<not json>>\n'
_NOW = re.compile(r"^\$\{now(?:([+-])(\d+)([smhd]))?\}$")
_UNIT_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def resolve_times(value: Any, now_ms: int) -> Any:
    """Replace ``"${now}"``, ``"${now-3h}"``, ``"${now+12d}"`` (units s/m/h/d) by epoch ms."""
    if isinstance(value, dict):
        return {k: resolve_times(v, now_ms) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_times(v, now_ms) for v in value]
    if isinstance(value, str):
        m = _NOW.match(value)
        if m:
            if not m.group(1):
                return now_ms
            delta = int(m.group(2)) * _UNIT_MS[m.group(3)]
            return now_ms + delta if m.group(1) == "+" else now_ms - delta
    return value


def _default_data(collection: str, data_dir: Path) -> dict[str, Any]:
    """What a single-object endpoint answers when the data directory has no file for it.

    Environment properties get a cluster GUID of their own per data directory (two servers on
    one directory are one pod, as two Connection Servers of one cluster would be).
    """
    if collection == "config/environment-properties":
        guid = uuid.uuid5(uuid.NAMESPACE_URL, data_dir.resolve().as_uri())
        return {
            "cluster_guid": str(guid),
            "cluster_name": "Cluster-%s" % data_dir.name.upper(),
            "deployment_type": "GENERAL",
            "fips_mode_enabled": False,
            "ip_mode": "IPv4",
            "local_connection_server_build": "25120000",
            "local_connection_server_version": "8.17.0",
            "timezone_offset": 0,
        }
    if collection == "monitor/licenses/usage-metrics":
        nothing = dict.fromkeys(
            (
                "concurrent_application_sessions",
                "concurrent_collaborative_sessions",
                "concurrent_full_vm_sessions",
                "concurrent_unmanaged_vm_sessions",
                "total_collaborators",
                "total_concurrent_connections",
                "total_concurrent_sessions",
                "total_named_users",
            ),
            0,
        )
        return {"current_usage": nothing, "highest_usage": dict(nothing)}
    return {"status": "NOT_CONFIGURED"}


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # Authorization value replaced by "<redacted>"
    json: Any = None  # parsed body; a "password" is replaced by "<redacted>"
    status: int | None = None  # None if the connection was closed without an answer
    time: float = 0.0


@dataclass
class _Rule:
    pattern: re.Pattern[str]
    method: str | None
    first: int  # 1-based index of the first matching call it hits
    times: int | None  # how many calls it hits (None = all from `first` on)
    kind: str = ""
    retry_after: int = 1
    per_second: int | None = None
    seen: int = 0
    stamps: list[float] = field(default_factory=list)

    def hit(self, method: str, path: str) -> bool:
        if (self.method and self.method != method) or not self.pattern.search(path):
            return False
        self.seen += 1
        now = time.monotonic()
        if self.per_second is not None:
            self.stamps = [t for t in self.stamps if now - t < 1.0] + [now]
            return len(self.stamps) > self.per_second
        return self.seen >= self.first and (
            self.times is None or self.seen < self.first + self.times
        )


@dataclass
class _Access:
    refresh: str
    issued: float
    uses: int = 0
    revoked: bool = False


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True

    def __init__(self, owner: HorizonTestServer):
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def finish_request(self, request, client_address):
        # TLS handshake here, in the connection's own thread, not in the accept loop.
        owner = self.owner
        me = threading.current_thread()
        with owner._lock:
            owner._workers.add(me)
            owner._connections.add(request)
        request.settimeout(30)
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms ACK stalls
        conn = None
        try:
            conn = owner._ssl_context.wrap_socket(request, server_side=True)
            with owner._lock:
                owner._connections.add(conn)
            self.RequestHandlerClass(conn, client_address, self)
        except (ssl.SSLError, OSError):
            pass
        finally:
            with owner._lock:
                owner._connections.discard(request)
                owner._connections.discard(conn)
                owner._workers.discard(me)
            if conn is not None:
                with contextlib.suppress(OSError):
                    conn.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "HorizonTestServer"

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):  # quiet
        pass

    def _dispatch(self):
        self.server.owner._handle(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch


class HorizonTestServer:
    """HTTPS Horizon REST test server on 127.0.0.1 (random port), serving ``data_dir``.

    ``profile``: ``"2111"`` or ``"2512"``: which endpoint versions exist.
    ``credentials``: ``{"username", "password", "domain"}``; default: ``data_dir/credentials.json``.
    ``token_ttl_requests``: an access token answers this many authenticated requests, then 401.
    ``token_ttl_seconds`` / ``refresh_ttl_seconds``: lifetimes in seconds (None = forever).
    ``default_page_size``: records returned by a capped list called without page/size.
    ``total_count_header``: send ``X-TOTAL-COUNT`` on paged lists.
    ``cert_hostnames``: names in the server certificate (default 127.0.0.1 and localhost);
    ``wrong_hostname=True`` uses a certificate for ``wrong-host.example.test`` only.
    ``strict_password_array``: an array password must be single characters (Jackson char[]).
    ``more_records_header`` / ``more_records_value``: the name and value sent for "more pages
    exist" (default ``HAS_MORE_RECORDS: TRUE``, as the vendor's guide spells it); another
    spelling (``has_more_records``, ``true``) is how a proxy or another release may send it.
    ``now``: epoch milliseconds that ``${now...}`` placeholders in the data are relative to
    (default: the time the server object is created).
    Audit events are built from ``audit_events.json`` and the sessions (``audit.py``); set
    ``data["event_database"]["status"] = "NOT_CONFIGURED"`` for a pod without an event database
    (its audit events then answer 409, the only error status both specs list besides 401/429).
    ``audit_stream``: serve the audit events from this generator instead (``audit_stream.py``:
    large pods, generated page by page; ``audit_events.json`` and the sessions are not used).
    """

    def __init__(
        self,
        data_dir,
        *,
        profile: str = "2512",
        credentials: dict | None = None,
        token_ttl_requests: int | None = None,
        token_ttl_seconds: float | None = None,
        refresh_ttl_seconds: float | None = None,
        default_page_size: int = 1000,
        total_count_header: bool = True,
        cert_hostnames: tuple[str, ...] | None = None,
        wrong_hostname: bool = False,
        strict_password_array: bool = True,
        now: int | None = None,
        audit_stream: AuditStream | None = None,
        more_records_header: str = "HAS_MORE_RECORDS",
        more_records_value: str = "TRUE",
    ):
        if profile not in PROFILES:
            raise ValueError("profile must be one of %s" % (PROFILES,))
        self.profile = profile
        self.data_dir = Path(data_dir)
        self.now_ms = int(time.time() * 1000) if now is None else int(now)
        #: collection data, by file stem (``"machines"``); tests may change it while running.
        self.data: dict[str, Any] = {}
        for ep in ENDPOINTS.values():
            f = self.data_dir / ep.data_file
            default: Any = _default_data(ep.collection, self.data_dir) if ep.single else []
            loaded = json.loads(f.read_text("utf-8")) if f.exists() else default
            self.data[f.stem] = resolve_times(loaded, self.now_ms)
        self.data["audit_events"] = audit_events(
            self.data["audit_events"],
            self.data["sessions"],
            self.data["machines"],
            self.data["desktop_pools"],
        )
        self.audit_stream = audit_stream
        if credentials is None:
            cred_file = self.data_dir / "credentials.json"
            if not cred_file.exists():
                raise ValueError("no credentials given and no %s" % cred_file)
            credentials = json.loads(cred_file.read_text("utf-8"))
        self.credentials = dict(credentials)
        self.token_ttl_requests = token_ttl_requests
        self.token_ttl_seconds = token_ttl_seconds
        self.refresh_ttl_seconds = refresh_ttl_seconds
        self.default_page_size = default_page_size
        self.total_count_header = total_count_header
        self.strict_password_array = strict_password_array
        self.more_records_header = more_records_header
        self.more_records_value = more_records_value
        if wrong_hostname:
            cert_hostnames = ("wrong-host.example.test",)
        self.cert_hostnames = tuple(cert_hostnames or ("127.0.0.1", "localhost"))
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.ca_file: str | None = None
        self.requests: list[RecordedRequest] = []
        self._lock = threading.RLock()
        self._access: dict[str, _Access] = {}
        self._refresh_tokens: dict[str, float] = {}  # valid refresh token -> issue time
        self._faults: list[_Rule] = []
        self._changes: list[list[Any]] = []  # [path regex, page, change, times left]
        self._throttles: list[_Rule] = []
        self._connections: set = set()  # open sockets, shut down by stop()
        self._workers: set = set()  # connection threads, joined by stop()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tmpdir: str | None = None

    @property
    def event_database_configured(self) -> bool:
        """False when the event database monitor says ``NOT_CONFIGURED``: audit events 409."""
        return self.data.get("event_database", {}).get("status") != "NOT_CONFIGURED"

    # ----------------------------------------------------------------- lifecycle
    @property
    def url(self) -> str:
        return "https://%s:%d/rest" % (self.host, self.port)

    @property
    def base_url(self) -> str:
        return "https://%s:%d" % (self.host, self.port)

    def start(self) -> HorizonTestServer:
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert(*self.cert_hostnames)
        self._tmpdir = tempfile.mkdtemp(prefix="horizon-test-server-")
        self.ca_file = os.path.join(self._tmpdir, "ca.pem")
        ca.cert_pem.write_to_path(self.ca_file)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(ctx)
        self._ssl_context = ctx
        self._httpd = _HTTPServer(self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="horizon-test-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()  # no new connections
        self._httpd.server_close()
        with self._lock:
            conns, workers = list(self._connections), list(self._workers)
        for conn in conns:  # wake threads waiting on keep-alive reads
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for t in workers:
            t.join(5)
        self._thread.join(5)
        self._httpd = self._thread = None
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> HorizonTestServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------- test controls
    def expire_access_tokens(self) -> None:
        """Every access token issued so far answers 401 from now on."""
        with self._lock:
            for a in self._access.values():
                a.revoked = True

    def invalidate_refresh_tokens(self) -> None:
        """Every refresh token issued so far is refused (/refresh answers 400)."""
        with self._lock:
            self._refresh_tokens.clear()

    def throttle(
        self,
        path_regex: str,
        on_call: int | None = None,
        retry_after: int = 1,
        *,
        times: int = 1,
        per_second: int | None = None,
        method: str | None = None,
    ) -> None:
        """Answer 429 to matching requests: the ``on_call``-th one (1-based, counted from now)
        and the ``times - 1`` after it; or, with ``per_second``, every one beyond that many in
        any one-second window."""
        first = 1 if on_call is None else on_call
        with self._lock:
            self._throttles.append(
                _Rule(
                    re.compile(path_regex),
                    method,
                    first,
                    times,
                    retry_after=retry_after,
                    per_second=per_second,
                )
            )

    def fault(
        self,
        path_regex: str,
        kind: str = "html",
        times: int | None = None,
        *,
        on_call: int = 1,
        method: str | None = None,
    ) -> None:
        """Misbehave on matching requests, from the ``on_call``-th on, ``times`` times (None =
        forever): ``html`` (200 text/html page), ``junk`` (200 application/json, not JSON),
        ``close`` (drop the connection, no answer), ``status:NNN`` (that status, error body)."""
        if kind not in ("html", "junk", "close") and not re.fullmatch(r"status:\d{3}", kind):
            raise ValueError("unknown fault kind %r" % kind)
        with self._lock:
            self._faults.append(_Rule(re.compile(path_regex), method, on_call, times, kind=kind))

    def change_after_page(self, path_regex: str, page: int, change, times: int = 1) -> None:
        """Each time a matching list's ``page`` has been answered, up to ``times`` times, call
        ``change(self.data)``: the estate changes between that page and the next, as a live
        pod's does (``times=2``: it changes again while the list is read once more)."""
        with self._lock:
            self._changes.append([re.compile(path_regex), page, change, times])

    def _apply_changes(self, path: str, query: dict[str, list[str]]) -> None:
        page = (query.get("page") or [""])[-1]
        with self._lock:
            due = [c for c in self._changes if c[0].search(path) and str(c[1]) == page]
            for change in due:
                change[3] -= 1
                if change[3] == 0:
                    self._changes.remove(change)
                change[2](self.data)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._throttles.clear()

    def calls(self, path_regex: str = "", method: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [
                r
                for r in self.requests
                if re.search(path_regex, r.path) and (method is None or r.method == method)
            ]

    def clear_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def issued_tokens(self) -> set[str]:
        """Every access and refresh token issued so far, revoked ones included: what a
        client's output (a snapshot, a log) must never contain."""
        with self._lock:
            access = set(self._access)
            return access | {a.refresh for a in self._access.values()} | set(self._refresh_tokens)

    # ------------------------------------------------------------------ handling
    def _send(
        self,
        h,
        status: int,
        body: bytes,
        ctype: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            if k == "HAS_MORE_RECORDS":  # the listings' spelling, sent as configured
                k, v = self.more_records_header, self.more_records_value
            h.send_header(k, v)
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)

    @staticmethod
    def error_body(status: int, key: str, message: str) -> dict[str, Any]:
        return {
            "status": _REASONS.get(status, str(status)),
            "timestamp": int(time.time() * 1000),
            "errors": [{"error_key": key, "error_message": message}],
        }

    def _handle(self, h) -> None:
        parts = urlsplit(h.path)
        path, query = parts.path, parse_qs(parts.query, keep_blank_values=True)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        shown = copy.deepcopy(body)
        if isinstance(shown, dict) and "password" in shown:
            shown["password"] = "<redacted>"
        headers = {
            k: ("<redacted>" if k.lower() == "authorization" else v) for k, v in h.headers.items()
        }
        rec = RecordedRequest(h.command, path, query, headers, shown, None, time.time())
        with self._lock:
            self.requests.append(rec)
            fault = next((f for f in self._faults if f.hit(h.command, path)), None)
            throttle = (
                None
                if fault
                else next((t for t in self._throttles if t.hit(h.command, path)), None)
            )
        if fault is not None:
            if fault.kind == "close":
                h.close_connection = True
                with contextlib.suppress(OSError):
                    h.connection.shutdown(socket.SHUT_RDWR)
                return None
            if fault.kind == "html":
                rec.status = 200
                return self._send(h, 200, _HTML, "text/html;charset=UTF-8")
            if fault.kind == "junk":
                rec.status = 200
                return self._send(h, 200, _JUNK)
            status = int(fault.kind.split(":")[1])
            err = ApiError(status, "rest.test.fault", "injected fault")
        elif throttle is not None:
            err = ApiError(
                429,
                "rest.throttle.too.many.requests",
                "Too many requests, retry after %d seconds" % throttle.retry_after,
                {"X-Rate-Limit-Retry-After-Seconds": str(throttle.retry_after)},
            )
        else:
            try:
                status, payload, extra = self._route(h, path, query, body)
                rec.status = status
                data = b"" if payload is None else json.dumps(payload).encode("utf-8")
                self._apply_changes(path, query)  # after this page was computed
                return self._send(h, status, data, headers=extra)
            except ApiError as e:
                err = e
        rec.status = err.status
        self._send(
            h,
            err.status,
            json.dumps(self.error_body(err.status, err.error_key, err.message)).encode("utf-8"),
            headers=err.headers,
        )
        return None

    def _route(self, h, path, query, body):
        method = h.command
        if path in ("/rest/login", "/rest/refresh", "/rest/logout"):
            if method != "POST":
                raise ApiError(405, "rest.method.not.allowed", "use POST")
            action = {
                "/rest/login": self._login,
                "/rest/refresh": self._do_refresh,
                "/rest/logout": self._logout,
            }[path]
            return action(body)
        self._authenticate(h)
        m = _ROUTE.match(path)
        ep = ENDPOINTS.get("%s/%s" % (m.group(1), m.group(3))) if m else None
        if ep is None:
            raise ApiError(404, "rest.api.not.found", "no API at %s" % path)
        if m.group(2) is None:
            version = 1 if ep.unversioned_v1 else 0
        else:
            version = 0 if ep.unversioned_v1 and m.group(2) == "1" else int(m.group(2))
        if not version or not ep.has_version(self.profile, version):
            raise ApiError(404, "rest.api.not.found", "no API at %s" % path)
        if method != "GET":
            raise ApiError(405, "rest.method.not.allowed", "method %s not supported" % method)
        return self._list(ep, version, query)

    def _list(self, ep, version, query):
        tree = projection_tree(ep.collection, version)
        source = self.data[Path(ep.data_file).stem]
        if ep.single:
            return 200, project(source, tree), {}
        if ep.collection == "external/audit-events" and not self.event_database_configured:
            raise ApiError(
                409, "rest.event.database.not.configured", "Event database not configured"
            )
        if ep.collection == "external/audit-events" and self.audit_stream is not None:
            sortable = ep.is_sortable(self.profile, version)
            return self.audit_stream.answer(
                query,
                tree,
                filterable_fields(ep.collection, version),
                sortable_fields(ep.collection, version) if sortable else None,
                capped=ep.capped,
                default_page_size=self.default_page_size,
                total_count=self.total_count_header,
            )
        records = [project(r, tree) for r in source]
        if ep.by_ids and "ids" in query:
            wanted = set(query["ids"])
            records = [r for r in records if r.get("id") in wanted]
        if not records and ep.empty_status is not None:
            raise ApiError(
                ep.empty_status, "rest.pod.cpa.not.initialized", "CPA not initialized for the pod"
            )
        if ep.group_only and "group_only" in query:
            want = query["group_only"][-1].lower()
            if want not in ("true", "false"):
                raise bad_request("rest.param.invalid", "group_only must be true or false")
            records = [r for r in records if bool(r.get("group")) == (want == "true")]
        if not ep.is_paged(version):
            return 200, records, {}
        if "filter" in query:
            records = apply_filter(
                records, query["filter"][-1], filterable_fields(ep.collection, version)
            )
        if ep.is_sortable(self.profile, version):
            records = apply_sort(
                records,
                (query.get("sort_by") or [None])[-1],
                (query.get("order_by") or [None])[-1],
                sortable_fields(ep.collection, version),
            )
        total = len(records)
        page, more = paginate(
            records, query, capped=ep.capped, default_page_size=self.default_page_size
        )
        headers = {}
        if more:
            headers["HAS_MORE_RECORDS"] = "TRUE"
        if self.total_count_header:
            headers["X-TOTAL-COUNT"] = str(total)
        return 200, page, headers

    # ---------------------------------------------------------------------- auth
    def _new_access(self, refresh: str) -> str:
        token = secrets.token_urlsafe(32)
        self._access[token] = _Access(refresh, time.monotonic())
        return token

    def _check_password(self, given: Any) -> bool:
        if isinstance(given, list):
            if not all(isinstance(c, str) for c in given):
                raise bad_request("rest.auth.bad.request", "password must be strings")
            if self.strict_password_array and any(len(c) != 1 for c in given):
                raise bad_request(
                    "rest.auth.bad.request",
                    "Cannot convert a JSON String of length > 1 into a char element of char array",
                )
            given = "".join(given)
        elif not isinstance(given, str):
            raise bad_request("rest.auth.bad.request", "password must be a string")
        return secrets.compare_digest(given.encode(), str(self.credentials["password"]).encode())

    def _login(self, body):
        if not isinstance(body, dict) or not all(
            k in body for k in ("username", "password", "domain")
        ):
            raise bad_request("rest.auth.bad.request", "username, password and domain are required")
        if not all(isinstance(body[k], str) for k in ("username", "domain")):
            raise bad_request("rest.auth.bad.request", "username and domain must be strings")
        c = self.credentials
        ok = self._check_password(body["password"])
        if not (
            ok
            and body["username"].lower() == str(c["username"]).lower()
            and body["domain"].lower() == str(c["domain"]).lower()
        ):
            raise ApiError(401, "rest.auth.login.failed", "Invalid user credentials.")
        with self._lock:
            refresh = secrets.token_urlsafe(48)
            self._refresh_tokens[refresh] = time.monotonic()
            return 200, {"access_token": self._new_access(refresh), "refresh_token": refresh}, {}

    def _valid_refresh(self, body) -> str:
        token = body.get("refresh_token") if isinstance(body, dict) else None
        if not isinstance(token, str):
            raise bad_request("rest.auth.bad.request", "refresh_token is required")
        issued = self._refresh_tokens.get(token)
        if issued is None or (
            self.refresh_ttl_seconds is not None
            and time.monotonic() - issued >= self.refresh_ttl_seconds
        ):
            raise bad_request(
                "rest.auth.refresh.token.invalid", "Refresh token is invalid or expired."
            )
        return token

    def _do_refresh(self, body):
        with self._lock:
            token = self._valid_refresh(body)
            return 200, {"access_token": self._new_access(token)}, {}

    def _logout(self, body):
        with self._lock:
            token = self._valid_refresh(body)
            del self._refresh_tokens[token]
            for a in self._access.values():
                if a.refresh == token:
                    a.revoked = True
        return 200, None, {}

    def _authenticate(self, h) -> None:
        auth = h.headers.get("Authorization") or ""
        if not auth.startswith("Bearer "):
            raise ApiError(401, "rest.auth.token.missing", "User is not authenticated.")
        with self._lock:
            a = self._access.get(auth[7:].strip())
            if a is None or a.revoked:
                raise ApiError(401, "rest.auth.token.invalid", "User is not authenticated.")
            if (
                self.token_ttl_seconds is not None
                and time.monotonic() - a.issued >= self.token_ttl_seconds
            ) or (self.token_ttl_requests is not None and a.uses >= self.token_ttl_requests):
                raise ApiError(401, "rest.auth.token.expired", "Access token has expired.")
            a.uses += 1
