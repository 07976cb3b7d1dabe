"""A logged-in Horizon REST session: tokens, refresh, paging, throttling, version discovery.

Every call goes through the source's retry policy (``fleetreport.collect.retry``): refused,
reset or dropped connections, answers cut short, timeouts and HTTP 502/503/504 are tried again
with backoff, and HTTP 429 waits ``X-Rate-Limit-Retry-After-Seconds`` as the server asks; all
within the same attempts and time bound. A 401 is answered by a refresh (then a fresh login)
once per call, inside the attempt; 401 after that, 403 and rejected logins are never retried.
"""

from __future__ import annotations

import functools
import json
import logging
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from fleetreport.collect.horizon.api import PAGE_SIZE, Collection
from fleetreport.collect.progress import SourceProgress
from fleetreport.collect.retry import RetryPolicy, RetrySettings, TransientFault, causes
from fleetreport.endpoints import INSECURE_HINT, Endpoint, TlsOptions, tls_failure_hint
from fleetreport.errors import CredentialError, FleetReportError, SourceError
from fleetreport.secrets import Secret

log = logging.getLogger(__name__)

MAX_THROTTLE_SECONDS = 60.0
RETRYABLE_STATUS = (502, 503, 504)
MAX_PAGES = 100_000
NOT_FOUND = object()


class _ContextAdapter(HTTPAdapter):
    """Uses fleetreport's SSLContext (system CAs plus --ca-file) for every connection."""

    def __init__(self, context: Any) -> None:
        self._context = context
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)


@dataclass
class _CallState:
    """What one call (over all its attempts) has done about authentication."""

    refreshed: bool = False


