"""The JSON report's records: which snapshot records it embeds, and its version pins its shape.

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

from fleetreport.health.build import REPORT_SCHEMA_VERSION
from fleetreport.health.report_model import HealthReport
from fleetreport.health.report_schema import shipped_report_schema_text

SNAPSHOT_MODEL = "fleetreport.snapshot.model"

EMBEDDED_SNAPSHOT_RECORDS = {
    "ConnectionServer",
    "EventDatabase",
    "Gateway",
    "HorizonPod",
    "HorizonVCenter",
    "Host",
    "ServiceStatus",
    "Source",
    "VCenter",
}
"""Snapshot records the report still embeds as they are (to be replaced by report records)."""

REPORT_SHAPES = {1: "fcf73e5e13edb8e3eafd5bdda7b3d789db475cc4001d5c80e3e608f7cba4e32d"}
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


def test_the_report_embeds_no_snapshot_record_beyond_the_known_ones() -> None:
    embedded = {
        record.__name__
        for record in reachable_records(HealthReport)
        if record.__module__ == SNAPSHOT_MODEL
    }
    assert embedded == EMBEDDED_SNAPSHOT_RECORDS, (
        "a snapshot record entered (or left) the JSON report: give the report its own record"
        " (docs/health-model.md, 'The JSON report's records')"
    )


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
