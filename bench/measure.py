"""Measure a command's wall time and its own peak RSS, from a small launcher process.

Linux carries the peak RSS of the address space a process leaves at exec into its
``ru_maxrss``; with vfork (Python's subprocess on Linux) that address space is the parent's. A
command started straight from a bench that holds hundreds of MiB (a 30,000-VM floor, a judged
10,000-desktop fleet) would report the bench's peak instead of its own, so the command is
started by a fresh, small Python process that times it and reads its ``wait4`` figures.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

LAUNCHER = """
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


@dataclass(frozen=True)
class Measured:
    """One run of a command: wall time, its own peak RSS, its exit status."""

    seconds: float
    peak_mib: float
    returncode: int


def measured_run(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run ``command`` (its stdout discarded) and measure it from a launcher of its own."""
    launched = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    seconds, peak_kib, returncode = launched.stdout.split()
    return Measured(float(seconds), int(peak_kib) / 1024, int(returncode))
