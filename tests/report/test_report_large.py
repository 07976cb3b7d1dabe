"""The demo's report and that of a 10,000-desktop fleet as a person sees them: the summary's top
five is the impact ranking recomputed from the JSON report, and no table sticks out of the page
on a 1366 px screen nor on A4 or Letter paper (the demo's finer layout checks are in
test_report_print.py; here the widths, also on a report 30 times the demo's size)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.browser import open_report
from support.large_fleet import replicated
from support.paths import DEMO_SNAPSHOT
from support.print_layout import PRINT_WIDTHS, SCREEN_WIDTH, layout
from support.ranking import serious_checks

from fleetreport.cli.report import DEMO_BRANDING
from fleetreport.health.build import build_report
from fleetreport.health.report_json import report_to_json
from fleetreport.render.html import write_html_report
from fleetreport.snapshot.store import load_snapshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DESKTOPS = 10_000


@pytest.fixture(scope="module", params=[0, DESKTOPS], ids=["demo", "10000-desktops"])
def large(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """The HTML file of the demo fleet (as it is, or replicated) and its JSON report."""
    demo = load_snapshot(DEMO_SNAPSHOT)
    desktops: int = request.param
    report = build_report(replicated(demo, desktops) if desktops else demo)
    assert report.fleet.desktops >= desktops
    html = tmp_path_factory.mktemp("large") / "report.html"
    write_html_report(report, html, DEMO_BRANDING)
    return html, json.loads(report_to_json(report))


def test_the_top_five_on_screen_is_the_impact_ranking_of_the_json_report(
    large: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    html, data = large
    with open_report(html, tmp_path / "profile") as report:
        items = report.page.locator("#top-problems li")
        shown = items.evaluate_all("items => items.map(item => item.dataset.check)")
        assert items.first.is_visible()
        report.record.assert_quiet(report.url)
    assert shown == serious_checks(data)[:5]
    assert shown[0] == "pool_image_old"  # the demo's largest drag, in every copy of the demo


@pytest.mark.parametrize(
    ("width", "media"),
    [(SCREEN_WIDTH, "screen"), *((width, "print") for width in PRINT_WIDTHS.values())],
    ids=["screen-1366", *PRINT_WIDTHS],
)
def test_no_table_is_wider_than_the_page(
    large: tuple[Path, dict[str, Any]], tmp_path: Path, width: int, media: str
) -> None:
    found = layout(large[0], tmp_path / "profile", width, media, deep=False)
    assert found["wide"] == []
    assert found["scroll"] == []
