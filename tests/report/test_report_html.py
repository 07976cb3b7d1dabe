"""The HTML report's structure, read with the standard library's HTML parser (no browser).

Not golden files: each test states one property of the document (sections, row counts,
self-containment, escaping, banners, user templates) against the model it was rendered from.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from support.fleet_builders import NOW, desktops, fleet_snapshot, vm
from support.hostile import (
    HOSTILE,
    LONG,
    PWNED_MARKERS,
    TEMPLATE_EXPRESSION,
    failed_source_url,
    hostile_branding,
    hostile_snapshot,
    shifted,
)
from support.html_tree import Element, parse
from support.paths import DEMO_SNAPSHOT
from support.ranking import impact_ranking, serious_checks

from fleetreport.cli.report import DEMO_BRANDING
from fleetreport.health.build import build_report
from fleetreport.health.report_json import report_to_json
from fleetreport.health.report_model import HealthReport
from fleetreport.render.html import format_score, plain_text, render_html, write_html_report
from fleetreport.snapshot.model import Snapshot, Source
from fleetreport.snapshot.store import load_snapshot

DEMO = DEMO_SNAPSHOT
SECTIONS = (
    "cover",
    "summary",
    "plan",
    "pools",
    "findings",
    "energy",
    "infrastructure",
    "inventory",
    "method",
)
# --- the demo report -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_report() -> HealthReport:
    return build_report(load_snapshot(DEMO))


@pytest.fixture(scope="module")
def demo_html(demo_report: HealthReport) -> str:
    return render_html(demo_report, DEMO_BRANDING)


@pytest.fixture(scope="module")
def demo(demo_html: str) -> Element:
    return parse(demo_html)


def test_every_section_is_there_once_and_in_order(demo: Element) -> None:
    ids = [e.id for e in demo.iter() if e.id in SECTIONS]
    assert ids == list(SECTIONS)


def test_ids_are_unique_and_every_link_points_at_one(demo: Element) -> None:
    ids = [e.id for e in demo.iter() if e.id is not None]
    assert len(ids) == len(set(ids))
    for link in demo.find_all("a"):
        assert link.attrs["href"][1:] in ids, link.attrs["href"]
    for box in demo.find_all("input", "filter"):
        assert box.attrs["data-filter-for"] in ids


def test_tables_have_one_row_per_record_of_the_model(
    demo: Element, demo_report: HealthReport
) -> None:
    findings = [row for t in demo.find_all("table", "findings-table") for row in t.body_rows()]
    assert len(findings) == len(demo_report.findings) > 0
    assert len(demo.by_id("pools-table").body_rows()) == len(demo_report.pools) > 0
    inventory = [row for t in demo.find_all("table", "inventory-table") for row in t.body_rows()]
    assert len(inventory) == len(demo_report.vms) > 0
    assert len(demo.find_all("table", "inventory-table")) == len(
        {vm.pool_name for vm in demo_report.vms}
    )


def test_the_tables_show_the_model_records_in_its_order(
    demo: Element, demo_report: HealthReport
) -> None:
    pool_names = [row.find_all("strong")[0].text() for row in demo.by_id("pools-table").body_rows()]
    assert pool_names == [p.name for p in demo_report.pools]
    desktops_column = [row.cells()[4] for row in demo.by_id("pools-table").body_rows()]
    assert desktops_column == [f"{p.desktops:,}" for p in demo_report.pools]
    subjects = sorted(
        row.find_all("code")[0].text()
        for table in demo.find_all("table", "findings-table")
        for row in table.body_rows()
    )
    assert subjects == sorted(f.subject for f in demo_report.findings)
    inventory = sorted(
        row.find_all("td")[0].leading_text()
        for table in demo.find_all("table", "inventory-table")
        for row in table.body_rows()
    )
    assert inventory == sorted(d.name for d in demo_report.vms)


def test_the_population_and_horizons_own_vms_are_stated(
    demo: Element, demo_report: HealthReport
) -> None:
    population = demo_report.population
    assert population is not None
    line = demo.by_id("population-line").text()
    assert " ".join(population.notes) in line
    assert f"{population.desktops:,} desktops of {population.vms:,} VMs" in line
    reasons = [row.cells() for row in demo.by_id("population-table").body_rows()]
    assert [(r[0], r[1]) for r in reasons] == [
        (f"{population.reasons[reason]} {reason}", f"{count:,}")
        for reason, count in population.left_out.items()
    ]
    own = [row.cells()[:2] for row in demo.by_id("infra-vm-table").body_rows()]
    assert own == [[f"{v.name}{v.moref}", v.what] for v in demo_report.infrastructure.vms]
    assert {v.role for v in demo_report.infrastructure.vms} >= {"golden_image"}


def test_the_checks_table_has_one_row_per_check(demo: Element, demo_report: HealthReport) -> None:
    rows = demo.by_id("checks-table").body_rows()
    assert [row.find_all("code")[0].text() for row in rows] == [c.id for c in demo_report.checks]


def test_the_summary_states_the_fleet_figures(demo: Element, demo_report: HealthReport) -> None:
    summary = demo.by_id("summary")
    assert demo.by_id("kpi-desktops").text() == f"{demo_report.fleet.desktops:,}"
    assert demo.by_id("kpi-findings").text() == f"{len(demo_report.findings):,}"
    assert summary.find_all("span", "grade-xl")[0].text() == demo_report.fleet.grade
    assert demo.by_id("cover").find_all("h1")[0].text() == DEMO_BRANDING.customer


def test_the_top_five_is_the_impact_ranking_recomputed_from_the_json_report(
    demo: Element, demo_report: HealthReport
) -> None:
    data = json.loads(report_to_json(demo_report))
    ranking = impact_ranking(data)
    serious = serious_checks(data)
    items = demo.by_id("top-problems").find_all("li")
    assert [li.attrs["data-check"] for li in items] == serious[:5]
    # the demo's largest drag: the old golden image inherited by all 160 desktops of a pool
    assert serious[0] == "pool_image_old"
    assert "(+7.7 patch points, 160 desktops)" in " ".join(items[0].text().split())
    assert [p.check for p in demo_report.priorities] == [row[-1] for row in ranking]


def test_the_summary_names_each_check_once_with_all_its_findings(demo: Element) -> None:
    items = demo.by_id("top-problems").find_all("li")
    checks = [li.attrs["data-check"] for li in items]
    assert len(checks) == len(set(checks)) == 5
    tools = next(li for li in items if li.attrs["data-check"] == "vm_tools_outdated")
    assert "23 desktops: VMware Tools outdated" in " ".join(tools.text().split())


def test_the_plan_lists_each_pools_steps_with_expected_scores(
    demo: Element, demo_report: HealthReport
) -> None:
    tables = demo.by_id("plan").find_all("table", "plan-table")
    assert [t.attrs["data-plan"] for t in tables] == [
        f"{p.scope}:{p.pool or ''}" for p in demo_report.plan
    ]
    assert {p.name for p in demo_report.plan} == {p.name for p in demo_report.pools} | {
        "Infrastructure"
    }
    for table, plan in zip(tables, demo_report.plan, strict=True):
        rows = table.body_rows()
        assert [row.attrs.get("data-check") for row in rows[1:]] == [s.check for s in plan.steps]
        now = [format_score(plan.patch_score), format_score(plan.power_score)]
        assert rows[0].cells()[3:5] == now
        for row, step in zip(rows[1:], plan.steps, strict=True):
            expected = [format_score(step.patch_score), format_score(step.power_score), step.grade]
            assert row.cells()[3:6] == expected
    office = next(p for p in demo_report.plan if p.name == "IC-Win11-Office")
    first = office.steps[0]
    assert (office.grade, first.check, first.desktops, first.grade) == (
        "C",
        "pool_image_old",
        160,
        "A",
    )


def test_the_energy_assumptions_are_printed(demo: Element, demo_report: HealthReport) -> None:
    energy = demo_report.energy
    text = " ".join(demo.by_id("energy-assumptions").text().split())
    assert f"draws {energy.watts_per_desktop:g} W" in text
    assert f"costs {energy.price_per_kwh:g} {energy.currency} per kWh" in text
    assert f"in use {energy.working_hours_per_week:g} hours a week" in text
    off_hours = re.search(r"leaving ([\d,.]+) hours a year", text)
    assert off_hours is not None
    assert float(off_hours[1].replace(",", "")) == pytest.approx(
        energy.off_hours_per_year, abs=0.05
    )


def test_the_report_is_one_utf8_file_that_fetches_nothing(demo: Element, demo_html: str) -> None:
    assert demo_html.encode("utf-8").decode("utf-8") == demo_html
    assert not demo_html.startswith("\ufeff")
    head = demo.find_all("head")[0]
    assert head.find_all("meta")[0].attrs == {"charset": "utf-8"}
    assert demo.find_all("link") == []
    assert demo.find_all("iframe") + demo.find_all("object") + demo.find_all("embed") == []
    for element in demo.iter():
        for name in ("src", "href", "xlink:href", "action", "srcset", "poster"):
            value = element.attrs.get(name)
            if value is None:
                continue
            assert not re.match(r"\s*(https?:|//|javascript:)", value, re.I), (element.tag, value)
            if name == "href":
                assert value.startswith("#"), value
            if element.tag == "img":
                assert value.startswith("data:"), value
    styles = "".join(style.text() for style in demo.find_all("style"))
    assert "@import" not in styles
    assert all(url.startswith("data:") for url in re.findall(r"url\(\s*['\"]?([^)'\"]*)", styles))


def test_the_only_script_is_inline_and_allowed_by_its_hash(demo: Element) -> None:
    scripts = demo.find_all("script")
    assert len(scripts) == 1
    assert "src" not in scripts[0].attrs
    policies = [
        meta.attrs["content"]
        for meta in demo.find_all("meta")
        if meta.attrs.get("http-equiv", "").lower() == "content-security-policy"
    ]
    assert len(policies) == 1
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policies[0].split(";") if part.strip()
    )
    assert directives["default-src"] == ["'none'"]
    digest = hashlib.sha256(scripts[0].text().encode("utf-8")).digest()
    assert directives["script-src"] == [f"'sha256-{base64.b64encode(digest).decode()}'"]


def test_a_complete_collection_shows_no_banner(demo: Element) -> None:
    ids = {e.id for e in demo.iter()}
    assert "partial-banner" not in ids
    assert "tls-banner" not in ids


# --- banners -------------------------------------------------------------------------------


def small_fleet(*sources: Source) -> Snapshot:
    """Two healthy desktops, with ``sources`` added to the snapshot's own."""
    snapshot = fleet_snapshot(*desktops(vm("desk-1"), vm("desk-2")))
    return replace(snapshot, sources=[*snapshot.sources, *sources])


