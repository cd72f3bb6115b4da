"""How many IAM policy documents written in Terraform are judged: read, with statements.

    python scripts/tf_policy_coverage.py ../shared/corpus/tf-hcl

Counts every policy document a configuration writes (policies, inline and role
policies, trust policies, resource policies; not AWS managed policies named by
ARN, not Lambda permissions, which have no document) and how many of them the
loader turned into statements the rules can judge. Unknown parts inside a
judged document (an ARN known only after apply) do not make it unjudged; a
document that is unknown as a whole does.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import boundary
from boundary.model import Model, Policy, PolicyKind, Template

_NO_DOCUMENT = ("aws_lambda_permission",)


def written(template: Template) -> list[Policy]:
    out = []
    for policy in template.policies:
        if policy.managed_arn is not None and (
            policy.id == policy.managed_arn or ":iam::aws:policy/" in policy.managed_arn
        ):
            continue  # an AWS managed policy named by ARN (or read by a data source)
        owner = (policy.location.address or policy.id).split("/")[0]
        resource = template.resources.get(owner)
        if resource is not None and resource.type in _NO_DOCUMENT:
            continue
        if (
            resource is not None
            and resource.metadata.get("mode") == "data"
            and resource.type == "aws_iam_policy"
        ):
            continue  # reads an existing policy by name; nothing is written here
        out.append(policy)
    return out


def coverage(model: Model, kinds: Sequence[PolicyKind] = tuple(PolicyKind)) -> tuple[int, int, list[str]]:
    total = judged = 0
    missed: list[str] = []
    for template in model.templates:
        for policy in written(template):
            if policy.kind not in kinds:
                continue
            total += 1
            if policy.document is not None and policy.document.statements:
                judged += 1
            else:
                missed.append(f"{policy.location}: {policy.id}")
    return judged, total, missed


def main(argv: Sequence[str]) -> int:
    paths = [a for a in argv if not a.startswith("--")] or ["../shared/corpus/tf-hcl"]
    judged, total, missed = coverage(boundary.load(paths))
    for line in missed:
        print(f"not judged: {line}")
    share = 100.0 * judged / total if total else 0.0
    print(f"{judged} of {total} IAM policy documents judged ({share:.1f} %)")
    identity = coverage(boundary.load(paths), (PolicyKind.IDENTITY,))
    print(f"  of them identity policies (inline and managed): {identity[0]} of {identity[1]}")
    # What a first-deploy plan knows: a document that mentions anything created in the
    # same plan is unknown as a whole; only policy document data sources keep their
    # statements. Measured by not rebuilding documents from the sources.
    from boundary.load.terraform import hcl

    hcl.ConfigSources.document = lambda *args, **kwargs: None  # type: ignore[method-assign]
    plan_judged, plan_total, _ = coverage(boundary.load(paths))
    plan_share = 100.0 * plan_judged / plan_total if plan_total else 0.0
    print(
        f"without rebuilding from the sources (a first-deploy plan): {plan_judged} of {plan_total} ({plan_share:.1f} %)"
    )
    plan_identity = coverage(boundary.load(paths), (PolicyKind.IDENTITY,))
    print(f"  of them identity policies (inline and managed): {plan_identity[0]} of {plan_identity[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
