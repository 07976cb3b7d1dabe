"""Anonymise a snapshot: every name that identifies the customer becomes a pseudonym.

The same original always gets the same pseudonym within one anonymisation (``AMS-W11-035``
is ``VM-0001`` wherever it appears: as a VM, as a Horizon machine, as the first label of a
DNS name, in a path, in an error text), so every join of the snapshot still holds: machine to
VM (moref and vCenter instance UUID), machine to pool, session to machine, pool to golden
image snapshot, VM folder to the pool's ``vm_folder_path``, VM to host by name.

What is kept: everything the health checks judge (states, statuses, versions, builds,
hardware versions, times, counts, power policies, enums), guest OS names, VMware Tools and
agent versions, Connection Server service names, managed object ids (``vm-123`` names
nothing) and the shape of every value (a path stays a path, a DNS name a DNS name, a
``DOMAIN\\user`` stays one).

How names are chosen:

- Names get a numbered pseudonym per category (``vm-0042``, ``host-003``, ``pool-02``,
  ``user-0017``, ``DOMAIN01``, ``domain01.invalid``) in the order the snapshot lists them;
  upper-case originals get upper-case pseudonyms, so ``AMS-W11-035`` and its DNS label
  ``ams-w11-035`` stay the same name in two spellings. Names are matched case-insensitively.
- Instance UUIDs, BIOS UUIDs and Horizon ids become UUIDv5 values in a namespace derived from
  a random per-recording key: consistent, and impossible to reverse without the key.
- IP addresses come from ranges reserved for documentation and benchmarking
  (``198.18.0.0/15``, ``2001:db8::/32``).
- Free text a person wrote (annotations, snapshot descriptions, custom attribute values) is
  replaced whole. Error texts keep their words, with every name in them replaced: names
  the snapshot knows, names the pools' naming patterns generate, URLs, DNS names, e-mail
  addresses and UPNs, ``DOMAIN\\user``, IP addresses, UUIDs, domain SIDs and anything in
  quotes. A name that only an error text holds is learnt too, so no pseudonym contains it.
- Names of the components around the desktops get pseudonyms too: datastores, custom alarm
  names (vCenter's preconfigured alarm names are product text and kept, see
  :mod:`fleetreport.record.vsphere_alarms`), AD domains (the same pseudonyms as the domain part
  of user names), service accounts, SAML authenticator labels, True SSO connectors, Cloud Pod
  Architecture pods, sites and endpoints (a pod endpoint and a replication partner are
  Connection Servers: the same pseudonym as the server's own name), and a farm's missing
  applications (replaced whole: a name or a path an administrator chose). Host hardware sensor
  names and summaries are the hardware's words: kept as error texts are, with every name in
  them replaced. Licences name nobody: kept.
- No pseudonym contains an original name (of three characters or more), so searching the
  result for an original name never finds a pseudonym by accident.

The mapping (original -> pseudonym, by category) is returned for the consultant to keep; it
is never part of the anonymised snapshot.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import hmac
import ipaddress
import re
import secrets
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from fleetreport.ordering import natural_key
from fleetreport.record.vsphere_alarms import is_preconfigured, vsan_health_test
from fleetreport.snapshot.model import (
    AdDomain,
    Cluster,
    ComponentLink,
    ConnectionServer,
    Datacenter,
    Datastore,
    DesktopPool,
    EventDatabase,
    FederationPod,
    Gateway,
    HorizonLicense,
    HorizonPod,
    HorizonUsage,
    HorizonVCenter,
    Host,
    HostSensor,
    Machine,
    PodEndpoint,
    Replication,
    SamlAuthenticator,
    ServiceAccount,
    Session,
    Snapshot,
    Source,
    TriggeredAlarm,
    TrueSso,
    UnmatchedVm,
    VCenter,
    VCenterUsage,
    VirtualMachine,
    VmSnapshot,
)
from fleetreport.snapshot.roles import CLONE_PREP_FOLDERS, role_by_name

KEY_BYTES = 32
"""Length of a random anonymisation key."""

TEMPLATES: dict[str, str] = {
    "vm": "vm-{:04d}",
    "esx_host": "host-{:03d}",
    "vcenter": "vcenter-{:02d}",
    "connection_server": "cs-{:02d}",
    "gateway": "gateway-{:02d}",
    "database_server": "db-{:02d}",
    "server": "server-{:02d}",
    "dns_domain": "domain{:02d}.invalid",
    "ad_domain": "DOMAIN{:02d}",
    "user": "user-{:04d}",
    "datacenter": "dc-{:02d}",
    "cluster": "cluster-{:02d}",
    "folder": "folder-{:02d}",
    "resource_pool": "rp-{:02d}",
    "pool": "pool-{:02d}",
    "pool_display": "display-{:02d}",
    "naming_pattern": "pattern-{:02d}",
    "snapshot": "snap-{:02d}",
    "vapp": "vapp-{:02d}",
    "database": "eventdb-{:02d}",
    "datastore": "ds-{:02d}",
    "alarm": "custom-alarm-{:02d}",
    "saml": "saml-{:02d}",
    "true_sso": "truesso-{:02d}",
    "federation_pod": "pod-{:02d}",
    "site": "site-{:02d}",
    "application": "app-{:03d}",
    "domain_id": "domain-id-{:02d}",
    "url_path": "path-{:02d}",
    "attribute": "attribute-{:02d}",
    "attribute_value": "value-{:04d}",
    "note": "note-{:04d}",
    "text": "name-{:04d}",
}
"""Numbered pseudonyms, by category."""

UUID_CATEGORIES = ("vcenter_uuid", "vm_uuid", "horizon_id")
"""Categories whose pseudonyms are keyed UUIDv5 values."""

IP_CATEGORY = "ip"

SERVER_ROLES = ("vm", "esx_host", "vcenter", "connection_server", "gateway", "database_server")
"""Categories a host name can belong to, in the order a name found in free text is looked up."""

KNOWN_ORDER = (
    "vm",
    "user",
    "pool",
    "pool_display",
    "esx_host",
    "vcenter",
    "connection_server",
    "gateway",
    "database_server",
    "server",
    "dns_domain",
    "ad_domain",
    "datacenter",
    "cluster",
    "folder",
    "resource_pool",
    "snapshot",
    "database",
    "datastore",
    "alarm",
    "saml",
    "true_sso",
    "federation_pod",
    "site",
    "application",
    "domain_id",
    "naming_pattern",
    "attribute_value",
    "attribute",
    "text",
)
"""Categories whose names are replaced inside free text, first category first."""

KEPT_RESOURCE_POOLS = frozenset({"Resources"})
"""vSphere's own name for a cluster's root resource pool: kept, it names nothing."""

KEPT_FOLDERS = frozenset({*CLONE_PREP_FOLDERS, "vCLS"})
"""Folders Horizon and vSphere create and name themselves: kept, they name nothing and they
tell which VMs are Horizon's own (:mod:`fleetreport.snapshot.roles`)."""


