"""Horizon Connection Server REST API test server (see ``horizon_server``)."""

from .endpoints import ENDPOINTS, PROFILES
from .fields import field_paths, project, projection_tree
from .server import HorizonTestServer, RecordedRequest

__all__ = [
    "ENDPOINTS",
    "PROFILES",
    "HorizonTestServer",
    "RecordedRequest",
    "field_paths",
    "project",
    "projection_tree",
]
