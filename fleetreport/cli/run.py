"""``fleetreport run``, ``fleetreport config check`` and ``fleetreport history``.

The job, its config reader and the history are imported when a command runs (issue 17).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fleetreport.cli.console import print_error, print_line, print_summary
from fleetreport.errors import ExitCode, FleetReportError, UsageError
from fleetreport.health.fail_on import FAIL_ON
from fleetreport.paths import default_config_path

if TYPE_CHECKING:
    from fleetreport.run.job import RunResult


def add_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """Register the scheduled-operation subcommands."""
    run = commands.add_parser(
        "run", help="collect, judge, write, remember and mail, as one config file says"
    )
    run.add_argument(
        "--config",
        type=Path,
        metavar="TOML",
        help=f"the run config (default {default_config_path()})",
    )
    run.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        metavar="SEVERITY",
        help="exit 2 when a finding is this severe or worse: critical, warning, info or never"
        " (default: [run] fail_on, else critical)",
    )
    run.add_argument(
        "--no-progress", action="store_true", help="no live progress even on a terminal"
    )
    run.set_defaults(handler=run_command)

    config = commands.add_parser("config", help="work with a run config file")
    actions = config.add_subparsers(dest="config_command", required=True)
    check = actions.add_parser("check", help="validate a config file and name every problem")
    check.add_argument("file", type=Path, metavar="TOML")
    check.set_defaults(handler=config_check_command)

    history = commands.add_parser("history", help="list past runs recorded in the history")
    source = history.add_mutually_exclusive_group()
    source.add_argument("--config", type=Path, metavar="TOML", help="the run config's history")
    source.add_argument("--database", type=Path, metavar="FILE", help="a history database")
    history.add_argument(
        "--limit", type=int, default=20, metavar="N", help="runs to list (default 20)"
    )
    history.set_defaults(handler=history_command)


def run_command(args: argparse.Namespace) -> ExitCode:
    """``fleetreport run --config FILE``."""
    from fleetreport.run.config import load_run_config
    from fleetreport.run.job import run_job

    config = load_run_config(args.config or _default_config())
    live = None if args.no_progress or args.quiet or not sys.stderr.isatty() else sys.stderr
    result = run_job(config, fail_on=args.fail_on, progress_stream=live)
    for failure in result.failures:
        print_error(failure)
    if result.delivery_failure is not None:
        print_error(result.delivery_failure)
    if not args.quiet:
        print_summary(summary_line(result))
    return result.exit_code


def _default_config() -> Path:
    path = default_config_path()
    if not path.is_file():
        raise UsageError(
            f"no --config given and no run config at {path}",
            hint="pass --config FILE, or put the run config there"
            " (docs/fleetreport.example.toml is a start)",
        )
    return path


def summary_line(result: RunResult) -> str:
    """The run in one line, for cron mail and logs."""
    from fleetreport.render.summary_lines import run_line

    return run_line(
        result.report,
        result.folder,
        failed_sources=len(result.failures),
        mailed=result.mailed,
        mail_failed=result.delivery_failure is not None,
        exit_code=result.exit_code,
    )


def config_check_command(args: argparse.Namespace) -> ExitCode:
    """``fleetreport config check FILE``: every problem, one line each, with its line."""
    from fleetreport.render.pdf import require_browser
    from fleetreport.run.config import check_run_config
    from fleetreport.secrets import resolve_secret

    config, problems = check_run_config(args.file)
    for problem in problems:
        print_error(problem)
    if config is None:
        print_line(f"{args.file}: {len(problems)} problem(s)")
        return ExitCode.ERROR
    problems_found = 0
    if "pdf" in config.output.formats:
        try:
            require_browser()
        except FleetReportError as error:
            print_error(error)
            problems_found += 1
    for source in (*config.vcenters, *config.horizons):
        try:
            resolve_secret(source.secret, source.user, source.url)
        except FleetReportError as error:
            print_error(error)
            problems_found += 1
    if problems_found:
        return ExitCode.ERROR
    counts = f"{len(config.vcenters)} vCenter(s), {len(config.horizons)} Horizon pod(s)"
    mail = f", mail to {len(config.email.recipients)}" if config.email else ""
    print(f"{args.file}: OK ({counts}; output {config.output.folder}{mail})")
    return ExitCode.OK


def history_command(args: argparse.Namespace) -> ExitCode:
    """``fleetreport history``."""
    from fleetreport.run.config import load_run_config
    from fleetreport.run.history_link import list_runs

    database = args.database
    if args.config is not None:
        database = load_run_config(args.config).history.database
    print(list_runs(database, args.limit))
    return ExitCode.OK
