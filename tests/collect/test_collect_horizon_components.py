"""Horizon components around the desktops, collected from the test server at 2111 and 2512.

Connection Server replication and default certificate, gateway certificate and service
errors, Horizon's view of its vCenters' certificates, the event database, AD domains, SAML,
True SSO, Cloud Pod Architecture, the licence and its usage, farm health, RDS session limits
and the disconnected-session policy: each optional, each from the newest version a server has.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.horizon.collecting import collect, run_cli
from support.horizon_server import EXAMPLE_DATA, HorizonTestServer

from fleetreport.collect.horizon import components, records
from fleetreport.collect.horizon.collector import HorizonInventory
from fleetreport.errors import ExitCode
from fleetreport.snapshot import load_snapshot
from fleetreport.snapshot.model import (
    AdDomain,
    ComponentLink,
    FederationPod,
    HorizonLicense,
    PodEndpoint,
    Replication,
    SamlAuthenticator,
    ServiceAccount,
    TrueSso,
)

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
POD = "127.0.0.1"
CS1, CS2 = "cs01.example.test", "cs02.example.test"
RPC_DOWN = "Replication with cs02.example.test failed: The RPC server is unavailable. (1722)"
METADATA_ERROR = (
    "Failed to retrieve metadata from https://access.example.test/SAAS/API/1.0/GET/metadata/idp.xml"
)
LICENSE_KEY = "SUBSC-*****-*****-*****-RIPT0"  # tests/fixtures/horizon/example/licenses.json


def collect_at(profile: str, data: Path = EXAMPLE_DATA) -> HorizonInventory:
    now_ms = int(NOW.timestamp() * 1000)
    with HorizonTestServer(data, profile=profile, now=now_ms) as server:
        return collect(server)


@pytest.fixture(scope="module")
def pod_2512() -> HorizonInventory:
    return collect_at("2512")


@pytest.fixture(scope="module")
def pod_2111() -> HorizonInventory:
    return collect_at("2111")


@pytest.fixture
def server_2512() -> Iterator[HorizonTestServer]:
    with HorizonTestServer(EXAMPLE_DATA, profile="2512") as server:
        yield server


def by_name(items: list, attribute: str = "name") -> dict:  # type: ignore[type-arg]
    return {getattr(item, attribute): item for item in items}


# ------------------------------------------------------------------------------ versions
def test_newest_version_of_each_component_list(
    pod_2512: HorizonInventory, pod_2111: HorizonInventory
) -> None:
    keys = (
        "ad_domains",
        "saml_authenticators",
        "true_sso",
        "federation_pods",
        "farms_monitor",
        "licenses",
        "license_usage",
    )
    assert {k: pod_2512.pod.api_versions.get(k) for k in keys} == {
        "ad_domains": "v4",
        "saml_authenticators": "v4",
        "true_sso": "v2",
        "federation_pods": "v2",
        "farms_monitor": "v2",
        "licenses": "v4",
        "license_usage": "v1",
    }
    assert {k: pod_2111.pod.api_versions.get(k) for k in keys} == {
        "ad_domains": "v3",
        "saml_authenticators": "v2",
        "true_sso": "v1",
        "federation_pods": "v2",
        "farms_monitor": "v1",
        "licenses": None,
        "license_usage": None,
    }
    assert pod_2512.pod.skipped == {}


def test_licences_are_not_on_a_2111_server_and_nothing_fails(pod_2111: HorizonInventory) -> None:
    assert pod_2111.pod.skipped == {"licenses": "not on this server"}
    assert pod_2111.licenses == []
    assert len(pod_2111.machines) == 17  # the rest of the pod is collected as before


# ----------------------------------------------------------------- Connection Servers
def test_replication_versions_and_default_certificate(pod_2512: HorizonInventory) -> None:
    servers = by_name(pod_2512.connection_servers)
    assert {n: s.version for n, s in servers.items()} == {CS1: "8.14.0", CS2: "8.17.0"}
    assert {n: s.default_certificate for n, s in servers.items()} == {CS1: False, CS2: True}
    assert servers[CS1].replications == [Replication(CS2, "ERROR", RPC_DOWN)]
    assert servers[CS2].replications == [Replication(CS1, "OK", None)]  # "" is no message


def test_replication_before_monitor_v4_has_no_message(pod_2111: HorizonInventory) -> None:
    servers = by_name(pod_2111.connection_servers)
    assert pod_2111.pod.api_versions["connection_servers"] == "v2"
    assert servers[CS1].replications == [Replication(CS2, "ERROR", None)]
    assert servers[CS2].default_certificate is True


def test_replications_absent_from_the_answer_is_none_not_empty() -> None:
    assert records.connection_server(POD, {"id": "x", "name": "cs"}).replications is None
    assert records.connection_server(POD, {"cs_replications": []}).replications == []


# -------------------------------------------------------------------------- gateways
def test_gateway_certificate_service_errors_and_internal(pod_2512: HorizonInventory) -> None:
    gateways = by_name(pod_2512.gateways)
    uag01, uag02 = gateways["uag01"], gateways["uag02"]
    assert (uag01.status, uag01.certificate_valid, uag01.certificate_days_left) == ("OK", True, 20)
    assert (uag01.certificate_problems, uag01.service_errors, uag01.internal) == ([], [], False)
    assert (uag02.status, uag02.certificate_valid, uag02.certificate_days_left) == (
        "PROBLEM",
        False,
        150,
    )
    assert uag02.certificate_problems == ["NAME_MISMATCH"]
    assert uag02.service_errors == ["BLAST: CONNECTION_REFUSED"]
    assert uag02.internal is True


def test_gateways_before_v5_have_no_certificate_health(pod_2111: HorizonInventory) -> None:
    uag02 = by_name(pod_2111.gateways)["uag02"]
    assert (uag02.status, uag02.internal) == ("PROBLEM", True)  # details.internal: v1 and later
    assert (uag02.certificate_valid, uag02.certificate_days_left) == (None, None)
    assert (uag02.certificate_problems, uag02.service_errors) == ([], [])


# ------------------------------------------------------- vCenters and event database
@pytest.mark.parametrize("profile", ["2111", "2512"])
def test_vcenter_certificate_as_horizon_sees_it(
    profile: str, pod_2111: HorizonInventory, pod_2512: HorizonInventory
) -> None:
    pod = pod_2111 if profile == "2111" else pod_2512
    (vcenter,) = pod.vcenters
    assert vcenter.certificate_valid is True
    assert vcenter.certificate_valid_to == NOW + timedelta(days=40)


def test_vcenter_certificate_invalid_on_any_server_and_earliest_expiry() -> None:
    early, late = 1_800_000_000_000, 1_900_000_000_000
    monitor = {
        "connection_servers_v3": [
            {"name": "a", "status": "OK", "certificate": {"valid": True, "valid_to": late}},
            {"name": "b", "status": "OK", "certificate": {"valid": False, "valid_to": early}},
            {"name": "c", "status": "OK", "certificate": {"valid": "yes", "valid_to": "soon"}},
        ]
    }
    vcenter = records.horizon_vcenter(POD, {"id": "vc"}, monitor)
    assert vcenter.certificate_valid is False
    assert vcenter.certificate_valid_to == datetime.fromtimestamp(early / 1000, tz=UTC)
    unknown = records.horizon_vcenter(POD, {"id": "vc"}, None)
    assert (unknown.certificate_valid, unknown.certificate_valid_to) == (None, None)


def test_event_database_error_from_v2() -> None:
    database = {"status": "ERROR", "error": "Login failed for user 'svc-horizon-events'."}
    assert records.event_database(POD, database).error == database["error"]
    assert records.event_database(POD, {"status": "CONNECTED", "error": ""}).error is None


def test_event_database_connected_in_the_example(pod_2512: HorizonInventory) -> None:
    (database,) = pod_2512.event_databases
    assert (database.status, database.error) == ("CONNECTED", None)


# ---------------------------------------------------------------------- AD and SAML
def test_ad_domains_per_connection_server_and_service_accounts(
    pod_2512: HorizonInventory,
) -> None:
    assert pod_2512.ad_domains == [
        AdDomain(
            pod=POD,
            id="example.test",
            dns_name="example.test",
            netbios_name="EXAMPLE",
            domain_type="CONNECTION_SERVER_DOMAIN",
            links=[
                ComponentLink(CS1, "FULLY_ACCESSIBLE", "OK"),
                ComponentLink(CS2, "UNCONTACTABLE", "ERROR"),
            ],
            service_accounts=[],
        ),
        AdDomain(
            pod=POD,
            id="partner.example.test",
            dns_name="partner.example.test",
            netbios_name="PARTNER",
            domain_type="NO_TRUST_DOMAIN",
            links=[
                ComponentLink(CS1, "FULLY_ACCESSIBLE", "OK"),
                ComponentLink(CS2, "FULLY_ACCESSIBLE", "OK"),
            ],
            service_accounts=[
                ServiceAccount("svc-hz-partner", "ERROR"),
                ServiceAccount("svc-hz-partner2", "ACTIVE"),
            ],
        ),
    ]


def test_ad_domains_v3_have_no_connection_status(pod_2111: HorizonInventory) -> None:
    domain = by_name(pod_2111.ad_domains, "dns_name")["example.test"]
    assert domain.links == [
        ComponentLink(CS1, "FULLY_ACCESSIBLE", None),
        ComponentLink(CS2, "UNCONTACTABLE", None),
    ]
    partner = by_name(pod_2111.ad_domains, "dns_name")["partner.example.test"]
    assert [a.status for a in partner.service_accounts] == ["ERROR", "ACTIVE"]


def test_an_ad_domain_link_without_a_server_name_is_named_by_the_servers_id() -> None:
    """``name`` is optional in every ADDomainMonitorConnectionServer version (2512 spec): the
    link is then named by the Connection Server's id, and by nothing when it has neither."""
    record = {
        "dns_name": "example.test",
        "connection_servers_v3": [
            {"id": "cs-id-1", "status": "FULLY_ACCESSIBLE", "connection_status": "OK"},
            {"status": "UNCONTACTABLE", "connection_status": "ERROR"},
        ],
    }
    domain = components.ad_domain(POD, record)
    assert domain.links == [
        ComponentLink("cs-id-1", "FULLY_ACCESSIBLE", "OK"),
        ComponentLink("", "UNCONTACTABLE", "ERROR"),
    ]


