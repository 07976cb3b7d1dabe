"""The generated Horizon pods (tests/fixtures/horizon/horizon_pod and .../demo) stay in
step with their simulator scenarios: regenerated from freshly started simulators, they must
equal the committed files (see tests/tools/horizon_estate.py)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from support.horizon.fields import in_ranges, parse_ranges
from support.horizon_server import ENDPOINTS, PROFILES, HorizonTestServer, field_paths
from support.vcsim import start_vcsim
from tools import horizon_estate as estate

pytestmark = pytest.mark.simulator

Sources = dict[str, tuple[dict[str, Any], dict[str, Any]]]
HORIZON_POD = estate.FIXTURES / "horizon_pod"


@pytest.fixture(scope="module")
def sources() -> Iterator[Sources]:
    """(scenario, manifest) of every vCenter of every pod, from running simulators."""
    keys = sorted({key for pod in estate.PODS.values() for key in pod.vcenters})
    with contextlib.ExitStack() as stack:
        out = {}
        for key in keys:
            server = stack.enter_context(start_vcsim(estate.SCENARIOS / f"{key}.json"))
            out[key] = (server.scenario, server.manifest)
        yield out


def load(pod: str) -> dict[str, Any]:
    return {
        f.name: json.loads(f.read_text("utf-8")) for f in sorted((estate.FIXTURES / pod).glob("*"))
    }


def moids(manifest: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(VM moids, snapshot moids) of a manifest."""
    vms = {v["moid"] for v in manifest["vm_list"]}
    snaps = {s for v in manifest["vm_list"] for s in v.get("snapshots", {}).values()}
    return vms, snaps


# ------------------------------------------------------------------------------ no drift
@pytest.mark.parametrize("name", sorted(estate.SCENARIO_BUILDERS))
def test_generated_scenarios_are_current(name: str) -> None:
    committed = json.loads((estate.SCENARIOS / f"{name}.json").read_text("utf-8"))
    assert committed == estate.SCENARIO_BUILDERS[name](), (
        f"run: python tests/tools/horizon_estate.py {name}"
    )


@pytest.mark.parametrize("name", sorted(estate.PODS))
def test_committed_pod_equals_regenerated(name: str, sources: Sources) -> None:
    pod = estate.PODS[name]
    texts = estate.render(estate.generate(pod, {k: sources[k] for k in pod.vcenters}))
    on_disk = {f.name: f.read_text("utf-8") for f in (estate.FIXTURES / name).glob("*")}
    usage_files = ["audit_events.json", "desktop_pool_metrics.json"] if pod.usage else []
    assert sorted(on_disk) == sorted(texts) == sorted([*estate.FILES, *usage_files])
    stale = [n for n in texts if on_disk[n] != texts[n]]
    assert not stale, f"{stale} drifted; run: python tests/tools/horizon_estate.py {name}"


def test_generation_is_pure(sources: Sources) -> None:
    pod = estate.HORIZON_POD
    first = estate.generate(pod, {"horizon_pod": sources["horizon_pod"]})
    scenario, manifest = sources["horizon_pod"]
    # volatile manifest parts (port, pid, paths) do not matter
    manifest = dict(manifest, url="https://127.0.0.1:1/sdk", pid=1, ca_file="/x", scenario="/y")
    again = estate.generate(pod, {"horizon_pod": (json.loads(json.dumps(scenario)), manifest)})
    assert estate.render(first) == estate.render(again)


