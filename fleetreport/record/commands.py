"""``fleetreport record`` and ``fleetreport anonymise``: bundles for demos and support."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fleetreport.atomic_write import write_atomically
from fleetreport.collect_options import add_collect_options
from fleetreport.console import print_line
from fleetreport.errors import ExitCode, UsageError
from fleetreport.record.anonymiser import Mapping, anonymise
from fleetreport.record.bundle import load_any, write_bundle
from fleetreport.snapshot.codec import format_time
from fleetreport.snapshot.model import Snapshot
from fleetreport.snapshot.store import load_snapshot

MAPPING_FORMAT = "fleetreport-anonymisation-mapping"
MAPPING_SUFFIX = ".mapping.json"
MAPPING_WARNING = (
    "PRIVATE: this file turns the anonymised bundle back into the customer's names."
    " Keep it; never share it."
)
"""``collect`` options ``record`` does not take over: it has its own ``--out``."""


def add_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """Register ``record`` (with every ``collect`` option) and ``anonymise``."""
    record = commands.add_parser(
        "record",
        help="record a live estate into a bundle (one zip file) to replay offline;"
        " --anonymise makes it shareable",
        description="Collect exactly as 'fleetreport collect' does (same options), and write a"
        " bundle that 'report', 'summary' and 'demo --bundle' replay with no network.",
    )
    add_collect_options(record)
    record.add_argument(
        "--anonymise",
        "--anonymize",
        action="store_true",
        help="replace every name that identifies the customer with a consistent pseudonym"
        " (scores and findings stay the same) and write the mapping to a separate file",
    )
    _add_output_options(record)
    record.set_defaults(handler=run_record)

    offline = commands.add_parser(
        "anonymise",
        aliases=["anonymize"],
        help="anonymise a snapshot or bundle into a shareable bundle (offline)",
    )
    offline.add_argument("source", type=Path, metavar="SNAPSHOT_OR_BUNDLE")
    _add_output_options(offline)
    offline.set_defaults(handler=run_anonymise, anonymise=True)


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, required=True, metavar="BUNDLE", help="the bundle (a zip file)"
    )
    parser.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE",
        help=f"where the anonymisation mapping goes (default BUNDLE{MAPPING_SUFFIX});"
        " it holds the real names: keep it, never share it",
    )


def run_record(args: argparse.Namespace) -> ExitCode:
    """``fleetreport record ... --out BUNDLE [--anonymise [--mapping FILE]]``."""
    from fleetreport import cli  # cli registers this command, so it is imported late

    mapping = _mapping_path(args)
    _check_outputs(args.out, mapping)
    with tempfile.TemporaryDirectory(prefix="fleetreport-record-") as folder:
        # The one collection code path: 'collect' itself, into a private temporary folder.
        raw = Path(folder) / "snapshot.json"
        code = cli.run_collect(argparse.Namespace(**{**vars(args), "out": raw, "quiet": True}))
        if not raw.exists():
            return code
        snapshot = load_snapshot(raw)
    _write(snapshot, args.out, mapping, quiet=args.quiet)
    return code


def run_anonymise(args: argparse.Namespace) -> ExitCode:
    """``fleetreport anonymise SNAPSHOT_OR_BUNDLE --out BUNDLE [--mapping FILE]``."""
    mapping = _mapping_path(args)
    _check_outputs(args.out, mapping)
    snapshot = load_any(args.source)
    _write(snapshot, args.out, mapping, quiet=args.quiet)
    return ExitCode.OK


def _mapping_path(args: argparse.Namespace) -> Path | None:
    if not args.anonymise:
        if args.mapping is not None:
            raise UsageError("--mapping needs --anonymise")
        return None
    mapping: Path = args.mapping or Path(f"{args.out}{MAPPING_SUFFIX}")
    if mapping.resolve() == args.out.resolve():
        raise UsageError("--mapping must not be the bundle itself", hint="give another file")
    return mapping


def _check_outputs(bundle: Path, mapping: Path | None) -> None:
    """Fail before collecting when an output can't be written."""
    from fleetreport.cli import check_writable

    check_writable(bundle)
    if mapping is not None:
        check_writable(mapping)


def _write(snapshot: Snapshot, bundle: Path, mapping: Path | None, *, quiet: bool) -> None:
    if mapping is not None:
        result = anonymise(snapshot)
        write_mapping(mapping, result.mapping, bundle=bundle)  # first: never a bundle without
        snapshot = result.snapshot
    write_bundle(bundle, snapshot, anonymised=mapping is not None)
    kind = "anonymised" if mapping is not None else "plain (real names: not for sharing)"
    if not quiet:
        print(
            f"wrote {bundle}: {kind} bundle, {len(snapshot.vcenters)} vCenter(s),"
            f" {len(snapshot.vms)} VMs, {len(snapshot.hosts)} hosts, {len(snapshot.pods)} pod(s),"
            f" {len(snapshot.pools)} pools, {len(snapshot.machines)} machines"
        )
    if mapping is not None:
        warning = (
            f"it maps every pseudonym back to the real name ({privacy_of_private_files()}):"
            f" keep it private and DO NOT share it; share only {bundle}"
        )
        if quiet:
            print_line(f"{mapping}: {warning}", level="warning")
        else:
            print(f"wrote {mapping}: {warning}")


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
