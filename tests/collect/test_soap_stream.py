"""The streaming PropertyCollector parser: plain values out of SOAP, faults as vim faults."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pyVmomi import vmodl
from support.vcsim import start_vcsim

from fleetreport.collect.vcenter.soap_stream import (
    MoRef,
    as_list,
    invoke_result_call,
    parse_retrieve_result,
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
            invoke_result_call(
                collector._stub,
                collector,
                vmodl.query.PropertyCollector.ContinueRetrievePropertiesEx,
                ["no-such-token"],
                lambda: calls.append(1),
            )
        assert calls == [1]
        # the connection pool still works after the fault
        assert si.content.about.instanceUuid == server.instance_uuid