COMMON_WORDS = frozenset(
    {
        "horizon",
        "resources",
        "vm",
        "vms",
        "template",
        "templates",
        "desktop",
        "desktops",
        "discovered virtual machine",
        "datastore",
        "host",
        "hosts",
        "cluster",
        "datastore1",
        "pool",
        "pools",
        "vcenter",
        "default",
    }
)
"""Everyday vocabulary left alone inside error texts even when the estate uses it as a name."""

INFERRED = "inferred"
_IPV4_RANGES = (ipaddress.ip_network("198.18.0.0/15"), ipaddress.ip_network("240.0.0.0/4"))
_IPV6_RANGE = ipaddress.ip_network("2001:db8::/32")
_MOREF = re.compile(r"[a-z][a-zA-Z-]*-\d+")
_NUMERIC = re.compile(r"[\d\s.,:;%+/-]*")
_TOKEN = re.compile(r"(\{[^{}]*\})")
_SAFE_URL_SEGMENT = re.compile(r"(?i)sdk|rest|api|ui|v\d+")
_HOST_PORT = re.compile(r"([^:\[\]]+):(\d{1,5})")
_BRACKETED = re.compile(r"\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?")
_DNS_NAME = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]*")
_UUID = re.compile(r"[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")
_SID = r"S-1-5-21(?:-\d+){3,4}"
"""A domain account's SID, as free text and the usage records' user ids hold it."""
_SID_SHAPE = re.compile(_SID)
_MIN_NAME = 3
_MAX_NUMBERED = 1000
"""Numbers tried for a numbered pseudonym before the category falls back to keyed ones."""
_MAX_TRIES = 100
"""Attempts at a UUID that holds no original name."""
_FREE_TEXT_PATTERNS = (
    r"(?P<url>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+)",
    r"(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)",
    r"(?P<downlevel>\w[\w.-]*\\[\w.$-]+)",
    rf"(?P<sid>\b{_SID}\b)",
    r"(?P<uuid>\b[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}\b)",
    r"(?P<ipv4>(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d))",
    r"(?P<ipv6>(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:]))",
    r"(?P<fqdn>(?<![\w.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
    r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9](?![\w-]|\.\w))",
    r"(?<!\w)(?P<quoted>'[^'\n]{1,500}'|\"[^\"\n]{1,500}\")(?!\w)",
)

_ACCOUNT_PATTERNS = 3
"""How many of the patterns above (URL, e-mail address, ``DOMAIN\\user``) come before the names
the snapshot knows: each is replaced as a whole."""
_NAME_SHAPED = re.compile("|".join(_FREE_TEXT_PATTERNS))
_NAME_SEPARATORS = re.compile(r"[\\@.]")


class _Pass(enum.Enum):
    COLLECT = "collect"
    """Learn every original name (so that no pseudonym contains one); change nothing."""
    ASSIGN = "assign"
    """Give structured names their pseudonyms, in the snapshot's order; leave free text."""
    FINAL = "final"
    """Replace everything, free text included, knowing every name of the snapshot."""


Mapping = dict[str, dict[str, str]]
"""Original -> pseudonym, by category."""


@dataclass(frozen=True)
class Anonymised:
    """An anonymised snapshot and the mapping that undoes it."""

    snapshot: Snapshot
    """The snapshot with every identifying name replaced."""
    mapping: Mapping
    """Original -> pseudonym, by category (``vm``, ``user``, ``ip``, ...). Keep it private."""


def new_key() -> bytes:
    """A random anonymisation key: one per recording."""
    return secrets.token_bytes(KEY_BYTES)


def anonymise(snapshot: Snapshot, key: bytes | None = None) -> Anonymised:
    """Anonymise ``snapshot``; the same ``key`` and snapshot always give the same result."""
    names = _Pseudonyms(new_key() if key is None else key)
    for step in _Pass:
        names.begin(step)
        result = _rewrite(snapshot, names)
    return Anonymised(result, names.mapping())


def invert(mapping: Mapping) -> Mapping:
    """Pseudonym -> original, by category (what the consultant uses to read a report back)."""
    return {category: {v: k for k, v in pairs.items()} for category, pairs in mapping.items()}


