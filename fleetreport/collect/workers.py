"""Run collection jobs on worker threads while the calling thread stays interruptible.

Ctrl-C raises ``KeyboardInterrupt`` in the main thread only, and only while that thread runs
Python code. On Windows an untimed wait on a lock (``Future.result()``, ``Thread.join()``) or
a blocking socket read is not interrupted by it, so a collection waiting on a silent vCenter
would ignore Ctrl-C until the read timed out. Here every job, even the only one, runs on a
daemon thread and the caller waits in short slices: Ctrl-C is seen within a slice on every
system, the caller stops waiting, and jobs still blocked on the network are abandoned with
the process instead of holding it open (a ``ThreadPoolExecutor`` joins its threads at exit).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
WAIT_SLICE_SECONDS = 0.1
"""How long the caller waits before looking for a pending Ctrl-C again."""


def run_jobs(
    jobs: Sequence[Callable[[], T]], max_workers: int, *, name: str = "collect"
) -> list[T]:
    """Each job's result, in the jobs' order; at most ``max_workers`` run at once.

    An exception a job raises is raised here once every started job has ended (the first in
    the jobs' order). ``KeyboardInterrupt`` in the caller stops starting jobs and returns at
    once.
    """
    results: dict[int, T] = {}
    errors: dict[int, BaseException] = {}
    finished: queue.SimpleQueue[int] = queue.SimpleQueue()
    stopping = threading.Event()

    def work(position: int, job: Callable[[], T]) -> None:
        try:
            if not stopping.is_set():
                results[position] = job()
        except BaseException as error:  # handed to the caller, raised there
            errors[position] = error
        finally:
            finished.put(position)

    started = done = 0
    limit = max(1, max_workers)
    try:
        while done < len(jobs):
            while started < len(jobs) and started - done < limit:
                thread = threading.Thread(
                    target=work,
                    args=(started, jobs[started]),
                    name=f"{name}-{started + 1}",
                    daemon=True,
                )
                thread.start()
                started += 1
            try:
                finished.get(timeout=WAIT_SLICE_SECONDS)
            except queue.Empty:
                continue
            done += 1
    except BaseException:
        stopping.set()
        raise
    if errors:
        raise errors[min(errors)]
    return [results[position] for position in range(len(jobs))]
