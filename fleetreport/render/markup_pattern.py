"""Markup with holes, filled fast: every value escaped, the pattern checked once.

``Markup(pattern).format(...)`` escapes its arguments too, but goes through Python's
``string.Formatter`` on every call, and ``markupsafe.escape`` makes a ``Markup`` object of every
value; at tens of thousands of table cells that was most of the report's time. Here a pattern
(a literal in fleetreport's code) is parsed once, a table's values are escaped a column at a
time with ``markupsafe.escape``, and each row is filled by ``str.format``, implemented in C.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import LiteralString

from markupsafe import Markup, escape

_SEPARATOR = "\x00"
"""Joins a column's texts for one escape: escaping leaves it alone, and text rarely holds it."""


class MarkupPattern:
    """A markup pattern with ``{name}`` holes (no conversion, no format spec)."""

    def __init__(self, pattern: LiteralString) -> None:
        self.names: list[str] = []
        positional: list[str] = []
        for literal, name, spec, conversion in string.Formatter().parse(pattern):
            positional.append(literal.replace("{", "{{").replace("}", "}}"))
            if name is None:
                continue
            if not name.isidentifier() or spec or conversion:
                raise ValueError(f"a markup pattern's holes are plain names: {pattern!r}")
            if name not in self.names:
                self.names.append(name)
            positional.append(f"{{{self.names.index(name)}}}")
        self._positional = "".join(positional)

    def fill(self, **values: object) -> Markup:
        """The pattern with each value escaped (markup, such as a label, stays as it is)."""
        return Markup(  # noqa: S704 (the pattern is a literal; every value is escaped)
            self._positional.format(*[escape(values[name]) for name in self.names])
        )

    def fill_rows(self, **columns: Sequence[object]) -> list[Markup]:
        """One filled pattern per row, the values given a column (a list) per hole."""
        ordered = [escaped_column(columns[name]) for name in self.names]
        fill = self._positional.format
        return [Markup(fill(*row)) for row in zip(*ordered, strict=True)]  # noqa: S704 (idem)


def escaped_column(values: Sequence[object]) -> list[str]:
    """``markupsafe.escape`` of each value, as text; a column of plain strings in one pass.

    Escaping replaces characters one at a time, so the escape of the texts joined by a
    character it leaves alone, split there again, is each text's escape; a column where a
    text holds that character itself is escaped value by value."""
    texts = [value for value in values if type(value) is str]
    if texts and len(texts) == len(values):
        joined = _SEPARATOR.join(texts)
        if joined.count(_SEPARATOR) == len(texts) - 1:
            return str.split(escape(joined), _SEPARATOR)
    return [_escaped(value) for value in values]


def _escaped(value: object) -> str:
    """One value's escape (a value with ``__html__``, markup, is already escaped)."""
    html = getattr(value, "__html__", None)
    return escape(value) if html is None else str(html())
