"""The report's usage section and its sheets, from a hand-made ``UsageReport``: what a reader
sees (evidence, logons per day, peaks against capacity, right-sizing, unused desktops,
licences, measured energy), in words and not raw values, hostile names as text, and the exact
rows of the export sheets."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest
from support.browser import open_report
from support.fleet_reports import (
    REFUSING_VCENTER,
    SKIPPED_POD,
    USAGE_HOSTILE,
    fleet_report,
    usage_report,
    with_usage,
)
from support.html_tree import Element, parse
from support.print_layout import PRINT_WIDTHS, layout
from support.report_words import raw_tokens

from fleetreport.export.csv_export import csv_files
from fleetreport.export.tables import TABLES, render_tables
from fleetreport.health.report_model import HealthReport
from fleetreport.health.usage_records import UsageReport
from fleetreport.render import labels
from fleetreport.render.html import format_duration, render_html, write_html_report
from fleetreport.render.views import PRINTED_ROWS

USAGE_SHEETS = ("usage_days", "pool_sizing", "unused_desktops", "host_power", "licence_peaks")
RAW_VALUES = (
    "over_provisioned",
    "ran_out",
    "right_sized",
    "power_policy",
    "assigned_user_absent",
    "no_session_no_activity",
    "by_count",
    "no_data",
    "CONCURRENT_USER",
    "NAMED_USER",
    "FLOATING",
    "DEDICATED",
    "poweredOn",
)
"""Raw values the hand-made usage holds, none of which a reader may see."""


@pytest.fixture(scope="module")
def plain() -> HealthReport:
    return fleet_report([("desk-a", "pool-a"), ("desk-b", "pool-b")])


@pytest.fixture(scope="module")
def report(plain: HealthReport) -> HealthReport:
    return with_usage(plain)


@pytest.fixture(scope="module")
def html(report: HealthReport) -> str:
    return render_html(report)


@pytest.fixture(scope="module")
def section(html: str) -> Element:
    return parse(html).by_id("usage")


def visible_text(element: Element) -> str:
    """Text a reader sees: no SVG (its figures are in the tables), no ``code``."""
    if element.tag in {"svg", "code"}:
        return ""
    return "".join(c if isinstance(c, str) else visible_text(c) for c in element.children)


def spaced_text(element: Element) -> str:
    """Text with a line break read as a space."""
    return "".join(
        c if isinstance(c, str) else (" " if c.tag == "br" else spaced_text(c))
        for c in element.children
    )


def rows(section: Element, table_id: str) -> list[list[str]]:
    return [
        [" ".join(spaced_text(cell).split()) for cell in row.children if isinstance(cell, Element)]
        for row in section.by_id(table_id).body_rows()
    ]


def titles(section: Element, cls: str) -> list[str]:
    return [
        child.text()
        for shape in section.find_all(None, cls)
        for child in shape.children
        if isinstance(child, Element) and child.tag == "title"
    ]


# The section


def test_no_usage_no_section_and_no_link(plain: HealthReport) -> None:
    document = parse(render_html(plain))
    assert [e for e in document.iter() if e.id == "usage"] == []
    assert "#usage" not in [a.attrs["href"] for a in document.find_all("a")]


def test_the_section_follows_energy_and_the_contents_link_to_it(html: str) -> None:
    document = parse(html)
    ids = [e.id for e in document.iter() if e.id in {"energy", "usage", "infrastructure"}]
    assert ids == ["energy", "usage", "infrastructure"]
    links = [a.attrs["href"] for a in document.by_id("usage").parent.parent.find_all("a")]
    assert links.index("#usage") == links.index("#energy") + 1


def test_evidence_says_what_was_read_and_why_not(section: Element) -> None:
    assert rows(section, "usage-evidence") == [
        ["pod-west", "Horizon audit events", "Read", "412 session events"],
        [SKIPPED_POD, "Horizon audit events", "Not read", "the event database is not configured"],
        [
            "vc1.example.test",
            "vCenter performance history",
            "Read",
            "37 VMs measured, 3 without samples; 1 host metering power, 1 without a reading;"
            " a sample every 2 hours",
        ],
        [
            REFUSING_VCENTER,
            "vCenter performance history",
            "Refused",
            "permission to read performance denied",
        ],
    ]
    missing = [" ".join(li.text().split()) for li in section.by_id("usage-missing").find_all("li")]
    assert missing == [
        f"The audit events of pod {SKIPPED_POD} were not read (the event database is not"
        " configured): its logons cannot be counted, and its pools' peaks and unused desktops"
        " cannot be judged.",
        f"vCenter {REFUSING_VCENTER} gave no performance history (permission to read"
        " performance denied): the CPU activity of its desktops and the power draw of its hosts"
        " cannot be measured.",
    ]


def test_logons_per_day_chart_has_a_bar_per_day_titled_with_its_figures(
    section: Element, report: HealthReport
) -> None:
    usage = report.usage
    assert usage is not None
    expected = [f"{d.day}: {d.logons} {'logon' if d.logons == 1 else 'logons'}" for d in usage.days]
    assert titles(section, "day-bar") == expected
    assert len(expected) == 30
    chart = section.find_all("svg", "usage-days")[0]
    assert chart.attrs["role"] == "img"
    assert chart.attrs["aria-labelledby"] == "usage-days-title usage-days-desc"
    assert chart.by_id("usage-days-desc").text() == (
        f"{sum(d.logons for d in usage.days)} logons over 30 days from {usage.days[0].day}"
        f" to {usage.days[-1].day}; the busiest day had {max(d.logons for d in usage.days)}."
    )
    assert rows(section, "usage-days-table") == [
        [d.day, str(d.logons), "n/a" if d.peak_sessions is None else str(d.peak_sessions)]
        for d in usage.days
    ]


def test_peaks_against_capacity_chart_and_the_right_sizing_table(section: Element) -> None:
    assert titles(section, "peak-bar") == [
        "IC-Office: 20 sessions at peak",
        f"{USAGE_HOSTILE}: at least 10 sessions at peak",
        "East-Desktops: peak not known",
    ]
    assert titles(section, "capacity-bar") == [
        "IC-Office: 40 provisioned",
        f"{USAGE_HOSTILE}: 10 provisioned",
        "East-Desktops: 6 provisioned",
    ]
    assert titles(section, "maximum-mark") == [
        "IC-Office: maximum 50",
        f"{USAGE_HOSTILE}: maximum 10",
    ]
    assert titles(section, "spares-mark") == [
        "IC-Office: peak plus 2 spares needs 22",
        f"{USAGE_HOSTILE}: peak plus 0 spares needs 10",
    ]
    assert rows(section, "usage-pools") == [
        [
            "IC-Office floating",
            "40 machines 50 maximum 2 spares",
            "300",
            "20 2026-10-30 11 now",
            "22",
            "18",
            "Over-provisioned",
            "Lower the pool's size to 22 machines (peak 20 plus 2 spares). Lever: Pool sizing",
        ],
        [
            f"{USAGE_HOSTILE} dedicated",
            "10 machines 10 maximum 0 spares",
            "95",
            "at least 10 2026-11-01 9 now",
            "10",
            "0",
            "Ran out",
            "Raise the maximum: every machine was in use at the peak. Lever: Power policy",
        ],
        [
            "East-Desktops",
            "6 machines n/a maximum n/a spares",
            "0",
            "unknown",
            "n/a",
            "n/a",
            "Cannot tell",
            "Collect its pod's audit events to judge its size. Lever: Neither (no lever)",
        ],
    ]


def test_unused_desktops_costliest_first_with_words_for_every_value(section: Element) -> None:
    assert rows(section, "usage-unused") == [
        [
            f"{USAGE_HOSTILE} {USAGE_HOSTILE}",
            "Assigned user has not logged on",
            USAGE_HOSTILE,
            "none in the window",
            "not measured",
            "On 20 W assumed",
            "60",
            "Unassign the user and reclaim the desktop.",
        ],
        [
            "desk-001 IC-Office",
            "No session and no CPU activity",
            "none",
            "none in the window",
            "0.4%",
            "On 27.5 W measured",
            "59",
            "Delete it or let the pool provision on demand.",
        ],
    ]
    assert "cost about 119 EUR a year" in " ".join(visible_text(section).split())


def test_licences_and_measured_energy(section: Element) -> None:
    assert rows(section, "usage-licences") == [
        ["Pod West", "Concurrent users", "31", "64", "58", "100"],
        ["Pod East", "Named users", "12", "15", "n/a", "not configured"],
    ]
    text = " ".join(visible_text(section).split())
    assert (
        "Method: each idle desktop's share of its host's measured draw, shared by count of"
        " powered-on VMs. 1 host running desktops metered power, 1 did not." in text
    )
    assert "3 ran on metered hosts and their draw is measured; for the other 2 it is the" in text
    assert rows(section, "usage-energy-compare") == [
        ["Draw of an idle desktop", "20 W", "27.5 W"],
        ["Energy", "0 kWh", "1,073.1 kWh"],
        ["Cost", "0 EUR", "322 EUR"],
        ["Power-policy saving", "0 EUR", "120.5 EUR"],
        ["Sizing saving", "0 EUR", "60.2 EUR"],
    ]
    assert rows(section, "usage-hosts") == [
        ["esx-01.example.test", "Measured", "412.5 W", "530 W", "15", "27.5 W", "3"],
        ["esx-02.example.test", "No power reading", "n/a", "n/a", "12", "n/a", "2"],
    ]


def test_no_raw_value_reaches_the_reader_and_each_stays_as_a_tooltip(
    html: str, section: Element
) -> None:
    assert raw_tokens(html) == {}
    text = visible_text(section)
    assert [raw for raw in RAW_VALUES if raw in text] == []
    tooltips = {e.attrs["title"] for e in section.find_all("span", "api-value")}
    assert set(RAW_VALUES) - {"right_sized"} <= tooltips


def test_hostile_names_stay_text(html: str, section: Element) -> None:
    assert section.find_all("script") == []
    assert "<script>window.__pwned=9" not in html
    assert USAGE_HOSTILE in section.text()
    names = [e for e in section.find_all("bdi") if e.text() == USAGE_HOSTILE]
    assert len(names) == 4  # pool in the table, desktop, its pool, its user


@pytest.mark.parametrize(
    ("vocabulary", "raws"),
    [
        (
            "sizing_verdict",
            ("over_provisioned", "ran_out", "spares_short", "dedicated", "right_sized", "unknown"),
        ),
        ("sizing_lever", ("power_policy", "sizing", "none")),
        ("unused_reason", ("assigned_user_absent", "no_session_no_activity")),
        ("evidence_kind", ("horizon", "vcenter")),
        ("evidence_status", ("ok", "skipped", "refused")),
        ("host_power_status", ("measured", "no_data", "not_collected", "error")),
        ("energy_method", ("by_count",)),
    ],
)
def test_every_usage_value_has_words(vocabulary: str, raws: tuple[str, ...]) -> None:
    assert [labels.plain_label(raw, vocabulary) == raw for raw in raws] == [False] * len(raws)
    assert labels.plain_label("by_cpu_and_luck", vocabulary) == "By cpu and luck"
    assert labels.plain_label("ok") == "ok"  # the usage words stay out of "any"


def test_durations_in_words() -> None:
    assert [format_duration(s) for s in (300, 7200, 86400, 90, None)] == [
        "5 minutes",
        "2 hours",
        "day",
        "90 seconds",
        "n/a",
    ]


# Long lists and empty states


def test_long_lists_start_collapsed_and_print_their_first_rows(plain: HealthReport) -> None:
    section = parse(render_html(with_usage(plain, usage_report(days=40, unused=30)))).by_id("usage")
    unused = section.by_id("usage-unused")
    extra = [row for row in unused.body_rows() if "print-extra" in row.classes]
    assert len(unused.body_rows()) == 30 and len(extra) == 30 - PRINTED_ROWS
    assert unused.body_rows()[PRINTED_ROWS - 1].classes == set()
    details = [
        d for d in section.find_all("details") if d.find_all("table")[0].id == "usage-unused"
    ]
    assert "open" not in details[0].attrs
    days = next(d for d in section.find_all("details") if "usage-days" in d.classes)
    assert "screen-only" in days.classes and "open" not in days.attrs
    printed = " ".join(section.by_id("usage-days-print").text().split())
    days_40 = usage_report(days=40).days
    busiest = max(days_40, key=lambda d: d.logons)
    assert printed.startswith(
        f"{sum(d.logons for d in days_40)} logons over 40 days, the most on {busiest.day}"
        f" ({busiest.logons}). "
    )
    notes = [" ".join(p.text().split()) for p in section.find_all("p", "print-only")]
    assert (
        f"The {PRINTED_ROWS} costliest are printed; all 30 are in this report on screen and in"
        " the Excel workbook (sheet Unused desktops)." in notes
    )


def test_empty_usage_says_what_is_missing(plain: HealthReport) -> None:
    empty = UsageReport(30, None, None, [], [], [], [])
    section = parse(render_html(with_usage(plain, empty))).by_id("usage")
    said = {
        e.id: " ".join(e.text().split())
        for e in section.iter()
        if e.id
        in {
            "usage-missing",
            "usage-no-days",
            "usage-no-pools",
            "usage-no-unused",
            "usage-no-licences",
            "usage-no-energy",
        }
    }
    assert said == {
        "usage-missing": "No pod's audit events were collected: logons cannot be counted."
        " No vCenter's performance history was collected: CPU activity and power draw cannot"
        " be measured.",
        "usage-no-days": "No pod's audit events were read: logons cannot be counted.",
        "usage-no-pools": "No pool had machines or sessions in the window.",
        "usage-no-unused": "Neither audit events nor performance history were read: unused"
        " desktops cannot be found.",
        "usage-no-licences": "No pod reported its licence use.",
        "usage-no-energy": "No vCenter's performance history was read: the energy figures rest"
        " on the assumptions of the Energy section.",
    }
    assert section.find_all("svg") == []


# Sheets


def sheet(report: HealthReport, name: str) -> list[list[object]]:
    table = next(t for t in render_tables(report) if t.name == name)
    return [table.headers, *([cell.value for cell in row] for row in table.rows)]


def test_usage_sheets_have_a_header_alone_without_usage(plain: HealthReport) -> None:
    tables = {t.name: t for t in render_tables(plain)}
    assert [tables[name].rows for name in USAGE_SHEETS] == [[]] * 5
    names = [t.name for t in TABLES]
    assert names[names.index("energy") + 1 : names.index("energy") + 6] == list(USAGE_SHEETS)


def test_usage_sheets_rows(report: HealthReport) -> None:
    assert sheet(report, "usage_days")[:3] == [
        ["Day (UTC)", "Logons", "Peak sessions (sum of pools)"],
        ["2026-10-29", 0, None],
        ["2026-10-30", 7, 1],
    ]
    assert sheet(report, "pool_sizing")[1:] == [
        [
            "IC-Office",
            "FLOATING",
            "sizing",
            40,
            50,
            2,
            300,
            20,
            "2026-10-30",
            "no",
            11,
            22,
            18,
            "over_provisioned",
            "Lower the pool's size to 22 machines (peak 20 plus 2 spares).",
            "pod-west",
            "pool-ic",
        ],
        [
            USAGE_HOSTILE,
            "DEDICATED",
            "power_policy",
            10,
            10,
            0,
            95,
            10,
            "2026-11-01",
            "yes",
            9,
            10,
            0,
            "ran_out",
            "Raise the maximum: every machine was in use at the peak.",
            "pod-west",
            "pool-dev",
        ],
        [
            "East-Desktops",
            None,
            "none",
            6,
            None,
            None,
            0,
            None,
            None,
            "no",
            None,
            None,
            None,
            "unknown",
            "Collect its pod's audit events to judge its size.",
            SKIPPED_POD,
            "pool-east",
        ],
    ]
    assert sheet(report, "unused_desktops")[1:] == [
        [
            USAGE_HOSTILE,
            USAGE_HOSTILE,
            "assigned_user_absent",
            USAGE_HOSTILE,
            None,
            None,
            "poweredOn",
            20.0,
            "no",
            200.0,
            60.0,
            "Unassign the user and reclaim the desktop.",
            "pool-dev",
            "pod-west/machine-0",
        ],
        [
            "desk-001",
            "IC-Office",
            "no_session_no_activity",
            None,
            None,
            0.4,
            "poweredOn",
            27.5,
            "yes",
            199.0,
            59.0,
            "Delete it or let the pool provision on demand.",
            "pool-ic",
            "pod-west/machine-1",
        ],
    ]
    assert sheet(report, "host_power")[1:] == [
        ["esx-01.example.test", "measured", 412.5, 530.0, 15, 27.5, 3, "uuid-1", "host-1"],
        ["esx-02.example.test", "no_data", None, None, 12, None, 2, "uuid-1", "host-2"],
    ]
    assert sheet(report, "licence_peaks") == [
        [
            "Pod",
            "Usage model",
            "Current use",
            "Highest use",
            "Peak sessions in window",
            "Licensed",
            "Pod id",
        ],
        ["Pod West", "CONCURRENT_USER", 31, 64, 58, 100, "pod-west"],
        ["Pod East", "NAMED_USER", 12, 15, None, None, SKIPPED_POD],
    ]


def test_summary_sheet_names_the_window_the_evidence_and_the_measured_energy(
    report: HealthReport, plain: HealthReport
) -> None:
    items = {row[0]: row[1] for row in sheet(report, "summary")[1:]}
    usage = {k: v for k, v in items.items() if str(k).startswith(("Usage", "Measured"))}
    assert usage == {
        "Usage: window (days)": 30,
        "Usage: window start (UTC)": items["Usage: window start (UTC)"],
        "Usage: window end (UTC)": items["Usage: window end (UTC)"],
        "Usage evidence 1 (horizon)": "pod-west",
        "Usage evidence 1 status": "ok",
        "Usage evidence 2 (horizon)": SKIPPED_POD,
        "Usage evidence 2 status": "skipped",
        "Usage evidence 2 reason": "the event database is not configured",
        "Usage evidence 3 (vcenter)": "vc1.example.test",
        "Usage evidence 3 status": "ok",
        "Usage evidence 4 (vcenter)": REFUSING_VCENTER,
        "Usage evidence 4 status": "refused",
        "Usage evidence 4 reason": "permission to read performance denied",
        "Measured energy: method": "by_count",
        "Measured energy: idle desktops measured": 3,
        "Measured energy: idle desktops assumed": 2,
        "Measured energy: watts per idle desktop": 27.5,
        "Measured energy: kWh per year": 1073.1,
        "Measured energy: cost per year": 322.0,
        "Measured energy: saving per year": 120.5,
        "Measured energy: sizing saving per year": 60.25,
    }
    assert str(items["Usage: window end (UTC)"]) == "2026-11-27 06:00:00"
    plain_items = [row[0] for row in sheet(plain, "summary")[1:]]
    assert [k for k in plain_items if str(k).startswith(("Usage", "Measured"))] == []


def test_hostile_names_are_inert_in_the_csv(report: HealthReport) -> None:
    hostile = replace(
        report,
        usage=replace(
            usage_report(),
            unused=[replace(usage_report().unused[0], name='=HYPERLINK("http://evil")')],
        ),
    )
    text = csv_files(hostile)["unused_desktops.csv"].decode("utf-8-sig")
    first = list(csv.reader(io.StringIO(text)))[1]
    assert first[0] == '\'=HYPERLINK("http://evil")'


# In a browser


@pytest.mark.browser
def test_the_section_renders_and_its_charts_are_visible(
    report: HealthReport, tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    write_html_report(report, path)
    with open_report(path, tmp_path / "profile") as page:
        section = page.page.locator("#usage")
        assert section.is_visible()
        for chart in ("svg.usage-days", "svg.usage-peaks"):
            box = page.page.locator(chart).bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 60, chart
        assert page.page.locator("svg.usage-days rect.day-bar").count() == 30
        assert page.page.locator("#usage-unused tbody tr").count() == 2
        assert page.page.evaluate("window.__pwned") is None
        page.record.assert_quiet(page.url)


@pytest.mark.browser
def test_the_section_prints_on_a4_within_its_cells(plain: HealthReport, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    write_html_report(with_usage(plain, usage_report(days=40, unused=30)), path)
    found = layout(path, tmp_path / "profile", PRINT_WIDTHS["A4"], "print")
    assert found == {"wide": [], "outside": [], "broken": [], "scroll": []}
