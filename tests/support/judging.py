"""What one check said about each subject of a snapshot: the exact sets the check tests assert."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from fleetreport.config_file import parse_config
from fleetreport.health.evaluate import evaluate
from fleetreport.health.fleet import FleetView
from fleetreport.health.results import Outcome, Status
from fleetreport.health.settings import HealthSettings, default_settings, settings_from_config
from fleetreport.snapshot.model import Snapshot


def judged(
    snapshot: Snapshot, check_id: str, settings: HealthSettings | None = None
) -> dict[str, Outcome]:
    """What ``check_id`` said about each subject, by subject name."""
    settings = settings or default_settings()
    evaluation = evaluate(FleetView(snapshot, settings.scope, settings.desktops), settings)
    result: dict[str, Outcome] = {}
    for judgements in evaluation.judgements.values():
        for judgement in judgements:
            if judgement.check.id == check_id:
                name = judgement.subject.name
                assert name not in result, f"two subjects are named {name}"
                result[name] = judgement.outcome
    return result


def outcomes(
    snapshot: Snapshot, check_id: str, settings: HealthSettings | None = None
) -> dict[str, set[str]]:
    """Subject names by outcome: pass, fail, unknown (missing data) and n/a (does not apply)."""
    groups: dict[str, set[str]] = defaultdict(set)
    for name, outcome in judged(snapshot, check_id, settings).items():
        groups["n/a" if outcome.not_applicable else outcome.status.value].add(name)
    return dict(groups)


def severities(
    snapshot: Snapshot, check_id: str, settings: HealthSettings | None = None
) -> dict[str, str]:
    """Severity of each failure, by subject name."""
    return {
        name: outcome.severity.value if outcome.severity else "unsettled"
        for name, outcome in judged(snapshot, check_id, settings).items()
        if outcome.status is Status.FAIL
    }


def messages(
    snapshot: Snapshot, check_id: str, settings: HealthSettings | None = None
) -> dict[str, str]:
    """Message of each failure, by subject name."""
    return {
        name: outcome.message
        for name, outcome in judged(snapshot, check_id, settings).items()
        if outcome.status is Status.FAIL
    }


TestFunction = TypeVar("TestFunction", bound=Callable[..., Any])
_COVERS = re.compile(r"""^@covers\(\s*["']([a-z0-9_]+)["']\s*\)""", re.MULTILINE)


def covers(check_id: str) -> Callable[[TestFunction], TestFunction]:
    """Mark a test as the one for ``check_id`` (found by ``covered_check_ids``)."""

    def mark(function: TestFunction) -> TestFunction:
        function.covers = check_id  # type: ignore[attr-defined]
        return function

    return mark


def covered_check_ids(folder: Path) -> set[str]:
    """Check ids with a ``@covers("...")`` test in the ``test_*.py`` modules of ``folder``,
    read from the source so that the answer does not depend on which modules were collected."""
    found: set[str] = set()
    for module in sorted(folder.glob("test_*.py")):
        found.update(_COVERS.findall(module.read_text("utf-8")))
    return found


def configured(toml: str) -> HealthSettings:
    """Settings from TOML text, as ``--config`` would read them."""
    return settings_from_config(parse_config(toml, "t.toml"))


def assert_messages_name(found: dict[str, str], expected: dict[str, Iterable[str]]) -> None:
    """Each failure's message contains every expected word."""
    for name, words in expected.items():
        for word in words:
            assert word in found[name], f"{name}: {word!r} not in {found[name]!r}"
