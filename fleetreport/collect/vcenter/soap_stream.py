"""Parse PropertyCollector results into plain values, without pyVmomi's deserializer.

pyVmomi builds a typed object for every XML element, which costs about 90% of a bulk read's
time (about 4.5 s of 5 s for 10,000 VMs). Requests are still serialized by pyVmomi and sent
over its session and connection pool; only the response of the two result-carrying calls
(RetrievePropertiesEx, ContinueRetrievePropertiesEx) is read here: received whole (so the next
page can be asked for from the token at its head), then parsed chunk by chunk into plain Python
values. Faults are handed back to pyVmomi so they raise as the usual vim faults.
"""

from __future__ import annotations

import http.client
import io
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, partial
from itertools import compress, repeat
from operator import attrgetter, itemgetter
from typing import Any
from xml.etree.ElementTree import Element, ParseError, XMLPullParser
from xml.parsers import expat
from xml.parsers.expat import ExpatError

from pyVmomi import SoapAdapter

VIM = "{urn:vim25}"
OBJECTS, TOKEN, OBJ, PROP_SET, MISSING_SET = (
    f"{VIM}{name}" for name in ("objects", "token", "obj", "propSet", "missingSet")
)
NAME, VAL, PATH, FAULT_TYPE_PATH = f"{VIM}name", f"{VIM}val", f"{VIM}path", f"{VIM}fault/{VIM}fault"
MO_REF = "ManagedObjectReference"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
CHUNK = 1 << 16
TAG_OBJECTS = "urn:vim25}objects"
TAG_CONTINUATION = "urn:vim25}token"
"""Element names as expat reports them with ``namespace_separator="}"``."""


@dataclass(frozen=True, slots=True)
class MoRef:
    """A managed object reference as plain data."""

    type: str
    """Managed object type, e.g. ``VirtualMachine``."""
    value: str
    """Its id, e.g. ``vm-42``."""


shared_reference = lru_cache(maxsize=4096)(MoRef)
"""A reference held in a value, made once: 10,000 VMs share a few hundred parents, pools, hosts
and datastores (time and memory); frozen, so sharing is safe; bounded, as the text is the
server's."""


@dataclass(frozen=True, slots=True)
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


@dataclass
class Received:
    """A result page's body as it came off the connection (still encoded), read to its end."""

    chunks: list[bytes]
    encoding: str
    """``Content-Encoding``: ``identity``, ``gzip`` or ``deflate``."""

    def decoded(self) -> Iterator[bytes]:
        """The body decoded, chunk by chunk; each raw chunk is let go once handed out."""
        decoder = _decoder(self.encoding)
        chunks = self.chunks
        chunks.reverse()
        while chunks:
            chunk = chunks.pop()
            yield decoder.decompress(chunk) if decoder else chunk
        if decoder:
            yield decoder.flush()

    def head_token(self) -> str | None:
        """The continuation token, read with a real XML parse of the body's head only.

        RetrieveResult declares ``token`` before ``objects`` (vim25 WSDL), so the parse stops at
        the first object. None when the head has no token or is not well-formed XML (the full
        parse then reports it).
        """
        reader = _HeadReader()
        decoder = _decoder(self.encoding)
        try:
            for chunk in self.chunks:
                reader.feed(decoder.decompress(chunk) if decoder else chunk)
        except _HeadRead:
            return reader.token
        except (ExpatError, ParseError, zlib.error):
            return None
        return None


class _HeadRead(Exception):
    """The head reader has seen what it needs."""


