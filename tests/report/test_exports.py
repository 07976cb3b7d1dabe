"""CSV and xlsx exports: one row per record, the model's values, hostile text kept inert."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.fleet_builders import fleet_snapshot, machine, pool, vm
from support.paths import DEMO_SNAPSHOT, REPO

from fleetreport.errors import OutputError
from fleetreport.export import xlsx_export
from fleetreport.export.csv_export import csv_files, neutralise, table_csv, write_csv
from fleetreport.export.tables import (
    CHECK_COLUMNS,
    DESKTOP_COLUMNS,
    FINDING_COLUMNS,
    POOL_COLUMNS,
    TABLES,
    Cell,
    RenderedTable,
    normalise,
)
from fleetreport.export.xlsx_export import MAX_CELL_TEXT, MAX_WIDTH, sheet_text, write_xlsx
from fleetreport.health.build import build_report
from fleetreport.health.check_counts import ShownCounts, shown_counts
from fleetreport.health.report_json import report_to_json
from fleetreport.health.report_model import CheckCounts, HealthReport
from fleetreport.render.html import render_html
from fleetreport.snapshot.store import load_snapshot

DEMO = DEMO_SNAPSHOT
SHEETS = [
    "Summary",
    "Desktops",
    "Findings",
    "Pools",
    "Checks",
    "Energy",
    "Usage days",
    "Pool sizing",
    "Unused desktops",
    "Host power",
    "Licence peaks",
    "Hosts",
    "Clusters",
    "Datastores",
    "Alarms",
    "vCenters",
    "Connection Servers",
    "Horizon vCenters",
    "Gateways",
    "Event databases",
    "AD domains",
    "SAML authenticators",
    "True SSO",
    "CPA pods",
    "Licences",
    "Infrastructure VMs",
    "Unmatched VMs",
]
CSV_FILES = [
    f"{name}.csv"
    for name in (
        "summary",
        "desktops",
        "findings",
        "pools",
        "checks",
        "energy",
        "usage_days",
        "pool_sizing",
        "unused_desktops",
        "host_power",
        "licence_peaks",
        "hosts",
        "clusters",
        "datastores",
        "alarms",
        "vcenters",
        "connection_servers",
        "horizon_vcenters",
        "gateways",
        "event_databases",
        "ad_domains",
        "saml_authenticators",
        "true_sso",
        "cpa_pods",
        "licences",
        "infrastructure_vms",
        "unmatched_vms",
    )
]

HOSTILE = [
    '=HYPERLINK("http://evil")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "<script>alert(1)</script>",
    "bell\x07 and \x1b[31mred",
    "\u202eevil",
    "#N/A",
    "x" * 10_000,
    "Zoë-Ærø-東京-Δ",
]
"""VM names a hostile or careless estate can hold."""
HOSTILE_USER = "=cmd|' /C calc'!A0"
HOSTILE_POOL = "@pool"


@pytest.fixture(scope="module")
def demo() -> HealthReport:
    return build_report(load_snapshot(DEMO))


@pytest.fixture(scope="module")
def hostile() -> HealthReport:
    """One pool of desktops with hostile names; the first also has a finding of its own."""
    vms = [
        vm(name, f"vm-{n}", tools_version_status="guestToolsTooOld" if n == 0 else None)
        for n, name in enumerate(HOSTILE)
    ]
    machines = [machine(v, "pool-1", user_names=[HOSTILE_USER, "corp\\ann"]) for v in vms]
    return build_report(fleet_snapshot(vms, machines, [pool("pool-1", name=HOSTILE_POOL)]))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def by_moref(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["VM moref"]: row for row in rows}


def text_of(number: float | None) -> str:
    """How CSV writes an optional number."""
    return "" if number is None else str(number)


def is_inert(text: str) -> bool:
    return not text.startswith(("=", "+", "-", "@", "\t", "\r"))


# CSV


def test_csv_has_one_file_per_table_and_one_row_per_record(
    demo: HealthReport, tmp_path: Path
) -> None:
    written = write_csv(demo, tmp_path)

    assert [path.name for path in written] == [f"{table.name}.csv" for table in TABLES]
    assert {path.name for path in tmp_path.iterdir()} == {path.name for path in written}
    assert [path.name for path in written] == CSV_FILES
    assert len(read_csv(tmp_path / "desktops.csv")) == len(demo.vms) > 300
    assert len(read_csv(tmp_path / "findings.csv")) == len(demo.findings) > 200
    assert len(read_csv(tmp_path / "pools.csv")) == len(demo.pools) == 5
    assert len(read_csv(tmp_path / "checks.csv")) == len(demo.checks)
    assert len(read_csv(tmp_path / "energy.csv")) == len(demo.energy.pools)


def test_csv_files_are_utf8_with_bom_crlf_and_a_header_row(
    demo: HealthReport, tmp_path: Path
) -> None:
    write_csv(demo, tmp_path)
    for name, columns in [
        ("desktops.csv", DESKTOP_COLUMNS),
        ("findings.csv", FINDING_COLUMNS),
        ("pools.csv", POOL_COLUMNS),
        ("checks.csv", CHECK_COLUMNS),
    ]:
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        assert data.endswith(b"\r\n")
        header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert header == [column.title for column in columns]


def test_csv_values_are_the_models(demo: HealthReport, tmp_path: Path) -> None:
    write_csv(demo, tmp_path)
    desktops = read_csv(tmp_path / "desktops.csv")
    for index in (0, len(demo.vms) // 2, len(demo.vms) - 1):
        record, row = demo.vms[index], desktops[index]
        assert row["Name"] == record.name
        assert row["Pool"] == (record.pool_name or "")
        assert row["Key"] == record.key
        assert float(row["Patch score"]) == record.patch_score
        assert float(row["Power score"]) == record.power_score
        assert row["Healthy"] == ("yes" if record.healthy else "no")
        assert row["Users"] == "; ".join(record.users)
        assert row["Uptime (days)"] == text_of(record.uptime_days)
        deductions = row["Deductions"].split("; ") if row["Deductions"] else []
        assert [item.split(":")[0] for item in deductions] == [d.check for d in record.deductions]
    inherited = next(
        d for d in demo.vms if any(x.subject == d.pool for x in d.deductions) and d.pool_name
    )
    row = next(r for r in desktops if r["Key"] == inherited.key)
    assert f"(from {inherited.pool_name})" in row["Deductions"]  # the pool's name, not its id
    assert inherited.pool is not None and inherited.pool not in row["Deductions"]
    several_users = next(d for d in demo.vms if len(d.users) > 1)
    row = next(r for r in desktops if r["Key"] == several_users.key)
    assert row["Users"].split("; ") == several_users.users

    findings = read_csv(tmp_path / "findings.csv")
    picked = [0, 1, 2, len(findings) - 1]
    for record, row in zip(
        [demo.findings[i] for i in picked], [findings[i] for i in picked], strict=True
    ):
        assert row["Severity"] == record.severity
        assert row["Check id"] == record.check
        assert row["Subject"] == record.subject_name
        assert row["Message"] == record.message
        assert row["Pool id"] == (record.pool or "")

    pools = read_csv(tmp_path / "pools.csv")
    for record, row in zip(demo.pools, pools, strict=True):
        assert row["Name"] == record.name
        assert int(row["Desktops"]) == record.desktops
        assert row["Enabled"] == {True: "yes", False: "no", None: ""}[record.enabled]
        assert row["Healthy share"] == text_of(record.healthy_share)
        assert int(row["Critical findings"]) == record.findings_by_severity.get("critical", 0)

    summary = {row["Item"]: row["Value"] for row in read_csv(tmp_path / "summary.csv")}
    assert int(summary["Desktops"]) == demo.fleet.desktops
    assert summary["Snapshot collected (UTC)"] == "2026-11-27 06:00:00"
    assert summary["Energy: currency"] == demo.energy.currency


def test_csv_prefix_names_every_file(demo: HealthReport, tmp_path: Path) -> None:
    written = write_csv(demo, tmp_path / "new" / "folder", prefix="acme-")

    assert [path.name for path in written] == [f"acme-{table.name}.csv" for table in TABLES]
    assert all(path.parent == tmp_path / "new" / "folder" for path in written)


@pytest.mark.parametrize("prefix", ["../evil-", "a/b", "a\\b", "x\x00"])
def test_a_prefix_cannot_name_a_folder(demo: HealthReport, tmp_path: Path, prefix: str) -> None:
    with pytest.raises(OutputError, match="plain name"):
        write_csv(demo, tmp_path, prefix=prefix)
    assert list(tmp_path.iterdir()) == []


def test_csv_neutralises_formula_leading_text(hostile: HealthReport, tmp_path: Path) -> None:
    write_csv(hostile, tmp_path)
    rows = by_moref(read_csv(tmp_path / "desktops.csv"))

    assert len(rows) == len(HOSTILE)
    for number, name in enumerate(HOSTILE):
        row = rows[f"vm-{number}"]
        expected = name if is_inert(name) else "'" + name
        assert row["Name"] == expected, name
        assert row["Users"] == f"'{HOSTILE_USER}; corp\\ann"
        assert row["Pool"] == f"'{HOSTILE_POOL}"
    for row in read_csv(tmp_path / "findings.csv"):
        assert is_inert(row["Subject"])
        assert row["Pool"] == f"'{HOSTILE_POOL}"
    assert all(
        is_inert(value)
        for name in CSV_FILES
        for row in read_csv(tmp_path / name)
        for value in row.values()
    )


def test_csv_keeps_numbers_as_numbers() -> None:
    table = RenderedTable(
        "t",
        "T",
        ["Text", "Int", "Float", "Empty", "Time"],
        [[Cell("-2"), Cell(-2), Cell(-2.5), Cell(None), Cell(datetime(2026, 1, 2, 3, 4, 5))]],
    )

    assert table_csv(table).splitlines()[1] == "'-2,-2,-2.5,,2026-01-02 03:04:05"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        (" =1", " =1"),
        ("", ""),
        ("'=already", "'=already"),
    ],
)
def test_neutralise(text: str, expected: str) -> None:
    assert neutralise(text) == expected


def test_lone_surrogates_become_replacement_characters() -> None:
    assert normalise("a\ud800b") == "a\ufffdb"
    assert normalise(True) == "yes"
    assert normalise(float("nan")) is None


# The tables the HTML has: infrastructure and unmatched VMs


def test_infrastructure_tables_hold_the_models_records(demo: HealthReport, tmp_path: Path) -> None:
    write_csv(demo, tmp_path)
    infra = demo.infrastructure

    unmatched = read_csv(tmp_path / "unmatched_vms.csv")
    assert [(row["Name"], row["VM moref"], row["In folder of pool"]) for row in unmatched] == [
        ("RTM-CC-OLD-01", "vm-239", "IC-Win11-CallCenter"),
        ("RTM-CC-OLD-02", "vm-241", "IC-Win11-CallCenter"),
        ("RTM-CC-OLD-03", "vm-243", "IC-Win11-CallCenter"),
        ("ams-w11-test-<b>old</b>", "vm-605", "IC-Win11-Office"),
    ]
    hosts = read_csv(tmp_path / "hosts.csv")
    assert [(row["Name"], row["Host moref"]) for row in hosts] == [
        (host.name, host.moref) for host in infra.hosts
    ]
    assert len(hosts) == 12
    assert {row["Maintenance mode"] for row in hosts} <= {"yes", "no", ""}
    servers = {row["Name"]: row for row in read_csv(tmp_path / "connection_servers.csv")}
    assert set(servers) == {"hzcs01.corp.example.test", "hzcs02.corp.example.test"}
    first = servers["hzcs01.corp.example.test"]
    assert first["Status"] == "OK"
    assert first["Certificate valid until (UTC)"] == "2027-09-23 06:00:00"
    assert first["Services"] == (
        "BLAST_SECURE_GATEWAY: UP; PCOIP_SECURE_GATEWAY: NOT_IN_USE; SECURITY_GATEWAY_COMPONENT: UP"
    )
    assert [row["Name"] for row in read_csv(tmp_path / "horizon_vcenters.csv")] == [
        vcenter.name for vcenter in infra.horizon_vcenters
    ]
    assert [row["Name"] for row in read_csv(tmp_path / "vcenters.csv")] == [
        "vc01.corp.example.test",
        "vc02.corp.example.test",
    ]
    assert [(row["Name"], row["Type"]) for row in read_csv(tmp_path / "gateways.csv")] == [
        ("uag01", "UAG")
    ]
    databases = read_csv(tmp_path / "event_databases.csv")
    assert [(row["Server"], row["Database"], row["Status"]) for row in databases] == [
        ("sql01.corp.example.test", "HorizonEvents", "CONNECTED")
    ]
    own = read_csv(tmp_path / "infrastructure_vms.csv")
    assert [row["VM moref"] for row in own] == [item.moref for item in infra.vms]
    assert {row["Role"] for row in own} == {
        "golden_image",
        "instant_clone_parent",
        "instant_clone_replica",
        "instant_clone_template",
        "template",
        "vsphere_cluster_service",
    }
    images = {row["Name"]: row["Used by pools"] for row in own if row["Role"] == "golden_image"}
    assert images["gold-win11-23h2"] == "IC-Win11-Office"


def test_an_estate_without_horizon_still_writes_every_file(tmp_path: Path) -> None:
    report = build_report(fleet_snapshot([vm("desk-1", "vm-1")], []))
    written = write_csv(report, tmp_path)

    assert [path.name for path in written] == CSV_FILES
    empty = {"connection_servers", "horizon_vcenters", "gateways", "event_databases"}
    empty |= {"findings", "pools", "energy", "infrastructure_vms", "unmatched_vms"}
    empty |= {"clusters", "datastores", "alarms", "ad_domains", "saml_authenticators"}
    empty |= {"true_sso", "cpa_pods", "licences"}
    empty |= {"usage_days", "pool_sizing", "unused_desktops", "host_power", "licence_peaks"}
    for table in TABLES:
        text = (tmp_path / f"{table.name}.csv").read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == [column.title for column in table.columns]
        assert (len(rows) == 1) == (table.name in empty), table.name


def test_readme_lists_exactly_the_csv_files_written(demo: HealthReport, tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("- **Exports**")
    paragraph = readme[start : readme.index("\n\n", start)]

    listed = re.findall(r"`(\w+\.csv)`", paragraph)

    assert listed == [path.name for path in write_csv(demo, tmp_path)]


# Counts that agree with the HTML


def test_shown_counts_keep_unknown_apart_from_not_applicable() -> None:
    counts = CheckCounts(
        passed=3, failed=2, unknown=5, not_applicable=4, excluded=1, critical=1, warning=1, info=0
    )

    assert shown_counts(counts) == ShownCounts(
        passed=3, failed=2, unknown=1, not_applicable=4, excluded=1
    )


COUNT_COLUMNS = ("Passed", "Failed", "Unknown", "Not applicable", "Excluded")


def test_export_check_counts_equal_the_json_reports(demo: HealthReport, tmp_path: Path) -> None:
    write_csv(demo, tmp_path)
    write_xlsx(demo, tmp_path / "report.xlsx")
    checks = json.loads(report_to_json(demo))["checks"]
    expected = {
        check["id"]: (
            check["counts"]["passed"],
            check["counts"]["failed"],
            check["counts"]["unknown"] - check["counts"]["not_applicable"],
            check["counts"]["not_applicable"],
            check["counts"]["excluded"],
        )
        for check in checks
    }

    from_csv = {
        row["Check id"]: tuple(int(row[column]) for column in COUNT_COLUMNS)
        for row in read_csv(tmp_path / "checks.csv")
    }
    sheet = openpyxl.load_workbook(tmp_path / "report.xlsx")["Checks"]
    header = [cell.value for cell in sheet[1]]
    from_xlsx = {
        row[header.index("Check id")]: tuple(row[header.index(c)] for c in COUNT_COLUMNS)
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }

    assert from_csv == from_xlsx == expected
    assert len(expected) == len(demo.checks)
    assert expected["vm_guest_os_mismatch"] == (293, 1, 5, 11, 0)
    assert expected["vm_uptime_long"] == (252, 0, 0, 58, 0)


class ChecksTable(HTMLParser):
    """The counts of the HTML method appendix's checks table, by check id."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, tuple[int, ...]] = {}
        self._inside = False
        self._row: list[str] = []
        self._check = ""
        self._cell: str | None = None
        self._code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._inside = dict(attrs).get("id") == "checks-table"
        elif self._inside and tag == "tr":
            self._row, self._check = [], ""
        elif self._inside and tag == "td" and "num" in (dict(attrs).get("class") or ""):
            self._cell = ""
        elif self._inside and tag == "code" and not self._check:
            self._code = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._inside = False
        elif self._inside and tag == "td" and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "code":
            self._code = False
        elif self._inside and tag == "tr" and self._check:
            self.counts[self._check] = tuple(int(text.replace(",", "")) for text in self._row)

    def handle_data(self, data: str) -> None:
        if self._code:
            self._check += data
        if self._cell is not None:
            self._cell += data.strip()


