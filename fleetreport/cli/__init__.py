"""The ``fleetreport`` command: argument parsing, logging, and the one place errors are printed.

One module per command family: ``collect``, ``report`` (report, demo, summary, checks, schema),
``run`` (run, config check, history) and ``record`` (record, anonymise).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from fleetreport import __version__
from fleetreport.cli import collect, console, logs, record, report, run
from fleetreport.cli.console import print_error, print_line
from fleetreport.errors import ExitCode, FleetReportError, UsageError

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

    collect.add_command(commands)
    report.add_commands(commands)
    run.add_commands(commands)
    record.add_commands(commands)
    report.add_schema_command(commands)
    return parser


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


GC_THRESHOLDS = (200_000, 30, 30)
"""The cyclic garbage collector's thresholds while a command runs: mypy's (mypy/build.py). A
report allocates millions of small objects that live until it is written (the snapshot, the
fleet, a judgement per check and subject) and makes almost no cycles; with Python's default
(700 allocations) the collector walks that growing heap again and again: about a fifth of a
10,000-desktop report's time. Reference counting still frees everything else at once."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    gc.set_threshold(*GC_THRESHOLDS)
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


def console_script() -> NoReturn:
    """The ``fleetreport`` program: :func:`main`, then exit without freeing the heap.

    A report holds millions of small objects until its file is written; freeing them one by
    one at exit takes about a tenth of a second and serves nobody (mypy exits the same way:
    ``--fast-exit``, on by default, ``util.hard_exit``). Everything is written by then: outputs
    are renamed into place by the commands, logs are shut down and the standard streams
    flushed here; a stream that cannot be flushed gives Python's own exit status for it, 120.
    """
    code = main()
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe or stream: Python's exit would say 120
        code = code or 120
    os._exit(code)
