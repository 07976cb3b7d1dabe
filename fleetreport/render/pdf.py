"""The HTML report printed to PDF by a headless Chromium-family browser already on the machine.

Nothing is downloaded: Chromium, Google Chrome or Microsoft Edge is found on ``PATH`` or where
its installer puts it on Windows and macOS, and run with a fresh profile that is deleted after.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from fleetreport.atomic_write import write_atomically
from fleetreport.errors import OutputError
from fleetreport.health.report_model import HealthReport
from fleetreport.render.branding import Branding
from fleetreport.render.formats import PAPER_SIZES
from fleetreport.render.html import render_html

BROWSER_COMMANDS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
    "msedge",
    "chrome",
)
"""Names a Chromium-family browser has on ``PATH``, in the order they are tried."""
MACOS_BROWSERS = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
)
"""Where the macOS installers put the browsers."""
WINDOWS_BROWSERS = (
    ("PROGRAMFILES(X86)", r"Microsoft\Edge\Application\msedge.exe"),
    ("PROGRAMFILES", r"Microsoft\Edge\Application\msedge.exe"),
    ("PROGRAMFILES", r"Google\Chrome\Application\chrome.exe"),
    ("PROGRAMFILES(X86)", r"Google\Chrome\Application\chrome.exe"),
    ("LOCALAPPDATA", r"Google\Chrome\Application\chrome.exe"),
)
"""Where the Windows installers put Edge (present on every Windows 10/11) and Chrome."""
PRINT_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-pdf-header-footer",
    "--print-to-pdf-no-header",
)
"""Headless, quiet, no network of its own, and no header or footer (title, file path, date)."""
PRINT_TIMEOUT_SECONDS = 120
"""Longest wait for the browser; a 10,000-desktop report prints in well under a minute."""
INSTALL_HINT = (
    "install Chromium (Debian/Ubuntu: apt-get install chromium), Google Chrome or Microsoft Edge,"
    " or write --format html and print it from a browser"
)


def find_browser() -> Path | None:
    """A Chromium-family browser on ``PATH`` or in its installer's usual place, else None."""
    for command in BROWSER_COMMANDS:
        found = shutil.which(command)
        if found is not None:
            return Path(found)
    candidates: list[Path] = []
    if sys.platform == "darwin":
        candidates = [Path(path) for path in MACOS_BROWSERS]
    elif sys.platform == "win32":
        candidates = [
            Path(os.environ[variable]) / relative
            for variable, relative in WINDOWS_BROWSERS
            if os.environ.get(variable)
        ]
    return next((path for path in candidates if path.is_file()), None)


def require_browser() -> Path:
    """The browser that prints PDFs, or the one error saying how to install one."""
    browser = find_browser()
    if browser is None:
        raise OutputError("no Chromium, Chrome or Edge found to print the PDF", hint=INSTALL_HINT)
    return browser


def write_pdf_report(
    report: HealthReport,
    path: Path,
    branding: Branding | None = None,
    user_templates: Path | None = None,
    paper: str = "a4",
) -> None:
    """Render the HTML report, print it to ``path`` through a headless browser, atomically."""
    browser = require_browser()
    html = with_paper_size(render_html(report, branding, user_templates), paper)
    with tempfile.TemporaryDirectory(prefix="fleetreport-pdf-") as work:
        folder = Path(work)
        page = folder / "report.html"
        page.write_text(html, encoding="utf-8")
        printed = folder / "report.pdf"
        print_to_pdf(browser, page, printed, folder / "profile")
        write_atomically(path, printed.read_bytes())


def with_paper_size(html: str, paper: str) -> str:
    """The HTML with an ``@page`` size rule added at the end of its head."""
    size = PAPER_SIZES.get(paper.lower())
    if size is None:
        raise OutputError(f"unknown paper {paper!r}", hint=f"one of {', '.join(PAPER_SIZES)}")
    return html.replace("</head>", f"<style>@page {{ size: {size}; }}</style>\n</head>", 1)


def print_to_pdf(browser: Path, page: Path, out: Path, profile: Path) -> None:
    """Run ``browser`` headless to print ``page`` into ``out``; one clear error if it fails."""
    command = [
        str(browser),
        *PRINT_FLAGS,
        f"--user-data-dir={profile}",
        f"--print-to-pdf={out}",
        page.resolve().as_uri(),
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=sys.platform != "win32",
    )
    try:
        _, stderr = process.communicate(timeout=PRINT_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        stop(process)
        raise OutputError(
            f"{browser.name} did not print the PDF within {PRINT_TIMEOUT_SECONDS} s",
            hint="try again, or write --format html and print it from a browser",
        ) from None
    if process.returncode != 0 or not is_pdf(out):
        raise OutputError(
            f"{browser.name} could not print the PDF (exit code {process.returncode}):"
            f" {last_line(stderr)}",
            hint="write --format html and print it from a browser",
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Kill the browser and the processes it started, then reap it."""
    if sys.platform != "win32":
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            process.kill()
    else:
        process.kill()
    process.communicate()


def is_pdf(path: Path) -> bool:
    """Whether ``path`` exists and starts as a PDF does."""
    try:
        with path.open("rb") as stream:
            return stream.read(5) == b"%PDF-"
    except OSError:
        return False


def last_line(stderr: bytes) -> str:
    """The browser's last line of complaint, shortened: never its whole log."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    return lines[-1][:200] if lines else "no message"
