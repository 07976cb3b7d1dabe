"""Delivering a finished report: email through an SMTP server, with TLS and authentication.

``fleetreport run`` writes the report into its dated folder and then calls :func:`deliver`;
the settings come from the ``[email]`` table of the config file, the password from an
environment variable, a file or the keyring (never from the file itself).
"""

from fleetreport.delivery.email import (
    SECURITY_MODES,
    EmailSettings,
    build_message,
    deliver,
    send_message,
    should_send,
)
from fleetreport.delivery.errors import DeliveryError

__all__ = [
    "SECURITY_MODES",
    "DeliveryError",
    "EmailSettings",
    "build_message",
    "deliver",
    "send_message",
    "should_send",
]
