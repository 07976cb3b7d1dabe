"""The fleet in one line: for ``report`` and ``demo``, for a ``run``, and for the mail subject."""

from __future__ import annotations

from pathlib import Path

from fleetreport.errors import ExitCode
from fleetreport.health.report_model import HealthReport
from fleetreport.health.results import Severity
from fleetreport.text import one_line

CUSTOMER_LIMIT = 80
"""Characters of the customer's name kept in the subject."""

SUBJECT_LIMIT = 250
"""Characters of the whole subject."""


def report_line(report: HealthReport) -> str:
    """The fleet's scores and findings in one line."""
    fleet = report.fleet
    severities = ", ".join(f"{n} {s}" for s, n in fleet.findings_by_severity.items())
    scores = (
        f"grade {fleet.grade}, patch {fleet.patch_score:g}, power {fleet.power_score:g}"
        if fleet.patch_score is not None and fleet.power_score is not None
        else "no desktops to score"
    )
    return f"{fleet.desktops} desktops, {scores}; {len(report.findings)} findings ({severities})"


def run_line(
    report: HealthReport | None,
    folder: Path | None,
    *,
    failed_sources: int,
    mailed: bool,
    mail_failed: bool,
    exit_code: ExitCode,
) -> str:
    """The run in one line, for cron mail and logs."""
    if report is None or folder is None:
        return "fleetreport run: nothing written (no source could be read)"
    fleet = report.fleet
    counts = ", ".join(f"{n} {s}" for s, n in fleet.findings_by_severity.items() if n)
    scores = (
        f"grade {fleet.grade} (patch {fleet.patch_score:g}, power {fleet.power_score:g})"
        if fleet.patch_score is not None and fleet.power_score is not None
        else "no desktops"
    )
    partial = f"; PARTIAL: {failed_sources} failed" if failed_sources else ""
    mailed_text = "; mailed" if mailed else ""
    if mail_failed:
        mailed_text = "; MAIL NOT SENT"
    return (
        f"fleetreport run: {fleet.desktops} desktops, {scores}; findings: {counts or 'none'}"
        f"{partial}; report in {folder}{mailed_text} (exit {int(exit_code)})"
    )


def subject_line(report: HealthReport, prefix: str, customer: str | None = None) -> str:
    """``[fleetreport] Contoso: grade B (patch 83.8, power 97), 35 critical findings``,
    with `` — PARTIAL: 1 source failed`` when a source failed. One line, no control characters.
    """
    fleet = report.fleet
    critical = fleet.findings_by_severity.get(Severity.CRITICAL.value, 0)
    figures = (
        f"grade {fleet.grade or 'n/a'} (patch {_score(fleet.patch_score)}, "
        f"power {_score(fleet.power_score)}), "
        f"{critical} critical finding{'' if critical == 1 else 's'}"
    )
    name = one_line(customer or "", CUSTOMER_LIMIT)
    text = f"{name}: {figures}" if name else figures
    failed = [source for source in report.sources if source.status == "failed"]
    if failed:
        text += f" — PARTIAL: {len(failed)} source{'' if len(failed) == 1 else 's'} failed"
    head = one_line(prefix, 60)
    return one_line(f"{head} {text}" if head else text, SUBJECT_LIMIT)


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"