def test_export_check_counts_equal_the_htmls(demo: HealthReport, tmp_path: Path) -> None:
    write_csv(demo, tmp_path)
    table = ChecksTable()
    table.feed(render_html(demo))

    from_csv = {
        row["Check id"]: tuple(int(row[column]) for column in COUNT_COLUMNS)
        for row in read_csv(tmp_path / "checks.csv")
    }

    assert from_csv == table.counts
    assert len(table.counts) == len(demo.checks)


# xlsx


def test_workbook_has_a_sheet_per_table_in_order(demo: HealthReport, tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_xlsx(demo, path)
    workbook = openpyxl.load_workbook(path)

    assert workbook.sheetnames == SHEETS
    rows = {"Desktops": demo.vms, "Findings": demo.findings, "Pools": demo.pools}
    rows |= {"Checks": demo.checks, "Energy": demo.energy.pools}
    infra = demo.infrastructure
    rows |= {"Hosts": infra.hosts, "vCenters": infra.vcenters}
    rows |= {"Connection Servers": infra.connection_servers, "Gateways": infra.gateways}
    rows |= {"Horizon vCenters": infra.horizon_vcenters, "Event databases": infra.event_databases}
    rows |= {"Infrastructure VMs": infra.vms, "Unmatched VMs": infra.unmatched_vms}
    # Empty in the demo until it is recorded again with them; test_report_infrastructure.py
    # states their rows for a fleet that has them.
    newer = {"Clusters": infra.clusters, "Datastores": infra.datastores, "Alarms": infra.alarms}
    newer |= {"AD domains": infra.ad_domains, "SAML authenticators": infra.saml_authenticators}
    newer |= {"True SSO": infra.true_sso, "CPA pods": infra.federation_pods}
    newer |= {"Licences": infra.licenses}
    # Usage sheets: empty until the demo is recorded with usage; test_report_usage.py states
    # their rows.
    usage = demo.usage
    newer |= {
        "Usage days": usage.days if usage else [],
        "Pool sizing": usage.pools if usage else [],
        "Unused desktops": usage.unused if usage else [],
        "Host power": usage.energy.hosts if usage and usage.energy else [],
        "Licence peaks": usage.licences if usage else [],
    }
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        last = openpyxl.utils.get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
        assert all(cell.font.bold for cell in sheet[1])
        widths = [dimension.width for dimension in sheet.column_dimensions.values()]
        assert len(widths) == sheet.max_column
        assert all(8 <= width <= MAX_WIDTH for width in widths)
        if sheet.title in newer:
            assert sheet.max_row == len(newer[sheet.title]) + 1, sheet.title
        elif sheet.title != "Summary":
            assert sheet.max_row == len(rows[sheet.title]) + 1 > 1, sheet.title


def test_workbook_values_are_the_models_with_real_numbers_and_dates(
    demo: HealthReport, tmp_path: Path
) -> None:
    path = tmp_path / "report.xlsx"
    write_xlsx(demo, path)
    workbook = openpyxl.load_workbook(path)

    desktops = workbook["Desktops"]
    header = [cell.value for cell in desktops[1]]
    assert header == [column.title for column in DESKTOP_COLUMNS]
    for index in (0, len(demo.vms) - 1):
        record = demo.vms[index]
        row = dict(zip(header, desktops[index + 2], strict=True))
        assert row["Name"].value == record.name
        assert row["Patch score"].value == record.patch_score
        assert row["Patch score"].data_type == "n"
        assert row["Healthy"].value == ("yes" if record.healthy else "no")

    pools = workbook["Pools"]
    header = [cell.value for cell in pools[1]]
    first = dict(zip(header, pools[2], strict=True))
    assert first["Desktops"].value == demo.pools[0].desktops
    assert first["Healthy share"].value == demo.pools[0].healthy_share
    assert first["Healthy share"].number_format == "0.0%"

    summary = {row[0].value: row[1] for row in workbook["Summary"].iter_rows(min_row=2)}
    collected = summary["Snapshot collected (UTC)"]
    assert collected.is_date
    assert collected.value == datetime(2026, 11, 27, 6, 0)
    assert summary["Desktops"].value == demo.fleet.desktops


def test_csv_and_xlsx_agree_on_every_cell(demo: HealthReport, tmp_path: Path) -> None:
    write_csv(demo, tmp_path)
    write_xlsx(demo, tmp_path / "report.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "report.xlsx")

    for table in TABLES:
        with (tmp_path / f"{table.name}.csv").open(encoding="utf-8-sig", newline="") as stream:
            csv_rows = list(csv.reader(stream))
        sheet_rows = list(workbook[table.title].iter_rows(values_only=True))
        assert len(csv_rows) == len(sheet_rows)
        for csv_row, sheet_row in zip(csv_rows, sheet_rows, strict=True):
            assert len(csv_row) == len(sheet_row)
            for text, value in zip(csv_row, sheet_row, strict=True):
                if isinstance(value, int | float):
                    assert float(text) == value, (table.name, text, value)
                else:
                    assert text == as_csv_text(value), (table.name, text, value)


def as_csv_text(value: Any) -> str:
    """What the CSV file holds for a text, date or empty cell read back from the workbook."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, str):
        return neutralise(value)
    raise AssertionError(f"unexpected cell value {value!r}")


def test_hostile_text_is_stored_as_literal_strings(hostile: HealthReport, tmp_path: Path) -> None:
    path = tmp_path / "hostile.xlsx"
    write_xlsx(hostile, path)
    workbook = openpyxl.load_workbook(path)

    sheet = workbook["Desktops"]
    header = [cell.value for cell in sheet[1]]
    rows = {row[header.index("VM moref")].value: row for row in sheet.iter_rows(min_row=2)}
    assert len(rows) == len(HOSTILE)
    for number, name in enumerate(HOSTILE):
        row = rows[f"vm-{number}"]
        cell = row[header.index("Name")]
        assert cell.data_type == "s", name
        expected = name.replace("\x07", "\ufffd").replace("\x1b", "\ufffd").replace("\r", "\n")
        assert cell.value == expected == sheet_text(name)
        assert row[header.index("Users")].value == f"{HOSTILE_USER}; corp\\ann"
        assert row[header.index("Pool")].value == HOSTILE_POOL
    assert rows["vm-0"][header.index("Name")].value == '=HYPERLINK("http://evil")'
    assert len(rows[f"vm-{HOSTILE.index('x' * 10_000)}"][header.index("Name")].value) == 10_000
    for each in workbook.worksheets:
        for row in each.iter_rows():
            for cell in row:
                assert cell.data_type in ("s", "n", "d"), (each.title, cell.coordinate)
    findings = workbook["Findings"]
    subjects = [row[4] for row in findings.iter_rows(min_row=2)]
    assert '=HYPERLINK("http://evil")' in [cell.value for cell in subjects]
    assert all(cell.data_type == "s" for cell in subjects)


def test_text_beyond_excels_cell_limit_is_cut() -> None:
    assert sheet_text("a\x00b\x1fc\td\ne") == "a\ufffdb\ufffdc\td\ne"
    long = sheet_text("y" * 40_000)
    assert len(long) == MAX_CELL_TEXT
    assert long.endswith("…")
    astral = sheet_text("😀" * 20_000)
    assert len(astral.encode("utf-16-le")) // 2 <= MAX_CELL_TEXT
    assert astral.endswith("😀…")


# Atomic writes


def test_a_failed_xlsx_write_leaves_the_old_file_and_no_temporary(
    demo: HealthReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"old workbook")

    def refuse(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match="No space left"):
        write_xlsx(demo, path)

    assert path.read_bytes() == b"old workbook"
    assert [entry.name for entry in tmp_path.iterdir()] == ["report.xlsx"]


def test_a_workbook_that_fails_to_build_leaves_the_old_file(
    demo: HealthReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"old workbook")

    def broken(report: HealthReport) -> list[RenderedTable]:
        raise RuntimeError("boom")

    monkeypatch.setattr(xlsx_export, "render_tables", broken)
    with pytest.raises(RuntimeError):
        write_xlsx(demo, path)

    assert path.read_bytes() == b"old workbook"
    assert [entry.name for entry in tmp_path.iterdir()] == ["report.xlsx"]


def test_a_successful_write_leaves_no_temporary(demo: HealthReport, tmp_path: Path) -> None:
    write_xlsx(demo, tmp_path / "report.xlsx")
    write_csv(demo, tmp_path)

    assert not [entry.name for entry in tmp_path.iterdir() if entry.name.startswith(".")]


def test_a_failed_csv_write_leaves_old_files_and_no_temporary(
    demo: HealthReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "desktops.csv").write_text("old", encoding="utf-8")
    calls: list[str] = []
    real_replace = os.replace

    def fail_on_desktops(source: str, target: str) -> None:
        calls.append(Path(target).name)
        if Path(target).name == "desktops.csv":
            raise OSError(13, "Permission denied")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", fail_on_desktops)
    with pytest.raises(OutputError, match=r"desktops\.csv"):
        write_csv(demo, tmp_path)

    assert (tmp_path / "desktops.csv").read_text(encoding="utf-8") == "old"
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["desktops.csv", "summary.csv"]


def test_a_csv_target_that_is_a_file_is_an_output_error(demo: HealthReport, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file", encoding="utf-8")

    with pytest.raises(OutputError, match="cannot create folder"):
        write_csv(demo, tmp_path / "taken")


def test_an_xlsx_target_that_is_a_folder_is_an_output_error(
    demo: HealthReport, tmp_path: Path
) -> None:
    with pytest.raises(OutputError, match="cannot write"):
        write_xlsx(demo, tmp_path)

    assert list(tmp_path.iterdir()) == []


# Any name at all


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.text(min_size=1, max_size=60))
def test_any_vm_name_survives_both_formats(name: str) -> None:
    desktop = vm(name, "vm-1")
    report = build_report(fleet_snapshot([desktop], [machine(desktop, "pool-1")]))
    clean = normalise(name)
    assert isinstance(clean, str)

    text = csv_files(report)["desktops.csv"].decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["Name"] for row in rows] == [neutralise(clean)]

    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_export.workbook_bytes(report)))
    cell = workbook["Desktops"]["A2"]
    assert cell.data_type == "s"
    assert cell.value == sheet_text(clean)


def test_csv_quoting_round_trips_quotes_commas_and_line_breaks() -> None:
    table = RenderedTable("t", "T", ["A"], [[Cell('say "hi", then\r\nbye')]])
    text = table_csv(table)
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["A"], ['say "hi", then\r\nbye']]
