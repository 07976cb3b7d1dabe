"""``fleetreport record``: a live estate into a bundle, replayed with no network.

The simulator tests record the demo estate (two vCenter simulators and the Horizon test server
with the demo pod) once, plainly, anonymised and as a plain ``collect``, then stop the servers;
every test works on those files. The bad-bundle tests need no simulator.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import socket
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.horizon_server import HorizonTestServer
from support.leaks import identifiers, survivors
from support.paths import DEMO_SNAPSHOT, FIXTURES
from support.private_files import assert_owner_only
from support.vcsim import start_vcsim
from tools.demo_estate import ANCHOR

from fleetreport.cli import main
from fleetreport.record import bundle as bundle_module
from fleetreport.record import load_bundle
from fleetreport.record.bundle import bundle_bytes
from fleetreport.snapshot.model import Snapshot
from fleetreport.snapshot.store import load_snapshot, snapshot_to_json

POD_DATA = FIXTURES / "horizon" / "demo"
DEMO = DEMO_SNAPSHOT
simulator = pytest.mark.simulator


@dataclass(frozen=True)
class Recording:
    """What the module's one recording session left behind (the servers are gone)."""

    folder: Path
    plain: Path
    anonymised: Path
    mapping: Path
    collected: Path
    output: str
    """What ``record --anonymise`` printed."""
    secrets: list[str]
    """Passwords and tokens of the run: in no file, ever."""


