"""Hardware sensors and triggered alarms from PropertyCollector records, and alarm names.

``triggeredAlarmState`` on an entity also lists the alarms of its descendants ("Triggered
alarms are propagated up the inventory hierarchy", vSphere API reference, ManagedEntity), so a
cluster repeats its hosts' alarms: each alarm is recorded once, on the entity its state names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pyVmomi import vim, vmodl

from fleetreport.collect.vcenter.property_reader import CallRunner, retrieve_inventory
from fleetreport.collect.vcenter.soap_stream import MoRef, RawObject, as_bool, as_list, as_time
from fleetreport.snapshot.model import HostSensor, TriggeredAlarm

log = logging.getLogger(__name__)

ALARM_ENTITY_TYPES = frozenset(
    {"VirtualMachine", "HostSystem", "ClusterComputeResource", "Datastore"}
)
"""The objects whose alarms are recorded."""

HARDWARE_CLASSES = (
    ("cpu", "cpuStatusInfo"),
    ("memory", "memoryStatusInfo"),
    ("storage", "storageStatusInfo"),
)
"""``HostHardwareStatusInfo`` lists, by the kind recorded for them."""


def sensor_alerts(health: Any) -> list[HostSensor]:
    """Numeric sensors and hardware elements of ``runtime.healthSystemRuntime`` not green.

    Sensor health is the ``HostNumericSensorHealthState`` key (``red``, ``yellow``,
    ``unknown``); hardware status keys (``HostHardwareElementStatus``: ``Red``, ``Unknown``)
    are lower-cased to the same words.
    """
    if not isinstance(health, dict):
        return []
    alerts: list[HostSensor] = []
    system = health.get("systemHealthInfo")
    sensors = system.get("numericSensorInfo") if isinstance(system, dict) else None
    for sensor in as_list(sensors):
        state = _description(sensor.get("healthState"))
        if state is not None and state[0] != "green":
            kind = str(sensor.get("sensorType") or "other")
            alerts.append(HostSensor(str(sensor.get("name") or ""), kind, state[0], state[1]))
    hardware = health.get("hardwareStatusInfo")
    if isinstance(hardware, dict):
        for kind, field in HARDWARE_CLASSES:
            for element in as_list(hardware.get(field)):
                state = _description(element.get("status"))
                if state is not None and state[0] != "green":
                    name = str(element.get("name") or "")
                    alerts.append(HostSensor(name, kind, state[0], state[1]))
    return alerts


def _description(value: Any) -> tuple[str, str] | None:
    """(key lower-cased, summary) of an ElementDescription; None without a key."""
    if not isinstance(value, dict) or not value.get("key"):
        return None
    return str(value["key"]).lower(), str(value.get("summary") or "")


def alarm_states(records: Iterable[RawObject]) -> list[dict[str, Any]]:
    """Each triggered alarm state once, on the entity it names, in a stable order."""
    states: dict[tuple[str, str, str], dict[str, Any]] = {}
    for record in records:
        for state in as_list(record.properties.get("triggeredAlarmState")):
            entity, alarm = state.get("entity"), state.get("alarm")
            if not isinstance(entity, MoRef) or not isinstance(alarm, MoRef):
                continue
            if entity.type in ALARM_ENTITY_TYPES:
                states.setdefault((entity.type, entity.value, alarm.value), state)
    return [states[key] for key in sorted(states)]


def triggered_alarms(
    vcenter: str, states: Sequence[dict[str, Any]], names: Mapping[str, str]
) -> list[TriggeredAlarm]:
    """Snapshot records of ``alarm_states``, named from ``names`` (alarm moref -> name)."""
    alarms = []
    for state in states:
        entity, alarm = state["entity"], state["alarm"]
        alarms.append(
            TriggeredAlarm(
                vcenter=vcenter,
                entity_type=entity.type,
                entity=entity.value,
                alarm=alarm.value,
                name=names.get(alarm.value),
                status=str(state.get("overallStatus") or "gray"),
                time=as_time(state.get("time")),
                acknowledged=as_bool(state.get("acknowledged")),
            )
        )
    return alarms


def read_alarm_names(
    content: Any,
    alarms: Sequence[str],
    *,
    page_size: int,
    count_round_trip: Callable[[], None],
    run: CallRunner,
    relogin: Callable[[], None] | None,
    source: str,
) -> dict[str, str]:
    """``info.name`` of each alarm, in one RetrievePropertiesEx over their morefs.

    An alarm deleted meanwhile, or one the account may not read, stays unnamed; so does every
    alarm when the call fails with a vSphere fault (logged): names are never worth the report.
    """
    if not alarms:
        return {}
    stub = content.propertyCollector._stub
    objects = [(vim.alarm.Alarm(moref, stub), vim.alarm.Alarm, ("info.name",)) for moref in alarms]
    try:
        records = retrieve_inventory(
            content,
            {},
            page_size=page_size,
            count_round_trip=count_round_trip,
            extra_objects=objects,
            report_missing_objects=True,
            run=run,
            relogin=relogin,
            source=source,
        )
    except vmodl.MethodFault as fault:
        log.warning("%s: alarm names could not be read (%s)", source, type(fault).__name__)
        return {}
    return {
        record.obj.value: str(record.properties["info.name"])
        for record in records
        if record.properties.get("info.name") is not None
    }
