"""The workbench's scenario form, run defaults, series charts, compare defaults and
experiment pages, in headless chromium against a real ``nansei serve`` (issue 16, item 8).

* The form is generated from the JSON Schema: units, bounds and choices are shown,
  a changed field is applied like ``--set`` (and refused with its path when out of
  bounds), and the run form starts from the scenario's own replications and seed.
* A saved scenario's file name and its YAML ``name:`` agree.
* A run's results page draws the series over time with bands, from the run's
  first replications re-run with its seed: the same random numbers as the stored ones.
* Compare opens on two different runs; an experiment's page keeps design points apart.
"""

from __future__ import annotations

import io
import json
from html import unescape

import pandas as pd
import pytest
import yaml

from nansei.scenario import load_scenario
from tests.browser import chromium_path, local_browser  # noqa: F401 (autouse: fails first)
from tests.web_server import Server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("web-pages") / "ws")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory, server):
    with local_browser(tmp_path_factory.mktemp("chromium-profile"), server.base) as ctx:
        yield ctx


def _finish(page) -> str:
    page.wait_for_url("**/runs/r*")
    rid = page.url.rsplit("/", 1)[1]
    for _ in range(1200):
        if page.locator("#run-status").inner_text() in ("finished", "failed"):
            break
        page.wait_for_timeout(100)
    assert page.locator("#run-status").inner_text() == "finished"
    return rid


def _launch_experiment(page, base: str, name: str, reps: int) -> str:
    """Launch a built-in experiment from the home page and wait until it has finished."""
    page.goto(base + "/")
    page.select_option("#experiment-form select[name=experiment]", name)
    page.fill("#experiment-form input[name=replications]", str(reps))
    page.click("#experiment-form button[type=submit]")
    return _finish(page)


def _field(page, path: str):
    return page.locator(f"#param-table tr[data-path='{path}']")


