"""Power checks: does each desktop's power state agree with Horizon, vCenter and its pool?"""

from __future__ import annotations

from datetime import datetime

from fleetreport.health.catalogue import Category, Limits, SubjectKind, check
from fleetreport.health.checks.host_down import on_host_down
from fleetreport.health.fleet import Desktop, FleetView, describe_age, describe_limit
from fleetreport.health.idle import (
    Idleness,
    idle_longer_than,
    long_idle_spare_candidates,
    pool_idleness,
)
from fleetreport.health.pool_power import Lever, pool_lever, power_policy_exemption, sizing_advice
from fleetreport.health.results import (
    Outcome,
    Severity,
    failed,
    not_applicable,
    passed,
    unknown,
    without_horizon,
)
from fleetreport.health.states import (
    MAINTENANCE_STATES,
    PROVISIONING_STATES,
    SessionClass,
    StateClass,
    sessions_of,
    states_of,
)
from fleetreport.snapshot.model import Machine

POWER = Category.POWER

HOST_DOWN_STATES = ("disconnected", "notResponding")
"""vSphere ``HostSystemConnectionState`` values of a host vCenter cannot manage."""
VM_LOST_STATES = ("orphaned", "inaccessible", "invalid")
"""vSphere ``VirtualMachineConnectionState`` values of a VM whose files vCenter cannot reach."""


def host_down(desktop: Desktop, limits: Limits) -> Outcome | None:
    """Not applicable when the desktop's host is in one of the check's ``host_down_states``."""
    return on_host_down(desktop, lambda state: limits.matches("host_down_states", state))


