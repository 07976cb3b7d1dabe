"""Stream-parse PropertyCollector results into plain values, without pyVmomi's deserializer.

pyVmomi builds a typed object for every XML element, which costs about 90% of a bulk read's
time (about 4.5 s of 5 s for 10,000 VMs). Requests are still serialized by pyVmomi and sent
over its session and connection pool; only the response of the two result-carrying calls
(RetrievePropertiesEx, ContinueRetrievePropertiesEx) is read here, incrementally, into plain
Python values. Faults are handed back to pyVmomi so they raise as the usual vim faults.
"""

from __future__ import annotations

import http.client
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, cast
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from pyVmomi import SoapAdapter

VIM = "{urn:vim25}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
CHUNK = 1 << 16


@dataclass(frozen=True)
class MoRef:
    """A managed object reference as plain data."""

    type: str
    """Managed object type, e.g. ``VirtualMachine``."""
    value: str
    """Its id, e.g. ``vm-42``."""


@dataclass(frozen=True)
class RawObject:
    """One ObjectContent: the object, its properties, and the properties it could not read."""

    obj: MoRef
    properties: dict[str, Any]
    missing: dict[str, str]
    """Property path -> fault type name (e.g. ``NoPermission``)."""


@dataclass
class Page:
    """One page of results, and the token for the next one (None when complete)."""

    objects: list[RawObject]
    token: str | None = None


def invoke_result_call(
    stub: Any, managed_object: Any, method: Any, args: list[Any], count: Callable[[], None]
) -> Page:
    """Call ``method`` (a pyVmomi ManagedMethod) and stream-parse its RetrieveResult."""
    info = method.info
    body = stub.SerializeRequest(managed_object, info, args)
    headers = {
        "Cookie": stub.cookie,
        "SOAPAction": stub.versionId,
        "Content-Type": "text/xml; charset=UTF-8",
        "Accept-Encoding": "gzip, deflate",
        "User-Agent": "fleetreport (pyvmomi)",
    }
    count()
    connection = stub.GetConnection()
    try:
        connection.request("POST", stub.path, body, headers)
        response = connection.getresponse()
        chunks = _decoded_chunks(response)
        if response.status == 500:
            fault = SoapAdapter.SoapResponseDeserializer(stub).Deserialize(
                io.BytesIO(b"".join(chunks)), info.result
            )
            stub.ReturnConnection(connection)
            raise fault
        if response.status != 200:
            response.read()
            raise http.client.HTTPException(f"{response.status} {response.reason}")
        page = parse_retrieve_result(chunks)
        response.read()
    except BaseException:
        connection.close()
        stub.DropConnections()
        raise
    stub.ReturnConnection(connection)
    return page


def _decoded_chunks(response: http.client.HTTPResponse) -> Iterator[bytes]:
    encoding = (response.getheader("Content-Encoding") or "identity").lower()
    if encoding == "gzip":
        decoder: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = zlib.decompressobj()
    else:
        decoder = None
    while chunk := response.read(CHUNK):
        yield decoder.decompress(chunk) if decoder else chunk
    if decoder:
        yield decoder.flush()


def parse_retrieve_result(chunks: Iterator[bytes]) -> Page:
    """Parse a RetrievePropertiesEx / ContinueRetrievePropertiesEx response body."""
    parser: XMLPullParser[Element] = XMLPullParser(events=("end",))
    page = Page(objects=[])
    first = True
    for chunk in chunks:
        if first and (b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk):
            raise ParseError("document type declarations are not accepted in SOAP")
        first = False
        parser.feed(chunk)
        _drain(parser, page)
    parser.close()
    _drain(parser, page)
    return page


def _drain(parser: XMLPullParser[Element], page: Page) -> None:
    events = cast(Iterator[tuple[str, Any]], parser.read_events())
    for _, element in events:
        if not isinstance(element, Element):
            continue
        if element.tag == f"{VIM}objects":
            page.objects.append(_object_content(element))
            element.clear()
        elif element.tag == f"{VIM}token":
            page.token = element.text or None


def _object_content(element: Element) -> RawObject:
    obj = None
    properties: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for child in element:
        tag = child.tag
        if tag == f"{VIM}obj":
            obj = MoRef(child.get("type") or "", child.text or "")
        elif tag == f"{VIM}propSet":
            name = child.findtext(f"{VIM}name") or ""
            value = child.find(f"{VIM}val")
            properties[name] = convert(value) if value is not None else None
        elif tag == f"{VIM}missingSet":
            fault = child.find(f"{VIM}fault/{VIM}fault")
            fault_type = _local(fault.get(XSI_TYPE) or "") if fault is not None else ""
            missing[child.findtext(f"{VIM}path") or ""] = fault_type or "unknown"
    if obj is None:
        raise ParseError("ObjectContent without obj")
    return RawObject(obj, properties, missing)


def convert(element: Element) -> Any:
    """A SOAP value as plain Python: scalars by xsi:type, MoRef, lists for ArrayOf*, dicts."""
    xsi_type = _local(element.get(XSI_TYPE) or "")
    mo_type = element.get("type")
    if xsi_type == "ManagedObjectReference" or (mo_type is not None and len(element) == 0):
        return MoRef(mo_type or "", element.text or "")
    if xsi_type.startswith("ArrayOf"):
        return [convert(child) for child in element]
    if len(element) == 0:
        return _scalar(xsi_type, element.text or "")
    grouped: dict[str, list[Any]] = {}
    for child in element:
        grouped.setdefault(_local(child.tag), []).append(convert(child))
    # An unwrapped array inside a complex type (rootSnapshotList) with one item looks like a
    # single value; readers normalise such fields with as_list().
    fields = {name: values[0] if len(values) == 1 else values for name, values in grouped.items()}
    if xsi_type:
        fields["_type"] = xsi_type
    return fields


def as_list(value: Any) -> list[Any]:
    """A field that may hold one item, several, or none, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_bool(value: Any) -> bool | None:
    """A boolean, typed or (inside a complex value, untyped) as text; None for anything else."""
    if isinstance(value, bool):
        return value
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    return None


def as_time(value: Any) -> datetime | None:
    """A time, typed or (inside a complex value, untyped) as xsd:dateTime text, in UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            return parse_soap_time(value)
        except ValueError:
            return None
    return None


def _scalar(xsi_type: str, text: str) -> Any:
    if xsi_type in ("int", "long", "short", "byte"):
        return int(text)
    if xsi_type == "boolean":
        return text in ("true", "1")
    if xsi_type in ("float", "double"):
        return float(text)
    if xsi_type == "dateTime":
        return parse_soap_time(text)
    return text


def parse_soap_time(text: str) -> datetime:
    """xsd:dateTime, as vCenter writes it (``2026-10-01T08:00:00.123Z``), in UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@lru_cache(maxsize=4096)
def _local(name: str) -> str:
    """``{urn:vim25}name`` or ``xsd:int`` -> ``name`` / ``int``. Cached: a page repeats a few
    hundred tag and type names a million times (10-20% of the parse); bounded, since the names
    come from the server."""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
