"""The report as a brief: the order of its sections, findings first, the output table grouped
by subsystem with a unit and a description on every row, verification in words with the
validation status, and an A4 print of at most two pages before the appendix (headless
Debian chromium through Playwright)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from playwright.sync_api import sync_playwright

from nansei.engine import evac_layout, layout
from nansei.engine.catalog import SUBSYSTEMS, describe, split_unit
from nansei.report.report import build_report
from tests.browser import ARGS, chromium, chromium_path  # noqa: F401 (autouse: fails first)
from tests.report_fixtures import write_small_run

FINDINGS = [
    "Relocating every 4 h saves 2.1 [1.6, 2.6] launchers <not markup>.",
    "Red wastes 62% [60%, 64%] of its missiles on empty sites.",
    "When the first strike lands, 71,000 [69,000, 73,000] residents are still in the "
    "Sakishima islands; the evacuation completes on day 7.2 [7.0, 7.4].",
    "Law-2021 against amended authorities: no detectable difference in launchers lost "
    "(-0.1 [-0.4, 0.2], paired, 2,000 replications).",
    "Supply: 180 [170, 190] pods delivered to supply points; 4 [3, 5] trips lost.",
]
#: Section ids of the report, in the order issue 16 (item 5) asks for.
ORDER = ["findings", "charts", "map", "outputs", "assumptions", "verification"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = write_small_run(tmp_path_factory.mktemp("run") / "kyodo")
    stored = {
        "checks": [
            {"check": "conservation-missiles", "expected": 0.0, "simulated": 0.0, "se": 0.0,
             "z": float("inf"), "replications": 10, "passed": True},
            {"check": "evac-plan-total", "expected": 120000.0, "simulated": 117339.0,
             "se": 0.0, "z": float("-inf"), "replications": 10, "passed": True},
        ],
        "validation": [
            {"row": "loss-rate-per-launcher-day", "source": "press", "grade": "B",
             "band_low": 0.0, "band_high": 4e-4, "simulated": 3.7e-3, "ci_low": 3.1e-3,
             "ci_high": 4.3e-3, "passed": False},
        ],
    }  # fmt: skip
    (out / "verification.json").write_text(json.dumps(stored), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def with_findings(run_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("brief") / "report.html"
    return build_report(run_dir, out=out, findings=FINDINGS)


@pytest.fixture(scope="module")
def without_findings(run_dir, tmp_path_factory):
    return build_report(run_dir, out=tmp_path_factory.mktemp("plain") / "report.html")


def _positions(html: str, ids) -> list[int]:
    return [html.index(f'id="{i}"') for i in ids]


def test_sections_come_in_order_and_findings_first(with_findings, without_findings):
    html = with_findings.read_text(encoding="utf-8")
    pos = _positions(html, ORDER)
    assert pos == sorted(pos), dict(zip(ORDER, pos, strict=True))
    # the findings are the first section, in the given order, escaped as text
    assert html.index('id="findings"') < html.index("<img")
    items = re.findall(r"<li>(.*?)</li>", html.split('id="findings"')[1].split("</ul>")[0])
    assert items == [f.replace("<", "&lt;").replace(">", "&gt;") for f in FINDINGS]
    plain = without_findings.read_text(encoding="utf-8")
    assert 'id="findings"' not in plain and "Findings" not in plain
    pos = _positions(plain, ORDER[1:])
    assert pos == sorted(pos)


class _Table(HTMLParser):
    """Rows of the output table: subsystem, output, unit and description."""

    def __init__(self):
        super().__init__()
        self.groups: list[str] = []
        self.rows: list[dict] = []
        self._field = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tbody" and "data-subsystem" in a:
            self.groups.append(a["data-subsystem"])
        elif tag == "tr" and "data-output" in a:
            self.rows.append(
                {
                    "subsystem": self.groups[-1],
                    "output": a["data-output"],
                    "unit": "",
                    "description": "",
                }
            )
        elif tag == "td" and a.get("data-field") in ("unit", "description"):
            self._field = a["data-field"]

    def handle_endtag(self, tag):
        if tag == "td":
            self._field = None

    def handle_data(self, data):
        if self._field:
            self.rows[-1][self._field] += data


def test_output_table_is_grouped_with_a_unit_and_description_on_every_row(with_findings):
    p = _Table()
    p.feed(with_findings.read_text(encoding="utf-8"))
    keys = [k for k, _ in SUBSYSTEMS]
    assert p.groups == sorted(p.groups, key=keys.index)
    assert {"launchers", "fires", "red", "sustainment", "legal", "civil"} <= set(p.groups)
    assert "other" not in p.groups
    assert len(p.rows) > 140
    for r in p.rows:
        assert r["unit"].strip() and r["description"].strip(), r
    by = {r["output"]: r for r in p.rows}
    assert by["salvos_fired"] == {
        "subsystem": "fires", "output": "salvos_fired", "unit": "count",
        "description": "salvos fired",
    }  # fmt: skip
    assert (
        by["fuel_delivered_l"]["subsystem"] == "sustainment"
        and by["fuel_delivered_l"]["unit"] == "l"
    )
    assert by["blocked_us_fires_from_japan"]["subsystem"] == "legal"
    assert by["no_launcher_lost"]["unit"] == "probability"
    ishigaki = by["evac_remaining.ishigaki"]
    assert ishigaki["subsystem"] == "civil" and ishigaki["unit"] == "people"
    assert ishigaki["description"].startswith("ishigaki: people of the island")
    assert by["evac_hosted.Fukuoka"]["description"].startswith("Fukuoka: evacuees")
    assert "<details" in with_findings.read_text(encoding="utf-8")


def test_the_catalog_reads_every_layout_output():
    for name, text in layout.OUTPUTS:
        info = describe(name)
        assert info.subsystem != "other" and info.description and info.unit, name
        assert (info.description, info.unit) == split_unit(text)
    for name, unit, what in evac_layout.SCALAR_OUTPUTS:
        assert describe(name).unit == unit and describe(name).description == what
    for name, unit, _ in (*evac_layout.ISLAND_OUTPUTS, evac_layout.HOSTED_OUTPUT):
        info = describe(f"{name}.yonaguni")
        assert info.subsystem == "civil" and info.unit == unit
    assert describe("no_such_column").subsystem == "other"


def test_verification_in_words_and_validation_status(with_findings):
    html = with_findings.read_text(encoding="utf-8")
    table = html.split('id="verification-table"')[1].split("</table>")[0]
    assert "inf" not in table
    assert '<td class="num">exact</td>' in table  # an identity, not z = +inf
    assert "within ±" in table  # a published "about" figure within its tolerance
    assert "1 of 1 rows fail" in html and 'id="validation-table"' in html


def _pages(pdf: bytes) -> int:
    """Pages of a PDF written by chromium (one ``/Type /Page`` object per page)."""
    n = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert n == max(int(c) for c in re.findall(rb"/Count (\d+)", pdf))
    return n


def test_prints_a_brief_of_at_most_two_a4_pages_then_the_appendix(with_findings):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), headless=True, args=ARGS)
        page = browser.new_page()
        page.goto(with_findings.as_uri())
        full = _pages(page.pdf(prefer_css_page_size=True))
        # on screen the output table is collapsed; in print it is shown in full
        height = "el => el.getBoundingClientRect().height"
        assert page.eval_on_selector("#output-details", height) < 60
        page.emulate_media(media="print")
        assert page.eval_on_selector("#output-details", height) > 2000
        assert page.eval_on_selector("#interactive-map", "el => el.offsetHeight") == 0
        brief_page = browser.new_page()  # page.pdf prints with print media unless emulated
        brief_page.goto(with_findings.as_uri())
        brief_page.evaluate("document.getElementById('appendix').remove()")
        brief = _pages(brief_page.pdf(prefer_css_page_size=True))
        browser.close()
    assert 1 <= brief <= 2
    assert full >= brief + 2  # the appendix starts on a new page and runs over several
