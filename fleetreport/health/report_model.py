"""The scored model as it is written to JSON and rendered to HTML: plain typed records.

Renderers (JSON, HTML, CSV, xlsx) read only this; nothing here is computed by a template.
Scores are rounded to one decimal, shares to three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fleetreport.health.report_records import (
    AdDomain,
    Cluster,
    ConnectionServer,
    Datastore,
    EventDatabase,
    FederationPod,
    Gateway,
    HorizonLicense,
    HorizonPod,
    HorizonVCenter,
    Host,
    SamlAuthenticator,
    Source,
    TriggeredAlarm,
    TrueSso,
    VCenter,
)
from fleetreport.health.usage_records import UsageReport


@dataclass(frozen=True)
class SnapshotInfo:
    """The snapshot the report was made from."""

    collected_at: datetime
    """When its collection finished (UTC)."""
    generator: str
    """The fleetreport that collected it."""
    schema_version: int
    """Its file format version."""
    judged_at: datetime
    """The time every age in the report is measured at (UTC): ``collected_at``, unless the
    report was made ``--as-of`` another time (replays of old recordings)."""


@dataclass(frozen=True)
class ScoringRules:
    """The weights and grades in force."""

    critical_weight: float
    """Points a critical failure takes off a desktop's score."""
    warning_weight: float
    """Points a warning takes off."""
    info_weight: float
    """Points an info finding takes off."""
    grades: dict[str, float]
    """Lowest score of each grade A..D; below D is F."""


@dataclass(frozen=True)
class FleetSummary:
    """The whole fleet in figures."""

    desktops: int
    """Desktops judged (Horizon machines and RDS hosts, or VMs without Horizon data)."""
    patch_score: float | None
    """Mean patch score, 0..100."""
    power_score: float | None
    """Mean power score, 0..100."""
    grade: str | None
    """A..F, from the lower of the two scores."""
    healthy_desktops: int
    """Desktops with no critical or warning patch or power finding."""
    healthy_share: float | None
    """Healthy desktops as a share of all, 0..1."""
    coverage: float | None
    """Share of applicable patch and power results that could be judged, 0..1."""
    unknown_results: int
    """Applicable patch and power results that could not be judged (missing data)."""
    evaluated_results: int
    """Applicable patch and power results."""
    pools: int
    """Pools and farms judged."""
    vms: int
    """VMs in the snapshot (templates and non-desktops included)."""
    hosts: int
    """ESXi hosts judged."""
    by_power_state: dict[str, int]
    """Desktops by VM power state (``unknown`` when the VM was not found)."""
    by_machine_state: dict[str, int]
    """Desktops by Horizon machine state (``none`` without Horizon data)."""
    findings_by_severity: dict[str, int]
    """Findings by severity."""
    findings_by_category: dict[str, int]
    """Findings by category."""
    grade_capped: bool = False
    """The grade was capped (at most D by default) because a desktop's pod cannot deliver
    desktops: its Connection Servers are all down, or its link to vCenter is."""


@dataclass(frozen=True)
class PoolSummary:
    """One desktop pool, RDS farm or inferred pool."""

    id: str
    """Horizon's id (a folder or name group for inferred pools)."""
    pod: str
    """Pod id, or ``inferred``."""
    kind: str
    """``desktop_pool``, ``farm`` or ``inferred``."""
    name: str
    """Pool name."""
    display_name: str | None
    """Name users see."""
    type: str | None
    """``AUTOMATED``, ``MANUAL``, ``RDS``."""
    source: str | None
    """``INSTANT_CLONE``, ``VIRTUAL_CENTER`` (full clone), ``UNMANAGED``, ..."""
    user_assignment: str | None
    """``FLOATING`` or ``DEDICATED``."""
    power_policy: str | None
    """The pool's power policy."""
    enabled: bool | None
    """Pool enabled."""
    desktops: int
    """Desktops judged in the pool."""
    patch_score: float | None
    """Mean patch score."""
    power_score: float | None
    """Mean power score."""
    grade: str | None
    """A..F."""
    healthy_desktops: int
    """Desktops with no critical or warning finding."""
    healthy_share: float | None
    """Healthy share, 0..1."""
    coverage: float | None
    """Share of applicable results judged, 0..1."""
    by_power_state: dict[str, int]
    """Desktops by VM power state."""
    by_machine_state: dict[str, int]
    """Desktops by Horizon machine state."""
    image: str | None
    """Golden image snapshot path (or id)."""
    image_age_days: float | None
    """Age of the golden image snapshot at collection, in days."""
    findings_by_severity: dict[str, int]
    """Findings on the pool and its desktops, by severity."""
    grade_capped: bool = False
    """The grade was capped because a desktop's pod cannot deliver desktops."""


