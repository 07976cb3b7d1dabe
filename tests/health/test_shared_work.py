"""Work a report shares instead of repeating (issue 17): each shared answer equals the one
worked out afresh, and none is kept beyond the evaluation, fleet or check that made it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from itertools import product
from typing import Any

from support.fleet_builders import ago, fleet_snapshot, host, machine, pool, session, vm
from support.snapshots import VC_UUID
from support.vsphere_builders import datastore

from fleetreport.health.catalogue import Limits, SubjectKind
from fleetreport.health.checks.vdi_scope import vdi_datastore_contents
from fleetreport.health.energy import find_idle_desktops, idle_desktops_by_pool
from fleetreport.health.evaluate import Evaluation, evaluate
from fleetreport.health.fleet import FleetView
from fleetreport.health.hardware import cluster_hardware_limit, vm_hardware_limit
from fleetreport.health.idle import idle_longer_than, long_idle_spare_candidates, pool_idleness
from fleetreport.health.priorities import _Group
from fleetreport.health.report_model import Deduction, DesktopSummary
from fleetreport.health.results import Status
from fleetreport.health.scoring import score_desktop, score_desktops
from fleetreport.health.settings import HealthSettings, default_settings
from fleetreport.snapshot.model import Snapshot

IDLE_CHECK = "vm_idle_powered_on"


def idle_fleet() -> Snapshot:
    """Pool ``fc``: fc-1 and fc-2 idle, fc-3 in use; pool ``ic``: ic-1 idle; one VM off."""
    on = [vm(name, host="esx-1") for name in ("fc-1", "fc-2", "fc-3", "ic-1")]
    off = vm("fc-off", host="esx-1", power_state="poweredOff")
    machines = [machine(v, "ic" if v.name.startswith("ic") else "fc") for v in [*on, off]]
    return fleet_snapshot(
        [*on, off],
        machines,
        pools=[pool("fc", source="VIRTUAL_CENTER"), pool("ic")],
        hosts=[host("esx-1", version="7.0.3"), host("esx-2", version="8.0.2")],
        sessions=[session(machines[2])],
    )


def judged(snapshot: Snapshot, settings: HealthSettings | None = None) -> Evaluation:
    settings = settings or default_settings()
    return evaluate(FleetView(snapshot, settings.scope, settings.desktops), settings)


def idle_keys(evaluation: Evaluation) -> dict[str, list[str]]:
    return {
        pool: [desktop.key for desktop, _ in found]
        for pool, found in idle_desktops_by_pool(evaluation).items()
    }


def test_idle_desktops_are_worked_out_once_per_evaluation_and_equal_a_fresh_count() -> None:
    evaluation = judged(idle_fleet())
    shared = idle_desktops_by_pool(evaluation)
    assert idle_desktops_by_pool(evaluation) is shared
    assert shared == find_idle_desktops(evaluation)
    assert sorted(len(found) for found in shared.values()) == [1, 2]


def test_idle_desktops_are_not_shared_between_evaluations() -> None:
    snapshot = idle_fleet()
    first, second = judged(snapshot), judged(snapshot)
    assert idle_desktops_by_pool(first) is not idle_desktops_by_pool(second)
    assert idle_keys(first) == idle_keys(second)
    settings = default_settings()
    checks = dict(settings.checks)
    checks[IDLE_CHECK] = replace(checks[IDLE_CHECK], enabled=False)
    without_idle = judged(snapshot, replace(settings, checks=checks))
    assert idle_keys(without_idle) == {}
    assert idle_keys(first) != {}


def test_failures_collected_while_judging_are_every_failed_judgement() -> None:
    evaluation = judged(idle_fleet())
    every = [
        j
        for made in evaluation.judgements.values()
        for j in made
        if j.outcome.status is Status.FAIL
    ]
    assert every
    assert sorted(map(id, evaluation.failures())) == sorted(map(id, every))


def test_a_check_matches_each_value_as_its_pattern_list_does() -> None:
    limits = Limits("x", {"on": ("powered*", "running"), "off": ("poweredOff",)})
    values = ("poweredOn", "poweredOff", "running", "Running", "suspended", "")
    for _ in range(2):  # the second round reads what the first remembered
        assert [limits.matches("on", v) for v in values] == [True, True, True, False, False, False]
        assert [limits.matches("off", v) for v in values] == [False, True, *[False] * 4]
    other = Limits("x", {"on": ("suspended",), "off": ()})
    assert [other.matches("on", v) for v in values] == [False] * 4 + [True, False]
    assert not any(other.matches("off", v) for v in values)


def test_hardware_limits_and_idleness_are_kept_per_fleet_and_equal_a_fresh_answer() -> None:
    snapshot = idle_fleet()
    settings = default_settings()
    first = FleetView(snapshot, settings.scope, settings.desktops)
    second = FleetView(snapshot, settings.scope, settings.desktops)
    clustered = next(d for d in first.desktops if d.vm is not None and d.vm.cluster is not None)
    assert clustered.vm is not None
    limit = vm_hardware_limit(first, clustered.vm, clustered.host)
    key = (clustered.vm.vcenter, clustered.vm.datacenter, clustered.vm.cluster)
    assert limit == cluster_hardware_limit(first.hosts_by_cluster.get(key, []))
    assert first.hardware_limits == {key: limit}
    assert second.hardware_limits == {}
    fc = next(p for p in snapshot.pools if p.id == "fc")
    assert pool_idleness(first, fc) is pool_idleness(first, fc)
    assert pool_idleness(second, fc) is not pool_idleness(first, fc)
    assert pool_idleness(second, fc) == pool_idleness(first, fc)


def desktop_with(*deductions: tuple[str, str, float]) -> DesktopSummary:
    base = DesktopSummary(**{name: None for name in DesktopSummary.__dataclass_fields__})
    return replace(
        base,
        deductions=[
            Deduction(c, category, "warning", points, "x") for c, category, points in deductions
        ],
    )


def plain_score(desktop: DesktopSummary, category: str, fixed: Any) -> float:
    """A desktop's score as the scoring formula says, with nothing shared."""
    lost = [d.points for d in desktop.deductions if d.category == category and d.check not in fixed]
    return max(100.0 - sum(lost), 0.0)


