"""The run's use of history: annotate the report with changes and trends, then record it."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

from fleetreport.compare import compare
from fleetreport.health.report_model import HealthReport
from fleetreport.history import HistoryStore, default_database_path, render_history
from fleetreport.run.config import HistorySettings


class HistoryLink:
    """History as one run sees it; does nothing when history is turned off."""

    def __init__(self, settings: HistorySettings) -> None:
        self._settings = settings
        self._path = settings.database or default_database_path()

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
