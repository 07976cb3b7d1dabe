"""Scores: per desktop from its failed checks, per pool and for the fleet as desktop means.

A desktop's patch (power) score is 100 minus the weight of every failed patch (power) check
that judged it, and of the inherited checks of its pool, host, datastores, pod and vCenter link
(its golden image's age, its ESXi build; its host not connected, a datastore of its files
inaccessible, its pod's Connection Servers all down, its vCenter unreachable from Horizon:
power), never below 0. A pool's and the fleet's scores are
the plain means over their desktops (so the fleet's is the desktop-weighted mean of the
pools'). The grade follows the lower of the two scores, and is at most the lowest passing
grade (D) for a group holding a desktop its pod cannot deliver or manage (a critical pod or
vCenter-link failure). Unknown results do not move a score; they lower the stated coverage.
``docs/health-model.md`` has the worked example.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from fleetreport.health.catalogue import Category, SubjectKind
from fleetreport.health.evaluate import (
    Evaluation,
    Judgement,
    horizon_vcenter_key,
    host_key,
    pool_key,
)
from fleetreport.health.fleet import Desktop
from fleetreport.health.results import Severity, Status
from fleetreport.health.settings import ScoreSettings

FULL_SCORE = 100.0
HARMFUL = (Severity.CRITICAL, Severity.WARNING)
Places = tuple[str | None, str | None, str | None, str | None]
"""The keys of a desktop's pool, host, pod and vCenter link (see ``_places``)."""
OUTAGE_SUBJECTS = (SubjectKind.POD, SubjectKind.HORIZON_VCENTER)
"""Where a critical inherited failure means the pod cannot deliver or manage the desktop."""
INHERITED_FROM = (SubjectKind.POOL, SubjectKind.HOST, SubjectKind.POD, SubjectKind.HORIZON_VCENTER)
"""Where a desktop inherits judgements from: the kinds of ``_places``' keys, in order."""


class Deduction(NamedTuple):
    """Points a failed check took off one of a desktop's scores (a named tuple, as
    ``evaluate.Judgement``: a report makes one per desktop finding, and a frozen dataclass
    takes several times as long to make)."""

    check: str
    """Check id."""
    category: Category
    """patch or power: which score it lowered (power for inherited infrastructure checks)."""
    severity: Severity
    """The failure's severity."""
    points: float
    """The weight taken off."""
    subject_kind: SubjectKind
    """Where the failure was found: the desktop itself, its pool, host, datastore, pod or
    vCenter link."""
    subject: str
    """That subject's id."""

    @property
    def outage(self) -> bool:
        """A critical failure of the desktop's pod or vCenter link: it cannot be delivered."""
        return self.subject_kind in OUTAGE_SUBJECTS and self.severity is Severity.CRITICAL


class DesktopScore(NamedTuple):
    """A desktop's two scores and what made them (a named tuple: one per desktop)."""

    desktop: Desktop
    """The desktop."""
    patch: float
    """Patch score, 0..100."""
    power: float
    """Power score, 0..100."""
    deductions: tuple[Deduction, ...]
    """Every failure that lowered a score."""
    healthy: bool
    """No critical or warning failure in patch or power."""
    evaluated: int
    """Applicable patch and power results (pass, fail or unknown)."""
    unknown: int
    """Of those, results that could not be judged for missing data."""

    @property
    def outage(self) -> bool:
        """Its pod cannot deliver or manage it (see ``Deduction.outage``)."""
        return any(d.outage for d in self.deductions)


@dataclass(frozen=True)
class GroupScore:
    """Scores of a set of desktops: a pool, or the whole fleet."""

    desktops: int
    """How many."""
    patch: float | None
    """Mean patch score; None without desktops."""
    power: float | None
    """Mean power score."""
    grade: str | None
    """Grade of the lower of the two."""
    healthy: int
    """Desktops with no critical or warning patch or power failure."""
    evaluated: int
    """Applicable patch and power results."""
    unknown: int
    """Of those, results that could not be judged."""
    capped: bool = False
    """The grade was capped: a desktop of the group is in a pod outage."""

    @property
    def healthy_share(self) -> float | None:
        """Healthy desktops as a share of all, 0..1."""
        return self.healthy / self.desktops if self.desktops else None

    @property
    def coverage(self) -> float | None:
        """Share of applicable results that could be judged, 0..1."""
        return 1 - self.unknown / self.evaluated if self.evaluated else None