@dataclass(frozen=True)
class Deduction:
    """Points a failed check took off a desktop's score."""

    check: str
    """Check id."""
    category: str
    """``patch`` or ``power``: the score it lowered."""
    severity: str
    """critical, warning or info."""
    points: float
    """Points taken off."""
    subject: str
    """Where it was found: the desktop, its pool's id, its host's name or its pod."""
    subject_name: str = ""
    """That subject's name as people know it (the pool's name rather than its id)."""


@dataclass(frozen=True)
class DesktopSummary:
    """One desktop (the ``vms`` table): where it is, what it is, its scores."""

    key: str
    """Unique and stable across runs: ``POD/MACHINE_ID`` for a Horizon machine,
    ``VCENTER_UUID/vm-123`` for a VM without Horizon data."""
    moref: str | None
    """VM moref; None when Horizon's machine has no VM in the snapshot."""
    vcenter: str | None
    """Instance UUID of the VM's vCenter."""
    machine_id: str | None
    """Horizon machine id; None without Horizon data."""
    name: str
    """VM name (or machine name)."""
    pool: str | None
    """Pool id."""
    pool_name: str | None
    """Pool name."""
    datacenter: str | None
    """Datacenter."""
    cluster: str | None
    """Cluster."""
    host: str | None
    """ESXi host."""
    folder: str | None
    """VM folder."""
    power_state: str | None
    """VM power state."""
    machine_state: str | None
    """Horizon machine state."""
    users: list[str]
    """Assigned users, or users with a session."""
    guest_os: str | None
    """Running (else configured) guest OS."""
    tools_version_status: str | None
    """VMware Tools version status."""
    hardware_version: str | None
    """Virtual hardware version."""
    agent_version: str | None
    """Horizon agent version."""
    uptime_days: float | None
    """Days since boot at collection (powered-on VMs)."""
    patch_score: float
    """0..100."""
    power_score: float
    """0..100."""
    healthy: bool
    """No critical or warning patch or power finding."""
    deductions: list[Deduction] = field(default_factory=list)
    """What lowered the scores."""


@dataclass(frozen=True)
class FindingRecord:
    """One failed check on one subject."""

    check: str
    """Check id."""
    title: str
    """Check title."""
    category: str
    """patch, power, hygiene or infrastructure."""
    severity: str
    """critical, warning or info."""
    subject_kind: str
    """desktop, pool, host or connection_server."""
    subject: str
    """The VM moref (or Horizon machine id), pool id, host name or server name."""
    subject_name: str
    """The subject's display name."""
    message: str
    """What was seen, against which threshold."""
    remediation: str
    """What to do."""
    pool: str | None
    """Pool id of a desktop or pool finding."""
    pool_name: str | None
    """That pool's name."""
    location: str | None
    """vCenter instance UUID or Horizon pod the subject lives in."""


@dataclass(frozen=True)
class CheckCounts:
    """How one check came out over its subjects."""

    passed: int
    """Subjects that pass."""
    failed: int
    """Subjects that fail."""
    unknown: int
    """Subjects it could not judge (``not_applicable`` included)."""
    not_applicable: int
    """Of the unknown, subjects it does not apply to."""
    excluded: int
    """Subjects the configuration excluded from it."""
    critical: int
    """Failures by severity."""
    warning: int
    """Warnings."""
    info: int
    """Info findings."""


