"""Glob lists compiled once answer exactly as fnmatchcase pattern by pattern."""

from __future__ import annotations

from fnmatch import fnmatchcase

import pytest

from fleetreport.globs import matches_any

PATTERNS = [
    (),
    ("*-gold",),
    ("kiosk-*", "LAB-??"),
    ("windows*Guest", "win10*"),
    ("[!a]bc", "a.b(c)+", "x[0-9]*", "100%"),
    ("*",),
    ("",),
]
VALUES = [
    "",
    "W10-gold",
    "w10-GOLD",
    "kiosk-01",
    "Kiosk-01",
    "LAB-07",
    "LAB-007",
    "bbc",
    "abc",
    "a.b(c)+",
    "aXb(c)+",
    "x7y",
    "x",
    "100%",
    "windows9_64Guest",
    "win10",
    "line\nbreak-gold",
]


@pytest.mark.parametrize("patterns", PATTERNS)
def test_a_compiled_list_matches_as_fnmatchcase_does(patterns: tuple[str, ...]) -> None:
    for value in VALUES:
        expected = any(fnmatchcase(value, pattern) for pattern in patterns)
        assert matches_any(value, patterns) is expected, (value, patterns)