def run(arguments: list[str]) -> tuple[int, str, str]:
    """``fleetreport ARGUMENTS``: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(arguments)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    folder = tmp_path_factory.mktemp("record")
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(start_vcsim(f"demo-vc0{n}")) for n in (1, 2)]
        pod = stack.enter_context(HorizonTestServer(POD_DATA, now=int(ANCHOR.timestamp() * 1000)))
        assert len({(s.username, s.password) for s in servers}) == 1
        cas = folder / "cas.pem"
        cas.write_text(
            "".join(Path(s.ca_file).read_text(encoding="utf-8") for s in servers if s.ca_file),
            encoding="utf-8",
        )
        with cas.open("a", encoding="utf-8") as handle:
            handle.write(Path(pod.ca_file or "").read_text(encoding="utf-8"))
        (folder / "vc.pw").write_text(servers[0].password + "\n", encoding="utf-8")
        (folder / "hz.pw").write_text(pod.credentials["password"] + "\n", encoding="utf-8")
        common = [
            *("--vcenter", servers[0].url, "--vcenter", servers[1].url),
            *("--user", servers[0].username, "--password-file", str(folder / "vc.pw")),
            *("--horizon", pod.url, "--horizon-user", pod.credentials["username"]),
            *("--horizon-domain", pod.credentials["domain"]),
            *("--horizon-password-file", str(folder / "hz.pw"), "--ca-file", str(cas)),
        ]
        plain = folder / "plain.zip"
        anonymised = folder / "anonymised.zip"
        collected = folder / "collected.json"
        code, _, err = run(["record", *common, "--out", str(plain)])
        assert code == 0, err
        code, output, err = run(["record", *common, "--anonymise", "--out", str(anonymised)])
        assert code == 0, err
        code, _, err = run(["collect", *common, "--out", str(collected)])
        assert code == 0, err
        secrets = [servers[0].password, pod.credentials["password"], *pod.issued_tokens()]
    return Recording(
        folder,
        plain,
        anonymised,
        Path(f"{anonymised}.mapping.json"),
        collected,
        output,
        secrets,
    )


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network access during a replay: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# --------------------------------------------------------------------------- recordings


@simulator
def test_the_anonymised_recording_holds_no_name_of_the_live_estate(recording: Recording) -> None:
    live = load_bundle(recording.plain).snapshot
    originals = identifiers(live)
    assert "AMS-W11-035" in originals and "127.0.0.1" in originals
    assert len(live.vms) == 349 and len(live.machines) == 310
    assert survivors(originals, recording.anonymised.read_bytes()) == []
    for path in (recording.plain, recording.anonymised, recording.mapping, recording.collected):
        data = path.read_bytes()
        texts = [data]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                texts += [archive.read(name) for name in archive.namelist()]
        for secret in recording.secrets:
            assert all(secret.encode() not in text for text in texts), path.name


@simulator
def test_the_anonymised_report_scores_equal_the_plain_ones(recording: Recording) -> None:
    reports = {}
    for name, bundle in (("plain", recording.plain), ("anonymised", recording.anonymised)):
        out = recording.folder / f"{name}-report.json"
        code, _, err = run(["report", str(bundle), "--format", "json", "--out", str(out)])
        assert code == 0, err
        reports[name] = json.loads(out.read_text("utf-8"))
    plain, anonymised = reports["plain"], reports["anonymised"]
    pools = json.loads(recording.mapping.read_text("utf-8"))["mapping"]["pool"]

    def card(report: dict[str, Any], rename: dict[str, str]) -> dict[str, Any]:
        return {
            "fleet": report["fleet"],
            "pools": {
                rename.get(p["name"], p["name"]): (
                    p["desktops"],
                    p["patch_score"],
                    p["power_score"],
                    p["grade"],
                    p["findings_by_severity"],
                )
                for p in report["pools"]
            },
            "findings": Counter((f["check"], f["severity"]) for f in report["findings"]),
            "checks": {c["id"]: c["counts"] for c in report["checks"]},
        }

    assert plain["fleet"]["desktops"] == 310
    assert card(anonymised, {}) == card(plain, pools)


@simulator
def test_demo_replays_a_bundle_with_no_network(
    recording: Recording, tmp_path: Path, no_network: None
) -> None:
    out = tmp_path / "demo"
    code, printed, err = run(["demo", "--bundle", str(recording.anonymised), "--out", str(out)])
    assert code == 0, err
    html = (out / "report.html").read_text("utf-8")
    assert "pool-01" in html and "IC-Win11-Office" not in html
    assert (out / "report.json").exists()
    assert f"Report: {(out / 'report.html').resolve()}" in printed


@simulator
def test_a_plain_bundle_round_trips(recording: Recording, no_network: None) -> None:
    bundle = load_bundle(recording.plain)
    assert not bundle.anonymised
    assert bundle.manifest["sources"] == {"horizon": {"ok": 1}, "vcenter": {"ok": 2}}
    with zipfile.ZipFile(recording.plain) as archive:
        assert archive.namelist() == ["bundle.json", "snapshot.json"]
        assert snapshot_to_json(bundle.snapshot) == archive.read("snapshot.json").decode()

    def timeless(snapshot: Snapshot) -> Snapshot:
        when = ANCHOR
        return dataclasses.replace(
            snapshot,
            collected_at=when,
            sources=[
                dataclasses.replace(s, started_at=when, finished_at=when) for s in snapshot.sources
            ],
        )

    assert timeless(bundle.snapshot) == timeless(load_snapshot(recording.collected))
    code, printed, err = run(["summary", str(recording.plain)])
    assert code == 0, err
    assert "VMs 348 (plus 1 templates)" in printed


@simulator
def test_the_mapping_is_private_and_never_in_the_bundle(recording: Recording) -> None:
    assert_owner_only(recording.mapping)
    assert "DO NOT share it" in recording.output
    assert str(recording.mapping) in recording.output
    mapping = json.loads(recording.mapping.read_text("utf-8"))
    assert "never share" in mapping["warning"]
    assert mapping["mapping"]["vm"]["AMS-W11-035"].startswith("VM-")
    with zipfile.ZipFile(recording.anonymised) as archive:
        assert archive.namelist() == ["bundle.json", "snapshot.json"]
        manifest = json.loads(archive.read("bundle.json"))
        snapshot = archive.read("snapshot.json").decode()
    assert manifest["anonymised"] is True
    assert set(manifest) == {
        "format",
        "format_version",
        "fleetreport_version",
        "recorded_at",
        "anonymised",
        "snapshot_schema_version",
        "collected_at",
        "sources",
        "counts",
    }
    assert "mapping" not in snapshot
    assert "AMS-W11-035" not in snapshot


# ---------------------------------------------------------------- record's command line


def test_record_takes_collects_options_and_its_own(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["record", "--help"])
    text = capsys.readouterr().out
    for option in ("--horizon-domain", "--password-file", "--allow-partial", "--anonymise"):
        assert option in text
    assert "--out BUNDLE" in text and "snapshot file" not in text


def test_record_refuses_a_mapping_without_anonymise(tmp_path: Path) -> None:
    out = tmp_path / "b.zip"
    code, _, err = run(
        [
            *("record", "--vcenter", "vc.example.test", "--user", "u", "--out", str(out)),
            *("--mapping", str(tmp_path / "m.json")),
        ]
    )
    assert code == 64
    assert "--mapping needs --anonymise" in err
    assert list(tmp_path.iterdir()) == []


def test_a_failed_source_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLEETREPORT_PASSWORD", "not-a-real-password")
    out = tmp_path / "b.zip"
    code, _, err = run(
        [
            *("record", "--vcenter", "https://127.0.0.1:1/sdk", "--user", "u", "--timeout", "2"),
            *("--connect-timeout", "2", "--anonymise", "--out", str(out)),
        ]
    )
    assert code == 1
    assert "127.0.0.1:1" in err
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------- bad bundles


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def good_bundle() -> bytes:
    return bundle_bytes(load_snapshot(DEMO), anonymised=False)


def with_manifest(change: dict[str, Any]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(good_bundle())) as archive:
        manifest = json.loads(archive.read("bundle.json"))
        snapshot = archive.read("snapshot.json")
    return zip_of(
        {"bundle.json": json.dumps({**manifest, **change}).encode(), "snapshot.json": snapshot}
    )


BAD_BUNDLES = {
    "not a zip": (b"this is not a zip file\n", "not a fleetreport"),
    "empty": (b"", "fleetreport"),
    "truncated": (None, "truncated"),
    "no manifest": (zip_of({"snapshot.json": b"{}"}), "no bundle.json"),
    "no snapshot": (None, "no snapshot.json"),
    "future format": (None, "newer than this fleetreport reads"),
    "not a bundle manifest": (None, "not a fleetreport bundle"),
    "corrupt snapshot": (None, "snapshot.json) is not valid JSON"),
    "damaged data": (None, "damaged"),
    "zip bomb": (None, "zip bomb"),
}


def bad_bundle(kind: str) -> bytes:
    data, _ = BAD_BUNDLES[kind]
    if data is not None:
        return data
    good = good_bundle()
    if kind == "truncated":
        return good[: len(good) // 2]
    if kind == "no snapshot":
        with zipfile.ZipFile(io.BytesIO(good)) as archive:
            return zip_of({"bundle.json": archive.read("bundle.json")})
    if kind == "future format":
        return with_manifest({"format_version": 99})
    if kind == "not a bundle manifest":
        return with_manifest({"format": "something-else"})
    if kind == "corrupt snapshot":
        with zipfile.ZipFile(io.BytesIO(good)) as archive:
            manifest = archive.read("bundle.json")
        return zip_of({"bundle.json": manifest, "snapshot.json": b'{"schema_version": 1, '})
    if kind == "damaged data":
        # flip bytes inside the compressed snapshot: the zip's directory is intact
        info = zipfile.ZipFile(io.BytesIO(good)).getinfo("snapshot.json")
        start = info.header_offset + 30 + len(info.filename) + 1000
        return good[:start] + bytes(b ^ 0x5A for b in good[start : start + 64]) + good[start + 64 :]
    assert kind == "zip bomb"
    return good


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 64 KiB cap stands in for 1 GiB, so the bomb need not be a gigabyte."""
    monkeypatch.setattr(bundle_module, "MAX_MEMBER_BYTES", 64 * 1024)


@pytest.mark.parametrize("kind", sorted(BAD_BUNDLES))
@pytest.mark.parametrize("command", ["report", "summary", "demo"])
def test_a_bad_bundle_is_one_line_and_writes_nothing(
    kind: str, command: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if kind == "zip bomb":
        request.getfixturevalue("small_cap")
    path = tmp_path / "bad.zip"
    path.write_bytes(bad_bundle(kind))
    out = tmp_path / "out"
    arguments = {
        "report": ["report", str(path), "--format", "json", "--out", str(out)],
        "summary": ["summary", str(path)],
        "demo": ["demo", "--bundle", str(path), "--out", str(out)],
    }[command]
    code, printed, err = run(arguments)
    assert code == 1, err
    assert printed == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fleetreport: error: "), err
    if command == "demo" or kind not in ("not a zip", "empty"):
        assert BAD_BUNDLES[kind][1] in lines[0]
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.zip"]


def test_the_cap_is_checked_before_reading(small_cap: None, tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    path.write_bytes(good_bundle())
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(zipfile.ZipFile, "open", spy)
        code, _, err = run(["summary", str(path)])
    assert code == 1 and "would unpack to" in err
    assert opened == ["bundle.json"]  # snapshot.json was refused from its declared size
