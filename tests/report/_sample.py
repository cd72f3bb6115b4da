"""Hand-made scan results for report tests: every shape a format must handle.

Two SAM files (one with tabs in its source), a Terraform plan finding with an
address and no line, a suppressed finding, a `warn` finding, and text that
breaks naive formats: Markdown pipes, HTML, rich markup, workflow-command
delimiters, newlines and XML control characters.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from boundary.findings import Category, Decision, Finding, Severity, Suppression
from boundary.model import Format, LoadError, Location, Template

__all__ = ["NASTY", "Result", "build_result", "clean_result", "finding"]

NASTY = "a | b <script>x</script> [bold]x[/bold] 50% :: a,b\nsecond line \x01 `tick`"

SAM_SOURCE = (
    "AWSTemplateFormatVersion: '2010-09-09'\n"
    "Transform: AWS::Serverless-2016-10-31\n"
    "Resources:\n"
    "  SharedRole:\n"
    "    Type: AWS::IAM::Role\n"
    "  FnA:\n"
    "    Type: AWS::Serverless::Function\n"
    "    Properties:\n"
    "      Role: !GetAtt SharedRole.Arn\n"
    "  FnB:\n"
    "    Type: AWS::Serverless::Function\n"
    "    Properties:\n"
    "      Role: !GetAtt SharedRole.Arn\n"
).splitlines(keepends=True)

TAB_SOURCE = ("Resources:\n", "\tApi:\n", "\t\tType: AWS::Serverless::Api\n")


DEFAULT_LOCATION = Location("app/template.yaml", 4, 3)


@dataclass(frozen=True, slots=True)
class Result:
    """Shaped like boundary.ScanResult."""

    findings: tuple[Finding, ...] = ()
    errors: tuple[LoadError, ...] = ()
    files: tuple[str, ...] = ()
    templates: tuple[Template, ...] = ()


def finding(
    rule_id: str = "BND101",
    *,
    rule_name: str = "shared-execution-role",
    category: Category = Category.SHARED_ROLE,
    severity: Severity = Severity.HIGH,
    decision: Decision = Decision.DENY,
    message: str = "role SharedRole is the execution role of 2 functions (expected 1): FnA, FnB",
    resource: str = "SharedRole",
    location: Location = DEFAULT_LOCATION,
    related: tuple[str, ...] = ("FnA", "FnB"),
    key: str = "",
    suppression: Suppression | None = None,
) -> Finding:
    return Finding(
        rule_id=rule_id,
        rule_name=rule_name,
        category=category,
        severity=severity,
        decision=decision,
        message=message,
        resource=resource,
        location=location,
        related=related,
        key=key,
        suppression=suppression,
    )


def build_result() -> Result:
    findings = (
        finding(),
        finding(
            "BND201",
            rule_name="wildcard-action",
            category=Category.WILDCARD_ACTION,
            severity=Severity.CRITICAL,
            message=NASTY,
            resource="FnA",
            location=Location("app/template.yaml", 9, 7),
            related=(),
            key="0",
        ),
        finding(
            "BND202",
            rule_name="wildcard-resource",
            category=Category.WILDCARD_RESOURCE,
            severity=Severity.MEDIUM,
            decision=Decision.WARN,
            message="statement 0 grants dynamodb:GetItem on * (expected the table ARN)",
            resource="FnB",
            location=Location("app/template.yaml", 13, 7),
            related=(),
        ),
        finding(
            "BND301",
            rule_name="unauthenticated-endpoint",
            category=Category.UNAUTHENTICATED_ENDPOINT,
            severity=Severity.LOW,
            message="GET /items has no authorizer",
            resource="Api",
            location=Location("app/tabs.yaml", 2, 2),
            related=(),
        ),
        finding(
            "BND401",
            rule_name="long-term-credentials",
            category=Category.LONG_TERM_CREDENTIALS,
            severity=Severity.HIGH,
            message="access key for user deploy",
            resource='aws_iam_access_key.deploy["ci"]',
            location=Location("plans/plan.json", 0, 0, 'aws_iam_access_key.deploy["ci"]'),
            related=("aws_iam_user.deploy",),
        ),
        finding(
            "BND101",
            resource="OtherRole",
            location=Location("plans/plan.json", 0, 0, "aws_iam_role.other"),
            related=(),
            suppression=Suppression("accepted: legacy, see ticket SEC-12", "config"),
        ),
        finding(
            "BND201",
            rule_name="wildcard-action",
            category=Category.WILDCARD_ACTION,
            severity=Severity.INFO,
            message="in-source suppressed",
            resource="FnB",
            location=Location("app/template.yaml", 13, 7),
            related=(),
            suppression=Suppression("reviewed", "metadata"),
        ),
    )
    templates = (
        Template("app/template.yaml", Format.SAM, {}, source_lines=tuple(SAM_SOURCE)),
        Template("app/tabs.yaml", Format.SAM, {}, source_lines=TAB_SOURCE),
        Template("plans/plan.json", Format.TERRAFORM, {}),
    )
    errors = (LoadError("app/broken.yaml", 3, 5, "mapping values are not allowed here"),)
    files = ("app/broken.yaml", "app/tabs.yaml", "app/template.yaml", "plans/plan.json")
    return Result(
        findings=tuple(sorted(findings, key=lambda f: f.sort_key())),
        errors=errors,
        files=files,
        templates=templates,
    )


def clean_result() -> Result:
    """A scan of one file with nothing to report."""
    return replace(build_result(), findings=(), errors=(), files=("app/template.yaml",))
