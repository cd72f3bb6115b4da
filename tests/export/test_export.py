"""Exports of the samples: snapshots, GraphML round trip, DOT through Graphviz, escaping, filters."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import boundary
from boundary.export import FORMATS, ExportOptions, export_graph, project
from boundary.export.dot import quote
from boundary.export.html import script_json
from boundary.export.mermaid import escape
from boundary.export.projection import EDGE_ATTRIBUTES, NODE_ATTRIBUTES
from boundary.graph.paths import NodeNotFound

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).parent / "snapshots"
SAMPLES = [
    "samples/sam/insecure/template.yaml",
    "samples/sam/secure/template.yaml",
    "samples/terraform/insecure/plan.json",
    "samples/terraform/secure/plan.json",
]
SNAPSHOT_FORMATS = {"json": "json", "dot": "dot", "mermaid": "mmd"}
HOSTILE = "</script><script>alert(1)</script>"


def _analyzed(sample: str) -> tuple[nx.MultiDiGraph, tuple[boundary.Finding, ...]]:
    model = boundary.load([sample])
    assert not model.errors
    result = boundary.analyze([sample])
    return boundary.build_graph(model), result.findings


def read_graphml(text: str, tmp_path: Path) -> nx.MultiDiGraph:
    """`networkx.read_graphml`; networkx 2.6 touches `numpy.float_`, which NumPy 2 removed."""
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy is optional for networkx
        numpy = None
    if numpy is not None and not hasattr(numpy, "float_"):
        numpy.float_ = numpy.float64  # networkx 2.6 only reads it
    path = tmp_path / "graph.graphml"
    path.write_text(text, encoding="utf-8")
    graph: nx.MultiDiGraph = nx.read_graphml(path, edge_key_type=str, force_multigraph=True)
    return graph


@pytest.mark.parametrize("fmt", sorted(SNAPSHOT_FORMATS))
@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_export_matches_snapshot(
    sample: str, fmt: str, update_snapshots: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    graph, findings = _analyzed(sample)
    text = export_graph(graph, fmt, ExportOptions(findings=findings), title=sample)  # type: ignore[arg-type]
    target = SNAPSHOTS / (sample.replace("/", "__") + "." + SNAPSHOT_FORMATS[fmt])
    if update_snapshots:
        target.write_text(text, encoding="utf-8")
    assert target.is_file(), f"no snapshot {target.name}: run pytest {__file__} --update-snapshots"
    assert text == target.read_text(encoding="utf-8"), (
        f"{fmt} export of {sample} changed; review and --update-snapshots"
    )


@pytest.mark.parametrize("sample", SAMPLES)
def test_graphml_round_trips_through_networkx(
    sample: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    graph, findings = _analyzed(sample)
    plain = project(graph, ExportOptions(findings=findings))
    back = read_graphml(export_graph(graph, "graphml", ExportOptions(findings=findings)), tmp_path)
    assert back.is_directed() and back.is_multigraph()
    assert back.graph["schema"] == "boundary-graph/1"
    assert dict(back.nodes(data=True)) == dict(plain.nodes(data=True))
    original = {key: (u, v, data) for u, v, key, data in plain.edges(keys=True, data=True)}
    read = {key: (u, v, data) for u, v, key, data in back.edges(keys=True, data=True)}
    assert read == original
    # types survive: ints stay ints, booleans booleans
    lines = [d["line"] for _, d in back.nodes(data=True) if "line" in d]
    assert lines and all(type(line) is int for line in lines)
    flags = [d["api_key_required"] for _, d in back.nodes(data=True) if "api_key_required" in d]
    assert flags and all(type(flag) is bool for flag in flags)


def test_projection_is_plain_and_follows_the_schema() -> None:
    graph, findings = _analyzed("samples/sam/insecure/template.yaml")
    plain = project(graph, ExportOptions(findings=findings))
    assert plain.number_of_nodes() == graph.number_of_nodes()
    assert plain.number_of_edges() == graph.number_of_edges()
    for node, data in plain.nodes(data=True):
        assert isinstance(node, str)
        assert {"kind", "label", "group", "finding_count"} <= set(data)
        for name, value in data.items():
            assert type(value) is NODE_ATTRIBUTES[name], (node, name, value)
    for _, _, key, data in plain.edges(keys=True, data=True):
        assert isinstance(key, str) and {"kind", "label"} <= set(data)
        for name, value in data.items():
            assert type(value) is EDGE_ATTRIBUTES[name], (key, name, value)


def test_findings_are_on_the_nodes_they_concern() -> None:
    graph, findings = _analyzed("samples/sam/insecure/template.yaml")
    plain = project(graph, ExportOptions(findings=findings))
    role = next(n for n in plain if n.endswith("::BookingRole"))
    assert "BND101" in plain.nodes[role]["rules"].split()
    assert plain.nodes[role]["severity"] == "high"
    listed = json.loads(plain.nodes[role]["findings"])
    assert {f["rule"] for f in listed} >= {"BND101"} and all(f["message"] for f in listed)
    reserve = next(n for n in plain if n.endswith("::ReserveBooking"))
    assert "BND117" in plain.nodes[reserve]["rules"].split()
    table = next(n for n in plain if n.endswith("::BookingTable"))
    assert plain.nodes[table]["finding_count"] == 0 and "rules" not in plain.nodes[table]


def test_grant_edges_carry_compact_actions_and_their_statement() -> None:
    graph, _ = _analyzed("samples/sam/secure/template.yaml")
    plain = project(graph)
    grants = [
        d
        for u, v, d in plain.edges(data=True)
        if d["kind"] == "grants" and u.endswith("::ReserveBookingRole") and v.endswith("::BookingTable")
    ]
    assert grants
    assert grants[0]["label"] == "dynamodb:{BatchWriteItem,PutItem,UpdateItem}"
    statement = json.loads(grants[0]["statement"])
    assert statement["Effect"] == "Allow" and "dynamodb:PutItem" in statement["Action"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
@pytest.mark.parametrize("sample", SAMPLES)
def test_dot_renders_with_graphviz(sample: str, tmp_path: Path) -> None:
    graph, findings = _analyzed(sample)
    source = tmp_path / "graph.dot"
    source.write_text(export_graph(graph, "dot", ExportOptions(findings=findings)), encoding="utf-8")
    done = subprocess.run(
        ["dot", "-Tsvg", str(source), "-o", str(tmp_path / "graph.svg")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr  # no syntax warnings either
    svg = (tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert svg.count('class="node"') == graph.number_of_nodes()


def _hostile_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_node("t.yaml::" + HOSTILE, kind="data", label=HOSTILE, resource=HOSTILE, line=3)
    graph.add_node('t.yaml::quote"\\ ]|#x', kind="compute", label='quote"\\ ]|#x\nsecond line', line=4)
    graph.add_edge(
        't.yaml::quote"\\ ]|#x',
        "t.yaml::" + HOSTILE,
        kind="grants",
        effect="Allow",
        actions=("s3:GetObject",),
    )
    return graph


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_names_are_inert(fmt: str, tmp_path: Path) -> None:
    text = export_graph(_hostile_graph(), fmt, title=HOSTILE)
    if fmt == "html":
        assert "<script>alert(1)" not in text
        assert "</script><script>" not in text
        assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in text
    elif fmt == "json":
        nodes = {n["label"] for n in json.loads(text)["nodes"]}
        assert HOSTILE in nodes
    elif fmt == "graphml":
        back = read_graphml(text, tmp_path)
        assert HOSTILE in {d["label"] for _, d in back.nodes(data=True)}
    elif fmt == "mermaid":
        assert "<script>" not in text and '"quote"' not in text
        assert "#lt;/script#gt;" in text and "quote#quot;\\ ]#124;#35;x second line" in text
    else:
        assert 'label="quote\\"\\\\ ]|#x\\nsecond line\\ncompute"' in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_hostile_dot_still_renders(tmp_path: Path) -> None:
    source = tmp_path / "hostile.dot"
    source.write_text(export_graph(_hostile_graph(), "dot", title=HOSTILE), encoding="utf-8")
    done = subprocess.run(["dot", "-Tsvg", str(source)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "&lt;/script&gt;" in done.stdout and "<script>" not in done.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [('a"b', '"a\\"b"'), ("a\\nb", '"a\\\\nb"'), ("line\nbreak", '"line\\nbreak"')],
)
def test_dot_quote(text: str, expected: str) -> None:
    assert quote(text) == expected


def test_mermaid_escape_and_script_json() -> None:
    assert escape('<b>"x"</b>') == "#lt;b#gt;#quot;x#quot;#lt;/b#gt;"
    assert script_json({"a": "</script>&\u2028"}) == '{"a":"\\u003c/script\\u003e\\u0026\\u2028"}'


def _labels(plain: nx.MultiDiGraph) -> set[str]:
    return {str(d.get("resource") or d["label"]) for _, d in plain.nodes(data=True)}


def test_focus_keeps_what_is_within_depth() -> None:
    graph, _ = _analyzed("samples/sam/secure/template.yaml")
    one = project(graph, ExportOptions(focus="ReserveBooking", depth=1))
    assert _labels(one) >= {"ReserveBooking", "ReserveBookingRole", "BookingTable"}
    assert "LoyaltyTable" not in _labels(one)
    two = project(graph, ExportOptions(focus="ReserveBooking", depth=2))
    assert one.number_of_nodes() < two.number_of_nodes() < graph.number_of_nodes()
    with pytest.raises(NodeNotFound):
        project(graph, ExportOptions(focus="NoSuchThing"))


def test_only_findings_and_hide() -> None:
    graph, findings = _analyzed("samples/sam/insecure/template.yaml")
    only = project(graph, ExportOptions(findings=findings, only_findings=True, depth=0))
    assert only.number_of_nodes() > 0
    assert all(d["finding_count"] > 0 for _, d in only.nodes(data=True))
    hidden = project(graph, ExportOptions(hide=("policy", "principal")))
    groups = {d["group"] for _, d in hidden.nodes(data=True)}
    assert "policy" not in groups and "principal" not in groups and "internet" in groups
    with pytest.raises(ValueError, match="unknown group"):
        project(graph, ExportOptions(hide=("nonsense",)))
    with pytest.raises(ValueError, match="unknown graph format"):
        export_graph(graph, "png")  # type: ignore[arg-type]


def test_html_is_self_contained() -> None:
    graph, findings = _analyzed("samples/sam/insecure/template.yaml")
    page = export_graph(graph, "html", ExportOptions(findings=findings))
    markup = page.split("<script", 1)[0]
    assert (
        "http://" not in markup
        and "https://" not in markup
        and "<link" not in markup
        and "<img" not in markup
    )
    assert "<script src" not in page and "<iframe" not in page
    assert "connect-src 'none'" in page
    data: dict[str, Any] = json.loads(page.split('id="graph-data">', 1)[1].split("</script>", 1)[0])
    assert len(data["nodes"]) == graph.number_of_nodes()
