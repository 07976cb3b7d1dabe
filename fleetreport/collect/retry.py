"""One retry policy for every source: transient faults only, backoff with jitter, bounded.

A call is attempted again only when its fault is *transient*: the connection was refused,
reset or dropped, a response was cut short, a connect or read timed out, the server answered
HTTP 502, 503 or 504, vCenter cancelled the request (``RequestCanceled``), or Horizon
throttled it (HTTP 429, whose ``X-Rate-Limit-Retry-After-Seconds`` is honoured). Rejected
credentials, missing permissions and bad answers are never retried: a second try cannot fix
them, and retrying a login risks locking the account.

Waits grow exponentially with full jitter (tenacity's ``wait_random_exponential``: a random
time between 0 and ``first_wait * 2**n``, at most ``max_wait``). A call stops after
``attempts`` attempts, and no attempt starts later than ``total_seconds`` after the first one
began (a wait that would end past that is not started); an attempt in flight is bounded by the
connect and read timeouts. Each retry is logged at INFO, without secrets:
``https://vc01/sdk: connection reset (Login); retrying in 1.3 s (attempt 2 of 5)``.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from fleetreport.errors import FleetReportError

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], None]
Clock = Callable[[], float]

DEFAULT_CONNECT_TIMEOUT = 10.0
"""Seconds to open a TCP connection (and finish the TLS handshake)."""
DEFAULT_READ_TIMEOUT = 60.0
"""Seconds a socket read may wait for the server."""


@dataclass(frozen=True)
class RetrySettings:
    """How hard one source is tried: attempts, the time bound and the backoff."""

    attempts: int = 5
    """Attempts per call, the first included (1 turns retrying off)."""
    total_seconds: float = 60.0
    """No attempt starts later than this after the call's first attempt began."""
    first_wait: float = 0.5
    """The first backoff window, seconds (the wait is random within the window)."""
    max_wait: float = 10.0
    """The largest backoff window, seconds."""

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.total_seconds < 0 or self.first_wait < 0 or self.max_wait < 0:
            raise ValueError("retry times must not be negative")


class TransientFault(Exception):
    """Raised by an attempt to ask for another one.

    ``reason`` is what the log says (never a secret); ``retry_after`` is a wait the server
    asked for (HTTP 429); ``final`` is the error to raise when no attempt is left.
    """

    def __init__(
        self,
        reason: str,
        *,
        final: FleetReportError,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.final = final
        self.retry_after = retry_after


def causes(error: BaseException) -> Iterator[BaseException]:
    """``error`` and every exception it wraps (causes, contexts, urllib3 reasons, args)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        linked += [arg for arg in current.args if isinstance(arg, BaseException)]
        pending.extend(item for item in linked if isinstance(item, BaseException))


def network_fault_reason(error: BaseException) -> str | None:
    """A short reason when ``error`` is a transient network fault, else None.

    Transient: refused, reset, aborted or dropped connections (also a TLS connection ended
    without its close message), responses cut short, and timeouts. Not transient: name
    resolution failures, certificate and other TLS errors, anything else.
    """
    if isinstance(error, socket.gaierror | ssl.SSLCertVerificationError):
        return None
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, http.client.RemoteDisconnected | ConnectionResetError):
        return "connection reset"
    if isinstance(error, ConnectionAbortedError | BrokenPipeError):
        return "connection dropped"
    if isinstance(error, ssl.SSLEOFError | ssl.SSLZeroReturnError):
        return "connection dropped"
    if isinstance(error, http.client.IncompleteRead):
        return "response cut short"
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, ssl.SSLError) and "timed out" in str(error):
        return "timed out"
    return None


def _never(error: BaseException) -> str | None:
    return None


_NOTE = "fleetreport retries: "


def gave_up_note(error: BaseException) -> str:
    """`` (5 attempts in 4.2 s)`` when ``error`` ended a retried call, else ``""``."""
    for note in getattr(error, "__notes__", ()):
        if isinstance(note, str) and note.startswith(_NOTE):
            return f" ({note.removeprefix(_NOTE)})"
    return ""


class RetryPolicy:
    """Runs calls for one source, again after transient faults, within the bound.

    ``classify`` names the transient faults of this source's client (returning a short
    reason, or None for "do not retry"); a :class:`TransientFault` is always transient.
    ``sleep`` and ``clock`` are injectable so that tests need not wait.
    """

    def __init__(
        self,
        source: str,
        settings: RetrySettings | None = None,
        *,
        classify: Callable[[BaseException], str | None] = _never,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.source = source
        self.settings = settings or RetrySettings()
        self._classify = classify
        self._sleep = sleep
        self._clock = clock
        self.retries = 0
        """Retries made so far, over all calls (for tests and progress)."""

    def reason(self, error: BaseException) -> str | None:
        """Why ``error`` is worth another attempt, or None."""
        if isinstance(error, TransientFault):
            return error.reason
        if isinstance(error, FleetReportError):
            return None
        return self._classify(error)

    def call(self, fn: Callable[[], T], what: str = "") -> T:
        """``fn()``, attempted again after transient faults; the last error is raised.

        When the last error is a :class:`TransientFault`, its ``final`` error is raised.
        """
        settings = self.settings
        deadline = self._clock() + settings.total_seconds
        backoff = tenacity.wait_random_exponential(
            multiplier=settings.first_wait, max=settings.max_wait
        )
        planned: dict[int, float] = {}

        def upcoming_wait(state: tenacity.RetryCallState) -> float:
            # tenacity asks for the wait and for "stop?" in an order that differs between
            # versions: both read the one value planned per attempt.
            if state.attempt_number not in planned:
                error = state.outcome.exception() if state.outcome else None
                asked = error.retry_after if isinstance(error, TransientFault) else None
                planned[state.attempt_number] = (
                    max(0.0, asked) if asked is not None else float(backoff(state))
                )
            return planned[state.attempt_number]

        clock = self._clock

        class OutOfTime(tenacity.stop.stop_base):
            """Stop when the next attempt could not start before the deadline."""

            def __call__(self, state: tenacity.RetryCallState) -> bool:
                return clock() + upcoming_wait(state) >= deadline

        def before_sleep(state: tenacity.RetryCallState) -> None:
            self.retries += 1
            error = state.outcome.exception() if state.outcome else None
            reason = self.reason(error) if error is not None else None
            log.info(
                "%s: %s%s; retrying in %.1f s (attempt %d of %d)",
                self.source,
                reason or "transient fault",
                f" ({what})" if what else "",
                upcoming_wait(state),
                state.attempt_number + 1,
                settings.attempts,
            )

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(lambda error: self.reason(error) is not None),
            stop=tenacity.stop_after_attempt(settings.attempts) | OutOfTime(),
            wait=upcoming_wait,
            sleep=self._sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        started = self._clock()
        attempts = 0

        def attempt() -> T:
            nonlocal attempts
            attempts += 1
            return fn()

        try:
            return retrying(attempt)
        except TransientFault as fault:
            final = fault.final
            if attempts > 1:
                final.message += f" ({attempts} attempts in {self._clock() - started:.1f} s)"
                final.args = (final.message,)
            raise final from None
        except Exception as error:
            if attempts > 1 and self.reason(error) is not None:
                note = f"{_NOTE}{attempts} attempts in {self._clock() - started:.1f} s"
                with contextlib.suppress(AttributeError):  # pyVmomi faults refuse new attributes
                    error.add_note(note)
            raise
