"""Reading a snapshot file fast when it is well formed, with the exact decoder as the judge.

msgspec decodes JSON in C, but into dataclasses it lets unknown keys pass and keeps a time's
offset. So a file is first decoded against a strict *mirror* of the model (msgspec structs that
refuse unknown keys, and take a time only as text ending in ``Z``, as the snapshot writer puts
it), and the dataclasses are built from those structs (msgspec parses the times then, in C).
Anything the fast path cannot vouch for (a time written with an offset, a naive time, an unknown
key, a wrong type, JSON that msgspec refuses) returns None, and the caller runs the exact decoder
of :mod:`fleetreport.snapshot.codec`, which accepts what it accepted before and names the place
of any problem (``vms[3].boot_time: expected an ISO-8601 time``).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from functools import cache
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import msgspec

T = TypeVar("T")

_UTC_TIME = Annotated[str, msgspec.Meta(pattern="Z\\Z")]
"""A time as the writer puts it, in UTC with a ``Z``. A time with an offset (which the exact
decoder turns into UTC, and msgspec would keep) or without a zone goes to the exact decoder."""


def fast_decode(cls: type[T], raw: bytes) -> T | None:
    """``cls`` decoded from the JSON ``raw`` when the strict mirror accepts it; else None."""
    try:
        strict = msgspec.json.decode(raw, type=_mirror(typing.cast(Any, cls)))
        # Built from the structs' attributes, every field is set on the instance (a dataclass
        # decoded by msgspec directly leaves defaulted fields to the class, and msgspec's
        # encoder then omits them).
        return msgspec.convert(strict, type=cls, from_attributes=True)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None


@cache
def _mirror(annotation: Any) -> Any:
    """The msgspec type that accepts exactly what the exact decoder accepts for ``annotation``
    (a subset is enough: what it refuses goes to the exact decoder)."""
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return _mirror_struct(annotation)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return typing.Optional[_mirror(_only_member(annotation))]  # noqa: UP045 (built at runtime)
    if origin is list:
        return list[_mirror(get_args(annotation)[0])]  # type: ignore[misc]
    if origin is dict:
        return dict[str, _mirror(get_args(annotation)[1])]  # type: ignore[misc]
    if annotation is datetime:
        return _UTC_TIME
    if annotation in (str, int, float, bool) or annotation is Any:
        return annotation
    raise TypeError(f"no mirror for {annotation!r}")


def _mirror_struct(cls: type) -> Any:
    hints = typing.get_type_hints(cls)
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for field in dataclasses.fields(cls):
        kind = _mirror(hints[field.name])
        if field.default is not dataclasses.MISSING:
            fields.append((field.name, kind, field.default))
        elif field.default_factory is not dataclasses.MISSING:
            fields.append((field.name, kind, msgspec.field(default_factory=field.default_factory)))
        else:
            fields.append((field.name, kind))
    return msgspec.defstruct(
        f"Strict{cls.__name__}", fields, kw_only=True, forbid_unknown_fields=True
    )


def _only_member(annotation: Any) -> Any:
    members = [arg for arg in get_args(annotation) if arg is not type(None)]
    if len(members) != 1:
        raise TypeError(f"only X | None unions are supported, not {annotation!r}")
    return members[0]
