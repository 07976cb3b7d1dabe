"""Horizon component checks: the Connection Servers' replication and certificates, gateways,
Horizon's view of its vCenters, the event database, AD domains, SAML, True SSO, Cloud Pod
Architecture and the licence. Statuses are those of the 2512 spec's monitor schemas, named in
each rationale; a collection a pod did not give (``HorizonPod.skipped``) makes its checks
unknown, a component that is not configured makes them not applicable."""

from __future__ import annotations

import math
from collections.abc import Iterable

from fleetreport.health.catalogue import Category, Limits, SubjectKind, check
from fleetreport.health.fleet import FleetView, agent_version_key, describe_age, describe_limit
from fleetreport.health.results import (
    Outcome,
    Severity,
    failed,
    not_applicable,
    passed,
    unknown,
)
from fleetreport.snapshot.model import (
    AdDomain,
    ComponentLink,
    ConnectionServer,
    Gateway,
    HorizonLicense,
    HorizonPod,
    HorizonVCenter,
)

INFRASTRUCTURE = Category.INFRASTRUCTURE

# Collection keys (``HorizonPod.skipped``) of the optional Horizon collections these checks read.
CONNECTION_SERVERS = "connection_servers"
EVENT_DATABASE = "event_database"
AD_DOMAINS = "ad_domains"
SAML_AUTHENTICATORS = "saml_authenticators"
TRUE_SSO = "true_sso"
FEDERATION_PODS = "federation_pods"
LICENSES = "licenses"
LICENSE_USAGE = "license_usage"


def missing_collection(fleet: FleetView, pod: str, *keys: str) -> Outcome | None:
    """Unknown when the pod did not give one of the collections ``keys`` (the reason is
    Horizon's: ``not on this server`` for an endpoint its version lacks); else None."""
    skipped = fleet.pods_by_id[pod].skipped if pod in fleet.pods_by_id else {}
    for key in keys:
        if key in skipped:
            return unknown(f"Horizon did not give {key.replace('_', ' ')}: {skipped[key]}")
    return None


def _worst(found: Iterable[tuple[Severity, str]]) -> Outcome | None:
    """A failure at the worst severity found, naming every problem; None when none."""
    problems = list(found)
    if not problems:
        return None
    worst = min((severity for severity, _ in problems), key=lambda s: s.rank)
    return failed("; ".join(text for _, text in problems), worst)


def _links_judged(
    links: Iterable[ComponentLink], limits: Limits, what: str, detail_is_status: bool = False
) -> tuple[list[tuple[Severity, str]], list[str]]:
    """Problems (severity, words) and statuses not known, of each Connection Server's view of a
    component: its status, and its ``detail`` too when that is a second status (AD domains)."""
    problems: list[tuple[Severity, str]] = []
    strange: list[str] = []
    for link in links:
        said = f" ({link.detail})" if link.detail else ""
        seen = f"{link.server}: {what} {link.status}{said}"
        second = link.detail if detail_is_status else None
        statuses = [s for s in (link.status, second) if s is not None]
        if any(limits.matches("critical_statuses", s) for s in statuses):
            problems.append((Severity.CRITICAL, seen))
        elif any(limits.matches("warning_statuses", s) for s in statuses):
            problems.append((Severity.WARNING, seen))
        elif link.status is not None and not limits.matches("healthy_statuses", link.status):
            strange.append(f"{link.server} {link.status!r}")
    return problems, strange


def _judge_certificate(
    days_left: float | None, valid: bool | None, reasons: str, limits: Limits, whose: str
) -> Outcome:
    """Expired is critical, not valid critical or a warning (``invalid_is_critical``), under
    ``warning_days`` a warning, else pass; unknown without an expiry or a verdict."""
    if days_left is not None and days_left <= 0:
        return failed(
            f"{whose} certificate expired {math.floor(-days_left)} day(s) ago", Severity.CRITICAL
        )
    if valid is False:
        why = f": {reasons}" if reasons else ""
        severity = Severity.CRITICAL if limits.flag("invalid_is_critical") else Severity.WARNING
        return failed(f"Horizon reports {whose} certificate as not valid{why}", severity)
    if days_left is None:
        return unknown(f"Horizon did not report when {whose} certificate expires")
    warning = limits.number("warning_days")
    if days_left < warning:
        return failed(
            f"{whose} certificate expires in {math.floor(days_left)} day(s) (warning under"
            f" {warning:g} days)",
            Severity.WARNING,
        )
    return passed(f"{whose} certificate expires in {math.floor(days_left)} days")