def source(url: str, *, status: str = "ok", tls_verified: bool = True) -> Source:
    return Source(
        kind="vcenter",
        url=url,
        status=status,
        started_at=NOW - timedelta(minutes=2),
        finished_at=NOW,
        tls_verified=tls_verified,
        error="connection refused" if status == "failed" else None,
    )


def test_a_failed_source_shows_the_partial_banner_naming_it() -> None:
    failed = "https://vc-down.example.test/sdk"
    document = parse(render_html(build_report(small_fleet(source(failed, status="failed")))))
    banner = document.by_id("partial-banner")
    assert failed in banner.text()
    assert "1 data source failed" in " ".join(banner.text().split())
    assert "tls-banner" not in {e.id for e in document.iter()}
    method = document.by_id("sources-table").text()
    assert "failed: connection refused" in method


def test_a_source_collected_insecurely_shows_the_tls_banner_naming_it() -> None:
    insecure = "https://vc-lab.example.test/sdk"
    document = parse(render_html(build_report(small_fleet(source(insecure, tls_verified=False)))))
    banner = document.by_id("tls-banner")
    assert insecure in banner.text()
    assert "not verified" in banner.text()
    assert "partial-banner" not in {e.id for e in document.iter()}


# --- hostile text --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return render_html(build_report(hostile_snapshot()), hostile_branding())


