"""The snapshot file: round trip, deterministic order, schema, and one-line load errors."""

from __future__ import annotations

import dataclasses
import json
import time
import typing
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support.cassettes import CASSETTES
from support.horizon_builders import federated, saml, true_sso
from support.hostile import HOSTILE
from support.paths import DEMO_SNAPSHOT
from support.snapshots import make_snapshot

from fleetreport.errors import InputFileError
from fleetreport.health.build import build_report
from fleetreport.health.report_json import report_to_json
from fleetreport.snapshot import SCHEMA_VERSION, load_snapshot, save_snapshot
from fleetreport.snapshot.codec import DecodeError, decode, format_time, parse_time
from fleetreport.snapshot.fast_decode import fast_decode
from fleetreport.snapshot.model import Snapshot
from fleetreport.snapshot.schema import schema_text, shipped_schema_text
from fleetreport.snapshot.store import parse_snapshot, snapshot_to_json, sorted_snapshot


def test_round_trip_keeps_every_value(tmp_path: Path, snapshot: Snapshot) -> None:
    path = tmp_path / "s.json"
    save_snapshot(snapshot, path)
    loaded = load_snapshot(path)
    assert loaded == sorted_snapshot(snapshot)
    assert loaded.vms[1].snapshots[0].created == snapshot.vms[0].snapshots[0].created


def test_vms_sorted_by_natural_moref_and_times_are_utc_z(snapshot: Snapshot) -> None:
    data = json.loads(snapshot_to_json(snapshot))
    assert [vm["moref"] for vm in data["vms"]] == ["vm-9", "vm-10"]
    assert data["collected_at"].endswith("Z")
    assert data["vms"][1]["snapshots"][0]["created"] == "2026-11-01T08:00:00Z"


def test_same_estate_gives_identical_text(snapshot: Snapshot) -> None:
    reordered = make_snapshot(vms=list(reversed(snapshot.vms)))
    assert snapshot_to_json(reordered) == snapshot_to_json(snapshot)


def two_pod_estate() -> Snapshot:
    """The demo estate with a second pod, so that every list holds at least two entries: the
    pod's own records copied under the second pod's id, and the components the demo pod has
    none of (SAML, True SSO, federation) in both."""
    estate = load_snapshot(DEMO_SNAPSHOT)
    first, second = estate.pods[0].id, "a-second-pod"  # sorts before the demo pod's id
    copied = {
        name: getattr(estate, name) + [replace(r, pod=second) for r in getattr(estate, name)]
        for name in ("gateways", "event_databases", "ad_domains", "licenses", "horizon_usage")
    }
    return replace(
        estate,
        pods=[*estate.pods, replace(estate.pods[0], id=second)],
        saml_authenticators=[saml("ws1", first), saml("ws1", second)],
        true_sso=[true_sso("corp", first), true_sso("corp", second)],
        federation_pods=[federated("site-a", "OK", reported_by=p) for p in (first, second)],
        **copied,
    )


def test_every_list_of_a_whole_estate_is_written_in_one_order_whatever_order_it_came_in() -> None:
    """Two collections of one estate give the same file, however the servers listed things."""
    estate = two_pod_estate()
    lists = [
        f.name for f in dataclasses.fields(Snapshot) if isinstance(getattr(estate, f.name), list)
    ]
    assert all(len(getattr(estate, name)) > 1 for name in lists)
    reversed_lists = replace(estate, **{name: getattr(estate, name)[::-1] for name in lists})
    assert snapshot_to_json(reversed_lists) == snapshot_to_json(estate)


def test_written_file_validates_against_the_shipped_schema(snapshot: Snapshot) -> None:
    schema = json.loads(shipped_schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads(snapshot_to_json(snapshot)), schema)


def test_shipped_schema_matches_the_model() -> None:
    regenerate = "python -m fleetreport.snapshot.schema > fleetreport/snapshot/snapshot.schema.json"
    assert shipped_schema_text() == schema_text(), f"regenerate: {regenerate}"


