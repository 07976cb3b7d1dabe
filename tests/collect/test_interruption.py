"""Ctrl-C stops a collection promptly, on Windows too.

Windows delivers Ctrl-C to the main thread only when it runs Python code: a thread blocked in
an untimed lock wait or socket read does not see it. An exception raised in a thread with
``PyThreadState_SetAsyncExc`` arrives the same way, so it shows, on Linux, whether the waiting
thread would notice a Windows Ctrl-C.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from fleetreport.collect.workers import run_jobs


def raise_in(thread: threading.Thread, exception: type[BaseException]) -> None:
    """Raise ``exception`` in ``thread`` the next time it runs Python code."""
    assert thread.ident is not None
    changed = ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread.ident), ctypes.py_object(exception)
    )
    assert changed == 1


def waiter(wait: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    """A thread standing in for the main one: it runs ``wait`` and keeps what it raised."""
    raised: list[BaseException] = []

    def body() -> None:
        try:
            wait()
        except BaseException as error:
            raised.append(error)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    time.sleep(0.3)  # well into the wait
    return thread, raised


def test_a_thread_in_an_untimed_wait_does_not_see_the_interrupt() -> None:
    """The control: what Windows does to ``Future.result()`` or ``Thread.join()``."""
    gate = threading.Event()
    thread, raised = waiter(gate.wait)
    raise_in(thread, KeyboardInterrupt)
    thread.join(1.0)
    assert thread.is_alive() and raised == []
    gate.set()  # let it go; the interrupt then arrives
    thread.join(5)
    assert not thread.is_alive()


def test_waiting_for_jobs_sees_the_interrupt_at_once() -> None:
    gate = threading.Event()
    jobs = [gate.wait, gate.wait, gate.wait]  # three silent servers
    thread, raised = waiter(lambda: run_jobs(jobs, max_workers=2))
    started = time.monotonic()
    raise_in(thread, KeyboardInterrupt)
    thread.join(5)
    assert not thread.is_alive()
    assert time.monotonic() - started < 2
    assert [type(error) for error in raised] == [KeyboardInterrupt]
    gate.set()


def test_jobs_run_at_most_max_workers_at_once_and_keep_their_order() -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def job(value: int) -> Callable[[], int]:
        def run() -> int:
            nonlocal running, peak
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.05 * (5 - value))  # the first job finishes last
            with lock:
                running -= 1
            return value

        return run

    assert run_jobs([job(n) for n in range(5)], max_workers=2) == [0, 1, 2, 3, 4]
    assert peak == 2


def test_a_job_that_raises_raises_in_the_caller_after_the_others_end() -> None:
    ended: list[str] = []

    def fails() -> str:
        raise ValueError("bug in a collector")

    def slow() -> str:
        time.sleep(0.2)
        ended.append("slow")
        return "slow"

    with pytest.raises(ValueError, match="bug in a collector"):
        run_jobs([fails, slow], max_workers=2)
    assert ended == ["slow"]


@contextmanager
def silent_servers(count: int) -> Iterator[list[socket.socket]]:
    """Listeners that accept TCP connections and never say a word (no TLS handshake)."""
    listeners = []
    for _ in range(count):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(60)
        listeners.append(listener)
    try:
        yield listeners
    finally:
        for listener in listeners:
            listener.close()


@pytest.mark.posix  # sends SIGINT; the thread test covers Windows
@pytest.mark.parametrize("concurrency", [1, 2])
def test_ctrl_c_stops_a_collection_from_silent_vcenters(
    tmp_path: os.PathLike[str], concurrency: int
) -> None:
    with silent_servers(2) as listeners:
        command = [sys.executable, "-m", "fleetreport", "collect", "--user", "reader"]
        for listener in listeners:
            command += ["--vcenter", f"https://127.0.0.1:{listener.getsockname()[1]}/sdk"]
        command += [
            "--connect-timeout",
            "120",
            "--timeout",
            "120",
            "--concurrency",
            str(concurrency),
            "--out",
            str(tmp_path / "snapshot.json"),
        ]
        env = {**os.environ, "FLEETREPORT_PASSWORD": "secret"}
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        waiting = [listener.accept()[0] for listener in listeners[:concurrency]]
        time.sleep(0.3)  # each source is now waiting for a TLS handshake that never comes
        assert process.poll() is None
        interrupted = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
        took = time.monotonic() - interrupted
    for connection in waiting:
        connection.close()
    assert process.returncode == 130, err
    assert err.strip().splitlines() == ["fleetreport: interrupted"]
    assert took < 10, f"took {took:.1f} s to stop"
    assert not (tmp_path / "snapshot.json").exists()
