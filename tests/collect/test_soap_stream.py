"""The streaming PropertyCollector parser: plain values out of SOAP, faults as vim faults."""

from __future__ import annotations

import gzip
import zlib
from collections import deque
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

import pytest
from pyVmomi import vmodl
from support.vcsim import start_vcsim

from fleetreport.collect.vcenter.page_scanner import read_page
from fleetreport.collect.vcenter.soap_stream import (
    TYPE_PLANS,
    TYPE_PLANS_LIMIT,
    MoRef,
    Received,
    as_list,
    object_content,
    parse_retrieve_result,
    pending_events,
    receive_result_call,
    shared_reference,
)

RESPONSE = b"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>
<token>42</token>
<objects><obj type="VirtualMachine">vm-7</obj>
 <propSet><name>name</name><val xsi:type="xsd:string">a &lt;b&gt; &amp; \xe2\x80\xae</val></propSet>
 <propSet><name>config.hardware.numCPU</name><val xsi:type="xsd:int">4</val></propSet>
 <propSet><name>config.template</name><val xsi:type="xsd:boolean">false</val></propSet>
 <propSet><name>config.annotation</name><val xsi:type="xsd:string"></val></propSet>
 <propSet><name>runtime.bootTime</name><val xsi:type="xsd:dateTime">2026-10-01T08:00:00.123456789Z</val></propSet>
 <propSet><name>runtime.powerState</name><val xsi:type="VirtualMachinePowerState">poweredOn</val></propSet>
 <propSet><name>runtime.host</name><val type="HostSystem" xsi:type="ManagedObjectReference">host-9</val></propSet>
 <propSet><name>customValue</name><val xsi:type="ArrayOfCustomFieldValue">
   <CustomFieldValue xsi:type="CustomFieldStringValue"><key>101</key><value>alice</value></CustomFieldValue>
 </val></propSet>
 <propSet><name>snapshot</name><val xsi:type="VirtualMachineSnapshotInfo">
   <currentSnapshot type="VirtualMachineSnapshot">snapshot-2</currentSnapshot>
   <rootSnapshotList><snapshot type="VirtualMachineSnapshot">snapshot-1</snapshot><name>base</name>
     <createTime>2026-09-01T10:00:00Z</createTime>
     <childSnapshotList><snapshot type="VirtualMachineSnapshot">snapshot-2</snapshot><name>c</name>
       <createTime>2026-09-02T10:00:00Z</createTime></childSnapshotList>
   </rootSnapshotList></val></propSet>
 <missingSet><path>guest.ipAddress</path><fault><fault xsi:type="NoPermission"><privilegeId>System.Read</privilegeId></fault><localizedMessage></localizedMessage></fault></missingSet>
