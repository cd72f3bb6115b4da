"""The real `checkov` command with boundary's checks: parity with `boundary scan`, Checkov's
own controls, its output formats. Skipped where Checkov is not installed (CI's networkx 3.x
environment).

Checkov takes seconds to start, so the files are batched: one Checkov run covers every
sample and rule fixture, one the corpus files, and a few more the controls.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

if os.environ.get("BOUNDARY_REQUIRE_CHECKOV"):  # .ci/run's first environment: run, never skip
    import checkov  # noqa: F401
else:
    pytest.importorskip(
        "checkov", reason="Checkov is not installed (pip install 'serverless-boundary[checkov]')"
    )

import boundary  # noqa: E402
from boundary.integrations.checkov import check_id, checks_dir, rule_id  # noqa: E402
from boundary.model import ResourceKind  # noqa: E402
from boundary.rules import registry  # noqa: E402

from ._checkov_helpers import (  # noqa: E402
    FIXTURES,
    ROOT,
    SAMPLES,
    is_plan,
    is_terraform,
    resource_at,
    source_types,
    template_files,
    terraform_type,
)

pytestmark = pytest.mark.slow

FRAMEWORKS = ["--framework", "cloudformation", "terraform_plan", "terraform"]
Triple = tuple[str, str, int]


def _checkov(args: list[str], cwd: Path, *, wrapper: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "WARNING"}
    if wrapper:
        command = [sys.executable, "-m", "boundary", "checkov", *args]
    else:
        command = [sys.executable, "-m", "checkov.main", *args]
        command += ["--external-checks-dir", str(checks_dir()), "--skip-download"]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False)


def _reports(stdout: str) -> list[dict[str, Any]]:
    """Checkov prints one JSON document per `-d` folder: a report, or a list of them."""
    decoder = json.JSONDecoder()
    reports: list[dict[str, Any]] = []
    index = 0
    text = stdout.strip()
    while index < len(text):
        data, index = decoder.raw_decode(text, index)
        reports.extend(data if isinstance(data, list) else [data])
        while index < len(text) and text[index].isspace():
            index += 1
    return reports


def _records(reports: Iterable[dict[str, Any]], kind: str = "failed_checks") -> list[dict[str, Any]]:
    return [
        r
        for report in reports
        for r in report.get("results", {}).get(kind, [])  # a clean run prints a summary only
        if r["check_id"].startswith("CKV_BND_")
    ]


def _name(record: dict[str, Any]) -> str:
    """Checkov's resource: `AWS::Serverless::Function.Name` (CloudFormation) or the plan address."""
    resource = str(record["resource"])
    first = resource.split(".", 1)[0]
    if "::" in first:
        return resource.rsplit(".", 1)[1]
    if "_" not in first and first not in ("data", "module"):  # a provider block: `aws.default`
        return "provider." + resource.removesuffix(".default")
    return resource


_DETAIL = re.compile(r"^line (\d+): ")


def checkov_triples(records: Iterable[dict[str, Any]], plan: bool) -> set[Triple]:
    """(rule id, resource as the user wrote it, line) as Checkov reports them.

    Checkov reports one result per check and resource. In plans its `details` carry each
    finding's line; its CloudFormation runner has no details, and the line is the first
    line of the resource's block.
    """
    found: set[Triple] = set()
    for record in records:
        rule = rule_id(record["check_id"])
        assert rule, record["check_id"]
        if plan:
            lines = [int(m.group(1)) for d in record["details"] if (m := _DETAIL.match(d))]
            assert lines, record
            found |= {(rule, _name(record), line) for line in lines}
        else:
            found.add((rule, _name(record), int(record["file_line_range"][0])))
    return found


