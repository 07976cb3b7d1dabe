"""The history of runs in one SQLite file: what ``fleetreport run`` recorded, read back.

One file per user by default (:func:`default_database_path`), in WAL mode with a busy timeout
so that a cron run and a person reading the history do not trip over each other. Recording a
run is one transaction: a failure leaves nothing of it. The schema is versioned
(:mod:`fleetreport.history.migrations`); a database from a newer fleetreport is refused, never
downgraded or rewritten.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

from fleetreport.errors import InputFileError, OutputError
from fleetreport.health.compare import (
    PoolBrief,
    PoolKey,
    ReportDigest,
    digest_of,
    trend_of,
    usage_figures,
)
from fleetreport.health.population import KnownDesktops
from fleetreport.health.report_model import (
    DesktopSummary,
    FindingBrief,
    FindingRecord,
    HealthReport,
    Trend,
)
from fleetreport.health.report_records import Source
from fleetreport.history.migrations import MIGRATIONS, SCHEMA_VERSION
from fleetreport.paths import data_folder
from fleetreport.snapshot.codec import format_time, parse_time

DATABASE_NAME = "history.sqlite"
BUSY_TIMEOUT_MS = 10_000
"""How long to wait for another process's write to finish before giving up."""
_NOT_A_DATABASE = frozenset({"SQLITE_NOTADB", "SQLITE_CORRUPT"})


def default_database_path() -> Path:
    """``history.sqlite`` in the user's data folder (:func:`fleetreport.paths.data_folder`):
    on Linux ``$XDG_DATA_HOME/fleetreport``, else ``~/.local/share/fleetreport`` (a relative
    ``XDG_DATA_HOME`` is ignored, as the XDG specification says)."""
    return data_folder() / DATABASE_NAME


@dataclass(frozen=True)
class RunRow:
    """One recorded run, as ``fleetreport history`` lists it."""

    id: int
    """Run number, increasing."""
    started_at: datetime
    """When the run began (UTC)."""
    finished_at: datetime
    """When it ended (UTC)."""
    collected_at: datetime
    """When its snapshot's collection finished (UTC)."""
    status: str
    """``ok``, or ``partial`` when a source failed."""
    exit_code: int
    """The run's exit code."""
    report_folder: str | None
    """Where its report was written."""
    generator: str
    """The fleetreport that made the report."""
    desktops: int
    """Desktops judged."""
    patch_score: float | None
    """Fleet patch score."""
    power_score: float | None
    """Fleet power score."""
    grade: str | None
    """Fleet grade."""
    healthy_share: float | None
    """Healthy desktops' share, 0..1 (None for runs recorded before schema version 2)."""
    coverage: float | None
    """Share of results judged, 0..1 (None for runs recorded before schema version 2)."""
    critical: int
    """Critical findings."""
    warning: int
    """Warnings."""
    info: int
    """Info findings."""
    peak_sessions: int | None = None
    """The fleet's peak concurrent sessions over the usage window (None: no usage collected)."""
    unused_desktops: int | None = None
    """Unused desktops found (None: no usage collected)."""


