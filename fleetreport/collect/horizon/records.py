"""Turn Horizon REST JSON (any version from 2111 to 2512) into snapshot records.

Everything here is untrusted input: a value of the wrong type becomes None (unknown),
enum values outside the spec are kept verbatim, and nothing is evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fleetreport.snapshot.model import (
    ConnectionServer,
    DesktopPool,
    EventDatabase,
    Gateway,
    HorizonVCenter,
    Machine,
    Replication,
    ServiceStatus,
    Session,
)


def dig(record: Any, path: str) -> Any:
    """``record["a"]["b"]`` for ``"a.b"``; None where any step is missing or not an object."""
    if "." not in path:  # most fields are top-level: one lookup, and a dict needs no ABC check
        if type(record) is dict or isinstance(record, Mapping):
            return record.get(path)
        return None
    value = record
    for key in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def as_text(value: Any) -> str | None:
    """Text as it is, a number written as text; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def as_whole(value: Any) -> int | None:
    """A whole number (not a bool); None for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def text(record: Any, *paths: str) -> str | None:
    """The first of ``paths`` that holds text (numbers are written as text)."""
    for path in paths:
        found = as_text(dig(record, path))
        if found is not None:
            return found
    return None


def whole(record: Any, path: str) -> int | None:
    return as_whole(dig(record, path))


def flag(record: Any, path: str) -> bool | None:
    value = dig(record, path)
    return value if isinstance(value, bool) else None


def epoch_ms(record: Any, path: str) -> datetime | None:
    """Horizon times are epoch milliseconds."""
    value = dig(record, path)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def texts(record: Any, path: str) -> list[str]:
    value = dig(record, path)
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _image_fields(record: Any, settings: str) -> dict[str, Any]:
    """Golden image and provisioning state, the same for pools and farms below ``settings``."""
    provisioning = f"{settings}provisioning_settings"
    status = f"{settings}provisioning_status_data"
    return {
        "vm_folder_path": text(record, f"{provisioning}.vm_folder_path"),
        "vm_folder_id": text(record, f"{provisioning}.vm_folder_id"),
        "parent_vm_id": text(record, f"{provisioning}.parent_vm_id"),
        "parent_vm_path": text(record, f"{provisioning}.parent_vm_path"),
        "base_snapshot_id": text(record, f"{provisioning}.base_snapshot_id"),
        "base_snapshot_path": text(record, f"{provisioning}.snapshot_path"),
        "image_state": text(record, f"{status}.instant_clone_current_image_state"),
        "pending_image_state": text(record, f"{status}.instant_clone_pending_image_state"),
        "pending_image_error": text(record, f"{status}.instant_clone_pending_image_error"),
        "pending_snapshot_id": text(record, f"{status}.instant_clone_pending_image_snapshot_id"),
        "last_provisioning_error": text(record, f"{status}.last_provisioning_error"),
        "last_provisioning_error_time": epoch_ms(record, f"{status}.last_provisioning_error_time"),
    }


def naming_method(record: Any, settings: str = "") -> str | None:
    """``naming_method`` (desktop-pools v5 and later); before that, which naming settings
    object the record holds (``pattern_naming_settings`` or ``specific_naming_settings``)."""
    stated = text(record, f"{settings}naming_method")
    if stated is not None:
        return stated
    if isinstance(dig(record, f"{settings}pattern_naming_settings"), Mapping):
        return "PATTERN"
    if isinstance(dig(record, f"{settings}specific_naming_settings"), Mapping):
        return "SPECIFIED"
    return None


def spare_machines(record: Any, method: str | None) -> int | None:
    """Powered-on unassigned machines the pool keeps: ``number_of_spare_machines`` for a
    pattern, ``num_unassigned_machines_kept_powered_on`` for specified names."""
    if method == "SPECIFIED":
        return whole(record, "specific_naming_settings.num_unassigned_machines_kept_powered_on")
    return whole(record, "pattern_naming_settings.number_of_spare_machines")


def _disconnect_fields(record: Any) -> dict[str, Any]:
    """Disconnected-session logoff policy of a pool or farm: ``session_settings`` (v2 and
    later), ``settings.session_settings`` in v1. The minutes count only with ``AFTER``."""
    policy, minutes = None, None
    for settings in ("session_settings", "settings.session_settings"):
        policy = text(record, f"{settings}.disconnected_session_timeout_policy")
        if policy is not None:
            minutes = whole(record, f"{settings}.disconnected_session_timeout_minutes")
            break
    return {
        "disconnected_session_policy": policy,
        "disconnected_session_timeout_minutes": minutes if policy == "AFTER" else None,
    }


def desktop_pool(pod: str, record: Any, vcenter_uuids: Mapping[str, str]) -> DesktopPool:
    vcenter_id = text(record, "vcenter_id")
    naming = "pattern_naming_settings"
    method = naming_method(record)
    return DesktopPool(
        pod=pod,
        id=text(record, "id") or "",
        kind="desktop_pool",
        name=text(record, "name") or text(record, "id") or "",
        display_name=text(record, "display_name"),
        type=text(record, "type"),
        source=text(record, "source"),
        enabled=flag(record, "enabled"),
        provisioning_enabled=flag(record, "enable_provisioning"),
        user_assignment=text(record, "user_assignment"),
        power_policy=text(record, "session_settings.power_policy", "settings.power_policy"),
        naming_pattern=text(record, f"{naming}.naming_pattern"),
        min_machines=whole(record, f"{naming}.min_number_of_machines"),
        max_machines=whole(record, f"{naming}.max_number_of_machines"),
        spare_machines=spare_machines(record, method),
        vcenter_id=vcenter_id,
        vcenter=vcenter_uuids.get(vcenter_id or ""),
        machine_count=whole(record, "num_machines"),
        farm_id=text(record, "farm_id"),
        naming_method=method,
        **_image_fields(record, ""),
        **_disconnect_fields(record),
    )


def farm(pod: str, record: Any, vcenter_uuids: Mapping[str, str]) -> DesktopPool:
    settings = "automated_farm_settings"
    vcenter_id = text(record, f"{settings}.vcenter_id")
    naming = f"{settings}.pattern_naming_settings"
    return DesktopPool(
        pod=pod,
        id=text(record, "id") or "",
        kind="farm",
        name=text(record, "name") or text(record, "id") or "",
        display_name=text(record, "display_name"),
        type="RDS",
        source=text(record, "source"),
        enabled=flag(record, "enabled"),
        provisioning_enabled=flag(record, f"{settings}.enable_provisioning"),
        user_assignment=None,
        power_policy=None,
        naming_pattern=text(record, f"{naming}.naming_pattern"),
        min_machines=whole(record, f"{naming}.min_number_of_servers"),
        max_machines=whole(record, f"{naming}.max_number_of_servers"),
        spare_machines=None,
        vcenter_id=vcenter_id,
        vcenter=vcenter_uuids.get(vcenter_id or ""),
        naming_method=naming_method(record, f"{settings}."),
        **_image_fields(record, f"{settings}."),
        **_disconnect_fields(record),
    )


def machine(pod: str, record: Any) -> Machine:
    data = "managed_machine_data"
    users = texts(record, "user_names") or texts(record, "user_ids")
    return Machine(
        pod=pod,
        id=text(record, "id") or "",
        kind="machine",
        name=text(record, "name") or "",
        dns_name=text(record, "dns_name"),
        pool_id=text(record, "desktop_pool_id"),
        state=text(record, "state"),
        agent_version=text(record, "agent_version", "agent_data.version"),
        agent_build=text(record, "agent_build_number", "agent_data.build"),
        operating_system=text(record, "operating_system"),
        user_names=users,
        power_state=text(record, f"{data}.virtual_machine_power_state"),
        operation_state=text(record, f"{data}.operation_state"),
        base_vm_id=text(record, f"{data}.base_vm_id"),
        base_snapshot_id=text(record, f"{data}.base_vm_snapshot_id"),
        pending_base_vm_id=text(record, f"{data}.pending_base_vm_id"),
        pending_base_snapshot_id=text(record, f"{data}.pending_base_vm_snapshot_id"),
        create_time=epoch_ms(record, f"{data}.create_time"),
        missing_in_vcenter=flag(record, f"{data}.missing_in_vcenter"),
        in_maintenance_mode=flag(record, f"{data}.in_maintenance_mode"),
        vcenter_id=text(record, f"{data}.virtual_center_id"),
        vm_moid=text(record, f"{data}.vm_moid"),
        vm_path=text(record, f"{data}.path"),
        host_name=text(record, f"{data}.host_name"),
        vm_vcenter=None,
        vm_moref=None,
        join="none",
        last_maintenance_time=epoch_ms(record, f"{data}.last_maintenance_time"),
        user_ids=texts(record, "user_ids"),
    )


def rds_server(pod: str, record: Any) -> Machine:
    return Machine(
        pod=pod,
        id=text(record, "id") or "",
        kind="rds_server",
        name=text(record, "name") or "",
        dns_name=text(record, "dns_name"),
        pool_id=text(record, "farm_id"),
        state=text(record, "state"),
        agent_version=text(record, "agent_version"),
        agent_build=text(record, "agent_build_number"),
        operating_system=text(record, "operating_system"),
        user_names=[],
        power_state=None,
        operation_state=text(record, "operation_state"),
        base_vm_id=text(record, "base_vm_id"),
        base_snapshot_id=text(record, "base_vm_snapshot_id"),
        pending_base_vm_id=None,
        pending_base_snapshot_id=None,
        create_time=None,
        missing_in_vcenter=None,
        in_maintenance_mode=None,
        vcenter_id=None,
        vm_moid=None,
        vm_path=None,
        host_name=None,
        vm_vcenter=None,
        vm_moref=None,
        join="none",
        session_count=whole(record, "session_count"),
        max_sessions=whole(record, "max_sessions_count_configured"),
        max_sessions_type=text(record, "max_sessions_type_configured"),
    )


def session(pod: str, record: Any) -> Session:
    return Session(
        pod=pod,
        id=text(record, "id") or "",
        user_name=text(record, "user_name", "user_id"),
        machine_id=text(record, "machine_id", "rds_server_id"),
        pool_id=text(record, "desktop_pool_id"),
        farm_id=text(record, "farm_id"),
        session_type=text(record, "session_type"),
        state=text(record, "session_state"),
        protocol=text(record, "session_protocol"),
        start_time=epoch_ms(record, "start_time"),
        disconnected_time=epoch_ms(record, "disconnected_time"),
        idle_duration_minutes=whole(record, "idle_duration"),
    )


def connection_server(pod: str, record: Any) -> ConnectionServer:
    services = dig(record, "services")
    return ConnectionServer(
        pod=pod,
        id=text(record, "id") or "",
        name=text(record, "name") or "",
        status=text(record, "status"),
        version=text(record, "details.version"),
        build=text(record, "details.build"),
        certificate_valid=flag(record, "certificate.valid"),
        certificate_valid_from=epoch_ms(record, "certificate.valid_from"),
        certificate_valid_to=epoch_ms(record, "certificate.valid_to"),
        services=[
            ServiceStatus(name=text(s, "service_name") or "", status=text(s, "status") or "")
            for s in (services if isinstance(services, list) else [])
            if isinstance(s, Mapping)
        ],
        default_certificate=flag(record, "default_certificate"),
        replications=replications(record),
    )


def replications(record: Any) -> list[Replication] | None:
    """``cs_replications_v2`` (monitor v4, with a message) or ``cs_replications`` (v1-v3);
    None when the answer has neither."""
    for key in ("cs_replications_v2", "cs_replications"):
        value = dig(record, key)
        if isinstance(value, list):
            return [
                Replication(
                    server_name=text(r, "server_name") or "",
                    status=text(r, "status"),
                    message=text(r, "message") or None,
                )
                for r in value
                if isinstance(r, Mapping)
            ]
    return None


def _list(value: Any) -> list[Any]:
    """A JSON list, or nothing when the server sent something else there."""
    return value if isinstance(value, list) else []


def horizon_vcenter(pod: str, config: Any, monitor: Any | None) -> HorizonVCenter:
    entries = [
        entry
        for key in ("connection_servers_v3", "connection_servers")
        for entry in _list(dig(monitor, key))
        if isinstance(entry, Mapping)
    ]
    statuses = [text(entry, "status") for entry in entries]
    verdicts = [v for e in entries if (v := flag(e, "certificate.valid")) is not None]
    expiries = [t for e in entries if (t := epoch_ms(e, "certificate.valid_to")) is not None]
    worst = next((s for s in statuses if s and s != "OK"), statuses[0] if statuses else None)
    return HorizonVCenter(
        pod=pod,
        id=text(config, "id") or "",
        name=text(config, "server_name", "display_name") or text(config, "id") or "",
        instance_uuid=text(config, "instance_uuid") or text(monitor, "details.instance_uuid"),
        version=text(config, "version") or text(monitor, "details.version"),
        build=text(monitor, "details.build"),
        enabled=flag(config, "enabled"),
        status=worst,
        certificate_valid=all(verdicts) if verdicts else None,
        certificate_valid_to=min(expiries, default=None),
    )


def gateway(pod: str, record: Any) -> Gateway:
    return Gateway(
        pod=pod,
        id=text(record, "id") or "",
        name=text(record, "name") or "",
        status=text(record, "status"),
        type=text(record, "details.type", "type"),
        version=text(record, "details.version", "version"),
        certificate_valid=flag(record, "gateway_certificate_health.valid"),
        certificate_days_left=whole(record, "gateway_certificate_health.days_before_expiry"),
        certificate_problems=_words(dig(record, "gateway_certificate_health.invalid_reasons")),
        service_errors=[
            f"{text(e, 'service_name') or '?'}: {text(e, 'error_code') or '?'}"
            for e in _list(dig(record, "service_error_infos"))
            if isinstance(e, Mapping)
        ],
        internal=flag(record, "details.internal"),
    )


def _words(value: Any) -> list[str]:
    """Text items of a list, or one text (the specs type some reasons lists as a string)."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [item for item in _list(value) if isinstance(item, str) and item.strip()]


def event_database(pod: str, record: Any) -> EventDatabase:
    return EventDatabase(
        pod=pod,
        status=text(record, "status"),
        server_name=text(record, "details.server_name"),
        database_name=text(record, "details.database_name"),
        error=text(record, "error") or None,
    )