# ------------------------------------------------------------------------ Connection Servers


@check(
    title="Connection Server replication failing",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.CONNECTION_SERVER,
    rationale="""The Connection Servers of a pod share their configuration (pools,
    entitlements, settings) through LDAP replication; when it fails they drift apart, users see
    different desktops depending on the server they reach, and a server left out too long must
    be rebuilt. Reads the status per peer of the 2512 spec's ConnectionServerMonitorInfoV4
    .cs_replications_v2 (ConnectionServerMonitorCSReplicationV2.status: OK, or ERROR for a
    problem with LDAP replication).""",
    remediation="""Check the network and the VMware Horizon View LDAP (ADAM) service between the
    servers named; 'repadmin /showrepl localhost:389 DC=vdi,DC=vmware,DC=int' shows the error.""",
    thresholds={"healthy_statuses": ("OK",), "failing_statuses": ("ERROR",)},
)
def cs_replication_failing(server: ConnectionServer, limits: Limits, fleet: FleetView) -> Outcome:
    peers = [s for s in fleet.connection_servers if s.pod == server.pod and s.id != server.id]
    if server.replications is None:
        return unknown("Horizon did not report the server's replication status")
    if not server.replications:
        if not peers:
            return not_applicable("the only Connection Server of its pod: nothing to replicate")
        return unknown(f"no replication reported with the pod's {len(peers)} other server(s)")
    failing = [
        f"with {r.server_name}: {r.status}" + (f" ({r.message})" if r.message else "")
        for r in server.replications
        if r.status is not None and limits.matches("failing_statuses", r.status)
    ]
    if failing:
        return failed("replication failing " + "; ".join(failing))
    strange = [
        f"{r.server_name} {r.status!r}"
        for r in server.replications
        if r.status is None or not limits.matches("healthy_statuses", r.status)
    ]
    if strange:
        return unknown(f"replication status not known: {', '.join(strange)}")
    return passed(f"replication OK with {len(server.replications)} server(s)")


@check(
    title="Connection Server on its default certificate",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.CONNECTION_SERVER,
    rationale="""A Connection Server installs a self-signed certificate; clients do not trust
    it, so users learn to click through certificate warnings or are refused, depending on the
    client's certificate checking mode. Reads ConnectionServerMonitorInfoV4.default_certificate
    (2512 spec: the server has the default certificate).""",
    remediation="""Install a certificate from a CA the clients trust, with the friendly name
    'vdm', in the server's machine store, and restart the Connection Server service.""",
)
def cs_default_certificate(server: ConnectionServer, limits: Limits, fleet: FleetView) -> Outcome:
    if server.default_certificate is None:
        return unknown("Horizon did not say whether the server uses its default certificate")
    if server.default_certificate:
        return failed("the server uses the self-signed certificate it installed itself")
    return passed("the server has its own certificate")


@check(
    title="Connection Servers on different versions",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.POD,
    rationale="""The Connection Servers of a pod must run the same version and build: mixed
    versions are supported only while an upgrade is in progress (the usual cause; Horizon
    installation and upgrade guide), and features and fixes differ by the server a user
    reaches. Compares ConnectionServerMonitorInfoV4.details.version and build (2512 spec).""",
    remediation="""Finish the upgrade: bring every Connection Server of the pod to the same
    version and build, one server at a time.""",
)
def pod_cs_versions_differ(pod: HorizonPod, limits: Limits, fleet: FleetView) -> Outcome:
    skipped = missing_collection(fleet, pod.id, CONNECTION_SERVERS)
    if skipped is not None:
        return skipped
    servers = [s for s in fleet.connection_servers if s.pod == pod.id]
    if not servers:
        return unknown("Horizon listed no Connection Server of the pod")
    if len(servers) == 1:
        return not_applicable("the pod has one Connection Server")
    known = [s for s in servers if s.version]
    versions: dict[tuple[int, ...], list[str]] = {}
    for server in known:
        key = agent_version_key(server.version or "", server.build)
        versions.setdefault(key, []).append(server.name)
    described = ", ".join(
        f"{s.name} {s.version}" + (f" build {s.build}" if s.build else "") for s in known
    )
    if len(versions) > 1:
        return failed(f"{len(versions)} versions in the pod: {described}")
    if len(known) < len(servers):
        missing = ", ".join(s.name for s in servers if not s.version)
        return unknown(f"Horizon did not report the version of {missing}")
    return passed(f"all {len(servers)} on {known[0].version} build {known[0].build or '?'}")


