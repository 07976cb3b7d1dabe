"""Thirty days of session history for a generated pod, in step with its machines and sessions.

``history()`` writes the skeletons of ``audit_events.json`` (``type``, ``user_id``,
``machine_id``, ``time`` as ``${now-Nm}``); the Horizon test server adds the logons of the
sessions open now and the fields the event database fills (``tests/support/horizon/audit.py``).
Days are office days in UTC relative to the estate's anchor: weekdays 07:00-09:30 logon and
16:00-18:30 logoff (every session of a day overlaps every other one between 09:30 and 16:00, so
a day's peak is its number of sessions), a few at the weekend (10:00-11:00 to 12:00-13:00).
History lies two to 28 days back, inside a 30-day window; a session open now that began
before a history day counts towards that day's peak, and its machine gets no other session that
day. Only machines whose VM is powered on and readable get logons; a dedicated desktop is
logged on to by its assigned user only. A pool's
peak (sessions open at once, the sessions open now included) is the plan's ``peak``, reached on
``peak_days_ago``; every usable machine has at least one logon, except those the plan names
``idle`` (never logged on) and ``stale`` (last logon outside the window).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FIRST_DAY, LAST_DAY = 2, 28
"""History days, counted back from the anchor's day."""
WINDOW_DAYS = 30
WEEKDAY = ((420, 570), (960, 1110))
"""Minutes of the day: logon between 07:00 and 09:30, logoff between 16:00 and 18:30."""
WEEKEND = ((600, 660), (720, 780))
LUNCH = ((720, 750), (765, 795))
"""A lunch break: disconnect 12:00-12:30, reconnect 12:45-13:15 (inside every session)."""
LUNCH_SHARE = 0.05


SERIES_LENGTH = 19
"""Samples in a simulated series: a 30-day window at vCenter's 2-hour interval has 361 = 19 x 19
samples, so whatever the window's start, it holds every sample 19 times and its mean is the
series' mean."""
IDLE_CPU_PERCENT = (
    1.2, 0.8, 2.5, 3.1, 0.6, 1.9, 2.2, 0.9, 1.4, 3.4, 0.7, 1.1, 2.8, 1.6, 0.5, 2.0, 1.3, 2.6, 0.75,
)  # fmt: skip
"""An idle desktop's cpu.usage.average (%): under 5% throughout, mean 1.65%."""
HOST_WATTS = (
    300, 320, 350, 380, 400, 410, 395, 370, 340, 310, 290, 285, 295, 305, 330, 360, 390, 405, 339,
)  # fmt: skip
"""A metered host's power.power.average (W), 285-410 W, mean 346 W; ``metered_watts`` shifts it."""


def metered_watts(shift: int) -> list[int]:
    """``HOST_WATTS`` shifted by ``shift`` watts (its mean: 346 + shift)."""
    return [w + shift for w in HOST_WATTS]


def add_vcenter_usage(
    scenario: dict[str, Any], idle_vms: Sequence[str], metered: Mapping[str, int]
) -> dict[str, Any]:
    """``scenario`` with the idle CPU series on ``idle_vms`` and a power series on each metered
    host (host name -> shift of ``HOST_WATTS``); every other VM and host keeps the simulator's
    recorded data. A vCenter with metered hosts keeps statistics level 2, the lowest whose
    intervals keep ``power.power.average`` (vCenter ships level 1)."""
    vms = {vm["name"]: vm for vm in scenario["vms"]}
    for name in idle_vms:
        vms[name]["cpu_percent"] = list(IDLE_CPU_PERCENT)
    hosts = {
        h["name"]: h
        for dc in scenario["datacenters"]
        for c in dc.get("clusters", [])
        for h in c["hosts"]
    }
    for name, shift in metered.items():
        hosts[name]["power_watts"] = metered_watts(shift)
    if metered:
        scenario["vcenter"]["stats_level"] = 2
    return scenario


@dataclass(frozen=True)
class PoolUsagePlan:
    """What a pool's history must show."""

    peak: int
    """Most sessions open at once over the window (the sessions open now included)."""
    peak_days_ago: int = 10
    busy: tuple[float, float] = (0.35, 0.65)
    """Other weekdays' sessions, as a share of the peak (drawn per day)."""
    idle: tuple[str, ...] = ()
    """Machines never logged on to in the window (and without a session now)."""
    stale: Mapping[str, int] = field(default_factory=dict)
    """Dedicated machine -> days since its assigned user's only (last) logon, beyond the window."""


@dataclass(frozen=True)
class UsagePlan:
    pools: Mapping[str, PoolUsagePlan]


