"""The check catalogue, one module per category; importing a module registers its checks."""

from __future__ import annotations


def load_all() -> None:
    """Import every check module (registration happens at import)."""
    from fleetreport.health.checks import (  # noqa: F401
        capacity,
        horizon_components,
        hygiene,
        infrastructure,
        patch,
        power,
        storage,
        usage,
        vsphere,
    )
