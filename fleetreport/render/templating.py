"""The Jinja2 environment: built-in templates, autoescaping, undefined variables are errors."""

from __future__ import annotations

from functools import cache

import jinja2

from fleetreport.render.template_cache import cache_compiled_templates
from fleetreport.resources import templates_dir
from fleetreport.text import terminal_safe


@cache
def environment() -> jinja2.Environment:
    """One shared environment over the built-in templates."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml", "svg"), default_for_string=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["terminal_safe"] = terminal_safe
    return cache_compiled_templates(env)
