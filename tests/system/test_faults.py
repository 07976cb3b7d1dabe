"""Network faults between fleetreport and its sources: transient ones are retried, the rest fail.

Every fault ends either in a complete snapshot equal to one collected without faults, or in one
clear line naming the source (exit 1, nothing written), and never hangs past the bound (each
call is run in a thread joined with a deadline). The faults come from a TCP proxy on loopback
(``support.fault_proxy``), from the Horizon test server's own fault plans, and from the vCenter
simulator's session expiry; the retry policy itself is tested with an injected clock and sleep.
"""

from __future__ import annotations

import dataclasses
import http.client
import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from xml.parsers.expat import ExpatError

import pytest
from pyVmomi import vim, vmodl
from support.fault_proxy import FaultProxy
from support.horizon_server import EXAMPLE_DATA, HorizonTestServer
from support.vcsim import VcsimServer, start_vcsim

from fleetreport.cli import main
from fleetreport.collect.horizon.client import HorizonClient
from fleetreport.collect.horizon.collector import collect_horizon
from fleetreport.collect.progress import SourceProgress
from fleetreport.collect.retry import RetryPolicy, RetrySettings, TransientFault
from fleetreport.collect.run import Collection, HorizonTarget, VCenterTarget, collect_all
from fleetreport.collect.vcenter.faults import transient_reason
from fleetreport.collect.vcenter.transport import ConnectTimeout
from fleetreport.endpoints import TlsOptions, parse_endpoint
from fleetreport.errors import CredentialError, ExitCode, SourceError
from fleetreport.secrets import Secret
from fleetreport.snapshot import Snapshot, load_snapshot
from fleetreport.snapshot.store import parse_snapshot, snapshot_to_json

T = TypeVar("T")

FAST = RetrySettings(attempts=4, total_seconds=4.0, first_wait=0.05, max_wait=0.2)
"""Small bounds for the tests that go through collect_all."""
TIMEOUTS: dict[str, Any] = {"timeout": 1.0, "connect_timeout": 1.0}
MARGIN = 15.0
"""Slack over a configured bound before a call counts as hung (a slow CI machine)."""
FAST_BOUND = FAST.total_seconds + 2 * 1.0 + MARGIN
CLI_BOUND = RetrySettings().total_seconds + 2 * 1.0 + MARGIN
"""The CLI keeps the default policy (5 attempts, 60 s); the tests give it 1 s timeouts."""
RETRIEVE = rb"<(\w+:)?RetrievePropertiesEx[ >]"
CONTINUE = rb"<(\w+:)?ContinueRetrievePropertiesEx[ >]"
LOGIN = rb"<(\w+:)?Login[ >]"


# ------------------------------------------------------------------------------- helpers


