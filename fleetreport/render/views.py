"""Shapes the scored model for the HTML templates: groups and orders, never judges.

Everything here is presentation (grouping findings by check, ordering, picking the five most
serious problems, charts); every figure comes from the model as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup

from fleetreport.health.report_model import (
    CheckSummary,
    DesktopSummary,
    FindingRecord,
    HealthReport,
    PlanStep,
    PoolPlan,
    Priority,
    Trend,
)
from fleetreport.health.usage_records import UsageDay, UsageEvidence, UsageReport
from fleetreport.render import charts

SEVERITIES = ("critical", "warning", "info")
NOUNS = {
    "desktop": ("desktop", "desktops"),
    "pool": ("pool", "pools"),
    "host": ("ESXi host", "ESXi hosts"),
    "connection_server": ("Connection Server", "Connection Servers"),
    "pod": ("Horizon pod", "Horizon pods"),
    "horizon_vcenter": ("vCenter link", "vCenter links"),
    "cluster": ("cluster", "clusters"),
    "datastore": ("datastore", "datastores"),
    "gateway": ("gateway", "gateways"),
    "ad_domain": ("AD domain", "AD domains"),
}
TOP_PROBLEMS = 5
SERIOUS = ("critical", "warning")
"""The summary's top problems are the highest-impact checks failing at these severities."""
HORIZON_COLLECTED = "collected"
HORIZON_FAILED = "failed"
HORIZON_ABSENT = "absent"
HORIZON_COMPONENTS = (
    ("ad_domains", "AD domains"),
    ("saml_authenticators", "SAML authenticators"),
    ("true_sso", "True SSO connectors"),
    ("federation_pods", "Cloud Pod Architecture pods"),
    ("licenses", "licences"),
)
"""The optional Horizon component lists of ``Infrastructure``, in words."""
POOL_TREND_CHARTS = 6
"""Up to this many pools, the trends section draws a small chart per pool."""
PRINTED_ROWS = 25
"""A usage table prints its first rows up to this many (the costliest, the busiest); the rest
are on screen and in the workbook, as the inventory's lists are."""
OPEN_ROWS = 15
"""A usage table up to this long is open on screen; longer ones start collapsed."""
PRINTED_DAYS = 14
"""Up to this many days, the logons-per-day table prints under its chart; a longer window
prints its total and busiest day, its figures are on screen and in the workbook."""


@dataclass(frozen=True)
class FindingGroup:
    """All failures of one check at one severity."""

    check: CheckSummary
    """The check."""
    severity: str
    """Their severity."""
    findings: list[FindingRecord]
    """The failures, in the model's order."""

    @property
    def headline(self) -> str:
        """Plain words: ``12 desktops: VMware Tools outdated``."""
        singular, plural = NOUNS.get(self.check.subject_kind, ("item", "items"))
        count = len(self.findings)
        return f"{count:,} {singular if count == 1 else plural}: {self.check.title}"


@dataclass(frozen=True)
class Problem:
    """One check of the priority ranking, as the summary lists it."""

    priority: Priority
    """Its place in the ranking and its impact."""
    check: CheckSummary
    """The check (rationale, remediation)."""

    @property
    def headline(self) -> str:
        """Plain words: ``23 desktops: VMware Tools outdated``."""
        return f"{_count(self.priority.findings, self.check.subject_kind)}: {self.check.title}"

    @property
    def impact(self) -> str:
        """What fixing it everywhere gives: ``+7.7 patch points, 160 desktops``."""
        return impact_text(self.priority, self.check.scores_desktops)


@dataclass(frozen=True)
class PlanView:
    """One remediation plan with each step's check (for its remediation)."""

    plan: PoolPlan
    """The plan."""
    steps: list[tuple[PlanStep, CheckSummary]]
    """Its steps, in order, each with its check."""


@dataclass(frozen=True)
class PoolInventory:
    """One pool's desktops for the inventory appendix."""

    name: str
    """Pool name (``Not in a pool`` for the rest)."""
    desktops: list[DesktopSummary]
    """Its desktops."""


