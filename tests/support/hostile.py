"""Hostile text in every free-text field that reaches the report, and where each one lands.

A vCenter, a Horizon pod or a consultant's config can put anything in a name: markup, template
syntax, bidi overrides, huge strings. ``hostile_snapshot()`` puts every string of ``HOSTILE``
into each of those fields (one object per string, so that each field holds each string once);
``hostile_branding()`` does the same for the cover. The tests then look for each string, as
text, where it was put.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fleetreport.render.branding import Branding
from fleetreport.snapshot.model import (
    EventDatabase,
    Gateway,
    ServiceStatus,
    Snapshot,
    Source,
    UnmatchedVm,
)
from support.fleet_builders import (
    NOW,
    POD,
    ago,
    connection_server,
    fleet_snapshot,
    host,
    machine,
    pool,
    session,
    vm,
)

LONG = ("very-long-desktop-name-" * 500)[:10_000]
"""A 10,000-character name (no digits, so a stray ``49`` could not come from it)."""

TEMPLATE_EXPRESSION = "{{ 7*7 }}"
"""Template injection: must print as written, never as ``49``."""

HOSTILE: tuple[str, ...] = (
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=2">',
    '"><svg onload=window.__pwned=3>',
    "' onmouseover='window.__pwned=4",
    "javascript:window.__pwned=5",
    TEMPLATE_EXPRESSION,
    "{% raw %}",
    "\u202eevil.exe",
    "سطح المكتب الافتراضي",
    "שולחן עבודה וירטואלי",
    LONG,
    "desk 🖥️ 👩‍💻 🚀",
    "Tom &amp; Jerry",
    "</title></style></textarea><!--",
)
"""The strings. Each is distinct, and none is a substring of another."""

PWNED_MARKERS = ("<script>window.__pwned", "<img src=x", "<svg onload", " onmouseover='")
"""Markup that must never appear unescaped in the HTML text."""


def shifted(index: int, by: int) -> str:
    """The hostile string ``by`` places after ``index`` (to fill a second field differently)."""
    return HOSTILE[(index + by) % len(HOSTILE)]


def failed_source_url(index: int) -> str:
    """URL of the failed source whose error is ``HOSTILE[index]``."""
    return f"https://vc-failed-{index}.example.test/sdk"


def hostile_snapshot() -> Snapshot:
    """A Horizon + vCenter fleet whose every free-text field holds hostile text.

    For each index ``i`` there is one pool ``pool-i`` named ``HOSTILE[i]`` (display name
    ``shifted(i, 1)``) holding one desktop ``vm-i`` named ``HOSTILE[i]`` (annotation, folder and
    guest OS ``HOSTILE[i]``) on host ``HOSTILE[i]`` (cluster ``shifted(i, 2)``), assigned to user
    ``HOSTILE[i]`` with a session of user ``shifted(i, 1)``; the pool's last provisioning error
    is ``HOSTILE[i]``. Connection Server ``cs-i`` is named ``HOSTILE[i]`` and runs a service named
    ``shifted(i, 1)``; source ``failed_source_url(i)`` failed with error ``HOSTILE[i]``.
    """
    vms, machines, pools, sessions, hosts, servers, failed = [], [], [], [], [], [], []
    for index, text in enumerate(HOSTILE):
        pool_id = f"pool-{index}"
        desktop = vm(
            text,
            f"vm-{index}",
            annotation=text,
            folder=text,
            host=text,
            guest_os_running=text,
        )
        assigned = machine(desktop, pool_id, id=f"m-{index}", user_names=[text])
        vms.append(desktop)
        machines.append(assigned)
        sessions.append(session(assigned, id=f"s-{index}", user_name=shifted(index, 1)))
        pools.append(
            pool(
                pool_id,
                name=text,
                display_name=shifted(index, 1),
                last_provisioning_error=text,
                last_provisioning_error_time=ago(days=1),
            )
        )
        hosts.append(host(text, f"host-{index}", cluster=shifted(index, 2)))
        servers.append(
            connection_server(
                text, id=f"cs-{index}", services=[ServiceStatus(shifted(index, 1), "UP")]
            )
        )
        failed.append(
            Source(
                kind="vcenter",
                url=failed_source_url(index),
                status="failed",
                started_at=NOW - timedelta(minutes=1),
                finished_at=NOW,
                tls_verified=False,
                error=text,
            )
        )
    snapshot = fleet_snapshot(vms, machines, pools, sessions, servers, hosts)
    return replace(
        snapshot,
        sources=[*snapshot.sources, *failed],
        gateways=[
            Gateway(POD, f"gw-{i}", text, "OK", "UAG", "2512", True)
            for i, text in enumerate(HOSTILE)
        ],
        event_databases=[EventDatabase(POD, "CONNECTED", HOSTILE[0], HOSTILE[1])],
        unmatched_vms=[
            UnmatchedVm(vms[0].vcenter, f"vm-stray-{i}", text, "pool-0")
            for i, text in enumerate(HOSTILE)
        ],
    )


def hostile_branding() -> Branding:
    """Every hostile string in the customer's and the consultancy's names."""
    return Branding(
        customer=" | ".join(HOSTILE),
        consultant_company=" | ".join(reversed(HOSTILE)),
    )
