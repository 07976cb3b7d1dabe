"""Collect from a running ``HorizonTestServer`` with fleetreport's own client and CLI."""

from __future__ import annotations

import os
from pathlib import Path

from fleetreport.cli import main
from fleetreport.collect.horizon.client import HorizonClient
from fleetreport.collect.horizon.collector import HorizonInventory, collect_horizon
from fleetreport.endpoints import TlsOptions, parse_endpoint
from fleetreport.secrets import Secret

from .server import HorizonTestServer


def client_for(
    server: HorizonTestServer, password: str | None = None, **kwargs: object
) -> HorizonClient:
    """A client for ``server`` that trusts its CA, logging in with its credentials."""
    creds = server.credentials
    return HorizonClient(
        parse_endpoint(server.url, default_path="/rest", option="--horizon"),
        creds["username"],
        creds["domain"],
        Secret(password if password is not None else creds["password"]),
        TlsOptions(ca_file=Path(server.ca_file)),
        timeout=10,
        **kwargs,  # type: ignore[arg-type]
    )


def collect(server: HorizonTestServer, **kwargs: object) -> HorizonInventory:
    """One pod's inventory, read through ``collect_horizon``."""
    with client_for(server, **kwargs) as client:
        return collect_horizon(client)


def run_cli(server: HorizonTestServer, tmp_path: Path, *extra: str) -> tuple[int, Path]:
    """``fleetreport collect --horizon`` against ``server``: (exit code, snapshot path)."""
    out = tmp_path / "snapshot.json"
    os.environ["HZ_TEST_PASSWORD"] = server.credentials["password"]
    try:
        code = main(
            [
                "collect",
                "--horizon",
                server.url,
                "--horizon-user",
                server.credentials["username"],
                "--horizon-domain",
                server.credentials["domain"],
                "--horizon-password-env",
                "HZ_TEST_PASSWORD",
                "--ca-file",
                str(server.ca_file),
                "--out",
                str(out),
                *extra,
            ]
        )
    finally:
        del os.environ["HZ_TEST_PASSWORD"]
    return code, out
