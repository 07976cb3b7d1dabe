"""Power checks: does each desktop's power state agree with Horizon, vCenter and its pool?"""

from __future__ import annotations

from fleetreport.health.catalogue import Category, Limits, SubjectKind, check
from fleetreport.health.fleet import Desktop, FleetView, describe_age, describe_limit
from fleetreport.health.results import (
    Outcome,
    Severity,
    failed,
    not_applicable,
    passed,
    unknown,
    without_horizon,
)

POWER = Category.POWER


@check(
    title="Machine in a problem state",
    category=POWER,
    severity=Severity.CRITICAL,
    subject=SubjectKind.DESKTOP,
    rationale="""Horizon cannot give a desktop in an error state to a user; every such
    desktop is capacity the pool does not have.""",
    remediation="""Open the machine in Horizon Console: restart the agent or the VM, check
    its domain membership, protocol and agent version, or delete and re-provision it.""",
    thresholds={
        "critical_states": (
            "AGENT_UNREACHABLE",
            "ERROR",
            "PROVISIONING_ERROR",
            "AGENT_ERROR_*",
            "AGENT_CONFIG_ERROR",
            "BLOCKED_AGENT_VERSION",
            "UNKNOWN",
            "UNASSIGNED_USER_*",
        ),
        "warning_states": ("MAINTENANCE", "AGENT_DRAIN_*"),
        "healthy_states": (
            "AVAILABLE",
            "CONNECTED",
            "DISCONNECTED",
            "PROVISIONED",
            "PROVISIONING",
            "CUSTOMIZING",
            "DELETING",
            "IN_PROGRESS",
            "VALIDATING",
            "WAITING_FOR_AGENT",
            "ALREADY_USED",
            "DISABLED",
            "DISABLE_IN_PROGRESS",
        ),
    },
)
def machine_problem_state(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    machine = desktop.machine
    if machine is None:
        return without_horizon(fleet.horizon_failed, "no Horizon machine")
    if machine.kind == "inferred":
        return not_applicable("an inferred machine has no Horizon state")
    state = machine.state
    if state is None:
        return unknown("Horizon did not report the machine state")
    if limits.matches("critical_states", state):
        return failed(f"Horizon machine state is {state}", Severity.CRITICAL)
    if limits.matches("warning_states", state):
        return failed(f"Horizon machine state is {state}", Severity.WARNING)
    if limits.matches("healthy_states", state):
        return passed(f"Horizon machine state is {state}")
    return unknown(f"Horizon machine state {state!r} is not one fleetreport knows")


@check(
    title="Power state against the pool's power policy",
    category=POWER,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""An always-on pool with desktops off makes users wait for a boot; a pool
    that powers desktops off but leaves them on wastes energy and host capacity.""",
    remediation="""Check the pool's power policy and the machine's tasks in vCenter; power
    the desktop on or off from Horizon Console, and look for agents that never report
    logoff.""",
    thresholds={
        "always_on_policies": ("ALWAYS_POWERED_ON",),
        "power_saving_policies": ("POWER_OFF", "SUSPEND"),
        "no_action_policies": ("TAKE_NO_POWER_ACTION",),
        "grace_minutes": 60,
        "allow_spare_machines": True,
    },
)
def vm_power_policy_mismatch(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm, pool = desktop.vm, desktop.pool
    if pool is None:
        return without_horizon(fleet.horizon_failed, "not in a Horizon pool")
    if pool.kind == "inferred":
        return not_applicable("an inferred pool has no power policy")
    if vm is None:
        return unknown("the VM was not found in vCenter")
    policy = pool.power_policy
    if policy is None:
        return unknown("Horizon did not report the pool's power policy")
    if vm.power_state is None:
        return unknown("vCenter did not report the power state")
    if limits.matches("always_on_policies", policy):
        if vm.power_state in ("poweredOff", "suspended"):
            return failed(f"VM is {vm.power_state} but the pool's power policy is {policy}")
        return passed(f"VM is {vm.power_state}, policy {policy}")
    if limits.matches("no_action_policies", policy):
        return passed(f"policy {policy} takes no power action")
    if not limits.matches("power_saving_policies", policy):
        return unknown(f"power policy {policy!r} is not one fleetreport knows")
    grace = limits.minutes("grace_minutes")
    if vm.power_state == "poweredOn" and not desktop.sessions and vm.boot_time is None:
        return unknown("powered on with no session, but vCenter did not report since when")
    idle = fleet.idle_powered_on(pool, grace)
    if desktop.key not in idle:
        return passed(f"VM is {vm.power_state}, policy {policy}")
    spares = pool.spare_machines or 0
    if limits.flag("allow_spare_machines") and len(idle) <= spares:
        return passed(
            f"powered on with no session, one of the {spares} spare desktops the pool keeps"
        )
    return failed(
        f"powered on with no session for over {describe_limit(grace)} although the pool's"
        f" power policy is {policy} ({len(idle)} such desktops in the pool, {spares} spare)"
    )


@check(
    title="VM orphaned or inaccessible",
    category=POWER,
    severity=Severity.CRITICAL,
    subject=SubjectKind.DESKTOP,
    rationale="""vCenter has lost the VM's files or its host: the desktop cannot be powered
    on, and Horizon will keep offering a machine that does not work.""",
    remediation="""Reconnect the host or datastore; remove orphaned VMs from the inventory
    and let Horizon re-provision, or re-register the VM from its datastore.""",
    thresholds={"bad_states": ("orphaned", "inaccessible", "invalid", "disconnected")},
)
def vm_orphaned(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    state = vm.connection_state
    if state is None:
        return unknown("vCenter did not report the connection state")
    if limits.matches("bad_states", state):
        return failed(f"vCenter connection state is {state}")
    return passed(f"vCenter connection state is {state}")


@check(
    title="Machine missing in vCenter",
    category=POWER,
    severity=Severity.CRITICAL,
    subject=SubjectKind.DESKTOP,
    rationale="""Horizon still lists a desktop whose VM is gone from vCenter: users can be
    sent to a machine that does not exist.""",
    remediation="""Remove the machine from the pool in Horizon Console (or let Horizon
    delete it) and find out who deleted the VM outside Horizon.""",
)
def machine_missing_in_vcenter(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    machine = desktop.machine
    if machine is None:
        return without_horizon(fleet.horizon_failed, "no Horizon machine")
    if machine.kind == "inferred":
        return not_applicable("an inferred machine is found in vCenter by definition")
    if machine.missing_in_vcenter:
        return failed("Horizon reports the machine's VM missing in vCenter")
    if desktop.vm is not None:
        return passed(f"VM {desktop.vm.moref} found")
    if machine.vcenter_id is None:
        return not_applicable("Horizon manages no VM for this machine (unmanaged or physical)")
    vcenter = fleet.horizon_vcenter_uuids.get((machine.pod, machine.vcenter_id))
    if vcenter is not None and vcenter in fleet.collected_vcenters:
        where = machine.vm_moid or machine.vm_path or machine.name
        return failed(f"VM {where} was not found in its vCenter")
    return unknown("the machine's vCenter was not collected")


@check(
    title="VM suspended",
    category=POWER,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""A suspended desktop keeps its memory on disk and resumes with a stale
    clock, stale Kerberos tickets and a stale patch level.""",
    remediation="""Resume and reboot the desktop, or power it off; prefer a POWER_OFF policy
    to SUSPEND for pools that must stay patched.""",
)
def vm_suspended(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    if vm.power_state is None:
        return unknown("vCenter did not report the power state")
    if vm.power_state == "suspended":
        return failed("the VM is suspended")
    return passed(f"the VM is {vm.power_state}")


@check(
    title="Idle desktop powered on",
    category=POWER,
    severity=Severity.INFO,
    subject=SubjectKind.DESKTOP,
    rationale="""A powered-on desktop with no session draws power and holds host memory;
    idle desktops are what the energy estimate counts.""",
    remediation="""Use a POWER_OFF or SUSPEND pool power policy outside working hours, and
    size spare desktops to real demand.""",
)
def vm_idle_powered_on(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if desktop.pool is None:
        return without_horizon(fleet.horizon_failed, "not in a pool")
    if desktop.machine is not None and desktop.machine.kind == "inferred":
        return not_applicable("an inferred pool has no session data to tell idle from busy")
    if vm is None:
        return unknown("the VM was not found in vCenter")
    if vm.power_state is None:
        return unknown("vCenter did not report the power state")
    if vm.power_state == "poweredOn" and not desktop.sessions:
        return failed("powered on with no session")
    sessions = f", {len(desktop.sessions)} session(s)" if desktop.sessions else ""
    return passed(f"the VM is {vm.power_state}{sessions}")


@check(
    title="Session disconnected for long",
    category=POWER,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""A long-disconnected session holds a desktop (and its licence) that nobody
    uses, and stops the desktop from refreshing or rebooting for patches.""",
    remediation="""Set the pool's 'Log off after disconnect' to a few hours; log off the
    session from Horizon Console.""",
    thresholds={"disconnected_states": ("DISCONNECTED",), "hours": 8},
)
def session_disconnected_long(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    if desktop.machine is None:
        return without_horizon(fleet.horizon_failed, "no Horizon machine")
    if desktop.machine.kind == "inferred":
        return not_applicable("an inferred machine has no Horizon sessions")
    limit = limits.hours("hours")
    disconnected = [
        s for s in desktop.sessions if s.state and limits.matches("disconnected_states", s.state)
    ]
    undated = [s for s in disconnected if s.disconnected_time is None]
    long_ones = sorted(
        (fleet.now - s.disconnected_time, s.user_name or "an unknown user")
        for s in disconnected
        if s.disconnected_time is not None and fleet.now - s.disconnected_time > limit
    )
    if long_ones:
        longest, user = long_ones[-1]
        count = f"{len(long_ones)} sessions" if len(long_ones) > 1 else "the session"
        return failed(
            f"{count} disconnected for over {describe_limit(limit)}; {user}'s for"
            f" {describe_age(longest)}"
        )
    if undated:
        return unknown("Horizon did not report when the session was disconnected")
    return passed(f"{len(disconnected)} disconnected session(s), none over {describe_limit(limit)}")
