"""Spec-faithful HTTPS test double of the Horizon Connection Server REST API.

Usage::

    from support.horizon_server import HorizonTestServer, EXAMPLE_DATA

    with HorizonTestServer(EXAMPLE_DATA, profile="2111") as hz:
        s = requests.Session()
        s.verify = hz.ca_file
        tokens = s.post(hz.url + "/login", json=hz.credentials).json()
        ...

The implementation lives in the ``horizon`` package next to this module: ``server.py``
(HTTP, TLS, tokens, faults, throttling), ``listing.py`` (filter, sort, paging),
``endpoints.py`` (versions per release) and ``fields.py`` (fields per endpoint version).
The data format is documented in ``tests/fixtures/horizon/README.md``.
"""

from support.paths import FIXTURES

from .horizon import ENDPOINTS, PROFILES, HorizonTestServer, RecordedRequest, field_paths

#: ``tests/fixtures/horizon/example`` in this repository.
EXAMPLE_DATA = FIXTURES / "horizon" / "example"

__all__ = [
    "ENDPOINTS",
    "EXAMPLE_DATA",
    "PROFILES",
    "HorizonTestServer",
    "RecordedRequest",
    "field_paths",
]
