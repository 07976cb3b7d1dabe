"""The run history (SQLite): creation, recording, reading back, migrations, refusals, secrets;
and the report's "Since the last run" and "Trends" sections drawn from it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from support.fleet_builders import NOW, POD, fleet_snapshot, machine, pool, session, vm
from support.fleet_reports import (
    OUTDATED_TOOLS,
    TOOLS_NOT_RUNNING,
    fleet_report,
    usage_report,
    with_usage,
)
from support.hostile import HOSTILE, PWNED_MARKERS, hostile_snapshot

from fleetreport.errors import InputFileError, OutputError
from fleetreport.health.build import build_report
from fleetreport.health.compare import compare, digest_of, trend_of
from fleetreport.health.report_json import report_to_json
from fleetreport.health.report_model import HealthReport
from fleetreport.health.report_schema import shipped_report_schema_text
from fleetreport.health.usage_records import UsageDay
from fleetreport.history import (
    MIGRATIONS,
    SCHEMA_VERSION,
    HistoryStore,
    apply_migrations,
    default_database_path,
)
from fleetreport.history import store as store_module
from fleetreport.render.html import render_html
from fleetreport.render.run_history import render_history
from fleetreport.snapshot.model import Source

WEEK = timedelta(days=7)


def at(report: HealthReport, collected_at: datetime) -> HealthReport:
    return replace(report, snapshot=replace(report.snapshot, collected_at=collected_at))


@pytest.fixture(scope="module")
def three_runs() -> list[HealthReport]:
    """Three weekly runs: all well; a warning on desk-2; desk-2 gone, desk-6 new and a critical
    on desk-4, pool-b's only desktop (so pool-b drops from A to D)."""
    first = fleet_report([("desk-1", "pool-a"), ("desk-2", "pool-a"), ("desk-4", "pool-b")])
    second = fleet_report(
        [("desk-1", "pool-a"), ("desk-2", "pool-a"), ("desk-4", "pool-b")],
        {"desk-2": OUTDATED_TOOLS},
    )
    third = fleet_report(
        [("desk-1", "pool-a"), ("desk-6", "pool-a"), ("desk-4", "pool-b")],
        {"desk-4": TOOLS_NOT_RUNNING},
    )
    return [at(first, NOW), at(second, NOW + WEEK), at(third, NOW + 2 * WEEK)]


def record(store: HistoryStore, report: HealthReport, exit_code: int = 0) -> int:
    started = report.snapshot.collected_at - timedelta(minutes=3)
    return store.record_run(
        report,
        started_at=started,
        finished_at=started + timedelta(minutes=4),
        exit_code=exit_code,
        report_folder=f"/srv/reports/{started:%Y-%m-%d}",
    )


@pytest.fixture
def recorded(tmp_path: Path, three_runs: list[HealthReport]) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite") as store:
        for code, report in enumerate(three_runs):
            record(store, report, exit_code=code)
        yield store


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def count(path: Path, table: str) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
    finally:
        db.close()


# --- creating ------------------------------------------------------------------------------


def test_a_new_database_is_created_with_the_newest_version(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "history.sqlite"
    with HistoryStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS) >= 2
        assert store.runs() == []
        assert store.last_digest() is None
        assert store.trend().points == []
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()
    assert {"runs", "run_sources", "pool_scores", "findings", "desktops"} <= tables(path)
    with HistoryStore(path) as again:  # opening an up-to-date database changes nothing
        assert again.schema_version == SCHEMA_VERSION


@pytest.mark.linux  # XDG base directories are the Linux convention
def test_the_default_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_database_path() == tmp_path / "data" / "fleetreport" / "history.sqlite"
    monkeypatch.delenv("XDG_DATA_HOME")
    expected = tmp_path / "home" / ".local" / "share" / "fleetreport" / "history.sqlite"
    assert default_database_path() == expected
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")
    assert default_database_path() == expected


# --- recording and reading back ------------------------------------------------------------