# ----------------------------------------------------------------------------------- gateways


def _error_in_words(error: str) -> str:
    """``BLAST: CONNECTION_REFUSED`` -> ``BLAST: connection refused`` (the raw code stays in the
    report's gateway table and the exports, for searching the vendor's knowledge base)."""
    service, colon, code = error.rpartition(": ")
    words = code.replace("_", " ").lower() if code.isupper() else code
    return f"{service}{colon}{words}"


@check(
    title="Gateway unhealthy",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.GATEWAY,
    rationale="""Remote users reach their desktops through the gateways (Unified Access
    Gateway, security servers): a gateway with a problem or a failed service drops them.
    GatewayMonitorInfoV5.status (2512 spec): PROBLEM (the gateway reported a problem) is
    critical; STALE (no request in two intervals) and NOT_CONTACTED (never contacted the pod)
    are warnings: the gateway may be down or no longer used. Any service_error_infos entry (a
    gateway service in error) is critical.""",
    remediation="""Open the gateway's admin console (UAG: https://gateway:9443/admin) and check
    the services named; for a stale or never contacted gateway, check that it runs and reaches
    the Connection Servers, or remove it from Horizon Console if it is retired.""",
    thresholds={
        "healthy_statuses": ("OK",),
        "critical_statuses": ("PROBLEM",),
        "warning_statuses": ("STALE", "NOT_CONTACTED"),
    },
)
def gateway_unhealthy(gateway: Gateway, limits: Limits, fleet: FleetView) -> Outcome:
    status = gateway.status
    problems: list[tuple[Severity, str]] = []
    if status is not None and limits.matches("critical_statuses", status):
        problems.append((Severity.CRITICAL, f"status is {status}"))
    elif status is not None and limits.matches("warning_statuses", status):
        problems.append((Severity.WARNING, f"status is {status}"))
    if gateway.service_errors:
        errors = ", ".join(_error_in_words(error) for error in gateway.service_errors)
        problems.append((Severity.CRITICAL, f"services in error: {errors}"))
    outcome = _worst(problems)
    if outcome is not None:
        return outcome
    if status is None:
        return unknown("Horizon did not report the gateway's status")
    if not limits.matches("healthy_statuses", status):
        return unknown(f"gateway status {status!r} is not one fleetreport knows")
    return passed(f"status is {status}, no service in error")


@check(
    title="Gateway certificate expiring",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.GATEWAY,
    rationale="""When a gateway's certificate expires or is not valid, clients refuse to
    connect through it. Reads GatewayMonitorInfoV5.gateway_certificate_health (2512 spec:
    days_before_expiry, valid, invalid_reasons). 60 days' warning, AuthorityGate's Horizon
    health check default for certificates: a quarterly report must see an expiry before the
    next one.""",
    remediation="""Renew the gateway's TLS certificate (UAG admin console > TLS Server
    Certificate Settings) before it expires.""",
    thresholds={"warning_days": 60, "invalid_is_critical": True},
)
def gateway_certificate_expiring(gateway: Gateway, limits: Limits, fleet: FleetView) -> Outcome:
    days = gateway.certificate_days_left
    return _judge_certificate(
        float(days) if days is not None else None,
        gateway.certificate_valid,
        ", ".join(gateway.certificate_problems),
        limits,
        "the gateway's",
    )


