"""The private mapping file an anonymised recording comes with: its name, format and warning
(constants only, so that the command line can name the default without loading the
anonymiser)."""

from __future__ import annotations

MAPPING_FORMAT = "fleetreport-anonymisation-mapping"
"""The mapping document's ``format``."""
MAPPING_SUFFIX = ".mapping.json"
"""Appended to the bundle's path when ``--mapping`` is not given."""
MAPPING_WARNING = (
    "PRIVATE: this file turns the anonymised bundle back into the customer's names."
    " Keep it; never share it."
)
"""The warning the document carries."""