def test_runs_are_listed_newest_first_with_their_figures(
    recorded: HistoryStore, three_runs: list[HealthReport]
) -> None:
    runs = recorded.runs()
    assert [run.id for run in runs] == [3, 2, 1]
    for run, report, code in zip(runs, reversed(three_runs), (2, 1, 0), strict=True):
        fleet = report.fleet
        assert run.collected_at == report.snapshot.collected_at
        assert run.started_at == report.snapshot.collected_at - timedelta(minutes=3)
        assert run.finished_at == run.started_at + timedelta(minutes=4)
        assert run.status == "ok"
        assert run.exit_code == code
        assert run.report_folder == f"/srv/reports/{run.started_at:%Y-%m-%d}"
        assert run.generator == report.generator
        assert (run.desktops, run.grade) == (fleet.desktops, fleet.grade)
        assert (run.patch_score, run.power_score) == (fleet.patch_score, fleet.power_score)
        assert (run.healthy_share, run.coverage) == (fleet.healthy_share, fleet.coverage)
        assert {"critical": run.critical, "warning": run.warning, "info": run.info} == (
            fleet.findings_by_severity
        )
    assert runs[0].critical == 1 and runs[1].warning == 1
    assert [run.id for run in recorded.runs(limit=2)] == [3, 2]


def test_the_stored_times_are_utc_iso_text(recorded: HistoryStore) -> None:
    db = sqlite3.connect(recorded.path)
    try:
        started, collected = db.execute(
            "SELECT started_at, collected_at FROM runs ORDER BY id LIMIT 1"
        ).fetchone()
    finally:
        db.close()
    assert (started, collected) == ("2026-11-27T05:57:00Z", "2026-11-27T06:00:00Z")


def test_the_last_digest_is_the_last_reports_digest(
    recorded: HistoryStore, three_runs: list[HealthReport]
) -> None:
    digest = recorded.last_digest()
    assert digest == digest_of(three_runs[-1])
    assert digest is not None and len(digest.desktops) == 3 and len(digest.findings) == 1
    assert compare(digest, three_runs[-1]).worse is False


def test_comparing_with_the_history_names_what_changed(
    tmp_path: Path, three_runs: list[HealthReport]
) -> None:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        record(store, three_runs[1])
        previous = store.last_digest()
    assert previous is not None
    changes = compare(previous, three_runs[2])
    assert [d.name for d in changes.new_desktops] == ["desk-6"]
    assert [d.name for d in changes.removed_desktops] == ["desk-2"]
    assert [(f.check, f.subject_name) for f in changes.new_findings] == [
        ("vm_tools_not_running", "desk-4")
    ]
    assert [(f.check, f.subject_name) for f in changes.resolved_findings] == [
        ("vm_tools_outdated", "desk-2")
    ]
    assert [(p.name, p.previous_grade, p.grade) for p in changes.pools_changed] == [
        ("pool-b", "A", "D")
    ]
    assert changes.worse is True


def test_the_trend_has_the_runs_oldest_first(
    recorded: HistoryStore, three_runs: list[HealthReport]
) -> None:
    trend = recorded.trend()
    assert [p.collected_at for p in trend.points] == [r.snapshot.collected_at for r in three_runs]
    assert [(p.patch_score, p.power_score, p.grade, p.desktops) for p in trend.points] == [
        (r.fleet.patch_score, r.fleet.power_score, r.fleet.grade, r.fleet.desktops)
        for r in three_runs
    ]
    assert [p.name for p in trend.pools] == ["pool-a", "pool-b"]
    assert [p.grade for p in trend.pools[1].points] == ["A", "A", "D"]
    assert [p.collected_at for p in recorded.trend(limit=2).points] == [
        r.snapshot.collected_at for r in three_runs[1:]
    ]


def test_the_trend_can_end_with_a_report_not_yet_recorded(
    recorded: HistoryStore, three_runs: list[HealthReport]
) -> None:
    current = at(three_runs[0], NOW + 3 * WEEK)
    trend = recorded.trend(limit=3, current=current)
    assert [p.collected_at for p in trend.points] == [
        NOW + WEEK,
        NOW + 2 * WEEK,
        NOW + 3 * WEEK,
    ]
    assert trend.points[-1].grade == current.fleet.grade


def test_a_partial_run_is_recorded_as_partial(tmp_path: Path) -> None:
    report = fleet_report([("desk-1", "pool-a")])
    failed = Source(
        "vcenter", "https://vc2.example.test/sdk", "failed", NOW, NOW, True, "timed out"
    )
    with HistoryStore(tmp_path / "h.sqlite") as store:
        record(store, replace(report, sources=[*report.sources, failed]), exit_code=3)
        [run] = store.runs()
    assert (run.status, run.exit_code) == ("partial", 3)


# --- all or nothing ------------------------------------------------------------------------


