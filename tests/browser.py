"""The chromium binary that the browser tests drive through Playwright.

Never ``playwright install``: the tests use ``$NANSEI_CHROMIUM`` when it is set (even when
``/usr/bin/chromium`` exists), else Debian's ``/usr/bin/chromium``, else ``chromium`` on
``PATH``. When there is none they fail, never skip, with a one-line message that says how to
install it. A browser test module imports :func:`chromium_path`, an autouse fixture, so the
check runs before its other (slower) fixtures, and launches :func:`chromium` with :data:`ARGS`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

DEFAULT = "/usr/bin/chromium"
#: Headless chromium without network side traffic (every test also blocks non-local requests).
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOW = (
    "install it with `sudo apt-get install chromium` (Debian) "
    "or set NANSEI_CHROMIUM=/path/to/chromium"
)


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def chromium() -> str:
    """The chromium executable to use; fails the calling test when there is none."""
    explicit = os.environ.get("NANSEI_CHROMIUM")
    if explicit:
        if _executable(explicit):
            return explicit
        pytest.fail(f"chromium not found at {explicit} (NANSEI_CHROMIUM): {HOW}", pytrace=False)
    if _executable(DEFAULT):
        return DEFAULT
    found = shutil.which("chromium")
    if found:
        return found
    pytest.fail(f"chromium not found at {DEFAULT} nor on PATH: {HOW}", pytrace=False)


@pytest.fixture(scope="module", autouse=True)
def chromium_path() -> str:
    """The chromium executable, looked up before the module's other fixtures."""
    return chromium()


@contextmanager
def local_browser(profile: Path, base: str, **options) -> Iterator:
    """A headless chromium context for pages served from ``base``.

    Every request that does not go to ``base`` (or a ``data:``, ``about:`` or ``blob:``
    URL) is blocked and recorded in ``ctx.external``; uncaught page errors are recorded in
    ``ctx.errors``. ``options`` go to Playwright's ``launch_persistent_context`` (for
    example ``viewport`` or ``accept_downloads``).
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        options.setdefault("viewport", {"width": 1400, "height": 1000})
        ctx = p.chromium.launch_persistent_context(
            str(profile), executable_path=chromium(), headless=True, args=ARGS, **options
        )
        external: list[str] = []
        errors: list[str] = []

        def route(r):
            if r.request.url.startswith((base, "data:", "about:", "blob:")):
                r.continue_()
            else:
                external.append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        ctx.on("page", lambda pg: pg.on("pageerror", lambda e: errors.append(str(e))))
        ctx.external, ctx.errors = external, errors
        try:
            yield ctx
        finally:
            ctx.close()