def test_saml_authenticator_configured_but_disabled(
    pod_2512: HorizonInventory, pod_2111: HorizonInventory
) -> None:
    (saml,) = pod_2512.saml_authenticators
    assert saml == SamlAuthenticator(
        pod=POD,
        id=saml.id,
        label="ws1-access",
        trigger_mode="DISABLED",
        links=[ComponentLink(CS1, "OK", None), ComponentLink(CS2, "ERROR", METADATA_ERROR)],
    )
    (old,) = pod_2111.saml_authenticators  # v2: no trigger mode, no error message
    assert (old.label, old.trigger_mode) == ("ws1-access", None)
    assert old.links == [ComponentLink(CS1, "OK", None), ComponentLink(CS2, "ERROR", None)]


# ------------------------------------------------------------------- True SSO and CPA
def test_true_sso_warning_in_words(pod_2512: HorizonInventory, pod_2111: HorizonInventory) -> None:
    (connector,) = pod_2512.true_sso
    assert connector == TrueSso(
        pod=POD,
        id=connector.id,
        name="example.test",
        enabled=True,
        status="WARN",
        problems=[
            "AD domain example.test: WARN (connection failed)",
            "template TrueSSO-Template: WARN (supported not optimal)",
        ],
    )
    (old,) = pod_2111.true_sso  # v1 gives states without reasons
    assert old.problems == ["AD domain example.test: WARN", "template TrueSSO-Template: WARN"]


