"""Branding and wording of the customer report: names, logo, accent colour.

Defaults make a neutral report; a consultant sets them in the ``[branding]`` table of a
config file or with command-line options. The logo is embedded as a ``data:`` URI, so the
report stays one file that opens with no network.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, replace
from pathlib import Path

from fleetreport.config_file import ConfigText
from fleetreport.errors import InputFileError

ACCENT = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
DEFAULT_ACCENT = "#1f5f8b"


@dataclass(frozen=True)
class Branding:
    """Who the report is for and from, and how it looks."""

    customer: str = "Customer"
    """Customer name on the cover."""
    title: str = "Horizon desktop fleet health report"
    """The report's title."""
    consultant_company: str | None = None
    """The consultancy delivering it."""
    consultant_name: str | None = None
    """The consultant's name."""
    logo_data_uri: str | None = None
    """The logo, embedded (see ``logo_data_uri``)."""
    accent_colour: str = DEFAULT_ACCENT
    """Accent colour, ``#rrggbb``."""


def accent_colour(text: str) -> str:
    """A validated ``#rrggbb`` colour (anything else could inject CSS)."""
    if not ACCENT.match(text.strip()):
        raise InputFileError(
            f"accent colour {text!r} is not a #rrggbb colour", hint="e.g. --accent '#1f5f8b'"
        )
    return text.strip().lower()


def logo_data_uri(path: Path) -> str:
    """The logo file as a ``data:`` URI: PNG, JPEG, GIF or SVG, at most 2 MiB.

    SVG is embedded through ``<img>``, where browsers never run its scripts.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"logo {path} does not exist", hint="check the path") from None
    except OSError as error:
        raise InputFileError(f"cannot read logo {path}: {error.strerror or error}") from None
    if len(data) > MAX_LOGO_BYTES:
        raise InputFileError(
            f"logo {path} is {len(data) // 1024} KiB", hint="use an image under 2 MiB"
        )
    mime = next((kind for magic, kind in LOGO_TYPES.items() if data.startswith(magic)), None)
    if mime is None and b"<svg" in data[:4096].lower():
        mime = "image/svg+xml"
    if mime is None:
        raise InputFileError(
            f"logo {path} is not a PNG, JPEG, GIF or SVG image", hint="convert it to PNG"
        )
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


BRANDING_KEYS = (
    "customer",
    "title",
    "consultant_company",
    "consultant_name",
    "logo",
    "accent_colour",
)


def branding_from_config(config: ConfigText, defaults: Branding | None = None) -> Branding:
    """The ``[branding]`` table of a config file; ``logo`` is relative to the file's folder."""
    base = defaults or Branding()
    table = config.data.get("branding", {})
    path = ("branding",)
    if not isinstance(table, dict):
        raise config.error((), "branding", "expected a table", hint="write [branding]")
    values: dict[str, str] = {}
    for key, value in table.items():
        if key not in BRANDING_KEYS:
            raise config.error(
                path, key, "unknown setting", hint=f"known: {', '.join(BRANDING_KEYS)}"
            )
        if not isinstance(value, str) or not value.strip():
            raise config.error(path, key, "expected text", hint=f'{key} = "..."')
        values[key] = value.strip()
    logo_path = config.path_value(path, "logo", table["logo"]) if values.pop("logo", None) else None
    try:
        logo = logo_data_uri(logo_path) if logo_path is not None else None
        accent = accent_colour(values.pop("accent_colour", base.accent_colour))
    except InputFileError as error:
        raise config.error(path, None, error.message, hint=error.hint or "") from None
    return replace(
        base,
        logo_data_uri=logo or base.logo_data_uri,
        accent_colour=accent,
        **values,
    )
