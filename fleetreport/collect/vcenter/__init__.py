"""vCenter collection through pyvmomi; no pyVmomi object leaves this package."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fleetreport.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from fleetreport.collect.vcenter.inventory import VCenterInventory, collect_vcenter
    from fleetreport.collect.vcenter.usage import collect_vcenter_usage

__all__ = ["VCenterInventory", "collect_vcenter", "collect_vcenter_usage"]

__getattr__ = lazy_exports(
    __name__,
    {
        "VCenterInventory": "fleetreport.collect.vcenter.inventory",
        "collect_vcenter": "fleetreport.collect.vcenter.inventory",
        "collect_vcenter_usage": "fleetreport.collect.vcenter.usage",
    },
)
