"""The infrastructure the report lists beside the desktops: storage, alarms, clusters, host load,
and the Horizon components, in the HTML, the JSON report and the CSV and xlsx exports.

Exact cells for a fleet built by ``support.infra_builders``; hostile names escaped; a report
from vCenter alone says it has no Horizon data.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from support.fleet_builders import NOW
from support.hostile import HOSTILE, PWNED_MARKERS, TEMPLATE_EXPRESSION
from support.html_tree import Element, parse
from support.infra_builders import hostile_infra_snapshot, infra_snapshot, vcenter_only_snapshot
from support.print_layout import PRINT_WIDTHS, SCREEN_WIDTH, layout
from support.report_words import raw_tokens

from fleetreport.export.csv_export import write_csv
from fleetreport.export.tables import SHARE
from fleetreport.export.xlsx_export import write_xlsx
from fleetreport.health.build import REPORT_SCHEMA_VERSION, build_report
from fleetreport.health.report_json import report_to_json
from fleetreport.health.report_model import HealthReport
from fleetreport.health.report_schema import shipped_report_schema_text
from fleetreport.render.html import render_html, write_html_report
from fleetreport.snapshot.model import Source

VC = "11111111-2222-3333-4444-555555555555"


@pytest.fixture(scope="module")
def report() -> HealthReport:
    return build_report(infra_snapshot())


@pytest.fixture(scope="module")
def html(report: HealthReport) -> str:
    return render_html(report)


@pytest.fixture(scope="module")
def document(html: str) -> Element:
    return parse(html)


def rows(document: Element, table_id: str) -> list[list[str]]:
    return [row.cells() for row in document.by_id(table_id).body_rows()]


def ids(document: Element) -> set[str]:
    return {e.id for e in document.iter() if e.id is not None}


# --- the model -----------------------------------------------------------------------------


def test_datastores_carry_their_free_share_and_what_lives_on_them(report: HealthReport) -> None:
    stores = {d.name: d for d in report.infrastructure.datastores}
    assert [d.name for d in report.infrastructure.datastores] == ["ds-nfs-02", "ds-vdi-01"]
    vdi, nfs = stores["ds-vdi-01"], stores["ds-nfs-02"]
    assert (vdi.free_share, vdi.desktops, vdi.golden_images, vdi.internal_vms) == (0.1, 2, 1, 1)
    assert (nfs.free_share, nfs.desktops, nfs.golden_images, nfs.internal_vms) == (None, 0, 0, 0)


def test_hosts_and_clusters_carry_their_use_as_shares(report: HealthReport) -> None:
    infra = report.infrastructure
    assert [(h.name, h.cpu_usage_share, h.memory_usage_share) for h in infra.hosts] == [
        ("esx1.example.test", 0.5, 0.25),
        ("esx2.example.test", None, None),
    ]
    # C1's use is the sum of the hosts that reported it (esx1 only) against its total capacity
    assert [
        (c.name, c.cpu_usage_mhz, c.cpu_usage_share, c.memory_usage_mb, c.memory_usage_share)
        for c in infra.clusters
    ] == [("C1", 48_000, 0.25, 131_072, 0.125), ("C2", None, None, None, None)]


def test_alarms_come_worst_first_with_the_name_of_their_object(report: HealthReport) -> None:
    assert [(a.status, a.name, a.entity_name) for a in report.infrastructure.alarms] == [
        ("red", "Host hardware fan status", "esx1.example.test"),
        ("yellow", "Datastore usage on disk", "ds-vdi-01"),
        ("yellow", "VM memory usage", "desk-1"),
        ("gray", None, None),
    ]


def test_the_json_report_validates_against_the_shipped_schema(report: HealthReport) -> None:
    data = json.loads(report_to_json(report))
    jsonschema.validate(data, json.loads(shipped_report_schema_text()))
    assert data["schema_version"] == REPORT_SCHEMA_VERSION == 4
    infra = data["infrastructure"]
    assert infra["datastores"][1]["free_share"] == 0.1
    assert infra["hosts"][0]["sensor_alerts"] == [
        {"name": "Fan 3", "kind": "fan", "health": "red", "summary": "Fan failed"}
    ]
    assert infra["connection_servers"][0]["replications"] == [
        {"server_name": "cs2", "status": "OK", "message": None}
    ]
    assert infra["connection_servers"][1]["replications"] is None
    assert infra["licenses"][0]["expires"] == "2027-01-11T06:00:00Z"
    assert infra["pods"][0]["skipped"] == {"licence": "HTTP 500"}
    assert [len(infra[key]) for key in ("ad_domains", "saml_authenticators", "true_sso")] == [
        1,
        1,
        1,
    ]
    assert infra["federation_pods"][0]["endpoints"][1]["status"] == "OFFLINE"


# --- the HTML: exact cells -----------------------------------------------------------------


def test_storage_lists_datastores_and_alarms(document: Element) -> None:
    assert rows(document, "datastore-table") == [
        ["ds-nfs-02DC", "NFS 4.1", "n/a", "n/a", "not accessibleIn maintenance", "0", "0"],
        ["ds-vdi-01DC", "VMFS", "2,048 GB", "205 GB10%", "accessible", "2", "1"],
    ]
    assert rows(document, "alarm-table") == [
        [
            "Host hardware fan status",
            "esx1.example.testESXi host",
            "Alert (red)",
            "2026-11-27 05:00 UTC",
        ],
        [
            "Datastore usage on disk",
            "ds-vdi-01Datastore",
            "Warning (yellow)",
            "2026-11-27 05:00 UTC",
        ],
        ["VM memory usage", "desk-1VM", "Warning (yellow)acknowledged", "2026-11-27 05:00 UTC"],
        ["alarm-77", "vm-404VM", "Unknown (grey)", "n/a"],
    ]


def test_print_counts_the_alarms_and_the_screen_lists_them(document: Element) -> None:
    summary = document.by_id("alarm-summary-table")
    assert rows(document, "alarm-summary-table") == [
        ["Host hardware fan status", "Alert (red)", "ESXi host", "1"],
        ["Datastore usage on disk", "Warning (yellow)", "Datastore", "1"],
        ["VM memory usage", "Warning (yellow)", "VM", "1"],
        ["alarm-77", "Unknown (grey)", "VM", "1"],
    ]
    assert summary.parent is not None and "print-only" in summary.parent.classes
    listing = document.by_id("alarm-table")
    holders = [e for e in document.find_all("div", "screen-only") if listing in list(e.iter())]
    assert len(holders) == 1


def test_clusters_and_hosts_show_ha_drs_use_and_sensor_alerts(document: Element) -> None:
    assert rows(document, "cluster-table") == [
        [
            "C1DC",
            "yesadmission control on",
            "yesFully automated",
            "1 of 2",
            "25%of 192.0 GHz",
            "12.5%of 1,024 GB",
        ],
        ["C2DC", "no", "no", "n/a", "n/a", "n/a"],
    ]
    assert rows(document, "host-table") == [
        [
            "esx1.example.test",
            "C1DC",
            "8.0.3build 24022510",
            "Connected",
            "50%of 96.0 GHz",
            "25%of 512 GB",
            "Fan 3 Alert (red)",
        ],
        [
            "esx2.example.test",
            "C1DC",
            "8.0.3build 24022510",
            "Connectedin maintenance",
            "n/a",
            "n/a",
            "not reported",
        ],
    ]


def test_horizon_components_show_replication_and_certificates(document: Element) -> None:
    services = "Broker service Up Pcoip sg Not in use"
    version = "8.17.0 build 24988612"
    pod = "hzcs01.example.test"
    assert rows(document, "cs-table") == [
        ["cs1", pod, version, "OK", services, "cs2 OK"],
        ["cs2", pod, version, "OK", services, "not reported"],
    ]
    assert rows(document, "cert-table") == [
        ["cs1", "Connection Server", "2027-11-27 06:00 UTC", "valid, default self-signed"],
        ["cs2", "Connection Server", "2027-11-27 06:00 UTC", "valid"],
        ["uag1", "Unified Access Gateway", "in 20 days", "not validCertificate expires soon"],
        ["vc.example.test", "vCenter, as Horizon sees it", "2027-06-15 06:00 UTC", "valid"],
    ]
    assert rows(document, "gateway-table") == [
        ["uag1", "Unified Access Gateway (internal)", "2512", "OKBLAST: CONNECTION_FAILED"],
        ["sql1 / events", f"event database ({pod})", "", "ErrorLogin failed for user"],
    ]


def test_horizon_components_show_ad_saml_true_sso_cpa_and_licence(document: Element) -> None:
    assert rows(document, "ad-table") == [
        [
            "corp.example.testCORP",
            "Trusted domain",
            "cs1 Fully accessible, OK cs2 Cannot be contacted, Error",
            "svc-horizon Active",
        ]
    ]
    assert rows(document, "saml-table") == [["wsa", "Required", "cs1 OK cs2 Error, metadata"]]
    assert rows(document, "truesso-table") == [
        ["corp.example.test", "yes", "Warning", "Enrollment server es2"]
    ]
    assert rows(document, "cpa-table") == [
        [
            "Cluster-Rotterdam",
            "Rotterdam",
            "hzcs01.example.test",
            "rcs1 Online rcs2 Offline, disabled",
        ]
    ]
    assert rows(document, "licence-table") == [
        [
            "hzcs01.example.test",
            "Horizon Enterprise, concurrent usersSubscription",
            "2027-01-11 06:00 UTC",
            "Warning (yellow)",
            "120 concurrent",
            "180 concurrent",
        ]
    ]
    skipped = [" ".join(p.text().split()) for p in document.find_all("p", "skipped-line")]
    assert skipped == ["Not read from pod hzcs01.example.test: licence (HTTP 500)."]
    assert "unreported-components" not in ids(document)


def test_status_words_are_plain_with_the_raw_value_as_tooltip(html: str) -> None:
    assert raw_tokens(html) == {}
    assert '<span class="api-value" title="UNCONTACTABLE">Cannot be contacted</span>' in html
    assert '<span class="api-value" title="fullyAutomated">Fully automated</span>' in html
    assert '<span class="api-value" title="NFS41">NFS 4.1</span>' in html


def test_components_no_pod_reported_are_named() -> None:
    snapshot = replace(infra_snapshot(), saml_authenticators=[], true_sso=[], federation_pods=[])
    document = parse(render_html(build_report(snapshot)))
    assert document.by_id("unreported-components").text() == (
        "None reported: SAML authenticators, True SSO connectors, Cloud Pod Architecture pods."
    )
    assert not {"saml-table", "truesso-table", "cpa-table"} & ids(document)


# --- vCenter only ---------------------------------------------------------------------------


def test_a_vcenter_only_report_says_it_has_no_horizon_data() -> None:
    document = parse(render_html(build_report(vcenter_only_snapshot())))
    assert " ".join(document.by_id("no-horizon").text().split()) == (
        "No Horizon data in this snapshot: it was collected from vCenter only. There are no"
        " Connection Servers, gateways, AD domains, SAML authenticators, True SSO connectors,"
        " Cloud Pod Architecture pods or licences to list, and the Horizon checks do not apply."
    )
    horizon_tables = {"cs-table", "cert-table", "hzvc-table", "gateway-table", "licence-table"}
    assert not horizon_tables & ids(document)
    assert len(rows(document, "datastore-table")) == 2
    assert len(rows(document, "cluster-table")) == 2
    assert len(rows(document, "alarm-table")) == 4


def test_a_failed_horizon_source_is_said_to_be_unknown_not_absent() -> None:
    failed = Source(
        kind="horizon",
        url="https://hz-down.example.test/rest",
        status="failed",
        started_at=NOW - timedelta(minutes=1),
        finished_at=NOW,
        tls_verified=True,
        error="connection refused",
    )
    snapshot = vcenter_only_snapshot()
    document = parse(
        render_html(build_report(replace(snapshot, sources=[*snapshot.sources, failed])))
    )
    text = " ".join(document.by_id("no-horizon").text().split())
    assert text == (
        "No Horizon data in this snapshot: a Horizon pod was asked and did not answer (see the"
        " sources in the method appendix). Its components are unknown, and the Horizon checks"
        " could not judge them."
    )


# --- hostile names --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return render_html(build_report(hostile_infra_snapshot(HOSTILE)))


def test_hostile_infrastructure_text_is_escaped_and_printed_as_written(hostile_html: str) -> None:
    for marker in PWNED_MARKERS:
        assert marker not in hostile_html
    assert hostile_html.count("<script") == 1
    document = parse(hostile_html)
    assert not {e.tag for e in document.iter()} & {"img", "iframe", "textarea", "object"}
    every = sorted(HOSTILE)

    def first_bdi(table_id: str, column: int) -> list[str]:
        return sorted(
            row.find_all("td")[column].find_all("bdi")[0].text()
            for row in document.by_id(table_id).body_rows()
        )

    assert first_bdi("datastore-table", 0) == every
    assert first_bdi("cluster-table", 0) == every
    assert first_bdi("alarm-table", 0) == every
    assert first_bdi("ad-table", 0) == every
    assert first_bdi("saml-table", 0) == every
    assert first_bdi("truesso-table", 0) == every
    assert first_bdi("cpa-table", 0) == every
    types = sorted(row.cells()[1] for row in document.by_id("datastore-table").body_rows())
    assert types == every
    (esx1, _) = document.by_id("host-table").body_rows()
    sensors = [pair.find_all("bdi")[0].text() for pair in esx1.find_all("span", "count-pair")]
    assert sorted(sensors) == every
    cs1 = document.by_id("cs-table").body_rows()[0]
    pairs = cs1.find_all("td")[5].find_all("span", "count-pair")
    partners = [pair.find_all("bdi")[0].text() for pair in pairs]
    assert set(partners) >= set(HOSTILE)
    uag = document.by_id("cert-table").body_rows()[2]
    assert sorted(small.text() for small in uag.find_all("small")) == every
    holders = [e for e in document.iter() if TEMPLATE_EXPRESSION in e.own_text()]
    assert holders and [e.own_text() for e in holders if "49" in e.own_text()] == []


# --- exports --------------------------------------------------------------------------------


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))[1:]


def test_csv_has_the_storage_alarm_and_cluster_tables(report: HealthReport, tmp_path: Path) -> None:
    write_csv(report, tmp_path)
    assert read_csv(tmp_path / "datastores.csv") == [
        [
            "ds-nfs-02",
            "DC",
            "NFS41",
            "",
            "",
            "",
            "no",
            "inMaintenance",
            "0",
            "0",
            "0",
            VC,
            "datastore-12",
        ],
        [
            "ds-vdi-01",
            "DC",
            "VMFS",
            "2048.0",
            "204.8",
            "0.1",
            "yes",
            "normal",
            "2",
            "1",
            "1",
            VC,
            "datastore-11",
        ],
    ]
    assert read_csv(tmp_path / "alarms.csv") == [
        [
            "Host hardware fan status",
            "red",
            "esx1.example.test",
            "HostSystem",
            "2026-11-27 05:00:00",
            "no",
            "alarm-2",
            "host-9",
            VC,
        ],
        [
            "Datastore usage on disk",
            "yellow",
            "ds-vdi-01",
            "Datastore",
            "2026-11-27 05:00:00",
            "no",
            "alarm-4",
            "datastore-11",
            VC,
        ],
        [
            "VM memory usage",
            "yellow",
            "desk-1",
            "VirtualMachine",
            "2026-11-27 05:00:00",
            "yes",
            "alarm-on-vm-1",
            "vm-1",
            VC,
        ],
        ["", "gray", "", "VirtualMachine", "", "no", "alarm-77", "vm-404", VC],
    ]
    assert read_csv(tmp_path / "clusters.csv") == [
        [
            "C1",
            "DC",
            "yes",
            "yes",
            "yes",
            "fullyAutomated",
            "2",
            "1",
            "192000",
            "192000",
            "48000",
            "0.25",
            "1048576",
            "1048576",
            "131072",
            "0.125",
            VC,
            "domain-c7",
        ],
        ["C2", "DC", "no", "", "no"] + [""] * 11 + [VC, "domain-c8"],
    ]
    assert [row[8:16] for row in read_csv(tmp_path / "hosts.csv")] == [
        ["48000", "96000", "0.5", "131072", "524288", "0.25", "yes", "Fan 3 (fan): red"],
        ["", "", "", "", "", "", "", ""],
    ]


def test_csv_has_the_horizon_component_tables(report: HealthReport, tmp_path: Path) -> None:
    write_csv(report, tmp_path)
    pod = "hzcs01.example.test"
    servers = read_csv(tmp_path / "connection_servers.csv")
    assert [row[9:11] for row in servers] == [["yes", "cs2: OK"], ["no", ""]]
    assert read_csv(tmp_path / "gateways.csv") == [
        [
            "uag1",
            pod,
            "UAG",
            "2512",
            "OK",
            "yes",
            "no",
            "20",
            "Certificate expires soon",
            "BLAST: CONNECTION_FAILED",
            "gw-1",
        ]
    ]
    assert [row[6:8] for row in read_csv(tmp_path / "horizon_vcenters.csv")] == [
        ["yes", "2027-06-15 06:00:00"]
    ]
    assert read_csv(tmp_path / "event_databases.csv") == [
        [pod, "sql1", "events", "ERROR", "Login failed for user"]
    ]
    assert read_csv(tmp_path / "ad_domains.csv") == [
        [
            "corp.example.test",
            "CORP",
            pod,
            "CONNECTION_SERVER_DOMAIN",
            "cs1: FULLY_ACCESSIBLE (OK); cs2: UNCONTACTABLE (ERROR)",
            "svc-horizon: ACTIVE",
            "ad-1",
        ]
    ]
    assert read_csv(tmp_path / "saml_authenticators.csv") == [
        ["wsa", pod, "REQUIRE_ALWAYS", "cs1: OK; cs2: ERROR (metadata)", "saml-1"]
    ]
    assert read_csv(tmp_path / "true_sso.csv") == [
        ["corp.example.test", pod, "yes", "WARN", "Enrollment server es2", "tsso-1"]
    ]
    assert read_csv(tmp_path / "cpa_pods.csv") == [
        ["Cluster-Rotterdam", "Rotterdam", pod, "rcs1: ONLINE; rcs2: OFFLINE (disabled)", "pod-2"]
    ]
    assert read_csv(tmp_path / "licences.csv") == [
        [
            pod,
            "yes",
            "SUBSCRIPTION",
            "HORIZON_ENTERPRISE_CONCURRENT_USER",
            "CONCURRENT_USER",
            "2027-01-11 06:00:00",
            "YELLOW",
            "120",
            "180",
            "",
            "",
        ]
    ]


def test_xlsx_keeps_sizes_shares_and_times_typed(report: HealthReport, tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_xlsx(report, path)
    workbook = openpyxl.load_workbook(path)
    stores = workbook["Datastores"]
    assert [cell.value for cell in stores[3]][3:6] == [2048.0, 204.8, 0.1]
    assert stores.cell(row=3, column=6).number_format == SHARE
    alarms = workbook["Alarms"]
    assert alarms.cell(row=2, column=5).value == datetime(2026, 11, 27, 5, 0)
    licences = workbook["Licences"]
    assert [cell.value for cell in licences[2]][7:9] == [120, 180]
    assert [sheet.max_row for sheet in (workbook["Clusters"], stores, alarms)] == [3, 3, 5]


# --- layout ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the infrastructure fleet with hostile (and very long) names."""
    path = tmp_path_factory.mktemp("infra") / "report.html"
    write_html_report(build_report(hostile_infra_snapshot(HOSTILE)), path)
    return path


@pytest.mark.browser
@pytest.mark.parametrize(
    ("width", "media"),
    [(SCREEN_WIDTH, "screen"), *((width, "print") for width in PRINT_WIDTHS.values())],
    ids=["screen-1366", *PRINT_WIDTHS],
)
def test_the_new_tables_fit_the_page_with_long_names(
    hostile_file: Path, tmp_path: Path, width: int, media: str
) -> None:
    found = layout(hostile_file, tmp_path / "profile", width, media)
    assert found["wide"] == []
    assert found["scroll"] == []
    assert found["outside"] == []
    assert found["broken"] == []
