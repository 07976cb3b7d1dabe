"""The Horizon collector against the spec-faithful Connection Server on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.horizon.collecting import client_for, collect, run_cli
from support.horizon_server import EXAMPLE_DATA, HorizonTestServer

from fleetreport.cli import main
from fleetreport.collect.horizon.collector import collect_horizon
from fleetreport.errors import CredentialError, ExitCode, SourceError
from fleetreport.snapshot import load_snapshot


@pytest.fixture
def server_2512() -> Iterator[HorizonTestServer]:
    with HorizonTestServer(EXAMPLE_DATA, profile="2512") as server:
        yield server


def test_newest_versions_and_every_collection(server_2512: HorizonTestServer) -> None:
    pod = collect(server_2512)
    assert pod.pod.api_versions["machines"] == "v10"
    assert pod.pod.api_versions["desktop_pools"] == "v12"
    assert pod.pod.api_versions["sessions"] == "v7"
    assert {p.kind for p in pod.pools} == {"desktop_pool", "farm"}
    assert len([p for p in pod.pools if p.kind == "desktop_pool"]) == 3
    assert len([m for m in pod.machines if m.kind == "machine"]) == 15
    assert len([m for m in pod.machines if m.kind == "rds_server"]) == 2
    assert len(pod.sessions) == 8
    assert len(pod.connection_servers) == 2
    assert [vc.instance_uuid for vc in pod.vcenters] == ["11111111-2222-3333-4444-555555555555"]
    assert pod.event_databases and pod.gateways
    pool = next(p for p in pod.pools if p.source == "INSTANT_CLONE" and p.kind == "desktop_pool")
    assert pool.power_policy == "ALWAYS_POWERED_ON"
    assert pool.vcenter == "11111111-2222-3333-4444-555555555555"
    assert pool.base_snapshot_id and pool.parent_vm_id
    assert pool.last_provisioning_error and pool.last_provisioning_error_time
    machine = next(m for m in pod.machines if m.name == "ic-w11-001")
    assert machine.vm_moid == "vm-42" and machine.agent_version == "8.17.0"
    assert machine.power_state == "POWERED_ON"
    assert server_2512.calls("/logout", "POST"), "the session must be logged out"


def test_unknown_machine_state_is_kept_verbatim(server_2512: HorizonTestServer) -> None:
    states = {m.state for m in collect(server_2512).machines}
    assert "FUTURE_STATE_X" in states and "AGENT_UNREACHABLE" in states


def test_old_server_uses_its_versions_and_has_no_moid() -> None:
    with HorizonTestServer(EXAMPLE_DATA, profile="2111") as server:
        pod = collect(server)
    assert pod.pod.api_versions["machines"] == "v2"
    assert pod.pod.api_versions["desktop_pools"] == "v5"
    assert pod.pod.api_versions["sessions"] == "v1"
    machines = [m for m in pod.machines if m.kind == "machine"]
    assert len(machines) == 15
    assert all(m.vm_moid is None for m in machines)
    assert all(m.vm_path for m in machines)
    # sessions v1 have no user_name (it came in v4): each session names its user by SID
    assert len(pod.sessions) == 8
    assert all(s.user_name and s.user_name.startswith("S-1-5-21-") for s in pod.sessions)


def test_many_pages(server_2512: HorizonTestServer) -> None:
    pod = collect(server_2512, page_size=4)
    assert len([m for m in pod.machines if m.kind == "machine"]) == 15
    pages = [r for r in server_2512.calls("/inventory/v10/machines", "GET")]
    assert len(pages) == 4
    assert len({m.id for m in pod.machines}) == len(pod.machines)


def test_token_expiring_mid_listing_is_refreshed() -> None:
    with HorizonTestServer(EXAMPLE_DATA, profile="2512", token_ttl_requests=3) as server:
        pod = collect(server, page_size=4)
        assert len([m for m in pod.machines if m.kind == "machine"]) == 15
        assert server.calls("/refresh", "POST")
        assert len(server.calls("/login", "POST")) == 1


def test_refused_refresh_logs_in_again(server_2512: HorizonTestServer) -> None:
    with client_for(server_2512, page_size=4) as client:
        server_2512.expire_access_tokens()
        server_2512.invalidate_refresh_tokens()
        pod = collect_horizon(client)
    assert len(pod.sessions) == 8
    assert len(server_2512.calls("/login", "POST")) == 2


def test_throttled_call_waits_as_told(server_2512: HorizonTestServer) -> None:
    waits: list[float] = []
    server_2512.throttle(r"/inventory/v10/machines", on_call=2, retry_after=3)
    pod = collect(server_2512, page_size=4, sleep=waits.append)
    assert waits == [3.0]
    assert len([m for m in pod.machines if m.kind == "machine"]) == 15


def test_wrong_password(server_2512: HorizonTestServer) -> None:
    with pytest.raises(CredentialError) as caught, client_for(server_2512, password="wrong"):
        pass
    assert "rejected the user name or password" in caught.value.one_line()
    assert "wrong" not in caught.value.one_line()


@pytest.mark.parametrize("kind", ["html", "junk"])
def test_html_or_junk_instead_of_json(server_2512: HorizonTestServer, kind: str) -> None:
    server_2512.fault(r"/inventory/v\d+/desktop-pools", kind=kind)
    with pytest.raises(SourceError, match="did not answer like a Horizon REST API"):
        collect(server_2512)
    assert server_2512.calls("/logout", "POST"), "logout also after an error"


def test_certificate_for_another_host() -> None:
    with (
        HorizonTestServer(EXAMPLE_DATA, wrong_hostname=True) as server,
        pytest.raises(SourceError) as caught,
    ):
        collect(server)
    assert "--ca-file" in caught.value.one_line() and "--insecure" in caught.value.one_line()


def test_cli_bad_answers_fail_cleanly(
    server_2512: HorizonTestServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server_2512.fault(r"/inventory/v\d+/machines", kind="html")
    code, out = run_cli(server_2512, tmp_path)
    err = capsys.readouterr().err
    assert code == ExitCode.ERROR
    assert err.count("\n") == 1 and "Horizon REST API" in err and "Traceback" not in err
    assert not out.exists()


def test_cli_unreachable_connection_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    os.environ["HZ_TEST_PASSWORD"] = "x"
    try:
        code = main(
            [
                "collect",
                "--horizon",
                f"127.0.0.1:{port}",
                "--horizon-user",
                "u",
                "--horizon-domain",
                "D",
                "--horizon-password-env",
                "HZ_TEST_PASSWORD",
                "--out",
                str(tmp_path / "s.json"),
            ]
        )
    finally:
        del os.environ["HZ_TEST_PASSWORD"]
    err = capsys.readouterr().err
    assert code == ExitCode.ERROR and "connection refused" in err and err.count("\n") == 1


def test_cli_horizon_only_snapshot(server_2512: HorizonTestServer, tmp_path: Path) -> None:
    code, out = run_cli(server_2512, tmp_path)
    assert code == ExitCode.OK
    snapshot = load_snapshot(out)
    (source,) = snapshot.sources
    assert source.kind == "horizon" and source.status == "ok"
    assert source.api_versions["machines"] == "v10"
    assert server_2512.credentials["password"] not in out.read_text(encoding="utf-8")
    # no vCenter collected: nothing can be joined, and the snapshot says so per machine
    assert {m.join for m in snapshot.machines} == {"none"}


@pytest.mark.simulator
def test_vcenter_ok_but_horizon_failed_is_partial(
    server_2512: HorizonTestServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from support.vcsim import start_vcsim

    server_2512.fault(r"/inventory/v\d+/machines", kind="status:503")
    with start_vcsim("basic") as vcenter:
        cas = tmp_path / "cas.pem"
        cas.write_text(
            Path(vcenter.ca_file).read_text(encoding="utf-8")
            + Path(server_2512.ca_file).read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        monkeypatch.setenv("VC_PW", vcenter.password)
        monkeypatch.setenv("HZ_PW", server_2512.credentials["password"])
        base = [
            "collect",
            "--vcenter",
            vcenter.url,
            "--user",
            vcenter.username,
            "--password-env",
            "VC_PW",
            "--horizon",
            server_2512.url,
            "--horizon-user",
            server_2512.credentials["username"],
            "--horizon-domain",
            server_2512.credentials["domain"],
            "--horizon-password-env",
            "HZ_PW",
            "--ca-file",
            str(cas),
        ]
        out = tmp_path / "s.json"
        assert main([*base, "--out", str(out)]) == ExitCode.ERROR
        err = capsys.readouterr().err
        assert server_2512.url in err and "--allow-partial" in err
        assert not out.exists()
        assert main([*base, "--allow-partial", "--out", str(out)]) == ExitCode.PARTIAL
    snapshot = load_snapshot(out)
    assert {s.kind: s.status for s in snapshot.sources} == {"vcenter": "ok", "horizon": "failed"}
    assert snapshot.vms and not snapshot.machines


# ------------------------------------------------------------- pod identity, paging drift
def test_pod_identity_is_the_cluster_guid_on_every_release() -> None:
    identities = set()
    for profile in ("2111", "2512"):
        with HorizonTestServer(EXAMPLE_DATA, profile=profile) as server:
            pod = collect(server)
            guid = server.data["environment_properties"]["cluster_guid"]
        assert pod.pod.identity == f"cluster:{guid}"
        identities.add(pod.pod.identity)
    assert len(identities) == 1


def test_pod_identity_falls_back_to_the_connection_server_ids(
    server_2512: HorizonTestServer,
) -> None:
    server_2512.data["environment_properties"] = {"cluster_name": "no guid"}
    pod = collect(server_2512)
    ids = sorted(s.id for s in pod.connection_servers)
    assert len(ids) == 2
    assert pod.pod.identity == "connection-servers:" + ",".join(ids)


def test_paged_lists_ask_for_a_stable_order(server_2512: HorizonTestServer) -> None:
    collect(server_2512, page_size=4)
    orders = {
        (r.path.split("/")[-1], r.query.get("sort_by", [""])[-1], r.query.get("order_by", [""])[-1])
        for r in server_2512.calls("/inventory/v", "GET")
        if "page" in r.query
    }
    assert orders == {
        ("machines", "name", "ASC"),
        ("sessions", "start_time", "ASC"),
        ("rds-servers", "name", "ASC"),
    }


def _new_machine(data: dict[str, object], name: str) -> None:
    machines = data["machines"]
    assert isinstance(machines, list)
    template = dict(machines[0])
    template.update(id=f"new-{name}", name=name)
    machines.append(template)


def test_machine_inserted_before_the_cursor_is_neither_lost_nor_repeated(
    server_2512: HorizonTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    before = {m["name"] for m in server_2512.data["machines"]}
    server_2512.change_after_page(
        r"/inventory/v10/machines$", 1, lambda d: _new_machine(d, "aaa-01")
    )
    pod = collect(server_2512, page_size=4)
    names = [m.name for m in pod.machines if m.kind == "machine"]
    assert sorted(names) == sorted(before | {"aaa-01"})  # each once, the newcomer included
    assert "1 record(s) came twice" in caplog.text
    assert "reading it again" in caplog.text
    passes = [
        r for r in server_2512.calls("/inventory/v10/machines$", "GET") if r.query["page"] == ["1"]
    ]
    assert len(passes) == 2


def test_a_list_that_changes_on_both_reads_keeps_every_record_seen_once(
    server_2512: HorizonTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A pod mid-provisioning: a machine appears before the cursor on the first read, and one
    is deleted before the cursor on the read again, which then skips the machine that moved
    back over the page boundary. Every machine seen in either read is kept, each once: the
    skipped one from the first read, the newcomer from the second."""
    ordered = sorted(server_2512.data["machines"], key=lambda m: m["name"])
    gone, skipped = ordered[0]["name"], ordered[4]["name"]  # 4: the second page's first

    def remove(data: dict[str, object]) -> None:
        machines = data["machines"]
        assert isinstance(machines, list)
        machines[:] = [m for m in machines if m["name"] != gone]

    changes = iter([lambda d: _new_machine(d, "aaa-01"), remove])
    server_2512.change_after_page(
        r"/inventory/v10/machines$", 1, lambda d: next(changes)(d), times=2
    )
    pod = collect(server_2512, page_size=4)
    names = [m.name for m in pod.machines if m.kind == "machine"]
    assert sorted(names) == sorted({m["name"] for m in ordered} | {"aaa-01"})
    assert "reading it again" in caplog.text
    assert "the list changed again; keeping every record seen in either read" in caplog.text
    assert skipped in names  # read only in the first pass


def test_machine_removed_before_the_cursor_does_not_hide_another(
    server_2512: HorizonTestServer, caplog: pytest.LogCaptureFixture
) -> None:
    ordered = sorted(server_2512.data["machines"], key=lambda m: m["name"])
    gone = ordered[0]["name"]

    def remove(data: dict[str, object]) -> None:
        machines = data["machines"]
        assert isinstance(machines, list)
        machines[:] = [m for m in machines if m["name"] != gone]

    server_2512.change_after_page(r"/inventory/v10/machines$", 1, remove)
    pod = collect(server_2512, page_size=4)
    names = sorted(m.name for m in pod.machines if m.kind == "machine")
    assert names == sorted(m["name"] for m in ordered if m["name"] != gone)
    assert "reading it again" in caplog.text  # the total changed between pages
