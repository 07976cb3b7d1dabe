"""Comparing two runs: exactly what changed, and when a run counts as worse."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from support.fleet_builders import NOW, POD
from support.fleet_reports import OUTDATED_TOOLS, TOOLS_NOT_RUNNING, fleet_report

from fleetreport.health.compare import (
    PoolBrief,
    ReportDigest,
    compare,
    digest_of,
    finding_key,
    trend_of,
)
from fleetreport.health.report_model import DesktopBrief, FindingBrief, HealthReport

LAST_WEEK = [
    ("desk-1", "pool-a"),
    ("desk-2", "pool-a"),
    ("desk-3", "pool-a"),
    ("desk-4", "pool-b"),
    ("desk-5", "pool-b"),
]
THIS_WEEK = [
    ("desk-1", "pool-a"),
    ("desk-2", "pool-a"),
    ("desk-6", "pool-a"),
    ("desk-4", "pool-b"),
    ("desk-5", "pool-b"),
]


@pytest.fixture(scope="module")
def last_week() -> HealthReport:
    """desk-2 has outdated Tools (a warning); every pool is grade A."""
    return fleet_report(LAST_WEEK, {"desk-2": OUTDATED_TOOLS})


@pytest.fixture(scope="module")
def this_week() -> HealthReport:
    """desk-3 is gone, desk-6 is new, desk-2's Tools were upgraded, desk-4's Tools stopped
    (critical), so pool-b drops from A to B."""
    return fleet_report(THIS_WEEK, {"desk-4": TOOLS_NOT_RUNNING}, days_later=7)


def test_the_fleets_are_what_the_test_says(
    last_week: HealthReport, this_week: HealthReport
) -> None:
    assert [(f.check, f.subject_name) for f in last_week.findings] == [
        ("vm_tools_outdated", "desk-2")
    ]
    assert [(f.check, f.subject_name) for f in this_week.findings] == [
        ("vm_tools_not_running", "desk-4")
    ]
    assert [p.grade for p in last_week.pools] == ["A", "A"]
    assert [p.grade for p in this_week.pools] == ["A", "B"]


def test_compare_reports_exactly_what_changed(
    last_week: HealthReport, this_week: HealthReport
) -> None:
    changes = compare(digest_of(last_week), this_week)

    assert changes.previous_collected_at == NOW
    assert changes.collected_at == NOW + timedelta(days=7)
    key = {d.name: d.key for r in (last_week, this_week) for d in r.vms}
    assert changes.new_desktops == [DesktopBrief(key["desk-6"], "desk-6")]
    assert changes.removed_desktops == [DesktopBrief(key["desk-3"], "desk-3")]
    assert (changes.previous_desktops, changes.desktops) == (5, 5)

    [new] = changes.new_findings
    assert (new.check, new.severity, new.subject_name, new.pool_name) == (
        "vm_tools_not_running",
        "critical",
        "desk-4",
        "pool-b",
    )
    assert new.message == this_week.findings[0].message
    [resolved] = changes.resolved_findings
    assert (resolved.check, resolved.severity, resolved.subject_name) == (
        "vm_tools_outdated",
        "warning",
        "desk-2",
    )
    assert resolved.message == last_week.findings[0].message
    assert changes.new_findings_by_severity == {"critical": 1, "warning": 0, "info": 0}
    assert changes.resolved_findings_by_severity == {"critical": 0, "warning": 1, "info": 0}

    [pool_b] = changes.pools_changed
    assert (pool_b.name, pool_b.change, pool_b.previous_grade, pool_b.grade) == (
        "pool-b",
        "grade",
        "A",
        "B",
    )
    assert (pool_b.previous_patch_score, pool_b.patch_score) == (100.0, 80.0)
    assert (pool_b.previous_desktops, pool_b.desktops) == (2, 2)

    assert changes.previous_patch_score == last_week.fleet.patch_score
    assert changes.patch_score == this_week.fleet.patch_score
    assert (changes.previous_patch_score, changes.patch_score, changes.patch_delta) == (
        97.0,
        92.0,
        -5.0,
    )
    assert changes.power_delta == 0
    assert changes.worse is True


def test_identical_reports_give_empty_changes_and_not_worse(last_week: HealthReport) -> None:
    changes = compare(digest_of(last_week), last_week)
    assert changes.new_desktops == changes.removed_desktops == []
    assert changes.new_findings == changes.resolved_findings == []
    assert changes.pools_changed == []
    assert (changes.patch_delta, changes.power_delta) == (0, 0)
    assert changes.grade == changes.previous_grade
    assert changes.worse is False


def test_a_digest_compares_like_its_report(
    last_week: HealthReport, this_week: HealthReport
) -> None:
    old = digest_of(last_week)
    assert compare(old, digest_of(this_week)) == compare(old, this_week)


def test_a_finding_is_the_same_finding_whatever_its_message(last_week: HealthReport) -> None:
    """Identity is check, subject kind, location and subject: a new message is no change."""
    [finding] = last_week.findings
    reworded = replace(last_week, findings=[replace(finding, message="other words")])
    changes = compare(digest_of(last_week), reworded)
    assert changes.new_findings == changes.resolved_findings == []
    assert finding_key(finding) == (
        "vm_tools_outdated",
        "desktop",
        finding.location,
        finding.subject,
    )


def test_pools_that_appear_or_disappear_are_listed(last_week: HealthReport) -> None:
    moved = fleet_report(
        [(name, "pool-c" if pool_id == "pool-b" else pool_id) for name, pool_id in LAST_WEEK],
        {"desk-2": OUTDATED_TOOLS},
        pools=("pool-a", "pool-c"),
    )
    changes = compare(digest_of(last_week), moved)
    assert [(p.name, p.change, p.previous_grade, p.grade) for p in changes.pools_changed] == [
        ("pool-b", "removed", "A", None),
        ("pool-c", "new", None, "A"),
    ]
    assert changes.pools_changed[0].pod == POD
    assert changes.worse is False


# --- the rule for "worse", on digests ------------------------------------------------------


def digest(
    grade: str | None = "B",
    patch: float | None = 85.0,
    power: float | None = 85.0,
    findings: dict[tuple[str, str, str | None, str], FindingBrief] | None = None,
) -> ReportDigest:
    return ReportDigest(
        collected_at=NOW,
        patch_score=patch,
        power_score=power,
        grade=grade,
        desktop_count=10,
        findings=findings or {},
    )


def brief(severity: str, subject: str = "vm-1", check: str = "some_check") -> FindingBrief:
    return FindingBrief(check, severity, "desktop", subject, f"desk {subject}", "seen", None)


def keyed(*briefs: FindingBrief) -> dict[tuple[str, str, str | None, str], FindingBrief]:
    return {(b.check, b.subject_kind, "vc", b.subject): b for b in briefs}


@pytest.mark.parametrize(
    ("new", "worse"),
    [
        (digest(), False),
        (digest(grade="C"), True),
        (digest(grade="A", patch=90.0, power=90.0), False),
        (digest(grade=None, patch=None, power=None), False),
        (digest(patch=84.9), True),
        (digest(power=84.9), True),
        (digest(patch=84.95), False),
        (digest(patch=99.0, power=99.0), False),
        (digest(findings=keyed(brief("warning"), brief("info", "vm-2"))), False),
        (digest(findings=keyed(brief("critical"))), True),
    ],
)
def test_worse_is_a_grade_drop_a_score_drop_or_a_new_critical(
    new: ReportDigest, worse: bool
) -> None:
    assert compare(digest(), new).worse is worse


def test_a_critical_finding_already_there_is_not_new() -> None:
    old = digest(findings=keyed(brief("critical")))
    assert compare(old, old).worse is False


def test_a_grade_after_none_is_not_a_drop() -> None:
    assert compare(digest(grade=None, patch=None, power=None), digest(grade="F")).worse is False


def test_findings_and_desktops_are_listed_worst_first_and_by_name() -> None:
    findings = keyed(
        brief("info", "vm-1"),
        brief("warning", "vm-10", "b_check"),
        brief("critical", "vm-9"),
        brief("warning", "vm-2", "b_check"),
        brief("warning", "vm-3", "a_check"),
    )
    new = replace(
        digest(findings=findings),
        desktops={"k3": "desk-10", "k1": "desk-9", "k2": "desk-9"},
    )
    changes = compare(digest(), new)
    assert [(f.severity, f.check, f.subject) for f in changes.new_findings] == [
        ("critical", "some_check", "vm-9"),
        ("warning", "a_check", "vm-3"),
        ("warning", "b_check", "vm-2"),
        ("warning", "b_check", "vm-10"),
        ("info", "some_check", "vm-1"),
    ]
    assert [(d.name, d.key) for d in changes.new_desktops] == [
        ("desk-9", "k1"),
        ("desk-9", "k2"),
        ("desk-10", "k3"),
    ]


def test_trend_of_digests_keeps_their_order_and_follows_each_pool() -> None:
    pool_a = PoolBrief("pool-a", "A", 95.0, 99.0, 3)
    runs = [
        replace(digest(grade="A", patch=95.0), collected_at=NOW, pools={(POD, "a"): pool_a}),
        replace(digest(grade="B", patch=85.0), collected_at=NOW + timedelta(days=7)),
        replace(
            digest(grade="C", patch=75.0),
            collected_at=NOW + timedelta(days=14),
            pools={(POD, "a"): replace(pool_a, name="renamed", grade="B")},
        ),
    ]
    trend = trend_of(runs)
    assert [(p.collected_at, p.grade, p.patch_score) for p in trend.points] == [
        (NOW, "A", 95.0),
        (NOW + timedelta(days=7), "B", 85.0),
        (NOW + timedelta(days=14), "C", 75.0),
    ]
    [pool_trend] = trend.pools
    assert (pool_trend.pod, pool_trend.id, pool_trend.name) == (POD, "a", "renamed")
    assert [(p.collected_at, p.grade) for p in pool_trend.points] == [
        (NOW, "A"),
        (NOW + timedelta(days=14), "B"),
    ]
