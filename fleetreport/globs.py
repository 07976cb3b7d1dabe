"""Case-sensitive glob lists (``*``, ``?``, ``[...]``, as ``fnmatch.fnmatchcase``), each list
compiled once into one regular expression: scopes, exclusions and thresholds are matched
against every VM name, folder and guest id of a fleet."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from functools import lru_cache

PATTERN_LISTS_KEPT = 1024
"""Compiled lists remembered (a configuration has a few dozen)."""


def matches_any(value: str, patterns: Iterable[str]) -> bool:
    """True when ``value`` matches one of ``patterns`` (none: False)."""
    return compiled(tuple(patterns)).match(value) is not None


@lru_cache(maxsize=PATTERN_LISTS_KEPT)
def compiled(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One expression matching what any of ``patterns`` matches; never matches for none."""
    return re.compile("|".join(fnmatch.translate(pattern) for pattern in patterns) or r"(?!)")
