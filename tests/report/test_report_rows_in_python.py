"""The inventory and findings rows built in Python are the markup the per-cell templates wrote,
to the byte, with every value escaped; a user's template written cell by cell still renders.

The per-cell rows below are the templates' rows before they moved to Python (issue 17).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from markupsafe import Markup, escape
from support.hostile import HOSTILE, PWNED_MARKERS, hostile_snapshot
from support.paths import DEMO_SNAPSHOT

from fleetreport.health.build import build_report
from fleetreport.health.report_model import DesktopSummary, FindingRecord, HealthReport
from fleetreport.render.finding_rows import finding_rows
from fleetreport.render.html import render_html, report_environment
from fleetreport.render.inventory_rows import inventory_rows
from fleetreport.render.markup_pattern import MarkupPattern, escaped_column
from fleetreport.render.template_cache import CACHE_VARIABLE
from fleetreport.resources import templates_dir
from fleetreport.snapshot.store import load_snapshot

CELL_BY_CELL_INVENTORY_ROW = (
    '<tr><td class="name">{{ desktop.name }}<br><small><code>{{ desktop.moref or '
    'desktop.machine_id or "" }}</code>{% if desktop.host %} · {{ desktop.host }}{% endif %}'
    '</small></td><td>{{ desktop.power_state | label("power_state") if desktop.power_state '
    'else "unknown" }}</td><td>{{ desktop.machine_state | label("machine_state") }}</td><td>'
    '{{ desktop.users | join(", ") }}</td><td>{{ desktop.guest_os or "" }}</td><td>{{ '
    'desktop.tools_version_status | label("tools_status") }}</td><td>{{ desktop.hardware_version'
    ' or "" }}</td><td>{{ desktop.agent_version or "" }}</td><td class="num" data-sort="{{ '
    'desktop.uptime_days if desktop.uptime_days is not none else -1 }}">{{ desktop.uptime_days'
    ' | days }}</td><td class="num">{{ desktop.patch_score | score }}</td><td class="num">{{ '
    "desktop.power_score | score }}</td></tr>"
)
CELL_BY_CELL_FINDING_ROW = (
    '<tr><td class="name">{{ finding.subject_name }}</td><td><code>{{ finding.subject }}</code>'
    '</td><td>{{ finding.pool_name or "" }}</td><td>{{ finding.message | plain_words }}</td></tr>'
)
ROW_LOOPS = {
    "report/_inventory.html": (
        "{% for row in group.desktops | inventory_rows %}\n        {{ row }}\n",
        "{% for desktop in group.desktops %}\n        " + CELL_BY_CELL_INVENTORY_ROW + "\n",
    ),
    "report/_findings.html": (
        "{% for row in group.findings | finding_rows %}\n        {{ row }}\n",
        "{% for finding in group.findings %}\n        " + CELL_BY_CELL_FINDING_ROW + "\n",
    ),
}
"""Each table's loop over built rows, and the per-cell loop it replaced."""


