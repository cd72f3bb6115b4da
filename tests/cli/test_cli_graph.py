"""`boundary graph` and `boundary paths` on the samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import boundary
from boundary.cli import app

from .conftest import ROOT


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_graph_json_to_a_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "graph.json"
    result = runner.invoke(app, ["graph", "samples/sam/insecure", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    graph = boundary.build_graph(boundary.load(["samples/sam/insecure"]))
    assert len(document["nodes"]) == graph.number_of_nodes()
    assert any(n.get("rules") for n in document["nodes"])


def test_graph_filters(runner: CliRunner) -> None:
    focused = runner.invoke(
        app, ["graph", "samples/sam/secure", "-f", "json", "--focus", "ReserveBooking", "--depth", "1"]
    )
    assert focused.exit_code == 0, focused.output
    labels = {n["label"] for n in json.loads(focused.stdout)["nodes"]}
    assert {"ReserveBooking", "ReserveBookingRole", "BookingTable"} <= labels and "LoyaltyTable" not in labels
    only = runner.invoke(
        app, ["graph", "samples/sam/insecure", "-f", "mermaid", "--only-findings", "--depth", "0"]
    )
    assert only.exit_code == 0 and "⚠" in only.stdout
    hidden = runner.invoke(app, ["graph", "samples/sam/insecure", "-f", "dot", "--hide", "policy,other"])
    assert hidden.exit_code == 0 and "BookingAccess" not in hidden.stdout and "BookingRole" in hidden.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--focus", "NoSuchThing"], "no resource named 'NoSuchThing'"),
        (["--hide", "gremlins"], "unknown group(s) gremlins"),
        (["--format", "png"], "png"),
    ],
)
def test_graph_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["graph", "samples/sam/secure", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_graph_reports_missing_files_and_exports_the_rest(runner: CliRunner) -> None:
    result = runner.invoke(app, ["graph", "samples/sam/secure", "nope.yaml", "-f", "json"])
    assert result.exit_code == 2
    assert "nope.yaml: error: no such file or directory" in result.stderr
    assert json.loads(result.stdout)["nodes"]


def test_paths_from_the_internet(runner: CliRunner) -> None:
    result = runner.invoke(app, ["paths", "samples/sam/insecure", "--to", "BookingTable"])
    assert result.exit_code == 0, result.output
    first, actions = result.stdout.splitlines()[:2]
    assert first == (
        "the internet -> POST /bookings on ServerlessHttpApi -> ReserveBooking -> BookingRole -> BookingTable"
    )
    assert actions.startswith("    write: dynamodb:{")
    secure = runner.invoke(app, ["paths", "samples/sam/secure"])
    assert secure.exit_code == 0 and secure.stdout == "no path\n"


def test_paths_json_blast_radius_and_who_can_reach(runner: CliRunner) -> None:
    radius = runner.invoke(
        app, ["paths", "samples/sam/secure", "--blast-radius", "ReserveBooking", "-f", "json"]
    )
    assert radius.exit_code == 0, radius.output
    found = {p["nodes"][-1]["name"]: p for p in json.loads(radius.stdout)}
    assert found["BookingTable"]["access"] == ["Write"] and found["BookingTable"]["writes"] is True
    who = runner.invoke(app, ["paths", "samples/sam/insecure", "--who-can-reach", "BookingTable"])
    assert who.exit_code == 0 and "the internet -> POST /bookings" in who.stdout


def test_paths_unknown_resource(runner: CliRunner) -> None:
    result = runner.invoke(app, ["paths", "samples/sam/insecure", "--blast-radius", "Nope"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: no resource named 'Nope' in the graph"


@pytest.mark.parametrize(
    "args",
    [
        ["graph", "samples/sam/insecure", "-f", "JSON"],
        ["paths", "samples/sam/insecure", "-f", "Json"],
        ["rules", "-f", "JSON"],
    ],
)
def test_format_names_ignore_case_as_scan_does(runner: CliRunner, args: list[str]) -> None:
    # `scan -f JSON` works; every other command's --format takes the same spelling
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)
