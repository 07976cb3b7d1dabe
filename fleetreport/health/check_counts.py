"""How a check came out, as the report shows it: every subject in exactly one column.

:class:`~fleetreport.health.report_model.CheckCounts` keeps ``unknown`` with the
not-applicable subjects included (the JSON report's shape); a reader wants them apart, so
the HTML method appendix and the CSV and xlsx exports all show :func:`shown_counts`.
"""

from __future__ import annotations

from dataclasses import dataclass

from fleetreport.health.report_model import CheckCounts


@dataclass(frozen=True, slots=True)
class ShownCounts:
    """A check's subjects split into columns that do not overlap."""

    passed: int
    """Subjects that pass."""
    failed: int
    """Subjects that fail."""
    unknown: int
    """Subjects it applies to but could not judge (missing data); not-applicable excluded."""
    not_applicable: int
    """Subjects it does not apply to."""
    excluded: int
    """Subjects the configuration excluded from it."""


def shown_counts(counts: CheckCounts) -> ShownCounts:
    """``counts`` as the report shows them: unknown without the not-applicable subjects."""
    return ShownCounts(
        passed=counts.passed,
        failed=counts.failed,
        unknown=counts.unknown - counts.not_applicable,
        not_applicable=counts.not_applicable,
        excluded=counts.excluded,
    )