class HistoryStore:
    """The history database at ``path``, created (folder and file) and migrated on opening.

    Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = _open(path)

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    @property
    def schema_version(self) -> int:
        """The database's ``user_version``."""
        with self._reading():
            return _user_version(self._db)

    def record_run(
        self,
        report: HealthReport,
        *,
        started_at: datetime,
        finished_at: datetime,
        exit_code: int,
        report_folder: str | None,
    ) -> int:
        """Record one run and return its id: all of it in one transaction, or nothing."""
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                run_id = _insert_run(
                    db,
                    report,
                    started_at=started_at,
                    finished_at=finished_at,
                    exit_code=exit_code,
                    report_folder=report_folder,
                )
                _insert_sources(db, run_id, report.sources)
                _insert_pools(db, run_id, report)
                _insert_findings(db, run_id, report.findings)
                _insert_desktops(db, run_id, report.vms)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            raise OutputError(
                f"could not record the run in history database {self.path}: {error}",
                hint="check the disk and that no other program holds the file locked",
            ) from error
        return run_id

    def runs(self, limit: int = 20) -> list[RunRow]:
        """The last ``limit`` runs, newest first."""
        with self._reading():
            rows = self._db.execute(
                "SELECT id, started_at, finished_at, collected_at, status, exit_code,"
                " report_folder, generator, desktops, patch_score, power_score, grade,"
                " healthy_share, coverage, findings_critical, findings_warning, findings_info,"
                " peak_sessions, unused_desktops"
                " FROM runs ORDER BY id DESC LIMIT ?",
                (max(limit, 0),),
            ).fetchall()
        return [
            RunRow(
                id=row[0],
                started_at=parse_time(row[1]),
                finished_at=parse_time(row[2]),
                collected_at=parse_time(row[3]),
                status=row[4],
                exit_code=row[5],
                report_folder=row[6],
                generator=row[7],
                desktops=row[8],
                patch_score=row[9],
                power_score=row[10],
                grade=row[11],
                healthy_share=row[12],
                coverage=row[13],
                critical=row[14],
                warning=row[15],
                info=row[16],
                peak_sessions=row[17],
                unused_desktops=row[18],
            )
            for row in rows
        ]

    def last_digest(self) -> ReportDigest | None:
        """The newest run's digest, rebuilt from the tables; None when no run is recorded."""
        db = self._db
        with self._reading():
            run = db.execute(
                "SELECT id, collected_at, patch_score, power_score, grade, desktops"
                " FROM runs ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if run is None:
                return None
            run_id = run[0]
            desktops = db.execute(
                "SELECT key, name FROM desktops WHERE run_id = ? ORDER BY rowid", (run_id,)
            ).fetchall()
            findings = db.execute(
                "SELECT check_id, severity, subject_kind, location, subject, subject_name,"
                " message, pool_name FROM findings WHERE run_id = ? ORDER BY rowid",
                (run_id,),
            ).fetchall()
            pools = self._pools(run_id)
        return ReportDigest(
            collected_at=parse_time(run[1]),
            patch_score=run[2],
            power_score=run[3],
            grade=run[4],
            desktop_count=run[5],
            desktops=dict(desktops),
            findings={
                (check, kind, location, subject): FindingBrief(
                    check=check,
                    severity=severity,
                    subject_kind=kind,
                    subject=subject,
                    subject_name=name,
                    message=message,
                    pool_name=pool_name,
                )
                for check, severity, kind, location, subject, name, message, pool_name in findings
            },
            pools=pools.get(run_id, {}),
        )

    def known_desktops(self, pod: str, url: str) -> KnownDesktops | None:
        """The desktops of pod ``pod`` (reached at ``url``) in the newest run in which that
        source answered; None when no such run recorded its desktops' VMs."""
        db = self._db
        with self._reading():
            run = db.execute(
                "SELECT runs.id, runs.collected_at FROM runs JOIN run_sources"
                " ON run_sources.run_id = runs.id WHERE run_sources.kind = 'horizon'"
                " AND run_sources.url = ? AND run_sources.status = 'ok'"
                " ORDER BY runs.id DESC LIMIT 1",
                (safe_url(url),),
            ).fetchone()
            if run is None:
                return None
            rows = db.execute(
                "SELECT vcenter, moref FROM desktops WHERE run_id = ? AND substr(key, 1, ?) = ?"
                " AND vcenter IS NOT NULL AND moref IS NOT NULL",
                (run[0], len(pod) + 1, f"{pod}/"),
            ).fetchall()
        if not rows:
            return None
        return KnownDesktops(pod, parse_time(run[1]), frozenset((v, m) for v, m in rows))

    def trend(self, limit: int = 12, *, current: HealthReport | None = None) -> Trend:
        """Fleet and pool figures of the last ``limit`` runs, oldest first.

        With ``current`` (a report not recorded yet), its figures are the last point, after the
        last ``limit - 1`` recorded runs."""
        stored = max(limit - 1 if current is not None else limit, 0)
        with self._reading():
            runs = self._db.execute(
                "SELECT id, collected_at, patch_score, power_score, grade, desktops,"
                " peak_sessions, unused_desktops FROM runs ORDER BY id DESC LIMIT ?",
                (stored,),
            ).fetchall()
            runs.reverse()
            pools = self._pools(runs[0][0]) if runs else {}
        digests = [
            ReportDigest(
                collected_at=parse_time(collected_at),
                patch_score=patch,
                power_score=power,
                grade=grade,
                desktop_count=desktops,
                pools=pools.get(run_id, {}),
                peak_sessions=peak,
                unused_desktops=unused,
            )
            for run_id, collected_at, patch, power, grade, desktops, peak, unused in runs
        ]
        if current is not None and limit > 0:
            digests.append(digest_of(current))
        return trend_of(digests)

    def _pools(self, from_run: int) -> dict[int, dict[PoolKey, PoolBrief]]:
        """Pool figures of the runs from ``from_run`` on (the one run if it is the last)."""
        by_run: dict[int, dict[PoolKey, PoolBrief]] = {}
        for run_id, pod, pool_id, name, grade, patch, power, desktops, peak in self._db.execute(
            "SELECT run_id, pod, pool_id, name, grade, patch_score, power_score, desktops,"
            " peak_sessions FROM pool_scores WHERE run_id >= ? ORDER BY run_id, rowid",
            (from_run,),
        ):
            by_run.setdefault(run_id, {})[(pod, pool_id)] = PoolBrief(
                name=name,
                grade=grade,
                patch_score=patch,
                power_score=power,
                desktops=desktops,
                peak_sessions=peak,
            )
        return by_run

    @contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            raise InputFileError(
                f"could not read history database {self.path}: {error}",
                hint="check the file; move it away to start a new history",
            ) from error


# --- opening and migrating -----------------------------------------------------------------


def _open(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"cannot create the history folder {path.parent}: {error.strerror or error}",
            hint="give a writable path for the history database",
        ) from error
    if path.is_dir():
        raise InputFileError(f"history database {path} is a folder", hint="give the path of a file")
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as error:
        raise InputFileError(
            f"cannot open history database {path}: {error}",
            hint="check that the file and its folder are readable and writable",
        ) from error
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        version = _user_version(db)
        _refuse_unknown(db, path, version)
        db.execute("PRAGMA journal_mode = WAL").fetchone()
        db.execute("PRAGMA foreign_keys = ON")
        apply_migrations(db)
    except sqlite3.Error as error:
        db.close()
        if getattr(error, "sqlite_errorname", "") in _NOT_A_DATABASE:
            raise InputFileError(
                f"{path} is not a fleetreport history database (not SQLite, or damaged)",
                hint="give another file, or move this one away to start a new history",
            ) from error
        raise InputFileError(
            f"cannot open history database {path}: {error}",
            hint="check that the file and its folder are readable and writable",
        ) from error
    except BaseException:
        db.close()
        raise
    return db


def _refuse_unknown(db: sqlite3.Connection, path: Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise InputFileError(
            f"history database {path} was written by a newer fleetreport"
            f" (schema version {version}; this one knows up to {SCHEMA_VERSION})",
            hint="upgrade fleetreport, or give another history file",
        )
    if version == 0 and db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise InputFileError(
            f"{path} is an SQLite database, but not a fleetreport history",
            hint="give another file, or move this one away to start a new history",
        )


def apply_migrations(db: sqlite3.Connection, up_to: int = SCHEMA_VERSION) -> int:
    """Apply the missing steps up to version ``up_to``, one transaction each; return the
    version reached. ``db`` must be in autocommit mode (``isolation_level=None``)."""
    while _user_version(db) < up_to:
        db.execute("BEGIN IMMEDIATE")
        try:
            current = _user_version(db)  # another process may have migrated meanwhile
            if current < up_to:
                MIGRATIONS[current](db)
                db.execute(f"PRAGMA user_version = {current + 1:d}")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    return _user_version(db)


def _user_version(db: sqlite3.Connection) -> int:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    assert isinstance(version, int)
    return version


# --- recording -----------------------------------------------------------------------------


def _insert_run(
    db: sqlite3.Connection,
    report: HealthReport,
    *,
    started_at: datetime,
    finished_at: datetime,
    exit_code: int,
    report_folder: str | None,
) -> int:
    fleet = report.fleet
    severities = fleet.findings_by_severity
    usage = usage_figures(report)
    cursor = db.execute(
        "INSERT INTO runs (started_at, finished_at, collected_at, status, exit_code,"
        " report_folder, generator, desktops, patch_score, power_score, grade, healthy_share,"
        " coverage, findings_critical, findings_warning, findings_info, peak_sessions,"
        " unused_desktops) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            format_time(started_at),
            format_time(finished_at),
            format_time(report.snapshot.collected_at),
            "partial" if any(s.status == "failed" for s in report.sources) else "ok",
            int(exit_code),
            report_folder,
            report.generator,
            fleet.desktops,
            fleet.patch_score,
            fleet.power_score,
            fleet.grade,
            fleet.healthy_share,
            fleet.coverage,
            severities.get("critical", 0),
            severities.get("warning", 0),
            severities.get("info", 0),
            usage.peak_sessions,
            usage.unused_desktops,
        ),
    )
    run_id = cursor.lastrowid
    assert run_id is not None
    return run_id


def _insert_sources(db: sqlite3.Connection, run_id: int, sources: Sequence[Source]) -> None:
    db.executemany(
        "INSERT INTO run_sources (run_id, position, kind, url, status, error)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (run_id, position, s.kind, safe_url(s.url), s.status, s.error)
            for position, s in enumerate(sources)
        ],
    )


