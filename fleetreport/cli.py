"""The ``fleetreport`` command: argument parsing, logging, and the one place errors are printed."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from fleetreport import __version__, console, logs
from fleetreport.check_listing import list_checks
from fleetreport.collect.infer import InferenceRule
from fleetreport.collect.retry import RetrySettings
from fleetreport.collect.run import HorizonTarget, VCenterTarget, collect_all
from fleetreport.collect_options import add_collect_options
from fleetreport.compare import compare, digest_of
from fleetreport.config_file import ConfigText, read_config
from fleetreport.console import print_error, print_line
from fleetreport.credentials import (
    DEFAULT_HORIZON_PASSWORD_ENV,
    resolve_password,
)
from fleetreport.endpoints import TlsOptions, parse_endpoint
from fleetreport.errors import ExitCode, FleetReportError, OutputError, UsageError
from fleetreport.health.build import build_report
from fleetreport.health.report_model import HealthReport
from fleetreport.health.report_schema import report_schema_text
from fleetreport.health.settings import HealthSettings, default_settings, settings_from_config
from fleetreport.record import commands as record_commands
from fleetreport.record.bundle import load_any, load_bundle
from fleetreport.render.branding import (
    Branding,
    accent_colour,
    branding_from_config,
    logo_data_uri,
)
from fleetreport.report_output import FORMATS, write_report
from fleetreport.resources import demo_snapshot_path
from fleetreport.run import commands as run_commands
from fleetreport.run.config import FAIL_ON
from fleetreport.run.job import outcome
from fleetreport.snapshot.codec import parse_time
from fleetreport.snapshot.schema import schema_text
from fleetreport.snapshot.store import load_snapshot, save_snapshot
from fleetreport.summary import summarise
from fleetreport.text import terminal_safe

log = logging.getLogger("fleetreport")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as UsageError (exit 64), not SystemExit(2)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, hint=f"see '{self.prog} --help'")


def build_parser() -> argparse.ArgumentParser:
    """All subcommands and their options."""
    parser = _Parser(
        prog="fleetreport",
        description="Inventory and health reports for VMware / Omnissa Horizon desktop fleets.",
    )
    parser.add_argument("--version", action="version", version=f"fleetreport {__version__}")
    parser.add_argument("--debug", action="store_true", help="debug logging and tracebacks")
    parser.add_argument("-v", "--verbose", action="store_true", help="progress messages")
    parser.add_argument("-q", "--quiet", action="store_true", help="only errors")
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default="text",
        help="log lines as text (default) or one JSON object per line, for log collectors",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    collect = commands.add_parser(
        "collect", help="collect a snapshot from vCenter and Horizon Connection Servers"
    )
    add_collect_options(collect)
    collect.add_argument("--out", type=Path, required=True, metavar="FILE", help="snapshot file")
    collect.set_defaults(handler=run_collect)

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
        help="html (default, one self-contained file), json, csv (a folder of tables), xlsx",
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

    run_commands.add_commands(commands)
    record_commands.add_commands(commands)

    schema = commands.add_parser(
        "schema", help="print the JSON Schema of the snapshot file (or of the JSON report)"
    )
    schema.add_argument("--report", action="store_true", help="the JSON report's schema instead")
    schema.set_defaults(handler=run_schema)
    return parser


def run_collect(args: argparse.Namespace) -> ExitCode:
    """``fleetreport collect``."""
    if not args.vcenter and not args.horizon:
        raise UsageError("nothing to collect", hint="give --vcenter and/or --horizon")
    if args.vcenter and not args.user:
        raise UsageError("--vcenter needs --user")
    if args.horizon and not (args.horizon_user and args.horizon_domain):
        raise UsageError("--horizon needs --horizon-user and --horizon-domain")
    inference = None
    if args.infer_pools_from_folder is not None or args.infer_pools_by_name is not None:
        if args.horizon:
            raise UsageError(
                "--infer-pools-* is for estates without --horizon",
                hint="with a Connection Server, pools come from Horizon",
            )
        inference = InferenceRule(args.infer_pools_from_folder, args.infer_pools_by_name)
        inference.compiled()
    vcenter_endpoints = [
        parse_endpoint(text, default_path="/sdk", option="--vcenter") for text in args.vcenter
    ]
    horizon_endpoints = [
        parse_endpoint(text, default_path="/rest", option="--horizon") for text in args.horizon
    ]
    check_writable(args.out)
    if args.insecure:
        log.warning("TLS certificate verification is OFF (--insecure): the server is not verified")
    tls = TlsOptions(verify=not args.insecure, ca_file=args.ca_file)
    tls.ssl_context()  # a bad --ca-file fails now, before any password is asked for
    retry = RetrySettings(attempts=args.retries, total_seconds=args.retry_time)
    targets = []
    if vcenter_endpoints:
        password = resolve_password(
            env_var=args.password_env,
            password_file=args.password_file,
            prompt=f"vCenter password for {args.user}: ",
        )
        targets = [
            VCenterTarget(
                e,
                args.user,
                password,
                tls,
                args.timeout,
                args.page_size,
                connect_timeout=args.connect_timeout,
                retry=retry,
            )
            for e in vcenter_endpoints
        ]
    pods = []
    if horizon_endpoints:
        horizon_password = resolve_password(
            env_var=args.horizon_password_env,
            password_file=args.horizon_password_file,
            prompt=f"Horizon password for {args.horizon_domain}\\{args.horizon_user}: ",
            default_env_var=DEFAULT_HORIZON_PASSWORD_ENV,
        )
        pods = [
            HorizonTarget(
                e,
                args.horizon_user,
                args.horizon_domain,
                horizon_password,
                tls,
                args.timeout,
                connect_timeout=args.connect_timeout,
                retry=retry,
            )
            for e in horizon_endpoints
        ]
    collection = collect_all(targets, pods, inference=inference, max_workers=args.concurrency)
    failed = collection.failures
    for failure in failed:
        print_error(failure)
    succeeded = len(targets) + len(pods) - len(failed)
    if failed and (not args.allow_partial or succeeded == 0):
        if succeeded:
            print_line("no snapshot written: a source failed (use --allow-partial to write anyway)")
        return ExitCode.ERROR
    save_snapshot(collection.snapshot, args.out)
    snapshot = collection.snapshot
    if not args.quiet:
        print(
            f"wrote {args.out}: {len(snapshot.vcenters)} vCenter(s), {len(snapshot.vms)} VMs,"
            f" {len(snapshot.hosts)} hosts, {len(snapshot.pods)} pod(s), {len(snapshot.pools)}"
            f" pools, {len(snapshot.machines)} machines"
        )
    return ExitCode.PARTIAL if failed else ExitCode.OK


DEMO_BRANDING = Branding(
    customer="Example Corp",
    title="Horizon desktop fleet health report (demo)",
    consultant_company="fleetreport demo",
)


def run_demo(args: argparse.Namespace) -> ExitCode:
    """``fleetreport demo``: the full report of the recorded demo fleet, with no network."""
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
        print(summarise(snapshot))
        print(f"\n{report_line(report)}")
        print(f"\nReport: {html_path.resolve()}")
        print(f"(also report.json and demo-snapshot.json in {args.out.resolve()})")
    return ExitCode.OK


def add_as_of_option(parser: argparse.ArgumentParser) -> None:
    """``--as-of TIME``: measure ages at another time than the snapshot's collection."""
    parser.add_argument(
        "--as-of",
        type=as_of_time,
        metavar="TIME",
        help="for replays of old recordings: measure ages (uptime, snapshots, images,"
        " certificates, idle time) at this ISO 8601 time instead of the collection time",
    )


