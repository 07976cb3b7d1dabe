"""Capacity checks: can each pool and farm give its users a desktop? Pools disabled or not
provisioning, pools at their maximum or short of spares, unhealthy farms, RDS hosts near their
session limit, and disconnected sessions that hold machines and licences."""

from __future__ import annotations

import math

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
from fleetreport.health.states import StateClass, states_of
from fleetreport.snapshot.model import DesktopPool

INFRASTRUCTURE = Category.INFRASTRUCTURE
HYGIENE = Category.HYGIENE
FARMS_MONITOR = "farms_monitor"
"""Collection key (``HorizonPod.skipped``) of farm health (``/monitor/farms``)."""
AUTOMATED = "AUTOMATED"
"""``DesktopPool.type`` of a pool or farm whose machines Horizon provisions."""
LOG_OFF_AT_ONCE = "IMMEDIATELY"
LOG_OFF_AFTER = "AFTER"
"""``disconnected_session_timeout_policy`` values other than NEVER (2512 spec)."""


def _without_pool_data(pool: DesktopPool, fleet: FleetView) -> Outcome | None:
    """An inferred pool has no Horizon settings: not applicable in a vCenter-only snapshot,
    unknown when a Horizon source failed; None for a Horizon pool or farm."""
    if pool.kind == "inferred":
        return without_horizon(fleet.horizon_failed, "an inferred pool has no Horizon settings")
    return None


def _automated(pool: DesktopPool) -> bool:
    """A pool or farm whose machines Horizon provisions: an AUTOMATED desktop pool, or a farm
    with automated settings (FarmInfo gives ``source`` and ``automated_farm_settings`` only for
    automated farms; the snapshot keeps every farm's type as ``RDS``)."""
    if pool.kind == "farm":
        return pool.source is not None or pool.provisioning_enabled is not None
    return pool.type == AUTOMATED


def _not_automated(pool: DesktopPool) -> str:
    """Why a pool that is not automated is not judged."""
    what = "a manual farm" if pool.kind == "farm" else f"a {pool.type or 'non-automated'} pool"
    return f"Horizon provisions only automated pools and farms (this is {what})"


def _machine_total(pool: DesktopPool, fleet: FleetView) -> tuple[int, str] | None:
    """Machines in the pool: Horizon's count, else the machines the snapshot lists for it."""
    if pool.machine_count is not None:
        return pool.machine_count, "Horizon's count"
    listed = [m for m in fleet.snapshot.machines if m.pod == pool.pod and m.pool_id == pool.id]
    return (len(listed), "machines listed") if listed else None


def _available_unassigned(desktops: list[Desktop]) -> int:
    """Machines ready for a new user now: in a ready state, assigned to nobody, no session."""
    ready = states_of(StateClass.READY)
    return sum(
        1
        for d in desktops
        if d.machine is not None
        and d.machine.state in ready
        and not d.machine.user_names
        and not d.sessions
    )


@check(
    title="Pool disabled",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.POOL,
    rationale="""Users entitled to a disabled pool or farm cannot launch its desktops or
    applications (2512 spec, DesktopPoolInfo and FarmInfo .enabled). A warning, not critical:
    pools are disabled on purpose during changes and before retirement.""",
    remediation="""Enable the pool in Horizon Console if it should serve users; remove it, or
    its entitlements, if it is retired.""",
)
def pool_disabled(pool: DesktopPool, limits: Limits, fleet: FleetView) -> Outcome:
    inferred = _without_pool_data(pool, fleet)
    if inferred is not None:
        return inferred
    what = "farm" if pool.kind == "farm" else "pool"
    if pool.enabled is None:
        return unknown(f"Horizon did not say whether the {what} is enabled")
    if not pool.enabled:
        return failed(f"the {what} is disabled: its users cannot launch it")
    return passed(f"the {what} is enabled")


