"""The customer report as one self-contained HTML file.

Templates live in ``templates/report/``; ``--templates DIR`` puts a user's folder in front, and
a user's template can extend the built-in one it replaces with ``{% extends "default:..." %}``.
Every template gets ``report`` (the model), ``view`` (its grouping for the page: ``view.groups``
of findings, ``view.inventory`` of desktops by pool), ``branding``, ``script`` and
``script_hash``. The long tables' rows are built in Python, one filter call per table:
``group.desktops | inventory_rows`` and ``group.findings | finding_rows`` give each row's
``<tr>`` as escaped markup; a user's table may use them, or loop over the records itself.
Compiled templates are kept between runs (:mod:`fleetreport.render.template_cache`).
CSS, the small sorting/filtering script, charts (SVG) and the logo (a data URI) are all inline;
a Content-Security-Policy forbids every fetch and every script but ours (by its hash), so even
text that escaped escaping could not run or phone home.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import jinja2

from fleetreport.atomic_write import write_atomically
from fleetreport.errors import InputFileError
from fleetreport.health.check_counts import shown_counts
from fleetreport.health.report_model import HealthReport
from fleetreport.render.branding import Branding
from fleetreport.render.finding_rows import finding_rows
from fleetreport.render.inventory_rows import inventory_rows
from fleetreport.render.labels import label, plain_words, threshold_words
from fleetreport.render.template_cache import cache_compiled_templates
from fleetreport.render.value_text import (
    format_days,
    format_duration,
    format_gigabytes,
    format_gigahertz,
    format_megabytes,
    format_number,
    format_percent,
    format_score,
    format_time,
    plain_text,
)
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
        inventory_rows=inventory_rows,
        finding_rows=finding_rows,
    )
    env.tests["customer_named"] = customer_named
    return cache_compiled_templates(env)


def customer_named(branding: Branding) -> bool:
    """False while the customer is still the placeholder (no --customer, no [branding])."""
    return branding.customer != Branding().customer


def render_html(
    report: HealthReport,
    branding: Branding | None = None,
    user_templates: Path | None = None,
) -> str:
    """The report's HTML text."""
    return "".join(html_pieces(report, branding, user_templates))


def html_pieces(
    report: HealthReport,
    branding: Branding | None = None,
    user_templates: Path | None = None,
) -> Iterator[str]:
    """The report's HTML text in the pieces the templates write, one after the other."""
    env = report_environment(user_templates)
    try:
        script = env.get_template(SCRIPT_TEMPLATE).render()
        digest = hashlib.sha256(script.encode("utf-8")).digest()
        yield from env.get_template(REPORT_TEMPLATE).generate(
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
    """Render and write atomically. The file's bytes are joined from each piece's UTF-8, the
    same bytes as the whole text's: the whole text and its bytes are never held at once (about
    7 MB at 10,000 desktops, at the report's peak memory)."""
    pieces = [piece.encode("utf-8") for piece in html_pieces(report, branding, user_templates)]
    write_atomically(path, b"".join(pieces))
