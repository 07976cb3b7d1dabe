"""The usage checks (issue 16), one test per check: exact pass, fail, unknown and not-applicable
sets with severities over snapshots built record by record, the hidden cases (a dedicated
desktop whose user last logged on 45 days ago, a pool whose peak is half its size, a pool that
ran out of spares, events not read, vCenter refused, a window shorter than the threshold), and
the usage report built from the example pod collected through vcsim and the Horizon test
server."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from support.fleet_builders import (
    NOW,
    ago,
    fleet_snapshot,
    horizon_usage,
    logons_to,
    machine,
    pool,
    pool_usage,
    session,
    user_logon,
    vm,
    vm_usage,
    with_usage,
)
from support.horizon_builders import farm, licence, rds_host
from support.judging import (
    assert_messages_name,
    configured,
    covers,
    judged,
    messages,
    outcomes,
    severities,
)

from fleetreport.health.build import build_report
from fleetreport.record.anonymiser import anonymise
from fleetreport.snapshot.model import DesktopPool, Machine, Snapshot

SID = "S-1-5-21-1111111111-2222222222-3333333333-"
ALICE, BOB, CAROL, DAVE, ERIN = (f"{SID}{n}" for n in (1101, 1102, 1103, 1104, 1105))
SKIPPED = "event database not configured"

# ------------------------------------------------------------------ dedicated desktops


def dedicated_pool(pool_id: str = "ded", **overrides: object) -> DesktopPool:
    """A dedicated full-clone pool that powers idle desktops off."""
    values: dict[str, object] = dict(
        source="VIRTUAL_CENTER", user_assignment="DEDICATED", power_policy="POWER_OFF"
    )
    values.update(overrides)
    return pool(pool_id, **values)


def assigned(name: str, *sids: str, pool_id: str = "ded", names: bool = True) -> Machine:
    """A machine of ``pool_id`` assigned to the users ``sids`` (names ``EXAMPLE\\uNNNN``)."""
    users = [f"EXAMPLE\\u{sid[-4:]}" for sid in sids] if names else []
    return machine(vm(name), pool_id, user_ids=list(sids), user_names=users)


def dedicated_fleet(usage_days: int = 30, **usage: object) -> Snapshot:
    absent = assigned("fail-absent-45d", ALICE)
    recent = assigned("pass-recent", BOB)
    other = assigned("fail-only-another-user", CAROL)
    held = assigned("pass-session-now", DAVE)
    names_only = machine(vm("pass-no-sids-logon"), "ded", user_names=["EXAMPLE\\erin"])
    unassigned = machine(vm("na-unassigned"), "ded")
    floating = machine(vm("na-floating"), "ic")
    machines = [absent, recent, other, held, names_only, unassigned, floating]
    window = NOW - timedelta(days=usage_days)
    seen = [
        (absent, ALICE, ago(days=45)),  # before a 30-day window: the events do not have it
        (recent, BOB, ago(days=3)),
        (other, ERIN, ago(days=2)),
    ]
    events = horizon_usage(
        days=usage_days,
        desktops=[logons_to(names_only, ago(days=5))]
        + [logons_to(m, when, user_id=sid) for m, sid, when in seen if when >= window],
        dedicated=[user_logon(m, sid, when) for m, sid, when in seen if when >= window],
    )
    events = dataclasses.replace(events, **usage)  # type: ignore[arg-type]
    return fleet_snapshot(
        [m_vm for m_vm in (vm(m.name) for m in machines)],
        machines,
        pools=[dedicated_pool(), pool("ic")],
        sessions=[session(held, user_name="EXAMPLE\\u1104")],
        horizon_usage=[events],
    )


@covers("desktop_assigned_user_absent")
def test_assigned_user_absent_names_dedicated_desktops_nobody_assigned_used() -> None:
    snapshot = dedicated_fleet()
    assert outcomes(snapshot, "desktop_assigned_user_absent") == {
        "fail": {"fail-absent-45d", "fail-only-another-user"},
        "pass": {"pass-recent", "pass-session-now", "pass-no-sids-logon"},
        "n/a": {"na-unassigned", "na-floating"},
    }
    assert severities(snapshot, "desktop_assigned_user_absent") == {
        "fail-absent-45d": "warning",
        "fail-only-another-user": "warning",
    }
    assert_messages_name(
        messages(snapshot, "desktop_assigned_user_absent"),
        {
            "fail-absent-45d": ["EXAMPLE\\u1101", "in the last 30 days"],
            "fail-only-another-user": ["EXAMPLE\\u1103", "in the last 30 days"],
        },
    )


def test_a_logon_45_days_ago_in_a_60_day_window_is_named_with_its_day() -> None:
    snapshot = dedicated_fleet(usage_days=60)
    assert outcomes(snapshot, "desktop_assigned_user_absent")["fail"] == {
        "fail-absent-45d",
        "fail-only-another-user",
    }
    found = messages(snapshot, "desktop_assigned_user_absent")
    assert found["fail-absent-45d"].endswith("(last logon 2026-10-13)")


def test_a_window_shorter_than_the_days_is_unknown_and_says_so() -> None:
    snapshot = dedicated_fleet(usage_days=14)
    found = outcomes(snapshot, "desktop_assigned_user_absent")
    assert found == {
        "unknown": {
            "fail-absent-45d",
            "pass-recent",
            "fail-only-another-user",
            "pass-session-now",
            "pass-no-sids-logon",
        },
        "n/a": {"na-unassigned", "na-floating"},
    }
    wider = configured("[checks.desktop_assigned_user_absent]\ndays = 60\n")
    assert set(outcomes(dedicated_fleet(), "desktop_assigned_user_absent", wider)) == {
        "unknown",
        "n/a",
    }


def test_events_not_read_are_unknown_and_no_usage_collected_does_not_apply() -> None:
    skipped = dedicated_fleet(status="skipped", reason=SKIPPED, desktops=[], dedicated=[])
    found = outcomes(skipped, "desktop_assigned_user_absent")
    assert found["unknown"] == {
        "fail-absent-45d",
        "pass-recent",
        "fail-only-another-user",
        "pass-session-now",
        "pass-no-sids-logon",
    }
    none = dataclasses.replace(dedicated_fleet(), horizon_usage=[])
    assert set(outcomes(none, "desktop_assigned_user_absent")) == {"n/a"}


# ------------------------------------------------------------------ unused desktops


def unused_fleet(vcenter_error: str | None = None, **usage: object) -> Snapshot:
    """A floating full-clone pool ``fc`` with desktops used, idle and unmeasured."""
    fc = "fc"
    idle_on, off, logged_on, busy, held = (
        vm(n)
        for n in ("fail-idle-on", "fail-off-throughout", "pass-logon", "pass-cpu", "pass-session")
    )
    off = dataclasses.replace(off, power_state="poweredOff")
    unmeasured, on_no_data = vm("unknown-no-cpu-record"), vm("unknown-on-no-data")
    vms = [idle_on, off, logged_on, busy, held, unmeasured, on_no_data]
    machines = [machine(v, fc) for v in vms]
    machines += [
        machine(vm("na-instant-clone"), "ic"),
        assigned("na-dedicated-assigned", ALICE),
        machine(vm("na-dedicated-unassigned"), "ded"),
        rds_host("na-rds-host"),
    ]
    events = horizon_usage(desktops=[logons_to(machines[2], ago(days=3), 2)])
    events = dataclasses.replace(events, **usage)  # type: ignore[arg-type]
    snapshot = fleet_snapshot(
        vms + [vm(n) for n in ("na-instant-clone", "na-dedicated-assigned")],
        machines,
        pools=[
            pool(fc, source="VIRTUAL_CENTER", power_policy="POWER_OFF"),
            pool("ic"),
            dedicated_pool(),
            farm("farm-1"),
        ],
        sessions=[session(machines[4])],
        horizon_usage=[events],
        vcenter_usage=[
            vm_usage(idle_on),
            vm_usage(off, samples=0),
            vm_usage(logged_on),
            vm_usage(busy, active=12),
            vm_usage(held),
            vm_usage(on_no_data, samples=0),
        ],
    )
    return with_usage(snapshot, error=vcenter_error)


NOT_APPLICABLE = {
    "na-instant-clone",
    "na-dedicated-assigned",
    "na-dedicated-unassigned",
    "na-rds-host",
}


@covers("desktop_unused")
def test_unused_desktops_have_no_logon_and_no_cpu_activity() -> None:
    snapshot = unused_fleet()
    assert outcomes(snapshot, "desktop_unused") == {
        "fail": {"fail-idle-on", "fail-off-throughout"},
        "pass": {"pass-logon", "pass-cpu", "pass-session"},
        "unknown": {"unknown-no-cpu-record", "unknown-on-no-data"},
        "n/a": NOT_APPLICABLE,
    }
    assert severities(snapshot, "desktop_unused") == {
        "fail-idle-on": "warning",
        "fail-off-throughout": "warning",
    }
    assert_messages_name(
        messages(snapshot, "desktop_unused"),
        {
            "fail-idle-on": ["no logon in the last 30 days", "all 360 samples"],
            "fail-off-throughout": ["off throughout"],
        },
    )


def test_vcenter_refused_makes_the_unused_ones_unknown() -> None:
    snapshot = unused_fleet(vcenter_error="NoPermission: System.View")
    assert outcomes(snapshot, "desktop_unused") == {
        "pass": {"pass-logon", "pass-session"},
        "unknown": {
            "fail-idle-on",
            "fail-off-throughout",
            "pass-cpu",
            "unknown-no-cpu-record",
            "unknown-on-no-data",
        },
        "n/a": NOT_APPLICABLE,
    }


def test_events_not_read_leave_only_cpu_activity_to_pass() -> None:
    snapshot = unused_fleet(status="skipped", reason=SKIPPED, desktops=[])
    assert outcomes(snapshot, "desktop_unused") == {
        "pass": {"pass-cpu", "pass-session"},
        "unknown": {
            "fail-idle-on",
            "fail-off-throughout",
            "pass-logon",
            "unknown-no-cpu-record",
            "unknown-on-no-data",
        },
        "n/a": NOT_APPLICABLE,
    }


def with_desktop_broken(snapshot: Snapshot, name: str, how: str) -> Snapshot:
    """``name``'s VM inaccessible (``how`` = ``inaccessible``) or its machine in state ``how``."""
    if how == "inaccessible":
        vms = [
            dataclasses.replace(v, connection_state="inaccessible") if v.name == name else v
            for v in snapshot.vms
        ]
        return dataclasses.replace(snapshot, vms=vms)
    machines = [
        dataclasses.replace(m, state=how) if m.name == name else m for m in snapshot.machines
    ]
    return dataclasses.replace(snapshot, machines=machines)


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("inaccessible", "its VM is inaccessible: its user may have been unable to log on"),
        ("AGENT_UNREACHABLE", "Horizon reports it AGENT_UNREACHABLE: its user may have been"),
        ("AGENT_DRAIN_MODE", "Horizon reports it AGENT_DRAIN_MODE: its user may have been"),
    ],
)
def test_a_desktop_nobody_could_use_is_not_called_unused(how: str, said: str) -> None:
    absent = with_desktop_broken(dedicated_fleet(), "fail-absent-45d", how)
    found = judged(absent, "desktop_assigned_user_absent")["fail-absent-45d"]
    assert (found.status.value, found.message.startswith(said)) == ("unknown", True)
    idle = with_desktop_broken(unused_fleet(), "fail-idle-on", how)
    found = judged(idle, "desktop_unused")["fail-idle-on"]
    assert (found.status.value, found.message.startswith(said)) == ("unknown", True)
    # the rest keep their verdicts
    assert outcomes(absent, "desktop_assigned_user_absent")["fail"] == {"fail-only-another-user"}
    assert outcomes(idle, "desktop_unused")["fail"] == {"fail-off-throughout"}


