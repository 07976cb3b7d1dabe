"""The run's use of history: annotate the report with changes and trends, then record it."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from fleetreport.health.compare import compare
from fleetreport.health.population import KnownDesktops, pod_of_source_url
from fleetreport.health.report_model import HealthReport
from fleetreport.history import HistoryStore, default_database_path
from fleetreport.render.run_history import render_history
from fleetreport.run.config import HistorySettings
from fleetreport.snapshot.model import Source


class HistoryLink:
    """History as one run sees it; does nothing when history is turned off."""

    def __init__(self, settings: HistorySettings) -> None:
        self._settings = settings
        self._path = settings.database or default_database_path()

    def known_desktops(self, sources: Sequence[Source]) -> list[KnownDesktops]:
        """For each Horizon source that failed, the desktops of the last run it answered in."""
        failed = [s for s in sources if s.kind == "horizon" and s.status == "failed"]
        if not self._settings.enabled or not failed or not self._path.exists():
            return []
        with HistoryStore(self._path) as store:
            found = [store.known_desktops(pod_of_source_url(s.url), s.url) for s in failed]
        return [known for known in found if known is not None]

    def annotate(self, report: HealthReport) -> HealthReport:
        """The report with "since the last run" and the trend over recent runs."""
        if not self._settings.enabled:
            return report
        with HistoryStore(self._path) as store:
            previous = store.last_digest()
            trend = store.trend(self._settings.trend_runs, current=report)
        changes = compare(previous, report) if previous is not None else None
        return dataclasses.replace(report, changes=changes, trend=trend)

    def record(
        self,
        report: HealthReport,
        started_at: datetime,
        finished_at: datetime,
        exit_code: int,
        folder: Path,
    ) -> None:
        """Add the run (one transaction)."""
        if not self._settings.enabled:
            return
        with HistoryStore(self._path) as store:
            store.record_run(
                report,
                started_at=started_at,
                finished_at=finished_at,
                exit_code=exit_code,
                report_folder=str(folder),
            )


def list_runs(database: Path | None, limit: int) -> str:
    """``fleetreport history``: the last runs as a table."""
    with HistoryStore(database or default_database_path()) as store:
        return render_history(store.runs(limit))
