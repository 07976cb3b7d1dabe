"""A desktop on a host vCenter cannot reach: the host's finding, not the desktop's."""

from __future__ import annotations

from collections.abc import Callable

from fleetreport.health.fleet import Desktop
from fleetreport.health.results import Outcome, not_applicable


def on_host_down(desktop: Desktop, is_down: Callable[[str], bool]) -> Outcome | None:
    """Not applicable when the desktop's host is down (``is_down`` of its connection state):
    that is ``host_not_connected``'s finding, and what vCenter says of its VMs is stale.
    None when the host is up or not known."""
    host = desktop.host
    if host is None or host.connection_state is None or not is_down(host.connection_state):
        return None
    return not_applicable(
        f"its host {host.name} is {host.connection_state}: the host's finding"
        " (host_not_connected), not the desktop's"
    )
