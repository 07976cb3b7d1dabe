"""Debian's chromium, headless, driven by Playwright: a page that records everything it does.

No browser is downloaded (``playwright install`` is never run): the tests drive the chromium
Debian ships (``apt-get install chromium``; ``tests/run_all.sh`` installs it). When it is
missing the tests fail, never skip.

``open_report(path, profile)`` opens a local HTML file in a fresh profile and records console
errors and warnings, uncaught page errors, dialogs (alert, confirm, ...), and every request. Any
request that is not a ``file:`` or ``data:`` URL is also aborted, so a report that tried to
phone home could not, and the test sees it in ``record.blocked``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Dialog, Page, Request, Route, sync_playwright

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000
"""Longest wait for any page action: a hung page fails fast instead of after Playwright's 30 s."""
LOCAL_SCHEMES = ("file:", "data:")


def chromium_executable() -> str:
    """Path of Debian's chromium; fails the test, with what to install, when it is missing."""
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "chromium is not installed: the browser tests drive Debian's chromium"
            " (sudo apt-get install chromium, or run tests/run_all.sh, which installs it)",
            pytrace=False,
        )
    return path


@dataclass
class PageRecord:
    """What the page did while it was open."""

    console: list[str] = field(default_factory=list)
    """Console messages of type error or warning, as ``type: text``."""
    page_errors: list[str] = field(default_factory=list)
    """Uncaught exceptions in the page."""
    dialogs: list[str] = field(default_factory=list)
    """Dialogs opened (alert, confirm, prompt, beforeunload), as ``type: message``."""
    requests: list[str] = field(default_factory=list)
    """URL of every request, in order."""
    blocked: list[str] = field(default_factory=list)
    """Requests that were not local and were aborted."""
    popups: list[str] = field(default_factory=list)
    """Windows the page opened."""

    def foreign_requests(self, own_url: str) -> list[str]:
        """Requests other than the page's own file and ``data:`` URIs."""
        return [url for url in self.requests if url != own_url and not url.startswith("data:")]

    def assert_quiet(self, own_url: str) -> None:
        """No console error or warning, no page error, no dialog, no request leaving the file."""
        assert self.console == [], "console errors or warnings"
        assert self.page_errors == [], "uncaught errors in the page"
        assert self.dialogs == [], "dialogs opened"
        assert self.popups == [], "windows opened"
        assert self.foreign_requests(own_url) == [], "requests other than the report itself"
        assert self.blocked == [], "requests leaving the machine"


@dataclass
class ReportPage:
    """An open report."""

    page: Page
    """The Playwright page."""
    url: str
    """The report's ``file://`` URL."""
    record: PageRecord
    """What the page did."""


@contextmanager
def open_report(path: Path, profile: Path, *, javascript: bool = True) -> Iterator[ReportPage]:
    """Open the HTML file ``path`` in headless chromium with a fresh profile in ``profile``."""
    executable = chromium_executable()
    record = PageRecord()
    url = path.resolve().as_uri()

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            record.console.append(f"{message.type}: {message.text}")

    def on_dialog(dialog: Dialog) -> None:
        record.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_request(request: Request) -> None:
        record.requests.append(request.url)

    def route(route: Route) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            record.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(profile),
            executable_path=executable,
            headless=True,
            args=list(CHROMIUM_ARGS),
            java_script_enabled=javascript,
            viewport={"width": VIEWPORT["width"], "height": VIEWPORT["height"]},
            accept_downloads=False,
        )
        try:
            context.set_default_timeout(TIMEOUT_MS)
            context.route("**/*", route)
            page = context.pages[0] if context.pages else context.new_page()
            page.on("console", on_console)
            page.on("pageerror", lambda error: record.page_errors.append(str(error)))
            page.on("dialog", on_dialog)
            page.on("request", on_request)
            context.on("page", lambda popup: record.popups.append(popup.url))
            page.goto(url, wait_until="load")
            yield ReportPage(page, url, record)
        finally:
            context.close()