class _Pseudonyms:
    """The pseudonyms of one anonymisation, and the rules that make them."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._namespace = uuid.UUID(bytes=self._digest(b"uuid-namespace")[:16])
        self._pass = _Pass.COLLECT
        self._forbidden: set[str] = set()
        self._longest_forbidden = 0
        self._hex_forbidden: list[str] | None = None
        self._bases: dict[str, dict[str, str]] = {}
        self._exact: dict[str, dict[str, str]] = {}
        self._counters: Counter[str] = Counter()
        self._exhausted: set[str] = set()
        self._scrubber: Callable[[str], str] | None = None
        self._patterns: set[str] = set()

    # ------------------------------------------------------------------------- passes

    def begin(self, step: _Pass) -> None:
        """Start a pass over the snapshot."""
        self._pass = step
        if step is _Pass.FINAL:
            self._scrubber = self._build_scrubber()

    def mapping(self) -> Mapping:
        """Original -> pseudonym, by category, each sorted by pseudonym."""
        return {
            category: dict(sorted(pairs.items(), key=lambda item: natural_key(item[1])))
            for category, pairs in sorted(self._exact.items())
            if pairs
        }

    def _digest(self, message: bytes) -> bytes:
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def _remember(self, original: str) -> None:
        folded = original.casefold()
        if len(folded) >= _MIN_NAME:
            self._forbidden.add(folded)
            self._longest_forbidden = max(self._longest_forbidden, len(folded))
            self._hex_forbidden = None

    def _clean(self, candidate: str) -> bool:
        """True when no original name of three or more characters is inside ``candidate``."""
        folded = candidate.casefold()
        longest = min(self._longest_forbidden, len(folded))
        return not any(
            folded[start : start + size] in self._forbidden
            for size in range(_MIN_NAME, longest + 1)
            for start in range(len(folded) - size + 1)
        )

    def _record(self, category: str, original: str, pseudonym: str) -> str:
        self._exact.setdefault(category, {})[original] = pseudonym
        return pseudonym

    # --------------------------------------------------------------------------- names

    def name(self, category: str, original: str, *, fold: bool = True) -> str:
        """The pseudonym of a name (``""`` stays ``""``)."""
        if original == "":
            return original
        if self._pass is _Pass.COLLECT:
            self._remember(original)
            return original
        bases = self._bases.setdefault(category, {})
        key = original.casefold() if fold else original
        base = bases.get(key)
        if base is None:
            base = bases[key] = self._fresh(category, original)
        return self._record(category, original, _styled(base, original))

    def _fresh(self, category: str, original: str) -> str:
        template = TEMPLATES[category]
        literals = template.split("{")[0:1] + template.split("}")[1:]
        if category not in self._exhausted and all(map(self._clean, literals)):
            # only the number can make a candidate unclean: count on until one is clean
            for _ in range(_MAX_NUMBERED):
                self._counters[category] += 1
                candidate = template.format(self._counters[category])
                if self._clean(candidate):
                    return candidate
            self._exhausted.add(category)
        attempt = 0
        while True:  # keyed, so the same original and key give the same fallback
            digest = self._digest(f"{category}\0{original}\0{attempt}".encode()).hex()
            candidate = f"anon-{digest[:12]}"
            if self._clean(candidate):
                return candidate
            attempt += 1

    def keyed_uuid(self, category: str, original: str) -> str:
        """A UUIDv5 in the key's namespace: the same original always gives the same value."""
        if self._pass is _Pass.COLLECT:
            self._remember(original)
            return original
        if self._hex_forbidden is None:
            hex_only = re.compile(r"[0-9a-f-]+")
            self._hex_forbidden = [f for f in self._forbidden if hex_only.fullmatch(f)]
        candidate = str(uuid.uuid5(self._namespace, original))
        for attempt in range(1, _MAX_TRIES):
            if not any(f in candidate for f in self._hex_forbidden):
                break
            candidate = str(uuid.uuid5(self._namespace, f"{original}\0{attempt}"))
        return self._record(category, original, candidate)

    def ip(self, original: str) -> str:
        """An address from a reserved range; anything that is not an address is a name."""
        try:
            address = ipaddress.ip_address(original.strip())
        except ValueError:
            return self.name("server", original)
        if self._pass is _Pass.COLLECT:
            self._remember(original)
            return original
        bases = self._bases.setdefault(IP_CATEGORY, {})
        key = str(address)
        if key not in bases:
            bases[key] = self._fresh_address(address.version)
        return self._record(IP_CATEGORY, original, bases[key])

    def _fresh_address(self, version: int) -> str:
        counter = f"{IP_CATEGORY}{version}"
        while True:
            self._counters[counter] += 1
            index = self._counters[counter]
            if version == 6:
                candidate = str(_IPV6_RANGE[index])
            else:
                first, second = _IPV4_RANGES
                network = first if index < first.num_addresses else second
                offset = index if network is first else index - first.num_addresses + 1
                address = network[offset]
                if address.packed[-1] in (0, 255):
                    continue
                candidate = str(address)
            if self._clean(candidate):
                return candidate

    # ------------------------------------------------------------------ shaped values

    def server(self, text: str | None, role: str) -> str | None:
        """A host name, ``host:port``, IP address or URL naming a server of ``role``."""
        if text is None or text == "":
            return text
        if "://" in text:
            return self.url(text, role)
        if _is_address(text):
            return self.ip(text)
        bracketed = _BRACKETED.fullmatch(text)
        if bracketed:
            port = f":{bracketed.group(2)}" if bracketed.group(2) else ""
            return f"[{self.ip(bracketed.group(1))}]{port}"
        host_port = _HOST_PORT.fullmatch(text)
        if host_port:
            return f"{self.server(host_port.group(1), role)}:{host_port.group(2)}"
        return self.dns(text, role)

    def dns(self, text: str, role: str) -> str:
        """``label.domain``: the label by ``role``, the domain as a DNS domain."""
        core = text[:-1] if text.endswith(".") and len(text) > 1 else text
        label, dot, rest = core.partition(".")
        if not dot or not label or not rest:
            return self.name(role, text)
        return f"{self.name(role, label)}.{self.name('dns_domain', rest)}" + text[len(core) :]

    def url(self, text: str, role: str | None) -> str:
        """The URL with its host replaced; user info, query and fragment dropped."""
        try:
            parts = urlsplit(text)
            host = parts.hostname
            port = parts.port
        except ValueError:
            return self.name(role or "server", text)
        if not host:
            return self.name(role or "server", text)
        mapped = self.ip(host) if _is_address(host) else self.dns(host, role or self.role_of(host))
        netloc = f"[{mapped}]" if ":" in mapped else mapped
        if port is not None:
            netloc += f":{port}"
        path = "/".join(
            segment
            if not segment or _SAFE_URL_SEGMENT.fullmatch(segment)
            else self.name("url_path", segment)
            for segment in parts.path.split("/")
        )
        return urlunsplit((parts.scheme, netloc, path, "", ""))

    def role_of(self, host: str) -> str:
        """The category a host name found in free text belongs to (``server`` if unknown)."""
        label = host.partition(".")[0].casefold()
        for role in SERVER_ROLES:
            if label in self._bases.get(role, {}):
                return role
        return "server"

    def user(self, text: str | None) -> str | None:
        """``DOMAIN\\user``, ``user@domain`` or ``user``, each part replaced."""
        if text is None or text == "":
            return text
        domain, backslash, account = text.partition("\\")
        if backslash and domain and account:
            return f"{self.domain(domain)}\\{self.name('user', account)}"
        account, at, domain = text.rpartition("@")
        if at and account and domain:
            return f"{self.name('user', account)}@{self.domain(domain)}"
        return self.name("user", text)

    def domain(self, text: str) -> str:
        """A DNS domain (``corp.example``) or a NetBIOS one (``CORP``)."""
        return self.name("dns_domain" if "." in text else "ad_domain", text)

    def label(self, text: str, category: str) -> str:
        """A name that may be a URL, an address or a DNS name (each replaced as such), or a
        name of ``category``."""
        if "://" in text:
            return self.url(text, None)
        if _is_address(text):
            return self.ip(text)
        if _DNS_NAME.fullmatch(text):
            return self.dns(text, self.role_of(text))
        return self.name(category, text)

    def horizon_id(self, text: str | None, category: str) -> str | None:
        """A Horizon UUID (keyed), or any other id as a name of ``category``."""
        if text is None or text == "":
            return text
        if _UUID.fullmatch(text):
            return self.keyed_uuid("horizon_id", text)
        return self.name(category, text)

    def alarm(self, text: str | None) -> str | None:
        """An alarm's name: vCenter's own names kept, vSAN's health test scrubbed, any other
        name (an administrator's words) replaced whole."""
        if text is None or text == "" or is_preconfigured(text):
            return text
        vsan = vsan_health_test(text)
        if vsan is None:
            return self.name("alarm", text)
        prefix, test = vsan
        if len(test) > 1 and test[0] == test[-1] and test[0] in "'\"`":
            return f"{prefix}{test[0]}{self.scrub(test[1:-1])}{test[0]}"
        return prefix + (self.scrub(test) or "")

    def folder(self, text: str | None) -> str | None:
        """A folder path below a datacenter's VM folder (``Desktops/Finance``)."""
        if text is None:
            return None
        return "/".join(
            segment if segment in KEPT_FOLDERS else self.name("folder", segment)
            for segment in text.split("/")
        )

    def datacenter_path(self, text: str | None) -> str | None:
        """``/Folder/Sub/DC``: the folders above a datacenter, then the datacenter."""
        if text is None:
            return None
        start = "/" if text.startswith("/") else ""
        *folders, datacenter = text[len(start) :].split("/")
        parts = [self.name("folder", folder) for folder in folders]
        return start + "/".join([*parts, self.name("datacenter", datacenter)])

    def inventory_path(self, text: str | None, *, ends_in_vm: bool) -> str | None:
        """``/DC/vm/Folder/Sub[/VM]``: datacenter, folders and VM each replaced."""
        if text is None:
            return None
        segments = text.split("/")
        start = 1 if text.startswith("/") else 0
        parts = segments[start:]
        last = len(parts) - 1
        vm_at = next((i for i, part in enumerate(parts) if part == "vm" and i >= 1), None)
        out = []
        for index, part in enumerate(parts):
            if ends_in_vm and index == last:
                out.append(self.name("vm", part))
            elif vm_at is not None and index == vm_at:
                out.append(part)
            elif vm_at is not None and index == vm_at - 1:
                out.append(self.name("datacenter", part))
            else:
                out.append(self.name("folder", part))
        return "/".join(segments[:start] + out)

    def snapshot_path(self, text: str | None) -> str | None:
        """``/base/patched``: each snapshot name replaced."""
        if text is None:
            return None
        return "/".join(self.name("snapshot", segment) for segment in text.split("/"))

    def naming_pattern(self, text: str | None) -> str | None:
        """``AMS-W11-{n:fixed=3}`` -> ``PATTERN-01-{n:fixed=3}``: tokens kept, text replaced."""
        if text is None or text == "":
            return text
        chunks = _TOKEN.split(text)
        tokens = "".join(chunks[1::2])
        literal = "".join(chunks[0::2])
        if not literal:
            return text
        pseudonym = self.name("naming_pattern", literal)
        self._patterns.add(text)
        return f"{pseudonym}-{tokens}" if tokens else pseudonym

    def reference(self, pod: str | None, text: str | None) -> str | None:
        """A Horizon id, or an inferred id (``inferred:VC:NAME`` for pools, ``VC:vm-1``)."""
        if text is None:
            return None
        if text.startswith(f"{INFERRED}:"):
            vcenter, colon, pool_name = text[len(INFERRED) + 1 :].partition(":")
            if colon:
                anonymous_vc = self.keyed_uuid("vcenter_uuid", vcenter)
                return f"{INFERRED}:{anonymous_vc}:{self.name('pool', pool_name)}"
        if pod == INFERRED:
            vcenter, colon, moref = text.partition(":")
            if colon:
                return f"{self.keyed_uuid('vcenter_uuid', vcenter)}:{moref}"
        return self.keyed_uuid("horizon_id", text)

    def pod(self, text: str) -> str:
        """A pod id: the Connection Server host fleetreport asked (``inferred`` is kept)."""
        if text == INFERRED:
            return text
        return self.server(text, "connection_server") or text

    def uuid_or_none(self, category: str, text: str | None) -> str | None:
        """A keyed UUID, or None."""
        return None if text is None else self.keyed_uuid(category, text)

    # ---------------------------------------------------------------------- free text

    def note(self, text: str | None) -> str | None:
        """Free text a person wrote (annotation, description): replaced whole."""
        if text is None or text == "":
            return text
        if self._pass is _Pass.COLLECT:
            self._remember(text)
        if self._pass is not _Pass.FINAL:
            return text
        return self.name("note", text)

    def attribute_value(self, text: str) -> str:
        """A custom attribute value: the pseudonym of the name it is, or replaced whole."""
        if text == "" or self._pass is not _Pass.FINAL:
            if self._pass is _Pass.COLLECT:
                self._remember(text)
            return text
        folded = text.casefold()
        for category in KNOWN_ORDER:
            if folded in self._bases.get(category, {}):
                return self.name(category, text)
        if _is_address(text):
            return self.ip(text)
        return self.name("attribute_value", text)

    def scrub(self, text: str | None) -> str | None:
        """An error text: its words kept, every name in it replaced."""
        if text is None or text == "":
            return text
        if self._pass is _Pass.COLLECT:
            self._remember(text)
            for part in _name_parts(text):  # names only an error text holds
                self._remember(part)
        if self._pass is not _Pass.FINAL or self._scrubber is None:
            return text
        return self._scrubber(text)

    def _build_scrubber(self) -> Callable[[str], str]:
        known: dict[str, str] = {}
        for category in KNOWN_ORDER:
            for folded in self._bases.get(category, {}):
                if len(folded) >= _MIN_NAME and folded not in COMMON_WORDS:
                    known.setdefault(folded, category)
        alternatives = list(_FREE_TEXT_PATTERNS)
        # after URLs, addresses and accounts (each replaced whole, its parts as names)
        at = _ACCOUNT_PATTERNS
        generated = [g for g in map(_pattern_regex, sorted(self._patterns)) if g is not None]
        if generated:
            alternatives.insert(at, rf"(?<!\w)(?P<generated>{'|'.join(generated)})(?!\w)")
        if known:
            names = "|".join(re.escape(k) for k in sorted(known, key=lambda k: (-len(k), k)))
            alternatives.insert(at, rf"(?<!\w)(?P<known>{names})(?!\w)")
        pattern = re.compile("|".join(alternatives), re.IGNORECASE)

        def replace(match: re.Match[str]) -> str:
            kind = match.lastgroup
            found = match.group(0)
            if kind == "known":
                category = known.get(found.casefold())
                return self.name(category or "text", found)
            if kind == "generated":
                return self.name("vm", found)
            if kind == "url":
                return self.url(found, None)
            if kind in ("email", "downlevel"):
                return self.user(found) or found
            if kind == "sid":
                return self.name("domain_id", found)
            if kind == "uuid":
                return self.keyed_uuid(self._uuid_category(found), found)
            if kind in ("ipv4", "ipv6"):
                return self.ip(found) if _is_address(found) else found
            if kind == "fqdn":
                return self.dns(found, self.role_of(found))
            return quoted(found)

        def quoted(found: str) -> str:
            mark, inner = found[0], found[1:-1]
            scrubbed = scrub(inner)
            if scrubbed != inner or _harmless(inner):
                return f"{mark}{scrubbed}{mark}"
            return f"{mark}{self.name('text', inner)}{mark}"

        def scrub(text: str) -> str:
            return pattern.sub(replace, text)

        return scrub

    def _uuid_category(self, text: str) -> str:
        for category in UUID_CATEGORIES:
            if text in self._exact.get(category, {}):
                return category
        return "horizon_id"


