"""The inventory appendix's table rows, built in Python: one call per table, not a template
call per cell.

With 10,000 desktops the appendix is over a hundred thousand cells; rendered cell by cell in
Jinja2 it was half the report's time. Each row is the markup the template wrote before, to the
byte, and every value from the estate is escaped (it is untrusted text). The template keeps the
table around the rows; a user's ``report/_inventory.html`` may use the ``inventory_rows``
filter or loop over ``group.desktops`` itself as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from fleetreport.health.report_model import DesktopSummary
from fleetreport.render.labels import label
from fleetreport.render.markup_pattern import MarkupPattern
from fleetreport.render.value_text import format_days, format_score

ROW = MarkupPattern(
    '<tr><td class="name">{name}<br><small><code>{where}</code>{host}</small></td>'
    "<td>{power}</td><td>{machine_state}</td><td>{users}</td><td>{guest_os}</td>"
    "<td>{tools}</td><td>{hardware}</td><td>{agent}</td>"
    '<td class="num" data-sort="{uptime_sort}">{uptime}</td>'
    '<td class="num">{patch}</td><td class="num">{power_score}</td></tr>'
)
"""One desktop's row; the header is in ``templates/report/_inventory.html``."""

ON_HOST = " · "
"""Between the moref and the host."""

UNKNOWN_POWER = Markup("unknown")
"""A desktop without a power state."""


def inventory_rows(desktops: Iterable[DesktopSummary]) -> list[Markup]:
    """Each desktop's ``<tr>`` of the inventory table, in order."""
    rows = list(desktops)
    return ROW.fill_rows(
        name=[desktop.name for desktop in rows],
        where=[desktop.moref or desktop.machine_id or "" for desktop in rows],
        host=[ON_HOST + desktop.host if desktop.host else "" for desktop in rows],
        power=[
            label(desktop.power_state, "power_state") if desktop.power_state else UNKNOWN_POWER
            for desktop in rows
        ],
        machine_state=[label(desktop.machine_state, "machine_state") for desktop in rows],
        users=[", ".join(desktop.users) for desktop in rows],
        guest_os=[desktop.guest_os or "" for desktop in rows],
        tools=[label(desktop.tools_version_status, "tools_status") for desktop in rows],
        hardware=[desktop.hardware_version or "" for desktop in rows],
        agent=[desktop.agent_version or "" for desktop in rows],
        uptime_sort=[
            str(desktop.uptime_days if desktop.uptime_days is not None else -1) for desktop in rows
        ],
        uptime=[format_days(desktop.uptime_days) for desktop in rows],
        patch=[format_score(desktop.patch_score) for desktop in rows],
        power_score=[format_score(desktop.power_score) for desktop in rows],
    )
