"""Threshold lists match as ``fnmatchcase`` does, whatever the patterns hold."""

from __future__ import annotations

from fnmatch import fnmatchcase

from hypothesis import given
from hypothesis import strategies as st

from fleetreport.health.catalogue import Limits

ALPHABET = st.sampled_from(list("aAb*?[]!-_.\\|()^$+{}\n"))
TEXT = st.text(ALPHABET, max_size=8)


@given(patterns=st.lists(TEXT, max_size=4), value=TEXT)
def test_a_list_matches_exactly_when_one_of_its_patterns_does(
    patterns: list[str], value: str
) -> None:
    limits = Limits("check", {"states": tuple(patterns)})
    expected = any(fnmatchcase(value, pattern) for pattern in patterns)
    assert limits.matches("states", value) is expected
    assert limits.matches("states", value) is expected  # compiled once, same answer


def test_an_empty_list_matches_nothing() -> None:
    assert not Limits("check", {"states": ()}).matches("states", "")
