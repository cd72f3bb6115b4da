"""Whether a template asks for the SAM transform: answered without importing the SAM
translator (boto3 and pydantic with it, a third of a second), which a plain
CloudFormation template or a Terraform plan never needs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["SAM_TRANSFORM", "is_sam"]

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


def is_sam(data: Mapping[str, Any]) -> bool:
    """Whether the template asks for the SAM transform (alone or among others)."""
    transform = data.get("Transform") if isinstance(data, Mapping) else None
    if isinstance(transform, str):
        return transform.strip() == SAM_TRANSFORM
    if isinstance(transform, list):
        return any(isinstance(item, str) and item.strip() == SAM_TRANSFORM for item in transform)
    return False
