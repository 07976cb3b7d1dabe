"""Compiled templates kept between runs, in the user's cache folder.

Jinja2 turns every template into Python source and compiles it each time a process loads it
(about a third of a second for the report's templates); its bytecode cache stores the compiled
code and reuses it while the template's source is unchanged ("Bytecode Cache" in the Jinja2 API
docs: the cache keys on the template's name and file and checks a checksum of its source, so an
edited template, a user's one included, is compiled afresh). A folder that cannot be made,
read or written means no cache: never an error or a line on stderr (a cron job stays quiet).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
from pathlib import Path

import jinja2

from fleetreport import __version__

CACHE_VARIABLE = "FLEETREPORT_CACHE_DIR"
"""Environment variable naming the cache folder in place of the platform's usual one."""

APP_FOLDER = "fleetreport"
TEMPLATES_FOLDER = "templates"
"""Compiled templates go in ``<cache folder>/templates``; the folder is fleetreport's alone."""


class QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache, where a file that cannot be read or written is simply not cached."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill the bucket from its file; a missing, unreadable or damaged file leaves it empty."""
        try:
            super().load_bytecode(bucket)
        except Exception:  # OSError (a file where the folder was), or pickle's many errors
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Write the bucket's file (Jinja2 writes a temporary file and renames it); no error."""
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def platform_cache_folder() -> Path | None:
    """The per-user cache folder of this platform (None when there is no home to put it in).

    Windows ``%LOCALAPPDATA%\\fleetreport\\Cache``, macOS ``~/Library/Caches/fleetreport``,
    elsewhere ``$XDG_CACHE_HOME/fleetreport`` or ``~/.cache/fleetreport`` (the XDG Base
    Directory spec, which ignores a relative ``XDG_CACHE_HOME``).
    """
    try:
        if sys.platform == "win32":
            local = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
            return Path(local) / APP_FOLDER / "Cache"
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches" / APP_FOLDER
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
        return base / APP_FOLDER
    except RuntimeError:  # Path.home() with neither HOME nor a password entry
        return None


def cache_folder() -> Path | None:
    """The folder of compiled templates, made if need be; None when it cannot be used."""
    override = os.environ.get(CACHE_VARIABLE, "")
    root = Path(override).expanduser() if override else platform_cache_folder()
    if root is None:
        return None
    folder = root / TEMPLATES_FOLDER
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return folder if _only_ours(folder) else None
    except (OSError, RuntimeError):  # RuntimeError: expanduser() without a home
        return None


def _only_ours(folder: Path) -> bool:
    """The cached code is run: on POSIX, the folder must be ours and writable by us alone
    (the checks Jinja2 makes of its own default folder)."""
    if not hasattr(os, "getuid"):
        return folder.is_dir()
    status = folder.lstat()
    group_or_others_write = stat.S_IWGRP | stat.S_IWOTH
    return (
        stat.S_ISDIR(status.st_mode)
        and status.st_uid == os.getuid()
        and not status.st_mode & group_or_others_write
    )


def settings_tag(environment: jinja2.Environment) -> str:
    """A short digest of what shapes the compiled code besides the source (Jinja2 and
    fleetreport versions, whitespace and autoescape settings, filter and test names), so that a
    cache file from another configuration is never reused."""
    autoescape = environment.autoescape
    settings = (
        jinja2.__version__,
        __version__,
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        environment.line_statement_prefix,
        environment.line_comment_prefix,
        environment.trim_blocks,
        environment.lstrip_blocks,
        environment.newline_sequence,
        environment.keep_trailing_newline,
        environment.optimized,
        environment.is_async,
        sorted(environment.extensions),
        sorted(environment.filters),
        sorted(environment.tests),
        [autoescape(f"t.{ext}") for ext in ("html", "htm", "xml", "svg", "txt", "js", "css")]
        if callable(autoescape)
        else autoescape,
    )
    return hashlib.sha256(repr(settings).encode("utf-8")).hexdigest()[:16]


def cache_compiled_templates(environment: jinja2.Environment) -> jinja2.Environment:
    """The environment, with a bytecode cache when the cache folder can be used."""
    folder = cache_folder()
    if folder is not None:
        environment.bytecode_cache = QuietBytecodeCache(
            str(folder), pattern=f"{settings_tag(environment)}-%s.cache"
        )
    return environment