# ------------------------------------------------------------------ pool sizing


def sized_pool(
    pool_id: str, machines: int | None, maximum: int | None, spares: int | None, **overrides: object
) -> DesktopPool:
    return pool(
        pool_id,
        machine_count=machines,
        max_machines=maximum,
        spare_machines=spares,
        **overrides,
    )


def sizing_fleet(**usage: object) -> Snapshot:
    pools = [
        sized_pool("fail-peak-half", 20, 20, 2),
        sized_pool("pass-lower-bound", 20, 20, 2),
        sized_pool("pass-busy", 10, 10, 1),
        sized_pool("fail-no-session", 10, 10, None),
        sized_pool("pass-no-session-small", 3, 3, 1),
        sized_pool("unknown-unordered", 10, 10, 1),
        sized_pool("fail-full", 5, 5, 1),
        sized_pool("fail-spares-exhausted", 10, 10, 3),
        sized_pool("unknown-maybe-exhausted", 10, 10, 2),
        sized_pool("fail-spares-short-below-maximum", 10, 20, 3),
        sized_pool("pass-can-grow", 10, 20, 2),
        sized_pool("pass-manual", 4, None, None, type="MANUAL", source="VIRTUAL_CENTER"),
        dedicated_pool("dedicated", machine_count=5, max_machines=5, spare_machines=1),
        farm("farm-1"),
    ]
    events = horizon_usage(
        pools=[
            pool_usage("fail-peak-half", 10),
            pool_usage("pass-lower-bound", 10, before_window=6),
            pool_usage("pass-busy", 8),
            pool_usage("unknown-unordered", None),
            pool_usage("fail-full", 5),
            pool_usage("fail-spares-exhausted", 8),
            pool_usage("unknown-maybe-exhausted", 7, before_window=2),
            pool_usage("fail-spares-short-below-maximum", 9),
            pool_usage("pass-can-grow", 6),
            pool_usage("pass-manual", 2),
            pool_usage("dedicated", 3),
        ]
    )
    events = dataclasses.replace(events, **usage)  # type: ignore[arg-type]
    one = machine(vm("d-1"), "pass-busy")
    return fleet_snapshot([vm("d-1")], [one], pools=pools, horizon_usage=[events])


