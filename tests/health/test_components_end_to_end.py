"""End to end for the Horizon components: the test server's ``example`` pod -> ``fleetreport
collect --horizon`` -> the checks, at Horizon 2512 and at 2111.

The pod holds what a health check finds around the desktops (tests/fixtures/horizon/README.md):
a replication error, a Connection Server on its self-signed certificate, two versions in one pod,
a UAG whose certificate expires in 20 days and one in PROBLEM, a vCenter certificate Horizon sees
expiring, an AD domain one Connection Server cannot reach and a service account in error, SAML
and True SSO in trouble, a federated pod with an endpoint offline, a licence expiring, a farm
missing an application, an RDS host near its session limit and a pool that never logs off
disconnected sessions. Each must come out as the finding a consultant would write, and what
2111 does not have must be unknown, never a pass.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.horizon.collecting import run_cli
from support.horizon_server import EXAMPLE_DATA, HorizonTestServer

from fleetreport.errors import ExitCode
from fleetreport.health.catalogue import SubjectKind
from fleetreport.health.evaluate import Evaluation, evaluate
from fleetreport.health.fleet import FleetView
from fleetreport.health.results import Status
from fleetreport.health.settings import default_settings
from fleetreport.snapshot import load_snapshot

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def judged_at(profile: str, tmp_path: Path) -> Evaluation:
    with HorizonTestServer(EXAMPLE_DATA, profile=profile, now=int(NOW.timestamp() * 1000)) as pod:
        code, path = run_cli(pod, tmp_path)
    assert code == ExitCode.OK
    snapshot = load_snapshot(path)
    return evaluate(FleetView(snapshot), default_settings())


@pytest.fixture(scope="module")
def at_2512(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    return judged_at("2512", tmp_path_factory.mktemp("2512"))


@pytest.fixture(scope="module")
def at_2111(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    return judged_at("2111", tmp_path_factory.mktemp("2111"))


def results(evaluation: Evaluation, check: str) -> dict[str, str]:
    """Subject name -> the failure's severity, ``pass``, ``unknown`` or ``n/a``."""
    out: dict[str, str] = {}
    for judgements in evaluation.judgements.values():
        for said in judgements:
            if said.check.id != check:
                continue
            outcome = said.outcome
            if outcome.status is Status.FAIL:
                out[said.subject.name] = (outcome.severity or said.check.severity).value
            else:
                out[said.subject.name] = "n/a" if outcome.not_applicable else outcome.status.value
    return out


def failures(evaluation: Evaluation, check: str) -> dict[str, str]:
    return {
        name: said
        for name, said in results(evaluation, check).items()
        if said in ("critical", "warning", "info")
    }


def message(evaluation: Evaluation, check: str, subject: str) -> str:
    return next(
        said.outcome.message
        for judgements in evaluation.judgements.values()
        for said in judgements
        if said.check.id == check and said.subject.name == subject
    )


POD = "127.0.0.1"  # the pod's key: the Connection Server host fleetreport asked
EXPECTED_2512 = {
    "cs_replication_failing": {"cs01.example.test": "critical"},
    "cs_default_certificate": {"cs02.example.test": "warning"},
    "cs_certificate_expiring": {"cs02.example.test": "warning"},
    "pod_cs_versions_differ": {POD: "warning"},
    "gateway_unhealthy": {"uag02": "critical"},
    "gateway_certificate_expiring": {"uag01": "warning", "uag02": "critical"},
    "vcenter_certificate_expiring": {"vcsa01.example.test": "warning"},
    "event_database_not_connected": {},
    "ad_domain_unreachable": {"example.test": "critical", "partner.example.test": "critical"},
    "saml_unhealthy": {POD: "critical"},
    "true_sso_unhealthy": {POD: "warning"},
    "cpa_endpoint_down": {POD: "warning"},
    "licence_expiring": {POD: "warning"},
    "licence_usage_high": {},
    "pool_disabled": {"manual-lab": "warning"},
    "pool_provisioning_halted": {},
    "pool_near_maximum": {"fc-win10-dedicated": "critical"},
    "pool_spares_short": {"fc-win10-dedicated": "warning"},
    "farm_unhealthy": {"rdsh-apps": "warning"},
    "rds_host_session_limit": {"rdsh-01": "warning"},
    "pool_disconnect_policy": {"manual-lab": "warning"},
}


@pytest.mark.parametrize("check", sorted(EXPECTED_2512))
def test_each_component_finding_at_2512(at_2512: Evaluation, check: str) -> None:
    assert failures(at_2512, check) == EXPECTED_2512[check]


def test_the_findings_name_what_a_consultant_needs(at_2512: Evaluation) -> None:
    named = {
        ("cs_replication_failing", "cs01.example.test"): ["cs02.example.test", "RPC server"],
        ("gateway_unhealthy", "uag02"): ["PROBLEM", "BLAST: connection refused"],
        ("gateway_certificate_expiring", "uag01"): ["20 day"],
        ("gateway_certificate_expiring", "uag02"): ["NAME_MISMATCH"],
        ("ad_domain_unreachable", "example.test"): ["cs02.example.test", "UNCONTACTABLE"],
        ("ad_domain_unreachable", "partner.example.test"): ["svc-hz-partner"],
        ("saml_unhealthy", POD): ["ws1-access", "metadata"],
        ("cpa_endpoint_down", POD): ["rtm-cs02.example.test", "OFFLINE"],
        ("farm_unhealthy", "rdsh-apps"): ["Visio"],
        ("rds_host_session_limit", "rdsh-01"): ["48 of 50"],
    }
    for (check, subject), words in named.items():
        said = message(at_2512, check, subject)
        assert all(word in said for word in words), (check, said)


def test_what_the_server_cannot_tell_is_unknown(at_2512: Evaluation, at_2111: Evaluation) -> None:
    # Horizon never reports the purchased count: unknown, with the setting to set.
    assert results(at_2512, "licence_usage_high") == {POD: "unknown"}
    assert "licensed_users" in message(at_2512, "licence_usage_high", POD)
    # 2111 has no licence endpoint and gateways without certificate health.
    for check in ("licence_expiring", "licence_usage_high"):
        assert results(at_2111, check) == {POD: "unknown"}
        assert "not on this server" in message(at_2111, check, POD)
    assert results(at_2111, "gateway_certificate_expiring") == {
        "uag01": "unknown",
        "uag02": "unknown",
    }


def test_2111_still_finds_what_it_can_see(at_2111: Evaluation) -> None:
    for check in (
        "cs_replication_failing",
        "cs_default_certificate",
        "ad_domain_unreachable",
        "saml_unhealthy",
        "cpa_endpoint_down",
        "farm_unhealthy",
        "rds_host_session_limit",
        "pool_disconnect_policy",
    ):
        assert failures(at_2111, check) == EXPECTED_2512[check], check
    assert failures(at_2111, "gateway_unhealthy") == {"uag02": "critical"}


def test_every_component_subject_is_judged(at_2512: Evaluation) -> None:
    kinds = {subject_kind for subject_kind, _ in at_2512.judgements}
    assert {
        SubjectKind.POD,
        SubjectKind.CONNECTION_SERVER,
        SubjectKind.GATEWAY,
        SubjectKind.AD_DOMAIN,
        SubjectKind.HORIZON_VCENTER,
        SubjectKind.POOL,
    } <= kinds
