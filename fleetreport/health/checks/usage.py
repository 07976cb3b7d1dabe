"""Usage checks: desktops nobody uses and pools sized beyond, or short of, their peak.

They judge the usage evidence of ``--usage DAYS`` (the pods' audit events, vCenter's
performance history) and lower no score: an unused desktop costs money and a licence, it is
not broken. Without usage evidence they do not apply (nothing was asked, as Horizon checks in a
vCenter-only estate); when it was asked and a source did not give it, they are unknown.

One cause, one finding: a dedicated desktop with assigned users is judged by whether they log on
(``desktop_assigned_user_absent``: unassigning is the remedy), never also as unused; floating
instant clones, RDS hosts and unassigned desktops of dedicated pools are the pool's sizing
(``pool_over_provisioned``, and the spares of ``pool_spares_short``), never desktop findings.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from fleetreport.health.catalogue import Category, Limits, SubjectKind, check
from fleetreport.health.fleet import Desktop, FleetView, describe_limit
from fleetreport.health.results import (
    Outcome,
    Severity,
    failed,
    not_applicable,
    passed,
    unknown,
    without_horizon,
)
from fleetreport.health.states import MACHINE_STATES, StateClass
from fleetreport.health.usage_evidence import (
    NOT_COLLECTED,
    PoolPeak,
    UsageIndex,
    newest,
    usage_evidence,
)
from fleetreport.snapshot.model import DesktopPool, HorizonUsage

USAGE = Category.USAGE
UNUSABLE = (StateClass.PROBLEM, StateClass.ATTENTION)
"""Machine states in which nobody can use the desktop (states.py)."""
DEDICATED = "DEDICATED"
FLOATING = "FLOATING"
INSTANT_CLONE = "INSTANT_CLONE"


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment is not None else "never"


def _window(usage: HorizonUsage, wanted: timedelta) -> Outcome | None:
    """Unknown when the window read is shorter than the check's days."""
    if timedelta(days=usage.days) < wanted:
        return unknown(
            f"the usage window is {usage.days} days, shorter than the {describe_limit(wanted)}"
            " the check needs: run with --usage of at least that many days"
        )
    return None


def _unusable(desktop: Desktop) -> Outcome | None:
    """Unknown for a desktop nobody could use now: absence of logons may be its consequence,
    and its own findings (agent, VM, datastore) come first."""
    vm = desktop.vm
    if vm is not None and vm.connection_state not in (None, "connected"):
        return unknown(
            f"its VM is {vm.connection_state}: its user may have been unable to log on;"
            " fix the VM first"
        )
    machine = desktop.machine
    state = machine.state if machine is not None else None
    if state is not None and MACHINE_STATES.get(state) in UNUSABLE:
        return unknown(
            f"Horizon reports it {state}: its user may have been unable to log on;"
            " fix the desktop first"
        )
    return None


def _pod_usage(evidence: UsageIndex, pod: str) -> tuple[HorizonUsage | None, Outcome | None]:
    """The pod's event reading, or why it cannot be judged (n/a without usage, else unknown)."""
    gap = evidence.pod_gap(pod)
    if gap is None:
        return evidence.pod(pod), None
    if gap == NOT_COLLECTED:
        return None, not_applicable(gap)
    return None, unknown(gap)