@pytest.fixture(autouse=True)
def template_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Compiled templates go to a folder of the test's own, never the user's cache."""
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def demo() -> HealthReport:
    return build_report(load_snapshot(DEMO_SNAPSHOT))


@pytest.fixture(scope="module")
def hostile() -> HealthReport:
    return build_report(hostile_snapshot())


def odd_desktops(report: HealthReport) -> list[DesktopSummary]:
    """Desktops with every optional field empty, and with text holding NUL and markup."""
    first = report.vms[0]
    return [
        replace(
            first,
            moref=None,
            host=None,
            power_state=None,
            machine_state=None,
            users=[],
            guest_os=None,
            tools_version_status=None,
            hardware_version=None,
            agent_version=None,
            uptime_days=None,
        ),
        replace(first, name="nul\x00<b>", users=["a&b", "\x00"], power_state="weird<state>"),
        replace(first, machine_id="m-1", moref=None, uptime_days=1.0, patch_score=12.25),
    ]


def cell_by_cell(template: str, name: str, records: list[object]) -> list[str]:
    row = report_environment().from_string(template)
    return [row.render({name: record}) for record in records]


@pytest.mark.parametrize("which", ["demo", "hostile"])
def test_inventory_rows_are_the_cell_by_cell_rows_to_the_byte(
    which: str, request: pytest.FixtureRequest
) -> None:
    report: HealthReport = request.getfixturevalue(which)
    desktops = [*report.vms, *odd_desktops(report)]
    expected = cell_by_cell(CELL_BY_CELL_INVENTORY_ROW, "desktop", list(desktops))
    assert inventory_rows(desktops) == expected


@pytest.mark.parametrize("which", ["demo", "hostile"])
def test_finding_rows_are_the_cell_by_cell_rows_to_the_byte(
    which: str, request: pytest.FixtureRequest
) -> None:
    report: HealthReport = request.getfixturevalue(which)
    findings: list[FindingRecord] = [
        *report.findings,
        replace(report.findings[0], pool_name=None, subject_name="\x00<i>", message="a\x00b"),
    ]
    expected = cell_by_cell(CELL_BY_CELL_FINDING_ROW, "finding", list(findings))
    assert finding_rows(findings) == expected


def test_hostile_names_reach_the_rows_as_text_only(hostile: HealthReport) -> None:
    rows = "".join(inventory_rows(hostile.vms)) + "".join(finding_rows(hostile.findings))
    for marker in PWNED_MARKERS:
        assert marker not in rows
    for text in HOSTILE:
        assert str(escape(text)) in rows


def write_old_style_copy(folder: Path, name: str) -> None:
    """The built-in template as a user copied it before the rows moved to Python."""
    built_in = (templates_dir() / name).read_text(encoding="utf-8")
    built_rows, per_cell = ROW_LOOPS[name]
    assert built_rows in built_in
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(built_in.replace(built_rows, per_cell), encoding="utf-8")


def test_user_tables_written_cell_by_cell_render_the_same_page(
    tmp_path: Path, demo: HealthReport
) -> None:
    for name in ROW_LOOPS:
        write_old_style_copy(tmp_path, name)
    assert render_html(demo, user_templates=tmp_path) == render_html(demo)


def test_a_column_is_escaped_as_markupsafe_escapes_each_value() -> None:
    texts = [*HOSTILE, "", "plain", "a\x00<b>", "\x00\x00"]
    with_nul = escaped_column(texts)
    without_nul = escaped_column([text for text in texts if "\x00" not in text])
    assert with_nul == [str(escape(text)) for text in texts]
    assert without_nul == [str(escape(text)) for text in texts if "\x00" not in text]
    mixed: list[object] = [Markup("<b>kept</b>"), "<i>", 12.5, -1, None]
    assert escaped_column(mixed) == ["<b>kept</b>", "&lt;i&gt;", "12.5", "-1", "None"]
    assert escaped_column([]) == []


def test_a_pattern_escapes_what_it_is_filled_with_and_keeps_markup() -> None:
    cell = MarkupPattern('<td title="{raw}">{plain}{{literal}}</td>')
    filled = cell.fill(raw='"><script>', plain=Markup("<b>ok</b>"))
    assert filled == '<td title="&#34;&gt;&lt;script&gt;"><b>ok</b>{literal}</td>'
    assert isinstance(filled, Markup)
    rows = cell.fill_rows(raw=["<a>", "b"], plain=["&", Markup("<i>")])
    assert rows == ['<td title="&lt;a&gt;">&amp;{literal}</td>', '<td title="b"><i>{literal}</td>']


@pytest.mark.parametrize("pattern", ["<td>{value:>5}</td>", "<td>{value!r}</td>", "<td>{0}</td>"])
def test_a_pattern_takes_plain_named_holes_only(pattern: str) -> None:
    with pytest.raises(ValueError, match="plain names"):
        MarkupPattern(pattern)
