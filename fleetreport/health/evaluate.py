"""Run every enabled check over every subject in scope: results, tallies and findings."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import compress, repeat
from operator import and_, attrgetter, is_, is_not
from typing import Any, NamedTuple

from fleetreport.globs import matches_any
from fleetreport.health.catalogue import Check, Limits, SubjectKind, catalogue
from fleetreport.health.fleet import Desktop, FleetView
from fleetreport.health.results import Outcome, Severity, Status, failed
from fleetreport.health.settings import CheckSettings, HealthSettings
from fleetreport.snapshot.model import (
    AdDomain,
    Cluster,
    ConnectionServer,
    Datastore,
    DesktopPool,
    Gateway,
    HorizonPod,
    HorizonVCenter,
    Host,
)


class Subject(NamedTuple):
    """Something a check judges, with the names a finding shows (a named tuple, as
    ``Judgement``: a report makes one per desktop, and a frozen dataclass takes several times
    as long to make)."""

    kind: SubjectKind
    """desktop, pool, host, connection_server, pod or horizon_vcenter."""
    key: str
    """Unique among subjects of its kind."""
    id: str
    """What findings name: the VM moref (or machine id), pool id, host name, server name."""
    name: str
    """Display name, also what per-check exclusion patterns match."""
    item: Any
    """The Desktop, DesktopPool, Host, ConnectionServer, HorizonPod or HorizonVCenter."""
    pool: DesktopPool | None = None
    """The desktop's pool, or the pool itself."""
    location: str | None = None
    """The vCenter instance UUID or Horizon pod it lives in."""


class Judgement(NamedTuple):
    """One check's outcome for one subject, its severity settled by configuration (a named
    tuple: a report makes one per check and subject, hundreds of thousands at 10,000 desktops)."""

    check: Check[Any]
    """The check."""
    subject: Subject
    """What it judged."""
    outcome: Outcome
    """Pass, fail (severity always set) or unknown."""


@dataclass
class Tally:
    """How a check came out over all its subjects."""

    passed: int = 0
    failed: int = 0
    unknown: int = 0
    not_applicable: int = 0
    """Unknowns that are "does not apply" (counted in ``unknown`` too)."""
    excluded: int = 0
    """Subjects the check's ``exclude`` patterns left alone."""
    by_severity: Counter[str] = field(default_factory=Counter)
    """Failures by severity."""


@dataclass(frozen=True)
class Evaluation:
    """Everything the checks said about one snapshot."""

    fleet: FleetView
    """The fleet they judged."""
    settings: HealthSettings
    """The settings in force."""
    checks: list[Check[Any]]
    """Enabled checks, catalogue order."""
    judgements: dict[tuple[SubjectKind, str], list[Judgement]]
    """Per subject (kind, key), the judgements made, catalogue order."""
    tallies: dict[str, Tally]
    """Per check id (enabled or not)."""
    failed: list[Judgement] = field(default_factory=list)
    """Every failed judgement, in the order judged (collected while judging, so that
    ``failures`` need not read every judgement again)."""

    @cached_property
    def idle_desktops(self) -> dict[str, Mapping[str, Sequence[tuple[Desktop, bool]]]]:
        """Per idle check id, ``energy.idle_desktops_by_pool``'s answer, filled there on first
        use and kept with this evaluation only (energy imports this module, not the reverse)."""
        return {}

    def of(self, kind: SubjectKind, key: str) -> list[Judgement]:
        """Judgements about one subject."""
        return self.judgements.get((kind, key), [])

    def failures(self) -> list[Judgement]:
        """Every failed judgement: worst severity first, then catalogue order, then name."""
        order = {check.id: index for index, check in enumerate(self.checks)}
        return sorted(
            self.failed,
            key=lambda j: (
                _severity(j).rank,
                order[j.check.id],
                j.subject.name.casefold(),
                j.subject.key,
            ),
        )


