"""Property tests: the snapshot loader and the Horizon record parsers against arbitrary input.

- The loader (``parse_snapshot``) raises nothing but ``InputFileError``, whatever the bytes:
  arbitrary bytes, arbitrary JSON, objects with random keys and values, and valid snapshots
  mutated (a key deleted, a value's type changed, the text cut at a random byte).
- A valid snapshot round-trips: ``parse_snapshot(snapshot_to_json(s))`` is ``s`` in canonical
  order, for snapshots generated from the model's dataclasses with arbitrary unicode text.
- The Horizon record parsers never raise, whatever JSON value sits in any field, and keep
  enum values they do not know verbatim.

A few inputs that hypothesis reaches rarely or never by chance (nesting 100,000 deep, a
5,000-digit number, a time at the edge of the calendar, a digit-like character after a
digit run) are pinned by explicit examples in their own tests; where they show a bug, the
test is marked ``xfail(strict=True)`` with the bug named, so that the fix turns it green.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, get_args, get_origin

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support.paths import DEMO_SNAPSHOT

from fleetreport.collect.horizon import records
from fleetreport.errors import InputFileError
from fleetreport.ordering import natural_key
from fleetreport.snapshot import model
from fleetreport.snapshot.store import (
    SCHEMA_VERSION,
    parse_snapshot,
    snapshot_to_json,
    sorted_snapshot,
)

DEMO = DEMO_SNAPSHOT

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- strategies ------------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
"""Any JSON value (NaN and Infinity included: Python's json module reads and writes them)."""


def _model_classes() -> list[type]:
    return [
        obj
        for obj in vars(model).values()
        if isinstance(obj, type)
        and dataclasses.is_dataclass(obj)
        and obj.__module__ == model.__name__
    ]


MODEL_KEYS = sorted({f.name for cls in _model_classes() for f in dataclasses.fields(cls)})
"""Every field name of the model: random objects use them so that decoding goes deep."""

keyed_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(MODEL_KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=25,
)


@st.composite
def snapshot_like_objects(draw: st.DrawFn) -> dict[str, Any]:
    """An object that passes the version gate, with model keys holding arbitrary values."""
    data = draw(st.dictionaries(st.sampled_from(MODEL_KEYS) | st.text(max_size=6), keyed_values))
    data["schema_version"] = draw(st.sampled_from([1, SCHEMA_VERSION]))
    return data


# Text for the round trip: any unicode (hypothesis leaves out lone surrogates, which no
# UTF-8 file can hold). Ids that the canonical order sorts by come from their own strategy.
any_text = st.text(max_size=40)
ids = (
    st.from_regex(r"\A[a-z]{1,12}-[0-9]{1,6}\Z")
    | st.uuids().map(str)
    | st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)
)
utc_times = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
ID_FIELDS = {"moref", "id"}


def _strategy_for(annotation: Any, name: str) -> st.SearchStrategy[Any]:
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in get_args(annotation) if a is not type(None)]
        return st.none() | _strategy_for(inner, name)
    if origin is list:
        return st.lists(_strategy_for(get_args(annotation)[0], name), max_size=3)
    if origin is dict:
        return st.dictionaries(any_text, any_text, max_size=3)
    if dataclasses.is_dataclass(annotation):
        return _builds(annotation)
    if annotation is str:
        return ids if name in ID_FIELDS else any_text
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(min_value=-(2**63), max_value=2**63)
    if annotation is float:
        return st.floats(allow_nan=False, allow_infinity=False)  # JSON holds no NaN or infinity
    if annotation is datetime:
        return utc_times
    raise TypeError(f"no strategy for {annotation!r}")


def _builds(cls: type) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    fields = {f.name: _strategy_for(hints[f.name], f.name) for f in dataclasses.fields(cls)}
    return st.builds(cls, **fields)


snapshots = _builds(model.Snapshot).map(
    lambda s: dataclasses.replace(s, schema_version=SCHEMA_VERSION)
)


