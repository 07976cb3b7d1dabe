"""Pieces of `fleetreport run`: concurrent collection, live progress, JSON logs, lock, outputs."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.vcsim import start_vcsim

from fleetreport.cli import main
from fleetreport.collect.progress import SourceProgress
from fleetreport.collect.run import VCenterTarget, collect_all, progress_for
from fleetreport.endpoints import TlsOptions, parse_endpoint
from fleetreport.errors import ExitCode
from fleetreport.run.lock import LockedError, run_lock
from fleetreport.run.outputs import prune, publish, staged_run_folder
from fleetreport.run.progress_display import LiveProgress, describe
from fleetreport.secrets import Secret


@pytest.mark.simulator
def test_a_slow_vcenter_does_not_hold_up_the_others() -> None:
    with start_vcsim("basic", delay_ms=150) as slow, start_vcsim("basic_second_vc") as fast:
        targets = [
            VCenterTarget(
                parse_endpoint(server.url, default_path="/sdk", option="--vcenter"),
                server.username,
                Secret(server.password),
                TlsOptions(ca_file=Path(server.ca_file)),
            )
            for server in (slow, fast)
        ]
        tracked = progress_for(targets)
        collection = collect_all(targets, max_workers=2, progress=tracked)
    assert not collection.failures
    slow_view, fast_view = (tracked[t.endpoint.url].view() for t in targets)
    assert (slow_view.state, fast_view.state) == ("done", "done")
    assert fast_view.elapsed < slow_view.elapsed  # both ran at once: the fast one is not queued
    assert fast_view.objects > 0 and fast_view.pages >= 1 and fast_view.round_trips > 3
    finished_first = min(collection.snapshot.sources, key=lambda s: s.finished_at)
    assert finished_first.url == targets[1].endpoint.url


def test_live_progress_redraws_one_line_per_source() -> None:
    first, second = SourceProgress("vcenter", "https://vc1/sdk"), SourceProgress("horizon", "x")
    stream = io.StringIO()
    with LiveProgress([first, second], stream):
        first.begin()
        first.round_trip()
        first.page(250)
        first.end(ok=True)
    text = stream.getvalue()
    assert "\x1b[2F" in text  # moved up over its own two lines to redraw
    last = text.rsplit("\x1b[2F", 1)[-1]
    assert "https://vc1/sdk" in last and "done" in last and "250 objects" in last
    assert "waiting" in describe(second.view())


def test_hostile_urls_cannot_move_the_cursor() -> None:
    line = describe(SourceProgress("vcenter", "https://vc\x1b[2J/sdk").view())
    assert "\x1b" not in line


def test_json_log_format_for_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--log-format", "json", "report", str(tmp_path / "nope.json"), "--out", "x"])
    assert code == ExitCode.ERROR
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["level"] == "error" and "nope.json does not exist" in entry["message"]


def test_the_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    lock = tmp_path / "run.lock"
    with (
        run_lock(lock),
        pytest.raises(LockedError, match="another fleetreport run is in progress"),
        run_lock(lock),
    ):
        pass
    with run_lock(lock):  # released with the first holder
        pass


def test_outputs_are_published_whole_and_pruned(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    times = [datetime(2026, 11, day, 6, tzinfo=UTC) for day in (24, 25, 26)]
    for when in times:
        with staged_run_folder(root) as staging:
            (staging / "report.html").write_text(str(when))
            publish(staging, root, when)
    assert (root / "latest").resolve().name == "2026-11-26T060000Z"
    assert (root / "latest.txt").read_text() == "2026-11-26T060000Z\n"
    assert prune(root, keep=2) == [root / "2026-11-24T060000Z"]
    with pytest.raises(RuntimeError), staged_run_folder(root) as staging:  # noqa: PT012
        (staging / "report.html").write_text("half")
        raise RuntimeError("interrupted")
    assert sorted(p.name for p in root.iterdir()) == [
        "2026-11-25T060000Z",
        "2026-11-26T060000Z",
        "latest",
        "latest.txt",
    ]


def test_without_link_rights_latest_txt_names_the_newest_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Windows without Developer Mode or admin rights: WinError 1314 on every symlink."""
    root = tmp_path / "reports"
    with staged_run_folder(root) as staging:  # an earlier run, made where links worked
        publish(staging, root, datetime(2026, 11, 25, 6, tzinfo=UTC))
    assert (root / "latest").is_symlink()

    def no_link_rights(self: Path, target: str, target_is_directory: bool = False) -> None:
        raise OSError(1314, "A required privilege is not held by the client")

    monkeypatch.setattr(Path, "symlink_to", no_link_rights)
    caplog.set_level("INFO", logger="fleetreport.run.outputs")
    with staged_run_folder(root) as staging:
        published = publish(staging, root, datetime(2026, 11, 26, 6, tzinfo=UTC))
    assert published.name == "2026-11-26T060000Z"
    assert (root / "latest.txt").read_text() == "2026-11-26T060000Z\n"
    assert not (root / "latest").exists() and not (root / "latest").is_symlink()
    assert sorted(p.name for p in root.iterdir()) == [
        "2026-11-25T060000Z",
        "2026-11-26T060000Z",
        "latest.txt",
    ]
    assert "required privilege" in caplog.text and "latest.txt" in caplog.text


def test_the_lock_names_its_holder_and_leaves_no_holder_file(tmp_path: Path) -> None:
    lock = tmp_path / "reports" / "run.lock"
    with run_lock(lock):
        holder = (tmp_path / "reports" / "run.lock.holder").read_text()
        assert holder.startswith(f"pid {os.getpid()}, started ")
        with pytest.raises(LockedError, match=f"pid {os.getpid()}"), run_lock(lock):
            pass
    assert not (tmp_path / "reports" / "run.lock.holder").exists()
