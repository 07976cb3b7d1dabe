"""The history database's schema, as an ordered list of migration steps.

``PRAGMA user_version`` is the number of steps applied. Opening a database applies the missing
steps in order, each in its own transaction together with the new ``user_version``, so that a
step is either wholly applied or not at all, and two processes opening an old database at
once migrate it once. Steps are never edited once released: a change is a new step.

Times are UTC ISO-8601 text ending in ``Z``. Sources keep their kind, URL (without user
information or query), status and error: never credentials.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

Migration = Callable[[sqlite3.Connection], None]
"""One step: runs its statements on a connection already inside a transaction."""


def _statements(*sql: str) -> Migration:
    def step(db: sqlite3.Connection) -> None:
        for statement in sql:
            db.execute(statement)

    return step


V1_RUNS_SOURCES_POOLS_FINDINGS = _statements(
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        collected_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'partial')),
        exit_code INTEGER NOT NULL,
        report_folder TEXT,
        generator TEXT NOT NULL,
        desktops INTEGER NOT NULL,
        patch_score REAL,
        power_score REAL,
        grade TEXT,
        findings_critical INTEGER NOT NULL,
        findings_warning INTEGER NOT NULL,
        findings_info INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE run_sources (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        status TEXT NOT NULL,
        error TEXT,
        PRIMARY KEY (run_id, position)
    )
    """,
    """
    CREATE TABLE pool_scores (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        pod TEXT NOT NULL,
        pool_id TEXT NOT NULL,
        name TEXT NOT NULL,
        grade TEXT,
        patch_score REAL,
        power_score REAL,
        desktops INTEGER NOT NULL,
        PRIMARY KEY (run_id, pod, pool_id)
    )
    """,
    """
    CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        check_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        subject_kind TEXT NOT NULL,
        location TEXT,
        subject TEXT NOT NULL,
        subject_name TEXT NOT NULL,
        message TEXT NOT NULL,
        pool_name TEXT
    )
    """,
    "CREATE INDEX findings_by_run ON findings (run_id)",
)
"""Runs with their fleet figures, their sources, pool scores and findings."""

V2_DESKTOPS_AND_SHARES = _statements(
    "ALTER TABLE runs ADD COLUMN healthy_share REAL",
    "ALTER TABLE runs ADD COLUMN coverage REAL",
    """
    CREATE TABLE desktops (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        name TEXT NOT NULL,
        pool_name TEXT,
        PRIMARY KEY (run_id, key)
    )
    """,
)
"""Each run's desktops (for new and removed desktops), the fleet's healthy share and coverage.
Runs recorded before this step keep NULL shares and no desktop list."""

V3_DESKTOP_VMS = _statements(
    "ALTER TABLE desktops ADD COLUMN vcenter TEXT",
    "ALTER TABLE desktops ADD COLUMN moref TEXT",
)
"""Each desktop's VM, so that a run whose Horizon pod does not answer can take the desktops
the last good run knew. Desktops recorded before this step have NULL VMs."""

V4_USAGE = _statements(
    "ALTER TABLE runs ADD COLUMN peak_sessions INTEGER",
    "ALTER TABLE runs ADD COLUMN unused_desktops INTEGER",
    "ALTER TABLE pool_scores ADD COLUMN peak_sessions INTEGER",
)
"""Each run's usage figures (``--usage``): the fleet's and each pool's peak concurrent sessions
over the window, and the unused desktops found. NULL for runs that collected no usage and for
runs recorded before this step."""

MIGRATIONS: Sequence[Migration] = (
    V1_RUNS_SOURCES_POOLS_FINDINGS,
    V2_DESKTOPS_AND_SHARES,
    V3_DESKTOP_VMS,
    V4_USAGE,
)
"""Every step, in order: step ``n`` (from 1) brings ``user_version`` from ``n - 1`` to ``n``."""

SCHEMA_VERSION = len(MIGRATIONS)
"""The newest ``user_version`` this fleetreport knows."""
