"""Rendering the scored model: HTML (templates), with branding; exports live in ``export``."""