@dataclass(frozen=True)
class PoolTrendRow:
    """One pool over the runs of the trend."""

    name: str
    """Pool name."""
    grades: list[str | None]
    """Its grade in each run of the trend (None: not in that run, or no grade)."""
    chart: Markup | None
    """Its score lines, when the pools are few enough to draw one each."""
    peaks: list[int | None] = field(default_factory=list)
    """Its peak concurrent sessions in each run of the trend (None: no usage collected, or
    not in that run)."""


@dataclass(frozen=True)
class TrendView:
    """The trends section: dates of the runs and each pool's row."""

    dates: list[str]
    """Each run's collection date, oldest first (with the time when two share a day)."""
    pools: list[PoolTrendRow]
    """Pools, in the model's order."""
    usage: bool = False
    """Some run of the trend collected usage: the usage columns are shown."""


@dataclass(frozen=True)
class ReportView:
    """What the templates receive besides the model itself."""

    groups: dict[str, list[FindingGroup]]
    """Finding groups by severity, largest first."""
    top_problems: list[Problem]
    """The five most serious problems: the first critical or warning checks of the priority
    ranking (``HealthReport.priorities``)."""
    inventory: list[PoolInventory]
    """Desktops by pool."""
    charts: dict[str, Markup]
    """Inline SVG charts by name."""
    data_age: str
    """How old the data was when the report was made."""
    failed_sources: list[str]
    """URLs of sources that failed."""
    unverified_sources: list[str]
    """URLs collected without TLS verification."""
    trend: TrendView | None = None
    """The trends section; None when the report has fewer than two runs of trend."""
    plan: list[PlanView] = field(default_factory=list)
    """The remediation plan: pools, then infrastructure."""
    horizon: str = HORIZON_COLLECTED
    """``collected`` (Horizon data present), ``failed`` (a Horizon source was asked and did not
    answer) or ``absent`` (collected from vCenter only)."""
    unreported_components: list[str] = field(default_factory=list)
    """Horizon component kinds of which the pods reported none (with Horizon data only)."""
    alarm_groups: list[AlarmGroup] = field(default_factory=list)
    """Triggered alarms counted by status, alarm and object kind: what print shows."""
    usage: UsageView | None = None
    """The usage section; None when the report has no usage (``HealthReport.usage``)."""


@dataclass(frozen=True)
class UsageView:
    """The usage section's charts and what its empty states need to say."""

    days_chart: Markup | None
    """Logons per day; None when no day is in the window."""
    peaks_chart: Markup | None
    """Peak sessions per pool against capacity; None without pools."""
    horizon_read: list[str]
    """Pods whose audit events were read."""
    horizon_missing: list[UsageEvidence]
    """Pods whose audit events were not read, with why."""
    vcenter_read: list[str]
    """vCenters whose performance history was read."""
    vcenter_missing: list[UsageEvidence]
    """vCenters that refused or failed, with why."""
    long_days: bool
    """More days than print holds under the chart."""
    total_logons: int
    """Logons over the window, all pods."""
    busiest_day: UsageDay | None
    """The first day with the most logons; None without days."""
    unused_cost: float
    """What the unused desktops cost a year, together."""
    hosts_metered: int
    """Hosts of the measured energy whose draw was measured."""
    hosts_unmetered: int
    """Hosts of the measured energy without a power reading."""
    printed_rows: int = PRINTED_ROWS
    """Rows a long usage table prints."""
    open_rows: int = OPEN_ROWS
    """Rows up to which a usage table starts open on screen."""


@dataclass(frozen=True)
class AlarmGroup:
    """Triggered alarms of one name and status on one kind of object, counted."""

    status: str
    """``red``, ``yellow``, ``green`` or ``gray``."""
    name: str
    """The alarm's name (its moref when the name was not read)."""
    entity_type: str
    """The kind of object: ``VirtualMachine``, ``HostSystem``, ..."""
    objects: int
    """Objects it is triggered on."""


