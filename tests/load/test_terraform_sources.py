"""Terraform `.tf` sources: beside a plan (locations, policies the plan leaves unknown) and
alone (the same model from the configuration, with unknowns).

The fixtures in tests/fixtures/terraform/sources/ are real: each folder's plan.json is
`terraform show -json` of its .tf files (regenerate.sh), planned offline. `first_deploy`
creates everything, so the plan holds its policies as unknown; `update` plans the same
configuration against a state where the table, bucket and queue exist, so the plan
knows every policy."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import boundary
from boundary.cli import app
from boundary.model import PolicyKind, Symbolic, Template
from boundary.report import ReportOptions, render

SOURCES = Path(__file__).resolve().parents[1] / "fixtures" / "terraform" / "sources"
FOLDERS = ("first_deploy", "update", "modules_for_each", "provider_keys", "dynamic_statements")


def _alone(tmp_path: Path, folder: str) -> Path:
    """The plan copied away from its sources: what a plan-only scan sees."""
    target = tmp_path / folder
    target.mkdir()
    shutil.copy(SOURCES / folder / "plan.json", target / "plan.json")
    return target / "plan.json"


def _three(tmp_path: Path, folder: str) -> dict[str, boundary.ScanResult]:
    return {
        "plan": boundary.analyze([_alone(tmp_path, folder)]),
        "plan+sources": boundary.analyze([SOURCES / folder / "plan.json"]),
        "sources": boundary.analyze([SOURCES / folder], exclude=["plan.json"]),
    }


def _found(result: boundary.ScanResult) -> set[tuple[str, str]]:
    return {(f.rule_name, f.resource) for f in result.findings}


def _line(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def _policy(template: Template, policy_id: str) -> boundary.model.Policy:
    return next(p for p in template.policies if p.id == policy_id)


@pytest.mark.parametrize("folder", FOLDERS)
def test_fixtures_are_real_plans_of_their_sources(folder: str) -> None:
    plan = json.loads((SOURCES / folder / "plan.json").read_text(encoding="utf-8"))
    assert plan["format_version"] and plan["terraform_version"]
    assert "timestamp" not in plan
    declared = (SOURCES / folder / "main.tf").read_text(encoding="utf-8")
    for resource in plan["configuration"]["root_module"].get("resources", []):
        kind, name = resource["type"], resource["name"]
        assert f'"{kind}" "{name}"' in declared, resource["address"]


def test_first_deploy_plan_holds_the_policies_unknown_and_the_sources_rebuild_them(tmp_path: Path) -> None:
    plan = json.loads((SOURCES / "first_deploy" / "plan.json").read_text(encoding="utf-8"))
    change = next(c for c in plan["resource_changes"] if c["address"] == "aws_iam_role_policy.pay_table")
    assert change["change"]["after_unknown"]["policy"] is True

    alone = boundary.load([_alone(tmp_path, "first_deploy")]).templates[0]
    assert _policy(alone, "aws_iam_role_policy.pay_table").document is None

    for model in (
        boundary.load([SOURCES / "first_deploy" / "plan.json"]),
        boundary.load([SOURCES / "first_deploy"]),
    ):
        template = model.templates[0]
        policy = _policy(template, "aws_iam_role_policy.pay_table")
        assert policy.kind is PolicyKind.IDENTITY and policy.attached_to == ("aws_iam_role.pay",)
        assert policy.document is not None
        statement = policy.document.statements[0]
        assert statement.actions == ("dynamodb:*",)
        table, index = statement.resources
        # every interpolation is a symbolic value naming the graph resource, never `*`
        assert isinstance(table, Symbolic) and table.references == ("aws_dynamodb_table.payments",)
        assert table.text == "${aws_dynamodb_table.payments.arn}"
        assert isinstance(index, Symbolic) and index.text == "${aws_dynamodb_table.payments.arn}/index/*"
        # the heredoc, with its interpolation inside a JSON string
        receipts = _policy(template, "aws_iam_role_policy.pay_receipts").document
        assert receipts is not None
        (resource,) = receipts.statements[0].resources
        assert isinstance(resource, Symbolic) and resource.references == ("aws_s3_bucket.receipts",)
        # the data source document with an unknown input
        jobs = _policy(template, "aws_iam_role_policy.pay_jobs").document
        assert jobs is not None and jobs.statements[0].actions == ("sqs:SendMessage",)
        assert jobs.statements[0].resources[0].references == ("aws_sqs_queue.jobs",)  # type: ignore[union-attr]


def test_first_deploy_in_three_forms(tmp_path: Path) -> None:
    results = _three(tmp_path, "first_deploy")
    plan, both, sources = (_found(results[f]) for f in ("plan", "plan+sources", "sources"))
    # the plan alone cannot see the table grant: it reports the unknown document instead
    assert ("unknown-managed-policy", "aws_iam_role.pay") in plan
    assert ("wildcard-action", "aws_iam_role.pay") not in plan
    for found in (both, sources):
        assert ("wildcard-action", "aws_iam_role.pay") in found
        assert ("unknown-managed-policy", "aws_iam_role.pay") not in found
    # with sources the document is known and judged (the grant on the one table of that
    # fixed name is no unreferenced-resource-grant: the code can only know it by that name)
    assert plan ^ both == {
        ("unknown-managed-policy", "aws_iam_role.pay"),
        ("wildcard-action", "aws_iam_role.pay"),
    }
    assert both == sources
    # the unattached admin policy is judged in every form, on the policy resource
    for found in (plan, both, sources):
        assert ("admin-access", "aws_iam_policy.unattached_admin") in found
        assert ("privilege-escalation", "aws_iam_role.ops") in found


def test_findings_point_at_the_block_and_the_policy_attribute(tmp_path: Path) -> None:
    main = SOURCES / "first_deploy" / "main.tf"
    result = boundary.analyze([SOURCES / "first_deploy" / "plan.json"])
    wildcard = next(
        f for f in result.findings if (f.rule_name, f.resource) == ("wildcard-action", "aws_iam_role.pay")
    )
    block = _line(main, 'resource "aws_iam_role_policy" "pay_table"')
    assert wildcard.location.file == str(main)
    assert wildcard.location.line == _line(main, "  policy = jsonencode({") and wildcard.location.line > block
    admin = next(f for f in result.findings if f.rule_name == "admin-access")
    assert admin.location.line == _line(main, 'resource "aws_iam_policy" "unattached_admin"') + 2
    assert all(f.location.file == str(main) for f in result.findings)


def test_statements_of_dynamic_blocks_are_at_their_content_in_both_forms(tmp_path: Path) -> None:
    """Terraform renders `dynamic "statement"` blocks in place, one statement per item,
    among the plain ones. Each statement is at its block, with the plan and its sources
    and with the sources alone; where a dynamic block iterates over values known only
    after apply, the statement after it is still at its own block (placed from the end)
    and the dynamic block's own statement, which only the plan counts, at the document."""
    folder = SOURCES / "dynamic_statements"
    main = folder / "main.tf"
    content = _line(main, "    content {")
    expected = {
        "aws_iam_role_policy.ledger": [
            ("Publish", _line(main, 'sid       = "Publish"') - 1),
            ("LedgerFares", content),
            ("LedgerMiles", content),
            ("AnyObject", _line(main, 'sid       = "AnyObject"') - 1),
        ],
    }
    refunds_document = _line(main, 'data "aws_iam_policy_document" "refunds"')
    any_queue = _line(main, 'sid       = "AnyQueue"') - 1
    for form, result in (
        ("plan+sources", boundary.analyze([folder / "plan.json"])),
        ("sources", boundary.analyze([folder], exclude=["plan.json"])),
    ):
        (template,) = result.templates
        ledger = _policy(template, "aws_iam_role_policy.ledger").document
        assert ledger is not None
        placed = [(s.sid, s.location.line if s.location else 0) for s in ledger.statements]
        assert placed == expected["aws_iam_role_policy.ledger"], form
        refunds = _policy(template, "aws_iam_role_policy.refunds").document
        assert refunds is not None
        lines = {s.sid: s.location.line if s.location else 0 for s in refunds.statements}
        assert lines["AnyQueue"] == any_queue, form
        if form == "plan+sources":  # the plan knows the dynamic block made one statement
            assert lines[None] == refunds_document, form
        else:  # the sources alone cannot tell what it makes: no statement stands for it
            assert None not in lines, form
        finding = next(f for f in result.findings if f.resource == "aws_iam_role.refunds")
        assert (finding.rule_name, finding.location.line) == ("wildcard-action", any_queue), form


