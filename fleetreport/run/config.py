"""The run configuration file (``fleetreport.toml``): sources, output, history, mail, health.

Every key is documented in ``examples/fleetreport.toml``. Passwords are never read from the
file itself: each source names where its secret lives (an environment variable, a file, or
the system keyring). Relative paths are relative to the config file's folder.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fleetreport.collect.retry import RetrySettings
from fleetreport.collect.sources import DEFAULT_PATHS, SourceKind, SourceSettings, SourceTls
from fleetreport.config_file import ConfigText, Problems, read_config
from fleetreport.endpoints import parse_endpoint
from fleetreport.errors import ConfigError, UsageError
from fleetreport.health.fail_on import FAIL_ON
from fleetreport.health.settings import HealthSettings, settings_from_config
from fleetreport.render.branding import Branding, branding_from_config
from fleetreport.render.formats import FORMATS, PAPER_SIZES
from fleetreport.secrets import SecretSource

RETRY_KEYS = ("retries", "retry_seconds")
RUN_TABLES = ("vcenter", "horizon", "collect", "output", "history", "email", "run", "branding")
SECRET_KEYS = ("password_env", "password_file", "password_keyring")
INLINE_SECRETS = ("password", "secret", "token")


@dataclass(frozen=True)
class CollectSettings:
    """``[collect]``."""

    concurrency: int = 4
    """Sources collected at once (a thread each)."""
    allow_partial: bool = True
    """Report even when a source failed (exit 3, banner in the report)."""
    usage_days: int = 30
    """Days of usage evidence to read (Horizon audit events, vCenter performance history);
    0 leaves it out. Issue 16: on by default in a run, at 30 days."""


@dataclass(frozen=True)
class OutputSettings:
    """``[output]``."""

    folder: Path
    """Where dated run folders and the ``latest`` link go."""
    formats: tuple[str, ...] = ("html", "json")
    """Report formats written each run (html, json, csv, xlsx, pdf)."""
    paper: str = "a4"
    """Page size of the pdf: a4 or letter."""
    keep_snapshot: bool = True
    """Also keep the collected snapshot in the run folder."""
    keep_runs: int = 0
    """Dated folders to keep (oldest removed first); 0 keeps all."""


@dataclass(frozen=True)
class HistorySettings:
    """``[history]``."""

    enabled: bool = True
    """Record every run and show trends and changes."""
    database: Path | None = None
    """SQLite file; None means the user's data folder."""
    trend_runs: int = 12
    """Runs shown in the report's trend charts."""


@dataclass(frozen=True)
class EmailConfig:
    """``[email]``: the raw settings; passwords resolved at send time."""

    host: str
    """SMTP server."""
    port: int
    """Port (587 STARTTLS, 465 TLS)."""
    security: str
    """``starttls``, ``tls`` or ``none``."""
    username: str | None
    """SMTP user, when the server wants authentication."""
    secret: SecretSource | None
    """Where that user's password lives."""
    sender: str
    """From address."""
    recipients: tuple[str, ...]
    """To addresses."""
    subject_prefix: str
    """Subject prefix."""
    attach_xlsx: bool
    """Attach the workbook too."""
    only_when_worse: bool
    """Send only when the fleet got worse since the last run."""
    timeout: float
    """Seconds."""
    tls: SourceTls
    """TLS options."""


@dataclass(frozen=True)
class RunSettings:
    """``[run]``."""

    fail_on: str = "critical"
    """Exit 2 when a finding of this severity or worse exists (``never`` to turn off)."""
    lock_file: Path | None = None
    """Lock against overlapping runs; None means ``.fleetreport.lock`` in the output folder."""


@dataclass(frozen=True)
class RunConfig:
    """The whole file."""

    path: Path
    """The config file."""
    vcenters: tuple[SourceSettings, ...]
    """``[[vcenter]]`` entries."""
    horizons: tuple[SourceSettings, ...]
    """``[[horizon]]`` entries."""
    collect: CollectSettings
    """Collection."""
    output: OutputSettings
    """Outputs."""
    history: HistorySettings
    """History."""
    email: EmailConfig | None
    """Mail delivery, when configured."""
    run: RunSettings
    """Run behaviour."""
    health: HealthSettings
    """Thresholds, weights, exclusions, scope."""
    branding: Branding
    """Report branding."""

    @property
    def lock_path(self) -> Path:
        """The lock file in force."""
        return self.run.lock_file or self.output.folder / ".fleetreport.lock"


