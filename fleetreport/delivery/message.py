"""The message: a plain-text summary of the report, the report (and workbook) attached.

Text a customer or a vCenter chose (the customer's name, failed sources' errors) is reduced
to one line without control characters before it reaches a header or the body, so no name can
add a header (``Bcc:``) or reorder the text around it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from fleetreport.delivery.errors import DeliveryError
from fleetreport.delivery.settings import EmailSettings, parse_address
from fleetreport.health.report_model import FindingRecord, HealthReport
from fleetreport.health.report_records import Source
from fleetreport.health.results import Severity
from fleetreport.render.summary_lines import subject_line
from fleetreport.text import one_line

log = logging.getLogger(__name__)


HTML_TYPE = ("text", "html")


XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


ATTACHMENT_TYPES: dict[str, tuple[str, str]] = {
    ".html": HTML_TYPE,
    ".htm": HTML_TYPE,
    ".xlsx": XLSX_TYPE,
    ".json": ("application", "json"),
    ".csv": ("text", "csv"),
    ".pdf": ("application", "pdf"),
}
"""Content types of the files ``fleetreport run`` writes; anything else is octet-stream."""


WORST_GROUPS = 5
"""Finding groups (by check) listed in the body."""


_SUBJECT_PLURALS = {
    "desktop": "desktops",
    "pool": "pools",
    "host": "hosts",
    "connection_server": "Connection Servers",
}


def build_message(
    report: HealthReport,
    settings: EmailSettings,
    attachments: Sequence[Path],
    changes_summary: str | None = None,
    *,
    customer: str | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """The email for ``report``: a summary in the body, the report files attached.

    ``attachments`` are the files written for this run: HTML files are attached as
    ``text/html``, xlsx workbooks only when ``settings.attach_xlsx``, others by their type.
    ``customer`` (the branding's customer name) leads the subject; ``changes_summary`` (plain
    text, the comparison with the previous run) goes into the body.
    """
    sender = parse_address(settings.sender, "sender")
    recipients = [parse_address(r, "recipient") for r in settings.recipients]
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = subject_line(report, settings.subject_prefix, customer)
    message["From"] = sender
    message["To"] = recipients
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = make_msgid(idstring="fleetreport", domain=_message_id_domain(sender))
    message["Auto-Submitted"] = "auto-generated"
    attached: list[str] = []
    parts: list[tuple[str, bytes, tuple[str, str]]] = []
    for path in attachments:
        kind = ATTACHMENT_TYPES.get(path.suffix.lower(), ("application", "octet-stream"))
        if kind == XLSX_TYPE and not settings.attach_xlsx:
            log.debug("not attaching %s: attach_xlsx is off", path)
            continue
        try:
            data = path.read_bytes()
        except OSError as error:
            raise DeliveryError(
                f"cannot read attachment {path}: {error.strerror or error}",
                hint="the report files must still be in place when the mail is sent",
            ) from None
        name = one_line(path.name, 150) or "attachment"
        parts.append((name, data, kind))
        attached.append(name)
    message.set_content(message_body(report, attached, changes_summary, customer))
    for name, data, (maintype, subtype) in parts:
        params = {"charset": "utf-8"} if maintype == "text" else None
        message.add_attachment(data, maintype, subtype, filename=name, params=params)
    return message


def message_body(
    report: HealthReport,
    attached: Sequence[str],
    changes_summary: str | None = None,
    customer: str | None = None,
) -> str:
    """The plain-text body: fleet figures, the worst finding groups, failed sources, times."""
    fleet = report.fleet
    name = one_line(customer or "", 200)
    lines = [f"{name}: desktop fleet health" if name else "Desktop fleet health", ""]
    healthy = (
        f" ({fleet.healthy_desktops} healthy, {_percent(fleet.healthy_share)})"
        if fleet.desktops
        else ""
    )
    by_severity = ", ".join(
        f"{fleet.findings_by_severity.get(s.value, 0)} {s.value}" for s in Severity
    )
    lines += [
        f"Grade          {fleet.grade or 'n/a'}",
        f"Patch score    {_score(fleet.patch_score)} of 100",
        f"Power score    {_score(fleet.power_score)} of 100",
        f"Desktops       {fleet.desktops}{healthy}",
        f"Pools          {fleet.pools}",
        f"Findings       {by_severity}",
        f"Data coverage  {_percent(fleet.coverage)}",
    ]
    failed = _failed_sources(report)
    if failed:
        lines += [
            "",
            f"PARTIAL DATA: {len(failed)} source{'' if len(failed) == 1 else 's'} failed;"
            " the figures leave out what they hold.",
        ]
        for source in failed:
            error = one_line(source.error or "no reason recorded", 300)
            lines.append(f"  {source.kind} {one_line(source.url, 200)}: {error}")
    groups = worst_groups(report.findings)
    lines += ["", "Worst findings, by check"]
    if not groups:
        lines.append("  none")
    for group in groups:
        lines.append(f"  {group}")
    if changes_summary and changes_summary.strip():
        lines += ["", "Changes since the previous run"]
        lines += [f"  {one_line(line, 300)}" for line in changes_summary.strip().splitlines()]
    lines += [
        "",
        f"Data collected {_time(report.snapshot.collected_at)}; report made "
        f"{_time(report.generated_at)} by {one_line(report.generator, 80)}.",
    ]
    if attached:
        lines += ["", "Attached: " + ", ".join(attached) + ". Open the HTML report in a browser."]
    return "\n".join(lines) + "\n"


def worst_groups(findings: Sequence[FindingRecord], limit: int = WORST_GROUPS) -> list[str]:
    """The ``limit`` worst checks as lines: worst severity first, then most subjects."""
    by_check: dict[str, list[FindingRecord]] = defaultdict(list)
    for finding in findings:
        by_check[finding.check].append(finding)

    def rank(check: str) -> tuple[int, int, int, str]:
        records = by_check[check]
        worst = min(_severity_rank(r.severity) for r in records)
        at_worst = sum(1 for r in records if _severity_rank(r.severity) == worst)
        return (worst, -at_worst, -len(records), check)

    lines = []
    for check in sorted(by_check, key=rank)[:limit]:
        records = by_check[check]
        counts: dict[str, int] = defaultdict(int)
        for record in records:
            counts[record.severity] += 1
        severities = sorted(counts, key=_severity_rank)
        worst = severities[0]
        kinds = {r.subject_kind for r in records}
        kind = kinds.pop() if len(kinds) == 1 else ""
        noun = (
            (kind.replace("_", " ") if len(records) == 1 else _SUBJECT_PLURALS.get(kind, kind))
            if kind
            else ("subject" if len(records) == 1 else "subjects")
        )
        split = (
            " (" + ", ".join(f"{counts[s]} {s}" for s in severities) + ")"
            if len(severities) > 1
            else ""
        )
        title = one_line(records[0].title, 120)
        lines.append(f"{worst:<9} {title} [{check}]: {len(records)} {noun}{split}")
    return lines


def _failed_sources(report: HealthReport) -> list[Source]:
    return [source for source in report.sources if source.status == "failed"]


def _severity_rank(severity: str) -> int:
    try:
        return Severity(severity).rank
    except ValueError:
        return len(Severity)


def _message_id_domain(sender: Address) -> str:
    domain = sender.domain.strip("[]")
    return domain if domain and all(c.isalnum() or c in "-." for c in domain) else "fleetreport"


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%".replace(".0%", "%")


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
