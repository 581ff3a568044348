"""Rendering injection templates on a template context: the Jinja2 and Go back ends."""