def test_true_sso_problems_name_every_component_that_is_not_ok() -> None:
    record = {
        "ad_domain_dns_name": "corp.example.test",
        "ad_domain_status": "OK",
        "template_name": "T",
        "template_status": "OK",
        "certificate_server_details": [
            {
                "name": "CA01",
                "status": "ERROR",
                "primary_enrollment_server_state_reasons": ["CERTIFICATE_EXPIRED"],
            },
            {"name": "CA02", "status": "OK"},
        ],
        "primary_enrollment_server": {
            "dns_name": "es01",
            "status": "ERROR",
            "state_reasons": ["UNREACHABLE_ON_POD", "UNREACHABLE_ON_POD", 7],
        },
        "secondary_enrollment_server": {"dns_name": "es02", "status": "OK"},
    }
    assert components.true_sso_problems(record) == [
        "certificate server CA01: ERROR (certificate expired)",
        "primary enrollment server es01: ERROR (unreachable on pod)",
    ]


def test_federation_with_an_offline_endpoint(pod_2512: HorizonInventory) -> None:
    pods = by_name(pod_2512.federation_pods)
    assert set(pods) == {"Cluster-CS01", "Cluster-RTM01"}
    remote = pods["Cluster-RTM01"]
    assert isinstance(remote, FederationPod) and remote.pod == POD and remote.site
    assert remote.endpoints == [
        PodEndpoint("rtm-cs01.example.test", "https://rtm-cs01.example.test:8472", True, "ONLINE"),
        PodEndpoint("rtm-cs02.example.test", "https://rtm-cs02.example.test:8472", True, "OFFLINE"),
    ]
    assert [e.status for e in pods["Cluster-CS01"].endpoints] == ["ONLINE", "ONLINE"]