@covers("pool_over_provisioned")
def test_over_provisioned_pools_keep_more_than_peak_spares_and_margin() -> None:
    snapshot = sizing_fleet()
    assert outcomes(snapshot, "pool_over_provisioned") == {
        "fail": {"fail-peak-half", "fail-no-session"},
        "pass": {
            "fail-full",
            "pass-lower-bound",
            "pass-busy",
            "pass-no-session-small",
            "fail-spares-exhausted",
            "unknown-maybe-exhausted",
            "fail-spares-short-below-maximum",
            "pass-can-grow",
            "pass-manual",
        },
        "unknown": {"unknown-unordered"},
        "n/a": {"dedicated", "farm-1"},
    }
    assert set(severities(snapshot, "pool_over_provisioned").values()) == {"info"}
    found = messages(snapshot, "pool_over_provisioned")
    # 20 machines; peak 10 + 2 spares + margin max(2, 5% of 20) = 14: 6 could go
    assert found["fail-peak-half"].endswith(": 6 machine(s) could go")
    assert found["fail-no-session"].endswith(": 8 machine(s) could go")
    passing = {name: o.message for name, o in judged(snapshot, "pool_over_provisioned").items()}
    # peak 10, or up to 16 with the 6 sessions opened before the window: 16 + 2 + 2 = 20
    assert (
        "(at least; up to 16 with the 6 session(s) opened before the window)"
        in (passing["pass-lower-bound"])
    )