# ------------------------------------------------------------------- agrees with vCenter
@pytest.mark.parametrize("name", sorted(estate.PODS))
def test_references_exist_in_the_simulator(name: str, sources: Sources) -> None:
    pod = estate.PODS[name]
    data = load(name)
    vcs = {v["id"]: v for v in data["virtual_centers.json"]}
    by_uuid = {sources[k][1]["instance_uuid"]: sources[k][1] for k in pod.vcenters}
    assert {v["instance_uuid"] for v in vcs.values()} == set(by_uuid)
    monitor_uuids = {v["details"]["instance_uuid"] for v in data["virtual_centers_monitor.json"]}
    assert monitor_uuids == set(by_uuid)

    missing = []
    for m in data["machines.json"]:
        md = m.get("managed_machine_data")
        if md is None:
            assert m["type"] == "UNMANAGED_MACHINE"
            continue
        manifest = by_uuid[vcs[md["virtual_center_id"]]["instance_uuid"]]
        vm_moids, snap_moids = moids(manifest)
        if md["missing_in_vcenter"]:
            missing.append(m["name"])
            assert md["vm_moid"] not in vm_moids
            continue
        assert md["vm_moid"] in vm_moids, m["name"]
        vm = next(v for v in manifest["vm_list"] if v["moid"] == md["vm_moid"])
        if vm.get("config_unset"):  # vCenter names it by its .vmx path
            assert vm["name"].endswith(f"/{m['name']}.vmx")
        else:
            assert vm["name"] == m["name"]
        assert not vm.get("vapp")
        assert md["path"] == estate.vm_path(vm["datacenter"], vm["folder"], m["name"])
        assert md["host_name"] == vm["host"]
        for key in ("base_vm_id", "pending_base_vm_id"):
            assert md.get(key) in vm_moids | {None}
        for key in ("base_vm_snapshot_id", "pending_base_vm_snapshot_id"):
            assert md.get(key) in snap_moids | {None}
    assert missing == (["ic-w11-009"] if name == "horizon_pod" else [])

    for p in data["desktop_pools.json"]:
        if "vcenter_id" not in p:
            continue
        vm_moids, snap_moids = moids(by_uuid[vcs[p["vcenter_id"]]["instance_uuid"]])
        ps = p.get("provisioning_settings", {})
        assert ps.get("parent_vm_id", ps.get("vm_template_id")) in vm_moids | {None}
        assert ps.get("base_snapshot_id") in snap_moids | {None}
        status = p.get("provisioning_status_data", {})
        assert status.get("instant_clone_pending_image_snapshot_id") in snap_moids | {None}
    for f in data["farms.json"]:
        settings = f["automated_farm_settings"]
        vm_moids, snap_moids = moids(by_uuid[vcs[settings["vcenter_id"]]["instance_uuid"]])
        assert settings["provisioning_settings"]["parent_vm_id"] in vm_moids
        assert settings["provisioning_settings"]["base_snapshot_id"] in snap_moids


def test_horizon_pod_snapshot_paths_match_the_manifest(sources: Sources) -> None:
    _, manifest = sources["horizon_pod"]
    by_moid = {v["moid"]: v for v in manifest["vm_list"]}
    pools = load("horizon_pod")["desktop_pools.json"]
    ic = next(p for p in pools if p["source"] == "INSTANT_CLONE")
    ps = ic["provisioning_settings"]
    gold = by_moid[ps["parent_vm_id"]]
    assert gold["name"] == "w11-gold" and ps["parent_vm_path"] == "/DC-Example/vm/Gold/w11-gold"
    assert gold["snapshots"][ps["snapshot_path"].lstrip("/")] == ps["base_snapshot_id"]
    status = ic["provisioning_status_data"]
    assert status["instant_clone_pending_image_state"] == "FAILED"
    assert status["instant_clone_pending_image_error"]
    pending_path = status["instant_clone_pending_image_snapshot_path"].lstrip("/")
    assert gold["snapshots"][pending_path] == status["instant_clone_pending_image_snapshot_id"]


def test_names_dns_and_paths_allow_a_name_join(sources: Sources) -> None:
    """What a 2111 server (no vm_moid) leaves for the join: name, DNS name, path."""
    scenario, manifest = sources["horizon_pod"]
    hostnames = {v["name"]: v.get("guest_hostname") for v in scenario["vms"]}
    folders = {v["name"]: v["folder"] for v in manifest["vm_list"]}
    data = load("horizon_pod")
    for m in data["machines.json"] + data["rds_servers.json"]:
        if m.get("managed_machine_data", {}).get("missing_in_vcenter"):
            assert m["name"] not in hostnames
            continue
        assert m["name"] in hostnames
        assert m["dns_name"] == hostnames[m["name"]]
        if "managed_machine_data" in m:
            path = m["managed_machine_data"]["path"]
            assert path == f"/DC-Example/vm/{folders[m['name']]}/{m['name']}"


