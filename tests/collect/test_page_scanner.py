"""The fast reader of result pages: the exact parser's values, or the page left to the exact parser.

Every case compares ``read_page`` with ``parse_retrieve_result`` fed in small chunks: the same
token, objects, property values and property order, or the same error. Each case also says
whether the fast reader reads the page itself or leaves it, so a change that quietly sends
every page to the exact parser (or reads one it should not) fails here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from support.vcsim import VcsimServer, start_vcsim

from fleetreport.collect.vcenter import page_scanner, property_reader
from fleetreport.collect.vcenter.inventory import CLUSTER_PROPERTIES, PROPERTIES_BY_TYPE
from fleetreport.collect.vcenter.page_scanner import read_page, scan_page
from fleetreport.collect.vcenter.soap_stream import MoRef, Page, Received, parse_retrieve_result

XSI = "http://www.w3.org/2001/XMLSchema-instance"
VCENTER_ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"'
    ' xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"'
    f' xmlns:xsi="{XSI}">\n<soapenv:Body>\n'
)


def page(
    objects: str,
    *,
    token: str | None = "42",  # noqa: S107 (a continuation token, not a password)
    response: str = "RetrievePropertiesExResponse",
    envelope: str = VCENTER_ENVELOPE,
) -> bytes:
    """A result page as vCenter lays it out around ``objects``."""
    head = f"<token>{token}</token>" if token is not None else ""
    return (
        f'{envelope}<{response} xmlns="urn:vim25"><returnval>{head}{objects}</returnval>'
        f"</{response}>\n</soapenv:Body>\n</soapenv:Envelope>"
    ).encode()


def simulator_leaf(name: str, xsi: str, text: str, reference: str | None = None) -> str:
    """A property as govmomi's simulator writes it: xsi declared on the value itself."""
    kind = f' type="{reference}"' if reference else ""
    return (
        f'<propSet><name>{name}</name><val xmlns:XMLSchema-instance="{XSI}"'
        f' XMLSchema-instance:type="{xsi}"{kind}>{text}</val></propSet>'
    )


def vcenter_leaf(name: str, xsi: str, text: str, reference: str | None = None) -> str:
    """A property as vCenter writes it: the envelope's xsi prefix."""
    kind = f' type="{reference}"' if reference else ""
    return f'<propSet><name>{name}</name><val xsi:type="{xsi}"{kind}>{text}</val></propSet>'


def vm(number: int, *properties: str) -> str:
    return f'<objects><obj type="VirtualMachine">vm-{number}</obj>{"".join(properties)}</objects>'


SCALARS = [
    ("name", "xsd:string", "desk-01 é \U0001f600 > x"),
    ("config.hardware.numCPU", "xsd:int", "4"),
    ("config.hardware.memoryMB", "xsd:long", "8192"),
    ("config.template", "xsd:boolean", "false"),
    ("summary.quickStats.overallCpuUsage", "xsd:short", "-3"),
    ("ratio", "xsd:double", "0.25"),
    ("runtime.bootTime", "xsd:dateTime", "2026-10-01T08:00:00.123456Z"),
    ("runtime.powerState", "VirtualMachinePowerState", "poweredOn"),
    ("config.annotation", "xsd:string", ""),
    ("triggeredAlarmState", "ArrayOfAlarmState", ""),
]
COMPLEX = (
    '<propSet><name>customValue</name><val xsi:type="ArrayOfCustomFieldValue">'
    '<CustomFieldValue xsi:type="CustomFieldStringValue"><key>101</key><value>pool-a</value>'
    "</CustomFieldValue></val></propSet>"
    '<propSet><name>datastore</name><val xsi:type="ArrayOfManagedObjectReference">'
    '<ManagedObjectReference type="Datastore">datastore-1</ManagedObjectReference>'
    '<ManagedObjectReference type="Datastore">datastore-2</ManagedObjectReference></val></propSet>'
)
MISSING = (
    '<missingSet><path>guest.ipAddress</path><fault><fault xsi:type="NoPermission">'
    "<privilegeId>System.Read</privilegeId></fault></fault></missingSet>"
)


def simulator_page() -> bytes:
    leaves = [simulator_leaf(*scalar) for scalar in SCALARS]
    leaves.append(simulator_leaf("parent", "ManagedObjectReference", "group-v3", "Folder"))
    simulator_complex = COMPLEX.replace("xsi:type", "XMLSchema-instance:type").replace(
        "<val XMLSchema", f'<val xmlns:XMLSchema-instance="{XSI}" XMLSchema'
    )
    return page(vm(1, *leaves, simulator_complex) + vm(2, *leaves[:3]))