@covers("pool_ran_out")
def test_ran_out_pools_used_every_machine_or_their_spares() -> None:
    snapshot = sizing_fleet()
    assert outcomes(snapshot, "pool_ran_out") == {
        "fail": {"fail-full", "fail-spares-exhausted", "fail-spares-short-below-maximum"},
        "pass": {
            "dedicated",
            "pass-can-grow",
            "fail-peak-half",
            "pass-lower-bound",
            "pass-busy",
            "fail-no-session",
            "pass-no-session-small",
            "pass-manual",
        },
        "unknown": {"unknown-unordered", "unknown-maybe-exhausted"},
        "n/a": {"farm-1"},
    }
    assert severities(snapshot, "pool_ran_out") == {
        "fail-full": "warning",
        "fail-spares-exhausted": "warning",
        "fail-spares-short-below-maximum": "info",  # Horizon can provision more: users wait
    }
    found = messages(snapshot, "pool_ran_out")
    assert (
        found["fail-full"]
        == "peak 5 session(s) on 2026-11-20 of 5 (maximum): every machine was in use"
    )
    assert found["fail-spares-exhausted"].endswith("2 free, fewer than its 3 spare(s)")
    assert found["fail-spares-short-below-maximum"] == (
        "peak 9 session(s) on 2026-11-20 of 20 (maximum): against its 10 machine(s) now, a peak"
        " like that leaves 1 free, fewer than its 3 spare(s); it can grow to 20, so the next"
        " users wait for Horizon to provision"
    )


