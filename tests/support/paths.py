"""Where the repository's files are, for tests in any folder."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
FIXTURES = TESTS / "fixtures"
"""Recorded test data: Horizon pods, SOAP cassettes, files as Windows writes them."""
DEMO_SNAPSHOT = REPO / "fixtures" / "demo" / "snapshot.json"
"""The demo fleet; it ships in the wheel, so it stays at the top of the repository."""
SCENARIOS = TESTS / "vcsim" / "scenarios"
