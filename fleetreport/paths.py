"""Where fleetreport keeps its own files by default, in each system's usual place.

``platformdirs`` decides: ``~/.local/share/fleetreport`` and ``~/.config/fleetreport`` on Linux
(or ``$XDG_DATA_HOME`` / ``$XDG_CONFIG_HOME``), ``~/Library/Application Support/fleetreport`` on
macOS, ``%LOCALAPPDATA%\\fleetreport`` on Windows (local, not roaming: a history database does
not belong in a roaming profile).
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "fleetreport"
CONFIG_NAME = "fleetreport.toml"


def data_folder() -> Path:
    """The folder of the default history database."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_path() -> Path:
    """The run config ``fleetreport run`` reads when no ``--config`` is given."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_NAME