@dataclass(frozen=True)
class CheckSummary:
    """One check of the catalogue, with the thresholds in force and its counts."""

    id: str
    """Check id."""
    title: str
    """Title."""
    category: str
    """patch, power, hygiene or infrastructure."""
    severity: str
    """Default severity (or the configured override)."""
    subject_kind: str
    """What it judges."""
    scores_desktops: bool
    """Its failures lower desktop scores (patch and power checks of desktops, and pool or
    host checks whose failure every desktop of the pool or host inherits)."""
    enabled: bool
    """False when the configuration turned it off."""
    rationale: str
    """Why it matters."""
    remediation: str
    """What to do about a failure."""
    thresholds: dict[str, Any]
    """Thresholds in force."""
    exclude: list[str]
    """Subject name patterns excluded from it."""
    counts: CheckCounts
    """Results."""


@dataclass(frozen=True)
class EnergyPool:
    """One pool's idle desktops and what they cost."""

    pool: str
    """Pool id."""
    pool_name: str
    """Pool name."""
    power_policy: str | None
    """Its power policy."""
    idle_desktops: int
    """Idle powered-on desktops, spares included."""
    spare_machines: int | None
    """Spare machines the pool is configured to keep powered on; None when not reported."""
    spare_desktops: int
    """Idle desktops those spares cover: kept on by design, not counted as waste."""
    surplus_desktops: int
    """Idle desktops beyond the spares: what the figures count."""
    lever: str
    """What can power the surplus down: ``power_policy``, ``sizing`` (instant clones, RDS
    farms: no power policy applies) or ``none``."""
    kwh_per_year: float
    """The surplus's consumption if it stays on all year."""
    cost_per_year: float
    """Its price."""
    saving_per_year: float
    """Saving if a power policy powered the surplus off outside working hours (0 when the
    pool cannot take one, or its policy already does)."""
    sizing_saving_per_year: float
    """For a pool whose lever is sizing: saving if it were sized to demand outside working
    hours."""


@dataclass(frozen=True)
class EnergyReport:
    """The energy estimate and its assumptions."""

    watts_per_desktop: float
    """Assumed draw of an idle desktop."""
    price_per_kwh: float
    """Assumed price of a kWh."""
    currency: str
    """Currency of prices."""
    working_hours_per_week: float
    """Assumed working hours a week."""
    off_hours_per_year: float
    """Hours a year outside working hours."""
    idle_desktops: int
    """Idle powered-on desktops, spares included."""
    spare_desktops: int
    """Of them, those their pools' configured spares cover (not waste)."""
    surplus_desktops: int
    """Idle desktops beyond the spares: what the figures count."""
    kwh_per_year: float
    """The surplus's consumption if on all year."""
    cost_per_year: float
    """Its price."""
    saving_per_year: float
    """Saving if every pool that can take a power policy, and keeps idle desktops on,
    powered its surplus off outside working hours."""
    sizing_saving_per_year: float
    """Saving if instant-clone pools and RDS farms were sized to demand outside working
    hours (a separate lever: no power policy applies to them)."""
    pools: list[EnergyPool]
    """Pools with idle desktops, costliest first."""


@dataclass(frozen=True)
class InfrastructureVm:
    """A VM that belongs to Horizon or vSphere, or a golden image or template: never a desktop."""

    vcenter: str
    """Instance UUID of its vCenter."""
    moref: str
    """VM moref."""
    name: str
    """VM name."""
    role: str
    """``instant_clone_parent``, ``vsphere_cluster_service``, ``golden_image``, ..."""
    what: str
    """What it is, in words."""
    datacenter: str | None
    """Datacenter."""
    cluster: str | None
    """Cluster."""
    host: str | None
    """ESXi host."""
    folder: str | None
    """VM folder."""
    power_state: str | None
    """VM power state."""
    used_by: list[str] = field(default_factory=list)
    """For a golden image, the names of the pools and farms built from it."""