def load_run_config(path: Path) -> RunConfig:
    """Read and check the file; the first problem is raised as a ConfigError with its line."""
    return parse_run_config(read_config(path), Problems())


def check_run_config(path: Path) -> tuple[RunConfig | None, list[ConfigError]]:
    """Every problem of the file (for ``fleetreport config check``), and the config if none."""
    config = read_config(path)
    problems = Problems(collect=True)
    parsed = parse_run_config(config, problems)
    return (None if problems.errors else parsed), problems.errors


def parse_run_config(config: ConfigText, problems: Problems) -> RunConfig:
    """The RunConfig of a parsed file; problems raised or collected as ``problems`` says."""
    health = settings_from_config(config, RUN_TABLES, problems)
    vcenters = _entries(config, "vcenter", problems, _vcenter)
    horizons = _entries(config, "horizon", problems, _horizon)
    if not config.data.get("vcenter") and not config.data.get("horizon"):
        problems.attempt(functools.partial(_no_sources, config), None)
    output = problems.attempt(
        lambda: _output(config), OutputSettings(folder=Path(config.path).parent)
    )
    return RunConfig(
        path=Path(config.path),
        vcenters=tuple(vcenters),
        horizons=tuple(horizons),
        collect=problems.attempt(lambda: _collect(config), CollectSettings()),
        output=output,
        history=problems.attempt(lambda: _history(config), HistorySettings()),
        email=problems.attempt(lambda: _email(config), None),
        run=problems.attempt(lambda: _run(config), RunSettings()),
        health=health,
        branding=problems.attempt(lambda: branding_from_config(config), Branding()),
    )


def _no_sources(config: ConfigText) -> None:
    raise config.error((), None, "no sources", hint="add a [[vcenter]] or [[horizon]] table")


def _entries(config: ConfigText, name: str, problems: Problems, read: Any) -> list[Any]:
    raw = config.data.get(name, [])
    if not isinstance(raw, list):
        problems.attempt(functools.partial(_not_array, config, name), None)
        return []
    entries = []
    for index, table in enumerate(raw):
        entry = problems.attempt(functools.partial(read, config, index, table), None)
        if entry is not None:
            entries.append(entry)
    return entries


def _not_array(config: ConfigText, name: str) -> None:
    raise config.error((), name, "expected [[" + name + "]] tables", hint=f"write [[{name}]]")


def _vcenter(config: ConfigText, index: int, table: Any) -> SourceSettings:
    path = (f"vcenter[{index + 1}]",)
    known = (
        "url",
        "user",
        *SECRET_KEYS,
        "ca_file",
        "insecure",
        "timeout",
        "connect_timeout",
        "page_size",
        *RETRY_KEYS,
    )
    table = _entry_table(config, path, index, table, known)
    return SourceSettings(
        kind="vcenter",
        url=_url(config, path, table.get("url"), "vcenter"),
        user=config.string(path, "user", table.get("user")),
        secret=_secret(config, path, table, required=True) or SecretSource(),
        tls=_tls(config, path, table),
        timeout=config.number(path, "timeout", table.get("timeout", 60), minimum=1),
        page_size=config.whole(path, "page_size", table.get("page_size", 1000), minimum=1),
        connect_timeout=config.number(
            path, "connect_timeout", table.get("connect_timeout", 10), minimum=1
        ),
        retry=_retry(config, path, table),
    )


