"""What idle powered-on desktops cost a year, and what power policies could save.

The model, with every assumption in ``EnergySettings`` and printed beside the figures:
an idle desktop (``vm_idle_powered_on``: powered on, in a pool, no session) draws
``watts_per_desktop``. Left on around the clock it uses ``watts x 8,760 h`` a year. Outside
working hours (``8,760 - 52 x working_hours_per_week`` hours) nobody needs it, so a pool whose
power policy powers idle desktops off or suspends them would save that share. The snapshot
is one moment: the estimate assumes the idle desktops seen then are typical.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from fleetreport.health.catalogue import SubjectKind
from fleetreport.health.evaluate import Evaluation, pool_key
from fleetreport.health.results import Status
from fleetreport.health.settings import EnergySettings
from fleetreport.snapshot.model import DesktopPool

HOURS_PER_YEAR = 8760.0
WEEKS_PER_YEAR = 52.0
IDLE_CHECK = "vm_idle_powered_on"
POLICY_CHECK = "vm_power_policy_mismatch"


@dataclass(frozen=True)
class PoolEnergy:
    """One pool's idle desktops and their cost."""

    pool: DesktopPool
    """The pool."""
    idle_desktops: int
    """Idle powered-on desktops."""
    kwh_per_year: float
    """Their consumption if they stay on all year."""
    cost_per_year: float
    """Its price."""
    saving_per_year: float
    """What powering them off outside working hours would save (0 when the pool's policy
    already powers desktops off: its idle desktops are then a policy problem, reported by
    ``vm_power_policy_mismatch``)."""


@dataclass(frozen=True)
class EnergyEstimate:
    """The fleet's estimate, its pools and its assumptions."""

    settings: EnergySettings
    """The assumptions."""
    off_hours_per_year: float
    """Hours a year outside working hours."""
    idle_desktops: int
    """Idle powered-on desktops in the fleet."""
    kwh_per_year: float
    """Their consumption if they stay on all year."""
    cost_per_year: float
    """Its price."""
    saving_per_year: float
    """Saving if every pool that keeps idle desktops on powered them off outside work."""
    pools: tuple[PoolEnergy, ...]
    """Pools with idle desktops, costliest first."""


def estimate_energy(evaluation: Evaluation, settings: EnergySettings) -> EnergyEstimate:
    """The estimate from the idle-desktop check's failures."""
    idle_by_pool: Counter[str] = Counter()
    for desktop in evaluation.fleet.desktops:
        if desktop.pool is None:
            continue
        for judgement in evaluation.of(SubjectKind.DESKTOP, desktop.key):
            if judgement.check.id == IDLE_CHECK and judgement.outcome.status is Status.FAIL:
                idle_by_pool[pool_key(desktop.pool)] += 1
    policy_limits = evaluation.settings.checks[POLICY_CHECK].thresholds["power_saving_policies"]
    saving_policies = tuple(policy_limits) if isinstance(policy_limits, tuple) else ()
    off_hours = max(HOURS_PER_YEAR - WEEKS_PER_YEAR * settings.working_hours_per_week, 0.0)
    rows = [
        _pool_energy(pool, idle_by_pool[pool_key(pool)], off_hours, saving_policies, settings)
        for pool in evaluation.fleet.pools
        if idle_by_pool[pool_key(pool)]
    ]
    rows.sort(key=lambda row: (-row.cost_per_year, row.pool.name))
    return EnergyEstimate(
        settings=settings,
        off_hours_per_year=off_hours,
        idle_desktops=sum(row.idle_desktops for row in rows),
        kwh_per_year=_total(rows, "kwh_per_year"),
        cost_per_year=_total(rows, "cost_per_year"),
        saving_per_year=_total(rows, "saving_per_year"),
        pools=tuple(rows),
    )


def _pool_energy(
    pool: DesktopPool,
    idle: int,
    off_hours: float,
    saving_policies: tuple[str, ...],
    settings: EnergySettings,
) -> PoolEnergy:
    kwh = idle * settings.watts_per_desktop * HOURS_PER_YEAR / 1000
    saves = not any(fnmatchcase(pool.power_policy or "", p) for p in saving_policies)
    saving_kwh = idle * settings.watts_per_desktop * off_hours / 1000 if saves else 0.0
    return PoolEnergy(
        pool=pool,
        idle_desktops=idle,
        kwh_per_year=kwh,
        cost_per_year=kwh * settings.price_per_kwh,
        saving_per_year=saving_kwh * settings.price_per_kwh,
    )


def _total(rows: Sequence[PoolEnergy], name: str) -> float:
    return float(sum(getattr(row, name) for row in rows))
