"""boundary: find broken security boundaries in serverless applications before deploy.

The public API is small and typed::

    import boundary

    model = boundary.load(["template.yaml"])        # SAM, CloudFormation, Terraform plan JSON
    graph = boundary.build_graph(model)             # networkx.MultiDiGraph
    findings = boundary.scan(["template.yaml"])     # list[Finding]
    page = boundary.export_graph(graph, "html")     # also dot, graphml, mermaid, json
    paths = boundary.paths_from(graph)              # the internet to every data resource

Names are imported lazily, so `boundary --version` stays fast: nothing heavy
(the SAM translator, the IAM catalog, networkx) is imported until it is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# `boundary.load` is the function that loads files into a `Model`. Its package,
# `boundary/load/`, shares the name: it is imported here, once (it is light; the
# loaders it dispatches to are imported when a file needs them), so the name is bound
# to the function and importing a loader module later never rebinds it to the package.
from boundary.load import LoadOptions, load, load_policy

__all__ = [
    "AccessPath",
    "Category",
    "Config",
    "Decision",
    "ExportOptions",
    "Finding",
    "Limits",
    "LoadOptions",
    "LoadError",
    "Model",
    "ScanError",
    "ScanResult",
    "Severity",
    "Suppression",
    "__version__",
    "analyze",
    "blast_radius",
    "build_graph",
    "export_graph",
    "load",
    "load_config",
    "load_policy",
    "paths_from",
    "scan",
    "validate_policy",
    "who_can_reach",
]

_LAZY = {
    "Model": "boundary.model",
    "LoadError": "boundary.model",
    "Limits": "boundary.model",
    "build_graph": "boundary.graph",
    "analyze": "boundary.scanner",
    "scan": "boundary.scanner",
    "ScanResult": "boundary.scanner",
    "ScanError": "boundary.scanner",
    "Finding": "boundary.findings",
    "Severity": "boundary.findings",
    "Category": "boundary.findings",
    "Decision": "boundary.findings",
    "Suppression": "boundary.findings",
    "Config": "boundary.config",
    "load_config": "boundary.config",
    "validate_policy": "boundary.iam",
    "export_graph": "boundary.export",
    "ExportOptions": "boundary.export",
    "AccessPath": "boundary.graph.paths",
    "paths_from": "boundary.graph.paths",
    "blast_radius": "boundary.graph.paths",
    "who_can_reach": "boundary.graph.paths",
}

if TYPE_CHECKING:
    from boundary.config import Config, load_config
    from boundary.export import ExportOptions, export_graph
    from boundary.findings import Category, Decision, Finding, Severity, Suppression
    from boundary.graph import build_graph
    from boundary.graph.paths import AccessPath, blast_radius, paths_from, who_can_reach
    from boundary.iam import validate_policy
    from boundary.model import Limits, LoadError, Model
    from boundary.scanner import ScanError, ScanResult, analyze, scan


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'boundary' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