def _styled(base: str, original: str) -> str:
    """Upper-case originals get upper-case pseudonyms, lower-case ones lower-case."""
    if original.upper() == original and original.lower() != original:
        return base.upper()
    if original.lower() == original and original.upper() != original:
        return base.lower()
    return base


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip())
    except ValueError:
        return False
    return True


def _name_parts(text: str) -> list[str]:
    """The names an error text holds, and their labels (a URL's host, an account's parts), for
    the collect pass: no pseudonym may contain one, though no structured field names it."""
    parts: list[str] = []
    for found in _NAME_SHAPED.finditer(text):
        kind, value = found.lastgroup, found.group(0)
        if kind == "url":
            try:
                value = urlsplit(value).hostname or ""
            except ValueError:
                continue
        if kind == "quoted":
            value = value[1:-1]
        parts.append(value)
        if kind in ("url", "email", "downlevel", "fqdn"):
            parts.extend(_NAME_SEPARATORS.split(value))
    return [part for part in parts if part.casefold() not in COMMON_WORDS]


def _harmless(text: str) -> bool:
    """Quoted text that names nothing: a moref, a number, everyday vocabulary."""
    return bool(
        _MOREF.fullmatch(text) or _NUMERIC.fullmatch(text) or text.casefold() in COMMON_WORDS
    )


