"""Terraform plans (`terraform show -json`) into the model.

A plan is the only Terraform artefact that knows what will be deployed:
modules are expanded, `count`/`for_each` instances have their final addresses,
and every value is either known or explicitly "known after apply". What is not
known yet is kept as a `Symbolic` that names the resources its configuration
expression refers to, so a function whose `role` is `aws_iam_role.x.arn` still
executes as `aws_iam_role.x` although the ARN does not exist yet.

The loader, one module per seam, each given what it needs:

- `plan`: recognising and decoding a plan, and running the seams below;
- `instances`: what the plan will deploy, by address, and its module tree;
- `references`: configuration references to instance addresses (through module
  inputs and outputs and `each`/`count` keys), unknown values to `Symbolic`s;
- `index`: every instance prepared once, and which resources an attribute
  designates (by known value, else by reference);
- `policies`, `relations`, `endpoints`: what the model holds, from the index;
- `locations`: where each resource is written;
- `sources`: what the loader asks of the `.tf` sources, which `hcl/` reads.
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
