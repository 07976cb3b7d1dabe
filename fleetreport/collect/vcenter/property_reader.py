"""Bulk reads through the PropertyCollector: one ContainerView per type, one retrieval, pages.

Round trips stay constant as the inventory grows (apart from result pages): never a
property read per object, which costs a round trip each and is ~50x slower at scale.
Results are parsed into plain values (see soap_stream), so no pyVmomi object leaves this
package. The next page is asked for as soon as the current page's body is in, and parsed
meanwhile: the server makes the next page while we parse, with one request in flight at a time.
Each call runs under the source's retry policy; a retrieval resumes or starts over when its
continuation token or its session is lost (see ``retrieve_inventory``).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from pyVmomi import vim, vmodl

from fleetreport.collect.vcenter.page_scanner import read_page
from fleetreport.collect.vcenter.soap_stream import (
    Page,
    RawObject,
    Received,
    receive_result_call,
)
from fleetreport.collect.workers import WAIT_SLICE_SECONDS

log = logging.getLogger(__name__)

PropertyCollector = vmodl.query.PropertyCollector
T = TypeVar("T")

MAX_RESTARTS = 3
"""Retrievals started over (a continuation token lost) before giving up."""


class CallRunner(Protocol):
    """Runs one call, perhaps again after transient faults (``VCenterSession.call``)."""

    def __call__(self, fn: Callable[[], T], what: str, /) -> T: ...


def _once(fn: Callable[[], T], what: str, /) -> T:
    return fn()


class _TokenLost(Exception):
    """The server no longer knows a continuation token: the retrieval must start over."""


class _Prefetch:
    """The next page's request, sent in a daemon thread while the current page is parsed.

    Its outcome (the received body, or what the call raised) is handed to the thread that
    reads the pages, and raised there, in the pages' order. A daemon thread, not a pool
    worker: an interrupted collection does not wait for it at exit.
    """

    def __init__(self, token: str, receive: Callable[[], Received]) -> None:
        self.token = token
        self._outcome: queue.SimpleQueue[tuple[Received | None, BaseException | None]]
        self._outcome = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._run, args=(receive,), name="fleetreport-next-page", daemon=True
        )
        self._thread.start()

    def _run(self, receive: Callable[[], Received]) -> None:
        try:
            outcome: tuple[Received | None, BaseException | None] = (receive(), None)
        except BaseException as error:  # raised in the reading thread by result()
            outcome = (None, error)
        self._outcome.put(outcome)

    def result(self) -> Received:
        """The received body, or the call's exception raised here; waits, but sees Ctrl-C."""
        while True:
            try:
                received, error = self._outcome.get(timeout=WAIT_SLICE_SECONDS)
            except queue.Empty:
                continue
            if error is not None:
                raise error
            assert received is not None
            return received

    def settle(self) -> None:
        """Wait for the call to end and drop its outcome (its page is not wanted)."""
        try:
            self.result()
        except Exception as error:
            log.debug("dropped the answer to a page asked ahead: %s", error)


def retrieve_inventory(
    content: Any,
    paths_by_type: Mapping[type, Sequence[str]],
    *,
    page_size: int,
    count_round_trip: Callable[[], None],
    extra_objects: Sequence[tuple[Any, type, Sequence[str]]] = (),
    subtype_paths: Mapping[type, Sequence[str]] | None = None,
    report_missing_objects: bool = False,
    on_page: Callable[[int], None] | None = None,
    run: CallRunner = _once,
    relogin: Callable[[], None] | None = None,
    source: str = "vCenter",
) -> list[RawObject]:
    """Read ``paths_by_type`` for every object of each type in one RetrievePropertiesEx.

    ``extra_objects`` adds single objects (such as the CustomFieldsManager) to the same call.
    ``subtype_paths`` adds property specs, without a view of their own, for a subtype of a
    viewed type (paths valid only on the subtype: a ClusterComputeResource in the
    ComputeResource view). ``report_missing_objects`` reports an object that no longer exists
    in the result (``missingSet``) instead of failing the call.
    ``run`` makes each call (under a retry policy: a page is asked again with the same token);
    when the session ends mid-way (``NotAuthenticated``), ``relogin`` logs in again, once, and
    the retrieval resumes from its token, or starts over if the token died with the session.
    A second ``NotAuthenticated`` is raised. ``source`` names the server in log lines.
    """
    retrieval = _Retrieval(
        content, paths_by_type, extra_objects, page_size, count_round_trip, on_page, run
    )
    retrieval.subtype_paths = subtype_paths or {}
    retrieval.report_missing_objects = report_missing_objects
    retrieval.source = source
    objects = retrieval.read_all(relogin)
    retrieval.destroy_views()
    return objects


