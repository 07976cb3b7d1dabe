"""Reading text files a user wrote: UTF-8 with or without BOM, UTF-16 with BOM, any line ends.

Windows PowerShell 5.1 writes UTF-16 LE with a BOM (``Out-File``, ``>``) or UTF-8 with a BOM
(``Set-Content -Encoding utf8``); Notepad writes UTF-8; ``Set-Content`` without ``-Encoding``
writes the ANSI code page, which is refused here rather than guessed.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from fleetreport.errors import FleetReportError, InputFileError

SAVE_AS_UTF8 = (
    "save it as UTF-8: in PowerShell, Set-Content -Encoding utf8;"
    " in Notepad, Save As with Encoding UTF-8"
)
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)


def read_user_text(path: Path, what: str, error: type[FleetReportError] = InputFileError) -> str:
    """The text of ``path`` with LF line ends; any problem is one ``error`` naming ``what``."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{what} {path} does not exist", hint="check the path") from None
    except OSError as problem:
        if path.is_dir():  # Windows says "permission denied" for a folder
            raise error(f"{what} {path} is a folder", hint="give the file itself") from None
        raise error(f"cannot read {what} {path}: {problem.strerror or problem}") from None
    return decode_user_text(data, f"{what} {path}", error)


def decode_user_text(
    data: bytes, named: str, error: type[FleetReportError] = InputFileError
) -> str:
    """``data`` decoded by its BOM (else as UTF-8) with LF line ends, or one ``error``."""
    for mark, codec, label in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            problem = f"starts with a {label} BOM but is not {label} text"
            text = _decode(data, len(mark), codec, f"{named} {problem}", error)
            break
    else:
        if b"\x00" in data:
            raise error(
                f"{named} is not UTF-8 text: it has NUL bytes (UTF-16 without a BOM?)",
                hint=SAVE_AS_UTF8,
            )
        text = _decode(data, 0, "utf-8", f"{named} is not UTF-8 text", error)
    if "\x00" in text:
        raise error(f"{named} has NUL characters, which text files do not hold", hint=SAVE_AS_UTF8)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(
    data: bytes, start: int, codec: str, message: str, error: type[FleetReportError]
) -> str:
    """``data[start:]`` decoded; a failure says which byte and what the file may be instead."""
    try:
        return data[start:].decode(codec)
    except UnicodeDecodeError as problem:
        offset = start + problem.start
        seen = f"byte 0x{data[offset : offset + 1].hex()} at offset {offset}"
        guess = ": Windows-1252 or Latin-1?" if codec == "utf-8" else ""
        raise error(f"{message} ({seen}{guess})", hint=SAVE_AS_UTF8) from None