def test_update_plan_knows_the_policies_and_the_sources_agree(tmp_path: Path) -> None:
    plan = json.loads((SOURCES / "update" / "plan.json").read_text(encoding="utf-8"))
    changes = {c["address"]: c["change"] for c in plan["resource_changes"]}
    assert changes["aws_dynamodb_table.payments"]["actions"] == ["no-op"]
    assert isinstance(changes["aws_iam_role_policy.pay_table"]["after"]["policy"], str)
    results = _three(tmp_path, "update")
    plan_found, both, sources = (_found(results[f]) for f in ("plan", "plan+sources", "sources"))
    assert plan_found == both  # the plan knew everything: sources only move the lines
    assert ("wildcard-action", "aws_iam_role.pay") in sources
    # what only the plan knows: the existing bucket and queue ARNs, so it sees the function
    # holds grants on three data stores it never names, and the bucket's generated name
    # (sources keep them symbolic)
    assert both - sources == {
        ("multi-purpose-function", "aws_lambda_function.pay"),
        ("unreferenced-resource-grant", "aws_iam_role.pay"),
    }
    assert sources <= both


def test_modules_and_for_each_map_to_the_module_files(tmp_path: Path) -> None:
    results = _three(tmp_path, "modules_for_each")
    module_file = SOURCES / "modules_for_each" / "modules" / "worker" / "main.tf"
    billing = 'module.worker["billing"].aws_iam_role.this'
    for form in ("plan+sources", "sources"):
        found = {(f.rule_name, f.resource, f.location.file, f.location.line) for f in results[form].findings}
        # dynamodb:* from the module's jsonencode policy, at the module's file
        assert (
            "wildcard-action",
            billing,
            str(module_file),
            _line(module_file, "  policy = jsonencode({"),
        ) in found
        # sqs:* from the root's templatefile() policy of the for_each instance "billing"
        root = SOURCES / "modules_for_each" / "main.tf"
        assert ("wildcard-action", billing, str(root), _line(root, "  policy = templatefile(")) in found
        assert not any(
            "shipping" in f.resource and f.rule_name == "wildcard-action" for f in results[form].findings
        )
    assert {f.rule_name for f in results["plan"].findings} == {"unknown-managed-policy"}
    model = boundary.load([SOURCES / "modules_for_each"], exclude=["plan.json"])
    template = model.templates[0]
    assert 'module.worker["shipping"].aws_lambda_function.this' in template.resources
    assert 'aws_sqs_queue.events["billing"]' in template.resources