def vcenter_page() -> bytes:
    leaves = [vcenter_leaf(*scalar) for scalar in SCALARS]
    leaves += [
        vcenter_leaf("runtime.host", "ManagedObjectReference", "host-9", "HostSystem"),
        '<propSet><name>parent</name><val type="Folder">group-v3</val></propSet>',
        "<propSet><name>untyped</name><val>text</val></propSet>",
        '<propSet><name>empty</name><val xsi:type="ArrayOfString"/></propSet>',
    ]
    return page(vm(1, leaves[0], COMPLEX, *leaves[1:], MISSING) + vm(2), token=None)


def chunks(data: bytes, size: int = 61) -> Iterator[bytes]:
    return (data[start : start + size] for start in range(0, len(data), size))


def outcome(read: Callable[[], Page]) -> tuple[Any, ...]:
    """A page as plain data, the order of properties and fields included, or its error."""
    try:
        result = read()
    except Exception as error:
        return ("error", type(error), str(error))
    return (
        result.token,
        [
            (record.obj, repr(record.properties), repr(record.missing))  # order at every depth
            for record in result.objects
        ],
    )


def assert_read_as_exactly(data: bytes, *, scanned: bool) -> None:
    """``read_page`` gives what the exact parser gives; the fast reader read it or left it,
    whole or in runs of a few objects (pieces of 7 bytes, runs from 64 bytes)."""
    exact = outcome(lambda: parse_retrieve_result(chunks(data)))
    for pieces, run_bytes in (([data], page_scanner.RUN_BYTES), (list(chunks(data, 7)), 64)):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(page_scanner, "RUN_BYTES", run_bytes)
            assert (scan_page(pieces) is not None) is scanned
            fast = outcome(partial(read_page, Received(list(pieces), "identity")))
        assert fast == exact


def test_pages_as_the_simulator_and_vcenter_write_them_are_read_fast_and_exact() -> None:
    for data in (simulator_page(), vcenter_page()):
        assert_read_as_exactly(data, scanned=True)
    first, second = read_page(Received([vcenter_page()], "identity")).objects
    assert first.properties["name"] == "desk-01 é \U0001f600 > x"
    assert first.properties["config.hardware.numCPU"] == 4
    assert first.properties["runtime.host"] == MoRef("HostSystem", "host-9")
    assert first.properties["parent"] == MoRef("Folder", "group-v3")
    assert first.properties["empty"] == [] and first.properties["untyped"] == "text"
    assert first.properties["datastore"][1] == MoRef("Datastore", "datastore-2")
    assert list(first.properties)[:2] == ["name", "customValue"]  # document order kept
    assert first.missing == {"guest.ipAddress": "NoPermission"}
    assert second.properties == {}


def test_a_value_read_again_later_in_the_object_keeps_its_first_place() -> None:
    twice = vm(
        1,
        vcenter_leaf("a", "xsd:string", "1"),
        COMPLEX,
        vcenter_leaf("customValue", "xsd:string", "leaf"),
        vcenter_leaf("a", "xsd:string", "2"),
    )
    assert_read_as_exactly(page(twice), scanned=True)


SCANNED_CASES = {
    "a reference in a value, not the shape": vm(1, vcenter_leaf("n", "xsd:string", "R&amp;D")),
    "a character reference": vm(1, vcenter_leaf("n", "xsd:string", "caf&#233;")),
    "space between properties": vm(1, " \n", vcenter_leaf("n", "xsd:int", "1"), "\t"),
    "a property without a value": vm(1, "<propSet><name>unset</name></propSet>"),
    "a self-closed value with a type": vm(1, '<propSet><name>e</name><val type="X"/></propSet>'),
    "an object without properties": vm(1),
    "custom fields without a type": vm(
        1,
        '<propSet><name>customValue</name><val xsi:type="ArrayOfCustomFieldValue">'
        "<CustomFieldValue><key>1</key><value>a</value></CustomFieldValue>"
        '<CustomFieldValue xsi:type=""><key></key><value></value></CustomFieldValue>'
        "</val></propSet>",
    ),
    "a reference in an array with a character reference": vm(
        1,
        '<propSet><name>datastore</name><val xsi:type="ArrayOfManagedObjectReference">'
        '<ManagedObjectReference type="Datastore">ds&#45;1</ManagedObjectReference>'
        "</val></propSet>",
    ),
    "a type attribute of another namespace": vm(
        1, '<propSet><name>n</name><val xmlns:q="urn:other" q:type="xsd:int">1</val></propSet>'
    ),
}