def _pattern_regex(pattern: str) -> str | None:
    """A regex for the names a Horizon naming pattern makes (its text at least 3 characters)."""
    chunks = _TOKEN.split(pattern)
    if len("".join(chunks[0::2])) < _MIN_NAME or len(chunks) < 2:
        return None
    return "".join(r"\d+" if index % 2 else re.escape(chunk) for index, chunk in enumerate(chunks))


# ------------------------------------------------------------------------------ the walk


def _rewrite(snapshot: Snapshot, names: _Pseudonyms) -> Snapshot:
    """The snapshot with every identifying value passed through ``names``."""
    return dataclasses.replace(
        snapshot,
        vcenters=[_vcenter(v, names) for v in snapshot.vcenters],
        datacenters=[_datacenter(d, names) for d in snapshot.datacenters],
        clusters=[_cluster(c, names) for c in snapshot.clusters],
        hosts=[_host(h, names) for h in snapshot.hosts],
        vms=[_vm(vm, names) for vm in snapshot.vms],
        pods=[_pod(p, names) for p in snapshot.pods],
        pools=[_pool(p, names) for p in snapshot.pools],
        machines=[_machine(m, names) for m in snapshot.machines],
        sessions=[_session(s, names) for s in snapshot.sessions],
        connection_servers=[_connection_server(c, names) for c in snapshot.connection_servers],
        horizon_vcenters=[_horizon_vcenter(v, names) for v in snapshot.horizon_vcenters],
        gateways=[_gateway(g, names) for g in snapshot.gateways],
        event_databases=[_event_database(e, names) for e in snapshot.event_databases],
        unmatched_vms=[_unmatched(u, names) for u in snapshot.unmatched_vms],
        datastores=[_datastore(d, names) for d in snapshot.datastores],
        alarms=[_alarm(a, names) for a in snapshot.alarms],
        ad_domains=[_ad_domain(d, names) for d in snapshot.ad_domains],
        saml_authenticators=[_saml(s, names) for s in snapshot.saml_authenticators],
        true_sso=[_true_sso(t, names) for t in snapshot.true_sso],
        federation_pods=[_federation_pod(f, names) for f in snapshot.federation_pods],
        licenses=[_license(lic, names) for lic in snapshot.licenses],
        horizon_usage=[_horizon_usage(u, names) for u in snapshot.horizon_usage],
        vcenter_usage=[_vcenter_usage(u, names) for u in snapshot.vcenter_usage],
        sources=[_source(s, names) for s in snapshot.sources],
    )


