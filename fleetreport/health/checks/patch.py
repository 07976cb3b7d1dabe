"""Patch checks: is each desktop, its golden image, its agent and its host up to date?"""

from __future__ import annotations

from functools import lru_cache

from fleetreport.health.catalogue import Category, Limits, SubjectKind, check
from fleetreport.health.checks.host_down import on_host_down
from fleetreport.health.checks.tiers import judge_age
from fleetreport.health.fleet import (
    Desktop,
    FleetView,
    agent_version_key,
    build_number,
    describe_age,
    describe_limit,
    hardware_version_number,
)
from fleetreport.health.guest_os import compare_guest_types, guest_type
from fleetreport.health.hardware import (
    CONNECTED,
    VTPM_HARDWARE,
    esxi_version_key,
    hosts_of_cluster,
    vm_hardware_limit,
)
from fleetreport.health.results import (
    Outcome,
    Severity,
    failed,
    not_applicable,
    passed,
    unknown,
    without_horizon,
)
from fleetreport.snapshot.model import DesktopPool, Host, Machine

PATCH = Category.PATCH
NON_PERSISTENT_SOURCES = ("INSTANT_CLONE",)
"""Pool and farm sources whose machines Horizon rebuilds from the image: instant clones are
refreshed or deleted at logoff, instant-clone RDS hosts at the farm's maintenance (Horizon
administration guide, instant-clone pools and farms). Full clones, manual pools and manual
farms keep their VM: they are persistent."""
POWERED_ON = "poweredOn"
"""vSphere's ``VirtualMachinePowerState`` of a running VM."""
GUEST_PAIRS_KEPT = 1024
"""Configured and running guest OS pairs whose answer is kept (a fleet runs a few; vSphere
knows a few hundred ids)."""


def _on_unreachable_host(desktop: Desktop) -> Outcome | None:
    """Not applicable when the desktop's host is anything but connected."""
    return on_host_down(desktop, lambda state: state != CONNECTED)


def _not_running(desktop: Desktop) -> Outcome | None:
    """Unknown without a power state; not applicable unless powered on (vCenter's Tools and
    guest data of a VM that does not run is stale or absent)."""
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    if vm.power_state is None:
        return unknown("vCenter did not report the power state")
    if vm.power_state != POWERED_ON:
        return not_applicable(f"the VM is {vm.power_state}")
    return None


def is_non_persistent(desktop: Desktop) -> bool:
    """True for a desktop Horizon rebuilds from its image (an instant clone)."""
    pool = desktop.pool
    return pool is not None and pool.source in NON_PERSISTENT_SOURCES