@pytest.mark.parametrize("profile", ["2111", "2512"])
def test_pod_without_cpa_has_no_federation_and_is_not_skipped(profile: str, tmp_path: Path) -> None:
    data = tmp_path / "no-cpa"
    shutil.copytree(EXAMPLE_DATA, data)
    (data / "pods.json").unlink()  # the server answers 409 "CPA not initialized"
    pod = collect_at(profile, data)
    assert pod.federation_pods == []
    assert "federation_pods" not in pod.pod.skipped
    assert pod.pod.api_versions["federation_pods"] == "v2"


# --------------------------------------------------------------------------- licence
def test_subscription_licence_and_usage(pod_2512: HorizonInventory) -> None:
    assert pod_2512.licenses == [
        HorizonLicense(
            pod=POD,
            licensed=True,
            mode="SUBSCRIPTION",
            edition="HORIZON_ENTERPRISE_CONCURRENT_USER",
            usage_model="CONCURRENT_USER",
            expires=NOW + timedelta(days=45),
            health="YELLOW",
            current_concurrent=8,
            highest_concurrent=23,
            current_named_users=9,
            highest_named_users=31,
        )
    ]


def test_licence_key_is_dropped_at_parse_time() -> None:
    parsed = components.horizon_license(POD, {"license_key": LICENSE_KEY, "licensed": True}, None)
    assert LICENSE_KEY not in repr(parsed)
    assert parsed.licensed is True and parsed.current_concurrent is None


def test_licence_key_never_reaches_the_snapshot(
    server_2512: HorizonTestServer, tmp_path: Path
) -> None:
    served = server_2512.data["licenses"][0]["license_key"]
    assert served == LICENSE_KEY
    code, out = run_cli(server_2512, tmp_path)
    assert code == ExitCode.OK
    text = out.read_text(encoding="utf-8")
    assert server_2512.calls(r"/config/v4/licenses$", "GET")  # it was read ...
    assert LICENSE_KEY not in text and "license_key" not in text  # ... and not kept
    snapshot = load_snapshot(out)
    assert [(x.mode, x.health) for x in snapshot.licenses] == [("SUBSCRIPTION", "YELLOW")]