FLOATING_POOLS = {
    "fail-peak-half",
    "pass-lower-bound",
    "pass-busy",
    "fail-no-session",
    "pass-no-session-small",
    "unknown-unordered",
    "fail-full",
    "fail-spares-exhausted",
    "unknown-maybe-exhausted",
    "fail-spares-short-below-maximum",
    "pass-can-grow",
    "pass-manual",
}


def test_pool_checks_are_unknown_when_the_events_were_not_read() -> None:
    snapshot = sizing_fleet(status="skipped", reason=SKIPPED, pools=[])
    assert outcomes(snapshot, "pool_over_provisioned") == {
        "unknown": FLOATING_POOLS,
        "n/a": {"dedicated", "farm-1"},
    }
    assert outcomes(snapshot, "pool_ran_out") == {
        "unknown": FLOATING_POOLS | {"dedicated"},
        "n/a": {"farm-1"},
    }
    said = judged(snapshot, "pool_ran_out")["fail-full"].message
    assert said == f"the pod's events were not read: {SKIPPED}"
    none = dataclasses.replace(sizing_fleet(), horizon_usage=[])
    assert outcomes(none, "pool_ran_out") == {"n/a": FLOATING_POOLS | {"dedicated", "farm-1"}}


def test_an_anonymised_snapshot_still_joins_assigned_users_to_their_logons() -> None:
    snapshot = dedicated_fleet()
    anonymised = anonymise(snapshot, b"usage-test-key-0123456789abcdef").snapshot
    before = outcomes(snapshot, "desktop_assigned_user_absent")
    after = outcomes(anonymised, "desktop_assigned_user_absent")
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}
    sids = {sid for m in anonymised.machines for sid in m.user_ids}
    assert sids and not sids & {ALICE, BOB, CAROL, DAVE}


# ------------------------------------------------------------------ the example pod


EXAMPLE_NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def example_snapshot() -> Snapshot:
    """The example pod and vcsim's basic inventory, collected with ``--usage 30``."""
    from support.horizon_server import EXAMPLE_DATA, HorizonTestServer
    from support.vcsim import start_vcsim
    from tools.record_demo import horizon_target, ticking_clock, vcenter_target

    from fleetreport.collect.run import collect_all

    with (
        start_vcsim("basic") as vcenter,
        HorizonTestServer(EXAMPLE_DATA, now=int(EXAMPLE_NOW.timestamp() * 1000)) as pod,
    ):
        clock = ticking_clock(EXAMPLE_NOW, timedelta(seconds=1))
        result = collect_all(
            [vcenter_target(vcenter)], [horizon_target(pod)], now=clock, usage_days=30
        )
    assert not result.failures
    return result.snapshot


