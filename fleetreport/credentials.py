"""Where passwords come from: an environment variable, a file, or a prompt; never argv."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from fleetreport.errors import CredentialError
from fleetreport.text_files import read_user_text

DEFAULT_PASSWORD_ENV = "FLEETREPORT_PASSWORD"  # noqa: S105 (a variable name, not a password)
DEFAULT_HORIZON_PASSWORD_ENV = "FLEETREPORT_HORIZON_PASSWORD"  # noqa: S105 (likewise)


class Secret:
    """A password or token that never shows itself in repr, str, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one call that sends it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def resolve_password(
    *,
    env_var: str | None,
    password_file: Path | None,
    prompt: str,
    default_env_var: str = DEFAULT_PASSWORD_ENV,
) -> Secret:
    """Return the password from the file, else the variable, else an interactive prompt."""
    if password_file is not None:
        return Secret(read_password_file(password_file))
    variable = env_var or default_env_var
    value = os.environ.get(variable)
    if value:
        return Secret(value)
    if sys.stdin is not None and sys.stdin.isatty():
        entered = getpass.getpass(prompt)
        if entered:
            return Secret(entered)
    raise CredentialError(
        f"no password: environment variable {variable} is not set",
        hint=f"export {variable}=..., or use --password-file FILE,"
        " or run on a terminal to be asked",
    )


def read_password_file(path: Path) -> str:
    """The first line of a password file (UTF-8, UTF-8 or UTF-16 with BOM; any line ends)."""
    text = read_user_text(path, "password file", CredentialError)
    first_line = text.split("\n", 1)[0]
    if not text.strip():
        raise CredentialError(
            f"password file {path} is empty", hint="put the password on its first line"
        )
    if not first_line.strip():
        raise CredentialError(
            f"password file {path} has a blank first line",
            hint="put the password on its first line, with nothing before it",
        )
    return first_line
