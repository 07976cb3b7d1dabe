"""Reading TOML configuration files so that every problem names its file and line."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fleetreport.errors import ConfigError

_TABLE_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=")
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


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
        """The line where ``key`` is set in ``[table]`` (or the table's header), if found."""
        current: tuple[str, ...] = ()
        header_line: int | None = 1 if not table else None
        for number, line in enumerate(self.text.splitlines(), start=1):
            header = _TABLE_HEADER.match(line)
            if header:
                current = _split_dotted(header.group(1))
                if key is not None and current[: len(table) + 1] == (*table, key):
                    return number  # the key is itself a table: ``[checks.vm_uptime_long]``
                if current == table and header_line is None:
                    header_line = number
                continue
            assignment = _KEY_LINE.match(line)
            if not assignment or key is None:
                continue
            dotted = current + _split_dotted(assignment.group(1))
            if dotted == (*table, key):
                return number
            if dotted[: len(table) + 1] == (*table, key):
                return number  # a dotted key such as ``include.pools = [...]``
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


def read_config(path: Path) -> ConfigText:
    """Read and parse a TOML file; a syntax error names its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist", hint="check the path") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path} is a folder", hint="give a .toml file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text", hint="save it as UTF-8 TOML") from None
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None
    return parse_config(text, str(path))


def parse_config(text: str, path: str) -> ConfigText:
    """Parse TOML text; a syntax error becomes a ConfigError with the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        reason = _TOML_POSITION.sub("", message).strip()
        place = f"{path}:{position.group(1)}" if position else path
        raise ConfigError(
            f"{place}: not valid TOML: {reason}", hint="see the example config"
        ) from None
    return ConfigText(path, text, data)


def _split_dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))