class _Retrieval:
    """One retrieval's views, filter and pages, able to resume or start over."""

    def __init__(
        self,
        content: Any,
        paths_by_type: Mapping[type, Sequence[str]],
        extra_objects: Sequence[tuple[Any, type, Sequence[str]]],
        page_size: int,
        count_round_trip: Callable[[], None],
        on_page: Callable[[int], None] | None,
        run: CallRunner,
    ) -> None:
        self.content = content
        self.paths_by_type = paths_by_type
        self.extra_objects = extra_objects
        self.options = PropertyCollector.RetrieveOptions(maxObjects=page_size)
        self.count_round_trip = count_round_trip
        self.on_page = on_page
        self.run = run
        self.views: list[Any] | None = None
        self.filter_spec: Any = None
        self.source = "vCenter"
        self.subtype_paths: Mapping[type, Sequence[str]] = {}
        self.report_missing_objects = False
        self.prefetch: _Prefetch | None = None
        """The request for the page after the one being parsed, already sent."""

    def read_all(self, relogin: Callable[[], None] | None) -> list[RawObject]:
        try:
            return self._read_all(relogin)
        except Exception:
            self._drop_prefetch()  # the server sees no request of ours after the failure
            raise

    def _drop_prefetch(self) -> None:
        prefetch, self.prefetch = self.prefetch, None
        if prefetch is not None:
            prefetch.settle()

    def _read_all(self, relogin: Callable[[], None] | None) -> list[RawObject]:
        objects: list[RawObject] = []
        token: str | None = None
        started = stale = relogged = False
        restarts = pages = 0
        while True:
            try:
                if not started:
                    objects, pages = [], 0
                    page = self._first_page()
                    started = True
                else:
                    page = self._next_page(token or "", stale)
                stale = False
            except vim.fault.NotAuthenticated:
                if relogin is None or relogged:
                    raise
                relogged = True
                self._drop_prefetch()  # asked without a session: its answer is not wanted
                relogin()
                self.views = None  # they belonged to the session that ended
                stale = True  # resume with the token; it may have ended with the session
                continue
            except _TokenLost:
                restarts += 1
                if restarts > MAX_RESTARTS:
                    raise vmodl.fault.InvalidArgument(
                        msg="continuation tokens kept getting lost", invalidProperty="token"
                    ) from None
                log.info(
                    "%s: the continuation token is no longer valid; starting the retrieval over",
                    self.source,
                )
                started = False
                continue
            _check_session(page)
            objects.extend(page.objects)
            pages += 1
            if self.on_page is not None:
                self.on_page(len(page.objects))
            token = page.token
            if not token:
                break
        log.debug("read %d objects in %d page(s)", len(objects), pages)
        _report_unreadable(objects)
        return objects

    def _ensure_views(self) -> None:
        if self.views is not None:
            return
        content = self.content

        def view_of(kind: type) -> Callable[[], Any]:
            return lambda: content.viewManager.CreateContainerView(content.rootFolder, [kind], True)

        views = [self.run(view_of(kind), "CreateContainerView") for kind in self.paths_by_type]
        traverse_view = PropertyCollector.TraversalSpec(
            name="traverseView", path="view", skip=False, type=vim.view.ContainerView
        )
        object_specs = [
            PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[traverse_view])
            for view in views
        ]
        object_specs += [
            PropertyCollector.ObjectSpec(obj=obj, skip=False) for obj, _, _ in self.extra_objects
        ]
        paths_of: dict[type, list[str]] = {}
        wanted = [*self.paths_by_type.items(), *self.subtype_paths.items()]
        wanted += [(kind, paths) for _, kind, paths in self.extra_objects]
        for kind, paths in wanted:
            known = paths_of.setdefault(kind, [])
            known += [path for path in paths if path not in known]
        property_specs = [
            PropertyCollector.PropertySpec(type=kind, pathSet=paths, all=False)
            for kind, paths in paths_of.items()
        ]
        self.filter_spec = PropertyCollector.FilterSpec(
            objectSet=object_specs,
            propSet=property_specs,
            reportMissingObjectsInResults=self.report_missing_objects,
        )
        self.views = views

    def _receive(self, method: Any, args: list[Any]) -> Received:
        collector = self.content.propertyCollector
        return receive_result_call(collector._stub, collector, method, args, self.count_round_trip)

    def _parse(self, received: Received) -> Page:
        """Parse a page; its successor is asked for first, once the whole body is here."""
        token = received.head_token()
        if token:
            continue_after = PropertyCollector.ContinueRetrievePropertiesEx
            self.prefetch = _Prefetch(token, lambda: self._receive(continue_after, [token]))
        return read_page(received)

    def _first_page(self) -> Page:
        self._ensure_views()

        def attempt() -> Page:
            self._drop_prefetch()
            received = self._receive(
                PropertyCollector.RetrievePropertiesEx, [[self.filter_spec], self.options]
            )
            return self._parse(received)

        return self.run(attempt, "RetrievePropertiesEx")

    def _next_page(self, token: str, stale: bool) -> Page:
        """The page after ``token``: asked again with the same token after a transient fault.

        The token is single-use: if an earlier attempt reached the server (or the session that
        owned it ended, ``stale``), the server answers InvalidArgument and the retrieval starts
        over.
        """
        attempts = 0

        def attempt() -> Page:
            nonlocal attempts
            attempts += 1
            prefetch, self.prefetch = self.prefetch, None
            try:
                if prefetch is not None and prefetch.token == token and not stale:
                    received = prefetch.result()  # its faults raise here, as if just asked
                else:
                    if prefetch is not None:
                        prefetch.settle()
                    received = self._receive(
                        PropertyCollector.ContinueRetrievePropertiesEx, [token]
                    )
                return self._parse(received)
            except vmodl.fault.InvalidArgument as fault:
                if (attempts > 1 or stale) and fault.invalidProperty in (None, "token"):
                    raise _TokenLost() from fault
                raise

        return self.run(attempt, "ContinueRetrievePropertiesEx")

    def destroy_views(self) -> None:
        """Best effort, never retried: logging out ends them anyway."""
        for view in self.views or ():
            try:
                view.DestroyView()
            except Exception as error:  # the session or the server may already be gone
                log.debug("could not destroy container view: %s", error)
        self.views = None


def _check_session(page: Page) -> None:
    """A page whose properties are all NotAuthenticated was read without a session."""
    faults = [fault for obj in page.objects for fault in obj.missing.values()]
    unauthenticated = all(fault == "NotAuthenticated" for fault in faults)
    if faults and unauthenticated and not any(obj.properties for obj in page.objects):
        raise vim.fault.NotAuthenticated(msg="the session ended")


def _report_unreadable(objects: Sequence[RawObject]) -> None:
    faults = Counter(fault for obj in objects for fault in obj.missing.values())
    if faults:
        summary = ", ".join(f"{count} x {fault}" for fault, count in faults.most_common())
        log.warning("some properties could not be read and are left unknown: %s", summary)
