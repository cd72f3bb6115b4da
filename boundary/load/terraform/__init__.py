"""Terraform plans (`terraform show -json`) into the model.

A plan is the only Terraform artefact that knows what will be deployed:
modules are expanded, `count`/`for_each` instances have their final addresses,
and every value is either known or explicitly "known after apply". What is not
known yet is kept as a `Symbolic` that names the resources its configuration
expression refers to, so a function whose `role` is `aws_iam_role.x.arn` still
executes as `aws_iam_role.x` although the ARN does not exist yet.

`plan.py` recognises and decodes a plan and runs the loader.
"""

from __future__ import annotations

from boundary.load.terraform.plan import (
    UNKNOWN_TEXT,
    ConfigurationSources,
    decode_plan,
    is_plan,
    load_plan,
    load_plan_text,
    looks_like_plan,
    shape_error,
)

__all__ = [
    "UNKNOWN_TEXT",
    "ConfigurationSources",
    "decode_plan",
    "is_plan",
    "load_plan",
    "load_plan_text",
    "looks_like_plan",
    "shape_error",
]
