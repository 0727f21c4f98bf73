"""Jinja environment of the report templates, with the vendored Leaflet as globals."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from nansei.report import vendor


@cache
def environment() -> Environment:
    """The (cached) Jinja environment; templates live in ``nansei/report/templates``."""
    env = Environment(
        loader=PackageLoader("nansei.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        leaflet_js=vendor.leaflet_js,
        leaflet_css=vendor.leaflet_css,
        leaflet_version=vendor.leaflet_version,
    )
    return env
