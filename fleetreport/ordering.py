"""Deterministic ordering so that two snapshots of the same estate diff cleanly."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(\d+)")
_PREFIX_AND_NUMBER = re.compile(r"(\D+)(\d+)")
"""The usual shape of a managed object or Horizon id: a part without digits, then a number."""


def natural_key(text: str | None) -> tuple[tuple[int, int | str], ...]:
    """Sort ``vm-9`` before ``vm-10``: digit runs compare as numbers. The usual ``vm-123`` is
    read with one match (a snapshot sorts tens of thousands of them); any other text is split
    at its digit runs, which gives the same key for that shape."""
    if text is None:
        return ()
    usual = _PREFIX_AND_NUMBER.fullmatch(text)
    if usual is not None:
        prefix, number = usual.groups()
        return ((1, prefix), (0, int(number)))
    return tuple(
        (0, int(part)) if part.isdecimal() else (1, part) for part in _DIGITS.split(text) if part
    )