def build_view(report: HealthReport) -> ReportView:
    """The view of one report."""
    checks = {check.id: check for check in report.checks}
    grouped: dict[tuple[str, str], list[FindingRecord]] = defaultdict(list)
    for finding in report.findings:
        grouped[(finding.severity, finding.check)].append(finding)
    groups: dict[str, list[FindingGroup]] = {severity: [] for severity in SEVERITIES}
    for (severity, check_id), findings in grouped.items():
        groups.setdefault(severity, []).append(FindingGroup(checks[check_id], severity, findings))
    for severity_groups in groups.values():
        severity_groups.sort(key=lambda g: (-len(g.findings), g.check.id))
    fleet = report.fleet
    trend = _trend_view(report.trend)
    trend_charts = (
        {
            "trend": charts.trend_lines(
                trend.dates,
                [
                    ("patch", [p.patch_score for p in report.trend.points]),
                    ("power", [p.power_score for p in report.trend.points]),
                ],
                "Fleet patch and power scores over the last runs",
            )
        }
        if trend is not None and report.trend is not None
        else {}
    )
    return ReportView(
        groups=groups,
        top_problems=top_problems(report),
        inventory=_inventory(report.vms),
        charts={
            "patch": charts.score_ring(
                fleet.patch_score, fleet.grade, "Patch score", bands=report.scoring.grades
            ),
            "power": charts.score_ring(
                fleet.power_score, fleet.grade, "Power score", bands=report.scoring.grades
            ),
            "power_states": charts.stacked_bar(fleet.by_power_state, "Desktops by power state"),
            "machine_states": charts.stacked_bar(
                fleet.by_machine_state, "Desktops by Horizon machine state"
            ),
            "severities": charts.stacked_bar(fleet.findings_by_severity, "Findings by severity"),
            "pools": charts.score_bars(
                [(p.name, p.patch_score, p.power_score) for p in report.pools]
            ),
            **trend_charts,
        },
        data_age=describe_age(report.generated_at, report.snapshot.collected_at),
        failed_sources=[s.url for s in report.sources if s.status == "failed"],
        unverified_sources=[s.url for s in report.sources if not s.tls_verified],
        trend=trend,
        plan=plan_views(report),
        horizon=horizon_state(report),
        unreported_components=[
            words for name, words in HORIZON_COMPONENTS if not getattr(report.infrastructure, name)
        ]
        if horizon_state(report) == HORIZON_COLLECTED
        else [],
        alarm_groups=alarm_groups(report),
        usage=usage_view(report.usage),
    )


def usage_view(usage: UsageReport | None) -> UsageView | None:
    """The usage section's charts and evidence lists; None without usage."""
    if usage is None:
        return None
    horizon = [e for e in usage.evidence if e.kind == "horizon"]
    vcenter = [e for e in usage.evidence if e.kind != "horizon"]
    hosts = usage.energy.hosts if usage.energy is not None else []
    unmetered = sum(1 for host in hosts if host.status != "measured")
    return UsageView(
        days_chart=charts.logons_per_day([(d.day, d.logons) for d in usage.days])
        if usage.days
        else None,
        peaks_chart=charts.pool_peaks(
            [
                (
                    p.pool_name,
                    p.peak_sessions,
                    p.machines,
                    p.maximum,
                    p.needed,
                    p.peak_is_lower_bound,
                )
                for p in usage.pools
            ]
        )
        if usage.pools
        else None,
        horizon_read=[e.source for e in horizon if e.status == "ok"],
        horizon_missing=[e for e in horizon if e.status != "ok"],
        vcenter_read=[e.source for e in vcenter if e.status == "ok"],
        vcenter_missing=[e for e in vcenter if e.status != "ok"],
        long_days=len(usage.days) > PRINTED_DAYS,
        total_logons=sum(d.logons for d in usage.days),
        busiest_day=max(usage.days, key=lambda d: d.logons, default=None),
        unused_cost=sum(u.cost_per_year for u in usage.unused),
        hosts_metered=len(hosts) - unmetered,
        hosts_unmetered=unmetered,
    )


