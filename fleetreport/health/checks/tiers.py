"""The shape several checks share: an age judged against warning and critical thresholds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fleetreport.health.catalogue import Limits
from fleetreport.health.fleet import describe_age, describe_limit
from fleetreport.health.results import Outcome, Severity, failed, passed


def judge_age(age: timedelta, limits: Limits, saying: Callable[[str], str]) -> Outcome:
    """Fail critical past ``critical_days``, warning past ``warning_days``, else pass.

    ``saying`` puts the age in words: ``lambda age: f"up for {age} without a reboot"`` (a
    function, not a format string: names in the message come from customers' servers).
    """
    seen = saying(describe_age(age))
    for name, severity in (
        ("critical_days", Severity.CRITICAL),
        ("warning_days", Severity.WARNING),
    ):
        limit = limits.days(name)
        if age > limit:
            return failed(f"{seen} ({severity.value} over {describe_limit(limit)})", severity)
    return passed(seen)
