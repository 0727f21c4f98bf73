"""Local web workbench (FastAPI + Jinja + HTMX): ``nansei serve``.

>>> from nansei.web import Settings, create_app   # doctest: +SKIP
"""

from .app import Settings, create_app
from .server import serve

__all__ = ["Settings", "create_app", "serve"]