def as_of_time(text: str) -> datetime:
    """The ``--as-of`` time, in UTC (a time without a zone is taken as UTC)."""
    try:
        return parse_time(text.strip())
    except (ValueError, OverflowError):
        raise UsageError(
            f"--as-of {terminal_safe(text)!r} is not an ISO 8601 time",
            hint="give a date and time, e.g. --as-of 2021-01-08T00:00:00Z (UTC without a zone)",
        ) from None


def run_summary(args: argparse.Namespace) -> ExitCode:
    """``fleetreport summary SNAPSHOT``."""
    print(summarise(load_any(args.snapshot)))
    return ExitCode.OK


def add_branding_options(parser: argparse.ArgumentParser) -> None:
    """Options that brand the HTML report (over the config file's [branding])."""
    group = parser.add_argument_group("branding (HTML)")
    group.add_argument("--customer", metavar="NAME", help="customer name on the cover")
    group.add_argument("--consultant-company", metavar="NAME", help="your company")
    group.add_argument("--consultant", metavar="NAME", help="your name")
    group.add_argument("--logo", type=Path, metavar="IMAGE", help="PNG, JPEG, GIF or SVG logo")
    group.add_argument("--accent", metavar="#RRGGBB", help="accent colour")
    group.add_argument(
        "--templates",
        type=Path,
        metavar="DIR",
        help="your templates, overriding the built-in ones (templates/report/...)",
    )


