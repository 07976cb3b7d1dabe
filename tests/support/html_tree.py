"""A small document tree of an HTML report, read with the standard library's HTML parser.

``parse(text)`` checks that every element is closed where it should be and returns the root;
an :class:`Element` finds elements by tag, class and id and gives the texts of table cells.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
"""Elements without an end tag."""


@dataclass
class Element:
    """An element with its attributes and children (elements and text)."""

    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    @property
    def id(self) -> str | None:
        return self.attrs.get("id")

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        """All text below, entities decoded (``textContent``)."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def leading_text(self) -> str:
        """The text before the first child element."""
        first = self.children[0] if self.children else ""
        return first if isinstance(first, str) else ""

    def own_text(self) -> str:
        """Text of the direct children only."""
        return "".join(c for c in self.children if isinstance(c, str))

    def iter(self) -> Iterator[Element]:
        """This element and all below it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)
        ]

    def by_id(self, element_id: str) -> Element:
        found = [e for e in self.iter() if e.id == element_id]
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]

    def body_rows(self) -> list[Element]:
        """Rows of a table's ``<tbody>``."""
        return [row for body in self.find_all("tbody") for row in body.find_all("tr")]

    def cells(self) -> list[str]:
        """Texts of a row's cells."""
        return [cell.text() for cell in self.children if isinstance(cell, Element)]


class TreeBuilder(HTMLParser):
    """Builds the tree; ``<script>`` and ``<style>`` content is kept verbatim."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root
        self.doctype: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag: str) -> None:
        open_element: Element | None = self.current
        while open_element is not None and open_element.tag != tag:
            open_element = open_element.parent
        assert open_element is not None, f"</{tag}> closes nothing"
        assert open_element is self.current, f"</{tag}> closes <{self.current.tag}> too early"
        self.current = open_element.parent or self.root

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(text: str) -> Element:
    """The document tree of ``text``; every element must be closed where it should be."""
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> is never closed"
    assert builder.doctype is not None and builder.doctype.lower() == "doctype html"
    return builder.root
