"""Where passwords come from: a file, the system keyring, an environment variable or a prompt;
never argv, never the config file.

A :class:`SecretSource` names the places; :func:`resolve_secret` reads them in ONE order:
file, then keyring, then the environment variable, then (on a terminal, when the source has a
prompt) a hidden prompt. The run config gives exactly one of file, keyring and variable; the
command line gives a file, or a variable (``--password-env``, else its default) with a prompt.
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
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


@dataclass(frozen=True)
class SecretSource:
    """Where a password lives; it is read only when it is needed."""

    env: str | None = None
    """Environment variable."""
    file: Path | None = None
    """File whose first line is the password."""
    keyring_service: str | None = None
    """System keyring service name (the account is the source's user)."""
    prompt: str | None = None
    """On a terminal, ask with this prompt when the variable is not set (the command line's
    sources; their messages then name the options instead of one source)."""


def resolve_secret(source: SecretSource, user: str, what: str) -> Secret:
    """The password of ``user`` for ``what`` (a source's URL): file, keyring, variable, prompt."""
    if source.file is not None:
        return Secret(read_password_file(source.file))
    if source.keyring_service is not None:
        return Secret(_from_keyring(source.keyring_service, user, what))
    if source.env is not None:
        value = os.environ.get(source.env)
        if value:
            return Secret(value)
        if source.prompt is not None:
            return _prompted(source.prompt, source.env)
        raise CredentialError(
            f"{what}: no password: environment variable {source.env} is not set",
            hint=f"export {source.env}=... in the environment cron runs with",
        )
    raise CredentialError(f"{what}: no password source", hint="set password_env in the config")


def _prompted(prompt: str, variable: str) -> Secret:
    """The password typed at a hidden prompt, when there is a terminal to ask on."""
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


def _from_keyring(service: str, user: str, what: str) -> str:
    try:
        import keyring
        import keyring.errors
    except ImportError:
        raise CredentialError(
            f"{what}: password_keyring needs the keyring package",
            hint="pip install 'fleetreport[keyring]'",
        ) from None
    try:
        value = keyring.get_password(service, user)
    except keyring.errors.NoKeyringError:
        raise CredentialError(
            f"{what}: no keyring backend is available to read service {service!r}, user {user!r}",
            hint="on Windows and macOS the keyring package brings its own backend; elsewhere"
            " install a Secret Service (e.g. GNOME Keyring), or use password_env or password_file",
        ) from None
    except Exception as error:  # Windows backends raise pywintypes.error, OSError, ...
        raise CredentialError(
            f"{what}: the system keyring failed reading service {service!r}, user {user!r}:"
            f" {_type_name(error)}",
            hint="on Windows, check the entry under Windows Credentials in the Credential"
            f" Manager, or store it again with: keyring set {service} {user}",
        ) from None
    if not value:
        raise CredentialError(
            f"{what}: no password for {user!r} in keyring service {service!r}",
            hint=f"store it with: keyring set {service} {user}",
        )
    return str(value)


def _type_name(error: BaseException) -> str:
    """The exception's type, with its module unless built in (``pywintypes.error``)."""
    kind = type(error)
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"