@check(
    title="Assigned user absent",
    category=USAGE,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""A dedicated (persistent) desktop whose assigned users have not logged on for
    30 days holds a VM, its storage and a named-user licence for nobody. 30 days is a month:
    the window vCenter's default past-month statistics keep (two-hour samples), so the logons
    and the CPU evidence cover the same month. Judged from the pod's audit events (the agent's
    session logon event per user SID, Horizon Console administration guide, Horizon Agent
    events) against the machine's assigned users' SIDs (its user ids, 2512 spec);
    without SIDs, any logon to the desktop counts. A session open now passes (it may have begun
    before the window). Unknown when the window read is shorter than the days, the pod's
    events were not read, or the desktop cannot be used now (its VM inaccessible or orphaned,
    or Horizon reports a problem, drain or disabled state): then the absence may be the
    breakage's consequence.""",
    remediation="""Ask whether the user still needs it; if not, unassign the user and reclaim the
    desktop for another (or delete it): its licence and its power draw are recovered.""",
    thresholds={"days": 30},
)
def desktop_assigned_user_absent(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    machine = desktop.machine
    if machine is None:
        return without_horizon(fleet.horizon_failed, "no Horizon machine")
    if machine.kind != "machine":
        return not_applicable("not a desktop of a dedicated pool")
    pool = desktop.pool
    if pool is None or pool.user_assignment != DEDICATED:
        assignment = pool.user_assignment if pool is not None else None
        return not_applicable(f"not a dedicated pool ({assignment or 'assignment not reported'})")
    if not machine.user_ids and not machine.user_names:
        return not_applicable("no user is assigned to it")
    evidence = usage_evidence(fleet)
    usage, gap = _pod_usage(evidence, machine.pod)
    if usage is None:
        assert gap is not None
        return gap
    wanted = limits.days("days")
    short = _window(usage, wanted)
    if short is not None:
        return short
    users = ", ".join(machine.user_names or machine.user_ids)
    if desktop.sessions:
        return passed(f"a session is open on it now (assigned to {users})")
    broken = _unusable(desktop)
    if broken is not None:
        return broken
    since = usage.window_end - wanted
    seen: list[datetime | None]
    if machine.user_ids:
        assigned = set(machine.user_ids)
        seen = [u.last_logon for u in evidence.user_logons(desktop) if u.user_id in assigned]
        who = f"its assigned user(s) {users}"
    else:
        logons = evidence.desktop(desktop)
        seen = [logons.last_logon] if logons is not None else []
        who = f"anyone (assigned to {users}; Horizon gave no SIDs)"
    last = newest(seen)
    limit = describe_limit(wanted)
    if last is not None and last >= since:
        return passed(f"last logon by {who} on {_day(last)}")
    when = f" (last logon {_day(last)})" if last is not None else ""
    return failed(f"no logon by {who} in the last {limit}{when}")


@check(
    title="Desktop unused",
    category=USAGE,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""A desktop with no logon and no CPU activity over 30 days (a month: vCenter's
    default past-month statistics) serves nobody: no session logon event of the
    agent (Horizon Agent events) and no sample of vCenter's CPU usage above the
    collector's activity floor (5%, Azure Advisor's low- use rule), or no sample at
    all because it was off throughout. Any logon, a session now, or CPU activity
    passes; with a piece of evidence missing, or a desktop nobody could use now (VM
    inaccessible, a problem state in Horizon), it is unknown. Assigned dedicated
    desktops are desktop_assigned_user_absent's question; floating instant clones
    (recreated at logoff), unassigned desktops of dedicated pools (the pool's
    spares) and RDS hosts are the pool's sizing, not desktop findings.""",
    remediation="""Delete the desktop, or remove it from the pool, if nobody needs it: its VM,
    storage and power draw are recovered.""",
    thresholds={"days": 30},
)
def desktop_unused(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    machine = desktop.machine
    if machine is None:
        return without_horizon(fleet.horizon_failed, "no Horizon machine: no logon evidence")
    if machine.kind == "rds_server":
        return not_applicable("an RDS host: its farm is sized, not its hosts")
    if machine.kind != "machine":
        return not_applicable("an inferred machine has no logon evidence")
    pool = desktop.pool
    if pool is not None and pool.user_assignment == DEDICATED:
        if machine.user_ids or machine.user_names:
            return not_applicable("assigned: desktop_assigned_user_absent judges it")
        return not_applicable("an unassigned desktop of a dedicated pool: one of its spares")
    if pool is not None and pool.source == INSTANT_CLONE:
        return not_applicable("a floating instant clone: pool_over_provisioned sizes its pool")
    evidence = usage_evidence(fleet)
    usage, gap = _pod_usage(evidence, machine.pod)
    if desktop.sessions:
        return passed("a session is open on it now")
    logons = evidence.desktop(desktop) if usage is not None else None
    if logons is not None and logons.logons > 0:
        return passed(f"{logons.logons} logon(s) in the window, the last {_day(logons.last_logon)}")
    cpu_gap = evidence.vm_gap(desktop)
    cpu = evidence.vm_usage(desktop)
    if cpu_gap is None and cpu is not None and (cpu.cpu_active_samples or 0) > 0:
        return passed(
            f"CPU active in {cpu.cpu_active_samples} of {cpu.samples} samples (above"
            f" {cpu.activity_floor_percent or 0:g}%)"
        )
    if usage is None:
        assert gap is not None
        return gap
    short = _window(usage, limits.days("days"))
    if short is not None:
        return short
    broken = _unusable(desktop)
    if broken is not None:
        return broken
    if cpu_gap is not None:
        if cpu_gap == NOT_COLLECTED:
            return not_applicable(cpu_gap)
        return unknown(f"no logon in the window; {cpu_gap}")
    activity = (
        "no CPU sample: off throughout"
        if cpu is None or cpu.samples == 0
        else f"CPU at or under {cpu.activity_floor_percent or 0:g}% in all {cpu.samples} samples"
    )
    return failed(f"no logon in the last {usage.days} days and {activity}")


def _replayed_peak(
    evidence: UsageIndex, pool: DesktopPool
) -> tuple[HorizonUsage, PoolPeak] | Outcome:
    """The pod's event reading and the pool's peak replayed from it, or why there is none."""
    usage, gap = _pod_usage(evidence, pool.pod)
    if usage is None:
        assert gap is not None
        return gap
    peak = evidence.pool_peak(pool)
    if peak is None:
        return unknown("the pod's events were not in time order: the peak cannot be replayed")
    return usage, peak


def _sized_pool(pool: DesktopPool, fleet: FleetView) -> Outcome | None:
    """Not applicable to inferred pools and farms (sessions per host, not machines)."""
    if pool.kind == "inferred":
        return without_horizon(fleet.horizon_failed, "an inferred pool has no Horizon sessions")
    if pool.kind == "farm" or pool.type == "RDS":
        return not_applicable("an RDS farm: sessions share hosts (rds_host_session_limit)")
    return None


def margin(limits: Limits, size: int) -> int:
    """The margin over peak and spares: the larger of ``minimum_margin`` and
    ``margin_percent`` of ``size``."""
    share = math.ceil(size * limits.number("margin_percent") / 100)
    return max(int(limits.number("minimum_margin")), share)


@check(
    title="Pool over-provisioned",
    category=USAGE,
    severity=Severity.INFO,
    subject=SubjectKind.POOL,
    rationale="""A floating pool that keeps more machines than its peak concurrent sessions
    over the window, plus its spare machines, plus a margin, keeps VMs nobody needed. The
    margin is the one AuthorityGate's Horizon health check asks of spares: the larger of 2 and
    5% of the pool's maximum (of its machines without a maximum). The peak comes from the
    pod's audit events (logon to logoff, a disconnected session holding its desktop) and the
    sessions now; sessions opened before the window make it a lower bound, so only a surplus
    beyond them is reported. Info: no user is affected. Dedicated pools are judged by their
    unused desktops instead (desktop_assigned_user_absent).""",
    remediation="""Lower the pool's machines (maximum, minimum and spare machines, or provision
    on demand) by the surplus shown, or delete the surplus machines of a manual pool.""",
    thresholds={"minimum_margin": 2, "margin_percent": 5},
)
def pool_over_provisioned(pool: DesktopPool, limits: Limits, fleet: FleetView) -> Outcome:
    skip = _sized_pool(pool, fleet)
    if skip is not None:
        return skip
    if pool.user_assignment == DEDICATED:
        return not_applicable("a dedicated pool: its unused desktops are the finding")
    evidence = usage_evidence(fleet)
    replayed = _replayed_peak(evidence, pool)
    if isinstance(replayed, Outcome):
        return replayed
    usage, peak = replayed
    machines = evidence.pool_machines(pool)
    if machines is None:
        return unknown("Horizon reported no machine count for the pool")
    spares = pool.spare_machines or 0
    margin_kept = margin(limits, pool.max_machines or machines)
    needed = peak.upper + spares
    surplus = machines - needed - margin_kept
    bound = (
        f" (at least; up to {peak.upper} with the {peak.upper - peak.lower} session(s) opened"
        " before the window)"
        if peak.is_lower_bound
        else ""
    )
    seen = (
        f"peak {peak.lower} session(s){bound} in {usage.days} days, {spares} spare(s) and a"
        f" margin of {margin_kept} against {machines} machine(s)"
    )
    if surplus > 0:
        return failed(f"{seen}: {surplus} machine(s) could go")
    return passed(seen)


@check(
    title="Pool ran out",
    category=USAGE,
    severity=Severity.WARNING,
    subject=SubjectKind.POOL,
    rationale="""At its peak over the window the pool used every machine it could have (its
    maximum, or its machines without one), or left fewer free than its spare machines while
    at its maximum: Horizon provisions spares only up to the maximum
    (pattern_naming_settings.number_of_spare_machines and max_number_of_machines, 2512 spec), so
    the next users waited for a machine or were refused. The peak comes from the pod's audit
    events; a lower-bound peak (sessions opened before the window) can prove it ran out but not
    that it did not. Below its maximum, a peak that leaves fewer machines free than its spares
    (against the machines it has now) is info: Horizon provisions more, but users wait for
    the new machines.""",
    remediation="""Raise the pool's maximum machines (and its spares) if the cluster and the
    licence have room, or move users to another pool.""",
)
def pool_ran_out(pool: DesktopPool, limits: Limits, fleet: FleetView) -> Outcome:
    skip = _sized_pool(pool, fleet)
    if skip is not None:
        return skip
    evidence = usage_evidence(fleet)
    replayed = _replayed_peak(evidence, pool)
    if isinstance(replayed, Outcome):
        return replayed
    _, peak = replayed
    capacity = pool.max_machines
    if capacity is None:
        capacity = evidence.pool_machines(pool)
    if not capacity:
        return unknown("Horizon reported neither the pool's maximum nor its machines")
    what = "maximum" if pool.max_machines is not None else "machines"
    spares = pool.spare_machines or 0
    on_day = f" on {peak.day}" if peak.day else ""
    seen = f"peak {peak.lower} session(s){on_day} of {capacity} ({what})"
    if peak.lower >= capacity:
        return failed(f"{seen}: every machine was in use")
    if spares and pool.max_machines is not None and capacity - peak.lower < spares:
        return failed(f"{seen}: {capacity - peak.lower} free, fewer than its {spares} spare(s)")
    machines = evidence.pool_machines(pool)
    if spares and machines is not None and machines < capacity and machines - peak.lower < spares:
        free = max(machines - peak.lower, 0)
        return failed(
            f"{seen}: against its {machines} machine(s) now, a peak like that leaves {free}"
            f" free, fewer than its {spares} spare(s); it can grow to {capacity}, so the next"
            " users wait for Horizon to provision",
            Severity.INFO,
        )
    if peak.upper >= capacity or (spares and capacity - peak.upper < spares):
        return unknown(
            f"{seen}; with the {peak.upper - peak.lower} session(s) opened before the window it"
            " may have run out"
        )
    return passed(f"{seen}, {capacity - peak.lower} free")
