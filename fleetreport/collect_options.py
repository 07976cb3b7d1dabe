"""The options that say what to collect and how: shared by ``collect`` and ``record``."""

from __future__ import annotations

import argparse
from pathlib import Path

from fleetreport.credentials import DEFAULT_HORIZON_PASSWORD_ENV, DEFAULT_PASSWORD_ENV


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
