"""Mailing a run's report: the ``[email]`` config resolved into delivery settings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fleetreport.delivery import EmailSettings, deliver
from fleetreport.endpoints import TlsOptions
from fleetreport.health.report_model import Changes, HealthReport
from fleetreport.render.branding import Branding
from fleetreport.run.config import EmailConfig
from fleetreport.secrets import resolve_secret


def mail_report(
    config: EmailConfig,
    report: HealthReport,
    folder: Path,
    formats: Sequence[str],
    branding: Branding,
) -> bool:
    """Send the run's report as ``[email]`` says; False when ``only_when_worse`` held it back."""
    password = None
    if config.username is not None and config.secret is not None:
        password = resolve_secret(config.secret, config.username, f"mail server {config.host}")
    settings = EmailSettings(
        host=config.host,
        port=config.port,
        security=config.security,
        username=config.username,
        password=password,
        sender=config.sender,
        recipients=config.recipients,
        subject_prefix=config.subject_prefix,
        attach_xlsx=config.attach_xlsx,
        only_when_worse=config.only_when_worse,
        timeout=config.timeout,
        tls=TlsOptions(verify=not config.tls.insecure, ca_file=config.tls.ca_file),
    )
    attachments = [folder / "report.html"] if "html" in formats else []
    if config.attach_xlsx and "xlsx" in formats:
        attachments.append(folder / "report.xlsx")
    changes = report.changes
    return deliver(
        report,
        settings,
        attachments,
        worse=changes.worse if changes is not None else None,
        changes_summary=describe_changes(changes) if changes is not None else None,
        customer=branding.customer,
    )


def describe_changes(changes: Changes) -> str:
    """Since the last run, in a few plain lines for the mail body."""
    new = ", ".join(f"{n} {s}" for s, n in changes.new_findings_by_severity.items() if n)
    resolved = ", ".join(f"{n} {s}" for s, n in changes.resolved_findings_by_severity.items() if n)
    lines = [
        f"Since the last run ({changes.previous_collected_at:%Y-%m-%d %H:%M} UTC):",
        f"  grade {changes.previous_grade or 'n/a'} -> {changes.grade or 'n/a'}",
        f"  new findings: {new or 'none'}; resolved: {resolved or 'none'}",
        f"  desktops added {len(changes.new_desktops)}, removed {len(changes.removed_desktops)}",
    ]
    return "\n".join(lines)
