"""Bundles: a recorded estate in one zip file, replayed with no network.

A bundle holds exactly two members:

- ``bundle.json``: what the bundle is (``format``, ``format_version``, the fleetreport version
  that wrote it, ``recorded_at``, ``anonymised``, the snapshot's schema version and collection
  time, sources by kind and status, object counts). Never a credential, a URL or a mapping.
- ``snapshot.json``: the snapshot, exactly as ``fleetreport collect`` would write it.

Reading is defensive: only those two members are read, each at most
:data:`MAX_MEMBER_BYTES` (checked against the size the zip declares before reading, and again
while reading), straight into memory; nothing is ever extracted to disk. Any problem is one
:class:`~fleetreport.errors.InputFileError` line.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from fleetreport import __version__
from fleetreport.atomic_write import write_atomically
from fleetreport.errors import InputFileError
from fleetreport.snapshot.codec import format_time
from fleetreport.snapshot.model import Snapshot
from fleetreport.snapshot.store import (
    SCHEMA_VERSION,
    load_snapshot,
    parse_snapshot,
    snapshot_to_json,
)

BUNDLE_FORMAT = "fleetreport-bundle"
"""The ``format`` of every bundle's ``bundle.json``."""
BUNDLE_FORMAT_VERSION = 1
"""The bundle format this fleetreport writes, and the newest it reads."""
MANIFEST_MEMBER = "bundle.json"
SNAPSHOT_MEMBER = "snapshot.json"
MAX_MEMBER_BYTES = 1 << 30
"""The largest snapshot a bundle may hold (1 GiB): anything claiming more is refused."""
MAX_MANIFEST_BYTES = 1 << 20
"""The largest ``bundle.json`` (1 MiB)."""
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_COUNTED = (
    "vcenters",
    "datacenters",
    "clusters",
    "hosts",
    "vms",
    "pods",
    "pools",
    "machines",
    "sessions",
    "connection_servers",
    "gateways",
    "unmatched_vms",
    "datastores",
    "alarms",
    "horizon_vcenters",
    "event_databases",
    "ad_domains",
    "saml_authenticators",
    "true_sso",
    "federation_pods",
    "licenses",
    "horizon_usage",
    "vcenter_usage",
)
"""The snapshot's lists whose lengths ``bundle.json`` gives (every list of records)."""


@dataclass(frozen=True)
class Bundle:
    """A bundle read back: its description and its snapshot."""

    manifest: dict[str, Any]
    """The parsed ``bundle.json``."""
    snapshot: Snapshot
    """The recorded snapshot."""

    @property
    def anonymised(self) -> bool:
        """True when the names in it are pseudonyms."""
        return self.manifest.get("anonymised") is True


def manifest_for(snapshot: Snapshot, *, anonymised: bool, recorded_at: datetime) -> dict[str, Any]:
    """``bundle.json`` for a snapshot: counts and kinds, never names, URLs or credentials."""
    sources: dict[str, Counter[str]] = {}
    for source in snapshot.sources:
        sources.setdefault(source.kind, Counter())[source.status] += 1
    return {
        "format": BUNDLE_FORMAT,
        "format_version": BUNDLE_FORMAT_VERSION,
        "fleetreport_version": __version__,
        "recorded_at": format_time(recorded_at),
        "anonymised": anonymised,
        "snapshot_schema_version": snapshot.schema_version,
        "collected_at": format_time(snapshot.collected_at),
        "sources": {kind: dict(sorted(counts.items())) for kind, counts in sorted(sources.items())},
        "counts": {name: len(getattr(snapshot, name)) for name in _COUNTED},
    }