def test_horizon_pod_carries_the_deliberate_problems() -> None:
    data = load("horizon_pod")
    machines = {m["name"]: m for m in data["machines.json"]}
    states = {m["state"] for m in machines.values()}
    assert {
        "AVAILABLE",
        "CONNECTED",
        "DISCONNECTED",
        "AGENT_UNREACHABLE",
        "MAINTENANCE",
        "PROVISIONING_ERROR",
        "FUTURE_STATE_X",
    } <= states
    assert any(s.startswith("AGENT_ERROR_") for s in states)
    assert {m["agent_version"] for m in machines.values()} >= {"8.16.0", "8.17.0"}
    assert "ic-w11-099" not in machines  # the stray VM
    pools = {p["name"]: p for p in data["desktop_pools.json"]}
    fc = pools["fc-win10-dedicated"]
    assert fc["session_settings"]["power_policy"] == "POWER_OFF"
    assert fc["provisioning_status_data"]["last_provisioning_error_time"] == "${now-5h}"
    idle_on = [
        m
        for m in machines.values()
        if m["desktop_pool_name"] == fc["name"]
        and m["managed_machine_data"]["virtual_machine_power_state"] == "POWERED_ON"
        and "session_id" not in m
    ]
    assert [m["name"] for m in idle_on] == ["fc-w10-003"]
    long_disconnected = [
        s for s in data["sessions.json"] if s.get("disconnected_time") == "${now-12h}"
    ]
    assert [s["machine_or_rds_server_name"] for s in long_disconnected] == ["fc-w10-002"]
    css = {c["name"]: c for c in data["connection_servers.json"]}
    assert css["cs01.example.test"]["certificate"]["valid_to"] == "${now+12d}"
    assert [s["status"] for s in css["cs02.example.test"]["services"]].count("DOWN") == 1


def test_horizon8_carries_the_parts_of_a_real_estate(sources: Sources) -> None:
    scenario, manifest = sources["horizon8"]
    data = load("horizon8")
    machines = {m["name"]: m["state"] for m in data["machines.json"]}
    assert machines["W11-IC-003"] == "ALREADY_USED"
    assert machines["W11-IC-005"] == "AGENT_ERROR_STARTUP_IN_PROGRESS"
    rds = {r["name"]: r["state"] for r in data["rds_servers.json"]}
    assert {"AGENT_ERR_NEED_REBOOT", "WAIT_FOR_AGENT"} <= set(rds.values())
    pools = {p["name"]: p for p in data["desktop_pools.json"]}
    fc = pools["W10-FC-Engineering"]
    assert fc["naming_method"] == "SPECIFIED" and "pattern_naming_settings" not in fc
    assert fc["specific_naming_settings"]["num_unassigned_machines_kept_powered_on"] == 2
    root = pools["LAB-FC-Root"]["provisioning_settings"]
    assert root["vm_folder_path"] == "/HZN-DC01/vm"
    assert root["vm_folder_id"] == manifest["folders"]["HZN-DC01"]
    names = [v["name"] for v in manifest["vm_list"]]
    for prefix, count in (("cp-template-", 3), ("cp-replica-", 3), ("cp-parent-", 11)):
        assert sum(n.startswith(prefix) for n in names) == count, prefix
    assert sum(n.startswith("vCLS-") for n in names) == 7
    parents = [v for v in manifest["vm_list"] if v["name"].startswith("cp-parent-")]
    assert {v["folder"] for v in parents} == {"ClonePrepParentVmFolder"}
    assert len({(v["host"], v["name"]) for v in parents}) == 11
    vapp = {v["name"] for v in manifest["vm_list"] if v.get("vapp") == "HZN-SQL-AG"}
    assert vapp == {"HZN-SQL01", "HZN-SQL02"}
    (unreadable,) = [v for v in manifest["vm_list"] if v.get("config_unset")]
    assert unreadable["name"] == estate.H8_INACCESSIBLE
    hosts = {
        h["name"]: h for dc in scenario["datacenters"] for c in dc["clusters"] for h in c["hosts"]
    }
    assert hosts[estate.H8_NOT_RESPONDING]["connection_state"] == "notResponding"
    assert hosts["esx-w11-04.corp.example.test"]["version"] == "7.0.3"
    gold = next(v for v in scenario["vms"] if v["name"] == "GI-W11-23H2")
    assert len(next(v for v in manifest["vm_list"] if v["name"] == "GI-W11-23H2")["snapshots"]) == 4
    assert gold["power_state"] == "poweredOff"