@check(
    title="vCenter certificate expiring",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.HORIZON_VCENTER,
    rationale="""When the vCenter's certificate expires the vCenter's services stop, and a
    renewed certificate has a new thumbprint that Horizon must accept again: until then the pod
    cannot power on or provision desktops. As the Connection Servers see it
    (VirtualCenterMonitorInfoV4.connection_servers_v3[].certificate, 2512 spec: valid and
    valid_to, the earliest of the servers). 60 days' warning, AuthorityGate's default for
    certificates. A certificate Horizon does not trust (often a VMCA certificate accepted by
    its thumbprint) is a warning: it works, but Horizon can no longer verify it.""",
    remediation="""Renew the vCenter's machine SSL certificate before it expires, then accept
    the new thumbprint in Horizon Console (Servers > vCenter Servers > Edit).""",
    thresholds={"warning_days": 60, "invalid_is_critical": False},
)
def vcenter_certificate_expiring(link: HorizonVCenter, limits: Limits, fleet: FleetView) -> Outcome:
    if link.enabled is False:
        return not_applicable(f"vCenter {link.name} is disabled in Horizon")
    expiry = link.certificate_valid_to
    days = (expiry - fleet.now).total_seconds() / 86400 if expiry is not None else None
    return _judge_certificate(days, link.certificate_valid, "", limits, "the vCenter's")


# ----------------------------------------------------------------------------- event database


@check(
    title="Event database not connected",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.POD,
    rationale="""Without its event database a pod keeps no history of logons, errors and
    administrator actions: troubleshooting and audit have nothing to read. Users are not
    affected, so no status is critical. EventDatabaseMonitorInfoV2.status (2512 spec): ERROR and
    DISCONNECTED lose events (warning); NOT_CONFIGURED never had any (warning: the Horizon
    installation guide has an event database configured after installing); CONNECTING and
    RECONNECTING are passing (info).""",
    remediation="""Check the database server, its port and the account in Horizon Console
    (Settings > Event Configuration); configure an event database if there is none.""",
    thresholds={
        "connected_statuses": ("CONNECTED",),
        "warning_statuses": ("ERROR", "DISCONNECTED", "NOT_CONFIGURED"),
        "info_statuses": ("CONNECTING", "RECONNECTING"),
    },
)
def event_database_not_connected(pod: HorizonPod, limits: Limits, fleet: FleetView) -> Outcome:
    skipped = missing_collection(fleet, pod.id, EVENT_DATABASE)
    if skipped is not None:
        return skipped
    database = next((d for d in fleet.snapshot.event_databases if d.pod == pod.id), None)
    if database is None or database.status is None:
        return unknown("Horizon did not report the event database's status")
    status = database.status
    where = f" ({database.server_name}/{database.database_name})" if database.server_name else ""
    error = f": {database.error}" if database.error else ""
    if limits.matches("connected_statuses", status):
        return passed(f"event database{where} is {status}")
    if limits.matches("warning_statuses", status):
        return failed(f"event database{where} is {status}{error}", Severity.WARNING)
    if limits.matches("info_statuses", status):
        return failed(f"event database{where} is {status}{error}", Severity.INFO)
    return unknown(f"event database status {status!r} is not one fleetreport knows")


# --------------------------------------------------------------------------------- AD domains


