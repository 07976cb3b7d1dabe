"""Reading TOML configuration files so that every problem names its file and line."""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fleetreport.errors import ConfigError
from fleetreport.text_files import read_user_text

_TABLE_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=")
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
_ESCAPE_PROBLEM = re.compile(r"escape|hex value|unicode", re.IGNORECASE)
WINDOWS_PATH_HINT = (
    "write Windows paths in single quotes ('C:\\reports') or with forward slashes (\"C:/reports\")"
)
_CONTROL_NAMES = {
    "\r": "a carriage return (\\r)",
    "\n": "a line feed (\\n)",
    "\t": "a tab (\\t)",
    "\b": "a backspace (\\b)",
    "\f": "a form feed (\\f)",
    "\x00": "a NUL character",
    "\x1b": "an escape character",
}


@dataclass(frozen=True)
class ConfigText:
    """A parsed TOML file and its text, to point at the line of a key."""

    path: str
    """The file as the user named it."""
    text: str
    """Its contents."""
    data: Mapping[str, Any]
    """What tomllib made of it."""

    def line_of(self, table: tuple[str, ...], key: str | None = None) -> int | None:
        """The line where ``key`` is set in ``[table]`` (or the table's header), if found.

        The N-th ``[[name]]`` entry of an array of tables is addressed as ``name[N]``.
        """
        current: tuple[str, ...] = ()
        header_line: int | None = 1 if not table else None
        entries: dict[tuple[str, ...], int] = {}
        for number, line in enumerate(self.text.splitlines(), start=1):
            header = _TABLE_HEADER.match(line)
            if header:
                current = _split_dotted(header.group(1))
                if line.lstrip().startswith("[["):
                    entries[current] = entries.get(current, 0) + 1
                    current = (*current[:-1], f"{current[-1]}[{entries[current]}]")
                if key is not None and current[: len(table) + 1] == (*table, key):
                    return number  # the key is itself a table: ``[checks.vm_uptime_long]``
                if current == table and header_line is None:
                    header_line = number
                continue
            assignment = _KEY_LINE.match(line)
            if not assignment or key is None:
                continue
            dotted = current + _split_dotted(assignment.group(1))
            if dotted[: len(table) + 1] == (*table, key):
                return number
        return header_line

    def error(
        self, table: tuple[str, ...], key: str | None, problem: str, hint: str
    ) -> ConfigError:
        """A ConfigError naming the file, the line and the dotted key."""
        line = self.line_of(table, key)
        where = ".".join((*table, key) if key else table)
        place = f"{self.path}:{line}" if line else self.path
        label = f" {where}:" if where else ""
        return ConfigError(f"{place}:{label} {problem}", hint=hint)

    def table(self, path: tuple[str, ...]) -> dict[str, Any]:
        """The table at ``path`` (empty when absent); anything else there is an error."""
        value: Any = self.data
        for depth, part in enumerate(path):
            if not isinstance(value, Mapping):
                raise self.error(path[:depth], None, "expected a table", hint="see the example")
            value = value.get(part, {})
        if not isinstance(value, Mapping):
            dotted = ".".join(path)
            raise self.error(path[:-1], path[-1], "expected a table", hint=f"write [{dotted}]")
        return dict(value)

    def reject_unknown(
        self,
        path: tuple[str, ...],
        table: Mapping[str, Any],
        known: Sequence[str],
        key: str | None = None,
    ) -> None:
        """An error for the first key of ``table`` that is not in ``known``."""
        for name in table:
            if name not in known:
                where = (*path, key) if key else path
                raise self.error(where, name, "unknown setting", hint=f"known: {', '.join(known)}")

    def number(
        self,
        path: tuple[str, ...],
        name: str,
        value: Any,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> float:
        """A number within bounds."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(
                path, name, f"expected a number, got {kind_of(value)}", hint=f"{name} = 10"
            )
        too_low = minimum is not None and value < minimum
        too_high = maximum is not None and value > maximum
        if not math.isfinite(value) or too_low or too_high:
            bounds = f"from {minimum:g}" if minimum is not None else ""
            if maximum is not None:
                bounds += f" to {maximum:g}"
            raise self.error(
                path, name, f"{value!r} is out of range", hint=f"use a number {bounds}".strip()
            )
        return float(value)

    def whole(self, path: tuple[str, ...], name: str, value: Any, minimum: int = 0) -> int:
        """A whole number of at least ``minimum``."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(
                path, name, f"expected a whole number, got {kind_of(value)}", hint=f"{name} = 4"
            )
        if value < minimum:
            raise self.error(path, name, f"{value} is too small", hint=f"at least {minimum}")
        return value

    def words(self, path: tuple[str, ...], name: str, value: Any) -> tuple[str, ...]:
        """A list of text."""
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(
                path,
                name,
                f"expected a list of text, got {kind_of(value)}",
                hint=f'{name} = ["a", "b*"]',
            )
        return tuple(value)

    def string(self, path: tuple[str, ...], name: str, value: Any) -> str:
        """Non-empty text."""
        if not isinstance(value, str) or not value.strip():
            raise self.error(
                path, name, f"expected text, got {kind_of(value)}", hint=f'{name} = "..."'
            )
        return value.strip()

    def flag(self, path: tuple[str, ...], name: str, value: Any) -> bool:
        """true or false."""
        if not isinstance(value, bool):
            raise self.error(path, name, "expected true or false", hint=f"{name} = true")
        return value

    def path_value(self, path: tuple[str, ...], name: str, value: Any) -> Path:
        """A file or folder path; relative paths are relative to the config file's folder.

        A control character is refused: it is what ``"C:\\reports"`` reads as in TOML.
        """
        text = self.string(path, name, value)
        control = next((char for char in value if unicodedata.category(char) == "Cc"), None)
        if control is not None:
            seen = _CONTROL_NAMES.get(control, f"the control character U+{ord(control):04X}")
            problem = f"the path holds {seen}: in double quotes TOML reads a backslash as an escape"
            raise self.error(path, name, problem, hint=WINDOWS_PATH_HINT)
        given = Path(text).expanduser()
        return given if given.is_absolute() else Path(self.path).parent / given


T = TypeVar("T")


class Problems:
    """Where a reader puts its ConfigErrors: raised at once, or collected to list them all
    (``fleetreport config check``)."""

    def __init__(self, collect: bool = False) -> None:
        self.collect = collect
        self.errors: list[ConfigError] = []

    def attempt(self, read: Callable[[], T], fallback: T) -> T:
        """``read()``; on a ConfigError, raise it, or record it and go on with ``fallback``."""
        try:
            return read()
        except ConfigError as error:
            if not self.collect:
                raise
            self.errors.append(error)
            return fallback


def read_config(path: Path) -> ConfigText:
    """Read and parse a TOML file (UTF-8, or UTF-16 with a BOM); a syntax error names its line."""
    return parse_config(read_user_text(path, "config file", ConfigError), str(path))


def parse_config(text: str, path: str) -> ConfigText:
    """Parse TOML text; a syntax error becomes a ConfigError with the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        reason = _TOML_POSITION.sub("", message).strip()
        place = f"{path}:{position.group(1)}" if position else path
        hint = WINDOWS_PATH_HINT if _ESCAPE_PROBLEM.search(reason) else "see the example config"
        raise ConfigError(f"{place}: not valid TOML: {reason}", hint=hint) from None
    return ConfigText(path, text, data)


def _split_dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))


def kind_of(value: Any) -> str:
    """How a TOML value reads in an error message."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return type(value).__name__
