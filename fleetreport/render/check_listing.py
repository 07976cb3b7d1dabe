"""``fleetreport checks``: the catalogue with the thresholds in force, for the terminal."""

from __future__ import annotations

from typing import Any

from fleetreport.health.catalogue import Category, catalogue
from fleetreport.health.settings import HealthSettings
from fleetreport.render.templating import environment


def list_checks(settings: HealthSettings, config_name: str | None = None) -> str:
    """The catalogue, grouped by category, as plain text."""
    groups: dict[str, list[dict[str, Any]]] = {category.value: [] for category in Category}
    for spec in catalogue().values():
        config = settings.checks[spec.id]
        groups[spec.category.value].append(
            {
                "id": spec.id,
                "title": spec.title,
                "subject": spec.subject.value,
                "severity": (config.severity or spec.severity).value,
                "severity_overridden": config.severity is not None,
                "enabled": config.enabled,
                "thresholds": [
                    (name, _show(value), value != spec.thresholds[name])
                    for name, value in config.thresholds.items()
                ],
                "exclude": list(config.exclude),
                "rationale": spec.rationale,
            }
        )
    text = (
        environment()
        .get_template("checks.txt")
        .render(
            groups=groups,
            count=sum(len(checks) for checks in groups.values()),
            config_name=config_name,
            scores=settings.scores,
            energy=settings.energy,
            scope=settings.scope,
        )
    )
    return text.rstrip("\n")


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(value) if value else "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
