"""The shape every alarm check shares: vCenter's triggered alarms on one object, graded.

Red is critical and yellow a warning (atc0005/check-vmware ``check_vmware_alarms``,
``EntityStatusToNagiosState``; vCheck-vSphere "Host Alarms" and "VM Alarms" colour red rows
critical and yellow ones warning); green and gray pass. An acknowledged alarm is graded one step
lower (see ``ACKNOWLEDGED_RATIONALE``).
"""

from __future__ import annotations

from collections.abc import Sequence

from fleetreport.health.catalogue import Limits, ThresholdValue
from fleetreport.health.fleet import FleetView
from fleetreport.health.results import Outcome, Severity, failed, passed, unknown
from fleetreport.snapshot.model import TriggeredAlarm

ALARM_THRESHOLDS: dict[str, ThresholdValue] = {
    "critical_statuses": ("red",),
    "warning_statuses": ("yellow",),
    "passing_statuses": ("green", "gray"),
    "acknowledged_one_lower": True,
    "names_listed": 5,
}
"""Defaults of every alarm check."""

ALARM_RATIONALE = """Red is critical and yellow a warning, as atc0005/check-vmware's
check_vmware_alarms maps them and vCheck-vSphere's "Host Alarms"/"VM Alarms" colour them; green
and gray pass. An acknowledged alarm is graded one step lower (red to warning, yellow to info):
acknowledging says someone owns it but does not clear the condition, so it stays in the report
where check_vmware_alarms drops it by default (--eval-acknowledged off). Alarms are vCenter's
verdicts under definitions fleetreport does not know: they are reported, and lower no desktop
score (fleetreport's own checks judge the conditions they measure)."""
"""The part of every alarm check's rationale that explains the grading."""

_LOWER = {Severity.CRITICAL: Severity.WARNING, Severity.WARNING: Severity.INFO}


def alarms_read(fleet: FleetView, vcenter: str) -> bool:
    """True when the snapshot holds the vCenter's triggered alarms (``VCenter.alarms_read``): a
    snapshot from before alarms were read, or a vCenter that refused them, cannot tell "no
    alarm" from "not read"."""
    return fleet.alarms_read_by_vcenter.get(vcenter) is True


def judge_alarms(fleet: FleetView, vcenter: str, moref: str, limits: Limits, what: str) -> Outcome:
    """Grade the triggered alarms on one object; ``what`` names it in messages ("the host")."""
    if not alarms_read(fleet, vcenter):
        return unknown("the triggered alarms of this vCenter were not read")
    alarms = fleet.alarms_on(vcenter, moref)
    if not alarms:
        return passed("no triggered alarm")
    strange = [
        a
        for a in alarms
        if not any(
            limits.matches(name, a.status)
            for name in ("critical_statuses", "warning_statuses", "passing_statuses")
        )
    ]
    graded = [(alarm, _grade(alarm, limits)) for alarm in alarms if alarm not in strange]
    failing = [(alarm, severity) for alarm, severity in graded if severity is not None]
    if failing:
        worst = min((severity for _, severity in failing), key=lambda s: s.rank)
        ordered = sorted(failing, key=lambda pair: (pair[1].rank, _label(pair[0])))
        listed = _listing([_described(alarm) for alarm, _ in ordered], limits)
        count = f"{len(failing)} alarm{'s' if len(failing) != 1 else ''}"
        return failed(f"{count} triggered on {what}: {listed}", worst)
    if strange:
        described = ", ".join(f"{_label(a)} status {a.status!r}" for a in strange)
        return unknown(f"alarm status fleetreport does not know: {described}")
    return passed(f"{len(alarms)} triggered alarm(s), none red or yellow")


def _grade(alarm: TriggeredAlarm, limits: Limits) -> Severity | None:
    if limits.matches("critical_statuses", alarm.status):
        severity = Severity.CRITICAL
    elif limits.matches("warning_statuses", alarm.status):
        severity = Severity.WARNING
    else:
        return None
    if alarm.acknowledged and limits.flag("acknowledged_one_lower"):
        return _LOWER.get(severity, severity)
    return severity


def _label(alarm: TriggeredAlarm) -> str:
    return repr(alarm.name) if alarm.name else alarm.alarm


def _described(alarm: TriggeredAlarm) -> str:
    notes = [alarm.status] if alarm.name else ["name not read", alarm.status]
    notes += ["acknowledged"] if alarm.acknowledged else []
    return f"{_label(alarm)} ({', '.join(notes)})"


def _listing(items: Sequence[str], limits: Limits) -> str:
    shown = int(limits.number("names_listed"))
    more = len(items) - shown
    return "; ".join(items[:shown]) + (f" and {more} more" if more > 0 else "")
