"""AWS managed policies, understood by content.

Templates attach managed policies by ARN (`arn:aws:iam::aws:policy/service-role/
AWSLambdaBasicExecutionRole`) or, in SAM, by name. What they grant is not in the
template, so `boundary/data/managed_policies.json` carries a faithful summary of
the ones serverless applications commonly attach. A managed policy that is not
there yields None: the caller must report it as unknown, never as harmless.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from boundary.iam.arn import Arn
from boundary.iam.document import normalize_policy
from boundary.model import PolicyDocument

__all__ = ["ManagedPolicy", "access_breadth", "is_aws_managed_arn", "managed_policy", "managed_policy_names"]

# AWS managed policies that hand over the account, or a whole service.
_ADMIN = frozenset({"AdministratorAccess", "IAMFullAccess", "AdministratorAccess-Amplify"})
# Everything but IAM, Organizations and Account: every data store and compute service, but
# it cannot change IAM or pass roles, so it is not administrator on its own.
_POWER_USER = frozenset({"PowerUserAccess"})
# `FullAccess` anywhere: AWS versions some of them (`AmazonDynamoDBFullAccess_v2`).
_FULL = re.compile(r"FullAccess|(Administrator|PowerUser)$")


def access_breadth(name_or_arn: str) -> str | None:
    """`"admin"` for an AWS managed policy that grants (nearly) everything, `"power-user"` for
    PowerUserAccess (everything but IAM, Organizations and Account), `"full"` for one that
    grants a whole service, None otherwise; judged by AWS's naming."""
    name = name_or_arn.rsplit("/", 1)[-1]
    if name in _ADMIN:
        return "admin"
    if name in _POWER_USER:
        return "power-user"
    if _FULL.search(name):
        return "full"
    return None


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """An AWS managed policy; `version` is the published version the document summarises."""

    name: str
    arn: str
    path: str
    version: str
    document: PolicyDocument
    deprecated: bool = False
    abridged: bool = False  # the action list is a summary of a very long published one


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = (
        resources.files("boundary")
        .joinpath("data")
        .joinpath("managed_policies.json")
        .read_text(encoding="utf-8")
    )
    policies: dict[str, Any] = json.loads(text)["policies"]
    return policies


def managed_policy_names() -> tuple[str, ...]:
    """The names of the managed policies whose content is known, sorted."""
    return tuple(sorted(_data()))


def is_aws_managed_arn(arn: str) -> bool:
    """Whether the ARN names an AWS managed policy (`arn:<partition>:iam::aws:policy/...`)."""
    parsed = Arn.parse(arn)
    return (
        parsed is not None
        and parsed.service == "iam"
        and parsed.region == ""
        and parsed.account == "aws"
        and parsed.resource.startswith("policy/")
    )


def _with_partition(value: Any, partition: str) -> Any:
    if partition == "aws":
        return value
    if isinstance(value, str):
        return value.replace("arn:aws:", f"arn:{partition}:")
    if isinstance(value, list):
        return [_with_partition(item, partition) for item in value]
    if isinstance(value, dict):
        return {key: _with_partition(item, partition) for key, item in value.items()}
    return value


@lru_cache(maxsize=256)
def _build(name: str, partition: str) -> ManagedPolicy:
    entry = _data()[name]
    path = str(entry["path"])
    document = normalize_policy(_with_partition(entry["document"], partition))
    return ManagedPolicy(
        name=name,
        arn=f"arn:{partition}:iam::aws:policy{path}{name}",
        path=path,
        version=str(entry["version"]),
        document=document,
        deprecated=bool(entry.get("deprecated", False)),
        abridged=bool(entry.get("summary", False)),
    )


def managed_policy(arn_or_name: str, partition: str = "aws") -> ManagedPolicy | None:
    """The AWS managed policy named by ARN or bare name, or None when its content is unknown.

    An ARN must carry the policy's real path (`service-role/` for the Lambda
    execution roles): AWS refuses any other, so a wrong path is unknown here too.
    A symbolic partition (`arn:${AWS::Partition}:...`) takes `partition`.
    """
    text = arn_or_name.strip()
    if not text.startswith("arn:"):
        return _build(text, partition) if text in _data() else None
    if not is_aws_managed_arn(text):
        return None
    parsed = Arn.parse(text)
    assert parsed is not None  # checked by is_aws_managed_arn
    if parsed.partition and not Arn.is_variable(parsed.partition):
        partition = parsed.partition
    path_and_name = parsed.resource[len("policy") :]
    slash = path_and_name.rfind("/")
    path, name = path_and_name[: slash + 1], path_and_name[slash + 1 :]
    entry = _data().get(name)
    if entry is None or entry["path"] != path:
        return None
    return _build(name, partition)
