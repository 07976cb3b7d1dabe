"""``fleetreport collect``: the collect options turned into source settings, then a snapshot.

The collectors are imported when the command runs, not when the parser is built: ``--help``
and ``--version`` start without them (issue 17).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fleetreport.cli.console import print_error, print_line
from fleetreport.cli.options import add_collect_options, check_writable
from fleetreport.errors import ExitCode, UsageError
from fleetreport.secrets import DEFAULT_HORIZON_PASSWORD_ENV, DEFAULT_PASSWORD_ENV, SecretSource

if TYPE_CHECKING:
    from fleetreport.collect.infer import InferenceRule
    from fleetreport.collect.sources import SourceSettings
    from fleetreport.snapshot.model import Snapshot


def add_command(commands: argparse._SubParsersAction[Any]) -> None:
    """Register ``collect``."""
    collect = commands.add_parser(
        "collect", help="collect a snapshot from vCenter and Horizon Connection Servers"
    )
    add_collect_options(collect)
    collect.add_argument("--out", type=Path, required=True, metavar="FILE", help="snapshot file")
    collect.set_defaults(handler=run_collect)


def run_collect(args: argparse.Namespace) -> ExitCode:
    """``fleetreport collect``."""
    from fleetreport.snapshot.store import save_snapshot

    sources, inference = sources_from_options(args)
    check_writable(args.out)
    snapshot, code = collect_sources(args, sources, inference)
    if snapshot is None:
        return code
    save_snapshot(snapshot, args.out)
    _keep_until_exit(snapshot)
    if not args.quiet:
        print(
            f"wrote {args.out}: {len(snapshot.vcenters)} vCenter(s), {len(snapshot.vms)} VMs,"
            f" {len(snapshot.hosts)} hosts, {len(snapshot.pods)} pod(s), {len(snapshot.pools)}"
            f" pools, {len(snapshot.machines)} machines"
        )
    return code


_KEPT: list[Snapshot] = []
"""The last snapshot collected (one at most), freed when the process ends."""


def _keep_until_exit(snapshot: Snapshot) -> None:
    """Hold the snapshot to the end of the process instead of freeing it when the command
    returns: freeing 10,000 VMs' records one object at a time takes about 0.03 s, and the
    program then exits without freeing its heap anyway (:func:`fleetreport.cli.console_script`).
    Only the last is held: another collection in the same process (tests call
    :func:`fleetreport.cli.main`) lets the earlier one go.
    """
    _KEPT[:] = [snapshot]


def sources_from_options(
    args: argparse.Namespace,
) -> tuple[list[SourceSettings], InferenceRule | None]:
    """The collect options as source settings (the records a run config produces too)."""
    from fleetreport.collect.infer import InferenceRule
    from fleetreport.collect.retry import RetrySettings
    from fleetreport.collect.sources import SourceSettings, SourceTls

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
    tls = SourceTls(ca_file=args.ca_file, insecure=args.insecure)
    retry = RetrySettings(attempts=args.retries, total_seconds=args.retry_time)
    common: dict[str, Any] = {
        "tls": tls,
        "timeout": args.timeout,
        "connect_timeout": args.connect_timeout,
        "retry": retry,
        "origin": "command line",
    }
    vcenter_secret = _secret(
        args.password_file,
        args.password_env or DEFAULT_PASSWORD_ENV,
        f"vCenter password for {args.user}: ",
    )
    horizon_secret = _secret(
        args.horizon_password_file,
        args.horizon_password_env or DEFAULT_HORIZON_PASSWORD_ENV,
        f"Horizon password for {args.horizon_domain}\\{args.horizon_user}: ",
    )
    sources = [
        SourceSettings(
            "vcenter", url, args.user, vcenter_secret, page_size=args.page_size, **common
        )
        for url in args.vcenter
    ]
    sources += [
        SourceSettings(
            "horizon",
            url,
            args.horizon_user,
            horizon_secret,
            domain=args.horizon_domain,
            **common,
        )
        for url in args.horizon
    ]
    return sources, inference


def _secret(file: Path | None, variable: str, prompt: str) -> SecretSource:
    """``--password-file`` when given; else the variable, then a prompt on a terminal."""
    if file is not None:
        return SecretSource(file=file)
    return SecretSource(env=variable, prompt=prompt)


def collect_sources(
    args: argparse.Namespace, sources: list[SourceSettings], inference: InferenceRule | None
) -> tuple[Snapshot | None, ExitCode]:
    """Collect every source; the snapshot (None when none may be written) and the exit code."""
    from fleetreport.collect.run import collect_all
    from fleetreport.collect.sources import targets_of

    vcenters, horizons = targets_of(sources)
    collection = collect_all(
        vcenters,
        horizons,
        inference=inference,
        max_workers=args.concurrency,
        usage_days=args.usage,
    )
    failed = collection.failures
    for failure in failed:
        print_error(failure)
    succeeded = len(vcenters) + len(horizons) - len(failed)
    if failed and (not args.allow_partial or succeeded == 0):
        if succeeded:
            print_line("no snapshot written: a source failed (use --allow-partial to write anyway)")
        return None, ExitCode.ERROR
    return collection.snapshot, ExitCode.PARTIAL if failed else ExitCode.OK