def _placed(path: Path, *, suppressed: bool = False) -> list[tuple[boundary.Finding, Any]]:
    """`boundary scan`'s findings of the file with the resource the user wrote for each: the
    resource itself, or for one SAM generated, the SAM resource whose block holds the
    finding's line (an implicit API's open route: the function declaring it), else its
    origin; in templates, a finding whose line is in the block of another resource its
    rule's check runs on (a role's grant in an `AWS::IAM::Policy`) is on that resource. A finding with others merged into it (one statement, one family) counts once
    per rule: Checkov runs and selects each check on its own (docs/checkov.md)."""
    result = boundary.analyze([path])
    assert not result.errors, [str(e) for e in result.errors]
    resources = {r.id: r for t in result.templates for r in t.resources.values()}
    # the types each rule's check runs on: a role's grant written in a policy resource of its
    # own is reported on that policy
    checked = {m.id: m.resource_types.get("cloudformation", ()) for m in registry()}
    placed = []
    for lead in result.findings:
        for finding in (lead, *lead.merged):
            if finding.suppressed != suppressed or finding.resource not in resources:
                continue  # a parameter or output: no Checkov entity (see test_checkov_adapter)
            origin = resources[finding.resource].origin
            block = None if is_terraform(path) else resource_at(path, finding.location.line)
            if block is not None and block[0] != (origin or finding.resource):
                name, written_type = block
                if written_type.startswith("AWS::Serverless::"):
                    if origin is not None:
                        placed.append((finding, resources[name]))
                        continue
                elif written_type in checked.get(finding.rule_id, ()):
                    placed.append((finding, resources[name]))
                    continue
            placed.append((finding, resources[origin or finding.resource]))
    return placed


def boundary_triples(path: Path, *, suppressed: bool = False) -> set[Triple]:
    """The same set from `boundary scan`'s own findings (the snapshots' source), by the
    parity definition of docs/checkov.md: SAM-generated resources count as the resource
    they came from; every rule id of a merged finding counts; the line is the finding's own
    in plans and, in CloudFormation, the first line of that resource, as Checkov's
    CloudFormation runner reports no other (`within_checkov_lines` checks the finding's
    own line against the range Checkov reports)."""
    plan = is_terraform(path)
    return {
        (finding.rule_id, written.id, finding.location.line if plan else written.location.line)
        for finding, written in _placed(path, suppressed=suppressed)
    }


def within_checkov_lines(path: Path, records: Iterable[dict[str, Any]]) -> list[str]:
    """The template findings whose own line (as `boundary scan` reports it) is outside the
    line range Checkov reports for the resource it is on. An endpoint declared in a
    function's `Events` is on its API but written in the function: its line may be in the
    range of another resource of the file."""
    ranges: dict[tuple[str, str], tuple[int, int]] = {}
    anywhere: list[tuple[int, int]] = []
    for record in records:
        start, end = (int(n) for n in record["file_line_range"])
        ranges[(str(rule_id(record["check_id"])), _name(record))] = (start, end)
        anywhere.append((start, end))
    outside = []
    for finding, written in _placed(path) + _placed(path, suppressed=True):
        line = finding.location.line
        start, end = ranges.get((finding.rule_id, written.id), (0, -1))
        if start <= line <= end:
            continue
        if written.kind is ResourceKind.API and any(a <= line <= b for a, b in anywhere):
            continue
        outside.append(f"{finding.rule_id} {written.id} line {line} not in {start}..{end}")
    return outside


def _by_file(reports: list[dict[str, Any]], kind: str) -> dict[str, list[dict[str, Any]]]:
    files: dict[str, list[dict[str, Any]]] = {}
    for record in _records(reports, kind):
        files.setdefault(os.path.realpath(record["file_abs_path"]), []).append(record)
    return files


@pytest.fixture(scope="module")
def pack_run() -> list[dict[str, Any]]:
    """One Checkov run, through `boundary checkov`, over every sample and rule fixture."""
    done = _checkov(
        ["-d", str(SAMPLES), "-d", str(FIXTURES), *FRAMEWORKS, "--check", "CKV_BND_*", "-o", "json"],
        ROOT,
        wrapper=True,
    )
    assert done.returncode in (0, 1), done.stderr[-3000:]
    assert "Cannot load external check" not in done.stderr, done.stderr[-3000:]
    return _reports(done.stdout)


