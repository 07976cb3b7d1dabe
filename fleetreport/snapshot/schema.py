"""The snapshot's JSON Schema, derived from the typed model and its field docstrings.

The shipped ``snapshot.schema.json`` is this function's output; a test keeps the two equal.
Regenerate with
``python -m fleetreport.snapshot.schema > fleetreport/snapshot/snapshot.schema.json``.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import json
import types
import typing
from datetime import datetime
from importlib import resources
from typing import Any, Union, get_args, get_origin

from fleetreport.snapshot import model
from fleetreport.snapshot.store import SCHEMA_VERSION

SCHEMA_FILE = "snapshot.schema.json"


def field_docs(module: types.ModuleType) -> dict[str, dict[str, str]]:
    """Attribute docstrings (the string after each field) by class and field name."""
    tree = ast.parse(inspect.getsource(module))
    docs: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields: dict[str, str] = {}
        body = node.body
        for statement, following in itertools.pairwise(body):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                fields[statement.target.id] = following.value.value.strip()
        docs[node.name] = fields
    return docs


def build_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for the snapshot file."""
    return dataclass_schema(
        model.Snapshot,
        modules=(model,),
        title="fleetreport snapshot",
        schema_id=f"https://fleetreport.invalid/schemas/snapshot-{SCHEMA_VERSION}.json",
        version=SCHEMA_VERSION,
    )


def dataclass_schema(
    root_class: type,
    modules: tuple[types.ModuleType, ...],
    title: str,
    schema_id: str,
    version: int,
) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for a tree of frozen dataclasses whose root has a
    ``schema_version``; field descriptions come from the docstrings in ``modules``."""
    docs: dict[str, dict[str, str]] = {}
    for module in modules:
        docs.update(field_docs(module))
    definitions: dict[str, Any] = {}

    def schema_for(annotation: Any) -> dict[str, Any]:
        if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
            name = annotation.__name__
            if name not in definitions:
                definitions[name] = {}  # reserve the name before recursing
                definitions[name] = object_schema(annotation)
            return {"$ref": f"#/$defs/{name}"}
        origin = get_origin(annotation)
        if origin in (Union, types.UnionType):
            inner = next(arg for arg in get_args(annotation) if arg is not type(None))
            return {"anyOf": [schema_for(inner), {"type": "null"}]}
        if origin is list:
            return {"type": "array", "items": schema_for(get_args(annotation)[0])}
        if origin is dict:
            return {"type": "object", "additionalProperties": schema_for(get_args(annotation)[1])}
        if annotation is datetime:
            return {"type": "string", "format": "date-time"}
        if annotation is Any:
            return {}
        simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
        return {"type": simple[annotation]}

    def object_schema(cls: type) -> dict[str, Any]:
        hints = typing.get_type_hints(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for f in dataclasses.fields(cls):
            prop = schema_for(hints[f.name])
            description = docs.get(cls.__name__, {}).get(f.name)
            if description:
                prop = {"description": description, **prop}
            properties[f.name] = prop
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                required.append(f.name)
        return {
            "type": "object",
            "description": (cls.__doc__ or "").strip(),
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }

    root = object_schema(root_class)
    root["properties"]["schema_version"] = {
        "description": "Version of this file format.",
        "type": "integer",
        "minimum": 1,
        "maximum": version,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "title": title,
        **root,
        "$defs": dict(sorted(definitions.items())),
    }


def schema_text() -> str:
    """The schema as the shipped file holds it."""
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_schema_text() -> str:
    """The schema file shipped inside the package."""
    return resources.files("fleetreport.snapshot").joinpath(SCHEMA_FILE).read_text("utf-8")


if __name__ == "__main__":
    print(schema_text(), end="")