def _horizon(config: ConfigText, index: int, table: Any) -> SourceSettings:
    path = (f"horizon[{index + 1}]",)
    known = (
        "url",
        "user",
        "domain",
        *SECRET_KEYS,
        "ca_file",
        "insecure",
        "timeout",
        "connect_timeout",
        *RETRY_KEYS,
    )
    table = _entry_table(config, path, index, table, known)
    return SourceSettings(
        kind="horizon",
        url=_url(config, path, table.get("url"), "horizon"),
        user=config.string(path, "user", table.get("user")),
        domain=config.string(path, "domain", table.get("domain")),
        secret=_secret(config, path, table, required=True) or SecretSource(),
        tls=_tls(config, path, table),
        timeout=config.number(path, "timeout", table.get("timeout", 60), minimum=1),
        connect_timeout=config.number(
            path, "connect_timeout", table.get("connect_timeout", 10), minimum=1
        ),
        retry=_retry(config, path, table),
    )


def _retry(config: ConfigText, path: tuple[str, ...], table: dict[str, Any]) -> RetrySettings:
    """``retries`` (attempts per request, 1 turns retrying off) and ``retry_seconds``."""
    defaults = RetrySettings()
    return RetrySettings(
        attempts=config.whole(path, "retries", table.get("retries", defaults.attempts), minimum=1),
        total_seconds=config.number(
            path,
            "retry_seconds",
            table.get("retry_seconds", defaults.total_seconds),
            minimum=0,
            maximum=3600,
        ),
    )


def _url(config: ConfigText, path: tuple[str, ...], value: Any, kind: SourceKind) -> str:
    """A source URL, checked now so that a bad one is named with its line."""
    text = config.string(path, "url", value)
    try:
        return parse_endpoint(text, default_path=DEFAULT_PATHS[kind], option="url").url
    except UsageError as error:
        raise config.error(path, "url", error.message, hint=error.hint or "") from None


def _entry_table(
    config: ConfigText, path: tuple[str, ...], index: int, table: Any, known: tuple[str, ...]
) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise config.error(path, None, "expected a table", hint="see the example")
    for key in table:
        if key in INLINE_SECRETS:
            raise config.error(
                path,
                key,
                "passwords do not belong in the config file",
                hint="use password_env, password_file or password_keyring",
            )
    config.reject_unknown(path, table, known)
    return table


def _secret(
    config: ConfigText, path: tuple[str, ...], table: dict[str, Any], required: bool
) -> SecretSource | None:
    given = [key for key in SECRET_KEYS if key in table]
    if len(given) > 1:
        raise config.error(
            path, given[1], f"give one of {', '.join(given)}", hint="one secret source per entry"
        )
    if not given:
        if required:
            raise config.error(
                path,
                None,
                "no password source",
                hint='add password_env = "VAR" (or _file, _keyring)',
            )
        return None
    key = given[0]
    if key == "password_env":
        return SecretSource(env=config.string(path, key, table[key]))
    if key == "password_file":
        return SecretSource(file=config.path_value(path, key, table[key]))
    return SecretSource(keyring_service=config.string(path, key, table[key]))


def _tls(config: ConfigText, path: tuple[str, ...], table: dict[str, Any]) -> SourceTls:
    ca_file = table.get("ca_file")
    return SourceTls(
        ca_file=config.path_value(path, "ca_file", ca_file) if ca_file is not None else None,
        insecure=config.flag(path, "insecure", table.get("insecure", False)),
    )


def _collect(config: ConfigText) -> CollectSettings:
    path = ("collect",)
    table = config.table(path)
    config.reject_unknown(path, table, ("concurrency", "allow_partial", "usage_days"))
    defaults = CollectSettings()
    return CollectSettings(
        concurrency=config.whole(
            path, "concurrency", table.get("concurrency", defaults.concurrency), minimum=1
        ),
        allow_partial=config.flag(
            path, "allow_partial", table.get("allow_partial", defaults.allow_partial)
        ),
        usage_days=config.whole(
            path, "usage_days", table.get("usage_days", defaults.usage_days), minimum=0
        ),
    )