@dataclass(frozen=True)
class Member:
    """A machine as the history needs it."""

    id: str
    name: str
    user_ids: tuple[str, ...]
    usable: bool
    """Its VM is powered on and readable: it can have had sessions."""


def minutes_ago(anchor: datetime, days_ago: int, minute_of_day: int) -> int:
    """Minutes from ``minute_of_day`` on the day ``days_ago`` days before the anchor's day."""
    since_midnight = anchor.hour * 60 + anchor.minute
    return since_midnight + days_ago * 1440 - minute_of_day


def _event(kind: str, user: str, machine: str, ago: int) -> dict[str, Any]:
    return {"type": kind, "user_id": user, "machine_id": machine, "time": f"${{now-{ago}m}}"}


def _session(
    rnd: random.Random,
    anchor: datetime,
    day: int,
    user: str,
    machine: str,
    weekend: bool,
) -> list[dict[str, Any]]:
    (on_lo, on_hi), (off_lo, off_hi) = WEEKEND if weekend else WEEKDAY
    logon, logoff = rnd.randint(on_lo, on_hi), rnd.randint(off_lo, off_hi)
    events = [_event("AGENT_CONNECTED", user, machine, minutes_ago(anchor, day, logon))]
    if not weekend and rnd.random() < LUNCH_SHARE:
        (gone_lo, gone_hi), (back_lo, back_hi) = LUNCH
        gone, back = rnd.randint(gone_lo, gone_hi), rnd.randint(back_lo, back_hi)
        events.append(_event("AGENT_DISCONNECTED", user, machine, minutes_ago(anchor, day, gone)))
        events.append(_event("AGENT_RECONNECTED", user, machine, minutes_ago(anchor, day, back)))
    events.append(_event("AGENT_ENDED", user, machine, minutes_ago(anchor, day, logoff)))
    return events


