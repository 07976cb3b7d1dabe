"""A logged-in Horizon REST session: tokens, refresh, paging, throttling, version discovery."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from fleetreport.collect.horizon.api import PAGE_SIZE, Collection
from fleetreport.collect.progress import SourceProgress
from fleetreport.credentials import Secret
from fleetreport.endpoints import Endpoint, TlsOptions
from fleetreport.errors import CredentialError, FleetReportError, SourceError

log = logging.getLogger(__name__)

MAX_THROTTLE_WAITS = 5
MAX_THROTTLE_SECONDS = 60.0
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


class HorizonClient:
    """One Connection Server session. Use as a context manager: logs in, always logs out."""

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
    ) -> None:
        self.endpoint = endpoint
        self.user = user
        self.domain = domain
        self._password = password
        self._timeout = timeout
        self._sleep = sleep
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
        """``POST /logout``, best effort: collection is finished or failed already."""
        if self._refresh is None:
            return
        try:
            self._send(
                "POST",
                "/logout",
                json_body={"refresh_token": self._refresh.reveal()},
                authenticated=True,
            )
        except (FleetReportError, requests.RequestException) as error:
            log.debug("logout from %s failed: %s", self.endpoint.url, error)
        self._access = self._refresh = None

    # -- reading --------------------------------------------------------------------------

    def read(self, collection: Collection) -> Any:
        """All records of ``collection`` from the newest version this server has.

        Returns NOT_FOUND when no version exists on this server.
        """
        for version in range(collection.newest, 0, -1):
            path = collection.path_for(version)
            first = self._get(
                path, {"page": 1, "size": self._page_size} if collection.paged else None
            )
            if first.status_code == 404:
                continue
            self.versions[collection.key] = f"v{version}"
            if collection.single:
                return self._checked(first, path)
            return list(self._pages(collection, path, first))
        return NOT_FOUND

    def _pages(self, collection: Collection, path: str, first: requests.Response) -> Iterator[Any]:
        response, page = first, 1
        seen = 0
        while True:
            records = self._checked(response, path)
            if not isinstance(records, list):
                raise self._not_horizon(f"{path} did not answer a list")
            if self._progress is not None:
                self._progress.page(len(records))
            yield from records
            seen += len(records)
            more = response.headers.get("HAS_MORE_RECORDS", "").strip().upper() == "TRUE"
            if not collection.paged or not more or not records or page >= MAX_PAGES:
                break
            page += 1
            response = self._get(path, {"page": page, "size": self._page_size})
            if response.status_code == 400:  # a page past the end
                break
        total = first.headers.get("X-TOTAL-COUNT")
        if total and total.isdigit() and int(total) != seen:
            log.warning("%s: server said %s records, %d were read", path, total, seen)

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
    ) -> requests.Response:
        """One call with 401 -> refresh -> login, and 429 waits as the server asks."""
        refreshed = False
        throttled = 0
        while True:
            headers = {"Accept": "application/json"}
            if authenticated and self._access is not None:
                headers["Authorization"] = f"Bearer {self._access.reveal()}"
            response = self._transmit(method, path, params, json_body, headers)
            if response.status_code == 401 and authenticated and not refreshed:
                refreshed = True
                self._refresh_or_login()
                continue
            if response.status_code == 429 and throttled < MAX_THROTTLE_WAITS:
                throttled += 1
                wait = _retry_after(response)
                log.info("%s throttled; waiting %.1f s as the server asks", path, wait)
                self._sleep(wait)
                continue
            if response.status_code == 401 and authenticated:
                raise CredentialError(
                    f"{self.endpoint.url}: Horizon refused the session for {path} (HTTP 401)",
                    hint="check the account's roles and that it is not locked",
                )
            if response.status_code == 429:
                raise SourceError(
                    self.endpoint.url,
                    f"{path} stayed throttled (HTTP 429)",
                    hint="run again later or outside business hours",
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
            return self._http.request(
                method,
                url,
                params=params,
                json=json_body,
                headers=headers,
                timeout=self._timeout,
                verify=self._verify,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as error:
            reason = (
                "certificate did not verify"
                if "CERTIFICATE_VERIFY_FAILED" in str(error)
                else "TLS failed"
            )
            if "match" in str(error).lower() and "hostname" in str(error).lower():
                reason = "certificate does not match the host name"
            raise SourceError(
                self.endpoint.url,
                f"TLS {reason}",
                hint="add the server's CA with --ca-file PEM, or skip checking with --insecure",
            ) from None
        except requests.exceptions.ConnectTimeout:
            raise SourceError(
                self.endpoint.url,
                "timed out connecting",
                hint="check that it is reachable from here; raise --timeout if slow",
            ) from None
        except requests.exceptions.ReadTimeout:
            raise SourceError(
                self.endpoint.url,
                f"timed out reading {path}",
                hint="raise --timeout if the Connection Server is slow",
            ) from None
        except requests.exceptions.ConnectionError as error:
            text = str(error)
            if "Name or service not known" in text or "NameResolutionError" in text:
                message = f"cannot resolve host {self.endpoint.host!r}"
                hint = "check the host name and DNS"
            elif "refused" in text.lower():
                message, hint = "connection refused", "check the host name and port"
            else:
                message, hint = "connection failed", "check that it is reachable from here"
            raise SourceError(self.endpoint.url, message, hint=hint) from None
        except requests.RequestException as error:
            raise SourceError(
                self.endpoint.url, f"request failed ({type(error).__name__})"
            ) from None

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


def _retry_after(response: requests.Response) -> float:
    raw = response.headers.get("X-Rate-Limit-Retry-After-Seconds") or response.headers.get(
        "Retry-After", "1"
    )
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_THROTTLE_SECONDS)
