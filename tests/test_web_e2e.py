"""End to end in headless chromium against a real ``nansei serve`` on 127.0.0.1.

Upload a broken scenario and see the error at the right field and line; fix it
and run 200 replications; watch the progress bar complete; see the results
table, the charts and the map; compare two runs; download the CSV. No request
may leave the local server. The chromium binary is found by :mod:`tests.browser`
(``NANSEI_CHROMIUM`` overrides it).
"""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.browser import chromium_path, local_browser  # noqa: F401 (autouse: fails first)
from tests.web_server import Server, scenario_text


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("web") / "ws")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory, server):
    profile = tmp_path_factory.mktemp("chromium-profile")
    with local_browser(profile, server.base, accept_downloads=True) as ctx:
        yield ctx


def _broken(tmp_path):
    text = scenario_text().replace("  p_kill: 0.8", "  p_kill: 1.5")
    assert text != scenario_text()
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s == "  p_kill: 1.5")
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path, line


def _run_from_editor(page, reps: int) -> str:
    page.fill("#replications", str(reps))
    page.click("#run-button")
    page.wait_for_url("**/runs/r*")
    return page.url.rsplit("/", 1)[1]


def _watch_progress(page) -> list[tuple[int, int]]:
    seen = []
    for _ in range(1200):
        bar = page.locator("#run-progress")
        seen.append((int(bar.get_attribute("value")), int(bar.get_attribute("max"))))
        if page.locator("#run-status").inner_text() == "finished":
            break
        page.wait_for_timeout(100)
    bar = page.locator("#run-progress")
    seen.append((int(bar.get_attribute("value")), int(bar.get_attribute("max"))))
    return seen


def test_workbench_end_to_end(server, browser, tmp_path):
    page = browser.new_page()
    page.goto(server.base + "/")
    assert page.locator("#builtin-scenarios tr").count() >= 2

    # 1. upload a broken scenario: the error is shown beside its field and line
    path, line = _broken(tmp_path)
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-button")
    page.wait_for_selector("#validity.invalid")
    problem = page.locator("li.problem").first
    assert problem.get_attribute("data-path") == "red.p_kill"
    assert problem.get_attribute("data-line") == str(line)
    assert "1.5" in problem.inner_text()
    beside = page.locator(f".line-error[data-line='{line}'] .beside")
    assert beside.count() == 1
    assert "red.p_kill" in beside.inner_text()
    assert page.locator(".line-error").count() == 1

    # 2. fix it in the editor; validation (HTMX) says valid; run 200 replications
    page.fill("#yaml", path.read_text(encoding="utf-8").replace("p_kill: 1.5", "p_kill: 0.8"))
    page.click("#validate-button")
    page.wait_for_selector("#validity.valid")
    run_a = _run_from_editor(page, 200)
    seen = _watch_progress(page)
    assert seen[-1] == (200, 200)
    assert all(0 <= v <= m == 200 for v, m in seen)
    assert [v for v, _ in seen] == sorted(v for v, _ in seen)  # the bar only moves forward
    page.wait_for_selector("#headline-table")
    row = page.locator("#summary-table tr[data-output='launchers_lost']")
    assert row.count() == 1
    assert row.locator("td").nth(5).text_content() == "200"
    page.wait_for_function("document.querySelectorAll('#charts .chart .main-svg').length > 0")
    frame = page.frame_locator("#map-frame")
    frame.locator("path.nansei-coast").first.wait_for()
    assert frame.locator("path.nansei-coast").count() > 10

    # a second run of a changed scenario (same seed, so the pairs share random numbers)
    page.goto(server.base + "/scenarios/new?fork=ideal-fixed-delay")
    page.wait_for_selector("#validity.valid")
    page.fill("#yaml", scenario_text().replace("  p_kill: 0.8", "  p_kill: 0.4"))
    run_b = _run_from_editor(page, 200)
    assert _watch_progress(page)[-1] == (200, 200)
    page.wait_for_selector("#headline-table")

    # 3. compare the two runs
    page.goto(server.base + "/compare")
    page.select_option("#compare-a", run_a)
    page.select_option("#compare-b", run_b)
    page.click("#compare-button")
    page.wait_for_selector("#compare-table")
    row = page.locator("#compare-table tr[data-output='time_first_loss_h']")
    cells = row.locator("td").all_inner_texts()
    assert cells[-1] == "200"  # pairs
    assert float(cells[5]) > 0  # p_kill 0.4 survives longer than 0.8
    assert "common random numbers" in page.inner_text("main")

    # 4. download the CSV of run A
    page.goto(f"{server.base}/runs/{run_a}")
    page.wait_for_selector("#download-csv")
    with page.expect_download() as dl:
        page.click("#download-csv")
    data = open(dl.value.path(), "rb").read()
    df = pd.read_csv(io.BytesIO(data))
    assert len(df) == 200
    assert sorted(df["replication"]) == list(range(200))
    assert "launchers_lost" in df.columns

    assert browser.external == []
    assert browser.errors == []