def _of(records: dict[str, list[dict[str, Any]]], path: Path) -> list[dict[str, Any]]:
    """The records of a file, or of the `.tf` files of a configuration folder (not below it)."""
    if not path.is_dir():
        return records.get(os.path.realpath(path), [])
    return [
        r for file, found in records.items() if os.path.dirname(file) == os.path.realpath(path) for r in found
    ]


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_parity_with_boundary_scan(pack_run: list[dict[str, Any]], path: Path) -> None:
    """A template or a plan against Checkov's report on it; a folder of `.tf` files (scanned
    without a plan) against Checkov's `terraform` framework on its files."""
    plan = is_terraform(path)
    failed = _of(_by_file(pack_run, "failed_checks"), path)
    skipped = _of(_by_file(pack_run, "skipped_checks"), path)
    assert checkov_triples(failed, plan) == boundary_triples(path)
    assert checkov_triples(skipped, plan) == boundary_triples(path, suppressed=True)
    if not plan:
        passed = _by_file(pack_run, "passed_checks").get(os.path.realpath(path), [])
        assert within_checkov_lines(path, failed + skipped + passed) == []


def test_checkov_sees_the_types_the_user_wrote(pack_run: list[dict[str, Any]]) -> None:
    records = _records(pack_run)
    with_checks = {check_id(m.id) for m in boundary.rules.registry() if any(m.resource_types.values())}
    assert {r["check_id"] for r in records} >= with_checks
    sam = [r for r in records if str(r["resource"]).startswith("AWS::Serverless::")]
    assert sam, "no finding was reported on a SAM resource"
    for record in records:
        path = Path(record["file_abs_path"])
        if is_plan(path) or path.suffix == ".tf":
            meta = next(m for m in boundary.rules.registry() if m.id == rule_id(record["check_id"]))
            assert terraform_type(_name(record)) in meta.resource_types["terraform"], record["resource"]
            continue
        kind, name = str(record["resource"]).rsplit(".", 1)
        assert source_types(path)[name] == kind


def test_generated_role_is_reported_on_the_sam_function(pack_run: list[dict[str, Any]]) -> None:
    """admin-access's SAM fixture grants a function AdministratorAccess: the finding is on the
    generated role `InvalidAdminFnRole`, Checkov reports it on `InvalidAdminFn`, with its lines."""
    path = FIXTURES / "admin-access" / "sam.yaml"
    records = [
        r
        for r in _by_file(pack_run, "failed_checks")[os.path.realpath(path)]
        if r["check_id"] == "CKV_BND_105"
    ]
    names = {str(r["resource"]) for r in records}
    assert "AWS::Serverless::Function.InvalidAdminFn" in names
    assert "AWS::IAM::Role.InvalidAdminFnRole" not in names  # Checkov never sees the generated role
    record = next(r for r in records if r["resource"] == "AWS::Serverless::Function.InvalidAdminFn")
    start, end = record["file_line_range"]
    text = path.read_text().splitlines()
    assert text[start - 1].strip().startswith("InvalidAdminFn:")
    assert start < end
    assert record["severity"] == "CRITICAL"
    assert record["guideline"].endswith("/BND105.md")


# ------------------------------------------------------------------ corpus

CORPUS = ROOT.parent / "shared" / "corpus"


def _corpus_files() -> list[Path]:
    """Nine SAM templates and nine plans from the corpus, in name order, picked for having findings."""
    sam = sorted((CORPUS / "sam" / "serverless-patterns").glob("*.yaml"))
    plans = sorted((CORPUS / "tfplan").glob("*.json"))
    picked: list[Path] = []
    for pool in (sam, plans):
        count = 0
        for path in pool:
            result = boundary.analyze([path])
            if result.errors or not any(not f.suppressed for f in result.findings):
                continue
            picked.append(path)
            count += 1
            if count == 9:
                break
    return picked


@pytest.mark.corpus
def test_parity_on_corpus_files(corpus_dir: Path, tmp_path: Path) -> None:
    """At least six files of each framework that Checkov parses: some plans, in the oldest
    format, yield no resource to Checkov's parser, and so no result of any check."""
    files = _corpus_files()
    assert len(files) == 18
    for index, path in enumerate(files):  # copies, so the read-only corpus is never written
        shutil.copy(path, tmp_path / f"{index:02d}_{path.name}")
    done = _checkov(["-d", str(tmp_path), *FRAMEWORKS, "--check", "CKV_BND_*", "-o", "json"], tmp_path)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    reports = _reports(done.stdout)
    failed = _by_file(reports, "failed_checks")
    # a file Checkov parsed resources from (a plan in the oldest format gives its provider only)
    seen = {
        file
        for file, records in [*failed.items(), *_by_file(reports, "passed_checks").items()]
        if any(not _name(r).startswith("provider.") for r in records)
    }
    compared = {"cloudformation": 0, "terraform_plan": 0}
    for copy in sorted(tmp_path.iterdir()):
        if os.path.realpath(copy) not in seen:
            continue
        plan = is_plan(copy)
        compared["terraform_plan" if plan else "cloudformation"] += 1
        expected = boundary_triples(copy)
        assert checkov_triples(failed.get(os.path.realpath(copy), []), plan) == expected, copy.name
    assert min(compared.values()) >= 6, compared


