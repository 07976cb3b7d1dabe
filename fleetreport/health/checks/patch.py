"""Patch checks: is each desktop, its golden image, its agent and its host up to date?"""

from __future__ import annotations

from fleetreport.health.catalogue import Category, Limits, SubjectKind, check
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


@check(
    title="VMware Tools outdated",
    category=PATCH,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""Old VMware Tools miss driver and security fixes, and vCenter reports them as
    needing an upgrade.""",
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
    its channel, and graceful shutdowns and guest patching fail.""",
    remediation="""Check the VMware Tools service in the guest, reinstall Tools if it will not
    start, and fix the golden image if every clone shows it.""",
    thresholds={"running_statuses": ("guestToolsRunning", "guestToolsExecutingScripts")},
)
def vm_tools_not_running(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    if vm.power_state is None:
        return unknown("vCenter did not report the power state")
    if vm.power_state != "poweredOn":
        return not_applicable(f"the VM is {vm.power_state}")
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
    rationale="""Older virtual hardware lacks newer CPU features, security mitigations and
    device support that the rest of the fleet already has.""",
    remediation="""Upgrade the golden image's compatibility (VM > Compatibility > Upgrade) and
    push it; schedule the upgrade for full clones at the next reboot.""",
    thresholds={"minimum_version": 0, "compare_to_newest": True},
)
def vm_hardware_outdated(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    version = hardware_version_number(vm.hardware_version)
    if version is None:
        return unknown(f"hardware version {vm.hardware_version!r} is not known")
    minimum = limits.number("minimum_version")
    if version < minimum:
        return failed(
            f"hardware version {vm.hardware_version} is below the minimum vmx-{minimum:g}",
            Severity.CRITICAL,
        )
    newest = fleet.newest_hardware_version
    if limits.flag("compare_to_newest") and newest is not None and version < newest:
        return failed(
            f"hardware version {vm.hardware_version} is older than the fleet's newest vmx-{newest}"
        )
    return passed(f"hardware version {vm.hardware_version}")


@check(
    title="Not rebooted for a long time",
    category=PATCH,
    severity=Severity.WARNING,
    subject=SubjectKind.DESKTOP,
    rationale="""Windows installs most updates at a reboot: a desktop that has not rebooted
    has not applied this month's patches.""",
    remediation="""Reboot the desktop (or refresh it, for instant clones); consider a pool
    policy of logging off disconnected sessions and refreshing on logoff.""",
    thresholds={"warning_days": 35, "critical_days": 60},
)
def vm_uptime_long(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    if vm.power_state is None:
        return unknown("vCenter did not report the power state")
    if vm.power_state != "poweredOn":
        return not_applicable(f"the VM is {vm.power_state}")
    if vm.boot_time is None:
        return unknown("vCenter did not report the boot time")
    return judge_age(fleet.now - vm.boot_time, limits, lambda age: f"up for {age} without a reboot")


@check(
    title="ESXi build behind its cluster",
    category=PATCH,
    severity=Severity.WARNING,
    subject=SubjectKind.HOST,
    rationale="""Hosts of one cluster should run the same build; an older build misses the
    patches its neighbours have and makes vMotion and HA behave unevenly.""",
    remediation="""Remediate the host with vSphere Lifecycle Manager to the cluster's image.""",
    inherited=True,
)
def host_build_behind(host: Host, limits: Limits, fleet: FleetView) -> Outcome:
    if host.cluster is None:
        return not_applicable("a standalone host has no cluster to compare with")
    build = build_number(host.build)
    if host.version is None or build is None:
        return unknown("vCenter did not report the ESXi version and build")
    newest = fleet.newest_host_build.get((host.vcenter, host.cluster, host.version), build)
    if build < newest:
        return failed(
            f"ESXi {host.version} build {build} is older than build {newest}"
            f" on another host of cluster {host.cluster}"
        )
    return passed(f"ESXi {host.version} build {build}")


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
    rationale="""A VM configured for one guest OS but running another (typically after an
    in-place upgrade) gets the wrong virtual devices and tuning defaults.""",
    remediation="""Power the VM off and set its guest OS to the one it runs; fix the golden
    image first.""",
)
def vm_guest_os_mismatch(desktop: Desktop, limits: Limits, fleet: FleetView) -> Outcome:
    vm = desktop.vm
    if vm is None:
        return unknown("the VM was not found in vCenter")
    if vm.guest_os_running is None:
        if vm.power_state is None:
            return unknown("vCenter did not report the power state or the running guest OS")
        if vm.power_state != "poweredOn":
            return not_applicable("the VM is not running, so its guest OS is not reported")
        return unknown("VMware Tools did not report the running guest OS")
    if vm.guest_os_configured is None:
        return unknown("vCenter did not report the configured guest OS")
    if vm.guest_os_configured.strip().casefold() == vm.guest_os_running.strip().casefold():
        return passed(f"runs {vm.guest_os_running}")
    return failed(f"configured as {vm.guest_os_configured} but runs {vm.guest_os_running}")
