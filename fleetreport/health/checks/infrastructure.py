"""Infrastructure checks: the ESXi hosts, Horizon pods, Connection Servers and vCenter links the
desktops rely on. Host, pod and vCenter-link failures are inherited: they lower the power score
of every desktop they leave undeliverable or unmanageable."""

from __future__ import annotations

from fleetreport.health.catalogue import Category, Limits, SubjectKind, check
from fleetreport.health.fleet import FleetView, describe_age, describe_limit
from fleetreport.health.results import (
    Outcome,
    Severity,
    failed,
    not_applicable,
    passed,
    unknown,
)
from fleetreport.snapshot.model import ConnectionServer, HorizonPod, HorizonVCenter, Host

INFRASTRUCTURE = Category.INFRASTRUCTURE


@check(
    title="Host not connected",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.HOST,
    rationale="""vCenter cannot manage a disconnected or not-responding host: its desktops
    cannot be powered, provisioned or moved, and what vCenter shows of them is stale. Inherited:
    each desktop on the host loses power points, and its Tools checks leave the cause here.""",
    remediation="""Check the host's management network and hostd/vpxa agents; reconnect it
    in vCenter.""",
    thresholds={"connected_states": ("connected",)},
    inherited=True,
)
def host_not_connected(host: Host, limits: Limits, fleet: FleetView) -> Outcome:
    state = host.connection_state
    if state is None:
        return unknown("vCenter did not report the connection state")
    if limits.matches("connected_states", state):
        return passed(f"connection state is {state}")
    return failed(f"connection state is {state}")


@check(
    title="Host in maintenance mode",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.HOST,
    rationale="""A host left in maintenance mode is capacity the desktops cannot use.""",
    remediation="""Finish the maintenance and exit maintenance mode, or remove the host from
    the cluster.""",
)
def host_in_maintenance(host: Host, limits: Limits, fleet: FleetView) -> Outcome:
    if host.in_maintenance_mode is None:
        return unknown("vCenter did not report maintenance mode")
    if host.in_maintenance_mode:
        return failed("the host is in maintenance mode")
    return passed("not in maintenance mode")


@check(
    title="Connection Server certificate expiring",
    category=INFRASTRUCTURE,
    severity=Severity.WARNING,
    subject=SubjectKind.CONNECTION_SERVER,
    rationale="""When the certificate expires, clients refuse to connect and every user of
    the pod is locked out. Reads ConnectionServerMonitorInfoV4.certificate (2512 spec: valid,
    valid_to). Warning 60 days ahead, AuthorityGate's Horizon health check default: the 30 days
    of vCheck-HorizonView and AsBuiltReport are shorter than the quarter between two reports, so
    an expiry could fall between them unseen.""",
    remediation="""Request a new certificate with the 'vdm' friendly name, install it in the
    server's machine store and restart the Connection Server service.""",
    thresholds={"warning_days": 60},
)
def cs_certificate_expiring(server: ConnectionServer, limits: Limits, fleet: FleetView) -> Outcome:
    expiry = server.certificate_valid_to
    if expiry is None:
        if server.certificate_valid is False:
            return failed("Horizon reports the certificate as not valid", Severity.CRITICAL)
        return unknown("Horizon did not report the certificate's expiry")
    left = expiry - fleet.now
    if left.total_seconds() <= 0:
        return failed(f"the certificate expired {describe_age(-left)} ago", Severity.CRITICAL)
    if server.certificate_valid is False:
        return failed("Horizon reports the certificate as not valid", Severity.CRITICAL)
    warning = limits.days("warning_days")
    if left < warning:
        return failed(
            f"the certificate expires in {describe_age(left)} (warning under"
            f" {describe_limit(warning)})",
            Severity.WARNING,
        )
    return passed(f"the certificate expires in {describe_age(left)}")