def test_form_defaults_series_and_compare(server, browser):
    sc = load_scenario("ideal-fixed-delay")
    page = browser.new_page()
    page.goto(server.base + "/scenarios/new?fork=ideal-fixed-delay")
    page.wait_for_selector("#param-table")

    # the run form starts from the scenario's own run settings, not 200 and 1
    assert page.input_value("#replications") == str(sc.run.replications)
    assert page.input_value("#seed") == str(sc.run.seed)

    # fields come from the JSON Schema: unit, bounds, choices
    row = _field(page, "red.p_kill")
    cells = row.locator("td").all_inner_texts()
    assert cells[2] == "probability" and cells[3] == "0 to 1"
    assert row.locator("input[type=number]").get_attribute("max") == "1.0"
    kc = _field(page, "red.kill_chain.delay_h.value").locator("td").all_inner_texts()
    assert kc[2] == "h"
    choices = _field(page, "blue.relocation.site_choice").locator("option").all_inner_texts()
    assert choices == ["random", "nearest_free", "least_recently_used", "farthest"]
    assert "no source given" in _field(page, "red.p_kill").inner_text()

    # a value out of bounds (past the browser's own check) is refused with its path
    _field(page, "red.p_kill").locator("input[type=number]").evaluate(
        "e => { e.removeAttribute('max'); e.value = '1.5'; }"
    )
    page.click("#apply-button")
    problem = page.locator("li.problem").first
    problem.wait_for()
    assert problem.get_attribute("data-path") == "red.p_kill"
    assert "1.5" in problem.inner_text()

    # a valid change is applied to the YAML like --set
    page.fill("#param-table tr[data-path='red.p_kill'] input[type=number]", "0.4")
    page.click("#apply-button")
    page.wait_for_selector("#notice")
    assert "red.p_kill = 0.4" in page.inner_text("#notice")
    assert yaml.safe_load(page.input_value("#yaml"))["red"]["p_kill"] == 0.4

    # saved under another name: the file and its name: agree
    page.fill("#scenario-name", "my-variant")
    page.click("#save-button")
    page.wait_for_url("**/scenarios/saved/my-variant")
    saved = (server.store / "scenarios" / "my-variant.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(saved)["name"] == "my-variant"

    # run A from the form with a changed field (p_kill 0.8 -> 0.4 applied on Run)
    page.goto(server.base + "/scenarios/new?fork=ideal-fixed-delay")
    page.wait_for_selector("#param-table")
    page.fill("#param-table tr[data-path='red.p_kill'] input[type=number]", "0.4")
    page.fill("#replications", "60")
    page.click("#run-button")
    run_a = _finish(page)
    text = page.request.get(f"{server.base}/runs/{run_a}/scenario.yaml").text()
    assert yaml.safe_load(text)["red"]["p_kill"] == 0.4

    # its results open with the findings, then the headline outputs; the full table is
    # collapsed
    page.wait_for_selector("#headline-table")
    findings = page.locator("#findings li").all_inner_texts()
    assert findings and "of 1 launchers" in findings[0] and "[" in findings[0]
    assert (
        page.locator("#findings").bounding_box()["y"]
        < (page.locator("#headline-table").bounding_box()["y"])
    )
    assert page.locator("#headline-table tr[data-output='launchers_lost']").count() == 1
    assert page.locator("#all-outputs").get_attribute("open") is None
    assert page.locator("#summary-table tr[data-output]").count() > 50

    # its results draw the series over time, from the same random numbers
    page.wait_for_function(
        "document.querySelectorAll('#series-charts .series-chart .main-svg').length >= 3"
    )
    doc = json.loads(page.request.get(f"{server.base}/runs/{run_a}/series.json").text())
    assert doc["replications"] == 60 and doc["seed"] == sc.run.seed
    alive = next(c for c in doc["charts"] if c["column"] == "launchers_alive")["lines"][0]
    records = pd.read_csv(
        io.BytesIO(page.request.get(f"{server.base}/runs/{run_a}/records.csv").body())
    )
    lost = records.sort_values("replication")["launchers_lost"].head(60).mean()
    count = sum(g.count for g in sc.blue.launchers)
    assert alive["mean"][-1] == pytest.approx(count - lost, abs=1e-9)

    # run B: the scenario unchanged
    page.goto(server.base + "/scenarios/new?fork=ideal-fixed-delay")
    page.wait_for_selector("#param-table")
    page.fill("#replications", "60")
    page.click("#run-button")
    run_b = _finish(page)

    # compare opens on two different runs, the older as A
    page.goto(server.base + "/compare")
    page.wait_for_selector("#compare-table")
    assert page.input_value("#compare-a") == run_a
    assert page.input_value("#compare-b") == run_b
    row = page.locator("#compare-table tr[data-output='time_first_loss_h']")
    assert float(row.locator("td.diff").inner_text()) < 0  # B (p_kill 0.8) loses one sooner
    # the same run on both sides is refused with a message
    page.goto(f"{server.base}/compare?a={run_a}&b={run_a}")
    assert "two different runs" in page.inner_text("main")
    assert browser.errors == [] and browser.external == []


def test_experiment_page_keeps_design_points_apart(server, browser):
    page = browser.new_page()
    _launch_experiment(page, server.base, "ideal-nolh", 2)
    page.wait_for_selector("#by-point")
    assert page.locator("#summary-table").count() == 0  # nothing pooled across points
    header = page.locator("#by-point tr").first.inner_text()
    for factor in ("red.isr.detection_rate_per_h.hidden", "red.p_kill", "red.daily_capacity"):
        assert factor in header
    outputs = page.locator("#by-point th.output").all_inner_texts()
    assert outputs and not any("factor" in o for o in outputs)  # factors are not outputs
    rows = page.locator("#by-point tr[data-point]")
    assert rows.count() == 17  # every NOLH point, none pooled
    page.wait_for_function("document.querySelectorAll('#charts .chart .main-svg').length > 0")
    assert page.locator("#charts .chart[data-kind='hist']").count() == 0
    assert page.locator("#charts .chart[data-kind='points']").count() >= 1
    assert page.locator("#series-charts").count() == 0
    assert browser.errors == []


def test_studies_page_runs_a_study_and_opens_with_its_answer(server, browser):
    page = browser.new_page()
    page.goto(server.base + "/studies")
    rows = page.locator("#studies-table tr[data-study]")
    names = [rows.nth(i).get_attribute("data-study") for i in range(rows.count())]
    assert "law-2021-vs-amended" in names and "relocation-vs-kill-chain" in names
    row = page.locator("#studies-table tr[data-study='law-2021-vs-amended']")
    assert "legal" in row.inner_text().lower()
    row.locator("input[name=replications]").fill("20")
    row.locator("button[type=submit]").click()
    page.wait_for_url("**/runs/r*")
    for _ in range(3000):
        if page.locator("#run-status").inner_text() in ("finished", "failed"):
            break
        page.wait_for_timeout(100)
    assert page.locator("#run-status").inner_text() == "finished"
    page.wait_for_selector("#study-findings li")
    answer = page.locator("#study-findings li").all_inner_texts()
    assert answer and all("[" in a or "no " in a for a in answer)
    page.frame_locator("#brief-frame").locator("h1").first.wait_for()
    # the brief opens with the question and its answer, before any table
    rid = page.url.rsplit("/", 1)[1]
    brief = unescape(page.request.get(f"{server.base}/runs/{rid}/brief").text())
    assert "<table" in brief
    assert 0 <= brief.find(answer[0][:40]) < brief.index("<table")
    assert browser.errors == []


def test_experiment_with_a_choice_factor_shows_its_levels(server, browser):
    page = browser.new_page()
    _launch_experiment(page, server.base, "kyodo-legal-authorities", 2)
    page.wait_for_selector("#by-point")
    cells = page.locator("#by-point td.factor").all_inner_texts()
    assert {"law-2021", "amended"} <= set(cells)
    page.wait_for_function("document.querySelectorAll('#charts .chart .main-svg').length > 0")
    assert browser.errors == []