def _day_counts(
    rnd: random.Random, anchor: datetime, plan: PoolUsagePlan, carried: Mapping[int, int]
) -> dict[int, int]:
    """New sessions per history day; with the sessions carried into the day (open now, begun
    before it) the peak day reaches ``plan.peak`` and no other day passes it."""
    counts = {}
    for day in range(FIRST_DAY, LAST_DAY + 1):
        room = plan.peak - carried.get(day, 0)
        if _weekend(anchor, day):
            if day == plan.peak_days_ago:
                raise ValueError(f"peak day {day} days back is a weekend day")
            counts[day] = min(rnd.randint(0, max(1, plan.peak // 10)), room)
        elif day == plan.peak_days_ago:
            counts[day] = room
        else:
            low, high = (round(share * plan.peak) for share in plan.busy)
            counts[day] = min(rnd.randint(low, high), room)
    return counts


def _weekend(anchor: datetime, days_ago: int) -> bool:
    return (anchor.weekday() - days_ago) % 7 >= 5


def _carried(anchor: datetime, starts: Mapping[str, int]) -> dict[int, set[str]]:
    """History day -> machines whose session open now was already open when the day began;
    a session open now that began during a day's office hours is refused (it would make the
    day's peak depend on the hour)."""
    out: dict[int, set[str]] = {}
    for day in range(FIRST_DAY, LAST_DAY + 1):
        for machine, ago in starts.items():
            if ago >= minutes_ago(anchor, day, WEEKDAY[0][0]):
                out.setdefault(day, set()).add(machine)
            elif ago > minutes_ago(anchor, day, WEEKDAY[1][1]):
                raise ValueError(f"a session open now on {machine} began on history day {day}")
    return out


def pool_history(
    seed: str,
    anchor: datetime,
    plan: PoolUsagePlan,
    members: Sequence[Member],
    dedicated: bool,
    sessions_now: Mapping[str, int],
    user_ids: Sequence[str],
) -> list[dict[str, Any]]:
    """One pool's history events (skeletons, unsorted); ``sessions_now``: machine id -> minutes
    since its session open now began."""
    by_name = {m.name: m for m in members}
    for name in (*plan.idle, *plan.stale):
        if name not in by_name:
            raise ValueError(f"{seed}: {name!r} is not a machine of the pool")
    for name, days in plan.stale.items():
        if days <= WINDOW_DAYS or not by_name[name].user_ids:
            raise ValueError(f"{seed}: {name!r} needs an assigned user and over {WINDOW_DAYS} days")
    resting = set(plan.idle) | set(plan.stale)
    usable = [
        m for m in members if m.usable and m.name not in resting and (m.user_ids or not dedicated)
    ]
    if not len(sessions_now) <= plan.peak <= len(usable):
        raise ValueError(
            f"{seed}: peak {plan.peak} must lie between the {len(sessions_now)} sessions now "
            f"and the {len(usable)} usable machines"
        )
    rnd = random.Random(seed)
    carried = _carried(anchor, sessions_now)
    counts = _day_counts(rnd, anchor, plan, {d: len(busy) for d, busy in carried.items()})
    events: list[dict[str, Any]] = []
    cursor = 0
    used: set[str] = set()
    for day, count in counts.items():
        weekend = _weekend(anchor, day)
        free = [m for m in usable if m.id not in carried.get(day, set())]
        chosen = [free[(cursor + k) % len(free)] for k in range(count)]
        cursor += count
        users = (
            [m.user_ids[0] for m in chosen]
            if dedicated
            else [
                user_ids[(k + rnd.randrange(len(user_ids))) % len(user_ids)] for k in range(count)
            ]
        )
        for machine, user in zip(chosen, users, strict=True):
            events += _session(rnd, anchor, day, user, machine.id, weekend)
            used.add(machine.id)
    missed = sorted(m.name for m in usable if m.id not in used)
    if missed:
        raise ValueError(f"{seed}: never logged on to {missed}; raise the busy share")
    for name, days in sorted(plan.stale.items()):
        machine = by_name[name]
        events += _session(rnd, anchor, days, machine.user_ids[0], machine.id, weekend=False)
    return events


def history(
    pod: str,
    anchor: datetime,
    plan: UsagePlan,
    pools: Sequence[Mapping[str, Any]],
    machines: Sequence[Mapping[str, Any]],
    sessions: Sequence[Mapping[str, Any]],
    usable: set[str],
    user_ids: Sequence[str],
) -> list[dict[str, Any]]:
    """The pod's history skeletons, oldest first; ``usable`` holds the ids of machines whose VM
    is powered on and readable."""
    events: list[dict[str, Any]] = []
    for pool in sorted(pools, key=lambda p: str(p["name"])):
        pool_plan = plan.pools.get(pool["name"])
        if pool_plan is None:
            continue
        members = [
            Member(m["id"], m["name"], tuple(m.get("user_ids") or ()), m["id"] in usable)
            for m in sorted(machines, key=lambda m: str(m["name"]))
            if m.get("desktop_pool_id") == pool["id"]
        ]
        now = {
            str(s["machine_id"]): _ago(s["start_time"])
            for s in sessions
            if s.get("desktop_pool_id") == pool["id"]
        }
        for name in (*pool_plan.idle, *pool_plan.stale):
            if any(m.name == name and m.id in now for m in members):
                raise ValueError(f"{pod}/{pool['name']}: {name!r} has a session now")
        events += pool_history(
            f"{pod}/{pool['name']}/usage",
            anchor,
            pool_plan,
            members,
            pool.get("user_assignment") == "DEDICATED",
            now,
            user_ids,
        )
    return sorted(events, key=lambda e: (-_ago(e["time"]), e["machine_id"], e["type"]))


def _ago(placeholder: str) -> int:
    """Minutes of ``${now-Nm}``, ``${now-Nh}`` or ``${now-Nd}``."""
    number, unit = placeholder[len("${now-") : -2], placeholder[-2]
    return int(number) * {"m": 1, "h": 60, "d": 1440}[unit]


def pool_metrics(
    pools: Sequence[Mapping[str, Any]],
    machines: Sequence[Mapping[str, Any]],
    sessions: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """``monitor/v3/desktop-pools/metrics`` of each pool, from its machines and sessions now
    (occupancy: assigned machines of a dedicated pool, sessions of a floating one, as the 2512
    spec defines it; load index: occupancy as a percentage of the machines)."""
    out = []
    for pool in pools:
        members = [m for m in machines if m.get("desktop_pool_id") == pool["id"]]
        now = [s for s in sessions if s.get("desktop_pool_id") == pool["id"]]
        connected = sum(1 for s in now if s.get("session_state") == "CONNECTED")
        disconnected = sum(1 for s in now if s.get("session_state") == "DISCONNECTED")
        if pool.get("user_assignment") == "DEDICATED":
            occupancy = sum(1 for m in members if m.get("user_ids"))
        else:
            occupancy = connected + disconnected
        out.append(
            {
                "id": pool["id"],
                "load_index": round(100 * occupancy / len(members), 1) if members else 0.0,
                "num_connected_sessions": connected,
                "num_disconnected_sessions": disconnected,
                "num_idle_sessions": 0,
                "num_machines": len(members),
                "occupancy_count": occupancy,
            }
        )
    return out