@check(
    title="Provisioning off",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.POOL,
    rationale="""An automated pool or farm with provisioning off creates no machine: it cannot
    grow, replace deleted instant clones or keep its spares. Off after a provisioning error is
    Horizon's 'stop provisioning on error' at work (the pool's last_provisioning_error is set,
    2512 spec): critical, the pool shrinks as machines are used; off without an error is an
    administrator's choice, a warning.""",
    remediation="""Fix the error shown (capacity, customization, domain join, image) and enable
    provisioning in Horizon Console (pool > Enable Provisioning).""",
)
def pool_provisioning_halted(pool: DesktopPool, limits: Limits, fleet: FleetView) -> Outcome:
    inferred = _without_pool_data(pool, fleet)
    if inferred is not None:
        return inferred
    if not _automated(pool):
        return not_applicable(_not_automated(pool))
    if pool.provisioning_enabled is None:
        return unknown("Horizon did not say whether provisioning is enabled")
    if pool.provisioning_enabled:
        return passed("provisioning is enabled")
    if pool.last_provisioning_error:
        return failed(
            f"provisioning stopped on an error: {pool.last_provisioning_error}", Severity.CRITICAL
        )
    return failed("provisioning is disabled", Severity.WARNING)


@check(
    title="Pool near its maximum",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.POOL,
    rationale="""A pool at its maximum machines cannot give a desktop to one more user.
    Warning from 90% of the maximum (AuthorityGate's Horizon health check default); critical
    at the maximum with no machine ready for a user now (a ready state, no user assigned, no
    session). Automated pools and farms (2512 spec, pattern naming max_number_of_machines and
    max_number_of_servers); a full farm stays a warning, its hosts' sessions are
    rds_host_session_limit's.""",
    remediation="""Raise the pool's maximum number of machines if the cluster and the licence
    have room, or move users to another pool.""",
    thresholds={"warning_percent": 90},
)
def pool_near_maximum(pool: DesktopPool, limits: Limits, fleet: FleetView) -> Outcome:
    inferred = _without_pool_data(pool, fleet)
    if inferred is not None:
        return inferred
    if not _automated(pool):
        return not_applicable(_not_automated(pool))
    maximum = pool.max_machines
    if maximum is None:
        return unknown("Horizon did not report the pool's maximum machines")
    total = _machine_total(pool, fleet)
    if total is None:
        return unknown("Horizon reported no machine count for the pool")
    count, source = total
    if maximum <= 0:
        return unknown(f"the pool's maximum is {maximum}")
    share = 100 * count / maximum
    seen = f"{count} of {maximum} machines ({share:.0f}%, {source})"
    limit = limits.number("warning_percent")
    if count >= maximum and pool.kind == "farm":
        return failed(f"{seen}: no RDS host can be added", Severity.WARNING)
    if count >= maximum:
        free = _available_unassigned(fleet.pool_desktops(pool))
        if free == 0:
            return failed(f"{seen}: at its maximum, none ready for a new user", Severity.CRITICAL)
        return failed(f"{seen}: at its maximum, {free} ready for new users", Severity.WARNING)
    if share >= limit:
        return failed(f"{seen}: warning from {limit:g}%", Severity.WARNING)
    return passed(seen)


