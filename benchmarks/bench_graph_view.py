"""How long the HTML graph view takes to become interactive, on a generated template.

    python benchmarks/bench_graph_view.py                 # 100 services (~300 resources), 3 runs
    python benchmarks/bench_graph_view.py --services 200 --runs 5

Writes a SAM template with N services (a function behind an HTTP API route, its own
table, one shared topic) to a temporary folder, exports `boundary graph --format html`,
opens it in Debian's chromium through Playwright (no request allowed), and reports
the export time and the time from navigation start until the page is interactive
(layout done, handlers bound: `window.boundaryView.readyAt`). Target: under 2 s;
exit 1 when the median misses it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import boundary
from boundary.export import ExportOptions, export_graph

TARGET_S = 2.0
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def template(services: int) -> str:
    lines = [
        'AWSTemplateFormatVersion: "2010-09-09"',
        "Transform: AWS::Serverless-2016-10-31",
        "Globals:",
        "  Function: {Runtime: python3.12, Handler: app.handler, CodeUri: s3://bench/code.zip}",
        "Resources:",
        "  Events:",
        "    Type: AWS::SNS::Topic",
    ]
    for index in range(services):
        lines += [
            f"  Table{index}:",
            "    Type: AWS::DynamoDB::Table",
            "    Properties:",
            "      BillingMode: PAY_PER_REQUEST",
            "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]",
            "      KeySchema: [{AttributeName: id, KeyType: HASH}]",
            f"  Service{index}:",
            "    Type: AWS::Serverless::Function",
            "    Properties:",
            "      Policies:",
            f"        - DynamoDBCrudPolicy: {{TableName: !Ref Table{index}}}",
            "        - SNSPublishMessagePolicy: {TopicName: !GetAtt Events.TopicName}",
            "      Events:",
            f"        Call: {{Type: HttpApi, Properties: {{Path: /service{index}, Method: post}}}}",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("BOUNDARY_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "template.yaml"
        source.write_text(template(args.services), encoding="utf-8")
        started = time.perf_counter()
        model = boundary.load([source])
        graph = boundary.build_graph(model)
        findings = boundary.analyze([source]).findings
        page_file = Path(folder) / "view.html"
        page_file.write_text(export_graph(graph, "html", ExportOptions(findings=findings)), encoding="utf-8")
        exported = time.perf_counter() - started
        resources = len(model.templates[0].resources)
        print(
            f"{args.services} services: {resources} resources, {graph.number_of_nodes()} nodes, "
            f"{graph.number_of_edges()} edges; load, scan and export {exported:.2f} s"
        )
        ready: list[float] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
            for _ in range(args.runs):
                page = browser.new_page(viewport={"width": 1400, "height": 860})
                url = page_file.as_uri()
                page.route(
                    "**/*",
                    lambda route: (
                        route.continue_() if route.request.url.startswith("file:") else route.abort()
                    ),
                )
                page.goto(url)
                page.wait_for_selector("body[data-ready='true']", timeout=60_000)
                ready.append(page.evaluate("window.boundaryView.readyAt") / 1000)
                page.close()
            browser.close()
    median = statistics.median(ready)
    print(
        f"interactive after {', '.join(f'{r:.2f}' for r in ready)} s; median {median:.2f} s (target < {TARGET_S} s)"
    )
    return 0 if median < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
