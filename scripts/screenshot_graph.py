"""Regenerate the README's screenshot of the HTML view of the insecure SAM sample.

    python scripts/screenshot_graph.py [OUT.png]

Drives Debian's chromium through Playwright (nothing downloaded; set
BOUNDARY_CHROMIUM to use another binary) on `boundary graph --format html` of
samples/sam/insecure, with BookingRole selected so the side panel shows its
grants and findings.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import boundary
from boundary.export import ExportOptions, export_graph

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "samples/sam/insecure/template.yaml"
OUT = ROOT / "docs" / "images" / "graph-insecure.png"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main(out: Path = OUT) -> None:
    os.chdir(ROOT)
    graph = boundary.build_graph(boundary.load([SAMPLE]))
    findings = boundary.analyze([SAMPLE]).findings
    options = ExportOptions(findings=findings, hide=("other", "principal"))
    html = export_graph(graph, "html", options, title="boundary: samples/sam/insecure")
    chromium = os.environ.get("BOUNDARY_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_file = Path(folder) / "view.html"
        page_file.write_text(html, encoding="utf-8")
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page(viewport={"width": 1500, "height": 660}, device_scale_factor=1)
        page.route(
            "**/*",
            lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
        )
        page.goto(page_file.as_uri())
        page.wait_for_selector("body[data-ready='true']")
        page.evaluate(
            "window.boundaryView.select(window.boundaryView.cy.nodes().filter(n => n.data('label') === 'BookingRole').id())"
        )
        page.wait_for_timeout(600)  # the selection's centering animation
        page.evaluate("void window.boundaryView.cy.stop().fit(undefined, 16)")
        page.wait_for_timeout(200)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
