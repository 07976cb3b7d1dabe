"""What idle powered-on desktops cost a year, and what the levers each pool can take would save.

The model, with every assumption in ``EnergySettings`` and printed beside the figures: an
idle desktop (``vm_idle_powered_on``: powered on, in a pool, no session in use) draws
``watts_per_desktop``. Spares up to the pool's configured number are kept on by design and
are not counted; the other idle desktops are the *surplus*. Left on around the clock the
surplus uses ``watts x 8,760 h`` a year. Outside working hours (``8,760 - 52 x
working_hours_per_week`` hours) nobody needs it, and each pool's lever (``pool_power``) says
who could power it down: a power policy (full clones, managed manual pools) gives the
*saving*; instant-clone pools and RDS farms, which no power policy touches, can only be sized
to demand, and that is the separate *sizing* figure. The snapshot is one moment: the
estimate assumes the idle desktops seen then are typical.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fleetreport.globs import matches_any
from fleetreport.health.catalogue import SubjectKind
from fleetreport.health.evaluate import Evaluation, pool_key
from fleetreport.health.fleet import Desktop
from fleetreport.health.idle import pool_idleness
from fleetreport.health.pool_power import Lever, pool_lever
from fleetreport.health.results import Status
from fleetreport.health.settings import EnergySettings
from fleetreport.snapshot.model import DesktopPool

HOURS_PER_YEAR = 8760.0
WEEKS_PER_YEAR = 52.0
IDLE_CHECK = "vm_idle_powered_on"
POLICY_CHECK = "vm_power_policy_mismatch"


@dataclass(frozen=True)
class PoolEnergy:
    """One pool's idle desktops, their cost, and what its lever would save."""

    pool: DesktopPool
    """The pool."""
    idle_desktops: int
    """Idle powered-on desktops, spares included."""
    spare_desktops: int
    """Of them, those the pool's configured spare machines cover (not waste)."""
    lever: Lever
    """What can power the surplus down: a power policy, sizing, or nothing."""
    kwh_per_year: float
    """The surplus's consumption if it stays on all year."""
    cost_per_year: float
    """Its price."""
    saving_per_year: float
    """What a power policy would save by powering the surplus off outside working hours (0
    when the pool cannot take one, or its policy already powers desktops off: its idle
    desktops are then a policy problem, reported by ``vm_power_policy_mismatch``)."""
    sizing_saving_per_year: float
    """For pools whose lever is sizing: what sizing them to demand would save outside
    working hours."""

    @property
    def surplus_desktops(self) -> int:
        """Idle desktops beyond the configured spares."""
        return self.idle_desktops - self.spare_desktops


@dataclass(frozen=True)
class EnergyEstimate:
    """The fleet's estimate, its pools and its assumptions."""

    settings: EnergySettings
    """The assumptions."""
    off_hours_per_year: float
    """Hours a year outside working hours."""
    idle_desktops: int
    """Idle powered-on desktops in the fleet, spares included."""
    spare_desktops: int
    """Of them, those covered by their pools' configured spares."""
    kwh_per_year: float
    """The surplus's consumption if it stays on all year."""
    cost_per_year: float
    """Its price."""
    saving_per_year: float
    """Saving if every pool that can take a power policy, and keeps idle desktops on,
    powered its surplus off outside working hours."""
    sizing_saving_per_year: float
    """Saving if instant-clone pools and farms were sized to demand outside working hours."""
    pools: tuple[PoolEnergy, ...]
    """Pools with idle desktops, costliest first."""


def idle_desktops_by_pool(evaluation: Evaluation) -> Mapping[str, Sequence[tuple[Desktop, bool]]]:
    """Per pool key, its idle desktops the idle check judged, each with whether it is a spare
    candidate (nobody logged on or assigned), in fleet order: worked out once per evaluation
    (the estimate, the measured energy, the host powers and the usage report all read it), so
    read only."""
    known = evaluation.idle_desktops
    found = known.get(IDLE_CHECK)
    if found is None:
        found = known[IDLE_CHECK] = find_idle_desktops(evaluation)
    return found


