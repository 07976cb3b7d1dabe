"""vCenter collection through pyvmomi; no pyVmomi object leaves this package."""

from fleetreport.collect.vcenter.inventory import VCenterInventory, collect_vcenter
from fleetreport.collect.vcenter.usage import collect_vcenter_usage

__all__ = ["VCenterInventory", "collect_vcenter", "collect_vcenter_usage"]
