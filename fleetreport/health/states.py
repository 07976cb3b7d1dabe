"""Every Horizon machine, RDS host and session state of the API, in the class a check judges.

Horizon's own count metrics (``/monitor/v2/machines/count-metrics``, schemas
``ProblemCountMetrics``, ``UnderConstructionCountMetrics`` and ``PreparedCountMetrics`` of the
2512 spec) sort states into *problem*, *under construction* and *prepared*; the classes here
follow them and place the states those metrics leave out (drain, disabled, in progress).
``tests/health/test_health_states.py`` fails when the spec has a value not classified here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping


class StateClass(enum.StrEnum):
    """What a machine or RDS host state means for the users of its pool."""

    READY = "ready"
    """Can take a user now, or is off by the pool's power policy (Horizon: prepared)."""
    IN_USE = "in_use"
    """A user's session is on it (Horizon: prepared)."""
    IN_PROGRESS = "in_progress"
    """Being built, started, refreshed or deleted (Horizon: under construction): transient."""
    ATTENTION = "attention"
    """Withheld from users by an administrator's choice (drain, disabled): a warning."""
    PROBLEM = "problem"
    """Cannot serve users (Horizon: problem): critical."""


class SessionClass(enum.StrEnum):
    """What a session state means for its desktop."""

    CONNECTED = "connected"
    """A client is connected: the desktop is in use."""
    DISCONNECTED = "disconnected"
    """The user is logged on with no client: the desktop is held but nobody uses it."""
    STARTING = "starting"
    """The session is being set up: the desktop is about to be in use."""


_R, _U, _P, _A, _X = (
    StateClass.READY,
    StateClass.IN_USE,
    StateClass.IN_PROGRESS,
    StateClass.ATTENTION,
    StateClass.PROBLEM,
)

_SHARED_STATES: dict[str, StateClass] = {
    # Ready (Horizon's "prepared" count): available, or powered off / suspended by policy.
    "AVAILABLE": _R,
    "PROVISIONED": _R,
    # In use (also "prepared"): a session is on the machine, connected or not.
    "CONNECTED": _U,
    "DISCONNECTED": _U,
    # In progress (Horizon's "under construction" count): provisioning, customising,
    # validating, deleting, maintenance (instant-clone refresh, push image), an operation.
    "PROVISIONING": _P,
    "CUSTOMIZING": _P,
    "VALIDATING": _P,
    "DELETING": _P,
    "MAINTENANCE": _P,
    "IN_PROGRESS": _P,
    "AGENT_ERROR_WAIT_FOR_HYBRID_JOIN": _P,
    # Attention: an administrator withholds the machine (drain, disable); not in Horizon's
    # problem count, but capacity users do not get.
    "AGENT_DRAIN_MODE": _A,
    "AGENT_DRAIN_UNTIL_RESTART": _A,
    "DISABLED": _A,
    "DISABLE_IN_PROGRESS": _A,
    # Problem (Horizon's "problem" count): the agent, its configuration or provisioning
    # failed, a session blocks the machine (ALREADY_USED) or the wrong user holds it.
    "AGENT_UNREACHABLE": _X,
    "AGENT_CONFIG_ERROR": _X,
    "ALREADY_USED": _X,
    "BLOCKED_AGENT_VERSION": _X,
    "ERROR": _X,
    "PROVISIONING_ERROR": _X,
    "UNKNOWN": _X,
}

MACHINE_STATES: Mapping[str, StateClass] = {
    **_SHARED_STATES,
    # Machines spell their agent states AGENT_ERROR_* and WAITING_FOR_AGENT.
    "WAITING_FOR_AGENT": _P,
    "AGENT_ERROR_STARTUP_IN_PROGRESS": _P,
    "AGENT_ERROR_DISABLED": _X,
    "AGENT_ERROR_DOMAIN_FAILURE": _X,
    "AGENT_ERROR_INVALID_IP": _X,
    "AGENT_ERROR_NEEDS_REBOOT": _X,
    "AGENT_ERROR_PROTOCOL_FAILURE": _X,
    # Dedicated pools only: someone other than the assigned user holds the desktop.
    "UNASSIGNED_USER_CONNECTED": _X,
    "UNASSIGNED_USER_DISCONNECTED": _X,
}
"""``MachineInfo*.state`` (and the subset ``PhysicalMachineInfo*.state``), 2111 to 2512."""

RDS_SERVER_STATES: Mapping[str, StateClass] = {
    **_SHARED_STATES,
    # RDS hosts spell their agent states AGENT_ERR_* and WAIT_FOR_AGENT.
    "WAIT_FOR_AGENT": _P,
    "AGENT_ERR_STARTUP_IN_PROGRESS": _P,
    "AGENT_ERR_DISABLED": _X,
    "AGENT_ERR_DOMAIN_FAILURE": _X,
    "AGENT_ERR_INVALID_IP": _X,
    "AGENT_ERR_NEED_REBOOT": _X,
    "AGENT_ERR_PROTOCOL_FAILURE": _X,
}
"""``RDSServerInfo*.state`` (and ``RDSServerMonitorDetails*.state``), 2111 to 2512."""

SESSION_STATES: Mapping[str, SessionClass] = {
    "CONNECTED": SessionClass.CONNECTED,
    "DISCONNECTED": SessionClass.DISCONNECTED,
    "PENDING": SessionClass.STARTING,
}
"""``SessionInfo*.session_state`` (and ``GlobalSessionInfo*``), 2111 to 2512."""

SEEN_IN_OLDER_RELEASES: frozenset[str] = frozenset()
"""Values classified here that the 2512 spec no longer lists (none so far; 2111's values are
all still in 2512)."""

PROVISIONING_STATES: tuple[str, ...] = ("PROVISIONING", "CUSTOMIZING")
"""In-progress states that start when Horizon creates (or rebuilds) the machine."""

MAINTENANCE_STATES: tuple[str, ...] = ("MAINTENANCE", "IN_PROGRESS", "DELETING")
"""In-progress states that start with a maintenance operation (refresh, push image, delete)."""


def states_of(state_class: StateClass) -> tuple[str, ...]:
    """Every machine and RDS host state of one class, sorted: a check's default list."""
    tables = (MACHINE_STATES, RDS_SERVER_STATES)
    return tuple(sorted({s for table in tables for s, c in table.items() if c is state_class}))


def sessions_of(session_class: SessionClass) -> tuple[str, ...]:
    """Every session state of one class, sorted."""
    return tuple(sorted(s for s, c in SESSION_STATES.items() if c is session_class))
