"""One unattended run (a library ``fleetreport run`` calls): config, lock, collection, outputs,
history, delivery, exit code."""
