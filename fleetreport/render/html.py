"""The customer report as one self-contained HTML file.

Templates live in ``templates/report/``; ``--templates DIR`` puts a user's folder in front, and
a user's template can extend the built-in one it replaces with ``{% extends "default:..." %}``.
CSS, the small sorting/filtering script, charts (SVG) and the logo (a data URI) are all inline;
a Content-Security-Policy forbids every fetch and every script but ours (by its hash), so even
text that escaped escaping could not run or phone home.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from fleetreport.atomic_write import write_atomically
from fleetreport.errors import InputFileError
from fleetreport.health.check_counts import shown_counts
from fleetreport.health.report_model import HealthReport
from fleetreport.render.branding import Branding
from fleetreport.render.labels import label, plain_words, threshold_words
from fleetreport.render.views import build_view
from fleetreport.resources import templates_dir
from fleetreport.text import terminal_safe

REPORT_TEMPLATE = "report/report.html"
SCRIPT_TEMPLATE = "report/report.js"


def report_environment(user_templates: Path | None = None) -> jinja2.Environment:
    """Built-in templates, a user's folder in front, ``default:NAME`` for the built-in ones."""
    builtin = jinja2.FileSystemLoader(str(templates_dir()))
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        if not user_templates.is_dir():
            raise InputFileError(
                f"templates folder {user_templates} does not exist",
                hint="give a folder holding e.g. report/report.html",
            )
        # utf-8-sig: Windows editors (Notepad before 2019) start UTF-8 files with a BOM, which
        # would otherwise reach the report as an invisible character.
        loaders.append(jinja2.FileSystemLoader(str(user_templates), encoding="utf-8-sig"))
    loaders += [builtin, jinja2.PrefixLoader({"default": builtin}, delimiter=":")]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "svg"), default_for_string=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=format_number,
        percent=format_percent,
        score=format_score,
        when=format_time,
        days=format_days,
        duration=format_duration,
        gigabytes=format_gigabytes,
        megabytes_as_gb=format_megabytes,
        gigahertz=format_gigahertz,
        terminal_safe=terminal_safe,
        plain_text=plain_text,
        label=label,
        plain_words=plain_words,
        threshold_words=threshold_words,
        shown_counts=shown_counts,
    )
    env.tests["customer_named"] = customer_named
    return env


def customer_named(branding: Branding) -> bool:
    """False while the customer is still the placeholder (no --customer, no [branding])."""
    return branding.customer != Branding().customer


def render_html(
    report: HealthReport,
    branding: Branding | None = None,
    user_templates: Path | None = None,
) -> str:
    """The report's HTML text."""
    env = report_environment(user_templates)
    try:
        script = env.get_template(SCRIPT_TEMPLATE).render()
        digest = hashlib.sha256(script.encode("utf-8")).digest()
        return env.get_template(REPORT_TEMPLATE).render(
            report=report,
            view=build_view(report),
            branding=branding or Branding(),
            script=script,
            script_hash=f"sha256-{base64.b64encode(digest).decode('ascii')}",
        )
    except jinja2.TemplateError as error:
        where = (
            f" ({error.name}:{error.lineno})"
            if isinstance(error, jinja2.TemplateSyntaxError)
            else ""
        )
        raise InputFileError(
            f"report template failed{where}: {error}",
            hint="check the templates given with --templates",
        ) from None
    except (UnicodeDecodeError, RecursionError, ArithmeticError, TypeError, ValueError) as error:
        if user_templates is None:
            raise  # the built-in templates failing is fleetreport's bug: show it as one
        raise InputFileError(
            f"report template failed: {type(error).__name__}: {error}",
            hint=f"check the templates in {user_templates} (UTF-8, no self-inclusion)",
        ) from None


def write_html_report(
    report: HealthReport,
    path: Path,
    branding: Branding | None = None,
    user_templates: Path | None = None,
) -> None:
    """Render and write atomically."""
    write_atomically(path, render_html(report, branding, user_templates))


def plain_text(value: str) -> str:
    """Text for places that cannot hold markup (the window title): no control or bidi
    characters, which could reorder or hide what follows."""
    return terminal_safe(value, limit=200)


def format_number(value: float | int | None) -> str:
    """``12,345``; ``n/a`` for None."""
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def format_percent(value: float | None) -> str:
    """A 0..1 share as ``62.7%``."""
    return "n/a" if value is None else f"{value * 100:.1f}%".replace(".0%", "%")


def format_score(value: float | None) -> str:
    """A score, or ``n/a``."""
    return "n/a" if value is None else f"{value:g}"


def format_time(value: datetime | None) -> str:
    """``2026-11-27 06:00 UTC``."""
    if value is None:
        return "n/a"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def format_days(value: float | None) -> str:
    """Days as ``49 days``."""
    if value is None:
        return "n/a"
    return "1 day" if round(value) == 1 else f"{value:.0f} days"


def format_duration(seconds: int | None) -> str:
    """A sampling period in the largest whole unit, to follow "every": ``2 hours``, ``5 minutes``,
    ``day``."""
    if seconds is None:
        return "n/a"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return unit if count == 1 else f"{count:,} {unit}s"
    return f"{seconds:,} seconds"


BYTES_PER_GB = 1024**3
"""vSphere's "GB" is 2^30 bytes, as the vSphere Client shows capacity and free space."""


def _size(value: float) -> str:
    return f"{value:,.1f}" if value < 10 else f"{value:,.0f}"


def format_gigabytes(value: int | None) -> str:
    """Bytes as ``2,048 GB`` (``7.5 GB`` under ten); ``n/a`` for None."""
    return "n/a" if value is None else f"{_size(value / BYTES_PER_GB)} GB"


def format_megabytes(value: int | None) -> str:
    """MiB as ``512 GB``; ``n/a`` for None."""
    return "n/a" if value is None else f"{_size(value / 1024)} GB"


def format_gigahertz(value: int | None) -> str:
    """MHz as ``96.0 GHz``; ``n/a`` for None."""
    return "n/a" if value is None else f"{value / 1000:,.1f} GHz"