def test_required_names_later_work_relies_on(snapshot: Snapshot) -> None:
    data = json.loads(snapshot_to_json(snapshot))
    assert {"schema_version", "vms", "hosts"} <= data.keys()
    vm = data["vms"][0]
    for key in (
        "moref",
        "name",
        "power_state",
        "tools_version_status",
        "hardware_version",
        "boot_time",
        "template",
        "snapshots",
    ):
        assert key in vm
    assert {"name", "created"} <= vm["snapshots"][0].keys() if vm["snapshots"] else True
    assert {"name", "build"} <= data["hosts"][0].keys()


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "bad.json"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"schema_version": 1, "vms": [', "ends early"),
        ("not json at all", "not valid JSON at line 1"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        ("[1, 2, 3]", "no schema_version"),
        ('{"vms": []}', "no schema_version"),
        ('{"schema_version": "1"}', "invalid schema_version"),
        (f'{{"schema_version": {SCHEMA_VERSION + 1}}}', "newer than this fleetreport reads"),
    ],
)
def test_corrupt_files_give_one_line(tmp_path: Path, content: str | bytes, expected: str) -> None:
    with pytest.raises(InputFileError) as caught:
        load_snapshot(_write(tmp_path, content))
    assert expected in caught.value.one_line()
    assert "\n" not in caught.value.one_line()


def test_a_hand_edit_that_broke_the_json_names_its_place_and_is_not_called_truncated(
    tmp_path: Path,
) -> None:
    """A stray comma in the middle is a hand edit gone wrong; only an end cut short is
    "truncated?" (a copy that stopped part-way)."""
    path = _write(tmp_path, '{"schema_version": 1,,\n "vms": []}')
    with pytest.raises(InputFileError) as caught:
        load_snapshot(path)
    assert caught.value.message == f"{path} is not valid JSON at line 1 column 22"
    assert caught.value.hint == "collect again, or restore the file from where it was copied"
    with pytest.raises(InputFileError) as caught:
        load_snapshot(_write(tmp_path, '{"schema_version": 1,\n "vms": [\n'))
    assert caught.value.message.endswith("(the file ends early: truncated?)")


def test_a_json_file_that_is_not_a_snapshot_says_which_file_to_give(tmp_path: Path) -> None:
    """The report's JSON or an export given where a snapshot goes."""
    path = _write(tmp_path, '{"report_version": 3, "findings": []}')
    with pytest.raises(InputFileError) as caught:
        load_snapshot(path)
    assert caught.value.message == f"{path} is not a fleetreport snapshot (no schema_version)"
    assert caught.value.hint == "give the JSON file that 'fleetreport collect' wrote"


def test_hand_edited_wrong_type_names_the_place(tmp_path: Path, snapshot: Snapshot) -> None:
    data = json.loads(snapshot_to_json(snapshot))
    data["vms"][1]["boot_time"] = "last tuesday"
    with pytest.raises(InputFileError, match=r"vms\[1\]\.boot_time: expected an ISO-8601 time"):
        load_snapshot(_write(tmp_path, json.dumps(data)))


def test_unknown_and_missing_keys_are_named(tmp_path: Path, snapshot: Snapshot) -> None:
    data = json.loads(snapshot_to_json(snapshot))
    data["hosts"][0]["colour"] = "blue"
    with pytest.raises(InputFileError, match=r"hosts\[0\]: unknown key 'colour'"):
        load_snapshot(_write(tmp_path, json.dumps(data)))
    data = json.loads(snapshot_to_json(snapshot))
    del data["vms"][0]["moref"]
    with pytest.raises(InputFileError, match=r"vms\[0\]: missing key 'moref'"):
        load_snapshot(_write(tmp_path, json.dumps(data)))