# ----------------------------------------------------------------- farms and pools
def test_farm_health_and_missing_applications(
    pod_2512: HorizonInventory, pod_2111: HorizonInventory
) -> None:
    farm = by_name(pod_2512.pools)["rdsh-apps"]
    assert (farm.health, farm.missing_applications) == ("WARNING", ["Visio"])
    old = by_name(pod_2111.pools)["rdsh-apps"]  # monitor farms v1: status only
    assert (old.health, old.missing_applications) == ("WARNING", [])
    desktops = [p for p in pod_2512.pools if p.kind == "desktop_pool"]
    assert {(p.health, tuple(p.missing_applications)) for p in desktops} == {(None, ())}


def test_a_missing_application_is_named_by_its_path_or_id_when_it_has_no_name(
    pod_2512: HorizonInventory,
) -> None:
    """``FarmHealthMissingApplicationInfo`` (monitor farms v2, 2512 spec): no field required."""
    farm = components.with_farm_health(
        by_name(pod_2512.pools)["rdsh-apps"],
        {
            "status": "WARNING",
            "missing_application_infos": [
                {"name": "Visio", "executable_path": "C:\\Office\\visio.exe", "id": "a1"},
                {"executable_path": "C:\\Tools\\putty.exe", "id": "a2"},
                {"id": "a3"},
                {},
            ],
        },
    )
    assert farm.missing_applications == ["Visio", "C:\\Tools\\putty.exe", "a3", ""]


@pytest.mark.parametrize("profile", ["2111", "2512"])
def test_rds_session_counts_against_their_limit(
    profile: str, pod_2111: HorizonInventory, pod_2512: HorizonInventory
) -> None:
    pod = pod_2111 if profile == "2111" else pod_2512
    hosts = {
        m.name: (m.session_count, m.max_sessions, m.max_sessions_type)
        for m in pod.machines
        if m.kind == "rds_server"
    }
    assert hosts == {"rdsh-01": (48, 50, "LIMITED"), "rdsh-02": (0, 50, "LIMITED")}
    desktops = [m for m in pod.machines if m.kind == "machine"]
    assert {(m.session_count, m.max_sessions) for m in desktops} == {(None, None)}


@pytest.mark.parametrize("profile", ["2111", "2512"])
def test_disconnected_session_policy_of_pools_and_farms(
    profile: str, pod_2111: HorizonInventory, pod_2512: HorizonInventory
) -> None:
    pod = pod_2111 if profile == "2111" else pod_2512
    assert {
        p.name: (p.disconnected_session_policy, p.disconnected_session_timeout_minutes)
        for p in pod.pools
    } == {
        "ic-win11-floating": ("AFTER", 120),
        "fc-win10-dedicated": ("AFTER", 120),
        "manual-lab": ("NEVER", None),  # its stored 120 minutes do not apply
        "rdsh-apps": ("AFTER", 60),
    }


def test_disconnected_session_policy_of_a_v1_pool() -> None:
    v1 = {
        "id": "p",
        "settings": {
            "session_settings": {
                "disconnected_session_timeout_policy": "AFTER",
                "disconnected_session_timeout_minutes": 480,
            }
        },
    }
    pool = records.desktop_pool(POD, v1, {})
    assert (pool.disconnected_session_policy, pool.disconnected_session_timeout_minutes) == (
        "AFTER",
        480,
    )