@dataclass(frozen=True)
class StrayVm:
    """A VM in a pool's folder that no Horizon machine claims."""

    vcenter: str
    """Instance UUID of its vCenter."""
    moref: str
    """VM moref."""
    name: str
    """VM name."""
    pool: str
    """The id of the pool whose folder it sits in."""
    pool_name: str
    """That pool's name (its id when the pool is not in the snapshot)."""


@dataclass(frozen=True)
class PopulationSummary:
    """Which rule made the desktop population, and which VMs were left out and why."""

    rules: list[str]
    """``horizon``, ``previous_run``, ``inferred``, ``configured`` or ``desktop_guest_os``."""
    notes: list[str]
    """The rules in plain sentences, as the report prints them."""
    desktops: int
    """Desktops judged (after scope)."""
    vms: int
    """VMs in the snapshot."""
    left_out: dict[str, int]
    """VMs that are not desktops, by reason."""
    reasons: dict[str, str]
    """Each reason of ``left_out`` in words."""


@dataclass(frozen=True)
class Infrastructure:
    """What the desktops run on, as collected: the report's infrastructure section."""

    vcenters: list[VCenter]
    """vCenters collected."""
    hosts: list[Host]
    """ESXi hosts (all, whatever the scope)."""
    pods: list[HorizonPod]
    """Horizon pods collected."""
    connection_servers: list[ConnectionServer]
    """Connection Servers, with certificate and service health."""
    horizon_vcenters: list[HorizonVCenter]
    """vCenters as Horizon sees them."""
    gateways: list[Gateway]
    """Unified Access Gateways and security servers."""
    event_databases: list[EventDatabase]
    """Event databases."""
    unmatched_vms: list[StrayVm]
    """VMs in a pool's folder that no Horizon machine claims."""
    vms: list[InfrastructureVm] = field(default_factory=list)
    """Horizon's and vSphere's own VMs, golden images and templates: never desktops."""
    clusters: list[Cluster] = field(default_factory=list)
    """vSphere clusters (all, whatever the scope), with HA, DRS and resources."""
    datastores: list[Datastore] = field(default_factory=list)
    """Datastores (all), with free space and what lives on them."""
    alarms: list[TriggeredAlarm] = field(default_factory=list)
    """Triggered vCenter alarms on VMs, hosts, clusters and datastores, worst first."""
    ad_domains: list[AdDomain] = field(default_factory=list)
    """AD domains as each pod's Connection Servers see them."""
    saml_authenticators: list[SamlAuthenticator] = field(default_factory=list)
    """SAML authenticators, per pod."""
    true_sso: list[TrueSso] = field(default_factory=list)
    """True SSO connectors, per pod."""
    federation_pods: list[FederationPod] = field(default_factory=list)
    """Cloud Pod Architecture pods, as each pod sees the federation."""
    licenses: list[HorizonLicense] = field(default_factory=list)
    """Horizon licences, one per pod that reported one."""


@dataclass(frozen=True)
class DesktopBrief:
    """A desktop named in a comparison of two runs."""

    key: str
    """Its unique key (as in the ``vms`` table)."""
    name: str
    """Its name."""


@dataclass(frozen=True)
class FindingBrief:
    """A finding as two runs compare it: enough to name it, without its remediation.

    Two runs' findings are the same finding when check, subject kind, location and subject
    agree; message and severity may differ between them."""

    check: str
    """Check id."""
    severity: str
    """critical, warning or info."""
    subject_kind: str
    """desktop, pool, host or connection_server."""
    subject: str
    """The VM moref (or Horizon machine id), pool id, host name or server name."""
    subject_name: str
    """The subject's display name."""
    message: str
    """What was seen, against which threshold (in the run it is listed from)."""
    pool_name: str | None
    """Pool name of a desktop or pool finding."""