</objects>
</returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>"""


def test_values_come_out_plain_and_exact() -> None:
    chunks = [RESPONSE[i : i + 50] for i in range(0, len(RESPONSE), 50)]  # split anywhere
    page = parse_retrieve_result(iter(chunks))
    assert page.token == "42"
    (obj,) = page.objects
    assert obj.obj == MoRef("VirtualMachine", "vm-7")
    props = obj.properties
    assert props["name"] == "a <b> & \u202e"
    assert props["config.hardware.numCPU"] == 4
    assert props["config.template"] is False
    assert props["config.annotation"] == ""
    assert props["runtime.bootTime"] == datetime(2026, 10, 1, 8, 0, 0, 123456, tzinfo=UTC)
    assert props["runtime.powerState"] == "poweredOn"
    assert props["runtime.host"] == MoRef("HostSystem", "host-9")
    assert props["customValue"] == [
        {"key": "101", "value": "alice", "_type": "CustomFieldStringValue"}
    ]
    (root,) = as_list(props["snapshot"]["rootSnapshotList"])
    assert root["name"] == "base" and root["snapshot"] == MoRef(
        "VirtualMachineSnapshot", "snapshot-1"
    )
    assert as_list(root["childSnapshotList"])[0]["name"] == "c"
    assert obj.missing == {"guest.ipAddress": "NoPermission"}


def test_document_type_declarations_are_refused() -> None:
    from xml.etree.ElementTree import ParseError

    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(ParseError):
        parse_retrieve_result(iter([hostile]))


@pytest.mark.simulator
def test_a_fault_raises_as_the_vim_fault() -> None:
    with start_vcsim("basic") as server:
        si = server.connect()
        collector = si.content.propertyCollector
        calls: list[int] = []
        with pytest.raises(vmodl.fault.InvalidArgument):
            receive_result_call(
                collector._stub,
                collector,
                vmodl.query.PropertyCollector.ContinueRetrievePropertiesEx,
                ["no-such-token"],
                lambda: calls.append(1),
            )
        assert calls == [1]
        # the connection pool still works after the fault
        assert si.content.about.instanceUuid == server.instance_uuid


HOSTILE = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
    b' xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
    b'<soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>'
    b"<token>t&amp;1</token>"
    b'<objects><obj type="VirtualMachine">vm-1</obj>'
    b'<propSet><name>name</name><val xmlns:X="http://www.w3.org/2001/XMLSchema-instance"'
    b' X:type="xsd:string"><![CDATA[<x> & ]]>&#x1F600;&lt;/val&gt;\xc3\xa9</val></propSet>'
    b'<propSet><name>datastore</name><val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    b' xsi:type="ArrayOfManagedObjectReference">'
    b'<ManagedObjectReference type="Datastore" xsi:type="ManagedObjectReference">ds-1'
    b'</ManagedObjectReference><ManagedObjectReference type="Datastore">ds-2'
    b"</ManagedObjectReference></val></propSet>"
    b'<propSet><name>nested</name><val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    b' xsi:type="Outer"><list xsi:type="ArrayOfInner"><Inner xsi:type="Inner"><n xsi:type="xsd:long">'
    b"7</n><n>8</n></Inner><Inner><empty/></Inner></list><flag>true</flag>"
    b'<when xsi:type="xsd:dateTime">2026-01-02T03:04:05+02:00</when>'
    b'<ratio xsi:type="xsd:double">0.5</ratio><none xsi:type="ArrayOfString"/></val></propSet>'
    b"<propSet><name>unset</name></propSet>"
    b'<missingSet><path>config</path><fault><fault xmlns:xsi="http://www.w3.org/2001/XMLSchema-'
    b'instance" xsi:type="vim25:SecurityError"/></fault></missingSet>'
    b"<missingSet><path>guest</path><fault><localizedMessage>no</localizedMessage></fault>"
    b"</missingSet></objects>"
    b'<objects><obj type="HostSystem">host-&#49;</obj></objects>'
    b"</returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>"
)


def whole_document_reading(document: bytes) -> tuple[str | None, list[Any]]:
    """The reference: the whole document as one tree, each ObjectContent converted."""
    root = ElementTree.fromstring(document)  # noqa: S314 (the test's own document)
    token = root.findtext(".//{urn:vim25}token") or None
    objects = [object_content(element) for element in root.iter("{urn:vim25}objects")]
    return token, objects


@pytest.mark.parametrize("size", [1, 7, 64, 1000, len(HOSTILE)])
def test_reading_as_the_bytes_arrive_equals_reading_the_whole_document(size: int) -> None:
    chunks = [HOSTILE[i : i + size] for i in range(0, len(HOSTILE), size)]
    page = parse_retrieve_result(chunks)
    assert (page.token, page.objects) == whole_document_reading(HOSTILE)


def test_hostile_values_come_out_exact() -> None:
    page = parse_retrieve_result([HOSTILE])
    assert page.token == "t&1"
    vm, host = page.objects
    assert host.obj == MoRef("HostSystem", "host-1") and host.properties == {}
    assert vm.properties["name"] == "<x> & \U0001f600</val>\u00e9"
    assert vm.properties["datastore"] == [MoRef("Datastore", "ds-1"), MoRef("Datastore", "ds-2")]
    assert vm.properties["nested"] == {
        "list": [{"n": [7, "8"], "_type": "Inner"}, {"empty": ""}],
        "flag": "true",
        "when": datetime(2026, 1, 2, 1, 4, 5, tzinfo=UTC),
        "ratio": 0.5,
        "none": [],
        "_type": "Outer",
    }
    assert vm.properties["unset"] is None
    assert vm.missing == {"config": "SecurityError", "guest": "unknown"}


@pytest.mark.parametrize(
    "prolog",
    [
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]>',
        b"<!-- " + b"x" * 200_000 + b" --><!DOCTYPE x>",
    ],
    ids=["at-the-start", "after-a-long-comment"],
)
@pytest.mark.parametrize("size", [5, 1 << 16])
def test_a_doctype_is_refused_wherever_it_starts(prolog: bytes, size: int) -> None:
    """Split at any byte (``<!DOC`` | ``TYPE``) or behind more than a chunk of comment."""
    from xml.etree.ElementTree import ParseError

    document = b'<?xml version="1.0"?>' + prolog + b"<x>&a;</x>"
    chunks = [document[i : i + size] for i in range(0, len(document), size)]
    with pytest.raises(ParseError, match="document type declarations"):
        parse_retrieve_result(chunks)


@pytest.mark.parametrize("encoding", ["identity", "gzip", "deflate"])
def test_the_token_is_read_from_the_head_of_a_received_body(encoding: str) -> None:
    body = {
        "identity": RESPONSE,
        "gzip": gzip.compress(RESPONSE),
        "deflate": zlib.compress(RESPONSE),
    }
    data = body[encoding]
    received = Received([data[i : i + 10] for i in range(0, len(data), 10)], encoding)
    assert received.head_token() == "42"
    assert read_page(received).token == "42"
    assert received.chunks == []  # let go while parsed


def test_no_token_from_a_head_without_one() -> None:
    after_objects = RESPONSE.replace(b"<token>42</token>", b"").replace(
        b"</objects>", b"</objects><token>42</token>"
    )
    assert Received([after_objects], "identity").head_token() is None  # no prefetch then
    assert parse_retrieve_result([after_objects]).token == "42"
    assert Received([b"<not xml"], "identity").head_token() is None
    assert (
        Received([HOSTILE.replace(b"<token>t&amp;1</token>", b"")], "identity").head_token() is None
    )


def test_pending_events_are_taken_at_once_as_read_events_gives_them() -> None:
    fast, slow = ElementTree.XMLPullParser(events=("end",)), ElementTree.XMLPullParser(("end",))
    fast.feed(HOSTILE[:4000])
    slow.feed(HOSTILE[:4000])
    taken = pending_events(fast)
    assert [(e, el.tag) for e, el in taken] == [(e, el.tag) for e, el in slow.read_events()]
    assert taken
    assert isinstance(getattr(fast, "_events_queue", None), deque), "the quick way is taken here"
    assert pending_events(fast) == []


def test_a_broken_page_raises_from_the_pending_events() -> None:
    with pytest.raises(ElementTree.ParseError):
        parse_retrieve_result([RESPONSE[:300], b"<unclosed></wrong>", RESPONSE[300:]])


def a_page(objects: str) -> bytes:
    """A RetrievePropertiesEx answer around ``objects`` (the simulator's declarations)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<soapenv:Body><RetrievePropertiesExResponse xmlns="urn:vim25"><returnval>'
        f"{objects}</returnval></RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>"
    ).encode()


