"""Deterministic ordering so that two snapshots of the same estate diff cleanly."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str | None) -> tuple[tuple[int, int | str], ...]:
    """Sort ``vm-9`` before ``vm-10``: digit runs compare as numbers."""
    if text is None:
        return ()
    return tuple(
        (0, int(part)) if part.isdecimal() else (1, part) for part in _DIGITS.split(text) if part
    )
