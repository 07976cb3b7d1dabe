"""Replay recorded SOAP cassettes: the collector's parsing, offline, with no simulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cassettes import CASSETTES, REPLAY_URL, recorder, soap_method

from fleetreport.cli import main
from fleetreport.errors import ExitCode


def without_times(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    del data["collected_at"]
    data["sources"] = [
        {k: v for k, v in source.items() if k not in ("started_at", "finished_at")}
        for source in data["sources"]
    ]
    return data


def replay(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("REPLAY_PASSWORD", "any")
    out = tmp_path / "snapshot.json"
    with recorder("none").use_cassette(f"{name}.yaml") as cassette:
        code = main(
            [
                "collect",
                "--vcenter",
                REPLAY_URL,
                "--user",
                "fleetreport@vsphere.local",
                "--password-env",
                "REPLAY_PASSWORD",
                "--out",
                str(out),
            ]
        )
        assert cassette.all_played
    assert code == ExitCode.OK
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["collect_basic", "collect_paged"])
def test_replay_reproduces_the_recorded_snapshot(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replayed = replay(name, tmp_path, monkeypatch)
    recorded = json.loads((CASSETTES / f"{name}.snapshot.json").read_text(encoding="utf-8"))
    assert without_times(replayed) == without_times(recorded)
    assert len(replayed["vms"]) >= 10


def test_paged_recording_follows_continue_tokens() -> None:
    exchanges = yaml.safe_load((CASSETTES / "collect_paged.yaml").read_text(encoding="utf-8"))[
        "interactions"
    ]

    class Request:
        def __init__(self, raw: dict[str, Any]) -> None:
            self.body = raw["body"] or b""
            self.path = raw["uri"]

    methods = [soap_method(Request(e["request"])) for e in exchanges]
    assert methods.count("RetrievePropertiesEx") == 2  # the inventory, the alarms' names
    assert methods.count("ContinueRetrievePropertiesEx") >= 3
    bodies = [str(e["response"]["body"]["string"]) for e in exchanges]
    assert any("<token>" in body for body in bodies)


def test_recordings_hold_no_secret_or_address() -> None:
    for cassette in CASSETTES.glob("*.yaml"):
        text = cassette.read_text(encoding="utf-8")
        assert "vmware_soap_session" not in text
        assert "127.0.0.1" not in text
        assert "REDACTED</password>" in text
        assert "fleetreport-test-password" not in text
        assert "Set-Cookie" not in text and "Cookie:" not in text
