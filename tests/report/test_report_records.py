"""The JSON report's records: its own, never a snapshot's, and its version pins its shape.

Decision and reasons: docs/health-model.md, "The JSON report's records".
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import types
import typing
from typing import Any

import msgspec
from support.fleet_builders import NOW, POD, connection_server, fleet_snapshot, host
from support.infra_builders import infra_snapshot

from fleetreport.health import report_records
from fleetreport.health.build import REPORT_SCHEMA_VERSION, build_report
from fleetreport.health.record_copy import copy_record
from fleetreport.health.report_json import report_to_json
from fleetreport.health.report_model import HealthReport
from fleetreport.health.report_schema import shipped_report_schema_text
from fleetreport.snapshot import model as snapshot_model

REPORT_MODULES = {
    "fleetreport.health.report_model",
    "fleetreport.health.report_records",
    "fleetreport.health.usage_records",
}
"""Where the report's records are declared: every record it holds comes from one of these."""

REPORT_SHAPES = {
    1: "fcf73e5e13edb8e3eafd5bdda7b3d789db475cc4001d5c80e3e608f7cba4e32d",
    2: "e5062b453e5ac24a69528d1f4a23986df78bbe03ddbfae9a2ac634dc2478ea35",
    3: "5caa6402598b4627ed3e84e502aab15534cced05a277d26c85f0875592412afe",
    4: "246f8a20347195bd659bc28f947f0a44b7e3486fae08529ac26f8884955cea1f",
}
"""The structure fingerprint of the report schema, per report ``schema_version``."""


def reachable_records(root: type) -> set[type]:
    """Every dataclass a report field can hold, following lists, dicts and optionals."""
    found: set[type] = set()
    pending: list[Any] = [root]
    while pending:
        annotation = pending.pop()
        if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
            if annotation not in found:
                found.add(annotation)
                pending.extend(typing.get_type_hints(annotation).values())
        elif typing.get_origin(annotation) in (list, dict, typing.Union, types.UnionType):
            pending.extend(typing.get_args(annotation))
    return found


def shape(schema: Any) -> Any:
    """The schema without its prose (titles and descriptions): what a consumer's parser sees."""
    if isinstance(schema, dict):
        return {
            key: shape(value)
            for key, value in schema.items()
            if not (key in ("title", "description") and isinstance(value, str))
        }
    if isinstance(schema, list):
        return [shape(item) for item in schema]
    return schema


