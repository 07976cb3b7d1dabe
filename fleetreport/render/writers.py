"""Writing the scored model in the format asked for: HTML (default), JSON, CSV, xlsx or PDF."""

from __future__ import annotations

from pathlib import Path

from fleetreport.errors import OutputError
from fleetreport.health.report_json import write_json_report
from fleetreport.health.report_model import HealthReport
from fleetreport.render.branding import Branding
from fleetreport.render.formats import FORMATS
from fleetreport.render.html import write_html_report


def write_report(
    report: HealthReport,
    output_format: str,
    out: Path,
    branding: Branding | None = None,
    templates: Path | None = None,
    *,
    paper: str = "a4",
) -> list[Path]:
    """Write ``report`` to ``out`` (a folder for CSV, a file otherwise); the paths written.

    ``paper`` is the page size of ``pdf`` (:data:`fleetreport.render.formats.PAPER_SIZES`)."""
    if output_format == "html":
        write_html_report(report, out, branding, templates)
        return [out]
    if output_format == "json":
        write_json_report(report, out)
        return [out]
    if output_format == "csv":
        from fleetreport.export.csv_export import write_csv

        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(
                f"cannot create folder {out}: {error.strerror or error}",
                hint="--format csv writes one file per table into the --out folder",
            ) from None
        return write_csv(report, out)
    if output_format == "xlsx":
        from fleetreport.export.xlsx_export import write_xlsx

        write_xlsx(report, out)
        return [out]
    if output_format == "pdf":
        from fleetreport.render.pdf import write_pdf_report

        write_pdf_report(report, out, branding, templates, paper)
        return [out]
    raise OutputError(f"unknown format {output_format!r}", hint=f"one of {', '.join(FORMATS)}")