def evaluate(fleet: FleetView, settings: HealthSettings) -> Evaluation:
    """Judge every subject in scope with every enabled check."""
    specs = catalogue()
    enabled = [spec for spec in specs.values() if settings.checks[spec.id].enabled]
    subjects = {
        SubjectKind.DESKTOP: list(desktop_subjects(fleet.desktops)),
        SubjectKind.POOL: [pool_subject(pool) for pool in fleet.pools],
        SubjectKind.HOST: [host_subject(host) for host in fleet.hosts],
        SubjectKind.CONNECTION_SERVER: [server_subject(cs) for cs in fleet.connection_servers],
        SubjectKind.POD: [pod_subject(pod) for pod in fleet_pods(fleet)],
        SubjectKind.HORIZON_VCENTER: [
            horizon_vcenter_subject(link) for link in fleet.snapshot.horizon_vcenters
        ],
        SubjectKind.CLUSTER: [cluster_subject(cluster) for cluster in fleet.clusters],
        SubjectKind.DATASTORE: [datastore_subject(store) for store in fleet.datastores],
        SubjectKind.GATEWAY: [gateway_subject(gateway) for gateway in fleet.gateways],
        SubjectKind.AD_DOMAIN: [ad_domain_subject(domain) for domain in fleet.ad_domains],
    }
    judged: dict[SubjectKind, list[list[Judgement]]] = {
        kind: [[] for _ in found] for kind, found in subjects.items()
    }
    tallies = {check_id: Tally() for check_id in specs}
    failed: list[Judgement] = []
    for spec in enabled:
        kind = spec.subject
        config = settings.checks[spec.id]
        _judge_all(spec, config, subjects[kind], judged[kind], tallies[spec.id], fleet, failed)
    judgements: dict[tuple[SubjectKind, str], list[Judgement]] = {}
    for kind, found in subjects.items():
        for subject, made in zip(found, judged[kind], strict=True):
            if made:
                held = judgements.setdefault((kind, subject.key), made)
                if held is not made:  # two subjects of one key: one list, in subject order
                    held.extend(made)
    return Evaluation(fleet, settings, enabled, judgements, tallies, failed)


def _judge_all(
    spec: Check[Any],
    config: CheckSettings,
    subjects: list[Subject],
    judged: list[list[Judgement]],
    tally: Tally,
    fleet: FleetView,
    failed: list[Judgement],
) -> None:
    """One check over its subjects: each judgement appended to its subject's list (and a
    failure to ``failed``), the tally counted. The innermost loop of a report (hundreds of
    thousands of turns at 10,000 desktops): the check runs in one comprehension, and the
    judgements are made (``tuple.__new__``, skipping the named tuple's Python-level ``__new__``),
    filed and counted by C-level ``map``, ``zip``, ``compress`` and ``list.count`` (a ``Counter``
    of statuses would hash each through ``Enum.__hash__``, a Python function; statuses are
    compared by identity, ``operator.is_``, as ``is`` would)."""
    patterns = config.exclude
    if patterns:
        kept = [i for i, subject in enumerate(subjects) if not matches_any(subject.name, patterns)]
        tally.excluded += len(subjects) - len(kept)
        subjects, judged = [subjects[i] for i in kept], [judged[i] for i in kept]
    limits = Limits(spec.id, config.thresholds)
    judge = spec.judge
    outcomes = [judge(subject.item, limits, fleet) for subject in subjects]
    statuses = list(map(_STATUS, outcomes))
    passes, failures = statuses.count(Status.PASS), statuses.count(Status.FAIL)
    unknowns = len(outcomes) - passes - failures
    failing = (
        list(compress(range(len(statuses)), map(is_, statuses, repeat(Status.FAIL))))
        if failures
        else []
    )
    for index in failing:
        outcome = outcomes[index] = _settled(outcomes[index], spec, config)
        tally.by_severity[_severity_of(outcome)._value_] += 1
    if unknowns == len(outcomes):
        tally.not_applicable += sum(map(_NOT_APPLICABLE, outcomes))
    elif unknowns:
        unsettled = map(
            and_,
            map(is_not, statuses, repeat(Status.PASS)),
            map(is_not, statuses, repeat(Status.FAIL)),
        )
        tally.not_applicable += sum(compress(map(_NOT_APPLICABLE, outcomes), unsettled))
    judgements = list(
        map(tuple.__new__, repeat(Judgement, len(outcomes)), zip(repeat(spec), subjects, outcomes))
    )
    deque(map(list.append, judged, judgements), maxlen=0)
    failed.extend(map(judgements.__getitem__, failing))
    tally.passed += passes
    tally.failed += failures
    tally.unknown += unknowns


_STATUS = attrgetter("status")
_NOT_APPLICABLE = attrgetter("not_applicable")


def desktop_subjects(desktops: Iterable[Desktop]) -> Iterable[Subject]:
    """Desktops as subjects."""
    for desktop in desktops:
        location = (
            desktop.vm.vcenter if desktop.vm else (desktop.machine.pod if desktop.machine else None)
        )
        yield Subject(
            SubjectKind.DESKTOP,
            desktop.key,
            desktop.subject,
            desktop.name,
            desktop,
            desktop.pool,
            location,
        )


