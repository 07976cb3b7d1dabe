"""A plain-text summary of a snapshot, for the terminal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime

from fleetreport.snapshot.model import Snapshot
from fleetreport.text import terminal_safe


def summarise(snapshot: Snapshot, *, now: datetime | None = None) -> str:
    """A few lines a person can read at a glance."""
    current = now or datetime.now(UTC)
    age_days = (current - snapshot.collected_at).total_seconds() / 86400
    vms = [vm for vm in snapshot.vms if not vm.template]
    templates = len(snapshot.vms) - len(vms)
    lines = [
        f"Snapshot collected {snapshot.collected_at:%Y-%m-%d %H:%M} UTC"
        f" by {snapshot.generator} ({_age(age_days)})",
    ]
    for source in snapshot.sources:
        detail = (
            f"{source.objects} objects, {source.round_trips} round trips"
            if source.status == "ok"
            else f"FAILED: {terminal_safe(source.error or '')}"
        )
        tls = "" if source.tls_verified else ", TLS NOT VERIFIED"
        lines.append(f"  {source.kind} {source.url}: {source.status} ({detail}{tls})")
    lines += [
        f"vCenters {len(snapshot.vcenters)}, datacenters {len(snapshot.datacenters)},"
        f" clusters {len(snapshot.clusters)}, hosts {len(snapshot.hosts)}",
        f"VMs {len(vms)} (plus {templates} templates)",
        "  power:  " + _counts(vm.power_state for vm in vms),
        "  tools:  " + _counts(vm.tools_version_status for vm in vms),
        "  hardware: " + _counts(vm.hardware_version for vm in vms),
        "  ESXi builds: " + _counts(f"{h.version} build {h.build}" for h in snapshot.hosts),
    ]
    return "\n".join(lines)


def _counts(values: Iterable[str | None]) -> str:
    counter = Counter(value if value is not None else "unknown" for value in values)
    if not counter:
        return "none"
    pairs = counter.most_common()
    return ", ".join(f"{terminal_safe(name, limit=60)} {count}" for name, count in pairs)


def _age(days: float) -> str:
    if days < 1:
        return "less than a day old"
    return f"{days:.0f} days old"
