"""Turn Horizon's monitoring of the components around the desktops into snapshot records.

AD domains, SAML authenticators, True SSO connectors, Cloud Pod Architecture pods, the
licence and farm health, from the monitor and config lists of any version from 2111 to 2512.
Untrusted input as in ``records``: wrong types become None, enum values are kept verbatim.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from fleetreport.collect.horizon.records import dig, epoch_ms, flag, text, whole
from fleetreport.snapshot.model import (
    AdDomain,
    ComponentLink,
    DesktopPool,
    FederationPod,
    HorizonLicense,
    PodEndpoint,
    SamlAuthenticator,
    ServiceAccount,
    TrueSso,
)


def _objects(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a JSON list; nothing when the server sent something else."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _per_server(record: Any) -> list[Mapping[str, Any]]:
    """Per Connection Server entries: ``connection_servers_v3`` (newer versions) or
    ``connection_servers`` (older)."""
    return _objects(dig(record, "connection_servers_v3")) or _objects(
        dig(record, "connection_servers")
    )


def ad_domain(pod: str, record: Any) -> AdDomain:
    """monitor ad-domains v1-v4; the monitor list has no id, so the DNS name serves as one."""
    dns_name = text(record, "dns_name") or ""
    return AdDomain(
        pod=pod,
        id=dns_name,
        dns_name=dns_name,
        netbios_name=text(record, "netbios_name"),
        domain_type=text(record, "domain_type"),
        links=[
            ComponentLink(
                server=text(cs, "name") or text(cs, "id") or "",
                status=text(cs, "status"),
                detail=text(cs, "connection_status"),
            )
            for cs in _per_server(record)
        ],
        service_accounts=[
            ServiceAccount(user_name=text(a, "username") or "", status=text(a, "status"))
            for a in _objects(dig(record, "service_accounts"))
        ],
    )


def saml_authenticator(pod: str, record: Any) -> SamlAuthenticator:
    """monitor saml-authenticators v1-v4 (``trigger_mode`` and error messages from v3)."""
    return SamlAuthenticator(
        pod=pod,
        id=text(record, "id") or "",
        label=text(record, "details.label") or text(record, "id") or "",
        trigger_mode=text(record, "details.trigger_mode"),
        links=[
            ComponentLink(
                server=text(cs, "name") or text(cs, "id") or "",
                status=text(cs, "status"),
                detail=text(cs, "error_message") or None,
            )
            for cs in _per_server(record)
        ],
    )


def _reasons(record: Any, *paths: str) -> list[str]:
    """State reasons in words (``CONNECTION_FAILED`` -> ``connection failed``), each once."""
    found: list[str] = []
    for path in paths:
        value = dig(record, path)
        for reason in value if isinstance(value, list) else []:
            if isinstance(reason, str) and reason.strip():
                words = reason.strip().replace("_", " ").lower()
                if words not in found:
                    found.append(words)
    return found


def _problem(what: str, status: str | None, reasons: list[str]) -> list[str]:
    """``what: STATUS (reasons)`` when ``status`` is not OK; nothing when it is."""
    if status is None or status == "OK":
        return []
    return [f"{what}: {status}" + (f" ({', '.join(reasons)})" if reasons else "")]


def true_sso_problems(record: Any) -> list[str]:
    """What is not OK in a True SSO connector: its domain, template, certificate servers and
    enrollment servers, with the reasons monitor v2 gives."""
    domain = text(record, "ad_domain_dns_name") or "AD domain"
    problems = _problem(
        f"AD domain {domain}",
        text(record, "ad_domain_status"),
        _reasons(
            record,
            "ad_domain_primary_enrollment_server_state_reasons",
            "ad_domain_secondary_enrollment_server_state_reasons",
        ),
    )
    problems += _problem(
        f"template {text(record, 'template_name') or '?'}",
        text(record, "template_status"),
        _reasons(
            record,
            "template_primary_enrollment_server_state_reasons",
            "template_secondary_enrollment_server_state_reasons",
        ),
    )
    for server in _objects(dig(record, "certificate_server_details")):
        problems += _problem(
            f"certificate server {text(server, 'name') or '?'}",
            text(server, "status"),
            _reasons(
                server,
                "primary_enrollment_server_state_reasons",
                "secondary_enrollment_server_state_reasons",
            ),
        )
    for role in ("primary", "secondary"):
        server = dig(record, f"{role}_enrollment_server")
        problems += _problem(
            f"{role} enrollment server {text(server, 'dns_name') or '?'}",
            text(server, "status"),
            _reasons(server, "state_reasons"),
        )
    return problems


def true_sso(pod: str, record: Any) -> TrueSso:
    """monitor true-sso v1-v2 (state reasons from v2)."""
    return TrueSso(
        pod=pod,
        id=text(record, "id") or "",
        name=text(record, "name") or text(record, "ad_domain_dns_name") or "",
        enabled=flag(record, "enabled"),
        status=text(record, "status"),
        problems=true_sso_problems(record),
    )


def federation_pod(pod: str, record: Any) -> FederationPod:
    """monitor pods v1-v2: a pod of the Cloud Pod Architecture federation and its endpoints."""
    return FederationPod(
        pod=pod,
        id=text(record, "id") or "",
        name=text(record, "name") or text(record, "id") or "",
        site=text(record, "site_id"),
        endpoints=[
            PodEndpoint(
                name=text(e, "name") or text(e, "id") or "",
                url=text(e, "url"),
                enabled=flag(e, "enabled"),
                status=text(e, "status"),
            )
            for e in _objects(dig(record, "endpoints"))
        ],
    )


def horizon_license(pod: str, record: Any, usage: Any) -> HorizonLicense:
    """config licenses v1-v4 with monitor licenses/usage-metrics v1.

    ``license_key`` is dropped before anything else is read: it never reaches a snapshot.
    The expiry is ``expiration_time``, else the subscription's ``subscription_slice_expiry``.
    """
    if isinstance(record, Mapping):  # dropped at once, whatever happens below
        record = {key: value for key, value in record.items() if key != "license_key"}
    return HorizonLicense(
        pod=pod,
        licensed=flag(record, "licensed"),
        mode=text(record, "license_mode"),
        edition=text(record, "license_edition"),
        usage_model=text(record, "usage_model"),
        expires=epoch_ms(record, "expiration_time")
        or epoch_ms(record, "subscription_slice_expiry"),
        health=text(record, "license_health"),
        current_concurrent=whole(usage, "current_usage.total_concurrent_connections"),
        highest_concurrent=whole(usage, "highest_usage.total_concurrent_connections"),
        current_named_users=whole(usage, "current_usage.total_named_users"),
        highest_named_users=whole(usage, "highest_usage.total_named_users"),
    )


def with_farm_health(pool: DesktopPool, monitor: Any) -> DesktopPool:
    """A farm with its monitor farms status and missing applications (v2) added."""
    missing = [
        text(app, "name") or text(app, "executable_path") or text(app, "id") or ""
        for app in _objects(dig(monitor, "missing_application_infos"))
    ]
    return replace(pool, health=text(monitor, "status"), missing_applications=missing)
