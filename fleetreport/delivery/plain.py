"""Text from customers' servers made safe for mail headers and bodies: one line, no controls."""

from __future__ import annotations

import unicodedata


def is_control(char: str) -> bool:
    """Control, format and line-separator characters (CR, LF, NUL, bidi overrides)."""
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def visible(text: object) -> str:
    """``text`` with every such character replaced by a space."""
    return "".join(" " if is_control(c) else c for c in str(text))


def one_line(text: str, limit: int) -> str:
    """``text`` on one line: control, format and line-separator characters (CR, LF, NUL,
    bidi overrides) become spaces, runs of spaces one; cut to ``limit`` characters."""
    flat = " ".join(visible(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
