"""A plain-text summary of a snapshot, for the terminal (rendered from templates/summary.txt)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime

from fleetreport.render.templating import environment
from fleetreport.render.views import describe_age
from fleetreport.snapshot.model import Snapshot


def summarise(snapshot: Snapshot, *, now: datetime | None = None) -> str:
    """A few lines a person can read at a glance; the data's age is measured at ``now`` (the
    report's time when printed beside a report) with the report's own wording."""
    current = now or datetime.now(UTC)
    vms = [vm for vm in snapshot.vms if not vm.template]
    sources = [
        {
            "kind": source.kind,
            "url": source.url,
            "status": source.status,
            "tls_verified": source.tls_verified,
            "detail": (
                f"{source.objects} objects, {source.round_trips} round trips"
                if source.status == "ok"
                else f"same source as {source.duplicate_of}, collected once"
                if source.status == "duplicate"
                else f"FAILED: {source.error}"
            ),
        }
        for source in snapshot.sources
    ]
    breakdowns = [
        ("power", _counts(vm.power_state for vm in vms)),
        ("VMware Tools", _counts(vm.tools_version_status for vm in vms)),
        ("hardware", _counts(vm.hardware_version for vm in vms)),
        ("ESXi builds", _counts(f"{h.version} build {h.build}" for h in snapshot.hosts)),
    ]
    text = (
        environment()
        .get_template("summary.txt")
        .render(
            collected_at=f"{snapshot.collected_at:%Y-%m-%d %H:%M}",
            generator=snapshot.generator,
            age=describe_age(current, snapshot.collected_at),
            sources=sources,
            counts={
                "vcenters": len(snapshot.vcenters),
                "datacenters": len(snapshot.datacenters),
                "clusters": len(snapshot.clusters),
                "hosts": len(snapshot.hosts),
                "vms": len(vms),
                "templates": len(snapshot.vms) - len(vms),
            },
            breakdowns=breakdowns,
        )
    )
    return text.rstrip("\n")


def _counts(values: Iterable[str | None]) -> list[tuple[str, int]]:
    counter = Counter(value if value is not None else "unknown" for value in values)
    return counter.most_common()
