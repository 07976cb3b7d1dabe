"""Reading a source's password from where the config file says it lives."""

from __future__ import annotations

import os

from fleetreport.credentials import Secret, read_password_file
from fleetreport.errors import CredentialError
from fleetreport.run.config import SecretSource


def resolve_secret(source: SecretSource, user: str, what: str) -> Secret:
    """The password of ``user`` for ``what`` (a source's URL), from env, file or keyring."""
    if source.env is not None:
        value = os.environ.get(source.env)
        if not value:
            raise CredentialError(
                f"{what}: no password: environment variable {source.env} is not set",
                hint=f"export {source.env}=... in the environment cron runs with",
            )
        return Secret(value)
    if source.file is not None:
        return Secret(read_password_file(source.file))
    if source.keyring_service is not None:
        return Secret(_from_keyring(source.keyring_service, user, what))
    raise CredentialError(f"{what}: no password source", hint="set password_env in the config")


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
