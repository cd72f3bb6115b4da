"""The built-in rules run on each file alone, or with the files it is coupled to
(`evaluate_grouped`): the findings must be those of one graph of every file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from boundary import analyze, load
from boundary.graph import build_graph, queries
from boundary.model import Model
from boundary.rules import Config, evaluate, evaluate_grouped, judge_alone, rule_classes

_load = sys.modules["boundary.load"]  # the package (`boundary.load` is its function)

FUNCTION = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  {name}:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(event, context): pass"
      Role: {role}
"""
SHARED = "arn:aws:iam::123456789012:role/shared-runner"


def _write(folder: Path, name: str, role: str) -> Path:
    path = folder / f"{name.lower()}.yaml"
    path.write_text(FUNCTION.format(name=name, role=role), encoding="utf-8")
    return path


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    """Two stacks whose functions run as one role outside them, and one that does not."""
    _write(tmp_path, "Billing", SHARED)
    _write(tmp_path, "Invoices", SHARED)
    _write(tmp_path, "Reports", "arn:aws:iam::123456789012:role/reports-runner")
    return tmp_path


def _whole(model: Model) -> tuple[object, ...]:
    config = Config()
    return evaluate(build_graph(model), model, config, rule_classes(config))


def test_a_role_shared_across_files_is_found_whatever_the_jobs(
    stacks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_load, "_POOL_WORTH", 0.0)
    monkeypatch.setattr(_load, "_PROBE_SECONDS", 0.0)
    for jobs in (1, 3):
        result = analyze([str(stacks)], jobs=jobs)
        shared = [f for f in result.findings if f.rule_id == "BND101"]
        assert len(shared) == 1, (jobs, result.findings)
        assert SHARED in shared[0].message
        assert {"Billing", "Invoices"} <= {shared[0].resource, *shared[0].related}
    alone = analyze([str(stacks / "billing.yaml")])
    assert not [f for f in alone.findings if f.rule_id == "BND101"]


def test_files_that_name_one_outside_role_share_a_coupling_key(stacks: Path) -> None:
    config = Config()
    classes = rule_classes(config)
    model = load([str(stacks)])
    keys = {t.path.rsplit("/", 1)[-1]: judge_alone(t, config, classes).keys for t in model.templates}
    assert keys["billing.yaml"] & keys["invoices.yaml"]
    assert not keys["reports.yaml"] & (keys["billing.yaml"] | keys["invoices.yaml"])


def test_grouped_findings_are_the_whole_graphs(stacks: Path) -> None:
    model = load([str(stacks), str(Path(__file__).parent / "fixtures")])
    assert len(model.templates) > 20
    assert evaluate_grouped(model) == _whole(model)


def test_a_file_read_from_the_same_sources_couples_its_templates() -> None:
    """Two plans read with the same `.tf` file report at its lines: judged together."""
    from boundary.model import Format, Template

    first = Template(path="dev.json", format=Format.TERRAFORM, resources={}, sources={"main.tf": ("",)})
    second = Template(path="prod.json", format=Format.TERRAFORM, resources={}, sources={"main.tf": ("",)})
    graph = build_graph(Model(templates=(first,)))
    assert queries.coupling_keys(graph, first) == queries.coupling_keys(
        build_graph(Model(templates=(second,))), second
    )
    assert "file::main.tf" in queries.coupling_keys(graph, first)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("folder", ["sam", "tfplan", "tf-hcl"])
def test_grouped_findings_are_the_whole_graphs_on_the_corpus(corpus_dir: Path, folder: str) -> None:
    model = load([str(corpus_dir / folder)])
    assert len(model.templates) > 30
    assert evaluate_grouped(model) == _whole(model)
