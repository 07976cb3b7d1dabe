"""The summary's impact ranking, recomputed from a JSON report for the tests to compare."""

from __future__ import annotations

from typing import Any


def fleet_rise(vms: list[dict[str, Any]], check: str, category: str) -> float:
    """How much the mean ``category`` score of ``vms`` rises without ``check``'s deductions."""

    def score(vm: dict[str, Any], skip: str | None) -> float:
        lost = sum(
            d["points"]
            for d in vm["deductions"]
            if d["category"] == category and d["check"] != skip
        )
        return max(100.0 - lost, 0.0)

    return sum(score(vm, check) - score(vm, None) for vm in vms) / len(vms)


def impact_ranking(data: dict[str, Any]) -> list[tuple[float, int, int, int, str]]:
    """Every failing check of a JSON report, ranked as the summary must rank it: fleet points
    recovered (patch + power), desktops affected, severity, findings, check id; recomputed
    from the report's own findings and deductions, independently of fleetreport's code."""
    order = ["critical", "warning", "info"]
    ranking = []
    for check in {f["check"] for f in data["findings"]}:
        findings = [f for f in data["findings"] if f["check"] == check]
        kind = findings[0]["subject_kind"]
        desktops = (
            len({(f["location"], f["subject"]) for f in findings})
            if kind == "desktop"
            else sum(1 for v in data["vms"] if any(d["check"] == check for d in v["deductions"]))
        )
        points = round(fleet_rise(data["vms"], check, "patch"), 1) + round(
            fleet_rise(data["vms"], check, "power"), 1
        )
        severity = min((f["severity"] for f in findings), key=order.index)
        ranking.append((-round(points, 1), -desktops, order.index(severity), -len(findings), check))
    return sorted(ranking)


def serious_checks(data: dict[str, Any]) -> list[str]:
    """The ranked checks with a critical or warning finding: the summary's candidates."""
    return [row[-1] for row in impact_ranking(data) if row[2] < 2]