@check(
    title="Machine in a problem state",
    category=POWER,
    severity=Severity.CRITICAL,
    subject=SubjectKind.DESKTOP,
    rationale="""Horizon cannot give a desktop in a problem state to a user; every such
    desktop is capacity the pool does not have. States are classed as Horizon's own count
    metrics class them (/monitor/v2/machines/count-metrics: problem, under construction,
    prepared); drained or disabled machines are a warning. Machines still being provisioned,
    customised or maintained are in progress, not failed, unless they stay so for longer than
    a day after Horizon created or last maintained them: Horizon publishes no timeout, its
    guide says clones are created fast and internal clean-up takes up to 30 minutes, so a day
    in one of those states is stuck, not slow (a deliberately generous default). Start-up
    states are not timed: vSphere's boot time misses guest restarts, so how long a start-up
    has lasted cannot be told.""",
    remediation="""Open the machine in Horizon Console: restart the agent or the VM, check
    its domain membership, protocol and agent version, or delete and re-provision it; end
    the blocking session of an ALREADY_USED machine.""",
    thresholds={
        "critical_states": states_of(StateClass.PROBLEM),
        "warning_states": states_of(StateClass.ATTENTION),
        "in_progress_states": states_of(StateClass.IN_PROGRESS),
        "healthy_states": states_of(StateClass.READY) + states_of(StateClass.IN_USE),
        "provisioning_states": PROVISIONING_STATES,
        "provisioning_hours": 24,
        "maintenance_states": MAINTENANCE_STATES,
        "maintenance_hours": 24,
        "host_down_states": HOST_DOWN_STATES,
        "vm_lost_states": VM_LOST_STATES,
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
    what = "RDS host" if machine.kind == "rds_server" else "machine"
    if limits.matches("healthy_states", state):
        return passed(f"Horizon {what} state is {state}")
    down = host_down(desktop, limits)
    if down is not None:
        return down
    vm = desktop.vm
    if vm is not None and (
        vm.config_unset or limits.matches("vm_lost_states", vm.connection_state or "")
    ):
        return not_applicable(
            f"Horizon {what} state is {state}, but its VM is inaccessible: vm_orphaned's"
            " finding, not a second one"
        )
    if limits.matches("critical_states", state):
        return failed(f"Horizon {what} state is {state}", Severity.CRITICAL)
    if limits.matches("warning_states", state):
        return failed(f"Horizon {what} state is {state}", Severity.WARNING)
    if limits.matches("in_progress_states", state):
        return _in_progress(machine, f"Horizon {what} state is {state}", limits, fleet.now)
    return unknown(
        f"Horizon {what} state {state!r} is not one the Horizon API (2111 to 2512) defines:"
        " fleetreport cannot judge it"
    )


def _in_progress(machine: Machine, seen: str, limits: Limits, now: datetime) -> Outcome:
    """In progress: a pass, unless it has lasted past its threshold since it can be dated."""
    state = machine.state or ""
    if limits.matches("provisioning_states", state):
        known = [t for t in (machine.create_time, machine.last_maintenance_time) if t]
        start, since = max(known, default=None), "Horizon created or last rebuilt it"
        limit = limits.hours("provisioning_hours")
    elif limits.matches("maintenance_states", state):
        start, since = machine.last_maintenance_time, "its last maintenance operation"
        limit = limits.hours("maintenance_hours")
    else:
        return passed(f"in progress: {seen}")
    if start is None:
        return passed(f"in progress: {seen} (the data does not tell since when)")
    age = now - start
    if age > limit:
        return failed(
            f"{seen} {describe_age(age)} after {since}, over {describe_limit(limit)}: stuck",
            Severity.WARNING,
        )
    return passed(f"in progress: {seen}, {describe_age(age)} after {since}")


@check(
    title="Power state against the pool's power policy",
    category=POWER,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""An always-on pool with desktops off makes users wait for a boot; a pool
    that powers desktops off but leaves them on wastes energy and host capacity. Horizon
    acts at logoff and never on spare machines (2512 spec, session_settings.power_policy), so
    desktops held by a disconnected session and spares up to the configured number pass. The
    policy does not apply to instant clones (always powered on), RDS farms, or unmanaged
    machines.""",
    remediation="""Check the pool's power policy and the machine's tasks in vCenter; power
    the desktop on or off from Horizon Console, and look for agents that never report
    logoff.""",
    thresholds={
        "always_on_policies": ("ALWAYS_POWERED_ON",),
        "power_saving_policies": ("POWER_OFF", "SUSPEND"),
        "no_action_policies": ("TAKE_NO_POWER_ACTION",),
        "grace_minutes": 60,
        "allow_spare_machines": True,
        "host_down_states": HOST_DOWN_STATES,
    },
)
def vm_power_policy_mismatch(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm, pool = desktop.vm, desktop.pool
    if pool is None:
        return without_horizon(fleet.horizon_failed, "not in a Horizon pool")
    if pool.kind == "inferred":
        return not_applicable("an inferred pool has no power policy")
    exemption = power_policy_exemption(pool)
    if exemption is not None:
        return not_applicable(exemption)
    if vm is None:
        return unknown("the VM was not found in vCenter")
    down = host_down(desktop, limits)
    if down is not None:
        return down
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
    idle = pool_idleness(fleet, pool)
    mine = idle.idle.get(desktop.key)
    if mine is None:
        return passed(f"VM is {vm.power_state}, policy {policy}")
    if mine.held:
        return passed(f"a disconnected session holds it: policy {policy} acts at logoff")
    if mine.since is None:
        return unknown("powered on with no session, but the data does not tell since when")
    grace = limits.minutes("grace_minutes")
    long_idle = idle_longer_than(fleet, pool, grace)
    if desktop.key not in long_idle:
        return passed(f"idle for under {describe_limit(grace)}, policy {policy}")
    spares = pool.spare_machines or 0
    candidates = long_idle_spare_candidates(fleet, pool, grace)
    if (
        limits.flag("allow_spare_machines")
        and desktop.key in candidates
        and len(candidates) <= spares
    ):
        return passed(
            f"powered on with no session, one of the {spares} spare desktops the pool keeps"
        )
    return failed(
        f"powered on with no session for over {describe_limit(grace)} ({_since(mine, fleet)})"
        f" although the pool's power policy is {policy} ({len(long_idle)} such desktops in the"
        f" pool, {spares} spare)"
    )


def _since(idle: Idleness, fleet: FleetView) -> str:
    if idle.since is None:
        return f"since {idle.measured_from}, time not known"
    return f"{describe_age(fleet.now - idle.since)} since {idle.measured_from}"


@check(
    title="VM orphaned or inaccessible",
    category=POWER,
    severity=Severity.CRITICAL,
    subject=SubjectKind.DESKTOP,
    rationale="""vCenter cannot reach the VM's files or configuration (connection state
    orphaned, inaccessible or invalid, or no config at all): the desktop cannot be powered
    on, and Horizon will keep offering a machine that does not work. A VM whose host is
    disconnected or not responding is the host's finding (host_not_connected), and one whose
    datastore is inaccessible is the datastore's (datastore_inaccessible): one cause, one
    finding.""",
    remediation="""Reconnect the datastore; remove orphaned VMs from the inventory and let
    Horizon re-provision, or re-register the VM from its datastore.""",
    thresholds={
        "bad_states": VM_LOST_STATES,
        "host_side_states": ("disconnected",),
        "host_down_states": HOST_DOWN_STATES,
    },
)
def vm_orphaned(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    down = host_down(desktop, limits)
    if down is not None:
        return down
    state = vm.connection_state
    lost = (state is not None and limits.matches("bad_states", state)) or vm.config_unset
    stores = fleet.inaccessible_datastores(vm) if lost else []
    if stores:
        names = ", ".join(sorted(store.name for store in stores))
        return not_applicable(
            f"its datastore {names} is inaccessible: the datastore's finding, not the VM's"
        )
    if state is not None and limits.matches("bad_states", state):
        return failed(f"VM is inaccessible: vCenter connection state is {state}")
    if vm.config_unset:
        return failed(f"VM is inaccessible: vCenter returned no configuration for {vm.name}")
    if state is None:
        return unknown("vCenter did not report the connection state")
    if limits.matches("host_side_states", state):
        where = f"its host {vm.host}" if vm.host else "its host"
        return unknown(f"vCenter is not connected to {where}: the host's finding, not the VM's")
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
    clock, stale Kerberos tickets and a stale patch level. In a pool whose power policy is
    SUSPEND, suspension is what the pool was told to do.""",
    remediation="""Resume and reboot the desktop, or power it off; prefer a POWER_OFF policy
    to SUSPEND for pools that must stay patched.""",
    thresholds={"suspend_policies": ("SUSPEND",), "host_down_states": HOST_DOWN_STATES},
)
def vm_suspended(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    down = host_down(desktop, limits)
    if down is not None:
        return down
    if vm.power_state is None:
        return unknown("vCenter did not report the power state")
    if vm.power_state != "suspended":
        return passed(f"the VM is {vm.power_state}")
    policy = desktop.pool.power_policy if desktop.pool is not None else None
    if policy is not None and limits.matches("suspend_policies", policy):
        return passed(f"the VM is suspended, as its pool's power policy {policy} says")
    return failed("the VM is suspended")


@check(
    title="Idle desktop powered on",
    category=POWER,
    severity=Severity.INFO,
    subject=SubjectKind.DESKTOP,
    rationale="""A powered-on desktop with no session in use draws power and holds host
    memory; idle desktops are what the energy estimate counts. Idle since the last
    disconnect, else the last refresh (instant clones), else power-on. Spare machines up to
    the pool's configured number are kept on by design and pass (2512 spec,
    number_of_spare_machines, num_unassigned_machines_kept_powered_on).""",
    remediation="""Where the pool takes a power policy, use POWER_OFF or SUSPEND; for
    instant-clone pools and RDS farms, size spares, minimum machines and on-demand
    provisioning to real demand; log off long-disconnected sessions.""",
    thresholds={"allow_spare_machines": True, "host_down_states": HOST_DOWN_STATES},
)
def vm_idle_powered_on(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm, pool = desktop.vm, desktop.pool
    if pool is None:
        return without_horizon(fleet.horizon_failed, "not in a pool")
    if pool.kind == "inferred" or (
        desktop.machine is not None and desktop.machine.kind == "inferred"
    ):
        return not_applicable("an inferred pool has no session data to tell idle from busy")
    if vm is None:
        return unknown("the VM was not found in vCenter")
    down = host_down(desktop, limits)
    if down is not None:
        return down
    if vm.power_state is None:
        return unknown("vCenter did not report the power state")
    idle = pool_idleness(fleet, pool)
    mine = idle.idle.get(desktop.key)
    if mine is None:
        sessions = f", {len(desktop.sessions)} session(s)" if desktop.sessions else ""
        return passed(f"the VM is {vm.power_state}{sessions}")
    spares = pool.spare_machines or 0
    candidates = idle.spare_candidates
    if (
        limits.flag("allow_spare_machines")
        and desktop.key in candidates
        and len(candidates) <= spares
    ):
        return passed(f"one of the {spares} spare desktops the pool keeps powered on")
    held = ", held by a disconnected session" if mine.held else ""
    lever = (
        f"; {power_policy_exemption(pool)}: {sizing_advice(pool)}"
        if pool_lever(pool) is Lever.SIZING
        else ""
    )
    return failed(f"powered on with no session in use{held} ({_since(mine, fleet)}){lever}")


@check(
    title="Session disconnected for long",
    category=POWER,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""A long-disconnected session holds a desktop (and its licence) that nobody
    uses, and stops the desktop from refreshing or rebooting for patches.""",
    remediation="""Set the pool's 'Log off after disconnect' to a few hours; log off the
    session from Horizon Console.""",
    thresholds={"disconnected_states": sessions_of(SessionClass.DISCONNECTED), "hours": 8},
)
def session_disconnected_long(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    if desktop.machine is None:
        return without_horizon(fleet.horizon_failed, "no Horizon machine")
    if desktop.machine.kind == "inferred":
        return not_applicable("an inferred machine has no Horizon sessions")
    limit = limits.hours("hours")
    if not desktop.sessions:
        return passed(f"0 disconnected session(s), none over {describe_limit(limit)}")
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
