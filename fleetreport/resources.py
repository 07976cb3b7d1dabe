"""Find the templates and the demo fixture, inside an installed wheel or in the source tree."""

from __future__ import annotations

from pathlib import Path

from fleetreport.errors import InputFileError

_PACKAGE = Path(__file__).resolve().parent
_INSTALLED_DATA = _PACKAGE / "_data"  # where the wheel puts templates/ and fixtures/demo/
_SOURCE_TREE = _PACKAGE.parent  # a checkout or an editable install


def _find(installed: Path, in_source_tree: Path, what: str) -> Path:
    for candidate in (installed, in_source_tree):
        if candidate.exists():
            return candidate
    raise InputFileError(
        f"{what} is missing from this installation ({installed})",
        hint="reinstall fleetreport from its wheel",
    )


def templates_dir() -> Path:
    """The built-in Jinja2 templates."""
    return _find(_INSTALLED_DATA / "templates", _SOURCE_TREE / "templates", "templates folder")


def demo_snapshot_path() -> Path:
    """The recorded demo fleet shipped with the package."""
    return _find(
        _INSTALLED_DATA / "demo" / "snapshot.json",
        _SOURCE_TREE / "fixtures" / "demo" / "snapshot.json",
        "demo fixture",
    )
