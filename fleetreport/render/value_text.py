"""How the report writes a value: counts, shares, scores, times, durations and sizes (the
templates' filters, also used by the rows built in Python)."""

from __future__ import annotations

from datetime import UTC, datetime

from fleetreport.text import terminal_safe


def plain_text(value: str) -> str:
    """Text for places that cannot hold markup (the window title): no control or bidi
    characters, which could reorder or hide what follows."""
    return terminal_safe(value, limit=200)


def format_number(value: float | int | None) -> str:
    """``12,345``; ``n/a`` for None."""
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def format_percent(value: float | None) -> str:
    """A 0..1 share as ``62.7%``."""
    return "n/a" if value is None else f"{value * 100:.1f}%".replace(".0%", "%")


def format_score(value: float | None) -> str:
    """A score, or ``n/a``."""
    return "n/a" if value is None else f"{value:g}"


def format_time(value: datetime | None) -> str:
    """``2026-11-27 06:00 UTC``."""
    if value is None:
        return "n/a"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def format_days(value: float | None) -> str:
    """Days as ``49 days``."""
    if value is None:
        return "n/a"
    return "1 day" if round(value) == 1 else f"{value:.0f} days"


def format_duration(seconds: int | None) -> str:
    """A sampling period in the largest whole unit, to follow "every": ``2 hours``, ``5 minutes``,
    ``day``."""
    if seconds is None:
        return "n/a"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return unit if count == 1 else f"{count:,} {unit}s"
    return f"{seconds:,} seconds"


BYTES_PER_GB = 1024**3
"""vSphere's "GB" is 2^30 bytes, as the vSphere Client shows capacity and free space."""


def _size(value: float) -> str:
    return f"{value:,.1f}" if value < 10 else f"{value:,.0f}"


def format_gigabytes(value: int | None) -> str:
    """Bytes as ``2,048 GB`` (``7.5 GB`` under ten); ``n/a`` for None."""
    return "n/a" if value is None else f"{_size(value / BYTES_PER_GB)} GB"


def format_megabytes(value: int | None) -> str:
    """MiB as ``512 GB``; ``n/a`` for None."""
    return "n/a" if value is None else f"{_size(value / 1024)} GB"


def format_gigahertz(value: int | None) -> str:
    """MHz as ``96.0 GHz``; ``n/a`` for None."""
    return "n/a" if value is None else f"{value / 1000:,.1f} GHz"