@dataclass(frozen=True)
class PoolChange:
    """A pool whose grade changed between two runs, or that is in only one of them."""

    pod: str
    """Pod id, or ``inferred``."""
    id: str
    """Pool id."""
    name: str
    """Pool name (in this run; in the previous one for a removed pool)."""
    change: str
    """``grade`` (its grade changed), ``new`` (not in the previous run) or ``removed`` (not in
    this run)."""
    previous_grade: str | None
    """Grade in the previous run (None for a new pool, or without desktops)."""
    grade: str | None
    """Grade in this run (None for a removed pool, or without desktops)."""
    previous_patch_score: float | None
    """Patch score in the previous run."""
    patch_score: float | None
    """Patch score in this run."""
    previous_power_score: float | None
    """Power score in the previous run."""
    power_score: float | None
    """Power score in this run."""
    previous_desktops: int | None
    """Desktops in the previous run (None for a new pool)."""
    desktops: int | None
    """Desktops in this run (None for a removed pool)."""


@dataclass(frozen=True)
class Changes:
    """What changed since the previous run (``fleetreport run``) or a given earlier report
    (``report --compare``)."""

    previous_collected_at: datetime
    """When the previous run's data was collected (UTC)."""
    collected_at: datetime
    """When this run's data was collected (UTC)."""
    previous_desktops: int
    """Desktops judged in the previous run."""
    desktops: int
    """Desktops judged in this run."""
    previous_grade: str | None
    """Fleet grade of the previous run."""
    grade: str | None
    """Fleet grade now."""
    previous_patch_score: float | None
    """Fleet patch score of the previous run."""
    patch_score: float | None
    """Fleet patch score now."""
    patch_delta: float | None
    """Patch score now minus before (None when either is missing)."""
    previous_power_score: float | None
    """Fleet power score of the previous run."""
    power_score: float | None
    """Fleet power score now."""
    power_delta: float | None
    """Power score now minus before (None when either is missing)."""
    new_desktops: list[DesktopBrief]
    """Desktops judged now that were not before, by name."""
    removed_desktops: list[DesktopBrief]
    """Desktops judged before that are not now, by name."""
    new_findings: list[FindingBrief]
    """Findings now that were not there before, worst first."""
    resolved_findings: list[FindingBrief]
    """Findings of the previous run that are gone, worst first (as the previous run saw
    them)."""
    new_findings_by_severity: dict[str, int]
    """New findings by severity."""
    resolved_findings_by_severity: dict[str, int]
    """Resolved findings by severity."""
    pools_changed: list[PoolChange]
    """Pools whose grade changed, and pools that appeared or disappeared, by name."""
    worse: bool
    """True when the fleet grade dropped (A best, F worst), the fleet patch or power score
    dropped by more than 0.05 points (so by at least 0.1, scores having one decimal), or a new
    critical finding appeared; false otherwise."""


@dataclass(frozen=True)
class TrendPoint:
    """The fleet's (or one pool's) figures in one run."""

    collected_at: datetime
    """When that run's data was collected (UTC)."""
    desktops: int
    """Desktops judged."""
    patch_score: float | None
    """Mean patch score, 0..100."""
    power_score: float | None
    """Mean power score, 0..100."""
    grade: str | None
    """A..F."""
    peak_sessions: int | None = None
    """Most sessions open at once in that run's usage window (the fleet: the sum of the
    pools' peaks); None when that run collected no usage."""
    unused_desktops: int | None = None
    """Unused desktops that run found (fleet only); None when it collected no usage."""


@dataclass(frozen=True)
class PoolTrend:
    """One pool's figures over recent runs."""

    pod: str
    """Pod id, or ``inferred``."""
    id: str
    """Pool id."""
    name: str
    """Pool name in the latest run that had the pool."""
    points: list[TrendPoint]
    """The runs that had the pool, oldest first."""


@dataclass(frozen=True)
class Trend:
    """Fleet and pool figures over recent runs, oldest first (the last one is this run's)."""

    points: list[TrendPoint]
    """The fleet, one point per run, oldest first."""
    pools: list[PoolTrend]
    """Pools seen in any of these runs, by name."""


