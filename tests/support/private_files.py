"""Whether a file only its owner can read, as far as the test's system can tell."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def assert_owner_only(path: Path) -> None:
    """Mode 0600 on POSIX. Windows keeps access in ACLs, which ``st_mode`` does not show: there
    only a real Windows run can tell (docs/platforms.md), so nothing is asserted."""
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path} is not private"
