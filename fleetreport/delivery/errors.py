"""The one error delivery raises: a setting is wrong, or the mail server said no."""

from __future__ import annotations

from fleetreport.errors import FleetReportError


class DeliveryError(FleetReportError):
    """The report could not be delivered; ``server`` names the mail server when one was asked.

    The message is one line (``mail.example.com:587: authentication failed (535 ...)``) and never
    holds a password; the hint says what to change.
    """

    def __init__(self, message: str, hint: str | None = None, *, server: str | None = None) -> None:
        super().__init__(f"{server}: {message}" if server else message, hint)
        self.server = server