def test_a_group_scores_clones_once_and_gives_every_desktop_its_own_answer() -> None:
    desktops = [
        desktop_with(("a", "patch", 10.0), ("b", "power", 30.0)),
        desktop_with(("a", "patch", 10.0), ("b", "power", 30.0)),  # a clone of the first
        desktop_with(("a", "patch", 10.0), ("c", "patch", 95.0)),
        desktop_with(),
        desktop_with(("b", "power", 30.0), ("c", "power", 80.0)),
    ]
    group = _Group(desktops, ())
    for category, fixed in product(("patch", "power"), [(), ("a",), ("b", "c"), ("a", "b", "c")]):
        expected = [plain_score(d, category, fixed) for d in desktops]
        assert group.scores(category, fixed) == expected
        for check_id in ("a", "b", "c"):
            more = {*fixed, check_id}
            gain = sum(
                plain_score(desktops[i], cat, more) - plain_score(desktops[i], cat, fixed)
                for i in group.carriers[check_id]
                for cat in ("patch", "power")
            )
            assert group.gain(fixed, check_id) == gain
    lifted = plain_score(desktops[2], "patch", {"c"}) - plain_score(desktops[2], "patch", ())
    assert (lifted, group.rise("c", "patch")) == (90.0, 18.0)  # 90 points over 5 desktops


def test_a_checks_durations_are_its_own_thresholds_read_once() -> None:
    limits = Limits("x", {"span": 8, "grace": 90})
    assert (limits.hours("span"), limits.minutes("grace")) == (
        timedelta(hours=8),
        timedelta(minutes=90),
    )
    assert limits.hours("span") is limits.hours("span")
    assert limits.days("span") == timedelta(days=8)
    other = Limits("x", {"span": 2, "grace": 1})
    assert (other.hours("span"), other.minutes("grace")) == (
        timedelta(hours=2),
        timedelta(minutes=1),
    )