def test_demo_has_realistic_rates() -> None:
    data = load("demo")
    machines = data["machines.json"]
    problems = [m for m in machines if m["state"] not in ("AVAILABLE", "CONNECTED", "DISCONNECTED")]
    assert 0.01 <= len(problems) / len(machines) <= 0.08
    on = [
        m
        for m in machines
        if m["managed_machine_data"]["virtual_machine_power_state"] == "POWERED_ON"
    ]
    with_session = sum(1 for m in on if "session_id" in m)
    assert 0.5 <= with_session / len(on) <= 0.72
    current = sum(1 for m in machines if m["agent_version"] == "8.17.0")
    assert current / len(machines) >= 0.85
    hours = [
        s["disconnected_time"]
        for s in data["sessions.json"]
        if s.get("disconnected_time", "").endswith(("h}", "d}"))
        and estate._minutes_ago(s["disconnected_time"]) >= 8 * 60
    ]
    assert 2 <= len(hours) <= 4
    assert {v["server_name"] for v in data["virtual_centers.json"]} == {
        "vc01.corp.example.test",
        "vc02.corp.example.test",
    }
    assert len(data["rds_servers.json"]) == 6


def _paths_of(value: Any, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(value, list):
        for v in value:
            out |= _paths_of(v, prefix)
    elif isinstance(value, dict):
        for k, v in value.items():
            out.add(prefix + k)
            out |= _paths_of(v, prefix + k + ".")
    return out


@pytest.mark.parametrize("name", sorted(estate.PODS))
def test_only_fields_the_specs_know(name: str) -> None:
    data = load(name)
    for ep in ENDPOINTS.values():
        if ep.data_file not in data:  # optional: the test server answers a default
            assert ep.single or ep.optional, ep.data_file
            continue
        known: set[str] = set()
        for profile in PROFILES:
            if profile not in ep.versions:  # not in that release (config/licenses on 2111)
                continue
            ranges = parse_ranges(ep.versions[profile])
            for v in range(1, 20):
                if in_ranges(v, ranges):
                    known |= field_paths(ep.collection, v)
        leaves = known - {k.rsplit(".", 1)[0] for k in known if "." in k}
        paths = {
            p
            for p in _paths_of(data[ep.data_file])
            if not any(".".join(p.split(".")[:i]) in leaves for i in range(1, p.count(".") + 1))
        }
        assert paths <= known, (ep.data_file, sorted(paths - known))


# --------------------------------------------------------------------------- served
class _Client:
    def __init__(self, hz: HorizonTestServer) -> None:
        self.hz = hz
        self.s = requests.Session()
        self.s.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
        self.s.verify = hz.ca_file
        r = self.s.post(hz.url + "/login", json=hz.credentials, timeout=10)
        assert r.status_code == 200, r.text
        self.token = r.json()["access_token"]

    def get(self, path: str, **params: Any) -> Any:
        r = self.s.get(
            self.hz.url + path,
            params=params,
            headers={"Authorization": "Bearer " + self.token},
            timeout=10,
        )
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()


@pytest.mark.parametrize("profile", ["2512", "2111"])
def test_served_by_the_horizon_test_server(profile: str, sources: Sources) -> None:
    _, manifest = sources["horizon_pod"]
    vm_names = {v["name"] for v in manifest["vm_list"]}
    with HorizonTestServer(HORIZON_POD, profile=profile) as hz:
        client = _Client(hz)
        try:
            newest = profile == "2512"
            machines = client.get(
                "/inventory/v%d/machines" % (10 if newest else 2), page=1, size=100
            )
            pools = client.get("/inventory/v%d/desktop-pools" % (12 if newest else 5))
            sessions = client.get("/inventory/v%d/sessions" % (7 if newest else 1))
            farms = client.get("/inventory/v%d/farms" % (9 if newest else 3))
            rds = client.get("/inventory/v%d/rds-servers" % (6 if newest else 1))
            vcs = client.get("/config/v%d/virtual-centers" % (6 if newest else 2))
            css = client.get("/monitor/v%d/connection-servers" % (4 if newest else 2))
        finally:
            client.s.close()
    assert len(machines) == 17 and len(pools) == 3 and len(farms) == 1 and len(rds) == 2
    assert len(sessions) == 8 and len(css) == 2
    assert vcs[0]["instance_uuid"] == manifest["instance_uuid"]
    managed = [m for m in machines if "managed_machine_data" in m]
    if newest:
        assert all("vm_moid" in m["managed_machine_data"] for m in managed)
        assert isinstance(sessions[0]["start_time"], int)  # ${now-...} resolved
    else:
        assert not any("vm_moid" in m["managed_machine_data"] for m in managed)
    # by name: every machine but the deliberately missing one is a VM of the simulator
    unmatched = {m["name"] for m in machines} - vm_names
    assert unmatched == {"ic-w11-009"}
    assert {r["name"] for r in rds} <= vm_names


# ------------------------------------------------------------- usage history (issue 16)
# The hidden cases, written out here (not read from the plans) so a change to a plan must
# change this too: see tests/fixtures/horizon/README.md.
PEAKS = {
    "demo": {
        "IC-Win11-Office": (120, 160),
        "IC-Win11-CallCenter": (91, 91),  # ran out of spares
        "FC-Win10-Developers": (30, 41),
        "Manual-Engineering": (6, 12),  # half its size
    },
    "horizon8": {
        "W11-IC-Knowledge": (12, 12),  # ran out of spares
        "W10-IC-Legacy": (3, 6),  # half its size
        "W10-FC-Engineering": (4, 8),
        "LAB-FC-Root": (2, 3),
    },
}
"""Pool -> (most sessions at once over the 30 days, the pool's machines)."""
IDLE = {"demo": {"AMS-W11-001", "AMS-W11-004", "AMS-W11-008"}, "horizon8": {"W10-IC-005"}}
"""Desktops nobody logged on to in 30 days whose VM ran idle (cpu_percent under 5%)."""
STALE = {"demo": {"AMS-DEV-003": 45}, "horizon8": {"W10-FC-012": 45}}
"""Dedicated desktops whose assigned user last logged on this many days ago."""
UNUSED_OTHERWISE = {
    "demo": {
        # VM powered off (AMS-W11-007 and the others), suspended, orphaned or inaccessible
        *("AMS-W11-007", "AMS-W11-021", "AMS-W11-101", "AMS-W11-116", "AMS-W11-153"),
        *("AMS-DEV-025", "AMS-DEV-030", "AMS-DEV-031", "AMS-DEV-036", "AMS-DEV-041"),
        "AMS-ENG-WS07",
        *("AMS-DEV-016", "AMS-DEV-028"),  # unassigned spares of a dedicated pool
    },
    "horizon8": {"W10-FC-017", "W10-FC-015", "W10-FC-016"},
}
"""The other desktops without a logon in the window: VM not running, or an unassigned spare."""
METERED = {
    "demo": {
        "esx-ams-01.corp.example.test": 346,
        "esx-ams-02.corp.example.test": 356,
        "esx-ams-03.corp.example.test": 341,
        "esx-ams-04.corp.example.test": 350,
    },
    "horizon8": {"esx-w11-01.corp.example.test": 346, "esx-w11-02.corp.example.test": 354},
}
"""Hosts with a power series -> its mean in watts (every other host has none)."""
ANCHOR_MS = int(estate.ANCHOR.timestamp() * 1000)
WINDOW_START_MS = ANCHOR_MS - 30 * 86_400_000
USAGE_PODS = sorted(PEAKS)


def served(name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The pod's data and its audit events as the test server serves them at the anchor."""
    server = HorizonTestServer(estate.FIXTURES / name, now=ANCHOR_MS)
    return server.data, server.data["audit_events"]


def replay(events: list[dict[str, Any]]) -> tuple[dict[str, int], set[str]]:
    """(most sessions open at once per pool, machines with a logon in the window), checking
    that each machine has one session at a time and every event fits its session."""
    open_by_machine: dict[str, str] = {}
    open_by_pool: dict[str, int] = {}
    peaks: dict[str, int] = {}
    logged_on: set[str] = set()
    for e in sorted(events, key=lambda e: (e["time"], e["id"])):
        machine, user, pool = e["machine_id"], e["user_id"], e["desktop_pool_name"]
        if e["type"] == "AGENT_CONNECTED":
            assert machine not in open_by_machine, f"two sessions at once on {machine}"
            open_by_machine[machine] = user
            open_by_pool[pool] = open_by_pool.get(pool, 0) + 1
            peaks[pool] = max(peaks.get(pool, 0), open_by_pool[pool])
            if e["time"] >= WINDOW_START_MS:
                logged_on.add(machine)
        else:
            assert open_by_machine.get(machine) == user, e
            if e["type"] == "AGENT_ENDED":
                del open_by_machine[machine]
                open_by_pool[pool] -= 1
    return peaks, logged_on


@pytest.mark.parametrize("name", USAGE_PODS)
def test_history_agrees_with_machines_users_and_sessions(name: str) -> None:
    data, events = served(name)
    machines = {m["id"]: m for m in data["machines"]}
    pools = {p["name"]: p for p in data["desktop_pools"]}
    sids = {u["id"] for u in data["ad_users"]}
    assert events and all(e["machine_id"] in machines for e in events)
    assert all(e["user_id"] in sids for e in events)
    for e in events:
        machine = machines[e["machine_id"]]
        assert e["desktop_pool_name"] == machine["desktop_pool_name"]
        if pools[machine["desktop_pool_name"]]["user_assignment"] == "DEDICATED":
            assert e["user_id"] in machine["user_ids"], (machine["name"], e)
    logons = {
        (e["machine_id"], e["user_id"], e["time"]) for e in events if e["type"] == "AGENT_CONNECTED"
    }
    desktop_sessions = [s for s in data["sessions"] if s.get("machine_id")]
    assert desktop_sessions
    assert all((s["machine_id"], s["user_id"], s["start_time"]) in logons for s in desktop_sessions)
    history = json.loads((estate.FIXTURES / name / "audit_events.json").read_text("utf-8"))
    ages = [int(e["time"][len("${now-") : -len("m}")]) for e in history]
    # from 18:30 two days before the anchor's day (06:00) to the stale logons 45 days back
    assert min(ages) >= 360 + 2 * 1440 - 1110
    assert max(ages) < 360 + 45 * 1440


@pytest.mark.parametrize("name", USAGE_PODS)
def test_history_peaks_and_unused_desktops_are_the_hidden_cases(name: str) -> None:
    data, events = served(name)
    peaks, logged_on = replay(events)
    sizes = {
        p["name"]: sum(1 for m in data["machines"] if m["desktop_pool_id"] == p["id"])
        for p in data["desktop_pools"]
    }
    assert {pool: (peaks[pool], sizes[pool]) for pool in peaks} == PEAKS[name]
    never = {m["name"] for m in data["machines"] if m["id"] not in logged_on}
    assert never == IDLE[name] | set(STALE[name]) | UNUSED_OTHERWISE[name]
    by_name = {m["name"]: m for m in data["machines"]}
    for machine, days in STALE[name].items():
        record = by_name[machine]
        (logon,) = [
            e for e in events if e["machine_id"] == record["id"] and e["type"] == "AGENT_CONNECTED"
        ]
        assert logon["user_id"] == record["user_ids"][0]
        assert (ANCHOR_MS - logon["time"]) // 86_400_000 == days - 1  # 45 days back, by day


@pytest.mark.parametrize("name", USAGE_PODS)
def test_the_collector_folds_the_intended_peaks(name: str) -> None:
    """fleetreport's own fold of the events in a 30-day window sees the same peaks, and no
    logon by a stale desktop's user."""
    from fleetreport.collect.horizon.usage import UsageAggregator

    data, events = served(name)
    dedicated = [p["name"] for p in data["desktop_pools"] if p["user_assignment"] == "DEDICATED"]
    fold = UsageAggregator(WINDOW_START_MS, ANCHOR_MS, dedicated)
    fold.add_all(events)
    assert {p.pool: p.peak_sessions for p in fold.pools(name, {})} == {
        pool: peak for pool, (peak, _) in PEAKS[name].items()
    }
    stale_ids = {m["id"] for m in data["machines"] if m["name"] in STALE[name]}
    assert not stale_ids & {d.machine_id for d in fold.dedicated(name)}
    assert not stale_ids & {d.machine_id for d in fold.desktops(name)}


@pytest.mark.parametrize("name", USAGE_PODS)
def test_pool_metrics_count_the_machines_and_sessions_now(name: str) -> None:
    data = load(name)
    for metrics in data["desktop_pool_metrics.json"]:
        sessions = [s for s in data["sessions.json"] if s.get("desktop_pool_id") == metrics["id"]]
        members = [m for m in data["machines.json"] if m["desktop_pool_id"] == metrics["id"]]
        assert metrics["num_machines"] == len(members)
        states = [s["session_state"] for s in sessions]
        assert metrics["num_connected_sessions"] == states.count("CONNECTED")
        assert metrics["num_disconnected_sessions"] == states.count("DISCONNECTED")
    assert {m["id"] for m in data["desktop_pool_metrics.json"]} == {
        p["id"] for p in data["desktop_pools.json"]
    }


@pytest.mark.parametrize("name", USAGE_PODS)
def test_idle_desktops_and_metered_hosts_in_the_scenarios(name: str) -> None:
    pod = estate.PODS[name]
    scenarios = [
        json.loads((estate.SCENARIOS / f"{k}.json").read_text("utf-8")) for k in pod.vcenters
    ]
    cpu = {
        vm["name"]: vm["cpu_percent"] for sc in scenarios for vm in sc["vms"] if "cpu_percent" in vm
    }
    assert set(cpu) == IDLE[name]
    assert all(max(series) < 5 for series in cpu.values())
    hosts = [
        h
        for sc in scenarios
        for dc in sc["datacenters"]
        for c in dc["clusters"]
        for h in c["hosts"]
    ]
    watts = {
        h["name"]: sum(h["power_watts"]) / len(h["power_watts"])
        for h in hosts
        if "power_watts" in h
    }
    assert watts == METERED[name]
    assert all(280 <= w <= 420 for h in hosts for w in h.get("power_watts", []))
    levels = {sc["vcenter"]["name"]: sc["vcenter"].get("stats_level") for sc in scenarios}
    metered_vcenters = {
        sc["vcenter"]["name"]
        for sc in scenarios
        for dc in sc["datacenters"]
        for c in dc["clusters"]
        for h in c["hosts"]
        if "power_watts" in h
    }
    assert {vc for vc, level in levels.items() if level == 2} == metered_vcenters
