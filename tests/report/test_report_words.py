"""Plain words in the report: API values become labels (raw kept as the tooltip), charts colour
by meaning, definitions on the page, one data age everywhere, the missing customer said."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from support.fleet_builders import desktops, fleet_snapshot, pool, vm
from support.paths import DEMO_SNAPSHOT
from support.report_words import raw_tokens

from fleetreport.cli import main
from fleetreport.cli.report import DEMO_BRANDING
from fleetreport.health.build import build_report
from fleetreport.health.report_model import HealthReport
from fleetreport.health.states import MACHINE_STATES, RDS_SERVER_STATES, SESSION_STATES
from fleetreport.render import charts, labels
from fleetreport.render.html import render_html
from fleetreport.render.summary import summarise
from fleetreport.render.views import build_view
from fleetreport.snapshot.store import load_snapshot, save_snapshot


@pytest.fixture(scope="module")
def demo() -> HealthReport:
    return build_report(load_snapshot(DEMO_SNAPSHOT))


def test_no_raw_api_value_reaches_the_demo_body(demo: HealthReport) -> None:
    html = render_html(demo, DEMO_BRANDING)
    assert raw_tokens(html) == {}
    # the raw value stays for technicians, as the tooltip of its label
    assert '<span class="api-value" title="AGENT_UNREACHABLE">Agent unreachable</span>' in html
    assert '<span class="api-value" title="ALWAYS_POWERED_ON">Always on</span>' in html
    assert '<span class="api-value" title="VIRTUAL_CENTER">vCenter VMs</span>' in html


def test_the_check_finds_a_raw_value_when_one_slips_through() -> None:
    html = "<main><section id='pools'><td>AGENT_UNREACHABLE poweredOn vCenter</td></section>"
    assert raw_tokens(html) == {"AGENT_UNREACHABLE": {"pools"}, "poweredOn": {"pools"}}


def test_every_horizon_state_has_its_own_label() -> None:
    states = set(MACHINE_STATES) | set(RDS_SERVER_STATES)
    assert states - set(labels.MACHINE_STATES) == set()
    assert set(SESSION_STATES) - set(labels.SESSION_STATES) == set()
    assert all(labels.plain_label(s, "machine_state") != s for s in states)


@pytest.mark.parametrize(
    ("raw", "vocabulary", "plain"),
    [
        ("poweredOn", "power_state", "On"),
        ("AGENT_UNREACHABLE", "machine_state", "Agent unreachable"),
        ("ALWAYS_POWERED_ON", "power_policy", "Always on"),
        ("VIRTUAL_CENTER", "pool_source", "vCenter VMs"),
        ("guestToolsNotRunning", "tools_status", "Not running"),
        ("AGENT_ERR_X", "machine_state", "Agent err x"),
        ("guestToolsSomethingNew", "tools_status", "Guest tools something new"),
        ("Pool Ünïcode-1", "machine_state", "Pool Ünïcode-1"),
        ("critical", "any", "critical"),
    ],
)
def test_plain_labels(raw: str, vocabulary: str, plain: str) -> None:
    assert labels.plain_label(raw, vocabulary) == plain


def test_the_label_filter_escapes_and_keeps_the_raw_value_as_tooltip() -> None:
    assert labels.label("AGENT_UNREACHABLE", "machine_state") == (
        '<span class="api-value" title="AGENT_UNREACHABLE">Agent unreachable</span>'
    )
    assert labels.label("<script>", "power_state") == "&lt;script&gt;"
    assert labels.label(None) == ""
    assert labels.plain_words("state SUSPEND <b>") == (
        'state <span class="api-value" title="SUSPEND">Suspend when idle</span> &lt;b&gt;'
    )


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("minimum_version", 0, "no minimum"),
        ("minimum_version", 13, "13"),
        ("compare_to_newest", True, "yes"),
        ("bad_states", ["orphaned", "invalid"], "orphaned, invalid"),
        ("bad_states", [], "none"),
    ],
)
def test_threshold_words(name: str, value: object, words: str) -> None:
    assert labels.threshold_words(value, name) == words


def ring_colour(svg: str) -> str:
    found = re.findall(r'stroke="(#[0-9a-f]{6})"', svg)
    return found[1]


@pytest.mark.parametrize(
    ("score", "colour"),
    [
        (97.2, charts.GRADE_COLOURS["A"]),
        (85.6, charts.GRADE_COLOURS["B"]),
        (70.0, charts.GRADE_COLOURS["C"]),
        (12.0, charts.GRADE_COLOURS["F"]),
        (None, charts.NO_DATA),
    ],
)
def test_a_score_ring_takes_the_colour_of_its_own_value(score: float | None, colour: str) -> None:
    assert ring_colour(charts.score_ring(score, "B", "Power score")) == colour


def test_ring_colours_follow_the_reports_bands() -> None:
    strict = {"A": 99.0, "B": 98.0, "C": 97.0, "D": 96.0}
    assert ring_colour(charts.score_ring(97.2, "B", "x", bands=strict)) == charts.GRADE_COLOURS["C"]


def test_the_demo_rings_differ_when_their_scores_do(demo: HealthReport) -> None:
    view = build_view(demo)
    assert (ring_colour(view.charts["patch"]), ring_colour(view.charts["power"])) == (
        charts.GRADE_COLOURS["B"],
        charts.GRADE_COLOURS["A"],
    )


def test_the_severity_bar_leads_with_critical_and_colours_by_meaning() -> None:
    svg = charts.stacked_bar({"info": 132, "warning": 78, "critical": 28}, "Findings")
    fills = re.findall(r'<rect x="[\d.]+" y="0" width="[\d.]+" height="22" fill="(#\w+)">', svg)
    assert fills == [charts.RED, charts.AMBER, charts.STATE_COLOURS["info"]]
    states = charts.stacked_bar(
        {"AVAILABLE": 5, "AGENT_UNREACHABLE": 4, "AGENT_DRAIN_MODE": 3, "PROVISIONING": 2}, "x"
    )
    assert re.findall(r'height="22" fill="(#\w+)"><title>([^<]*)</title>', states) == [
        (charts.GREEN, "Available (AVAILABLE): 5"),
        (charts.RED, "Agent unreachable (AGENT_UNREACHABLE): 4"),
        (charts.AMBER, "Draining (AGENT_DRAIN_MODE): 3"),
        (charts.SLATE, "Provisioning (PROVISIONING): 2"),
    ]
    one_label = charts.stacked_bar({"AGENT_ERROR_NEEDS_REBOOT": 1, "AGENT_ERR_NEED_REBOOT": 2}, "x")
    assert re.findall(r"<title>([^<]*)</title>", one_label) == [
        "Agent needs a restart (AGENT_ERROR_NEEDS_REBOOT, AGENT_ERR_NEED_REBOOT): 3"
    ]


def test_the_definitions_are_on_the_page(demo: HealthReport) -> None:
    html = render_html(demo, DEMO_BRANDING)
    definitions = html[
        html.index('id="definitions"') : html.index("</section>", html.index('id="definitions"'))
    ]
    assert "<dt><strong>Healthy</strong></dt>" in definitions
    assert "A from 90, B from 80, C from 70, D from 60, F below" in definitions
    assert "graded D at most" in definitions
    assert "Why a grade C can go with 0% healthy" in definitions
    assert html.index('id="summary"') < html.index('id="definitions"') < html.index('id="pools"')


def test_the_cover_says_the_customer_is_not_named(demo: HealthReport) -> None:
    html = render_html(demo)
    assert re.search(r'id="customer-missing"[^>]*>Customer not named <small>\(--customer\)', html)
    named = render_html(demo, DEMO_BRANDING)
    assert 'id="customer-missing"' not in named
    assert f'<h1 class="customer">{DEMO_BRANDING.customer}</h1>' in named


@pytest.fixture
def snapshot_file(cli_env: Path) -> Path:
    vms, machines = desktops(vm("desk-1"))
    path = cli_env / "s.json"
    save_snapshot(fleet_snapshot(vms, machines, [pool()], []), path)
    return path


@pytest.mark.parametrize(
    ("options", "warnings"),
    [
        ((), 1),
        (("--customer", "ACME"), 0),
        (("--format", "json"), 0),
    ],
)
def test_a_report_without_customer_warns_once(
    snapshot_file: Path,
    capsys: pytest.CaptureFixture[str],
    options: tuple[str, ...],
    warnings: int,
) -> None:
    out_name = "r.json" if "json" in options else "r.html"
    assert main(["report", "s.json", "--out", out_name, *options]) == 0
    err = capsys.readouterr().err
    assert err.count("fleetreport: warning: no customer named") == warnings
    assert len(err.splitlines()) == warnings


def test_summary_and_report_give_the_same_data_age(demo: HealthReport) -> None:
    snapshot = load_snapshot(DEMO_SNAPSHOT)
    for later in (timedelta(minutes=5), timedelta(hours=30), timedelta(days=9)):
        now = snapshot.collected_at + later
        report = build_report(snapshot)
        age = build_view(type(report)(**{**report.__dict__, "generated_at": now})).data_age
        assert f"({age})" in summarise(snapshot, now=now).splitlines()[0]


def test_demo_prints_the_age_the_cover_shows(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--out", "d"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    cover_age = re.search(
        r"Data collected</dt><dd>[^(]*\(([^)]*)\)", Path("d/report.html").read_text("utf-8")
    )
    assert cover_age is not None and f"({cover_age.group(1)})" in first