@check(
    title="Too few spare machines",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.POOL,
    rationale="""Spare machines are what a user logging on gets at once; with too few, logon
    storms wait for provisioning. The setting is judged against AuthorityGate's Horizon health
    check: at least 5% of the maximum or 2, whichever is more (never more than the maximum);
    below it is a warning. The moment is judged too: fewer machines ready for a user (a ready
    state, unassigned, no session) than the setting, with none being built, while the pool has
    room and provisioning is on, is Horizon not keeping its spares (info: a snapshot shows a
    moment). At the maximum or with provisioning off, that is pool_near_maximum's or
    pool_provisioning_halted's finding.""",
    remediation="""Raise the pool's number of spare (powered-on) machines; if Horizon does not
    keep them, look at the pool's provisioning errors and events.""",
    thresholds={"minimum_spares": 2, "spare_percent": 5},
)
def pool_spares_short(pool: DesktopPool, limits: Limits, fleet: FleetView) -> Outcome:
    inferred = _without_pool_data(pool, fleet)
    if inferred is not None:
        return inferred
    if pool.kind != "desktop_pool" or pool.type != AUTOMATED:
        return not_applicable("only automated desktop pools keep spare machines")
    spares, maximum = pool.spare_machines, pool.max_machines
    if spares is None or maximum is None:
        return unknown("Horizon did not report the pool's spare and maximum machines")
    share = math.ceil(maximum * limits.number("spare_percent") / 100)
    wanted = min(maximum, max(int(limits.number("minimum_spares")), share))
    if spares < wanted:
        return failed(
            f"{spares} spare machine(s) set, below {wanted} (the larger of"
            f" {limits.number('minimum_spares'):g} and {limits.number('spare_percent'):g}% of the"
            f" maximum {maximum})",
            Severity.WARNING,
        )
    desktops = fleet.pool_desktops(pool)
    ready = _available_unassigned(desktops)
    in_progress = states_of(StateClass.IN_PROGRESS)
    building = sum(1 for d in desktops if d.machine is not None and d.machine.state in in_progress)
    total = _machine_total(pool, fleet)
    room = total is not None and total[0] < maximum
    if ready + building < spares and room and pool.provisioning_enabled:
        return failed(
            f"{ready} machine(s) ready for a new user and {building} being built, fewer than"
            f" the {spares} spare(s) set: Horizon is not keeping them",
            Severity.INFO,
        )
    return passed(f"{spares} spare(s) set (at least {wanted}), {ready} ready now")


@check(
    title="Farm unhealthy",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.POOL,
    rationale="""An RDS farm in error serves few or none of its sessions; a published
    application missing on the farm's hosts fails to launch. FarmMonitorInfoV2.status (2512
    spec): ERROR (servers in error beyond the threshold, or a provisioning error) is critical,
    WARNING (servers in warning or error below it) a warning; DISABLED is pool_disabled's
    finding. missing_application_infos (an application not found on the hosts) is a warning.""",
    remediation="""Check the RDS hosts in error (Horizon Console > Farms > RDS Hosts) and install
    the missing applications in the farm's image, or unpublish them.""",
    thresholds={
        "healthy_statuses": ("OK",),
        "critical_statuses": ("ERROR",),
        "warning_statuses": ("WARNING",),
        "disabled_statuses": ("DISABLED",),
    },
)
def farm_unhealthy(pool: DesktopPool, limits: Limits, fleet: FleetView) -> Outcome:
    inferred = _without_pool_data(pool, fleet)
    if inferred is not None:
        return inferred
    if pool.kind != "farm":
        return not_applicable("not an RDS farm")
    status = pool.health
    problems: list[tuple[Severity, str]] = []
    if status is not None and limits.matches("critical_statuses", status):
        problems.append((Severity.CRITICAL, f"farm status is {status}"))
    elif status is not None and limits.matches("warning_statuses", status):
        problems.append((Severity.WARNING, f"farm status is {status}"))
    if pool.missing_applications:
        problems.append(
            (
                Severity.WARNING,
                f"applications missing on its hosts: {', '.join(pool.missing_applications)}",
            )
        )
    if problems:
        worst = min((s for s, _ in problems), key=lambda s: s.rank)
        return failed("; ".join(text for _, text in problems), worst)
    if status is not None and limits.matches("disabled_statuses", status):
        return not_applicable("the farm is disabled (pool_disabled's finding)")
    if status is None:
        skipped = fleet.pods_by_id[pool.pod].skipped if pool.pod in fleet.pods_by_id else {}
        if FARMS_MONITOR in skipped:
            return unknown(f"Horizon did not give farm health: {skipped[FARMS_MONITOR]}")
        return unknown("Horizon did not report the farm's status")
    if not limits.matches("healthy_statuses", status):
        return unknown(f"farm status {status!r} is not one fleetreport knows")
    return passed(f"farm status is {status}")


