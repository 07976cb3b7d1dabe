"""One unattended run: lock, collect every source concurrently, judge, write, remember, mail.

Order matters for what survives an interruption: nothing is written until the collection is
complete; outputs are staged and published in one rename; history records the run in one
transaction after the outputs exist; mail goes last.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from fleetreport.collect.progress import SourceProgress
from fleetreport.collect.run import (
    Collection,
    HorizonTarget,
    VCenterTarget,
    collect_all,
    progress_for,
)
from fleetreport.collect.sources import targets_of
from fleetreport.errors import ExitCode, FleetReportError
from fleetreport.health.build import build_report
from fleetreport.health.fail_on import outcome
from fleetreport.health.report_model import HealthReport
from fleetreport.render.pdf import require_browser
from fleetreport.render.writers import write_report
from fleetreport.run.config import RunConfig
from fleetreport.run.history_link import HistoryLink
from fleetreport.run.lock import run_lock
from fleetreport.run.mail import mail_report
from fleetreport.run.outputs import prune, publish, staged_run_folder
from fleetreport.run.progress_display import LiveProgress
from fleetreport.snapshot.store import save_snapshot

FILE_NAMES = {
    "html": "report.html",
    "json": "report.json",
    "csv": "tables",
    "xlsx": "report.xlsx",
    "pdf": "report.pdf",
}


@dataclass(frozen=True)
class RunResult:
    """How a run ended."""

    exit_code: ExitCode
    """The process exit code."""
    folder: Path | None
    """The published run folder; None when nothing was written."""
    report: HealthReport | None
    """The scored model; None when nothing could be judged."""
    failures: list[FleetReportError]
    """Sources that failed."""
    mailed: bool
    """True when the report was sent."""
    delivery_failure: FleetReportError | None = None
    """Why the mail could not be sent (the outputs are written all the same)."""


def run_job(
    config: RunConfig, *, fail_on: str | None = None, progress_stream: TextIO | None = None
) -> RunResult:
    """The whole job; see the module docstring for the order of things."""
    if "pdf" in config.output.formats:
        require_browser()  # before anything is collected, not after
    with run_lock(config.lock_path):
        started = datetime.now(UTC)
        vcenters, horizons = targets(config)
        tracked = progress_for(vcenters, horizons)
        with _display(list(tracked.values()), progress_stream):
            collection = collect_all(
                vcenters,
                horizons,
                max_workers=config.collect.concurrency,
                progress=tracked,
                usage_days=config.collect.usage_days,
            )
        failures = list(collection.failures)
        answered = len(vcenters) + len(horizons) - len(failures)
        if answered == 0 or (failures and not config.collect.allow_partial):
            return RunResult(ExitCode.ERROR, None, None, failures, False)
        history = HistoryLink(config.history)
        known = history.known_desktops(collection.snapshot.sources)
        report = history.annotate(
            build_report(collection.snapshot, config.health, known_desktops=known)
        )
        exit_code = outcome(report, failures, fail_on or config.run.fail_on)
        folder = _write_outputs(config, collection, report)
        history.record(report, started, datetime.now(UTC), exit_code, folder)
        prune(config.output.folder, config.output.keep_runs)
        mailed, delivery_failure = False, None
        if config.email is not None:
            try:
                mailed = mail_report(
                    config.email, report, folder, config.output.formats, config.branding
                )
            except FleetReportError as error:
                delivery_failure, exit_code = error, ExitCode.ERROR
        return RunResult(exit_code, folder, report, failures, mailed, delivery_failure)


def targets(config: RunConfig) -> tuple[list[VCenterTarget], list[HorizonTarget]]:
    """Sources with their passwords: every secret is read before anything is collected."""
    return targets_of([*config.vcenters, *config.horizons])


def _write_outputs(config: RunConfig, collection: Collection, report: HealthReport) -> Path:
    root = config.output.folder
    with staged_run_folder(root) as staging:
        if config.output.keep_snapshot:
            save_snapshot(collection.snapshot, staging / "snapshot.json")
        for output_format in config.output.formats:
            write_report(
                report,
                output_format,
                staging / FILE_NAMES[output_format],
                config.branding,
                paper=config.output.paper,
            )
        return publish(staging, root, report.snapshot.collected_at)


@contextlib.contextmanager
def _display(sources: list[SourceProgress], stream: TextIO | None) -> Iterator[None]:
    """The live display on a terminal; nothing under cron."""
    if stream is None:
        yield
        return
    with LiveProgress(sources, stream):
        yield