_SOURCE_ROLES = {"vcenter": "vcenter", "horizon": "connection_server"}


def _source(source: Source, names: _Pseudonyms) -> Source:
    role = _SOURCE_ROLES.get(source.kind, "server")
    return dataclasses.replace(
        source,
        url=names.url(source.url, role),
        error=names.scrub(source.error),
        instance_uuid=names.uuid_or_none("vcenter_uuid", source.instance_uuid),
        duplicate_of=None if source.duplicate_of is None else names.url(source.duplicate_of, role),
    )


def _vcenter(vcenter: VCenter, names: _Pseudonyms) -> VCenter:
    return dataclasses.replace(
        vcenter,
        instance_uuid=names.keyed_uuid("vcenter_uuid", vcenter.instance_uuid),
        name=names.server(vcenter.name, "vcenter") or vcenter.name,
        url=names.url(vcenter.url, "vcenter"),
        usage_error=names.scrub(vcenter.usage_error),
    )


def _datacenter(datacenter: Datacenter, names: _Pseudonyms) -> Datacenter:
    return dataclasses.replace(
        datacenter,
        vcenter=names.keyed_uuid("vcenter_uuid", datacenter.vcenter),
        name=names.name("datacenter", datacenter.name),
        path=names.datacenter_path(datacenter.path),
    )


def _optional(names: _Pseudonyms, category: str, text: str | None) -> str | None:
    return None if text is None else names.name(category, text)


def _cluster(cluster: Cluster, names: _Pseudonyms) -> Cluster:
    return dataclasses.replace(
        cluster,
        vcenter=names.keyed_uuid("vcenter_uuid", cluster.vcenter),
        name=names.name("cluster", cluster.name),
        datacenter=_optional(names, "datacenter", cluster.datacenter),
    )


def _host(host: Host, names: _Pseudonyms) -> Host:
    return dataclasses.replace(
        host,
        vcenter=names.keyed_uuid("vcenter_uuid", host.vcenter),
        name=names.server(host.name, "esx_host") or host.name,
        datacenter=_optional(names, "datacenter", host.datacenter),
        cluster=_optional(names, "cluster", host.cluster),
        sensor_alerts=[_sensor(s, names) for s in host.sensor_alerts],
    )


def _sensor(sensor: HostSensor, names: _Pseudonyms) -> HostSensor:
    """The hardware's own words, with any name in them (a host, an address) replaced."""
    return dataclasses.replace(
        sensor,
        name=names.scrub(sensor.name) or sensor.name,
        summary=names.scrub(sensor.summary) or sensor.summary,
    )


def _vm_snapshot(snapshot: VmSnapshot, names: _Pseudonyms) -> VmSnapshot:
    return dataclasses.replace(
        snapshot,
        name=names.name("snapshot", snapshot.name),
        path=names.snapshot_path(snapshot.path) or snapshot.path,
        description=names.note(snapshot.description) or snapshot.description,
    )


def _vm(vm: VirtualMachine, names: _Pseudonyms) -> VirtualMachine:
    resource_pool = vm.resource_pool
    if resource_pool is not None and resource_pool not in KEPT_RESOURCE_POOLS:
        resource_pool = names.name("resource_pool", resource_pool)
    return dataclasses.replace(
        vm,
        vcenter=names.keyed_uuid("vcenter_uuid", vm.vcenter),
        name=_vm_name(names, vm.name),
        vapp=_optional(names, "vapp", vm.vapp),
        instance_uuid=names.uuid_or_none("vm_uuid", vm.instance_uuid),
        bios_uuid=names.uuid_or_none("vm_uuid", vm.bios_uuid),
        datacenter=_optional(names, "datacenter", vm.datacenter),
        cluster=_optional(names, "cluster", vm.cluster),
        host=names.server(vm.host, "esx_host"),
        resource_pool=resource_pool,
        folder=names.folder(vm.folder),
        guest_hostname=names.server(vm.guest_hostname, "vm"),
        ip_address=None if vm.ip_address is None else names.ip(vm.ip_address),
        annotation=names.note(vm.annotation) or vm.annotation,
        custom_attributes={
            names.name("attribute", key, fold=False): names.attribute_value(value)
            for key, value in vm.custom_attributes.items()
        },
        snapshots=[_vm_snapshot(s, names) for s in vm.snapshots],
    )


