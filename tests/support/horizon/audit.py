"""Audit events of a pod's sessions, built from its data so that they agree with it.

``audit_events.json`` in a data directory holds the history only as skeletons
(``type``, ``user_id``, ``machine_id``, ``time``, times as ``${now-...}``); the sessions open
now (``sessions.json``) add their own logon and, when disconnected, disconnect events. Each
event gets the fields the event database fills from the machine: ``machine_dns_name``,
``desktop_pool_name``, ``module``, ``severity``, ``message``, and an ``id`` in time order.
Event names are Horizon's message-catalogue names of the agent's session events.
"""

from __future__ import annotations

from typing import Any

MESSAGES = {
    "AGENT_CONNECTED": "User %s has logged in to a new session on machine %s",
    "AGENT_DISCONNECTED": "User %s has disconnected from machine %s",
    "AGENT_RECONNECTED": "User %s has reconnected to machine %s",
    "AGENT_ENDED": "User %s has logged off machine %s",
}
FIRST_ID = 5001


def _from_sessions(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The logon (and disconnect) of each desktop session open now."""
    found = []
    for s in sessions:
        if not s.get("machine_id") or not isinstance(s.get("start_time"), int):
            continue
        base = {"user_id": s.get("user_id"), "machine_id": s["machine_id"]}
        found.append({**base, "type": "AGENT_CONNECTED", "time": s["start_time"]})
        if s.get("session_state") == "DISCONNECTED" and isinstance(s.get("disconnected_time"), int):
            found.append({**base, "type": "AGENT_DISCONNECTED", "time": s["disconnected_time"]})
    return found


def audit_events(
    history: list[dict[str, Any]],
    sessions: list[dict[str, Any]],
    machines: list[dict[str, Any]],
    pools: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Every event, oldest first, each with the fields its machine and pool give it."""
    machine_by_id = {m["id"]: m for m in machines}
    pool_name = {p["id"]: p["name"] for p in pools}
    skeletons = sorted(
        [dict(e) for e in history] + _from_sessions(sessions), key=lambda e: e["time"]
    )
    events = []
    for number, event in enumerate(skeletons):
        machine = machine_by_id.get(event.get("machine_id"), {})
        name = machine.get("dns_name") or machine.get("name") or "?"
        pool = pool_name.get(machine.get("desktop_pool_id"))
        events.append(
            {
                "id": FIRST_ID + number,
                "time": event["time"],
                "type": event["type"],
                "user_id": event.get("user_id"),
                "machine_id": event.get("machine_id"),
                "machine_dns_name": name,
                "desktop_pool_name": pool,
                "module": "Agent",
                "severity": "INFO",
                "message": MESSAGES[event["type"]] % (event.get("user_id"), name),
            }
        )
    return events
