"""The report's tables as CSV files that Excel opens safely: one file per table.

Each file is UTF-8 with a byte-order mark (without it Excel reads UTF-8 as the local code
page and mangles accented and non-Latin names), RFC 4180 quoting by the csv module, a header
row in plain words, numbers as numbers.

Text from the customer's estate is untrusted: a VM named ``=HYPERLINK("http://evil")``
would run as a formula when the file is opened. As OWASP recommends for CSV injection, any
text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading single quote, so spreadsheet programs show it as text. Numbers are written as
numbers and never quoted, so negative figures stay figures.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import datetime
from pathlib import Path

from fleetreport.atomic_write import write_atomically
from fleetreport.errors import OutputError
from fleetreport.export.tables import CellValue, RenderedTable, render_tables
from fleetreport.health.report_model import HealthReport

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet read a cell as a formula (OWASP's list)."""

ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark, the only UTF-8 Excel recognises in a CSV file."""


def neutralise(text: str) -> str:
    """``text`` made inert as a spreadsheet cell: a formula-leading one gets a ``'`` prefix."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_value(value: CellValue) -> str | int | float:
    """A rendered cell as CSV writes it: text neutralised, numbers as they are, empty ``""``.

    Datetimes (always UTC) are written ``YYYY-MM-DD HH:MM:SS``, which Excel reads as a date.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return value


def table_csv(table: RenderedTable) -> str:
    """One table as CSV text: header row, then one row per record, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(table.headers)
    writer.writerows([csv_value(cell.value) for cell in row] for row in table.rows)
    return buffer.getvalue()


def csv_files(report: HealthReport, prefix: str = "") -> dict[str, bytes]:
    """Every table's file name (``{prefix}{table}.csv``) and its encoded content, in order."""
    _check_prefix(prefix)
    return {
        f"{prefix}{table.name}.csv": table_csv(table).encode(ENCODING)
        for table in render_tables(report)
    }


def write_csv(report: HealthReport, folder: Path, prefix: str = "") -> list[Path]:
    """Write one CSV file per table into ``folder`` (created if missing); the paths written.

    ``prefix`` is put in front of every file name as given (``acme-`` gives
    ``acme-desktops.csv``); it may not name a folder. Every file is rendered before the
    first is written, and each is written atomically, so a failure never leaves a half
    file; files already written by the same call stay.
    """
    files = csv_files(report, prefix)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"cannot create folder {folder}: {error.strerror or error}",
            hint="CSV export writes one file per table into a folder",
        ) from None
    written = []
    for name, content in files.items():
        path = folder / name
        write_atomically(path, content)
        written.append(path)
    return written


def _check_prefix(prefix: str) -> None:
    separators = {"/", "\\", os.sep, os.altsep or "/"}
    if any(char in separators or ord(char) < 32 for char in prefix):
        raise OutputError(
            f"the CSV file name prefix {prefix!r} must be a plain name",
            hint="give the folder as the output path and only a name prefix, e.g. 'acme-'",
        )
