"""Recordings for demos and support: bundles (one zip file holding a snapshot) and
anonymisation (every name that identifies the customer replaced by a consistent pseudonym).

``fleetreport record`` collects into a bundle, ``fleetreport anonymise`` anonymises an
existing snapshot or bundle; ``report``, ``summary`` and ``demo --bundle`` replay a bundle
with no network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fleetreport.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from fleetreport.record.anonymiser import Anonymised, anonymise, invert
    from fleetreport.record.bundle import Bundle, load_any, load_bundle, write_bundle
    from fleetreport.record.recording import Recording, write_recording

__all__ = [
    "Anonymised",
    "Bundle",
    "Recording",
    "anonymise",
    "invert",
    "load_any",
    "load_bundle",
    "write_bundle",
    "write_recording",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "Anonymised": "fleetreport.record.anonymiser",
        "anonymise": "fleetreport.record.anonymiser",
        "invert": "fleetreport.record.anonymiser",
        "Bundle": "fleetreport.record.bundle",
        "load_any": "fleetreport.record.bundle",
        "load_bundle": "fleetreport.record.bundle",
        "write_bundle": "fleetreport.record.bundle",
        "Recording": "fleetreport.record.recording",
        "write_recording": "fleetreport.record.recording",
    },
)