def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO.read_text("utf-8"))
    return data


DEMO_TEXT = DEMO.read_text("utf-8")
SMALL_DEMO = {
    key: (value[:3] if isinstance(value, list) else value) for key, value in demo_data().items()
}
"""The demo snapshot cut to three records per list: a valid snapshot small enough to mutate."""


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (object keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_of(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_of(item, (*prefix, index))
    return found


SMALL_DEMO_PATHS = paths_of(SMALL_DEMO)


def at(data: Any, path: tuple[Any, ...]) -> tuple[Any, Any]:
    """The container of ``path``'s last step, and that step."""
    for step in path[:-1]:
        data = data[step]
    return data, path[-1]


def assert_only_input_file_error(raw: bytes) -> None:
    try:
        parse_snapshot(raw, "fuzzed.json")
    except InputFileError as error:
        line = error.one_line()
        assert "\n" not in line and "fuzzed.json" in line
    # Anything else escapes and fails the test, naming the exception.


# --- the loader: arbitrary input -------------------------------------------------------------


@PROPERTY
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_input_file_error(raw: bytes) -> None:
    assert_only_input_file_error(raw)


@PROPERTY
@given(json_values)
def test_arbitrary_json_raises_only_input_file_error(value: Any) -> None:
    assert_only_input_file_error(json.dumps(value).encode("utf-8"))


@PROPERTY
@given(snapshot_like_objects())
def test_objects_with_model_keys_and_random_values_raise_only_input_file_error(
    value: dict[str, Any],
) -> None:
    assert_only_input_file_error(json.dumps(value).encode("utf-8"))


@PROPERTY
@given(st.sampled_from(SMALL_DEMO_PATHS))
def test_a_valid_snapshot_without_any_one_key_raises_only_input_file_error(
    path: tuple[Any, ...],
) -> None:
    data = json.loads(json.dumps(SMALL_DEMO))
    container, step = at(data, path)
    del container[step]
    assert_only_input_file_error(json.dumps(data).encode("utf-8"))


@PROPERTY
@given(st.sampled_from(SMALL_DEMO_PATHS), json_values)
def test_a_valid_snapshot_with_any_one_value_replaced_raises_only_input_file_error(
    path: tuple[Any, ...], replacement: Any
) -> None:
    data = json.loads(json.dumps(SMALL_DEMO))
    container, step = at(data, path)
    container[step] = replacement
    assert_only_input_file_error(json.dumps(data).encode("utf-8"))


@PROPERTY
@given(st.integers(min_value=0, max_value=len(DEMO_TEXT.rstrip().encode("utf-8")) - 1))
def test_a_valid_snapshot_cut_at_any_byte_raises_only_input_file_error(cut: int) -> None:
    raw = DEMO_TEXT.encode("utf-8")[:cut]
    with pytest.raises(InputFileError) as caught:
        parse_snapshot(raw, "cut.json")
    line = caught.value.one_line()
    assert "cut.json" in line and "\n" not in line


@FEW
@given(st.integers(min_value=0, max_value=2000), st.binary(min_size=1, max_size=50))
def test_a_valid_snapshot_with_bytes_overwritten_raises_only_input_file_error(
    offset: int, junk: bytes
) -> None:
    raw = bytearray(json.dumps(SMALL_DEMO).encode("utf-8"))
    raw[offset : offset + len(junk)] = junk
    assert_only_input_file_error(bytes(raw))


def test_the_demo_snapshot_itself_loads() -> None:
    loaded = parse_snapshot(DEMO_TEXT.encode("utf-8"), "demo.json")
    assert snapshot_to_json(loaded) == DEMO_TEXT


# --- the loader: inputs chance does not reach ------------------------------------------------


@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
def test_deeply_nested_json_is_an_input_file_error(opening: bytes) -> None:
    raw = b'{"schema_version": 1, "sources": ' + opening * 100_000
    with pytest.raises(InputFileError, match=r"nested\.json"):
        parse_snapshot(raw, "nested.json")


def test_a_number_of_5000_digits_is_an_input_file_error() -> None:
    raw = b'{"schema_version": 1, "vms": [{"num_cpu": ' + b"9" * 5000 + b"}]}"
    with pytest.raises(InputFileError, match=r"digits\.json"):
        parse_snapshot(raw, "digits.json")


time_texts = st.datetimes(
    min_value=datetime(1, 1, 1),
    max_value=datetime(9999, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5)), timezone(timedelta(hours=-5))]),
).map(lambda value: value.isoformat())


