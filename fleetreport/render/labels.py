"""Plain words for the API values that reach the report: ``poweredOn`` is "On" for a manager.

The raw value stays in the HTML as the tooltip (``title``) for technicians, and in the JSON,
CSV and xlsx exports. Values come from the vSphere API reference (``VirtualMachinePowerState``,
``VirtualMachineToolsVersionStatus``, ``VirtualMachineToolsRunningStatus``,
``HostSystemConnectionState``, ``DatastoreSummary.type`` and ``maintenanceMode``,
``ManagedEntityStatus``, ``DrsBehavior``) and the Horizon Server REST API spec 2512 (machine and
RDS host states, ``DesktopPoolInfo*.type/source/user_assignment``, power policies, monitor
statuses, AD domain, SAML, True SSO, pod endpoint and licence enums).
A value no table knows is shown as a readable transform of itself, never an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from markupsafe import Markup, escape

from fleetreport.render.markup_pattern import MarkupPattern

POWER_STATES: Mapping[str, str] = {
    "poweredOn": "On",
    "poweredOff": "Off",
    "suspended": "Suspended",
    "unknown": "Unknown",
}
"""vSphere ``VirtualMachinePowerState`` (and the report's own ``unknown``)."""

MACHINE_STATES: Mapping[str, str] = {
    "AVAILABLE": "Available",
    "PROVISIONED": "Provisioned (off by policy)",
    "CONNECTED": "Connected",
    "DISCONNECTED": "Disconnected",
    "PROVISIONING": "Provisioning",
    "CUSTOMIZING": "Customising",
    "VALIDATING": "Validating",
    "DELETING": "Deleting",
    "MAINTENANCE": "Maintenance",
    "IN_PROGRESS": "Operation in progress",
    "AGENT_ERROR_WAIT_FOR_HYBRID_JOIN": "Waiting for hybrid domain join",
    "AGENT_DRAIN_MODE": "Draining",
    "AGENT_DRAIN_UNTIL_RESTART": "Draining until restart",
    "DISABLED": "Disabled",
    "DISABLE_IN_PROGRESS": "Being disabled",
    "AGENT_UNREACHABLE": "Agent unreachable",
    "AGENT_CONFIG_ERROR": "Agent configuration error",
    "ALREADY_USED": "Already used (session left behind)",
    "BLOCKED_AGENT_VERSION": "Agent version blocked",
    "ERROR": "Error",
    "PROVISIONING_ERROR": "Provisioning error",
    "UNKNOWN": "Unknown",
    "WAITING_FOR_AGENT": "Waiting for agent",
    "WAIT_FOR_AGENT": "Waiting for agent",
    "AGENT_ERROR_STARTUP_IN_PROGRESS": "Agent starting up",
    "AGENT_ERR_STARTUP_IN_PROGRESS": "Agent starting up",
    "AGENT_ERROR_DISABLED": "Agent disabled",
    "AGENT_ERR_DISABLED": "Agent disabled",
    "AGENT_ERROR_DOMAIN_FAILURE": "Agent domain failure",
    "AGENT_ERR_DOMAIN_FAILURE": "Agent domain failure",
    "AGENT_ERROR_INVALID_IP": "Agent invalid IP address",
    "AGENT_ERR_INVALID_IP": "Agent invalid IP address",
    "AGENT_ERROR_NEEDS_REBOOT": "Agent needs a restart",
    "AGENT_ERR_NEED_REBOOT": "Agent needs a restart",
    "AGENT_ERROR_PROTOCOL_FAILURE": "Display protocol failure",
    "AGENT_ERR_PROTOCOL_FAILURE": "Display protocol failure",
    "UNASSIGNED_USER_CONNECTED": "Other user connected",
    "UNASSIGNED_USER_DISCONNECTED": "Other user disconnected",
}
"""Every Horizon machine and RDS host state (``fleetreport.health.states``)."""

SESSION_STATES: Mapping[str, str] = {
    "CONNECTED": "Connected",
    "DISCONNECTED": "Disconnected",
    "PENDING": "Starting",
}
"""Horizon ``SessionInfo*.session_state``."""

POWER_POLICIES: Mapping[str, str] = {
    "ALWAYS_POWERED_ON": "Always on",
    "POWER_OFF": "Power off when idle",
    "SUSPEND": "Suspend when idle",
    "TAKE_NO_POWER_ACTION": "No power action",
}
"""Horizon pool power policies (``DesktopPoolVirtualCenterSettings*.power_policy``)."""

POOL_TYPES: Mapping[str, str] = {
    "AUTOMATED": "Automated",
    "MANUAL": "Manual",
    "RDS": "RDS farm",
    "desktop_pool": "Desktop pool",
    "farm": "RDS farm",
    "inferred": "Inferred from vCenter",
}
"""``DesktopPoolInfo*.type`` and the report's pool kinds."""

POOL_SOURCES: Mapping[str, str] = {
    "VIRTUAL_CENTER": "vCenter VMs",
    "INSTANT_CLONE": "Instant clones",
    "LINKED_CLONE": "Linked clones",
    "RDS": "RDS hosts",
    "UNMANAGED": "Unmanaged machines",
    "AWS_CORE": "AWS",
    "PRISM": "Nutanix Prism",
    "UNKNOWN": "Unknown",
}
"""``DesktopPoolInfo*.source`` and ``FarmInfo*.source``."""

USER_ASSIGNMENTS: Mapping[str, str] = {"DEDICATED": "dedicated", "FLOATING": "floating"}
"""``DesktopPoolInfo*.user_assignment``."""

TOOLS_STATUSES: Mapping[str, str] = {
    "guestToolsCurrent": "Current",
    "guestToolsNeedUpgrade": "Upgrade available",
    "guestToolsNotInstalled": "Not installed",
    "guestToolsUnmanaged": "Managed by the guest (OS packages)",
    "guestToolsTooOld": "Too old (unsupported)",
    "guestToolsSupportedOld": "Old but supported",
    "guestToolsSupportedNew": "Newer, supported",
    "guestToolsTooNew": "Too new for the host",
    "guestToolsBlacklisted": "Blocked version",
    "guestToolsRunning": "Running",
    "guestToolsNotRunning": "Not running",
    "guestToolsExecutingScripts": "Running start-up scripts",
}
"""vSphere ``VirtualMachineToolsVersionStatus`` and ``VirtualMachineToolsRunningStatus``."""

HOST_CONNECTIONS: Mapping[str, str] = {
    "connected": "Connected",
    "disconnected": "Disconnected",
    "notResponding": "Not responding",
}
"""vSphere ``HostSystemConnectionState``."""

SERVICE_STATUSES: Mapping[str, str] = {
    "OK": "OK",
    "UP": "Up",
    "DOWN": "Down",
    "ERROR": "Error",
    "NOT_IN_USE": "Not in use",
    "NOT_RESPONDING": "Not responding",
    "RESTART_REQUIRED": "Restart required",
    "RECONNECTING": "Reconnecting",
    "NOT_CONTACTED": "Not contacted",
    "PROBLEM": "Problem",
    "STALE": "Stale",
    "UNKNOWN": "Unknown",
    "CONNECTED": "Connected",
    "CONNECTING": "Connecting",
    "DISCONNECTED": "Disconnected",
    "NOT_CONFIGURED": "Not configured",
}
"""Horizon monitor statuses of Connection Servers, their services, gateways and vCenters, and of
the event database (``EventDatabaseMonitorInfo*.status``)."""

SERVICE_NAMES: Mapping[str, str] = {
    "SECURITY_GATEWAY_COMPONENT": "Secure gateway",
    "BLAST_SECURE_GATEWAY": "Blast secure gateway",
    "PCOIP_SECURE_GATEWAY": "PCoIP secure gateway",
}
"""Connection Server services in ``ConnectionServerMonitorInfo*.services``."""

GATEWAY_TYPES: Mapping[str, str] = {
    "UAG": "Unified Access Gateway",
    "SECURITY_SERVER": "Security server",
    "F5": "F5 load balancer",
}
"""``GatewayMonitorInfo*.type``."""

DATASTORE_TYPES: Mapping[str, str] = {
    "VMFS": "VMFS",
    "NFS": "NFS 3",
    "NFS41": "NFS 4.1",
    "CIFS": "SMB (CIFS)",
    "vsan": "vSAN",
    "vsanD": "vSAN Direct",
    "VVOL": "vVols",
    "PMEM": "Persistent memory",
}
"""vSphere ``DatastoreSummary.type``."""

DATASTORE_MAINTENANCE: Mapping[str, str] = {
    "normal": "No",
    "enteringMaintenance": "Entering maintenance",
    "inMaintenance": "In maintenance",
}
"""vSphere ``DatastoreSummaryMaintenanceModeState``."""

HEALTH_COLOURS: Mapping[str, str] = {
    "red": "Alert (red)",
    "yellow": "Warning (yellow)",
    "green": "Normal (green)",
    "gray": "Unknown (grey)",
    "unknown": "Unknown",
    "RED": "Alert (red)",
    "YELLOW": "Warning (yellow)",
    "GREEN": "Good (green)",
}
"""vSphere ``ManagedEntityStatus`` (alarms), sensor ``healthState`` keys, and Horizon
``LicenseInfo*.license_health``."""

ALARM_OBJECTS: Mapping[str, str] = {
    "VirtualMachine": "VM",
    "HostSystem": "ESXi host",
    "ClusterComputeResource": "Cluster",
    "Datastore": "Datastore",
}
"""The vSphere object types a triggered alarm is collected on."""

DRS_BEHAVIORS: Mapping[str, str] = {
    "manual": "Manual",
    "partiallyAutomated": "Partially automated",
    "fullyAutomated": "Fully automated",
}
"""vSphere ``DrsBehavior``."""

COMPONENT_STATUSES: Mapping[str, str] = {
    "OK": "OK",
    "WARN": "Warning",
    "ERROR": "Error",
    "UNKNOWN": "Unknown",
    "FULLY_ACCESSIBLE": "Fully accessible",
    "UNCONTACTABLE": "Cannot be contacted",
    "CANNOT_BIND": "Cannot bind",
    "ACTIVE": "Active",
    "ONLINE": "Online",
    "OFFLINE": "Offline",
    "UNCHECKED": "Not checked",
}
"""Horizon statuses of AD domains (``ADDomainMonitorConnectionServer*``), service accounts,
SAML authenticators, True SSO (``TrueSSOMonitorInfo*``), Connection Server replication and
Cloud Pod Architecture endpoints."""

DOMAIN_TYPES: Mapping[str, str] = {
    "CONNECTION_SERVER_DOMAIN": "Trusted domain",
    "NO_TRUST_DOMAIN": "Untrusted domain (service account)",
}
"""``ADDomainInfo*.domain_type``."""

SAML_TRIGGER_MODES: Mapping[str, str] = {
    "DISABLED": "Not used",
    "ENABLE_IF_NO_PASSWORD": "Allowed (without password)",
    "REQUIRE_IF_NO_PASSWORD": "Required (without password)",
    "ENABLE_ALWAYS": "Allowed",
    "REQUIRE_ALWAYS": "Required",
}
"""``SAMLAuthenticatorInfo*.trigger_mode``."""

LICENCE_MODES: Mapping[str, str] = {
    "DEFAULT": "Default",
    "PERPETUAL_ONLY": "Perpetual",
    "SUBSCRIPTION": "Subscription",
}
"""``LicenseInfo*.license_mode``."""

LICENCE_EDITIONS: Mapping[str, str] = {
    "ENTERPRISE_CONCURRENT_USER": "Enterprise, concurrent users",
    "HORIZON_ADVANCED_CONCURRENT_USER": "Horizon Advanced, concurrent users",
    "HORIZON_ADVANCED_NAMED_USER": "Horizon Advanced, named users",
    "HORIZON_APPS_ADVANCED_CONCURRENT_USER": "Horizon Apps Advanced, concurrent users",
    "HORIZON_APPS_ADVANCED_NAMED_USER": "Horizon Apps Advanced, named users",
    "HORIZON_APPS_STANDARD_CONCURRENT_USER": "Horizon Apps Standard, concurrent users",
    "HORIZON_APPS_STANDARD_NAMED_USER": "Horizon Apps Standard, named users",
    "HORIZON_ENTERPRISE_CONCURRENT_USER": "Horizon Enterprise, concurrent users",
    "HORIZON_ENTERPRISE_NAMED_USER": "Horizon Enterprise, named users",
    "HORIZON_STANDARD_CONCURRENT_USER": "Horizon Standard, concurrent users",
    "WS1_ENTERPRISE_NAMED_USER": "Workspace ONE Enterprise, named users",
    "WS1_ENTERPRISE_WITH_VDI_NAMED_USER": "Workspace ONE Enterprise with VDI, named users",
}
"""``LicenseInfo*.license_edition``."""

USAGE_MODELS: Mapping[str, str] = {
    "CONCURRENT_USER": "Concurrent users",
    "NAMED_USER": "Named users",
}
"""``LicenseInfo*.usage_model``."""

ENERGY_LEVERS: Mapping[str, str] = {
    "power_policy": "Power policy",
    "sizing": "Pool sizing",
}
"""The report's own energy levers."""

SIZING_VERDICTS: Mapping[str, str] = {
    "over_provisioned": "Over-provisioned",
    "ran_out": "Ran out",
    "spares_short": "Spares ran short",
    "dedicated": "Dedicated: see unused desktops",
    "right_sized": "Right-sized",
    "unknown": "Cannot tell",
}
"""``PoolSizing.verdict``: the ``pool_over_provisioned`` and ``pool_ran_out`` checks' verdicts."""

SIZING_LEVERS: Mapping[str, str] = {
    "power_policy": "Power policy",
    "sizing": "Pool sizing",
    "none": "Neither (no lever)",
}
"""``PoolSizing.lever`` (``pool_power.Lever``)."""

UNUSED_REASONS: Mapping[str, str] = {
    "assigned_user_absent": "Assigned user has not logged on",
    "no_session_no_activity": "No session and no CPU activity",
}
"""``UnusedDesktop.reason``."""

EVIDENCE_KINDS: Mapping[str, str] = {
    "horizon": "Horizon audit events",
    "vcenter": "vCenter performance history",
}
"""``UsageEvidence.kind``."""

EVIDENCE_STATUSES: Mapping[str, str] = {
    "ok": "Read",
    "skipped": "Not read",
    "refused": "Refused",
    "error": "Failed",
}
"""``UsageEvidence.status``."""

HOST_POWER_STATUSES: Mapping[str, str] = {
    "measured": "Measured",
    "no_data": "No power reading",
    "not_collected": "Not collected",
    "error": "Reading failed",
}
"""``HostPower.status`` (the ``VCenterUsage`` status of the host)."""

ENERGY_METHODS: Mapping[str, str] = {
    "by_count": (
        "each idle desktop's share of its host's measured draw, shared by count of powered-on VMs"
    ),
    "by_cpu_share": (
        "each idle desktop's share of its host's measured draw, shared by CPU use of its"
        " powered-on VMs"
    ),
}
"""``MeasuredEnergy.method``: how a desktop's share of its host's draw is taken."""

VOCABULARIES: Mapping[str, Mapping[str, str]] = {
    "power_state": POWER_STATES,
    "machine_state": MACHINE_STATES,
    "session_state": SESSION_STATES,
    "power_policy": POWER_POLICIES,
    "pool_type": POOL_TYPES,
    "pool_source": POOL_SOURCES,
    "user_assignment": USER_ASSIGNMENTS,
    "tools_status": TOOLS_STATUSES,
    "host_connection": HOST_CONNECTIONS,
    "service_status": SERVICE_STATUSES,
    "service_name": SERVICE_NAMES,
    "gateway_type": GATEWAY_TYPES,
    "energy_lever": ENERGY_LEVERS,
    "datastore_type": DATASTORE_TYPES,
    "datastore_maintenance": DATASTORE_MAINTENANCE,
    "health": HEALTH_COLOURS,
    "alarm_object": ALARM_OBJECTS,
    "drs_behavior": DRS_BEHAVIORS,
    "component_status": COMPONENT_STATUSES,
    "domain_type": DOMAIN_TYPES,
    "saml_trigger_mode": SAML_TRIGGER_MODES,
    "licence_mode": LICENCE_MODES,
    "licence_edition": LICENCE_EDITIONS,
    "usage_model": USAGE_MODELS,
    "sizing_verdict": SIZING_VERDICTS,
    "sizing_lever": SIZING_LEVERS,
    "unused_reason": UNUSED_REASONS,
    "evidence_kind": EVIDENCE_KINDS,
    "evidence_status": EVIDENCE_STATUSES,
    "host_power_status": HOST_POWER_STATUSES,
    "energy_method": ENERGY_METHODS,
}
"""Every table by name, as the ``label`` filter takes it."""

ANY = "any"
"""The vocabulary that looks a value up in every table, first match wins."""

OWN_WORDS = frozenset(
    {
        "sizing_verdict",
        "sizing_lever",
        "unused_reason",
        "evidence_kind",
        "evidence_status",
        "host_power_status",
        "energy_method",
    }
)
"""Vocabularies of the report's own lower-case values (``ok``, ``none``, ``ran_out``): left out
of ``any``, where a plain word would be mistaken for one; an unknown value in them is shown
:func:`readable`, as ``snake_case`` is no word."""

_EVERY_VALUE: dict[str, str] = {}
for _name, _table in VOCABULARIES.items():
    if _name in OWN_WORDS:
        continue
    for _raw, _plain in _table.items():
        _EVERY_VALUE.setdefault(_raw, _plain)

_API_TOKEN = re.compile(
    r"\b(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{4,}|[a-z]+(?:[A-Z][a-z0-9]*)+)\b"
)
"""UPPER_SNAKE (``AGENT_UNREACHABLE``), a long all-caps word (``SUSPEND``) or camelCase
(``poweredOn``): how API values look, unlike words."""

_CAMEL_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def looks_like_api_value(text: str) -> bool:
    """True for a raw API token such as ``AGENT_ERR_X``, ``SUSPEND`` or ``guestToolsTooOld``."""
    return _API_TOKEN.fullmatch(text) is not None


def readable(raw: str) -> str:
    """A readable transform of an unknown API value: ``AGENT_ERR_X`` -> ``Agent err x``."""
    words = _CAMEL_BREAK.sub(" ", raw.replace("_", " ")).split()
    text = " ".join(words).lower()
    return text[:1].upper() + text[1:] if text else raw


def plain_label(raw: str, vocabulary: str = ANY) -> str:
    """The plain label of one value in a named table (an unknown API-looking value gets
    :func:`readable`), or in every table (``any``: unknown values stay as they are). Text that
    does not look like an API value (a name, a severity) is always printed as written."""
    table = _EVERY_VALUE if vocabulary == ANY else VOCABULARIES[vocabulary]
    if raw in table:
        return table[raw]
    if vocabulary != ANY and (looks_like_api_value(raw) or vocabulary in OWN_WORDS):
        return readable(raw)
    return raw


LABELLED = MarkupPattern('<span class="api-value" title="{raw}">{plain}</span>')
"""A plain label with its raw value as the tooltip."""


KEPT_TEXTS = 1024
"""How many texts' markup :func:`label` and :func:`plain_words` each keep: a report repeats a
few states, and a check words most of its findings alike, thousands of times."""
KEPT_LENGTH = 512
"""Longer texts are not kept, so the kept markup stays a few MB however long an estate's names."""


def label(raw: object, vocabulary: str = ANY) -> Markup:
    """``<span title="RAW">Plain</span>``: the plain label, the raw value as its tooltip."""
    if raw is None or raw == "":
        return Markup("")
    text = str(raw)
    if len(text) > KEPT_LENGTH:
        return _label_of_text(text, vocabulary)
    return _kept_label_of_text(text, vocabulary)


def _label_of_text(text: str, vocabulary: str) -> Markup:
    """:func:`label` of a text."""
    plain = plain_label(text, vocabulary)
    if plain == text:
        return escape(text)
    return LABELLED.fill(raw=text, plain=plain)


_kept_label_of_text = lru_cache(maxsize=KEPT_TEXTS)(_label_of_text)


def plain_words(text: object) -> Markup:
    """Free text (a finding's message) with every known API value in it given its label."""
    if text is None:
        return Markup("")
    value = str(text)
    if len(value) > KEPT_LENGTH:
        return _plain_words_of_text(value)
    return _kept_plain_words_of_text(value)


def _plain_words_of_text(value: str) -> Markup:
    """:func:`plain_words` of a text."""
    parts: list[Markup] = []
    position = 0
    for match in _API_TOKEN.finditer(value):
        token = match.group(0)
        if token not in _EVERY_VALUE:
            continue
        parts.append(escape(value[position : match.start()]))
        parts.append(label(token))
        position = match.end()
    parts.append(escape(value[position:]))
    return Markup("").join(parts)


_kept_plain_words_of_text = lru_cache(maxsize=KEPT_TEXTS)(_plain_words_of_text)


def threshold_words(value: object, name: str) -> str:
    """A threshold's value as words where a number means "none": ``minimum_version = 0``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and value == 0 and name.startswith("minimum_"):
        return "no minimum"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(item) for item in value) if value else "none"
    return str(value)
