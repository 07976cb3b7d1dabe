"""Untrusted text (anything a vCenter or Horizon says) made safe for a terminal, a log line,
or a mail header and body."""

from __future__ import annotations

import unicodedata

_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}


def terminal_safe(text: str, *, limit: int = 200) -> str:
    """Escape control and bidi-override characters; shorten past ``limit`` characters."""
    out = []
    for char in text:
        if char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(char.encode("unicode_escape").decode("ascii"))
        else:
            out.append(char)
    safe = "".join(out)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


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
