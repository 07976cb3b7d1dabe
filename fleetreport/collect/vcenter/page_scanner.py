"""Read a result page in the shape vCenter sends it, about twice as fast as building its tree.

Most of a page is one shape repeated: ``<propSet><name>N</name><val xsi:type="T">text</val>
</propSet>``. ElementTree makes three elements and an attribute dictionary for each, most of a
page's parse. This reader recognises exactly that shape, a VM's arrays of references and of
custom field values, and an object's start and end, with one regular expression, run by run of
whole objects; whatever else an object holds (nested values, ``missingSet``, a value with a
character reference) is parsed by ElementTree, a run's at once, and converted as the exact
parser converts it; the envelope around the objects is parsed by expat.

It reads only what it is sure of. A page it does not recognise in full (another encoding, a
comment, CDATA, a processing instruction, a carriage return, a character XML forbids, a token
or an object inside an object, a namespace prefix it cannot place, a value its type refuses)
is left to the exact parser (``soap_stream.parse_retrieve_result``), which gives the same values
or the same error: the result is always the exact parser's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from xml.etree.ElementTree import ParseError, fromstring
from xml.parsers import expat
from xml.parsers.expat import ExpatError

from fleetreport.collect.vcenter.soap_stream import (
    ARRAY_KIND,
    MO_REF_KIND,
    PLAIN_KIND,
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


def _uncaptured(pattern: str) -> str:
    """The pattern with its capturing groups made non-capturing (to repeat it inside another)."""
    return re.sub(r"\((?!\?)", "(?:", pattern)


_REFERENCE = (
    r'<ManagedObjectReference type="(' + _ATTRIBUTE_TEXT + r')">([^<&]*)</ManagedObjectReference>'
)
_CUSTOM_FIELD = (
    r"<CustomFieldValue(?: (" + _PREFIX + r'):type="(' + _ATTRIBUTE_TEXT + r')")?>'
    r"<key>([^<&]*)</key><value>([^<&]*)</value></CustomFieldValue>"
)
_ITEM = re.compile(
    r"<propSet><name>(?P<name>[^<&]*)</name><val"
    r"(?:(?: xmlns:(?P<declared>" + _PREFIX + r')="http://www\.w3\.org/2001/XMLSchema-instance"'
    r" (?P=declared)| (?P<prefix>" + _PREFIX + r"))"
    r':type="(?P<xsi_type>' + _ATTRIBUTE_TEXT + r')")?'
    r'(?:(?: type="(?P<reference_type>' + _ATTRIBUTE_TEXT + r')")?(?:>(?P<text>[^<&]*)</val>|/>)'
    r"|>(?P<references>(?:" + _uncaptured(_REFERENCE) + r")+)</val>"
    r"|>(?P<fields>(?:" + _uncaptured(_CUSTOM_FIELD) + r")+)</val>)</propSet>"
    r'|<objects><obj type="(?P<object_type>' + _ATTRIBUTE_TEXT + r')">(?P<object_id>[^<&]*)</obj>'
    r"|(?P<end></objects>)"
)
"""A property set of one leaf value, of an array of references (a VM's datastores, networks) or
of an array of custom field values (``customValue``); the start of an object with its
reference; an object's end. The value's type is ``xsi:type`` either declared on the value
itself (govmomi's simulator) or with a prefix bound to the XSI namespace on the envelope
(vCenter); ``type`` names a reference's managed object type."""
_REFERENCES = re.compile(_REFERENCE)
_CUSTOM_FIELDS = re.compile(_CUSTOM_FIELD)
_ALLOWED_BYTES = bytes(range(0x20, 0x100)) + b"\t\n"
_REFUSED_MARKUP = re.compile(rb"<[!?]|\]\]>|\xef\xbf[\xbe\xbf]")


def _refused(run: bytes) -> bool:
    """Whether a run of objects holds what is left to the exact parser: markup declarations,
    comments, CDATA, processing instructions, a carriage return (XML normalises it), a
    character XML forbids (control characters, U+FFFE, U+FFFF). Single bytes are looked for
    first (in C), the patterns only where one is found."""
    if run.translate(None, _ALLOWED_BYTES):
        return True  # a control character or a carriage return
    if any(marker in run for marker in (b"!", b"?", b"]", b"\xef")):
        return _REFUSED_MARKUP.search(run) is not None
    return False


_REFUSED_INSIDE_OBJECT = re.compile(r"</?(?:[^\s/>:]+:)?(?:objects|obj|token)[\s/>]")
"""Inside an object, outside the recognised shape: an object, an object's reference or a token
(the exact parser would take them wherever they are)."""


def _suspect(stretch: str) -> bool:
    """Whether a stretch inside an object holds an object, a reference or a token."""
    return ("obj" in stretch or "token" in stretch) and bool(_REFUSED_INSIDE_OBJECT.search(stretch))


RUN_BYTES = 1 << 18
"""Objects are read in runs of whole objects of about this many bytes: a page is never held
twice (as bytes and as text), so the memory is the exact parser's."""
RUN_LIMIT = 1 << 23
"""An envelope head, or one object, longer than this is left to the exact parser."""
END_TAG = b"</objects>"


def read_page(received: Received) -> Page:
    """A received result page, read by the fast reader when it recognises it, else exactly."""
    pieces = list(received.decoded())
    return scan_page(pieces) or parse_retrieve_result(iter(pieces))


def scan_page(pieces: Iterable[bytes]) -> Page | None:
    """The page (its bytes in pieces), or None when it is not in a shape this reader is sure of."""
    envelope = _EnvelopeReader()
    scan: _Scan | None = None
    parts: list[bytes] = []
    size = 0
    try:
        for piece in pieces:
            parts.append(piece)
            size += len(piece)
            if size < RUN_BYTES:
                continue
            pending = b"".join(parts)
            if scan is None:
                scan, pending = _open(envelope, pending)
            elif (cut := pending.rfind(END_TAG)) >= 0:
                scan.feed(pending[: cut + len(END_TAG)])
                pending = pending[cut + len(END_TAG) :]
            if len(pending) > RUN_LIMIT:
                return None
            parts, size = [pending], len(pending)
        pending = b"".join(parts)
        if scan is None:
            scan, pending = _open(envelope, pending)
            if scan is None:
                return None  # no objects
        cut = pending.rfind(END_TAG)
        if cut >= 0:
            scan.feed(pending[: cut + len(END_TAG)])
            pending = pending[cut + len(END_TAG) :]
        token = envelope.close(pending)
        return Page(objects=scan.read, token=token)
    except _NotRecognised:
        return None
    except ValueError:
        return None  # a value its type does not allow: the exact parser raises it, in order


class _NotRecognised(Exception):
    """The page is not in a shape this reader is sure of: the exact parser reads it."""


def _open(envelope: _EnvelopeReader, pending: bytes) -> tuple[_Scan | None, bytes]:
    """The scan of the objects, once the envelope's head before them is in ``pending``."""
    first = pending.find(b"<objects>")
    if first < 0:
        return None, pending
    return _Scan(envelope.open(pending[:first])), pending[first:]


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

    def open(self, head: bytes) -> dict[str, str]:
        """Parse the envelope up to the objects; the namespaces in scope there."""
        try:
            self.parser.Parse(head, False)
        except ExpatError:
            raise _NotRecognised from None
        if tuple(self.path) not in _RESULT_PATHS:
            raise _NotRecognised
        namespaces = {prefix: uris[-1] for prefix, uris in self.bindings.items() if uris}
        if namespaces.get("") != VIM_URI:
            raise _NotRecognised
        return namespaces

    def close(self, tail: bytes) -> str | None:
        """Parse the envelope after the objects; the page's token.

        The tail must start with a tag: a head that ended inside a tag or an attribute value
        (the objects then being part of it) cannot go on with ``<`` and be well-formed; one that
        ended inside a comment, CDATA or a processing instruction is refused when expat reports
        it.
        """
        if not tail.startswith(b"<"):
            raise _NotRecognised
        try:
            self.parser.Parse(tail, True)
        except (ExpatError, KeyError, IndexError):
            raise _NotRecognised from None
        if self.refused or self.path:
            raise _NotRecognised
        if self.encoding is not None and self.encoding.lower() != "utf-8":
            raise _NotRecognised
        return self.tokens[-1] if self.tokens else None


_Segment = dict[str, Any] | int
"""Part of an object's properties in document order: leaf values, or the number of a stretch
of other content parsed by ElementTree."""
_ObjectParts = tuple[MoRef, dict[str, Any], list[_Segment]]
"""An object's reference, its first leaves, and its parts after them."""


class _Scan:
    """The item pattern over a page's objects, run by run (each run of whole objects)."""

    def __init__(self, namespaces: dict[str, str]) -> None:
        self.namespaces = namespaces
        self.xsi_prefixes = frozenset(
            prefix for prefix, uri in namespaces.items() if prefix and uri == XSI_URI
        )
        self.read: list[RawObject] = []
        """The objects read so far, in the page's order."""

    def feed(self, run: bytes) -> None:
        """Read a run of whole objects (``<objects>`` ... ``</objects>``)."""
        if _refused(run):
            raise _NotRecognised
        try:
            text = run.decode("utf-8")
        except UnicodeDecodeError:
            raise _NotRecognised from None
        objects, stretches = self._items(text)
        if any(map(_suspect, stretches)):
            raise _NotRecognised
        parsed = self._parse_stretches(stretches)
        for obj, properties, rest in objects:
            # the first leaves, then each part in order: as if assigned one by one
            missing: dict[str, str] = {}
            for segment in rest:
                if isinstance(segment, dict):
                    properties.update(segment)
                else:
                    properties.update(parsed[segment].properties)
                    missing.update(parsed[segment].missing)
            self.read.append(RawObject(obj, properties, missing))

    def _items(self, text: str) -> tuple[list[_ObjectParts], list[str]]:
        """The objects of a run, each with its leaves and the numbers of its other stretches."""
        objects: list[_ObjectParts] = []
        stretches: list[str] = []
        segments: list[_Segment] | None = None
        leaves: dict[str, Any] = {}
        position = 0
        xsi_prefixes = self.xsi_prefixes
        plans, plan_of, reference = TYPE_PLANS, type_plan, shared_reference
        reference_kind, array_kind = MO_REF_KIND, ARRAY_KIND
        for item in _ITEM.finditer(text):
            start, stop = item.span()
            if start != position:
                if segments is None:
                    raise _NotRecognised  # something between objects
                segments.append(len(stretches))
                stretches.append(text[position:start])
                leaves = {}
                segments.append(leaves)
            position = stop
            # every group but the declared prefix (not needed: fewer strings made and dropped)
            (name, prefix, xsi, reference_type, value, references, fields) = item.group(
                1, 3, 4, 5, 6, 7, 8
            )
            if name is not None:
                if segments is None:
                    raise _NotRecognised  # a property outside an object
                # leaf_value, without the call (the hottest line of a collection)
                if prefix is not None and prefix not in xsi_prefixes:
                    raise _NotRecognised  # not xsi:type: a prefix bound elsewhere, or not bound
                kind, _, scalar = plans.get(xsi) or plan_of(xsi)
                if references is not None or fields is not None:
                    if kind is not array_kind:
                        raise _NotRecognised  # convert would read it as one complex value
                    leaves[name] = (
                        [reference(*pair) for pair in _REFERENCES.findall(references)]
                        if references is not None
                        else self._custom_fields(fields, item.group("declared"))
                    )
                elif reference_type is not None or kind is reference_kind:
                    leaves[name] = reference(reference_type or "", value or "")
                elif kind is array_kind:
                    leaves[name] = []
                elif scalar is None:
                    leaves[name] = value or ""
                else:
                    leaves[name] = scalar(value or "")
            elif item.group(11) is None:  # an object's start (one inside another ends unmatched)
                leaves = {}
                segments = []
                objects.append((MoRef(item.group(9), item.group(10)), leaves, segments))
            elif segments is None:
                raise _NotRecognised  # an end without a start
            else:
                segments = None
        # A run ends with a matched </objects> (where it was cut), so nothing is left over.
        return objects, stretches

    def _custom_fields(self, text: str, declared: str | None) -> list[dict[str, Any]]:
        """An array of CustomFieldValue as convert reads it: each a dict of its key and value
        (text), and its type when it has one."""
        values: list[dict[str, Any]] = []
        for prefix, xsi, key, value in _CUSTOM_FIELDS.findall(text):
            fields: dict[str, Any] = {"key": key, "value": value}
            if prefix:
                if prefix != declared and prefix not in self.xsi_prefixes:
                    raise _NotRecognised  # not xsi:type: a prefix bound elsewhere, or not bound
                kind, xsi_type, _ = TYPE_PLANS.get(xsi) or type_plan(xsi)
                if kind is not PLAIN_KIND:
                    raise _NotRecognised  # convert would read it as a reference or an array
                if xsi_type:
                    fields["_type"] = xsi_type
            values.append(fields)
        return values

    def _parse_stretches(self, stretches: list[str]) -> list[RawObject]:
        """Each stretch read as the content of an object, all in one ElementTree parse, in the
        namespaces in scope where the objects are."""
        if not stretches:
            return []
        declarations = "".join(
            f' xmlns:{prefix}="{_attribute(uri)}"' if prefix else f' xmlns="{_attribute(uri)}"'
            for prefix, uri in self.namespaces.items()
        )
        wrapped = (f'<objects><obj type="">-</obj>{part}</objects>' for part in stretches)
        document = "".join((f"<stretches{declarations}>", *wrapped, "</stretches>"))
        try:
            root = fromstring(document)  # noqa: S314 (no DTD, no entity: refused by _refused)
        except ParseError:
            raise _NotRecognised from None
        return [object_content(element) for element in root]


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
