"""Which power lever a pool can take: its power policy, or only its sizing.

Horizon's power policy (``session_settings.power_policy``) is "only relevant for managed
machines" (2512 spec, ``DesktopPoolSessionSettings``); instant clones stay powered on whatever
it says (Horizon administration guide, desktop pool settings); RDS farms and RDS desktop pools
have none. For those pools the lever is sizing: spare machines, provisioning on demand,
minimum machines. POWER_OFF and SUSPEND never touch a pool's spare machines (spec, same
field), so spares up to the configured number are not waste in any pool.
"""

from __future__ import annotations

import enum

from fleetreport.snapshot.model import DesktopPool

INSTANT_CLONE = "INSTANT_CLONE"
UNMANAGED = "UNMANAGED"


class Lever(enum.StrEnum):
    """What can power a pool's surplus idle desktops down."""

    POWER_POLICY = "power_policy"
    """A POWER_OFF or SUSPEND policy (full clones, managed manual pools)."""
    SIZING = "sizing"
    """Fewer spare or minimum machines, provisioning on demand (instant clones, RDS farms)."""
    NONE = "none"
    """Neither: unmanaged or physical machines, inferred pools."""


def power_policy_exemption(pool: DesktopPool) -> str | None:
    """Why the pool's power policy does not apply, or None when it does."""
    if pool.kind == "farm" or pool.type == "RDS":
        return "an RDS farm has no power policy: its hosts are sized, not powered off"
    if pool.source == INSTANT_CLONE:
        return "Horizon keeps instant clones powered on: the power policy does not apply"
    if pool.source == UNMANAGED:
        return "the power policy applies only to managed (vCenter) machines"
    return None


def pool_lever(pool: DesktopPool) -> Lever:
    """The lever that can power down the pool's surplus idle desktops."""
    if pool.kind == "inferred" or pool.source == UNMANAGED:
        return Lever.NONE
    if power_policy_exemption(pool) is not None:
        return Lever.SIZING
    return Lever.POWER_POLICY


def sizing_advice(pool: DesktopPool) -> str:
    """What sizing the pool can take, in a few words."""
    if pool.kind == "farm" or pool.type == "RDS":
        return "size the farm's hosts to its session demand"
    if pool.naming_method == "SPECIFIED":
        return "lower the unassigned machines kept powered on"
    return "lower the spare (and minimum) machines, or provision on demand"