class _Tally(NamedTuple):
    """What a list of judgements adds to a desktop's score: applicable results, unknown ones,
    and the deductions of its failures, in the order judged."""

    evaluated: int
    unknown: int
    deductions: tuple[Deduction, ...]


def score_desktop(
    desktop: Desktop, evaluation: Evaluation, settings: ScoreSettings
) -> DesktopScore:
    """Score one desktop from the judgements on it, its pool and its host."""
    return score_desktops([desktop], evaluation, settings)[0]


def score_desktops(
    desktops: Iterable[Desktop], evaluation: Evaluation, settings: ScoreSettings
) -> list[DesktopScore]:
    """Score each desktop (see ``score_desktop``). What a desktop inherits from its places
    (pool, host, pod, vCenter link, datastores) is tallied once per set of places for this
    call, not once per desktop: clones of a pool on a host share it."""
    inherited: dict[Hashable, _Tally] = {}
    scores = []
    for desktop in desktops:
        deductions: list[Deduction] = []
        own = evaluation.judgements.get((SubjectKind.DESKTOP, desktop.key), ())
        evaluated, unknown = _tally(own, settings, deductions)
        key = _inherited_key(desktop)
        shared = inherited.get(key)
        if shared is None:
            found: list[Deduction] = []
            places = _inherited(desktop, key[0], evaluation)
            shared = inherited[key] = _Tally(*_tally(places, settings, found), tuple(found))
        if shared.evaluated:
            evaluated += shared.evaluated
            unknown += shared.unknown
            deductions += shared.deductions
        scores.append(_desktop_score(desktop, deductions, evaluated, unknown))
    return scores


def _tally(
    judgements: Iterable[Judgement], settings: ScoreSettings, deductions: list[Deduction]
) -> tuple[int, int]:
    """Applicable results and unknown ones among the judgements that score desktops, the
    deductions of their failures appended to ``deductions`` (it reads each judgement's fields
    once and adds no deduction for a pass)."""
    evaluated = unknown = 0
    unknown_status, fail = Status.UNKNOWN, Status.FAIL
    for check, subject, outcome in judgements:
        if outcome.not_applicable or not check.scores_desktops:
            continue
        evaluated += 1
        status = outcome.status
        if status is unknown_status:
            unknown += 1
        elif status is fail and outcome.severity is not None:
            deductions.append(
                Deduction(
                    check.id,
                    check.score_category or check.category,
                    outcome.severity,
                    settings.weight(outcome.severity),
                    subject.kind,
                    subject.id,
                )
            )
    return evaluated, unknown


def _desktop_score(
    desktop: Desktop, deductions: list[Deduction], evaluated: int, unknown: int
) -> DesktopScore:
    """A desktop's scores from its deductions and counts."""
    if not deductions:
        return DesktopScore(desktop, FULL_SCORE, FULL_SCORE, (), True, evaluated, unknown)
    return DesktopScore(
        desktop,
        _score(deductions, Category.PATCH),
        _score(deductions, Category.POWER),
        tuple(deductions),
        not any(d.severity in HARMFUL for d in deductions),
        evaluated,
        unknown,
    )


def score_group(scores: Sequence[DesktopScore], settings: ScoreSettings) -> GroupScore:
    """Means over a set of desktop scores."""
    if not scores:
        return GroupScore(0, None, None, None, 0, 0, 0)
    patch = sum(s.patch for s in scores) / len(scores)
    power = sum(s.power for s in scores) / len(scores)
    capped = any(s.outage for s in scores)
    return GroupScore(
        desktops=len(scores),
        patch=patch,
        power=power,
        grade=group_grade(patch, power, capped, settings),
        healthy=sum(1 for s in scores if s.healthy),
        evaluated=sum(s.evaluated for s in scores),
        unknown=sum(s.unknown for s in scores),
        capped=capped,
    )


