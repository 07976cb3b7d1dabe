"""Filtering, sorting and paging of list responses, as the Horizon REST guides describe.

Paging (Pagination and Filter Guide): ``page`` and ``size`` go together (either alone is a
400), both must be positive integers, ``size`` is at most 1000, a page past the end is a
400, and ``HAS_MORE_RECORDS: TRUE`` marks that more pages exist.

Filters: ``filter=`` URL-encoded JSON built from ``Equals``, ``NotEquals``, ``Contains``,
``StartsWith``, ``EndsWith``, ``Between`` (``from_value``/``to_value``), ``Not`` (``filter``),
``And``/``Or`` (``filters``), as the specs' ``*Filter`` schemas define them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

MAX_PAGE_SIZE = 1000


class ApiError(Exception):
    """An HTTP error answered with the Horizon-style error body."""

    def __init__(
        self, status: int, error_key: str, message: str, headers: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.status = status
        self.error_key = error_key
        self.message = message
        self.headers = headers or {}


def bad_request(key: str, message: str) -> ApiError:
    return ApiError(400, key, message)


_MISSING = object()


def _lookup(record: Any, dotted: str) -> Any:
    """Values at ``dotted`` (lists of objects are searched element-wise)."""
    values = [record]
    for part in dotted.split("."):
        nxt = []
        for v in values:
            if isinstance(v, dict) and part in v:
                nxt.append(v[part])
            elif isinstance(v, list):
                nxt.extend(e[part] for e in v if isinstance(e, dict) and part in e)
        values = nxt
    flat: list[Any] = []
    for v in values:
        flat.extend(v if isinstance(v, list) else [v])
    return flat


def _snake(name: str) -> str:
    return ".".join(
        re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", part).lower() for part in name.split(".")
    )


_OPERATORS = ("Equals", "NotEquals", "Contains", "StartsWith", "EndsWith", "Between")


def _validate(f: Any, fields: Mapping[str, frozenset[str]]) -> None:
    """The whole filter, before any record: every field filterable, with that operator."""
    if not isinstance(f, dict) or "type" not in f:
        raise bad_request("rest.filter.invalid", "every filter needs a 'type'")
    kind = f["type"]
    if kind in ("And", "Or"):
        subs = f.get("filters")
        if not isinstance(subs, list) or not subs:
            raise bad_request("rest.filter.invalid", "%s needs a non-empty 'filters' list" % kind)
        for sub in subs:
            _validate(sub, fields)
        return
    if kind == "Not":
        _validate(f.get("filter"), fields)
        return
    if kind not in _OPERATORS:
        raise bad_request("rest.filter.invalid", "unknown filter type %r" % kind)
    name = _check_name(f, fields)
    if kind not in fields[name]:
        raise bad_request(
            "rest.filter.unsupported.type",
            "filter type %r is not supported on field %r" % (kind, name),
        )


def _check_name(f: dict[str, Any], fields: Mapping[str, frozenset[str]]) -> str:
    name = f.get("name")
    if not isinstance(name, str) or not name:
        raise bad_request("rest.filter.invalid", "filter %r needs a 'name'" % f.get("type"))
    # The specs name one nested filter field in Java style ("managedMachineData.path"):
    # accept that spelling as well as the JSON one.
    name = name if name in fields else _snake(name)
    if name not in fields:
        raise bad_request(
            "rest.filter.unsupported.field", "field %r is not supported in filters" % name
        )
    return name


def _matches(record: dict[str, Any], f: Any, fields: Mapping[str, frozenset[str]]) -> bool:
    if not isinstance(f, dict) or "type" not in f:
        raise bad_request("rest.filter.invalid", "every filter needs a 'type'")
    kind = f["type"]
    if kind in ("And", "Or"):
        subs = f.get("filters")
        if not isinstance(subs, list) or not subs:
            raise bad_request("rest.filter.invalid", "%s needs a non-empty 'filters' list" % kind)
        results = [_matches(record, s, fields) for s in subs]
        return all(results) if kind == "And" else any(results)
    if kind == "Not":
        return not _matches(record, f.get("filter"), fields)
    name = _check_name(f, fields)
    values = _lookup(record, name)
    if kind == "Between":
        if "from_value" not in f or "to_value" not in f:
            raise bad_request("rest.filter.invalid", "Between needs from_value and to_value")
        lo, hi = f["from_value"], f["to_value"]
        try:
            return any(v is not None and lo <= v <= hi for v in values)
        except TypeError:
            raise bad_request(
                "rest.filter.invalid", "Between values do not compare with %r" % name
            ) from None
    value = f.get("value")
    if kind == "Equals":
        return value in values if values else value is None
    if kind == "NotEquals":
        return value not in values
    if kind in ("Contains", "StartsWith", "EndsWith"):
        if not isinstance(value, str):
            raise bad_request("rest.filter.invalid", "%s needs a string value" % kind)
        strs = [v for v in values if isinstance(v, str)]
        if kind == "Contains":
            return any(value in v for v in strs)
        if kind == "StartsWith":
            return any(v.startswith(value) for v in strs)
        return any(v.endswith(value) for v in strs)
    raise bad_request("rest.filter.invalid", "unknown filter type %r" % kind)


def apply_filter(
    records: list[dict[str, Any]], raw: str, fields: Mapping[str, frozenset[str]]
) -> list[dict[str, Any]]:
    """The records ``raw`` selects; ``fields``: each filterable field and its operators."""
    try:
        expr = json.loads(raw)
    except ValueError:
        raise bad_request("rest.filter.invalid", "filter is not valid JSON") from None
    _validate(expr, fields)
    return [r for r in records if _matches(r, expr, fields)]


def apply_sort(
    records: list[dict[str, Any]], sort_by: str | None, order_by: str | None, fields: frozenset[str]
):
    order = (order_by or "ASC").upper()
    if order not in ("ASC", "DESC"):
        raise bad_request("rest.sort.invalid", "order_by must be ASC or DESC")
    if not sort_by:
        return records
    if sort_by not in fields:
        raise bad_request("rest.sort.invalid", "cannot sort by %r" % sort_by)

    def key(r):
        vals = _lookup(r, sort_by)
        v = vals[0] if vals else None
        return (v is None, str(type(v)), v if v is not None else 0)

    return sorted(records, key=key, reverse=(order == "DESC"))


def _positive_int(query: dict[str, list[str]], name: str) -> int:
    raw = query[name][-1]
    try:
        n = int(raw)
    except ValueError:
        raise bad_request(
            "rest.pagination.invalid", "%s must be a number, got %r" % (name, raw)
        ) from None
    if n <= 0:
        raise bad_request("rest.pagination.invalid", "%s, if passed should be > 0" % name)
    return n


def paginate(
    records: list[Any], query: dict[str, list[str]], *, capped: bool, default_page_size: int
) -> tuple[list[Any], bool]:
    """Returns (page of records, has_more)."""
    has_page, has_size = "page" in query, "size" in query
    if not has_page and not has_size:
        if capped and len(records) > default_page_size:
            return records[:default_page_size], True
        return records, False
    if has_page != has_size:
        raise bad_request("rest.pagination.invalid", "page and size must be passed together")
    page = _positive_int(query, "page")
    size = _positive_int(query, "size")
    if size > MAX_PAGE_SIZE:
        raise bad_request("rest.pagination.invalid", "size must not exceed %d" % MAX_PAGE_SIZE)
    start = (page - 1) * size
    if page > 1 and start >= len(records):
        raise bad_request(
            "rest.pagination.page.out.of.range", "page %d is past the last page" % page
        )
    return records[start : start + size], start + size < len(records)
