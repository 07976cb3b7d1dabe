"""The run history as a plain-text table for the terminal (``templates/history.txt``)."""

from __future__ import annotations

from collections.abc import Sequence

from fleetreport.history.store import RunRow
from fleetreport.render.templating import environment
from fleetreport.text import terminal_safe

HEADINGS = (
    "Run",
    "Collected (UTC)",
    "Status",
    "Exit",
    "Desktops",
    "Grade",
    "Patch",
    "Power",
    "Healthy",
    "Critical",
    "Warning",
    "Info",
    "Peak",
    "Unused",
    "Report",
)
RIGHT = frozenset({0, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13})
"""Columns of numbers, aligned right."""


def render_history(runs: Sequence[RunRow]) -> str:
    """``runs`` (newest first, as :meth:`HistoryStore.runs` gives them) as a table."""
    rows = [_cells(run) for run in runs]
    widths = [
        max(len(terminal_safe(cell)) for cell in column)
        for column in zip(HEADINGS, *rows, strict=False)
    ]
    widths[-1] = 0  # the last column is not padded: no trailing blanks
    text = (
        environment()
        .get_template("history.txt")
        .render(
            headings=HEADINGS,
            rows=rows,
            widths=widths,
            right=[index in RIGHT for index in range(len(HEADINGS))],
        )
    )
    return text.rstrip("\n")


def _cells(run: RunRow) -> list[str]:
    return [
        str(run.id),
        f"{run.collected_at:%Y-%m-%d %H:%M}",
        run.status,
        str(run.exit_code),
        f"{run.desktops:,}",
        run.grade or "-",
        _score(run.patch_score),
        _score(run.power_score),
        "n/a" if run.healthy_share is None else f"{run.healthy_share * 100:.1f}%",
        f"{run.critical:,}",
        f"{run.warning:,}",
        f"{run.info:,}",
        _count(run.peak_sessions),
        _count(run.unused_desktops),
        run.report_folder or "-",
    ]


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _count(value: int | None) -> str:
    """A usage figure; ``-`` for a run that collected no usage."""
    return "-" if value is None else f"{value:,}"