def find_idle_desktops(evaluation: Evaluation) -> dict[str, list[tuple[Desktop, bool]]]:
    """``idle_desktops_by_pool`` worked out afresh (it keeps the answer with the evaluation)."""
    found: dict[str, list[tuple[Desktop, bool]]] = defaultdict(list)
    for desktop in evaluation.fleet.desktops:
        if desktop.pool is None:
            continue
        pool_idle = pool_idleness(evaluation.fleet, desktop.pool)
        if desktop.key not in pool_idle.idle:
            continue
        for judgement in evaluation.of(SubjectKind.DESKTOP, desktop.key):
            if judgement.check.id != IDLE_CHECK:
                continue
            if judgement.outcome.status in (Status.FAIL, Status.PASS):
                spare = desktop.key in pool_idle.spare_candidates
                found[pool_key(desktop.pool)].append((desktop, spare))
    return dict(found)


def saving_policies(evaluation: Evaluation) -> tuple[str, ...]:
    """The power policies that already power idle desktops off (``vm_power_policy_mismatch``)."""
    policy_limits = evaluation.settings.checks[POLICY_CHECK].thresholds["power_saving_policies"]
    return tuple(policy_limits) if isinstance(policy_limits, tuple) else ()


def off_hours_per_year(settings: EnergySettings) -> float:
    """Hours a year outside working hours."""
    return max(HOURS_PER_YEAR - WEEKS_PER_YEAR * settings.working_hours_per_week, 0.0)


def policy_would_save(pool: DesktopPool, policies: tuple[str, ...]) -> bool:
    """A power policy would power the pool's surplus off: it takes one and has none that does."""
    works = matches_any(pool.power_policy or "", policies)
    return pool_lever(pool) is Lever.POWER_POLICY and not works


def estimate_energy(evaluation: Evaluation, settings: EnergySettings) -> EnergyEstimate:
    """The estimate from the idle-desktop check: its failures, and the spares it passed."""
    idle: Counter[str] = Counter()
    spare_candidates: Counter[str] = Counter()
    for key, found in idle_desktops_by_pool(evaluation).items():
        idle[key] = len(found)
        spare_candidates[key] = sum(spare for _, spare in found)
    policies = saving_policies(evaluation)
    off_hours = off_hours_per_year(settings)
    rows = []
    for pool in evaluation.fleet.pools:
        key = pool_key(pool)
        if idle[key]:
            spares = min(pool.spare_machines or 0, spare_candidates[key])
            rows.append(_pool_energy(pool, idle[key], spares, off_hours, policies, settings))
    rows.sort(key=lambda row: (-row.cost_per_year, row.pool.name))
    return EnergyEstimate(
        settings=settings,
        off_hours_per_year=off_hours,
        idle_desktops=sum(row.idle_desktops for row in rows),
        spare_desktops=sum(row.spare_desktops for row in rows),
        kwh_per_year=_total(rows, "kwh_per_year"),
        cost_per_year=_total(rows, "cost_per_year"),
        saving_per_year=_total(rows, "saving_per_year"),
        sizing_saving_per_year=_total(rows, "sizing_saving_per_year"),
        pools=tuple(rows),
    )


def _pool_energy(
    pool: DesktopPool,
    idle: int,
    spares: int,
    off_hours: float,
    saving_policies: tuple[str, ...],
    settings: EnergySettings,
) -> PoolEnergy:
    surplus = idle - spares
    kwh = surplus * settings.watts_per_desktop * HOURS_PER_YEAR / 1000
    off_hours_cost = (
        surplus * settings.watts_per_desktop * off_hours / 1000 * settings.price_per_kwh
    )
    lever = pool_lever(pool)
    saves = policy_would_save(pool, saving_policies)
    return PoolEnergy(
        pool=pool,
        idle_desktops=idle,
        spare_desktops=spares,
        lever=lever,
        kwh_per_year=kwh,
        cost_per_year=kwh * settings.price_per_kwh,
        saving_per_year=off_hours_cost if saves else 0.0,
        sizing_saving_per_year=off_hours_cost if lever is Lever.SIZING else 0.0,
    )


def _total(rows: Sequence[PoolEnergy], name: str) -> float:
    return float(sum(getattr(row, name) for row in rows))
