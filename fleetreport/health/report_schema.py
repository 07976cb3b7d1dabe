"""The JSON report's schema, derived from ``report_model`` like the snapshot's.

Regenerate the shipped file with
``python -m fleetreport.health.report_schema > fleetreport/health/report.schema.json``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from fleetreport.health import report_model, report_records
from fleetreport.health.build import REPORT_SCHEMA_VERSION
from fleetreport.snapshot.schema import dataclass_schema

REPORT_SCHEMA_FILE = "report.schema.json"


def build_report_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) for ``fleetreport report --format json``."""
    return dataclass_schema(
        report_model.HealthReport,
        modules=(report_records, report_model),
        title="fleetreport health report",
        schema_id=f"https://fleetreport.invalid/schemas/report-{REPORT_SCHEMA_VERSION}.json",
        version=REPORT_SCHEMA_VERSION,
    )


def report_schema_text() -> str:
    """The schema as the shipped file holds it."""
    return json.dumps(build_report_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_report_schema_text() -> str:
    """The schema file shipped inside the package."""
    return resources.files("fleetreport.health").joinpath(REPORT_SCHEMA_FILE).read_text("utf-8")


if __name__ == "__main__":
    print(report_schema_text(), end="")
