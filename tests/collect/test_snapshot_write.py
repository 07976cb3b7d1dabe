"""Writing a collection: the file's bytes, the managed object ids' order, and the snapshot held
to the end of the process instead of being freed before it exits."""

from __future__ import annotations

import dataclasses
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.paths import SCENARIOS
from support.snapshots import make_snapshot
from support.vcsim import VcsimServer, start_vcsim

from fleetreport.cli import collect as collect_command
from fleetreport.cli import main
from fleetreport.errors import ExitCode
from fleetreport.ordering import natural_key
from fleetreport.snapshot import load_snapshot
from fleetreport.snapshot.store import (
    in_order,
    save_snapshot,
    snapshot_bytes,
    snapshot_to_json,
    sorted_snapshot,
)

MOREFS = [
    "vm-9",
    "vm-10",
    "vm-007",
    "vm-7",
    "group-v123",
    "domain-c5",
    "datastore-132",
    "resgroup-8",
    "",
    "123",
    "vm-1a",
    "vm-1-2",
    "vm--3",
    "a1b2c3",
    "vm-\u0663\u0664",  # Arabic-Indic digits: decimal digits too
    "\u0663",
    "vm-",
    "-5",
    "vm-10 ",
    "vm-10\n",
]


def split_at_digit_runs(text: str) -> tuple[tuple[int, int | str], ...]:
    """The natural key as every text is read: split at its digit runs (the reference for the
    usual ``vm-123``, which natural_key reads with one match)."""
    parts = re.split(r"(\d+)", text)
    return tuple((0, int(part)) if part.isdecimal() else (1, part) for part in parts if part)


@pytest.mark.parametrize("moref", MOREFS)
def test_the_usual_id_read_at_once_has_the_natural_key(moref: str) -> None:
    assert natural_key(moref) == split_at_digit_runs(moref)


def test_the_usual_id_read_at_once_orders_as_the_natural_key() -> None:
    assert sorted(MOREFS, key=natural_key) == sorted(MOREFS, key=split_at_digit_runs)


@pytest.mark.parametrize("seed", range(20))
def test_in_order_is_sorted_whatever_the_order_given(seed: int) -> None:
    shuffled = random.Random(seed).sample(MOREFS * 2, k=len(MOREFS) * 2)
    tagged = [(moref, position) for position, moref in enumerate(shuffled)]  # ties stay stable

    def key(item: tuple[str, int]) -> object:
        return natural_key(item[0])

    expected = sorted(tagged, key=key)
    assert in_order(tagged, key) == expected
    assert in_order(expected, key) == expected  # already in order: the same list back
    assert in_order(expected, key) is not expected  # a copy, as sorted() gives


def test_in_order_sorts_a_list_out_of_order_at_its_end() -> None:
    morefs = [f"vm-{n}" for n in range(1, 1000)] + ["vm-0"]
    assert in_order(morefs, natural_key) == ["vm-0", *morefs[:-1]]
    assert in_order([], natural_key) == [] and in_order(["vm-1"], natural_key) == ["vm-1"]


def test_file_bytes_are_the_json_text_in_utf8(tmp_path: Path) -> None:
    base = make_snapshot()
    named = [dataclasses.replace(vm, name="Bürø <b>&\u00e9\u4e2d") for vm in base.vms]
    snapshot = make_snapshot(vms=named)
    text = snapshot_to_json(snapshot)
    assert "Bürø <b>&\u00e9\u4e2d" in text and text.endswith("}\n")
    assert snapshot_bytes(snapshot) == text.encode("utf-8")
    path = tmp_path / "s.json"
    save_snapshot(snapshot, path)
    assert path.read_bytes() == text.encode("utf-8")
    assert load_snapshot(path) == sorted_snapshot(snapshot)


@pytest.fixture(scope="module")
def basic_server() -> Iterator[VcsimServer]:
    with start_vcsim(SCENARIOS / "basic.json") as server:
        yield server


def collect(server: VcsimServer, out: Path) -> int:
    os.environ["VC_TEST_PASSWORD"] = server.password
    try:
        return main(
            [
                *("--quiet", "collect", "--vcenter", server.url, "--user", server.username),
                *("--password-env", "VC_TEST_PASSWORD", "--ca-file", str(server.ca_file)),
                *("--out", str(out)),
            ]
        )
    finally:
        del os.environ["VC_TEST_PASSWORD"]


@pytest.mark.simulator
def test_the_last_snapshot_is_held_until_exit(basic_server: VcsimServer, tmp_path: Path) -> None:
    collect_command._KEPT.clear()
    assert collect(basic_server, tmp_path / "a.json") == ExitCode.OK
    (snapshot,) = collect_command._KEPT
    assert sorted_snapshot(snapshot) == load_snapshot(tmp_path / "a.json")
    assert len(snapshot.vms) == len(basic_server.scenario["vms"])

    assert collect(basic_server, tmp_path / "b.json") == ExitCode.OK
    (second,) = collect_command._KEPT  # the second collection's only
    assert second is not snapshot
    assert sorted_snapshot(second) == load_snapshot(tmp_path / "b.json")


@pytest.mark.simulator
def test_a_collection_that_writes_nothing_holds_nothing(
    basic_server: VcsimServer, tmp_path: Path
) -> None:
    collect_command._KEPT.clear()
    os.environ["VC_TEST_PASSWORD"] = "wrong"
    try:
        code = main(
            [
                *("--quiet", "collect", "--vcenter", basic_server.url),
                *("--user", basic_server.username),
                *("--password-env", "VC_TEST_PASSWORD", "--ca-file", str(basic_server.ca_file)),
                *("--out", str(tmp_path / "none.json")),
            ]
        )
    finally:
        del os.environ["VC_TEST_PASSWORD"]
    assert code != ExitCode.OK
    assert collect_command._KEPT == []
    assert not (tmp_path / "none.json").exists()
