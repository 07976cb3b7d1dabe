"""What a check says about one subject: pass, fail (with severity) or unknown."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache


class Severity(enum.StrEnum):
    """How serious a failure is; the order is critical > warning > info."""

    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical, 1 for warning, 2 for info: sorts the worst first."""
        return _RANKS[self]


_RANKS = {severity: index for index, severity in enumerate(Severity)}

OUTCOMES_KEPT = 4096
"""Outcomes remembered per kind: a check says the same few sentences about thousands of desktops
("powered off", "Tools current"), and an outcome is immutable, so equal ones are shared."""


class Status(enum.StrEnum):
    """The three answers a check can give."""

    PASS = "pass"  # noqa: S105 (a check result, not a password)
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Outcome:
    """A check's answer for one subject, with the value it saw."""

    status: Status
    """Pass, fail or unknown."""
    message: str
    """Plain words naming the value and, for a failure, the threshold it crossed."""
    severity: Severity | None = None
    """For a failure: its severity; None means the check's configured severity."""
    not_applicable: bool = False
    """For an unknown: the check does not apply (e.g. Tools-running on a powered-off VM),
    as opposed to data that is missing. Not-applicable results do not lower coverage."""


@lru_cache(maxsize=OUTCOMES_KEPT)
def passed(message: str = "") -> Outcome:
    """The subject meets the check."""
    return Outcome(Status.PASS, message)


@lru_cache(maxsize=OUTCOMES_KEPT)
def failed(message: str, severity: Severity | None = None) -> Outcome:
    """The subject fails; ``severity`` None takes the check's configured severity."""
    return Outcome(Status.FAIL, message, severity)


@lru_cache(maxsize=OUTCOMES_KEPT)
def unknown(message: str) -> Outcome:
    """The data needed to judge is missing."""
    return Outcome(Status.UNKNOWN, message)


@lru_cache(maxsize=OUTCOMES_KEPT)
def not_applicable(message: str) -> Outcome:
    """The check does not apply to this subject."""
    return Outcome(Status.UNKNOWN, message, not_applicable=True)


def without_horizon(missing: bool, message: str) -> Outcome:
    """No Horizon data for this subject: unknown when a Horizon source failed (``missing``),
    else not applicable (a vCenter-only estate)."""
    if missing:
        return unknown(f"{message}: a Horizon source failed")
    return not_applicable(message)