def test_long_idle_desktops_are_kept_per_fleet_and_grace() -> None:
    snapshot = idle_fleet()
    settings = default_settings()
    first = FleetView(snapshot, settings.scope, settings.desktops)
    fc = next(p for p in snapshot.pools if p.id == "fc")
    idle = pool_idleness(first, fc).idle
    fresh = {
        key
        for key, found in idle.items()
        if not found.held and found.since is not None and first.now - found.since > timedelta(0)
    }
    assert fresh and idle_longer_than(first, fc, timedelta(0)) == fresh
    assert idle_longer_than(first, fc, timedelta(0)) is idle_longer_than(first, fc, timedelta(0))
    assert idle_longer_than(first, fc, timedelta(days=3650)) == frozenset()
    spares = long_idle_spare_candidates(first, fc, timedelta(0))
    assert spares == fresh & pool_idleness(first, fc).spare_candidates
    assert spares is long_idle_spare_candidates(first, fc, timedelta(0))
    second = FleetView(snapshot, settings.scope, settings.desktops)
    assert (second.idle_longer, second.long_idle_spares) == ({}, {})


def test_a_datastores_contents_are_kept_per_fleet_and_equal_a_fresh_count() -> None:
    desktops = [vm(f"d-{n}", datastores=["datastore-ds1"]) for n in range(3)]
    stores = [datastore("ds1"), datastore("ds2")]
    snapshot = fleet_snapshot(desktops, [machine(v, "pool-1") for v in desktops], datastores=stores)
    settings = default_settings()
    first = FleetView(snapshot, settings.scope, settings.desktops)
    assert [vdi_datastore_contents(first, store) for store in stores] == ["3 desktops", None]
    assert first.datastore_contents == {
        (VC_UUID, "datastore-ds1"): "3 desktops",
        (VC_UUID, "datastore-ds2"): None,
    }
    second = FleetView(snapshot, settings.scope, settings.desktops)
    assert second.datastore_contents == {}
    assert vdi_datastore_contents(second, stores[0]) == "3 desktops"


def test_a_desktops_inherited_tally_is_shared_by_its_places_and_equals_its_own() -> None:
    on_old_host = [vm(f"fc-{n}", host="esx-old") for n in (1, 2)]
    on_new_host = [vm("ic-1", host="esx-new", tools_version_status="guestToolsNeedUpgrade")]
    vms = [*on_old_host, *on_new_host, vm("ic-off", host="esx-new", power_state="poweredOff")]
    machines = [machine(v, "ic" if v.name.startswith("ic") else "fc") for v in vms]
    snapshot = fleet_snapshot(
        vms,
        machines,
        pools=[pool("fc", golden_image_created=ago(days=90)), pool("ic")],
        hosts=[host("esx-old", version="7.0.3"), host("esx-new", version="8.0.3")],
    )
    settings = default_settings()
    evaluation = judged(snapshot, settings)
    desktops = evaluation.fleet.desktops
    shared = score_desktops(desktops, evaluation, settings.scores)
    alone = [score_desktop(desktop, evaluation, settings.scores) for desktop in desktops]
    assert shared == alone
    inherited = {d.subject_kind for score in shared for d in score.deductions}
    assert {SubjectKind.POOL, SubjectKind.HOST, SubjectKind.DESKTOP} <= inherited
    first, second = shared[0].deductions, shared[1].deductions  # fc-1 and fc-2: same places
    assert [d for d in first if d.subject_kind is not SubjectKind.DESKTOP] == [
        d for d in second if d.subject_kind is not SubjectKind.DESKTOP
    ]
    assert [s.desktop.name for s in shared] == [d.name for d in desktops]
