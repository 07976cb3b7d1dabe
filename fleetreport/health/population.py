"""Which VMs are desktops, by which rule, and which VMs were left out and why.

The desktops are, in order of the evidence behind them:

1. **Horizon**: the machines and RDS hosts of every pod that answered (joined to their VMs).
2. **Previous run**: for a pod that was asked and did not answer, the desktops the last run in
   which it answered knew (``fleetreport run`` reads them from its history), so that a failed
   Connection Server neither empties nor widens the population.
3. **Inferred pools**: with no pod at all, the machines of the pools inferred at collection
   (``--infer-pools-from-folder`` / ``--infer-pools-by-name``).
4. **vCenter rule**: with no pod and no inferred pool, the VMs matching ``[desktops] folders``
   or ``names``; without either, the VMs whose configured guest OS is a Windows client edition
   (``[desktops] guest_ids``). Servers (Connection Servers, SQL, App Volumes, file servers) run
   server editions, so they are left out, and so are Linux desktops: name them with a rule.

Horizon's and vSphere's own VMs (:mod:`fleetreport.snapshot.roles`) are never desktops by any
rule. Every VM that is not a desktop is counted under the reason it was left out.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from fleetreport.globs import matches_any
from fleetreport.health.settings import DesktopRules
from fleetreport.snapshot.model import Snapshot, VirtualMachine
from fleetreport.snapshot.roles import VmRole, golden_image_keys, vm_role

VmKey = tuple[str, str]
"""``(vCenter instance UUID, moref)``."""


class PopulationRule(enum.StrEnum):
    """A rule that made (part of) the desktop population."""

    HORIZON = "horizon"
    PREVIOUS_RUN = "previous_run"
    INFERRED = "inferred"
    CONFIGURED = "configured"
    DESKTOP_GUEST_OS = "desktop_guest_os"


class LeftOut(enum.StrEnum):
    """Why a VM that is not a Horizon internal, vCLS, golden image or template is no desktop."""

    NOT_A_MACHINE = "not_a_horizon_machine"
    """Horizon answered and no machine or RDS host is this VM (a server, an appliance, ...)."""
    POD_DID_NOT_ANSWER = "pod_did_not_answer"
    """Not claimed by a pod that answered; a pod that did not answer may own it."""
    NOT_INFERRED = "not_in_an_inferred_pool"
    """The inference rule put it in no pool."""
    OUTSIDE_RULE = "outside_desktop_rule"
    """Matches none of ``[desktops] folders`` and ``names``."""
    EXCLUDED = "excluded_by_name"
    """Matches ``[desktops] exclude``."""
    SERVER_GUEST_OS = "not_a_desktop_guest_os"
    """Its configured guest OS is not one of ``[desktops] guest_ids``."""
    GUEST_OS_UNKNOWN = "guest_os_not_reported"
    """vCenter did not report its configured guest OS (an inaccessible VM, for one)."""


REASON_TEXT = {
    **{role.value: role.description for role in VmRole},
    LeftOut.NOT_A_MACHINE.value: "not a Horizon machine or RDS host (servers, appliances)",
    LeftOut.POD_DID_NOT_ANSWER.value: "not claimed by a pod that answered",
    LeftOut.NOT_INFERRED.value: "in no inferred pool",
    LeftOut.OUTSIDE_RULE.value: "outside the [desktops] folders and names",
    LeftOut.EXCLUDED.value: "excluded by [desktops] exclude",
    LeftOut.SERVER_GUEST_OS.value: "guest OS is not a desktop edition",
    LeftOut.GUEST_OS_UNKNOWN.value: "guest OS not reported",
}
"""What the report says for each reason a VM was left out."""


@dataclass(frozen=True)
class KnownDesktops:
    """The desktops of one pod in the last run in which it answered."""

    pod: str
    """The pod's id (its Connection Server's host name)."""
    collected_at: datetime
    """When that run collected."""
    vms: frozenset[VmKey]
    """Their VMs."""


@dataclass(frozen=True)
class Population:
    """The rules that made the desktop population, and what they left out."""

    rules: tuple[PopulationRule, ...]
    """Every rule that contributed desktops (or the one that would have), in order."""
    notes: tuple[str, ...]
    """Plain sentences for the report: which rule, for which pod, from when."""
    machine_vms: frozenset[VmKey]
    """VMs joined to a Horizon or inferred machine that makes them a desktop."""
    desktop_vms: frozenset[VmKey]
    """VMs taken as desktops without a Horizon machine (previous run or vCenter rule)."""
    left_out: Counter[str] = field(default_factory=Counter)
    """VMs that are not desktops, by reason (a ``VmRole`` or ``LeftOut`` value)."""
    roles: dict[VmKey, VmRole] = field(default_factory=dict)
    """The VMs that belong to Horizon or vSphere (and golden images, templates)."""


def pod_of_source_url(url: str) -> str:
    """A pod's id as the collector names it: the Connection Server's host, lower case."""
    rest = url.split("://", 1)[-1]
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    if host.startswith("["):
        return host[1 : host.find("]")].lower()
    return host.split(":", 1)[0].lower()


def decide_population(
    snapshot: Snapshot,
    rules: DesktopRules,
    known: Sequence[KnownDesktops] = (),
) -> Population:
    """Classify every VM of the snapshot: Horizon's own, desktop, or left out (and why)."""
    golden = golden_image_keys(snapshot.pools)
    roles: dict[VmKey, VmRole] = {}
    for vm in snapshot.vms:
        role = vm_role(vm, golden)
        if role is not None:
            roles[(vm.vcenter, vm.moref)] = role
    taken = _machine_vms(snapshot, roles)
    answered = {pod.id for pod in snapshot.pods}
    answered |= {m.pod for m in snapshot.machines if m.kind != "inferred"}
    answered |= {
        pod_of_source_url(source.url)
        for source in snapshot.sources
        if source.kind == "horizon" and source.status == "ok"
    }
    failed_pods = sorted(
        {
            pod_of_source_url(source.url)
            for source in snapshot.sources
            if source.kind == "horizon" and source.status == "failed"
        }
        - answered
    )
    inferred = any(pool.kind == "inferred" for pool in snapshot.pools)
    chosen: list[PopulationRule] = []
    notes: list[str] = []
    extra: set[VmKey] = set()
    if answered:
        chosen.append(PopulationRule.HORIZON)
        notes.append(
            f"Horizon machines and RDS hosts of {_count(len(answered), 'pod')} that answered."
        )
    remembered = {k.pod: k for k in known}
    unknown_pods = []
    for pod in failed_pods:
        earlier = remembered.get(pod)
        if earlier is None:
            unknown_pods.append(pod)
            continue
        found = {key for key in earlier.vms if key not in taken and key not in roles}
        present = {(vm.vcenter, vm.moref) for vm in snapshot.vms}
        extra |= found & present
        chosen.append(PopulationRule.PREVIOUS_RUN)
        notes.append(
            f"Pod {pod} did not answer: its desktops are those of the last run in which it"
            f" answered ({earlier.collected_at:%Y-%m-%d %H:%M} UTC), {len(found & present)} of"
            f" {len(earlier.vms)} still in vCenter; its Horizon checks are unknown."
        )
    use_vcenter_rule = not answered and not inferred and not extra
    if unknown_pods and not use_vcenter_rule:
        notes.append(
            f"Pod{'s' if len(unknown_pods) > 1 else ''} {', '.join(unknown_pods)} did not answer"
            " and no earlier run knows its desktops: they are not in this report."
        )
    if inferred and not answered:
        chosen.append(PopulationRule.INFERRED)
        notes.append("Machines of the pools inferred from vCenter folders or names.")
    if use_vcenter_rule:
        rule, note = _vcenter_rule(rules)
        chosen.append(rule)
        if unknown_pods:
            note = (
                f"No Horizon pod answered ({', '.join(unknown_pods)}) and no earlier run knows"
                f" its desktops. {note}"
            )
        notes.append(note)
    left_out: Counter[str] = Counter()
    for vm in snapshot.vms:
        key = (vm.vcenter, vm.moref)
        if key in taken or key in extra:
            continue
        role = roles.get(key)
        if role is not None:
            left_out[role.value] += 1
            continue
        if use_vcenter_rule:
            reason = _vcenter_reason(vm, rules)
            if reason is None:
                extra.add(key)
                continue
            left_out[reason.value] += 1
        elif answered:
            left_out[LeftOut.NOT_A_MACHINE.value] += 1
        elif inferred:
            left_out[LeftOut.NOT_INFERRED.value] += 1
        else:
            left_out[LeftOut.POD_DID_NOT_ANSWER.value] += 1
    return Population(
        tuple(chosen), tuple(notes), frozenset(taken), frozenset(extra), left_out, roles
    )


