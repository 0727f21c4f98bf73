"""Screenshot of a report's printed brief for the docs (``docs/img/report-brief.png``).

Opens ``report.html`` of a run directory in headless Debian chromium (Playwright, never
``playwright install``), emulates print media at the width of an A4 page inside the
report's margins, and captures the brief: findings, headline charts and the map, down to
the appendix. Also prints how many A4 pages the brief and the whole report take. Usage::

    nansei run kyodo-2021 --reps 400 --seed 7 --series --trace --out runs/doc
    nansei report runs/doc --verify-scale 0
    python scripts/report_screenshot.py runs/doc docs/img/report-brief.png
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

#: A4 (210 mm) less the report's 12 mm side margins, at 96 px per inch.
WIDTH_PX = round((210 - 24) / 25.4 * 96)


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def main(run_dir: str, out: str) -> None:
    report = Path(run_dir, "report.html").resolve()
    exe = os.environ.get("NANSEI_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": WIDTH_PX, "height": 1000})
        page.goto(report.as_uri())
        full = _pages(page.pdf(prefer_css_page_size=True))
        page.emulate_media(media="print")
        bottom = page.eval_on_selector("#appendix", "el => el.getBoundingClientRect().top")
        page.screenshot(
            path=out, full_page=True, clip={"x": 0, "y": 0, "width": WIDTH_PX, "height": bottom}
        )
        brief_page = browser.new_page()
        brief_page.goto(report.as_uri())
        brief_page.evaluate("document.getElementById('appendix').remove()")
        brief = _pages(brief_page.pdf(prefer_css_page_size=True))
        browser.close()
    print(f"{out}: brief {brief} A4 pages, report {full} pages")


if __name__ == "__main__":
    main(*sys.argv[1:3])