def bundle_bytes(
    snapshot: Snapshot, *, anonymised: bool, recorded_at: datetime | None = None
) -> bytes:
    """The zip file's bytes; the same snapshot and time always give the same bytes."""
    when = (recorded_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    manifest = manifest_for(snapshot, anonymised=anonymised, recorded_at=when)
    text = snapshot_to_json(snapshot)
    parse_snapshot(text.encode("utf-8"), "the bundle's snapshot")  # never write what won't load
    stamp = max(when, datetime(1980, 1, 1, tzinfo=UTC)).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, content in (
            (MANIFEST_MEMBER, json.dumps(manifest, indent=1) + "\n"),
            (SNAPSHOT_MEMBER, text),
        ):
            info = zipfile.ZipInfo(member, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content.encode("utf-8"))
    return buffer.getvalue()


def write_bundle(
    path: Path, snapshot: Snapshot, *, anonymised: bool, recorded_at: datetime | None = None
) -> None:
    """Write a bundle atomically (a temporary file beside ``path``, then a rename)."""
    write_atomically(path, bundle_bytes(snapshot, anonymised=anonymised, recorded_at=recorded_at))


def is_bundle(path: Path) -> bool:
    """True when the file starts like a zip file (so: a bundle, or a damaged one)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(4)
    except OSError:
        return False
    return head in _ZIP_MAGIC


def load_any(path: Path) -> Snapshot:
    """The snapshot in a snapshot file or in a bundle, whichever ``path`` is."""
    if is_bundle(path):
        return load_bundle(path).snapshot
    return load_snapshot(path)


def load_bundle(path: Path) -> Bundle:
    """Read and check a bundle; any problem is one InputFileError line."""
    try:
        with path.open("rb") as stream:
            return _read(stream, str(path))
    except FileNotFoundError:
        raise InputFileError(f"bundle {path} does not exist") from None
    except IsADirectoryError:
        raise InputFileError(f"bundle {path} is a folder, not a file") from None
    except OSError as error:
        raise InputFileError(f"cannot read bundle {path}: {error.strerror or error}") from None


def _read(stream: BinaryIO, name: str) -> Bundle:
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile:
        head = _head(stream)
        if head in _ZIP_MAGIC:
            raise InputFileError(
                f"{name} is a damaged fleetreport bundle (the zip file is incomplete: truncated?)",
                hint="copy the bundle again from where it was recorded",
            ) from None
        raise InputFileError(
            f"{name} is not a fleetreport bundle (not a zip file)",
            hint="give the file that 'fleetreport record' wrote",
        ) from None
    except (OSError, EOFError, ValueError, zipfile.LargeZipFile) as error:
        raise InputFileError(f"{name} is a damaged fleetreport bundle ({error})") from None
    with archive:
        names = archive.namelist()
        for member in (MANIFEST_MEMBER, SNAPSHOT_MEMBER):
            if member not in names:
                raise InputFileError(
                    f"{name} is not a fleetreport bundle (no {member} in it)",
                    hint="give the file that 'fleetreport record' wrote",
                )
            if names.count(member) > 1:
                raise InputFileError(f"{name} is not a valid bundle ({member} is in it twice)")
        manifest = _manifest(_member(archive, MANIFEST_MEMBER, MAX_MANIFEST_BYTES, name), name)
        raw = _member(archive, SNAPSHOT_MEMBER, MAX_MEMBER_BYTES, name)
    return Bundle(manifest, parse_snapshot(raw, f"{name} ({SNAPSHOT_MEMBER})"))


def _head(stream: BinaryIO) -> bytes:
    try:
        stream.seek(0)
        return stream.read(4)
    except OSError:
        return b""


def _member(archive: zipfile.ZipFile, member: str, limit: int, name: str) -> bytes:
    """One member's bytes, refusing anything bigger than ``limit`` before and while reading."""
    info = archive.getinfo(member)
    if info.flag_bits & 0x1:
        raise InputFileError(f"{name}: {member} is encrypted; fleetreport bundles never are")
    if info.file_size > limit:
        raise InputFileError(
            f"{name}: {member} would unpack to {info.file_size:,} bytes, more than the"
            f" {limit:,} a bundle may hold",
            hint="this is not a bundle fleetreport wrote (a zip bomb?)",
        )
    try:
        with archive.open(info) as stream:
            data = stream.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise InputFileError(
            f"{name} is a damaged fleetreport bundle: cannot read {member} ({error})",
            hint="copy the bundle again from where it was recorded",
        ) from None
    except (NotImplementedError, RuntimeError) as error:
        raise InputFileError(f"{name}: cannot read {member} ({error})") from None
    if len(data) > limit:
        raise InputFileError(
            f"{name}: {member} unpacks to more than the {limit:,} bytes a bundle may hold",
            hint="this is not a bundle fleetreport wrote (a zip bomb?)",
        )
    return data


def _manifest(raw: bytes, name: str) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputFileError(
            f"{name} is a damaged fleetreport bundle ({MANIFEST_MEMBER} is not valid JSON)"
        ) from None
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise InputFileError(
            f"{name} is not a fleetreport bundle ({MANIFEST_MEMBER} does not say so)",
            hint="give the file that 'fleetreport record' wrote",
        )
    version = data.get("format_version")
    if type(version) is not int or version < 1:
        raise InputFileError(f"{name} has an invalid bundle format_version {version!r}")
    if version > BUNDLE_FORMAT_VERSION:
        raise InputFileError(
            f"{name} is a bundle of format {version}, newer than this fleetreport reads"
            f" (up to {BUNDLE_FORMAT_VERSION})",
            hint="upgrade fleetreport",
        )
    if type(data.get("anonymised")) is not bool:
        raise InputFileError(f"{name} is not a valid bundle ({MANIFEST_MEMBER} lacks anonymised)")
    schema = data.get("snapshot_schema_version")
    if type(schema) is int and schema > SCHEMA_VERSION:
        raise InputFileError(
            f"{name} holds a snapshot of schema {schema}, newer than this fleetreport reads"
            f" (up to {SCHEMA_VERSION})",
            hint="upgrade fleetreport",
        )
    return data
