"""The report's usage section (``UsageReport``) from an evaluation: the evidence read, logons per
day, each pool's peak against its size, the unused desktops and the measured energy."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from fleetreport.health.catalogue import Limits, SubjectKind
from fleetreport.health.checks.usage import margin
from fleetreport.health.energy import HOURS_PER_YEAR
from fleetreport.health.energy_measured import desktop_watts, host_powers, measured_energy
from fleetreport.health.evaluate import Evaluation, Judgement, pool_key
from fleetreport.health.fleet import Desktop
from fleetreport.health.pool_power import Lever, pool_lever, sizing_advice
from fleetreport.health.results import Severity, Status
from fleetreport.health.settings import EnergySettings
from fleetreport.health.usage_evidence import (
    HOST_SYSTEM,
    MEASURED,
    VIRTUAL_MACHINE,
    usage_evidence,
)
from fleetreport.health.usage_records import (
    LicencePeak,
    PoolSizing,
    UnusedDesktop,
    UsageDay,
    UsageEvidence,
    UsageReport,
)
from fleetreport.snapshot.model import DesktopPool, HorizonUsage, Snapshot

ABSENT_CHECK = "desktop_assigned_user_absent"
UNUSED_CHECK = "desktop_unused"
OVER_CHECK = "pool_over_provisioned"
RAN_OUT_CHECK = "pool_ran_out"
LICENCE_CHECK = "licence_usage_high"
REASONS = {ABSENT_CHECK: "assigned_user_absent", UNUSED_CHECK: "no_session_no_activity"}
OK = "ok"


def usage_report(evaluation: Evaluation, settings: EnergySettings) -> UsageReport | None:
    """The usage section; None when the snapshot holds no usage evidence."""
    snapshot = evaluation.fleet.snapshot
    if not snapshot.horizon_usage and not snapshot.vcenter_usage:
        return None
    start, end = _window(snapshot)
    read = [u for u in snapshot.horizon_usage if u.status == OK]
    days = [u.days for u in snapshot.horizon_usage]
    days += [vc.usage_days for vc in snapshot.vcenters if vc.usage_days is not None]
    history = [vc for vc in snapshot.vcenters if vc.usage_days is not None and not vc.usage_error]
    return UsageReport(
        window_days=max(days, default=0),
        window_start=start,
        window_end=end,
        evidence=_evidence(snapshot),
        days=_days(read, start, end),
        pools=_pools(evaluation),
        unused=_unused(evaluation, settings),
        licences=_licences(evaluation),
        energy=measured_energy(evaluation, settings) if history else None,
    )


def _window(snapshot: Snapshot) -> tuple[datetime | None, datetime | None]:
    starts = [u.window_start for u in snapshot.horizon_usage]
    starts += [u.window_start for u in snapshot.vcenter_usage]
    ends = [u.window_end for u in snapshot.horizon_usage]
    ends += [u.window_end for u in snapshot.vcenter_usage]
    return min(starts, default=None), max(ends, default=None)


def _evidence(snapshot: Snapshot) -> list[UsageEvidence]:
    rows = [
        UsageEvidence(
            kind="horizon",
            source=usage.pod,
            status=usage.status,
            reason=usage.reason,
            events=usage.events,
        )
        for usage in sorted(snapshot.horizon_usage, key=lambda u: u.pod)
    ]
    for vcenter in sorted(snapshot.vcenters, key=lambda v: v.name):
        if vcenter.usage_days is None:
            continue
        records = [u for u in snapshot.vcenter_usage if u.vcenter == vcenter.instance_uuid]
        vms = Counter(u.status == MEASURED for u in records if u.entity_type == VIRTUAL_MACHINE)
        hosts = Counter(u.status == MEASURED for u in records if u.entity_type == HOST_SYSTEM)
        intervals = [u.interval_seconds for u in records if u.interval_seconds is not None]
        rows.append(
            UsageEvidence(
                kind="vcenter",
                source=vcenter.name,
                status="refused" if vcenter.usage_error else OK,
                reason=vcenter.usage_error,
                vms_measured=vms[True],
                vms_without_data=vms[False],
                hosts_metered=hosts[True],
                hosts_unmetered=hosts[False],
                interval_seconds=max(intervals, default=None),
            )
        )
    return rows


def _days(read: list[HorizonUsage], start: datetime | None, end: datetime | None) -> list[UsageDay]:
    """Every UTC day of the window, all pods, 0 where nothing happened."""
    if start is None or end is None or not read:
        return []
    logons: Counter[str] = Counter()
    peaks: Counter[str] = Counter()
    unordered = False
    for usage in read:
        for pool in usage.pools:
            unordered |= pool.peak_sessions is None
            for day in pool.days:
                logons[day.day] += day.logons
                peaks[day.day] += day.peak_sessions or 0
    rows = []
    current: date = start.date()
    while current <= end.date():
        name = current.isoformat()
        rows.append(UsageDay(name, logons[name], None if unordered else peaks[name]))
        current += timedelta(days=1)
    return rows


def _verdict(pool: DesktopPool, judged: dict[str, Judgement]) -> str:
    over, ran_out = judged.get(OVER_CHECK), judged.get(RAN_OUT_CHECK)
    if ran_out is not None and ran_out.outcome.status is Status.FAIL:
        spares_only = ran_out.outcome.severity is Severity.INFO
        return "spares_short" if spares_only else "ran_out"
    if over is not None and over.outcome.status is Status.FAIL:
        return "over_provisioned"
    if pool.user_assignment == "DEDICATED":
        return "dedicated"  # sized by its assignments: its unused desktops are the finding
    judged_ok = ran_out is not None and ran_out.outcome.status is Status.PASS
    over_ok = over is None or over.outcome.status is Status.PASS or over.outcome.not_applicable
    if judged_ok and over_ok:
        return "right_sized"
    return "unknown"


def _pools(evaluation: Evaluation) -> list[PoolSizing]:
    fleet = evaluation.fleet
    evidence = usage_evidence(fleet)
    over_limits = Limits(OVER_CHECK, evaluation.settings.checks[OVER_CHECK].thresholds)
    rows = []
    for pool in sorted(fleet.pools, key=lambda p: (p.name.casefold(), p.pod, p.id)):
        if pool.kind != "desktop_pool" or pool.type == "RDS" or evidence.pod(pool.pod) is None:
            continue
        usage = evidence.pool(pool)
        machines = evidence.pool_machines(pool) or 0
        if not machines and usage is None:
            continue
        judged = {
            j.check.id: j
            for j in evaluation.of(SubjectKind.POOL, pool_key(pool))
            if j.check.id in (OVER_CHECK, RAN_OUT_CHECK)
        }
        verdict = _verdict(pool, judged)
        peak = evidence.pool_peak(pool) if evidence.pod_gap(pool.pod) is None else None
        spares = pool.spare_machines
        needed = peak.upper + (spares or 0) if peak is not None else None
        surplus = _surplus(pool, machines, needed, over_limits, evaluation, verdict)
        rows.append(
            PoolSizing(
                pod=pool.pod,
                pool=pool.id,
                pool_name=pool.name,
                assignment=pool.user_assignment,
                lever=pool_lever(pool).value,
                machines=machines,
                maximum=pool.max_machines,
                spares=spares,
                logons=usage.logons if usage is not None else 0,
                peak_sessions=peak.lower if peak is not None else None,
                peak_day=peak.day if peak is not None else None,
                peak_is_lower_bound=peak.is_lower_bound if peak is not None else False,
                sessions_now=usage.sessions_now if usage is not None else None,
                needed=needed,
                surplus=surplus,
                verdict=verdict,
                advice=_advice(pool, verdict, surplus),
            )
        )
    return rows


def _surplus(
    pool: DesktopPool,
    machines: int,
    needed: int | None,
    limits: Limits,
    evaluation: Evaluation,
    verdict: str,
) -> int | None:
    """Machines that could go: what pool_over_provisioned found (its margin kept); for a
    dedicated pool, its desktops in the unused list."""
    if pool.user_assignment == "DEDICATED":
        return sum(
            1
            for d in evaluation.fleet.pool_desktops(pool)
            if _unused_judgement(evaluation, d) is not None
        )
    if needed is None or verdict == "unknown":
        return None
    if verdict != "over_provisioned":
        return 0
    return max(machines - needed - margin(limits, pool.max_machines or machines), 0)


def _advice(pool: DesktopPool, verdict: str, surplus: int | None) -> str:
    if verdict == "ran_out":
        return "raise its maximum machines (and spares) if the cluster and licence have room"
    if verdict == "spares_short":
        return "keep more machines ready at peak hours (more spares, or provision up front)"
    if verdict == "over_provisioned" and surplus:
        if pool_lever(pool) is Lever.SIZING:
            return f"{sizing_advice(pool)}: {surplus} machine(s) fewer"
        if pool.type == "MANUAL":
            return f"remove {surplus} machine(s) from the pool"
        return f"lower its maximum machines by {surplus}; its power policy can keep spares off"
    if pool.user_assignment == "DEDICATED" and surplus:
        return f"reclaim or delete its {surplus} unused desktop(s) (see the unused list)"
    if verdict == "unknown":
        return "the usage evidence cannot tell"
    return "none"


def _unused_judgement(evaluation: Evaluation, desktop: Desktop) -> Judgement | None:
    for judgement in evaluation.of(SubjectKind.DESKTOP, desktop.key):
        if judgement.check.id in REASONS and judgement.outcome.status is Status.FAIL:
            return judgement
    return None


def _unused(evaluation: Evaluation, settings: EnergySettings) -> list[UnusedDesktop]:
    fleet = evaluation.fleet
    evidence = usage_evidence(fleet)
    hosts = {(h.vcenter, h.moref): h for h in host_powers(evaluation)}
    rows = []
    for desktop in fleet.desktops:
        judgement = _unused_judgement(evaluation, desktop)
        if judgement is None:
            continue
        machine, vm, pool = desktop.machine, desktop.vm, desktop.pool
        users = list(machine.user_names or machine.user_ids) if machine is not None else []
        logons = evidence.desktop(desktop)
        cpu = evidence.vm_usage(desktop)
        watts = desktop_watts(desktop, hosts, settings) if vm is not None else None
        on = vm is not None and vm.power_state == "poweredOn"
        kwh = watts.watts * HOURS_PER_YEAR / 1000 if watts is not None and on else 0.0
        reason = REASONS[judgement.check.id]
        rows.append(
            UnusedDesktop(
                key=desktop.key,
                name=desktop.name,
                pool=pool.id if pool is not None else None,
                pool_name=pool.name if pool is not None else None,
                reason=reason,
                assigned_users=users,
                last_logon=logons.last_logon if logons is not None else None,
                cpu_p95_percent=cpu.cpu_p95_percent if cpu is not None else None,
                power_state=vm.power_state if vm is not None else None,
                watts=round(watts.watts, 1) if watts is not None else None,
                watts_measured=watts.measured if watts is not None else False,
                kwh_per_year=round(kwh, 1),
                cost_per_year=round(kwh * settings.price_per_kwh, 2),
                remediation=_remediation(reason, pool, users),
            )
        )
    rows.sort(key=lambda r: (-r.cost_per_year, r.name.casefold(), r.key))
    return rows


def _remediation(reason: str, pool: DesktopPool | None, users: list[str]) -> str:
    if reason == "assigned_user_absent":
        who = ", ".join(users)
        return f"unassign {who} and reclaim the desktop for another user, or delete it"
    if pool is not None and pool.type == "MANUAL":
        return "remove it from the pool and delete or reuse its VM"
    return "delete it (or lower the pool's size by one)"


def _licences(evaluation: Evaluation) -> list[LicencePeak]:
    fleet = evaluation.fleet
    evidence = usage_evidence(fleet)
    bought = evaluation.settings.checks[LICENCE_CHECK].thresholds.get("licensed_users")
    licensed = int(bought) if isinstance(bought, int | float) and bought > 0 else None
    rows = []
    for licence in sorted(fleet.snapshot.licenses, key=lambda lic: lic.pod):
        named = (licence.usage_model or licence.edition or "").endswith("NAMED_USER")
        usage = evidence.pod(licence.pod)
        peak = None
        if usage is not None and usage.status == OK:
            per_day: Counter[str] = Counter()
            for pool in usage.pools:
                for day in pool.days:
                    per_day[day.day] += day.peak_sessions or 0
            ordered = all(p.peak_sessions is not None for p in usage.pools)
            peak = max(per_day.values(), default=0) if ordered else None
        rows.append(
            LicencePeak(
                pod=licence.pod,
                pod_name=licence.pod,
                usage_model=licence.usage_model,
                current=licence.current_named_users if named else licence.current_concurrent,
                highest=licence.highest_named_users if named else licence.highest_concurrent,
                peak_sessions_in_window=peak,
                licensed=licensed,
            )
        )
    return rows
