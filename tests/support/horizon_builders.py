"""Builders for Horizon component records (gateways, AD domains, SAML, True SSO, CPA, licences,
farms, RDS hosts): each healthy by default, so that a test changes only what it is about."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from fleetreport.snapshot.model import (
    AdDomain,
    ComponentLink,
    DesktopPool,
    EventDatabase,
    FederationPod,
    Gateway,
    HorizonLicense,
    HorizonPod,
    Machine,
    PodEndpoint,
    SamlAuthenticator,
    ServiceAccount,
    TrueSso,
)
from support.fleet_builders import NOW, POD, machine, pool

SERVERS = ("cs1", "cs2")
"""The Connection Servers whose views component records carry by default."""


def horizon_pod(pod_id: str = POD, **skipped: str) -> HorizonPod:
    """A pod that answered; ``skipped`` names collections it did not give, and why."""
    return HorizonPod(id=pod_id, url=f"https://{pod_id}/rest", skipped=dict(skipped))


def gateway(name: str, pod: str = POD, **overrides: Any) -> Gateway:
    """A UAG whose status is OK and whose certificate has a year left."""
    values: dict[str, Any] = dict(
        pod=pod,
        id=f"gw-{name}",
        name=name,
        status="OK",
        type="UAG",
        version="2512",
        certificate_valid=True,
        certificate_days_left=365,
    )
    values.update(overrides)
    return Gateway(**values)


def event_database(pod: str = POD, **overrides: Any) -> EventDatabase:
    """A connected SQL Server event database."""
    values: dict[str, Any] = dict(
        pod=pod, status="CONNECTED", server_name="sql01", database_name="horizon_events"
    )
    values.update(overrides)
    return EventDatabase(**values)


def links(*statuses: str | None, detail: str | None = None) -> list[ComponentLink]:
    """One view per status, from cs1, cs2, ... in turn."""
    return [ComponentLink(f"cs{n}", status, detail) for n, status in enumerate(statuses, start=1)]


def ad_domain(dns_name: str, pod: str = POD, **overrides: Any) -> AdDomain:
    """A domain both Connection Servers reach and bind to."""
    values: dict[str, Any] = dict(
        pod=pod,
        id=f"dom-{dns_name}",
        dns_name=dns_name,
        netbios_name=dns_name.split(".")[0].upper(),
        domain_type="CONNECTION_SERVER_DOMAIN",
        links=[ComponentLink(server, "FULLY_ACCESSIBLE", "OK") for server in SERVERS],
    )
    values.update(overrides)
    return AdDomain(**values)


def account(user_name: str, status: str | None) -> ServiceAccount:
    """A service account of an untrusted domain."""
    return ServiceAccount(user_name, status)


def saml(label: str, pod: str = POD, **overrides: Any) -> SamlAuthenticator:
    """A Workspace ONE Access authenticator both servers reach."""
    values: dict[str, Any] = dict(
        pod=pod,
        id=f"saml-{label}",
        label=label,
        trigger_mode="ENABLE_IF_NO_PASSWORD",
        links=links("OK", "OK"),
    )
    values.update(overrides)
    return SamlAuthenticator(**values)


def true_sso(name: str, pod: str = POD, **overrides: Any) -> TrueSso:
    """An enabled True SSO connector whose status is OK."""
    values: dict[str, Any] = dict(pod=pod, id=f"tsso-{name}", name=name, enabled=True, status="OK")
    values.update(overrides)
    return TrueSso(**values)


def federated(
    name: str, *statuses: str | None, reported_by: str = POD, disabled: Iterable[int] = ()
) -> FederationPod:
    """A federation pod with one endpoint per status (``disabled``: their 0-based indexes)."""
    off = set(disabled)
    endpoints = [
        PodEndpoint(f"{name}-cs{n}", f"https://{name}-cs{n}", n - 1 not in off, status)
        for n, status in enumerate(statuses, start=1)
    ]
    return FederationPod(reported_by, f"id-{name}", name, "site-1", endpoints)


def licence(pod: str = POD, **overrides: Any) -> HorizonLicense:
    """A concurrent-user subscription licence with a year left, healthy, lightly used."""
    values: dict[str, Any] = dict(
        pod=pod,
        licensed=True,
        mode="SUBSCRIPTION",
        edition="HORIZON_ENTERPRISE_CONCURRENT_USER",
        usage_model="CONCURRENT_USER",
        expires=NOW + timedelta(days=365),
        health="GREEN",
        current_concurrent=10,
        highest_concurrent=40,
        current_named_users=None,
        highest_named_users=None,
    )
    values.update(overrides)
    return HorizonLicense(**values)


def farm(farm_id: str, **overrides: Any) -> DesktopPool:
    """A healthy automated instant-clone RDS farm (every farm's type is ``RDS``, as collected)."""
    values: dict[str, Any] = dict(kind="farm", type="RDS", health="OK")
    values.update(overrides)
    return pool(farm_id, **values)


def rds_host(name: str, farm_id: str = "farm-1", **overrides: Any) -> Machine:
    """An RDS host of ``farm_id`` (no VM joined) with 10 of a LIMITED 20 sessions."""
    values: dict[str, Any] = dict(
        kind="rds_server",
        session_count=10,
        max_sessions=20,
        max_sessions_type="LIMITED",
    )
    values.update(overrides)
    return machine(None, farm_id, name=name, **values)