def _vm_name(names: _Pseudonyms, name: str) -> str:
    """VMs Horizon and vSphere name themselves (``cp-parent-<uuid>``, ``vCLS-<uuid>``) keep
    their generated names: they identify nothing and tell the report what the VMs are."""
    return name if role_by_name(name) is not None else names.name("vm", name)


def _pod(pod: HorizonPod, names: _Pseudonyms) -> HorizonPod:
    return dataclasses.replace(
        pod,
        id=names.pod(pod.id),
        url=names.url(pod.url, "connection_server"),
        identity=names.scrub(pod.identity),
        skipped={key: names.scrub(why) or why for key, why in pod.skipped.items()},
    )


def _pool(pool: DesktopPool, names: _Pseudonyms) -> DesktopPool:
    return dataclasses.replace(
        pool,
        pod=names.pod(pool.pod),
        id=names.reference(pool.pod, pool.id) or pool.id,
        name=names.name("pool", pool.name),
        display_name=_display_name(pool, names),
        naming_pattern=names.naming_pattern(pool.naming_pattern),
        vm_folder_path=names.inventory_path(pool.vm_folder_path, ends_in_vm=False),
        parent_vm_path=names.inventory_path(pool.parent_vm_path, ends_in_vm=True),
        base_snapshot_path=names.snapshot_path(pool.base_snapshot_path),
        pending_image_error=names.scrub(pool.pending_image_error),
        last_provisioning_error=names.scrub(pool.last_provisioning_error),
        vcenter_id=names.uuid_or_none("horizon_id", pool.vcenter_id),
        vcenter=names.uuid_or_none("vcenter_uuid", pool.vcenter),
        farm_id=names.reference(pool.pod, pool.farm_id),
        missing_applications=[names.name("application", a) for a in pool.missing_applications],
    )


def _display_name(pool: DesktopPool, names: _Pseudonyms) -> str | None:
    """The same pseudonym as the pool's name when the two are the same text."""
    if pool.display_name is None:
        return None
    if pool.display_name.casefold() == pool.name.casefold():
        return names.name("pool", pool.display_name)
    return names.name("pool_display", pool.display_name)


def _machine(machine: Machine, names: _Pseudonyms) -> Machine:
    return dataclasses.replace(
        machine,
        pod=names.pod(machine.pod),
        id=names.reference(machine.pod, machine.id) or machine.id,
        name=names.name("vm", machine.name),
        dns_name=names.server(machine.dns_name, "vm"),
        pool_id=names.reference(machine.pod, machine.pool_id),
        user_names=[names.user(u) or u for u in machine.user_names],
        user_ids=[_sid(names, u) or u for u in machine.user_ids],
        vcenter_id=names.uuid_or_none("horizon_id", machine.vcenter_id),
        vm_path=names.inventory_path(machine.vm_path, ends_in_vm=True),
        host_name=names.server(machine.host_name, "esx_host"),
        vm_vcenter=names.uuid_or_none("vcenter_uuid", machine.vm_vcenter),
    )


def _session(session: Session, names: _Pseudonyms) -> Session:
    return dataclasses.replace(
        session,
        pod=names.pod(session.pod),
        id=names.reference(session.pod, session.id) or session.id,
        user_name=names.user(session.user_name),
        machine_id=names.reference(session.pod, session.machine_id),
        pool_id=names.reference(session.pod, session.pool_id),
        farm_id=names.reference(session.pod, session.farm_id),
    )


def _connection_server(server: ConnectionServer, names: _Pseudonyms) -> ConnectionServer:
    return dataclasses.replace(
        server,
        pod=names.pod(server.pod),
        id=names.keyed_uuid("horizon_id", server.id),
        name=names.server(server.name, "connection_server") or server.name,
        replications=None
        if server.replications is None
        else [_replication(r, names) for r in server.replications],
    )


def _replication(replication: Replication, names: _Pseudonyms) -> Replication:
    return dataclasses.replace(
        replication,
        server_name=names.server(replication.server_name, "connection_server")
        or replication.server_name,
        message=names.scrub(replication.message),
    )


def _horizon_vcenter(vcenter: HorizonVCenter, names: _Pseudonyms) -> HorizonVCenter:
    return dataclasses.replace(
        vcenter,
        pod=names.pod(vcenter.pod),
        id=names.keyed_uuid("horizon_id", vcenter.id),
        name=names.server(vcenter.name, "vcenter") or vcenter.name,
        instance_uuid=names.uuid_or_none("vcenter_uuid", vcenter.instance_uuid),
    )


def _gateway(gateway: Gateway, names: _Pseudonyms) -> Gateway:
    return dataclasses.replace(
        gateway,
        pod=names.pod(gateway.pod),
        id=names.keyed_uuid("horizon_id", gateway.id),
        name=names.server(gateway.name, "gateway") or gateway.name,
        certificate_problems=[names.scrub(p) or p for p in gateway.certificate_problems],
        service_errors=[names.scrub(e) or e for e in gateway.service_errors],
    )


def _event_database(database: EventDatabase, names: _Pseudonyms) -> EventDatabase:
    return dataclasses.replace(
        database,
        pod=names.pod(database.pod),
        server_name=names.server(database.server_name, "database_server"),
        database_name=_optional(names, "database", database.database_name),
        error=names.scrub(database.error),
    )


def _unmatched(vm: UnmatchedVm, names: _Pseudonyms) -> UnmatchedVm:
    return dataclasses.replace(
        vm,
        vcenter=names.keyed_uuid("vcenter_uuid", vm.vcenter),
        name=_vm_name(names, vm.name),
        pool_id=names.reference(None, vm.pool_id) or vm.pool_id,
    )