def _machine_vms(snapshot: Snapshot, roles: dict[VmKey, VmRole]) -> set[VmKey]:
    """VMs a Horizon or inferred machine makes a desktop: never a template, and never
    Horizon's or vSphere's own VM for an inferred machine (a folder or name rule can catch
    one; Horizon cannot)."""
    taken = set()
    for machine in snapshot.machines:
        if not (machine.vm_vcenter and machine.vm_moref):
            continue
        key = (machine.vm_vcenter, machine.vm_moref)
        role = roles.get(key)
        if role is VmRole.TEMPLATE or (role is not None and machine.kind == "inferred"):
            continue
        taken.add(key)
    return taken


def _vcenter_rule(rules: DesktopRules) -> tuple[PopulationRule, str]:
    if rules.configured:
        parts = [f"folders {', '.join(rules.folders)}"] if rules.folders else []
        parts += [f"names {', '.join(rules.names)}"] if rules.names else []
        return (
            PopulationRule.CONFIGURED,
            f"No Horizon data: desktops are the VMs matching [desktops] {' or '.join(parts)}.",
        )
    return (
        PopulationRule.DESKTOP_GUEST_OS,
        "No Horizon data: desktops are the VMs configured with a Windows client guest OS"
        " (the default rule; name folders or VM names under [desktops] for Linux desktops"
        " or to narrow it).",
    )


def _vcenter_reason(vm: VirtualMachine, rules: DesktopRules) -> LeftOut | None:
    """Why the vCenter rule leaves this VM out, or None when it is a desktop."""
    if rules.exclude and matches_any(vm.name, rules.exclude):
        return LeftOut.EXCLUDED
    if rules.configured:
        folder = vm.folder or ""
        if matches_any(folder, rules.folders) or matches_any(vm.name, rules.names):
            return None
        return LeftOut.OUTSIDE_RULE
    if vm.guest_id is None:
        return LeftOut.GUEST_OS_UNKNOWN
    if matches_any(vm.guest_id, rules.guest_ids):
        return None
    return LeftOut.SERVER_GUEST_OS


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
