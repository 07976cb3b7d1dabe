"""Frozen records made without their generated ``__init__``, for the rows made by the ten
thousand (a frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``)."""

from __future__ import annotations

from typing import Any, TypeVar

RecordT = TypeVar("RecordT")


def quick_record(cls: type[RecordT], **values: Any) -> RecordT:
    """A record made without its generated ``__init__``, which sets each field of a frozen
    dataclass through ``object.__setattr__`` (several microseconds for a desktop row, and a
    report makes one per desktop and finding): for the rows made by the ten thousand. Every
    field must be given by name (no defaults apply); tests compare it with the constructor."""
    fields = cls.__dataclass_fields__  # type: ignore[attr-defined]
    if len(values) != len(fields):
        raise TypeError(f"{cls.__name__} needs {', '.join(fields)}; got {', '.join(values)}")
    record = object.__new__(cls)
    record.__dict__.update(values)
    return record
