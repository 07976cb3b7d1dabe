"""What to fix first: each failed check's impact on the fleet's scores, and remediation plans.

Everything is computed from the report's own records (every desktop's deductions, the findings,
the checks), so a reader of the JSON report can recompute each figure. Scores are recomputed
with the formula of ``scoring``: 100 minus the deductions left, never below 0; means over the
desktops; the grade of the lower mean, capped while a desktop is in a pod outage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from fleetreport.health.report_model import (
    CheckSummary,
    DesktopSummary,
    FindingRecord,
    HealthReport,
    PlanStep,
    PoolPlan,
    Priority,
)
from fleetreport.health.results import Severity
from fleetreport.health.scoring import FULL_SCORE, OUTAGE_SUBJECTS, group_grade, remaining
from fleetreport.health.settings import ScoreSettings

PLAN_STEPS = 5
"""At most this many actions per plan: the few that lift it most."""
SEVERITY_ORDER = {severity.value: index for index, severity in enumerate(Severity)}
"""critical first, then warning, then info."""
HARMFUL = (Severity.CRITICAL.value, Severity.WARNING.value)
POOL_SUBJECTS = ("desktop", "pool")
"""Findings on these belong to a pool's plan; the others to the infrastructure plan."""
INFRASTRUCTURE = "Infrastructure"
CATEGORIES = ("patch", "power")
"""The scores a deduction can lower."""


@dataclass(frozen=True)
class Rescored:
    """A set of desktops' scores with some checks' deductions taken away."""

    patch: float | None
    """Mean patch score; None without desktops."""
    power: float | None
    """Mean power score."""
    grade: str | None
    """Grade of the lower of the two, capped while a desktop is in a pod outage."""
    capped: bool
    """The grade is capped."""


def rescore(
    desktops: Sequence[DesktopSummary],
    fixed: Collection[str],
    outage_checks: Collection[str],
    settings: ScoreSettings,
) -> Rescored:
    """The scores of ``desktops`` were the checks in ``fixed`` to pass everywhere."""
    if not desktops:
        return Rescored(None, None, None, False)
    patch = sum(_desktop_score(d, "patch", fixed) for d in desktops) / len(desktops)
    power = sum(_desktop_score(d, "power", fixed) for d in desktops) / len(desktops)
    capped = any(
        x.check in outage_checks and x.severity == Severity.CRITICAL.value and x.check not in fixed
        for d in desktops
        for x in d.deductions
    )
    return Rescored(patch, power, group_grade(patch, power, capped, settings), capped)


def rank_priorities(report: HealthReport) -> list[Priority]:
    """One item per check with findings, most impact first (see ``priority_order``)."""
    checks = {check.id: check for check in report.checks}
    by_check: dict[str, list[FindingRecord]] = defaultdict(list)
    for finding in report.findings:
        by_check[finding.check].append(finding)
    carriers = carriers_of(report.vms)
    items = []
    for check_id, findings in by_check.items():
        check = checks[check_id]
        rise = {
            category: _rise(carriers[check_id], check_id, category, len(report.vms))
            for category in CATEGORIES
        }
        items.append(
            Priority(
                check=check_id,
                title=check.title,
                category=check.category,
                severity=worst(f.severity for f in findings),
                subject_kind=check.subject_kind,
                findings=len(findings),
                desktops=affected(check, findings, report.vms),
                patch_points=rise["patch"],
                power_points=rise["power"],
            )
        )
    return sorted(items, key=priority_order)


def priority_order(item: Priority) -> tuple[float, int, int, int, str]:
    """Points given back (patch plus power), then desktops affected, then severity."""
    points = round(item.patch_points + item.power_points, 1)
    return (-points, -item.desktops, SEVERITY_ORDER[item.severity], -item.findings, item.check)


def remediation_plans(report: HealthReport, settings: ScoreSettings) -> list[PoolPlan]:
    """A plan per pool with something to do (by name), then one for the infrastructure."""
    checks = {check.id: check for check in report.checks}
    outage = outage_checks(report.checks)
    members: dict[str, list[DesktopSummary]] = defaultdict(list)
    for desktop in report.vms:
        if desktop.pool is not None:
            members[desktop.pool].append(desktop)
    plans = []
    for pool in report.pools:
        desktops = members.get(pool.id, [])
        findings = [
            f for f in report.findings if f.pool == pool.id and f.subject_kind in POOL_SUBJECTS
        ]
        candidates = {f.check for f in findings} | {x.check for d in desktops for x in d.deductions}
        steps = plan_steps(desktops, findings, candidates, checks, outage, settings)
        if steps:
            now = rescore(desktops, (), outage, settings)
            plans.append(
                PoolPlan("pool", pool.id, pool.pod, pool.name, len(desktops), *_figures(now), steps)
            )
    findings = [f for f in report.findings if f.subject_kind not in POOL_SUBJECTS]
    steps = plan_steps(report.vms, findings, {f.check for f in findings}, checks, outage, settings)
    if steps:
        now = rescore(report.vms, (), outage, settings)
        plans.append(
            PoolPlan(
                "infrastructure", None, None, INFRASTRUCTURE, len(report.vms), *_figures(now), steps
            )
        )
    return plans