def test_property_sets_out_of_the_usual_shape_read_by_name() -> None:
    page = parse_retrieve_result(
        [
            a_page(
                '<objects><obj type="VirtualMachine">vm-1</obj>'
                '<propSet><val xsi:type="xsd:int">3</val><name>reversed</name></propSet>'
                "<propSet><name>bare</name></propSet>"
                "<propSet><name>extra</name><val>v</val><note>x</note></propSet>"
                '<propSet><name></name><val xsi:type="xsd:boolean">true</val></propSet>'
                '<propSet><name>tree</name><val xsi:type="T"><a type="Host">h-1</a></val></propSet>'
                '<propSet><name>none</name><val xsi:type="ArrayOfString"/></propSet>'
                "</objects>"
            )
        ]
    )
    (obj,) = page.objects
    assert obj.properties == {
        "reversed": 3,
        "bare": None,
        "extra": "v",
        "": True,
        "tree": {"a": MoRef("Host", "h-1"), "_type": "T"},
        "none": [],
    }


def test_type_plans_are_bounded_and_every_value_still_read() -> None:
    count = TYPE_PLANS_LIMIT + 50
    props = "".join(
        f'<propSet><name>p{i}</name><val xsi:type="Enum{i}">v{i}</val></propSet>'
        for i in range(count)
    )
    page = parse_retrieve_result([a_page(f"<objects><obj>vm-1</obj>{props}</objects>")])
    assert page.objects[0].properties == {f"p{i}": f"v{i}" for i in range(count)}
    assert len(TYPE_PLANS) <= TYPE_PLANS_LIMIT


def test_references_in_values_are_made_once_and_the_cache_is_bounded() -> None:
    parent = '<propSet><name>parent</name><val type="Folder">group-v9</val></propSet>'
    page = parse_retrieve_result(
        [
            a_page(
                f"<objects><obj>vm-1</obj>{parent}</objects><objects><obj>vm-2</obj>{parent}</objects>"
            )
        ]
    )
    first, second = (record.properties["parent"] for record in page.objects)
    assert first == MoRef("Folder", "group-v9") and first is second
    assert shared_reference.cache_info().maxsize == 4096


def read_with_read_events(chunks: list[bytes]) -> None:
    """The reference: every chunk fed, its events read one by one."""
    parser = ElementTree.XMLPullParser(events=("end",))
    for chunk in chunks:
        parser.feed(chunk)
        list(parser.read_events())


def test_a_broken_page_raises_the_error_read_events_raises() -> None:
    broken = [RESPONSE[:300], b"<unclosed></wrong>", RESPONSE[300:]]
    with pytest.raises(ElementTree.ParseError) as expected:
        read_with_read_events(broken)
    with pytest.raises(ElementTree.ParseError) as raised:
        parse_retrieve_result(broken)
    assert str(raised.value) == str(expected.value)
    assert raised.value.position == expected.value.position