def horizon_state(report: HealthReport) -> str:
    """Whether the report has Horizon data, a Horizon source failed, or there was none."""
    infra = report.infrastructure
    if infra.pods or infra.connection_servers:
        return HORIZON_COLLECTED
    if any(s.kind == "horizon" and s.status == "failed" for s in report.sources):
        return HORIZON_FAILED
    return HORIZON_ABSENT


def alarm_groups(report: HealthReport) -> list[AlarmGroup]:
    """The triggered alarms counted by status, name and object kind, in the model's order
    (worst first)."""
    counts: dict[tuple[str, str, str], int] = {}
    for alarm in report.infrastructure.alarms:
        key = (alarm.status, alarm.name or alarm.alarm, alarm.entity_type)
        counts[key] = counts.get(key, 0) + 1
    return [AlarmGroup(status, name, kind, n) for (status, name, kind), n in counts.items()]


def top_problems(report: HealthReport) -> list[Problem]:
    """The first five critical or warning checks of the report's priority ranking."""
    checks = {check.id: check for check in report.checks}
    serious = [p for p in report.priorities if p.severity in SERIOUS]
    return [Problem(p, checks[p.check]) for p in serious[:TOP_PROBLEMS]]


def plan_views(report: HealthReport) -> list[PlanView]:
    """The report's plans with each step's check."""
    checks = {check.id: check for check in report.checks}
    return [
        PlanView(plan, [(step, checks[step.check]) for step in plan.steps]) for plan in report.plan
    ]


def impact_text(priority: Priority, scores_desktops: bool) -> str:
    """``+7.7 patch points, 160 desktops``; ``no score points`` for a check that lowers no
    desktop's score, ``under 0.1 score points`` for one whose rise rounds to 0."""
    points = [
        f"+{value:.1f} {name} points"
        for name, value in (("patch", priority.patch_points), ("power", priority.power_points))
        if value > 0
    ]
    scored = scores_desktops and priority.desktops > 0
    parts = points or ["under 0.1 score points" if scored else "no score points"]
    if priority.desktops:
        parts.append(_count(priority.desktops, "desktop"))
    return ", ".join(parts)


def _count(count: int, kind: str) -> str:
    singular, plural = NOUNS.get(kind, ("item", "items"))
    return f"{count:,} {singular if count == 1 else plural}"


def describe_age(now: datetime, then: datetime) -> str:
    """``collected 3 hours before this report``, in the largest sensible unit."""
    seconds = max((now - then).total_seconds(), 0)
    if seconds < 3600:
        return "less than an hour old"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} hours old"
    return f"{int(seconds // 86400)} days old"


def _inventory(desktops: Sequence[DesktopSummary]) -> list[PoolInventory]:
    by_pool: dict[str, list[DesktopSummary]] = defaultdict(list)
    for desktop in desktops:
        by_pool[desktop.pool_name or "Not in a pool"].append(desktop)
    return [PoolInventory(name, rows) for name, rows in by_pool.items()]


def _trend_view(trend: Trend | None) -> TrendView | None:
    if trend is None or len(trend.points) < 2:
        return None
    times = [point.collected_at for point in trend.points]
    days = [f"{t:%Y-%m-%d}" for t in times]
    dates = days if len(set(days)) == len(days) else [f"{t:%Y-%m-%d %H:%M}" for t in times]
    draw = len(trend.pools) <= POOL_TREND_CHARTS
    rows = []
    for pool in trend.pools:
        by_time = {point.collected_at: point for point in pool.points}
        points = [by_time.get(t) for t in times]
        chart = (
            charts.trend_lines(
                dates,
                [
                    ("patch", [p.patch_score if p else None for p in points]),
                    ("power", [p.power_score if p else None for p in points]),
                ],
                f"{pool.name}: patch and power scores over the last runs",
                width=300,
                height=150,
            )
            if draw
            else None
        )
        grades = [p.grade if p else None for p in points]
        peaks = [p.peak_sessions if p else None for p in points]
        rows.append(PoolTrendRow(pool.name, grades, chart, peaks))
    usage = any(p.peak_sessions is not None or p.unused_desktops is not None for p in trend.points)
    return TrendView(dates=dates, pools=rows, usage=usage)