def fingerprint(schema: dict[str, Any]) -> str:
    """SHA-256 of the schema's shape, keys sorted."""
    text = json.dumps(shape(schema), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def foreign_records(root: type) -> set[str]:
    """The records a report rooted at ``root`` holds that are not the report's own."""
    return {
        f"{record.__module__}.{record.__name__}"
        for record in reachable_records(root)
        if record.__module__ not in REPORT_MODULES
    }


def test_the_report_embeds_no_snapshot_record() -> None:
    assert foreign_records(HealthReport) == set(), (
        "a record from outside the report's own modules entered the JSON report: give the"
        " report its own record (docs/health-model.md, 'The JSON report's records')"
    )


def test_the_guard_sees_a_snapshot_record_wherever_it_is_nested() -> None:
    grown = dataclasses.make_dataclass(
        "GrownReport",
        [
            ("report", HealthReport),
            ("hosts", list[snapshot_model.Host]),
            ("pods", dict[str, snapshot_model.HorizonPod | None]),
            ("source", snapshot_model.Source | None),
        ],
        frozen=True,
    )
    assert foreign_records(grown) == {
        "fleetreport.snapshot.model.Host",
        "fleetreport.snapshot.model.HostSensor",
        "fleetreport.snapshot.model.HorizonPod",
        "fleetreport.snapshot.model.Source",
        f"{grown.__module__}.GrownReport",
    }


def test_the_report_shape_changes_only_with_its_schema_version() -> None:
    schema = json.loads(shipped_report_schema_text())
    assert schema["properties"]["schema_version"]["maximum"] == REPORT_SCHEMA_VERSION
    assert fingerprint(schema) == REPORT_SHAPES.get(REPORT_SCHEMA_VERSION), (
        "the JSON report's records changed shape: raise REPORT_SCHEMA_VERSION and add its"
        " fingerprint to REPORT_SHAPES; if a snapshot field caused it, keep it out of the report"
        " (docs/health-model.md, 'The JSON report's records')"
    )


def test_the_fingerprint_ignores_prose_and_sees_a_new_field() -> None:
    schema = json.loads(shipped_report_schema_text())
    reworded = copy.deepcopy(schema)
    reworded["$defs"]["Host"]["description"] = "reworded"
    reworded["$defs"]["Host"]["properties"]["name"]["description"] = "reworded"
    grown = copy.deepcopy(schema)
    grown["$defs"]["Host"]["properties"]["rack"] = {"type": "string"}
    assert fingerprint(reworded) == fingerprint(schema)
    assert fingerprint(grown) != fingerprint(schema)


def grown(record: Any, **extra: Any) -> Any:
    """``record`` as an instance of a subclass of its type with ``extra`` fields: a snapshot
    record after a collector learnt something new."""
    cls = type(record)
    subclass = dataclasses.make_dataclass(
        cls.__name__,
        [(name, type(value), dataclasses.field(default=value)) for name, value in extra.items()],
        bases=(cls,),
        frozen=True,
    )
    values = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
    return subclass(**values, **extra)


def test_a_field_the_snapshot_gains_stays_out_of_the_copied_record() -> None:
    server = connection_server(
        "cs1", services=[grown(snapshot_model.ServiceStatus("BROKER_SERVICE", "UP"), rack="R1")]
    )
    copied = copy_record(report_records.ConnectionServer, grown(server, rack="R1"))
    assert type(copied) is report_records.ConnectionServer
    assert [type(s) for s in copied.services] == [report_records.ServiceStatus]
    assert msgspec.to_builtins(copied) == {
        **msgspec.to_builtins(server),
        "services": [{"name": "BROKER_SERVICE", "status": "UP"}],
    }
    assert "rack" not in msgspec.to_builtins(copied)


def every_record_grown(snapshot: snapshot_model.Snapshot) -> snapshot_model.Snapshot:
    """The snapshot with a ``rack`` field added to each of its sources and infrastructure
    records, and to each Connection Server's services."""
    servers = [
        grown(dataclasses.replace(s, services=[grown(v, rack="R1") for v in s.services]), rack="R1")
        for s in snapshot.connection_servers
    ]
    lists = ("sources", "vcenters", "hosts", "pods", "horizon_vcenters", "gateways")
    return dataclasses.replace(
        snapshot,
        connection_servers=servers,
        event_databases=[grown(d, rack="R1") for d in snapshot.event_databases],
        **{name: [grown(r, rack="R1") for r in getattr(snapshot, name)] for name in lists},
    )


def test_a_field_the_snapshot_gains_does_not_reach_the_json_report() -> None:
    snapshot = fleet_snapshot(
        hosts=[host("esx1.example.test", "host-9")],
        connection_servers=[connection_server("cs1")],
        pods=[snapshot_model.HorizonPod(POD, f"https://{POD}/rest", {"machines": "v10"}, "pod-1")],
        gateways=[snapshot_model.Gateway(POD, "gw-1", "uag1", "OK", "UAG", "2406", True)],
        event_databases=[snapshot_model.EventDatabase(POD, "CONNECTED", "sql1", "events")],
    )
    plain = build_report(snapshot, generated_at=NOW)
    report = build_report(every_record_grown(snapshot), generated_at=NOW)
    infrastructure = report.infrastructure
    copies = [
        *report.sources,
        *infrastructure.vcenters,
        *infrastructure.hosts,
        *infrastructure.pods,
        *infrastructure.connection_servers,
        *infrastructure.connection_servers[0].services,
        *infrastructure.horizon_vcenters,
        *infrastructure.gateways,
        *infrastructure.event_databases,
    ]
    assert {type(r).__name__ for r in copies} == {
        "Source",
        "VCenter",
        "Host",
        "HorizonPod",
        "ConnectionServer",
        "ServiceStatus",
        "HorizonVCenter",
        "Gateway",
        "EventDatabase",
    }
    assert all(type(r).__module__ == report_records.__name__ for r in copies)
    assert '"rack"' not in report_to_json(report)
    assert report_to_json(report) == report_to_json(plain)


def grown_deep(record: Any) -> Any:
    """``record`` and every record in its list fields, each with a ``rack`` field added."""
    nested = {
        f.name: [grown_deep(item) for item in value]
        for f in dataclasses.fields(record)
        if isinstance(value := getattr(record, f.name), list)
        and value
        and dataclasses.is_dataclass(value[0])
    }
    return grown(dataclasses.replace(record, **nested), rack="R1")


INFRASTRUCTURE_LISTS = (
    "hosts",
    "clusters",
    "datastores",
    "alarms",
    "pods",
    "connection_servers",
    "horizon_vcenters",
    "gateways",
    "event_databases",
    "ad_domains",
    "saml_authenticators",
    "true_sso",
    "federation_pods",
    "licenses",
)
"""The snapshot lists whose records (and the records nested in them) the report copies."""


def test_a_field_the_snapshot_gains_does_not_reach_the_new_infrastructure_records() -> None:
    snapshot = infra_snapshot()
    plain = build_report(snapshot, generated_at=NOW)
    every = {
        name: [grown_deep(r) for r in getattr(snapshot, name)] for name in INFRASTRUCTURE_LISTS
    }
    report = build_report(dataclasses.replace(snapshot, **every), generated_at=NOW)
    assert all(every[name] for name in INFRASTRUCTURE_LISTS)
    assert foreign_records(HealthReport) == set()
    assert '"rack"' not in report_to_json(report)
    assert report_to_json(report) == report_to_json(plain)