def pool_subject(pool: DesktopPool) -> Subject:
    """A pool or farm as a subject."""
    return Subject(SubjectKind.POOL, pool_key(pool), pool.id, pool.name, pool, pool, pool.pod)


def host_subject(host: Host) -> Subject:
    """An ESXi host as a subject."""
    return Subject(
        SubjectKind.HOST,
        f"{host.vcenter}/{host.moref}",
        host.name,
        host.name,
        host,
        None,
        host.vcenter,
    )


def server_subject(server: ConnectionServer) -> Subject:
    """A Connection Server as a subject."""
    return Subject(
        SubjectKind.CONNECTION_SERVER,
        f"{server.pod}/{server.id}",
        server.name,
        server.name,
        server,
        None,
        server.pod,
    )


def pod_subject(pod: HorizonPod) -> Subject:
    """A Horizon pod as a subject."""
    return Subject(SubjectKind.POD, pod.id, pod.id, pod.id, pod, None, pod.id)


def horizon_vcenter_subject(link: HorizonVCenter) -> Subject:
    """A vCenter as one pod sees it (the pod's link to it) as a subject."""
    return Subject(
        SubjectKind.HORIZON_VCENTER,
        horizon_vcenter_key(link.pod, link.id),
        link.name,
        link.name,
        link,
        None,
        link.pod,
    )


def cluster_subject(cluster: Cluster) -> Subject:
    """A vSphere cluster as a subject."""
    return Subject(
        SubjectKind.CLUSTER,
        f"{cluster.vcenter}/{cluster.moref}",
        cluster.name,
        cluster.name,
        cluster,
        None,
        cluster.vcenter,
    )


def datastore_subject(datastore: Datastore) -> Subject:
    """A datastore as a subject."""
    return Subject(
        SubjectKind.DATASTORE,
        f"{datastore.vcenter}/{datastore.moref}",
        datastore.name,
        datastore.name,
        datastore,
        None,
        datastore.vcenter,
    )


def gateway_subject(gateway: Gateway) -> Subject:
    """A gateway as a subject."""
    return Subject(
        SubjectKind.GATEWAY,
        f"{gateway.pod}/{gateway.id}",
        gateway.name,
        gateway.name,
        gateway,
        None,
        gateway.pod,
    )


def ad_domain_subject(domain: AdDomain) -> Subject:
    """An AD domain as one pod sees it, as a subject."""
    return Subject(
        SubjectKind.AD_DOMAIN,
        f"{domain.pod}/{domain.id}",
        domain.dns_name,
        domain.dns_name,
        domain,
        None,
        domain.pod,
    )


def fleet_pods(fleet: FleetView) -> list[HorizonPod]:
    """The snapshot's pods, and any pod its Connection Servers name that the pod list lacks
    (a hand-made or older snapshot), so that each is judged once."""
    pods = {pod.id: pod for pod in fleet.snapshot.pods}
    for server in fleet.connection_servers:
        pods.setdefault(server.pod, HorizonPod(id=server.pod, url=""))
    return list(pods.values())


def host_key(host: Host) -> str:
    """A host's key among subjects: vCenter and moref."""
    return f"{host.vcenter}/{host.moref}"


def pool_key(pool: DesktopPool) -> str:
    """A pool's key among subjects: pod and id."""
    return f"{pool.pod}/{pool.id}"


def horizon_vcenter_key(pod: str, vcenter_id: str) -> str:
    """A pod's vCenter link's key among subjects: pod and Horizon's vCenter id."""
    return f"{pod}/{vcenter_id}"


def _settled(outcome: Outcome, spec: Check[Any], config: CheckSettings) -> Outcome:
    """A failure's severity: the configured override, else the check's own grading."""
    if outcome.status is not Status.FAIL:
        return outcome
    severity = config.severity or outcome.severity or spec.severity
    if severity is outcome.severity:
        return outcome
    if not outcome.not_applicable:  # the remembered failure, as results.failed makes it
        return failed(outcome.message, severity)
    return replace(outcome, severity=severity)


def _severity(judgement: Judgement) -> Severity:
    return _severity_of(judgement.outcome)


def _severity_of(outcome: Outcome) -> Severity:
    if outcome.severity is None:
        raise ValueError("a failure's severity must be settled")
    return outcome.severity
