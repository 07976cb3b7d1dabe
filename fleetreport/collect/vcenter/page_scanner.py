"""Read a result page in the shape vCenter sends it, a few times faster than building its tree.

Most of a page is one shape repeated: ``<propSet><name>N</name><val xsi:type="T">text</val>
</propSet>``. ElementTree makes three elements and an attribute dictionary for each, about
two thirds of a page's parse. This reader recognises exactly that shape, and an object's
start and end, with one regular expression; whatever else an object holds (nested values,
``missingSet``) is parsed by ElementTree, all of a page's at once, and converted as the exact
parser converts it; the envelope around the objects is parsed by expat.

It reads only what it is sure of. A page it does not recognise in full (another encoding, a
comment, CDATA, a processing instruction, a carriage return, a character XML forbids, a token
or an object inside an object, a namespace prefix it cannot place) is left to the exact parser
(``soap_stream.parse_retrieve_result``), which gives the same values or the same error: the
result is always the exact parser's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError, fromstring
from xml.parsers import expat
from xml.parsers.expat import ExpatError

from fleetreport.collect.vcenter.soap_stream import (
    ARRAY_KIND,
    CHUNK,
    MO_REF_KIND,
    TYPE_PLANS,
    MoRef,
    Page,
    RawObject,
    Received,
    object_content,
    parse_retrieve_result,
    shared_reference,
    type_plan,
)

XSI_URI = "http://www.w3.org/2001/XMLSchema-instance"
VIM_URI = "urn:vim25"
SOAP_ENVELOPE_URI = "http://schemas.xmlsoap.org/soap/envelope/"
_RESULT_PATHS = {
    (
        f"{SOAP_ENVELOPE_URI}}}Envelope",
        f"{SOAP_ENVELOPE_URI}}}Body",
        f"{VIM_URI}}}{response}",
        f"{VIM_URI}}}returnval",
    )
    for response in ("RetrievePropertiesExResponse", "ContinueRetrievePropertiesExResponse")
}
"""Where a page's objects are (expat's names): the only place this reader takes them from."""

_ATTRIBUTE_TEXT = r'[^"<&\t\n]*'
"""An attribute value that XML's attribute normalisation leaves as written (no tab, newline,
reference or markup; a carriage return is refused for the whole page)."""
_PREFIX = r"(?!xml(?:ns)?[=:])[A-Za-z_][A-Za-z0-9_.-]*"
"""A namespace prefix (ASCII; any other is left to the exact parser), but not ``xml`` or
``xmlns``, which only their own namespaces may have."""
_ITEM = re.compile(
    r"<propSet><name>(?P<name>[^<&]*)</name><val"
    r"(?: xmlns:(?P<declared>" + _PREFIX + r')="http://www\.w3\.org/2001/XMLSchema-instance"'
    r' (?P=declared):type="(?P<declared_type>' + _ATTRIBUTE_TEXT + r')"'
    r"| (?P<prefix>" + _PREFIX + r'):type="(?P<prefixed_type>' + _ATTRIBUTE_TEXT + r')")?'
    r'(?: type="(?P<reference_type>' + _ATTRIBUTE_TEXT + r')")?'
    r"(?:>(?P<text>[^<&]*)</val>|/>)</propSet>"
    r'|<objects><obj type="(?P<object_type>' + _ATTRIBUTE_TEXT + r')">(?P<object_id>[^<&]*)</obj>'
    r"|(?P<end></objects>)"
)
"""A property set of one leaf value; the start of an object with its reference; an object's end.
The value's type is ``xsi:type`` either declared on the value itself (govmomi's simulator) or
with a prefix bound to the XSI namespace on the envelope (vCenter); ``type`` names a reference's
managed object type."""
_ALLOWED_BYTES = bytes(range(0x20, 0x100)) + b"\t\n"
_REFUSED_MARKUP = re.compile(rb"<[!?]|\]\]>|\xef\xbf[\xbe\xbf]")


def _refused(objects: bytes) -> bool:
    """Whether the objects hold what is left to the exact parser: markup declarations,
    comments, CDATA, processing instructions, a carriage return (XML normalises it), a
    character XML forbids (control characters, U+FFFE, U+FFFF). Single bytes are looked for
    first (memchr), the patterns only where one is found."""
    if objects.translate(None, _ALLOWED_BYTES):
        return True  # a control character or a carriage return
    if any(marker in objects for marker in (b"!", b"?", b"]", b"\xef")):
        return _REFUSED_MARKUP.search(objects) is not None
    return False


_REFUSED_INSIDE_OBJECT = re.compile(r"</?(?:[^\s/>:]+:)?(?:objects|obj|token)[\s/>]")
"""Inside an object, outside the recognised shape: an object, an object's reference or a token
(the exact parser would take them wherever they are)."""


def _suspect(stretch: str) -> bool:
    """Whether a stretch inside an object holds an object, a reference or a token."""
    return ("obj" in stretch or "token" in stretch) and bool(_REFUSED_INSIDE_OBJECT.search(stretch))


def read_page(received: Received) -> Page:
    """A received result page, read by the fast reader when it recognises it, else exactly."""
    data = b"".join(received.decoded())
    return scan_page(data) or parse_retrieve_result(
        data[start : start + CHUNK] for start in range(0, len(data), CHUNK)
    )


def scan_page(data: bytes) -> Page | None:
    """The page, or None when it is not in a shape this reader is sure of."""
    first = data.find(b"<objects>")
    last = data.rfind(b"</objects>")
    if first < 0 or last < first:
        return None
    last += len(b"</objects>")
    envelope = _read_envelope(data[:first], data[last:])
    if envelope is None:
        return None
    objects_bytes = data[first:last]
    if _refused(objects_bytes):
        return None
    try:
        text = objects_bytes.decode("utf-8")
    except UnicodeDecodeError:
        return None
    del objects_bytes
    try:
        objects = _Scan(envelope).read(text)
    except ValueError:
        return None  # a value its type does not allow: the exact parser raises it, in order
    if objects is None:
        return None
    return Page(objects=objects, token=envelope.token)


@dataclass
class _Envelope:
    """What the envelope around the objects says: the token, and the namespaces in scope."""

    token: str | None = None
    namespaces: dict[str, str] = field(default_factory=dict)
    """Prefix ("" for the default) -> namespace, in scope where the objects are."""


class _EnvelopeReader:
    """Parses the envelope (the page without its objects) with expat, watching what it holds."""

    def __init__(self) -> None:
        self.path: list[str] = []
        self.bindings: dict[str, list[str]] = {}
        self.refused = False
        self.encoding: str | None = None
        self.tokens: list[str | None] = []
        self._token_text: list[str] | None = None
        parser = expat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        parser.StartNamespaceDeclHandler = self._declare
        parser.EndNamespaceDeclHandler = self._undeclare
        parser.XmlDeclHandler = self._declaration
        for refused in (
            "CommentHandler",
            "StartCdataSectionHandler",
            "ProcessingInstructionHandler",
            "StartDoctypeDeclHandler",
            "EntityDeclHandler",
            "SkippedEntityHandler",
        ):
            setattr(parser, refused, self._refuse)
        self.parser = parser

    def _start(self, name: str, _: dict[str, str]) -> None:
        if self._token_text is not None or name.endswith(("}objects", "}obj")):
            self.refused = True  # a token with children, or objects outside their place
        if name == f"{VIM_URI}}}token":
            self._token_text = []
        self.path.append(name)

    def _end(self, name: str) -> None:
        self.path.pop()
        if self._token_text is not None:
            self.tokens.append("".join(self._token_text) or None)
            self._token_text = None

    def _characters(self, data: str) -> None:
        if self._token_text is not None:
            self._token_text.append(data)

    def _declare(self, prefix: str | None, uri: str | None) -> None:
        self.bindings.setdefault(prefix or "", []).append(uri or "")

    def _undeclare(self, prefix: str | None) -> None:
        self.bindings[prefix or ""].pop()

    def _declaration(self, version: str, encoding: str | None, standalone: int) -> None:
        self.encoding = encoding

    def _refuse(self, *_: object) -> None:
        self.refused = True


def _read_envelope(head: bytes, tail: bytes) -> _Envelope | None:
    """The envelope's token and namespaces, if it is well-formed around the objects' place."""
    if not head.endswith(b">") or not tail.startswith(b"<"):
        return None  # the objects must sit between two tags, not in a tag or an attribute
    reader = _EnvelopeReader()
    try:
        reader.parser.Parse(head, False)
        if tuple(reader.path) not in _RESULT_PATHS:
            return None
        namespaces = {prefix: uris[-1] for prefix, uris in reader.bindings.items() if uris}
        reader.parser.Parse(tail, True)
    except (ExpatError, KeyError, IndexError):
        return None
    if reader.refused or reader.path:
        return None
    if reader.encoding is not None and reader.encoding.lower() != "utf-8":
        return None
    if namespaces.get("") != VIM_URI:
        return None
    return _Envelope(reader.tokens[-1] if reader.tokens else None, namespaces)


_Segment = dict[str, Any] | int
"""Part of an object's properties in document order: leaf values, or the number of a stretch
of other content parsed by ElementTree."""


class _Scan:
    """One pass of the item pattern over a page's objects."""

    def __init__(self, envelope: _Envelope) -> None:
        self.namespaces = envelope.namespaces
        self.xsi_prefixes = frozenset(
            prefix for prefix, uri in envelope.namespaces.items() if prefix and uri == XSI_URI
        )
        self.stretches: list[str] = []
        """Content of objects outside the recognised shape, parsed together at the end."""

    def read(self, text: str) -> list[RawObject] | None:
        objects: list[tuple[MoRef, list[_Segment]]] = []
        segments: list[_Segment] | None = None
        leaves: dict[str, Any] = {}
        position = 0
        xsi_prefixes = self.xsi_prefixes
        stretches = self.stretches
        plans, plan_of, reference = TYPE_PLANS, type_plan, shared_reference
        reference_kind, array_kind = MO_REF_KIND, ARRAY_KIND
        for item in _ITEM.finditer(text):
            start, end = item.span()
            if start != position:
                if segments is None:
                    return None  # something between objects
                segments.append(len(stretches))
                stretches.append(text[position:start])
                leaves = {}
                segments.append(leaves)
            position = end
            name, declared, declared_type, prefix, prefixed_type, reference_type, value, *rest = (
                item.groups()
            )
            if name is not None:
                # leaf_value, without the call (the hottest line of a collection)
                if declared is not None:
                    xsi = declared_type
                elif prefix is None:
                    xsi = None
                elif prefix in xsi_prefixes:
                    xsi = prefixed_type
                else:
                    return None  # not xsi:type: a prefix bound elsewhere, or not bound
                kind, _, scalar = plans.get(xsi) or plan_of(xsi)
                if reference_type is not None or kind is reference_kind:
                    leaves[name] = reference(reference_type or "", value or "")
                elif kind is array_kind:
                    leaves[name] = []
                elif scalar is None:
                    leaves[name] = value or ""
                else:
                    leaves[name] = scalar(value or "")
                if segments is None:
                    return None
            elif rest[2] is None:  # an object's start
                if segments is not None:
                    return None  # an object inside an object
                leaves = {}
                segments = [leaves]
                objects.append((MoRef(rest[0], rest[1]), segments))
            elif segments is None:
                return None
            else:
                segments = None
        if position != len(text) or segments is not None:
            return None
        if any(map(_suspect, stretches)):
            return None
        return self._assemble(objects)

    def _assemble(self, objects: list[tuple[MoRef, list[_Segment]]]) -> list[RawObject] | None:
        parsed = self._parse_stretches()
        if parsed is None:
            return None
        result: list[RawObject] = []
        for obj, segments in objects:
            if len(segments) == 1:
                result.append(RawObject(obj, segments[0], {}))  # type: ignore[arg-type]
                continue
            properties: dict[str, Any] = {}
            missing: dict[str, str] = {}
            for segment in segments:
                if isinstance(segment, dict):
                    properties.update(segment)
                else:
                    properties.update(parsed[segment].properties)
                    missing.update(parsed[segment].missing)
            result.append(RawObject(obj, properties, missing))
        return result

    def _parse_stretches(self) -> list[RawObject] | None:
        """Each stretch read as the content of an object, all in one ElementTree parse, in the
        namespaces in scope where the objects are."""
        if not self.stretches:
            return []
        declarations = "".join(
            f' xmlns:{prefix}="{_attribute(uri)}"' if prefix else f' xmlns="{_attribute(uri)}"'
            for prefix, uri in self.namespaces.items()
        )
        wrapped = (f'<objects><obj type="">-</obj>{part}</objects>' for part in self.stretches)
        document = "".join((f"<stretches{declarations}>", *wrapped, "</stretches>"))
        try:
            root = fromstring(document)  # noqa: S314 (no DTD, no entity: refused by _refused)
        except ParseError:
            return None
        if len(root) != len(self.stretches):
            return None
        return [object_content(element) for element in root]


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
