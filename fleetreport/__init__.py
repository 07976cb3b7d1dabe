"""fleetreport: desktop-fleet inventory and health reports for VMware / Omnissa Horizon."""

__version__ = "0.1.0"