def test_provider_keys_are_long_term_credentials_in_every_form(tmp_path: Path) -> None:
    main = SOURCES / "provider_keys" / "main.tf"
    for form, result in _three(tmp_path, "provider_keys").items():
        keys = [f for f in result.findings if f.rule_name == "long-term-credentials"]
        assert {f.resource for f in keys} == {"provider.aws"}, form
        assert len(keys) == 2, form  # the key id and the secret
        if form != "plan":
            # at the attribute lines inside the provider block
            assert {(f.location.file, f.location.line) for f in keys} == {
                (str(main), _line(main, "access_key")),
                (str(main), _line(main, "secret_key")),
            }


def test_a_folder_with_a_plan_and_its_sources_is_one_scan() -> None:
    result = boundary.analyze([SOURCES / "first_deploy"])
    assert [t.path for t in result.templates] == [str(SOURCES / "first_deploy" / "plan.json")]
    fingerprints = [f.fingerprint for f in result.findings]
    assert len(fingerprints) == len(set(fingerprints))
    keyed = [(f.rule_name, f.resource, f.key) for f in result.findings]
    assert len(keyed) == len(set(keyed))


def test_sarif_of_a_plan_with_sources_names_tf_files_and_lines_only() -> None:
    result = boundary.analyze(
        [SOURCES / "first_deploy" / "plan.json", SOURCES / "modules_for_each" / "plan.json"]
    )
    sarif = json.loads(render("sarif", result, ReportOptions(root=str(SOURCES))))
    results = sarif["runs"][0]["results"]
    assert results
    for item in results:
        for location in item["locations"]:
            physical = location["physicalLocation"]
            assert physical["artifactLocation"]["uri"].endswith(".tf"), physical
            assert physical["region"]["startLine"] >= 1
    assert not any("plan.json" in json.dumps(item) for item in results)


