"""The state classification against the Horizon API specs: every value classified, none invented.

The specs are read from ``<repo>/../shared/horizon-api`` (CI puts ``shared/`` beside the clone),
or ``HORIZON_API_SPEC_DIR``; they are never copied into the project. Without them these tests
fail: a classification that is never checked against the API is how RDS errors went unknown.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from support.paths import REPO

from fleetreport.health.catalogue import catalogue
from fleetreport.health.states import (
    MACHINE_STATES,
    RDS_SERVER_STATES,
    SEEN_IN_OLDER_RELEASES,
    SESSION_STATES,
    StateClass,
)

SPEC_2512 = "horizon-server-rest-api-2512.json"
SPEC_2111 = "horizon-server-rest-api-2111.json"

FAMILIES: dict[str, tuple[tuple[str, ...], str, Mapping[str, Any]]] = {
    # name: (schema families, field, classification)
    "machine": (("MachineInfo", "PhysicalMachineInfo"), "state", MACHINE_STATES),
    "rds_server": (("RDSServerInfo", "RDSServerMonitorDetails"), "state", RDS_SERVER_STATES),
    "session": (("SessionInfo", "GlobalSessionInfo"), "session_state", SESSION_STATES),
}


def spec_dir() -> Path:
    for candidate in (
        os.environ.get("HORIZON_API_SPEC_DIR"),
        REPO.parent / "shared" / "horizon-api",
        "/work/shared/horizon-api",
    ):
        if candidate and (Path(candidate) / SPEC_2512).is_file():
            return Path(candidate)
    pytest.fail(f"the Horizon API specs are missing: expected {REPO.parent}/shared/horizon-api")


@cache
def schemas(file: str) -> dict[str, Any]:
    """The spec's schemas: OpenAPI 3 components, or Swagger 2 definitions."""
    spec = json.loads((spec_dir() / file).read_text(encoding="utf-8"))
    found: dict[str, Any] = spec.get("components", {}).get("schemas") or spec["definitions"]
    return found


def enum_values(file: str, families: Iterable[str], field: str) -> dict[str, set[str]]:
    """Enum values of ``field`` in every versioned schema of the families (``X``, ``XV2``...)."""
    result: dict[str, set[str]] = {}
    for name, schema in schemas(file).items():
        if not any(re.fullmatch(rf"{family}(V\d+)?", name) for family in families):
            continue
        values = schema.get("properties", {}).get(field, {}).get("enum")
        if values:
            result[name] = set(values)
    return result


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_state_of_the_2512_spec_is_classified(family: str) -> None:
    families, field, table = FAMILIES[family]
    found = enum_values(SPEC_2512, families, field)
    assert len(found) >= 2, f"no {family} state enums found in the spec: has it changed shape?"
    for schema, values in sorted(found.items()):
        missing = values - set(table)
        assert not missing, f"{schema}.{field} has values fleetreport does not classify: {missing}"


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_classified_state_is_in_the_spec(family: str) -> None:
    families, field, table = FAMILIES[family]
    spec_values = set().union(*enum_values(SPEC_2512, families, field).values())
    invented = set(table) - spec_values - SEEN_IN_OLDER_RELEASES
    assert not invented, f"classified but not in the 2512 spec (nor marked older): {invented}"


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_the_2111_states_are_classified_too(family: str) -> None:
    families, field, table = FAMILIES[family]
    found = enum_values(SPEC_2111, families, field)
    assert found, f"no {family} state enums in the 2111 spec"
    assert set().union(*found.values()) <= set(table)


def test_rds_hosts_and_machines_spell_their_agent_errors_differently() -> None:
    assert RDS_SERVER_STATES["AGENT_ERR_NEED_REBOOT"] is StateClass.PROBLEM
    assert MACHINE_STATES["AGENT_ERROR_NEEDS_REBOOT"] is StateClass.PROBLEM
    assert "AGENT_ERR_NEED_REBOOT" not in MACHINE_STATES
    assert RDS_SERVER_STATES["WAIT_FOR_AGENT"] is StateClass.IN_PROGRESS
    assert MACHINE_STATES["WAITING_FOR_AGENT"] is StateClass.IN_PROGRESS


COUNT_METRICS = {
    "ProblemCountMetrics": {StateClass.PROBLEM},
    "UnderConstructionCountMetrics": {StateClass.IN_PROGRESS},
    "PreparedCountMetrics": {StateClass.READY, StateClass.IN_USE},
}


@pytest.mark.parametrize("metrics", sorted(COUNT_METRICS))
def test_classes_follow_horizons_own_count_metrics(metrics: str) -> None:
    """Each state Horizon's count metrics name is in the matching class (where the name it
    uses is a state of the machine or RDS host enum: the metrics mix the two spellings)."""
    named = set()
    for field in schemas(SPEC_2512)[metrics]["properties"].values():
        named |= set(re.findall(r"\b[A-Z][A-Z_]{3,}\b", field.get("description", "")))
    known = {s: c for table in (MACHINE_STATES, RDS_SERVER_STATES) for s, c in table.items()}
    matched = {state: known[state] for state in named if state in known}
    assert len(matched) >= 4, f"{metrics}: too few states matched: {sorted(named)}"
    wrong = {s: c.value for s, c in matched.items() if c not in COUNT_METRICS[metrics]}
    assert not wrong, f"{metrics} counts these states, classified otherwise: {wrong}"
    if metrics == "ProblemCountMetrics":
        assert "ALREADY_USED" in matched


def test_machine_problem_state_defaults_cover_every_state_once() -> None:
    limits = catalogue()["machine_problem_state"].thresholds
    lists = ["critical_states", "warning_states", "in_progress_states", "healthy_states"]
    listed = [state for name in lists for state in limits[name]]
    every = set(MACHINE_STATES) | set(RDS_SERVER_STATES)
    assert sorted(listed) == sorted(every)
