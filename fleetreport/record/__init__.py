"""Recordings for demos and support: bundles (one zip file holding a snapshot) and
anonymisation (every name that identifies the customer replaced by a consistent pseudonym).

``fleetreport record`` collects into a bundle, ``fleetreport anonymise`` anonymises an
existing snapshot or bundle; ``report``, ``summary`` and ``demo --bundle`` replay a bundle
with no network.
"""

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