@pytest.mark.parametrize("objects", SCANNED_CASES.values(), ids=SCANNED_CASES.keys())
def test_unusual_but_plain_shapes_are_read_fast_and_exact(objects: str) -> None:
    assert_read_as_exactly(page(objects), scanned=True)


def test_a_continuation_page_and_a_last_page_without_token() -> None:
    body = vm(1, vcenter_leaf("n", "xsd:int", "1"))
    assert_read_as_exactly(
        page(body, response="ContinueRetrievePropertiesExResponse"), scanned=True
    )
    assert_read_as_exactly(page(body, token=None), scanned=True)
    assert_read_as_exactly(page(body, token="a&amp;b"), scanned=True)
    assert_read_as_exactly(page(body, token=""), scanned=True)
    assert read_page(Received([page(body, token="a&amp;b")], "identity")).token == "a&b"


LEFT_CASES = {
    "an undefined entity": vm(1, vcenter_leaf("n", "xsd:string", "&bogus;")),
    "CDATA": vm(1, vcenter_leaf("n", "xsd:string", "<![CDATA[<x>]]>")),
    "a comment": vm(1, "<!-- c -->", vcenter_leaf("n", "xsd:int", "1")),
    "a processing instruction": vm(1, "<?pi x?>", vcenter_leaf("n", "xsd:int", "1")),
    "a carriage return": vm(1, vcenter_leaf("n", "xsd:string", "a\r\nb")),
    "a control character": vm(1, vcenter_leaf("n", "xsd:string", "a\x01b")),
    "a literal ]]>": vm(1, vcenter_leaf("n", "xsd:string", "a]]>b")),
    "U+FFFE": vm(1, vcenter_leaf("n", "xsd:string", "a\ufffeb")),
    "an unbound prefix": vm(1, '<propSet><name>n</name><val zz:type="xsd:int">1</val></propSet>'),
    "the xml prefix": vm(
        1, f'<propSet><name>n</name><val xmlns:xml="{XSI}" xml:type="xsd:int">1</val></propSet>'
    ),
    "a token inside an object": vm(
        1, "<propSet><name>t</name><val><token>7</token></val></propSet>"
    ),
    "a second reference inside an object": vm(1, '<obj type="HostSystem">host-1</obj>'),
    "an object inside an object": vm(1, vm(2)),
    "a prefixed object inside an object": vm(1, '<v:objects xmlns:v="urn:vim25"/>'),
    "a custom field typed as a reference": vm(
        1,
        '<propSet><name>customValue</name><val xsi:type="ArrayOfCustomFieldValue">'
        '<CustomFieldValue xsi:type="ManagedObjectReference"><key>1</key><value>a</value>'
        "</CustomFieldValue></val></propSet>",
    ),
    "custom fields in a value that is not an array": vm(
        1,
        '<propSet><name>customValue</name><val xsi:type="CustomFieldValue">'
        "<CustomFieldValue><key>1</key><value>a</value></CustomFieldValue></val></propSet>",
    ),
    "references in a value that is not an array": vm(
        1,
        '<propSet><name>datastore</name><val xsi:type="ManagedObjectReference">'
        '<ManagedObjectReference type="Datastore">ds-1</ManagedObjectReference></val></propSet>',
    ),
    "a custom field's type with an unbound prefix": vm(
        1,
        f'<propSet><name>customValue</name><val xmlns:a="{XSI}" a:type="ArrayOfCustomFieldValue">'
        '<CustomFieldValue b:type="CustomFieldStringValue"><key>1</key><value>a</value>'
        "</CustomFieldValue></val></propSet>",
    ),
    "space between objects": vm(1) + "\n" + vm(2),
    "a property between objects": vm(1) + vcenter_leaf("n", "xsd:int", "1") + vm(2),
    "a value its type does not allow": vm(1, vcenter_leaf("n", "xsd:int", "four")),
    "a time its type does not allow": vm(1, vcenter_leaf("n", "xsd:dateTime", "yesterday")),
    "an unclosed value": vm(1, "<propSet><name>n</name><val><x></val></propSet>"),
    "an object not closed": '<objects><obj type="VirtualMachine">vm-1</obj></objects><objects>',
}


@pytest.mark.parametrize("objects", LEFT_CASES.values(), ids=LEFT_CASES.keys())
def test_pages_out_of_the_shape_are_left_to_the_exact_parser(objects: str) -> None:
    assert_read_as_exactly(page(objects), scanned=False)


