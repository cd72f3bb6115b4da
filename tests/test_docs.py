"""The hand-written docs name what the code has: graph schema, configuration keys,
suppression sources, SARIF severities, README commands. Each test reads a doc
table and compares it with the code, so a rename on either side fails here."""

from __future__ import annotations

import json
import re
import sys
from importlib import resources
from pathlib import Path

import pytest

import boundary
from boundary.graph import EdgeKind, NodeKind
from boundary.model import ResourceKind
from boundary.report.sarif import SECURITY_SEVERITY
from boundary.rules import Severity, find_rule
from boundary.rules._config import _KEYS, _SUPPRESS_KEYS, parse_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _section(doc: str, heading: str) -> str:
    """The text under `heading` up to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    body = doc.split(f"\n{heading}\n", 1)[1]
    return re.split(rf"\n#{{1,{len(level)}}} ", body, maxsplit=1)[0]


def _first_column(section: str) -> list[str]:
    """The backquoted names in the first column of a Markdown table."""
    names: list[str] = []
    for cell in re.findall(r"^\| ([^|]+) \|", section, flags=re.MULTILINE):
        names += re.findall(r"`([^`]+)`", cell)
    return names


def _constants(cls: type) -> set[str]:
    return {value for name, value in vars(cls).items() if name.isupper() and isinstance(value, str)}


@pytest.fixture(scope="module")
def graph_doc() -> str:
    return (DOCS / "graph.md").read_text(encoding="utf-8")


def test_graph_doc_lists_exactly_the_node_kinds(graph_doc: str) -> None:
    documented = set(_first_column(_section(graph_doc, "## Nodes")))
    assert documented == {k.value for k in ResourceKind} | _constants(NodeKind)


def test_graph_doc_lists_exactly_the_edge_kinds(graph_doc: str) -> None:
    documented = set(_first_column(_section(graph_doc, "## Edges")))
    assert documented == _constants(EdgeKind)


def test_graph_doc_names_every_attribute_the_graph_sets(graph_doc: str) -> None:
    """Built from the samples and every rule fixture: each attribute key appears in backquotes."""
    paths = [ROOT / "samples", ROOT / "tests" / "rules" / "fixtures", ROOT / "tests" / "fixtures"]
    graph = boundary.build_graph(boundary.load([p for p in paths if p.exists()]))
    node_keys = {key for _, data in graph.nodes(data=True) for key in data}
    edge_keys = {key for _, _, data in graph.edges(data=True) for key in data}
    assert {"kind", "label", "arns"} <= node_keys and {"kind", "statement"} <= edge_keys
    undocumented = sorted(k for k in node_keys | edge_keys if f"`{k}`" not in graph_doc)
    assert undocumented == []


def test_graph_doc_lists_every_query(graph_doc: str) -> None:
    from boundary.graph import permissions, queries

    functions = [
        name
        for module in (queries, permissions)
        for name in module.__all__
        if callable(getattr(module, name)) and name[0].islower()
    ]
    assert functions
    assert sorted(name for name in functions if f"`{name}" not in graph_doc) == []


@pytest.fixture(scope="module")
def configuration_doc() -> str:
    return (DOCS / "configuration.md").read_text(encoding="utf-8")


def test_configuration_doc_example_uses_exactly_the_known_keys(configuration_doc: str) -> None:
    example = configuration_doc.split("```toml", 1)[1].split("```", 1)[0]
    table = tomllib.loads(example)["tool"]["boundary"]
    assert set(table) == _KEYS
    assert {key for entry in table["suppress"] for key in entry} == _SUPPRESS_KEYS
    config = parse_config(table)  # the documented example is a valid configuration
    assert config.select and config.ignore and config.severity and config.suppress


def test_configuration_doc_example_thresholds_exist(configuration_doc: str) -> None:
    example = configuration_doc.split("```toml", 1)[1].split("```", 1)[0]
    thresholds = tomllib.loads(example)["tool"]["boundary"]["thresholds"]
    for rule, values in thresholds.items():
        meta = find_rule(rule)
        assert meta is not None, rule
        assert set(values) <= set(meta.thresholds), (rule, sorted(meta.thresholds))


def test_suppression_sources_agree_across_schema_and_docs(configuration_doc: str) -> None:
    schema = json.loads(
        resources.files("boundary").joinpath("schemas/findings.schema.json").read_text("utf-8")
    )
    finding = schema["$defs"]["finding"]["properties"]["suppression"]["oneOf"][1]
    sources = finding["properties"]["source"]["enum"]
    output_doc = (DOCS / "output.md").read_text(encoding="utf-8")
    for source in sources:
        assert f"`{source}`" in output_doc
    assert {"metadata", "checkov-metadata", "config"} <= {s for s in sources if f"`{s}`" in configuration_doc}


def test_output_doc_gives_the_sarif_security_severities() -> None:
    sarif = _section((DOCS / "output.md").read_text(encoding="utf-8"), "## SARIF")
    for severity, score in SECURITY_SEVERITY.items():
        if severity is not Severity.INFO:
            assert f"{severity.value} {score}" in sarif


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"^boundary ([a-z-]+)", readme, flags=re.MULTILINE)))


def test_readme_shows_every_command() -> None:
    assert _readme_commands() == [
        "audit",
        "checkov",
        "checkov-dir",
        "explain",
        "generate-policy",
        "graph",
        "paths",
        "rules",
        "scan",
        "validate-policy",
    ]


@pytest.mark.parametrize("command", _readme_commands())
def test_readme_commands_exist(command: str) -> None:
    from typer.testing import CliRunner

    from boundary.cli import app

    assert CliRunner().invoke(app, [command, "--help"]).exit_code == 0


def test_readme_explain_example_runs() -> None:
    from typer.testing import CliRunner

    from boundary.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (name,) = re.findall(r"^boundary explain ([a-z-]+)", readme, flags=re.MULTILINE)
    outcome = CliRunner().invoke(app, ["explain", name])
    assert outcome.exit_code == 0 and name in outcome.stdout
