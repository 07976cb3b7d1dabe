"""The Horizon component and capacity checks, one test per check: exact pass, fail, unknown and
not-applicable sets with severities, over snapshots built record by record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from support.fleet_builders import (
    NOW,
    POD,
    connection_server,
    fleet_snapshot,
    machine,
    pool,
    session,
    vm,
)
from support.horizon_builders import (
    account,
    ad_domain,
    event_database,
    farm,
    federated,
    gateway,
    horizon_pod,
    licence,
    links,
    rds_host,
    saml,
    true_sso,
)
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
from fleetreport.health.settings import HealthSettings
from fleetreport.snapshot.model import (
    ConnectionServer,
    DesktopPool,
    HorizonPod,
    HorizonVCenter,
    Machine,
    Replication,
    Snapshot,
    Source,
)

NOT_ON_THIS_SERVER = "not on this server"


def said(
    snapshot: Snapshot, check_id: str, name: str, settings: HealthSettings | None = None
) -> str:
    """What the check said about one subject (pass, unknown or n/a included)."""
    return judged(snapshot, check_id, settings)[name].message


def pods_snapshot(*pods: HorizonPod, **lists: Any) -> Snapshot:
    """A snapshot whose Horizon source answered, with ``pods`` and the component ``lists``."""
    return fleet_snapshot(
        [vm("desk-1")], [machine(vm("desk-1"))], pods=[horizon_pod(), *pods], **lists
    )


def failed_horizon_source() -> Source:
    return Source(
        kind="horizon",
        url=f"https://{POD}/rest",
        status="failed",
        started_at=NOW,
        finished_at=NOW,
        tls_verified=True,
        error="connection refused",
    )


# ----------------------------------------------------------------------- Connection Servers


@covers("cs_replication_failing")
def test_cs_replication_failing() -> None:
    def server(name: str, replications: list[Replication] | None, pod: str = POD) -> Any:
        return connection_server(name, pod=pod, replications=replications)

    ok = Replication("cs-peer", "OK")
    snap = fleet_snapshot(
        connection_servers=[
            server("pass-replicating", [ok]),
            server(
                "fail-one-peer-error",
                [ok, Replication("cs-far", "ERROR", "LDAP bind failed")],
            ),
            server("unknown-not-reported", None),
            server("unknown-future-status", [Replication("cs-peer", "SYNCING")]),
            server("unknown-no-peer-listed", []),
            server("na-alone-in-its-pod", [], pod="solo.example.test"),
        ]
    )
    assert outcomes(snap, "cs_replication_failing") == {
        "pass": {"pass-replicating"},
        "fail": {"fail-one-peer-error"},
        "unknown": {"unknown-not-reported", "unknown-future-status", "unknown-no-peer-listed"},
        "n/a": {"na-alone-in-its-pod"},
    }
    assert severities(snap, "cs_replication_failing") == {"fail-one-peer-error": "critical"}
    assert_messages_name(
        messages(snap, "cs_replication_failing"),
        {"fail-one-peer-error": ["cs-far", "ERROR", "LDAP bind failed"]},
    )
    assert "cs-peer" not in messages(snap, "cs_replication_failing")["fail-one-peer-error"]


@covers("cs_default_certificate")
def test_cs_default_certificate() -> None:
    snap = fleet_snapshot(
        connection_servers=[
            connection_server("pass-own-certificate", default_certificate=False),
            connection_server("fail-self-signed", default_certificate=True),
            connection_server("unknown-not-said", default_certificate=None),
        ]
    )
    assert outcomes(snap, "cs_default_certificate") == {
        "pass": {"pass-own-certificate"},
        "fail": {"fail-self-signed"},
        "unknown": {"unknown-not-said"},
    }
    assert severities(snap, "cs_default_certificate") == {"fail-self-signed": "warning"}
    assert_messages_name(
        messages(snap, "cs_default_certificate"), {"fail-self-signed": ["self-signed"]}
    )


@covers("pod_cs_versions_differ")
def test_pod_cs_versions_differ() -> None:
    def servers(pod_id: str, *versions: tuple[str | None, str | None]) -> list[ConnectionServer]:
        return [
            connection_server(f"{pod_id}-cs{n}", pod=pod_id, version=version, build=build)
            for n, (version, build) in enumerate(versions, 1)
        ]

    current = ("8.17.0", "24988612")
    snap = fleet_snapshot(
        [vm("desk-1")],
        [machine(vm("desk-1"))],
        connection_servers=[
            *servers(POD, current, current),
            *servers("fail-upgrade-in-progress", ("8.16.0", "24000000"), current, current),
            *servers("fail-build-differs", ("8.17.0", "24988000"), current),
            *servers("na-one-server", current),
            *servers("unknown-version-missing", current, (None, None)),
            *servers("fail-differs-one-missing", ("8.16.0", "1"), current, (None, None)),
        ],
        pods=[
            horizon_pod(),
            horizon_pod("unknown-not-given", connection_servers=NOT_ON_THIS_SERVER),
        ],
    )
    assert outcomes(snap, "pod_cs_versions_differ") == {
        "pass": {POD},
        "fail": {"fail-upgrade-in-progress", "fail-build-differs", "fail-differs-one-missing"},
        "unknown": {"unknown-version-missing", "unknown-not-given"},
        "n/a": {"na-one-server"},
    }
    assert set(severities(snap, "pod_cs_versions_differ").values()) == {"warning"}
    assert_messages_name(
        messages(snap, "pod_cs_versions_differ"),
        {
            "fail-upgrade-in-progress": [
                "2 versions",
                "fail-upgrade-in-progress-cs1 8.16.0",
                "fail-upgrade-in-progress-cs2 8.17.0",
            ],
            "fail-build-differs": ["24988000", "24988612"],
        },
    )
    assert NOT_ON_THIS_SERVER in said(snap, "pod_cs_versions_differ", "unknown-not-given")


# ----------------------------------------------------------------------------------- gateways


@covers("gateway_unhealthy")
def test_gateway_unhealthy() -> None:
    errors = ["BLAST: SERVICE_DOWN"]
    snap = pods_snapshot(
        gateways=[
            gateway("pass-ok"),
            gateway("fail-problem", status="PROBLEM"),
            gateway("fail-stale", status="STALE"),
            gateway("fail-never-contacted", status="NOT_CONTACTED"),
            gateway("fail-service-error", service_errors=errors),
            gateway("fail-stale-and-service-error", status="STALE", service_errors=errors),
            gateway("unknown-no-status", status=None),
            gateway("unknown-future-status", status="NAPPING"),
        ]
    )
    assert outcomes(snap, "gateway_unhealthy") == {
        "pass": {"pass-ok"},
        "fail": {
            "fail-problem",
            "fail-stale",
            "fail-never-contacted",
            "fail-service-error",
            "fail-stale-and-service-error",
        },
        "unknown": {"unknown-no-status", "unknown-future-status"},
    }
    assert severities(snap, "gateway_unhealthy") == {
        "fail-problem": "critical",
        "fail-stale": "warning",
        "fail-never-contacted": "warning",
        "fail-service-error": "critical",
        "fail-stale-and-service-error": "critical",
    }
    assert_messages_name(
        messages(snap, "gateway_unhealthy"),
        {
            "fail-problem": ["PROBLEM"],
            "fail-service-error": ["BLAST: service down"],
            "fail-stale-and-service-error": ["STALE", "BLAST: service down"],
        },
    )


@covers("gateway_certificate_expiring")
def test_gateway_certificate_expiring() -> None:
    def cert(name: str, days: int | None, valid: bool | None = True, **kw: Any) -> Any:
        return gateway(name, certificate_days_left=days, certificate_valid=valid, **kw)

    snap = pods_snapshot(
        gateways=[
            cert("pass-a-year-left", 365),
            cert("pass-exactly-60-days-left", 60),
            cert("fail-45-days-left", 45),
            cert("fail-expires-today", 0),
            cert("fail-expired-3-days-ago", -3, valid=False),
            cert("fail-not-valid", 200, valid=False, certificate_problems=["UNTRUSTED_ISSUER"]),
            cert("fail-not-valid-no-days", None, valid=False),
            cert("unknown-no-days", None),
        ]
    )
    assert outcomes(snap, "gateway_certificate_expiring") == {
        "pass": {"pass-a-year-left", "pass-exactly-60-days-left"},
        "fail": {
            "fail-45-days-left",
            "fail-expires-today",
            "fail-expired-3-days-ago",
            "fail-not-valid",
            "fail-not-valid-no-days",
        },
        "unknown": {"unknown-no-days"},
    }
    assert severities(snap, "gateway_certificate_expiring") == {
        "fail-45-days-left": "warning",
        "fail-expires-today": "critical",
        "fail-expired-3-days-ago": "critical",
        "fail-not-valid": "critical",
        "fail-not-valid-no-days": "critical",
    }
    assert_messages_name(
        messages(snap, "gateway_certificate_expiring"),
        {
            "fail-45-days-left": ["45 day", "60 days"],
            "fail-expired-3-days-ago": ["expired 3 day"],
            "fail-not-valid": ["not valid", "UNTRUSTED_ISSUER"],
        },
    )
    unknown = judged(snap, "gateway_certificate_expiring")["unknown-no-days"]
    assert unknown.message == "Horizon did not report when the gateway's certificate expires"
    shorter = configured("[checks.gateway_certificate_expiring]\nwarning_days = 30\n")
    assert "fail-45-days-left" in outcomes(snap, "gateway_certificate_expiring", shorter)["pass"]


@covers("vcenter_certificate_expiring")
def test_vcenter_certificate_expiring() -> None:
    def link(name: str, days: float | None, valid: bool | None = True, **kw: Any) -> Any:
        valid_to = NOW + timedelta(days=days) if days is not None else None
        values: dict[str, Any] = dict(enabled=True, status="OK")
        values.update(kw)
        return HorizonVCenter(
            POD,
            f"id-{name}",
            name,
            None,
            "8.0.3",
            "1",
            certificate_valid=valid,
            certificate_valid_to=valid_to,
            **values,
        )

    links_seen = [
        link("pass-a-year-left", 365),
        link("fail-30-days-left", 30),
        link("fail-expired", -2, valid=False),
        link("fail-not-trusted", 365, valid=False),
        link("na-disabled", -2, enabled=False),
        link("unknown-no-expiry", None),
    ]
    snap = replace(pods_snapshot(), horizon_vcenters=links_seen)
    assert outcomes(snap, "vcenter_certificate_expiring") == {
        "pass": {"pass-a-year-left"},
        "fail": {"fail-30-days-left", "fail-expired", "fail-not-trusted"},
        "unknown": {"unknown-no-expiry"},
        "n/a": {"na-disabled"},
    }
    assert severities(snap, "vcenter_certificate_expiring") == {
        "fail-30-days-left": "warning",
        "fail-expired": "critical",
        "fail-not-trusted": "warning",
    }
    assert_messages_name(
        messages(snap, "vcenter_certificate_expiring"),
        {
            "fail-30-days-left": ["30 day", "60 days"],
            "fail-expired": ["expired 2 day"],
            "fail-not-trusted": ["not valid"],
        },
    )
    unknown = judged(snap, "vcenter_certificate_expiring")["unknown-no-expiry"]
    assert unknown.message == "Horizon did not report when the vCenter's certificate expires"


# ----------------------------------------------------------------------------- event database


@covers("event_database_not_connected")
def test_event_database_not_connected() -> None:
    names = {
        "pass-connected": "CONNECTED",
        "fail-error": "ERROR",
        "fail-disconnected": "DISCONNECTED",
        "fail-not-configured": "NOT_CONFIGURED",
        "fail-reconnecting": "RECONNECTING",
        "unknown-future-status": "ON_FIRE",
        "unknown-no-status": None,
    }
    databases = [
        event_database(
            name, status=status, error="Login failed for user" if name == "fail-error" else None
        )
        for name, status in names.items()
    ]
    snap = pods_snapshot(
        *(horizon_pod(name) for name in names),
        horizon_pod("unknown-no-record"),
        horizon_pod("unknown-not-given", event_database="HTTP 403 Forbidden"),
        event_databases=[event_database(), *databases],
    )
    assert outcomes(snap, "event_database_not_connected") == {
        "pass": {POD, "pass-connected"},
        "fail": {"fail-error", "fail-disconnected", "fail-not-configured", "fail-reconnecting"},
        "unknown": {
            "unknown-future-status",
            "unknown-no-status",
            "unknown-no-record",
            "unknown-not-given",
        },
    }
    assert severities(snap, "event_database_not_connected") == {
        "fail-error": "warning",
        "fail-disconnected": "warning",
        "fail-not-configured": "warning",
        "fail-reconnecting": "info",
    }
    assert_messages_name(
        messages(snap, "event_database_not_connected"),
        {
            "fail-error": ["ERROR", "Login failed for user", "sql01"],
            "fail-not-configured": ["NOT_CONFIGURED"],
        },
    )
    assert "HTTP 403" in said(snap, "event_database_not_connected", "unknown-not-given")


# --------------------------------------------------------------------------------- AD domains


@covers("ad_domain_unreachable")
def test_ad_domain_unreachable() -> None:
    snap = pods_snapshot(
        ad_domains=[
            ad_domain("pass.example.test"),
            ad_domain(
                "fail-uncontactable.example.test",
                links=[*links("FULLY_ACCESSIBLE", detail="OK"), *links(None, "UNCONTACTABLE")],
            ),
            ad_domain("fail-cannot-bind.example.test", links=links("CANNOT_BIND", "CANNOT_BIND")),
            ad_domain(
                "fail-connection-warns.example.test",
                links=links("FULLY_ACCESSIBLE", detail="WARN"),
            ),
            ad_domain(
                "fail-service-account.example.test",
                domain_type="NO_TRUST_DOMAIN",
                service_accounts=[account("svc-ok", "ACTIVE"), account("svc-horizon", "ERROR")],
            ),
            ad_domain(
                "pass-account-active.example.test",
                service_accounts=[account("svc-ok", "ACTIVE")],
            ),
            ad_domain("unknown-status-unknown.example.test", links=links("UNKNOWN", "UNKNOWN")),
            ad_domain("unknown-no-views.example.test", links=[]),
        ]
    )
    assert outcomes(snap, "ad_domain_unreachable") == {
        "pass": {"pass.example.test", "pass-account-active.example.test"},
        "fail": {
            "fail-uncontactable.example.test",
            "fail-cannot-bind.example.test",
            "fail-connection-warns.example.test",
            "fail-service-account.example.test",
        },
        "unknown": {"unknown-status-unknown.example.test", "unknown-no-views.example.test"},
    }
    assert severities(snap, "ad_domain_unreachable") == {
        "fail-uncontactable.example.test": "critical",
        "fail-cannot-bind.example.test": "warning",
        "fail-connection-warns.example.test": "warning",
        "fail-service-account.example.test": "critical",
    }
    found = messages(snap, "ad_domain_unreachable")
    assert_messages_name(
        found,
        {
            "fail-uncontactable.example.test": ["cs2", "UNCONTACTABLE"],
            "fail-cannot-bind.example.test": ["cs1", "cs2", "CANNOT_BIND"],
            "fail-service-account.example.test": ["svc-horizon", "ERROR"],
        },
    )
    assert "cs1" not in found["fail-uncontactable.example.test"]
    assert "svc-ok" not in found["fail-service-account.example.test"]


# ------------------------------------------------------------------ SAML, True SSO and CPA


@covers("saml_unhealthy")
def test_saml_unhealthy() -> None:
    def pod_with(name: str, *authenticators: Any) -> tuple[HorizonPod, list[Any]]:
        return horizon_pod(name), [replace(a, pod=name) for a in authenticators]

    cases = [
        pod_with("pass-ok", saml("wsone")),
        pod_with(
            "fail-error",
            saml("wsone"),
            saml("okta", links=links("OK", "ERROR", detail="metadata unreachable")),
        ),
        pod_with("fail-warn", saml("wsone", links=links("WARN", "OK"))),
        pod_with(
            "fail-true-sso-trigger-off",
            saml("wsone", trigger_mode="DISABLED", links=links("ERROR", "ERROR")),
        ),
        pod_with("unknown-status-unknown", saml("wsone", links=links("UNKNOWN", "OK"))),
        pod_with("unknown-no-views", saml("wsone", links=[])),
        pod_with("na-none-configured"),
    ]
    snap = pods_snapshot(
        *(p for p, _ in cases),
        horizon_pod("unknown-not-given", saml_authenticators=NOT_ON_THIS_SERVER),
        saml_authenticators=[a for _, found in cases for a in found],
    )
    assert outcomes(snap, "saml_unhealthy") == {
        "pass": {"pass-ok"},
        "fail": {"fail-error", "fail-warn", "fail-true-sso-trigger-off"},
        "unknown": {"unknown-status-unknown", "unknown-no-views", "unknown-not-given"},
        "n/a": {POD, "na-none-configured"},
    }
    assert severities(snap, "saml_unhealthy") == {
        "fail-error": "critical",
        "fail-warn": "warning",
        "fail-true-sso-trigger-off": "critical",
    }
    found = messages(snap, "saml_unhealthy")
    assert_messages_name(found, {"fail-error": ["okta", "cs2", "ERROR", "metadata unreachable"]})
    assert "wsone" not in found["fail-error"]
    assert NOT_ON_THIS_SERVER in said(snap, "saml_unhealthy", "unknown-not-given")


def test_a_saml_error_message_is_said_but_only_its_status_is_judged() -> None:
    # error_message is free text from Horizon (unlike an AD domain's connection_status): a
    # WARN view whose message reads "ERROR" stays a warning, an OK view with one still passes
    warned = saml("wsone", links=links("WARN", "OK", detail="ERROR"))
    snap = pods_snapshot(
        horizon_pod("fail-warn-message-error"),
        saml_authenticators=[replace(warned, pod="fail-warn-message-error")],
    )
    assert severities(snap, "saml_unhealthy") == {"fail-warn-message-error": "warning"}
    assert "(ERROR)" in messages(snap, "saml_unhealthy")["fail-warn-message-error"]
    ok = saml("okta", links=links("OK", "OK", detail="WARN"))
    passing = pods_snapshot(
        horizon_pod("pass-ok"), saml_authenticators=[replace(ok, pod="pass-ok")]
    )
    assert outcomes(passing, "saml_unhealthy")["pass"] == {"pass-ok"}


@covers("true_sso_unhealthy")
def test_true_sso_unhealthy() -> None:
    problems = ["enrollment server es1: CONNECTION_FAILED"]
    connectors = {
        "pass-ok": [true_sso("example.test")],
        "fail-error": [true_sso("example.test", status="ERROR", problems=problems)],
        "fail-warn": [true_sso("example.test", status="WARN")],
        "na-all-disabled": [true_sso("example.test", enabled=False, status="ERROR")],
        "pass-disabled-one-ignored": [
            true_sso("old.example.test", enabled=False, status="ERROR"),
            true_sso("example.test"),
        ],
        "unknown-no-status": [true_sso("example.test", status=None)],
        "na-none-configured": [],
    }
    snap = pods_snapshot(
        *(horizon_pod(name) for name in connectors),
        horizon_pod("unknown-not-given", true_sso="HTTP 500"),
        true_sso=[replace(c, pod=name) for name, found in connectors.items() for c in found],
    )
    assert outcomes(snap, "true_sso_unhealthy") == {
        "pass": {"pass-ok", "pass-disabled-one-ignored"},
        "fail": {"fail-error", "fail-warn"},
        "unknown": {"unknown-no-status", "unknown-not-given"},
        "n/a": {POD, "na-all-disabled", "na-none-configured"},
    }
    assert severities(snap, "true_sso_unhealthy") == {
        "fail-error": "critical",
        "fail-warn": "warning",
    }
    assert_messages_name(
        messages(snap, "true_sso_unhealthy"),
        {"fail-error": ["example.test", "ERROR", "CONNECTION_FAILED"]},
    )


@covers("cpa_endpoint_down")
def test_cpa_endpoint_down() -> None:
    federations = {
        "pass-all-online": [federated("east", "ONLINE", "ONLINE"), federated("west", "ONLINE")],
        "fail-one-offline": [federated("east", "ONLINE", "OFFLINE")],
        "fail-a-pod-all-offline": [
            federated("east", "ONLINE"),
            federated("west", "OFFLINE", "OFFLINE"),
        ],
        "fail-unchecked": [federated("east", "ONLINE", "UNCHECKED")],
        "pass-disabled-offline-ignored": [federated("east", "ONLINE", "OFFLINE", disabled=[1])],
        "unknown-future-status": [federated("east", "ONLINE", "SLEEPY")],
        "unknown-all-disabled": [federated("east", "ONLINE", disabled=[0])],
        "na-not-federated": [],
    }
    snap = pods_snapshot(
        *(horizon_pod(name) for name in federations),
        horizon_pod("unknown-not-given", federation_pods=NOT_ON_THIS_SERVER),
        federation_pods=[
            replace(member, pod=name) for name, found in federations.items() for member in found
        ],
    )
    assert outcomes(snap, "cpa_endpoint_down") == {
        "pass": {"pass-all-online", "pass-disabled-offline-ignored"},
        "fail": {"fail-one-offline", "fail-a-pod-all-offline", "fail-unchecked"},
        "unknown": {"unknown-future-status", "unknown-all-disabled", "unknown-not-given"},
        "n/a": {POD, "na-not-federated"},
    }
    assert severities(snap, "cpa_endpoint_down") == {
        "fail-one-offline": "warning",
        "fail-a-pod-all-offline": "critical",
        "fail-unchecked": "info",
    }
    found = messages(snap, "cpa_endpoint_down")
    assert_messages_name(
        found,
        {
            "fail-one-offline": ["east", "east-cs2", "OFFLINE"],
            "fail-a-pod-all-offline": ["west", "every endpoint", "west-cs1", "west-cs2"],
            "fail-unchecked": ["east-cs2", "UNCHECKED"],
        },
    )
    assert "east" not in found["fail-a-pod-all-offline"]


# ------------------------------------------------------------------------------------ licence


@covers("licence_expiring")
def test_licence_expiring() -> None:
    licences = {
        "pass-a-year-left": licence(),
        "fail-not-licensed": licence(licensed=False),
        "fail-health-red": licence(health="RED"),
        "fail-expired-2-days-ago": licence(expires=NOW - timedelta(days=2), health=None),
        "fail-45-days-left": licence(expires=NOW + timedelta(days=45)),
        "fail-health-yellow": licence(health="YELLOW"),
        "pass-perpetual": licence(mode="DEFAULT", expires=None, health=None),
        "pass-green-no-expiry": licence(expires=None),
        "unknown-subscription-no-expiry": licence(expires=None, health=None),
    }
    snap = pods_snapshot(
        *(horizon_pod(name) for name in licences),
        horizon_pod("unknown-no-licence"),
        horizon_pod("unknown-not-given", licenses=NOT_ON_THIS_SERVER),
        licenses=[replace(lic, pod=name) for name, lic in licences.items()],
    )
    assert outcomes(snap, "licence_expiring") == {
        "pass": {"pass-a-year-left", "pass-perpetual", "pass-green-no-expiry"},
        "fail": {
            "fail-not-licensed",
            "fail-health-red",
            "fail-expired-2-days-ago",
            "fail-45-days-left",
            "fail-health-yellow",
        },
        "unknown": {
            POD,
            "unknown-subscription-no-expiry",
            "unknown-no-licence",
            "unknown-not-given",
        },
    }
    assert severities(snap, "licence_expiring") == {
        "fail-not-licensed": "critical",
        "fail-health-red": "critical",
        "fail-expired-2-days-ago": "critical",
        "fail-45-days-left": "warning",
        "fail-health-yellow": "warning",
    }
    assert_messages_name(
        messages(snap, "licence_expiring"),
        {
            "fail-not-licensed": ["not licensed"],
            "fail-health-red": ["expired", "RED"],
            "fail-expired-2-days-ago": ["expired", "2 days"],
            "fail-45-days-left": ["45 days", "60 days"],
            "fail-health-yellow": ["YELLOW"],
        },
    )
    assert NOT_ON_THIS_SERVER in said(snap, "licence_expiring", "unknown-not-given")


@covers("licence_usage_high")
def test_licence_usage_high() -> None:
    licences = {
        "use-40": licence(highest_concurrent=40),
        "use-90": licence(highest_concurrent=90),
        "use-120": licence(highest_concurrent=120),
        "named-95": licence(
            usage_model="NAMED_USER",
            edition="HORIZON_ENTERPRISE_NAMED_USER",
            highest_concurrent=10,
            highest_named_users=95,
        ),
        "no-usage": licence(highest_concurrent=None),
    }
    snap = pods_snapshot(
        *(horizon_pod(name) for name in licences),
        horizon_pod("usage-not-given", license_usage=NOT_ON_THIS_SERVER),
        licenses=[
            *(replace(lic, pod=name) for name, lic in licences.items()),
            licence("usage-not-given"),
        ],
    )
    every_pod = {POD, *licences, "usage-not-given"}
    # Horizon does not report the licensed count: unknown until it is set.
    assert outcomes(snap, "licence_usage_high") == {"unknown": every_pod}
    assert "licensed_users" in said(snap, "licence_usage_high", "use-40")

    bought = configured("[checks.licence_usage_high]\nlicensed_users = 100\n")
    assert outcomes(snap, "licence_usage_high", bought) == {
        "pass": {"use-40"},
        "fail": {"use-90", "use-120", "named-95"},
        "unknown": {POD, "no-usage", "usage-not-given"},
    }
    assert severities(snap, "licence_usage_high", bought) == {
        "use-90": "warning",
        "use-120": "critical",
        "named-95": "warning",
    }
    assert_messages_name(
        messages(snap, "licence_usage_high", bought),
        {
            "use-90": ["90 concurrent connections", "100 licensed", "90%"],
            "use-120": ["120", "120%"],
            "named-95": ["95 named users"],
        },
    )
    assert NOT_ON_THIS_SERVER in said(snap, "licence_usage_high", "usage-not-given", bought)
    higher = configured("[checks.licence_usage_high]\nlicensed_users = 100\nwarning_percent = 95\n")
    assert outcomes(snap, "licence_usage_high", higher)["pass"] == {"use-40", "use-90"}


# ----------------------------------------------------------------------------------- capacity


def inferred_pool(name: str = "na-inferred") -> DesktopPool:
    return pool(name, pod="inferred", kind="inferred", type=None, source=None)


def pools_snapshot(*pools: DesktopPool, machines: Iterable[Machine] = (), **kw: Any) -> Snapshot:
    """A snapshot whose Horizon source answered, with ``pools`` and their ``machines``."""
    listed = list(machines)
    return fleet_snapshot([], listed or [machine(None, "none", name="m-0")], list(pools), **kw)


def inferred_only(failed: bool) -> Snapshot:
    """A vCenter-only snapshot with an inferred pool; its Horizon source failed or none."""
    snap = fleet_snapshot([vm("desk-1")], pools=[inferred_pool()])
    if failed:
        snap = replace(snap, sources=[*snap.sources, failed_horizon_source()])
    return snap


CAPACITY_POOL_CHECKS = [
    "pool_disabled",
    "pool_provisioning_halted",
    "pool_near_maximum",
    "pool_spares_short",
    "farm_unhealthy",
    "pool_disconnect_policy",
]


@pytest.mark.parametrize("check_id", CAPACITY_POOL_CHECKS)
def test_an_inferred_pool_has_no_horizon_settings(check_id: str) -> None:
    assert outcomes(inferred_only(failed=False), check_id) == {"n/a": {"na-inferred"}}
    assert outcomes(inferred_only(failed=True), check_id) == {"unknown": {"na-inferred"}}


COMPONENT_CHECKS = [
    "cs_replication_failing",
    "cs_default_certificate",
    "pod_cs_versions_differ",
    "gateway_unhealthy",
    "gateway_certificate_expiring",
    "vcenter_certificate_expiring",
    "event_database_not_connected",
    "ad_domain_unreachable",
    "saml_unhealthy",
    "true_sso_unhealthy",
    "cpa_endpoint_down",
    "licence_expiring",
    "licence_usage_high",
]


@pytest.mark.parametrize("check_id", COMPONENT_CHECKS)
def test_a_vcenter_only_snapshot_has_no_horizon_components(check_id: str) -> None:
    assert outcomes(inferred_only(failed=False), check_id) == {}
    assert outcomes(inferred_only(failed=True), check_id) == {}


def test_rds_host_session_limit_without_horizon() -> None:
    vcenter_only = fleet_snapshot([vm("desk-1")])
    assert outcomes(vcenter_only, "rds_host_session_limit") == {"n/a": {"desk-1"}}
    horizon_failed = replace(vcenter_only, sources=[*vcenter_only.sources, failed_horizon_source()])
    assert outcomes(horizon_failed, "rds_host_session_limit") == {"unknown": {"desk-1"}}


@covers("pool_disabled")
def test_pool_disabled() -> None:
    snap = pools_snapshot(
        pool("pass-enabled"),
        pool("fail-disabled", enabled=False),
        farm("fail-farm-disabled", enabled=False),
        pool("unknown-not-said", enabled=None),
    )
    assert outcomes(snap, "pool_disabled") == {
        "pass": {"pass-enabled"},
        "fail": {"fail-disabled", "fail-farm-disabled"},
        "unknown": {"unknown-not-said"},
    }
    assert severities(snap, "pool_disabled") == {
        "fail-disabled": "warning",
        "fail-farm-disabled": "warning",
    }
    assert_messages_name(
        messages(snap, "pool_disabled"),
        {"fail-disabled": ["pool is disabled"], "fail-farm-disabled": ["farm is disabled"]},
    )
    # the report's pool table and its exports say it as Horizon does, unknown included
    assert {row.name: row.enabled for row in build_report(snap).pools} == {
        "pass-enabled": True,
        "fail-disabled": False,
        "fail-farm-disabled": False,
        "unknown-not-said": None,
    }


@covers("pool_provisioning_halted")
def test_pool_provisioning_halted() -> None:
    snap = pools_snapshot(
        pool("pass-provisioning"),
        farm("pass-farm-provisioning"),
        pool("fail-off", provisioning_enabled=False),
        pool(
            "fail-halted-on-error",
            provisioning_enabled=False,
            last_provisioning_error="Customization failed: domain join timed out",
        ),
        pool("na-manual", type="MANUAL", source="UNMANAGED", provisioning_enabled=None),
        pool("na-rds-desktop-pool", type="RDS", farm_id="farm-1", provisioning_enabled=None),
        farm("na-manual-farm", source=None, provisioning_enabled=None),
        pool("unknown-not-said", provisioning_enabled=None),
    )
    assert outcomes(snap, "pool_provisioning_halted") == {
        "pass": {"pass-provisioning", "pass-farm-provisioning"},
        "fail": {"fail-off", "fail-halted-on-error"},
        "unknown": {"unknown-not-said"},
        "n/a": {"na-manual", "na-rds-desktop-pool", "na-manual-farm"},
    }
    assert severities(snap, "pool_provisioning_halted") == {
        "fail-off": "warning",
        "fail-halted-on-error": "critical",
    }
    assert_messages_name(
        messages(snap, "pool_provisioning_halted"),
        {"fail-halted-on-error": ["stopped on an error", "domain join timed out"]},
    )


def in_pool(pool_id: str, *states: str, **overrides: Any) -> list[Machine]:
    """Machines (no VM) of ``pool_id``, one per state."""
    return [
        machine(None, pool_id, name=f"{pool_id}-m{n}", state=state, **overrides)
        for n, state in enumerate(states, 1)
    ]


@covers("pool_near_maximum")
def test_pool_near_maximum() -> None:
    full_in_use = in_pool("fail-full-none-ready", "CONNECTED", "CONNECTED")
    full_one_ready = in_pool("fail-full-one-ready", "CONNECTED", "AVAILABLE")
    counted = in_pool("pass-counted-from-machines", "AVAILABLE")
    snap = pools_snapshot(
        pool("pass-half-full", max_machines=100, machine_count=50),
        pool("fail-90-percent", max_machines=100, machine_count=90),
        pool("fail-full-none-ready", max_machines=2, machine_count=2),
        pool("fail-full-one-ready", max_machines=2, machine_count=2),
        pool("pass-counted-from-machines", max_machines=10),
        pool("unknown-no-maximum", machine_count=5),
        pool("unknown-no-count", max_machines=10),
        farm("fail-farm-full", max_machines=4, machine_count=4),
        pool("na-manual", type="MANUAL", machine_count=5),
        farm("na-manual-farm", source=None, provisioning_enabled=None, machine_count=3),
        machines=[*full_in_use, *full_one_ready, *counted],
    )
    assert outcomes(snap, "pool_near_maximum") == {
        "pass": {"pass-half-full", "pass-counted-from-machines"},
        "fail": {
            "fail-90-percent",
            "fail-full-none-ready",
            "fail-full-one-ready",
            "fail-farm-full",
        },
        "unknown": {"unknown-no-maximum", "unknown-no-count"},
        "n/a": {"na-manual", "na-manual-farm"},
    }
    assert severities(snap, "pool_near_maximum") == {
        "fail-90-percent": "warning",
        "fail-farm-full": "warning",
        "fail-full-none-ready": "critical",
        "fail-full-one-ready": "warning",
    }
    assert_messages_name(
        messages(snap, "pool_near_maximum"),
        {
            "fail-90-percent": ["90 of 100", "90%"],
            "fail-full-none-ready": ["2 of 2", "none ready"],
            "fail-full-one-ready": ["1 ready"],
            "fail-farm-full": ["4 of 4", "no RDS host"],
        },
    )
    assert "1 of 10" in said(snap, "pool_near_maximum", "pass-counted-from-machines")
    higher = configured("[checks.pool_near_maximum]\nwarning_percent = 95\n")
    assert "fail-90-percent" in outcomes(snap, "pool_near_maximum", higher)["pass"]


@covers("pool_spares_short")
def test_pool_spares_short() -> None:
    def sized(name: str, maximum: int, spares: int | None, count: int, **kw: Any) -> DesktopPool:
        return pool(name, max_machines=maximum, spare_machines=spares, machine_count=count, **kw)

    busy = in_pool("fail-not-keeping-spares", "CONNECTED", "CONNECTED", "CONNECTED")
    building = in_pool("pass-spares-being-built", "CONNECTED", "PROVISIONING", "AVAILABLE")
    assigned = in_pool("fail-ready-but-assigned", "AVAILABLE", "AVAILABLE", user_names=["u"])
    off = in_pool("pass-short-provisioning-off", "CONNECTED")
    snap = pools_snapshot(
        sized("pass-enough", 100, 5, 100),
        sized("fail-setting-low", 100, 3, 100),
        sized("fail-setting-below-two", 20, 1, 20),
        sized("pass-one-machine-pool", 1, 1, 1),
        sized("fail-not-keeping-spares", 10, 2, 3),
        sized("pass-spares-being-built", 10, 2, 3),
        sized("fail-ready-but-assigned", 10, 2, 2),
        sized("pass-short-provisioning-off", 10, 2, 1, provisioning_enabled=False),
        sized("unknown-no-spares", 10, None, 3),
        pool("na-manual", type="MANUAL"),
        farm("na-farm"),
        machines=[*busy, *building, *assigned, *off],
    )
    assert outcomes(snap, "pool_spares_short") == {
        "pass": {
            "pass-enough",
            "pass-one-machine-pool",
            "pass-spares-being-built",
            "pass-short-provisioning-off",
        },
        "fail": {
            "fail-setting-low",
            "fail-setting-below-two",
            "fail-not-keeping-spares",
            "fail-ready-but-assigned",
        },
        "unknown": {"unknown-no-spares"},
        "n/a": {"na-manual", "na-farm"},
    }
    assert severities(snap, "pool_spares_short") == {
        "fail-setting-low": "warning",
        "fail-setting-below-two": "warning",
        "fail-not-keeping-spares": "info",
        "fail-ready-but-assigned": "info",
    }
    assert_messages_name(
        messages(snap, "pool_spares_short"),
        {
            "fail-setting-low": ["3 spare", "below 5", "5%"],
            "fail-setting-below-two": ["1 spare", "below 2"],
            "fail-not-keeping-spares": ["0 machine(s) ready", "2 spare"],
        },
    )
    fewer = configured("[checks.pool_spares_short]\nspare_percent = 3\n")
    assert "fail-setting-low" in outcomes(snap, "pool_spares_short", fewer)["pass"]


@covers("farm_unhealthy")
def test_farm_unhealthy() -> None:
    snap = pools_snapshot(
        farm("pass-ok"),
        farm("fail-error", health="ERROR"),
        farm("fail-warning", health="WARNING"),
        farm("fail-missing-apps", missing_applications=["Excel", "Visio"]),
        farm("fail-error-and-missing", health="ERROR", missing_applications=["Excel"]),
        farm("na-disabled", health="DISABLED", enabled=False),
        farm("unknown-no-status", health=None),
        farm("unknown-future-status", health="SULKING"),
        farm("unknown-not-given", health=None, pod="pod-old.example.test"),
        pool("na-desktop-pool"),
        pods=[horizon_pod(), horizon_pod("pod-old.example.test", farms_monitor=NOT_ON_THIS_SERVER)],
    )
    assert outcomes(snap, "farm_unhealthy") == {
        "pass": {"pass-ok"},
        "fail": {"fail-error", "fail-warning", "fail-missing-apps", "fail-error-and-missing"},
        "unknown": {"unknown-no-status", "unknown-future-status", "unknown-not-given"},
        "n/a": {"na-disabled", "na-desktop-pool"},
    }
    assert severities(snap, "farm_unhealthy") == {
        "fail-error": "critical",
        "fail-warning": "warning",
        "fail-missing-apps": "warning",
        "fail-error-and-missing": "critical",
    }
    assert_messages_name(
        messages(snap, "farm_unhealthy"),
        {
            "fail-error": ["ERROR"],
            "fail-missing-apps": ["Excel", "Visio"],
            "fail-error-and-missing": ["ERROR", "Excel"],
        },
    )
    assert NOT_ON_THIS_SERVER in said(snap, "farm_unhealthy", "unknown-not-given")


@covers("rds_host_session_limit")
def test_rds_host_session_limit() -> None:
    desktop = vm("na-desktop")
    hosts = [
        rds_host("pass-10-of-20"),
        rds_host("fail-18-of-20", session_count=18),
        rds_host("fail-20-of-20", session_count=20),
        rds_host("na-unlimited", max_sessions_type="UNLIMITED", max_sessions=None),
        rds_host("na-unconfigured", max_sessions_type="UNCONFIGURED", max_sessions=None),
        rds_host("unknown-no-count", session_count=None),
        rds_host("unknown-no-type", max_sessions_type=None),
    ]
    snap = fleet_snapshot(
        [desktop],
        [machine(desktop), *hosts],
        [pool(), farm("farm-1")],
    )
    assert outcomes(snap, "rds_host_session_limit") == {
        "pass": {"pass-10-of-20"},
        "fail": {"fail-18-of-20", "fail-20-of-20"},
        "unknown": {"unknown-no-count", "unknown-no-type"},
        "n/a": {"na-desktop", "na-unlimited", "na-unconfigured"},
    }
    assert severities(snap, "rds_host_session_limit") == {
        "fail-18-of-20": "warning",
        "fail-20-of-20": "warning",
    }
    assert_messages_name(
        messages(snap, "rds_host_session_limit"),
        {"fail-18-of-20": ["18 of 20", "90%"], "fail-20-of-20": ["20 of 20", "100%"]},
    )
    higher = configured("[checks.rds_host_session_limit]\nwarning_percent = 95\n")
    assert "fail-18-of-20" in outcomes(snap, "rds_host_session_limit", higher)["pass"]


@covers("pool_disconnect_policy")
def test_pool_disconnect_policy() -> None:
    def policy(name: str, value: str | None, minutes: int | None = None, **kw: Any) -> Any:
        return pool(
            name,
            disconnected_session_policy=value,
            disconnected_session_timeout_minutes=minutes,
            **kw,
        )

    snap = pools_snapshot(
        policy("pass-immediately", "IMMEDIATELY"),
        policy("pass-after-8-hours", "AFTER", 480),
        policy("fail-never", "NEVER"),
        farm("fail-farm-never", disconnected_session_policy="NEVER"),
        policy("fail-after-a-day", "AFTER", 1440),
        policy("unknown-after-no-minutes", "AFTER"),
        policy("unknown-not-reported", None),
        policy("unknown-future-policy", "WHEN_IT_RAINS"),
        policy("na-rds-desktop-pool", None, type="RDS", farm_id="farm-1"),
    )
    assert outcomes(snap, "pool_disconnect_policy") == {
        "pass": {"pass-immediately", "pass-after-8-hours"},
        "fail": {"fail-never", "fail-farm-never", "fail-after-a-day"},
        "unknown": {"unknown-after-no-minutes", "unknown-not-reported", "unknown-future-policy"},
        "n/a": {"na-rds-desktop-pool"},
    }
    assert severities(snap, "pool_disconnect_policy") == {
        "fail-never": "warning",
        "fail-farm-never": "warning",
        "fail-after-a-day": "info",
    }
    assert_messages_name(
        messages(snap, "pool_disconnect_policy"),
        {"fail-never": ["never logged off"], "fail-after-a-day": ["1440 minutes", "8 hours"]},
    )
    longer = configured("[checks.pool_disconnect_policy]\nlongest_minutes = 1440\n")
    assert "fail-after-a-day" in outcomes(snap, "pool_disconnect_policy", longer)["pass"]


def test_sessions_do_not_make_a_machine_ready() -> None:
    """A machine in AVAILABLE state with a session on it is not a spare (pool_spares_short)."""
    machines = in_pool("fail-held", "AVAILABLE", "AVAILABLE")
    snap = pools_snapshot(
        pool("fail-held", max_machines=10, spare_machines=2, machine_count=2),
        machines=machines,
        sessions=[session(m) for m in machines],
    )
    assert outcomes(snap, "pool_spares_short") == {"fail": {"fail-held"}}
