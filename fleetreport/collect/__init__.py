"""Collectors: talk to vCenter and Horizon, hand back plain snapshot records."""