def _write(folder: Path, text: str, name: str = "main.tf") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_variables_locals_and_module_inputs_resolve_where_the_configuration_says(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "infra",
        """
variable "actions" { default = ["s3:GetObject"] }
variable "bucket" {}
locals {
  prefix = "logs"
  arn    = "arn:aws:s3:::${var.bucket}/${local.prefix}/*"
}
resource "aws_iam_role" "r" { assume_role_policy = "{}" }
resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.r.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = var.actions, Resource = local.arn }] })
}
module "m" {
  source = "./mod"
  action = "sqs:SendMessage"
}
""",
    )
    _write(root, 'bucket = "audit"\n', "terraform.tfvars")
    _write(
        root / "mod",
        """
variable "action" {}
resource "aws_iam_policy" "q" {
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = var.action, Resource = var.missing }] })
}
""",
    )
    model = boundary.load([root])
    assert not model.errors
    (template,) = model.templates
    statement = _policy(template, "aws_iam_role_policy.p").document.statements[0]  # type: ignore[union-attr]
    assert statement.actions == ("s3:GetObject",)
    assert statement.resources == ("arn:aws:s3:::audit/logs/*",)
    inner = _policy(template, "module.m.aws_iam_policy.q").document.statements[0]  # type: ignore[union-attr]
    assert inner.actions == ("sqs:SendMessage",)
    # an undeclared value stays unknown: symbolic, never `*`
    (unknown,) = inner.resources
    assert isinstance(unknown, Symbolic) and unknown.text == "${var.missing}"
    result = boundary.analyze([root])
    assert not [f for f in result.findings if f.rule_name == "wildcard-resource"]


def test_remote_modules_are_reported_not_followed_and_the_plan_advice_said_once(tmp_path: Path) -> None:
    first = _write(
        tmp_path / "a",
        'module "lambda" {\n  source = "terraform-aws-modules/lambda/aws"\n}\nresource "aws_sqs_queue" "q" {}\n',
    )
    _write(tmp_path / "b", 'resource "aws_sqs_queue" "q" {}\n')
    model = boundary.load([tmp_path])
    notes = [n for t in model.templates for n in t.notes]
    assert any("module lambda (source terraform-aws-modules/lambda/aws) is not followed" in n for n in notes)
    assert str(first / "main.tf") + ":1:" in next(n for n in notes if "not followed" in n)
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("a plan gives better results") + result.stderr.count("for better results") == 1
    assert result.stderr.count("is not followed") == 1


def test_local_modules_are_followed_and_not_scanned_twice(tmp_path: Path) -> None:
    root = _write(tmp_path / "app", 'module "fn" {\n  source = "../modules/fn"\n}\n')
    _write(
        tmp_path / "modules" / "fn",
        'resource "aws_iam_policy" "all" {\n  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })\n}\n',
    )
    result = boundary.analyze([tmp_path])
    assert [t.path for t in result.templates] == [str(root)]
    admin = [f for f in result.findings if f.rule_name == "admin-access"]
    assert [f.resource for f in admin] == ["module.fn.aws_iam_policy.all"]
    assert admin[0].location.file == str(tmp_path / "modules" / "fn" / "main.tf")


def test_bad_hcl_is_one_located_error_and_the_other_files_are_scanned(tmp_path: Path) -> None:
    _write(tmp_path / "bad", 'resource "aws_s3_bucket" "b" {\n  bucket = \n}\n')
    _write(
        tmp_path / "good",
        'resource "aws_iam_policy" "p" {\n  policy = "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Action\\": \\"*\\", \\"Resource\\": \\"*\\"}]}"\n}\n',
    )
    result = boundary.analyze([tmp_path])
    (error,) = result.errors
    assert error.file.endswith("main.tf") and "bad" in error.file and error.line >= 1
    assert "\n" not in str(error)
    assert any(f.rule_name == "admin-access" for f in result.findings)
    cli = CliRunner().invoke(app, ["scan", str(tmp_path), "--no-progress", "-q"])
    assert cli.exit_code == 2
    assert "Traceback" not in cli.output


def test_tf_dir_names_the_sources_of_a_plan_elsewhere(tmp_path: Path) -> None:
    plan = _alone(tmp_path, "first_deploy")
    result = boundary.analyze([plan], tf_dir=SOURCES / "first_deploy")
    assert ("wildcard-action", "aws_iam_role.pay") in _found(result)
    assert all(f.location.file.endswith("main.tf") for f in result.findings)
    cli = CliRunner().invoke(
        app, ["scan", str(plan), "--tf-dir", str(SOURCES / "first_deploy"), "--no-progress", "-f", "json"]
    )
    assert cli.exit_code == 1
    files = {f["file"] for f in json.loads(cli.stdout)["findings"]}
    assert files and all(f.endswith("main.tf") for f in files)