def test_bool_is_not_accepted_as_int(tmp_path: Path, snapshot: Snapshot) -> None:
    data = json.loads(snapshot_to_json(snapshot))
    data["vms"][0]["num_cpu"] = True
    with pytest.raises(InputFileError, match=r"num_cpu: expected int, got true/false"):
        load_snapshot(_write(tmp_path, json.dumps(data)))


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        load_snapshot(tmp_path / "nope.json")
    with pytest.raises(InputFileError, match="is a folder"):
        load_snapshot(tmp_path)


def reference_encode(value: Any) -> Any:
    """What the snapshot and report files were encoded with before msgspec (issue 17): each
    dataclass as a dict in field order, times by ``format_time``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: reference_encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, list | tuple):
        return [reference_encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): reference_encode(item) for key, item in value.items()}
    return value


def reference_text(value: Any) -> str:
    return json.dumps(reference_encode(value), indent=1, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("path", [DEMO_SNAPSHOT, *sorted(CASSETTES.glob("*.snapshot.json"))])
def test_the_files_are_byte_for_byte_what_the_indenting_encoder_wrote(path: Path) -> None:
    snapshot = load_snapshot(path)
    assert snapshot_to_json(snapshot) == reference_text(sorted_snapshot(snapshot))
    report = build_report(snapshot)
    assert report_to_json(report) == reference_text(report)


def test_untrusted_text_is_written_as_the_standard_library_writes_it() -> None:
    names = [*HOSTILE, "\x7f", "\u2028\u2029", "\x00\x1f", "</script>", "\ufeff", "é😀"]
    snapshot = replace(load_snapshot(DEMO_SNAPSHOT), vms=[])
    hosts = [
        replace(snapshot.hosts[0], name=name, moref=f"host-{n}") for n, name in enumerate(names)
    ]
    grown = replace(snapshot, hosts=hosts)
    assert snapshot_to_json(grown) == reference_text(sorted_snapshot(grown))


def every_record(value: Any) -> Iterator[Any]:
    if dataclasses.is_dataclass(value):
        yield value
        for field in dataclasses.fields(value):
            yield from every_record(getattr(value, field.name))
    elif isinstance(value, list):
        for item in value:
            yield from every_record(item)


def test_a_well_formed_file_takes_the_fast_path_to_the_same_snapshot() -> None:
    raw = DEMO_SNAPSHOT.read_bytes()
    fast = fast_decode(Snapshot, raw)
    assert fast is not None
    assert fast == decode(Snapshot, json.loads(raw))
    for record in every_record(fast):  # every field set on the instance, none left to the class
        assert set(vars(record)) == {field.name for field in dataclasses.fields(record)}
    assert snapshot_to_json(fast) == reference_text(sorted_snapshot(fast))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-11-01T07:00:00+01:00", "2026-11-01T06:00:00Z"),
        ("2026-11-01T06:00:00", "2026-11-01T06:00:00Z"),
        ("2026-11-01T06:00", "2026-11-01T06:00:00Z"),
        ("2026-11-01T07:00:00+01:00Z", None),
        ("2026-11-01T06:00:00z", "2026-11-01T06:00:00Z"),
    ],
    ids=["offset", "naive", "no-seconds", "offset-and-z", "lower-case-z"],
)
def test_times_the_fast_path_cannot_vouch_for_are_read_as_utc_by_the_exact_decoder(
    written: str, expected: str | None
) -> None:
    data = json.loads(DEMO_SNAPSHOT.read_bytes())
    data["vms"][0]["boot_time"] = written
    raw = json.dumps(data).encode()
    assert fast_decode(Snapshot, raw) is None
    if expected is None:
        with pytest.raises(InputFileError, match=r"vms\[0\]\.boot_time: expected an ISO-8601 time"):
            parse_snapshot(raw, "edited.json")
        return
    loaded = parse_snapshot(raw, "edited.json")
    assert format_time(loaded.vms[0].boot_time) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-11-01T06:00:00.250000Z", datetime(2026, 11, 1, 6, 0, 0, 250000, tzinfo=UTC)),
        ("2026-11-01 06:00:00Z", datetime(2026, 11, 1, 6, 0, tzinfo=UTC)),
    ],
    ids=["fraction", "space"],
)
def test_times_in_utc_take_the_fast_path_to_the_exact_decoders_value(
    written: str, expected: datetime
) -> None:
    data = json.loads(DEMO_SNAPSHOT.read_bytes())
    data["vms"][0]["boot_time"] = written
    data["vms"][0]["name"] = 'shift 08:00:00+01:00" to 17:00-05:00'  # text shaped like offsets
    raw = json.dumps(data).encode()
    fast = fast_decode(Snapshot, raw)
    assert fast is not None
    assert fast == decode(Snapshot, json.loads(raw))
    assert fast.vms[0].boot_time == expected


def test_an_unknown_key_is_refused_with_its_place() -> None:
    data = json.loads(DEMO_SNAPSHOT.read_bytes())
    data["vms"][3]["colour"] = "blue"
    raw = json.dumps(data).encode()
    assert fast_decode(Snapshot, raw) is None
    with pytest.raises(InputFileError, match=r"vms\[3\]: unknown key 'colour'"):
        parse_snapshot(raw, "edited.json")


def test_a_wrong_type_says_what_it_found(tmp_path: Path, snapshot: Snapshot) -> None:
    data = json.loads(snapshot_to_json(snapshot))
    data["vms"][0]["num_cpu"] = "four"
    with pytest.raises(InputFileError, match=r"vms\[0\]\.num_cpu: expected int, got text"):
        load_snapshot(_write(tmp_path, json.dumps(data)))


def test_a_long_bad_time_is_shown_cut_to_forty_characters(
    tmp_path: Path, snapshot: Snapshot
) -> None:
    data = json.loads(snapshot_to_json(snapshot))
    data["vms"][0]["boot_time"] = "x" * 41
    with pytest.raises(InputFileError) as caught:
        load_snapshot(_write(tmp_path, json.dumps(data)))
    assert f"got '{'x' * 40}...'" in caught.value.one_line()
    data["vms"][0]["boot_time"] = "y" * 40
    with pytest.raises(InputFileError) as caught:
        load_snapshot(_write(tmp_path, json.dumps(data)))
    assert f"got '{'y' * 40}'" in caught.value.one_line()


def test_the_exact_decoder_names_the_top_level() -> None:
    with pytest.raises(DecodeError) as caught:
        decode(Snapshot, [])
    assert str(caught.value) == "top level: expected an object, got a list"
    assert caught.value.where == ""


def test_a_whole_number_where_a_fraction_is_kept_is_read_as_one() -> None:
    value = decode(float, 12)
    assert type(value) is float
    assert value == 12.0


def test_only_optional_unions_are_decoded() -> None:
    with pytest.raises(TypeError, match=r"only X \| None unions are supported, not int \| str"):
        decode(typing.cast(Any, int | str), 1)


def test_a_time_with_an_offset_is_written_as_the_same_instant_in_utc() -> None:
    plus_one = timezone(timedelta(hours=1))
    assert format_time(datetime(2026, 11, 1, 7, 0, tzinfo=plus_one)) == "2026-11-01T06:00:00Z"
    assert format_time(datetime(2026, 11, 1, 6, 0)) == "2026-11-01T06:00:00Z"


@pytest.fixture
def berlin_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local zone set to Europe/Berlin (UTC+1 in November), as on a consultant's
    laptop in Germany; the machine's own zone again afterwards."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.posix
@pytest.mark.usefixtures("berlin_local_time")
def test_a_time_without_a_zone_is_utc_whatever_the_machines_zone() -> None:
    assert datetime(2026, 11, 1, 6, 0).astimezone(UTC).hour == 5  # the zone took effect
    assert parse_time("2026-11-01T06:00:00") == datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    assert format_time(datetime(2026, 11, 1, 6, 0)) == "2026-11-01T06:00:00Z"
