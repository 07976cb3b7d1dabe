"""The collector leaves a loaded snapshot alone while a report is made, and only then."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from support.fleet_builders import desktops, fleet_snapshot, pool, vm

from fleetreport.cli import main
from fleetreport.cli.heap import kept_until_done
from fleetreport.errors import ExitCode
from fleetreport.snapshot.store import save_snapshot


def test_what_exists_before_the_block_is_left_out_of_collections_during_it_only() -> None:
    before = gc.get_freeze_count()
    loaded = [[n] for n in range(1000)]  # tracked by the collector, like a snapshot's records
    with kept_until_done():
        assert gc.get_freeze_count() >= before + len(loaded)
    assert gc.get_freeze_count() == before


def test_the_heap_is_given_back_when_the_block_fails() -> None:
    before = gc.get_freeze_count()
    with pytest.raises(ValueError), kept_until_done():
        raise ValueError("a failed report")
    assert gc.get_freeze_count() == before


def test_a_report_leaves_the_collector_as_it_found_it(cli_env: Path) -> None:
    vms, machines = desktops(vm("desk-1"), vm("desk-2"))
    save_snapshot(fleet_snapshot(vms, machines, [pool()]), cli_env / "s.json")
    before = gc.get_freeze_count()
    for out, fail in (("r.html", "never"), ("r.json", "info")):
        assert main(["--quiet", "report", "s.json", "--out", out, "--fail-on", fail]) in (
            ExitCode.OK,
            ExitCode.FINDINGS,
        )
        assert gc.get_freeze_count() == before
    assert main(["--quiet", "report", "missing.json", "--out", "x.html"]) != ExitCode.OK
    assert gc.get_freeze_count() == before
