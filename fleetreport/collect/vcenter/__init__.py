"""vCenter collection through pyvmomi; no pyVmomi object leaves this package."""

from fleetreport.collect.vcenter.inventory import VCenterInventory, collect_vcenter

__all__ = ["VCenterInventory", "collect_vcenter"]