@FEW
@given(time_texts)
@example("0001-01-01T00:00:00+05:00")
@example("9999-12-31T23:59:59-05:00")
def test_any_iso_time_in_a_time_field_loads_or_is_an_input_file_error(text: str) -> None:
    data = json.loads(json.dumps(SMALL_DEMO))
    data["collected_at"] = text
    assert_only_input_file_error(json.dumps(data).encode("utf-8"))


# --- round trip ------------------------------------------------------------------------------


@PROPERTY
@given(snapshots)
def test_a_valid_snapshot_round_trips(snapshot: model.Snapshot) -> None:
    text = snapshot_to_json(snapshot)
    loaded = parse_snapshot(text.encode("utf-8"), "generated.json")
    assert loaded == sorted_snapshot(snapshot)
    assert snapshot_to_json(loaded) == text


@FEW
@given(st.text(max_size=20))
@example("Lab-10³")
@example("²")
def test_natural_key_orders_any_text(text: str) -> None:
    assert len(sorted([text, "vm-1", "a", "vm-10"], key=natural_key)) == 4


# --- Horizon record parsers ------------------------------------------------------------------

PARSERS: dict[str, Any] = {
    "desktop_pool": lambda record: records.desktop_pool("pod", record, {"vc-1": "uuid-1"}),
    "farm": lambda record: records.farm("pod", record, {"vc-1": "uuid-1"}),
    "machine": lambda record: records.machine("pod", record),
    "rds_server": lambda record: records.rds_server("pod", record),
    "session": lambda record: records.session("pod", record),
    "connection_server": lambda record: records.connection_server("pod", record),
    "gateway": lambda record: records.gateway("pod", record),
    "event_database": lambda record: records.event_database("pod", record),
}

HORIZON_KEYS = sorted(
    {
        "id", "name", "display_name", "type", "source", "enabled", "enable_provisioning",
        "user_assignment", "session_settings", "settings", "power_policy",
        "pattern_naming_settings", "naming_pattern", "min_number_of_machines",
        "max_number_of_machines", "number_of_spare_machines", "min_number_of_servers",
        "max_number_of_servers", "vcenter_id", "num_machines", "farm_id",
        "provisioning_settings", "provisioning_status_data", "vm_folder_path", "parent_vm_id",
        "parent_vm_path", "base_snapshot_id", "snapshot_path",
        "instant_clone_current_image_state", "instant_clone_pending_image_state",
        "instant_clone_pending_image_error", "instant_clone_pending_image_snapshot_id",
        "last_provisioning_error", "last_provisioning_error_time", "automated_farm_settings",
        "managed_machine_data", "user_names", "user_ids", "dns_name", "desktop_pool_id",
        "state", "agent_version", "agent_data", "version", "build", "agent_build_number",
        "operating_system", "virtual_machine_power_state", "operation_state", "base_vm_id",
        "base_vm_snapshot_id", "pending_base_vm_id", "pending_base_vm_snapshot_id",
        "create_time", "missing_in_vcenter", "in_maintenance_mode", "virtual_center_id",
        "vm_moid", "path", "host_name", "user_name", "user_id", "machine_id", "rds_server_id",
        "session_type", "session_state", "session_protocol", "start_time",
        "disconnected_time", "idle_duration", "services", "service_name", "status", "details",
        "certificate", "valid", "valid_from", "valid_to", "gateway_certificate_health",
        "server_name", "database_name", "connection_servers", "connection_servers_v3",
        "instance_uuid",
    }
)  # fmt: skip
"""Every field name the parsers read, at any depth."""

