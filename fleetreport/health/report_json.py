"""The scored model as a JSON file."""

from __future__ import annotations

from pathlib import Path

from fleetreport.atomic_write import write_atomically
from fleetreport.health.report_model import HealthReport
from fleetreport.snapshot.codec import to_json_text


def report_to_json(report: HealthReport) -> str:
    """The report's JSON text: field order as the model declares it, UTF-8 kept readable."""
    return to_json_text(report)


def write_json_report(report: HealthReport, path: Path) -> None:
    """Write the JSON report atomically."""
    write_atomically(path, report_to_json(report))