@check(
    title="RDS host near its session limit",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""An RDS host at its configured session limit takes no more sessions: the farm
    sends users to its other hosts, and when all are full users are refused. Warning from 90%
    of a LIMITED maximum (RDSServerInfoV6.max_sessions_type_configured and
    max_sessions_count_configured against session_count, 2512 spec). Not applicable to desktops,
    and to hosts with no limit (UNLIMITED, UNCONFIGURED).""",
    remediation="""Add RDS hosts to the farm, or raise the farm's maximum sessions per host if
    the hosts have CPU and memory to spare.""",
    thresholds={"warning_percent": 90, "limited_types": ("LIMITED",)},
)
def rds_host_session_limit(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    machine = desktop.machine
    if machine is None:
        return without_horizon(fleet.horizon_failed, "no Horizon machine")
    if machine.kind != "rds_server":
        return not_applicable("not an RDS host")
    kind = machine.max_sessions_type
    if kind is None:
        return unknown("Horizon did not report the host's session limit type")
    if not limits.matches("limited_types", kind):
        return not_applicable(f"the host's session limit is {kind}")
    if machine.max_sessions is None or machine.session_count is None:
        return unknown("Horizon did not report the host's session limit and count")
    if machine.max_sessions <= 0:
        return unknown(f"the host's session limit is {machine.max_sessions}")
    share = 100 * machine.session_count / machine.max_sessions
    seen = f"{machine.session_count} of {machine.max_sessions} sessions ({share:.0f}%)"
    limit = limits.number("warning_percent")
    if share >= limit:
        return failed(f"{seen}: warning from {limit:g}%")
    return passed(seen)


@check(
    title="No logoff of disconnected sessions",
    category=HYGIENE,
    severity=Severity.WARNING,
    subject=SubjectKind.POOL,
    rationale="""A session left disconnected holds its machine (or RDS slot) and a
    concurrent-user licence until someone logs it off. With the policy NEVER (Horizon's
    default, 2512 spec DesktopPoolSessionSettings.disconnected_session_timeout_policy) nothing
    does: a warning. AuthorityGate's Horizon health check recommends logging off after 8 hours:
    AFTER a longer timeout is info.""",
    remediation="""Set 'Log off after disconnect' to After 480 minutes or less in the pool's or
    farm's settings (Horizon Console > pool > Edit > Desktop Pool Settings).""",
    thresholds={"never_policies": ("NEVER",), "longest_minutes": 480},
)
def pool_disconnect_policy(pool: DesktopPool, limits: Limits, fleet: FleetView) -> Outcome:
    inferred = _without_pool_data(pool, fleet)
    if inferred is not None:
        return inferred
    if pool.kind == "desktop_pool" and pool.farm_id is not None:
        return not_applicable("an RDS desktop pool: its farm's policy applies")
    policy = pool.disconnected_session_policy
    if policy is None:
        return unknown("Horizon did not report the disconnected-session policy")
    if limits.matches("never_policies", policy):
        return failed(f"disconnected sessions are never logged off (policy {policy})")
    if policy == LOG_OFF_AT_ONCE:
        return passed("disconnected sessions are logged off at once")
    if policy != LOG_OFF_AFTER:
        return unknown(f"disconnected-session policy {policy!r} is not one fleetreport knows")
    minutes = pool.disconnected_session_timeout_minutes
    if minutes is None:
        return unknown("Horizon did not report the disconnected-session timeout")
    longest = limits.minutes("longest_minutes")
    if minutes * 60 > longest.total_seconds():
        return failed(
            f"disconnected sessions are logged off after {minutes} minutes (longer than"
            f" {describe_limit(longest)})",
            Severity.INFO,
        )
    return passed(f"disconnected sessions are logged off after {minutes} minutes")