@check(
    title="VMware Tools outdated",
    category=PATCH,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""Old VMware Tools miss driver and security fixes, and vCenter reports them as
    needing an upgrade. Judged on running VMs only: vCenter's Tools version status of a
    powered-off or suspended VM is stale or absent. Tools not installed is this check's finding
    alone (vm_tools_not_running then does not apply).""",
    remediation="""Upgrade VMware Tools in the golden image and push it; for full clones, set
    'Check and upgrade Tools before each power on' or upgrade from vCenter.""",
    thresholds={
        "warning_statuses": ("guestToolsNeedUpgrade", "guestToolsSupportedOld"),
        "critical_statuses": (
            "guestToolsTooOld",
            "guestToolsBlacklisted",
            "guestToolsNotInstalled",
            "guestToolsTooNew",
        ),
        "current_statuses": ("guestToolsCurrent", "guestToolsUnmanaged", "guestToolsSupportedNew"),
    },
)
def vm_tools_outdated(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    skipped = _on_unreachable_host(desktop) or _not_running(desktop)
    if skipped is not None:
        return skipped
    status = vm.tools_version_status
    if status is None:
        return unknown("vCenter did not report the Tools version status")
    version = f" (version {vm.tools_version})" if vm.tools_version else ""
    if limits.matches("critical_statuses", status):
        return failed(f"VMware Tools status is {status}{version}", Severity.CRITICAL)
    if limits.matches("warning_statuses", status):
        return failed(f"VMware Tools status is {status}{version}", Severity.WARNING)
    if limits.matches("current_statuses", status):
        return passed(f"VMware Tools status is {status}{version}")
    return unknown(f"VMware Tools status {status!r} is not one fleetreport knows")


@check(
    title="VMware Tools not running",
    category=PATCH,
    severity=Severity.CRITICAL,
    subject=SubjectKind.DESKTOP,
    rationale="""Without running Tools, vCenter cannot see the guest, Horizon's agent loses
    its channel, and graceful shutdowns and guest patching fail. Judged on running VMs whose
    Tools are installed: Tools not installed is vm_tools_outdated's one finding.""",
    remediation="""Check the VMware Tools service in the guest, reinstall Tools if it will not
    start, and fix the golden image if every clone shows it.""",
    thresholds={
        "running_statuses": ("guestToolsRunning", "guestToolsExecutingScripts"),
        "not_installed_statuses": ("guestToolsNotInstalled",),
    },
)
def vm_tools_not_running(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    skipped = _on_unreachable_host(desktop) or _not_running(desktop)
    if skipped is not None:
        return skipped
    installed = vm.tools_version_status
    if installed is not None and limits.matches("not_installed_statuses", installed):
        return not_applicable(f"Tools status is {installed}: one finding, from vm_tools_outdated")
    status = vm.tools_running_status
    if status is None:
        return unknown("vCenter did not report whether Tools run")
    if limits.matches("running_statuses", status):
        return passed(f"Tools running status is {status}")
    return failed(f"powered on but Tools running status is {status}")


@check(
    title="Virtual hardware outdated",
    category=PATCH,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""A warning below the baseline desktops need: vmx-14 (vSphere 6.7) is the first
    virtual hardware that can have a virtual TPM (VMware, "vSphere 6.7 - Virtual Trusted Platform
    Modules": hardware version 14, EFI firmware, VM encryption), and Windows 11 requires a TPM
    2.0 (Microsoft, Windows 11 requirements). Above the baseline, a version older than the newest
    the desktop's cluster can run is information: that of its oldest connected host, since the
    VM must run on every host (Broadcom KB 315655, formerly VMware KB 1003746); a standalone
    host bounds itself. Below a user-set minimum_version it is critical.""",
    remediation="""Upgrade the golden image's compatibility (VM > Compatibility > Upgrade) and
    push it; schedule the upgrade for full clones at the next reboot.""",
    thresholds={"minimum_version": 0, "baseline_version": VTPM_HARDWARE, "compare_to_newest": True},
)
def vm_hardware_outdated(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    version = hardware_version_number(vm.hardware_version)
    if version is None:
        return unknown(f"hardware version {vm.hardware_version!r} is not known")
    mine = f"hardware version {vm.hardware_version}"
    minimum = limits.number("minimum_version")
    if version < minimum:
        return failed(f"{mine} is below the minimum vmx-{minimum:g}", Severity.CRITICAL)
    baseline = limits.number("baseline_version")
    if version < baseline:
        why = (
            f": no virtual TPM before vmx-{VTPM_HARDWARE}, and Windows 11 requires a TPM 2.0"
            if version < VTPM_HARDWARE
            else ""
        )
        return failed(f"{mine} is below the baseline vmx-{baseline:g}{why}", Severity.WARNING)
    if not limits.flag("compare_to_newest"):
        return passed(f"{mine}, at or above the baseline vmx-{baseline:g}")
    limit = vm_hardware_limit(fleet, vm, desktop.host)
    place = f"cluster {vm.cluster}" if vm.cluster is not None else "its host"
    if limit is None:
        return unknown(f"no ESXi version that fleetreport can map is known for {place}")
    if version >= limit.highest:
        return passed(f"{mine}; {place} runs up to vmx-{limit.highest}")
    host = limit.bounded_by
    bound = f"{host.name} runs ESXi {host.version}" + (f" build {host.build}" if host.build else "")
    if version < limit.lowest:
        return failed(
            f"{mine} is older than vmx-{limit.lowest}, the newest {place} can run ({bound});"
            f" at or above the baseline vmx-{baseline:g}",
            Severity.INFO,
        )
    return unknown(
        f"{place} runs up to vmx-{limit.lowest} or vmx-{limit.highest}: {bound}, and ESXi"
        " 6.7 tells Update 2 only by its build"
    )


@check(
    title="Non-persistent desktop not refreshed",
    category=PATCH,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""An instant clone is as patched as the image it was last built from; one that
    has not been created, refreshed or powered on for weeks (a session never logged off) misses
    image pushes and keeps whatever it accumulated. Measures the newest of vCenter's
    runtime.bootTime and config.createDate and Horizon's create and last maintenance times, and
    names the one it used; defaults match pool_image_old (a monthly patch cycle plus grace;
    AuthorityGate flags golden images at 30/60 days). Persistent desktops are judged by
    vm_power_cycle_old.""",
    remediation="""Log off the session (or set a logoff policy for disconnected sessions) so that
    Horizon refreshes the clone; recover or delete clones that do not refresh.""",
    thresholds={"warning_days": 35, "critical_days": 60},
)
def vm_uptime_long(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    if desktop.pool is None:
        return without_horizon(
            fleet.horizon_failed, "not known to be non-persistent (see vm_power_cycle_old)"
        )
    if not is_non_persistent(desktop):
        return not_applicable(
            f"a persistent desktop ({desktop.pool.source or 'source not reported'}):"
            " judged by vm_power_cycle_old"
        )
    skipped = _not_running(desktop)
    if skipped is not None:
        return skipped
    vm, machine = desktop.vm, desktop.machine
    assert vm is not None
    events = [
        (vm.boot_time, "powered on"),
        (vm.create_date, "created in vCenter"),
        (machine.create_time if machine else None, "created by Horizon"),
        (machine.last_maintenance_time if machine else None, "refreshed by Horizon"),
    ]
    known = [(when, what) for when, what in events if when is not None]
    if not known:
        return unknown("neither vCenter nor Horizon reported when it was started or refreshed")
    when, what = max(known, key=lambda event: event[0])
    return judge_age(
        fleet.now - when,
        limits,
        lambda age: f"{what} {age} ago (its newest start, creation or refresh)",
    )


@check(
    title="Persistent desktop not power-cycled",
    category=PATCH,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""Measures power-cycle age: the time since the VM was last powered on from off
    (vCenter's runtime.bootTime, which a restart inside the guest does not change), so it cannot
    tell whether Windows rebooted to patch. What it shows is that vSphere-side changes that wait
    for a power cycle (new CPU features and mitigations after host patching, a scheduled
    hardware or Tools upgrade) have not reached the VM. Peer: atc0005/check-vmware's power-cycle
    uptime, 60/90 days; here info past 60 days and warning past 90, never critical.""",
    remediation="""Power the desktop off and on (a shut down, not a restart) in a maintenance
    window, or let Horizon's power policy do it for idle desktops.""",
    thresholds={"info_days": 60, "warning_days": 90},
)
def vm_power_cycle_old(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    if is_non_persistent(desktop):
        return not_applicable("a non-persistent desktop: judged by vm_uptime_long")
    skipped = _not_running(desktop)
    if skipped is not None:
        return skipped
    vm = desktop.vm
    assert vm is not None
    if vm.boot_time is None:
        return unknown("vCenter did not report the boot time")
    age = fleet.now - vm.boot_time
    seen = f"not power-cycled for {describe_age(age)} (a restart inside the guest does not count)"
    for name, severity in (("warning_days", Severity.WARNING), ("info_days", Severity.INFO)):
        limit = limits.days(name)
        if age > limit:
            return failed(f"{seen} ({severity.value} over {describe_limit(limit)})", severity)
    return passed(seen)


@check(
    title="ESXi behind its cluster",
    category=PATCH,
    severity=Severity.WARNING,
    subject=SubjectKind.HOST,
    rationale="""Hosts of one cluster should run the same ESXi version and build; an older one
    misses the patches its neighbours have, bounds the cluster's virtual hardware and makes
    vMotion and HA behave unevenly. Compared by version, then build, with every host of the
    cluster.""",
    remediation="""Remediate the host with vSphere Lifecycle Manager to the cluster's image.""",
    inherited=True,
)
def host_build_behind(host: Host, limits: Limits, fleet: FleetView) -> Outcome:
    if host.cluster is None:
        return not_applicable("a standalone host has no cluster to compare with")
    version = esxi_version_key(host.version)
    if version is None:
        return unknown("vCenter did not report the ESXi version")
    build = build_number(host.build)
    peers = [
        (peer_version, peer_build, peer)
        for peer in hosts_of_cluster(fleet, host)
        if (peer_version := esxi_version_key(peer.version)) is not None
        and (peer_build := build_number(peer.build)) is not None
    ]
    if not peers:
        return unknown("vCenter did not report the ESXi build")
    newest_version, newest_build, newest = max(peers, key=lambda peer: peer[:2])
    mine = f"ESXi {host.version}" + (f" build {build}" if build is not None else "")
    behind = (
        f"{mine} is behind ESXi {newest.version} build {newest_build} on {newest.name},"
        f" another host of cluster {host.cluster}"
    )
    if version < newest_version:
        return failed(behind)
    if build is None:
        return unknown("vCenter did not report the ESXi build")
    if build < newest_build:
        return failed(behind)
    return passed(mine)


@check(
    title="Golden image old",
    category=PATCH,
    severity=Severity.WARNING,
    subject=SubjectKind.POOL,
    rationale="""Every desktop of a pool is as patched as its golden image: an image
    snapshot older than a month misses at least one Patch Tuesday.""",
    remediation="""Patch the golden image, take a new snapshot and push it to the pool
    (instant clones) or recompose / rebuild (full clones).""",
    thresholds={"warning_days": 35, "critical_days": 60},
    inherited=True,
)
def pool_image_old(pool: DesktopPool, limits: Limits, fleet: FleetView) -> Outcome:
    if pool.base_snapshot_id is None and pool.base_snapshot_path is None:
        return not_applicable("the pool has no golden image snapshot")
    if pool.golden_image_created is None:
        return unknown("the golden image snapshot was not found in vCenter")
    image = pool.base_snapshot_path or pool.base_snapshot_id
    return judge_age(
        fleet.now - pool.golden_image_created,
        limits,
        lambda age: f"golden image {image} is {age} old",
    )


@check(
    title="Desktop not on the pool's image",
    category=PATCH,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""A desktop built from an older snapshot than its pool's current image lacks
    whatever the newer image fixed.""",
    remediation="""Finish or retry the image push; refresh or recompose the desktops that
    stayed behind, and check them for stuck sessions or errors.""",
)
def machine_image_drift(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    machine, pool = desktop.machine, desktop.pool
    if machine is None or pool is None:
        return without_horizon(fleet.horizon_failed, "not a Horizon machine of a pool")
    if pool.base_snapshot_id is None:
        return not_applicable("the pool has no golden image snapshot")
    if machine.base_snapshot_id is None:
        return unknown("Horizon did not report the machine's image")
    if machine.base_snapshot_id == pool.base_snapshot_id:
        return passed("on the pool's current image")
    current = pool.base_snapshot_path or pool.base_snapshot_id
    pending = (
        " (a push to that image is pending)"
        if machine.pending_base_snapshot_id == pool.base_snapshot_id
        else ""
    )
    return failed(
        f"built from snapshot {machine.base_snapshot_id}, not the pool's image {current}{pending}"
    )


@check(
    title="Image push or provisioning failed",
    category=PATCH,
    severity=Severity.CRITICAL,
    subject=SubjectKind.POOL,
    rationale="""A failed image push leaves the pool on its old image; a recent provisioning
    error means new desktops may not be created when users need them.""",
    remediation="""Read the error in Horizon Console (pool > Summary / Events), fix its cause
    (capacity, customization, domain join) and retry the push.""",
    thresholds={"failed_states": ("FAILED",), "recent_error_days": 7},
)
def pool_image_push_failed(pool: DesktopPool, limits: Limits, fleet: FleetView) -> Outcome:
    state = pool.pending_image_state
    if state is not None and limits.matches("failed_states", state):
        reason = f": {pool.pending_image_error}" if pool.pending_image_error else ""
        return failed(f"image push is {state}{reason}", Severity.CRITICAL)
    recent = limits.days("recent_error_days")
    when = pool.last_provisioning_error_time
    if pool.last_provisioning_error and when is not None and fleet.now - when <= recent:
        return failed(
            f"provisioning error {describe_age(fleet.now - when)} ago"
            f" (within {describe_limit(recent)}): {pool.last_provisioning_error}",
            Severity.WARNING,
        )
    if pool.kind == "inferred":
        return not_applicable("an inferred pool has no Horizon provisioning")
    if pool.last_provisioning_error and when is None:
        return unknown("Horizon reported a provisioning error but not when it happened")
    return passed("no failed push or recent provisioning error")


@check(
    title="Horizon agent outdated",
    category=PATCH,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""An agent older than the pod's newest misses its fixes and may be blocked
    when the Connection Servers are upgraded.""",
    remediation="""Upgrade the Horizon Agent in the golden image and push it; upgrade it in
    place on full clones and RDS hosts.""",
)
def machine_agent_outdated(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    machine = desktop.machine
    if machine is None:
        return without_horizon(fleet.horizon_failed, "no Horizon machine")
    if machine.kind == "inferred":
        return not_applicable("an inferred machine has no Horizon agent data")
    if not machine.agent_version:
        return unknown("Horizon did not report the agent version")
    newest = fleet.newest_agent.get(machine.pod)
    mine = agent_version_key(machine.agent_version, machine.agent_build)
    if newest is not None and mine < newest[0]:
        newest_machine = newest[1]
        same_version = agent_version_key(machine.agent_version) == agent_version_key(
            newest_machine.agent_version or ""
        )
        return failed(
            f"Horizon agent {_agent(machine, same_version)} is older than"
            f" {_agent(newest_machine, same_version)}, the newest in the pod"
        )
    return passed(f"Horizon agent {machine.agent_version}")


def _agent(machine: Machine, with_build: bool) -> str:
    """An agent version, with its build when versions alone do not tell two agents apart."""
    build = f" build {machine.agent_build}" if with_build and machine.agent_build else ""
    return f"{machine.agent_version}{build}"


@check(
    title="Guest OS differs from configuration",
    category=PATCH,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""Compares the configured guest OS id (config.guestId) with the one VMware Tools
    reports running (guest.guestId), by vSphere's guest OS identifiers
    (VirtualMachineGuestOsIdentifier, vSphere API reference), never by display name: names
    differ between vSphere versions for one id and never match a range type's member. The type
    decides the virtual devices, tuning defaults and security devices vSphere gives the VM (a
    Windows 11 type comes with EFI and a vTPM), so only what changes those fails: another OS
    family, another bitness, or a running Windows newer than its type. Range, "or later" and
    generic types (CentOS 4/5/6/7, Other 3.x or later Linux) cover their members; Linux, BSD
    and macOS versions are not compared.""",
    remediation="""Power the VM off and set its guest OS to the one it runs; fix the golden
    image first.""",
)
def vm_guest_os_mismatch(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    if vm.guest_id_running is None:
        skipped = _not_running(desktop)
        return skipped or unknown("VMware Tools did not report the running guest OS id")
    if vm.guest_id is None:
        return unknown("vCenter did not report the configured guest OS id")
    return _guest_outcome(
        vm.guest_id, vm.guest_os_configured, vm.guest_id_running, vm.guest_os_running
    )


@lru_cache(maxsize=GUEST_PAIRS_KEPT)
def _guest_outcome(
    guest_id: str, configured_name: str | None, running_id: str, running_name: str | None
) -> Outcome:
    """``vm_guest_os_mismatch``'s answer for a configured and a running guest OS, id and name
    (a function of those four texts alone, kept for the few pairs a fleet has)."""
    both = (
        f"configured {_guest(guest_id, configured_name)},"
        f" running {_guest(running_id, running_name)}"
    )
    configured, running = guest_type(guest_id), guest_type(running_id)
    if configured is None or running is None:
        strange = guest_id if configured is None else running_id
        return unknown(f"guest OS id {strange!r} is not one fleetreport knows ({both})")
    comparison = compare_guest_types(configured, running)
    if comparison.differs is None:
        return unknown(f"{comparison.reason} ({both})")
    if comparison.differs:
        return failed(f"{comparison.reason}: {both}")
    return passed(f"{both} ({comparison.reason})")


def _guest(guest_id: str, display_name: str | None) -> str:
    """A guest OS id with its display name, when vCenter reported one."""
    return f"{guest_id} ({display_name})" if display_name else guest_id
