"""Take the screenshots of the web workbench and the run brief used in docs/.

Starts a real ``nansei serve`` on 127.0.0.1 in a temporary workspace, forks
``kyodo-2021`` in the editor (the scenario form beside the YAML), runs 200
replications, and photographs the editor, the results page and the printed brief
of the HTML report of a ``nansei run`` (print media at the width of an A4 page
inside the report's margins, down to the appendix), with Debian's chromium
through Playwright. It also prints how many A4 pages the brief and the whole
report take::

    .venv/bin/python scripts/screenshots.py            # writes docs/img/*.png

Needs the dev extras (``make test`` installs them) and chromium.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from tests.browser import ARGS, chromium  # noqa: E402
from tests.web_server import Server  # noqa: E402

#: A4 (210 mm) less the report's 12 mm side margins, at 96 px per inch.
A4_WIDTH_PX = round((210 - 24) / 25.4 * 96)


def _pages(pdf: bytes) -> int:
    """Pages of a PDF written by chromium (one ``/Type /Page`` object per page)."""
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def report_brief(browser, report: Path, path: Path) -> tuple[int, int]:
    """Photograph the printed brief of ``report``; return (brief pages, report pages)."""
    page = browser.new_page(viewport={"width": A4_WIDTH_PX, "height": 1000})
    page.goto(report.as_uri())
    full = _pages(page.pdf(prefer_css_page_size=True))
    page.emulate_media(media="print")
    bottom = page.eval_on_selector("#appendix", "el => el.getBoundingClientRect().top")
    clip = {"x": 0, "y": 0, "width": A4_WIDTH_PX, "height": bottom}
    page.screenshot(path=str(path), full_page=True, clip=clip)
    brief_page = browser.new_page()  # page.pdf prints with print media unless emulated
    brief_page.goto(report.as_uri())
    brief_page.evaluate("document.getElementById('appendix').remove()")
    return _pages(brief_page.pdf(prefer_css_page_size=True)), full


def _wait_finished(page) -> None:
    for _ in range(6000):
        if page.locator("#run-status").inner_text() in ("finished", "failed"):
            return
        page.wait_for_timeout(100)
    raise RuntimeError("the run did not finish")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    ap.add_argument("--reps", type=int, default=200)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        run_dir = tmp / "run"
        subprocess.run(
            [sys.executable, "-m", "nansei", "run", "kyodo-2021", "--reps", str(args.reps),
             "--out", str(run_dir), "--no-uncertainty", "--series", "--trace"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "nansei", "report", str(run_dir), "--verify-scale", "0"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        srv = Server(tmp / "ws")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium(), args=ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(srv.base + "/scenarios/new?fork=kyodo-2021")
                page.wait_for_selector("#param-table")
                page.locator("#param-form").scroll_into_view_if_needed()
                page.evaluate("window.scrollBy(0, -260)")  # the run settings above the form
                page.screenshot(path=str(args.out / "web-editor.png"), full_page=False)
                page.fill("#replications", str(args.reps))
                page.click("#run-button")
                page.wait_for_url("**/runs/r*")
                _wait_finished(page)
                page.wait_for_selector("#headline-table")
                page.wait_for_function(
                    "document.querySelectorAll('#series-charts .main-svg').length >= 3",
                    timeout=300_000,
                )
                page.screenshot(path=str(args.out / "web-results.png"), full_page=True)
                brief, full = report_brief(
                    browser, run_dir / "report.html", args.out / "report-brief.png"
                )
                browser.close()
        finally:
            srv.stop()
    for name in ("web-editor.png", "web-results.png", "report-brief.png"):
        print(args.out / name)
    print(f"report: brief {brief} A4 pages, whole report {full} pages")


if __name__ == "__main__":
    main()
