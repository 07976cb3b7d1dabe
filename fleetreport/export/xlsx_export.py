"""The report's tables as one Excel workbook: a sheet per table, ready to sort and filter.

Sheets come in :data:`fleetreport.export.tables.TABLES` order (Summary first). Each has a
bold header row that stays in view (frozen panes at A2), an autofilter over the table,
column widths fitted to the content (capped), numbers as numbers with a display format, and
times as real Excel dates (UTC).

Text from the customer's estate is untrusted. openpyxl stores a text value that starts with
``=`` as a formula (and ``#N/A`` as an error), so every text cell is typed as a string after
assignment: hostile names stay literal text, never formulas. Characters XML cannot hold
(control characters such as BEL or ESC) are replaced with U+FFFD, so a hostile name cannot
make openpyxl refuse the workbook; carriage returns become line feeds (XML reads them so
anyway), and text beyond Excel's 32,767-character cell limit is cut.

openpyxl is a core dependency (the xlsx is what consultants hand over with the report), and
only this module imports it; it ships no type information, so it is typed as ``Any``.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from fleetreport.atomic_write import write_atomically
from fleetreport.export.tables import DATETIME, CellValue, RenderedTable, render_tables
from fleetreport.health.report_model import HealthReport

MAX_WIDTH = 60
"""Widest a column is made, in characters; longer text is still there, just cut off on screen."""
MIN_WIDTH = 8
"""Narrowest a column is made."""
MAX_CELL_TEXT = 32767
"""Excel's limit on the text of one cell, in UTF-16 code units."""
REPLACEMENT = "\ufffd"
"""What a character XML cannot hold becomes."""


def write_xlsx(report: HealthReport, path: Path) -> None:
    """Write the report's tables to the workbook ``path``, atomically.

    The whole workbook is built in memory first, so a failure leaves an existing file as it
    was. Raises :class:`~fleetreport.errors.OutputError` when the file cannot be written.
    """
    write_atomically(path, workbook_bytes(report))


def workbook_bytes(report: HealthReport) -> bytes:
    """The workbook as the bytes of an ``.xlsx`` file."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = report.generator
    workbook.properties.title = "Desktop fleet health"
    for table in render_tables(report):
        _fill_sheet(workbook.create_sheet(table.title), table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill_sheet(sheet: Any, table: RenderedTable) -> None:
    """Write ``table`` into ``sheet``: bold frozen header, typed cells, filter, widths."""
    bold = Font(bold=True)
    for column, header in enumerate(table.headers, start=1):
        sheet.cell(row=1, column=column, value=header).font = bold
    widths = [len(header) for header in table.headers]
    for row_number, row in enumerate(table.rows, start=2):
        for column, rendered in enumerate(row, start=1):
            value = rendered.value
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=column)
            if isinstance(value, str):
                cell.value = _cell_text(value, ILLEGAL_CHARACTERS_RE)
                cell.data_type = "s"  # never a formula or an error value, whatever it starts with
            else:
                cell.value = value
                number_format = rendered.number_format
                if isinstance(value, datetime) and number_format is None:
                    number_format = DATETIME
                if number_format:
                    cell.number_format = number_format
            widths[column - 1] = max(widths[column - 1], _display_width(value))
    sheet.freeze_panes = "A2"
    last_column = get_column_letter(max(len(table.headers), 1))
    sheet.auto_filter.ref = f"A1:{last_column}{len(table.rows) + 1}"
    for column, width in enumerate(widths, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def sheet_text(text: str) -> str:
    """``text`` as a workbook holds it: XML-illegal characters replaced, line ends as LF,
    length capped at Excel's limit."""
    return _cell_text(text, ILLEGAL_CHARACTERS_RE)


def _cell_text(text: str, illegal: Any) -> str:
    # XML parsers read a bare CR as LF, so write what Excel (and openpyxl) will read back.
    text = illegal.sub(REPLACEMENT, text).replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_CELL_TEXT // 2 and len(text.encode("utf-16-le")) // 2 > MAX_CELL_TEXT:
        # Cut by UTF-16 units, as Excel counts, without splitting a surrogate pair.
        units = text.encode("utf-16-le")[: (MAX_CELL_TEXT - 1) * 2]
        text = units.decode("utf-16-le", errors="ignore") + "…"
    return text


def _display_width(value: CellValue) -> int:
    if isinstance(value, str):
        return max((len(line) for line in value.splitlines()), default=0)
    if isinstance(value, datetime):
        return 19
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    return len(f"{value:,}")
