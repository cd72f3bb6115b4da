"""Cost per resource as templates and folders grow (target: at 10,000 resources within 1.5x of 1,000).

    python benchmarks/bench_scale.py                  # 1k and 10k resources: one template, and a folder
    python benchmarks/bench_scale.py --quick          # 1k and 3k only (a minute, not several)

Writes synthetic templates with `gen_templates.py` into a temporary folder (removed
at the end) and scans each set in a fresh process, one job, no cache, timing each
stage with CPU time (`time.process_time`, so other jobs on a shared machine count
for little): loading (YAML, the SAM transform, intrinsics), building the graph,
and the rules. Start-up and imports are left out, so the figure is the cost that
grows with the input. Two shapes:

- `template`: one template of 1,000, then 10,000 resources (the per-template limits
  `max-resources` and `max-work` are raised for it);
- `folder`: 100, then 1,000 templates of 10 resources each.

For each shape the last line prints CPU seconds per 1,000 resources at the small
and the large size and their ratio; exit 1 when a ratio exceeds 1.5.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_templates  # noqa: E402 - the sibling script

TARGET = 1.5


def child(folder: str) -> None:
    """Scan `folder` in this process and print the CPU seconds of each stage as JSON."""
    from boundary.graph import build_graph
    from boundary.load import LoadOptions, load
    from boundary.model import Limits
    from boundary.rules import evaluate, rule_classes

    classes = rule_classes()
    # 10,000 resources is twice the default per-template limit (a guard against hostile
    # files, docs/security.md), and over the work limit of intrinsic resolution: raised here.
    limits = Limits().replace(max_resources=100_000, max_work=50_000_000)
    start = time.process_time()
    model = load([folder], LoadOptions(limits=limits))
    loaded = time.process_time()
    graph = build_graph(model)
    built = time.process_time()
    findings = evaluate(graph, model, None, classes)
    done = time.process_time()
    print(
        json.dumps(
            {
                "resources": sum(len(t.resources) for t in model.templates),
                "templates": len(model.templates),
                "errors": len(model.errors),
                "findings": len(findings),
                "load": loaded - start,
                "graph": built - loaded,
                "rules": done - built,
                "nodes": graph.number_of_nodes(),
                "edges": graph.number_of_edges(),
            }
        )
    )


def measure(folder: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(folder)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"scan of {folder} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1,000 and 3,000 resources only")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return 0

    large = 3000 if args.quick else 10000
    shapes = {
        "template": [(1000, 1), (large, 1)],
        "folder": [(10, 100), (10, large // 10)],
    }
    failed = False
    print(
        f"{'shape':<9} {'templates':>9} {'resources':>9} {'nodes':>7} {'edges':>7} {'findings':>8} "
        f"{'load s':>7} {'graph s':>7} {'rules s':>7} {'total s':>7} {'s/1k res':>8}"
    )
    with tempfile.TemporaryDirectory(prefix="boundary-scale-") as tmp:
        for shape, sizes in shapes.items():
            per_k = []
            for resources, templates in sizes:
                folder = Path(tmp) / f"{shape}-{resources}x{templates}"
                gen_templates.write(folder, resources, templates)
                r = measure(folder)
                total = r["load"] + r["graph"] + r["rules"]
                per_k.append(1000 * total / r["resources"])
                print(
                    f"{shape:<9} {r['templates']:>9} {r['resources']:>9} {r['nodes']:>7} {r['edges']:>7} "
                    f"{r['findings']:>8} {r['load']:>7.2f} {r['graph']:>7.2f} {r['rules']:>7.2f} "
                    f"{total:>7.2f} {per_k[-1]:>8.3f}"
                )
            ratio = per_k[-1] / per_k[0]
            verdict = "ok" if ratio <= TARGET else f"over the {TARGET}x target"
            print(f"{shape:<9} cost per resource, large / small: {ratio:.2f}x ({verdict})")
            failed = failed or ratio > TARGET
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
