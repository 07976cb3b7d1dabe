"""The HTML report in a real browser: Debian's chromium, headless, driven by Playwright.

The demo report is opened from disk as a customer would open it: it must show every section,
fetch nothing, raise no error, sort and filter with its script, read fully without it, and print
to PDF. A report full of hostile names must run none of them. Screenshots and PDFs are kept in
``tests/artifacts/`` (not in git) for a human to look at.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from support.browser import ReportPage, open_report
from support.hostile import (
    HOSTILE,
    LONG,
    TEMPLATE_EXPRESSION,
    failed_source_url,
    hostile_branding,
    hostile_snapshot,
    shifted,
)
from support.paths import REPO

from fleetreport.cli import main
from fleetreport.cli.report import DEMO_BRANDING
from fleetreport.health.build import build_report
from fleetreport.render.html import plain_text, write_html_report

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "tests" / "artifacts"
SECTIONS = (
    "cover",
    "summary",
    "pools",
    "findings",
    "energy",
    "infrastructure",
    "inventory",
    "method",
)
RIGHT_TO_LEFT_OVERRIDE = "\u202eevil.exe"
REVERSED_WORDS = """([mark, hostile]) => {
  // Words of the report's own text (not inside any hostile value) that follow the override in
  // the same block and are laid out right to left: their first letter right of their last.
  const block = (node) => {
    let element = node.parentElement;
    while (element && getComputedStyle(element).display === "inline") {
      element = element.parentElement;
    }
    return element;
  };
  const hostileMask = (text) => {
    const mask = new Array(text.length).fill(false);
    for (const value of hostile) {
      for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
        mask.fill(true, at, at + value.length);
      }
    }
    return mask;
  };
  const charBox = (node, index) => {
    const range = document.createRange();
    range.setStart(node, index);
    range.setEnd(node, index + 1);
    return range.getBoundingClientRect();
  };
  const reversed = [];
  const blocks = new Set();
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (texts.nextNode()) {
    const start = texts.currentNode;
    const at = start.data.indexOf(mark);
    if (at === -1 || blocks.has(block(start))) continue;
    const container = block(start);
    blocks.add(container);
    const inside = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    let after = false;
    while (inside.nextNode()) {
      const node = inside.currentNode;
      if (node === start) after = true;
      if (!after) continue;
      const mask = hostileMask(node.data);
      const words = /[A-Za-z0-9]{2,}/g;
      words.lastIndex = node === start ? at + mark.length : 0;
      for (let word = words.exec(node.data); word; word = words.exec(node.data)) {
        const end = word.index + word[0].length;
        if (mask.slice(word.index, end).some(Boolean)) continue;
        const first = charBox(node, word.index), last = charBox(node, end - 1);
        if (!first.width || !last.width || Math.abs(first.top - last.top) > 2) continue;
        if (first.left > last.left) {
          reversed.push(`<${container.tagName.toLowerCase()} class="${container.className}">`
            + ` ${word[0]}`);
        }
      }
    }
  }
  return reversed;
}"""
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
PDF_MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]")
POINTS_PER_MM = 72 / 25.4


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``fleetreport demo --out DIR``, once for the module (the tests only read it)."""
    out = tmp_path_factory.mktemp("demo")
    assert main(["--quiet", "demo", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def demo_model(demo_dir: Path) -> dict[str, Any]:
    """The JSON model written next to the HTML."""
    model: dict[str, Any] = json.loads((demo_dir / "report.json").read_text(encoding="utf-8"))
    return model


@pytest.fixture
def artifact(request: pytest.FixtureRequest) -> Path:
    """``tests/artifacts/<test name>``: add a suffix for each file."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)


def visible_rows(report: ReportPage, table: str, cells: str = "td") -> list[list[str]]:
    """Texts of the ``cells`` of the visible body rows of table ``#table``, in display order."""
    rows: list[list[str]] = report.page.eval_on_selector_all(
        f"#{table} tbody tr",
        "(rows, cells) => rows.filter(r => !r.hidden && r.offsetParent !== null)"
        ".map(r => Array.from(r.querySelectorAll(cells), c => c.textContent.trim()))",
        cells,
    )
    return rows


def visible_pool_names(report: ReportPage) -> list[str]:
    """Names (without display names) of the pools table's visible rows, in display order."""
    return [row[0] for row in visible_rows(report, "pools-table", "td:first-child strong")]


def open_every_group(report: ReportPage) -> None:
    """Open every ``<details>`` (finding groups, inventory pools), as a reader clicking each."""
    report.page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def number(text: str) -> float:
    return float(text.replace(",", ""))


# --- the demo report -----------------------------------------------------------------------


def test_the_demo_report_opens_quietly_with_every_section_visible(
    demo_dir: Path, demo_model: dict[str, Any], tmp_path: Path
) -> None:
    with open_report(demo_dir / "report.html", tmp_path / "profile") as report:
        page = report.page
        for section in SECTIONS:
            assert page.locator(f"#{section}").is_visible(), section
        assert page.locator("#cover h1").inner_text() == DEMO_BRANDING.customer
        fleet = demo_model["fleet"]
        assert page.locator("#summary .big-grade .grade").inner_text() == fleet["grade"]
        assert page.locator("#kpi-desktops").inner_text() == f"{fleet['desktops']:,}"
        assert fleet["desktops"] == 310
        assert page.evaluate("document.documentElement.classList.contains('js')")
        report.record.assert_quiet(report.url)
    assert report.record.requests == [report.url]


def test_clicking_the_desktops_header_sorts_the_pools_table(
    demo_dir: Path, demo_model: dict[str, Any], tmp_path: Path
) -> None:
    pools = [(pool["name"], pool["desktops"]) for pool in demo_model["pools"]]
    ascending = sorted(pools, key=lambda pool: pool[1])
    assert pools != ascending, "the demo's pools must not already be in that order"
    with open_report(demo_dir / "report.html", tmp_path / "profile") as report:
        headers = report.page.locator("#pools-table thead th")
        column = headers.all_inner_texts().index("Desktops")
        header = headers.nth(column)

        def shown() -> list[tuple[str, float]]:
            numbers = [number(row[column]) for row in visible_rows(report, "pools-table")]
            return list(zip(visible_pool_names(report), numbers, strict=True))

        assert shown() == pools
        header.click()
        assert shown() == ascending
        assert header.get_attribute("aria-sort") == "ascending"
        header.click()
        assert shown() == ascending[::-1]
        assert header.get_attribute("aria-sort") == "descending"
        report.record.assert_quiet(report.url)


def test_typing_in_a_filter_box_hides_the_rows_that_do_not_match(
    demo_dir: Path, demo_model: dict[str, Any], tmp_path: Path
) -> None:
    names = [pool["name"] for pool in demo_model["pools"]]
    wanted = [name for name in names if "Win11" in name]
    assert 0 < len(wanted) < len(names)
    with open_report(demo_dir / "report.html", tmp_path / "profile") as report:
        box = report.page.locator('input[data-filter-for="pools-table"]')
        assert box.is_visible()
        box.fill("win11")
        assert visible_pool_names(report) == wanted
        box.fill("no pool is called this")
        assert visible_rows(report, "pools-table") == []
        box.fill("")
        assert visible_pool_names(report) == names
        report.record.assert_quiet(report.url)


def test_the_report_reads_fully_without_javascript(demo_dir: Path, tmp_path: Path) -> None:
    with open_report(demo_dir / "report.html", tmp_path / "profile", javascript=False) as report:
        page = report.page
        assert not page.evaluate("document.documentElement.classList.contains('js')")
        for section in SECTIONS:
            assert page.locator(f"#{section}").is_visible(), section
        assert page.locator("#pools-table tbody tr").count() > 0
        assert page.locator("#pools-table tbody tr").first.is_visible()
        assert page.locator("input.filter").count() > 0
        assert page.locator("input.filter:visible").count() == 0, "filters need the script"
        report.record.assert_quiet(report.url)


def test_the_report_screenshots_and_prints_to_a4_and_letter(
    demo_dir: Path, tmp_path: Path, artifact: Path
) -> None:
    with open_report(demo_dir / "report.html", tmp_path / "profile") as report:
        screenshot = artifact.with_name(f"{artifact.name}.png")
        report.page.screenshot(path=str(screenshot), full_page=True)
        sizes = {}
        for paper in ("A4", "Letter"):
            pdf_path = artifact.with_name(f"{artifact.name}-{paper}.pdf")
            pdf = report.page.pdf(path=str(pdf_path), format=paper, print_background=True)
            assert pdf.startswith(b"%PDF-")
            assert len(pdf) > 20 * 1024
            assert len(PDF_PAGE.findall(pdf)) >= len(SECTIONS), "each section starts a page"
            boxes = {(float(w), float(h)) for w, h in PDF_MEDIA_BOX.findall(pdf)}
            assert len(boxes) == 1, "every page has the same size"
            sizes[paper] = boxes.pop()
        report.page.emulate_media(media="print")
        rows = report.page.locator(".findings-table tbody tr")  # inventory: counted in print
        printed = rows.evaluate_all("rows => rows.filter(r => r.offsetParent !== null).length")
        assert printed == rows.count() > 0, "print shows the rows of closed groups too"
        assert not report.page.locator("nav.toc").is_visible()
        report.record.assert_quiet(report.url)
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert screenshot.stat().st_size > 50 * 1024
    assert sizes["A4"] == pytest.approx((210 * POINTS_PER_MM, 297 * POINTS_PER_MM), abs=1.5)
    assert sizes["Letter"] == pytest.approx((8.5 * 72, 11 * 72), abs=1.5)


# --- hostile text --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "report.html"
    write_html_report(build_report(hostile_snapshot()), path, hostile_branding())
    return path


def texts(report: ReportPage, selector: str) -> list[str]:
    """``textContent`` of every element matching ``selector`` (hidden ones included)."""
    found: list[str] = report.page.eval_on_selector_all(
        selector, "elements => elements.map(e => e.textContent)"
    )
    return found


def first_texts(report: ReportPage, selector: str) -> list[str]:
    """The first text node of every element matching ``selector``."""
    found: list[str] = report.page.eval_on_selector_all(
        selector, "elements => elements.map(e => e.firstChild ? e.firstChild.textContent : '')"
    )
    return found


def test_hostile_names_run_nothing_and_fetch_nothing(
    hostile_report: Path, tmp_path: Path, artifact: Path
) -> None:
    with open_report(hostile_report, tmp_path / "profile") as report:
        page = report.page
        for cell in page.locator("#host-table tbody td", has_text="onmouseover").all():
            cell.hover()
        page.screenshot(path=str(artifact.with_name(f"{artifact.name}.png")))
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("script").count() == 1
        assert page.locator("img, iframe, object, embed, textarea, base, form").count() == 0
        handlers: list[str] = page.evaluate(
            """() => Array.from(document.querySelectorAll('*')).flatMap(e =>
                Array.from(e.attributes).filter(a => a.name.startsWith('on'))
                    .map(a => e.tagName + ' ' + a.name))"""
        )
        assert handlers == []
        for section in SECTIONS:
            assert page.locator(f"#{section}").is_visible(), section
        report.record.assert_quiet(report.url)
    assert report.record.requests == [report.url]


def test_hostile_names_are_shown_as_written(hostile_report: Path, tmp_path: Path) -> None:
    with open_report(hostile_report, tmp_path / "profile") as report:
        page = report.page
        open_every_group(report)
        body = page.inner_text("body")
        for text in HOSTILE:
            assert text in body, text[:40]

        branding = hostile_branding()
        assert texts(report, "#cover h1") == [branding.customer]
        assert page.title() == f"{plain_text(branding.title)} · {plain_text(branding.customer)}"
        assert sorted(texts(report, "#pools-table tbody td:first-child strong")) == sorted(HOSTILE)
        assert sorted(texts(report, "#pools-table tbody td:first-child small")) == sorted(HOSTILE)
        assert sorted(texts(report, "#host-table tbody td:nth-child(1)")) == sorted(HOSTILE)
        clusters = texts(report, "#host-table tbody td:nth-child(2) > bdi")
        assert sorted(clusters) == sorted(HOSTILE)
        assert sorted(texts(report, "#cs-table tbody td:nth-child(1)")) == sorted(HOSTILE)
        services = first_texts(report, "#cs-table tbody td:nth-child(5) .count-pair")
        assert sorted(s.strip() for s in services) == sorted(HOSTILE)
        assert sorted(first_texts(report, ".inventory-table td.name")) == sorted(HOSTILE)
        users = texts(report, ".inventory-table tbody td:nth-child(4)")
        assert sorted(users) == sorted(f"{t}, {shifted(i, 1)}" for i, t in enumerate(HOSTILE))
        errors = [
            t.removeprefix("failed: ")
            for t in texts(report, "#sources-table tbody td:nth-child(3)")
            if t != "ok"
        ]
        assert sorted(errors) == sorted(HOSTILE)
        messages = [
            t.split(" days): ", 1)[1]
            for t in texts(report, ".findings-table tbody td:nth-child(4)")
            if t.startswith("provisioning error")
        ]
        assert sorted(messages) == sorted(HOSTILE)
        banner = page.locator("#partial-banner").inner_text()
        assert all(failed_source_url(i) in banner for i in range(len(HOSTILE)))

        template_cells = [t for t in texts(report, "td, th, strong, small, h1") if "7*7" in t]
        assert template_cells and all(TEMPLATE_EXPRESSION in t for t in template_cells)
        assert [t for t in template_cells if "49" in t] == []
        chart_labels: list[str] = page.eval_on_selector_all(
            "#pools svg text:has(title)", "labels => labels.map(t => t.lastChild.textContent)"
        )
        assert any(LONG.startswith(label.rstrip("…")) and label != LONG for label in chart_labels)
        report.record.assert_quiet(report.url)


def test_a_right_to_left_override_in_a_name_reorders_nothing_else(
    hostile_report: Path, tmp_path: Path
) -> None:
    with open_report(hostile_report, tmp_path / "profile") as report:
        open_every_group(report)
        reversed_words = report.page.evaluate(REVERSED_WORDS, [RIGHT_TO_LEFT_OVERRIDE, HOSTILE])
        report.record.assert_quiet(report.url)
    assert reversed_words == []
