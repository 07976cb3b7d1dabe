"""The history of ``fleetreport run``: one SQLite file of runs, their figures and findings.

``HistoryStore(path)`` opens (creating and migrating) the database; ``record_run`` adds a run,
``runs`` lists them, ``last_digest`` gives what :func:`fleetreport.health.compare.compare` needs
of the newest, ``trend`` the figures over the last few. The table of runs that
``fleetreport history`` prints is rendering: :mod:`fleetreport.render.run_history`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fleetreport.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from fleetreport.history.migrations import MIGRATIONS, SCHEMA_VERSION
    from fleetreport.history.store import (
        HistoryStore,
        RunRow,
        apply_migrations,
        default_database_path,
    )

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "HistoryStore",
    "RunRow",
    "apply_migrations",
    "default_database_path",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "MIGRATIONS": "fleetreport.history.migrations",
        "SCHEMA_VERSION": "fleetreport.history.migrations",
        "HistoryStore": "fleetreport.history.store",
        "RunRow": "fleetreport.history.store",
        "apply_migrations": "fleetreport.history.store",
        "default_database_path": "fleetreport.history.store",
    },
)