def run_report(args: argparse.Namespace) -> ExitCode:
    """``fleetreport report SNAPSHOT --out PATH``."""
    config = read_config(args.config) if args.config else None
    settings = settings_from_config(config, ("branding",)) if config else default_settings()
    branding = report_branding(args, config)
    if args.format != "csv":
        check_writable(args.out)
    snapshot = load_any(args.snapshot)
    report = build_report(snapshot, settings, judged_at=args.as_of)
    if args.compare is not None:
        old = build_report(load_any(args.compare), settings)
        report = dataclasses.replace(report, changes=compare(digest_of(old), report))
    written = write_report(report, args.format, args.out, branding, args.templates)
    if not args.quiet:
        where = args.out if len(written) == 1 else f"{len(written)} files in {args.out}"
        print(f"wrote {where}: {report_line(report)}")
    if args.fail_on is not None:
        return outcome(report, [], args.fail_on)
    return ExitCode.OK


def report_branding(
    args: argparse.Namespace, config: ConfigText | None, defaults: Branding | None = None
) -> Branding:
    """Branding from the config file's [branding], then the command line."""
    branding = branding_from_config(config, defaults) if config else (defaults or Branding())
    overrides: dict[str, str] = {}
    for option, field in (
        ("customer", "customer"),
        ("consultant_company", "consultant_company"),
        ("consultant", "consultant_name"),
    ):
        if getattr(args, option):
            overrides[field] = getattr(args, option)
    if args.accent:
        overrides["accent_colour"] = accent_colour(args.accent)
    if args.logo:
        overrides["logo_data_uri"] = logo_data_uri(args.logo)
    return dataclasses.replace(branding, **overrides)


def report_line(report: HealthReport) -> str:
    """The fleet's scores and findings in one line."""
    fleet = report.fleet
    severities = ", ".join(f"{n} {s}" for s, n in fleet.findings_by_severity.items())
    scores = (
        f"grade {fleet.grade}, patch {fleet.patch_score:g}, power {fleet.power_score:g}"
        if fleet.patch_score is not None and fleet.power_score is not None
        else "no desktops to score"
    )
    return f"{fleet.desktops} desktops, {scores}; {len(report.findings)} findings ({severities})"


def run_checks(args: argparse.Namespace) -> ExitCode:
    """``fleetreport checks``."""
    settings = health_settings(args.config)
    print(list_checks(settings, str(args.config) if args.config else None))
    return ExitCode.OK


def health_settings(config: Path | None) -> HealthSettings:
    """Defaults, overlaid with the TOML file's settings when one is given."""
    if config is None:
        return default_settings()
    return settings_from_config(read_config(config))


def run_schema(args: argparse.Namespace) -> ExitCode:
    """``fleetreport schema``."""
    sys.stdout.write(report_schema_text() if args.report else schema_text())
    return ExitCode.OK


def check_writable(path: Path) -> None:
    """Fail before collecting when the output can't be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"output {path} is a folder", hint="give a file name, e.g. snapshot.json")
    if not folder.is_dir():
        raise OutputError(f"output folder {folder} does not exist", hint="create it first")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"output folder {folder} is not writable", hint="choose another --out")


def configure_logging(args: argparse.Namespace) -> None:
    """Warnings by default (quiet under cron), info with -v, debug with --debug."""
    level = logging.WARNING
    if args.debug:
        level = logging.DEBUG
    elif args.verbose:
        level = logging.INFO
    elif args.quiet:
        level = logging.ERROR
    logs.configure(level, args.log_format)
    console.use_json(args.log_format == "json")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    console.tolerate_unencodable_characters()
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in arguments
    try:
        args = build_parser().parse_args(arguments)
        configure_logging(args)
        return int(args.handler(args))
    except FleetReportError as error:
        if debug:
            log.exception("failed")
        print_error(error)
        return int(error.exit_code)
    except KeyboardInterrupt:
        print_line("interrupted")
        return 130
    except Exception as error:
        if debug:
            raise
        print_line(
            f"internal error: {type(error).__name__}: {error}"
            " (hint: rerun with --debug and report the traceback)"
        )
        return int(ExitCode.ERROR)