@pytest.fixture(scope="module")
def hostile(hostile_html: str) -> Element:
    return parse(hostile_html)


def test_hostile_markup_is_escaped(hostile_html: str) -> None:
    for marker in PWNED_MARKERS:
        assert marker not in hostile_html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in hostile_html
    assert "&lt;img src=x onerror=" in hostile_html
    assert "Tom &amp;amp; Jerry" in hostile_html
    assert hostile_html.count("<script") == 1
    head = hostile_html.split("</head>", 1)[0]
    assert head.count("</title>") == 1
    assert hostile_html.count("</style>") == 1
    assert "<!--" not in hostile_html


def test_hostile_text_adds_no_element_and_no_attribute(hostile: Element) -> None:
    tags = {e.tag for e in hostile.iter()}
    assert not tags & {"img", "iframe", "object", "embed", "textarea", "base", "link", "form"}
    assert len(hostile.find_all("script")) == 1
    for element in hostile.iter():
        assert not [name for name in element.attrs if name.startswith("on")], element.tag
        for name in ("href", "src", "action", "formaction", "xlink:href"):
            assert "javascript:" not in element.attrs.get(name, ""), (element.tag, name)


def cell_texts(document: Element, table_id: str, column: int) -> list[str]:
    return [row.cells()[column] for row in document.by_id(table_id).body_rows()]