def plan_steps(
    desktops: Sequence[DesktopSummary],
    findings: Sequence[FindingRecord],
    candidates: Collection[str],
    checks: dict[str, CheckSummary],
    outage: Collection[str],
    settings: ScoreSettings,
) -> list[PlanStep]:
    """Greedily, the action that lifts patch plus power most given the steps before it (then
    the worse severity, then more desktops); actions that lift nothing only when critical or
    warning."""
    severity = {c: worst(_severities(c, desktops, findings)) for c in candidates}
    reach = {
        c: affected(checks[c], [f for f in findings if f.check == c], desktops) for c in candidates
    }
    carriers = carriers_of(desktops)
    fixed: list[str] = []
    steps: list[PlanStep] = []
    while len(steps) < PLAN_STEPS:
        options = []
        for check_id in sorted(set(candidates) - set(fixed)):
            gain = round(_gain(carriers[check_id], fixed, check_id) / max(len(desktops), 1), 9)
            if gain > 0 or severity[check_id] in HARMFUL:
                order = (-gain, SEVERITY_ORDER[severity[check_id]], -reach[check_id], check_id)
                options.append((order, check_id))
        if not options:
            break
        _, chosen = min(options)
        fixed.append(chosen)
        patch, power, letter, capped = _figures(rescore(desktops, fixed, outage, settings))
        steps.append(
            PlanStep(
                chosen,
                checks[chosen].title,
                severity[chosen],
                reach[chosen],
                patch,
                power,
                letter,
                capped,
            )
        )
    return steps


def carriers_of(desktops: Iterable[DesktopSummary]) -> dict[str, list[DesktopSummary]]:
    """The desktops carrying a deduction of each check."""
    carriers: dict[str, list[DesktopSummary]] = defaultdict(list)
    for desktop in desktops:
        for check_id in {x.check for x in desktop.deductions}:
            carriers[check_id].append(desktop)
    return carriers


def outage_checks(checks: Iterable[CheckSummary]) -> set[str]:
    """Checks whose critical failure puts a desktop in a pod outage (pod, vCenter link)."""
    return {check.id for check in checks if check.subject_kind in OUTAGE_SUBJECTS}


def affected(
    check: CheckSummary, findings: Sequence[FindingRecord], desktops: Sequence[DesktopSummary]
) -> int:
    """Desktops that fail a desktop check, or that inherit a pool, host or pod check's failure."""
    if check.subject_kind == "desktop":
        return len({(f.location, f.subject) for f in findings})
    return sum(1 for d in desktops if any(x.check == check.id for x in d.deductions))


def worst(severities: Iterable[str]) -> str:
    """The worst of some severities (info when there are none)."""
    return min(severities, key=SEVERITY_ORDER.__getitem__, default=Severity.INFO.value)


def _severities(
    check_id: str, desktops: Sequence[DesktopSummary], findings: Sequence[FindingRecord]
) -> list[str]:
    found = [f.severity for f in findings if f.check == check_id]
    inherited = [x.severity for d in desktops for x in d.deductions if x.check == check_id]
    return found + inherited


def _gain(carriers: Sequence[DesktopSummary], fixed: Collection[str], check_id: str) -> float:
    """Patch plus power points the desktops carrying ``check_id`` gain once it is fixed too."""
    return sum(
        _desktop_score(d, category, {*fixed, check_id}) - _desktop_score(d, category, fixed)
        for d in carriers
        for category in CATEGORIES
    )


def _desktop_score(desktop: DesktopSummary, category: str, fixed: Collection[str]) -> float:
    if not desktop.deductions:
        return FULL_SCORE
    return remaining(
        x.points for x in desktop.deductions if x.category == category and x.check not in fixed
    )


def _figures(scores: Rescored) -> tuple[float | None, float | None, str | None, bool]:
    return _round(scores.patch), _round(scores.power), scores.grade, scores.capped


def _rise(carriers: Sequence[DesktopSummary], check_id: str, category: str, desktops: int) -> float:
    """How much a mean score over ``desktops`` rises once ``check_id`` is fixed, one decimal."""
    if not desktops:
        return 0.0
    lifted = sum(
        _desktop_score(d, category, {check_id}) - _desktop_score(d, category, ()) for d in carriers
    )
    return round(lifted / desktops, 1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