# ---------------------------------------------------------------- controls

CONTROLLED = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  SharedRole:
    Type: AWS::IAM::Role
    Metadata:
      checkov:
        skip:
          - id: CKV_BND_101
            comment: one role on purpose while the functions are split
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: Everything
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: "dynamodb:*"
                Resource: "*"
  First:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Role: !GetAtt SharedRole.Arn
  Second:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): pass"
      Role: !GetAtt SharedRole.Arn
"""


@pytest.fixture(scope="module")
def controlled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("controlled")
    (folder / "template.yaml").write_text(CONTROLLED)
    return folder


@pytest.fixture(scope="module")
def first_run(controlled: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Every output format at once, and a baseline of what is found."""
    out = controlled / "out"
    done = _checkov(
        ["-d", ".", *FRAMEWORKS, "--check", "CKV_BND_*", "-o", "cli", "-o", "json", "-o", "sarif",
         "-o", "junitxml", "--output-file-path", str(out), "--create-baseline"],
        controlled,
    )  # fmt: skip
    return done, out


def test_metadata_skip_and_every_output_format(
    first_run: tuple[subprocess.CompletedProcess[str], Path], controlled: Path
) -> None:
    done, out = first_run
    assert done.returncode == 1, done.stderr[-3000:]
    reports = _reports((out / "results_json.json").read_text())
    failed = {(r["check_id"], r["resource"]) for r in _records(reports)}
    skipped = {
        (r["check_id"], r["resource"], r["check_result"]["suppress_comment"])
        for r in _records(reports, "skipped_checks")
    }
    assert skipped == {
        ("CKV_BND_101", "AWS::IAM::Role.SharedRole", "one role on purpose while the functions are split")
    }
    assert ("CKV_BND_103", "AWS::IAM::Role.SharedRole") in failed
    cli = (out / "results_cli.txt").read_text()
    assert "CKV_BND_103" in cli and "FAILED for resource: AWS::IAM::Role.SharedRole" in cli
    sarif = json.loads((out / "results_sarif.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert "CKV_BND_103" in {r["ruleId"] for r in results}
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["CKV_BND_103"]["helpUri"].endswith("/BND103.md")
    junit = ElementTree.parse(out / "results_junitxml.xml").getroot()
    names = [case.get("name", "") for case in junit.iter("testcase")]
    assert any("CKV_BND_103" in name for name in names)
    assert (controlled / ".checkov.baseline").is_file()


def test_check_skip_check_soft_fail_and_baseline(
    first_run: tuple[subprocess.CompletedProcess[str], Path], controlled: Path
) -> None:
    # a severity threshold selects by the checks' own severities (offline: Checkov's own
    # checks have none); --skip-check drops one boundary id
    done = _checkov(
        ["-d", ".", *FRAMEWORKS, "--check", "HIGH", "--skip-check", "CKV_BND_104", "-o", "json"], controlled
    )
    assert done.returncode == 1, done.stderr[-3000:]
    reports = _reports(done.stdout)
    assert {r["check_id"] for r in _records(reports)} == {"CKV_BND_103"}
    assert {r["check_id"] for r in _records(reports, "skipped_checks")} == {"CKV_BND_101"}
    # --soft-fail-on the only failing id: exit 0, finding still reported
    done = _checkov(
        ["-d", ".", *FRAMEWORKS, "--check", "CKV_BND_103", "--soft-fail-on", "CKV_BND_103", "-o", "json"],
        controlled,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert {r["check_id"] for r in _records(_reports(done.stdout))} == {"CKV_BND_103"}
    # a baseline made by the previous test hides what it recorded
    baseline = controlled / ".checkov.baseline"
    assert baseline.is_file(), first_run[0].stderr[-3000:]
    recorded = json.loads(baseline.read_text())
    assert "CKV_BND_103" in json.dumps(recorded)
    done = _checkov(
        ["-d", ".", *FRAMEWORKS, "--check", "CKV_BND_*", "--baseline", str(baseline), "-o", "json"],
        controlled,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert _records(_reports(done.stdout)) == []


# ------------------------------------------------------- merged findings, lines

EVERYTHING = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  EverythingRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: All
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: "*"
                Resource: "*"
"""


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("everything")
    (folder / "template.yaml").write_text(EVERYTHING)
    return folder


def _failed_ids(folder: Path, *args: str) -> dict[str, list[int]]:
    done = _checkov(["-d", ".", *FRAMEWORKS, *args, "-o", "json"], folder, wrapper=True)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    return {
        r["check_id"]: r["file_line_range"]
        for r in _records(_reports(done.stdout))
        if r["resource"] == "AWS::IAM::Role.EverythingRole"
    }


def test_a_merged_finding_answers_to_each_of_its_checks(everything: Path) -> None:
    """`boundary scan` reports `Action: "*"` on `Resource: "*"` as one admin-access finding
    listing the others; in Checkov each rule's check fails on its own."""
    (lead,) = [f for f in boundary.analyze([everything / "template.yaml"]).findings if f.merged]
    assert lead.rule_id == "BND105" and {"BND103", "BND104"} <= set(lead.rule_ids)
    assert lead.location.line == 17  # the statement
    # selecting a merged rule's check alone still finds it
    assert set(_failed_ids(everything, "--check", "CKV_BND_103")) == {"CKV_BND_103"}
    # skipping the leading rule's check does not hide the others
    failed = _failed_ids(everything, "--check", "CKV_BND_*", "--skip-check", "CKV_BND_105")
    assert "CKV_BND_105" not in failed
    assert {check_id(r) for r in lead.rule_ids if r != "BND105"} <= set(failed)
    # Checkov's CloudFormation runner gives the resource's block, not the statement's line
    # (docs/checkov.md, "Lines in templates"): lines 3 to 19 around boundary's line 17
    assert set(map(tuple, failed.values())) == {(3, 19)}


GRANT_IN_A_POLICY = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Used:
    Type: AWS::SQS::Queue
  Unused:
    Type: AWS::SQS::Queue
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  WorkerGrants:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: worker-grants
      Roles: [!Ref WorkerRole]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [s3:GetObject]
            Resource: "*"
          - Effect: Allow
            Action: sqs:SendMessage
            Resource: !GetAtt Unused.Arn
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt WorkerRole.Arn
      Code: {ZipFile: "def handler(event, context): pass"}
      Environment: {Variables: {QUEUE: !Ref Used}}
"""


def test_a_grant_written_in_a_policy_resource_is_reported_on_that_policy(tmp_path: Path) -> None:
    """A role's grants in an `AWS::IAM::Policy` of their own: `boundary scan` names the role
    and the statement's line; Checkov shows the policy's block, where the fix goes, not the
    role's trust policy."""
    path = tmp_path / "template.yaml"
    path.write_text(GRANT_IN_A_POLICY)
    findings = {f.rule_id: f for f in boundary.analyze([path]).findings}
    assert {findings["BND104"].resource, findings["BND107"].resource} == {"WorkerRole"}
    done = _checkov(
        ["-f", str(path), *FRAMEWORKS, "--check", "CKV_BND_*", "-o", "json"], tmp_path, wrapper=True
    )
    assert done.returncode == 1, done.stderr[-3000:]
    failed = _records(_reports(done.stdout))
    on = {(r["check_id"], r["resource"], tuple(r["file_line_range"])) for r in failed}
    assert {
        ("CKV_BND_104", "AWS::IAM::Policy.WorkerGrants", (16, 29)),
        ("CKV_BND_107", "AWS::IAM::Policy.WorkerGrants", (16, 29)),
    } <= on
    assert checkov_triples(failed, plan=False) == boundary_triples(path)
    assert within_checkov_lines(path, failed) == []
