"""API values a reader would see in a report's body: what the plain-words tests look for.

``raw_tokens(html)`` gives each UPPER_SNAKE, camelCase or all-caps token that reaches the text
of a section (outside ``code`` and the method appendix) and that no label turns into words.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fleetreport.render import labels

PRODUCT_NAMES = frozenset(
    {
        "vCenter",
        "vCenters",
        "vSphere",
        "vMotion",
        "vTPM",
        "vCLS",
        "vSAN",
        "vsanDatastore",
        "vCheck",
        "iLO",
        "iDRAC",
        "macOS",
        "kWh",
    }
)
"""Words that look like camelCase but are the vendors' own product names (``vsanDatastore`` is
the name vSphere gives a vSAN datastore; vCheck is a peer tool; iLO and iDRAC are HPE's and
Dell's management controllers), and units."""
RAW_TOKEN = re.compile(
    r"(?<![\w.])(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z]+(?:[A-Z][a-z0-9]*)+|[A-Z]{4,})(?![\w.])"
)
"""UPPER_SNAKE, camelCase or an all-caps word, not part of a dotted property path."""
TECHNICIAN_SECTIONS = frozenset({"method"})
"""The method appendix keeps raw values by design (thresholds and check ids for technicians)."""


class BodyText(HTMLParser):
    """Text a reader sees in the body, by the id of its section; tooltips left out."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.seen: dict[str, set[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        top = "top-problems" if "top-problems" in (named.get("class") or "") else None
        self.stack.append((tag, named.get("id") or top))
        if tag in {"br", "img", "input", "meta", "link", "wbr"}:
            self.stack.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        tags = {tag for tag, _ in self.stack}
        if tags & {"script", "style", "title", "head", "code"}:
            return
        sections = [ident for _, ident in self.stack if ident]
        left_out = [ident for ident in sections if ident in TECHNICIAN_SECTIONS]
        section = (left_out or sections or [""])[0]
        for token in RAW_TOKEN.findall(data):
            self.seen.setdefault(token, set()).add(section)


def raw_tokens(html: str) -> dict[str, set[str]]:
    """API-looking tokens a reader sees, by section: UPPER_SNAKE, camelCase (not a product
    name) and any all-caps value the labels know by a different name (``SUSPEND``)."""
    parser = BodyText()
    parser.feed(html)
    found = {}
    for token, sections in parser.seen.items():
        visible = sections - TECHNICIAN_SECTIONS
        api_like = "_" in token or not (token.isupper() or token in PRODUCT_NAMES)
        if visible and (api_like or labels.plain_label(token) != token):
            found[token] = visible
    return found
