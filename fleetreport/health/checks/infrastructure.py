"""Infrastructure checks: the ESXi hosts and Horizon Connection Servers the desktops rely on."""

from __future__ import annotations

from fleetreport.health.catalogue import Category, Limits, SubjectKind, check
from fleetreport.health.fleet import FleetView, describe_age, describe_limit
from fleetreport.health.results import (
    Outcome,
    Severity,
    failed,
    passed,
    unknown,
)
from fleetreport.snapshot.model import ConnectionServer, Host

INFRASTRUCTURE = Category.INFRASTRUCTURE


@check(
    title="Host not connected",
    category=INFRASTRUCTURE,
    severity=Severity.CRITICAL,
    subject=SubjectKind.HOST,
    rationale="""vCenter cannot manage a disconnected or not-responding host: its desktops
    cannot be powered, provisioned or moved.""",
    remediation="""Check the host's management network and hostd/vpxa agents; reconnect it
    in vCenter.""",
    thresholds={"connected_states": ("connected",)},
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
    the pod is locked out.""",
    remediation="""Request a new certificate with the 'vdm' friendly name, install it in the
    server's machine store and restart the Connection Server service.""",
    thresholds={"warning_days": 30},
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