def _output(config: ConfigText) -> OutputSettings:
    path = ("output",)
    table = config.table(path)
    config.reject_unknown(path, table, ("folder", "formats", "keep_snapshot", "keep_runs", "paper"))
    if "folder" not in table:
        raise config.error(path, None, "no output folder", hint='[output] folder = "reports"')
    formats = config.words(path, "formats", table.get("formats", ["html", "json"]))
    for name in formats:
        if name not in FORMATS:
            raise config.error(
                path, "formats", f"unknown format {name!r}", hint=f"one of {', '.join(FORMATS)}"
            )
    if not formats:
        raise config.error(path, "formats", "no format", hint='formats = ["html"]')
    paper = config.string(path, "paper", table.get("paper", "a4")).lower()
    if paper not in PAPER_SIZES:
        raise config.error(
            path, "paper", f"unknown paper {paper!r}", hint=f"one of {', '.join(PAPER_SIZES)}"
        )
    return OutputSettings(
        folder=config.path_value(path, "folder", table["folder"]),
        formats=tuple(dict.fromkeys(formats)),
        keep_snapshot=config.flag(path, "keep_snapshot", table.get("keep_snapshot", True)),
        keep_runs=config.whole(path, "keep_runs", table.get("keep_runs", 0)),
        paper=paper,
    )


def _history(config: ConfigText) -> HistorySettings:
    path = ("history",)
    table = config.table(path)
    config.reject_unknown(path, table, ("enabled", "database", "trend_runs"))
    database = table.get("database")
    return HistorySettings(
        enabled=config.flag(path, "enabled", table.get("enabled", True)),
        database=config.path_value(path, "database", database) if database is not None else None,
        trend_runs=config.whole(path, "trend_runs", table.get("trend_runs", 12), minimum=2),
    )


def _email(config: ConfigText) -> EmailConfig | None:
    path = ("email",)
    table = config.table(path)
    if not table:
        return None
    known = (
        "host",
        "port",
        "security",
        "username",
        *SECRET_KEYS,
        "sender",
        "recipients",
        "subject_prefix",
        "attach_xlsx",
        "only_when_worse",
        "timeout",
        "ca_file",
        "insecure",
    )
    for key in table:
        if key in INLINE_SECRETS:
            raise config.error(
                path, key, "passwords do not belong in the config file", hint="use password_env"
            )
    config.reject_unknown(path, table, known)
    security = config.string(path, "security", table.get("security", "starttls"))
    if security not in ("starttls", "tls", "none"):
        raise config.error(
            path, "security", f"unknown security {security!r}", hint="starttls, tls or none"
        )
    default_port = 465 if security == "tls" else 587
    recipients = config.words(path, "recipients", table.get("recipients"))
    if not recipients:
        raise config.error(
            path, "recipients", "no recipients", hint='recipients = ["ops@example.com"]'
        )
    username = table.get("username")
    secret = _secret(config, path, table, required=False)
    if username is not None and secret is None:
        raise config.error(
            path, "username", "a username needs a password source", hint="add password_env"
        )
    return EmailConfig(
        host=config.string(path, "host", table.get("host")),
        port=config.whole(path, "port", table.get("port", default_port), minimum=1),
        security=security,
        username=config.string(path, "username", username) if username is not None else None,
        secret=secret,
        sender=config.string(path, "sender", table.get("sender")),
        recipients=recipients,
        subject_prefix=config.string(
            path, "subject_prefix", table.get("subject_prefix", "[fleetreport]")
        ),
        attach_xlsx=config.flag(path, "attach_xlsx", table.get("attach_xlsx", False)),
        only_when_worse=config.flag(path, "only_when_worse", table.get("only_when_worse", False)),
        timeout=config.number(path, "timeout", table.get("timeout", 30), minimum=1),
        tls=_tls(config, path, table),
    )


def _run(config: ConfigText) -> RunSettings:
    path = ("run",)
    table = config.table(path)
    config.reject_unknown(path, table, ("fail_on", "lock_file"))
    fail_on = config.string(path, "fail_on", table.get("fail_on", "critical"))
    if fail_on not in FAIL_ON:
        raise config.error(
            path, "fail_on", f"unknown severity {fail_on!r}", hint=", ".join(FAIL_ON)
        )
    lock = table.get("lock_file")
    return RunSettings(
        fail_on=fail_on,
        lock_file=config.path_value(path, "lock_file", lock) if lock is not None else None,
    )
