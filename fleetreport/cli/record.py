"""``fleetreport record`` and ``fleetreport anonymise``: bundles for demos and support.

The anonymiser and the bundle writer are imported when a command runs (issue 17).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fleetreport.cli.collect import collect_sources, sources_from_options
from fleetreport.cli.console import print_line
from fleetreport.cli.options import add_collect_options, check_writable
from fleetreport.errors import ExitCode, UsageError
from fleetreport.record.mapping_file import MAPPING_SUFFIX

if TYPE_CHECKING:
    from fleetreport.snapshot.model import Snapshot


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
    mapping = _mapping_path(args)
    _check_outputs(args.out, mapping)
    sources, inference = sources_from_options(args)
    snapshot, code = collect_sources(args, sources, inference)
    if snapshot is None:
        return code
    _write(snapshot, args.out, mapping, quiet=args.quiet)
    return code


def run_anonymise(args: argparse.Namespace) -> ExitCode:
    """``fleetreport anonymise SNAPSHOT_OR_BUNDLE --out BUNDLE [--mapping FILE]``."""
    from fleetreport.record.bundle import load_any

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
    check_writable(bundle)
    if mapping is not None:
        check_writable(mapping)


def _write(snapshot: Snapshot, bundle: Path, mapping: Path | None, *, quiet: bool) -> None:
    from fleetreport.record.recording import privacy_of_private_files, write_recording

    written = write_recording(snapshot, bundle, mapping).snapshot
    kind = "anonymised" if mapping is not None else "plain (real names: not for sharing)"
    if not quiet:
        print(
            f"wrote {bundle}: {kind} bundle, {len(written.vcenters)} vCenter(s),"
            f" {len(written.vms)} VMs, {len(written.hosts)} hosts, {len(written.pods)} pod(s),"
            f" {len(written.pools)} pools, {len(written.machines)} machines,"
            f" {len(written.datastores)} datastores, {len(written.alarms)} alarms"
            + _usage_counts(written)
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


def _usage_counts(snapshot: Snapshot) -> str:
    """The usage evidence recorded, when ``--usage`` collected any."""
    if not snapshot.horizon_usage and not snapshot.vcenter_usage:
        return ""
    events = sum(usage.events for usage in snapshot.horizon_usage)
    series = sum(usage.status == "measured" for usage in snapshot.vcenter_usage)
    return f", usage: {events} session events, {series} measured performance series"