@check(
    title="AD domain unreachable",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.AD_DOMAIN,
    rationale="""Users of a domain that a Connection Server cannot reach or bind to cannot log
    on through that server; a service account in error locks out the users of an untrusted
    domain. ADDomainMonitorConnectionServerV3.status (2512 spec): UNCONTACTABLE (no domain
    controller found) is critical, CANNOT_BIND (domain controllers answer LDAP ping only) a
    warning, as its connection_status (ERROR, WARN) says; ServiceAccount.status ERROR
    (credentials not working) is critical.""",
    remediation="""Check DNS and the network from the Connection Servers named to the domain's
    controllers, and the trust; update the service account's password in Horizon Console
    (Settings > Domains).""",
    thresholds={
        "healthy_statuses": ("FULLY_ACCESSIBLE", "OK"),
        "critical_statuses": ("UNCONTACTABLE", "ERROR"),
        "warning_statuses": ("CANNOT_BIND", "WARN"),
        "failed_account_statuses": ("ERROR",),
    },
)
def ad_domain_unreachable(domain: AdDomain, limits: Limits, fleet: FleetView) -> Outcome:
    problems, strange = _links_judged(domain.links, limits, "domain", detail_is_status=True)
    problems += [
        (Severity.CRITICAL, f"service account {account.user_name} is {account.status}")
        for account in domain.service_accounts
        if account.status is not None and limits.matches("failed_account_statuses", account.status)
    ]
    outcome = _worst(problems)
    if outcome is not None:
        return outcome
    if strange:
        return unknown(f"statuses fleetreport cannot judge: {', '.join(strange)}")
    if not domain.links or any(link.status is None for link in domain.links):
        return unknown("Horizon did not report every Connection Server's view of the domain")
    return passed(f"reachable from {len(domain.links)} Connection Server(s)")


# ------------------------------------------------------------------ SAML, True SSO and CPA


@check(
    title="SAML authenticator unhealthy",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.POD,
    rationale="""Users who log on through Workspace ONE Access or another identity provider
    cannot when the Connection Server cannot reach its SAML authenticator.
    SAMLAuthenticatorMonitorConnectionServerV3.status (2512 spec): ERROR is critical, WARN
    (minor issues) a warning. Every configured authenticator is judged: its trigger_mode only
    says whether True SSO is used with it (SAMLAuthMonitorDetailsV3), not whether it is used.
    Not applicable when the pod has none.""",
    remediation="""Check the authenticator's metadata URL and certificate from the Connection
    Servers named (Horizon Console > Settings > Servers > Connection Servers > Authentication).""",
    thresholds={
        "healthy_statuses": ("OK",),
        "critical_statuses": ("ERROR",),
        "warning_statuses": ("WARN",),
    },
)
def saml_unhealthy(pod: HorizonPod, limits: Limits, fleet: FleetView) -> Outcome:
    skipped = missing_collection(fleet, pod.id, SAML_AUTHENTICATORS)
    if skipped is not None:
        return skipped
    authenticators = [a for a in fleet.snapshot.saml_authenticators if a.pod == pod.id]
    if not authenticators:
        return not_applicable("no SAML authenticator is configured")
    problems: list[tuple[Severity, str]] = []
    strange: list[str] = []
    for authenticator in authenticators:
        found, odd = _links_judged(authenticator.links, limits, f"{authenticator.label} is")
        problems += found
        strange += odd
    outcome = _worst(problems)
    if outcome is not None:
        return outcome
    if strange:
        return unknown(f"statuses fleetreport cannot judge: {', '.join(strange)}")
    if any(not a.links or any(link.status is None for link in a.links) for a in authenticators):
        return unknown("Horizon did not report every Connection Server's view")
    return passed(f"{len(authenticators)} SAML authenticator(s) OK")


@check(
    title="True SSO unhealthy",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.POD,
    rationale="""With True SSO broken, users who log on through SAML are asked for their
    password in Windows, or refused where True SSO is required. TrueSSOMonitorInfoV2.status
    (2512 spec): ERROR (a component in error: domain, template, enrollment or certificate
    server) is critical, WARN a warning. Not applicable without an enabled connector.""",
    remediation="""Check the enrollment servers, the certificate template and the certificate
    servers named (Horizon Console > Settings > True SSO).""",
    thresholds={
        "healthy_statuses": ("OK",),
        "critical_statuses": ("ERROR",),
        "warning_statuses": ("WARN",),
    },
)
def true_sso_unhealthy(pod: HorizonPod, limits: Limits, fleet: FleetView) -> Outcome:
    skipped = missing_collection(fleet, pod.id, TRUE_SSO)
    if skipped is not None:
        return skipped
    connectors = [c for c in fleet.snapshot.true_sso if c.pod == pod.id]
    if not connectors:
        return not_applicable("True SSO is not configured")
    used = [c for c in connectors if c.enabled is not False]
    if not used:
        return not_applicable(f"{len(connectors)} True SSO connector(s), all disabled")
    problems: list[tuple[Severity, str]] = []
    for connector in used:
        status = connector.status
        said = f" ({', '.join(connector.problems)})" if connector.problems else ""
        if status is not None and limits.matches("critical_statuses", status):
            problems.append((Severity.CRITICAL, f"{connector.name} is {status}{said}"))
        elif status is not None and limits.matches("warning_statuses", status):
            problems.append((Severity.WARNING, f"{connector.name} is {status}{said}"))
    outcome = _worst(problems)
    if outcome is not None:
        return outcome
    unjudged = [
        f"{c.name} {c.status!r}"
        for c in used
        if c.status is None or not limits.matches("healthy_statuses", c.status)
    ]
    if unjudged:
        return unknown(f"True SSO status not known: {', '.join(unjudged)}")
    return passed(f"{len(used)} True SSO connector(s) OK")


