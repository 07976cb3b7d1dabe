"""What to fix first: each failed check's impact on the fleet's scores, and remediation plans.

Everything is computed from the report's own records (every desktop's deductions, the findings,
the checks), so a reader of the JSON report can recompute each figure. Scores are recomputed
with the formula of ``scoring``: 100 minus the deductions left, never below 0; means over the
desktops; the grade of the lower mean, capped while a desktop is in a pod outage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
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
    return _Group(desktops, outage_checks).rescore(fixed, settings)


class _Group:
    """A set of desktops' scores worked out once, so that a plan can ask "and with these checks
    fixed?" many times: only the desktops carrying a fixed check are scored again, and desktops
    whose deductions in a category are the same (a pool's clones) are scored once per question.
    The means add the same numbers in the same order as scoring every desktop would."""

    def __init__(self, desktops: Sequence[DesktopSummary], outage_checks: Collection[str]) -> None:
        self.desktops = desktops
        self.outage_checks = outage_checks
        """Checks whose critical failure puts a desktop in a pod outage (``outage_checks``)."""
        self._kinds: dict[str, list[int]] = {}
        """Per category, each desktop's kind: the index of its deductions in ``_lost``."""
        self._lost: dict[str, list[tuple[tuple[str, float], ...]]] = {}
        """Per category, each distinct list of (check, points) a desktop lost there."""
        for category in CATEGORIES:
            kinds: dict[tuple[tuple[str, float], ...], int] = {(): 0}  # kind 0: lost nothing
            self._kinds[category] = [
                kinds.setdefault(_lost(desktop, category), len(kinds)) if desktop.deductions else 0
                for desktop in desktops
            ]
            self._lost[category] = list(kinds)
        self.base = {category: self._all_scores(category, ()) for category in CATEGORIES}
        self.carriers: dict[str, list[int]] = defaultdict(list)
        self.outages: set[str] = set()
        """Outage checks failed critically on some desktop (they cap the grade until fixed)."""
        critical = Severity.CRITICAL.value
        for index, desktop in enumerate(desktops):
            if not desktop.deductions:
                continue
            for check_id in dict.fromkeys(x.check for x in desktop.deductions):
                self.carriers[check_id].append(index)
            self.outages.update(
                x.check
                for x in desktop.deductions
                if x.check in outage_checks and x.severity == critical
            )
        self._scores: dict[tuple[str, frozenset[str]], list[float]] = {}

    def scorer(self, category: str, fixed: Collection[str]) -> Callable[[int], float]:
        """A desktop's score (by index) in ``category`` with ``fixed`` passing everywhere,
        worked out once per kind of desktop (for this question only)."""
        kinds, lost = self._kinds[category], self._lost[category]
        known: dict[int, float] = {}

        def score(index: int) -> float:
            kind = kinds[index]
            found = known.get(kind)
            if found is None:
                found = known[kind] = _score_left(lost[kind], fixed)
            return found

        return score

    def _all_scores(self, category: str, fixed: Collection[str]) -> list[float]:
        by_kind = [_score_left(lost, fixed) for lost in self._lost[category]]
        return list(map(by_kind.__getitem__, self._kinds[category]))

    def scores(self, category: str, fixed: Collection[str]) -> list[float]:
        """Every desktop's score in ``category`` with ``fixed`` passing everywhere."""
        key = (category, frozenset(fixed))
        found = self._scores.get(key)
        if found is None:
            found = self.base[category]
            touched = sorted({i for check_id in key[1] for i in self.carriers.get(check_id, ())})
            if touched:
                found = found.copy()
                score = self.scorer(category, fixed)
                for index in touched:
                    found[index] = score(index)
            self._scores[key] = found
        return found

    def rescore(self, fixed: Collection[str], settings: ScoreSettings) -> Rescored:
        """The group's means and grade with ``fixed`` passing everywhere."""
        if not self.desktops:
            return Rescored(None, None, None, False)
        patch = sum(self.scores("patch", fixed)) / len(self.desktops)
        power = sum(self.scores("power", fixed)) / len(self.desktops)
        capped = any(check_id not in fixed for check_id in self.outages)
        return Rescored(patch, power, group_grade(patch, power, capped, settings), capped)

    def gain(self, fixed: Collection[str], check_id: str) -> float:
        """Patch plus power points the desktops carrying ``check_id`` gain once it is fixed
        too."""
        more = {*fixed, check_id}
        now = {category: self.scores(category, fixed) for category in CATEGORIES}
        then = {category: self.scorer(category, more) for category in CATEGORIES}
        return sum(
            then[category](index) - now[category][index]
            for index in self.carriers.get(check_id, ())
            for category in CATEGORIES
        )

    def rise(self, check_id: str, category: str) -> float:
        """Points a mean score over the group rises once ``check_id`` is fixed, one decimal."""
        if not self.desktops:
            return 0.0
        base = self.base[category]
        score = self.scorer(category, {check_id})
        lifted = sum(score(index) - base[index] for index in self.carriers.get(check_id, ()))
        return round(lifted / len(self.desktops), 1)


def priorities_and_plans(
    report: HealthReport, settings: ScoreSettings
) -> tuple[list[Priority], list[PoolPlan]]:
    """The ranking and the remediation plans, the whole fleet's desktop scores worked out once
    for both."""
    fleet = _Group(report.vms, outage_checks(report.checks))
    return rank_priorities(report, fleet), remediation_plans(report, settings, fleet)


def rank_priorities(report: HealthReport, fleet: _Group) -> list[Priority]:
    """One item per check with findings, most impact first (see ``priority_order``);
    ``fleet``: the report's desktops as a group."""
    checks = {check.id: check for check in report.checks}
    by_check: dict[str, list[FindingRecord]] = defaultdict(list)
    for finding in report.findings:
        by_check[finding.check].append(finding)
    items = []
    for check_id, findings in by_check.items():
        check = checks[check_id]
        rise = {category: fleet.rise(check_id, category) for category in CATEGORIES}
        items.append(
            Priority(
                check=check_id,
                title=check.title,
                category=check.category,
                severity=worst(f.severity for f in findings),
                subject_kind=check.subject_kind,
                findings=len(findings),
                desktops=affected(check, findings, fleet),
                patch_points=rise["patch"],
                power_points=rise["power"],
            )
        )
    return sorted(items, key=priority_order)


def priority_order(item: Priority) -> tuple[float, int, int, int, str]:
    """Points given back (patch plus power), then desktops affected, then severity."""
    points = round(item.patch_points + item.power_points, 1)
    return (-points, -item.desktops, SEVERITY_ORDER[item.severity], -item.findings, item.check)


def remediation_plans(
    report: HealthReport, settings: ScoreSettings, fleet: _Group
) -> list[PoolPlan]:
    """A plan per pool with something to do (by name), then one for the infrastructure;
    ``fleet``: the report's desktops as a group, with its outage checks."""
    checks = {check.id: check for check in report.checks}
    members: dict[str, list[DesktopSummary]] = defaultdict(list)
    for desktop in report.vms:
        if desktop.pool is not None:
            members[desktop.pool].append(desktop)
    pool_findings: dict[str, list[FindingRecord]] = defaultdict(list)
    for finding in report.findings:
        if finding.pool is not None and finding.subject_kind in POOL_SUBJECTS:
            pool_findings[finding.pool].append(finding)
    plans = []
    for pool in report.pools:
        desktops = members.get(pool.id, [])
        findings = pool_findings.get(pool.id, [])
        candidates = {f.check for f in findings} | {x.check for d in desktops for x in d.deductions}
        group = _Group(desktops, fleet.outage_checks)
        steps = plan_steps(group, findings, candidates, checks, settings)
        if steps:
            now = group.rescore((), settings)
            plans.append(
                PoolPlan("pool", pool.id, pool.pod, pool.name, len(desktops), *_figures(now), steps)
            )
    findings = [f for f in report.findings if f.subject_kind not in POOL_SUBJECTS]
    steps = plan_steps(fleet, findings, {f.check for f in findings}, checks, settings)
    if steps:
        now = fleet.rescore((), settings)
        plans.append(
            PoolPlan(
                "infrastructure", None, None, INFRASTRUCTURE, len(report.vms), *_figures(now), steps
            )
        )
    return plans


def plan_steps(
    group: _Group,
    findings: Sequence[FindingRecord],
    candidates: Collection[str],
    checks: dict[str, CheckSummary],
    settings: ScoreSettings,
) -> list[PlanStep]:
    """Greedily, the action that lifts patch plus power most given the steps before it (then
    the worse severity, then more desktops); actions that lift nothing only when critical or
    warning."""
    desktops = group.desktops
    by_check: dict[str, list[FindingRecord]] = defaultdict(list)
    for finding in findings:
        by_check[finding.check].append(finding)
    severity = {c: worst(_severities(c, group, by_check.get(c, []))) for c in candidates}
    reach = {c: affected(checks[c], by_check.get(c, []), group) for c in candidates}
    fixed: list[str] = []
    steps: list[PlanStep] = []
    while len(steps) < PLAN_STEPS:
        options = []
        for check_id in sorted(set(candidates) - set(fixed)):
            gain = round(group.gain(fixed, check_id) / max(len(desktops), 1), 9)
            if gain > 0 or severity[check_id] in HARMFUL:
                order = (-gain, SEVERITY_ORDER[severity[check_id]], -reach[check_id], check_id)
                options.append((order, check_id))
        if not options:
            break
        _, chosen = min(options)
        fixed.append(chosen)
        patch, power, letter, capped = _figures(group.rescore(fixed, settings))
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


def outage_checks(checks: Iterable[CheckSummary]) -> set[str]:
    """Checks whose critical failure puts a desktop in a pod outage (pod, vCenter link)."""
    return {check.id for check in checks if check.subject_kind in OUTAGE_SUBJECTS}


def affected(check: CheckSummary, findings: Sequence[FindingRecord], group: _Group) -> int:
    """Desktops that fail a desktop check, or that inherit a pool, host or pod check's failure
    (``findings``: the check's own)."""
    if check.subject_kind == "desktop":
        return len({(f.location, f.subject) for f in findings})
    return len(group.carriers.get(check.id, ()))


def worst(severities: Iterable[str]) -> str:
    """The worst of some severities (info when there are none)."""
    return min(severities, key=SEVERITY_ORDER.__getitem__, default=Severity.INFO.value)


def _severities(check_id: str, group: _Group, findings: Sequence[FindingRecord]) -> list[str]:
    """The check's findings' severities (``findings``: its own) and its deductions'."""
    inherited = [
        x.severity
        for index in group.carriers.get(check_id, ())
        for x in group.desktops[index].deductions
        if x.check == check_id
    ]
    return [f.severity for f in findings] + inherited


def _lost(desktop: DesktopSummary, category: str) -> tuple[tuple[str, float], ...]:
    """The (check, points) a desktop lost in ``category``, in deduction order."""
    return tuple((x.check, x.points) for x in desktop.deductions if x.category == category)


def _score_left(lost: Sequence[tuple[str, float]], fixed: Collection[str]) -> float:
    """A desktop's score: full marks less the points it lost to checks not ``fixed``."""
    if not lost:
        return FULL_SCORE
    return remaining([points for check_id, points in lost if check_id not in fixed])


def _figures(scores: Rescored) -> tuple[float | None, float | None, str | None, bool]:
    return _round(scores.patch), _round(scores.power), scores.grade, scores.capped


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