class _HeadReader:
    """Reads a RetrieveResult's token, stopping at the first object; refuses a DOCTYPE."""

    def __init__(self) -> None:
        self.token: str | None = None
        self._text: list[str] | None = None
        parser = _doctype_refusing_parser()
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        self._parser = parser

    def feed(self, data: bytes) -> None:
        self._parser.Parse(data, False)

    def _start(self, name: str, _: dict[str, str]) -> None:
        if name == TAG_OBJECTS:
            raise _HeadRead()
        if name == TAG_CONTINUATION:
            self._text = []

    def _characters(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def _end(self, name: str) -> None:
        if name == TAG_CONTINUATION and self._text is not None:
            self.token = "".join(self._text) or None
            raise _HeadRead()


def _doctype_refusing_parser() -> expat.XMLParserType:
    """An expat parser (element names as ``namespace}name``) that raises ParseError at a
    document type or entity declaration, so no entity can be declared, let alone expanded."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    return parser


def _refuse_doctype(*_: object) -> None:
    raise ParseError("document type declarations are not accepted in SOAP")


def receive_result_call(
    stub: Any, managed_object: Any, method: Any, args: list[Any], count: Callable[[], None]
) -> Received:
    """Call ``method`` (a pyVmomi ManagedMethod) and read its whole answer, unparsed.

    A SOAP fault raises as the vim fault; any other status than 200 as HTTPException.
    """
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
        encoding = (response.getheader("Content-Encoding") or "identity").lower()
        received = Received(list(iter(partial(response.read, CHUNK), b"")), encoding)
        if response.status == 500:
            fault = SoapAdapter.SoapResponseDeserializer(stub).Deserialize(
                io.BytesIO(b"".join(received.decoded())), info.result
            )
            stub.ReturnConnection(connection)
            raise fault
        if response.status != 200:
            raise http.client.HTTPException(f"{response.status} {response.reason}")
    except BaseException:
        connection.close()
        stub.DropConnections()
        raise
    stub.ReturnConnection(connection)
    return received


def _decoder(encoding: str) -> Any:
    if encoding == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    return None


def parse_retrieve_result(chunks: Iterable[bytes]) -> Page:
    """Parse a RetrievePropertiesEx / ContinueRetrievePropertiesEx response body.

    Fed chunk by chunk; each ObjectContent is turned into plain values, then dropped from
    the tree, as soon as it is complete. A document type declaration is refused before the
    tree builder sees it, so no entity can be declared, let alone expanded.
    """
    parser: XMLPullParser[Element] = XMLPullParser(events=("end",))
    guard = _PrologGuard()
    page = Page(objects=[])
    for chunk in chunks:
        guard.check(chunk)
        parser.feed(chunk)
        _drain(parser, page)
    parser.close()
    _drain(parser, page)
    return page


class _PrologGuard:
    """Parses the prolog (up to the root element) with its own parser to refuse a DOCTYPE."""

    def __init__(self) -> None:
        self.done = False
        parser = _doctype_refusing_parser()
        parser.StartElementHandler = self._root
        self._parser = parser

    def check(self, data: bytes) -> None:
        """Raise ParseError on a DOCTYPE; not well-formed XML is left to the tree builder."""
        if self.done:
            return
        try:
            self._parser.Parse(data, False)
        except (_HeadRead, ExpatError):
            self.done = True

    def _root(self, *_: object) -> None:
        raise _HeadRead()


def pending_events(parser: XMLPullParser[Element]) -> list[Any]:
    """The parser's pending events, taken at once.

    ``read_events()`` hands them out one by one through a Python generator: a page of 1,000
    VMs has about 90,000 elements, and that loop was a quarter of the page's parse. The queue it
    reads (``XMLPullParser._events_queue``, a deque of events and of the errors ``feed`` met,
    unchanged since Python 3.4) is emptied here in one step instead, errors raised as
    ``read_events`` raises them; a Python without it gets ``read_events``.
    """
    queue = getattr(parser, "_events_queue", None)
    if not isinstance(queue, deque):
        return list(parser.read_events())
    events = list(queue)
    queue.clear()
    if any(map(isinstance, events, repeat(BaseException))):
        raise next(event for event in events if isinstance(event, BaseException))
    return events


_element_of = itemgetter(1)
_tag_of = attrgetter("tag")
_WANTED = frozenset((OBJECTS, TOKEN)).__contains__


def _drain(parser: XMLPullParser[Element], page: Page) -> None:
    """Take the complete objects and the token out of the events so far (filtered in C)."""
    elements: list[Element] = list(map(_element_of, pending_events(parser)))
    for element in compress(elements, map(_WANTED, map(_tag_of, elements))):
        if element.tag == OBJECTS:
            page.objects.append(object_content(element))
            element.clear()
        else:
            page.token = element.text or None


def object_content(element: Element) -> RawObject:
    """One ObjectContent element as plain values (pages the scanner leaves, and the parts of
    objects outside its shape)."""
    obj = None
    properties: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for child in element:
        tag = child.tag
        if tag == PROP_SET:
            name = child.findtext(NAME) or ""
            found = child.find(VAL)
            properties[name] = convert(found) if found is not None else None
        elif tag == OBJ:
            obj = MoRef(child.get("type") or "", child.text or "")
        elif tag == MISSING_SET:
            fault = child.find(FAULT_TYPE_PATH)
            fault_type = _local(fault.get(XSI_TYPE) or "") if fault is not None else ""
            missing[child.findtext(PATH) or ""] = fault_type or "unknown"
    if obj is None:
        raise ParseError("ObjectContent without obj")
    return RawObject(obj, properties, missing)


def convert(element: Element) -> Any:
    """A SOAP value as plain Python: scalars by xsi:type, MoRef, lists for ArrayOf*, dicts."""
    xsi = element.get(XSI_TYPE)
    if not len(element):
        return leaf_value(xsi, element.get("type"), element.text or "")
    kind, xsi_type, _ = TYPE_PLANS.get(xsi) or type_plan(xsi)
    if kind is MO_REF_KIND:
        return shared_reference(element.get("type") or "", element.text or "")
    if kind is ARRAY_KIND:
        return [convert(child) for child in element]
    grouped: dict[str, list[Any]] = {}
    for child in element:
        grouped.setdefault(_local(child.tag), []).append(convert(child))
    # An unwrapped array inside a complex type (rootSnapshotList) with one item looks like a
    # single value; readers normalise such fields with as_list().
    fields = {name: values[0] if len(values) == 1 else values for name, values in grouped.items()}
    if xsi_type:
        fields["_type"] = xsi_type
    return fields


def leaf_value(xsi: str | None, reference_type: str | None, text: str) -> Any:
    """A value without child elements, from its raw ``xsi:type``, its ``type`` attribute (a
    reference's managed object type) and its text: a MoRef, an empty list for an empty
    ``ArrayOf*``, a typed scalar, or the text."""
    kind, _, scalar = TYPE_PLANS.get(xsi) or type_plan(xsi)
    if reference_type is not None or kind is MO_REF_KIND:
        return shared_reference(reference_type or "", text)
    if kind is ARRAY_KIND:
        return []
    if scalar is None:
        return text
    return scalar(text)


PLAIN_KIND, MO_REF_KIND, ARRAY_KIND = "plain", "moref", "array"
_TypePlan = tuple[str, str, Callable[[str], Any] | None]
TYPE_PLANS: dict[str | None, _TypePlan] = {}
"""Raw xsi:type attribute value -> (kind, local type name, scalar converter or None)."""
TYPE_PLANS_LIMIT = 4096
"""The attribute is server text: plans past this many are worked out each time, not kept."""


def type_plan(xsi: str | None) -> _TypePlan:
    """What ``convert`` does with a value of this raw xsi:type (None when there is none)."""
    xsi_type = _local(xsi) if xsi else ""
    if xsi_type == MO_REF:
        kind = MO_REF_KIND
    elif xsi_type.startswith("ArrayOf"):
        kind = ARRAY_KIND
    else:
        kind = PLAIN_KIND
    plan = (kind, xsi_type, _SCALARS.get(xsi_type))
    if len(TYPE_PLANS) < TYPE_PLANS_LIMIT:
        TYPE_PLANS[xsi] = plan
    return plan


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


def _boolean(text: str) -> bool:
    return text in ("true", "1")


_SCALARS: dict[str, Callable[[str], Any]] = {
    "int": int,
    "long": int,
    "short": int,
    "byte": int,
    "boolean": _boolean,
    "float": float,
    "double": float,
    "dateTime": parse_soap_time,
}
"""Converters of the xsd scalar types; any other type (string, enums) stays text."""