horizon_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(HORIZON_KEYS) | st.text(max_size=5), inner, max_size=6)
    ),
    max_leaves=30,
)
"""Any JSON value, its objects keyed mostly by names the parsers look for."""

horizon_records = (
    st.dictionaries(st.sampled_from(HORIZON_KEYS) | st.text(max_size=5), horizon_values)
    | horizon_values
)


@PROPERTY
@pytest.mark.parametrize("parser", sorted(PARSERS))
@given(record=horizon_records)
def test_horizon_parsers_never_raise_on_any_json(parser: str, record: Any) -> None:
    parsed = PARSERS[parser](record)
    assert dataclasses.is_dataclass(parsed)
    for value in dataclasses.asdict(parsed).values():
        # Only the model's own kinds come out: never a dict or a foreign object.
        assert value is None or isinstance(value, str | int | bool | datetime | list), value


@PROPERTY
@given(config=horizon_records, monitor=st.none() | horizon_records)
@example(config={"id": "vc-1"}, monitor={"connection_servers_v3": 5})
def test_horizon_vcenter_never_raises_on_any_json(config: Any, monitor: Any) -> None:
    parsed = records.horizon_vcenter("pod", config, monitor)
    assert isinstance(parsed, model.HorizonVCenter)


ENUM_FIELDS: list[tuple[str, str, str]] = [
    ("desktop_pool", "type", "type"),
    ("desktop_pool", "source", "source"),
    ("desktop_pool", "user_assignment", "user_assignment"),
    ("desktop_pool", "session_settings.power_policy", "power_policy"),
    ("desktop_pool", "provisioning_status_data.instant_clone_current_image_state", "image_state"),
    (
        "desktop_pool",
        "provisioning_status_data.instant_clone_pending_image_state",
        "pending_image_state",
    ),
    ("farm", "source", "source"),
    ("machine", "state", "state"),
    ("machine", "operating_system", "operating_system"),
    ("machine", "managed_machine_data.virtual_machine_power_state", "power_state"),
    ("machine", "managed_machine_data.operation_state", "operation_state"),
    ("rds_server", "state", "state"),
    ("session", "session_state", "state"),
    ("session", "session_type", "session_type"),
    ("session", "session_protocol", "protocol"),
    ("connection_server", "status", "status"),
    ("gateway", "status", "status"),
    ("gateway", "details.type", "type"),
    ("event_database", "status", "status"),
]


def put(record: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    node = record
    *parents, last = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return record


@PROPERTY
@pytest.mark.parametrize(("parser", "path", "attribute"), ENUM_FIELDS)
@given(value=st.text(min_size=1, max_size=40))
def test_unknown_enum_values_are_kept_verbatim(
    parser: str, path: str, attribute: str, value: str
) -> None:
    parsed = PARSERS[parser](put({"id": "x-1", "name": "x"}, path, value))
    assert getattr(parsed, attribute) == value


@PROPERTY
@given(value=st.text(min_size=1, max_size=40).filter(lambda s: s != "OK"))
def test_an_unknown_vcenter_status_is_kept_verbatim(value: str) -> None:
    parsed = records.horizon_vcenter(
        "pod", {"id": "vc-1"}, {"connection_servers_v3": [{"status": value}]}
    )
    assert parsed.status == value


@PROPERTY
@given(value=st.text(min_size=1, max_size=40))
def test_an_unknown_service_status_is_kept_verbatim(value: str) -> None:
    parsed = records.connection_server(
        "pod", {"id": "cs-1", "services": [{"service_name": "svc", "status": value}]}
    )
    assert parsed.services == [model.ServiceStatus("svc", value)]
