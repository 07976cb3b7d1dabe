"""From a snapshot to the scored model: evaluate, score, estimate, and lay out the records."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from fleetreport import __version__
from fleetreport.health import report_records, scoring
from fleetreport.health.catalogue import catalogue
from fleetreport.health.energy import EnergyEstimate, estimate_energy
from fleetreport.health.evaluate import Evaluation, Judgement, Tally, evaluate, pool_key
from fleetreport.health.fleet import Desktop, FleetView
from fleetreport.health.infrastructure_records import (
    alarm_records,
    cluster_records,
    datastore_records,
    host_records,
)
from fleetreport.health.population import REASON_TEXT, KnownDesktops
from fleetreport.health.priorities import priorities_and_plans
from fleetreport.health.record_copy import copy_records
from fleetreport.health.report_model import (
    CheckCounts,
    CheckSummary,
    Deduction,
    DesktopSummary,
    EnergyPool,
    EnergyReport,
    FindingRecord,
    FleetSummary,
    HealthReport,
    Infrastructure,
    InfrastructureVm,
    PoolSummary,
    PopulationSummary,
    ScoringRules,
    SnapshotInfo,
    StrayVm,
)
from fleetreport.health.results import Severity
from fleetreport.health.scoring import DesktopScore, GroupScore, score_desktops, score_group
from fleetreport.health.settings import HealthSettings, default_settings
from fleetreport.health.usage_build import usage_report
from fleetreport.ordering import natural_key
from fleetreport.snapshot.model import DesktopPool, Snapshot

REPORT_SCHEMA_VERSION = 4
"""Version of the JSON report format (2 added ``priorities`` and ``plan``; 3 added clusters,
datastores, triggered alarms, host load and sensors, and the Horizon components: replication,
certificates, AD domains, SAML, True SSO, Cloud Pod Architecture, licences)."""
NO_VM = "unknown"
NO_MACHINE = "none"
SECONDS_PER_DAY = 86400.0


def build_report(
    snapshot: Snapshot,
    settings: HealthSettings | None = None,
    generated_at: datetime | None = None,
    known_desktops: Sequence[KnownDesktops] = (),
    judged_at: datetime | None = None,
) -> HealthReport:
    """Judge and score a snapshot.

    ``known_desktops`` are the desktops of pods that did not answer, as the last run in which
    they answered knew them (from ``fleetreport run``'s history). ``judged_at`` measures ages
    at another time than the snapshot's collection (``--as-of``, for replays of old recordings).
    """
    settings = settings or default_settings()
    fleet = FleetView(snapshot, settings.scope, settings.desktops, known_desktops, judged_at)
    evaluation = evaluate(fleet, settings)
    scores = score_desktops(fleet.desktops, evaluation, settings.scores)
    failures = evaluation.failures()
    findings = [finding_record(j) for j in failures]
    pool_failures: dict[str, Counter[str]] = {}
    for judgement, finding in zip(failures, findings, strict=True):
        pool = judgement.subject.pool
        if pool is not None:
            key = pool_key(pool)
            counts = pool_failures.get(key)
            if counts is None:
                counts = pool_failures[key] = Counter()
            counts[finding.severity] += 1
    by_pool: dict[str, list[DesktopScore]] = {}
    for score in scores:
        if score.desktop.pool is not None:
            by_pool.setdefault(pool_key(score.desktop.pool), []).append(score)
    fleet_score = score_group(scores, settings.scores)
    report = HealthReport(
        schema_version=REPORT_SCHEMA_VERSION,
        generated_at=generated_at or datetime.now(UTC),
        generator=f"fleetreport {__version__}",
        snapshot=SnapshotInfo(
            snapshot.collected_at, snapshot.generator, snapshot.schema_version, fleet.now
        ),
        sources=copy_records(report_records.Source, snapshot.sources),
        scoring=ScoringRules(
            settings.scores.critical_weight,
            settings.scores.warning_weight,
            settings.scores.info_weight,
            dict(settings.scores.grades),
        ),
        fleet=fleet_summary(fleet, fleet_score, scores, findings),
        pools=[
            pool_summary(
                pool,
                score_group(by_pool.get(pool_key(pool), []), settings.scores),
                by_pool.get(pool_key(pool), []),
                pool_failures.get(pool_key(pool), Counter()),
                fleet.now,
            )
            for pool in sorted(fleet.pools, key=lambda p: (natural_key(p.name), p.pod, p.id))
        ],
        vms=[desktop_summary(s, fleet.now) for s in in_desktop_order(scores)],
        findings=findings,
        checks=check_summaries(evaluation, settings),
        energy=energy_report(estimate_energy(evaluation, settings.energy)),
        infrastructure=Infrastructure(
            vcenters=copy_records(report_records.VCenter, snapshot.vcenters),
            hosts=host_records(snapshot.hosts),
            pods=copy_records(report_records.HorizonPod, snapshot.pods),
            connection_servers=copy_records(
                report_records.ConnectionServer, snapshot.connection_servers
            ),
            horizon_vcenters=copy_records(report_records.HorizonVCenter, snapshot.horizon_vcenters),
            gateways=copy_records(report_records.Gateway, snapshot.gateways),
            event_databases=copy_records(report_records.EventDatabase, snapshot.event_databases),
            unmatched_vms=stray_vms(fleet),
            vms=infrastructure_vms(fleet),
            clusters=cluster_records(snapshot.clusters, snapshot.hosts),
            datastores=datastore_records(fleet),
            alarms=alarm_records(snapshot),
            ad_domains=copy_records(report_records.AdDomain, snapshot.ad_domains),
            saml_authenticators=copy_records(
                report_records.SamlAuthenticator, snapshot.saml_authenticators
            ),
            true_sso=copy_records(report_records.TrueSso, snapshot.true_sso),
            federation_pods=copy_records(report_records.FederationPod, snapshot.federation_pods),
            licenses=copy_records(report_records.HorizonLicense, snapshot.licenses),
        ),
        population=population_summary(fleet),
        usage=usage_report(evaluation, settings.energy),
    )
    priorities, plan = priorities_and_plans(report, settings.scores)
    return dataclasses.replace(report, priorities=priorities, plan=plan)


def population_summary(fleet: FleetView) -> PopulationSummary:
    """The rule behind the desktops, and what it left out."""
    population = fleet.population
    left_out = dict(sorted(population.left_out.items(), key=lambda item: (-item[1], item[0])))
    return PopulationSummary(
        rules=[rule.value for rule in population.rules],
        notes=list(population.notes),
        desktops=len(fleet.desktops),
        vms=len(fleet.snapshot.vms),
        left_out=left_out,
        reasons={reason: REASON_TEXT.get(reason, reason) for reason in left_out},
    )


def infrastructure_vms(fleet: FleetView) -> list[InfrastructureVm]:
    """Horizon's and vSphere's own VMs, golden images and templates, by role and name."""
    users: dict[tuple[str | None, str], list[str]] = {}
    for pool in fleet.snapshot.pools:
        if pool.parent_vm_id:
            users.setdefault((pool.vcenter, pool.parent_vm_id), []).append(pool.name)
    rows = []
    for vm in fleet.snapshot.vms:
        role = fleet.population.roles.get((vm.vcenter, vm.moref))
        if role is None:
            continue
        used_by = users.get((vm.vcenter, vm.moref), []) + users.get((None, vm.moref), [])
        rows.append(
            InfrastructureVm(
                vcenter=vm.vcenter,
                moref=vm.moref,
                name=vm.name,
                role=role.value,
                what=role.description,
                datacenter=vm.datacenter,
                cluster=vm.cluster,
                host=vm.host,
                folder=vm.folder,
                power_state=vm.power_state,
                used_by=sorted(used_by, key=natural_key),
            )
        )
    return sorted(rows, key=lambda r: (r.role, natural_key(r.name), r.vcenter, r.moref))


def stray_vms(fleet: FleetView) -> list[StrayVm]:
    """VMs in a pool's folder that no machine claims, with the pool's name."""
    names = {pool.id: pool.name for pool in fleet.snapshot.pools}
    return [
        StrayVm(stray.vcenter, stray.moref, stray.name, pool_id, names.get(pool_id, pool_id))
        for pool_id, strays in sorted(fleet.stray_vms_by_pool.items())
        for stray in strays
    ]


def fleet_summary(
    fleet: FleetView,
    score: GroupScore,
    scores: Sequence[DesktopScore],
    findings: Sequence[FindingRecord],
) -> FleetSummary:
    """The fleet's figures."""
    return FleetSummary(
        **_group_figures(score),
        unknown_results=score.unknown,
        evaluated_results=score.evaluated,
        pools=len(fleet.pools),
        vms=len(fleet.snapshot.vms),
        hosts=len(fleet.hosts),
        by_power_state=_states(s.desktop for s in scores),
        by_machine_state=_machine_states(s.desktop for s in scores),
        findings_by_severity=_by_severity(findings),
        findings_by_category=dict(sorted(Counter(f.category for f in findings).items())),
    )


def pool_summary(
    pool: DesktopPool,
    score: GroupScore,
    scores: Sequence[DesktopScore],
    failures: Counter[str],
    now: datetime,
) -> PoolSummary:
    """One pool's row."""
    age = (
        (now - pool.golden_image_created).total_seconds() / SECONDS_PER_DAY
        if pool.golden_image_created
        else None
    )
    return PoolSummary(
        id=pool.id,
        pod=pool.pod,
        kind=pool.kind,
        name=pool.name,
        display_name=pool.display_name,
        type=pool.type,
        source=pool.source,
        user_assignment=pool.user_assignment,
        power_policy=pool.power_policy,
        enabled=pool.enabled,
        **_group_figures(score),
        by_power_state=_states(s.desktop for s in scores),
        by_machine_state=_machine_states(s.desktop for s in scores),
        image=pool.base_snapshot_path or pool.base_snapshot_id,
        image_age_days=_round(age),
        findings_by_severity={severity.value: failures[severity.value] for severity in Severity},
    )


def desktop_summary(score: DesktopScore, now: datetime) -> DesktopSummary:
    """One desktop's row."""
    desktop = score.desktop
    vm, machine, pool = desktop.vm, desktop.machine, desktop.pool
    users = list(machine.user_names) if machine else []
    if desktop.sessions:
        users += [s.user_name for s in desktop.sessions if s.user_name and s.user_name not in users]
    uptime = None
    if vm is not None and vm.power_state == "poweredOn" and vm.boot_time is not None:
        uptime = round((now - vm.boot_time).total_seconds() / SECONDS_PER_DAY, 1)
    return DesktopSummary(
        key=desktop.key,
        moref=vm.moref if vm else None,
        vcenter=vm.vcenter if vm else None,
        machine_id=machine.id if machine else None,
        name=desktop.name,
        pool=pool.id if pool else None,
        pool_name=pool.name if pool else None,
        datacenter=vm.datacenter if vm else None,
        cluster=vm.cluster if vm else None,
        host=vm.host if vm else (machine.host_name if machine else None),
        folder=vm.folder if vm else None,
        power_state=vm.power_state if vm else None,
        machine_state=machine.state if machine else None,
        users=users,
        guest_os=(vm.guest_os_running or vm.guest_os_configured) if vm else None,
        tools_version_status=vm.tools_version_status if vm else None,
        hardware_version=vm.hardware_version if vm else None,
        agent_version=machine.agent_version if machine else None,
        uptime_days=uptime,
        patch_score=round(score.patch, 1),
        power_score=round(score.power, 1),
        healthy=score.healthy,
        deductions=[_deduction(d, pool) for d in score.deductions] if score.deductions else [],
    )


def _deduction(deduction: scoring.Deduction, pool: DesktopPool | None) -> Deduction:
    """A desktop's deduction as the report's record, its subject named (a pool by its name).
    Enum values are read as ``_value_``: ``.value`` is a Python-level property, and a report
    reads it for each of thousands of deductions and findings."""
    subject = deduction.subject
    return Deduction(
        deduction.check,
        deduction.category._value_,
        deduction.severity._value_,
        deduction.points,
        subject,
        pool.name if pool is not None and subject == pool.id else subject,
    )


def finding_record(judgement: Judgement) -> FindingRecord:
    """A failed judgement as a finding."""
    check, subject, outcome = judgement
    pool = subject.pool
    return FindingRecord(
        check=check.id,
        title=check.title,
        category=check.category._value_,
        severity=(outcome.severity or check.severity)._value_,
        subject_kind=subject.kind._value_,
        subject=subject.id,
        subject_name=subject.name,
        message=outcome.message,
        remediation=check.remediation,
        pool=pool.id if pool else None,
        pool_name=pool.name if pool else None,
        location=subject.location,
    )


def check_summaries(evaluation: Evaluation, settings: HealthSettings) -> list[CheckSummary]:
    """Every check of the catalogue with its thresholds in force and its counts."""
    result = []
    for spec in catalogue().values():
        config = settings.checks[spec.id]
        result.append(
            CheckSummary(
                id=spec.id,
                title=spec.title,
                category=spec.category.value,
                severity=(config.severity or spec.severity).value,
                subject_kind=spec.subject.value,
                scores_desktops=spec.scores_desktops,
                enabled=config.enabled,
                rationale=spec.rationale,
                remediation=spec.remediation,
                thresholds={k: _plain(v) for k, v in config.thresholds.items()},
                exclude=list(config.exclude),
                counts=_counts(evaluation.tallies[spec.id]),
            )
        )
    return result


def energy_report(estimate: EnergyEstimate) -> EnergyReport:
    """The estimate as records, money rounded to whole units and energy to kWh."""
    assumptions = estimate.settings
    return EnergyReport(
        watts_per_desktop=assumptions.watts_per_desktop,
        price_per_kwh=assumptions.price_per_kwh,
        currency=assumptions.currency,
        working_hours_per_week=assumptions.working_hours_per_week,
        off_hours_per_year=estimate.off_hours_per_year,
        idle_desktops=estimate.idle_desktops,
        spare_desktops=estimate.spare_desktops,
        surplus_desktops=estimate.idle_desktops - estimate.spare_desktops,
        kwh_per_year=round(estimate.kwh_per_year),
        cost_per_year=round(estimate.cost_per_year),
        saving_per_year=round(estimate.saving_per_year),
        sizing_saving_per_year=round(estimate.sizing_saving_per_year),
        pools=[
            EnergyPool(
                pool=row.pool.id,
                pool_name=row.pool.name,
                power_policy=row.pool.power_policy,
                idle_desktops=row.idle_desktops,
                spare_machines=row.pool.spare_machines,
                spare_desktops=row.spare_desktops,
                surplus_desktops=row.surplus_desktops,
                lever=row.lever.value,
                kwh_per_year=round(row.kwh_per_year),
                cost_per_year=round(row.cost_per_year),
                saving_per_year=round(row.saving_per_year),
                sizing_saving_per_year=round(row.sizing_saving_per_year),
            )
            for row in estimate.pools
        ],
    )


def _group_figures(score: GroupScore) -> dict[str, Any]:
    """The figures a pool row and the fleet share, rounded for the report."""
    return {
        "desktops": score.desktops,
        "patch_score": _round(score.patch),
        "power_score": _round(score.power),
        "grade": score.grade,
        "healthy_desktops": score.healthy,
        "healthy_share": _share(score.healthy_share),
        "coverage": _share(score.coverage),
        "grade_capped": score.capped,
    }


def _counts(tally: Tally) -> CheckCounts:
    return CheckCounts(
        passed=tally.passed,
        failed=tally.failed,
        unknown=tally.unknown,
        not_applicable=tally.not_applicable,
        excluded=tally.excluded,
        critical=tally.by_severity[Severity.CRITICAL.value],
        warning=tally.by_severity[Severity.WARNING.value],
        info=tally.by_severity[Severity.INFO.value],
    )


def in_desktop_order(scores: Iterable[DesktopScore]) -> list[DesktopScore]:
    """Desktops by pool name (those without a pool last), then name, digit runs as numbers
    (each pool's name keyed once, not once per desktop)."""
    pool_keys: dict[str, tuple[Any, ...]] = {}

    def order(score: DesktopScore) -> tuple[Any, ...]:
        pool = score.desktop.pool
        if pool is None:
            return (True, (), natural_key(score.desktop.name))
        key = pool_keys.get(pool.name)
        if key is None:
            key = pool_keys[pool.name] = natural_key(pool.name)
        return (False, key, natural_key(score.desktop.name))

    return sorted(scores, key=order)


def _states(desktops: Iterable[Desktop]) -> dict[str, int]:
    counts = Counter((d.vm.power_state or NO_VM) if d.vm else NO_VM for d in desktops)
    return dict(sorted(counts.items()))


def _machine_states(desktops: Iterable[Desktop]) -> dict[str, int]:
    counts = Counter((d.machine.state or NO_VM) if d.machine else NO_MACHINE for d in desktops)
    return dict(sorted(counts.items()))


def _by_severity(findings: Iterable[FindingRecord]) -> dict[str, int]:
    counts = Counter(f.severity for f in findings)
    return {severity.value: counts[severity.value] for severity in Severity}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
