"""The fail-on rule: which exit code a judged fleet earns (``--fail-on``, ``[run] fail_on``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from fleetreport.errors import ExitCode, FleetReportError
from fleetreport.health.results import Severity

if TYPE_CHECKING:
    from fleetreport.health.report_model import HealthReport

FAIL_ON = ("critical", "warning", "info", "never")


def fail_threshold(name: str) -> Severity | None:
    """The severity ``--fail-on`` names, or None for ``never``."""
    return None if name == "never" else Severity(name)


def outcome(report: HealthReport, failures: Sequence[FleetReportError], fail_on: str) -> ExitCode:
    """3 when a source failed, else 2 when a finding reaches ``fail_on``, else 0."""
    if failures:
        return ExitCode.PARTIAL
    threshold = fail_threshold(fail_on)
    if threshold is not None:
        worst = {Severity(f.severity).rank for f in report.findings}
        if worst and min(worst) <= threshold.rank:
            return ExitCode.FINDINGS
    return ExitCode.OK
