"""Rendering: the report writers (HTML from templates, JSON, CSV, xlsx), the terminal texts
and the one-line summaries; the tables themselves live in ``export``."""
