"""Snapshot records copied into the report's own records, field by field by name."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable
from typing import Any, TypeVar

R = TypeVar("R")


def copy_records(record_type: type[R], records: Iterable[object]) -> list[R]:
    """Each snapshot record as the report's record of the same name (see ``copy_record``)."""
    return [copy_record(record_type, record) for record in records]


def copy_record(record_type: type[R], record: object, **derived: Any) -> R:
    """The report's ``record_type`` filled from a snapshot record, field by field by name.

    Only the fields the report record declares are read, so a field the snapshot gains stays
    out of the report until ``report_records`` declares it too. ``derived`` gives the fields the
    report computes itself (shares, counts), which the snapshot record does not have."""
    hints = typing.get_type_hints(record_type)
    values = {
        f.name: _copy_value(hints[f.name], getattr(record, f.name))
        for f in dataclasses.fields(typing.cast(Any, record_type))
        if f.name not in derived
    }
    return record_type(**values, **derived)


def _copy_value(annotation: Any, value: Any) -> Any:
    """``value`` as a report field of type ``annotation`` holds it: records copied, lists and
    dicts rebuilt, scalars as they are."""
    if value is None:
        return None
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return copy_record(annotation, value)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
        return _copy_value(inner, value)
    if origin is list:
        item = typing.get_args(annotation)[0]
        return [_copy_value(item, v) for v in value]
    if origin is dict:
        item = typing.get_args(annotation)[1]
        return {key: _copy_value(item, v) for key, v in value.items()}
    return value
