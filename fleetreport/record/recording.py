"""Writing a recording: the snapshot (anonymised when asked) as a bundle, and the private
mapping that turns the pseudonyms back into the customer's names."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fleetreport.atomic_write import write_atomically
from fleetreport.record.anonymiser import Mapping, anonymise
from fleetreport.record.bundle import write_bundle
from fleetreport.record.mapping_file import MAPPING_FORMAT, MAPPING_WARNING
from fleetreport.snapshot.codec import format_time
from fleetreport.snapshot.model import Snapshot


@dataclass(frozen=True)
class Recording:
    """What was written."""

    snapshot: Snapshot
    """The snapshot in the bundle (anonymised when a mapping was written)."""
    anonymised: bool
    """True when names were replaced and the mapping written."""


def write_recording(snapshot: Snapshot, bundle: Path, mapping: Path | None) -> Recording:
    """Write ``snapshot`` as ``bundle``; with ``mapping``, anonymise it first and write the
    mapping before the bundle (never a shareable bundle without its way back)."""
    if mapping is not None:
        result = anonymise(snapshot)
        write_mapping(mapping, result.mapping, bundle=bundle)
        snapshot = result.snapshot
    write_bundle(bundle, snapshot, anonymised=mapping is not None)
    return Recording(snapshot, anonymised=mapping is not None)


def mapping_json(mapping: Mapping, *, bundle: Path, created_at: datetime | None = None) -> str:
    """The mapping file's text: original -> pseudonym, by category."""
    document = {
        "warning": MAPPING_WARNING,
        "format": MAPPING_FORMAT,
        "format_version": 1,
        "bundle": bundle.name,
        "created_at": format_time(created_at or datetime.now(UTC)),
        "mapping": mapping,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def write_mapping(path: Path, mapping: Mapping, *, bundle: Path) -> None:
    """Write the mapping as privately as the system allows (:func:`write_private`)."""
    write_private(path, mapping_json(mapping, bundle=bundle))


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically; on Linux and macOS with mode 0600 from the
    first byte. Windows has no such mode: the file takes the permissions of its folder."""
    write_atomically(path, text, private=True)


def privacy_of_private_files() -> str:
    """What :func:`write_private` can promise on this system, for the user's message."""
    if os.name == "posix":
        return "mode 0600: only you can read it"
    return "on Windows it has its folder's permissions: keep it in your own profile, not a share"
