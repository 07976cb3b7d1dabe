"""Tests of the Horizon REST API test server itself (tests/support/horizon_server.py)."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
from support.horizon import fields as hz_fields
from support.horizon.filtering import FILTERABLE, filterable_fields
from support.horizon.sorting import SORTABLE, sortable_fields
from support.horizon_server import ENDPOINTS, EXAMPLE_DATA, PROFILES, HorizonTestServer, field_paths
from support.paths import REPO

CREDS = json.loads((EXAMPLE_DATA / "credentials.json").read_text(encoding="utf-8"))


class Client:
    """A requests session that trusts only the test CA.

    ``trust_env`` is off because requests lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``
    override ``Session.verify`` (they are set on this machine).
    """

    def __init__(self, hz: HorizonTestServer):
        self.hz = hz
        self.s = requests.Session()
        self.s.trust_env = False
        self.s.verify = hz.ca_file
        self.tokens: dict = {}

    def login(self, **overrides):
        body = dict(CREDS, **overrides)
        r = self.s.post(self.hz.url + "/login", json=body, timeout=10)
        if r.status_code == 200:
            self.tokens = r.json()
        return r

    def get(self, path, token=None, **params):
        token = token or self.tokens.get("access_token")
        headers = {"Authorization": "Bearer " + token} if token else {}
        return self.s.get(self.hz.url + path, params=params, headers=headers, timeout=10)

    def post(self, path, body):
        return self.s.post(self.hz.url + path, json=body, timeout=10)

    def close(self):
        self.s.close()


@pytest.fixture
def make_server():
    started = []

    def make(**kwargs):
        data_dir = kwargs.pop("data_dir", EXAMPLE_DATA)
        hz = HorizonTestServer(data_dir, **kwargs).start()
        started.append(hz)
        return hz

    yield make
    for hz in started:
        hz.stop()


@pytest.fixture
def client(make_server):
    clients = []

    def make(**kwargs):
        c = Client(make_server(**kwargs))
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


def assert_error_body(r, status):
    assert r.status_code == status
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert isinstance(body["timestamp"], int)
    assert body["status"]
    assert body["errors"] and set(body["errors"][0]) == {"error_key", "error_message"}
    return body


def paths_of(value, prefix=""):
    """Dotted paths in a JSON value (arrays of objects are walked element-wise)."""
    out = set()
    if isinstance(value, list):
        for v in value:
            out |= paths_of(v, prefix)
    elif isinstance(value, dict):
        for k, v in value.items():
            out.add(prefix + k)
            out |= paths_of(v, prefix + k + ".")
    return out


def leafy(paths, known):
    """Drop paths under a leaf field (free-form maps such as network_labels_by_nic)."""
    leaves = set(known) - {k.rsplit(".", 1)[0] for k in known if "." in k}
    return {
        p
        for p in paths
        if not any(".".join(p.split(".")[:i]) in leaves for i in range(1, p.count(".") + 1))
    }


def url_for(collection, version):
    family, name = collection.split("/", 1)
    if ENDPOINTS[collection].unversioned_v1 and version == 1:
        return "/%s/%s" % (family, name)
    return "/%s/v%d/%s" % (family, version, name)


def versions(profile, collection):
    spec = ENDPOINTS[collection].versions.get(profile)
    if spec is None:  # not in that release's spec at all
        return []
    return [v for v in range(1, 20) if hz_fields.in_ranges(v, hz_fields.parse_ranges(spec))]


# --------------------------------------------------------------------------- login
def test_login_with_string_password(client):
    c = client()
    r = c.login()
    assert r.status_code == 200
    assert set(r.json()) == {"access_token", "refresh_token"}
    assert r.json()["access_token"] != r.json()["refresh_token"]
    assert c.get("/inventory/v1/machines").status_code == 200


def test_login_with_array_password(client):
    c = client()
    assert c.login(password=list(CREDS["password"])).status_code == 200
    # The spec types password as an array of strings (a Java char[]): one string holding
    # the whole password is not a char array.
    assert_error_body(c.login(password=[CREDS["password"]]), 400)


def test_login_array_password_lenient(client):
    c = client(strict_password_array=False)
    assert c.login(password=[CREDS["password"]]).status_code == 200


@pytest.mark.parametrize(
    "overrides",
    [{"password": "wrong"}, {"username": "someone"}, {"domain": "OTHER"}, {"password": ["w", "r"]}],
)
def test_bad_credentials_401(client, overrides):
    c = client()
    body = assert_error_body(c.login(**overrides), 401)
    assert body["status"] == "UNAUTHORIZED"
    assert "access_token" not in body


def test_login_is_case_insensitive_for_user_and_domain(client):
    c = client()
    assert (
        c.login(username=CREDS["username"].upper(), domain=CREDS["domain"].lower()).status_code
        == 200
    )


def test_login_malformed_400(client):
    c = client()
    assert_error_body(c.post("/login", {"username": "x"}), 400)
    r = c.s.post(c.hz.url + "/login", data=b"not json", timeout=10)
    assert r.status_code == 400


def test_explicit_credentials(client):
    c = client(credentials={"username": "u", "password": "p", "domain": "D"})
    assert c.login().status_code == 401
    assert c.login(username="u", password="p", domain="D").status_code == 200


def test_bearer_required(client):
    c = client()
    assert_error_body(c.get("/inventory/v1/machines"), 401)
    assert_error_body(c.get("/inventory/v1/machines", token="not-a-token"), 401)
    r = c.s.get(
        c.hz.url + "/inventory/v1/machines", headers={"Authorization": "Basic eDp5"}, timeout=10
    )
    assert r.status_code == 401
    # unknown paths also answer 401 before 404, as an authenticating filter would
    assert c.get("/inventory/v1/nothing").status_code == 401


# ------------------------------------------------------------------------ versions
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("collection", sorted(ENDPOINTS))
def test_every_version_of_the_profile_answers_and_the_next_is_404(client, profile, collection):
    c = client(profile=profile)
    c.login()
    vs = versions(profile, collection)
    if not vs:
        assert_error_body(c.get(url_for(collection, 1)), 404)
        return
    for v in vs:
        r = c.get(url_for(collection, v))
        assert r.status_code == 200, (collection, v, r.text)
        body = r.json()
        if ENDPOINTS[collection].single:
            assert isinstance(body, dict) and body
        else:
            assert isinstance(body, list) and body
        known = field_paths(collection, v)
        assert leafy(paths_of(body), known) <= known
    assert_error_body(c.get(url_for(collection, max(vs) + 1)), 404)


def test_version_table_matches_readme(client):
    assert versions("2111", "inventory/desktop-pools")[-1] == 5
    assert versions("2111", "inventory/machines")[-1] == 2
    assert versions("2111", "inventory/sessions")[-1] == 1
    assert versions("2512", "inventory/desktop-pools")[-1] == 12
    assert versions("2512", "inventory/machines")[-1] == 10
    assert versions("2512", "inventory/sessions")[-1] == 7


def test_versions_404_on_2111_but_200_on_2512(client):
    old, new = client(profile="2111"), client(profile="2512")
    old.login()
    new.login()
    for path in (
        "/inventory/v5/machines",
        "/inventory/v2/sessions",
        "/inventory/v6/desktop-pools",
        "/config/v3/virtual-centers",
        "/monitor/v3/connection-servers",
        "/external/v4/ad-users-or-groups",
    ):
        body = assert_error_body(old.get(path), 404)
        assert body["status"] == "NOT_FOUND"
        assert new.get(path).status_code == 200, path


def test_monitor_v1_has_no_version_segment(client):
    c = client()
    c.login()
    assert c.get("/monitor/gateways").status_code == 200
    assert c.get("/monitor/v1/gateways").status_code == 404
    assert c.get("/inventory/machines").status_code == 404
    for v in (2, 3):  # the 2512 spec has ad-users-or-groups v1 and v4 only
        assert c.get("/external/v%d/ad-users-or-groups" % v).status_code == 404


def test_component_lists_versioned_as_the_specs_say(client):
    old, new = client(profile="2111"), client(profile="2512")
    old.login()
    new.login()
    # v1 without a version segment: ad-domains, saml-authenticators, farms; with: true-sso, pods
    for path in ("/monitor/ad-domains", "/monitor/saml-authenticators", "/monitor/farms"):
        assert old.get(path).status_code == new.get(path).status_code == 200, path
    for path in ("/monitor/v1/true-sso", "/monitor/v1/pods"):
        assert old.get(path).status_code == new.get(path).status_code == 200, path
        assert new.get(path.replace("/v1", "")).status_code == 404, path
    # newer versions on 2512 only
    for path in (
        "/monitor/v4/ad-domains",
        "/monitor/v3/saml-authenticators",
        "/monitor/v2/true-sso",
        "/monitor/v2/farms",
        "/config/v1/licenses",
        "/monitor/v1/licenses/usage-metrics",
    ):
        assert_error_body(old.get(path), 404)
        assert new.get(path).status_code == 200, path
    usage = new.get("/monitor/v1/licenses/usage-metrics").json()
    assert set(usage) == {"current_usage", "highest_usage"}


def test_pods_without_cpa_answer_409(client, tmp_path):
    (tmp_path / "credentials.json").write_text(json.dumps(CREDS), encoding="utf-8")
    c = client(data_dir=tmp_path)
    c.login()
    for v in (1, 2):  # "409 Conflict | CPA not initialized for the pod" (both specs)
        body = assert_error_body(c.get("/monitor/v%d/pods" % v), 409)
        assert body["status"] == "CONFLICT"
    assert c.get("/monitor/v2/true-sso").json() == []  # other component lists: just empty
    metrics = c.get("/monitor/v1/licenses/usage-metrics").json()
    assert metrics["current_usage"]["total_concurrent_connections"] == 0


def test_licence_key_is_served_as_the_spec_has_it(client):
    c = client()
    c.login()
    (licence,) = c.get("/config/v4/licenses").json()
    assert licence["license_key"].count("*") > 10  # "in partially redacted form" (2512 spec)


def test_wrong_method_405(client):
    c = client()
    c.login()
    r = c.s.delete(
        c.hz.url + "/inventory/v1/machines",
        headers={"Authorization": "Bearer " + c.tokens["access_token"]},
        timeout=10,
    )
    assert_error_body(r, 405)
    assert c.s.get(c.hz.url + "/login", timeout=10).status_code == 405


# ---------------------------------------------------------------------- projection
def test_no_vm_moid_before_machines_v5(client):
    c = client()
    c.login()
    v2 = c.get("/inventory/v2/machines").json()
    v5 = c.get("/inventory/v5/machines").json()
    assert all("vm_moid" not in m["managed_machine_data"] for m in v2)
    assert all("virtual_center_id" in m["managed_machine_data"] for m in v2)
    assert {m["managed_machine_data"]["vm_moid"] for m in v5} >= {"vm-42"}
    assert (
        "desktop_pool_name" not in v5[0]
        and "desktop_pool_name" in c.get("/inventory/v6/machines").json()[0]
    )


def test_projection_on_2111(client):
    c = client(profile="2111")
    c.login()
    m = c.get("/inventory/v2/machines").json()[0]
    assert set(paths_of(m)) <= field_paths("inventory/machines", 2)
    assert "vm_moid" not in m["managed_machine_data"]
    pools = c.get("/inventory/v1/desktop-pools").json()
    assert set(pools[0]) <= {
        "id",
        "name",
        "display_name",
        "description",
        "enabled",
        "source",
        "type",
        "settings",
    }


def test_unknown_enum_served_verbatim(client):
    c = client()
    c.login()
    states = {m["name"]: m["state"] for m in c.get("/inventory/v1/machines").json()}
    assert states["ic-w11-007"] == "FUTURE_STATE_X"


def test_legacy_fields_only_in_old_versions(client):
    c = client()
    c.login()
    v1 = c.get("/monitor/virtual-centers").json()[0]
    v4 = c.get("/monitor/v4/virtual-centers").json()[0]
    assert "hosts" in v1 and "hosts" not in v4 and "hosts_v3" in v4
    assert v4["details"]["instance_uuid"] == "11111111-2222-3333-4444-555555555555"
    assert "instance_uuid" not in v1["details"]


def test_runtime_data_changes(client):
    c = client()
    c.login()
    c.hz.data["machines"] = c.hz.data["machines"][:1]
    assert len(c.get("/inventory/v1/machines").json()) == 1


def test_time_placeholders(client):
    c = client(now=1_700_000_000_000)
    c.login()
    certs = {s["name"]: s["certificate"] for s in c.get("/monitor/v4/connection-servers").json()}
    assert certs["cs02.example.test"]["valid_to"] == 1_700_000_000_000 + 12 * 86_400_000
    assert certs["cs01.example.test"]["valid_to"] == 1_700_000_000_000 + 300 * 86_400_000


# -------------------------------------------------------------------------- paging
def test_paging_across_pages(client):
    c = client()
    c.login()
    seen, page = [], 1
    while True:
        r = c.get("/inventory/v2/machines", page=page, size=4)
        assert r.status_code == 200
        assert r.headers["X-TOTAL-COUNT"] == "15"
        seen += [m["id"] for m in r.json()]
        if r.headers.get("HAS_MORE_RECORDS") != "TRUE":
            break
        assert len(r.json()) == 4
        page += 1
    assert page == 4 and len(seen) == 15 == len(set(seen))
    assert seen == [m["id"] for m in c.get("/inventory/v2/machines").json()]
    assert_error_body(c.get("/inventory/v2/machines", page=5, size=4), 400)


@pytest.mark.parametrize(
    "params",
    [
        {"page": 1, "size": 1001},
        {"page": 1, "size": 0},
        {"page": 0, "size": 10},
        {"page": 1},
        {"size": 10},
        {"page": "x", "size": 10},
    ],
)
def test_bad_paging_400(client, params):
    c = client()
    c.login()
    assert_error_body(c.get("/inventory/v1/sessions", **params), 400)


def test_size_1000_is_allowed(client):
    c = client()
    c.login()
    r = c.get("/inventory/v1/machines", page=1, size=1000)
    assert r.status_code == 200 and len(r.json()) == 15 and "HAS_MORE_RECORDS" not in r.headers


def test_default_page_size_caps_unpaged_lists(client):
    c = client(default_page_size=10, total_count_header=False)
    c.login()
    r = c.get("/inventory/v3/machines")
    assert len(r.json()) == 10 and r.headers["HAS_MORE_RECORDS"] == "TRUE"
    assert "X-TOTAL-COUNT" not in r.headers
    r = c.get("/inventory/v3/machines", page=2, size=10)
    assert len(r.json()) == 5 and "HAS_MORE_RECORDS" not in r.headers


def test_pools_and_monitor_lists_return_everything(client):
    c = client(default_page_size=1)
    c.login()
    r = c.get("/inventory/v12/desktop-pools")
    assert len(r.json()) == 3 and "HAS_MORE_RECORDS" not in r.headers
    assert len(c.get("/monitor/v4/connection-servers").json()) == 2
    # pools v2+ do take page/size (per the spec) when given
    r = c.get("/inventory/v12/desktop-pools", page=1, size=2)
    assert len(r.json()) == 2 and r.headers["HAS_MORE_RECORDS"] == "TRUE"
    # v1 lists take no paging parameters at all
    assert len(c.get("/inventory/v1/desktop-pools", page=1, size=1).json()) == 3


def test_empty_collection_first_page(client, tmp_path):
    (tmp_path / "credentials.json").write_text(json.dumps(CREDS), encoding="utf-8")
    c = client(data_dir=tmp_path)
    c.login()
    r = c.get("/inventory/v1/machines", page=1, size=10)
    assert r.status_code == 200 and r.json() == [] and r.headers["X-TOTAL-COUNT"] == "0"
    assert c.get("/monitor/event-database").json() == {"status": "NOT_CONFIGURED"}


# -------------------------------------------------------------- filter, sort, misc
def test_filter(client):
    c = client()
    c.login()
    f = {
        "type": "And",
        "filters": [
            {"type": "Equals", "name": "state", "value": "CONNECTED"},
            {"type": "StartsWith", "name": "name", "value": "ic-"},
        ],
    }
    r = c.get("/inventory/v2/machines", filter=json.dumps(f))
    assert sorted(m["name"] for m in r.json()) == ["ic-w11-002", "ic-w11-003"]
    f = {"type": "Equals", "name": "managedMachineData.vmMoid", "value": "vm-42"}
    assert [m["name"] for m in c.get("/inventory/v5/machines", filter=json.dumps(f)).json()] == [
        "ic-w11-001"
    ]
    # vm_moid is not a field of v2, so it cannot be filtered on there
    assert_error_body(c.get("/inventory/v2/machines", filter=json.dumps(f)), 400)
    assert_error_body(c.get("/inventory/v2/machines", filter="{nope"), 400)


def test_sort_2512_only(client):
    c = client()
    c.login()
    names = [
        m["name"] for m in c.get("/inventory/v2/machines", sort_by="name", order_by="DESC").json()
    ]
    assert names == sorted(names, reverse=True)
    old = client(profile="2111")
    old.login()
    names = [
        m["name"] for m in old.get("/inventory/v2/machines", sort_by="name", order_by="DESC").json()
    ]
    assert names != sorted(names, reverse=True)  # 2111 has no sort_by: ignored


def test_filter_only_on_fields_and_operators_the_spec_lists(client):
    c = client()
    c.login()
    refused = (
        ("/inventory/v10/machines", {"type": "StartsWith", "name": "id", "value": "m"}),
        ("/inventory/v10/machines", {"type": "EndsWith", "name": "name", "value": "1"}),
        ("/inventory/v10/machines", {"type": "Equals", "name": "operating_system", "value": "x"}),
        ("/inventory/v4/machines", {"type": "Equals", "name": "agent_id", "value": "x"}),  # v5-
        ("/inventory/v7/sessions", {"type": "StartsWith", "name": "session_state", "value": "C"}),
        ("/inventory/v10/machines", {"type": "Like", "name": "name", "value": "x"}),
    )
    for path, expr in refused:
        inner = {"type": "Not", "filter": {"type": "And", "filters": [expr]}}
        for f in (expr, inner):
            assert_error_body(c.get(path, filter=json.dumps(f), page=1, size=10), 400)
    accepted = (
        ("/inventory/v10/machines", {"type": "EndsWith", "name": "dns_name", "value": "test"}),
        ("/inventory/v5/machines", {"type": "Equals", "name": "agent_id", "value": "x"}),
        ("/inventory/v7/sessions", {"type": "NotEquals", "name": "session_state", "value": "C"}),
        (
            "/inventory/v7/sessions",
            {"type": "Between", "name": "start_time", "from_value": 0, "to_value": 1},
        ),
    )
    for path, expr in accepted:
        assert c.get(path, filter=json.dumps(expr), page=1, size=10).status_code == 200, expr


def test_sort_only_by_fields_the_spec_marks_sortable(client):
    c = client()
    c.login()
    for path, field in (
        ("/inventory/v10/machines", "id"),  # id "Supported Filters: 'Equals'", not sortable
        ("/inventory/v1/machines", "managed_machine_data.last_maintenance_time"),  # v2 and later
        ("/inventory/v7/sessions", "id"),
        ("/inventory/v3/sessions", "user_name"),  # v4 and later
        ("/inventory/v6/rds-servers", "farm_id"),
    ):
        body = assert_error_body(c.get(path, sort_by=field, page=1, size=10), 400)
        assert body["errors"][0]["error_key"] == "rest.sort.invalid", (path, field)
    for path, field in (
        ("/inventory/v10/machines", "name"),
        ("/inventory/v2/machines", "managed_machine_data.last_maintenance_time"),
        ("/inventory/v1/sessions", "start_time"),
        ("/inventory/v1/rds-servers", "name"),
    ):
        assert c.get(path, sort_by=field, page=1, size=10).status_code == 200, (path, field)
    assert_error_body(c.get("/inventory/v10/machines", sort_by="name", order_by="UP"), 400)


def test_group_only(client):
    c = client()
    c.login()
    groups = c.get("/external/v1/ad-users-or-groups", group_only="true").json()
    users = c.get("/external/v4/ad-users-or-groups", group_only="false").json()
    assert groups and all(g["group"] for g in groups)
    assert users and not any(u["group"] for u in users)


# -------------------------------------------------------------------------- tokens
def test_token_expires_after_n_requests_then_refresh(client):
    c = client(token_ttl_requests=2)
    c.login()
    assert c.get("/inventory/v1/machines").status_code == 200
    assert c.get("/inventory/v1/sessions").status_code == 200
    body = assert_error_body(c.get("/inventory/v1/machines"), 401)
    assert body["status"] == "UNAUTHORIZED"
    r = c.post("/refresh", {"refresh_token": c.tokens["refresh_token"]})
    assert r.status_code == 200 and set(r.json()) == {"access_token"}
    assert c.get("/inventory/v1/machines", token=r.json()["access_token"]).status_code == 200


def test_token_expires_after_seconds(client):
    c = client(token_ttl_seconds=0.3)
    c.login()
    assert c.get("/monitor/gateways").status_code == 200
    time.sleep(0.4)
    assert c.get("/monitor/gateways").status_code == 401


def test_expire_access_tokens_and_invalidate_refresh_tokens(client):
    c = client()
    c.login()
    c.hz.expire_access_tokens()
    assert c.get("/monitor/gateways").status_code == 401
    new = c.post("/refresh", {"refresh_token": c.tokens["refresh_token"]}).json()
    assert c.get("/monitor/gateways", token=new["access_token"]).status_code == 200
    c.hz.invalidate_refresh_tokens()
    assert_error_body(c.post("/refresh", {"refresh_token": c.tokens["refresh_token"]}), 400)
    assert c.login().status_code == 200
    assert c.get("/monitor/gateways").status_code == 200


def test_refresh_token_lifetime(client):
    c = client(refresh_ttl_seconds=0.2)
    c.login()
    time.sleep(0.3)
    assert c.post("/refresh", {"refresh_token": c.tokens["refresh_token"]}).status_code == 400


def test_logout_revokes(client):
    c = client()
    c.login()
    access, refresh = c.tokens["access_token"], c.tokens["refresh_token"]
    r = c.post("/logout", {"refresh_token": refresh})
    assert r.status_code == 200
    assert c.get("/monitor/gateways", token=access).status_code == 401
    assert c.post("/refresh", {"refresh_token": refresh}).status_code == 400
    assert c.post("/logout", {"refresh_token": refresh}).status_code == 400
    assert len(c.hz.calls("/logout$", "POST")) == 2


def test_issued_tokens_include_revoked_and_refreshed(client):
    c = client()
    c.login()
    first = dict(c.tokens)
    refreshed = c.post("/refresh", {"refresh_token": first["refresh_token"]}).json()
    c.post("/logout", {"refresh_token": first["refresh_token"]})
    assert c.hz.issued_tokens() == {*first.values(), refreshed["access_token"]}


# ------------------------------------------------------------------ throttle/faults
def test_throttle_third_call_then_success(client):
    c = client()
    c.login()
    c.hz.throttle(r"/inventory/v\d+/machines$", on_call=3, retry_after=2)
    assert c.get("/inventory/v1/machines").status_code == 200
    assert c.get("/inventory/v1/sessions").status_code == 200  # does not count
    assert c.get("/inventory/v2/machines").status_code == 200
    r = c.get("/inventory/v2/machines")
    body = assert_error_body(r, 429)
    assert r.headers["X-Rate-Limit-Retry-After-Seconds"] == "2"
    assert body["status"] == "TOO_MANY_REQUESTS"
    assert c.get("/inventory/v2/machines").status_code == 200


def test_throttle_per_second_budget(client):
    c = client()
    c.login()
    c.hz.throttle("/monitor/", per_second=2, retry_after=1)
    codes = [c.get("/monitor/gateways").status_code for _ in range(4)]
    assert codes[:2] == [200, 200] and 429 in codes[2:]
    time.sleep(1.05)
    assert c.get("/monitor/gateways").status_code == 200


def test_fault_html(client):
    c = client()
    c.login()
    c.hz.fault("/inventory/v1/machines", "html", times=1)
    r = c.get("/inventory/v1/machines")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        r.json()
    assert (
        c.get("/inventory/v1/machines").status_code == 200
        and c.get("/inventory/v1/machines").json()
    )


def test_fault_junk_and_status(client):
    c = client()
    c.login()
    c.hz.fault("machines", "junk", times=1)
    c.hz.fault("sessions", "status:503", times=2)
    r = c.get("/inventory/v1/machines")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        r.json()
    assert [c.get("/inventory/v1/sessions").status_code for _ in range(3)] == [503, 503, 200]


def test_fault_close(client):
    c = client()
    c.hz.fault("/login", "close", times=1)
    with pytest.raises(requests.ConnectionError):
        c.login()
    assert c.login().status_code == 200
    assert c.hz.calls("/login")[0].status is None


def test_fault_rejects_unknown_kind(make_server):
    hz = make_server()
    with pytest.raises(ValueError):
        hz.fault("x", "explode")


def test_request_log(client):
    c = client()
    c.login()
    c.get("/inventory/v2/machines", page=1, size=5)
    login, machines = c.hz.requests[:2]
    assert login.json["password"] == "<redacted>" and login.json["username"] == CREDS["username"]
    assert machines.method == "GET" and machines.path == "/rest/inventory/v2/machines"
    assert machines.query == {"page": ["1"], "size": ["5"]}
    assert machines.headers["Authorization"] == "<redacted>"
    assert machines.status == 200
    assert len(c.hz.calls("machines")) == 1
    c.hz.clear_requests()
    assert c.hz.requests == []


# ----------------------------------------------------------------------------- TLS
def test_tls_verifies_with_ca_and_fails_without(make_server):
    hz = make_server()
    with requests.Session() as s:
        s.trust_env = False
        with pytest.raises(requests.exceptions.SSLError):
            s.post(hz.url + "/login", json=CREDS, timeout=10)  # system CAs only
        assert (
            s.post(hz.url + "/login", json=CREDS, verify=hz.ca_file, timeout=10).status_code == 200
        )
        # the server survives a client that gave up mid-handshake
        assert (
            s.post(hz.url + "/login", json=CREDS, verify=hz.ca_file, timeout=10).status_code == 200
        )


def test_tls_wrong_hostname(make_server):
    hz = make_server(wrong_hostname=True)
    with requests.Session() as s:
        s.trust_env = False
        with pytest.raises(requests.exceptions.SSLError, match=r"(?i)hostname|match"):
            s.post(hz.url + "/login", json=CREDS, verify=hz.ca_file, timeout=10)


def test_start_stop_leaves_nothing_behind():
    before = set(threading.enumerate())
    with HorizonTestServer(EXAMPLE_DATA) as hz:
        c = Client(hz)
        c.login()
        c.get("/monitor/gateways")  # keep-alive connection stays open
        port, ca = hz.port, hz.ca_file
        assert os.path.exists(ca)
    c.close()
    assert set(threading.enumerate()) <= before
    assert not os.path.exists(ca)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_bad_profile():
    with pytest.raises(ValueError):
        HorizonTestServer(EXAMPLE_DATA, profile="2306")


# ------------------------------------------------------------------------ the data
def test_example_data_uses_only_known_fields():
    for ep in ENDPOINTS.values():
        if not (EXAMPLE_DATA / ep.data_file).exists():  # optional: the server has a default
            assert ep.single or ep.optional, ep.data_file
            continue
        data = json.loads((EXAMPLE_DATA / ep.data_file).read_text(encoding="utf-8"))
        known = set()
        for profile in PROFILES:
            for v in versions(profile, ep.collection):
                known |= field_paths(ep.collection, v)
        unknown = leafy(paths_of(data), known) - known
        assert not unknown, (ep.data_file, sorted(unknown))


def test_example_data_is_a_consistent_pod():
    load = lambda n: json.loads((EXAMPLE_DATA / n).read_text(encoding="utf-8"))  # noqa: E731
    pools = {p["id"]: p for p in load("desktop_pools.json")}
    machines = load("machines.json")
    vcs = {v["id"]: v for v in load("virtual_centers.json")}
    assert len(pools) == 3 and 12 <= len(machines) <= 20
    assert {(p["type"], p["source"]) for p in pools.values()} == {
        ("AUTOMATED", "INSTANT_CLONE"),
        ("AUTOMATED", "VIRTUAL_CENTER"),
        ("MANUAL", "VIRTUAL_CENTER"),
    }
    for m in machines:
        assert m["desktop_pool_id"] in pools
        assert m["managed_machine_data"]["virtual_center_id"] in vcs
        assert re.fullmatch(r"vm-\d+", m["managed_machine_data"]["vm_moid"])
        assert m["dns_name"].endswith(".example.test")
    states = {m["state"] for m in machines}
    assert {
        "AVAILABLE",
        "CONNECTED",
        "DISCONNECTED",
        "AGENT_UNREACHABLE",
        "MAINTENANCE",
        "PROVISIONING_ERROR",
        "FUTURE_STATE_X",
    } <= states
    for s in load("sessions.json"):
        assert s.get("machine_id") in {m["id"] for m in machines} or s.get("farm_id")
    assert next(iter(vcs.values()))["instance_uuid"] == "11111111-2222-3333-4444-555555555555"


# ------------------------------------------------------- cross-check against specs
def _spec_dir():
    for d in (
        os.environ.get("HORIZON_API_SPEC_DIR"),
        "/work/shared/horizon-api",
        REPO.parent / "shared" / "horizon-api",
    ):
        if d and (Path(d) / "horizon-server-rest-api-2512.json").exists():
            return Path(d)
    return None


SPEC_DIR = _spec_dir()
needs_specs = pytest.mark.skipif(SPEC_DIR is None, reason="Horizon OpenAPI specs not present")
_ROUTE = re.compile(r"^/(inventory|config|monitor|external)(?:/v(\d+))?/([a-z-]+(?:/[a-z-]+)?)$")


def _spec_paths(schema, defs, prefix="", seen=()):
    """Dotted response field paths of an OpenAPI/Swagger schema (writeOnly ones excluded)."""

    def deref(s):
        while "$ref" in s:
            s = defs[s["$ref"].split("/")[-1]]
        return s

    s = deref(schema)
    out = set()
    for sub in s.get("allOf", []):
        out |= _spec_paths(sub, defs, prefix, seen)
    if s.get("type") == "array":
        return out | _spec_paths(s.get("items", {}), defs, prefix, seen)
    for name, prop in s.get("properties", {}).items():
        if prop.get("writeOnly"):
            continue
        out.add(prefix + name)
        ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
        if ref in seen:
            continue
        inner = deref(prop)
        if inner.get("type") == "array":
            inner = deref(inner.get("items", {}))
        if inner.get("properties") or inner.get("allOf"):
            out |= _spec_paths(inner, defs, prefix + name + ".", (*seen, ref))
    return out


def _load_spec(release):
    spec = json.loads(
        (SPEC_DIR / ("horizon-server-rest-api-%s.json" % release)).read_text(encoding="utf-8")
    )
    defs = spec.get("definitions") or spec["components"]["schemas"]
    found = {}
    for path, ops in spec["paths"].items():
        m = _ROUTE.match(path)
        if not m or "%s/%s" % (m.group(1), m.group(3)) not in ENDPOINTS or "get" not in ops:
            continue
        op = ops["get"]
        resp = op["responses"]["200"]
        schema = resp.get("schema") or next(iter(resp["content"].values()))["schema"]
        params = {p.get("name") for p in op.get("parameters", [])}
        found[("%s/%s" % (m.group(1), m.group(3)), int(m.group(2) or 1))] = (
            _spec_paths(schema, defs),
            params,
            schema.get("type") == "array",
        )
    return found


@needs_specs
@pytest.mark.parametrize("release", PROFILES)
def test_tables_match_specs(release):
    spec = _load_spec(release)
    # versions per profile
    for collection in ENDPOINTS:
        assert versions(release, collection) == sorted(v for (c, v) in spec if c == collection), (
            collection
        )
    problems = []
    for (collection, v), (paths, params, is_array) in sorted(spec.items()):
        ep = ENDPOINTS[collection]
        mine = field_paths(collection, v)
        if mine != paths:
            problems.append(
                "%s v%d: table has extra %s, lacks %s"
                % (collection, v, sorted(mine - paths)[:8], sorted(paths - mine)[:8])
            )
        if ep.is_paged(v) != ({"page", "size"} <= params):
            problems.append("%s v%d: paging flag" % (collection, v))
        if ep.is_paged(v) != ("filter" in params):
            problems.append("%s v%d: filter flag" % (collection, v))
        if ep.is_sortable(release, v) != ("sort_by" in params):
            problems.append("%s v%d: sort flag" % (collection, v))
        if ep.single == is_array:
            problems.append("%s v%d: array/object" % (collection, v))
        if ("group_only" in params) != ep.group_only:
            problems.append("%s v%d: group_only" % (collection, v))
        if ep.unversioned_v1 and v == 1:
            assert "/%s" % collection in _raw_paths(release)
    assert not problems, "\n".join(problems)


def _raw_paths(release):
    return json.loads(
        (SPEC_DIR / ("horizon-server-rest-api-%s.json" % release)).read_text(encoding="utf-8")
    )["paths"]


@needs_specs
def test_login_schema_matches_spec():
    for release in PROFILES:
        spec = json.loads(
            (SPEC_DIR / ("horizon-server-rest-api-%s.json" % release)).read_text(encoding="utf-8")
        )
        defs = spec.get("definitions") or spec["components"]["schemas"]
        login = defs["AuthLogin"]
        assert set(login["required"]) == {"username", "password", "domain"}
        assert login["properties"]["password"]["type"] == "array"
        assert set(defs["AuthTokens"]["properties"]) == {"access_token", "refresh_token"}
        assert set(defs["AccessToken"]["properties"]) == {"access_token"}
        assert set(defs["RefreshToken"]["properties"]) == {"refresh_token"}


def _sortable_in_spec(schema, defs, prefix="", seen=()):
    while "$ref" in schema:
        schema = defs[schema["$ref"].split("/")[-1]]
    if schema.get("type") == "array":
        return _sortable_in_spec(schema.get("items", {}), defs, prefix, seen)
    out = set()
    for sub in schema.get("allOf", []):
        out |= _sortable_in_spec(sub, defs, prefix, seen)
    for name, prop in schema.get("properties", {}).items():
        if prop.get("writeOnly"):
            continue
        if "used for sorting" in (prop.get("description") or ""):
            out.add(prefix + name)
        ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
        if ref and ref not in seen:
            out |= _sortable_in_spec(prop, defs, prefix + name + ".", (*seen, ref))
    return out


@needs_specs
def test_sortable_table_matches_spec():
    spec = json.loads((SPEC_DIR / "horizon-server-rest-api-2512.json").read_text(encoding="utf-8"))
    defs = spec["components"]["schemas"]
    checked = 0
    for collection in SORTABLE:
        for version in range(1, 20):
            op = (
                spec["paths"].get("/%s" % collection.replace("/", "/v%d/" % version), {}).get("get")
            )
            if op is None:  # no such version (tables are open-ended)
                continue
            params = {p.get("name") for p in op.get("parameters", [])}
            if "sort_by" not in params:
                assert not sortable_fields(collection, version), (collection, version)
                continue
            schema = next(iter(op["responses"]["200"]["content"].values()))["schema"]
            assert sortable_fields(collection, version) == _sortable_in_spec(schema, defs), (
                collection,
                version,
            )
            checked += 1
    assert checked == 11 + 10 + 7 + 8 + 6 + 2  # audit-events v1-v2


def _filterable_in_spec(schema, defs, prefix="", seen=()):
    while "$ref" in schema:
        schema = defs[schema["$ref"].split("/")[-1]]
    if schema.get("type") == "array":
        return _filterable_in_spec(schema.get("items", {}), defs, prefix, seen)
    out = {}
    for sub in schema.get("allOf", []):
        out.update(_filterable_in_spec(sub, defs, prefix, seen))
    for name, prop in schema.get("properties", {}).items():
        if prop.get("writeOnly"):
            continue
        said = re.search(
            r"Supported Filters?\s*:\s*(.*?)(?:\n|This property|$)",
            prop.get("description") or "",
            re.S,
        )
        operators = frozenset(
            op
            for op in ("Equals", "NotEquals", "Contains", "StartsWith", "EndsWith", "Between")
            if said and re.search(r"\b%s\b" % op, said.group(1))
        )
        if operators:
            out[prefix + name] = operators
        ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
        if ref and ref not in seen:
            out.update(_filterable_in_spec(prop, defs, prefix + name + ".", (*seen, ref)))
    return out


@needs_specs
def test_filter_table_matches_spec():
    spec = json.loads((SPEC_DIR / "horizon-server-rest-api-2512.json").read_text(encoding="utf-8"))
    defs = spec["components"]["schemas"]
    checked = 0
    for collection in FILTERABLE:
        for version in range(1, 20):
            op = (
                spec["paths"].get("/%s" % collection.replace("/", "/v%d/" % version), {}).get("get")
            )
            if op is None:
                continue
            if "filter" not in {p.get("name") for p in op.get("parameters", [])}:
                assert not filterable_fields(collection, version), (collection, version)
                continue
            schema = next(iter(op["responses"]["200"]["content"].values()))["schema"]
            assert filterable_fields(collection, version) == _filterable_in_spec(schema, defs), (
                collection,
                version,
            )
            checked += 1
    assert checked == 11 + 10 + 7 + 8 + 6 + 1 + 2  # audit-events v1-v2