@check(
    title="Cloud Pod endpoint down",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.POD,
    rationale="""In a Cloud Pod Architecture federation, global entitlements send users to the
    pods they can reach: a pod whose every endpoint is offline delivers none of its desktops to
    them (critical); one endpoint offline leaves the pod reachable through the others (warning).
    PodEndPointDataV2.status (2512 spec, PodMonitorInfoV2.endpoints): OFFLINE is down, UNCHECKED
    (back online, not yet verified) is info; disabled endpoints are not judged. Not applicable
    when the pod is in no federation.""",
    remediation="""Check the Connection Servers named and the inter-pod ports (8472, 22389,
    22636) between the pods' sites.""",
    thresholds={
        "online_statuses": ("ONLINE",),
        "down_statuses": ("OFFLINE",),
        "info_statuses": ("UNCHECKED",),
    },
)
def cpa_endpoint_down(pod: HorizonPod, limits: Limits, fleet: FleetView) -> Outcome:
    skipped = missing_collection(fleet, pod.id, FEDERATION_PODS)
    if skipped is not None:
        return skipped
    federated = [p for p in fleet.snapshot.federation_pods if p.pod == pod.id]
    if not federated:
        return not_applicable("the pod is not in a Cloud Pod federation")
    problems: list[tuple[Severity, str]] = []
    strange: list[str] = []
    checked = 0
    for member in federated:
        endpoints = [e for e in member.endpoints if e.enabled is not False]
        checked += len(endpoints)
        down = [e for e in endpoints if e.status and limits.matches("down_statuses", e.status)]
        if endpoints and len(down) == len(endpoints):
            names = ", ".join(e.name for e in down)
            problems.append(
                (Severity.CRITICAL, f"pod {member.name}: every endpoint OFFLINE ({names})")
            )
        elif down:
            problems.append(
                (Severity.WARNING, f"pod {member.name}: {', '.join(e.name for e in down)} OFFLINE")
            )
        for endpoint in endpoints:
            status = endpoint.status
            if status is not None and limits.matches("info_statuses", status):
                problems.append((Severity.INFO, f"pod {member.name}: {endpoint.name} {status}"))
            elif status is None or not (
                limits.matches("online_statuses", status) or limits.matches("down_statuses", status)
            ):
                strange.append(f"{member.name}/{endpoint.name} {status!r}")
    outcome = _worst(problems)
    if outcome is not None:
        return outcome
    if strange:
        return unknown(f"endpoint statuses fleetreport cannot judge: {', '.join(strange)}")
    if not checked:
        return unknown("Horizon reported no enabled endpoint of the federation's pods")
    return passed(f"{checked} endpoint(s) of {len(federated)} pod(s) ONLINE")


# ------------------------------------------------------------------------------------ licence


def _licence(fleet: FleetView, pod: HorizonPod) -> HorizonLicense | None:
    return next((lic for lic in fleet.snapshot.licenses if lic.pod == pod.id), None)