def group_grade(patch: float, power: float, capped: bool, settings: ScoreSettings) -> str:
    """A group's grade: that of the lower of its two mean scores, no better than the outage
    cap while a desktop of it is in a pod outage."""
    letter = grade(min(patch, power), settings)
    return worse_grade(letter, outage_cap(settings), settings) if capped else letter


def remaining(points_lost: Iterable[float]) -> float:
    """A score: full marks less the points lost, never below zero."""
    return max(FULL_SCORE - sum(points_lost), 0.0)


def grade(score: float, settings: ScoreSettings) -> str:
    """The letter of a score: the first grade whose lower limit it reaches, else F."""
    for letter, lowest in settings.grades:
        if score >= lowest:
            return letter
    return "F"


def outage_cap(settings: ScoreSettings) -> str:
    """The best grade a group in a pod outage can get: the lowest passing one (D by default)."""
    letters = [letter for letter, _ in settings.grades]
    return letters[-1] if letters else "F"


def worse_grade(first: str, second: str, settings: ScoreSettings) -> str:
    """The worse of two grades, in the order of the grade table, F last."""
    order = [letter for letter, _ in settings.grades]
    rank = {letter: index for index, letter in enumerate(order)}
    return max(first, second, key=lambda letter: rank.get(letter, len(order)))


def _inherited_key(desktop: Desktop) -> tuple[Places, tuple[str, tuple[str, ...]] | None]:
    """What decides the judgements a desktop inherits: its places and its VM's datastores."""
    vm = desktop.vm
    return (_places(desktop), (vm.vcenter, tuple(vm.datastores)) if vm is not None else None)


def _places(desktop: Desktop) -> Places:
    """The keys of the pool, host, pod and vCenter link a desktop inherits judgements from
    (None where it has none; plain strings, quick to hash)."""
    pool, host, machine = desktop.pool, desktop.host, desktop.machine
    pod = link = None
    if machine is not None and machine.kind != "inferred":
        pod = machine.pod
        vcenter_id = machine.vcenter_id or (pool.vcenter_id if pool else None)
        if vcenter_id:
            link = horizon_vcenter_key(machine.pod, vcenter_id)
    return (
        pool_key(pool) if pool is not None else None,
        host_key(host) if host is not None else None,
        pod,
        link,
    )


def _inherited(
    desktop: Desktop, places: Iterable[str | None], evaluation: Evaluation
) -> list[Judgement]:
    """The judgements of a desktop's places and datastores (``_tally`` counts those of checks
    that score desktops)."""
    found: list[Judgement] = []
    for kind, key in zip(INHERITED_FROM, places, strict=True):
        if key is not None:
            found += evaluation.of(kind, key)
    found += _datastore_judgements(desktop, evaluation)
    return found


def _datastore_judgements(desktop: Desktop, evaluation: Evaluation) -> Iterable[Judgement]:
    """The inherited judgements of the datastores a desktop's files are on: per check, the
    worst one only (a desktop on two inaccessible datastores cannot run, once)."""
    vm = desktop.vm
    if vm is None:
        return
    chosen: dict[str, Judgement] = {}
    for moref in vm.datastores:
        for judgement in evaluation.of(SubjectKind.DATASTORE, f"{vm.vcenter}/{moref}"):
            if not judgement.check.scores_desktops:
                continue
            held = chosen.get(judgement.check.id)
            if held is None or _worse(judgement, held):
                chosen[judgement.check.id] = judgement
    yield from chosen.values()


def _worse(first: Judgement, second: Judgement) -> bool:
    """True when ``first`` says worse than ``second``: a failure (the more severe), then
    missing data, then a pass, then not applicable."""
    return _badness(first) < _badness(second)


def _badness(judgement: Judgement) -> int:
    outcome = judgement.outcome
    if outcome.status is Status.FAIL and outcome.severity is not None:
        return outcome.severity.rank
    if outcome.status is Status.UNKNOWN and not outcome.not_applicable:
        return len(Severity)
    return len(Severity) + (1 if outcome.status is Status.PASS else 2)


def _score(deductions: Iterable[Deduction], category: Category) -> float:
    return remaining(d.points for d in deductions if d.category is category)
