"""What changed between two runs, and how the figures moved over several.

A :class:`ReportDigest` holds what a comparison needs of a report (fleet figures, desktops by
key, findings by identity, pools by pod and id) and nothing else, so that the history database
can rebuild one from its tables. :func:`compare` turns an old digest and a new report (or
digest) into the model's :class:`~fleetreport.health.report_model.Changes`; :func:`trend_of`
turns a series of digests into its :class:`~fleetreport.health.report_model.Trend`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from fleetreport.health.report_model import (
    Changes,
    DesktopBrief,
    FindingBrief,
    FindingRecord,
    HealthReport,
    PoolChange,
    PoolTrend,
    Trend,
    TrendPoint,
)
from fleetreport.ordering import natural_key

__all__ = [
    "SCORE_DROP",
    "FindingBrief",
    "FindingKey",
    "PoolBrief",
    "PoolKey",
    "ReportDigest",
    "compare",
    "digest_of",
    "finding_key",
    "is_worse",
    "trend_of",
    "usage_figures",
]

FindingKey = tuple[str, str, str | None, str]
"""A finding's identity across runs: (check, subject kind, location, subject)."""
PoolKey = tuple[str, str]
"""A pool's identity across runs: (pod, id)."""

GRADES = ("A", "B", "C", "D", "F")
"""Best first."""
SEVERITIES = ("critical", "warning", "info")
"""Worst first."""
SCORE_DROP = 0.05
"""A fleet score lower by more than this (points out of 100) makes a run worse."""


@dataclass(frozen=True)
class PoolBrief:
    """A pool's figures in one run."""

    name: str
    """Pool name."""
    grade: str | None
    """A..F."""
    patch_score: float | None
    """Mean patch score."""
    power_score: float | None
    """Mean power score."""
    desktops: int
    """Desktops judged in the pool."""
    peak_sessions: int | None = None
    """Most sessions open at once over the run's usage window; None without usage."""


@dataclass(frozen=True)
class ReportDigest:
    """What comparing two runs needs of a report, without the whole report."""

    collected_at: datetime
    """When the report's data was collected (UTC)."""
    patch_score: float | None
    """Fleet patch score."""
    power_score: float | None
    """Fleet power score."""
    grade: str | None
    """Fleet grade."""
    desktop_count: int
    """Desktops judged (the fleet's figure; ``desktops`` may be empty for an old history)."""
    desktops: dict[str, str] = field(default_factory=dict)
    """Desktop names by key."""
    findings: dict[FindingKey, FindingBrief] = field(default_factory=dict)
    """Findings by identity."""
    pools: dict[PoolKey, PoolBrief] = field(default_factory=dict)
    """Pools by (pod, id)."""
    peak_sessions: int | None = None
    """The fleet's peak concurrent sessions over the usage window; None without usage."""
    unused_desktops: int | None = None
    """Unused desktops found; None without usage."""


def finding_key(finding: FindingRecord) -> FindingKey:
    """A finding's identity across runs."""
    return (finding.check, finding.subject_kind, finding.location, finding.subject)


def finding_brief(finding: FindingRecord) -> FindingBrief:
    """The part of a finding a comparison shows."""
    return FindingBrief(
        check=finding.check,
        severity=finding.severity,
        subject_kind=finding.subject_kind,
        subject=finding.subject,
        subject_name=finding.subject_name,
        message=finding.message,
        pool_name=finding.pool_name,
    )


@dataclass(frozen=True)
class UsageFigures:
    """What a run's usage adds to its history: None throughout when it collected none."""

    peak_sessions: int | None = None
    """The fleet's peak over the window: the highest day's sum of the pools' peaks that day
    (an upper bound: pools peak at different hours); None when no day's peak is known."""
    unused_desktops: int | None = None
    """Unused desktops found."""
    pool_peaks: dict[PoolKey, int | None] = field(default_factory=dict)
    """Each pool's peak, by (pod, id)."""


def usage_figures(report: HealthReport) -> UsageFigures:
    """The report's usage figures for the history and the trends."""
    usage = report.usage
    if usage is None:
        return UsageFigures()
    peaks = [day.peak_sessions for day in usage.days if day.peak_sessions is not None]
    return UsageFigures(
        peak_sessions=max(peaks) if peaks else None,
        unused_desktops=len(usage.unused),
        pool_peaks={(p.pod, p.pool): p.peak_sessions for p in usage.pools},
    )


def digest_of(report: HealthReport) -> ReportDigest:
    """The digest of a report."""
    usage = usage_figures(report)
    return ReportDigest(
        collected_at=report.snapshot.collected_at,
        patch_score=report.fleet.patch_score,
        power_score=report.fleet.power_score,
        grade=report.fleet.grade,
        desktop_count=report.fleet.desktops,
        desktops={desktop.key: desktop.name for desktop in report.vms},
        findings={finding_key(f): finding_brief(f) for f in report.findings},
        pools={
            (pool.pod, pool.id): PoolBrief(
                name=pool.name,
                grade=pool.grade,
                patch_score=pool.patch_score,
                power_score=pool.power_score,
                desktops=pool.desktops,
                peak_sessions=usage.pool_peaks.get((pool.pod, pool.id)),
            )
            for pool in report.pools
        },
        peak_sessions=usage.peak_sessions,
        unused_desktops=usage.unused_desktops,
    )


