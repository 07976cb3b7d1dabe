"""The idle desktops' draw measured where hosts meter power, assumed elsewhere.

A host that reports ``power.power.average`` over the window (``VCenterUsage`` of a HostSystem,
status ``measured``) shares its mean draw *by count*: each VM powered on on it at collection
time takes ``mean watts / powered-on VMs``. Sharing by CPU would need each host's CPU history,
which is not collected; the count share is documented in the report as the method. Idle
surplus desktops (the same ones as ``energy.estimate_energy``: idle beyond their pool's
spares) on metered hosts take their measured share, the others the assumed
``watts_per_desktop``; the savings follow each pool's lever as the assumption-based estimate
does (a power policy only where the pool takes one, sizing otherwise).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from fleetreport.health.energy import (
    HOURS_PER_YEAR,
    idle_desktops_by_pool,
    off_hours_per_year,
    policy_would_save,
    saving_policies,
)
from fleetreport.health.evaluate import Evaluation
from fleetreport.health.fleet import Desktop
from fleetreport.health.pool_power import Lever, pool_lever
from fleetreport.health.settings import EnergySettings
from fleetreport.health.usage_evidence import MEASURED, usage_evidence
from fleetreport.health.usage_records import HostPower, MeasuredEnergy
from fleetreport.snapshot.model import Host

BY_COUNT = "by_count"
POWERED_ON = "poweredOn"


@dataclass(frozen=True)
class DesktopWatts:
    """What one desktop draws while on: its host's measured share, or the assumption."""

    watts: float
    measured: bool


def host_powers(evaluation: Evaluation) -> list[HostPower]:
    """Hosts running desktops (in scope), metered first, then by name."""
    fleet = evaluation.fleet
    evidence = usage_evidence(fleet)
    on: Counter[tuple[str, str]] = Counter(
        (vm.vcenter, vm.host)
        for vm in fleet.snapshot.vms
        if vm.host is not None and vm.power_state == POWERED_ON
    )
    idle: Counter[tuple[str, str]] = Counter(
        (d.host.vcenter, d.host.moref)
        for found in idle_desktops_by_pool(evaluation).values()
        for d, _ in found
        if d.host is not None
    )
    hosts: dict[tuple[str, str], Host] = {}
    for desktop in fleet.desktops:
        if desktop.host is not None:
            hosts[(desktop.host.vcenter, desktop.host.moref)] = desktop.host
    rows = []
    for (vcenter, moref), host in hosts.items():
        record = evidence.host_usage(vcenter, moref)
        count = on[(vcenter, host.name)]
        mean = record.power_mean_watts if record is not None else None
        measured = record is not None and record.status == MEASURED and mean is not None
        rows.append(
            HostPower(
                vcenter=vcenter,
                moref=moref,
                name=host.name,
                status=record.status if record is not None else "not_collected",
                mean_watts=mean,
                peak_watts=record.power_peak_watts if record is not None else None,
                powered_on_vms=count,
                watts_per_vm=mean / count if measured and mean is not None and count else None,
                idle_desktops=idle[(vcenter, moref)],
            )
        )
    rows.sort(key=lambda h: (h.watts_per_vm is None, h.name.casefold(), h.moref))
    return rows


def desktop_watts(
    desktop: Desktop, hosts: dict[tuple[str, str], HostPower], settings: EnergySettings
) -> DesktopWatts:
    """The desktop's draw while on: measured share of its host, else the assumption."""
    if desktop.host is not None:
        host = hosts.get((desktop.host.vcenter, desktop.host.moref))
        if host is not None and host.watts_per_vm is not None:
            return DesktopWatts(host.watts_per_vm, True)
    return DesktopWatts(settings.watts_per_desktop, False)


def measured_energy(evaluation: Evaluation, settings: EnergySettings) -> MeasuredEnergy:
    """The surplus idle desktops' draw, cost and savings, measured where hosts meter power."""
    hosts = host_powers(evaluation)
    by_key = {(h.vcenter, h.moref): h for h in hosts}
    policies = saving_policies(evaluation)
    off_hours = off_hours_per_year(settings)
    measured: list[float] = []
    assumed = 0
    total_watts = saving_watts = sizing_watts = 0.0
    pools = {(p.pod, p.id): p for p in evaluation.fleet.pools}
    for found in idle_desktops_by_pool(evaluation).values():
        pool = found[0][0].pool
        if pool is None or (pool.pod, pool.id) not in pools:
            continue
        for desktop in _surplus(found, pool.spare_machines or 0):
            watts = desktop_watts(desktop, by_key, settings)
            if watts.measured:
                measured.append(watts.watts)
            else:
                assumed += 1
            total_watts += watts.watts
            if policy_would_save(pool, policies):
                saving_watts += watts.watts
            elif pool_lever(pool) is Lever.SIZING:
                sizing_watts += watts.watts
    price = settings.price_per_kwh
    kwh = total_watts * HOURS_PER_YEAR / 1000
    return MeasuredEnergy(
        method=BY_COUNT,
        hosts=hosts,
        idle_desktops_measured=len(measured),
        idle_desktops_assumed=assumed,
        measured_watts_per_idle_desktop=sum(measured) / len(measured) if measured else None,
        kwh_per_year=round(kwh),
        cost_per_year=round(kwh * price),
        saving_per_year=round(saving_watts * off_hours / 1000 * price),
        sizing_saving_per_year=round(sizing_watts * off_hours / 1000 * price),
    )


def _surplus(found: Sequence[tuple[Desktop, bool]], spares: int) -> list[Desktop]:
    """The idle desktops beyond the pool's spares: spare candidates cover the spares first
    (in fleet order), as ``estimate_energy`` counts them."""
    covered = 0
    surplus = []
    for desktop, candidate in found:
        if candidate and covered < spares:
            covered += 1
            continue
        surplus.append(desktop)
    return surplus
