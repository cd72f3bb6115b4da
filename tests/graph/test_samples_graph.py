"""Key facts of the sample applications' graphs, the same in SAM and in Terraform."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

import boundary
from boundary.graph import INTERNET, EdgeKind, NodeKind, queries

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

# (file, name of a resource in that format): SAM logical ids, Terraform addresses
NAMES = {
    "sam": {
        "ConfirmBooking": "ConfirmBooking",
        "BookingTable": "BookingTable",
        "BookingTopic": "BookingTopic",
        "LoyaltyApi": "LoyaltyApi",
        "AppSyncLoyaltyRole": "AppSyncLoyaltyRole",
        "NotifyBooking": "NotifyBooking",
        "BookingRole": "BookingRole",
    },
    "terraform": {
        "ConfirmBooking": "aws_lambda_function.confirm_booking",
        "BookingTable": "aws_dynamodb_table.booking_table",
        "BookingTopic": "aws_sns_topic.booking_topic",
        "LoyaltyApi": "aws_api_gateway_rest_api.loyalty_api",
        "AppSyncLoyaltyRole": "aws_iam_role.appsync_loyalty_role",
        "NotifyBooking": "aws_lambda_function.notify_booking",
        "BookingRole": "aws_iam_role.booking_role",
    },
}
FILES = {"sam": "template.yaml", "terraform": "plan.json"}


def _graph(fmt: str, variant: str) -> tuple[nx.MultiDiGraph, str]:
    path = SAMPLES / fmt / variant / FILES[fmt]
    model = boundary.load([path])
    assert not model.errors, [str(e) for e in model.errors]
    return boundary.build_graph(model), str(path)


def _node(path: str, fmt: str, name: str) -> str:
    return f"{path}::{NAMES[fmt][name]}"


def _own_grants(graph: nx.MultiDiGraph, role: str) -> dict[str, set[str]]:
    """target resource -> actions, from the role's own (not AWS managed) Allow statements."""
    found: dict[str, set[str]] = {}
    for _, target, data in queries.grants_from(graph, role):
        managed = data.get("managed_arn") or ""
        if data["effect"] == "Allow" and ":iam::aws:policy/" not in managed:
            found.setdefault(target, set()).update(a for a in data["actions"] if isinstance(a, str))
    return found


@pytest.mark.parametrize("fmt", ["sam", "terraform"])
def test_secure_confirm_booking_has_its_own_role_with_update_item_on_the_table_only(fmt: str) -> None:
    graph, path = _graph(fmt, "secure")
    confirm = _node(path, fmt, "ConfirmBooking")
    (role,) = queries.roles_of(graph, confirm)
    assert queries.executors(graph, role) == (confirm,)
    assert _own_grants(graph, role) == {_node(path, fmt, "BookingTable"): {"dynamodb:UpdateItem"}}


@pytest.mark.parametrize("fmt", ["sam", "terraform"])
def test_secure_every_compute_resource_has_its_own_role(fmt: str) -> None:
    graph, _ = _graph(fmt, "secure")
    roles = queries.execution_roles(graph)
    assert len(roles) >= 6
    assert all(len(users) == 1 for users in roles.values()), roles


@pytest.mark.parametrize("fmt", ["sam", "terraform"])
def test_secure_loyalty_api_requires_iam_and_appsync_may_invoke_it_alone(fmt: str) -> None:
    graph, path = _graph(fmt, "secure")
    api = _node(path, fmt, "LoyaltyApi")
    endpoints = [n for n in queries.endpoints(graph) if graph.nodes[n].get("api") == NAMES[fmt]["LoyaltyApi"]]
    assert endpoints
    assert {graph.nodes[n]["authorization"] for n in endpoints} == {"AWS_IAM"}
    grants = _own_grants(graph, _node(path, fmt, "AppSyncLoyaltyRole"))
    assert set(grants) == {api}
    assert grants[api] == {"execute-api:Invoke"}


@pytest.mark.parametrize("fmt", ["sam", "terraform"])
def test_secure_nothing_is_reachable_from_the_internet(fmt: str) -> None:
    graph, _ = _graph(fmt, "secure")
    assert queries.internet_paths(graph) == []


@pytest.mark.parametrize("fmt", ["sam", "terraform"])
def test_insecure_booking_role_is_shared_by_three_functions(fmt: str) -> None:
    graph, path = _graph(fmt, "insecure")
    role = _node(path, fmt, "BookingRole")
    users = queries.executors(graph, role)
    assert len(users) == 3
    assert all(graph.nodes[u]["kind"] == NodeKind.COMPUTE for u in users)


@pytest.mark.parametrize("fmt", ["sam", "terraform"])
def test_insecure_function_url_opens_a_path_from_the_internet_to_the_topic(fmt: str) -> None:
    graph, path = _graph(fmt, "insecure")
    notify = _node(path, fmt, "NotifyBooking")
    topic = _node(path, fmt, "BookingTopic")
    routes = [p for p in queries.internet_paths(graph) if p[-1] == topic]
    assert routes, "no path from the internet to the booking topic"
    assert all(route[0] == INTERNET for route in routes)
    assert any(notify in route for route in routes), routes


@pytest.mark.parametrize("fmt", ["sam", "terraform"])
def test_insecure_wildcard_statement_reaches_both_tables_and_the_wildcard(fmt: str) -> None:
    graph, path = _graph(fmt, "insecure")
    reached = queries.reach(graph, _node(path, fmt, "BookingRole"))
    assert _node(path, fmt, "BookingTable") in reached
    assert "arn::*" in reached
    classes = {g["target_class"] for g in reached[_node(path, fmt, "BookingTable")]}
    assert "full-wildcard" in classes


def test_edges_and_nodes_use_the_documented_kinds() -> None:
    graph, _ = _graph("sam", "insecure")
    documented_edges = {v for k, v in vars(EdgeKind).items() if k.isupper()}
    assert {d["kind"] for _, _, d in graph.edges(data=True)} <= documented_edges
    documented_nodes = {v for k, v in vars(NodeKind).items() if k.isupper()} | {
        "permission",
        "event-source",
        "access-key",
        "other",
    }
    assert {d["kind"] for _, d in graph.nodes(data=True)} <= documented_nodes
    assert any(d["kind"] == EdgeKind.ASSUMABLE_BY for _, _, d in graph.edges(data=True))


def test_generated_resources_point_at_the_sam_source() -> None:
    graph, path = _graph("sam", "secure")
    confirm = _node(path, "sam", "ConfirmBooking")
    (role,) = queries.roles_of(graph, confirm)
    assert graph.nodes[role]["origin"] == "ConfirmBooking"
    assert graph.nodes[role]["line"] == graph.nodes[confirm]["line"]