def test_hostile_pool_names_are_printed_as_written(hostile: Element) -> None:
    pools = hostile.by_id("pools-table").body_rows()
    assert sorted(row.find_all("strong")[0].text() for row in pools) == sorted(HOSTILE)
    assert sorted(row.find_all("small")[0].text() for row in pools) == sorted(HOSTILE)
    messages = [
        text
        for table in hostile.find_all("table", "findings-table")
        for text in cell_texts(hostile, table.attrs["id"], 3)
        if text.startswith("provisioning error")
    ]
    assert len(messages) == len(HOSTILE)
    assert sorted(t for t in HOSTILE for m in messages if m.endswith(f": {t}")) == sorted(HOSTILE)


def test_hostile_desktop_and_user_names_are_printed_as_written(hostile: Element) -> None:
    names, hosts, users, guests = [], [], [], []
    for table in hostile.find_all("table", "inventory-table"):
        for row in table.body_rows():
            first = row.find_all("td")[0]
            names.append(first.leading_text())
            hosts.append(first.find_all("small")[0].own_text().removeprefix(" · "))
            users.append(row.cells()[3])
            guests.append(row.cells()[4])
    assert sorted(names) == sorted(HOSTILE)
    assert sorted(hosts) == sorted(HOSTILE)
    assert sorted(guests) == sorted(HOSTILE)
    assert sorted(users) == sorted(f"{text}, {shifted(i, 1)}" for i, text in enumerate(HOSTILE))
    summaries = [e.find_all("strong")[0].text() for e in hostile.find_all("details")]
    assert set(HOSTILE) <= set(summaries)


def hosts_of(document: Element) -> list[Element]:
    return document.by_id("host-table").body_rows()


def test_hostile_infrastructure_names_are_printed_as_written(hostile: Element) -> None:
    assert sorted(cell_texts(hostile, "host-table", 0)) == sorted(HOSTILE)
    clusters = [row.find_all("td")[1].find_all("bdi")[0].text() for row in hosts_of(hostile)]
    assert sorted(clusters) == sorted(HOSTILE)
    servers = hostile.by_id("cs-table").body_rows()
    assert sorted(row.cells()[0] for row in servers) == sorted(HOSTILE)
    services = [row.find_all("span", "count-pair")[0].find_all("bdi")[0].text() for row in servers]
    assert sorted(services) == sorted(HOSTILE)
    assert set(cell_texts(hostile, "gateway-table", 0)) >= set(HOSTILE)
    strays = hostile.by_id("stray-list").find_all("li")
    assert sorted(li.find_all("bdi")[0].text() for li in strays) == sorted(HOSTILE)


def test_hostile_names_of_infrastructure_vms_are_printed_as_written() -> None:
    snapshot = hostile_snapshot()
    templates = [replace(v, template=True, power_state="poweredOff") for v in snapshot.vms]
    html = render_html(build_report(replace(snapshot, vms=templates)), hostile_branding())
    for marker in PWNED_MARKERS:
        assert marker not in html
    rows = parse(html).by_id("infra-vm-table").body_rows()
    assert sorted(row.find_all("bdi")[0].text() for row in rows) == sorted(
        v.name for v in templates
    )


def test_hostile_source_errors_are_printed_as_written_and_the_sources_named(
    hostile: Element,
) -> None:
    statuses = cell_texts(hostile, "sources-table", 2)
    assert sorted(s.removeprefix("failed: ") for s in statuses if s != "ok") == sorted(HOSTILE)
    for banner in ("partial-banner", "tls-banner"):
        text = hostile.by_id(banner).text()
        assert all(failed_source_url(i) in text for i in range(len(HOSTILE))), banner


def test_hostile_branding_is_printed_as_written(hostile: Element) -> None:
    branding = hostile_branding()
    assert hostile.by_id("cover").find_all("h1")[0].text() == branding.customer
    assert hostile.by_id("cover").find_all("dd")[0].text() == branding.consultant_company
    title = hostile.find_all("head")[0].find_all("title")[0].text()
    # The title cannot hold markup to isolate text: control and bidi characters are shown
    # escaped, and the customer's name is shortened there.
    assert title == f"{plain_text(branding.title)} · {plain_text(branding.customer)}"
    assert not any(ch in title for ch in "\u202e\u202d\u2066\u2067\u2068\u2069\x1b")
    footer = hostile.find_all("footer")[0].text()
    assert branding.customer in footer
    assert branding.consultant_company in footer