# ---------------------------------------------------------------- optional, not fatal
def test_a_failing_component_list_is_recorded_and_skipped(
    server_2512: HorizonTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    server_2512.fault(r"/monitor/v\d+/true-sso$", kind="status:500")
    with caplog.at_level("WARNING"):
        pod = collect(server_2512)
    assert pod.true_sso == []
    error = f"{server_2512.url}: /monitor/v2/true-sso answered HTTP 500"
    assert pod.pod.skipped == {"true_sso": error}
    assert len(pod.ad_domains) == 2 and len(pod.licenses) == 1
    # one warning says what was lost, so that a cron run's log tells a gap from a pass
    warnings = [r.getMessage() for r in caplog.records if "true-sso" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].startswith(error) and warnings[0].endswith("(left out of the snapshot)")


def test_components_reach_the_snapshot(server_2512: HorizonTestServer, tmp_path: Path) -> None:
    code, out = run_cli(server_2512, tmp_path)
    assert code == ExitCode.OK
    snapshot = load_snapshot(out)
    assert [d.dns_name for d in snapshot.ad_domains] == ["example.test", "partner.example.test"]
    assert [a.label for a in snapshot.saml_authenticators] == ["ws1-access"]
    assert [t.status for t in snapshot.true_sso] == ["WARN"]
    assert sorted(p.name for p in snapshot.federation_pods) == ["Cluster-CS01", "Cluster-RTM01"]
    assert len(snapshot.licenses) == 1
    (pod,) = snapshot.pods
    assert pod.skipped == {}


def test_component_values_of_the_wrong_type_become_unknown() -> None:
    server = records.connection_server(
        POD, {"cs_replications_v2": [{"server_name": 7, "status": ["OK"]}, "junk"]}
    )
    assert server.replications == [Replication("7", None, None)]
    gateway = records.gateway(
        POD,
        {
            "gateway_certificate_health": {"days_before_expiry": "20", "invalid_reasons": "X"},
            "service_error_infos": "BLAST down",
            "details": {"internal": "no"},
        },
    )
    assert (gateway.certificate_days_left, gateway.certificate_problems) == (None, ["X"])
    assert (gateway.service_errors, gateway.internal) == ([], None)
    domain = components.ad_domain(POD, {"dns_name": None, "service_accounts": {"a": 1}})
    assert (domain.id, domain.links, domain.service_accounts) == ("", [], [])
    connector = components.true_sso(
        POD, {"status": "FUTURE", "template_status": "BAD", "template_name": 3}
    )
    assert connector.status == "FUTURE" and connector.problems == ["template 3: BAD"]
    licence = components.horizon_license(
        POD, {"expiration_time": "never", "licensed": "yes"}, {"current_usage": [1]}
    )
    assert (licence.expires, licence.licensed, licence.current_concurrent) == (None, None, None)
    federation = components.federation_pod(POD, {"id": "p", "endpoints": [None, {"status": 1}]})
    assert federation.endpoints == [PodEndpoint("", None, None, "1")]


FIXTURES = EXAMPLE_DATA.parent


@pytest.mark.parametrize("name", ["horizon_pod", "horizon8", "demo"])
def test_generated_pods_have_no_cpa_one_domain_and_a_licence(name: str) -> None:
    pod = collect_at("2512", FIXTURES / name)
    assert pod.pod.skipped == {}
    assert pod.federation_pods == [] and pod.saml_authenticators == [] and pod.true_sso == []
    assert [(d.domain_type, {link.status for link in d.links}) for d in pod.ad_domains] == [
        ("CONNECTION_SERVER_DOMAIN", {"FULLY_ACCESSIBLE"})
    ]
    (licence,) = pod.licenses
    expected = {
        "horizon_pod": ("SUBSCRIPTION", "GREEN", NOW + timedelta(days=400)),
        "horizon8": ("PERPETUAL_ONLY", None, None),
        "demo": ("SUBSCRIPTION", "YELLOW", NOW + timedelta(days=45)),
    }
    assert (licence.mode, licence.health, licence.expires) == expected[name]
    assert licence.current_concurrent == len(pod.sessions)
    farms = {p.name: (p.health, p.missing_applications) for p in pod.pools if p.kind == "farm"}
    assert (
        farms
        == {
            "horizon_pod": {"rdsh-apps": ("OK", [])},
            "horizon8": {"RDS-Apps-2022": ("WARNING", [])},  # a host needs a reboot
            "demo": {"RDS-Farm-Apps": ("WARNING", ["Notepad++"])},
        }[name]
    )
    statuses = [d.status for d in pod.event_databases]
    assert statuses == (["NOT_CONFIGURED"] if name == "horizon_pod" else ["CONNECTED"])
