"""Rows of markup written as indented lines in one piece: what a template loop writing
``{{ row }}`` on a line of its own gives, without a template call per row."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape


def as_lines(rows: Iterable[object], indent: int) -> Markup:
    """Each row on a line of its own after ``indent`` spaces, every line ending in a newline
    (nothing for no rows). A row that is not markup is escaped, as ``{{ row }}`` would be.

    At 10,000 desktops a table body is tens of thousands of rows; written by a ``{% for %}``
    loop, each row is escaped again (a new ``Markup``) and yielded in three pieces."""
    pad = " " * indent
    return Markup(  # noqa: S704 (markup rows as they are, any other row escaped)
        "".join([f"{pad}{row if type(row) is Markup else escape(row)}\n" for row in rows])
    )