def test_template_syntax_in_data_is_never_evaluated(hostile: Element) -> None:
    holders = [e for e in hostile.iter() if TEMPLATE_EXPRESSION in e.own_text()]
    assert len(holders) >= 10
    assert [e.own_text() for e in holders if "49" in e.own_text()] == []
    assert "{% raw %}" in cell_texts(hostile, "host-table", 0)


def test_a_long_name_is_printed_whole_and_shortened_only_in_charts(hostile: Element) -> None:
    assert LONG in cell_texts(hostile, "host-table", 0)
    chart = hostile.by_id("pools").find_all("svg")[0]
    labels = [t for t in chart.find_all("text") if t.find_all("title")]
    shortened = [t.own_text() for t in labels if t.find_all("title")[0].text() == LONG]
    assert len(shortened) == 1
    assert shortened[0].endswith("…") and LONG.startswith(shortened[0][:-1])


# --- user templates ------------------------------------------------------------------------


def write_template(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return folder


def test_a_user_cover_replaces_the_built_in_one_only(
    tmp_path: Path, demo_report: HealthReport
) -> None:
    folder = write_template(
        tmp_path / "templates",
        "report/_cover.html",
        '<header class="cover" id="cover"><h1>Our cover for {{ branding.customer }}</h1>'
        "</header>\n",
    )
    out = tmp_path / "report.html"
    write_html_report(demo_report, out, DEMO_BRANDING, folder)
    document = parse(out.read_text(encoding="utf-8"))
    assert document.by_id("cover").text() == "Our cover for Example Corp"
    assert [e.id for e in document.iter() if e.id in SECTIONS] == list(SECTIONS)
    assert len(document.by_id("pools-table").body_rows()) == len(demo_report.pools)
    assert len(document.find_all("script")) == 1


def test_a_user_template_saved_by_a_windows_editor_renders_without_a_stray_bom(
    tmp_path: Path, demo_report: HealthReport
) -> None:
    """UTF-8 with a BOM and CRLF line ends, as Notepad wrote it before Windows 10 1903."""
    folder = tmp_path / "templates"
    (folder / "report").mkdir(parents=True)
    (folder / "report" / "report.html").write_bytes(
        b'\xef\xbb\xbf{% extends "default:report/report.html" %}\r\n'
        b'{% block energy %}<section id="energy">Energie \xe2\x80\x93 Schulung</section>'
        b"{% endblock %}\r\n"
    )
    html = render_html(demo_report, DEMO_BRANDING, folder)
    assert "\ufeff" not in html and "\r" not in html
    assert parse(html).by_id("energy").text() == "Energie \u2013 Schulung"


def test_a_user_report_can_extend_the_built_in_one_and_replace_a_block(
    tmp_path: Path, demo_report: HealthReport
) -> None:
    folder = write_template(
        tmp_path / "templates",
        "report/report.html",
        '{% extends "default:report/report.html" %}'
        '{% block energy %}<section id="energy">CUSTOM</section>{% endblock %}',
    )
    document = parse(render_html(demo_report, DEMO_BRANDING, folder))
    assert document.by_id("energy").text() == "CUSTOM"
    assert "energy-assumptions" not in {e.id for e in document.iter()}
    assert [e.id for e in document.iter() if e.id in SECTIONS] == list(SECTIONS)
    assert document.by_id("cover").find_all("h1")[0].text() == DEMO_BRANDING.customer
    assert len(document.by_id("checks-table").body_rows()) == len(demo_report.checks)
    test_the_only_script_is_inline_and_allowed_by_its_hash(document)


def test_the_file_written_is_the_texts_utf8_to_the_byte(
    demo_report: HealthReport, tmp_path: Path
) -> None:
    """The file is written from each template piece's UTF-8: the same bytes as the text's."""
    hostile = build_report(hostile_snapshot())
    for report in (demo_report, hostile):
        out = tmp_path / "report.html"
        write_html_report(report, out, DEMO_BRANDING)
        assert out.read_bytes() == render_html(report, DEMO_BRANDING).encode("utf-8")
        assert any(ord(c) > 127 for c in render_html(report, DEMO_BRANDING))  # not ASCII only
