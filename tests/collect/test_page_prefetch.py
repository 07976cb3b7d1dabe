"""The next result page is asked for while the current one is parsed: same calls, same faults.

The request for page N+1 goes out once page N's body is fully received (its token read from
the head), in a daemon thread; what it raises surfaces in the reading thread, in order, so
retry, relogin and start-over behave as when each page was asked for after the last parse.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pyVmomi import vim, vmodl
from support.vcsim import VcsimServer, start_vcsim

from fleetreport.collect.vcenter import property_reader
from fleetreport.collect.vcenter.soap_stream import Page, RawObject, Received

pytestmark = pytest.mark.simulator

PAGE_SIZE = 3
PATHS = {vim.VirtualMachine: ("name",), vim.HostSystem: ("name",)}


@pytest.fixture(scope="module")
def server() -> Iterator[VcsimServer]:
    with start_vcsim("basic", page_size=PAGE_SIZE) as running:
        yield running


class Calls:
    """Every result call the reader makes: method, token, thread, and when it ran."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.log: list[tuple[str, str | None, str]] = []
        self.events: list[str] = []
        self.running = 0
        self.most_at_once = 0
        self.lock = threading.Lock()
        self.fault: Callable[[int, str | None], None] | None = None
        """Called before (``when="before"``) or after each call to raise a fault there."""
        self.fault_after: Callable[[int, str | None], None] | None = None
        real = property_reader.receive_result_call

        def receive(stub: Any, mo: Any, method: Any, args: list[Any], count: Any) -> Received:
            name = method.info.wsdlName
            token = args[0] if name == "ContinueRetrievePropertiesEx" else None
            with self.lock:
                number = len(self.log)
                self.log.append((name, token, threading.current_thread().name))
                self.running += 1
                self.most_at_once = max(self.most_at_once, self.running)
            try:
                if self.fault is not None:
                    self.fault(number, token)
                received = real(stub, mo, method, args, count)
                if self.fault_after is not None:
                    self.fault_after(number, token)
                return received
            finally:
                with self.lock:
                    self.running -= 1
                    self.events.append(f"end {number}")

        monkeypatch.setattr(property_reader, "receive_result_call", receive)

    def methods(self) -> list[str]:
        return [name for name, _, _ in self.log]


def read(
    server: VcsimServer,
    *,
    run: property_reader.CallRunner = property_reader._once,
    relogin: Callable[[], None] | None = None,
) -> tuple[list[RawObject], list[Page]]:
    """All VMs and hosts, and the pages as parsed, in order."""
    si = server.connect()
    pages: list[Page] = []
    real_parse = property_reader.read_page

    def parse(received: Received) -> Page:
        page = real_parse(received)
        pages.append(page)
        return page

    property_reader.read_page = parse  # type: ignore[assignment]
    try:
        objects = property_reader.retrieve_inventory(
            si.content,
            PATHS,
            page_size=PAGE_SIZE,
            count_round_trip=lambda: None,
            run=run,
            relogin=relogin,
        )
    finally:
        property_reader.read_page = real_parse  # type: ignore[assignment]
    return objects, pages


def names(objects: list[RawObject]) -> list[str]:
    return sorted(record.obj.value for record in objects)


def expected(server: VcsimServer) -> list[str]:
    """The same objects read page by page with pyVmomi, without fleetreport's reader."""
    si = server.connect()
    view = si.content.viewManager.CreateContainerView(
        si.content.rootFolder, [vim.VirtualMachine, vim.HostSystem], True
    )
    return sorted(obj._moId for obj in view.view)


def retry_once(fn: Callable[[], Any], what: str, /) -> Any:
    try:
        return fn()
    except ConnectionResetError:
        return fn()


