"""vcrpy set-up for recording and replaying the collector's SOAP traffic.

pyvmomi's SoapAdapter imports HTTPSConnection into its own namespace, so vcrpy's default
patching of http.client misses it: ``custom_patches`` points SoapAdapter at vcrpy's stubs.
Recordings are scrubbed: no cookies, no password, no real address (the simulator's
127.0.0.1:PORT becomes ``vcenter.example.invalid``).
"""

from __future__ import annotations

import re
from typing import Any

import vcr
from pyVmomi import SoapAdapter
from vcr.stubs import VCRHTTPConnection, VCRHTTPSConnection

from support.paths import FIXTURES

CASSETTES = FIXTURES / "cassettes"
REPLAY_HOST = "vcenter.example.invalid"
REPLAY_URL = f"https://{REPLAY_HOST}/sdk"
_PASSWORD = re.compile(rb"(<password\b[^>]*>).*?(</password>)", re.S)
_SESSION_KEY = re.compile(rb"(<LoginResponse\b.*?<key>)[^<]*(</key>)", re.S)
_LOOPBACK = re.compile(rb"127\.0\.0\.1")
_ADDRESS = re.compile(r"https?://127\.0\.0\.1:\d+")
_SOAP_METHOD = re.compile(rb"<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)")


def _scrub_request(request: Any) -> Any:
    request.uri = _ADDRESS.sub(f"https://{REPLAY_HOST}", request.uri)
    if isinstance(request.body, bytes | str):
        body = request.body.encode() if isinstance(request.body, str) else request.body
        request.body = _PASSWORD.sub(rb"\1REDACTED\2", body)
    for header in ("Cookie", "cookie", "Authorization"):
        request.headers.pop(header, None)
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    body = response.get("body", {}).get("string")
    if isinstance(body, bytes):
        body = _SESSION_KEY.sub(rb"\g<1>00000000-0000-0000-0000-000000000000\2", body)
        response["body"]["string"] = _LOOPBACK.sub(b"192.0.2.10", body)
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in ("set-cookie", "date"):
            del headers[name]
    return response


def soap_method(request: Any) -> str:
    """The SOAP operation a request calls (``RetrievePropertiesEx``), or its path for GETs."""
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    found = _SOAP_METHOD.search(body)
    return found.group(1).decode() if found else request.path


def _same_soap_method(first: Any, second: Any) -> None:
    assert soap_method(first) == soap_method(second)


def recorder(record_mode: str) -> vcr.VCR:
    """A VCR that records (``all``) or only replays (``none``) scrubbed SOAP traffic."""
    machine = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=record_mode,
        match_on=["method", "path", "soap_method"],
        before_record_request=_scrub_request,
        before_record_response=_scrub_response,
        custom_patches=(
            (SoapAdapter, "HTTPSConnection", VCRHTTPSConnection),
            (SoapAdapter, "HTTPConnection", VCRHTTPConnection),
        ),
        decode_compressed_response=True,
    )
    machine.register_matcher("soap_method", _same_soap_method)
    return machine