@check(
    title="Licence expiring",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.POD,
    rationale="""When the Horizon licence expires, users can no longer launch desktops and
    applications. LicenseInfoV4 (2512 spec): licensed false is critical; license_health (set for
    subscriptions) RED (expired) is critical and YELLOW (expiring) a warning; an
    expiration_time under 60 days away is a warning (AuthorityGate's Horizon health check
    default), past it critical. A perpetual licence without an expiry passes.""",
    remediation="""Renew the subscription or enter the new licence key in Horizon Console
    (Settings > Product Licensing and Usage) before it expires.""",
    thresholds={"warning_days": 60, "perpetual_modes": ("DEFAULT", "PERPETUAL_ONLY")},
)
def licence_expiring(pod: HorizonPod, limits: Limits, fleet: FleetView) -> Outcome:
    skipped = missing_collection(fleet, pod.id, LICENSES)
    if skipped is not None:
        return skipped
    licence = _licence(fleet, pod)
    if licence is None:
        return unknown("Horizon did not report the pod's licence")
    if licence.licensed is False:
        return failed("Horizon is not licensed", Severity.CRITICAL)
    left = licence.expires - fleet.now if licence.expires is not None else None
    if licence.health == "RED" or (left is not None and left.total_seconds() <= 0):
        ago = (
            f" {describe_age(-left)} ago" if left is not None and left.total_seconds() <= 0 else ""
        )
        return failed(
            f"the licence expired{ago} (health {licence.health or 'not reported'})",
            Severity.CRITICAL,
        )
    warning = limits.days("warning_days")
    if left is not None and left < warning:
        return failed(
            f"the licence expires in {describe_age(left)} (warning under"
            f" {describe_limit(warning)})",
            Severity.WARNING,
        )
    if licence.health == "YELLOW":
        return failed("Horizon reports the licence as expiring (health YELLOW)", Severity.WARNING)
    if left is not None:
        return passed(f"the licence expires in {describe_age(left)}")
    if licence.mode is not None and limits.matches("perpetual_modes", licence.mode):
        return passed(f"perpetual licence ({licence.mode}), no expiry")
    if licence.health == "GREEN":
        return passed("Horizon reports the licence as not expired (health GREEN)")
    return unknown("Horizon did not report when the licence expires")


@check(
    title="Licence usage high",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.POD,
    rationale="""Use beyond the licensed count breaks the licence terms, and near it the next
    users may be over. Horizon does not report how many users were bought, so the count is a
    setting (licensed_users, 0 = not set: unknown). Judges the highest use Horizon recorded
    (LicenseUsageMetricsInfo.highest_usage, 2512 spec): total_concurrent_connections for a
    concurrent-user licence, total_named_users for a named-user one (LicenseInfoV4.usage_model).
    Warning from 90% of the count, critical over it.""",
    remediation="""Buy more licences, or reduce use (log off disconnected sessions, remove
    entitlements of users who left); reset the named-user count if it includes them.""",
    thresholds={"licensed_users": 0, "warning_percent": 90, "critical_percent": 100},
)
def licence_usage_high(pod: HorizonPod, limits: Limits, fleet: FleetView) -> Outcome:
    skipped = missing_collection(fleet, pod.id, LICENSES, LICENSE_USAGE)
    if skipped is not None:
        return skipped
    licence = _licence(fleet, pod)
    if licence is None:
        return unknown("Horizon did not report the pod's licence")
    named = (licence.usage_model or licence.edition or "").endswith("NAMED_USER")
    highest = licence.highest_named_users if named else licence.highest_concurrent
    what = "named users" if named else "concurrent connections"
    if highest is None:
        return unknown(f"Horizon did not report the highest number of {what}")
    bought = limits.number("licensed_users")
    if bought <= 0:
        return unknown(
            f"highest use {highest} {what}; Horizon does not report the licensed count: set"
            " [checks.licence_usage_high] licensed_users to judge it"
        )
    share = 100 * highest / bought
    seen = f"highest use {highest} {what} of {bought:g} licensed ({share:.0f}%)"
    if share > limits.number("critical_percent"):
        return failed(f"{seen}: over {limits.number('critical_percent'):g}%", Severity.CRITICAL)
    if share >= limits.number("warning_percent"):
        return failed(
            f"{seen}: warning from {limits.number('warning_percent'):g}%", Severity.WARNING
        )
    return passed(seen)