def test_the_server_sees_the_same_calls_one_at_a_time(
    server: VcsimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(monkeypatch)
    objects, pages = read(server)
    assert names(objects) == expected(server)
    assert len(pages) >= 3  # paged, so the prefetch is exercised
    tokens = [page.token for page in pages]
    assert tokens[-1] is None
    # one RetrievePropertiesEx, then one Continue per token, each token once, in order
    assert calls.methods() == ["RetrievePropertiesEx"] + ["ContinueRetrievePropertiesEx"] * (
        len(pages) - 1
    )
    assert [token for _, token, _ in calls.log[1:]] == tokens[:-1]
    assert calls.most_at_once == 1
    # the Continue calls went out ahead, from the prefetch thread
    assert {thread for _, _, thread in calls.log[1:]} == {"fleetreport-next-page"}


def test_a_transient_fault_on_a_page_asked_ahead_asks_it_again(
    server: VcsimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(monkeypatch)

    def reset_once(number: int, token: str | None) -> None:
        if number == 1:
            raise ConnectionResetError("reset before the request went out")

    calls.fault = reset_once
    objects, pages = read(server, run=retry_once)
    assert names(objects) == expected(server)
    first, second, third = calls.log[1:4]
    assert first[1] == second[1] == pages[0].token  # the same token, asked again
    assert second[2] == threading.main_thread().name  # by the reader, once the fault surfaced
    assert third[1] == pages[1].token
    assert calls.most_at_once == 1


def test_a_token_spent_by_a_failed_prefetch_starts_the_retrieval_over(
    server: VcsimServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls = Calls(monkeypatch)

    def reset_after_once(number: int, token: str | None) -> None:
        if number == 1:
            raise ConnectionResetError("reset after the server answered")

    calls.fault_after = reset_after_once
    with caplog.at_level("INFO", logger=property_reader.__name__):
        objects, _ = read(server, run=retry_once)
    assert names(objects) == expected(server)  # complete, nothing twice
    methods = calls.methods()
    assert methods[:3] == ["RetrievePropertiesEx"] + ["ContinueRetrievePropertiesEx"] * 2
    assert methods.count("RetrievePropertiesEx") == 2
    assert any("starting the retrieval over" in r.getMessage() for r in caplog.records)
    assert calls.most_at_once == 1


def test_not_authenticated_on_a_page_asked_ahead_logs_in_and_resumes(
    server: VcsimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(monkeypatch)
    relogins: list[int] = []

    def session_gone_once(number: int, token: str | None) -> None:
        if number == 2:
            raise vim.fault.NotAuthenticated(msg="the session ended")

    calls.fault = session_gone_once
    objects, pages = read(server, relogin=lambda: relogins.append(len(calls.events)))
    assert names(objects) == expected(server)
    assert len(relogins) == 1
    asked = [token for _, token, _ in calls.log]
    assert asked[2] == asked[3] == pages[1].token  # resumed with the same token
    assert calls.log[3][2] == threading.main_thread().name
    assert calls.methods().count("RetrievePropertiesEx") == 1


def read_with_the_second_page_unauthenticated(
    server: VcsimServer, monkeypatch: pytest.MonkeyPatch, *, parse_seconds: float = 0.0
) -> None:
    """Read the inventory with every object of the second page NotAuthenticated (the session
    ended between pages, its parse taking ``parse_seconds``): the reader raises it."""
    real_parse = property_reader.read_page
    parsed = 0

    def unauthenticated_second_page(received: Received) -> Page:
        nonlocal parsed
        parsed += 1
        page = real_parse(received)
        if parsed != 2:
            return page
        time.sleep(parse_seconds)
        return Page(
            [RawObject(o.obj, {}, {"name": "NotAuthenticated"}) for o in page.objects],
            page.token,
        )

    monkeypatch.setattr(property_reader, "read_page", unauthenticated_second_page)
    si = server.connect()
    with pytest.raises(vim.fault.NotAuthenticated):
        property_reader.retrieve_inventory(
            si.content, PATHS, page_size=PAGE_SIZE, count_round_trip=lambda: None
        )


def test_a_page_read_without_a_session_ends_the_page_asked_ahead_before_raising(
    server: VcsimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page after it was already asked for: the reader raises NotAuthenticated, as before,
    but only once that request has ended, its answer dropped; nothing of ours is in flight."""
    calls = Calls(monkeypatch)
    # the next page's request is in flight while the second page is parsed
    read_with_the_second_page_unauthenticated(server, monkeypatch, parse_seconds=0.2)
    assert calls.running == 0
    assert calls.events == ["end 0", "end 1", "end 2"]  # the third call was asked ahead
    assert calls.methods() == ["RetrievePropertiesEx"] + ["ContinueRetrievePropertiesEx"] * 2


def test_a_page_asked_ahead_that_fails_while_unwanted_is_dropped_and_logged_at_debug(
    server: VcsimServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Its failure is not the reader's: the reader raises its own error, and the dropped
    answer's failure is one debug line (with ``--debug``, nothing at the default level)."""
    calls = Calls(monkeypatch)

    def reset_ahead(number: int, token: str | None) -> None:
        if number == 2:
            time.sleep(0.1)
            raise ConnectionResetError("reset on the page asked ahead")

    calls.fault = reset_ahead
    with caplog.at_level("DEBUG", logger=property_reader.__name__):
        read_with_the_second_page_unauthenticated(server, monkeypatch)
    assert calls.running == 0 and calls.events == ["end 0", "end 1", "end 2"]
    dropped = [r for r in caplog.records if "asked ahead" in r.getMessage()]
    assert [(r.levelname, r.getMessage()) for r in dropped] == [
        ("DEBUG", "dropped the answer to a page asked ahead: reset on the page asked ahead")
    ]


def test_tokens_lost_again_and_again_end_the_read_with_a_fault_that_says_so(
    server: VcsimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each start's second page is answered and then lost (the token spent), every time: the
    retrieval starts over MAX_RESTARTS times, then stops with the fault the user is shown."""
    calls = Calls(monkeypatch)
    reset: set[str | None] = set()

    def reset_each_token_once(number: int, token: str | None) -> None:
        if token is not None and token not in reset:
            reset.add(token)
            raise ConnectionResetError("reset after the server answered")

    calls.fault_after = reset_each_token_once
    with pytest.raises(vmodl.fault.InvalidArgument) as caught:
        read(server, run=retry_once)
    assert caught.value.msg == "continuation tokens kept getting lost"
    assert caught.value.invalidProperty == "token"
    assert calls.methods().count("RetrievePropertiesEx") == property_reader.MAX_RESTARTS + 1
    assert calls.running == 0


def test_the_view_traversal_says_skip_false_rather_than_leave_it_to_the_server(
    server: VcsimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``TraversalSpec.skip`` is optional and the API reference gives it no default: the
    reader says false (the objects in each view are what it reads)."""
    specs: list[Any] = []
    real = property_reader.receive_result_call

    def receive(stub: Any, mo: Any, method: Any, args: list[Any], count: Any) -> Received:
        if method.info.wsdlName == "RetrievePropertiesEx":
            specs.extend(args[0])
        return real(stub, mo, method, args, count)

    monkeypatch.setattr(property_reader, "receive_result_call", receive)
    read(server)
    traversals = [s for spec in specs for o in spec.objectSet for s in o.selectSet]
    assert traversals and all(t.path == "view" and t.skip is False for t in traversals)