@check(
    title="Connection Server unhealthy",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.CONNECTION_SERVER,
    rationale="""A Connection Server that is not OK, or one of whose services is down, drops
    or refuses user connections.""",
    remediation="""Check the server's services (VMware Horizon Connection Server, Blast
    Secure Gateway, ...) and its event log; restart what is down.""",
    thresholds={
        "healthy_statuses": ("OK",),
        "critical_statuses": ("ERROR", "NOT_RESPONDING", "UNKNOWN"),
        "warning_statuses": ("RESTART_REQUIRED",),
        "healthy_service_statuses": ("UP", "NOT_IN_USE"),
        "critical_service_statuses": ("DOWN", "UNKNOWN"),
    },
)
def cs_unhealthy(server: ConnectionServer, limits: Limits, fleet: FleetView) -> Outcome:
    status = server.status
    critical = (
        [f"status is {status}"] if status and limits.matches("critical_statuses", status) else []
    )
    critical += [
        f"{service.name} is {service.status}"
        for service in server.services
        if limits.matches("critical_service_statuses", service.status)
    ]
    if critical:
        return failed("; ".join(critical), Severity.CRITICAL)
    if status is not None and limits.matches("warning_statuses", status):
        return failed(f"status is {status}", Severity.WARNING)
    strange = (
        [f"status {status!r}"] if status and not limits.matches("healthy_statuses", status) else []
    )
    strange += [
        f"{service.name} {service.status!r}"
        for service in server.services
        if not limits.matches("healthy_service_statuses", service.status)
    ]
    if strange:
        return unknown(f"values fleetreport does not know: {', '.join(strange)}")
    if status is None:
        return unknown("Horizon did not report the server's status")
    return passed(f"status is {status}, {len(server.services)} service(s) up")


@check(
    title="All Connection Servers of a pod down",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.POD,
    rationale="""With every Connection Server of a pod down, no user can be brokered to any
    desktop of the pod. Uses the status Horizon monitoring reports per server (2512 spec,
    ConnectionServerMonitorInfoV4.status: ERROR and NOT_RESPONDING are down; OK and
    RESTART_REQUIRED still serve). Inherited: every desktop of the pod loses power points, and
    the fleet and its pools are graded D at best (docs/health-model.md).""",
    remediation="""Restore at least one Connection Server (its VM, the VMware Horizon Connection
    Server service, its ADAM/LDAP replication) before anything else; then the others.""",
    thresholds={
        "down_statuses": ("ERROR", "NOT_RESPONDING"),
        "serving_statuses": ("OK", "RESTART_REQUIRED"),
    },
    inherited=True,
)
def pod_connection_servers_down(pod: HorizonPod, limits: Limits, fleet: FleetView) -> Outcome:
    servers = [server for server in fleet.connection_servers if server.pod == pod.id]
    if not servers:
        return unknown("Horizon listed no Connection Server of the pod")
    serving = [s for s in servers if s.status and limits.matches("serving_statuses", s.status)]
    statuses = ", ".join(f"{s.name} {s.status or 'not reported'}" for s in servers)
    if serving:
        return passed(f"{len(serving)} of {len(servers)} Connection Server(s) serve: {statuses}")
    if all(s.status and limits.matches("down_statuses", s.status) for s in servers):
        return failed(
            f"all {len(servers)} Connection Server(s) of the pod are down: {statuses}",
            Severity.CRITICAL,
        )
    return unknown(f"no Connection Server is known to serve: {statuses}")


@check(
    title="vCenter unreachable from Horizon",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.HORIZON_VCENTER,
    rationale="""Horizon powers on, provisions, refreshes and pushes images through vCenter:
    with the link down its desktops cannot be started, refreshed or rebuilt. The status is the
    worst one the pod's Connection Servers report (2512 spec, VCMonitorConnectionServerV3.status:
    DOWN, INVALID_CREDENTIALS and CANNOT_LOGIN are down; RECONNECTING and NOT_YET_CONNECTED are
    passing trouble). Inherited: the desktops managed through that vCenter lose power points and,
    when it is down, the fleet and its pools are graded D at best (docs/health-model.md).""",
    remediation="""Check the vCenter service and the Connection Servers' route and certificate
    trust to it, and the service account's password in Horizon Console (Servers > vCenter
    Servers).""",
    thresholds={
        "connected_statuses": ("OK",),
        "critical_statuses": ("DOWN", "INVALID_CREDENTIALS", "CANNOT_LOGIN"),
        "warning_statuses": ("RECONNECTING", "NOT_YET_CONNECTED"),
    },
    inherited=True,
)
def pod_vcenter_unreachable(link: HorizonVCenter, limits: Limits, fleet: FleetView) -> Outcome:
    if link.enabled is False:
        return not_applicable(f"vCenter {link.name} is disabled in Horizon")
    status = link.status
    if status is None:
        return unknown("Horizon did not report the vCenter connection status")
    seen = f"the pod's connection to vCenter {link.name} is {status}"
    if limits.matches("critical_statuses", status):
        return failed(seen, Severity.CRITICAL)
    if limits.matches("warning_statuses", status):
        return failed(seen, Severity.WARNING)
    if limits.matches("connected_statuses", status):
        return passed(seen)
    return unknown(f"vCenter connection status {status!r} is not one fleetreport knows")
