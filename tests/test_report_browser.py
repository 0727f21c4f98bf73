"""The report and the map in headless chromium: no external request, slider works.

The chromium binary is found by :mod:`tests.browser` (``NANSEI_CHROMIUM`` overrides it).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from nansei.report.report import build_report
from tests.browser import ARGS, chromium, chromium_path  # noqa: F401 (autouse: fails first)
from tests.report_fixtures import write_small_run

LOCAL = ("file://", "data:", "about:")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    run_dir = write_small_run(tmp_path_factory.mktemp("run") / "kyodo")
    return build_report(run_dir, verify_scale=0)


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=chromium(),
            headless=True,
            args=ARGS,
            viewport={"width": 1300, "height": 900},
        )
        yield ctx
        ctx.close()


def _open(ctx, path):
    """Open a local page; record (and block) every request that is not local."""
    page = ctx.new_page()
    external: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("request", lambda req: None if req.url.startswith(LOCAL) else external.append(req.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("window.nanseiMap !== undefined")
    return page, external, errors


def _set_time(page, k):
    page.eval_on_selector(
        "#nansei-time", "(el, k) => { el.value = k; el.dispatchEvent(new Event('input')); }", k
    )


@pytest.mark.parametrize("name", ["report.html", "map.html"])
def test_page_offline_with_island_polygons_and_working_slider(report, browser_context, name):
    from nansei.geo.coastlines import load_coastlines

    page, external, errors = _open(browser_context, report.parent / name)
    n_polys = len(load_coastlines().geojson["features"])
    assert page.locator("path.nansei-coast").count() == n_polys
    assert page.locator("path.nansei-zone").count() >= 1
    # slider at the start: no strike drawn, every launcher alive
    _set_time(page, 0)
    start = page.inner_text("#nansei-status")
    assert page.locator("path.nansei-strike").count() == 0
    assert page.locator("path.nansei-launcher-destroyed").count() == 0
    n_frames = int(page.eval_on_selector("#nansei-time", "el => +el.max")) + 1
    _set_time(page, n_frames - 1)
    end = page.inner_text("#nansei-status")
    assert end != start
    assert page.locator("path.nansei-strike").count() > 0
    assert page.locator("path.nansei-launcher-destroyed").count() > 0
    # toggling a layer off removes its shapes
    page.get_by_label("Sea target zones").uncheck()
    assert page.locator("path.nansei-zone").count() == 0
    assert external == [], external
    assert errors == [], errors
    page.close()


def test_report_images_are_displayed(report, browser_context):
    page, external, _ = _open(browser_context, report)
    widths = page.eval_on_selector_all("img.chart", "els => els.map(e => e.naturalWidth)")
    assert len(widths) == 6 and min(widths) > 100
    assert external == []
    page.close()
