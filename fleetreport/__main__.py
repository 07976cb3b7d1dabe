"""Allow ``python -m fleetreport``."""

from fleetreport.cli import console_script

console_script()