class HorizonClient:
    """One Connection Server session. Use as a context manager: logs in, always logs out.

    ``timeout`` bounds each read and ``connect_timeout`` (default: ``timeout``) each connect;
    ``retry`` bounds the attempts of each call; ``sleep`` waits between attempts.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        user: str,
        domain: str,
        password: Secret,
        tls: TlsOptions,
        timeout: float,
        sleep: Callable[[float], None] = time.sleep,
        page_size: int = PAGE_SIZE,
        progress: SourceProgress | None = None,
        *,
        connect_timeout: float | None = None,
        retry: RetrySettings | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoint = endpoint
        self.user = user
        self.domain = domain
        self._password = password
        self._timeout = (connect_timeout if connect_timeout is not None else timeout, timeout)
        self.retry = RetryPolicy(endpoint.url, retry, sleep=sleep, clock=clock)
        self._in_call = False
        self._unreachable = False  # the last request failed on the network itself
        self._page_size = page_size
        self._access: Secret | None = None
        self._refresh: Secret | None = None
        self.round_trips = 0
        self._progress = progress
        self.versions: dict[str, str] = {}
        self._http = requests.Session()
        self._http.trust_env = False  # TLS and routing exactly as fleetreport's options say
        self._verify = tls.verify
        if endpoint.scheme == "https":
            self._http.mount("https://", _ContextAdapter(tls.ssl_context()))

    def __enter__(self) -> HorizonClient:
        self.login()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.logout()
        self._http.close()

    # -- authentication -------------------------------------------------------------------

    def login(self) -> None:
        """``POST /login``; the password goes as a string, as the vendor's guide sends it."""
        body = {"username": self.user, "password": self._password.reveal(), "domain": self.domain}
        response = self._send("POST", "/login", json_body=body, authenticated=False)
        if response.status_code in (400, 401, 403):
            raise CredentialError(
                f"{self.endpoint.url}: Horizon rejected the user name or password for"
                f" {self.domain}\\{self.user}",
                hint="check --horizon-user, --horizon-domain and the password source",
            )
        tokens = self._json(response, "/login")
        access, refresh = tokens.get("access_token"), tokens.get("refresh_token")
        if not isinstance(access, str) or not isinstance(refresh, str):
            raise self._not_horizon("the login answer has no tokens")
        self._access, self._refresh = Secret(access), Secret(refresh)
        log.debug("logged in to %s as %s\\%s", self.endpoint.url, self.domain, self.user)

    def _refresh_or_login(self) -> None:
        if self._refresh is not None:
            response = self._send(
                "POST",
                "/refresh",
                json_body={"refresh_token": self._refresh.reveal()},
                authenticated=False,
            )
            if response.status_code == 200:
                token = self._json(response, "/refresh").get("access_token")
                if isinstance(token, str):
                    self._access = Secret(token)
                    log.debug("access token refreshed")
                    return
        log.debug("refresh failed; logging in again")
        self.login()

    def logout(self) -> None:
        """``POST /logout``, best effort and never retried: collection is over already."""
        if self._refresh is None:
            return
        if self._unreachable:  # it would only wait for the same fault again
            log.debug("not logging out of %s: it cannot be reached", self.endpoint.url)
            self._access = self._refresh = None
            return
        try:
            self._send(
                "POST",
                "/logout",
                json_body={"refresh_token": self._refresh.reveal()},
                authenticated=True,
                retry=False,
            )
        except (FleetReportError, TransientFault, requests.RequestException) as error:
            log.debug("logout from %s failed: %s", self.endpoint.url, error)
        self._access = self._refresh = None

    # -- reading --------------------------------------------------------------------------

    def read(self, collection: Collection) -> Any:
        """All records of ``collection`` from the newest version this server has.

        Returns NOT_FOUND when no version exists on this server.
        """
        for version in range(collection.newest, 0, -1):
            path = collection.path_for(version)
            first = self._get(path, self._page_params(collection, 1))
            if first.status_code == 404:
                continue
            self.versions[collection.key] = f"v{version}"
            if collection.none_status is not None and first.status_code == collection.none_status:
                log.debug("%s answered HTTP %d: none on this pod", path, first.status_code)
                return []
            if collection.single:
                return self._checked(first, path)
            if not collection.paged:
                return self._checked_list(first, path)
            return self._read_pages(collection, path, first)
        return NOT_FOUND

    def newest(self, collection: Collection, params: dict[str, Any]) -> tuple[str, Any] | None:
        """The newest version of ``collection`` this server has and its first answer to
        ``params`` (page 1 if paged); None when no version exists (every one answered 404)."""
        for version in range(collection.newest, 0, -1):
            path = collection.path_for(version)
            paging = {"page": 1, "size": self._page_size} if collection.paged else {}
            first = self._get(path, {**params, **paging})
            if first.status_code != 404:
                self.versions[collection.key] = f"v{version}"
                return path, first
        return None

    def page_one(self, path: str, params: dict[str, Any]) -> requests.Response:
        """Page 1 of the paged list at ``path``, asked with ``params``."""
        return self._get(path, {**params, "page": 1, "size": self._page_size})

    def pages(self, path: str, first: Any, params: dict[str, Any]) -> Iterator[list[Any]]:
        """Page after page of ``path`` from its ``first`` answer, one list at a time, so a
        caller can fold them without holding them all. Raises SourceError on a bad answer."""
        response, page = first, 1
        while True:
            batch = self._checked_list(response, path)
            if self._progress is not None:
                self._progress.page(len(batch))
            yield batch
            more = response.headers.get("HAS_MORE_RECORDS", "").strip().upper() == "TRUE"
            if not more or not batch or page >= MAX_PAGES:
                return
            page += 1
            response = self._get(path, {**params, "page": page, "size": self._page_size})
            if response.status_code == 400:  # a page past the end
                return

    def _page_params(self, collection: Collection, page: int) -> dict[str, Any] | None:
        if not collection.paged:
            return None
        params: dict[str, Any] = {"page": page, "size": self._page_size}
        if collection.sort_by:
            params.update(sort_by=collection.sort_by, order_by="ASC")
        return params

    def _read_pages(self, collection: Collection, path: str, first: requests.Response) -> Any:
        """Every page; read once more if the list changed between pages (records repeated, or
        a different total), since a page boundary that moved may also have skipped a record."""
        records, drifted = self._one_pass(collection, path, first)
        if not drifted:
            return records
        log.warning("%s: the list changed while it was paged through; reading it again", path)
        again, drifted = self._one_pass(
            collection, path, self._get(path, self._page_params(collection, 1))
        )
        if not drifted:
            return again
        log.warning(
            "%s: the list changed again; keeping every record seen in either read, once each",
            path,
        )
        return _union_by_id(again, records)

    def _one_pass(
        self, collection: Collection, path: str, first: requests.Response
    ) -> tuple[list[Any], bool]:
        """The records of one read through the pages, each id once, and whether it drifted."""
        records: list[Any] = []
        seen_ids: set[str] = set()
        repeated = 0
        totals: set[str] = set()
        response, page = first, 1
        while True:
            batch = self._checked_list(response, path)
            total = response.headers.get("X-TOTAL-COUNT")
            if total and total.isdecimal():
                totals.add(total)
            if self._progress is not None:
                self._progress.page(len(batch))
            for record in batch:
                key = record.get("id") if isinstance(record, dict) else None
                if isinstance(key, str) and key in seen_ids:
                    repeated += 1
                    continue
                if isinstance(key, str):
                    seen_ids.add(key)
                records.append(record)
            more = response.headers.get("HAS_MORE_RECORDS", "").strip().upper() == "TRUE"
            if not more or not batch or page >= MAX_PAGES:
                break
            page += 1
            response = self._get(path, self._page_params(collection, page))
            if response.status_code == 400:  # a page past the end
                break
        if repeated:
            log.warning(
                "%s: %d record(s) came twice as the list changed between pages; kept once",
                path,
                repeated,
            )
        if len(totals) == 1 and not repeated:
            (total,) = totals
            if int(total) != len(records):
                log.warning("%s: server said %s records, %d were read", path, total, len(records))
        return records, bool(repeated) or len(totals) > 1

    def checked_list(self, response: requests.Response, path: str) -> list[Any]:
        """The list a 200 answer holds; SourceError otherwise."""
        return self._checked_list(response, path)

    def _checked_list(self, response: requests.Response, path: str) -> list[Any]:
        records = self._checked(response, path)
        if not isinstance(records, list):
            raise self._not_horizon(f"{path} did not answer a list")
        return records

    def _get(self, path: str, params: dict[str, Any] | None) -> requests.Response:
        return self._send("GET", path, params=params, authenticated=True)

    def _checked(self, response: requests.Response, path: str) -> Any:
        if response.status_code == 403:
            raise SourceError(
                self.endpoint.url,
                f"user {self.domain}\\{self.user} may not read {path} (HTTP 403)",
                hint="give the account at least the Administrators (Read only) role",
            )
        if response.status_code != 200:
            raise SourceError(
                self.endpoint.url,
                f"{path} answered HTTP {response.status_code}",
                hint="check the Connection Server's health",
            )
        return self._json(response, path)

    # -- transport ------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: dict[str, Any] | None = None,
        authenticated: bool,
        retry: bool = True,
    ) -> requests.Response:
        """One call under the retry policy, with 401 -> refresh -> login inside each attempt.

        A call made while another is in progress (the refresh or login of a 401) is attempted
        once: its transient fault fails the outer attempt, which the outer call retries.
        """
        attempt = functools.partial(
            self._attempt, method, path, params, json_body, authenticated, _CallState()
        )
        if not retry or self._in_call:
            return attempt()
        self._in_call = True
        try:
            return self.retry.call(attempt, path)
        finally:
            self._in_call = False

    def _attempt(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json_body: dict[str, Any] | None,
        authenticated: bool,
        state: _CallState,
    ) -> requests.Response:
        while True:
            headers = {"Accept": "application/json"}
            if authenticated and self._access is not None:
                headers["Authorization"] = f"Bearer {self._access.reveal()}"
            response = self._transmit(method, path, params, json_body, headers)
            status = response.status_code
            if status == 401 and authenticated and not state.refreshed:
                self._refresh_or_login()
                state.refreshed = True
                continue
            if status == 401 and authenticated:
                raise CredentialError(
                    f"{self.endpoint.url}: Horizon refused the session for {path} (HTTP 401)",
                    hint="check the account's roles and that it is not locked",
                )
            if status == 429:
                raise TransientFault(
                    "throttled (HTTP 429)",
                    retry_after=_retry_after(response),
                    final=SourceError(
                        self.endpoint.url,
                        f"{path} stayed throttled (HTTP 429)",
                        hint="run again later or outside business hours",
                    ),
                )
            if status in RETRYABLE_STATUS:
                raise TransientFault(
                    f"HTTP {status}",
                    final=SourceError(
                        self.endpoint.url,
                        f"{path} answered HTTP {status}",
                        hint="check the Connection Server's health",
                    ),
                )
            return response

    def _transmit(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json_body: dict[str, Any] | None,
        headers: dict[str, str],
    ) -> requests.Response:
        self.round_trips += 1
        if self._progress is not None:
            self._progress.round_trip()
        url = f"{self.endpoint.explicit_url}{path}"
        try:
            response = self._http.request(
                method,
                url,
                params=params,
                json=json_body,
                headers=headers,
                timeout=self._timeout,
                verify=self._verify,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            failure = self._transport_error(error, path)
            self._unreachable = isinstance(failure, TransientFault)
            raise failure from None
        self._unreachable = False
        return response

    def _transport_error(
        self, error: requests.RequestException, path: str
    ) -> TransientFault | SourceError:
        """A transient fault to retry, or the one-line error for ``error``."""
        url = self.endpoint.url
        if _dropped(error):
            return TransientFault(
                "connection dropped",
                final=SourceError(
                    url,
                    "the connection was dropped",
                    hint="check the network, and any proxy or load balancer on the way",
                ),
            )
        if isinstance(error, requests.exceptions.SSLError):
            said = str(error)
            if "match" in said.lower() and "hostname" in said.lower():
                return SourceError(
                    url, "TLS certificate does not match the host name", hint=INSECURE_HINT
                )
            if "CERTIFICATE_VERIFY_FAILED" in said:
                return SourceError(url, "TLS certificate did not verify", hint=INSECURE_HINT)
            openssl_reason = _tls_reason(error)
            return SourceError(
                url, f"TLS failed ({openssl_reason})", hint=tls_failure_hint(openssl_reason)
            )
        if isinstance(error, requests.exceptions.ConnectTimeout):
            return _transient(
                url,
                "timed out connecting",
                "timed out connecting",
                "check that it is reachable from here; raise --connect-timeout if slow",
            )
        read_timeout = _transient(
            url,
            "timed out",
            f"timed out reading {path}",
            "raise --timeout if the Connection Server is slow",
        )
        if isinstance(error, requests.exceptions.ReadTimeout):
            return read_timeout
        if isinstance(error, requests.exceptions.ChunkedEncodingError):
            return _transient(
                url,
                "answer cut short",
                f"the answer to {path} was cut short",
                "check the network, and any proxy or load balancer on the way",
            )
        if isinstance(error, requests.exceptions.ConnectionError):
            text = str(error)
            if "Name or service not known" in text or "NameResolutionError" in text:
                return SourceError(
                    url,
                    f"cannot resolve host {self.endpoint.host!r}",
                    hint="check the host name and DNS",
                )
            if "timed out" in text.lower():  # a read that timed out in the body
                return read_timeout
            if "refused" in text.lower():
                return _transient(
                    url, "connection refused", "connection refused", "check the host name and port"
                )
            return _transient(
                url, "connection reset", "connection failed", "check that it is reachable from here"
            )
        return SourceError(url, f"request failed ({type(error).__name__})")

    def _json(self, response: requests.Response, path: str) -> Any:
        kind = response.headers.get("Content-Type", "unknown").split(";")[0].strip()
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise self._not_horizon(f"{path} answered {kind}, not JSON") from None

    def _not_horizon(self, detail: str) -> SourceError:
        return SourceError(
            self.endpoint.url,
            f"did not answer like a Horizon REST API ({detail})",
            hint="check the URL: it should be the Connection Server's /rest endpoint",
        )


def _union_by_id(newer: list[Any], older: list[Any]) -> list[Any]:
    """``newer``, then the records of ``older`` whose id ``newer`` lacks."""
    ids = {r.get("id") for r in newer if isinstance(r, dict)}
    return newer + [r for r in older if not (isinstance(r, dict) and r.get("id") in ids)]


def _dropped(error: BaseException) -> bool:
    """A TLS connection that ended without its close message: the peer went away."""
    return any(
        isinstance(cause, ssl.SSLEOFError | ssl.SSLZeroReturnError)
        or "UNEXPECTED_EOF_WHILE_READING" in str(cause)
        or "EOF occurred in violation of protocol" in str(cause)
        for cause in causes(error)
    )


def _tls_reason(error: BaseException) -> str:
    """OpenSSL's reason for a failed handshake (``WRONG_VERSION_NUMBER``), else the type."""
    for cause in causes(error):
        if isinstance(cause, ssl.SSLError) and cause.reason:
            return str(cause.reason)
    return type(error).__name__


def _transient(url: str, reason: str, message: str, hint: str) -> TransientFault:
    """A fault worth another attempt: ``reason`` for the retry log, and the one-line error
    (``message`` with ``hint``) if no attempt is left."""
    return TransientFault(reason, final=SourceError(url, message, hint=hint))


def _retry_after(response: requests.Response) -> float:
    raw = response.headers.get("X-Rate-Limit-Retry-After-Seconds") or response.headers.get(
        "Retry-After", "1"
    )
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_THROTTLE_SECONDS)
