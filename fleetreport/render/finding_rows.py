"""The findings tables' rows, built in Python: one call per table, not a template call per
cell (a fleet of 10,000 desktops can have as many findings). Each row is the markup the
template wrote before, to the byte, with every value escaped; the template keeps the table."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from fleetreport.health.report_model import FindingRecord
from fleetreport.render.labels import plain_words
from fleetreport.render.markup_pattern import MarkupPattern

ROW = MarkupPattern(
    '<tr><td class="name">{name}</td><td><code>{subject}</code></td><td>{pool}</td>'
    "<td>{message}</td></tr>"
)
"""One finding's row; the header is in ``templates/report/_findings.html``."""


def finding_rows(findings: Iterable[FindingRecord]) -> list[Markup]:
    """Each finding's ``<tr>``: subject name and id, pool, the message in plain words."""
    rows = list(findings)
    return ROW.fill_rows(
        name=[finding.subject_name for finding in rows],
        subject=[finding.subject for finding in rows],
        pool=[finding.pool_name or "" for finding in rows],
        message=[plain_words(finding.message) for finding in rows],
    )