def test_a_failure_while_recording_leaves_no_partial_run(
    recorded: HistoryStore, three_runs: list[HealthReport], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = recorded.path
    before = {table: count(path, table) for table in tables(path)}

    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    # Findings are written after the run, its sources and its pools.
    monkeypatch.setattr(store_module, "_insert_findings", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        record(recorded, three_runs[0])
    assert {table: count(path, table) for table in tables(path)} == before
    assert [run.id for run in recorded.runs()] == [3, 2, 1]
    assert recorded.last_digest() == digest_of(three_runs[-1])

    monkeypatch.undo()
    assert record(recorded, three_runs[0]) == 4


def test_a_database_error_while_recording_is_an_output_error(
    recorded: HistoryStore, three_runs: list[HealthReport], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store_module, "_insert_desktops", broken)
    with pytest.raises(OutputError) as raised:
        record(recorded, three_runs[0])
    assert "database or disk is full" in raised.value.one_line()
    assert len(recorded.runs()) == 3


# --- migrations ----------------------------------------------------------------------------


def make_version_1(path: Path) -> None:
    """A database as the first release wrote it: the first migration step and one run."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        assert apply_migrations(db, up_to=1) == 1
        db.execute(
            "INSERT INTO runs (started_at, finished_at, collected_at, status, exit_code,"
            " report_folder, generator, desktops, patch_score, power_score, grade,"
            " findings_critical, findings_warning, findings_info) VALUES"
            " ('2026-11-01T06:00:00Z', '2026-11-01T06:05:00Z', '2026-11-01T06:04:00Z', 'ok',"
            " 0, '/srv/old', 'fleetreport 0.9', 12, 91.5, 88.0, 'B', 0, 2, 1)"
        )
        db.execute(
            "INSERT INTO pool_scores VALUES (1, 'pod1', 'p1', 'Old pool', 'B', 91.5, 88.0, 12)"
        )
        db.execute(
            "INSERT INTO findings VALUES (1, 'vm_uptime_long', 'warning', 'desktop', 'vc1',"
            " 'vm-7', 'desk-7', 'up for 40 days', 'Old pool')"
        )
    finally:
        db.close()


def test_a_version_1_database_is_migrated_and_keeps_its_rows(
    tmp_path: Path, three_runs: list[HealthReport]
) -> None:
    path = tmp_path / "old.sqlite"
    make_version_1(path)
    assert "desktops" not in tables(path)
    with HistoryStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        [old] = store.runs()
        assert (old.id, old.desktops, old.grade, old.patch_score) == (1, 12, "B", 91.5)
        assert (old.warning, old.info, old.report_folder) == (2, 1, "/srv/old")
        assert old.healthy_share is None and old.coverage is None  # added by step 2
        digest = store.last_digest()
        assert digest is not None
        assert digest.desktop_count == 12 and digest.desktops == {}
        [(key, finding)] = digest.findings.items()
        assert key == ("vm_uptime_long", "desktop", "vc1", "vm-7")
        assert (finding.subject_name, finding.message) == ("desk-7", "up for 40 days")
        assert digest.pools[("pod1", "p1")].name == "Old pool"
        assert record(store, three_runs[0]) == 2
        assert [run.id for run in store.runs()] == [2, 1]
    assert "desktops" in tables(path)


def test_a_failing_migration_step_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite"
    make_version_1(path)

    def half_done(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE desktops (run_id INTEGER)")
        raise sqlite3.OperationalError("interrupted")

    monkeypatch.setattr(store_module, "MIGRATIONS", (MIGRATIONS[0], half_done))
    with pytest.raises(InputFileError, match="interrupted"):
        HistoryStore(path)
    assert "desktops" not in tables(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    monkeypatch.undo()
    with HistoryStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert len(store.runs()) == 1


def test_a_database_from_a_newer_fleetreport_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    with HistoryStore(path):
        pass
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(InputFileError) as raised:
        HistoryStore(path)
    line = raised.value.one_line()
    assert "\n" not in line
    assert "newer fleetreport" in line
    assert f"schema version {SCHEMA_VERSION + 1}" in line
    assert "(hint: upgrade fleetreport" in line
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.write_text("this is a text file, and no database at all\n" * 20, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(InputFileError) as raised:
        HistoryStore(path)
    line = raised.value.one_line()
    assert "\n" not in line
    assert "is not a fleetreport history database" in line
    assert "hint:" in line
    assert path.read_bytes() == before


def test_another_programs_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE runs (whatever TEXT)")
    with pytest.raises(InputFileError, match="not a fleetreport history"):
        HistoryStore(path)


# --- secrets -------------------------------------------------------------------------------


def test_stored_sources_hold_only_kind_url_status_and_error(tmp_path: Path) -> None:
    report = fleet_report([("desk-1", "pool-a")])
    leaky = Source(
        kind="vcenter",
        url="https://audit%40vsphere.local:S3cretPassw0rd@vc2.example.test/sdk?token=T0kenValue#x",
        status="failed",
        started_at=NOW,
        finished_at=NOW,
        tls_verified=False,
        error="timed out",
        instance_uuid="uuid-of-vc2",
        api_versions={"vim25": "8.0.3.0"},
    )
    path = tmp_path / "h.sqlite"
    with HistoryStore(path) as store:
        record(store, replace(report, sources=[*report.sources, leaky]))
    db = sqlite3.connect(path)
    try:
        columns = [row[1] for row in db.execute("PRAGMA table_info(run_sources)")]
        rows = db.execute("SELECT kind, url, status, error FROM run_sources ORDER BY position")
        stored = rows.fetchall()
    finally:
        db.close()
    assert columns == ["run_id", "position", "kind", "url", "status", "error"]
    assert stored == [
        ("vcenter", "https://vc.example.test/sdk", "ok", None),
        ("horizon", "https://hzcs01.example.test/rest", "ok", None),
        ("vcenter", "https://vc2.example.test/sdk", "failed", "timed out"),
    ]
    everything = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for secret in (b"S3cretPassw0rd", b"T0kenValue", b"audit%40vsphere", b"audit@vsphere"):
        assert secret not in everything


# --- the terminal table --------------------------------------------------------------------


def test_the_history_table_lists_runs_newest_first(recorded: HistoryStore) -> None:
    text = render_history(recorded.runs())
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["Run", "Collected", "(UTC)", "Status"]
    assert [line.split()[0] for line in lines[1:]] == ["3", "2", "1"]
    assert "2026-12-11 06:00" in lines[1]
    assert "/srv/reports/2026-12-11" in lines[1]
    assert all(line == line.rstrip() for line in lines)
    assert {line.index(" ok ") + 1 for line in lines[1:]} == {lines[0].index("Status")}
    assert render_history([]) == "No runs recorded yet."


def test_the_history_table_shows_no_control_characters(recorded: HistoryStore) -> None:
    [run] = recorded.runs(limit=1)
    text = render_history([replace(run, report_folder="/srv/\x1b[31mred\u202eevil")])
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[31mred\\u202eevil" in text


# --- the report's sections -----------------------------------------------------------------


class Tree(HTMLParser):
    """Ids in document order, text under each id'd element, and every element's attributes."""

    VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "col", "source"})

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.links: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.texts: dict[str, list[str]] = {}
        self.tags: list[str] = []
        self.open: list[tuple[str, str | None]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        self.attributes += list(values.items())
        if "id" in values:
            self.ids.append(values["id"])
            self.texts[values["id"]] = []
        if tag in ("td", "th", "li"):
            self.handle_data(" ")
        if tag == "a":
            self.links.append(values.get("href", ""))
        if tag not in self.VOID:
            self.open.append((tag, values.get("id")))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(k, v or "") for k, v in attrs]

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1][0] == tag, f"</{tag}> does not close {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        for _, element_id in self.open:
            if element_id is not None:
                self.texts[element_id].append(data)

    def text(self, element_id: str) -> str:
        return "".join(self.texts[element_id])


def small_hostile_report(names: tuple[str, ...], days_later: int = 0) -> HealthReport:
    """One pool ``small-pool-N`` and one desktop ``vm-small-N`` per name, both named so."""
    vms, machines, pools, sessions = [], [], [], []
    for index, name in enumerate(names):
        desktop = vm(name, f"vm-small-{index}")
        assigned = machine(desktop, f"small-pool-{index}", id=f"m-small-{index}")
        vms.append(desktop)
        machines.append(assigned)
        sessions.append(session(assigned, id=f"s-small-{index}"))
        pools.append(pool(f"small-pool-{index}", name=name))
    report = build_report(
        fleet_snapshot(vms, machines, pools=pools, sessions=sessions), generated_at=NOW
    )
    return at(report, NOW + timedelta(days=days_later))


def with_history(tmp_path: Path, old: HealthReport, new: HealthReport) -> HealthReport:
    with HistoryStore(tmp_path / "h.sqlite") as store:
        record(store, old)
        previous = store.last_digest()
        assert previous is not None
        return replace(new, changes=compare(previous, new), trend=store.trend(current=new))


def test_the_report_shows_changes_and_trends_after_the_summary(
    tmp_path: Path, three_runs: list[HealthReport]
) -> None:
    report = with_history(tmp_path, three_runs[1], three_runs[2])
    tree = Tree(render_html(report))
    sections = ["summary", "changes", "trends", "pools", "findings"]
    assert [i for i in tree.ids if i in sections] == sections
    assert tree.links[:3] == ["#summary", "#changes", "#trends"]
    assert all(link[1:] in tree.ids for link in tree.links)
    assert len(tree.ids) == len(set(tree.ids))
    changes = " ".join(tree.text("changes").split())
    assert "Since the last run" in changes
    assert "the fleet is worse" in changes
    assert "1 new, 1 removed" in changes
    assert "desk-6" in tree.text("changes-new-desktops")
    assert "desk-2" in tree.text("changes-removed-desktops")
    assert "vm_tools_not_running" in tree.text("changes-new-findings")
    assert "vm_tools_outdated" in tree.text("changes-resolved-findings")
    pools = " ".join(tree.text("changes-pools").split())
    assert "pool-b grade changed A D 100 60" in pools
    scores = " ".join(tree.text("changes-scores").split())
    assert f"Patch score {three_runs[1].fleet.patch_score:g}" in scores
    trends = tree.text("trends")
    assert "2026-12-04" in trends and "2026-12-11" in trends
    assert tree.tags.count("svg") >= 2 + 3  # fleet chart and one per pool
    assert "Fleet patch and power scores" in trends


def test_the_json_report_with_changes_and_trend_fits_the_shipped_schema(
    tmp_path: Path, three_runs: list[HealthReport]
) -> None:
    report = with_history(tmp_path, three_runs[1], three_runs[2])
    document = json.loads(report_to_json(report))
    jsonschema.validate(document, json.loads(shipped_report_schema_text()))
    assert document["changes"]["worse"] is True
    assert [p["grade"] for p in document["trend"]["points"]] == ["A", "B"]
    plain = json.loads(report_to_json(three_runs[2]))
    jsonschema.validate(plain, json.loads(shipped_report_schema_text()))
    assert plain["changes"] is None and plain["trend"] is None


def test_without_history_the_sections_are_absent(three_runs: list[HealthReport]) -> None:
    for report in (
        three_runs[0],
        replace(three_runs[0], trend=trend_of([digest_of(three_runs[0])])),
    ):
        html = render_html(report)
        tree = Tree(html)
        assert "changes" not in tree.ids and "trends" not in tree.ids
        assert "#changes" not in tree.links and "#trends" not in tree.links
        assert "Since the last run" not in html


def test_hostile_names_in_changes_and_trends_are_escaped(tmp_path: Path) -> None:
    old = small_hostile_report(("plain-pool",))
    new = at(build_report(hostile_snapshot(), generated_at=NOW), NOW + WEEK)
    report = with_history(tmp_path, old, new)
    assert report.changes is not None and report.trend is not None
    assert {d.name for d in report.changes.new_desktops} == set(HOSTILE)
    assert {p.name for p in report.changes.pools_changed} == {*HOSTILE, "plain-pool"}
    html = render_html(report)
    for marker in PWNED_MARKERS:
        assert marker not in html
    assert html.count("<script") == 1
    assert "<!--" not in html
    tree = Tree(html)
    assert not [name for name, _ in tree.attributes if name.startswith("on")]
    assert not {"img", "iframe", "object", "embed", "textarea", "base", "form"} & set(tree.tags)
    new_desktops = tree.text("changes-new-desktops")
    pools_changed = tree.text("changes-pools")
    pool_grades = tree.text("trend-pools")  # many pools: a table, no chart per pool
    for name in HOSTILE:
        assert name in new_desktops
        assert name in pools_changed
        assert name in pool_grades
    assert "49" not in pools_changed


def test_hostile_names_in_pool_charts_are_escaped(tmp_path: Path) -> None:
    names = ('"><svg onload=window.__pwned=3>', "<script>window.__pwned=1</script>", "A & B")
    report = with_history(
        tmp_path, small_hostile_report(names), small_hostile_report(names, days_later=7)
    )
    html = render_html(report)
    for marker in PWNED_MARKERS:
        assert marker not in html
    tree = Tree(html)
    assert tree.tags.count("svg") >= 1 + len(names)
    labels = [value for name, value in tree.attributes if name == "aria-label"]
    for name in names:
        assert f"{name}: patch and power scores over the last runs" in labels
        assert name in tree.text("trends")


# --- usage over runs -------------------------------------------------------------------------


def with_peaks(
    report: HealthReport, day_peaks: list[int | None], pool_peaks: dict[str, int], unused: int
) -> HealthReport:
    """The report with the hand-made usage (``support.fleet_reports``) reshaped: days with those
    fleet peaks, the report's pools with those peaks, and that many unused desktops."""
    base = usage_report(days=len(day_peaks), unused=unused)
    pool = base.pools[0]
    usage = replace(
        base,
        days=[
            UsageDay(day=f"2026-11-{day + 1:02d}", logons=5, peak_sessions=peak)
            for day, peak in enumerate(day_peaks)
        ],
        pools=[
            replace(pool, pod=POD, pool=pool_id, pool_name=pool_id, peak_sessions=peak)
            for pool_id, peak in pool_peaks.items()
        ],
    )
    return with_usage(report, usage)


def test_the_trend_keeps_each_runs_peak_sessions_and_unused_desktops(
    tmp_path: Path, three_runs: list[HealthReport]
) -> None:
    first, second, third = three_runs
    runs = [
        first,  # collected no usage
        with_peaks(second, [3, 7, None, 5], {"pool-a": 4, "pool-b": 2}, unused=3),
        with_peaks(third, [None, None], {"pool-a": 6}, unused=1),  # peaks not known
    ]
    with HistoryStore(tmp_path / "history.sqlite") as store:
        for report in runs:
            record(store, report)
        trend = store.trend()
        runs_listed = store.runs()
        current = store.trend(limit=2, current=with_peaks(at(first, NOW + 3 * WEEK), [9], {}, 0))
    assert [(p.peak_sessions, p.unused_desktops) for p in trend.points] == [
        (None, None),
        (7, 3),  # the highest day's sum of the pools' peaks
        (None, 1),
    ]
    peaks = {pool.name: [p.peak_sessions for p in pool.points] for pool in trend.pools}
    assert peaks == {"pool-a": [None, 4, 6], "pool-b": [None, 2, None]}
    assert [(p.peak_sessions, p.unused_desktops) for p in current.points] == [(None, 1), (9, 0)]
    table = render_history(runs_listed).splitlines()
    assert table[0].split()[-3:] == ["Peak", "Unused", "Report"]
    assert [line.split()[-3:-1] for line in table[1:]] == [["-", "1"], ["7", "3"], ["-", "-"]]


def test_the_trends_section_shows_usage_columns_only_when_a_run_collected_usage(
    tmp_path: Path, three_runs: list[HealthReport]
) -> None:
    without = Tree(render_html(with_history(tmp_path / "a", three_runs[0], three_runs[1])))
    assert "Peak sessions" not in without.text("trends")
    assert "trend-pool-peaks" not in without.ids
    second = with_peaks(three_runs[1], [2, 5], {"pool-a": 5}, unused=2)
    shown = Tree(render_html(with_history(tmp_path / "b", three_runs[0], second)))
    runs = " ".join(shown.text("trend-runs").split())
    assert "Peak sessions Unused desktops" in runs
    assert "UTC 3 100 100 A – – 2026-12-04" in runs  # the first run collected no usage
    assert runs.endswith("UTC 3 95 100 A 5 2")
    peaks = " ".join(shown.text("trend-pool-peaks").split())
    assert "pool-a – 5" in peaks and "pool-b – –" in peaks


def test_runs_recorded_before_usage_was_kept_have_none(
    tmp_path: Path, three_runs: list[HealthReport]
) -> None:
    path = tmp_path / "old.sqlite"
    make_version_1(path)
    with HistoryStore(path) as store:
        record(store, with_peaks(three_runs[1], [4], {"pool-a": 4}, unused=0))
        trend = store.trend()
    assert [(p.peak_sessions, p.unused_desktops) for p in trend.points] == [(None, None), (4, 0)]
    assert [p.peak_sessions for p in trend.pools[0].points] == [None]  # "Old pool"
