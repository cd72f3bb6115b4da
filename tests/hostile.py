"""Generators of the hostile inputs of issue 16 (S2): small files that once cost minutes
and gigabytes. Built here, never committed as files; the fuzz targets seed from them too.
"""

from __future__ import annotations

import json

__all__ = [
    "GENERATORS",
    "many_actions",
    "merge_bomb",
    "star_roles",
    "sub_bomb",
    "terraform_cycle",
    "wildcard_actions",
    "wide_yaml",
]

_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def merge_bomb(levels: int = 30) -> str:
    """YAML merge keys that double at every level: `m{i}: &m{i} {<<: [*m{i-1}, *m{i-1}], k{i}: v}`."""
    lines = ["m0: &m0 {k0: v}"]
    lines += [f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: v}}" for i in range(1, levels)]
    return (
        "\n".join(lines)
        + f"\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags: *m{levels - 1}\n"
    )


def sub_bomb(levels: int = 26) -> str:
    """`{'Fn::Sub': ['${X}', {X: ...}]}` nested `levels` deep; it resolves to "x"."""
    value: object = "x"
    for _ in range(levels):
        value = {"Fn::Sub": ["${X}", {"X": value}]}
    template = {"Resources": {"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": value}}}}
    return json.dumps(template)


def terraform_cycle(fan_out: int = 3) -> str:
    """A plan whose module inputs and outputs refer to each other, each to `fan_out` others."""
    inputs = [f"v{i}" for i in range(fan_out)]
    outputs = [f"o{i}" for i in range(fan_out)]
    child = {
        "resources": [
            {
                "address": "aws_iam_role.r",
                "mode": "managed",
                "type": "aws_iam_role",
                "name": "r",
                "expressions": {"name": {"references": [f"var.{n}" for n in inputs]}},
            }
        ],
        "outputs": {o: {"expression": {"references": [f"var.{n}" for n in inputs]}} for o in outputs},
    }
    calls = {n: {"references": [f"module.m.{o}" for o in outputs]} for n in inputs}
    role = {"address": "module.m.aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r"}
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "child_modules": [{"address": "module.m", "resources": [{**role, "values": {"name": "r"}}]}]
            }
        },
        "configuration": {"root_module": {"module_calls": {"m": {"expressions": calls, "module": child}}}},
    }
    return json.dumps(plan)


def star_roles(count: int = 2_000) -> str:
    """A plan with `count` roles, each with an inline policy granting `*` on `*`."""
    everything = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    )
    resources = [
        {
            "address": f"aws_iam_role.r{i}",
            "mode": "managed",
            "type": "aws_iam_role",
            "name": f"r{i}",
            "values": {
                "name": f"r{i}",
                "arn": f"arn:aws:iam::123456789012:role/r{i}",
                "assume_role_policy": json.dumps(_TRUST),
                "inline_policy": [{"name": "all", "policy": everything}],
            },
        }
        for i in range(count)
    ]
    return json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": resources}}})


def _role_with_actions(actions: list[str]) -> str:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
    role = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": _TRUST,
            "Policies": [{"PolicyName": "p", "PolicyDocument": document}],
        },
    }
    return json.dumps({"Resources": {"R": role}})


def many_actions(count: int = 100_000) -> str:
    """One statement with `count` distinct (unknown) actions."""
    return _role_with_actions([f"s3:GetObject{i}" for i in range(count)])


def wildcard_actions(count: int = 2_000) -> str:
    """One statement with `count` distinct `*:`-style wildcard actions (each asks every service)."""
    return _role_with_actions([f"*:Get{i}*" for i in range(count)])


def wide_yaml(megabytes: int = 50) -> str:
    """A plain YAML template of about `megabytes` MB: a list of short items under a resource."""
    item = "        - abcdefgh\n"
    items = item * (megabytes * 1024 * 1024 // len(item))
    return "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags:\n" + items


# name -> (file name, generator): the inputs of issue 16, as the fuzz seed corpus knows them
GENERATORS = {
    "merge-bomb": ("merge-bomb.yaml", merge_bomb),
    "sub-bomb": ("sub-bomb.json", sub_bomb),
    "terraform-cycle-3": ("terraform-cycle-3.json", lambda: terraform_cycle(3)),
    "terraform-cycle-4": ("terraform-cycle-4.json", lambda: terraform_cycle(4)),
    "star-roles": ("star-roles.json", star_roles),
    "many-actions": ("many-actions.json", many_actions),
    "wildcard-actions": ("wildcard-actions.json", wildcard_actions),
}
