"""The vendored Leaflet files, inlined so that pages make no network request."""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources

LEAFLET_DIR = ("static", "vendor", "leaflet")


def _file(*parts: str):
    return resources.files("nansei.report").joinpath(*LEAFLET_DIR, *parts)


@cache
def leaflet_js() -> str:
    """Leaflet's minified JavaScript (BSD-2-Clause, see the vendored LICENSE)."""
    return _file("leaflet.js").read_text(encoding="utf-8")


@cache
def leaflet_css() -> str:
    """Leaflet's CSS with its images turned into data URIs."""
    css = _file("leaflet.css").read_text(encoding="utf-8")

    def inline(m: re.Match) -> str:
        data = _file("images", m.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(data).decode()})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)


@cache
def leaflet_license() -> str:
    """Text of Leaflet's licence."""
    return _file("LICENSE").read_text(encoding="utf-8")


def leaflet_version() -> str:
    """The vendored Leaflet version (from ``VERSION``)."""
    text = _file("VERSION").read_text(encoding="utf-8")
    m = re.search(r"Leaflet (\S+),", text)
    return m.group(1) if m else "unknown"
