"""Emailing the report: a plain-text summary with the HTML report (and the workbook) attached.

Sending is plain :mod:`smtplib`: STARTTLS (port 587) or TLS from the first byte (port 465),
the certificate checked with :class:`~fleetreport.endpoints.TlsOptions`, ``AUTH`` only over TLS
(or to a loopback relay), and every failure turned into one :class:`DeliveryError` line naming
the server with a hint. The password is revealed once, to ``SMTP.login``, and is scrubbed from
anything the server answers before that answer is shown or logged.

Text that a customer or a vCenter chose (the customer's name, failed sources' errors) is reduced
to one line without control characters before it reaches a header or the body, so no name can
add a header (``Bcc:``) or reorder the text around it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from fleetreport.delivery.message import build_message
from fleetreport.delivery.settings import EmailSettings
from fleetreport.delivery.smtp import send_message
from fleetreport.health.report_model import HealthReport

log = logging.getLogger(__name__)


def should_send(worse: bool | None, settings: EmailSettings) -> bool:
    """Whether to email this run: always, or with ``only_when_worse`` only when it got worse.

    ``worse`` is the comparison with the previous run: None when there was none (the first
    report of an estate is always sent).
    """
    if not settings.only_when_worse:
        return True
    return worse is None or worse


def deliver(
    report: HealthReport,
    settings: EmailSettings,
    attachments: Sequence[Path],
    worse: bool | None = None,
    changes_summary: str | None = None,
    *,
    customer: str | None = None,
) -> bool:
    """Email the report unless ``only_when_worse`` holds it back; whether it was sent."""
    if not should_send(worse, settings):
        log.info("not emailing the report: it is not worse than the previous run")
        return False
    message = build_message(report, settings, attachments, changes_summary, customer=customer)
    send_message(message, settings)
    return True