@pytest.mark.simulator
def test_the_example_pods_hidden_cases_come_out(example_snapshot: Snapshot) -> None:
    usage = build_report(example_snapshot).usage
    assert usage is not None and usage.window_days == 30
    assigned = {m.name: m.user_ids for m in example_snapshot.machines if m.user_ids}
    assert assigned["lab-ws-03"] == [BOB]
    # lab-ws-03: bob last logged on 45 days ago, before the 30-day window; but Horizon cannot
    # reach its agent now, so his absence may be the breakage's consequence: unknown, not
    # unused (the demo's AMS-DEV-003 and horizon8's W10-FC-012 are the healthy cases)
    assert usage.unused == []
    lab = judged(example_snapshot, "desktop_assigned_user_absent")["lab-ws-03"]
    assert (lab.status.value, lab.message) == (
        "unknown",
        "Horizon reports it AGENT_UNREACHABLE: its user may have been unable to log on;"
        " fix the desktop first",
    )
    pools = {p.pool_name: p for p in usage.pools}
    assert set(pools) == {"ic-win11-floating", "fc-win10-dedicated", "manual-lab"}
    floating = pools["ic-win11-floating"]
    # peak 5 of a maximum of 10 (7 machines now); one session began before the window, so
    # the peak is a lower bound and 5 + 1 + 2 spares + a margin of 2 leaves nothing to prove
    assert (floating.peak_sessions, floating.maximum, floating.machines) == (5, 10, 7)
    assert (floating.peak_is_lower_bound, floating.needed, floating.surplus) == (True, 8, 0)
    assert (floating.verdict, floating.lever) == ("right_sized", "sizing")
    dedicated = pools["fc-win10-dedicated"]
    assert (dedicated.peak_sessions, dedicated.maximum, dedicated.machines) == (5, 5, 5)
    assert (dedicated.verdict, dedicated.peak_day) == ("ran_out", "2026-11-25")
    manual = pools["manual-lab"]
    assert (manual.verdict, manual.surplus, manual.peak_sessions) == ("dedicated", 0, 1)
    assert len(usage.days) == 31 and sum(d.logons for d in usage.days) == 16
    assert [e.status for e in usage.evidence] == ["ok", "ok"]
    (licence,) = usage.licences
    assert (licence.current, licence.highest, licence.peak_sessions_in_window) == (8, 23, 6)
    assert usage.energy is not None and usage.energy.idle_desktops_measured == 0
    assert all(h.status == "not_collected" for h in usage.energy.hosts)
    usage_checks = {
        "desktop_assigned_user_absent",
        "desktop_unused",
        "pool_over_provisioned",
        "pool_ran_out",
    }
    judged_example = {
        (f.check, f.subject_name)
        for f in build_report(example_snapshot).findings
        if f.check in usage_checks
    }
    assert judged_example == {("pool_ran_out", "fc-win10-dedicated")}


def test_the_usage_report_sizes_only_the_pools_of_pods_whose_events_were_read() -> None:
    snapshot = sizing_fleet()
    # a second pod of the federation whose events were not collected: its pool is not sized
    elsewhere = sized_pool("other-pod-pool", 10, 10, 1, pod="hzcs02.example.test")
    usage = build_report(dataclasses.replace(snapshot, pools=[*snapshot.pools, elsewhere])).usage
    assert usage is not None
    assert {row.pool for row in usage.pools} == FLOATING_POOLS | {"dedicated"}


def test_a_pool_the_evidence_cannot_judge_has_no_surplus_even_with_a_known_peak() -> None:
    usage = build_report(sizing_fleet()).usage
    assert usage is not None
    rows = {row.pool: (row.verdict, row.needed, row.surplus) for row in usage.pools}
    # peak 7, or up to 9 with the sessions opened before the window, plus 2 spares: 11 needed
    assert rows["unknown-maybe-exhausted"] == ("unknown", 11, None)
    assert rows["unknown-unordered"] == ("unknown", None, None)
    assert rows["fail-peak-half"] == ("over_provisioned", 12, 6)
    assert rows["pass-busy"] == ("right_sized", 9, 0)


