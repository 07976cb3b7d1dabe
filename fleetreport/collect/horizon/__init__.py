"""Horizon Connection Server REST collection; no HTTP object leaves this package."""
