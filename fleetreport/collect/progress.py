"""Live progress of one source's collection: written by the collector, read by a display.

Collectors run in worker threads; a display polls these counters from the main thread.
Nothing here ever holds a secret.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressView:
    """A consistent reading of a source's progress."""

    kind: str
    """``vcenter`` or ``horizon``."""
    url: str
    """The source's URL."""
    state: str
    """``waiting``, ``collecting``, ``done`` or ``failed``."""
    round_trips: int
    """HTTP requests so far."""
    objects: int
    """Objects (or records) read so far."""
    pages: int
    """Result pages read so far."""
    elapsed: float
    """Seconds since the source started (0 while waiting)."""


class SourceProgress:
    """Counters for one source, safe to update from one thread and read from another."""

    def __init__(self, kind: str, url: str) -> None:
        self.kind = kind
        self.url = url
        self._lock = threading.Lock()
        self._state = "waiting"
        self._round_trips = 0
        self._objects = 0
        self._pages = 0
        self._started: float | None = None
        self._finished: float | None = None

    def begin(self) -> None:
        """Collection of this source starts."""
        with self._lock:
            self._state = "collecting"
            self._started = time.monotonic()

    def round_trip(self) -> None:
        """One more HTTP request."""
        with self._lock:
            self._round_trips += 1

    def page(self, objects: int) -> None:
        """One more result page holding ``objects`` objects."""
        with self._lock:
            self._pages += 1
            self._objects += objects

    def end(self, ok: bool) -> None:
        """Collection of this source ended."""
        with self._lock:
            self._state = "done" if ok else "failed"
            self._finished = time.monotonic()

    def view(self) -> ProgressView:
        """The counters now."""
        with self._lock:
            elapsed = 0.0
            if self._started is not None:
                elapsed = (self._finished or time.monotonic()) - self._started
            return ProgressView(
                self.kind,
                self.url,
                self._state,
                self._round_trips,
                self._objects,
                self._pages,
                elapsed,
            )