def within(seconds: float, fn: Callable[[], T]) -> T:
    """``fn()`` in a thread; fails the test if it is still running after ``seconds``."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(fn())
        except BaseException as error:  # re-raised in the test's thread
            errors.append(error)

    thread = threading.Thread(target=run, name="bounded-call", daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds:.0f} s: it hangs past its bound"
    if errors:
        raise errors[0]
    return results[0]


def vc_target(url: str, server: VcsimServer, **options: Any) -> VCenterTarget:
    endpoint = parse_endpoint(url, default_path="/sdk", option="--vcenter")
    tls = TlsOptions(ca_file=server.ca_file) if server.ca_file else TlsOptions()
    return VCenterTarget(endpoint, server.username, Secret(server.password), tls, **options)


def hz_target(url: str, server: HorizonTestServer, **options: Any) -> HorizonTarget:
    endpoint = parse_endpoint(url, default_path="/rest", option="--horizon")
    creds = server.credentials
    tls = TlsOptions(ca_file=Path(str(server.ca_file)))
    return HorizonTarget(
        endpoint, creds["username"], creds["domain"], Secret(creds["password"]), tls, **options
    )


def normal(snapshot: Snapshot) -> Snapshot:
    """The snapshot as written to a file and read back (sorted, times as stored)."""
    return parse_snapshot(snapshot_to_json(snapshot).encode(), "snapshot")


def vcenter_data(snapshot: Snapshot) -> tuple[Any, ...]:
    """What a vCenter collection read, without where it was read from."""
    snapshot = normal(snapshot)
    vcenters = [dataclasses.replace(vc, url="", name="") for vc in snapshot.vcenters]
    return (vcenters, snapshot.datacenters, snapshot.clusters, snapshot.hosts, snapshot.vms)


def pod_data(snapshot: Snapshot) -> tuple[Any, ...]:
    """What a Horizon collection read, without where it was read from."""
    snapshot = normal(snapshot)
    pods = [dataclasses.replace(pod, url="") for pod in snapshot.pods]
    return (
        pods,
        snapshot.pools,
        snapshot.machines,
        snapshot.sessions,
        snapshot.connection_servers,
        snapshot.horizon_vcenters,
        snapshot.gateways,
        snapshot.event_databases,
    )


def assert_complete(collection: Collection, baseline: Snapshot) -> None:
    assert [f.one_line() for f in collection.failures] == []
    assert {s.status for s in collection.snapshot.sources} == {"ok"}
    assert vcenter_data(collection.snapshot) == vcenter_data(baseline)
    assert pod_data(collection.snapshot) == pod_data(baseline)


def assert_failed(collection: Collection, url: str, *phrases: str) -> str:
    (failure,) = collection.failures
    line = failure.one_line()
    assert line.startswith(f"{url}: ") and "\n" not in line
    for phrase in phrases:
        assert phrase in line
    return line


@pytest.fixture
def retry_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The retry and session log lines (the CLI turns propagation off, so attach directly)."""
    logger = logging.getLogger("fleetreport")
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(caplog.handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # each record once, through this handler only
    caplog.handler.setLevel(logging.INFO)
    try:
        yield caplog
    finally:
        logger.removeHandler(caplog.handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def retries(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "; retrying in " in r.getMessage()]


class CliRun:
    """``fleetreport collect`` in this process, with the password in the environment."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], folder: Path
    ) -> None:
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        self.out = folder / "snapshot.json"

    def vcenter(
        self, url: str, server: VcsimServer, *extra: str, verbose: bool = False
    ) -> tuple[int, str]:
        self.monkeypatch.setenv("FAULTS_VC_PW", server.password)
        argv = ["-v"] if verbose else []
        argv += ["collect", "--vcenter", url, "--user", server.username]
        argv += ["--password-env", "FAULTS_VC_PW", "--out", str(self.out), *extra]
        if server.ca_file:
            argv += ["--ca-file", str(server.ca_file)]
        return self._run(argv)

    def horizon(
        self, url: str, server: HorizonTestServer, *extra: str, verbose: bool = False
    ) -> tuple[int, str]:
        creds = server.credentials
        self.monkeypatch.setenv("FAULTS_HZ_PW", creds["password"])
        argv = ["-v"] if verbose else []
        argv += ["collect", "--horizon", url, "--horizon-user", creds["username"]]
        argv += ["--horizon-domain", creds["domain"], "--horizon-password-env", "FAULTS_HZ_PW"]
        argv += ["--ca-file", str(server.ca_file), "--out", str(self.out), *extra]
        return self._run(argv)

    def _run(self, argv: list[str]) -> tuple[int, str]:
        self.capsys.readouterr()
        code = within(CLI_BOUND, lambda: main(argv))
        return code, self.capsys.readouterr().err

    def assert_failed_cleanly(self, code: int, err: str, url: str, *phrases: str) -> None:
        errors = [line for line in err.splitlines() if line.startswith("fleetreport: error:")]
        assert code == ExitCode.ERROR
        assert len(errors) == 1, err
        assert url in errors[0] and "Traceback" not in err
        for phrase in phrases:
            assert phrase in errors[0]
        assert not self.out.exists()


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> CliRun:
    return CliRun(monkeypatch, capsys, tmp_path)


# ------------------------------------------------------------------- the policy, alone


class FakeTime:
    """A clock that only moves when the policy sleeps or an attempt says it took time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def policy(
    fake: FakeTime, settings: RetrySettings | None = None, classify: Any = transient_reason
) -> RetryPolicy:
    return RetryPolicy(
        "https://vc01/sdk", settings, classify=classify, sleep=fake.sleep, clock=fake.clock
    )


def failing(*errors: BaseException) -> Callable[[], str]:
    """A call that raises ``errors`` in turn, then answers ``"done"``."""
    pending = list(errors)

    def call() -> str:
        if pending:
            raise pending.pop(0)
        return "done"

    return call


def always(error: BaseException) -> Callable[[], str]:
    def call() -> str:
        raise error

    return call


TRANSIENT = [
    ConnectionResetError(104, "Connection reset by peer"),
    ConnectionRefusedError(111, "Connection refused"),
    BrokenPipeError(32, "Broken pipe"),
    http.client.RemoteDisconnected("Remote end closed connection without response"),
    http.client.IncompleteRead(b"<soapenv", 1000),
    TimeoutError("timed out"),
    ConnectTimeout("connecting took longer than 10 s"),
    ssl.SSLEOFError(8, "EOF occurred in violation of protocol"),
    http.client.HTTPException("502 Bad Gateway"),
    http.client.HTTPException("503 Service Unavailable"),
    http.client.HTTPException("504 Gateway Timeout"),
    vmodl.fault.RequestCanceled(msg="cancelled"),
]
PERMANENT = [
    vim.fault.InvalidLogin(msg="Cannot complete login due to an incorrect user name or password."),
    vim.fault.NoPermission(privilegeId="System.View"),
    vim.fault.NotAuthenticated(msg="session gone"),
    vmodl.fault.InvalidArgument(invalidProperty="token"),
    http.client.HTTPException("404 Not Found"),
    http.client.HTTPException("500 Internal Server Error"),
    http.client.BadStatusLine("garbage"),
    socket.gaierror(-2, "Name or service not known"),
    ssl.SSLCertVerificationError(1, "certificate verify failed"),
    ExpatError("syntax error"),
    CredentialError("https://vc01/sdk: vCenter rejected the user name or password"),
    SourceError("https://vc01/sdk", "did not answer like a vCenter SDK"),
    ValueError("a bug"),
]


@pytest.mark.parametrize("error", TRANSIENT, ids=lambda e: type(e).__name__ + ":" + str(e)[:20])
def test_transient_faults_are_retried(error: BaseException) -> None:
    fake = FakeTime()
    assert policy(fake).call(failing(error, error), "Login") == "done"
    assert len(fake.sleeps) == 2


@pytest.mark.parametrize("error", PERMANENT, ids=lambda e: type(e).__name__ + ":" + str(e)[:20])
def test_permanent_faults_are_never_retried(error: BaseException) -> None:
    fake = FakeTime()
    calls: list[int] = []

    def broken() -> str:
        calls.append(1)
        raise error

    with pytest.raises(type(error)):
        policy(fake).call(broken, "Login")
    assert calls == [1] and fake.sleeps == []


def test_attempts_are_bounded_and_the_error_says_how_many() -> None:
    fake = FakeTime()
    calls: list[int] = []

    def down() -> str:
        calls.append(1)
        raise ConnectionRefusedError(111, "Connection refused")

    with pytest.raises(ConnectionRefusedError) as caught:
        policy(fake, RetrySettings(attempts=5)).call(down, "vimServiceVersions.xml")
    assert len(calls) == 5 and len(fake.sleeps) == 4
    assert any(
        note.startswith("fleetreport retries: 5 attempts") for note in caught.value.__notes__
    )


def test_a_fault_that_refuses_notes_is_raised_as_it_is() -> None:
    fake = FakeTime()
    cancelled = vmodl.fault.RequestCanceled(msg="cancelled")
    with pytest.raises(vmodl.fault.RequestCanceled) as caught:
        policy(fake, RetrySettings(attempts=3)).call(always(cancelled), "RetrievePropertiesEx")
    assert caught.value is cancelled and len(fake.sleeps) == 2


def test_no_attempt_starts_after_the_total_time() -> None:
    """Attempts that each time out after 4 s, 10 s in all: no attempt starts past 10 s."""
    fake = FakeTime()
    begin = fake.now
    starts: list[float] = []

    def slow() -> str:
        starts.append(fake.now)
        fake.now += 4.0
        raise TimeoutError("timed out")

    settings = RetrySettings(attempts=50, total_seconds=10.0, first_wait=0.5, max_wait=1.0)
    with pytest.raises(TimeoutError):
        policy(fake, settings).call(slow, "RetrievePropertiesEx")
    assert 2 <= len(starts) <= 3
    assert all(start - begin < 10.0 for start in starts)
    assert fake.now - begin <= 10.0 + 4.0  # the bound, plus the attempt in flight


def test_backoff_grows_exponentially_with_jitter() -> None:
    fake = FakeTime()
    settings = RetrySettings(attempts=7, total_seconds=1000.0, first_wait=1.0, max_wait=8.0)
    with pytest.raises(ConnectionResetError):
        policy(fake, settings).call(always(ConnectionResetError()), "Login")
    windows = [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert len(fake.sleeps) == len(windows)
    assert all(0.0 <= wait <= window for wait, window in zip(fake.sleeps, windows, strict=True))


def test_a_server_asked_wait_is_honoured() -> None:
    fake = FakeTime()
    final = SourceError("https://cs/rest", "/x stayed throttled (HTTP 429)")
    throttled_once = failing(TransientFault("throttled (HTTP 429)", retry_after=3.0, final=final))
    assert policy(fake).call(throttled_once, "/x") == "done"
    assert fake.sleeps == [3.0]


def test_a_server_asked_wait_past_the_bound_is_not_started() -> None:
    fake = FakeTime()
    calls: list[int] = []
    final = SourceError("https://cs/rest", "/x stayed throttled (HTTP 429)")

    def throttled() -> str:
        calls.append(1)
        raise TransientFault("throttled (HTTP 429)", retry_after=30.0, final=final)

    with pytest.raises(SourceError) as caught:
        policy(fake, RetrySettings(total_seconds=10.0)).call(throttled, "/x")
    assert caught.value is final and calls == [1] and fake.sleeps == []


def test_retries_are_logged_at_info_without_secrets(
    caplog: pytest.LogCaptureFixture, retry_log: pytest.LogCaptureFixture
) -> None:
    fake = FakeTime()
    secret = Secret("hunter2-password")
    outcomes = iter([ConnectionResetError(104, "Connection reset by peer")])

    def login() -> str:
        for error in outcomes:
            raise error
        return secret.reveal()

    policy(fake).call(login, "Login")
    (line,) = retries(caplog)
    assert re.fullmatch(
        r"https://vc01/sdk: connection reset \(Login\); retrying in \d+\.\d s \(attempt 2 of 5\)",
        line,
    )
    assert all(r.levelno == logging.INFO for r in caplog.records if "retrying" in r.getMessage())
    assert "hunter2" not in caplog.text


def test_retry_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetrySettings(attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetrySettings(total_seconds=-1)


# ------------------------------------------------- Horizon: what is never retried, and 429


@pytest.fixture
def pod() -> Iterator[HorizonTestServer]:
    with HorizonTestServer(EXAMPLE_DATA, profile="2512") as server:
        yield server


def horizon_client(server: HorizonTestServer, **options: Any) -> HorizonClient:
    target = hz_target(server.url, server)
    return HorizonClient(
        target.endpoint,
        target.user,
        target.domain,
        target.password,
        target.tls,
        timeout=10,
        **options,
    )


def test_horizon_403_is_never_retried(pod: HorizonTestServer) -> None:
    pod.fault(r"/inventory/v\d+/machines", kind="status:403")
    with pytest.raises(SourceError, match=r"may not read .* \(HTTP 403\)"):
        within(FAST_BOUND, lambda: collect_horizon(horizon_client(pod).__enter__()))
    assert len(pod.calls(r"/inventory/v\d+/machines")) == 1


def test_horizon_401_after_refresh_is_never_retried(pod: HorizonTestServer) -> None:
    pod.fault(r"/inventory/v\d+/machines", kind="status:401")
    with horizon_client(pod) as client, pytest.raises(CredentialError, match="HTTP 401"):
        within(FAST_BOUND, lambda: collect_horizon(client))
    assert len(pod.calls(r"/inventory/v\d+/machines")) == 2  # the first, and after the refresh
    assert len(pod.calls("/refresh")) == 1


def test_horizon_rejected_login_is_never_retried(pod: HorizonTestServer) -> None:
    client = horizon_client(pod)
    client._password = Secret("not-the-password")
    with pytest.raises(CredentialError, match="rejected the user name or password"):
        client.login()
    assert len(pod.calls("/login")) == 1


def test_horizon_429_counts_toward_the_attempts(pod: HorizonTestServer) -> None:
    waits: list[float] = []
    pod.throttle(r"/inventory/v\d+/machines", retry_after=2, times=1000)
    with (
        horizon_client(pod, sleep=waits.append) as client,
        pytest.raises(SourceError, match=r"stayed throttled \(HTTP 429\) \(5 attempts in"),
    ):
        within(FAST_BOUND, lambda: collect_horizon(client))
    assert waits == [2.0, 2.0, 2.0, 2.0]


def test_horizon_429_wait_past_the_bound_fails_at_once(pod: HorizonTestServer) -> None:
    waits: list[float] = []
    pod.throttle(r"/inventory/v\d+/machines", retry_after=30, times=1000)
    settings = RetrySettings(total_seconds=10.0)
    with (
        horizon_client(pod, sleep=waits.append, retry=settings) as client,
        pytest.raises(SourceError, match=r"stayed throttled \(HTTP 429\)"),
    ):
        within(FAST_BOUND, lambda: collect_horizon(client))
    assert waits == []


# ------------------------------------------------------- Horizon behind the fault proxy


@pytest.fixture
def pod_baseline(pod: HorizonTestServer) -> tuple[Snapshot, int]:
    """The pod collected through a proxy with no fault, and the bytes it answered."""
    with FaultProxy.for_url(pod.url) as proxy:
        collection = collect_all([], [hz_target(proxy.url_for(pod.url), pod)])
        assert collection.failures == []
        return collection.snapshot, proxy.bytes_to_client


@pytest.mark.parametrize(
    "plan",
    [
        "503 twice",
        "drop the 4th request",
        "drop the first connection",
        "cut an answer short",
        "stall once past the read timeout",
    ],
)
def test_horizon_recovers(
    plan: str,
    pod: HorizonTestServer,
    pod_baseline: tuple[Snapshot, int],
    retry_log: pytest.LogCaptureFixture,
) -> None:
    baseline, answered = pod_baseline
    pod.clear_requests()
    with FaultProxy.for_url(pod.url) as proxy:
        if plan == "503 twice":
            pod.fault(r"/inventory/v\d+/machines", kind="status:503", times=2)
        elif plan == "drop the 4th request":
            pod.fault(r".", kind="close", on_call=4, times=1)
        elif plan == "drop the first connection":
            proxy.on_connection(1, "drop")
        elif plan == "cut an answer short":
            proxy.after_bytes(answered // 2, "drop")
        else:
            proxy.after_bytes(answered // 2, "stall")
        target = hz_target(proxy.url_for(pod.url), pod, retry=FAST, **TIMEOUTS)
        collection = within(FAST_BOUND, lambda: collect_all([], [target]))
        fired = list(proxy.fired)
    assert_complete(collection, baseline)
    assert retries(retry_log)
    if plan == "503 twice":
        statuses = [r.status for r in pod.calls(r"/inventory/v\d+/machines")]
        assert statuses == [503, 503, 200]
    elif plan == "drop the 4th request":
        assert [r.status for r in pod.requests].index(None) == 3  # closed without an answer
    else:
        assert fired, "the planned fault must have happened"
    assert pod.calls("/logout", "POST"), "a recovered session is logged out"


def test_horizon_stalled_for_good_fails_within_the_bound(pod: HorizonTestServer) -> None:
    with FaultProxy.for_url(pod.url) as proxy:
        proxy.on_connection(1, "stall", times=10**6)
        url = proxy.url_for(pod.url)
        collection = within(
            FAST_BOUND, lambda: collect_all([], [hz_target(url, pod, retry=FAST, **TIMEOUTS)])
        )
    assert_failed(collection, parse_endpoint(url, default_path="/rest", option="-").url)
    assert "timed out" in collection.failures[0].one_line()


def test_horizon_503_twice_through_the_cli(
    pod: HorizonTestServer, pod_baseline: tuple[Snapshot, int], cli: CliRun
) -> None:
    pod.fault(r"/inventory/v\d+/desktop-pools", kind="status:503", times=2)
    code, err = cli.horizon(pod.url, pod, verbose=True)
    assert code == ExitCode.OK
    assert err.count("HTTP 503 (/inventory/v12/desktop-pools); retrying in") == 2
    assert pod_data(load_snapshot(cli.out)) == pod_data(pod_baseline[0])


def test_horizon_killed_for_good_through_the_cli(
    pod: HorizonTestServer, pod_baseline: tuple[Snapshot, int], cli: CliRun
) -> None:
    with FaultProxy.for_url(pod.url) as proxy:
        proxy.after_bytes(pod_baseline[1] // 2, "kill")
        url = proxy.url_for(pod.url)
        code, err = cli.horizon(url, pod, "--timeout", "1", "--connect-timeout", "1")
        assert proxy.killed
    cli.assert_failed_cleanly(code, err, url, "connection refused", "5 attempts in")


# --------------------------------------------- vCenter over plain HTTP behind the proxy


@pytest.fixture(scope="module")
def plain_vc() -> Iterator[tuple[VcsimServer, Snapshot]]:
    """A simulator over plain http with 5-object pages, and its inventory read directly."""
    with start_vcsim("basic", tls=False, page_size=5) as server:
        collection = collect_all([vc_target(server.url, server)])
        assert collection.failures == []
        yield server, collection.snapshot


REQUEST_FAULTS = [
    ("drop", RETRIEVE, 1),
    ("drop", CONTINUE, 1),
    ("drop", rb"vimServiceVersions", 1),
    ("drop", None, 7),
    ("stall", CONTINUE, 1),
    ("stall", LOGIN, 1),
    ("truncate", RETRIEVE, 1),
    ("truncate", CONTINUE, 1),
    ("truncate", LOGIN, 1),
    ("status:503", RETRIEVE, 2),
    ("status:503", CONTINUE, 2),
    ("status:502", rb"vimServiceVersions", 2),
    ("status:504", LOGIN, 2),
]


@pytest.mark.simulator
@pytest.mark.parametrize(
    ("action", "match", "times"),
    REQUEST_FAULTS,
    ids=[f"{a}-{(m or b'request 7').decode()[:30]}-{t}" for a, m, t in REQUEST_FAULTS],
)
def test_vcenter_recovers_from_request_faults(
    action: str,
    match: bytes | None,
    times: int,
    plain_vc: tuple[VcsimServer, Snapshot],
    retry_log: pytest.LogCaptureFixture,
) -> None:
    server, baseline = plain_vc
    with FaultProxy.for_url(server.url) as proxy:
        if match is None:
            proxy.on_request(times, action)
        else:
            proxy.on_request(1, action, match=match, times=times)
        target = vc_target(proxy.url_for(server.url), server, retry=FAST, **TIMEOUTS)
        collection = within(FAST_BOUND, lambda: collect_all([target]))
        fired = list(proxy.fired)
    assert_complete(collection, baseline)
    assert len(fired) == (1 if match is None else times)
    assert len(retries(retry_log)) == len(fired)


@pytest.mark.simulator
def test_vcenter_503_twice_through_the_cli(
    plain_vc: tuple[VcsimServer, Snapshot], cli: CliRun
) -> None:
    server, baseline = plain_vc
    with FaultProxy.for_url(server.url) as proxy:
        proxy.on_request(1, "status:503", match=RETRIEVE, times=2)
        code, err = cli.vcenter(proxy.url_for(server.url), server, verbose=True)
    assert code == ExitCode.OK
    assert err.count("HTTP 503 (RetrievePropertiesEx); retrying in") == 2
    assert vcenter_data(load_snapshot(cli.out)) == vcenter_data(baseline)


@pytest.mark.simulator
def test_vcenter_stalled_for_good_fails_within_the_bound(
    plain_vc: tuple[VcsimServer, Snapshot], cli: CliRun
) -> None:
    server, _ = plain_vc
    with FaultProxy.for_url(server.url) as proxy:
        proxy.on_request(1, "stall", match=RETRIEVE, times=10**6)
        url = proxy.url_for(server.url)
        code, err = cli.vcenter(url, server, "--timeout", "1", "--connect-timeout", "1")
    cli.assert_failed_cleanly(code, err, url, "timed out waiting for an answer", "5 attempts in")


@pytest.mark.simulator
def test_vcenter_answering_503_for_good_fails_clearly(
    plain_vc: tuple[VcsimServer, Snapshot],
) -> None:
    server, _ = plain_vc
    with FaultProxy.for_url(server.url) as proxy:
        proxy.on_request(1, "status:503", match=CONTINUE, times=10**6)
        target = vc_target(proxy.url_for(server.url), server, retry=FAST, **TIMEOUTS)
        collection = within(FAST_BOUND, lambda: collect_all([target]))
    assert_failed(
        collection, target.endpoint.url, "answered HTTP 503 Service Unavailable", "4 attempts in"
    )


# ------------------------------------------------------ vCenter over TLS behind the proxy


@pytest.fixture(scope="module")
def tls_vc() -> Iterator[tuple[VcsimServer, Snapshot, int]]:
    """A simulator with verified TLS and 5-object pages, read through a proxy with no fault."""
    with start_vcsim("basic", page_size=5) as server, FaultProxy.for_url(server.url) as proxy:
        collection = collect_all([vc_target(proxy.url_for(server.url), server)])
        assert collection.failures == []
        yield server, collection.snapshot, proxy.bytes_to_client


@pytest.mark.simulator
@pytest.mark.parametrize(
    "plan",
    [
        "drop the first connection",
        "stall the second connection",
        "cut an answer short",
        "stall once past the read timeout",
    ],
)
def test_vcenter_over_tls_recovers(
    plan: str,
    tls_vc: tuple[VcsimServer, Snapshot, int],
    retry_log: pytest.LogCaptureFixture,
) -> None:
    server, baseline, answered = tls_vc
    with FaultProxy.for_url(server.url) as proxy:
        if plan == "drop the first connection":
            proxy.on_connection(1, "drop")
        elif plan == "stall the second connection":
            proxy.on_connection(2, "stall")
        elif plan == "cut an answer short":
            proxy.after_bytes(answered // 2, "drop")
        else:
            proxy.after_bytes(answered // 2, "stall")
        target = vc_target(proxy.url_for(server.url), server, retry=FAST, **TIMEOUTS)
        collection = within(FAST_BOUND, lambda: collect_all([target]))
        fired = list(proxy.fired)
    assert_complete(collection, baseline)
    assert len(fired) == 1 and retries(retry_log)
    assert collection.snapshot.sources[0].tls_verified


@pytest.mark.simulator
def test_vcenter_killed_for_good_through_the_cli(
    tls_vc: tuple[VcsimServer, Snapshot, int], cli: CliRun
) -> None:
    server, _, answered = tls_vc
    with FaultProxy.for_url(server.url) as proxy:
        proxy.after_bytes(answered // 2, "kill")
        url = proxy.url_for(server.url)
        code, err = cli.vcenter(url, server, "--timeout", "1", "--connect-timeout", "1")
        assert proxy.killed
    cli.assert_failed_cleanly(code, err, url, "connection refused", "5 attempts in")


@pytest.mark.simulator
def test_vcenter_connect_timeout_is_not_the_read_timeout(
    tls_vc: tuple[VcsimServer, Snapshot, int],
) -> None:
    """A TLS handshake that never ends fails on the connect timeout, however long reads may
    take."""
    server, _, _ = tls_vc
    with FaultProxy.for_url(server.url) as proxy:
        proxy.on_connection(1, "stall", times=10**6)
        target = vc_target(
            proxy.url_for(server.url), server, timeout=600, connect_timeout=0.5, retry=FAST
        )
        collection = within(FAST_BOUND, lambda: collect_all([target]))
    assert_failed(collection, target.endpoint.url, "timed out connecting", "--connect-timeout")


@pytest.mark.simulator
def test_slow_vcenter_with_a_short_connect_timeout_completes(
    tls_vc: tuple[VcsimServer, Snapshot, int],
) -> None:
    """Reads that take longer than the connect timeout are bounded by the read timeout only."""
    _, baseline, _ = tls_vc
    with start_vcsim("basic", method_delays={"RetrievePropertiesEx": 1500}) as slow:
        target = vc_target(slow.url, slow, timeout=10, connect_timeout=0.5, retry=FAST)
        collection = within(FAST_BOUND + 10, lambda: collect_all([target]))
    assert_complete(collection, baseline)


@pytest.mark.simulator
def test_slow_vcenter_completes_with_the_default_timeouts(
    tls_vc: tuple[VcsimServer, Snapshot, int], cli: CliRun
) -> None:
    _, baseline, _ = tls_vc
    with start_vcsim("basic", delay_ms=150) as slow:
        code, err = cli.vcenter(slow.url, slow)
    assert code == ExitCode.OK, err
    assert vcenter_data(load_snapshot(cli.out)) == vcenter_data(baseline)


# ------------------------------------------------------------ a session that vCenter ends


class PauseAfterFirstPage(SourceProgress):
    """Holds the collector after its first result page, once: long enough for the session's
    idle timeout to end it between pages."""

    def __init__(self, url: str, seconds: float) -> None:
        super().__init__("vcenter", url)
        self.seconds = seconds
        self.paused = False

    def page(self, objects: int) -> None:
        super().page(objects)
        if not self.paused:
            self.paused = True
            time.sleep(self.seconds)


@pytest.mark.simulator
def test_session_expiring_between_pages_logs_in_again_once(
    tls_vc: tuple[VcsimServer, Snapshot, int], retry_log: pytest.LogCaptureFixture
) -> None:
    """The simulator expires a session idle for 0.5 s (its watch looks every 0.5 s, so the
    session is gone at most 1 s after its last call); the collector pauses 1.6 s after the
    first page. The next page is refused (NotAuthenticated): fleetreport logs in again, the
    old token is refused in the new session, and the retrieval starts over."""
    _, baseline, _ = tls_vc
    with start_vcsim("basic", page_size=5, session_idle_timeout=0.5) as server:
        progress = PauseAfterFirstPage(server.url, 1.6)
        collection = within(
            FAST_BOUND + 2,
            lambda: collect_all([vc_target(server.url, server)], progress={server.url: progress}),
        )
    assert progress.paused
    assert_complete(collection, baseline)
    messages = [r.getMessage() for r in retry_log.records]
    assert sum("vCenter ended the session; logging in again" in m for m in messages) == 1
    assert any("starting the retrieval over" in m for m in messages)


@pytest.mark.simulator
def test_session_ending_again_after_the_new_login_fails_clearly(
    tls_vc: tuple[VcsimServer, Snapshot, int], cli: CliRun
) -> None:
    """Every ContinueRetrievePropertiesEx takes 1 s and sessions idle for 0.3 s expire: the
    simulator maps the session when a call arrives, so the delayed call itself succeeds and the
    next one finds its session gone, in every session. One new login, then a clear failure."""
    with start_vcsim(
        "basic",
        page_size=3,
        session_idle_timeout=0.3,
        method_delays={"ContinueRetrievePropertiesEx": 1000},
    ) as server:
        code, err = cli.vcenter(server.url, server)
    cli.assert_failed_cleanly(
        code,
        err,
        server.url,
        "vCenter ended the session again after fleetreport logged in once more",
        "NotAuthenticated",
    )


# ----------------------------------------------------------------- the proxy itself


def test_a_killed_proxy_refuses_connections() -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        placeholder.listen()
        with FaultProxy("127.0.0.1", placeholder.getsockname()[1]) as proxy:
            socket.create_connection((proxy.host, proxy.port), timeout=2).close()
            proxy.kill()
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection((proxy.host, proxy.port), timeout=2)


def test_request_faults_need_plain_http() -> None:
    with (
        FaultProxy("127.0.0.1", 9) as proxy,
        pytest.raises(ValueError, match="plain HTTP"),
    ):
        proxy.on_request(1, "drop")
