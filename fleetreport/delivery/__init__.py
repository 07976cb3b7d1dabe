"""Delivering a finished report: email through an SMTP server, with TLS and authentication.

``fleetreport run`` writes the report into its dated folder and then calls :func:`deliver`;
the settings come from the ``[email]`` table of the config file, the password from an
environment variable, a file or the keyring (never from the file itself).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fleetreport.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from fleetreport.delivery.email import deliver, should_send
    from fleetreport.delivery.errors import DeliveryError
    from fleetreport.delivery.message import build_message
    from fleetreport.delivery.settings import SECURITY_MODES, EmailSettings
    from fleetreport.delivery.smtp import send_message

__all__ = [
    "SECURITY_MODES",
    "DeliveryError",
    "EmailSettings",
    "build_message",
    "deliver",
    "send_message",
    "should_send",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "deliver": "fleetreport.delivery.email",
        "should_send": "fleetreport.delivery.email",
        "DeliveryError": "fleetreport.delivery.errors",
        "build_message": "fleetreport.delivery.message",
        "SECURITY_MODES": "fleetreport.delivery.settings",
        "EmailSettings": "fleetreport.delivery.settings",
        "send_message": "fleetreport.delivery.smtp",
    },
)