ENVELOPE_CASES = {
    "latin-1": page(vm(1, vcenter_leaf("n", "xsd:string", "caf\xe9")))
    .replace(b"UTF-8", b"ISO-8859-1")
    .replace("é".encode(), b"\xe9"),
    "latin-1 that reads as UTF-8": page(vm(1, vcenter_leaf("n", "xsd:string", "Ã©")))
    .replace(b"UTF-8", b"ISO-8859-1")
    .replace("Ã©".encode(), "é".encode()),
    "not UTF-8": page(vm(1, vcenter_leaf("n", "xsd:string", "x"))).replace(b">x<", b">\xff<"),
    "a DOCTYPE": b"<!DOCTYPE x>" + page(vm(1)).split(b"?>", 1)[1],
    "objects inside a comment": page("<!-- >" + vm(1) + "<!-- -->"),
    "objects inside CDATA": page("<![CDATA[" + vm(1) + "]]>"),
    "objects inside an attribute": page('<token a="' + vm(1) + '">7</token>', token=None),
    "objects outside the result": page(
        "", envelope=VCENTER_ENVELOPE.replace("\n", "").replace("Body>", 'Body xmlns="urn:vim25">')
    ).replace(
        b"<RetrievePropertiesExResponse", vm(1).encode() + b"<RetrievePropertiesExResponse", 1
    ),
    "a custom field's prefix bound elsewhere": page(
        vm(
            1,
            '<propSet><name>customValue</name><val xsi:type="ArrayOfCustomFieldValue">'
            '<CustomFieldValue q:type="CustomFieldStringValue"><key>1</key><value>a</value>'
            "</CustomFieldValue></val></propSet>",
        )
    ).replace(b"<soapenv:Body>", b'<soapenv:Body xmlns:q="urn:other">'),
    "an xsi prefix bound elsewhere": page(
        vm(1, '<propSet><name>n</name><val q:type="xsd:int">1</val></propSet>')
    ).replace(b"<soapenv:Body>", b'<soapenv:Body xmlns:q="urn:other">'),
    "objects in another default namespace": page(vm(1))
    .replace(b"<returnval>", b'<v:returnval xmlns:v="urn:vim25" xmlns="urn:other">')
    .replace(b"</returnval>", b"</v:returnval>"),
    "a prefixed object in the head": page(vm(2)).replace(
        b"<returnval>", b'<returnval><v:objects xmlns:v="urn:vim25"><v:obj>vm-1</v:obj></v:objects>'
    ),
    "a default namespace undone": page(vm(1)).replace(b"<returnval>", b'<returnval xmlns="">'),
    "no objects": page(""),
    "a token with children": page(vm(1), token="a<b/>c"),
    "not XML": b"<objects></objects>",
}


@pytest.mark.parametrize("data", ENVELOPE_CASES.values(), ids=ENVELOPE_CASES.keys())
def test_envelopes_out_of_the_shape_are_left_to_the_exact_parser(data: bytes) -> None:
    assert_read_as_exactly(data, scanned=False)


def test_a_soap_header_before_the_body_is_read_fast() -> None:
    data = page(vm(1)).replace(
        b"<soapenv:Body>", b"<soapenv:Header><x>1</x></soapenv:Header><soapenv:Body>"
    )
    assert_read_as_exactly(data, scanned=True)


@pytest.fixture(scope="module", params=["basic", "horizon8", "demo-vc01"])
def server(request: pytest.FixtureRequest) -> Iterator[VcsimServer]:
    with start_vcsim(request.param, page_size=25) as running:
        yield running


@pytest.mark.simulator
def test_every_page_of_a_simulated_inventory_is_read_fast_and_exact(
    server: VcsimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The collector's own retrieval, every page compared with the exact parser's reading."""
    bodies: list[bytes] = []
    real_read = property_reader.read_page

    def read(received: Received) -> Page:
        bodies.append(b"".join(received.decoded()))
        return real_read(Received([bodies[-1]], "identity"))

    monkeypatch.setattr(property_reader, "read_page", read)
    si = server.connect()
    property_reader.retrieve_inventory(
        si.content,
        PROPERTIES_BY_TYPE,
        page_size=25,
        count_round_trip=lambda: None,
        subtype_paths=CLUSTER_PROPERTIES,
    )
    assert len(bodies) > 1
    for body in bodies:
        assert_read_as_exactly(body, scanned=True)


def test_an_object_longer_than_a_run_may_be_is_left_to_the_exact_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(page_scanner, "RUN_BYTES", 64)
    monkeypatch.setattr(page_scanner, "RUN_LIMIT", 400)
    long_object = vm(1, *(vcenter_leaf(f"p{n}", "xsd:int", str(n)) for n in range(20)))
    data = page(vm(2) + long_object)
    assert scan_page(chunks(data, 7)) is None
    assert scan_page([page(vm(2) + vm(3))]) is not None