def test_a_dedicated_desktop_without_a_dns_name_and_no_logon_is_still_judged() -> None:
    # Horizon leaves dns_name out when the agent never reported it (optional in the 2512 spec)
    nameless = dataclasses.replace(assigned("fail-no-dns-name", ALICE), dns_name=None)
    snapshot = fleet_snapshot(
        [vm(nameless.name, power_state="poweredOff")],
        [nameless],
        pools=[dedicated_pool()],
        horizon_usage=[horizon_usage()],
    )
    assert outcomes(snapshot, "desktop_assigned_user_absent") == {"fail": {"fail-no-dns-name"}}
    found = messages(snapshot, "desktop_assigned_user_absent")["fail-no-dns-name"]
    assert found == "no logon by its assigned user(s) EXAMPLE\\u1101 in the last 30 days"


def test_a_logon_event_without_a_machine_id_counts_by_dns_name_in_any_case() -> None:
    # An event without machine_id is keyed by machine_dns_name as the event spells it; the
    # agent may report the name in upper case while Horizon's machine record has it lower.
    desktop = assigned("pass-logon-by-name", ALICE)
    assert desktop.dns_name is not None
    by_name = dataclasses.replace(
        user_logon(desktop, ALICE, ago(days=3)), machine_id=desktop.dns_name.upper()
    )
    snapshot = fleet_snapshot(
        [vm(desktop.name)],
        [desktop],
        pools=[dedicated_pool()],
        horizon_usage=[horizon_usage(dedicated=[by_name])],
    )
    assert outcomes(snapshot, "desktop_assigned_user_absent") == {"pass": {"pass-logon-by-name"}}


# ------------------------------------------------------------------ usage report rows


def test_a_pool_without_events_shows_no_logons_in_the_usage_report() -> None:
    usage = build_report(sizing_fleet()).usage
    assert usage is not None
    logons = {row.pool: row.logons for row in usage.pools}
    # fail-no-session: 10 machines, not one logon event in the window
    assert logons["fail-no-session"] == 0
    assert logons["fail-peak-half"] > 0


def test_an_unused_desktop_keeps_its_last_logon_by_another_user_and_no_cpu_unmeasured() -> None:
    # no vCenter performance history: the CPU figure is unknown, not a crash or a guess
    usage = build_report(dedicated_fleet()).usage
    assert usage is not None
    rows = {row.name: row for row in usage.unused}
    assert set(rows) == {"fail-absent-45d", "fail-only-another-user"}
    assert rows["fail-only-another-user"].last_logon == ago(days=2)
    assert rows["fail-absent-45d"].last_logon is None
    assert [row.cpu_p95_percent for row in rows.values()] == [None, None]


def licensed_fleet(*licences: object) -> Snapshot:
    return dataclasses.replace(sizing_fleet(), licenses=list(licences))


def test_a_named_user_licence_row_shows_named_users_not_connections() -> None:
    named = licence(
        usage_model="NAMED_USER",
        edition="HORIZON_ENTERPRISE_NAMED_USER",
        current_concurrent=12,
        highest_concurrent=40,
        current_named_users=180,
        highest_named_users=212,
    )
    bought = configured("[checks.licence_usage_high]\nlicensed_users = 250\n")
    usage = build_report(licensed_fleet(named), bought).usage
    assert usage is not None
    [row] = usage.licences
    assert (row.usage_model, row.current, row.highest, row.licensed) == (
        "NAMED_USER",
        180,
        212,
        250,
    )


def test_a_licence_row_has_no_licensed_count_until_one_is_set() -> None:
    usage = build_report(licensed_fleet(licence())).usage
    assert usage is not None
    [row] = usage.licences
    assert (row.current, row.highest, row.licensed) == (10, 40, None)