def _insert_pools(db: sqlite3.Connection, run_id: int, report: HealthReport) -> None:
    peaks = usage_figures(report).pool_peaks
    db.executemany(
        "INSERT INTO pool_scores (run_id, pod, pool_id, name, grade, patch_score, power_score,"
        " desktops, peak_sessions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                run_id,
                *(p.pod, p.id, p.name, p.grade, p.patch_score, p.power_score, p.desktops),
                peaks.get((p.pod, p.id)),
            )
            for p in report.pools
        ],
    )


def _insert_findings(
    db: sqlite3.Connection, run_id: int, findings: Sequence[FindingRecord]
) -> None:
    db.executemany(
        "INSERT INTO findings (run_id, check_id, severity, subject_kind, location, subject,"
        " subject_name, message, pool_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                run_id,
                f.check,
                f.severity,
                f.subject_kind,
                f.location,
                f.subject,
                f.subject_name,
                f.message,
                f.pool_name,
            )
            for f in findings
        ],
    )


def _insert_desktops(
    db: sqlite3.Connection, run_id: int, desktops: Sequence[DesktopSummary]
) -> None:
    db.executemany(
        "INSERT INTO desktops (run_id, key, name, pool_name, vcenter, moref)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(run_id, d.key, d.name, d.pool_name, d.vcenter, d.moref) for d in desktops],
    )


def safe_url(url: str) -> str:
    """``url`` without user information, query or fragment: nothing that could be a secret."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(invalid URL)"
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
