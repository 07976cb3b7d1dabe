"""Options shared by several commands: what to collect and how (``collect``, ``record``),
the report's branding, ``--as-of``, and the early check that an output can be written."""

from __future__ import annotations

import argparse
import dataclasses
import os
from datetime import datetime
from pathlib import Path

from fleetreport.config_file import ConfigText
from fleetreport.errors import OutputError, UsageError
from fleetreport.render.branding import (
    Branding,
    accent_colour,
    branding_from_config,
    logo_data_uri,
)
from fleetreport.secrets import DEFAULT_HORIZON_PASSWORD_ENV, DEFAULT_PASSWORD_ENV
from fleetreport.snapshot.codec import parse_time
from fleetreport.text import terminal_safe


def add_collect_options(parser: argparse.ArgumentParser) -> None:
    """Sources, credentials, TLS, timeouts, paging, concurrency and partial results."""
    parser.add_argument(
        "--vcenter",
        action="append",
        default=[],
        metavar="HOST|URL",
        help="vCenter host (meaning https://HOST/sdk) or URL; repeat for several",
    )
    parser.add_argument("--user", help="vCenter user, e.g. audit@vsphere.local")
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument(
        "--password-env",
        metavar="VAR",
        help=f"environment variable holding the password (default {DEFAULT_PASSWORD_ENV})",
    )
    secret.add_argument("--password-file", type=Path, metavar="FILE", help="file holding it")
    parser.add_argument(
        "--horizon",
        action="append",
        default=[],
        metavar="HOST|URL",
        help="Connection Server (meaning https://HOST/rest) or URL; one per pod, repeatable",
    )
    parser.add_argument("--horizon-user", metavar="USER", help="Horizon administrator user")
    parser.add_argument("--horizon-domain", metavar="DOMAIN", help="its Active Directory domain")
    horizon_secret = parser.add_mutually_exclusive_group()
    horizon_secret.add_argument(
        "--horizon-password-env",
        metavar="VAR",
        help=f"variable holding the Horizon password (default {DEFAULT_HORIZON_PASSWORD_ENV})",
    )
    horizon_secret.add_argument(
        "--horizon-password-file", type=Path, metavar="FILE", help="file holding it"
    )
    inference = parser.add_mutually_exclusive_group()
    inference.add_argument(
        "--infer-pools-from-folder",
        metavar="PATH",
        help="without --horizon: each folder directly below PATH (e.g. Horizon) is a pool",
    )
    inference.add_argument(
        "--infer-pools-by-name",
        metavar="REGEX",
        help="without --horizon: VM names grouped into pools by the regex's 'pool' group",
    )
    parser.add_argument("--ca-file", type=Path, metavar="PEM", help="extra CA certificate(s)")
    parser.add_argument(
        "--insecure", action="store_true", help="do not verify TLS certificates (not advised)"
    )
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=60.0,
        metavar="SECONDS",
        help="read timeout: how long each read may wait for the server (default 60)",
    )
    parser.add_argument(
        "--connect-timeout",
        type=positive_float,
        default=10.0,
        metavar="SECONDS",
        help="connect timeout: TCP connect and TLS handshake (default 10)",
    )
    parser.add_argument(
        "--retries",
        type=positive_int,
        default=5,
        metavar="N",
        help="attempts per request on transient faults, the first included; 1 turns retrying"
        " off (default 5)",
    )
    parser.add_argument(
        "--retry-time",
        type=positive_float,
        default=60.0,
        metavar="SECONDS",
        help="no retry of a request starts later than this after its first attempt (default 60)",
    )
    parser.add_argument(
        "--page-size",
        type=positive_int,
        default=1000,
        metavar="N",
        help="objects per PropertyCollector page (default 1000)",
    )
    parser.add_argument(
        "--concurrency",
        type=positive_int,
        default=4,
        metavar="N",
        help="sources collected at once, a thread each (default 4)",
    )
    parser.add_argument(
        "--allow-partial",
        action="store_true",
        help="write the snapshot even if a source failed (exit 3)",
    )
    parser.add_argument(
        "--usage",
        type=positive_int,
        default=0,
        metavar="DAYS",
        help="also read the last DAYS days of usage: Horizon session events and vCenter"
        " performance history (default: off, for a quick run)",
    )


def positive_float(text: str) -> float:
    """An argparse type: a number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
    return value


def positive_int(text: str) -> int:
    """An argparse type: a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


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


def check_writable(path: Path) -> None:
    """Fail before collecting when the output can't be written."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"output {path} is a folder", hint="give a file name, e.g. snapshot.json")
    if not folder.is_dir():
        raise OutputError(f"output folder {folder} does not exist", hint="create it first")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"output folder {folder} is not writable", hint="choose another --out")
