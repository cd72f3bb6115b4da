"""Path queries on the samples: what the internet reaches, a function's blast radius, who reaches a table."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

import boundary
from boundary.graph import INTERNET, NodeKind
from boundary.graph.paths import (
    NodeNotFound,
    blast_radius,
    compact_actions,
    find_node,
    paths_from,
    who_can_reach,
)

ROOT = Path(__file__).resolve().parents[2]
INSECURE = {
    "sam": ROOT / "samples/sam/insecure/template.yaml",
    "terraform": ROOT / "samples/terraform/insecure/plan.json",
}
SECURE = {
    "sam": ROOT / "samples/sam/secure/template.yaml",
    "terraform": ROOT / "samples/terraform/secure/plan.json",
}
BOOKING_TABLE = {"sam": "BookingTable", "terraform": "aws_dynamodb_table.booking_table"}


def _graph(path: Path) -> nx.MultiDiGraph:
    return boundary.build_graph(boundary.load([path]))


@pytest.mark.parametrize("fmt", sorted(INSECURE))
def test_insecure_open_route_reaches_the_booking_table_with_write_access(fmt: str) -> None:
    graph = _graph(INSECURE[fmt])
    table = find_node(graph, BOOKING_TABLE[fmt])
    found = paths_from(graph, INTERNET, to=table)
    route = [(graph.nodes[p.nodes[1]].get("method"), graph.nodes[p.nodes[1]].get("path")) for p in found]
    through_route = [p for p, r in zip(found, route, strict=True) if r == ("POST", "/bookings")]
    assert through_route, [p.nodes for p in found]
    path = through_route[0]
    kinds = [graph.nodes[n]["kind"] for n in path.nodes]
    assert kinds == ["external-principal", "endpoint", "compute", "role", "data"]
    assert path.writes and "Write" in path.access
    assert {"dynamodb:PutItem", "dynamodb:DeleteItem"} <= set(path.actions)
    assert [s.kind for s in path.steps] == ["invokes", "invokes", "executes-as", "grants"]


@pytest.mark.parametrize("fmt", sorted(SECURE))
def test_secure_sample_has_no_unauthenticated_path_to_data(fmt: str) -> None:
    graph = _graph(SECURE[fmt])
    data = [n for n, d in graph.nodes(data=True) if d.get("kind") == NodeKind.DATA]
    assert data  # the sample has tables, topics...; none is reachable
    assert paths_from(graph) == []
    for node in data:
        assert all(p.source != INTERNET for p in who_can_reach(graph, node))


def test_who_can_reach_lists_the_internet_first_among_equals_by_distance() -> None:
    graph = _graph(INSECURE["sam"])
    table = find_node(graph, "BookingTable")
    sources = {p.source: p for p in who_can_reach(graph, table)}
    assert INTERNET in sources
    assert find_node(graph, "ReserveBooking") in sources
    assert sources[find_node(graph, "BookingRole")].nodes == (find_node(graph, "BookingRole"), table)
    lengths = [len(p.nodes) for p in who_can_reach(graph, table)]
    assert lengths == sorted(lengths)


def test_blast_radius_names_each_target_with_the_actions_that_fit_it() -> None:
    graph = _graph(SECURE["sam"])
    function = find_node(graph, "ReserveBooking")
    radius = {graph.nodes[p.target].get("label"): p for p in blast_radius(graph, function)}
    assert set(radius["BookingTable"].actions) == {
        "dynamodb:BatchWriteItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    }
    assert radius["BookingTable"].access == ("Write",)
    assert "LoyaltyTable" not in radius


def test_a_statement_for_another_service_is_no_path() -> None:
    """The insecure sample grants dynamodb:UpdateItem on a topic: not a way into it."""
    graph = _graph(INSECURE["sam"])
    topic = find_node(graph, "BookingTopic")
    confirm = find_node(graph, "ConfirmBooking")
    via_role = [p for p in blast_radius(graph, confirm) if p.target == topic]
    assert via_role and all(a.startswith("sns:") for a in via_role[0].actions)


def test_find_node_by_logical_id_address_and_id() -> None:
    graph = _graph(INSECURE["sam"])
    node = find_node(graph, "BookingTable")
    assert node.endswith("::BookingTable")
    assert find_node(graph, node) == node
    assert find_node(graph, "internet") == INTERNET
    with pytest.raises(NodeNotFound, match="no resource named 'Nope'"):
        find_node(graph, "Nope")


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        (["dynamodb:PutItem", "dynamodb:GetItem"], "dynamodb:{GetItem,PutItem}"),
        (["sns:Publish"], "sns:Publish"),
        (["s3:*", "s3:GetObject"], "s3:*"),
        (["*"], "*"),
        ([f"sqs:A{i}" for i in range(8)], "sqs:{A0,A1,A2,A3,A4,A5,+2 more}"),
    ],
)
def test_compact_actions(actions: list[str], expected: str) -> None:
    assert compact_actions(actions) == expected