def _datastore(datastore: Datastore, names: _Pseudonyms) -> Datastore:
    return dataclasses.replace(
        datastore,
        vcenter=names.keyed_uuid("vcenter_uuid", datastore.vcenter),
        name=names.name("datastore", datastore.name),
        datacenter=_optional(names, "datacenter", datastore.datacenter),
    )


def _alarm(alarm: TriggeredAlarm, names: _Pseudonyms) -> TriggeredAlarm:
    return dataclasses.replace(
        alarm, vcenter=names.keyed_uuid("vcenter_uuid", alarm.vcenter), name=names.alarm(alarm.name)
    )


def _link(link: ComponentLink, names: _Pseudonyms) -> ComponentLink:
    """How one Connection Server sees a component: the server's own pseudonym."""
    return dataclasses.replace(
        link,
        server=names.server(link.server, "connection_server") or link.server,
        detail=names.scrub(link.detail),
    )


def _ad_domain(domain: AdDomain, names: _Pseudonyms) -> AdDomain:
    """The domain's names as the domain part of user names has them."""
    return dataclasses.replace(
        domain,
        pod=names.pod(domain.pod),
        id=names.horizon_id(domain.id, "domain_id") or domain.id,
        dns_name=names.domain(domain.dns_name) if domain.dns_name else domain.dns_name,
        netbios_name=None if domain.netbios_name is None else names.domain(domain.netbios_name),
        links=[_link(link, names) for link in domain.links],
        service_accounts=[_service_account(a, names) for a in domain.service_accounts],
    )


def _service_account(account: ServiceAccount, names: _Pseudonyms) -> ServiceAccount:
    return dataclasses.replace(account, user_name=names.user(account.user_name) or "")


def _saml(saml: SamlAuthenticator, names: _Pseudonyms) -> SamlAuthenticator:
    return dataclasses.replace(
        saml,
        pod=names.pod(saml.pod),
        id=names.horizon_id(saml.id, "text") or saml.id,
        label=names.label(saml.label, "saml") if saml.label else saml.label,
        links=[_link(link, names) for link in saml.links],
    )


def _true_sso(connector: TrueSso, names: _Pseudonyms) -> TrueSso:
    """A connector named after its AD domain gets the domain's pseudonym."""
    name = connector.name
    if name:
        name = names.domain(name) if _DNS_NAME.fullmatch(name) else names.name("true_sso", name)
    return dataclasses.replace(
        connector,
        pod=names.pod(connector.pod),
        id=names.horizon_id(connector.id, "text") or connector.id,
        name=name,
        problems=[names.scrub(p) or p for p in connector.problems],
    )


def _federation_pod(pod: FederationPod, names: _Pseudonyms) -> FederationPod:
    return dataclasses.replace(
        pod,
        pod=names.pod(pod.pod),
        id=names.horizon_id(pod.id, "text") or pod.id,
        name=names.label(pod.name, "federation_pod") if pod.name else pod.name,
        site=names.horizon_id(pod.site, "site"),
        endpoints=[_endpoint(e, names) for e in pod.endpoints],
    )


def _endpoint(endpoint: PodEndpoint, names: _Pseudonyms) -> PodEndpoint:
    """A pod endpoint is a Connection Server: the server's own pseudonym."""
    return dataclasses.replace(
        endpoint,
        name=names.server(endpoint.name, "connection_server") or endpoint.name,
        url=names.url(endpoint.url, "connection_server") if endpoint.url else endpoint.url,
    )


def _license(licence: HorizonLicense, names: _Pseudonyms) -> HorizonLicense:
    """A licence names nobody: only its pod changes."""
    return dataclasses.replace(licence, pod=names.pod(licence.pod))


def _usage_machine(names: _Pseudonyms, pod: str, machine_id: str, dns_name: str | None) -> str:
    """A usage record's machine: its DNS name's pseudonym when the events gave no id (the id
    is then the DNS name), else the Horizon id's."""
    if dns_name is not None and machine_id == dns_name:
        return names.server(dns_name, "vm") or machine_id
    return names.reference(pod, machine_id) or machine_id


def _sid(names: _Pseudonyms, text: str | None) -> str | None:
    """A user's SID: the same pseudonym SID as anywhere else (free text included)."""
    if text is None:
        return None
    return names.scrub(text) if _SID_SHAPE.fullmatch(text) else names.name("text", text)


def _horizon_usage(usage: HorizonUsage, names: _Pseudonyms) -> HorizonUsage:
    pod = usage.pod
    return dataclasses.replace(
        usage,
        pod=names.pod(pod),
        reason=names.scrub(usage.reason),
        desktops=[
            dataclasses.replace(
                desktop,
                pod=names.pod(desktop.pod),
                machine_id=_usage_machine(names, pod, desktop.machine_id, desktop.machine_name),
                machine_name=names.server(desktop.machine_name, "vm"),
                pool=_optional(names, "pool", desktop.pool),
                last_user_id=_sid(names, desktop.last_user_id),
            )
            for desktop in usage.desktops
        ],
        pools=[
            dataclasses.replace(
                pool,
                pod=names.pod(pool.pod),
                pool=names.name("pool", pool.pool),
                pool_id=names.reference(pod, pool.pool_id),
            )
            for pool in usage.pools
        ],
        dedicated=[
            dataclasses.replace(
                seen,
                pod=names.pod(seen.pod),
                user_id=_sid(names, seen.user_id) or seen.user_id,
                machine_id=_usage_machine(names, pod, seen.machine_id, None),
                pool=_optional(names, "pool", seen.pool),
            )
            for seen in usage.dedicated
        ],
    )


def _vcenter_usage(usage: VCenterUsage, names: _Pseudonyms) -> VCenterUsage:
    name = (
        _vm_name(names, usage.name)
        if usage.entity_type == "VirtualMachine"
        else names.server(usage.name, "esx_host") or usage.name
    )
    return dataclasses.replace(
        usage,
        vcenter=names.keyed_uuid("vcenter_uuid", usage.vcenter),
        name=name,
        note=names.scrub(usage.note),
    )
