"""``fleetreport run``: one config file, many sources, history, delivery, exit codes."""