def test_sources_of_another_configuration_are_not_used(tmp_path: Path) -> None:
    """A plan beside .tf files it did not come from stands alone."""
    plan = _alone(tmp_path, "first_deploy")
    _write(plan.parent, 'resource "aws_sqs_queue" "other" {}\n', "other.tf")
    result = boundary.analyze([plan])
    assert all(f.location.file == str(plan) for f in result.findings)


def test_a_managed_policy_read_by_name_is_known(tmp_path: Path) -> None:
    """Corpus false positive: `data "aws_iam_policy" { name = "..." }` of an AWS managed
    policy was reported as a document boundary cannot read."""
    root = _write(
        tmp_path / "app",
        """
data "aws_iam_policy" "basic" {
  name = "AWSLambdaBasicExecutionRole"
}
resource "aws_iam_role" "fn" {
  assume_role_policy = "{}"
}
resource "aws_iam_role_policy_attachment" "basic" {
  role       = aws_iam_role.fn.name
  policy_arn = data.aws_iam_policy.basic.arn
}
""",
    )
    result = boundary.analyze([root])
    assert not [f for f in result.findings if f.rule_name == "unknown-managed-policy"]
    (policy,) = [p for p in result.templates[0].policies if p.id == "data.aws_iam_policy.basic"]
    assert policy.managed_arn == "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    assert policy.attached_to == ("aws_iam_role.fn",)


def test_a_key_in_a_resource_attribute_points_at_its_line_in_the_tf_file() -> None:
    plan = Path(__file__).resolve().parents[2] / "samples" / "terraform" / "insecure" / "plan.json"
    main = plan.with_name("main.tf")
    keys = [
        f
        for f in boundary.scan([plan])
        if f.rule_name == "long-term-credentials" and f.resource == "aws_lambda_function.cancel_booking"
    ]
    assert {(f.location.file, f.location.line) for f in keys} == {
        (str(main), _line(main, "AKIAIOSFODNN7EXAMPLE")),
        (str(main), _line(main, "AWS_SECRET_ACCESS_KEY")),
    }


def test_depends_on_names_every_instance_it_waits_for(tmp_path: Path) -> None:
    """`depends_on` in the sources alone, as the plan's configuration states it (the rule
    fixture unreferenced-resource-grant has the plan form): a counted resource is each of
    its instances."""
    root = _write(
        tmp_path / "infra",
        """\
resource "aws_sqs_queue" "jobs" {
  count = 2
  name  = "jobs-${count.index}"
}
resource "aws_iam_role" "fn" {
  assume_role_policy = "{}"
}
resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = aws_iam_role.fn.arn
  depends_on    = [aws_sqs_queue.jobs, aws_iam_role.fn]
}
""",
    )
    template = boundary.load([root]).templates[0]
    waiting = {r.id: r.depends_on for r in template.resources.values() if r.depends_on}
    assert waiting == {
        "aws_lambda_function.worker": ("aws_iam_role.fn", "aws_sqs_queue.jobs[0]", "aws_sqs_queue.jobs[1]")
    }


@pytest.mark.parametrize(
    ("blocks", "count", "placed"),
    [
        ("ABC", 3, "ABC"),  # every block known: one statement each
        ("A?C", 2, "AC"),  # the unknown dynamic made none (the sources' own rendering)
        ("A?C", 4, "A..C"),  # it made two (the plan counted them)
        ("A?B?C", 5, "A...C"),  # between two unknown ones nothing is placed
        ("AB?C", 2, "AB"),  # fewer statements than known blocks: the leading ones only
        ("?", 3, "..."),
    ],
)
def test_statements_are_placed_around_dynamic_blocks_of_unknown_size(
    blocks: str, count: int, placed: str
) -> None:
    from boundary.load.terraform.policies import _placed
    from boundary.model import Location

    where = {name: Location("main.tf", line, 1) for line, name in enumerate("ABC", start=1)}
    got = _placed([None if b == "?" else where[b] for b in blocks], count)
    assert got == [None if p == "." else where[p] for p in placed]
