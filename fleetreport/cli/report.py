"""``fleetreport report``, ``demo``, ``summary``, ``checks`` and ``schema``: work on snapshots
and bundles already collected, with no network.

The judging and rendering modules are imported when a command runs, not when the parser is
built: ``--help`` and ``--version`` start without them (issue 17).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fleetreport.cli.console import print_line
from fleetreport.cli.options import (
    add_as_of_option,
    add_branding_options,
    check_writable,
    report_branding,
)
from fleetreport.errors import ExitCode, OutputError
from fleetreport.health.fail_on import FAIL_ON
from fleetreport.render.branding import Branding
from fleetreport.render.formats import FORMATS, PAPER_SIZES

if TYPE_CHECKING:
    from fleetreport.health.settings import HealthSettings


def add_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """Register ``demo``, ``summary``, ``report`` and ``checks``."""
    demo = commands.add_parser(
        "demo", help="render the full report of the built-in demo fleet (offline)"
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("fleetreport-demo"),
        metavar="DIR",
        help="folder for the demo outputs (default ./fleetreport-demo)",
    )
    demo.add_argument(
        "--bundle",
        type=Path,
        metavar="BUNDLE",
        help="replay a bundle that 'fleetreport record' wrote instead of the built-in demo fleet",
    )
    add_as_of_option(demo)
    demo.set_defaults(handler=run_demo)

    summary = commands.add_parser("summary", help="print a short summary of a snapshot")
    summary.add_argument("snapshot", type=Path, metavar="SNAPSHOT", help="a snapshot or bundle")
    summary.set_defaults(handler=run_summary)

    report = commands.add_parser("report", help="judge a snapshot and write the report")
    report.add_argument(
        "snapshot", type=Path, metavar="SNAPSHOT", help="a collected snapshot, or a bundle"
    )
    report.add_argument(
        "--format",
        choices=FORMATS,
        default="html",
        help="html (default, one self-contained file), json, csv (a folder of tables), xlsx,"
        " pdf (the HTML printed by a Chromium, Chrome or Edge found on this machine)",
    )
    report.add_argument(
        "--paper",
        choices=tuple(PAPER_SIZES),
        default="a4",
        help="page size of --format pdf: a4 (default) or letter",
    )
    report.add_argument(
        "--out", type=Path, required=True, metavar="PATH", help="report file (csv: a folder)"
    )
    report.add_argument(
        "--config",
        type=Path,
        metavar="TOML",
        help="thresholds, weights, exclusions, scope and [branding]",
    )
    report.add_argument(
        "--compare",
        type=Path,
        metavar="OLD_SNAPSHOT",
        help="add 'since then' changes against an older snapshot (no history database needed)",
    )
    report.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        metavar="SEVERITY",
        help="exit 2 when a finding is this severe or worse (critical, warning, info, never)",
    )
    add_as_of_option(report)
    add_branding_options(report)
    report.set_defaults(handler=run_report)

    checks = commands.add_parser("checks", help="list the checks and the thresholds in force")
    checks.add_argument(
        "--config", type=Path, metavar="TOML", help="show the thresholds this file sets"
    )
    checks.set_defaults(handler=run_checks)


def add_schema_command(commands: argparse._SubParsersAction[Any]) -> None:
    """Register ``schema``."""
    schema = commands.add_parser(
        "schema", help="print the JSON Schema of the snapshot file (or of the JSON report)"
    )
    schema.add_argument("--report", action="store_true", help="the JSON report's schema instead")
    schema.set_defaults(handler=run_schema)


COVER_FORMATS = ("html", "pdf")
"""Formats whose first page names the customer."""

DEMO_BRANDING = Branding(
    customer="Example Corp",
    title="Horizon desktop fleet health report (demo)",
    consultant_company="fleetreport demo",
)


def run_demo(args: argparse.Namespace) -> ExitCode:
    """``fleetreport demo``: the full report of the recorded demo fleet, with no network."""
    from fleetreport.health.build import build_report
    from fleetreport.record.bundle import load_bundle
    from fleetreport.render.summary import summarise
    from fleetreport.render.summary_lines import report_line
    from fleetreport.render.writers import write_report
    from fleetreport.resources import demo_snapshot_path
    from fleetreport.snapshot.store import load_snapshot, save_snapshot

    snapshot = (
        load_bundle(args.bundle).snapshot if args.bundle else load_snapshot(demo_snapshot_path())
    )
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"cannot create {args.out}: {error.strerror or error}",
            hint="choose another folder with --out",
        ) from error
    report = build_report(snapshot, judged_at=args.as_of)
    html_path = args.out / "report.html"
    save_snapshot(snapshot, args.out / "demo-snapshot.json")
    write_report(report, "json", args.out / "report.json")
    write_report(report, "html", html_path, DEMO_BRANDING)
    if not args.quiet:
        print(summarise(snapshot, now=report.generated_at))
        print(f"\n{report_line(report)}")
        print(f"\nReport: {html_path.resolve()}")
        print(f"(also report.json and demo-snapshot.json in {args.out.resolve()})")
    return ExitCode.OK


def run_summary(args: argparse.Namespace) -> ExitCode:
    """``fleetreport summary SNAPSHOT``."""
    from fleetreport.record.bundle import load_any
    from fleetreport.render.summary import summarise

    print(summarise(load_any(args.snapshot)))
    return ExitCode.OK


def run_report(args: argparse.Namespace) -> ExitCode:
    """``fleetreport report SNAPSHOT --out PATH``."""
    from fleetreport.cli.heap import kept_until_done
    from fleetreport.config_file import read_config
    from fleetreport.health.build import build_report
    from fleetreport.health.fail_on import outcome
    from fleetreport.health.settings import default_settings, settings_from_config
    from fleetreport.record.bundle import load_any
    from fleetreport.render.html import customer_named
    from fleetreport.render.summary_lines import report_line
    from fleetreport.render.writers import write_report

    config = read_config(args.config) if args.config else None
    settings = settings_from_config(config, ("branding",)) if config else default_settings()
    branding = report_branding(args, config)
    if args.format != "csv":
        check_writable(args.out)
    snapshot = load_any(args.snapshot)
    with kept_until_done():
        report = build_report(snapshot, settings, judged_at=args.as_of)
        if args.compare is not None:
            from fleetreport.health.compare import compare, digest_of

            old = build_report(load_any(args.compare), settings)
            report = dataclasses.replace(report, changes=compare(digest_of(old), report))
        written = write_report(
            report, args.format, args.out, branding, args.templates, paper=args.paper
        )
    if args.format in COVER_FORMATS and not customer_named(branding):
        print_line(
            "warning: no customer named: the cover says 'Customer not named'"
            " (give --customer NAME, or customer in the config's [branding])",
            level="warning",
        )
    if not args.quiet:
        where = args.out if len(written) == 1 else f"{len(written)} files in {args.out}"
        print(f"wrote {where}: {report_line(report)}")
    if args.fail_on is not None:
        return outcome(report, [], args.fail_on)
    return ExitCode.OK


def run_checks(args: argparse.Namespace) -> ExitCode:
    """``fleetreport checks``."""
    from fleetreport.render.check_listing import list_checks

    settings = health_settings(args.config)
    print(list_checks(settings, str(args.config) if args.config else None))
    return ExitCode.OK


def health_settings(config: Path | None) -> HealthSettings:
    """Defaults, overlaid with the TOML file's settings when one is given."""
    from fleetreport.config_file import read_config
    from fleetreport.health.settings import default_settings, settings_from_config

    if config is None:
        return default_settings()
    return settings_from_config(read_config(config))


def run_schema(args: argparse.Namespace) -> ExitCode:
    """``fleetreport schema``."""
    from fleetreport.health.report_schema import report_schema_text
    from fleetreport.snapshot.schema import schema_text

    sys.stdout.write(report_schema_text() if args.report else schema_text())
    return ExitCode.OK