def compare(old: ReportDigest, new: HealthReport | ReportDigest) -> Changes:
    """What changed from ``old`` to ``new``."""
    current = digest_of(new) if isinstance(new, HealthReport) else new
    new_findings = _worst_first(
        brief for key, brief in current.findings.items() if key not in old.findings
    )
    resolved = _worst_first(
        brief for key, brief in old.findings.items() if key not in current.findings
    )
    changes = Changes(
        previous_collected_at=old.collected_at,
        collected_at=current.collected_at,
        previous_desktops=old.desktop_count,
        desktops=current.desktop_count,
        previous_grade=old.grade,
        grade=current.grade,
        previous_patch_score=old.patch_score,
        patch_score=current.patch_score,
        patch_delta=_delta(old.patch_score, current.patch_score),
        previous_power_score=old.power_score,
        power_score=current.power_score,
        power_delta=_delta(old.power_score, current.power_score),
        new_desktops=_desktops(current.desktops, old.desktops),
        removed_desktops=_desktops(old.desktops, current.desktops),
        new_findings=new_findings,
        resolved_findings=resolved,
        new_findings_by_severity=_by_severity(new_findings),
        resolved_findings_by_severity=_by_severity(resolved),
        pools_changed=_pool_changes(old.pools, current.pools),
        worse=False,
    )
    return replace(changes, worse=is_worse(changes))


def is_worse(changes: Changes) -> bool:
    """The rule documented on ``Changes.worse``."""
    if _grade_rank(changes.grade) > _grade_rank(changes.previous_grade) >= 0:
        return True
    for delta in (changes.patch_delta, changes.power_delta):
        if delta is not None and -delta > SCORE_DROP:
            return True
    return any(f.severity == "critical" for f in changes.new_findings)


def trend_of(digests: Sequence[ReportDigest]) -> Trend:
    """Fleet and pool figures of ``digests`` (oldest first), one point per digest."""
    pools: dict[PoolKey, list[TrendPoint]] = {}
    names: dict[PoolKey, str] = {}
    for digest in digests:
        for key, pool in digest.pools.items():
            pools.setdefault(key, []).append(
                TrendPoint(
                    collected_at=digest.collected_at,
                    desktops=pool.desktops,
                    patch_score=pool.patch_score,
                    power_score=pool.power_score,
                    grade=pool.grade,
                    peak_sessions=pool.peak_sessions,
                )
            )
            names[key] = pool.name
    return Trend(
        points=[
            TrendPoint(
                collected_at=d.collected_at,
                desktops=d.desktop_count,
                patch_score=d.patch_score,
                power_score=d.power_score,
                grade=d.grade,
                peak_sessions=d.peak_sessions,
                unused_desktops=d.unused_desktops,
            )
            for d in digests
        ],
        pools=[
            PoolTrend(pod=key[0], id=key[1], name=names[key], points=points)
            for key, points in sorted(
                pools.items(), key=lambda kv: (natural_key(names[kv[0]]), kv[0])
            )
        ],
    )


def _grade_rank(grade: str | None) -> int:
    """0 for A .. 4 for F; -1 for no grade (never better or worse than another)."""
    return GRADES.index(grade) if grade in GRADES else -1


def _delta(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else round(after - before, 1)


def _desktops(these: Mapping[str, str], not_in: Mapping[str, str]) -> list[DesktopBrief]:
    briefs = [DesktopBrief(key, name) for key, name in these.items() if key not in not_in]
    return sorted(briefs, key=lambda d: (natural_key(d.name), natural_key(d.key)))


def _severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _worst_first(findings: Iterable[FindingBrief]) -> list[FindingBrief]:
    return sorted(
        findings,
        key=lambda f: (
            _severity_rank(f.severity),
            f.check,
            natural_key(f.subject_name),
            natural_key(f.subject),
        ),
    )


def _by_severity(findings: Sequence[FindingBrief]) -> dict[str, int]:
    return {severity: sum(f.severity == severity for f in findings) for severity in SEVERITIES}


def _pool_changes(
    old: Mapping[PoolKey, PoolBrief], new: Mapping[PoolKey, PoolBrief]
) -> list[PoolChange]:
    changes: list[PoolChange] = []
    for key in old.keys() | new.keys():
        before, after = old.get(key), new.get(key)
        if before is not None and after is not None and before.grade == after.grade:
            continue
        kind = "new" if before is None else "removed" if after is None else "grade"
        shown = after or before
        assert shown is not None
        changes.append(
            PoolChange(
                pod=key[0],
                id=key[1],
                name=shown.name,
                change=kind,
                previous_grade=before.grade if before else None,
                grade=after.grade if after else None,
                previous_patch_score=before.patch_score if before else None,
                patch_score=after.patch_score if after else None,
                previous_power_score=before.power_score if before else None,
                power_score=after.power_score if after else None,
                previous_desktops=before.desktops if before else None,
                desktops=after.desktops if after else None,
            )
        )
    return sorted(changes, key=lambda c: (natural_key(c.name), c.pod, c.id, c.change))