@dataclass(frozen=True)
class Priority:
    """One failed check and what fixing it everywhere would give: the summary's ranking."""

    check: str
    """Check id."""
    title: str
    """Check title."""
    category: str
    """patch, power, hygiene or infrastructure."""
    severity: str
    """The worst severity of its findings."""
    subject_kind: str
    """What it judges: desktop, pool, host, connection_server, pod or horizon_vcenter."""
    findings: int
    """Its findings (subjects that fail it), as the findings section counts them."""
    desktops: int
    """Desktops that fail it (a desktop check) or inherit its failure (a pool, host or pod
    check whose failure lowers their scores)."""
    patch_points: float
    """How much the fleet's patch score would rise were it fixed everywhere, one decimal."""
    power_points: float
    """How much the fleet's power score would rise were it fixed everywhere, one decimal."""


@dataclass(frozen=True)
class PlanStep:
    """One action of a remediation plan and the scores expected once it and those before it
    are done."""

    check: str
    """Check id: the action is its remediation."""
    title: str
    """Check title."""
    severity: str
    """The worst severity of its failures within the plan's scope."""
    desktops: int
    """Desktops of the scope that fail it or inherit its failure."""
    patch_score: float | None
    """Expected patch score after this step."""
    power_score: float | None
    """Expected power score after this step."""
    grade: str | None
    """Expected grade after this step."""
    grade_capped: bool
    """The expected grade is still capped by a pod outage."""


@dataclass(frozen=True)
class PoolPlan:
    """What to do first in one pool, or in the infrastructure: the few actions that lift its
    scores most, in order."""

    scope: str
    """``pool`` or ``infrastructure`` (hosts, Connection Servers, pods: judged on the fleet)."""
    pool: str | None
    """Pool id (None for infrastructure)."""
    pod: str | None
    """Pod id, or ``inferred`` (None for infrastructure)."""
    name: str
    """Pool name, or ``Infrastructure``."""
    desktops: int
    """Desktops whose scores it is judged on."""
    patch_score: float | None
    """Patch score now."""
    power_score: float | None
    """Power score now."""
    grade: str | None
    """Grade now."""
    grade_capped: bool
    """The grade is capped now because a desktop's pod cannot deliver desktops."""
    steps: list[PlanStep]
    """The actions, most lifting first, each with the scores expected after it."""


@dataclass(frozen=True)
class HealthReport:
    """The scored model of one snapshot."""

    schema_version: int
    """Version of this format."""
    generated_at: datetime
    """When this report was made (UTC)."""
    generator: str
    """``fleetreport X.Y.Z``."""
    snapshot: SnapshotInfo
    """The snapshot judged."""
    sources: list[Source]
    """Every source of the snapshot, failed ones included."""
    scoring: ScoringRules
    """Weights and grades."""
    fleet: FleetSummary
    """Fleet figures."""
    pools: list[PoolSummary]
    """Pools, by name."""
    vms: list[DesktopSummary]
    """Desktops, by pool and name."""
    findings: list[FindingRecord]
    """Failures, worst first."""
    checks: list[CheckSummary]
    """The catalogue as applied."""
    energy: EnergyReport
    """The energy estimate."""
    infrastructure: Infrastructure
    """vCenters, hosts and Horizon servers as collected."""
    population: PopulationSummary | None = None
    """Which rule made the desktops and what it left out (None only in reports of older
    versions)."""
    changes: Changes | None = None
    """What changed since the previous run: filled by ``fleetreport run`` from its history, or
    by ``report --compare``; None otherwise."""
    trend: Trend | None = None
    """Figures over recent runs, this one last: filled by ``fleetreport run`` from its history
    (or ``report`` given one); None otherwise."""
    priorities: list[Priority] = field(default_factory=list)
    """Every check with findings, one item each, most impact first: fleet score points it
    would give back (patch plus power), then desktops affected, then severity."""
    plan: list[PoolPlan] = field(default_factory=list)
    """The remediation plan: per pool with something to do, by name, then infrastructure."""
    usage: UsageReport | None = None
    """Usage over the window (``--usage DAYS``): None when the snapshot holds no usage
    evidence."""
